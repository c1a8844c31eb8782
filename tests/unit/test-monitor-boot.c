/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray-monitor's --boot pieces: what the end of a booted init means (poweroff, reboot, a crash), and
 * the notify socket: READY=1 is taken from the container's root only, among other status lines, and
 * fds passed along are not kept. No root needed. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor-boot.h"
#include "test.h"

/* A wait status as the kernel reports it. */
#define KILLED_BY(sig) (sig)
#define EXITED_WITH(code) ((code) << 8)

TEST(exit_status) {
        bool reboot;

        ASSERT_EQ(monitor_boot_exit_status(KILLED_BY(SIGINT), &reboot), 0);
        ASSERT_FALSE(reboot);
        ASSERT_EQ(monitor_boot_exit_status(KILLED_BY(SIGHUP), &reboot), 0);
        ASSERT_TRUE(reboot);
        ASSERT_EQ(monitor_boot_exit_status(KILLED_BY(SIGKILL), &reboot), 128 + SIGKILL);
        ASSERT_FALSE(reboot);
        ASSERT_EQ(monitor_boot_exit_status(EXITED_WITH(3), &reboot), 3);
        ASSERT_FALSE(reboot);
        return 0;
}

static int send_to(const char *path, const char *text, int pass_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (void *) text, .iov_len = strlen(text) };
        struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

        strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
        if (pass_fd >= 0) {
                struct cmsghdr *cm;

                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                cm = CMSG_FIRSTHDR(&mh);
                cm->cmsg_level = SOL_SOCKET;
                cm->cmsg_type = SCM_RIGHTS;
                cm->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
        }
        r = sendmsg(fd, &mh, 0) < 0 ? -errno : 0;
        close(fd);
        return r;
}

TEST(notify) {
        char dir[] = "/tmp/test-monitor-boot.XXXXXX";
        MonitorBoot b = MONITOR_BOOT_NULL;
        int pipefd[2];
        char cmd[64];

        ASSERT_TRUE(mkdtemp(dir) != NULL);
        /* Only our own uid may report: a sender of another uid is ignored. */
        ASSERT_OK(monitor_boot_notify_open(&b, dir, "0123456789abcdef", getuid()));
        ASSERT_FALSE(monitor_boot_notify_read(&b));

        ASSERT_OK(send_to(b.notify_path, "STATUS=starting\nREADY=0", -1));
        ASSERT_FALSE(monitor_boot_notify_read(&b));
        ASSERT_TRUE(pipe2(pipefd, O_CLOEXEC) == 0);
        ASSERT_OK(send_to(b.notify_path, "STATUS=up\nREADY=1\n", pipefd[0]));
        ASSERT_TRUE(monitor_boot_notify_read(&b));
        /* The passed fd was closed on our side: the pipe's read end is left with the sender's copy only,
         * and closing that makes writes fail. */
        close(pipefd[0]);
        signal(SIGPIPE, SIG_IGN);
        ASSERT_TRUE(write(pipefd[1], "x", 1) < 0);
        close(pipefd[1]);

        monitor_boot_done(&b);
        (void) snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        ASSERT_EQ(system(cmd), 0);
        return 0;
}

TEST(notify_other_uid_ignored) {
        char dir[] = "/tmp/test-monitor-boot.XXXXXX";
        MonitorBoot b = MONITOR_BOOT_NULL;
        char cmd[64];

        ASSERT_TRUE(mkdtemp(dir) != NULL);
        ASSERT_OK(monitor_boot_notify_open(&b, dir, "0123456789abcdef", getuid() + 1));
        ASSERT_OK(send_to(b.notify_path, "READY=1", -1));
        ASSERT_FALSE(monitor_boot_notify_read(&b));
        monitor_boot_done(&b);
        (void) snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        ASSERT_EQ(system(cmd), 0);
        return 0;
}

