/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loads the shipped default profile into a forked child, as the runtime does right before execve(), and
 * checks what the payload can and cannot do. Needs root only to be sure the failures come from the
 * filter and not from missing privileges: every forbidden call here would succeed for root without it. */
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "seccomp-profile.h"
#include "test.h"

#define CAP(c) (UINT64_C(1) << (c))
#define DEFAULT_CAPS                                                                                     \
        (CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FSETID) | CAP(CAP_FOWNER) | CAP(CAP_MKNOD) |  \
         CAP(CAP_NET_RAW) | CAP(CAP_SETGID) | CAP(CAP_SETUID) | CAP(CAP_SETFCAP) | CAP(CAP_SETPCAP) |   \
         CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_SYS_CHROOT) | CAP(CAP_KILL) | CAP(CAP_AUDIT_WRITE))

/* In the filtered child: report and count, since ASSERT_* would return from the wrong function. */
#define EXPECT(expr)                                                                                     \
        do {                                                                                            \
                if (!(expr)) {                                                                          \
                        fprintf(stderr, "%s:%d: expected %s (errno %d %s)\n", __FILE__, __LINE__, #expr, \
                                errno, strerror(errno));                                                \
                        failures++;                                                                     \
                }                                                                                       \
        } while (0)
#define EXPECT_ERRNO(call, err)                                                                          \
        do {                                                                                            \
                errno = 0;                                                                              \
                long _r = (long) (call);                                                                \
                if (_r != -1 || errno != (err)) {                                                       \
                        fprintf(stderr, "%s:%d: %s returned %ld errno %d (%s), expected errno %s\n",      \
                                __FILE__, __LINE__, #call, _r, errno, strerror(errno), #err);           \
                        failures++;                                                                     \
                }                                                                                       \
        } while (0)

static void *thread_main(void *arg) {
        return arg;
}

/* clone() with flags and no new stack returns twice, like fork(), should the filter let it through. */
static long raw_clone(unsigned long flags) {
        long r = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);

        if (r == 0)
                _exit(0);
        if (r > 0)
                (void) waitpid((pid_t) r, NULL, 0);
        return r;
}

static int run_filtered(uint64_t caps, int (*checks)(void)) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        _cleanup_free_ char *reason = NULL;
        int status, r;
        pid_t pid;

        if (geteuid() != 0)
                return TEST_SKIP;
        r = seccomp_profile_load_file(DRAY_TEST_SECCOMP_PROFILE, &p, &reason);
        if (r < 0) {
                fprintf(stderr, "loading the profile failed: %s\n", reason);
                return 1;
        }

        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                /* The runtime's order: no_new_privs, (capabilities), seccomp, execve. */
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(100);
                r = seccomp_profile_apply(p, caps);
                if (r < 0) {
                        fprintf(stderr, "seccomp_profile_apply: %s\n", strerror(-r));
                        _exit(101);
                }
                _exit(checks() == 0 ? 0 : 1);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status)) {
                fprintf(stderr, "filtered child killed by signal %d\n", WTERMSIG(status));
                return 1;
        }
        ASSERT_EQ(WEXITSTATUS(status), 0);
        return 0;
}

