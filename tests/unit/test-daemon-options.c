/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CreateContainer's options dictionary: every key, its type and its range, good and hostile. */
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "bus-pair.h"
#include "config.h"
#include "container-options.h"
#include "strv.h"
#include "userns-range.h"
#include "test.h"

/* A sealed method call whose body is the a{sv} that build() appends, rewound for reading: what
 * container_options_parse() sees in a handler. */
typedef int (*builder_t)(sd_bus_message *m);

/* Also run container_options_finish(), as CreateContainer does (the mount tests: sources are
 * resolved there). */
static bool parse_finish;

static int parse_with(builder_t build, ContainerSpec **ret_spec, sd_bus_error *error) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *server = NULL, *client = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(spec_freep) ContainerSpec *s = spec_new();
        int r;

        if (!s)
                return -ENOMEM;
        r = sd_event_new(&e);
        if (r < 0)
                return r;
        r = bus_pair_new(e, &server, &client);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(client, &m, NULL, "/org/dray1", "org.dray1.Manager", "CreateContainer");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        r = build(m);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        r = sd_bus_message_seal(m, 1, 0);
        if (r < 0)
                return r;
        r = sd_bus_message_rewind(m, true);
        if (r < 0)
                return r;
        r = container_options_parse(m, s, error);
        if (r < 0)
                return r;
        /* What CreateContainer does next, after authorising: resolve bind sources, validate. */
        if (!parse_finish)
                goto done;
        s->id = strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        s->name = strdup("options-test");
        if (!s->id || !s->name)
                return -ENOMEM;
        r = container_options_finish(s, error);
        if (r < 0)
                return r;
done:
        if (ret_spec)
                *ret_spec = TAKE_PTR(s);
        return 0;
}

/* Expects InvalidArgs whose message contains needle. */
static int expect_invalid(builder_t build, const char *needle) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = parse_with(build, NULL, &error);

        if (r >= 0) {
                fprintf(stderr, "parsing succeeded, expected an error naming '%s'\n", needle);
                return 1;
        }
        if (!sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS) || !strstr(strempty(error.message), needle)) {
                fprintf(stderr, "got %s: '%s', expected InvalidArgs naming '%s' (r=%i)\n", strna(error.name),
                        strna(error.message), needle, r);
                return 1;
        }
        return 0;
}

#define BASE(m) sd_bus_message_append(m, "{sv}{sv}", "Rootfs", "s", "/srv/root", "Command", "as", 1, "true")

static int build_all(sd_bus_message *m) {
        int r = BASE(m);
        if (r < 0)
                return r;
        return sd_bus_message_append(m, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
                                     "Env", "as", 3, "A=1", "B=2", "A=3",
                                     "WorkingDirectory", "s", "/work",
                                     "User", "s", "1000:100",
                                     "Hostname", "s", "box",
                                     "ReadOnly", "b", 1,
                                     "Ephemeral", "b", 1,
                                     "AutoRemove", "b", 1,
                                     "MemoryMax", "t", UINT64_C(67108864),
                                     "CPUQuotaPerSecUSec", "t", UINT64_C(500000),
                                     "CPUWeight", "t", UINT64_C(50),
                                     "TasksMax", "t", UINT64_C(20),
                                     "StopTimeoutUSec", "t", UINT64_C(3000000),
                                     "StopSignal", "i", SIGINT,
                                     "CapAdd", "as", 2, "net_admin", "CAP_SYS_TIME",
                                     "CapDrop", "as", 1, "all",
                                     "Image", "s", "busybox");
}

static int build_image(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}{sv}{sv}", "Image", "s", "busybox", "User", "s", "nobody:users",
                                     "Entrypoint", "as", 0);
}
static int build_entrypoint_rootfs(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Entrypoint", "as", 1, "/bin/sh");
}

/* Without Rootfs, Image names an image: no Command needed (the image has one), names for User are
 * resolved later in the image, and an empty Entrypoint is kept as "given, empty". */
