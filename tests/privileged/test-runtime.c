/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Privileged tests of the container runtime: real namespaces and mounts, a busybox root. Skip (77)
 * unless root. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "name.h"
#include "runtime.h"
#include "seccomp-bpf.h"
#include "strv.h"
#include "test-rootfs.h"
#include "test.h"

#define STRV_MAKE(...) ((char *[]) { __VA_ARGS__, NULL })

#include "test-run.h"

TEST(container_view) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        Run run;

        TEST_ROOT_SETUP(t);
        s = spec_for(&t,
                     "echo pid=$$; echo init=$(cat /proc/1/comm); echo host=$(hostname);"
                     "grep -q ' /sys sysfs ro,' /proc/mounts && echo sys-ro;"
                     "test -r /proc/self/status && echo proc-ok;"
                     "echo dev=$(ls /dev | tr '\\n' ' ');"
                     "echo x > /dev/null && echo null-ok;"
                     "echo urandom=$(head -c 7 /dev/urandom | wc -c);"
                     "grep -E '^(Cap|NoNewPrivs)' /proc/self/status;"
                     "echo kcore=$(cat /proc/kcore 2>/dev/null | wc -c);"
                     "echo 1 2>/dev/null > /proc/sysrq-trigger || echo sysrq-ro;"
                     "echo 1 2>/dev/null > /proc/sys/kernel/domainname || echo procsys-ro;"
                     "echo fds=$(ls /proc/self/fd | tr '\\n' ' ');"
                     "echo uid=$(id -u) cwd=$(pwd); echo lo=$(cat /sys/class/net/lo/flags);"
                     "echo nets=$(ls /sys/class/net | tr '\\n' ' '); echo to-stderr >&2");
        ASSERT_TRUE(s);
        s->hostname = strdup("box1");
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_EQ(run.exit_status, 0);
        ASSERT_CONTAINS(run.out, "pid=2\n");
        ASSERT_CONTAINS(run.out, "init=dray-init\n");
        ASSERT_CONTAINS(run.out, "host=box1\n");
        ASSERT_CONTAINS(run.out, "sys-ro\n");
        ASSERT_CONTAINS(run.out, "proc-ok\n");
        ASSERT_CONTAINS(run.out, "dev=fd full mqueue null ptmx pts random shm stderr stdin stdout tty "
                                 "urandom zero\n");
        ASSERT_CONTAINS(run.out, "null-ok\n");
        ASSERT_CONTAINS(run.out, "urandom=7\n");
        /* Docker's default 14 capabilities, for root in every set but inheritable and ambient. */
        ASSERT_CONTAINS(run.out, "CapInh:\t0000000000000000\n");
        ASSERT_CONTAINS(run.out, "CapPrm:\t00000000a80425fb\n");
        ASSERT_CONTAINS(run.out, "CapEff:\t00000000a80425fb\n");
        ASSERT_CONTAINS(run.out, "CapBnd:\t00000000a80425fb\n");
        ASSERT_CONTAINS(run.out, "CapAmb:\t0000000000000000\n");
        ASSERT_CONTAINS(run.out, "NoNewPrivs:\t1\n");
        ASSERT_CONTAINS(run.out, "kcore=0\n");
        ASSERT_CONTAINS(run.out, "sysrq-ro\n");
        ASSERT_CONTAINS(run.out, "procsys-ro\n");
        /* ls itself holds 3, the directory it lists. */
        ASSERT_CONTAINS(run.out, "fds=0 1 2 3\n");
        ASSERT_CONTAINS(run.out, "uid=0 cwd=/\n");
        ASSERT_CONTAINS(run.out, "lo=0x9\n"); /* IFF_UP | IFF_LOOPBACK */
        ASSERT_CONTAINS(run.out, "nets=lo\n"); /* a network namespace of its own */
        ASSERT_STREQ(run.err, "to-stderr\n");
        return 0;
}

TEST(exit_status) {
        _cleanup_(test_root_free) TestRoot t = {};
        Run run;

        TEST_ROOT_SETUP(t);
        ASSERT_OK(run_script(&t, "exit 42", &run));
        ASSERT_OK(run.r);
        ASSERT_EQ(run.exit_status, 42);
        ASSERT_OK(run_script(&t, "kill -USR1 $$", &run));
        ASSERT_OK(run.r);
        ASSERT_EQ(run.exit_status, 128 + SIGUSR1);
        return 0;
}

