/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spec's extra mounts (-v, --tmpfs) and the writable /tmp and /run of a read-only root. They go
 * into the new root before pivot_root, while the host's tree is still visible, so every path inside
 * the root is resolved against the root fd with openat2(RESOLVE_IN_ROOT): a symlink the rootfs
 * brings ("data -> /etc") resolves as it would inside the container, never to the host's /etc. */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "copy-tree.h"
#include "runtime-internal.h"

#define RESOLVE_CONTAINER (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

#define IN_SET_BIND_OR_VOLUME(t) ((t) == MOUNT_BIND || (t) == MOUNT_VOLUME)

static int openat2_path(int dir_fd, const char *path, uint64_t resolve) {
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = resolve,
        };
        long fd;

        fd = syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
        return fd < 0 ? -errno : (int) fd;
}

/* Opens destination inside the root, creating what is missing one component at a time: directories,
 * and for the last component a directory or (for a bind of a file) an empty file. Existing
 * components, symlinks included, resolve within the root; each new entry is made with mkdirat() or
 * mknodat() in its parent's fd, which never follow a symlink. */
static int open_or_create_in_root(RuntimeContext *c, const char *destination, bool directory, int *ret_fd) {
        _cleanup_close_ int parent = -EBADF;
        char prefix[PATH_MAX];
        const char *p = destination;
        int r;

        while (*p == '/')
                p++;
        for (;;) {
                const char *end = strchrnul(p, '/');
                bool last = *end == 0;
                _cleanup_close_ int fd = -EBADF;
                char name[NAME_MAX + 1];
                struct stat st;

                if ((size_t) (end - p) > NAME_MAX || (size_t) (end - destination) >= sizeof(prefix))
                        return runtime_fail(c, ENAMETOOLONG, "mount destination '%s': %m", destination);
                memcpy(name, p, (size_t) (end - p));
                name[end - p] = 0;
                memcpy(prefix, destination, (size_t) (end - destination));
                prefix[end - destination] = 0;

                r = fd = openat2_path(c->root_fd, prefix, RESOLVE_CONTAINER);
                if (r == -ENOENT) {
                        int dir_fd = parent >= 0 ? parent : c->root_fd;

                        if (!last || directory)
                                r = mkdirat(dir_fd, name, 0755) < 0 ? -errno : 0;
                        else
                                r = mknodat(dir_fd, name, S_IFREG | 0644, 0) < 0 ? -errno : 0;
                        if (r < 0 && r != -EEXIST)
                                return runtime_fail(c, r, "create mount point '%s' in the container: %m", prefix);
                        r = fd = openat2_path(c->root_fd, prefix, RESOLVE_CONTAINER);
                        if (r == -ENOENT)
                                return runtime_fail(c, ELOOP, "mount point '%s' is a dangling symbolic link",
                                                    prefix);
                }
                if (r < 0)
                        return runtime_fail(c, r, "open mount point '%s' in the container: %m", prefix);
                if (fstat(fd, &st) < 0)
                        return runtime_fail(c, errno, "stat mount point '%s': %m", prefix);
                if (!last && !S_ISDIR(st.st_mode))
                        return runtime_fail(c, ENOTDIR, "mount point '%s': '%s' is not a directory", destination,
                                            prefix);
                if (last) {
                        if (directory && !S_ISDIR(st.st_mode))
                                return runtime_fail(c, ENOTDIR, "mount point '%s' is not a directory", destination);
                        if (!directory && S_ISDIR(st.st_mode))
                                return runtime_fail(c, EISDIR,
                                                    "mount point '%s' is a directory, the source is not",
                                                    destination);
                        *ret_fd = TAKE_FD(fd);
                        return 0;
                }
                safe_close(parent);
                parent = TAKE_FD(fd);
                p = end + 1;
        }
}

/* The source of a bind, as drayd resolved it at create time: any symlink that appeared in it since
 * is refused, not followed. */
static int open_bind_source(RuntimeContext *c, const MountSpec *m, bool *ret_directory) {
        struct stat st;
        int fd;

        fd = openat2_path(AT_FDCWD, m->source, RESOLVE_NO_SYMLINKS);
        if (fd == -ELOOP)
                return runtime_fail(c, ELOOP, "bind mount source '%s' has become a symbolic link", m->source);
        if (fd < 0)
                return runtime_fail(c, fd, "bind mount source '%s': %m", m->source);
        if (fstat(fd, &st) < 0) {
                int r = runtime_fail(c, errno, "stat bind mount source '%s': %m", m->source);
                safe_close(fd);
                return r;
        }
        *ret_directory = S_ISDIR(st.st_mode);
        return fd;
}

/* A bind is made detached first: a recursive clone of the source (open_tree, Linux 5.2), restricted
 * to nosuid, nodev (and read-only) on every mount in it (mount_setattr, 5.12), and only then moved
 * onto the mount point's fd. No moment exists in which the container's tree holds it without the
 * restrictions, and nothing is looked up by path after the mount point was resolved. */
static int mount_bind(RuntimeContext *c, const MountSpec *m, int source, int target) {
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (m->read_only ? MOUNT_ATTR_RDONLY : 0) |
                            (m->noexec ? MOUNT_ATTR_NOEXEC : 0),
        };
        _cleanup_close_ int tree = -EBADF;

        tree = open_tree(source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
        if (tree < 0)
                return runtime_fail(c, errno, "clone bind source '%s': %m", m->source);
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return runtime_fail(c, errno, "restrict bind of '%s' to nosuid,nodev%s: %m", m->source,
                                    m->read_only ? ",ro" : "");
        if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return runtime_fail(c, errno, "bind '%s' on '%s': %m", m->source, m->destination);
        return 0;
}

