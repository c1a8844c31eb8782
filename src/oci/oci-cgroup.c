/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "atomic-write.h"
#include "log.h"
#include "mount-spec.h"
#include "name.h"
#include "oci-cgroup.h"
#include "oci-util.h"
#include "time-util.h"

/* The cgroup v2 hierarchy: /sys/fs/cgroup on a pure v2 host, /sys/fs/cgroup/unified (systemd's, without
 * controllers) on a hybrid one. Freezing, killing and listing work on either; limits through cgroupfs
 * need the controllers of a pure v2 host. */
static const char *cgroup_root(bool *ret_pure) {
        /* (oci_cgroup_root() below is its public face) */
        struct statfs sfs;

        if (statfs("/sys/fs/cgroup", &sfs) >= 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
                if (ret_pure)
                        *ret_pure = true;
                return "/sys/fs/cgroup";
        }
        if (ret_pure)
                *ret_pure = false;
        return "/sys/fs/cgroup/unified";
}
#define CGROUP_ROOT cgroup_root(NULL)

const char *oci_cgroup_root(void) {
        return CGROUP_ROOT;
}

int oci_cgroup_scope_name(const char *cgroups_path, const char *id, char **ret_unit, char **ret_slice) {
        _cleanup_free_ char *copy = NULL, *unit = NULL, *slice = NULL;
        char *prefix, *name;

        if (isempty(cgroups_path)) {
                if (asprintf(&unit, "dray-oci-%s.scope", id) < 0)
                        return -ENOMEM;
                slice = strdup("system.slice");
        } else {
                copy = strdup(cgroups_path);
                if (!copy)
                        return -ENOMEM;
                prefix = strchr(copy, ':');
                name = prefix ? strchr(prefix + 1, ':') : NULL;
                if (!name || strchr(name + 1, ':'))
                        return -EINVAL;
                *prefix++ = 0;
                *name++ = 0;
                if (isempty(name))
                        return -EINVAL;
                if (asprintf(&unit, "%s%s%s.scope", prefix, *prefix ? "-" : "", name) < 0)
                        return -ENOMEM;
                slice = strdup(isempty(copy) ? "system.slice" : copy);
        }
        if (!slice)
                return -ENOMEM;
        if (!unit_name_is_valid_simple(unit) || !slice_name_is_valid(slice))
                return -EINVAL;
        *ret_unit = TAKE_PTR(unit);
        *ret_slice = TAKE_PTR(slice);
        return 0;
}

static int append_limits(sd_bus_message *m, const ContainerSpec *l) {
        int r = 0;

        if (l->memory_max != UNSET_U64)
                r = sd_bus_message_append(m, "(sv)", "MemoryMax", "t", l->memory_max);
        if (r >= 0 && l->cpu_quota_per_sec_usec != UNSET_U64)
                r = sd_bus_message_append(m, "(sv)", "CPUQuotaPerSecUSec", "t", l->cpu_quota_per_sec_usec);
        if (r >= 0 && l->cpu_weight != UNSET_U64)
                r = sd_bus_message_append(m, "(sv)", "CPUWeight", "t", l->cpu_weight);
        if (r >= 0 && l->tasks_max != UNSET_U64)
                r = sd_bus_message_append(m, "(sv)", "TasksMax", "t", l->tasks_max);
        return r;
}

typedef struct JobWait {
        const char *path;
        char *result;
} JobWait;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        JobWait *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (w->path && streq(path, w->path) && !w->result)
                w->result = strdup(result);
        return 0;
}

int oci_cgroup_start_scope(const char *unit, const char *slice, const char *id, const ContainerSpec *limits,
                           OciScopeAppend append, const void *userdata, char **ret_error) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_free_ char *description = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        JobWait w = {};
        uint64_t deadline;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        r = sd_bus_match_signal(bus, &slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &w);
        if (r < 0)
                return r;
        if (asprintf(&description, "dray-oci container %s", id) < 0)
                return -ENOMEM;
        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", unit, "fail");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)", "Description", "s", description, "Slice", "s", slice,
                                          "Delegate", "b", 1, "PIDs", "au", 1, (uint32_t) getpid(),
                                          "CollectMode", "s", "inactive-or-failed");
        if (r >= 0)
                r = append_limits(m, limits);
        if (r >= 0 && append)
                r = append(m, userdata);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "start the systemd scope %s: %s", unit, error.message ?: strerror(-r));
                sd_bus_error_free(&error);
                return r;
        }
        r = sd_bus_message_read(reply, "o", &w.path);
        if (r < 0)
                return r;
        deadline = now_usec(CLOCK_MONOTONIC) + 30 * USEC_PER_SEC;
        while (!w.result) {
                uint64_t t = now_usec(CLOCK_MONOTONIC);

                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                if (t >= deadline)
                        return -ETIMEDOUT;
                r = sd_bus_wait(bus, deadline - t);
                if (r < 0)
                        return r;
        }
        r = streq(w.result, "done") ? 0 : -EIO;
        if (r < 0 && ret_error)
                (void) asprintf(ret_error, "systemd's job for the scope %s ended with '%s'", unit, w.result);
        free(w.result);
        return r;
}