static int start_script(const TestRoot *t, const char *script, int out[2], pid_t *ret_pid) {
        _cleanup_(spec_freep) ContainerSpec *s = spec_for(t, script);
        RuntimeIO io;
        RuntimeError e;

        if (!s)
                return -ENOMEM;
        if (pipe2(out, O_CLOEXEC) < 0)
                return -errno;
        io = io_for(t, out[1], out[1]);
        return runtime_start(s, &io, &e, ret_pid);
}

static uint64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

TEST(sigterm_to_init_stops_payload) {
        _cleanup_(test_root_free) TestRoot t = {};
        int out[2], status = -1;
        uint64_t t0;
        pid_t pid;

        TEST_ROOT_SETUP(t);
        ASSERT_OK(start_script(&t, "exec sleep 1000", out, &pid));
        t0 = now_ms();
        ASSERT_OK(kill(pid, SIGTERM));
        ASSERT_OK(wait_exit(pid, 3000, &status));
        ASSERT_TRUE(now_ms() - t0 < 1000);
        ASSERT_EQ(status, 128 + SIGTERM);
        close(out[0]);
        close(out[1]);
        return 0;
}

TEST(payload_ignoring_sigterm_needs_sigkill) {
        _cleanup_(test_root_free) TestRoot t = {};
        int out[2], status = -1;
        char buf[16] = {};
        pid_t pid;

        TEST_ROOT_SETUP(t);
        /* Signal only once the trap is in place. */
        ASSERT_OK(start_script(&t, "trap '' TERM; echo ready; sleep 1000; true", out, &pid));
        ASSERT_EQ(read(out[0], buf, sizeof(buf) - 1), 6);
        ASSERT_STREQ(buf, "ready\n");
        ASSERT_OK(kill(pid, SIGTERM));
        ASSERT_ERROR(wait_exit(pid, 500, &status), ETIMEDOUT);
        ASSERT_OK(kill(pid, SIGKILL));
        ASSERT_OK(wait_exit(pid, 3000, &status));
        ASSERT_EQ(status, 128 + SIGKILL);
        close(out[0]);
        close(out[1]);
        return 0;
}

TEST(init_holds_only_its_signalfd) {
        _cleanup_(test_root_free) TestRoot t = {};
        char path[64];
        int out[2], status = -1, n = 0, leak;
        struct dirent *de;
        DIR *d;
        pid_t pid;

        TEST_ROOT_SETUP(t);
        /* An fd without O_CLOEXEC in the caller must not reach the container. */
        leak = open("/", O_RDONLY | O_DIRECTORY);
        ASSERT_TRUE(leak >= 0);
        ASSERT_OK(start_script(&t, "exec sleep 1000", out, &pid));
        snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
        d = opendir(path);
        ASSERT_TRUE(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        ASSERT_EQ(n, 1);
        kill(pid, SIGKILL);
        ASSERT_OK(wait_exit(pid, 3000, &status));
        close(leak);
        close(out[0]);
        close(out[1]);
        return 0;
}

TEST(exec_failures) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        char path[256];
        Run run;

        TEST_ROOT_SETUP(t);
        SPEC_FOR(s, t, "true");

        free(s->command[0]);
        s->command[0] = strdup("no-such-command");
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_ERROR(run.r, ENOENT);
        ASSERT_EQ(run.error.stage, RUNTIME_STAGE_EXEC);
        ASSERT_EQ(runtime_error_exit_status(&run.error), 127);
        ASSERT_CONTAINS(run.error.message, "executable file not found");

        free(s->command[0]);
        s->command[0] = strdup("/bin/no-such-command");
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_ERROR(run.r, ENOENT);
        ASSERT_EQ(runtime_error_exit_status(&run.error), 127);

        snprintf(path, sizeof(path), "%s/bin/not-executable", t.rootfs);
        ASSERT_OK(copy_file("/etc/hostname", path, 0644));
        free(s->command[0]);
        s->command[0] = strdup("not-executable");
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_ERROR(run.r, EACCES);
        ASSERT_EQ(runtime_error_exit_status(&run.error), 126);

        free(s->command[0]);
        s->command[0] = strdup("true");
        s->working_dir = strdup("/no/such/dir");
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_ERROR(run.r, ENOENT);
        ASSERT_EQ(run.error.stage, RUNTIME_STAGE_SETUP);
        ASSERT_EQ(runtime_error_exit_status(&run.error), 125);
        ASSERT_CONTAINS(run.error.message, "/no/such/dir");
        return 0;
}

