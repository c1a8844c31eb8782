/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "run-options.h"
#include "strv.h"
#include "test.h"

#define ARGV(...) ((char *[]) { __VA_ARGS__, NULL })
#define ARGC(...) ((int) (sizeof((char *[]) { __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(verb, o, ...) run_options_parse(verb, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o)

/* Parses into a fresh RunOptions; returns the parser's result. */
static int parse_fresh(RunOptions *o, RunVerb verb, int argc, char **argv) {
        run_options_done(o);
        return run_options_parse(verb, argc, argv, o);
}
#define P(o, ...) parse_fresh(o, RUN_VERB_RUN, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

TEST(run_basic) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rm", "--name", "web", "--rootfs", "/srv/r", "sh", "-c", "echo hi"));
        ASSERT_TRUE(o.auto_remove);
        ASSERT_FALSE(o.detach);
        ASSERT_STREQ(o.name, "web");
        ASSERT_STREQ(o.rootfs, "/srv/r");
        /* Options stop at the first non-option: -c belongs to the payload. */
        ASSERT_EQ(strv_length(o.command), 3);
        ASSERT_STREQ(o.command[0], "sh");
        ASSERT_STREQ(o.command[1], "-c");
        ASSERT_STREQ(o.command[2], "echo hi");
        ASSERT_EQ(o.memory_max, UINT64_MAX);
        ASSERT_EQ(o.cpu_weight, UINT64_MAX);
        ASSERT_EQ(o.stop_signal, 0);

        /* "--" ends the options too; the command may then start with a dash. */
        ASSERT_OK(P(&o, "run", "-d", "--rootfs=/r", "--", "-weird", "--rm"));
        ASSERT_TRUE(o.detach);
        ASSERT_FALSE(o.auto_remove);
        ASSERT_STREQ(o.command[0], "-weird");
        ASSERT_STREQ(o.command[1], "--rm");
        return 0;
}

TEST(run_terminal_flags) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "-it", "--rootfs", "/r", "sh"));
        ASSERT_TRUE(o.tty);
        ASSERT_TRUE(o.open_stdin);
        ASSERT_OK(P(&o, "run", "--interactive", "--rootfs", "/r", "cat"));
        ASSERT_TRUE(o.open_stdin);
        ASSERT_FALSE(o.tty);
        ASSERT_OK(P(&o, "run", "-t", "--rootfs", "/r", "sh"));
        ASSERT_TRUE(o.tty);
        ASSERT_FALSE(o.open_stdin);
        /* After the command, -t is the payload's. */
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "ls", "-t"));
        ASSERT_FALSE(o.tty);
        ASSERT_STREQ(o.command[1], "-t");
        ASSERT_OK(parse_fresh(&o, RUN_VERB_CREATE, ARGC("create", "-i", "-t", "--rootfs", "/r", "sh"),
                              ARGV("create", "-i", "-t", "--rootfs", "/r", "sh")));
        ASSERT_TRUE(o.tty && o.open_stdin);
        return 0;
}

TEST(run_sdnotify) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "true"));
        ASSERT_EQ(o.sdnotify, SDNOTIFY_READY); /* the default */
        ASSERT_OK(P(&o, "run", "--sdnotify=ignore", "--rootfs", "/r", "true"));
        ASSERT_EQ(o.sdnotify, SDNOTIFY_IGNORE);
        ASSERT_OK(P(&o, "run", "--sdnotify", "conmon", "--rootfs", "/r", "true"));
        ASSERT_EQ(o.sdnotify, SDNOTIFY_READY);
        ASSERT_EQ(P(&o, "run", "--sdnotify=sometimes", "--rootfs", "/r", "true"), -EINVAL);
        ASSERT_EQ(parse_fresh(&o, RUN_VERB_CREATE, ARGC("create", "--sdnotify=ready", "--rootfs", "/r", "sh"),
                              ARGV("create", "--sdnotify=ready", "--rootfs", "/r", "sh")), -EINVAL);
        for (int i = 0; i < _SDNOTIFY_MAX; i++)
                ASSERT_EQ(sdnotify_mode_from_string(sdnotify_mode_to_string(i)), i);

        ASSERT_OK(P(&o, "run", "--preserve-fds", "2", "--rootfs", "/r", "true"));
        ASSERT_EQ(o.preserve_fds, 2U);
        ASSERT_EQ(P(&o, "run", "--preserve-fds=65", "--rootfs", "/r", "true"), -EINVAL);
        ASSERT_EQ(P(&o, "run", "--preserve-fds=-1", "--rootfs", "/r", "true"), -EINVAL);
        ASSERT_EQ(parse_fresh(&o, RUN_VERB_CREATE, ARGC("create", "--preserve-fds=1", "--rootfs", "/r", "sh"),
                              ARGV("create", "--preserve-fds=1", "--rootfs", "/r", "sh")), -EINVAL);
        return 0;
}