TEST(options_image) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL;

        ASSERT_OK(parse_with(build_image, &s, &error));
        ASSERT_TRUE(!s->rootfs);
        ASSERT_STREQ(s->image, "busybox");
        ASSERT_STREQ(s->user, "nobody:users");
        ASSERT_EQ(s->uid, USER_UNRESOLVED);
        ASSERT_TRUE(s->entrypoint && !s->entrypoint[0]);
        ASSERT_EQ(expect_invalid(build_entrypoint_rootfs, "Entrypoint"), 0);
        return 0;
}

TEST(options_all) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL;

        ASSERT_OK(parse_with(build_all, &s, &error));
        ASSERT_STREQ(s->rootfs, "/srv/root");
        ASSERT_EQ(strv_length(s->command), 1);
        ASSERT_STREQ(s->command[0], "true");
        ASSERT_EQ(strv_length(s->env), 2);
        ASSERT_STREQ(strv_env_get(s->env, "A"), "3"); /* the later one wins */
        ASSERT_STREQ(strv_env_get(s->env, "B"), "2");
        ASSERT_STREQ(s->working_dir, "/work");
        ASSERT_EQ(s->uid, 1000);
        ASSERT_EQ(s->gid, 100);
        ASSERT_STREQ(s->user, "1000:100");
        ASSERT_STREQ(s->hostname, "box");
        ASSERT_TRUE(s->read_only && s->ephemeral && s->auto_remove);
        ASSERT_EQ(s->memory_max, 67108864);
        ASSERT_EQ(s->cpu_quota_per_sec_usec, 500000);
        ASSERT_EQ(s->cpu_weight, 50);
        ASSERT_EQ(s->tasks_max, 20);
        ASSERT_EQ(s->stop_timeout_usec, 3000000);
        ASSERT_EQ(s->stop_signal, SIGINT);
        ASSERT_EQ(strv_length(s->cap_add), 2);
        ASSERT_STREQ(s->cap_add[0], "CAP_NET_ADMIN");
        ASSERT_STREQ(s->cap_add[1], "CAP_SYS_TIME");
        ASSERT_STREQ(s->cap_drop[0], "ALL");
        ASSERT_STREQ(s->image, "busybox");
        return 0;
}

static int build_minimal(sd_bus_message *m) {
        return BASE(m);
}

TEST(options_defaults_and_finish) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL;

        ASSERT_OK(parse_with(build_minimal, &s, &error));
        ASSERT_EQ(s->memory_max, UNSET_U64);
        ASSERT_EQ(s->cpu_weight, UNSET_U64);
        ASSERT_EQ(s->stop_signal, SIGTERM);
        ASSERT_EQ(s->stop_timeout_usec, DEFAULT_STOP_TIMEOUT_USEC);
        ASSERT_TRUE(s->hostname == NULL);

        s->id = strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        s->name = strdup("web");
        ASSERT_OK(container_options_finish(s, &error));
        ASSERT_STREQ(s->hostname, "web");
        ASSERT_STREQ(s->image, "/srv/root");
        ASSERT_STREQ(s->working_dir, "/");
        ASSERT_STREQ(strv_env_get(s->env, "PATH"), DEFAULT_PATH);
        ASSERT_STREQ(strv_env_get(s->env, "HOSTNAME"), "web");
        return 0;
}

