/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "child-fork.h"
#include "net-netns.h"

/* One byte with an SCM_RIGHTS fd attached. */
typedef struct FdMessage {
        char byte;
        struct iovec iov;
        /* Aligned like the header, not a union with it: struct cmsghdr ends in a flexible array, which
         * clang (the fuzz build) warns about inside another struct. */
        _Alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
        struct msghdr mh;
} FdMessage;

static void fd_message_init(FdMessage *m) {
        *m = (FdMessage) { .byte = 'F' };
        m->iov = (struct iovec) { .iov_base = &m->byte, .iov_len = 1 };
        m->mh = (struct msghdr) {
                .msg_iov = &m->iov,
                .msg_iovlen = 1,
                .msg_control = m->control,
                .msg_controllen = sizeof(m->control),
        };
}

static int send_fd(int sock, int fd) {
        struct cmsghdr *cmsg;
        FdMessage m;

        fd_message_init(&m);
        cmsg = CMSG_FIRSTHDR(&m.mh);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
        return sendmsg(sock, &m.mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int recv_fd(int sock, int *ret) {
        struct cmsghdr *cmsg;
        FdMessage m;
        ssize_t n;
        int fd;

        fd_message_init(&m);
        do
                n = recvmsg(sock, &m.mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        cmsg = CMSG_FIRSTHDR(&m.mh);
        if (n != 1 || !cmsg || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
                return -EIO; /* the child failed; its exit status says why */
        memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
        *ret = fd;
        return 0;
}

static int wait_child(pid_t pid) {
        ChildExit e;
        int r;

        r = child_wait(pid, &e);
        if (r < 0)
                return r;
        if (e.end != CHILD_EXITED)
                return -EIO;
        return -e.status; /* the child exits with its errno */
}

static int netlink_socket_bound(void) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        int fd;

        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                safe_close(fd);
                return -errno;
        }
        return fd;
}

/* In the child: netns_fd >= 0 joins it, else unshares a new one, sets it up and pins it at path.
 * Then sends a rtnetlink socket made here and, if asked, a packet socket (for announcing addresses,
 * net-announce.h). Exits with the errno of what failed. */
_noreturn_ static void netns_child(int sock, int netns_fd, const char *path, bool packet) {
        int fd, r;

        if (netns_fd >= 0)
                r = setns(netns_fd, CLONE_NEWNET) < 0 ? -errno : 0;
        else {
                r = unshare(CLONE_NEWNET) < 0 ? -errno : 0;
                /* The namespace is the container's alone, and drayd (the host's user namespace) owns
                 * it: a payload in a user namespace of its own holds CAP_NET_BIND_SERVICE there, not
                 * here, and could bind no port below 1024 (nginx on 80: EACCES). Podman and Docker
                 * open the low ports the same way. /proc/sys/net is the opener's namespace's. */
                if (r >= 0)
                        r = net_sysctl_write("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0");
                if (r >= 0 && mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
                        r = -errno;
        }
        if (r < 0)
                _exit(-r & 0xff);
        fd = netlink_socket_bound();
        if (fd < 0)
                _exit(-fd & 0xff);
        r = send_fd(sock, fd);
        if (r >= 0 && packet) {
                /* Protocol 0: it sends, and receives nothing. Announcing is best effort: without
                 * one (a kernel without AF_PACKET) the byte comes alone, and the caller goes on. */
                fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd >= 0)
                        r = send_fd(sock, fd);
                else if (send(sock, "N", 1, MSG_NOSIGNAL) < 0)
                        r = -errno;
        }
        _exit(r < 0 ? -r & 0xff : 0);
}

static int netns_fork(int netns_fd, const char *path, Rtnl **ret, int *ret_packet_fd) {
        _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
        int fd = -EBADF, packet_fd = -EBADF, r, k;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        pid = child_fork("network namespace worker");
        if (pid < 0)
                return pid;
        if (pid == 0) {
                pair[0] = safe_close(pair[0]);
                netns_child(pair[1], netns_fd, path, ret_packet_fd != NULL);
        }
        pair[1] = safe_close(pair[1]);
        r = recv_fd(pair[0], &fd);
        if (r >= 0 && ret_packet_fd && recv_fd(pair[0], &packet_fd) < 0)
                packet_fd = -EBADF; /* none: announcements are skipped */
        k = wait_child(pid);
        if (k < 0 || r < 0) {
                safe_close(fd);
                safe_close(packet_fd);
                return k < 0 ? k : r;
        }
        r = rtnl_open_fd(fd, ret);
        if (r < 0) {
                safe_close(packet_fd);
                return r;
        }
        if (ret_packet_fd)
                *ret_packet_fd = packet_fd;
        return 0;
}

int net_netns_new(const char *path, Rtnl **ret_rtnl, int *ret_packet_fd) {
        _cleanup_(rtnl_freep) Rtnl *rtnl = NULL;
        _cleanup_close_ int fd = -EBADF, packet_fd = -EBADF;
        int r;

        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
        if (fd < 0)
                return -errno;
        fd = safe_close(fd);
        r = netns_fork(-EBADF, path, &rtnl, ret_packet_fd ? &packet_fd : NULL);
        if (r >= 0) {
                int lo;

                r = rtnl_link_index(rtnl, "lo", &lo);
                if (r >= 0)
                        r = rtnl_link_set(rtnl, lo, true, 0, 0);
        }
        if (r < 0) {
                (void) net_netns_remove(path);
                return r;
        }
        *ret_rtnl = TAKE_PTR(rtnl);
        if (ret_packet_fd)
                *ret_packet_fd = TAKE_FD(packet_fd);
        return 0;
}

int net_netns_rtnl(int netns_fd, Rtnl **ret_rtnl, int *ret_packet_fd) {
        return netns_fork(netns_fd, NULL, ret_rtnl, ret_packet_fd);
}

int net_netns_remove(const char *path) {
        if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
                return -errno;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int net_sysctl_write(const char *path, const char *value) {
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(value);
        ssize_t n;

        if (!strneq(path, "/proc/sys/net/", strlen("/proc/sys/net/")))
                return -EINVAL;
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        n = write(fd, value, len);
        if (n < 0)
                return -errno;
        return (size_t) n == len ? 0 : -EIO;
}