TEST(run_limits) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "--memory", "512m", "--cpus", "1.5", "--cpu-shares", "1024",
                    "--pids-limit", "100", "--stop-timeout", "5", "--stop-signal", "SIGINT", "true"));
        ASSERT_EQ(o.memory_max, 512ULL << 20);
        ASSERT_EQ(o.cpu_quota_per_sec_usec, 1500000);
        ASSERT_EQ(o.cpu_weight, 39);
        ASSERT_EQ(o.tasks_max, 100);
        ASSERT_EQ(o.stop_timeout_usec, 5000000);
        ASSERT_EQ(o.stop_signal, SIGINT);

        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "-m", "2g", "--cpu-weight", "500", "--stop-timeout", "0",
                    "true"));
        ASSERT_EQ(o.memory_max, 2ULL << 30);
        ASSERT_EQ(o.cpu_weight, 500);
        ASSERT_EQ(o.stop_timeout_usec, 0);

        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--memory", "lots", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--memory", "0", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--memory", "-1", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--cpus", "0", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--cpus", "1.2345", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--cpu-shares", "1", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--cpu-shares", "262145", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--cpu-weight", "0", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--cpu-weight", "10001", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--cpu-weight", "10", "--cpu-shares", "10", "true"),
                     EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--pids-limit", "0", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--pids-limit", "-1", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--pids-limit", "99999999999999999999999", "true"),
                     EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--stop-timeout", "soon", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--stop-signal", "SIGFOO", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--stop-signal", "0", "true"), EINVAL);
        return 0;
}

TEST(cpu_shares_to_weight) {
        /* The crun/podman mapping: 1 + ((shares - 2) * 9999) / 262142. */
        ASSERT_EQ(cpu_shares_to_weight(2), 1);
        ASSERT_EQ(cpu_shares_to_weight(1024), 39);
        ASSERT_EQ(cpu_shares_to_weight(100), 4);
        ASSERT_EQ(cpu_shares_to_weight(262144), 10000);
        /* Out-of-range values are clamped, never wrap. */
        ASSERT_EQ(cpu_shares_to_weight(0), 1);
        ASSERT_EQ(cpu_shares_to_weight(UINT64_MAX), 10000);
        for (uint64_t s = 2; s <= 262144; s += 997) {
                uint64_t w = cpu_shares_to_weight(s);
                ASSERT_TRUE(w >= 1 && w <= 10000);
                ASSERT_TRUE(w <= cpu_shares_to_weight(s + 1));
        }
        return 0;
}

#define NAME_64 "a234567890123456789012345678901234567890123456789012345678901234"

TEST(run_identity) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "-u", "1000:100", "-w", "/srv", "--hostname", "box.example",
                    "--read-only", "--ephemeral", "true"));
        ASSERT_STREQ(o.user, "1000:100");
        ASSERT_STREQ(o.working_dir, "/srv");
        ASSERT_STREQ(o.hostname, "box.example");
        ASSERT_TRUE(o.read_only);
        ASSERT_TRUE(o.ephemeral);

        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "-u", "bo b", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "-u", "1:x:y", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "-u", "1:", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "-u", "4294967295", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "-w", "relative", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--hostname", "bad_host", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--hostname", "dot.", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--name", "-x", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_OK(P(&o, "run", "--name", "my_app", "--rootfs", "/r", "true"));      /* Docker: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
        ASSERT_ERROR(P(&o, "run", "--name", "_ab", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--name", "", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--name", NAME_64, "--rootfs", "/r", "true"), EINVAL);
        return 0;
}

TEST(run_capabilities) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "--cap-add", "net_admin", "--cap-add", "CAP_NET_ADMIN",
                    "--cap-add", "Sys_Time", "--cap-drop", "all", "true"));
        ASSERT_EQ(strv_length(o.cap_add), 2); /* duplicates collapse */
        ASSERT_STREQ(o.cap_add[0], "CAP_NET_ADMIN");
        ASSERT_STREQ(o.cap_add[1], "CAP_SYS_TIME");
        ASSERT_EQ(strv_length(o.cap_drop), 1);
        ASSERT_STREQ(o.cap_drop[0], "ALL");

        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--cap-add", "CAP_", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--cap-add", "net-admin", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--cap-drop", "", "true"), EINVAL);
        return 0;
}

TEST(run_image) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rm", "-u", "nobody", "busybox"));
        ASSERT_STREQ(o.image, "busybox");
        ASSERT_TRUE(!o.command && !o.rootfs);
        ASSERT_STREQ(o.user, "nobody");
        run_options_done(&o);
        ASSERT_OK(P(&o, "run", "--entrypoint", "", "localhost/x:1", "sh", "-c", "echo"));
        ASSERT_STREQ(o.image, "localhost/x:1");
        ASSERT_TRUE(o.entrypoint_set && !o.entrypoint);
        ASSERT_EQ(strv_length(o.command), 3);
        run_options_done(&o);
        ASSERT_OK(P(&o, "run", "--entrypoint", "/bin/sh", "x", "-c", "true"));
        ASSERT_STREQ(o.entrypoint[0], "/bin/sh");
        ASSERT_STREQ(o.command[0], "-c");
        ASSERT_ERROR(P(&o, "run", "--entrypoint", "/bin/sh", "--rootfs", "/r", "true"), EINVAL);
        return 0;
}

