/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray_verify_polkit_async() against a private dbus-daemon (no systemd, no polkitd, no root needed): this
 * process serves both a test "daemon" object and a fake org.freedesktop.PolicyKit1 on one event loop; a
 * forked client calls the daemon. As root the client first calls as root (the fast path, polkit never
 * asked), then drops to nobody; as any other user it just calls. */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "polkit.h"
#include "test.h"

#define DAEMON_NAME "org.dray1.TestDaemon"
#define DAEMON_PATH "/org/dray1/test"
#define DAEMON_IFACE "org.dray1.Test"
#define NOBODY 65534

static PolkitRegistry *registry;
static unsigned handler_calls, polkit_calls;
static char last_sender[128], polkit_subject[128], polkit_details[256];
static uint32_t polkit_flags;
static bool polkit_subject_ok;
static size_t max_registry_size;

/* ---- the daemon side ---- */

static int method_check(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        static const char *details[] = { "container", "web", NULL };
        const char *action;
        int r;

        r = sd_bus_message_read(m, "s", &action);
        if (r < 0)
                return r;
        handler_calls++;
        snprintf(last_sender, sizeof(last_sender), "%s", strempty(sd_bus_message_get_sender(m)));

        r = dray_verify_polkit_async(m, action, details, false, registry, error);
        max_registry_size = MAX(max_registry_size, polkit_registry_size(registry));
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* polkit is being asked */
        return sd_bus_reply_method_return(m, "s", "ok");
}

static const sd_bus_vtable daemon_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Check", "s", "s", method_check, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

/* ---- the fake polkit ---- */

static bool endswith(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && streq(s + a - b, suffix);
}

static int read_subject(sd_bus_message *m) {
        const char *kind, *key, *name;
        int r;

        r = sd_bus_message_enter_container(m, 'r', "sa{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &kind);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'e', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &key);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "v", "s", &name);
        if (r < 0)
                return r;
        snprintf(polkit_subject, sizeof(polkit_subject), "%s", name);
        polkit_subject_ok = streq(kind, "system-bus-name") && streq(key, "name");
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static sd_bus_message *held[POLKIT_PENDING_PER_SENDER_MAX];
static size_t n_held;

static int method_check_authorization(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *action, *k, *v, *cancellation_id;
        int r;

        polkit_calls++;
        r = read_subject(m);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "s", &action);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'a', "{ss}");
        if (r < 0)
                return r;
        polkit_details[0] = 0;
        while ((r = sd_bus_message_read(m, "{ss}", &k, &v)) > 0) {
                size_t n = strlen(polkit_details);

                snprintf(polkit_details + n, sizeof(polkit_details) - n, "%s=%s;", k, v);
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "us", &polkit_flags, &cancellation_id);
        if (r < 0)
                return r;

        if (endswith(action, ".hold")) {
                /* Answer later, when ".release" comes. */
                if (n_held >= ELEMENTSOF(held))
                        return -ENOBUFS;
                held[n_held++] = sd_bus_message_ref(m);
                return 1;
        }
        if (endswith(action, ".release")) {
                for (size_t i = 0; i < n_held; i++) {
                        r = sd_bus_reply_method_return(held[i], "(bba{ss})", 1, 0, 0);
                        held[i] = sd_bus_message_unref(held[i]);
                        if (r < 0)
                                return r;
                }
                n_held = 0;
                return sd_bus_reply_method_return(m, "(bba{ss})", 1, 0, 0);
        }
        if (endswith(action, ".allow"))
                return sd_bus_reply_method_return(m, "(bba{ss})", 1, 0, 0);
        if (endswith(action, ".challenge"))
                return sd_bus_reply_method_return(m, "(bba{ss})", 0, 1, 0);
        if (endswith(action, ".error"))
                return sd_bus_error_set(error, "org.freedesktop.PolicyKit1.Error.Failed", "Something broke");
        if (endswith(action, ".unavailable"))
                return sd_bus_error_set(error, SD_BUS_ERROR_SERVICE_UNKNOWN, "No such service");
        if (endswith(action, ".garbage"))
                return sd_bus_reply_method_return(m, "s", "yes");
        return sd_bus_reply_method_return(m, "(bba{ss})", 0, 0, 0);
}