static int build_unknown(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Bogus", "s", "x");
}
static int build_wrong_type(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "MemoryMax", "s", "lots");
}
static int build_wrong_type_nested(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Env", "a{ss}", 1, "A", "B");
}
static int build_twice(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Rootfs", "s", "/other");
}
static int build_no_rootfs(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}", "Command", "as", 1, "true");
}
static int build_no_command(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}", "Rootfs", "s", "/srv/root");
}
static int build_empty_command(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}{sv}", "Rootfs", "s", "/srv/root", "Command", "as", 0);
}
static int build_empty_argv0(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}{sv}", "Rootfs", "s", "/srv/root", "Command", "as", 2, "", "x");
}
static int build_relative_rootfs(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}{sv}", "Rootfs", "s", "srv/root", "Command", "as", 1, "true");
}
static int build_dotdot_rootfs(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}{sv}", "Rootfs", "s", "/srv/../etc", "Command", "as", 1, "true");
}
static int build_control_rootfs(sd_bus_message *m) {
        return sd_bus_message_append(m, "{sv}{sv}", "Rootfs", "s", "/srv/\nroot", "Command", "as", 1, "true");
}
static int build_cpu_weight_0(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "CPUWeight", "t", UINT64_C(0));
}
static int build_cpu_weight_big(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "CPUWeight", "t", UINT64_C(10001));
}
static int build_memory_tiny(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "MemoryMax", "t", UINT64_C(1));
}
static int build_tasks_0(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "TasksMax", "t", UINT64_C(0));
}
static int build_quota_tiny(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "CPUQuotaPerSecUSec", "t", UINT64_C(10));
}
static int build_signal_0(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "StopSignal", "i", 0);
}
static int build_signal_big(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "StopSignal", "i", _NSIG);
}
static int build_signal_negative(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "StopSignal", "i", -9);
}
static int build_env_no_key(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Env", "as", 1, "=value");
}
static int build_env_no_eq(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Env", "as", 1, "JUSTAKEY");
}
static int build_env_digit(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Env", "as", 1, "1A=x");
}
static int build_user_name(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "User", "s", "no body");
}
static int build_user_overflow(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "User", "s", "4294967295");
}
static int build_hostname_bad(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Hostname", "s", "a_b");
}
static int build_workdir_relative(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "WorkingDirectory", "s", "work");
}
static int build_cap_bogus(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "CapAdd", "as", 1, "CAP_BOGUS");
}
static int build_cap_number(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "CapDrop", "as", 1, "12");
}
static int build_image_empty(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Image", "s", "");
}
static int build_image_control(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Image", "s", "a\x1b[31mb");
}
static int build_group_add_bad(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "GroupAdd", "as", 2, "wheel", "a:b");
}
static int build_group_add_overflow(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "GroupAdd", "as", 1, "4294967295");
}
/* 20 MiB of Env in 160 variables of 128 KiB - 1: each under the per-string bound, too much in all. */
static int build_env_huge(sd_bus_message *m) {
        _cleanup_free_ char *v = malloc(OPTION_ARG_MAX);
        int r = BASE(m);

        if (r < 0 || !v)
                return r < 0 ? r : -ENOMEM;
        memset(v, 'x', OPTION_ARG_MAX - 1);
        v[0] = 'V', v[1] = '=', v[OPTION_ARG_MAX - 1] = 0;
        r = sd_bus_message_open_container(m, 'e', "sv");
        r = r < 0 ? r : sd_bus_message_append(m, "s", "Env");
        r = r < 0 ? r : sd_bus_message_open_container(m, 'v', "as");
        r = r < 0 ? r : sd_bus_message_open_container(m, 'a', "s");
        for (int i = 0; r >= 0 && i < 160; i++) {
                v[1] = (char) ('A' + i % 26);
                v[2] = '=';
                r = sd_bus_message_append(m, "s", v);
        }
        r = r < 0 ? r : sd_bus_message_close_container(m);
        r = r < 0 ? r : sd_bus_message_close_container(m);
        return r < 0 ? r : sd_bus_message_close_container(m);
}

