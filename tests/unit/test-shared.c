/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "container-state.h"
#include "dray-error.h"
#include "exit-record.h"
#include "json-util.h"
#include "name.h"
#include "parse-util.h"
#include "spec.h"
#include "strv.h"
#include "test.h"

/* The innermost failure is kept; context goes in front on the way up; no carrier, no crash. */
TEST(dray_error) {
        _cleanup_(dray_error_done) DrayError e = {};
        _cleanup_free_ char *m = NULL;

        ASSERT_STREQ(dray_error_message(&e, -ENOENT), strerror(ENOENT));
        ASSERT_EQ(dray_error_set(NULL, ENOSPC, "full"), -ENOSPC);
        ASSERT_EQ(dray_error_set(&e, -EADDRINUSE, "address %s is in use", "10.0.0.2"), -EADDRINUSE);
        ASSERT_EQ(dray_error_set(&e, -EINVAL, "outer"), -EINVAL);
        ASSERT_EQ(e.error, EADDRINUSE);
        ASSERT_STREQ(dray_error_message(&e, -EINVAL), "address 10.0.0.2 is in use");
        ASSERT_EQ(dray_error_prefix(&e, -EINVAL, "network '%s'", "web"), -EINVAL);
        ASSERT_STREQ(dray_error_message(&e, 0), "network 'web': address 10.0.0.2 is in use");
        m = dray_error_take_message(&e);
        ASSERT_STREQ(m, "network 'web': address 10.0.0.2 is in use");
        ASSERT_EQ(e.error, 0);
        ASSERT_EQ(dray_error_prefix(&e, -EPERM, "mount"), -EPERM);
        ASSERT_STREQ(dray_error_message(&e, 0), "mount: Operation not permitted");
        return 0;
}

TEST(container_names) {
        ASSERT_TRUE(container_name_is_valid("web"));
        ASSERT_TRUE(container_name_is_valid("a"));
        ASSERT_TRUE(container_name_is_valid("0-db.prod"));
        ASSERT_FALSE(container_name_is_valid(""));
        ASSERT_FALSE(container_name_is_valid(NULL));
        ASSERT_FALSE(container_name_is_valid("-web"));
        ASSERT_FALSE(container_name_is_valid(".web"));
        ASSERT_FALSE(container_name_is_valid("we b"));
        ASSERT_TRUE(container_name_is_valid("web_1"));           /* Docker's alphabet (issue 9) */
        ASSERT_TRUE(container_name_is_valid("my_app.v2-x"));
        ASSERT_FALSE(container_name_is_valid("_web"));
        ASSERT_FALSE(container_name_is_valid("a/b"));
        ASSERT_FALSE(container_name_is_valid("caf\xc3\xa9"));
        ASSERT_TRUE(container_name_is_valid("123456789012345678901234567890123456789012345678901234567890123"));
        ASSERT_FALSE(container_name_is_valid("1234567890123456789012345678901234567890123456789012345678901234"));
        return 0;
}

TEST(container_host_names) {
        static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        char buf[CONTAINER_ID_SHORT_LEN + 1];

        /* systemd-machined 252 refuses '_' and empty labels: those names map to the short ID. */
        ASSERT_TRUE(hostname_is_valid_simple("web-1.prod"));
        ASSERT_FALSE(hostname_is_valid_simple("my_app"));
        ASSERT_FALSE(hostname_is_valid_simple("a..b"));
        ASSERT_FALSE(hostname_is_valid_simple("web."));
        ASSERT_FALSE(hostname_is_valid_simple("web-"));
        ASSERT_STREQ(container_host_name("web-1.prod", id, buf), "web-1.prod");
        ASSERT_STREQ(container_host_name("my_app", id, buf), "0123456789ab");
        ASSERT_STREQ(container_host_name("a..b", id, buf), "0123456789ab");
        ASSERT_STREQ(container_host_name("web.", id, buf), "0123456789ab");
        return 0;
}

TEST(slice_names) {
        ASSERT_TRUE(slice_name_is_valid("dray.slice"));
        ASSERT_TRUE(slice_name_is_valid("dray-batch.slice"));
        ASSERT_TRUE(slice_name_is_valid("system-a_b:c.slice"));
        ASSERT_FALSE(slice_name_is_valid(NULL));
        ASSERT_FALSE(slice_name_is_valid(""));
        ASSERT_FALSE(slice_name_is_valid(".slice"));
        ASSERT_FALSE(slice_name_is_valid("-.slice"));
        ASSERT_FALSE(slice_name_is_valid("a--b.slice"));
        ASSERT_FALSE(slice_name_is_valid("-a.slice"));
        ASSERT_FALSE(slice_name_is_valid("a-.slice"));
        ASSERT_FALSE(slice_name_is_valid("dray.service"));
        ASSERT_FALSE(slice_name_is_valid("a/b.slice"));
        ASSERT_FALSE(slice_name_is_valid("a b.slice"));
        return 0;
}