TEST(bad_input_fails_before_clone) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        char path[256];
        Run run;

        TEST_ROOT_SETUP(t);
        SPEC_FOR(s, t, "true");
        ASSERT_OK(strv_extend(&s->cap_add, "CAP_BOGUS"));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_ERROR(run.r, EINVAL);
        ASSERT_CONTAINS(run.error.message, "CAP_BOGUS");
        s->cap_add = strv_free(s->cap_add);

        /* A rootfs whose /proc points elsewhere is refused, not followed. */
        snprintf(path, sizeof(path), "%s/proc", t.rootfs);
        ASSERT_OK(rmdir(path));
        ASSERT_OK(symlink("/etc", path));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_ERROR(run.r, ELOOP);
        ASSERT_EQ(run.error.stage, RUNTIME_STAGE_SETUP);
        return 0;
}

TEST(non_root_user) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        Run run;

        TEST_ROOT_SETUP(t);
        s = spec_for(&t, "id -u; id -g; grep -E '^(Cap|NoNewPrivs)' /proc/self/status;"
                         "grep -qE '^Groups:[[:space:]]*$' /proc/self/status && echo no-groups");
        ASSERT_TRUE(s);
        s->uid = 1000;
        s->gid = 1001;
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_EQ(run.exit_status, 0);
        ASSERT_CONTAINS(run.out, "1000\n1001\n");
        ASSERT_CONTAINS(run.out, "CapInh:\t0000000000000000\n");
        ASSERT_CONTAINS(run.out, "CapPrm:\t0000000000000000\n");
        ASSERT_CONTAINS(run.out, "CapEff:\t0000000000000000\n");
        ASSERT_CONTAINS(run.out, "CapBnd:\t00000000a80425fb\n");
        ASSERT_CONTAINS(run.out, "no-groups\n");
        return 0;
}

TEST(cap_add_drop) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        uint64_t mask;
        Run run;

        TEST_ROOT_SETUP(t);
        SPEC_FOR(s, t, "grep -E '^Cap(Eff|Bnd)' /proc/self/status");
        ASSERT_OK(strv_extend(&s->cap_drop, "ALL"));
        ASSERT_OK(strv_extend(&s->cap_add, "net_admin"));
        ASSERT_OK(strv_extend(&s->cap_add, "CAP_KILL"));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_CONTAINS(run.out, "CapEff:\t0000000000001020\n");
        ASSERT_CONTAINS(run.out, "CapBnd:\t0000000000001020\n");

        /* Docker's rules, without a container. */
        ASSERT_OK(runtime_caps_from_spec(NULL, STRV_MAKE("CHOWN", "cap_kill"), &mask, NULL));
        ASSERT_EQ(mask, 0xa80425fbULL & ~0x21ULL);
        ASSERT_OK(runtime_caps_from_spec(STRV_MAKE("ALL"), STRV_MAKE("SYS_ADMIN"), &mask, NULL));
        ASSERT_TRUE(!(mask & (1ULL << 21)) && (mask & (1ULL << 12)));
        ASSERT_OK(runtime_caps_from_spec(STRV_MAKE("CHOWN"), STRV_MAKE("CHOWN"), &mask, NULL));
        ASSERT_EQ(mask, 0xa80425fbULL);
        ASSERT_ERROR(runtime_caps_from_spec(STRV_MAKE("12"), NULL, &mask, NULL), EINVAL);
        /* ALL is what this process's bounding set holds; a name is kept even where the bounding set
         * lacks it, so that the start fails saying so instead of dropping it silently. */
        ASSERT_OK(runtime_caps_from_spec(STRV_MAKE("ALL"), NULL, &mask, NULL));
        ASSERT_EQ(mask, runtime_caps_all());
        ASSERT_OK(runtime_caps_from_spec(STRV_MAKE("SYS_RESOURCE"), NULL, &mask, NULL));
        ASSERT_TRUE(mask & (1ULL << 24));
        return 0;
}

static int count_entries(const char *path) {
        struct dirent *de;
        DIR *d = opendir(path);
        int n = 0;

        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

TEST(ephemeral_keeps_rootfs) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        char path[256];
        struct stat st;
        int before;
        Run run;

        TEST_ROOT_SETUP(t);
        before = count_entries(t.rootfs);
        s = spec_for(&t, "echo data > /new-file && rm /bin/true && mkdir /new-dir && echo written;"
                         "stat -c %a /");
        ASSERT_TRUE(s);
        s->ephemeral = true;
        s->uid = 1000; /* "/" must stay traversable for a non-root payload */
        s->gid = 1000;
        free(s->command[2]);
        s->command[2] = strdup("stat -c %a /; ls /bin/sh >/dev/null && echo can-read");
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_CONTAINS(run.out, "755\ncan-read\n");

        s->uid = s->gid = 0;
        free(s->command[2]);
        s->command[2] = strdup("echo data > /new-file && rm /bin/true && mkdir /new-dir && echo written");
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_CONTAINS(run.out, "written\n");
        /* Nothing of it, not even the mount points, reached the rootfs. */
        ASSERT_EQ(count_entries(t.rootfs), before);
        snprintf(path, sizeof(path), "%s/bin/true", t.rootfs);
        ASSERT_OK(lstat(path, &st));
        snprintf(path, sizeof(path), "%s/new-file", t.upper);
        ASSERT_OK(stat(path, &st));
        return 0;
}

