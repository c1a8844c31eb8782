/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A hostile payload, one attempt per verb, for tests/integration/60-hostile.sh: built -static so it
 * runs in the busybox root. Each verb tries one thing a container must not be able to do and prints
 * one line:
 *   BLOCKED <verb>: <errno name and text>   exit 0: the kernel, seccomp or a mount refused it
 *   ALLOWED <verb>                          exit 1: it worked (a hole)
 * The containment verbs (forkbomb, memhog, diskfill) print what they reached before the limit. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static int verdict(const char *verb, long r) {
        if (r < 0) {
                printf("BLOCKED %s: %s (%s)\n", verb, strerrorname_np(errno) ?: "?", strerror(errno));
                return 0;
        }
        printf("ALLOWED %s\n", verb);
        return 1;
}

static long write_file(const char *path, const char *data) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        long r;

        if (fd < 0)
                return -1;
        r = write(fd, data, strlen(data));
        (void) close(fd);
        return r < 0 ? -1 : 0;
}

static long read_file(const char *path) {
        char buf[64];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf));
        (void) close(fd);
        if (n < 0)
                return -1;
        if (n == 0) {
                errno = ENODATA; /* masked with an empty file: nothing to read */
                return -1;
        }
        return 0;
}

static long try_bpf(void) {
        union bpf_attr attr = {
                .map_type = BPF_MAP_TYPE_ARRAY,
                .key_size = 4,
                .value_size = 4,
                .max_entries = 1,
        };
        return syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
}

static long try_perf(void) {
        struct perf_event_attr attr = {
                .type = PERF_TYPE_SOFTWARE,
                .size = sizeof(attr),
                .config = PERF_COUNT_SW_CPU_CLOCK,
        };
        return syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

static long try_open_by_handle(void) {
        struct {
                struct file_handle fh;
                unsigned char bytes[128];
        } h = { .fh.handle_bytes = 128 };
        int mount_id;

        /* name_to_handle_at() may be refused itself; then try a made-up handle. */
        if (name_to_handle_at(AT_FDCWD, "/", &h.fh, &mount_id, 0) < 0)
                h.fh.handle_bytes = 8;
        return syscall(SYS_open_by_handle_at, AT_FDCWD, &h.fh, O_RDONLY);
}

static int forkbomb(void) {
        unsigned n = 0;

        for (;;) {
                pid_t pid = fork();

                if (pid < 0) {
                        printf("CONTAINED forkbomb: fork failed after %u children: %s\n", n,
                               strerrorname_np(errno) ?: "?");
                        break;
                }
                if (pid == 0) {
                        pause();
                        _exit(0);
                }
                if (++n >= 100000) {
                        printf("ALLOWED forkbomb: %u children\n", n);
                        break;
                }
        }
        (void) kill(0, SIGKILL);
        return 0;
}

static int memhog(void) {
        size_t chunk = 16 << 20;

        for (size_t total = 0;; total += chunk) {
                char *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

                if (p == MAP_FAILED) {
                        printf("CONTAINED memhog: mmap failed at %zu MiB\n", total >> 20);
                        return 0;
                }
                memset(p, 0x5a, chunk);
                if (total >= ((size_t) 64 << 30)) {
                        printf("ALLOWED memhog: 64 GiB\n");
                        return 1;
                }
        }
}

static int diskfill(const char *path) {
        static char buf[1 << 16];
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        size_t total = 0;

        if (fd < 0)
                return verdict("diskfill-open", -1), 2;
        memset(buf, 0x5a, sizeof(buf));
        for (;;) {
                ssize_t n = write(fd, buf, sizeof(buf));

                if (n < 0) {
                        printf("CONTAINED diskfill: %s after %zu KiB\n", strerrorname_np(errno) ?: "?", total >> 10);
                        return 0;
                }
                total += (size_t) n;
                if (total >= ((size_t) 16 << 30)) {
                        printf("ALLOWED diskfill: 16 GiB\n");
                        return 1;
                }
        }
}

int main(int argc, char *argv[]) {
        const char *v = argc > 1 ? argv[1] : "";

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (!strcmp(v, "keyctl"))
                return verdict(v, syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "dray-hostile"));
        if (!strcmp(v, "add_key"))
                return verdict(v, syscall(SYS_add_key, "user", "dray", "x", 1, KEY_SPEC_SESSION_KEYRING));
        if (!strcmp(v, "request_key"))
                return verdict(v, syscall(SYS_request_key, "user", "dray", NULL, KEY_SPEC_SESSION_KEYRING));
        if (!strcmp(v, "bpf"))
                return verdict(v, try_bpf());
        if (!strcmp(v, "perf_event_open"))
                return verdict(v, try_perf());
        if (!strcmp(v, "kexec_load"))
                return verdict(v, syscall(SYS_kexec_load, 0, 0, NULL, 0));
        if (!strcmp(v, "open_by_handle_at"))
                return verdict(v, try_open_by_handle());
        if (!strcmp(v, "mount"))
                return verdict(v, mount("none", "/mnt", "tmpfs", 0, NULL));
        if (!strcmp(v, "umount2"))
                return verdict(v, umount2("/proc", MNT_DETACH));
        if (!strcmp(v, "unshare-user"))
                return verdict(v, unshare(CLONE_NEWUSER));
        if (!strcmp(v, "clone-user")) {
                long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

                if (pid == 0)
                        _exit(0);
                if (pid > 0)
                        (void) waitpid((pid_t) pid, NULL, 0);
                return verdict(v, pid);
        }
        if (!strcmp(v, "ptrace"))
                /* PID 1 is the container's init; everything outside is not even visible. */
                return verdict(v, ptrace(PTRACE_ATTACH, argc > 2 ? atoi(argv[2]) : 1, NULL, NULL));
        if (!strcmp(v, "mknod"))
                return verdict(v, mknod("/tmp/sda", S_IFBLK | 0600, makedev(8, 0)));
        if (!strcmp(v, "sysrq"))
                return verdict(v, write_file("/proc/sysrq-trigger", "h"));
        if (!strcmp(v, "sys-write"))
                return verdict(v, write_file("/sys/kernel/mm/transparent_hugepage/enabled", "never"));
        if (!strcmp(v, "proc-sys-write"))
                return verdict(v, write_file("/proc/sys/kernel/hostname", "pwned"));
        if (!strcmp(v, "kcore"))
                return verdict(v, read_file("/proc/kcore"));
        if (!strcmp(v, "keys"))
                return verdict(v, read_file("/proc/keys"));
        if (!strcmp(v, "iopl"))
                return verdict(v, syscall(SYS_iopl, 3));
        if (!strcmp(v, "userfaultfd"))
                return verdict(v, syscall(SYS_userfaultfd, 0));
        if (!strcmp(v, "setns"))
                return verdict(v, setns(open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC), 0));
        if (!strcmp(v, "forkbomb"))
                return forkbomb();
        if (!strcmp(v, "memhog"))
                return memhog();
        if (!strcmp(v, "diskfill"))
                return diskfill(argc > 2 ? argv[2] : "/tmp/fill");
        fprintf(stderr, "hostile: unknown verb '%s'\n", v);
        return 2;
}