TEST(options_hostile) {
        ASSERT_EQ(expect_invalid(build_group_add_bad, "GroupAdd"), 0);
        ASSERT_EQ(expect_invalid(build_group_add_overflow, "GroupAdd"), 0);
        ASSERT_EQ(expect_invalid(build_env_huge, "Env"), 0);
        ASSERT_EQ(expect_invalid(build_unknown, "Bogus"), 0);
        ASSERT_EQ(expect_invalid(build_wrong_type, "MemoryMax"), 0);
        ASSERT_EQ(expect_invalid(build_wrong_type_nested, "Env"), 0);
        ASSERT_EQ(expect_invalid(build_twice, "Rootfs"), 0);
        ASSERT_EQ(expect_invalid(build_no_rootfs, "Rootfs"), 0);
        ASSERT_EQ(expect_invalid(build_no_command, "Command"), 0);
        ASSERT_EQ(expect_invalid(build_empty_command, "Command"), 0);
        ASSERT_EQ(expect_invalid(build_empty_argv0, "Command"), 0);
        ASSERT_EQ(expect_invalid(build_relative_rootfs, "Rootfs"), 0);
        ASSERT_EQ(expect_invalid(build_dotdot_rootfs, "Rootfs"), 0);
        ASSERT_EQ(expect_invalid(build_control_rootfs, "Rootfs"), 0);
        ASSERT_EQ(expect_invalid(build_cpu_weight_0, "CPUWeight"), 0);
        ASSERT_EQ(expect_invalid(build_cpu_weight_big, "CPUWeight"), 0);
        ASSERT_EQ(expect_invalid(build_memory_tiny, "MemoryMax"), 0);
        ASSERT_EQ(expect_invalid(build_tasks_0, "TasksMax"), 0);
        ASSERT_EQ(expect_invalid(build_quota_tiny, "CPUQuotaPerSecUSec"), 0);
        ASSERT_EQ(expect_invalid(build_signal_0, "StopSignal"), 0);
        ASSERT_EQ(expect_invalid(build_signal_big, "StopSignal"), 0);
        ASSERT_EQ(expect_invalid(build_signal_negative, "StopSignal"), 0);
        ASSERT_EQ(expect_invalid(build_env_no_key, "Env"), 0);
        ASSERT_EQ(expect_invalid(build_env_no_eq, "Env"), 0);
        ASSERT_EQ(expect_invalid(build_env_digit, "Env"), 0);
        ASSERT_EQ(expect_invalid(build_user_name, "User"), 0);
        ASSERT_EQ(expect_invalid(build_user_overflow, "User"), 0);
        ASSERT_EQ(expect_invalid(build_hostname_bad, "Hostname"), 0);
        ASSERT_EQ(expect_invalid(build_workdir_relative, "WorkingDirectory"), 0);
        ASSERT_EQ(expect_invalid(build_cap_bogus, "CAP_BOGUS"), 0);
        ASSERT_EQ(expect_invalid(build_cap_number, "CapDrop"), 0);
        ASSERT_EQ(expect_invalid(build_image_empty, "Image"), 0);
        ASSERT_EQ(expect_invalid(build_image_control, "Image"), 0);
        return 0;
}

static int build_unlimited(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}{sv}{sv}", "MemoryMax", "t", UINT64_MAX, "TasksMax", "t",
                                                 UINT64_MAX, "StopTimeoutUSec", "t", UINT64_MAX);
}

TEST(options_unlimited) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL;

        /* 2^64-1 is "no limit", like systemd's infinity. */
        ASSERT_OK(parse_with(build_unlimited, &s, &error));
        ASSERT_EQ(s->memory_max, UNSET_U64);
        ASSERT_EQ(s->tasks_max, UNSET_U64);
        ASSERT_TRUE(s->stop_timeout_usec == UINT64_MAX);
        return 0;
}

TEST(capability_names) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
        char *x = NULL;

        ASSERT_OK(capability_name_normalize("Cap_Net_Admin", &a));
        ASSERT_STREQ(a, "CAP_NET_ADMIN");
        ASSERT_OK(capability_name_normalize("chown", &b));
        ASSERT_STREQ(b, "CAP_CHOWN");
        ASSERT_OK(capability_name_normalize("All", &c));
        ASSERT_STREQ(c, "ALL");
        ASSERT_ERROR(capability_name_normalize("", &x), EINVAL);
        ASSERT_ERROR(capability_name_normalize("cap_", &x), EINVAL);
        ASSERT_ERROR(capability_name_normalize("CAP_NET ADMIN", &x), EINVAL);
        ASSERT_ERROR(capability_name_normalize("7", &x), EINVAL);
        ASSERT_ERROR(capability_name_normalize("CAP_CHOWN_AND_MORE_AND_MORE_AND_MORE_AND_MORE_AND_MORE", &x), EINVAL);
        ASSERT_TRUE(x == NULL);
        return 0;
}

/* BindMounts and TmpfsMounts: the builders read these. */
static const char *bind_src, *bind_dst, *tmpfs_dst, *tmpfs_opts;