int oci_cgroup_stop_scope(const char *unit) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "StopUnit", &error, NULL, "ss", unit, "fail");
        if (r < 0 && sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit"))
                r = 0;
        sd_bus_error_free(&error);
        return r;
}

int oci_cgroup_write(int dir_fd, const char *name, const char *value) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0)
                return -errno;
        return loop_write(fd, value, strlen(value));
}

/* devices: made and entered so that oci_devices_apply_self() finds the container's v1 device lists;
 * a host without that hierarchy has the BPF program alone. */
static const char *const v1_controllers[] = { "memory", "cpu", "pids", "devices" };

/* A hybrid host: the limits go to the v1 controllers' hierarchies, the caller into each. */
static int cgroup_make_v1(const char *rel, const ContainerSpec *l, const OciCgroupV1Limits *v1, char **ret_error) {
        for (size_t i = 0; i < ELEMENTSOF(v1_controllers); i++) {
                _cleanup_free_ char *dir = NULL;
                _cleanup_close_ int fd = -EBADF;
                char buf[64];
                int r = 0;

                if (streq(v1_controllers[i], "devices") && access("/sys/fs/cgroup/devices", F_OK) < 0)
                        continue;
                if (asprintf(&dir, "/sys/fs/cgroup/%s%s", v1_controllers[i], rel) < 0)
                        return -ENOMEM;
                /* Each level: the v1 hierarchies have no subtree_control to hand down. */
                for (char *p = dir + strlen("/sys/fs/cgroup/") + strlen(v1_controllers[i]) + 1;; p++) {
                        char saved = *p;

                        if (saved != '/' && saved != 0)
                                continue;
                        *p = 0;
                        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                                r = -errno;
                        *p = saved;
                        if (r < 0 || saved == 0)
                                break;
                }
                if (r < 0 || (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
                        r = r < 0 ? r : -errno;
                        if (ret_error)
                                (void) asprintf(ret_error, "create cgroup %s: %s", dir, strerror(-r));
                        return r;
                }
                if (streq(v1_controllers[i], "memory") && l->memory_max != UNSET_U64) {
                        (void) snprintf(buf, sizeof(buf), "%" PRIu64, l->memory_max);
                        r = oci_cgroup_write(fd, "memory.limit_in_bytes", buf);
                } else if (streq(v1_controllers[i], "pids") && l->tasks_max != UNSET_U64) {
                        (void) snprintf(buf, sizeof(buf), "%" PRIu64, l->tasks_max);
                        r = oci_cgroup_write(fd, "pids.max", buf);
                } else if (streq(v1_controllers[i], "cpu")) {
                        if (v1->cpu_shares > 0) {
                                (void) snprintf(buf, sizeof(buf), "%" PRIu64, v1->cpu_shares);
                                r = oci_cgroup_write(fd, "cpu.shares", buf);
                        }
                        if (r >= 0 && v1->cpu_quota > 0) {
                                (void) snprintf(buf, sizeof(buf), "%" PRIu64, v1->cpu_period);
                                r = oci_cgroup_write(fd, "cpu.cfs_period_us", buf);
                                (void) snprintf(buf, sizeof(buf), "%" PRIi64, v1->cpu_quota);
                                if (r >= 0)
                                        r = oci_cgroup_write(fd, "cpu.cfs_quota_us", buf);
                        }
                }
                if (r >= 0)
                        r = oci_cgroup_write(fd, "cgroup.procs", "0");
                if (r < 0) {
                        if (ret_error)
                                (void) asprintf(ret_error, "set up cgroup %s: %s", dir, strerror(-r));
                        return r;
                }
        }
        return 0;
}

/* A failure once the container's cgroup exists still hands its path back, so that the caller, which
 * owns it from then on, removes it with the rest of a failed create (nothing left behind). */
static int made_but_failed(int r, char **rel, char **ret_path) {
        *ret_path = TAKE_PTR(*rel);
        return r;
}

int oci_cgroup_make(const char *cgroups_path, const char *id, const ContainerSpec *l, const OciCgroupV1Limits *v1,
                    char **ret_path, char **ret_error) {
        _cleanup_free_ char *rel = NULL;
        _cleanup_close_ int fd = -EBADF;
        bool pure = false;
        char buf[64];
        int r;

        (void) cgroup_root(&pure);
        if (isempty(cgroups_path)) {
                if (asprintf(&rel, "/dray-oci/%s", id) < 0)
                        return -ENOMEM;
        } else {
                _cleanup_free_ char *abs = cgroups_path[0] == '/' ? strdup(cgroups_path) : strjoin("/", cgroups_path, "");

                if (!abs)
                        return -ENOMEM;
                if (mount_path_normalize(abs, &rel) < 0) {
                        if (ret_error)
                                (void) asprintf(ret_error, "linux.cgroupsPath: '%s' is not a valid cgroup path", cgroups_path);
                        return -EINVAL;
                }
        }
        if (streq(rel, "/"))
                return -EINVAL;
        /* Each level: made if missing, the controllers handed down to the next. */
        for (char *p = rel + 1;; p++) {
                char saved = *p;
                _cleanup_free_ char *full = NULL;

                if (*p != '/' && *p != 0)
                        continue;
                *p = 0;
                full = strjoin(CGROUP_ROOT, rel, "");
                if (!full)
                        return -ENOMEM;
                if (mkdir(full, 0755) < 0 && errno != EEXIST) {
                        r = -errno;
                        if (ret_error)
                                (void) asprintf(ret_error, "create cgroup %s: %s", full, strerror(errno));
                        return r;
                }
                *p = saved;
                if (saved == 0)
                        break;
                /* A hybrid host's v1 hierarchies hold these: nothing to enable in its unified one. */
                if (pure) {
                        _cleanup_close_ int dfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                        if (dfd >= 0)
                                FOREACH_STRING(c, "+cpu", "+memory", "+pids")
                                        (void) oci_cgroup_write(dfd, "cgroup.subtree_control", c);
                }
        }
        {
                _cleanup_free_ char *full = strjoin(CGROUP_ROOT, rel, "");

                if (!full)
                        return -ENOMEM;
                fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
        }
        if (!pure) {
                r = cgroup_make_v1(rel, l, v1, ret_error);
                if (r < 0)
                        return made_but_failed(r, &rel, ret_path);
                r = oci_cgroup_write(fd, "cgroup.procs", "0");
                if (r < 0)
                        return made_but_failed(r, &rel, ret_path);
                *ret_path = TAKE_PTR(rel);
                return 0;
        }
        r = 0;
        {
                /* Each limit's file, and what a missing file means: its controller is not enabled here. */
                const struct { const char *file, *controller; uint64_t value; const char *suffix; } limits[] = {
                        { "memory.max", "memory", l->memory_max, "" },
                        { "cpu.max", "cpu", l->cpu_quota_per_sec_usec, " 1000000" }, /* quota per 1 s period */
                        { "cpu.weight", "cpu", l->cpu_weight, "" },
                        { "pids.max", "pids", l->tasks_max, "" },
                };

                for (size_t i = 0; i < ELEMENTSOF(limits); i++) {
                        if (limits[i].value == UNSET_U64)
                                continue;
                        (void) snprintf(buf, sizeof(buf), "%" PRIu64 "%s", limits[i].value, limits[i].suffix);
                        r = oci_cgroup_write(fd, limits[i].file, buf);
                        if (r < 0) {
                                if (ret_error && r == -ENOENT)
                                        (void) asprintf(ret_error, "linux.resources: the %s controller is not available in cgroup %s (no %s)",
                                                        limits[i].controller, rel, limits[i].file);
                                else if (ret_error)
                                        (void) asprintf(ret_error, "set %s of cgroup %s: %s", limits[i].file, rel, strerror(-r));
                                return made_but_failed(r, &rel, ret_path);
                        }
                }
        }
        /* The caller moves itself in, so the init is born there (as with a systemd scope). */
        r = oci_cgroup_write(fd, "cgroup.procs", "0");
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "enter cgroup %s: %s", rel, strerror(-r));
                return made_but_failed(r, &rel, ret_path);
        }
        *ret_path = TAKE_PTR(rel);
        return 0;
}