TEST(run_usage_errors) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_ERROR(P(&o, "run"), EINVAL);                                 /* no image, no --rootfs */
        ASSERT_ERROR(P(&o, "run", "bad image"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r"), EINVAL);               /* no command */
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", ""), EINVAL);           /* empty command */
        ASSERT_ERROR(P(&o, "run", "--bogus", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "-x", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs"), EINVAL);                     /* missing argument */
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--name"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "bad\xff"), EILSEQ);    /* D-Bus needs UTF-8 */
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/nonexistent/\xc0", "true"), EILSEQ);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "does/not/exist", "true"), ENOENT);

        /* create has no --detach. */
        run_options_done(&o);
        ASSERT_ERROR(PARSE(RUN_VERB_CREATE, &o, "create", "-d", "--rootfs", "/r", "true"), EINVAL);
        run_options_done(&o);
        ASSERT_ERROR(PARSE(RUN_VERB_CREATE, &o, "create", "--detach", "--rootfs", "/r", "true"), EINVAL);
        run_options_done(&o);
        ASSERT_OK(PARSE(RUN_VERB_CREATE, &o, "create", "--rm", "--rootfs", "/r", "true"));
        ASSERT_TRUE(o.auto_remove);

        /* --help wins over everything else, even missing requirements. */
        ASSERT_OK(P(&o, "run", "--help"));
        ASSERT_TRUE(o.help);
        ASSERT_OK(P(&o, "run", "--memory", "1g", "-h", "--bogus"));
        ASSERT_TRUE(o.help);
        return 0;
}

TEST(run_relative_rootfs) {
        _cleanup_(run_options_done) RunOptions o;
        char cwd[4096];

        run_options_init(&o);
        ASSERT_TRUE(getcwd(cwd, sizeof(cwd)));
        ASSERT_OK(chdir("/"));
        ASSERT_OK(P(&o, "run", "--rootfs", "tmp", "true"));
        ASSERT_TRUE(o.rootfs[0] == '/');
        ASSERT_TRUE(strstr(o.rootfs, "tmp") != NULL);
        ASSERT_OK(P(&o, "run", "--rootfs", ".", "true"));
        ASSERT_STREQ(o.rootfs, "/");
        ASSERT_OK(chdir(cwd));
        return 0;
}

TEST(run_env) {
        _cleanup_(run_options_done) RunOptions o;
        char path[] = "/tmp/test-cli-env-XXXXXX";
        int fd;

        run_options_init(&o);
        ASSERT_OK(setenv("DRAY_TEST_FROM_HOST", "host value", 1));
        ASSERT_OK(unsetenv("DRAY_TEST_UNSET"));
        fd = mkstemp(path);
        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(write(fd, "A=file\nB=file\nDRAY_TEST_UNSET\n", 30) == 30);
        close(fd);

        /* Env files first, whatever the order on the command line, then -e, later ones winning. */
        ASSERT_OK(P(&o, "run", "-e", "B=flag", "--env-file", path, "-e", "DRAY_TEST_FROM_HOST", "-e",
                    "DRAY_TEST_UNSET", "-e", "C=x=y", "-e", "EMPTY=", "--rootfs", "/r", "true"));
        ASSERT_EQ(strv_length(o.env), 5);
        ASSERT_STREQ(strv_env_get(o.env, "A"), "file");
        ASSERT_STREQ(strv_env_get(o.env, "B"), "flag");
        ASSERT_STREQ(strv_env_get(o.env, "DRAY_TEST_FROM_HOST"), "host value");
        ASSERT_TRUE(strv_env_get(o.env, "DRAY_TEST_UNSET") == NULL); /* unset on the host: left out */
        ASSERT_STREQ(strv_env_get(o.env, "C"), "x=y");
        ASSERT_STREQ(strv_env_get(o.env, "EMPTY"), "");

        ASSERT_ERROR(P(&o, "run", "-e", "1A=x", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "-e", "=x", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "-e", "A B", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "-e", "", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "-e", "A=\xff", "--rootfs", "/r", "true"), EILSEQ);
        ASSERT_ERROR(P(&o, "run", "--env-file", "/nonexistent/env", "--rootfs", "/r", "true"), ENOENT);
        unlink(path);
        return 0;
}

/* A message needs a bus, though not a connected one: a socketpair nobody answers on will do. One
 * pair per bus, since closing the bus closes its end; the other end stays open till the test exits. */
static int new_message(sd_bus **ret_bus, sd_bus_message **ret) {
        int sp[2] = { -1, -1 };
        sd_bus *bus = NULL;
        int r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
                return -errno;
        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_fd(bus, sp[0], sp[0]);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0)
                r = sd_bus_message_new_method_call(bus, ret, "org.dray1", "/org/dray1", "org.dray1.Manager",
                                                   "CreateContainer");
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret_bus = bus;
        return 0;
}

TEST(run_options_to_message) {
        _cleanup_(run_options_done) RunOptions o;
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL; /* no flush: nobody answers */
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_strv_free_ char **keys = NULL;
        const char *key;
        int r;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rm", "--rootfs", "/r", "-e", "A=1", "--memory", "1k", "--cpu-shares", "2",
                    "--stop-signal", "HUP", "--cap-drop", "all", "--read-only", "sh", "-c", "x"));
        ASSERT_OK(new_message(&bus, &m));
        ASSERT_OK(run_options_append(&o, m));
        ASSERT_OK(sd_bus_message_seal(m, 1, 0));
        ASSERT_OK(sd_bus_message_rewind(m, 1));

        ASSERT_OK(sd_bus_message_enter_container(m, 'a', "{sv}"));
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                ASSERT_OK(sd_bus_message_read(m, "s", &key));
                ASSERT_OK(strv_extend(&keys, key));
                if (streq(key, "Rootfs")) {
                        const char *s;
                        ASSERT_OK(sd_bus_message_read(m, "v", "s", &s));
                        ASSERT_STREQ(s, "/r");
                } else if (streq(key, "Command") || streq(key, "Env") || streq(key, "CapDrop")) {
                        _cleanup_strv_free_ char **l = NULL;
                        ASSERT_OK(sd_bus_message_enter_container(m, 'v', "as"));
                        ASSERT_OK(sd_bus_message_read_strv(m, &l));
                        ASSERT_OK(sd_bus_message_exit_container(m));
                        if (streq(key, "Command")) {
                                ASSERT_EQ(strv_length(l), 3);
                                ASSERT_STREQ(l[2], "x");
                        } else if (streq(key, "Env"))
                                ASSERT_STREQ(l[0], "A=1");
                        else
                                ASSERT_STREQ(l[0], "ALL");
                } else if (streq(key, "AutoRemove") || streq(key, "ReadOnly")) {
                        int b;
                        ASSERT_OK(sd_bus_message_read(m, "v", "b", &b));
                        ASSERT_TRUE(b);
                } else if (streq(key, "MemoryMax") || streq(key, "CPUWeight")) {
                        uint64_t t;
                        ASSERT_OK(sd_bus_message_read(m, "v", "t", &t));
                        ASSERT_EQ(t, streq(key, "MemoryMax") ? 1024 : 1);
                } else if (streq(key, "StopSignal")) {
                        int32_t i;
                        ASSERT_OK(sd_bus_message_read(m, "v", "i", &i));
                        ASSERT_EQ(i, SIGHUP);
                } else
                        ASSERT_TRUE(!"unexpected key");
                ASSERT_OK(sd_bus_message_exit_container(m));
        }
        ASSERT_OK(r);
        ASSERT_OK(sd_bus_message_exit_container(m));
        /* Exactly these, and nothing unset (the daemon fills in its defaults). */
        ASSERT_EQ(strv_length(keys), 9);
        ASSERT_FALSE(strv_contains(keys, "Ephemeral"));
        ASSERT_FALSE(strv_contains(keys, "TasksMax"));
        ASSERT_FALSE(strv_contains(keys, "StopTimeoutUSec"));
        ASSERT_FALSE(strv_contains(keys, "CapAdd"));
        return 0;
}

