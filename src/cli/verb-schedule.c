/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray schedule create|ls|rm: containers run as jobs from systemd timers (schedule-unit.h). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "time-util.h"
#include "atomic-write.h"
#include "config.h"
#include "container-state.h"
#include "cli-bus.h"
#include "cli-time.h"
#include "cli-util.h"
#include "log.h"
#include "name.h"
#include "run-options.h"
#include "schedule-unit.h"
#include "strv.h"
#include "table.h"
#include "time-util.h"
#include "verbs.h"

#define SYSTEMD_BUS_NAME "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define SYSTEMD_UNIT "org.freedesktop.systemd1.Unit"
#define SYSTEMD_TIMER "org.freedesktop.systemd1.Timer"
#define SYSTEMD_SERVICE "org.freedesktop.systemd1.Service"

static bool streq_null(const char *a, const char *b) {
        return a && b && streq(a, b);
}

static void schedule_help(void) {
        printf("Usage: dray schedule create NAME --on-calendar SPEC [--persistent] [RUN OPTIONS] IMAGE [COMMAND...]\n"
               "       dray schedule create NAME --on-calendar SPEC [--persistent] [RUN OPTIONS] --rootfs DIR COMMAND...\n"
               "       dray schedule ls\n"
               "       dray schedule rm NAME...\n\n"
               "Run a container as a job from a systemd timer: a timer and a service dray-job-NAME.timer and\n"
               "dray-job-NAME.service that run 'dray run --rm --name NAME ...'.\n\n"
               "Options of create (before the run options):\n"
               "      --on-calendar SPEC  When to run, a calendar event of systemd.time(7), e.g. daily,\n"
               "                          '*-*-* 03:00:00', 'Mon *-*-* 08:00'\n"
               "      --persistent        Write unit files to " SCHEDULE_UNIT_DIR " (kept across reboots,\n"
               "                          missed runs caught up) instead of transient units\n"
               "  -h, --help              Show this help\n"
               "\nSee dray-schedule(1).\n");
}

/* ---- systemd calls -------------------------------------------------------------------------- */

typedef struct JobWait {
        const char *job;
        bool done;
        char *result;
} JobWait;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        JobWait *w = userdata;
        const char *job, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0 || !w->job || !streq(job, w->job))
                return 0;
        w->done = true;
        w->result = strdup(result);
        return 0;
}

/* Calls a Manager method that returns a job ("o") and waits for the job to finish. ret_result: the
 * job's result ("done", "failed" …), may be NULL. */
static int systemd_call_job(sd_bus *bus, const char *method, const char *unit, char **ret_result) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        JobWait w = {};
        const char *job;
        int r;

        r = sd_bus_match_signal(bus, &slot, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "JobRemoved",
                                on_job_removed, &w);
        if (r < 0)
                return log_error_errno(r, "Failed to watch systemd's jobs: %m");
        r = sd_bus_call_method(bus, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, method, &error, &reply, "ss",
                               unit, "replace");
        /* Stopping a unit that is not loaded (a job's service that never ran) is nothing to do. */
        if (r < 0 && streq(method, "StopUnit") && sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                return 0;
        if (r < 0)
                return log_error_errno(r, "Failed to %s %s: %s", streq(method, "StartUnit") ? "start" : "stop",
                                       unit, error.message ?: strerror(-r));
        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0)
                return log_error_errno(r, "Failed to parse systemd's reply: %m");
        w.job = job;
        r = bus_run_until(bus, &w.done);
        if (r < 0)
                return log_error_errno(r, "Lost the bus while waiting for systemd: %m");
        if (ret_result)
                *ret_result = TAKE_PTR(w.result);
        free(w.result);
        return 0;
}

static int systemd_call(sd_bus *bus, const char *method, const char *what, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, method);
        if (r >= 0 && types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
        }
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, &error, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to %s: %s", what, error.message ?: strerror(-r));
        return 0;
}

/* The unit's object path, or -ENOENT when systemd has no such unit loaded. method: GetUnit, or
 * LoadUnit to have systemd read a unit file nothing refers to yet. */