/* Docker's rule for a named volume: while it is empty, it is seeded with what the root has at the
 * mount point (an image's /var/lib/app, say), including the mount point's own ownership and mode.
 * Both sides are reached through fds already resolved (the mount point within the root), and the
 * copy never follows a symlink. */
static int seed_volume(RuntimeContext *c, const MountSpec *m, int source, int target) {
        _cleanup_close_ int from = -EBADF, to = -EBADF;
        struct stat st;
        int r;

        to = openat(source, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (to < 0)
                return runtime_fail(c, errno, "open volume '%s': %m", m->volume);
        r = dir_is_empty_at(to);
        if (r < 0)
                return runtime_fail(c, r, "read volume '%s': %m", m->volume);
        if (r == 0)
                return 0;
        from = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (from < 0)
                return runtime_fail(c, errno, "open mount point '%s': %m", m->destination);
        if (fstat(from, &st) < 0)
                return runtime_fail(c, errno, "stat mount point '%s': %m", m->destination);
        r = copy_tree_at(from, to);
        if (r < 0)
                return runtime_fail(c, r, "seed volume '%s' with the content of '%s': %m", m->volume,
                                    m->destination);
        if (fchown(to, st.st_uid, st.st_gid) < 0 || fchmod(to, st.st_mode & 07777) < 0)
                return runtime_fail(c, errno, "set the owner and mode of volume '%s': %m", m->volume);
        return 0;
}

static int mount_one(RuntimeContext *c, const MountSpec *m) {
        _cleanup_close_ int source = -EBADF, target = -EBADF;
        char target_path[PROC_FD_PATH_MAX];
        bool directory = true;
        int r;

        if (IN_SET_BIND_OR_VOLUME(m->type)) {
                source = open_bind_source(c, m, &directory);
                if (source < 0)
                        return source;
        }
        if (m->type == MOUNT_VOLUME && !directory)
                return runtime_fail(c, ENOTDIR, "volume '%s' is not a directory", m->volume);
        r = open_or_create_in_root(c, m->destination, directory, &target);
        if (r < 0)
                return r;
        if (m->type == MOUNT_VOLUME) {
                r = seed_volume(c, m, source, target);
                if (r < 0)
                        return r;
        }
        if (IN_SET_BIND_OR_VOLUME(m->type))
                r = mount_bind(c, m, source, target);
        else {
                proc_fd_path(target_path, target);
                if (mount("tmpfs", target_path, "tmpfs",
                          MS_NOSUID | MS_NODEV | (m->read_only ? MS_RDONLY : 0) | (m->noexec ? MS_NOEXEC : 0), m->options) < 0)
                        return runtime_fail(c, errno, "mount tmpfs on '%s' (%s): %m", m->destination, strna(m->options));
        }
        if (r < 0 || m->propagation == 0)
                return r;
        /* The fd names the mount point below the new mount: open the destination again, which now
         * crosses onto it, and change that mount's propagation (an OCI config's rshared, rslave, …). */
        target = safe_close(target);
        r = open_or_create_in_root(c, m->destination, directory, &target);
        if (r < 0)
                return r;
        proc_fd_path(target_path, target);
        if (mount(NULL, target_path, NULL, m->propagation, NULL) < 0)
                return runtime_fail(c, errno, "set the propagation of '%s': %m", m->destination);
        return 0;
}

static unsigned path_depth(const char *p) {
        unsigned n = 0;

        for (; *p; p++)
                n += *p == '/';
        return n;
}

static bool spec_mounts_cover(const ContainerSpec *s, const char *path) {
        for (size_t i = 0; i < s->n_mounts; i++)
                if (streq(s->mounts[i].destination, path))
                        return true;
        return false;
}

int mount_setup_user(RuntimeContext *c) {
        /* podman's --read-only-tmpfs: a read-only root still gets a writable /tmp and /run. */
        static const MountSpec read_only_defaults[] = {
                { .type = MOUNT_TMPFS, .destination = (char *) "/tmp", .options = (char *) "mode=1777" },
                { .type = MOUNT_TMPFS, .destination = (char *) "/run", .options = (char *) "mode=755" },
        };
        const ContainerSpec *s = c->spec;
        const MountSpec *order[MOUNTS_MAX + ELEMENTSOF(read_only_defaults)];
        size_t n = 0;
        int r;

        for (size_t i = 0; s->read_only && i < ELEMENTSOF(read_only_defaults); i++)
                if (!spec_mounts_cover(s, read_only_defaults[i].destination))
                        order[n++] = read_only_defaults + i;
        for (size_t i = 0; i < s->n_mounts && i < MOUNTS_MAX; i++)
                order[n++] = s->mounts + i;

        /* Parents before children ("/data" before "/data/cache"), otherwise in the order given: a
         * stable insertion sort by depth. */
        for (size_t i = 1; i < n; i++) {
                const MountSpec *m = order[i];
                size_t j = i;

                for (; j > 0 && path_depth(order[j - 1]->destination) > path_depth(m->destination); j--)
                        order[j] = order[j - 1];
                order[j] = m;
        }

        for (size_t i = 0; i < n; i++) {
                r = mount_one(c, order[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}