TEST(capability_normalize) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        ASSERT_OK(capability_normalize("chown", &a));
        ASSERT_STREQ(a, "CAP_CHOWN");
        ASSERT_OK(capability_normalize("cap_sys_admin", &b));
        ASSERT_STREQ(b, "CAP_SYS_ADMIN");
        ASSERT_OK(capability_normalize("All", &c));
        ASSERT_STREQ(c, "ALL");
        ASSERT_ERROR(capability_normalize("", &a), EINVAL);
        ASSERT_ERROR(capability_normalize("cap_", &a), EINVAL);
        ASSERT_ERROR(capability_normalize("sys admin", &a), EINVAL);
        ASSERT_ERROR(capability_normalize("x\xc3\xa9", &a), EINVAL);
        return 0;
}

TEST(run_mounts) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "-v", "/srv/data:/data", "--volume", "/etc/hosts:/etc/hosts:ro",
                    "-v", "/srv//x/:/x/./y/:rw", "--tmpfs", "/scratch:size=64m,mode=1777", "--tmpfs", "/run",
                    "true"));
        ASSERT_EQ(o.n_mounts, 5);
        ASSERT_EQ(o.mounts[0].type, MOUNT_BIND);
        ASSERT_STREQ(o.mounts[0].source, "/srv/data");
        ASSERT_STREQ(o.mounts[0].destination, "/data");
        ASSERT_FALSE(o.mounts[0].read_only);
        ASSERT_TRUE(o.mounts[1].read_only);
        ASSERT_STREQ(o.mounts[2].source, "/srv/x");
        ASSERT_STREQ(o.mounts[2].destination, "/x/y");
        ASSERT_FALSE(o.mounts[2].read_only);
        ASSERT_EQ(o.mounts[3].type, MOUNT_TMPFS);
        ASSERT_STREQ(o.mounts[3].destination, "/scratch");
        ASSERT_STREQ(o.mounts[3].options, "size=64m,mode=1777");
        ASSERT_TRUE(!o.mounts[3].source);
        ASSERT_TRUE(!o.mounts[4].options);
        /* dray create takes them too */
        run_options_done(&o);
        ASSERT_OK(PARSE(RUN_VERB_CREATE, &o, "create", "--rootfs", "/r", "-v", "/a:/b", "--tmpfs", "/t:", "true"));
        ASSERT_EQ(o.n_mounts, 2);
        ASSERT_TRUE(!o.mounts[1].options);
        return 0;
}