static int unit_path_by(sd_bus *bus, const char *method, const char *unit, char **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *path;
        int r;

        r = sd_bus_call_method(bus, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, method, &error, &reply,
                               "s", unit);
        if (r < 0)
                return sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit") ? -ENOENT : r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        *ret = strdup(path);
        return *ret ? 0 : -ENOMEM;
}

static int unit_path(sd_bus *bus, const char *unit, char **ret) {
        return unit_path_by(bus, "GetUnit", unit, ret);
}

static char *unit_string(sd_bus *bus, const char *path, const char *interface, const char *property) {
        char *s = NULL;

        if (sd_bus_get_property_string(bus, SYSTEMD_BUS_NAME, path, interface, property, NULL, &s) < 0)
                return NULL;
        return s;
}

static uint64_t unit_u64(sd_bus *bus, const char *path, const char *interface, const char *property) {
        uint64_t v = 0;

        (void) sd_bus_get_property_trivial(bus, SYSTEMD_BUS_NAME, path, interface, property, NULL, 't', &v);
        return v;
}

/* ---- create ----------------------------------------------------------------------------------- */

typedef struct ScheduleArgs {
        const char *name;
        const char *calendar;
        bool persistent;
        char **run_argv;   /* dray run --rm --name NAME <the rest>, argv[0] = dray's path */
        char *working_dir; /* relative paths in the run options keep their meaning */
} ScheduleArgs;

static void schedule_args_done(ScheduleArgs *a) {
        a->run_argv = strv_free(a->run_argv);
        free(a->working_dir);
        a->working_dir = NULL;
}

/* The run options are checked as `dray run` checks them, now rather than at the first run. */
static int schedule_check_run_options(ScheduleArgs *a) {
        _cleanup_(run_options_done) RunOptions o;
        int r;

        run_options_init(&o);
        r = run_options_parse(RUN_VERB_RUN, (int) strv_length(a->run_argv) - 1, a->run_argv + 1, &o);
        if (r < 0)
                return r;
        if (o.help)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "dray schedule create: --help goes before the run options.");
        if (o.detach || o.tty)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "A scheduled job runs in the foreground of its service: no %s.",
                                       o.detach ? "-d" : "-t");
        if (!streq_null(o.name, a->name))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "The job's container is named after the job ('%s'): drop --name.", a->name);
        return 0;
}

static int schedule_parse_create(int argc, char *argv[], ScheduleArgs *a) {
        int i, r;

        /* argv: "create" NAME [--on-calendar SPEC] [--persistent] run-options... */
        if (argc >= 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                schedule_help();
                return 0;
        }
        if (argc < 2 || argv[1][0] == '-')
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "dray schedule create: the job's NAME comes first.");
        a->name = argv[1];
        if (!container_name_is_valid(a->name))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "Invalid job name '%s': 1-63 of [a-zA-Z0-9.-], starting with a letter or digit.",
                                       a->name);
        for (i = 2; i < argc; i++) {
                if (streq(argv[i], "--persistent"))
                        a->persistent = true;
                else if (streq(argv[i], "--on-calendar") && i + 1 < argc)
                        a->calendar = argv[++i];
                else if (strneq(argv[i], "--on-calendar=", strlen("--on-calendar=")))
                        a->calendar = argv[i] + strlen("--on-calendar=");
                else if (streq(argv[i], "--on-calendar"))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "--on-calendar needs a calendar event.");
                else
                        break;
        }
        if (isempty(a->calendar))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "dray schedule create: --on-calendar SPEC is required (before the run options).");
        const char *const run_prefix[] = { DRAY_CLI_PATH, "run", "--rm", "--name", a->name };
        for (size_t k = 0; k < ELEMENTSOF(run_prefix); k++) {
                r = strv_extend(&a->run_argv, run_prefix[k]);
                if (r < 0)
                        return log_oom();
        }
        for (; i < argc; i++) {
                r = strv_extend(&a->run_argv, argv[i]);
                if (r < 0)
                        return log_oom();
        }
        a->working_dir = getcwd(NULL, 0);
        if (!a->working_dir)
                return log_error_errno(errno, "Failed to get the working directory: %m");
        r = schedule_check_run_options(a);
        if (r < 0)
                return r;
        return 1;
}