static const sd_bus_vtable polkit_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("CheckAuthorization", "(sa{sv})sa{ss}us", "(bba{ss})", method_check_authorization,
                      SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

/* ---- the client (a forked child) ---- */

static int client_connect(const char *address, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, true);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

/* Calls Check(action); expects the error name (NULL: success) and, if given, a message. */
static int client_expect(sd_bus *bus, const char *action, bool interactive, const char *error_name,
                         const char *message) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r, failed = 0;

        r = sd_bus_message_new_method_call(bus, &m, DAEMON_NAME, DAEMON_PATH, DAEMON_IFACE, "Check");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", action);
        if (r >= 0)
                r = sd_bus_message_set_allow_interactive_authorization(m, interactive);
        if (r < 0)
                return 1;
        r = sd_bus_call(bus, m, 10 * USEC_PER_SEC, &error, &reply);
        if (error_name ? !sd_bus_error_has_name(&error, error_name) : r < 0)
                failed = 1;
        if (message && (!error.message || !streq(error.message, message)))
                failed = 1;
        if (failed)
                fprintf(stderr, "client: %s gave %d %s: %s, expected %s: %s\n", action, r, strna(error.name),
                        strna(error.message), strna(error_name), strna(message));
        sd_bus_error_free(&error);
        return failed;
}

typedef struct HoldCounters {
        unsigned ok, limits, other;
} HoldCounters;

static int on_hold_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        HoldCounters *c = userdata;

        if (!sd_bus_message_is_method_error(m, NULL))
                c->ok++;
        else if (sd_bus_message_is_method_error(m, SD_BUS_ERROR_LIMITS_EXCEEDED))
                c->limits++;
        else
                c->other++;
        return 1;
}

static int client_wait_for(sd_bus *bus, const unsigned *counter, unsigned want) {
        for (int i = 0; i < 1000 && *counter < want; i++) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r == 0 && sd_bus_wait(bus, 10 * USEC_PER_MSEC) < 0)
                        return -EIO;
        }
        return *counter >= want ? 0 : -ETIMEDOUT;
}

/* One caller may have POLKIT_PENDING_PER_SENDER_MAX checks waiting for polkit; the next is refused at
 * once, while another caller still gets through. Then all of them are answered. */
static int client_limits(const char *address) {
        HoldCounters c = {};
        sd_bus *a = NULL, *b = NULL;
        int failures = 0;

        if (client_connect(address, &a) < 0 || client_connect(address, &b) < 0)
                return 1;
        for (unsigned i = 0; i <= POLKIT_PENDING_PER_SENDER_MAX; i++)
                if (sd_bus_call_method_async(a, NULL, DAEMON_NAME, DAEMON_PATH, DAEMON_IFACE, "Check",
                                             on_hold_reply, &c, "s", "org.dray1.test.hold") < 0)
                        return 1;
        if (client_wait_for(a, &c.limits, 1) < 0 || c.ok != 0) {
                fprintf(stderr, "client: limits: %u ok, %u refused, %u other\n", c.ok, c.limits, c.other);
                failures++;
        }
        failures += client_expect(b, "org.dray1.test.release", false, NULL, NULL);
        if (client_wait_for(a, &c.ok, POLKIT_PENDING_PER_SENDER_MAX) < 0 || c.limits != 1 || c.other != 0) {
                fprintf(stderr, "client: limits: %u ok, %u refused, %u other\n", c.ok, c.limits, c.other);
                failures++;
        }
        sd_bus_flush_close_unref(a);
        sd_bus_flush_close_unref(b);
        return failures;
}

