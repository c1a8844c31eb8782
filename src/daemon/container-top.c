/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The processes of a running container, read from its scope's cgroup and /proc: with the PID the
 * host sees and the PID the container sees (the last NSpid: entry), as docker top shows them. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus-names.h"
#include "container-pause.h"
#include "container-top.h"
#include "log.h"
#include "manager.h"
#include "proc-util.h"
#include "safe-open.h"
#include "strv.h"
#include "time-util.h"
#include "utf8.h"

#define TOP_PROCESSES_MAX 4096U
#define TOP_DEPTH_MAX 16U
#define TOP_CMDLINE_MAX 4096U

typedef struct TopProcess {
        pid_t pid, ns_pid, ppid;
        uid_t uid;
        uint64_t start_usec; /* CLOCK_REALTIME */
        char *command;
} TopProcess;

struct CollectArgs {
        pid_t **pids;
        size_t *n;
};

static int collect_pids_child(int fd, unsigned depth, void *userdata);

static int collect_pids(int dir_fd, unsigned depth, pid_t **pids, size_t *n) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = safe_read_file_at(dir_fd, "cgroup.procs", SAFE_OPEN_NO_SYMLINKS, 1024 * 1024, &text, NULL);
        if (r < 0)
                return r;
        for (char *p = text, *e; *p; p = e) {
                long v = strtol(p, &e, 10);

                if (e == p)
                        break;
                while (*e == '\n')
                        e++;
                if (v <= 0 || *n >= TOP_PROCESSES_MAX)
                        continue;
                pid_t *np = reallocarray(*pids, *n + 1, sizeof(pid_t));
                if (!np)
                        return -ENOMEM;
                *pids = np;
                (*pids)[(*n)++] = (pid_t) v;
        }
        if (depth >= TOP_DEPTH_MAX)
                return 0;
        return cgroup_for_each_child(dir_fd, collect_pids_child, depth, &(struct CollectArgs) { pids, n });
}

static int collect_pids_child(int fd, unsigned depth, void *userdata) {
        struct CollectArgs *a = userdata;

        (void) collect_pids(fd, depth, a->pids, a->n);
        return 0;
}

int cgroup_for_each_child(int dir_fd, int (*fn)(int fd, unsigned depth, void *userdata), unsigned depth,
                          void *userdata) {
        DIR *d;
        int fd;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -errno;
        }
        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_close_ int sub = -EBADF;

                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub >= 0)
                        (void) fn(sub, depth + 1, userdata);
        }
        closedir(d);
        return 0;
}

/* Uid: and the last NSpid: of /proc/<pid>/status. */
static int read_status(pid_t pid, uid_t *ret_uid, pid_t *ret_ns_pid) {
        _cleanup_free_ char *text = NULL;
        char path[64];
        int r;

        (void) snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        r = safe_read_file_at(AT_FDCWD, path, 0, 64 * 1024, &text, NULL);
        if (r < 0)
                return r;
        *ret_uid = (uid_t) -1;
        *ret_ns_pid = pid;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                if (strneq(line, "Uid:", 4))
                        *ret_uid = (uid_t) strtoul(line + 4, NULL, 10);
                else if (strneq(line, "NSpid:", 6)) {
                        char *last = strrchr(line, '\t') ?: strrchr(line, ' ');

                        if (last)
                                *ret_ns_pid = (pid_t) strtol(last + 1, NULL, 10);
                }
        }
        return 0;
}