static int append_exec_start(sd_bus_message *m, char *const *argv) {
        int r;

        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", "ExecStart");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'v', "a(sasb)");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "(sasb)");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'r', "sasb");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", argv[0]);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "s");
        if (r < 0)
                return r;
        for (char *const *p = argv; *p; p++) {
                _cleanup_free_ char *e = NULL;

                r = exec_arg_escape_dollar(*p, &e);
                if (r < 0)
                        return r;
                r = sd_bus_message_append(m, "s", e);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "b", 0);
        if (r < 0)
                return r;
        for (int k = 0; k < 4; k++) {
                r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
        }
        return r;
}

static int transient_call_new(sd_bus *bus, const ScheduleArgs *a, const char *timer, const char *service,
                              const char *description, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           "StartTransientUnit");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", timer, "fail");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "a(sv)", 3,
                                  "Description", "s", description,
                                  "TimersCalendar", "a(ss)", 1, "OnCalendar", a->calendar,
                                  "RemainAfterElapse", "b", 1);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "(sa(sv))");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'r', "sa(sv)");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", service);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)",
                                  "Description", "s", description,
                                  "Type", "s", "oneshot",
                                  "WorkingDirectory", "s", a->working_dir,
                                  "Wants", "as", 1, "drayd.service",
                                  "After", "as", 1, "drayd.service");
        if (r < 0)
                return r;
        r = append_exec_start(m, a->run_argv);
        if (r < 0)
                return r;
        for (int k = 0; k < 3; k++) {
                r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

/* StartTransientUnit(timer) with the service as its auxiliary unit, as systemd-run --on-calendar. */
static int schedule_create_transient(sd_bus *bus, const ScheduleArgs *a, const char *timer, const char *service) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *description = NULL;
        int r;

        /* systemd 252 writes a transient unit's ExecStart= to a file with '$' as "\$" and reads it
         * back, where it does not know that escape and keeps the argument raw: the command would be
         * garbled. A unit file of our own has no such problem. */
        STRV_FOREACH(p, a->run_argv)
                if (strchr(*p, '$'))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "systemd cannot keep a '$' in the command of a transient job "
                                               "('%s'): use --persistent, or a script in the container.", *p);
        if (asprintf(&description, "dray job %s", a->name) < 0)
                return log_oom();
        r = transient_call_new(bus, a, timer, service, description, &m);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call to systemd: %m");
        r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0)
                return log_error_errno(r, "Failed to create the job's timer %s: %s", timer,
                                       error.message ?: strerror(-r));
        return 0;
}

static int write_unit_file(int dir_fd, const char *unit, const char *text) {
        int r;

        r = write_file_atomic(dir_fd, unit, text, strlen(text), ATOMIC_WRITE_SYNC);
        if (r < 0)
                return log_error_errno(r, "Failed to write " SCHEDULE_UNIT_DIR "/%s: %m", unit);
        if (fchmodat(dir_fd, unit, 0644, 0) < 0)
                return log_error_errno(errno, "Failed to make " SCHEDULE_UNIT_DIR "/%s readable: %m", unit);
        return 0;
}

static void remove_unit_files(int dir_fd, const char *timer, const char *service) {
        (void) unlinkat(dir_fd, timer, 0);
        (void) unlinkat(dir_fd, service, 0);
}

/* Writes, loads, enables and starts the job's units; the caller removes them when this fails. */
static int install_unit_files(sd_bus *bus, const ScheduleArgs *a, int dir_fd, const char *timer,
                              const char *timer_text, const char *service, const char *service_text) {
        _cleanup_free_ char *path = NULL, *load = NULL;
        int r;

        r = write_unit_file(dir_fd, service, service_text);
        if (r < 0)
                return r;
        r = write_unit_file(dir_fd, timer, timer_text);
        if (r < 0)
                return r;
        r = systemd_call(bus, "Reload", "reload systemd", NULL);
        if (r < 0)
                return r;
        /* systemd refuses a bad calendar event only when it loads the file. */
        r = unit_path_by(bus, "LoadUnit", timer, &path);
        if (r < 0)
                return log_error_errno(r, "Failed to load %s: %m", timer);
        load = unit_string(bus, path, SYSTEMD_UNIT, "LoadState");
        if (!streq_null(load, "loaded"))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "systemd cannot load %s (%s): is '%s' a valid "
                                       "calendar event? See systemd.time(7).", timer, strna(load), a->calendar);
        r = systemd_call(bus, "EnableUnitFiles", "enable the timer", "asbb", 1, timer, 0, 1);
        if (r < 0)
                return r;
        return systemd_call_job(bus, "StartUnit", timer, NULL);
}

