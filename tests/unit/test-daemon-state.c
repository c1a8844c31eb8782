/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.json round trips and hostile records, the state machine's table, the monitor's sync-line
 * parser, /proc/<pid>/stat parsing, and the generic helpers drayd brought into src/shared. */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic-write.h"
#include "container.h"
#include "hashmap.h"
#include "monitor-spawn.h"
#include "proc-util.h"
#include "rm-rf.h"
#include "state.h"
#include "test.h"

static int make_tmpdir(char *buf, size_t n) {
        snprintf(buf, n, "/tmp/test-daemon-state.XXXXXX");
        return mkdtemp(buf) ? 0 : -errno;
}

/* The same in memory (/dev/shm, when it is a directory we may write): 10,000 nested directories take
 * 16-30 s to create and remove on a loaded disk, past meson's 30 s limit; on tmpfs about 1 s. */
static int make_tmpdir_shm(char *buf, size_t n) {
        if (access("/dev/shm", W_OK | X_OK) < 0)
                return make_tmpdir(buf, n);
        snprintf(buf, n, "/dev/shm/test-daemon-state.XXXXXX");
        return mkdtemp(buf) ? 0 : -errno;
}

static int remove_tmpdir(const char *path) {
        return rm_rf_path(path);
}

TEST(record_roundtrip) {
        _cleanup_(container_record_done) ContainerRecord a = CONTAINER_RECORD_INIT, b = {};
        _cleanup_json_ json_object *o = NULL;

        a.state = CONTAINER_RUNNING;
        a.exit_status = -1;
        a.pid = 1234;
        a.monitor_pid = 1233;
        a.monitor_start_time = UINT64_C(123456789012);
        a.boot_id = SD_ID128_MAKE(01, 23, 45, 67, 89, ab, cd, ef, 01, 23, 45, 67, 89, ab, cd, ef);
        a.started_usec = UINT64_C(1700000000000000);
        a.finished_usec = 0;
        a.oom_killed = true;
        ASSERT_OK(container_record_set_error(&a, "it's \"quoted\"\nand multi-line"));

        ASSERT_OK(container_record_to_json(&a, &o));
        ASSERT_OK(container_record_from_json(o, &b));
        ASSERT_EQ(b.state, a.state);
        ASSERT_EQ(b.exit_status, -1);
        ASSERT_EQ(b.pid, a.pid);
        ASSERT_EQ(b.monitor_pid, a.monitor_pid);
        ASSERT_TRUE(b.monitor_start_time == a.monitor_start_time);
        ASSERT_TRUE(sd_id128_equal(b.boot_id, a.boot_id));
        ASSERT_TRUE(b.started_usec == a.started_usec);
        ASSERT_TRUE(b.oom_killed);
        ASSERT_STREQ(b.error, a.error);
        return 0;
}

TEST(record_save_load) {
        _cleanup_(container_record_done) ContainerRecord a = CONTAINER_RECORD_INIT, b = {};
        _cleanup_close_ int fd = -EBADF;
        char dir[64];
        struct stat st;

        ASSERT_OK(make_tmpdir(dir, sizeof(dir)));
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_ERROR(container_record_load(fd, &b), ENOENT);

        a.state = CONTAINER_EXITED;
        a.exit_status = 137;
        a.finished_usec = 42;
        ASSERT_OK(container_record_save(fd, &a, true));
        ASSERT_OK(container_record_load(fd, &b));
        ASSERT_EQ(b.state, CONTAINER_EXITED);
        ASSERT_EQ(b.exit_status, 137);
        ASSERT_TRUE(b.error == NULL);
        container_record_done(&b);

        /* Non-durable writes are still atomic replacements, and leave no temporary file behind. */
        a.state = CONTAINER_STOPPING;
        ASSERT_OK(container_record_save(fd, &a, false));
        ASSERT_OK(container_record_load(fd, &b));
        ASSERT_EQ(b.state, CONTAINER_STOPPING);
        ASSERT_OK(fstatat(fd, STATE_FILE, &st, 0));
        ASSERT_EQ(st.st_mode & 0777, 0600);
        ASSERT_OK(remove_tmpdir(dir));
        return 0;
}