TEST(read_only_root) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        Run run;

        TEST_ROOT_SETUP(t);
        s = spec_for(&t, "touch /x 2>/dev/null && echo root-rw || echo root-ro;"
                         "touch /dev/shm/x && echo shm-rw; test -r /proc/self/status && echo proc-ok");
        ASSERT_TRUE(s);
        s->read_only = true;
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_STREQ(run.out, "root-ro\nshm-rw\nproc-ok\n");
        return 0;
}

/* The default profile, compiled for Docker's default capabilities, as dray-monitor hands it over. */
static int compiled_default_profile(void) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        _cleanup_free_ char *error = NULL;
        const char *bad = NULL;
        uint64_t caps;
        int fd;

        if (seccomp_profile_load_file(DRAY_TEST_SECCOMP_PROFILE, &p, &error) < 0 ||
            runtime_caps_from_spec(NULL, NULL, &caps, &bad) < 0)
                return -EINVAL;
        fd = memfd_create("test-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (seccomp_profile_export_blob(p, caps, fd) < 0) {
                close(fd);
                return -EIO;
        }
        return fd;
}

TEST(seccomp_profile) {
        _cleanup_(test_root_free) TestRoot t = {};
        char path[256];
        Run run;

        TEST_ROOT_SETUP(t);
        test_seccomp_fd = compiled_default_profile();
        ASSERT_TRUE(test_seccomp_fd >= 0);
        ASSERT_OK(run_script(&t, "grep Seccomp: /proc/self/status; echo fds=$(ls /proc/self/fd | tr '\\n' ' ');"
                             "unshare -U true 2>/dev/null && echo unshare-allowed || echo unshare-denied",
                             &run));
        test_seccomp_fd = safe_close(test_seccomp_fd);
        ASSERT_OK(run.r);
        ASSERT_EQ(run.exit_status, 0);
        /* Filtered, by the profile's rules, and the filter's fd is gone before the command runs. */
        ASSERT_STREQ(run.out, "Seccomp:\t2\nfds=0 1 2 3\nunshare-denied\n");

        /* Something that is no compiled filter fails the start, saying so. */
        snprintf(path, sizeof(path), "%s/bad-filter", t.dir);
        test_seccomp_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        ASSERT_TRUE(test_seccomp_fd >= 0);
        ASSERT_EQ(write(test_seccomp_fd, "{\"defaultAction\": 42}", 21), 21);
        ASSERT_OK(run_script(&t, "true", &run));
        test_seccomp_fd = safe_close(test_seccomp_fd);
        ASSERT_ERROR(run.r, EBADMSG);
        ASSERT_EQ(run.error.stage, RUNTIME_STAGE_SETUP);
        ASSERT_CONTAINS(run.error.message, "seccomp filter");
        return 0;
}

/* Any signal but the init's own reaches the payload: a standard one and a real-time one. systemd's
 * SIGRTMIN+3 and SIGRTMIN+4 (halt, poweroff: what `machinectl poweroff` sends) arrive as the
 * container's stop signal (SIGTERM here), since the payload is no init. */
TEST(signals_are_forwarded) {
        static const int sigs[] = { SIGUSR1, SIGHUP, 40 /* SIGRTMIN+6 */, 37 /* SIGRTMIN+3 */, 38 };
        static const int trapped[] = { SIGUSR1, SIGHUP, 40, SIGTERM, SIGTERM };
        _cleanup_(test_root_free) TestRoot t = {};

        TEST_ROOT_SETUP(t);
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
                char script[128], buf[16] = {};
                int out[2], status = -1;
                pid_t pid;

                snprintf(script, sizeof(script),
                         "trap 'exit 7' %d; echo ready; while :; do sleep 0.05; done", trapped[i]);
                ASSERT_OK(start_script(&t, script, out, &pid));
                ASSERT_EQ(read(out[0], buf, sizeof(buf) - 1), 6);
                ASSERT_OK(kill(pid, sigs[i]));
                ASSERT_OK(wait_exit(pid, 3000, &status));
                ASSERT_EQ(status, 7);
                close(out[0]);
                close(out[1]);
        }
        return 0;
}