static int client_main(const char *address) {
        sd_bus *bus = NULL;
        int failures = 0;

        if (geteuid() == 0) {
                /* Root passes at once, whatever polkit would say. */
                if (client_connect(address, &bus) < 0)
                        return 100;
                failures += client_expect(bus, "org.dray1.test.deny", false, NULL, NULL);
                bus = sd_bus_flush_close_unref(bus);

                if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
                    setresuid(NOBODY, NOBODY, NOBODY) < 0)
                        return 101;
        }

        if (client_connect(address, &bus) < 0)
                return 102;
        failures += client_expect(bus, "org.dray1.test.allow", false, NULL, NULL);
        failures += client_expect(bus, "org.dray1.test.deny", false, SD_BUS_ERROR_ACCESS_DENIED,
                                  "Not authorized to perform 'org.dray1.test.deny'.");
        failures += client_expect(bus, "org.dray1.test.challenge", false,
                                  SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                  "Not authorized to perform 'org.dray1.test.challenge' without "
                                  "authentication: run as root, from a session with a polkit agent, or "
                                  "grant it with a polkit rule.");
        failures += client_expect(bus, "org.dray1.test.error", false, SD_BUS_ERROR_ACCESS_DENIED,
                                  "Not authorized to perform 'org.dray1.test.error': "
                                  "polkit failed: Something broke.");
        failures += client_expect(bus, "org.dray1.test.unavailable", false, SD_BUS_ERROR_ACCESS_DENIED,
                                  "Not authorized to perform 'org.dray1.test.unavailable': "
                                  "polkit is not available.");
        failures += client_expect(bus, "org.dray1.test.garbage", false, SD_BUS_ERROR_ACCESS_DENIED, NULL);
        failures += client_limits(address);
        /* Last: the interactive flag reaches polkit (the parent checks polkit_flags). */
        failures += client_expect(bus, "org.dray1.test.allow", true, NULL, NULL);
        sd_bus_flush_close_unref(bus);
        return failures;
}

/* ---- the test ---- */

static int on_child(sd_event_source *s, const siginfo_t *si, void *userdata) {
        int status = si->si_code == CLD_EXITED ? si->si_status : 200;
        return sd_event_exit(sd_event_source_get_event(s), status);
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        fprintf(stderr, "timed out\n");
        return sd_event_exit(sd_event_source_get_event(s), 201);
}