static int from_text(const char *text, ContainerRecord *ret) {
        _cleanup_json_ json_object *o = json_tokener_parse(text);

        if (!o)
                return -EBADMSG;
        return container_record_from_json(o, ret);
}

TEST(record_hostile) {
        ContainerRecord r = {};

        ASSERT_ERROR(from_text("{}", &r), EBADMSG);
        ASSERT_ERROR(from_text("{\"state\":\"bogus\"}", &r), EBADMSG);
        ASSERT_ERROR(from_text("{\"state\":7}", &r), EBADMSG);
        ASSERT_ERROR(from_text("{\"state\":\"exited\",\"exit_status\":256}", &r), EBADMSG);
        ASSERT_ERROR(from_text("{\"state\":\"exited\",\"exit_status\":-2}", &r), EBADMSG);
        ASSERT_ERROR(from_text("{\"state\":\"exited\",\"exit_status\":\"0\"}", &r), EBADMSG);
        ASSERT_ERROR(from_text("{\"state\":\"running\",\"pid\":-1}", &r), EBADMSG);
        ASSERT_ERROR(from_text("{\"state\":\"running\",\"pid\":4294967296}", &r), EBADMSG);
        ASSERT_ERROR(from_text("{\"state\":\"running\",\"monitor_start_time\":-5}", &r), EBADMSG);
        ASSERT_ERROR(from_text("{\"state\":\"running\",\"boot_id\":\"not-an-id\"}", &r), EBADMSG);
        ASSERT_ERROR(from_text("{\"state\":\"running\",\"error\":[]}", &r), EBADMSG);
        ASSERT_ERROR(from_text("{\"state\":\"running\",\"oom_killed\":1}", &r), EBADMSG);

        /* Missing optional fields take their defaults. */
        ASSERT_OK(from_text("{\"state\":\"created\"}", &r));
        ASSERT_EQ(r.state, CONTAINER_CREATED);
        ASSERT_EQ(r.exit_status, -1);
        ASSERT_EQ(r.pid, 0);
        container_record_done(&r);
        return 0;
}

TEST(state_machine) {
        /* The lifecycle drayd implements, and nothing else. */
        ASSERT_TRUE(container_state_transition_is_valid(CONTAINER_CREATED, CONTAINER_STARTING));
        ASSERT_TRUE(container_state_transition_is_valid(CONTAINER_CREATED, CONTAINER_REMOVING));
        ASSERT_TRUE(container_state_transition_is_valid(CONTAINER_STARTING, CONTAINER_RUNNING));
        ASSERT_TRUE(container_state_transition_is_valid(CONTAINER_STARTING, CONTAINER_EXITED));
        ASSERT_TRUE(container_state_transition_is_valid(CONTAINER_RUNNING, CONTAINER_STOPPING));
        ASSERT_TRUE(container_state_transition_is_valid(CONTAINER_RUNNING, CONTAINER_EXITED));
        ASSERT_TRUE(container_state_transition_is_valid(CONTAINER_STOPPING, CONTAINER_EXITED));
        ASSERT_TRUE(container_state_transition_is_valid(CONTAINER_EXITED, CONTAINER_STARTING));
        ASSERT_TRUE(container_state_transition_is_valid(CONTAINER_EXITED, CONTAINER_REMOVING));

        ASSERT_FALSE(container_state_transition_is_valid(CONTAINER_CREATED, CONTAINER_RUNNING));
        ASSERT_FALSE(container_state_transition_is_valid(CONTAINER_CREATED, CONTAINER_EXITED));
        ASSERT_FALSE(container_state_transition_is_valid(CONTAINER_STARTING, CONTAINER_REMOVING));
        ASSERT_FALSE(container_state_transition_is_valid(CONTAINER_RUNNING, CONTAINER_REMOVING));
        ASSERT_FALSE(container_state_transition_is_valid(CONTAINER_RUNNING, CONTAINER_STARTING));
        ASSERT_FALSE(container_state_transition_is_valid(CONTAINER_STOPPING, CONTAINER_RUNNING));
        ASSERT_FALSE(container_state_transition_is_valid(CONTAINER_EXITED, CONTAINER_RUNNING));
        for (int s = 0; s < _CONTAINER_STATE_MAX; s++) {
                ASSERT_FALSE(container_state_transition_is_valid(CONTAINER_REMOVING, s));
                ASSERT_FALSE(container_state_transition_is_valid(s, s));
        }
        ASSERT_FALSE(container_state_transition_is_valid(_CONTAINER_STATE_INVALID, CONTAINER_CREATED));
        ASSERT_FALSE(container_state_transition_is_valid(CONTAINER_CREATED, _CONTAINER_STATE_MAX));
        return 0;
}