static int build_bind(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "BindMounts", "a(ssb)", 1, bind_src, bind_dst, 1);
}
static int build_tmpfs(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "TmpfsMounts", "a(ss)", 1, tmpfs_dst, tmpfs_opts);
}
static int build_mounts_both(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}{sv}", "BindMounts", "a(ssb)", 2, "/tmp/", "/host-tmp//",
                                                 0, "/etc/hostname", "/etc/hostname", 1, "TmpfsMounts", "a(ss)",
                                                 2, "/scratch", "size=64m,mode=1777", "/run", "");
}
static int build_mounts_too_many(sd_bus_message *m) {
        int r = BASE(m);

        r = r < 0 ? r : sd_bus_message_open_container(m, 'e', "sv");
        r = r < 0 ? r : sd_bus_message_append(m, "s", "TmpfsMounts");
        r = r < 0 ? r : sd_bus_message_open_container(m, 'v', "a(ss)");
        r = r < 0 ? r : sd_bus_message_open_container(m, 'a', "(ss)");
        for (unsigned i = 0; r >= 0 && i <= MOUNTS_MAX; i++) {
                char d[16];

                snprintf(d, sizeof(d), "/m%u", i);
                r = sd_bus_message_append(m, "(ss)", d, "");
        }
        r = r < 0 ? r : sd_bus_message_close_container(m);
        r = r < 0 ? r : sd_bus_message_close_container(m);
        return r < 0 ? r : sd_bus_message_close_container(m);
}

TEST(options_mounts) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        _cleanup_free_ char *tmp = realpath("/tmp", NULL);

        parse_finish = true;
        ASSERT_OK(parse_with(build_mounts_both, &s, &error));
        ASSERT_EQ(s->n_mounts, 4);
        ASSERT_EQ(s->mounts[0].type, MOUNT_BIND);
        ASSERT_STREQ(s->mounts[0].source, tmp); /* resolved */
        ASSERT_STREQ(s->mounts[0].destination, "/host-tmp"); /* normalized */
        ASSERT_FALSE(s->mounts[0].read_only);
        ASSERT_TRUE(s->mounts[1].read_only);
        ASSERT_EQ(s->mounts[2].type, MOUNT_TMPFS);
        ASSERT_STREQ(s->mounts[2].options, "size=64m,mode=1777");
        ASSERT_TRUE(!s->mounts[2].source);
        ASSERT_TRUE(!s->mounts[3].options);
        parse_finish = false;
        return 0;
}

TEST(options_mounts_hostile) {
        static const struct {
                const char *src, *needle;
        } refused_sources[] = {
                { "/",                         "'/'"             },
                { "/proc",                     "kernel"          },
                { "/proc/self",                "kernel"          },
                { "/proc/1/root",              "'/proc/1/root'"  },
                { "/sys/kernel",               "kernel"          },
                { "/dev",                      "devices"         },
                { "/dev/null",                 "devices"         },
                { DRAY_STATE_DIR,               "drayd"           },
                { "/run/dray",                 "drayd"           },
                { "/var",                      "drayd"           },
                { "/run",                      "drayd"           },
                { "relative/path",             "absolute"        },
                { "/tmp/../etc",               "absolute"        },
                { "/no/such/dray/path",        "/no/such/dray/path" },
        };
        static const char *const bad_destinations[] = { "/", "relative", "/a/../b", "/proc/x", "/sys", "" };
        static const char *const bad_tmpfs_options[] = { "exec", "size=1m,suid", "size=lots", "mode=9" };

        parse_finish = true;

        for (size_t i = 0; i < ELEMENTSOF(refused_sources); i++) {
                struct stat st;

                /* A source must exist: paths this machine lacks (no drayd here) cannot be tried. */
                bind_src = refused_sources[i].src;
                bind_dst = "/data";
                if (bind_src[0] == '/' && stat(bind_src, &st) < 0 && !strstr(bind_src, "no/such"))
                        continue;
                if (expect_invalid(build_bind, refused_sources[i].needle) != 0) {
                        fprintf(stderr, "source '%s' was not refused as expected\n", bind_src);
                        return 1;
                }
        }
        bind_src = "/tmp";
        for (size_t i = 0; i < ELEMENTSOF(bad_destinations); i++) {
                bind_dst = bad_destinations[i];
                ASSERT_EQ(expect_invalid(build_bind, "BindMounts"), 0);
                tmpfs_dst = bad_destinations[i];
                tmpfs_opts = "";
                ASSERT_EQ(expect_invalid(build_tmpfs, "TmpfsMounts"), 0);
        }
        tmpfs_dst = "/scratch";
        for (size_t i = 0; i < ELEMENTSOF(bad_tmpfs_options); i++) {
                tmpfs_opts = bad_tmpfs_options[i];
                ASSERT_EQ(expect_invalid(build_tmpfs, "TmpfsMounts"), 0);
        }
        ASSERT_EQ(expect_invalid(build_mounts_too_many, "mounts"), 0);
        parse_finish = false;
        return 0;
}