static int checks_default(void) {
        struct perf_event_attr pe = { .type = PERF_TYPE_SOFTWARE, .size = sizeof(pe),
                                      .config = PERF_COUNT_SW_CPU_CLOCK };
        union bpf_attr attr = {};
        struct file_handle *fh;
        int failures = 0, pipefd[2], mount_id, status;
        pthread_t thread;
        char c = 'x';
        pid_t pid;

        /* What every program needs. */
        EXPECT(getpid() > 0);
        EXPECT(pipe2(pipefd, O_CLOEXEC) == 0);
        EXPECT(write(pipefd[1], &c, 1) == 1);
        EXPECT(read(pipefd[0], &c, 1) == 1);
        EXPECT(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0) >= 0);
        EXPECT(socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0) >= 0 || errno == EAFNOSUPPORT);
        EXPECT(personality(0xffffffff) >= 0);
        EXPECT(open("/proc/self/status", O_RDONLY | O_CLOEXEC) >= 0);

        /* fork() is clone() without namespace flags. */
        pid = fork();
        EXPECT(pid >= 0);
        if (pid == 0)
                _exit(42);
        EXPECT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 42);

        /* Threads: glibc tries clone3() first, gets ENOSYS and falls back to clone(). */
        EXPECT_ERRNO(syscall(SYS_clone3, NULL, 0), ENOSYS);
        EXPECT(pthread_create(&thread, NULL, thread_main, NULL) == 0);
        EXPECT(pthread_join(thread, NULL) == 0);

        /* New namespaces, above all user namespaces: neither through clone() nor unshare(). */
        EXPECT_ERRNO(raw_clone(CLONE_NEWUSER), EPERM);
        EXPECT_ERRNO(raw_clone(CLONE_NEWNS), EPERM);
        EXPECT_ERRNO(unshare(CLONE_NEWUSER), EPERM);
        EXPECT_ERRNO(unshare(CLONE_NEWNS), EPERM);
        EXPECT_ERRNO(setns(0, 0), EPERM);

        /* The kernel's attack surface Docker's profile closes. Each call is harmless should the filter let
         * it through: bad arguments, nonexistent paths. */
        EXPECT_ERRNO(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0), EPERM);
        EXPECT_ERRNO(syscall(SYS_add_key, "user", "dray-test", "x", 1, -3), EPERM);
        EXPECT_ERRNO(syscall(SYS_request_key, "user", "dray-test", NULL, 0), EPERM);
        EXPECT_ERRNO(syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)), EPERM);
        EXPECT_ERRNO(syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0), EPERM);
        EXPECT_ERRNO(syscall(SYS_userfaultfd, O_CLOEXEC), EPERM);
        EXPECT_ERRNO(mount("none", "/nonexistent-dray", "tmpfs", 0, NULL), EPERM);
        EXPECT_ERRNO(umount2("/nonexistent-dray", 0), EPERM);
        EXPECT_ERRNO(syscall(SYS_pivot_root, "/nonexistent-dray", "/nonexistent-dray"), EPERM);
        /* Invalid flags: without the filter this would be EINVAL, never an unload of a loaded kernel. */
        EXPECT_ERRNO(syscall(SYS_kexec_load, 0, 1, NULL, 0xdead0000UL), EPERM);
        EXPECT_ERRNO(syscall(SYS_init_module, NULL, 0, ""), EPERM);
        EXPECT_ERRNO(syscall(SYS_delete_module, "dray_nonexistent", 0), EPERM);
        EXPECT_ERRNO(syscall(SYS_iopl, 0), EPERM);
        EXPECT_ERRNO(syscall(SYS_swapoff, "/nonexistent-dray"), EPERM);
        EXPECT_ERRNO(syscall(SYS_acct, "/nonexistent-dray"), EPERM);
        EXPECT_ERRNO(syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), EPERM);
        EXPECT_ERRNO(syscall(SYS_settimeofday, NULL, NULL), EPERM);
        EXPECT_ERRNO(syscall(SYS_adjtimex, NULL), EPERM);
        EXPECT_ERRNO(ptrace(PTRACE_TRACEME, 0, NULL, NULL), EPERM);
        EXPECT_ERRNO(syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0), EPERM);
        EXPECT_ERRNO(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0), EPERM);
        EXPECT_ERRNO(socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0), EPERM);
        EXPECT_ERRNO(personality(PER_LINUX | ADDR_NO_RANDOMIZE), EPERM);
        EXPECT_ERRNO(syscall(SYS_io_uring_setup, 1, NULL), EPERM);
        EXPECT_ERRNO(syscall(SYS_reboot, 0, 0, 0, NULL), EPERM);

        /* name_to_handle_at() answers "not supported", which callers handle. */
        fh = calloc(1, sizeof(struct file_handle) + MAX_HANDLE_SZ);
        EXPECT(fh);
        if (fh) {
                fh->handle_bytes = MAX_HANDLE_SZ;
                EXPECT_ERRNO(name_to_handle_at(AT_FDCWD, "/", fh, &mount_id, 0), EOPNOTSUPP);
                free(fh);
        }

        return failures;
}

static int checks_sys_admin(void) {
        int failures = 0;

        /* With CAP_SYS_ADMIN the profile lets these through to the kernel, which then decides. */
        EXPECT_ERRNO(umount2("/nonexistent-dray", 0), ENOENT);
        EXPECT_ERRNO(mount("none", "/nonexistent-dray", "tmpfs", 0, NULL), ENOENT);
        EXPECT_ERRNO(setns(-1, 0), EBADF);
        /* and pivot_root stays forbidden even then, as in Docker's profile */
        EXPECT_ERRNO(syscall(SYS_pivot_root, "/nonexistent-dray", "/nonexistent-dray"), EPERM);
        return failures;
}

#if defined(__x86_64__)
/* 32-bit syscalls (int $0x80) go through the same rules: the x86 sub-architecture is in the filter. */
static long int80(long nr, long a, long b, long c) {
        long ret;

        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
        return ret;
}

static int checks_compat(void) {
        int failures = 0;

        EXPECT(int80(20 /* i386 getpid */, 0, 0, 0) == getpid());
        EXPECT(int80(288 /* i386 keyctl */, 0, -3, 0) == -EPERM);
        EXPECT(int80(310 /* i386 unshare */, CLONE_NEWUSER, 0, 0) == -EPERM);
        return failures;
}
#endif

TEST(default_profile_denies) {
        return run_filtered(DEFAULT_CAPS, checks_default);
}

TEST(default_profile_with_sys_admin) {
        return run_filtered(DEFAULT_CAPS | CAP(CAP_SYS_ADMIN), checks_sys_admin);
}

TEST(default_profile_compat_x86) {
#if defined(__x86_64__)
        /* Kernels without CONFIG_IA32_EMULATION (or with ia32_emulation=0) kill int $0x80 callers:
         * probe in a child first. */
        int status;
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0)
                _exit(int80(20, 0, 0, 0) == getpid() ? 0 : 1);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return TEST_SKIP;
        return run_filtered(DEFAULT_CAPS, checks_compat);
#else
        return TEST_SKIP;
#endif
}