TEST(start_errors) {
        ASSERT_EQ(start_error_from_errno(ENOENT), START_ERROR_COMMAND_NOT_FOUND);
        ASSERT_EQ(start_error_from_errno(EACCES), START_ERROR_NOT_EXECUTABLE);
        ASSERT_EQ(start_error_from_errno(ENOEXEC), START_ERROR_NOT_EXECUTABLE);
        ASSERT_EQ(start_error_from_errno(EPERM), START_ERROR_NOT_EXECUTABLE);
        ASSERT_EQ(start_error_from_errno(EIO), START_ERROR_OTHER);
        ASSERT_EQ(container_exit_status_for_start_error(START_ERROR_COMMAND_NOT_FOUND), 127);
        ASSERT_EQ(container_exit_status_for_start_error(START_ERROR_NOT_EXECUTABLE), 126);
        ASSERT_EQ(container_exit_status_for_start_error(START_ERROR_SYSTEMD), 125);
        ASSERT_EQ(container_exit_status_for_start_error(START_ERROR_OTHER), 125);
        return 0;
}

TEST(proc_stat) {
        pid_t ppid;
        uint64_t start;

        ASSERT_OK(proc_stat_parse("42 (sleep) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456 0 0",
                                  &ppid, &start));
        ASSERT_EQ(ppid, 1);
        ASSERT_EQ(start, 123456);
        /* comm can hold ") " and spaces: the last ')' ends it. */
        ASSERT_OK(proc_stat_parse("42 (a) S 7 (b) R 99 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 777 0 0", &ppid,
                                  &start));
        ASSERT_EQ(ppid, 99);
        ASSERT_EQ(start, 777);
        ASSERT_ERROR(proc_stat_parse("", &ppid, &start), EBADMSG);
        ASSERT_ERROR(proc_stat_parse("42 (sleep", &ppid, &start), EBADMSG);
        ASSERT_ERROR(proc_stat_parse("42 (sleep) S 1 2 3", &ppid, &start), EBADMSG);

        ASSERT_OK(proc_get_ppid(getpid(), &ppid));
        ASSERT_EQ(ppid, getppid());
        ASSERT_OK(proc_get_starttime(getpid(), &start));
        ASSERT_TRUE(start > 0);
        ASSERT_ERROR(proc_get_starttime(0, &start), EINVAL);
        return 0;
}

TEST(hashmap) {
        _cleanup_(hashmap_freep) Hashmap *h = hashmap_new();
        static char keys[2000][8];
        size_t seen = 0;
        void *v;

        ASSERT_TRUE(h);
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
                ASSERT_OK(hashmap_put(h, keys[i], keys[i]));
        }
        ASSERT_ERROR(hashmap_put(h, "k7", NULL), EEXIST);
        ASSERT_EQ(hashmap_size(h), ELEMENTSOF(keys));
        ASSERT_TRUE(hashmap_get(h, "k1999") == keys[1999]);
        ASSERT_TRUE(hashmap_get(h, "k2000") == NULL);

        /* Removing the entry just returned while iterating is allowed. */
        HASHMAP_FOREACH(v, h) {
                seen++;
                if (((char *) v)[1] == '1')
                        ASSERT_TRUE(hashmap_remove(h, v) == v);
        }
        ASSERT_EQ(seen, ELEMENTSOF(keys));
        ASSERT_TRUE(hashmap_get(h, "k1") == NULL);
        ASSERT_TRUE(hashmap_get(h, "k2") == keys[2]);
        ASSERT_EQ(hashmap_size(h), ELEMENTSOF(keys) - 1 - 10 - 100 - 1000);
        ASSERT_TRUE(hashmap_remove(h, "nope") == NULL);
        return 0;
}

