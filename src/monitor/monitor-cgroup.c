/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "log.h"
#include "monitor-cgroup.h"
#include "parse-util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* Reads a small kernel file (cgroup and proc files are far below the limit). */
static int read_small_file(const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        size_t n = 0;

        if (fd < 0)
                return -errno;
        while (n < size - 1) {
                ssize_t k = read(fd, buf + n, size - 1 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = 0;
        return 0;
}

static int write_small_file(const char *path, const char *text) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return -errno;
        if (write(fd, text, strlen(text)) < 0)
                return -errno;
        return 0;
}

static const char *next_line(const char *line) {
        const char *nl = strchr(line, '\n');

        return nl ? nl + 1 : NULL;
}

/* Lines are "ID:CONTROLLERS:PATH"; CONTROLLERS is a comma separated list ("" on the v2 line). */
int cgroup_path_from_proc(const char *text, const char *controller, char **ret) {
        for (const char *line = text; line && *line; line = next_line(line)) {
                const char *c = strchr(line, ':'), *p, *end;
                bool match = false;

                if (!c)
                        continue;
                c++;
                p = strchr(c, ':');
                if (!p)
                        continue;
                if (!controller)
                        match = p == c;
                else
                        for (const char *w = c; w < p;) {
                                size_t l = strcspn(w, ",:");
                                if (l == strlen(controller) && strneq(w, controller, l))
                                        match = true;
                                w += l + (w[l] == ',');
                        }
                if (!match)
                        continue;
                p++;
                end = strchrnul(p, '\n');
                if (end == p || *p != '/')
                        return -EBADMSG;
                *ret = strndup(p, (size_t) (end - p));
                return *ret ? 0 : -ENOMEM;
        }
        return -ENOENT;
}

int oom_kill_count_from_text(const char *text, uint64_t *ret) {
        for (const char *line = text; line && *line; line = next_line(line)) {
                char value[32];
                size_t l;

                if (!strneq(line, "oom_kill ", 9))
                        continue;
                line += 9;
                l = strcspn(line, "\n");
                if (l == 0 || l >= sizeof(value))
                        return -EBADMSG;
                memcpy(value, line, l);
                value[l] = 0;
                return safe_atou64(value, ret);
        }
        return -ENOENT;
}

static int own_cgroup(const char *controller, char **ret) {
        char buf[4096];
        int r;

        r = read_small_file("/proc/self/cgroup", buf, sizeof(buf));
        if (r < 0)
                return r;
        return cgroup_path_from_proc(buf, controller, ret);
}

static int read_oom_kills(const char *file, uint64_t *ret) {
        char buf[1024];
        int r;

        r = read_small_file(file, buf, sizeof(buf));
        if (r < 0)
                return r;
        return oom_kill_count_from_text(buf, ret);
}

static int join_path(char **ret, const char *a, const char *b, const char *c) {
        /* Our cgroup is "/" outside of any unit: avoid "//". */
        if (asprintf(ret, "%s%s%s", a, streq(b, "/") ? "" : b, c) < 0)
                return -ENOMEM;
        return 0;
}

static int make_cgroup(const char *path) {
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return log_warning_errno(errno, "Failed to create cgroup '%s', ignoring: %m", path);
        return 0;
}

/* Moves the monitor into <own>/supervisor and opens <own>/payload for the payload. */
static int cgroup_setup_unified(MonitorCgroup *c) {
        _cleanup_free_ char *own = NULL, *supervisor = NULL, *procs = NULL, *payload = NULL;
        char pid[32];
        int r;

        r = own_cgroup(NULL, &own);
        if (r < 0)
                return log_warning_errno(r, "Failed to find our cgroup, ignoring: %m");
        if (streq(own, "/")) {
                /* Not in a unit (started by hand): never litter the root cgroup. */
                log_debug("In the root cgroup, not creating sub-cgroups.");
                return 0;
        }
        if (join_path(&supervisor, CGROUP_ROOT, own, "/supervisor") < 0 ||
            join_path(&payload, CGROUP_ROOT, own, "/payload") < 0 ||
            asprintf(&procs, "%s/cgroup.procs", supervisor) < 0)
                return log_oom();
        r = make_cgroup(supervisor);
        if (r < 0)
                return r;
        r = make_cgroup(payload);
        if (r < 0)
                return r;
        (void) snprintf(pid, sizeof(pid), "%d\n", (int) getpid());
        r = write_small_file(procs, pid);
        if (r < 0)
                return log_warning_errno(r, "Failed to move into cgroup '%s', ignoring: %m", supervisor);
        c->payload_fd = open(payload, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c->payload_fd < 0)
                return log_warning_errno(errno, "Failed to open cgroup '%s', ignoring: %m", payload);
        if (asprintf(&c->oom_file, "%s/memory.events", payload) < 0)
                return log_oom();
        return 0;
}

static int cgroup_setup_legacy(MonitorCgroup *c) {
        _cleanup_free_ char *own = NULL;
        int r;

        r = own_cgroup("memory", &own);
        if (r < 0)
                return log_debug_errno(r, "No memory cgroup, OOM kills go unnoticed: %m");
        return join_path(&c->oom_file, CGROUP_ROOT "/memory", own, "/memory.oom_control");
}

void monitor_cgroup_setup(MonitorCgroup *c) {
        struct statfs sfs;

        *c = (MonitorCgroup) { .payload_fd = -EBADF };
        c->unified = statfs(CGROUP_ROOT, &sfs) >= 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
        if (c->unified)
                (void) cgroup_setup_unified(c);
        else
                (void) cgroup_setup_legacy(c);

        if (c->oom_file && read_oom_kills(c->oom_file, &c->oom_kills) < 0) {
                log_debug("Cannot read oom_kill from '%s', OOM kills go unnoticed.", c->oom_file);
                free(c->oom_file);
                c->oom_file = NULL;
        }
}

bool monitor_cgroup_oom_killed(const MonitorCgroup *c) {
        uint64_t n;

        return c->oom_file && read_oom_kills(c->oom_file, &n) >= 0 && n > c->oom_kills;
}

void monitor_cgroup_done(MonitorCgroup *c) {
        c->payload_fd = safe_close(c->payload_fd);
        free(c->oom_file);
        c->oom_file = NULL;
}