static int build_security(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}{sv}", "Privileged", "b", 1, "SeccompProfile", "s",
                                                 "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
                                                 "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
}
static int build_bad_profile(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "SeccompProfile", "s", "{\"defaultAction\": 42}");
}
static int build_empty_profile(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "SeccompProfile", "s", "");
}
static int build_unconfined(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "SeccompUnconfined", "b", 1);
}

TEST(options_security) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL, *u = NULL;

        ASSERT_OK(parse_with(build_security, &s, &error));
        ASSERT_TRUE(s->privileged);
        ASSERT_TRUE(s->seccomp_profile && strstr(s->seccomp_profile, "SCMP_ACT_ERRNO"));
        ASSERT_OK(parse_with(build_unconfined, &u, &error));
        ASSERT_TRUE(u->seccomp_unconfined);
        ASSERT_EQ(expect_invalid(build_bad_profile, "SeccompProfile"), 0);
        ASSERT_EQ(expect_invalid(build_empty_profile, "SeccompProfile"), 0);
        return 0;
}

static int build_userns_auto(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "UserNamespace", "s", "auto");
}
static int build_userns_bad(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "UserNamespace", "s", "pick");
}
static int build_userns_ephemeral(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}{sv}", "UserNamespace", "s", "auto", "Ephemeral", "b", 1);
}

TEST(options_userns) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL;

        ASSERT_OK(parse_with(build_userns_auto, &s, &error));
        ASSERT_EQ(s->userns_size, USERNS_RANGE_SIZE);
        ASSERT_EQ(s->userns_base, 0); /* CreateContainer allocates it */
        ASSERT_EQ(expect_invalid(build_userns_bad, "UserNamespace"), 0);
        spec_free(s);
        s = NULL;
        ASSERT_OK(parse_with(build_userns_ephemeral, &s, &error)); /* the runtime decides (idmap) */
        ASSERT_TRUE(s->ephemeral && s->userns_size == USERNS_RANGE_SIZE);
        return 0;
}

static int build_privileged_bind_root(sd_bus_message *m) {
        int r = BASE(m);

        r = r < 0 ? r : sd_bus_message_append(m, "{sv}", "Privileged", "b", 1);
        r = r < 0 ? r : sd_bus_message_open_container(m, 'e', "sv");
        r = r < 0 ? r : sd_bus_message_append(m, "s", "BindMounts");
        return r < 0 ? r : sd_bus_message_append(m, "v", "a(ssb)", 2, "/", "/host", 1, "/proc", "/hostproc", 1) < 0 ?
                -ENOMEM : sd_bus_message_close_container(m);
}

TEST(options_privileged_binds_anything) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL;

        parse_finish = true;
        ASSERT_OK(parse_with(build_privileged_bind_root, &s, &error));
        parse_finish = false;
        ASSERT_EQ(s->n_mounts, 2);
        ASSERT_STREQ(s->mounts[0].source, "/");
        ASSERT_STREQ(s->mounts[1].source, "/proc");
        return 0;
}

/* ---- the network keys (container-net-options.c) ---- */