static int schedule_create_persistent(sd_bus *bus, const ScheduleArgs *a, const char *timer, const char *service) {
        _cleanup_free_ char *service_text = NULL, *timer_text = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        int r;

        r = schedule_service_file(a->name, a->working_dir, a->run_argv, &service_text);
        if (r < 0)
                return log_error_errno(r, "The working directory cannot be written into a unit file: %m");
        r = schedule_timer_file(a->name, a->calendar, &timer_text);
        if (r < 0)
                return log_error_errno(r, "Invalid calendar event '%s'.", a->calendar);
        dir_fd = open(SCHEDULE_UNIT_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return log_error_errno(errno, "Failed to open " SCHEDULE_UNIT_DIR ": %m");
        if (faccessat(dir_fd, timer, F_OK, AT_SYMLINK_NOFOLLOW) >= 0 ||
            faccessat(dir_fd, service, F_OK, AT_SYMLINK_NOFOLLOW) >= 0)
                return log_error_errno(SYNTHETIC_ERRNO(EEXIST), SCHEDULE_UNIT_DIR "/%s or %s exists already.",
                                       timer, service);
        r = install_unit_files(bus, a, dir_fd, timer, timer_text, service, service_text);
        if (r < 0) {
                remove_unit_files(dir_fd, timer, service);
                (void) systemd_call(bus, "Reload", "reload systemd", NULL);
        }
        return r;
}

static int schedule_create(sd_bus *bus, int argc, char *argv[]) {
        _cleanup_(schedule_args_done) ScheduleArgs a = {};
        _cleanup_free_ char *timer = NULL, *service = NULL, *path = NULL;
        int r;

        r = schedule_parse_create(argc, argv, &a);
        if (r <= 0)
                return r < 0 ? EXIT_DRAY_FAILED : EXIT_SUCCESS;
        r = schedule_unit_name(a.name, ".timer", &timer);
        if (r < 0)
                return log_oom(), EXIT_DRAY_FAILED;
        r = schedule_unit_name(a.name, ".service", &service);
        if (r < 0)
                return log_oom(), EXIT_DRAY_FAILED;
        if (unit_path(bus, timer, &path) >= 0) {
                _cleanup_free_ char *load = unit_string(bus, path, SYSTEMD_UNIT, "LoadState");

                if (streq_null(load, "loaded"))
                        return log_error_errno(SYNTHETIC_ERRNO(EEXIST),
                                               "Job '%s' exists already (%s); 'dray schedule rm %s' first.", a.name,
                                               timer, a.name), EXIT_DRAY_FAILED;
        }
        r = a.persistent ? schedule_create_persistent(bus, &a, timer, service)
                         : schedule_create_transient(bus, &a, timer, service);
        if (r < 0)
                return EXIT_DRAY_FAILED;
        puts(a.name);
        return EXIT_SUCCESS;
}

/* ---- ls ------------------------------------------------------------------------------------- */

/* A time as `dray ps` shows one: "in 5 minutes" (future), "3 hours ago" (past), "-" for never. */
static void format_relative(char buf[static HUMAN_DURATION_MAX + 8], uint64_t usec, uint64_t now, bool future) {
        char d[HUMAN_DURATION_MAX];

        if (usec == 0 || usec == UINT64_MAX)
                snprintf(buf, HUMAN_DURATION_MAX + 8, "-");
        else if (future)
                snprintf(buf, HUMAN_DURATION_MAX + 8, "in %s", format_human_duration(d, usec > now ? usec - now : 0));
        else
                snprintf(buf, HUMAN_DURATION_MAX + 8, "%s ago", format_human_duration(d, now > usec ? now - usec : 0));
}

/* The calendar event(s) of a timer: TimersCalendar a(sst), "OnCalendar" entries joined by ", ". */
static char *timer_calendar(sd_bus *bus, const char *path) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **specs = NULL;
        const char *base, *spec;
        uint64_t next;

        if (sd_bus_get_property(bus, SYSTEMD_BUS_NAME, path, SYSTEMD_TIMER, "TimersCalendar", NULL, &reply,
                                "a(sst)") < 0 ||
            sd_bus_message_enter_container(reply, 'a', "(sst)") < 0)
                return NULL;
        while (sd_bus_message_read(reply, "(sst)", &base, &spec, &next) > 0)
                if (strv_extend(&specs, spec) < 0)
                        return NULL;
        return strv_join(specs, ", ");
}

