/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <stdio.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "device-spec.h"
#include "runtime-internal.h"
#include "strv.h"

/* A minimal /dev, as Docker's: a tmpfs with the harmless character devices, a private devpts
 * instance, /dev/shm, /dev/mqueue and the usual symlinks. The device nodes are bind mounts of the
 * host's: mknod may be refused (device cgroup, nested containers), a bind never is. */
static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

static const struct {
        const char *name;
        const char *target;
} dev_symlinks[] = {
        { "fd",     "/proc/self/fd" },
        { "stdin",  "/proc/self/fd/0" },
        { "stdout", "/proc/self/fd/1" },
        { "stderr", "/proc/self/fd/2" },
        { "ptmx",   "pts/ptmx" },
};

static int dev_bind_node(RuntimeContext *c, int dev_fd, const char *name) {
        char host[NAME_MAX + 8];
        struct stat st;
        int fd;

        (void) snprintf(host, sizeof(host), "/dev/%s", name);
        if (lstat(host, &st) < 0 || !(S_ISCHR(st.st_mode) || (c->spec->privileged && S_ISBLK(st.st_mode))))
                return 0; /* the host has none (e.g. no /dev/tty without a controlling terminal) */
        fd = openat(dev_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0)
                return runtime_fail(c, errno, "create /dev/%s: %m", name);
        (void) close(fd);
        return mount_at(c, dev_fd, name, host, NULL, MS_BIND, NULL);
}

static int dev_mount_fs(RuntimeContext *c, int dev_fd, const char *name, const char *source, const char *fstype,
                        unsigned long flags, const char *data) {
        int r;

        r = mkdir_at(c, dev_fd, name, 0755);
        if (r < 0)
                return r;
        return mount_at(c, dev_fd, name, source, fstype, flags, data);
}

static int dev_open(RuntimeContext *c, int *ret) {
        struct statfs sfs;
        int fd;

        /* Look "dev" up again: this crosses onto the tmpfs just mounted there. Make sure it did. */
        fd = openat(c->root_fd, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return runtime_fail(c, errno, "open /dev: %m");
        if (fstatfs(fd, &sfs) < 0 || sfs.f_type != TMPFS_MAGIC) {
                (void) close(fd);
                return runtime_fail(c, EBUSY, "/dev of the container is not the tmpfs mounted there");
        }
        *ret = fd;
        return 0;
}

/* --privileged: every device node at the top of the host's /dev as well (Docker gives all of them;
 * nodes in subdirectories, /dev/net/tun, /dev/dri/…, are left out). The scope's device policy is
 * open for such a container. */
static int dev_bind_host_nodes(RuntimeContext *c, int dev_fd) {
        DIR *d = opendir("/dev");
        struct dirent *de;
        int r = 0;

        if (!d)
                return runtime_fail(c, errno, "open the host's /dev: %m");
        while (r >= 0 && (de = readdir(d))) {
                if (de->d_name[0] == '.' || (de->d_type != DT_CHR && de->d_type != DT_BLK) ||
                    faccessat(dev_fd, de->d_name, F_OK, AT_SYMLINK_NOFOLLOW) >= 0 || streq(de->d_name, "ptmx"))
                        continue;
                r = dev_bind_node(c, dev_fd, de->d_name);
        }
        (void) closedir(d);
        return r;
}

/* --device HOST:CONTAINER:PERMS: the host's node bound at CONTAINER, a path in /dev (device-spec.h),
 * parent directories made on the fresh tmpfs, never through a link (O_NOFOLLOW each step). drayd
 * checked at create that HOST is a device node; check again, the host may have changed since. The
 * scope's DeviceAllow= (drayd's scope.c) lets the payload use it. */
static int dev_bind_device(RuntimeContext *c, int dev_fd, const char *spec) {
        _cleanup_free_ char *host = NULL, *path = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        char *name, *slash;
        struct stat st;
        int r, fd;

        r = device_spec_parse(spec, &host, &path, NULL);
        if (r < 0)
                return runtime_fail(c, -r, "invalid device '%s'", spec);
        if (lstat(host, &st) < 0)
                return runtime_fail(c, errno, "device %s: %m", host);
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return runtime_fail(c, ENODEV, "%s is no longer a device node", host);
        dir_fd = fcntl(dev_fd, F_DUPFD_CLOEXEC, 3);
        if (dir_fd < 0)
                return runtime_fail(c, errno, "duplicate the /dev fd: %m");
        name = path + strlen("/dev/");
        while ((slash = strchr(name, '/'))) {
                int next;

                *slash = 0;
                r = mkdir_at(c, dir_fd, name, 0755);
                if (r < 0)
                        return r;
                next = openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return runtime_fail(c, errno, "open /dev directory '%s': %m", name);
                (void) close(dir_fd);
                dir_fd = next;
                name = slash + 1;
        }
        fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0)
                return runtime_fail(c, errno, "create the node of device %s: %m", spec);
        (void) close(fd);
        return mount_at(c, dir_fd, name, host, NULL, MS_BIND, NULL);
}

int dev_setup(RuntimeContext *c) {
        _cleanup_close_ int dev_fd = -EBADF;
        int r;

        r = mount_at(c, c->root_fd, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                     "mode=755,size=65536k");
        if (r < 0)
                return r;
        r = dev_open(c, &dev_fd);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                r = dev_bind_node(c, dev_fd, dev_nodes[i]);
                if (r < 0)
                        return r;
        }
        if (c->spec->privileged) {
                r = dev_bind_host_nodes(c, dev_fd);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH(d, c->spec->devices) {
                r = dev_bind_device(c, dev_fd, *d);
                if (r < 0)
                        return r;
        }
        /* gid 5 is "tty" by convention; the container's own /etc/group names it. */
        r = dev_mount_fs(c, dev_fd, "pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
                         "newinstance,ptmxmode=0666,mode=0620,gid=5");
        if (r < 0)
                return r;
        /* Source "shm", as Docker's, runc's and the OCI spec's default mount name it. */
        r = dev_mount_fs(c, dev_fd, "shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                         c->io->shm_options ?: "mode=1777,size=65536k");
        if (r < 0)
                return r;
        /* An mqueue mounted from inside the new IPC namespace shows that namespace's queues. */
        r = dev_mount_fs(c, dev_fd, "mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(dev_symlinks); i++)
                if (symlinkat(dev_symlinks[i].target, dev_fd, dev_symlinks[i].name) < 0)
                        return runtime_fail(c, errno, "create /dev/%s: %m", dev_symlinks[i].name);
        return 0;
}