int oci_cgroup_save_self(char **ret) {
        return oci_cgroup_save_pid(0, ret);
}

int oci_cgroup_save_pid(pid_t pid, char **ret) {
        _cleanup_fclose_ FILE *f = NULL;
        char *buf = NULL, path[64];
        size_t n = 0;

        (void) snprintf(path, sizeof(path), pid > 0 ? "/proc/%d/cgroup" : "/proc/self/cgroup", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        if (getdelim(&buf, &n, 0, f) < 0) {
                free(buf);
                return -EIO;
        }
        *ret = buf;
        return 0;
}

/* Whether the lines of text hold line (without its newline) as one of them. */
static bool has_line(const char *text, const char *line, size_t len) {
        for (const char *p = text; p && *p;) {
                const char *end = strchrnul(p, '\n');

                if ((size_t) (end - p) == len && memcmp(p, line, len) == 0)
                        return true;
                p = *end ? end + 1 : NULL;
        }
        return false;
}

/* Joins the caller to each hierarchy's cgroup of text (/proc/PID/cgroup's form): "0::/path" in the v2
 * one, "N:CONTROLLERS:/path" (and "N:name=NAME:/path") in /sys/fs/cgroup/CONTROLLERS. A hierarchy not
 * mounted there is passed over; with ret_error, the first other failure ends it. */
static int join_lines(const char *text, char **ret_error) {
        _cleanup_free_ char *now = NULL;

        /* A hierarchy where the caller is already in place is skipped: every write to cgroup.procs
         * takes the kernel's cgroup_threadgroup_rwsem for writing, the slow part of a container's start
         * on a hybrid host's nine hierarchies. */
        (void) oci_cgroup_save_self(&now);
        for (const char *line = text; line && *line;) {
                const char *end = strchrnul(line, '\n'), *c1 = memchr(line, ':', (size_t) (end - line)), *c2;
                _cleanup_free_ char *dir = NULL, *hierarchy = NULL;
                _cleanup_close_ int fd = -EBADF;

                c2 = c1 ? memchr(c1 + 1, ':', (size_t) (end - c1 - 1)) : NULL;
                if (c2 && c2[1] == '/' && !(now && has_line(now, line, (size_t) (end - line)))) {
                        int path_len = (int) (end - c2 - 1), name_len = (int) (c2 - c1 - 1), r;
                        const char *name = c1 + 1;

                        if (strneq(name, "name=", 5)) {
                                name += 5;
                                name_len -= 5;
                        }
                        if (name_len == 0) /* 0::/path: the v2 hierarchy */
                                r = asprintf(&dir, "%s%.*s", CGROUP_ROOT, path_len, c2 + 1);
                        else
                                r = asprintf(&dir, "/sys/fs/cgroup/%.*s%.*s", name_len, name, path_len, c2 + 1);
                        if (r >= 0 && name_len > 0)
                                r = asprintf(&hierarchy, "/sys/fs/cgroup/%.*s", name_len, name);
                        if (r < 0)
                                return -ENOMEM;
                        if (hierarchy && access(hierarchy, F_OK) < 0)
                                r = 0; /* not mounted where dray-oci looks: nothing to join */
                        else if (strstr(dir, "..") || memchr(name, '/', (size_t) name_len))
                                r = -EINVAL;
                        else if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                                r = -errno;
                        else
                                r = oci_cgroup_write(fd, "cgroup.procs", "0");
                        if (r < 0 && ret_error) {
                                (void) asprintf(ret_error, "join cgroup %s: %s", dir, strerror(-r));
                                return r;
                        }
                }
                line = *end ? end + 1 : NULL;
        }
        return 0;
}

void oci_cgroup_return(const char *saved) {
        (void) join_lines(saved, NULL);
}

int oci_cgroup_join_pid(pid_t pid, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        int r = oci_cgroup_save_pid(pid, &text);

        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "read /proc/%d/cgroup: %s", (int) pid, strerror(-r));
                return r;
        }
        return join_lines(text, ret_error);
}

