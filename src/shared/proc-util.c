/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "parse-util.h"
#include "proc-util.h"

static int read_small_file(const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        n = read(fd, buf, size - 1);
        if (n < 0)
                return errno == ESRCH ? -ESRCH : -errno;
        buf[n] = 0;
        return 0;
}

int proc_stat_parse(const char *stat, pid_t *ret_ppid, uint64_t *ret_starttime) {
        unsigned long long start;
        const char *p;
        char state;
        int ppid;

        /* "pid (comm) state ppid …": comm may contain anything, even ") ", so look for the last ')'. */
        p = strrchr(stat, ')');
        if (!p || p[1] != ' ')
                return -EBADMSG;
        /* Fields 3 (state) and 4 (ppid), then skip fields 5..21 to reach 22 (starttime). */
        if (sscanf(p + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                   &state, &ppid, &start) != 3)
                return -EBADMSG;
        if (ppid < 0)
                return -EBADMSG;
        if (ret_ppid)
                *ret_ppid = ppid;
        if (ret_starttime)
                *ret_starttime = start;
        return 0;
}

static int proc_stat(pid_t pid, pid_t *ret_ppid, uint64_t *ret_starttime) {
        char path[64], buf[1024];
        int r;

        if (pid <= 0)
                return -EINVAL;
        snprintf(path, sizeof(path), "/proc/%i/stat", (int) pid);
        r = read_small_file(path, buf, sizeof(buf));
        if (r < 0)
                return r;
        return proc_stat_parse(buf, ret_ppid, ret_starttime);
}

int proc_get_starttime(pid_t pid, uint64_t *ret) {
        return proc_stat(pid, NULL, ret);
}

int proc_get_ppid(pid_t pid, pid_t *ret) {
        return proc_stat(pid, ret, NULL);
}

int proc_get_first_child(pid_t pid, pid_t *ret) {
        char path[96], buf[256];
        uint32_t child;
        int r;

        if (pid <= 0)
                return -EINVAL;
        snprintf(path, sizeof(path), "/proc/%i/task/%i/children", (int) pid, (int) pid);
        r = read_small_file(path, buf, sizeof(buf));
        if (r < 0)
                return r;
        buf[strcspn(buf, " \n")] = 0;
        if (buf[0] == 0)
                return -ESRCH;
        r = safe_atou32(buf, &child);
        if (r < 0)
                return r;
        if (child == 0 || child > INT32_MAX)
                return -EBADMSG;
        *ret = (pid_t) child;
        return 0;
}

int pidfd_open_pid(pid_t pid) {
        long fd;

        if (pid <= 0)
                return -ESRCH;
        fd = syscall(SYS_pidfd_open, pid, 0);
        return fd < 0 ? -errno : (int) fd;
}
