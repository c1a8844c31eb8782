/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mask_paths_apply() in a private mount namespace with a fresh /proc of a new pid namespace, as the
 * container's init sees it. Nothing reaches the host: / is made private (recursively) first. */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "masked-paths.h"
#include "test.h"

#define EXPECT(expr)                                                                                     \
        do {                                                                                            \
                if (!(expr)) {                                                                          \
                        fprintf(stderr, "%s:%d: expected %s (errno %d %s)\n", __FILE__, __LINE__, #expr, \
                                errno, strerror(errno));                                                \
                        failures++;                                                                     \
                }                                                                                       \
        } while (0)

static bool exists(const char *p) {
        return access(p, F_OK) == 0;
}

static ssize_t read_some(const char *path) {
        char buf[256];
        ssize_t n;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf));
        if (n < 0)
                n = -errno;
        close(fd);
        return n;
}

static bool dir_is_empty(const char *path) {
        struct dirent *de;
        DIR *d = opendir(path);
        bool empty = true;

        if (!d)
                return false;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        empty = false;
        closedir(d);
        return empty;
}

static bool is_readonly(const char *path) {
        struct statvfs sv;

        return statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static bool is_dev_null(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

/* PID 1 of the new pid namespace, in the private mount namespace. */
static int container_init(void) {
        bool had_kcore, had_timer_list, had_keys, had_acpi, had_firmware, had_sysrq;
        int failures = 0, r;

        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
                fprintf(stderr, "mounting /proc: %m\n");
                return 1;
        }
        had_kcore = exists("/proc/kcore");
        had_timer_list = exists("/proc/timer_list");
        had_keys = exists("/proc/keys");
        had_acpi = exists("/proc/acpi");
        had_firmware = exists("/sys/firmware");
        had_sysrq = exists("/proc/sysrq-trigger");
        EXPECT(!is_readonly("/proc/sys"));

        r = mask_paths_apply();
        if (r < 0) {
                fprintf(stderr, "mask_paths_apply: %s\n", strerror(-r));
                return 1;
        }

        /* Masked files read as /dev/null. */
        if (had_kcore) {
                EXPECT(is_dev_null("/proc/kcore"));
                EXPECT(read_some("/proc/kcore") == 0);
        } else
                fprintf(stderr, "no /proc/kcore here, not checked\n");
        if (had_timer_list) {
                EXPECT(is_dev_null("/proc/timer_list"));
                EXPECT(read_some("/proc/timer_list") == 0);
        }
        if (had_keys) {
                EXPECT(is_dev_null("/proc/keys"));
                EXPECT(read_some("/proc/keys") == 0);
        }
        /* Masked directories are empty and read-only. */
        if (had_acpi) {
                EXPECT(dir_is_empty("/proc/acpi"));
                EXPECT(is_readonly("/proc/acpi"));
        }
        if (had_firmware) {
                EXPECT(dir_is_empty("/sys/firmware"));
                EXPECT(is_readonly("/sys/firmware"));
                EXPECT(mkdir("/sys/firmware/x", 0755) < 0 && errno == EROFS);
        }

        /* Read-only paths. */
        EXPECT(is_readonly("/proc/sys"));
        EXPECT(open("/proc/sys/kernel/domainname", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS);
        EXPECT(read_some("/proc/sys/kernel/ostype") > 0); /* still readable */
        if (had_sysrq)
                EXPECT(open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS);
        EXPECT(is_readonly("/proc/irq"));

        /* The rest of /proc is untouched. */
        EXPECT(!is_readonly("/proc"));
        EXPECT(read_some("/proc/self/status") > 0);

        /* Applying twice works (masks stack). */
        EXPECT(mask_paths_apply() == 0);

        /* Missing paths are skipped; relative paths refused. */
        EXPECT(mask_paths_apply_full((const char *const[]) { "/proc/dray-does-not-exist", NULL },
                                     (const char *const[]) { "/sys/dray-does-not-exist", NULL }) == 0);
        EXPECT(mask_paths_apply_full((const char *const[]) { "proc/kcore", NULL }, NULL) == -EINVAL);

        /* No path through a symlink; only the real null device is bound. (On a scratch tmpfs and a
         * scratch /dev: this mount namespace is private and thrown away.) */
        EXPECT(mount("tmpfs", "/tmp", "tmpfs", 0, "mode=0755") == 0);
        EXPECT(mkdir("/tmp/d", 0755) == 0);
        EXPECT(close(open("/tmp/d/f", O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) == 0);
        EXPECT(symlink("/tmp/d", "/tmp/l") == 0);
        EXPECT(symlink("/tmp/d/f", "/tmp/d/lf") == 0);
        EXPECT(mask_paths_apply_full((const char *const[]) { "/tmp/l/f", NULL }, NULL) == -ELOOP);
        EXPECT(mask_paths_apply_full(NULL, (const char *const[]) { "/tmp/d/lf", NULL }) == -ELOOP);
        EXPECT(mask_paths_apply_full((const char *const[]) { "/tmp/d/f", NULL }, NULL) == 0);
        EXPECT(is_dev_null("/tmp/d/f"));
        EXPECT(mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755") == 0);
        EXPECT(close(open("/dev/null", O_CREAT | O_WRONLY | O_CLOEXEC, 0666)) == 0);
        EXPECT(mask_paths_apply_full((const char *const[]) { "/proc/timer_list", NULL }, NULL) == -ENODEV);
        return failures;
}

static int check_in_namespaces(void) {
        int status;
        pid_t pid;

        if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0) {
                fprintf(stderr, "unshare: %m\n");
                return 77;
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                fprintf(stderr, "making / private: %m\n");
                return 1;
        }
        pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0)
                _exit(container_init() == 0 ? 0 : 1);
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                return 1;
        return WEXITSTATUS(status);
}

TEST(mask_paths) {
        int status;
        pid_t pid;

        if (geteuid() != 0)
                return TEST_SKIP;

        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0)
                _exit(check_in_namespaces());
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        if (WEXITSTATUS(status) == TEST_SKIP)
                return TEST_SKIP;
        ASSERT_EQ(WEXITSTATUS(status), 0);

        /* And the host's /proc is as it was. */
        ASSERT_FALSE(is_readonly("/proc/sys"));
        return 0;
}

static bool listed(const char *const *l, const char *path) {
        for (const char *const *p = l; *p; p++)
                if (streq(*p, path))
                        return true;
        return false;
}

TEST(lists) {
        /* Docker's and Podman's masked lists; each path is masked by dray too (issue 16). */
        static const char *const peers[] = {
                "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
                "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
                "/proc/timer_stats", "/sys/dev/block", "/sys/devices/virtual/powercap", "/sys/firmware",
                "/sys/fs/selinux", NULL,
        };
        size_t n = 0;

        for (const char *const *p = peers; *p; p++)
                ASSERT_TRUE(listed(masked_paths, *p));
        for (const char *const *p = masked_paths; *p; p++, n++)
                ASSERT_TRUE((*p)[0] == '/');
        ASSERT_EQ(n, 14);
        n = 0;
        for (const char *const *p = readonly_paths; *p; p++, n++)
                ASSERT_TRUE(strneq(*p, "/proc/", 6));
        ASSERT_EQ(n, 5);
        return 0;
}