int oci_cgroup_of_pid(pid_t pid, char **ret) {
        char path[64], line[PATH_MAX + 8];
        _cleanup_fclose_ FILE *f = NULL;

        (void) snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f))
                if (strneq(line, "0::", 3)) {
                        line[strcspn(line, "\n")] = 0;
                        *ret = strdup(line + 3);
                        return *ret ? 0 : -ENOMEM;
                }
        return -ENODATA;
}

static int cgroup_open(const char *cgroup) {
        _cleanup_free_ char *full = NULL;
        int fd;

        if (isempty(cgroup) || cgroup[0] != '/' || strstr(cgroup, ".."))
                return -EINVAL;
        full = strjoin(CGROUP_ROOT, cgroup, "");
        if (!full)
                return -ENOMEM;
        fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int oci_cgroup_is_frozen(const char *cgroup) {
        _cleanup_close_ int dfd = cgroup_open(cgroup), fd = -EBADF;
        char buf[32] = {};

        if (dfd < 0)
                return dfd;
        fd = openat(dfd, "cgroup.freeze", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
                return -errno;
        return buf[0] == '1';
}

int oci_cgroup_freeze(const char *cgroup, bool freeze) {
        _cleanup_close_ int dfd = cgroup_open(cgroup);
        int r;

        if (dfd < 0)
                return dfd;
        r = oci_cgroup_write(dfd, "cgroup.freeze", freeze ? "1" : "0");
        if (r < 0)
                return r;
        /* Wait (bounded) until the kernel reports the whole tree frozen or thawed. */
        for (int i = 0; i < 500; i++) {
                _cleanup_fclose_ FILE *f = NULL;
                char line[64];
                int frozen = -1;

                f = fdopen(openat(dfd, "cgroup.events", O_RDONLY | O_CLOEXEC), "re");
                if (!f)
                        return -errno;
                while (fgets(line, sizeof(line), f))
                        if (strneq(line, "frozen ", 7))
                                frozen = line[7] == '1';
                if (frozen == freeze)
                        return 0;
                (void) usleep(10000);
        }
        return -ETIMEDOUT;
}

static int pids_collect(int dfd, pid_t **pids, size_t *n, unsigned depth) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_close_ int dup_fd = -EBADF;
        DIR *d;
        char line[32];

        if (depth > 32)
                return -ELOOP;
        f = fdopen(openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC), "re");
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                pid_t *a = realloc(*pids, (*n + 1) * sizeof(pid_t));

                if (!a)
                        return -ENOMEM;
                *pids = a;
                (*pids)[(*n)++] = (pid_t) atoi(line);
        }
        dup_fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dup_fd < 0)
                return -errno;
        d = fdopendir(TAKE_FD(dup_fd));
        if (!d)
                return -errno;
        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_close_ int sub = -EBADF;

                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (sub >= 0)
                        (void) pids_collect(sub, pids, n, depth + 1);
        }
        closedir(d);
        return 0;
}