TEST(container_ids) {
        char id[CONTAINER_ID_LEN + 1], id2[CONTAINER_ID_LEN + 1];
        _cleanup_free_ char *n = NULL;

        ASSERT_OK(container_id_generate(id));
        ASSERT_OK(container_id_generate(id2));
        ASSERT_TRUE(container_id_is_valid(id));
        ASSERT_FALSE(streq(id, id2));
        ASSERT_TRUE(container_id_prefix_is_valid("abcd"));
        ASSERT_FALSE(container_id_prefix_is_valid("abc"));
        ASSERT_FALSE(container_id_prefix_is_valid("ABCD"));
        ASSERT_FALSE(container_id_is_valid("abcd"));
        ASSERT_OK(container_name_generate(&n));
        ASSERT_TRUE(container_name_is_valid(n));
        return 0;
}

TEST(state_table_roundtrip) {
        for (int i = 0; i < _CONTAINER_STATE_MAX; i++)
                ASSERT_EQ(container_state_from_string(container_state_to_string(i)), i);
        ASSERT_EQ(container_state_from_string("bogus"), _CONTAINER_STATE_INVALID);
        ASSERT_EQ(container_state_from_string(NULL), _CONTAINER_STATE_INVALID);
        ASSERT_TRUE(container_state_to_string(_CONTAINER_STATE_MAX) == NULL);
        return 0;
}

TEST(parsers) {
        uint64_t u;
        int sig;

        ASSERT_OK(parse_size("512m", &u));
        ASSERT_EQ(u, 512ULL << 20);
        ASSERT_OK(parse_size("1G", &u));
        ASSERT_EQ(u, 1ULL << 30);
        ASSERT_OK(parse_size("4096", &u));
        ASSERT_EQ(u, 4096);
        ASSERT_ERROR(parse_size("12q", &u), EINVAL);
        ASSERT_ERROR(parse_size("-1", &u), EINVAL);
        ASSERT_ERROR(parse_size("", &u), EINVAL);
        ASSERT_ERROR(parse_size("99999999999999999999", &u), ERANGE);
        ASSERT_ERROR(parse_size("20000000000000000000k", &u), ERANGE);
        ASSERT_OK(parse_cpus("1.5", &u));
        ASSERT_EQ(u, 1500000);
        ASSERT_OK(parse_cpus("0.25", &u));
        ASSERT_EQ(u, 250000);
        ASSERT_ERROR(parse_cpus("0", &u), ERANGE);
        ASSERT_ERROR(parse_cpus("1.2345", &u), EINVAL);
        ASSERT_ERROR(parse_cpus("abc", &u), EINVAL);
        ASSERT_OK(parse_timespan_sec("10", &u));
        ASSERT_EQ(u, 10 * USEC_PER_SEC);
        ASSERT_OK(parse_timespan_sec("500ms", &u));
        ASSERT_EQ(u, 500 * USEC_PER_MSEC);
        ASSERT_ERROR(parse_timespan_sec("ten", &u), EINVAL);
        ASSERT_OK(parse_signal("TERM", &sig));
        ASSERT_EQ(sig, SIGTERM);
        ASSERT_OK(parse_signal("sigkill", &sig));
        ASSERT_EQ(sig, SIGKILL);
        ASSERT_OK(parse_signal("10", &sig));
        ASSERT_EQ(sig, 10);
        ASSERT_ERROR(parse_signal("NOPE", &sig), EINVAL);
        ASSERT_ERROR(parse_signal("0", &sig), ERANGE);
        ASSERT_ERROR(parse_signal("99", &sig), ERANGE);
        return 0;
}

TEST(user_parse) {
        uid_t uid;
        gid_t gid;

        ASSERT_OK(parse_user("1000", &uid, &gid));
        ASSERT_EQ(uid, 1000);
        ASSERT_EQ(gid, 1000);
        ASSERT_OK(parse_user("1000:5", &uid, &gid));
        ASSERT_EQ(gid, 5);
        ASSERT_ERROR(parse_user("bob", &uid, &gid), EINVAL);
        ASSERT_ERROR(parse_user("", &uid, &gid), EINVAL);
        ASSERT_ERROR(parse_user("4294967295", &uid, &gid), ERANGE);
        return 0;
}

TEST(env_rules) {
        _cleanup_strv_free_ char **l = NULL;

        ASSERT_TRUE(env_assignment_is_valid("A=1"));
        ASSERT_TRUE(env_assignment_is_valid("A="));
        ASSERT_FALSE(env_assignment_is_valid("=1"));
        ASSERT_FALSE(env_assignment_is_valid("A"));
        ASSERT_FALSE(env_assignment_is_valid("1A=x"));
        ASSERT_OK(strv_env_set(&l, "A=1"));
        ASSERT_OK(strv_env_set(&l, "B=2"));
        ASSERT_OK(strv_env_set(&l, "A=3"));
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(strv_env_get(l, "A"), "3");
        return 0;
}

