/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --userns=auto: the init is cloned into a new user namespace (with every other namespace, so that
 * the container's root holds its capabilities over its own network, mounts and hostname, not the
 * host's). The two halves of the handshake:
 *
 *   caller (host root)                         init (new user namespace, still host UID 0)
 *                                              opens the root mount point (its own mount
 *                                              namespace) and waits on the socket
 *   writes uid_map and gid_map: 0 → base
 *   open_tree() of the rootfs, idmapped to the
 *   new user namespace (a file system without
 *   idmapped mounts is refused: drayd never
 *   changes the ownership of a tree it does
 *   not own)
 *   sends the tree over the socket      ──►    becomes UID/GID 0 of its namespace; later
 *                                              moves the tree onto the root mount point
 *
 * From an image, the caller sends instead an overlay of the image's layers, each idmapped
 * (mount_overlay_idmapped()): the shared layers are never chowned.
 *
 * Only the caller, in the initial user namespace, may create an idmapped mount; only the init can
 * resolve the mount point in its own mount namespace, and it must do so before it drops host UID 0:
 * /run/dray/containers is 0700. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "runtime-internal.h"
#include "userns-range.h"

/* One byte and one fd: the handshake message. */
typedef struct FdMessage {
        union {
                struct cmsghdr cmsg;
                char buf[CMSG_SPACE(sizeof(int))];
        } control;
        char byte;
        struct iovec iov;
        struct msghdr msg;
} FdMessage;

static void fd_message_init(FdMessage *fm) {
        *fm = (FdMessage) { .byte = 'u' };
        fm->iov = (struct iovec) { .iov_base = &fm->byte, .iov_len = 1 };
        fm->msg = (struct msghdr) {
                .msg_iov = &fm->iov,
                .msg_iovlen = 1,
                .msg_control = &fm->control,
                .msg_controllen = sizeof(fm->control),
        };
}

/* map: the file's lines as written, or NULL for the single range 0 → base. */
static int write_map(pid_t pid, const char *file, const char *map, uint32_t base, uint32_t size) {
        char path[64], single[64];
        _cleanup_close_ int fd = -EBADF;
        size_t n;

        (void) snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
        if (!map) {
                (void) snprintf(single, sizeof(single), "0 %" PRIu32 " %" PRIu32 "\n", base, size);
                map = single;
        }
        n = strlen(map);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* One write(): the kernel takes a map file's lines all at once or not at all. */
        if (write(fd, map, n) != (ssize_t) n)
                return errno > 0 ? -errno : -EIO;
        return 0;
}

/* The rootfs as a detached tree the init can attach, owned right for the range. */
static int userns_root_tree(RuntimeContext *c, int userns_fd, int *ret) {
        const ContainerSpec *s = c->spec;
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_IDMAP,
                .userns_fd = (uint64_t) userns_fd,
        };
        _cleanup_close_ int tree = -EBADF;
        struct stat st;
        _cleanup_close_ int root = -EBADF;

        root = runtime_open_rootfs(c);
        if (root < 0)
                return root;
        tree = open_tree(root, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
        if (tree < 0)
                return runtime_fail(c, errno, "open rootfs '%s': %m", s->rootfs);
        if (fstat(tree, &st) < 0)
                return runtime_fail(c, errno, "stat rootfs '%s': %m", s->rootfs);
        if (st.st_uid == (c->io->uid_map ? c->io->userns_root_uid : s->userns_base)) {
                /* Shifted on an earlier start: as it is. */
                *ret = TAKE_FD(tree);
                return 0;
        }
        if (st.st_uid != 0)
                return runtime_fail(c, EBUSY,
                                    "rootfs '%s' is owned by UID %u, not 0: it was shifted for another user "
                                    "namespace range", s->rootfs, (unsigned) st.st_uid);
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) >= 0) {
                c->userns_idmapped = true;
                *ret = TAKE_FD(tree);
                return 0;
        }
        /* EINVAL: a file system without idmapped mounts (overlayfs itself, older tmpfs, FUSE, …). */
        if (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS && errno != EPERM)
                return runtime_fail(c, errno, "idmap rootfs '%s': %m", s->rootfs);
        /* drayd never changes the ownership of a tree it does not own (issue 16: shifting a caller's
         * tree in place handed it to the range for good); an ephemeral container's is a shared lower
         * layer besides. */
        return runtime_fail(c, EOPNOTSUPP,
                            "--userns=auto needs a rootfs on a file system with idmapped mounts (ext4, xfs, "
                            "btrfs, tmpfs): '%s' is not on one, and drayd does not change the ownership of "
                            "a tree it does not own", s->rootfs);
}