/* The last run's outcome: "running", "exited (N)", or "-" before the first run. */
static void service_status(sd_bus *bus, const char *service, char buf[static 32]) {
        _cleanup_free_ char *path = NULL, *active = NULL;
        int32_t status = 0;

        snprintf(buf, 32, "-");
        if (unit_path(bus, service, &path) < 0)
                return;
        active = unit_string(bus, path, SYSTEMD_UNIT, "ActiveState");
        if (streq_null(active, "activating") || streq_null(active, "active") || streq_null(active, "deactivating")) {
                snprintf(buf, 32, "running");
                return;
        }
        if (unit_u64(bus, path, SYSTEMD_SERVICE, "ExecMainExitTimestamp") == 0)
                return;
        (void) sd_bus_get_property_trivial(bus, SYSTEMD_BUS_NAME, path, SYSTEMD_SERVICE, "ExecMainStatus", NULL, 'i',
                                           &status);
        snprintf(buf, 32, "exited (%i)", (int) status);
}

static int schedule_ls_row(sd_bus *bus, Table *t, const char *timer, const char *path, uint64_t now) {
        _cleanup_free_ char *name = schedule_name_from_unit(timer), *service = NULL, *calendar = NULL,
                            *fragment = NULL;
        char next[HUMAN_DURATION_MAX + 8], last[HUMAN_DURATION_MAX + 8], status[32];

        if (!name)
                return 0;
        if (schedule_unit_name(name, ".service", &service) < 0)
                return -ENOMEM;
        calendar = timer_calendar(bus, path);
        fragment = unit_string(bus, path, SYSTEMD_UNIT, "FragmentPath");
        format_relative(next, unit_u64(bus, path, SYSTEMD_TIMER, "NextElapseUSecRealtime"), now, true);
        format_relative(last, unit_u64(bus, path, SYSTEMD_TIMER, "LastTriggerUSec"), now, false);
        service_status(bus, service, status);
        return table_add_row(t, (const char *const[]) {
                name, strna(calendar), next, last, status,
                fragment && strneq(fragment, SCHEDULE_UNIT_DIR "/", strlen(SCHEDULE_UNIT_DIR "/")) ? "yes" : "no",
        });
}

/* The verbs whose only option is --help go through the CLI's one option parser: --help anywhere, and an
 * unknown option named as typed. Returns 1 after --help, 0, or -EINVAL (logged). */
static int schedule_parse_help(const char *verb, int argc, char *argv[]) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        int c;

        getopt_reset();
        while ((c = cli_getopt(argc, argv, ":h", options)) >= 0) {
                if (c != 'h')
                        return log_option_error(verb, argv, c);
                schedule_help();
                return 1;
        }
        return 0;
}