TEST(run_volumes) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(run_options_done) RunOptions o;
        const char *key, *name, *dst;
        int r, ro, seen = 0;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "-v", "data:/data", "-v", "/anon", "-v", "cache:/c:ro",
                    "--mount", "type=volume,src=m1,dst=/m1,readonly", "--mount", "dst=/m2",
                    "--mount", "type=bind,source=/srv,target=/srv,ro=false",
                    "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1777",
                    "--volumes-from", "other:ro", "--volumes-from", "abcd", "true"));
        ASSERT_EQ(o.n_mounts, 7);
        ASSERT_EQ(o.mounts[0].type, MOUNT_VOLUME);
        ASSERT_STREQ(o.mounts[0].volume, "data");
        ASSERT_TRUE(!o.mounts[0].source);
        ASSERT_EQ(o.mounts[1].type, MOUNT_VOLUME);
        ASSERT_TRUE(!o.mounts[1].volume);
        ASSERT_STREQ(o.mounts[1].destination, "/anon");
        ASSERT_TRUE(o.mounts[2].read_only);
        ASSERT_STREQ(o.mounts[3].volume, "m1");
        ASSERT_TRUE(o.mounts[3].read_only);
        ASSERT_TRUE(!o.mounts[4].volume);
        ASSERT_EQ(o.mounts[5].type, MOUNT_BIND);
        ASSERT_FALSE(o.mounts[5].read_only);
        ASSERT_EQ(o.mounts[6].type, MOUNT_TMPFS);
        ASSERT_STREQ(o.mounts[6].options, "size=1m,mode=1777");
        ASSERT_EQ(strv_length(o.volumes_from), 2);

        /* Volumes a(ssb) with "" for the anonymous ones, VolumesFrom as. */
        ASSERT_OK(new_message(&bus, &m));
        ASSERT_OK(run_options_append(&o, m));
        ASSERT_OK(sd_bus_message_seal(m, 1, 0));
        ASSERT_OK(sd_bus_message_rewind(m, 1));
        ASSERT_OK(sd_bus_message_enter_container(m, 'a', "{sv}"));
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                ASSERT_OK(sd_bus_message_read(m, "s", &key));
                if (streq(key, "Volumes")) {
                        static const char *const want[][2] = {
                                { "data", "/data" }, { "", "/anon" }, { "cache", "/c" }, { "m1", "/m1" }, { "", "/m2" },
                        };
                        size_t k = 0;

                        ASSERT_OK(sd_bus_message_enter_container(m, 'v', "a(ssb)"));
                        ASSERT_OK(sd_bus_message_enter_container(m, 'a', "(ssb)"));
                        while ((r = sd_bus_message_read(m, "(ssb)", &name, &dst, &ro)) > 0) {
                                ASSERT_TRUE(k < ELEMENTSOF(want));
                                ASSERT_STREQ(name, want[k][0]);
                                ASSERT_STREQ(dst, want[k][1]);
                                ASSERT_EQ(ro, k == 2 || k == 3);
                                k++;
                        }
                        ASSERT_OK(r);
                        ASSERT_EQ(k, ELEMENTSOF(want));
                        ASSERT_OK(sd_bus_message_exit_container(m));
                        ASSERT_OK(sd_bus_message_exit_container(m));
                        seen++;
                } else if (streq(key, "VolumesFrom")) {
                        _cleanup_strv_free_ char **l = NULL;
                        ASSERT_OK(sd_bus_message_enter_container(m, 'v', "as"));
                        ASSERT_OK(sd_bus_message_read_strv(m, &l));
                        ASSERT_OK(sd_bus_message_exit_container(m));
                        ASSERT_STREQ(l[0], "other:ro");
                        seen++;
                } else
                        ASSERT_OK(sd_bus_message_skip(m, "v"));
                ASSERT_OK(sd_bus_message_exit_container(m));
        }
        ASSERT_OK(r);
        ASSERT_EQ(seen, 2);

        run_options_done(&o);
        static char *const bad_mounts[] = {
                "type=bind,src=rel,dst=/d", "type=nfs,dst=/d", "dst=/d,foo=1", "src=x", "type=volume,src=x,dst=/d,tmpfs-size=1m",
                "type=tmpfs,src=x,dst=/d", "type=volume,src=a/b,dst=/d", "dst=/d,dst=/e", "dst=/d,ro=maybe", "type=bind,dst=/d",
                "type=tmpfs,dst=/d,tmpfs-size=lots",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad_mounts); i++)
                if (P(&o, "run", "--rootfs", "/r", "--mount", bad_mounts[i], "true") != -EINVAL) {
                        fprintf(stderr, "accepted --mount '%s'\n", bad_mounts[i]);
                        return 1;
                }
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--volumes-from", "x:rx", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--volumes-from", "", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "-v", "a:/d", "-v", "b:/d", "true"), EINVAL);
        return 0;
}