static int read_command(pid_t pid, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        char path[64];
        int r;

        (void) snprintf(path, sizeof(path), "/proc/%d/cmdline", (int) pid);
        r = safe_read_file_at(AT_FDCWD, path, 0, TOP_CMDLINE_MAX, &text, &n);
        if (r == -EFBIG) {
                n = 0;
                r = 0;
        }
        if (r < 0)
                return r;
        if (n == 0) { /* a kernel thread or a zombie: its name, as ps shows it */
                free(text);
                text = NULL;
                (void) snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
                r = safe_read_file_at(AT_FDCWD, path, 0, 256, &text, &n);
                if (r < 0)
                        return r;
                text[strcspn(text, "\n")] = 0;
                return asprintf(ret, "[%s]", text) < 0 ? -ENOMEM : 0;
        }
        for (size_t i = 0; i + 1 < n; i++)
                if (text[i] == 0)
                        text[i] = ' ';
        /* The container wrote this: no control characters or broken UTF-8 reach the caller. */
        for (char *p = text; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        *p = '?';
        if (!utf8_is_valid(text))
                for (char *p = text; *p; p++)
                        if ((unsigned char) *p >= 0x80)
                                *p = '?';
        *ret = TAKE_PTR(text);
        return 0;
}

static uint64_t start_realtime_usec(uint64_t start_ticks) {
        long hz = sysconf(_SC_CLK_TCK);
        uint64_t since_boot, now_boot;

        if (hz <= 0)
                return 0;
        since_boot = start_ticks * USEC_PER_SEC / (uint64_t) hz;
        now_boot = now_usec(CLOCK_BOOTTIME);
        return now_usec(CLOCK_REALTIME) - (now_boot - MIN(since_boot, now_boot));
}

static int compare_pid(const void *a, const void *b) {
        return (*(const pid_t *) a > *(const pid_t *) b) - (*(const pid_t *) a < *(const pid_t *) b);
}

static int append_processes(sd_bus_message *reply, const Container *c, pid_t *pids, size_t n) {
        int r;

        qsort(pids, n, sizeof(pid_t), compare_pid);
        r = sd_bus_message_open_container(reply, 'a', "(uuuuts)");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *cmd = NULL;
                TopProcess p = { .pid = pids[i] };
                uint64_t ticks = 0;

                if (p.pid == c->rec.monitor_pid)
                        continue; /* dray's own, not the container's */
                if (read_status(p.pid, &p.uid, &p.ns_pid) < 0 || proc_get_ppid(p.pid, &p.ppid) < 0 ||
                    proc_get_starttime(p.pid, &ticks) < 0 || read_command(p.pid, &cmd) < 0)
                        continue; /* gone meanwhile */
                /* The container's init is a fork of dray-monitor that never execs: name it for what it is. */
                if (p.pid == c->rec.pid && strneq(cmd, "dray-monitor ", 13)) {
                        free(cmd);
                        cmd = strdup("[dray-init]");
                        if (!cmd)
                                return -ENOMEM;
                }
                r = sd_bus_message_append(reply, "(uuuuts)", (uint32_t) p.pid, (uint32_t) p.ns_pid, (uint32_t) p.ppid,
                                          (uint32_t) p.uid, start_realtime_usec(ticks), cmd);
        }
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int method_list_container_processes(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *dir = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_close_ int fd = -EBADF;
        Manager *manager = userdata;
        const char *s;
        Container *c;
        size_t n = 0;
        int r;

        r = sd_bus_message_read(m, "s", &s);
        if (r < 0)
                return r;
        r = manager_find_container(manager, s, &c);
        if (r < 0)
                return sd_bus_error_setf(error, r == -ENOTUNIQ ? DRAY_ERROR_AMBIGUOUS_CONTAINER : DRAY_ERROR_NO_SUCH_CONTAINER,
                                         "No single container '%.64s'.", s);
        if (c->rec.state != CONTAINER_RUNNING)
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_NOT_RUNNING, "Container '%s' is not running.",
                                         c->spec->name);
        r = container_cgroup_dir(c, &dir);
        if (r >= 0) {
                fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = fd < 0 ? -errno : collect_pids(fd, 0, &pids, &n);
        }
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to read the processes of container '%s': %m",
                                               c->spec->name);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = append_processes(reply, c, pids, n);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

const sd_bus_vtable manager_top_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("ListContainerProcesses", SD_BUS_ARGS("s", container),
                                SD_BUS_RESULT("a(uuuuts)", processes), method_list_container_processes,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