/* ephemeral: the overlay's upper and work directories are the container's own; its root must be
 * able to write them. Fresh ones (host root's) become the range's root's. */
static int userns_own_overlay_dirs(RuntimeContext *c) {
        const char *dirs[] = { c->io->upper_dir, c->io->work_dir };

        if (!c->spec->ephemeral)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                struct stat st;

                if (lstat(dirs[i], &st) < 0)
                        return runtime_fail(c, errno, "overlay directory '%s': %m", dirs[i]);
                if (!S_ISDIR(st.st_mode))
                        return runtime_fail(c, ENOTDIR, "overlay directory '%s' is not a directory", dirs[i]);
                if (st.st_uid == c->spec->userns_base)
                        continue;
                if (lchown(dirs[i], c->spec->userns_base, c->spec->userns_base) < 0)
                        return runtime_fail(c, errno, "chown overlay directory '%s': %m", dirs[i]);
        }
        return 0;
}

int userns_setup_parent(RuntimeContext *c, pid_t pid, int sock) {
        const ContainerSpec *s = c->spec;
        _cleanup_close_ int userns_fd = -EBADF, tree = -EBADF;
        FdMessage fm;
        char path[64];
        struct cmsghdr *cmsg;
        int r;

        r = write_map(pid, "uid_map", c->io->uid_map, s->userns_base, s->userns_size);
        if (r >= 0)
                r = write_map(pid, "gid_map", c->io->gid_map ?: c->io->uid_map, s->userns_base, s->userns_size);
        if (r < 0)
                return runtime_fail(c, r, "write the user namespace's ID maps: %m");
        (void) snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
        userns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (userns_fd < 0)
                return runtime_fail(c, errno, "open the container's user namespace: %m");
        if (s->layers)
                r = mount_overlay_idmapped(c, userns_fd, &tree);
        else
                r = userns_root_tree(c, userns_fd, &tree);
        if (r < 0)
                return r;
        r = userns_own_overlay_dirs(c);
        if (r < 0)
                return r;

        fd_message_init(&fm);
        cmsg = CMSG_FIRSTHDR(&fm.msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &tree, sizeof(int));
        if (sendmsg(sock, &fm.msg, MSG_NOSIGNAL) != 1)
                return runtime_fail(c, errno, "hand the root to the container's init: %m");
        return 0;
}

int userns_setup_child(RuntimeContext *c) {
        struct cmsghdr *cmsg;
        FdMessage fm;
        ssize_t n;

        if (c->userns_sock < 0 && !c->io->join_userns_path)
                return 0;
        /* Still host UID 0 (the maps are not written yet): the mount point's parents are 0700. */
        c->userns_target_fd = open(c->io->root_mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c->userns_target_fd < 0)
                return runtime_fail(c, errno, "open root mount point: %m");
        if (!isempty(c->spec->net.etc_dir)) {
                c->userns_netfiles_fd = open(c->spec->net.etc_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (c->userns_netfiles_fd < 0)
                        return runtime_fail(c, errno, "open '%s': %m", c->spec->net.etc_dir);
        }
        if (c->spec->ephemeral) {
                c->userns_upper_fd = open(c->io->upper_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                c->userns_work_fd = open(c->io->work_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (c->userns_upper_fd < 0 || c->userns_work_fd < 0)
                        return runtime_fail(c, errno, "open overlay directories: %m");
        }
        if (c->io->join_userns_path)
                goto become_root; /* the tree came with the clone (runtime-userjoin.c) */
        fd_message_init(&fm);
        do
                n = recvmsg(c->userns_sock, &fm.msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        c->userns_sock = safe_close(c->userns_sock);
        if (n != 1)
                return runtime_fail(c, n < 0 ? errno : EIO, "receive the root from the caller: %m");
        cmsg = CMSG_FIRSTHDR(&fm.msg);
        if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
                return runtime_fail(c, EIO, "the caller sent no root");
        memcpy(&c->userns_tree_fd, CMSG_DATA(cmsg), sizeof(int));

become_root:
        /* The creator of a user namespace holds every capability in it, as a process that joined it
         * does: become its root. */
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                return runtime_fail(c, errno, "become root of the user namespace: %m");
        return 0;
}
