/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "runtime-internal.h"

/* The files drayd generates for a container on a bridge network, bound over the root's own. */
static const char *const net_files[] = { "hosts", "hostname", "resolv.conf" };

/* etc/<name> in the root, created empty when missing (in an overlay of the container's own), as an
 * O_PATH fd; -ENOENT (skip) when the root has a symlink or something other than a regular file there:
 * we never mount through a symlink, and an image that points /etc/resolv.conf elsewhere keeps its
 * own. A caller's tree without the file keeps not having it: drayd creates nothing there. */
static int open_target(RuntimeContext *c, int etc_fd, const char *name) {
        struct stat st;
        int fd;

        if (fstatat(etc_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT)
                        return -errno;
                if (runtime_root_is_foreign(c))
                        return -ENOENT;
                fd = openat(etc_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (fd < 0)
                        return -errno;
                (void) close(fd);
        } else if (!S_ISREG(st.st_mode))
                return -ENOENT;
        fd = openat(etc_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                (void) close(fd);
                return -ENOENT;
        }
        return fd;
}

static int bind_one(RuntimeContext *c, int src_dir_fd, int etc_fd, const char *name) {
        _cleanup_close_ int src = -EBADF, dst = -EBADF;
        char s[64], d[64];

        src = openat(src_dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (src < 0) {
                if (errno == ENOENT)
                        return 0;
                return runtime_fail(c, errno, "open generated /etc/%s: %m", name);
        }
        dst = open_target(c, etc_fd, name);
        if (dst == -ENOENT)
                return 0;
        if (dst < 0)
                return runtime_fail(c, dst, "open /etc/%s in the root: %m", name);
        (void) snprintf(s, sizeof(s), "/proc/self/fd/%d", src);
        (void) snprintf(d, sizeof(d), "/proc/self/fd/%d", dst);
        if (mount(s, d, NULL, MS_BIND, NULL) < 0)
                return runtime_fail(c, errno, "bind /etc/%s: %m", name);
        /* Read-only: the files live on the host's /run, a tmpfs shared with systemd, which a
         * container writing to its /etc/hosts could otherwise fill. drayd keeps them current. The
         * remount needs the new mount itself: open the name again (dst is the file below it). */
        dst = safe_close(dst);
        dst = openat(etc_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (dst < 0)
                return runtime_fail(c, errno, "open the bound /etc/%s: %m", name);
        (void) snprintf(d, sizeof(d), "/proc/self/fd/%d", dst);
        if (mount(NULL, d, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return runtime_fail(c, errno, "make /etc/%s read-only: %m", name);
        return 0;
}

int netfiles_setup(RuntimeContext *c) {
        _cleanup_close_ int src_dir = -EBADF, etc = -EBADF;
        const char *dir = c->spec->net.etc_dir;
        int r;

        if (isempty(dir))
                return 0;
        /* With --userns=auto it was opened while still host UID 0 (userns_setup_child()). */
        src_dir = c->userns_netfiles_fd >= 0 ? TAKE_FD(c->userns_netfiles_fd) : open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (src_dir < 0)
                return runtime_fail(c, errno, "open '%s': %m", dir);
        if (!runtime_root_is_foreign(c) && mkdirat(c->root_fd, "etc", 0755) < 0 && errno != EEXIST)
                return runtime_fail(c, errno, "create /etc in the root: %m");
        etc = openat(c->root_fd, "etc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (etc < 0 && errno == ENOENT && runtime_root_is_foreign(c))
                return 0; /* a tree of the caller's without /etc: nothing to bind over */
        if (etc < 0)
                return runtime_fail(c, errno, "open /etc in the root: %m");
        for (size_t i = 0; i < ELEMENTSOF(net_files); i++) {
                r = bind_one(c, src_dir, etc, net_files[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* In the caller: the clone flags for the spec's network mode, and for a pinned namespace, the
 * caller joins it for the clone only (the child inherits it; the caller switches back at once), so
 * that a later user namespace of the child cannot get in the way of setns() and no fd of the
 * namespace has to reach the child. */
unsigned long netns_clone_flags(const ContainerSpec *s) {
        if (s->net.mode == NETWORK_MODE_HOST || !isempty(s->net.netns_path))
                return 0;
        return CLONE_NEWNET;
}

int netns_enter(RuntimeContext *c, int *ret_saved_fd) {
        _cleanup_close_ int target = -EBADF, saved = -EBADF;
        const char *path = c->spec->net.netns_path;

        *ret_saved_fd = -EBADF;
        if (c->spec->net.mode != NETWORK_MODE_BRIDGE || isempty(path))
                return 0;
        target = open(path, O_RDONLY | O_CLOEXEC);
        if (target < 0)
                return runtime_fail(c, errno, "open network namespace '%s': %m", path);
        saved = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (saved < 0)
                return runtime_fail(c, errno, "open own network namespace: %m");
        if (setns(target, CLONE_NEWNET) < 0)
                return runtime_fail(c, errno, "join network namespace '%s': %m", path);
        *ret_saved_fd = TAKE_FD(saved);
        return 0;
}

void netns_leave(int *saved_fd) {
        if (*saved_fd < 0)
                return;
        /* Cannot fail for a namespace we were in a moment ago. */
        (void) setns(*saved_fd, CLONE_NEWNET);
        *saved_fd = safe_close(*saved_fd);
}