static int build_network(sd_bus_message *m) {
        int r = BASE(m);
        if (r < 0)
                return r;
        /* IPAddress before Network: the order of the dictionary does not matter. */
        return sd_bus_message_append(m, "{sv}{sv}{sv}{sv}{sv}{sv}{sv}",
                                     "IPAddress", "s", "10.150.0.9",
                                     "Network", "s", "backend",
                                     "NetworkAliases", "as", 2, "db", "pg",
                                     "PublishPorts", "as", 2, "8080:80", "127.0.0.1::53/udp",
                                     "PublishAll", "b", 1,
                                     "ExposedPorts", "as", 1, "443/tcp",
                                     "DNS", "as", 1, "192.0.2.53");
}

TEST(options_network) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL;

        ASSERT_OK(parse_with(build_network, &s, &error));
        ASSERT_EQ(s->net.mode, NETWORK_MODE_BRIDGE);
        ASSERT_EQ(s->net.n_networks, 1);
        ASSERT_STREQ(s->net.networks[0].name, "backend");
        ASSERT_STREQ(s->net.networks[0].ip, "10.150.0.9");
        ASSERT_EQ(strv_length(s->net.networks[0].aliases), 2);
        ASSERT_EQ(strv_length(s->net.publish), 2);
        ASSERT_TRUE(s->net.publish_all);
        ASSERT_STREQ(s->net.exposed_ports[0], "443/tcp");
        ASSERT_STREQ(s->net.dns[0], "192.0.2.53");
        return 0;
}

static int build_network_none(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Network", "s", "none");
}
static int build_network_host(sd_bus_message *m) {
        int r = BASE(m);
        return r < 0 ? r : sd_bus_message_append(m, "{sv}", "Network", "s", "host");
}

TEST(options_network_modes) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(spec_freep) ContainerSpec *s = NULL, *h = NULL;

        ASSERT_OK(parse_with(build_network_none, &s, &error));
        ASSERT_EQ(s->net.mode, NETWORK_MODE_NONE);
        ASSERT_EQ(s->net.n_networks, 0);
        ASSERT_OK(parse_with(build_network_host, &h, &error));
        ASSERT_EQ(h->net.mode, NETWORK_MODE_HOST);
        return 0;
}

#define BAD_NETWORK_BUILDER(fn, sig, ...)                                        \
        static int fn(sd_bus_message *m) {                                       \
                int r = BASE(m);                                                 \
                return r < 0 ? r : sd_bus_message_append(m, sig, __VA_ARGS__);  \
        }
BAD_NETWORK_BUILDER(build_bad_network, "{sv}", "Network", "s", "bad name")
BAD_NETWORK_BUILDER(build_bad_ip, "{sv}", "IPAddress", "s", "fd00::1")
BAD_NETWORK_BUILDER(build_bad_alias, "{sv}", "NetworkAliases", "as", 1, "-x")
BAD_NETWORK_BUILDER(build_bad_port, "{sv}", "PublishPorts", "as", 1, "80:99999")
BAD_NETWORK_BUILDER(build_bad_exposed, "{sv}", "ExposedPorts", "as", 1, "80/sctp")
BAD_NETWORK_BUILDER(build_bad_dns, "{sv}", "DNS", "as", 1, "localhost")
BAD_NETWORK_BUILDER(build_bad_type, "{sv}", "PublishPorts", "s", "80")
BAD_NETWORK_BUILDER(build_bad_port6, "{sv}", "PublishPorts", "as", 1, "[::1]:8080")

TEST(options_network_hostile) {
        ASSERT_EQ(expect_invalid(build_bad_network, "Network"), 0);
        ASSERT_EQ(expect_invalid(build_bad_ip, "IPAddress"), 0);
        ASSERT_EQ(expect_invalid(build_bad_alias, "NetworkAliases"), 0);
        ASSERT_EQ(expect_invalid(build_bad_port, "PublishPorts"), 0);
        ASSERT_EQ(expect_invalid(build_bad_exposed, "ExposedPorts"), 0);
        ASSERT_EQ(expect_invalid(build_bad_dns, "DNS"), 0);
        ASSERT_EQ(expect_invalid(build_bad_type, "PublishPorts"), 0);
        ASSERT_EQ(expect_invalid(build_bad_port6, "PublishPorts"), 0);
        return 0;
}