/* A tree 10,000 levels deep (far past PATH_MAX and any fd table), wide at a few levels, with
 * symlinks to a directory outside that must not be followed: rm_rf removes all of it. */
TEST(rm_rf_deep_tree) {
        _cleanup_close_ int fd = -EBADF, outside = -EBADF;
        char dir[64];
        int cur;

        ASSERT_OK(make_tmpdir_shm(dir, sizeof(dir)));
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(mkdirat(fd, "outside", 0700));
        outside = openat(fd, "outside", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(outside >= 0);
        ASSERT_OK(mkdirat(outside, "keep", 0700));
        ASSERT_OK(mkdirat(fd, "deep", 0700));
        cur = openat(fd, "deep", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(cur >= 0);
        for (int i = 0; i < 10000; i++) {
                int next;

                if (i % 2500 == 0) {
                        char link[PATH_MAX];

                        snprintf(link, sizeof(link), "%s/outside", dir);
                        ASSERT_OK(symlinkat(link, cur, "out"));
                        ASSERT_OK(mkdirat(cur, "w1", 0700));
                        ASSERT_OK(mkdirat(cur, "w2", 0700));
                        ASSERT_OK(mknodat(cur, "fifo", S_IFIFO | 0600, 0));
                }
                ASSERT_OK(mkdirat(cur, "d", 0700));
                next = openat(cur, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                ASSERT_TRUE(next >= 0);
                safe_close(cur);
                cur = next;
        }
        safe_close(cur);
        ASSERT_OK(rm_rf_at(fd, "deep"));
        ASSERT_TRUE(faccessat(fd, "deep", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
        ASSERT_OK(faccessat(outside, "keep", F_OK, AT_SYMLINK_NOFOLLOW));
        ASSERT_OK(remove_tmpdir(dir));
        return 0;
}

TEST(rm_rf_and_atomic_write) {
        _cleanup_close_ int fd = -EBADF;
        char dir[64], buf[16] = {};
        int f;

        ASSERT_OK(make_tmpdir(dir, sizeof(dir)));
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(mkdirat(fd, "a", 0700));
        ASSERT_OK(mkdirat(fd, "a/b", 0700));
        ASSERT_OK(write_file_atomic(fd, "a/b/../c", "", 0, 0) == -EINVAL ? 0 : -EIO);
        ASSERT_OK(symlinkat("/etc", fd, "a/link-to-etc"));
        ASSERT_OK(write_file_atomic(fd, "file", "hello", 5, ATOMIC_WRITE_SYNC));
        f = openat(fd, "file", O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(f >= 0);
        ASSERT_EQ(read(f, buf, sizeof(buf)), 5);
        safe_close(f);
        ASSERT_STREQ(buf, "hello");
        ASSERT_ERROR(write_file_atomic(fd, "a/x", "", 0, 0), EINVAL);

        ASSERT_OK(rm_rf_at(fd, "a"));
        ASSERT_TRUE(faccessat(fd, "a", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
        ASSERT_TRUE(access("/etc/passwd", F_OK) == 0); /* the symlink was not followed */
        ASSERT_OK(rm_rf_at(fd, "missing"));
        ASSERT_ERROR(rm_rf_at(fd, ".."), EINVAL);
        ASSERT_ERROR(rm_rf_at(fd, "x/y"), EINVAL);
        ASSERT_OK(remove_tmpdir(dir));
        ASSERT_TRUE(access(dir, F_OK) < 0);
        return 0;
}