static int schedule_ls(sd_bus *bus, int argc, char *argv[]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(table_freep) Table *t = NULL;
        const char *unit, *path;
        uint64_t now = now_usec(CLOCK_REALTIME);
        int r;

        r = schedule_parse_help("schedule ls", argc, argv);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED;
        if (optind < argc)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "dray schedule ls: unexpected argument '%s'.",
                                       argv[optind]), EXIT_DRAY_FAILED;
        t = table_new(6, (const char *const[]) { "NAME", "SCHEDULE", "NEXT", "LAST", "LAST STATUS", "PERSISTENT" });
        if (!t)
                return log_oom(), EXIT_DRAY_FAILED;
        r = sd_bus_call_method(bus, SYSTEMD_BUS_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "ListUnitsByPatterns", &error,
                               &reply, "asas", 0, 1, SCHEDULE_UNIT_PREFIX "*.timer");
        if (r < 0)
                return log_error_errno(r, "Failed to list timers: %s", error.message ?: strerror(-r)), EXIT_DRAY_FAILED;
        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ssssssouso)", &unit, NULL, NULL, NULL, NULL, NULL, &path,
                                                  NULL, NULL, NULL)) > 0)
                r = schedule_ls_row(bus, t, unit, path, now);
        if (r < 0)
                return log_error_errno(r, "Failed to read the timers: %m"), EXIT_DRAY_FAILED;
        return table_print(t, stdout) < 0 ? EXIT_DRAY_FAILED : EXIT_SUCCESS;
}

/* ---- rm ------------------------------------------------------------------------------------- */

static int schedule_rm_one(sd_bus *bus, const char *name) {
        _cleanup_free_ char *timer = NULL, *service = NULL, *path = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        bool persistent, loaded;
        int r;

        if (schedule_unit_name(name, ".timer", &timer) < 0 || schedule_unit_name(name, ".service", &service) < 0)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Invalid job name '%s'.", name);
        dir_fd = open(SCHEDULE_UNIT_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        persistent = dir_fd >= 0 && faccessat(dir_fd, timer, F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
        loaded = unit_path(bus, timer, &path) >= 0;
        if (loaded) {
                _cleanup_free_ char *load = unit_string(bus, path, SYSTEMD_UNIT, "LoadState");
                loaded = streq_null(load, "loaded");
        }
        if (!persistent && !loaded)
                return log_error_errno(SYNTHETIC_ERRNO(ENOENT), "No such job: '%s'.", name);

        if (persistent) {
                r = systemd_call(bus, "DisableUnitFiles", "disable the timer", "asb", 1, timer, 0);
                if (r < 0)
                        return r;
        }
        /* The timer first, so that it starts no new run; then a run in progress (its container is bound
         * to the service and stops with it). */
        if (loaded && (r = systemd_call_job(bus, "StopUnit", timer, NULL)) < 0)
                return r;
        r = systemd_call_job(bus, "StopUnit", service, NULL);
        if (r < 0)
                return r;
        (void) systemd_call(bus, "ResetFailedUnit", "reset the service", "s", service);
        if (persistent) {
                remove_unit_files(dir_fd, timer, service);
                r = systemd_call(bus, "Reload", "reload systemd", NULL);
                if (r < 0)
                        return r;
        }
        puts(name);
        return 0;
}

static int schedule_rm(sd_bus *bus, int argc, char *argv[]) {
        int status = EXIT_SUCCESS, r;

        r = schedule_parse_help("schedule rm", argc, argv);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_DRAY_FAILED;
        if (optind >= argc)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "dray schedule rm: name at least one job."),
                       EXIT_DRAY_FAILED;
        for (int i = optind; i < argc; i++)
                if (schedule_rm_one(bus, argv[i]) < 0)
                        status = EXIT_FAILURE;
        return status;
}

int verb_schedule(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const char *verb;
        int r;

        if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
                schedule_help();
                return argc < 2 ? EXIT_DRAY_FAILED : EXIT_SUCCESS;
        }
        verb = argv[1];
        if (!streq(verb, "create") && !streq(verb, "ls") && !streq(verb, "list") && !streq(verb, "rm") &&
            !streq(verb, "remove"))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "Unknown verb 'dray schedule %s': create, ls or rm.", verb), EXIT_DRAY_FAILED;
        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m"), EXIT_DRAY_FAILED;
        if (streq(verb, "create"))
                return schedule_create(bus, argc - 1, argv + 1);
        if (streq(verb, "ls") || streq(verb, "list"))
                return schedule_ls(bus, argc - 1, argv + 1);
        return schedule_rm(bus, argc - 1, argv + 1);
}