static int start_dbus_daemon(char *dir, char **ret_address, pid_t *ret_pid) {
        char config[PATH_MAX], address[512];
        int pipefd[2];
        FILE *f;
        ssize_t n;
        pid_t pid;

        snprintf(config, sizeof(config), "%s/bus.conf", dir);
        f = fopen(config, "we");
        if (!f)
                return -errno;
        fprintf(f,
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                "<busconfig>\n"
                "  <type>session</type>\n"
                "  <listen>unix:path=%s/bus</listen>\n"
                "  <auth>EXTERNAL</auth>\n"
                "  <policy context=\"default\">\n"
                "    <allow user=\"*\"/>\n"
                "    <allow own=\"*\"/>\n"
                "    <allow send_destination=\"*\"/>\n"
                "    <allow receive_sender=\"*\"/>\n"
                "  </policy>\n"
                "</busconfig>\n",
                dir);
        if (fclose(f) != 0)
                return -errno;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                char fdarg[64];

                if (dup2(pipefd[1], 3) < 0)
                        _exit(127);
                snprintf(fdarg, sizeof(fdarg), "--print-address=3");
                snprintf(config, sizeof(config), "--config-file=%s/bus.conf", dir);
                execlp("dbus-daemon", "dbus-daemon", config, "--nofork", "--nopidfile", "--nosyslog", fdarg,
                       (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        n = read(pipefd[0], address, sizeof(address) - 1);
        close(pipefd[0]);
        if (n <= 0) {
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return -ENOENT;
        }
        address[n] = 0;
        address[strcspn(address, "\n")] = 0;
        *ret_address = strdup(address);
        *ret_pid = pid;
        return *ret_address ? 0 : -ENOMEM;
}

static int bus_open(sd_event *event, const char *address, const char *name, const char *path,
                    const char *iface, const sd_bus_vtable *vtable, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r;

        r = client_connect(address, &bus);
        if (r < 0)
                return r;
        r = sd_bus_add_object_vtable(bus, NULL, path, iface, vtable, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, name, 0);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

TEST(polkit_registry_empty) {
        _cleanup_(polkit_registry_freep) PolkitRegistry *r = polkit_registry_new();

        ASSERT_TRUE(r);
        ASSERT_EQ(polkit_registry_size(r), 0);
        ASSERT_EQ(polkit_registry_size(NULL), 0);
        ASSERT_TRUE(polkit_registry_free(NULL) == NULL);
        return 0;
}

TEST(polkit_policy_file) {
        /* The shipped actions are well-formed and say what the code asks for. */
        static const char *const actions[] = {
                "org.dray1.manage-containers", "org.dray1.manage-images", "org.dray1.manage-networks",
                "org.dray1.privileged-options", NULL,
        };
        char buf[16384], needle[128];
        ssize_t n;
        int fd;

        fd = open(DRAY_TEST_POLKIT_POLICY, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        ASSERT_TRUE(n > 0);
        buf[n] = 0;
        for (const char *const *a = actions; *a; a++) {
                snprintf(needle, sizeof(needle), "<action id=\"%s\">", *a);
                ASSERT_TRUE(strstr(buf, needle));
        }
        ASSERT_FALSE(strstr(buf, "<allow_any>yes"));
        ASSERT_FALSE(strstr(buf, "<allow_inactive>yes"));
        ASSERT_FALSE(strstr(buf, "<allow_active>yes"));
        return 0;
}

static int run_bus_test(const char *address) {
        sd_bus *daemon_bus = NULL, *polkit_bus = NULL;
        sd_event *event = NULL;
        bool as_root = geteuid() == 0;
        sigset_t mask;
        pid_t client;
        int status;

        registry = polkit_registry_new();
        ASSERT_TRUE(registry);
        ASSERT_OK(sd_event_new(&event));
        ASSERT_OK(bus_open(event, address, DAEMON_NAME, DAEMON_PATH, DAEMON_IFACE, daemon_vtable,
                           &daemon_bus));
        ASSERT_OK(bus_open(event, address, "org.freedesktop.PolicyKit1",
                           "/org/freedesktop/PolicyKit1/Authority", "org.freedesktop.PolicyKit1.Authority",
                           polkit_vtable, &polkit_bus));

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        ASSERT_EQ(sigprocmask(SIG_BLOCK, &mask, NULL), 0);
        client = fork();
        ASSERT_TRUE(client >= 0);
        if (client == 0)
                _exit(client_main(address));
        ASSERT_OK(sd_event_add_child(event, NULL, client, WEXITED, on_child, NULL));
        ASSERT_OK(sd_event_add_time_relative(event, NULL, CLOCK_MONOTONIC, 30 * USEC_PER_SEC, 0, on_timeout,
                                             NULL));
        status = sd_event_loop(event);
        /* Let the idle sources run that drop answered entries. */
        for (int i = 0; i < 10 && sd_event_run(event, 0) > 0; i++)
                ;

        ASSERT_EQ(status, 0);
        ASSERT_EQ(polkit_registry_size(registry), 0);
        /* 16 held checks and the one that releases them. */
        ASSERT_EQ(max_registry_size, POLKIT_PENDING_PER_SENDER_MAX + 1);
        /* 7 single calls from nobody, each dispatched twice; 16 held calls dispatched twice, the 17th
         * once (refused before polkit is asked), the release twice; the root call once, without
         * polkit. */
        ASSERT_EQ(polkit_calls, 7 + POLKIT_PENDING_PER_SENDER_MAX + 1);
        ASSERT_EQ(handler_calls, 14 + 2 * POLKIT_PENDING_PER_SENDER_MAX + 1 + 2 + (as_root ? 1 : 0));
        ASSERT_TRUE(polkit_subject_ok);
        ASSERT_STREQ(polkit_subject, last_sender);
        ASSERT_STREQ(polkit_details, "container=web;");
        ASSERT_EQ(polkit_flags, 1); /* the last call allowed interaction */

        sd_bus_flush_close_unref(daemon_bus);
        sd_bus_flush_close_unref(polkit_bus);
        registry = polkit_registry_free(registry);
        sd_event_unref(event);
        return 0;
}

TEST(polkit_over_the_bus) {
        _cleanup_free_ char *address = NULL;
        char dir[] = "/tmp/dray-test-polkit-XXXXXX", p[PATH_MAX];
        pid_t bus_pid = 0;
        int r;

        if (access("/usr/bin/dbus-daemon", X_OK) < 0 && access("/bin/dbus-daemon", X_OK) < 0)
                return TEST_SKIP;
        ASSERT_TRUE(mkdtemp(dir));
        ASSERT_EQ(chmod(dir, 0755), 0); /* nobody must reach the socket */
        r = start_dbus_daemon(dir, &address, &bus_pid);
        if (r < 0) {
                fprintf(stderr, "dbus-daemon did not start: %s\n", strerror(-r));
                (void) rmdir(dir);
                return TEST_SKIP;
        }

        r = run_bus_test(address);

        (void) kill(bus_pid, SIGTERM);
        (void) waitpid(bus_pid, NULL, 0);
        snprintf(p, sizeof(p), "%s/bus.conf", dir);
        (void) unlink(p);
        snprintf(p, sizeof(p), "%s/bus", dir);
        (void) unlink(p);
        (void) rmdir(dir);
        return r;
}