TEST(run_mounts_bad) {
        static char *const bad_volumes[] = {
                "",                    /* found by fuzz-cli: no value at all */
                "./data:/data",        /* relative */
                "data",                /* an anonymous volume needs an absolute destination */
                "a/b:/data",           /* neither a name nor an absolute path */
                "bad name:/data",
                "_x:/data",
                "/srv/data:",
                ":/data",
                "/srv::/data",
                "/srv:/data:rx",
                "/srv:/data:ro:rw",
                "/srv:data",
                "/srv:/",
                "/srv:/proc/x",
                "/srv:/sys",
                "/srv/../etc:/data",
                "/srv:/a/../b",
        };
        static char *const bad_tmpfs[] = {
                "", "tmp", "/", "/proc", "/t:exec", "/t:size=1m,suid", "/t:size=lots", "/t:mode=8",
                "/t:size=1m,size=2m", "/t:,",
        };
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        for (size_t i = 0; i < ELEMENTSOF(bad_volumes); i++)
                if (P(&o, "run", "--rootfs", "/r", "-v", bad_volumes[i], "true") != -EINVAL) {
                        fprintf(stderr, "accepted -v '%s'\n", bad_volumes[i]);
                        return 1;
                }
        for (size_t i = 0; i < ELEMENTSOF(bad_tmpfs); i++)
                if (P(&o, "run", "--rootfs", "/r", "--tmpfs", bad_tmpfs[i], "true") != -EINVAL) {
                        fprintf(stderr, "accepted --tmpfs '%s'\n", bad_tmpfs[i]);
                        return 1;
                }
        ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "-v", "/a:/d", "--tmpfs", "/d/", "true"), EINVAL);

        /* At most MOUNTS_MAX in all. */
        {
                char *argv[2 * MOUNTS_MAX + 8];
                char dsts[MOUNTS_MAX + 1][16];
                int argc = 0;

                argv[argc++] = (char *) "run";
                argv[argc++] = (char *) "--rootfs=/r";
                for (unsigned i = 0; i <= MOUNTS_MAX; i++) {
                        snprintf(dsts[i], sizeof(dsts[i]), "/m%u", i);
                        argv[argc++] = (char *) "--tmpfs";
                        argv[argc++] = dsts[i];
                }
                argv[argc++] = (char *) "true";
                argv[argc] = NULL;
                ASSERT_ERROR(parse_fresh(&o, RUN_VERB_RUN, argc, argv), E2BIG);
                argv[argc - 3] = (char *) "true"; /* drop the last --tmpfs */
                argv[argc - 2] = NULL;
                ASSERT_OK(parse_fresh(&o, RUN_VERB_RUN, argc - 2, argv));
                ASSERT_EQ(o.n_mounts, MOUNTS_MAX);
        }
        return 0;
}

