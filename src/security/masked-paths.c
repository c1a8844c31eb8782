/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "log.h"
#include "masked-paths.h"

/* The union of Docker's (moby oci/defaults.go), Podman's (containers/common DefaultMaskedPaths) and
 * dray's own lists; /proc/asound, read-only in Podman, is masked as Docker does. */
const char *const masked_paths[] = {
        "/proc/acpi",
        "/proc/asound",
        "/proc/interrupts",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/sys/dev/block",
        "/sys/devices/virtual/powercap",
        "/sys/firmware",
        "/sys/fs/selinux",
        NULL,
};

/* Below each /sys/devices/system/cpu/cpuN: the per-CPU thermal event counters, masked by Docker and
 * Podman as well (a side channel on the host's load). */
#define CPU_DIR "/sys/devices/system/cpu"
#define CPU_MASKED "thermal_throttle"

const char *const readonly_paths[] = {
        "/proc/bus",
        "/proc/fs",
        "/proc/irq",
        "/proc/sys",
        "/proc/sysrq-trigger",
        NULL,
};

#define FD_PATH_MAX sizeof("/proc/self/fd/") + 12

static const char *fd_path(int fd, char buf[static FD_PATH_MAX]) {
        snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
        return buf;
}

/* An O_PATH fd for path, refusing symlinks anywhere in it where the kernel can (openat2(), 5.6), and at
 * least in its last component elsewhere. The mounts then go onto /proc/self/fd/N: exactly what was
 * opened and checked, whatever happens to the path meanwhile. */
static int open_path(const char *path) {
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        if (path[0] != '/')
                return -EINVAL;
        fd = (int) syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
        if (fd >= 0)
                return fd;
        /* Fall back only where openat2() itself is missing (< 5.6) or filtered by an outer seccomp
         * profile. */
        if (errno != ENOSYS && errno != EPERM)
                return -errno;
        fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fd;
}

static int open_dev_null(void) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = open_path("/dev/null");
        if (fd < 0)
                return log_debug_errno(fd, "mask: cannot open /dev/null: %m");
        if (fstat(fd, &st) < 0)
                return -errno;
        /* A container image controls its own /dev contents: bind only the real null device. */
        if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
                return log_debug_errno(SYNTHETIC_ERRNO(ENODEV), "mask: /dev/null is not the null device.");
        return TAKE_FD(fd);
}

static int mask_one(const char *path, int *null_fd) {
        _cleanup_close_ int fd = -EBADF;
        char target[FD_PATH_MAX], source[FD_PATH_MAX];
        struct stat st;

        fd = open_path(path);
        if (fd == -ENOENT) {
                log_debug("mask: %s does not exist, skipping.", path);
                return 0;
        }
        if (fd < 0)
                return log_debug_errno(fd, "mask: cannot open %s: %m", path);
        if (fstat(fd, &st) < 0)
                return -errno;

        if (S_ISDIR(st.st_mode)) {
                if (mount("tmpfs", fd_path(fd, target), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "mode=0555") < 0)
                        return log_debug_errno(-errno, "mask: cannot mount tmpfs on %s: %m", path);
                return 0;
        }

        if (*null_fd < 0) {
                *null_fd = open_dev_null();
                if (*null_fd < 0)
                        return *null_fd;
        }
        if (mount(fd_path(*null_fd, source), fd_path(fd, target), NULL, MS_BIND, NULL) < 0)
                return log_debug_errno(-errno, "mask: cannot bind /dev/null on %s: %m", path);
        return 0;
}

static unsigned long mount_flags_from_statvfs(unsigned long f) {
        static const struct {
                unsigned long st, ms;
        } map[] = {
                { ST_NOSUID, MS_NOSUID },         { ST_NODEV, MS_NODEV },
                { ST_NOEXEC, MS_NOEXEC },         { ST_SYNCHRONOUS, MS_SYNCHRONOUS },
                { ST_MANDLOCK, MS_MANDLOCK },     { ST_NOATIME, MS_NOATIME },
                { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
        };
        unsigned long ms = 0;

        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (f & map[i].st)
                        ms |= map[i].ms;
        return ms;
}

static int readonly_one(const char *path) {
        _cleanup_close_ int fd = -EBADF, top = -EBADF;
        char target[FD_PATH_MAX];
        struct stat st, st_top;
        struct statvfs sv;

        fd = open_path(path);
        if (fd == -ENOENT) {
                log_debug("mask: %s does not exist, skipping.", path);
                return 0;
        }
        if (fd < 0)
                return log_debug_errno(fd, "mask: cannot open %s: %m", path);

        if (mount(fd_path(fd, target), target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return log_debug_errno(-errno, "mask: cannot bind %s on itself: %m", path);

        /* fd still names the mount below; the remount must reach the new one on top. Open the path
         * again and check it is the same file. */
        top = open_path(path);
        if (top < 0)
                return log_debug_errno(top, "mask: cannot reopen %s: %m", path);
        if (fstat(fd, &st) < 0 || fstat(top, &st_top) < 0)
                return -errno;
        if (st.st_dev != st_top.st_dev || st.st_ino != st_top.st_ino)
                return log_debug_errno(SYNTHETIC_ERRNO(ESTALE), "mask: %s changed while being bound.", path);

        /* A bind remount replaces every per-mount flag: keep those set already (the kernel refuses to
         * clear locked ones in a user namespace) and add ours. */
        if (fstatvfs(top, &sv) < 0)
                return -errno;
        if (mount(NULL, fd_path(top, target), NULL,
                  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
                          mount_flags_from_statvfs(sv.f_flag),
                  NULL) < 0)
                return log_debug_errno(-errno, "mask: cannot remount %s read-only: %m", path);

        if (fstatvfs(top, &sv) < 0)
                return -errno;
        if (!(sv.f_flag & ST_RDONLY))
                return log_debug_errno(SYNTHETIC_ERRNO(EIO), "mask: %s is still writable.", path);
        return 0;
}

int mask_paths_apply_full(const char *const *masked, const char *const *readonly) {
        _cleanup_close_ int null_fd = -EBADF;
        int r;

        for (const char *const *p = masked; p && *p; p++) {
                r = mask_one(*p, &null_fd);
                if (r < 0)
                        return r;
        }
        for (const char *const *p = readonly; p && *p; p++) {
                r = readonly_one(*p);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int mask_cpu_paths(void) {
        _cleanup_close_ int null_fd = -EBADF;
        DIR *d;
        int r = 0;

        d = opendir(CPU_DIR);
        if (!d)
                return errno == ENOENT ? 0 : log_debug_errno(-errno, "mask: cannot list " CPU_DIR ": %m");
        for (struct dirent *de; r >= 0 && (de = readdir(d));) {
                char path[sizeof(CPU_DIR "/") + sizeof(de->d_name) + sizeof("/" CPU_MASKED)];

                if (!strneq(de->d_name, "cpu", 3) || strspn(de->d_name + 3, "0123456789") != strlen(de->d_name + 3) ||
                    !de->d_name[3])
                        continue;
                (void) snprintf(path, sizeof(path), CPU_DIR "/%s/" CPU_MASKED, de->d_name);
                r = mask_one(path, &null_fd);
        }
        closedir(d);
        return r;
}

int mask_paths_apply(void) {
        int r;

        r = mask_paths_apply_full(masked_paths, readonly_paths);
        if (r < 0)
                return r;
        return mask_cpu_paths();
}