static int make_tmpdir(char *t) {
        return mkdtemp(t) ? open(t, O_DIRECTORY | O_CLOEXEC) : -errno;
}

TEST(spec_roundtrip) {
        _cleanup_(spec_freep) ContainerSpec *s = spec_new(), *l = NULL;
        char t[] = "/tmp/test-spec-XXXXXX";
        char id[CONTAINER_ID_LEN + 1];
        _cleanup_close_ int fd = -EBADF;
        const char *reason;

        ASSERT_OK(container_id_generate(id));
        s->id = strdup(id);
        s->name = strdup("web");
        s->rootfs = strdup("/srv/root");
        ASSERT_ERROR(spec_validate(s, &reason), EINVAL);
        ASSERT_STREQ(reason, "no command given");
        ASSERT_OK(strv_extend(&s->command, "/bin/sh"));
        ASSERT_OK(strv_extend(&s->command, "-c"));
        ASSERT_OK(strv_extend(&s->env, "PATH=/bin"));
        s->memory_max = 1 << 20;
        s->uid = 1000;
        s->gid = 1000;
        s->privileged = true;
        s->seccomp_profile = strdup("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
        ASSERT_ERROR(spec_validate(s, &reason), EINVAL); /* a profile and --privileged */
        s->privileged = false;
        s->seccomp_unconfined = true;
        ASSERT_ERROR(spec_validate(s, &reason), EINVAL);
        s->seccomp_unconfined = false;
        ASSERT_OK(spec_validate(s, NULL));

        fd = make_tmpdir(t);
        ASSERT_OK(fd);
        ASSERT_OK(spec_save(s, fd));
        ASSERT_OK(spec_load(fd, &l));
        ASSERT_STREQ(l->name, "web");
        ASSERT_EQ(strv_length(l->command), 2);
        ASSERT_EQ(l->memory_max, 1 << 20);
        ASSERT_EQ(l->cpu_weight, UNSET_U64);
        ASSERT_EQ(l->uid, 1000);
        ASSERT_EQ(l->stop_timeout_usec, DEFAULT_STOP_TIMEOUT_USEC);
        ASSERT_STREQ(l->seccomp_profile, "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
        ASSERT_FALSE(l->privileged || l->seccomp_unconfined);
        (void) unlinkat(fd, SPEC_FILE, 0);
        (void) rmdir(t);
        return 0;
}

TEST(spec_hostile) {
        static const char *const bad[] = {
                "{}",
                "[]",
                "{\"id\":\"zz\",\"name\":\"a\",\"rootfs\":\"/r\",\"command\":[\"x\"]}",
                "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\","
                "\"name\":\"-a\",\"rootfs\":\"/r\",\"command\":[\"x\"]}",
                "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\","
                "\"name\":\"a\",\"rootfs\":\"/r/../..\",\"command\":[\"x\"]}",
                "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\","
                "\"name\":\"a\",\"rootfs\":\"/r\",\"command\":[]}",
                "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\","
                "\"name\":\"a\",\"rootfs\":\"/r\",\"command\":[1]}",
                "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\","
                "\"name\":\"a\",\"rootfs\":\"/r\",\"command\":[\"x\"],\"uid\":-5}",
                "{\"id\":\"0000000000000000000000000000000000000000000000000000000000000000\","
                "\"name\":\"a\",\"rootfs\":\"/r\",\"command\":[\"x\"],\"env\":[\"=x\"]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_json_ json_object *o = json_tokener_parse(bad[i]);
                ContainerSpec *s = NULL;
                if (!o || !json_object_is_type(o, json_type_object))
                        continue;
                if (spec_from_json(o, &s) >= 0) {
                        fprintf(stderr, "accepted hostile spec #%zu\n", i);
                        spec_free(s);
                        return 1;
                }
        }
        return 0;
}

TEST(exit_record_roundtrip) {
        char t[] = "/tmp/test-exit-XXXXXX";
        _cleanup_close_ int fd = -EBADF;
        ExitRecord w = { .exit_status = 137, .finished_usec = 42, .oom_killed = true, .error = (char *) "x" };
        ExitRecord r = {};

        fd = make_tmpdir(t);
        ASSERT_OK(fd);
        ASSERT_ERROR(exit_record_load(fd, &r), ENOENT);
        ASSERT_OK(exit_record_save(fd, &w));
        ASSERT_OK(exit_record_load(fd, &r));
        ASSERT_EQ(r.exit_status, 137);
        ASSERT_EQ(r.finished_usec, 42);
        ASSERT_TRUE(r.oom_killed);
        ASSERT_STREQ(r.error, "x");
        exit_record_done(&r);
        (void) unlinkat(fd, EXIT_RECORD_FILE, 0);
        (void) rmdir(t);
        return 0;
}