TEST(run_mounts_to_message) {
        _cleanup_(run_options_done) RunOptions o;
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const char *key, *a, *b;
        unsigned seen = 0;
        int ro, r;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "--tmpfs", "/t:size=1m", "-v", "/a:/b:ro", "-v", "/c:/d", "--tmpfs",
                    "/u", "true"));
        ASSERT_OK(new_message(&bus, &m));
        ASSERT_OK(run_options_append(&o, m));
        ASSERT_OK(sd_bus_message_seal(m, 1, 0));
        ASSERT_OK(sd_bus_message_rewind(m, 1));
        ASSERT_OK(sd_bus_message_enter_container(m, 'a', "{sv}"));
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                ASSERT_OK(sd_bus_message_read(m, "s", &key));
                if (streq(key, "BindMounts")) {
                        ASSERT_OK(sd_bus_message_enter_container(m, 'v', "a(ssb)"));
                        ASSERT_OK(sd_bus_message_enter_container(m, 'a', "(ssb)"));
                        ASSERT_EQ(sd_bus_message_read(m, "(ssb)", &a, &b, &ro), 1);
                        ASSERT_STREQ(a, "/a");
                        ASSERT_STREQ(b, "/b");
                        ASSERT_TRUE(ro);
                        ASSERT_EQ(sd_bus_message_read(m, "(ssb)", &a, &b, &ro), 1);
                        ASSERT_STREQ(a, "/c");
                        ASSERT_FALSE(ro);
                        ASSERT_EQ(sd_bus_message_read(m, "(ssb)", &a, &b, &ro), 0);
                        ASSERT_OK(sd_bus_message_exit_container(m));
                        ASSERT_OK(sd_bus_message_exit_container(m));
                        seen |= 1;
                } else if (streq(key, "TmpfsMounts")) {
                        ASSERT_OK(sd_bus_message_enter_container(m, 'v', "a(ss)"));
                        ASSERT_OK(sd_bus_message_enter_container(m, 'a', "(ss)"));
                        ASSERT_EQ(sd_bus_message_read(m, "(ss)", &a, &b), 1);
                        ASSERT_STREQ(a, "/t");
                        ASSERT_STREQ(b, "size=1m");
                        ASSERT_EQ(sd_bus_message_read(m, "(ss)", &a, &b), 1);
                        ASSERT_STREQ(a, "/u");
                        ASSERT_STREQ(b, "");
                        ASSERT_EQ(sd_bus_message_read(m, "(ss)", &a, &b), 0);
                        ASSERT_OK(sd_bus_message_exit_container(m));
                        ASSERT_OK(sd_bus_message_exit_container(m));
                        seen |= 2;
                } else
                        ASSERT_OK(sd_bus_message_skip(m, "v"));
                ASSERT_OK(sd_bus_message_exit_container(m));
        }
        ASSERT_OK(r);
        ASSERT_EQ(seen, 3);
        return 0;
}

TEST(run_security_options) {
        _cleanup_(run_options_done) RunOptions o;
        char path[] = "/tmp/test-seccomp-XXXXXX";
        const char *profile = "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}";
        int fd;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "--privileged", "--security-opt", "no-new-privileges", "true"));
        ASSERT_TRUE(o.privileged);
        ASSERT_FALSE(o.security.seccomp_unconfined);
        ASSERT_TRUE(o.security.seccomp_profile == NULL);
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "--security-opt", "seccomp=unconfined", "true"));
        ASSERT_TRUE(o.security.seccomp_unconfined);

        fd = mkstemp(path);
        ASSERT_OK(fd);
        ASSERT_EQ(write(fd, profile, strlen(profile)), (ssize_t) strlen(profile));
        close(fd);
        {
                char arg[64];

                snprintf(arg, sizeof(arg), "seccomp=%s", path);
                ASSERT_OK(P(&o, "run", "--rootfs", "/r", "--security-opt", arg, "true"));
                ASSERT_STREQ(o.security.seccomp_profile, profile);
                ASSERT_ERROR(P(&o, "run", "--rootfs", "/r", "--security-opt", arg, "--security-opt",
                               "seccomp=unconfined", "true"), EINVAL);
        }
        (void) unlink(path);

        ASSERT_TRUE(P(&o, "run", "--rootfs", "/r", "--security-opt", "seccomp=/no/such/file", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--rootfs", "/r", "--security-opt", "seccomp=/dev/null", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--rootfs", "/r", "--security-opt", "seccomp=", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--rootfs", "/r", "--security-opt", "apparmor=x", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--rootfs", "/r", "--security-opt", "no-new-privileges=false", "true") < 0);
        return 0;
}

