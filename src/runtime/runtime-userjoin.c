/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A user namespace joined by path (an OCI config's namespaces[].path of type user): joined first, as
 * runc joins it, so that the namespaces the container gets of its own are made by a member of it and
 * belong to it (only then may the container's root mount in them or set their host name). The caller
 * cannot join it and come back, so two clones:
 *
 *   caller (host root)                 helper                            init
 *   opens the rootfs tree
 *   clone (no new namespaces) ──►     setns(user namespace)
 *                                      clone(CLONE_PARENT | the new
 *                                      namespaces) ──────────────────►  sends one byte (the kernel
 *   reads the init's PID from    ◄──────────────────────────────────   adds its PID, translated)
 *   the credentials, reaps the         exits
 *   helper; the init is its child
 *   (CLONE_PARENT)
 *
 * The init is still host UID 0 (setns() changes no ID), so it opens the root mount point and what else
 * lies below 0700 directories before it becomes UID 0 of the namespace (userns_setup_child()). */
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "container-state.h"
#include "runtime-internal.h"

/* In the caller: the rootfs as a detached tree the init attaches (runtime-mount.c), as it is. */
int userns_join_prepare(RuntimeContext *c) {
        _cleanup_close_ int root = -EBADF;

        if (!c->io->join_userns_path)
                return 0;
        if (c->spec->userns_size > 0 || c->io->uid_map)
                return runtime_fail(c, EINVAL, "a user namespace joined by path takes no ID maps");
        if (spec_uses_overlay(c->spec))
                return runtime_fail(c, EOPNOTSUPP, "a user namespace joined by path needs a rootfs, not an image");
        root = runtime_open_rootfs(c);
        if (root < 0)
                return root;
        c->userns_tree_fd = open_tree(root, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
        if (c->userns_tree_fd < 0)
                return runtime_fail(c, errno, "open rootfs '%s': %m", c->spec->rootfs);
        return 0;
}

/* In the helper: returns 0 in the init, never in the helper. */
pid_t userns_join_clone(RuntimeContext *c, unsigned long ns_flags) {
        _cleanup_close_ int userns = -EBADF;
        pid_t pid;

        userns = open(c->io->join_userns_path, O_RDONLY | O_CLOEXEC);
        if (userns < 0)
                (void) runtime_fail(c, errno, "open namespace '%s': %m", c->io->join_userns_path);
        else if (setns(userns, CLONE_NEWUSER) < 0)
                (void) runtime_fail(c, errno, "join namespace '%s': %m", c->io->join_userns_path);
        else {
                pid = runtime_clone(ns_flags | CLONE_PARENT, -EBADF);
                if (pid == 0) {
                        char byte = 'p';

                        /* SO_PASSCRED on the caller's end: the kernel puts our PID, as the caller sees
                         * it, beside this byte. */
                        if (send(c->userns_sock, &byte, 1, MSG_NOSIGNAL) != 1)
                                _exit(EXIT_DRAY_FAILED);
                        c->userns_sock = safe_close(c->userns_sock);
                        return 0;
                }
                if (pid > 0)
                        _exit(EXIT_SUCCESS);
                (void) runtime_fail(c, (int) -pid, "clone container init: %m");
        }
        runtime_report(c->report_fd, &c->failure);
        _exit(EXIT_DRAY_FAILED);
}

/* In the caller: the init's PID, and the helper reaped. *helper is 0 afterwards. */
int userns_join_collect(RuntimeContext *c, pid_t *helper, int sock, pid_t *ret_init) {
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(struct ucred))];
        } control = {};
        char byte;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        struct cmsghdr *cm;
        struct ucred cred;
        ssize_t n;

        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        while (waitpid(*helper, NULL, 0) < 0 && errno == EINTR)
                ;
        *helper = 0;
        *ret_init = 0;
        if (n != 1)
                return 0; /* the helper failed: its report says why */
        cm = CMSG_FIRSTHDR(&mh);
        if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_CREDENTIALS ||
            cm->cmsg_len != CMSG_LEN(sizeof(struct ucred)))
                return runtime_fail(c, EIO, "the container's init sent no credentials");
        memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
        if (cred.pid <= 0)
                return runtime_fail(c, EIO, "the container's init is not in our pid namespace");
        *ret_init = cred.pid;
        return 0;
}