int oci_cgroup_pids(const char *cgroup, pid_t **ret, size_t *ret_n) {
        _cleanup_close_ int dfd = cgroup_open(cgroup);
        pid_t *pids = NULL;
        size_t n = 0;
        int r;

        if (dfd < 0)
                return dfd;
        r = pids_collect(dfd, &pids, &n, 0);
        if (r < 0) {
                free(pids);
                return r;
        }
        *ret = pids;
        *ret_n = n;
        return 0;
}

int oci_cgroup_kill(const char *cgroup, int sig) {
        _cleanup_close_ int dfd = cgroup_open(cgroup);
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r;

        if (dfd < 0)
                return dfd;
        if (sig == SIGKILL && oci_cgroup_write(dfd, "cgroup.kill", "1") >= 0)
                return 0;
        r = oci_cgroup_pids(cgroup, &pids, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                (void) kill(pids[i], sig);
        return 0;
}

static void remove_children(int dfd, unsigned depth) {
        _cleanup_close_ int dup_fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;

        if (dup_fd < 0 || depth > 32 || !(d = fdopendir(TAKE_FD(dup_fd))))
                return;
        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_close_ int sub = -EBADF;

                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (sub >= 0)
                        remove_children(sub, depth + 1);
                (void) unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
        }
        closedir(d);
}

int oci_cgroup_remove(const char *cgroup) {
        _cleanup_close_ int dfd = cgroup_open(cgroup);
        _cleanup_free_ char *full = NULL;
        int r = -EBUSY;

        if (dfd < 0)
                return dfd == -ENOENT ? 0 : dfd;
        remove_children(dfd, 0);
        full = strjoin(CGROUP_ROOT, cgroup, "");
        if (!full)
                return -ENOMEM;
        /* A process that has not left yet (its exit is in flight) keeps it busy a moment; the v1
         * directories after it, once it has left them too. */
        for (int i = 0; i < 100; i++) {
                r = rmdir(full) >= 0 || errno == ENOENT ? 0 : -errno;
                if (r != -EBUSY)
                        break;
                (void) usleep(10000);
        }
        for (size_t i = 0; !streq(CGROUP_ROOT, "/sys/fs/cgroup") && i < ELEMENTSOF(v1_controllers); i++) {
                _cleanup_free_ char *v1dir = NULL;

                if (asprintf(&v1dir, "/sys/fs/cgroup/%s%s", v1_controllers[i], cgroup) >= 0)
                        (void) rmdir(v1dir);
        }
        return r;
}