TEST(run_userns) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "true"));
        ASSERT_TRUE(o.userns == NULL);
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "--userns=auto", "true"));
        ASSERT_STREQ(o.userns, "auto");
        ASSERT_OK(P(&o, "run", "--rootfs", "/r", "--userns", "host", "true"));
        ASSERT_STREQ(o.userns, "host");
        ASSERT_TRUE(P(&o, "run", "--rootfs", "/r", "--userns", "keep-id", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--rootfs", "/r", "--userns=", "true") < 0);
        return 0;
}

/* --boot: no command needed (the tree's init), one may replace it; --timeout only with it. */
TEST(run_boot) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "-d", "--boot", "--rootfs", "/r"));
        ASSERT_TRUE(o.boot);
        ASSERT_TRUE(o.command == NULL);
        ASSERT_EQ(o.timeout_usec, UINT64_MAX);
        ASSERT_OK(P(&o, "run", "-db", "--timeout", "2min", "--rootfs", "/r", "/sbin/init", "--log-level=debug"));
        ASSERT_TRUE(o.boot);
        ASSERT_EQ(o.timeout_usec, 120 * USEC_PER_SEC);
        ASSERT_STREQ(o.command[1], "--log-level=debug");
        ASSERT_OK(P(&o, "run", "--boot", "debian"));
        ASSERT_STREQ(o.image, "debian");
        ASSERT_TRUE(P(&o, "run", "--rootfs", "/r") < 0);
        ASSERT_TRUE(P(&o, "run", "--timeout", "5", "--rootfs", "/r", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--boot", "--timeout", "soon", "--rootfs", "/r") < 0);
        ASSERT_OK(PARSE(RUN_VERB_CREATE, &o, "create", "-b", "--rootfs", "/r"));
        ASSERT_TRUE(o.boot);
        return 0;
}

TEST(run_network) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--network", "backend", "--ip", "10.1.2.3", "--network-alias", "db",
                    "--network-alias", "pg", "-p", "8080:80", "--publish", "127.0.0.1::53/udp", "-P",
                    "--dns", "192.0.2.1", "--dns", "fd00::53", "--rootfs", "/r", "true"));
        ASSERT_STREQ(o.network, "backend");
        ASSERT_STREQ(o.ip, "10.1.2.3");
        ASSERT_EQ(strv_length(o.network_aliases), 2);
        ASSERT_EQ(strv_length(o.publish), 2);
        ASSERT_STREQ(o.publish[1], "127.0.0.1::53/udp");
        ASSERT_TRUE(o.publish_all);
        ASSERT_EQ(strv_length(o.dns), 2);
        ASSERT_OK(P(&o, "run", "--net", "none", "--rootfs", "/r", "true"));
        ASSERT_STREQ(o.network, "none");
        ASSERT_OK(P(&o, "run", "--network=host", "--rootfs", "/r", "true"));
        ASSERT_STREQ(o.network, "host");

        ASSERT_ERROR(P(&o, "run", "--network", "bad name", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--ip", "fd00::1", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--ip", "10.1.2", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--network-alias", "-x", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "--dns", "localhost", "--rootfs", "/r", "true"), EINVAL);
        ASSERT_ERROR(P(&o, "run", "-p", "", "--rootfs", "/r", "true"), EINVAL);
        return 0;
}

TEST(run_health) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--health-cmd", "curl -f localhost", "--health-interval", "500ms",
                    "--health-timeout=2s", "--health-retries", "5", "--health-start-period", "1min",
                    "--health-on-failure", "kill", "--health-start-interval", "250ms", "--sdnotify=healthy", "--rootfs",
                    "/r", "true"));
        ASSERT_STREQ(o.health.test[0], "CMD-SHELL");
        ASSERT_STREQ(o.health.test[1], "curl -f localhost");
        ASSERT_EQ(o.health.interval_usec, 500 * USEC_PER_MSEC);
        ASSERT_EQ(o.health.timeout_usec, 2 * USEC_PER_SEC);
        ASSERT_EQ(o.health.retries, 5U);
        ASSERT_EQ(o.health.start_period_usec, 60 * USEC_PER_SEC);
        ASSERT_EQ(o.health.on_failure, HEALTH_ON_FAILURE_KILL);
        ASSERT_EQ(o.health.start_interval_usec, 250 * USEC_PER_MSEC);
        ASSERT_EQ(o.sdnotify, SDNOTIFY_HEALTHY);
        ASSERT_OK(P(&o, "run", "--health-cmd", "[\"/bin/check\", \"-q\"]", "--rootfs", "/r", "true"));
        ASSERT_STREQ(o.health.test[0], "CMD");
        ASSERT_STREQ(o.health.test[2], "-q");
        ASSERT_OK(P(&o, "run", "--no-healthcheck", "--rootfs", "/r", "true"));
        ASSERT_STREQ(o.health.test[0], "NONE");
        ASSERT_EQ(P(&o, "run", "--no-healthcheck", "--health-cmd", "true", "--rootfs", "/r", "true"), -EINVAL);
        ASSERT_TRUE(P(&o, "run", "--health-retries", "0", "--rootfs", "/r", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--health-interval", "1us", "--rootfs", "/r", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--health-start-interval", "8d", "--rootfs", "/r", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--health-on-failure", "explode", "--rootfs", "/r", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--health-cmd", "[\"CMD\"]", "--rootfs", "/r", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--rm", "--health-on-failure", "restart", "--rootfs", "/r", "true") < 0);
        return 0;
}

TEST(run_networks) {
        _cleanup_(run_options_done) RunOptions o;

        run_options_init(&o);
        ASSERT_OK(P(&o, "run", "--network", "a", "--network=b", "--net", "c", "--rootfs", "/r", "true"));
        ASSERT_STREQ(o.network, "a");
        ASSERT_EQ(strv_length(o.networks_more), 2U);
        ASSERT_STREQ(o.networks_more[1], "c");
        ASSERT_TRUE(P(&o, "run", "--network", "a", "--network", "a", "--rootfs", "/r", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--network", "none", "--network", "a", "--rootfs", "/r", "true") < 0);
        ASSERT_TRUE(P(&o, "run", "--network", "a", "--network", "host", "--rootfs", "/r", "true") < 0);
        return 0;
}
