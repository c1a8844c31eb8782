/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <linux/magic.h>
#include <unistd.h>

#include "bus-names.h"
#include "cgroup-stats.h"
#include "container-stats.h"
#include "container-top.h"
#include "container.h"
#include "log.h"
#include "manager.h"
#include "safe-open.h"
#include "strv.h"
#include "time-util.h"

#define STATS_FILE_MAX (64U * 1024U)
#define STATS_DEPTH_MAX 16U
#define STATS_CONTAINERS_MAX 4096U

/* The kernel's own files (cgroupfs, procfs), at paths the kernel gave us: no FIFO or symlink can be
 * planted there, so a plain bounded read does (safe_open's reopen costs three more calls per file,
 * eight files per container). Such files are produced whole by the first read() when it has room. */
static int read_kernel_file(const char *path, char **ret) {
        _cleanup_close_ int fd = -EBADF;
        char buf[4096];
        ssize_t n;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf));
        if (n < 0)
                return -errno;
        if ((size_t) n == sizeof(buf)) { /* larger: read it all from the start */
                if (lseek(fd, 0, SEEK_SET) < 0)
                        return -errno;
                return safe_read_fd(fd, STATS_FILE_MAX, ret, NULL);
        }
        *ret = strndup(buf, (size_t) n);
        return *ret ? 0 : -ENOMEM;
}

static int read_text(const char *dir, const char *file, char **ret) {
        char path[PATH_MAX];

        if ((size_t) snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
                return -ENAMETOOLONG;
        return read_kernel_file(path, ret);
}

static int read_value(const char *dir, const char *file, uint64_t *ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_text(dir, file, &text);
        return r < 0 ? r : cgroup_parse_value(text, ret);
}

static int append_entry(sd_bus_message *reply, const char *key, uint64_t value) {
        return sd_bus_message_append(reply, "{st}", key, value);
}

static int append_block_io(sd_bus_message *reply, uint64_t rd, uint64_t wr) {
        int r;

        r = append_entry(reply, "block_read", rd);
        if (r < 0)
                return r;
        return append_entry(reply, "block_write", wr);
}

/* What holds for every container of one call: looked up once. */
typedef struct StatsContext {
        bool unified;          /* pure cgroup v2 */
        uint64_t host_memory;  /* UINT64_MAX: unknown */
        struct stat own_netns; /* drayd's network namespace */
        bool have_own_netns;
} StatsContext;

static void stats_context_init(StatsContext *ctx) {
        struct statfs sfs;
        struct sysinfo si;

        *ctx = (StatsContext) { .host_memory = UINT64_MAX };
        ctx->unified = statfs("/sys/fs/cgroup", &sfs) >= 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
        if (sysinfo(&si) >= 0)
                ctx->host_memory = (uint64_t) si.totalram * si.mem_unit;
        ctx->have_own_netns = stat("/proc/self/ns/net", &ctx->own_netns) >= 0;
}

/* As docker: a container without a memory limit is limited by the host's memory. */
static int append_memory_limit(sd_bus_message *reply, const StatsContext *ctx, uint64_t limit) {
        if (limit == UINT64_MAX)
                limit = ctx->host_memory;
        return limit == UINT64_MAX ? 0 : append_entry(reply, "memory_limit", limit);
}

/* Threads in dir and below, from cgroup.threads: the PIDs figure where there is no pids controller
 * (the pure cgroup v2 sandbox has only the controllers the host leaves free). */
static int count_threads(int dir_fd, unsigned depth, void *userdata) {
        _cleanup_free_ char *text = NULL;
        uint64_t *n = userdata;

        if (safe_read_file_at(dir_fd, "cgroup.threads", SAFE_OPEN_NO_SYMLINKS, 1024 * 1024, &text, NULL) >= 0)
                for (const char *p = text; *p; p++)
                        *n += *p == '\n';
        if (depth >= STATS_DEPTH_MAX)
                return 0;
        return cgroup_for_each_child(dir_fd, count_threads, depth, userdata);
}

/* cgroup v2 files of the scope (pure v2 hosts: all; hybrid hosts: the unified mirror holds only
 * cpu.stat's usage and the thread lists). */
static int append_v2(sd_bus_message *reply, const StatsContext *ctx, const char *dir, bool have_cpu) {
        bool unified = ctx->unified;
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        uint64_t v, lim, rd, wr;
        int r = 0;

        if (!have_cpu && read_text(dir, "cpu.stat", &text) >= 0 && cgroup_keyed_value(text, "usage_usec", &v) >= 0)
                r = append_entry(reply, "cpu_nsec", v * 1000);
        free(text), text = NULL;
        if (r >= 0 && unified && read_value(dir, "memory.current", &v) >= 0) {
                uint64_t inactive = 0;

                /* As docker: the page cache the kernel can drop at once is not "used". */
                if (read_text(dir, "memory.stat", &text) >= 0)
                        (void) cgroup_keyed_value(text, "inactive_file", &inactive);
                free(text), text = NULL;
                r = append_entry(reply, "memory_bytes", v > inactive ? v - inactive : v);
                if (r >= 0)
                        r = append_memory_limit(reply, ctx, read_value(dir, "memory.max", &lim) >= 0 ? lim : UINT64_MAX);
        }
        if (r >= 0 && unified && read_value(dir, "pids.current", &v) >= 0)
                r = append_entry(reply, "pids", v);
        else if (r >= 0 && unified && (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
                uint64_t n = 0;

                (void) count_threads(fd, 0, &n);
                r = append_entry(reply, "pids", n);
        }
        if (r >= 0 && unified && read_text(dir, "io.stat", &text) >= 0 &&
            cgroup_parse_io_stat(text, &rd, &wr) >= 0)
                r = append_block_io(reply, rd, wr);
        return r;
}

/* The scope's directory in the v1 hierarchy holding controller: /sys/fs/cgroup/HIERARCHY/…/UNIT. */
static int v1_dir(const char *proc_cgroup, const char *controller, const char *unit, char **ret) {
        _cleanup_free_ char *path = NULL;
        const char *h;
        size_t hl;
        int r;

        r = cgroup_scope_path(proc_cgroup, controller, unit, &path, &h, &hl);
        if (r < 0)
                return r;
        return asprintf(ret, "/sys/fs/cgroup/%.*s%s", (int) hl, h, path) < 0 ? -ENOMEM : 0;
}

/* Sets *ret_have_cpu when cpuacct gave the CPU time (else the unified mirror's cpu.stat will). */
static int append_v1(sd_bus_message *reply, const StatsContext *ctx, const Container *c, const char *cg,
                     bool *ret_have_cpu) {
        _cleanup_free_ char *dir = NULL, *text = NULL;
        uint64_t v, lim, rd, wr;
        int r = 0;

        if (v1_dir(cg, "cpuacct", c->unit, &dir) >= 0 && read_value(dir, "cpuacct.usage", &v) >= 0) {
                r = append_entry(reply, "cpu_nsec", v);
                *ret_have_cpu = true;
        }
        free(dir), dir = NULL;
        if (r >= 0 && v1_dir(cg, "memory", c->unit, &dir) >= 0 && read_value(dir, "memory.usage_in_bytes", &v) >= 0) {
                uint64_t inactive = 0;

                if (read_text(dir, "memory.stat", &text) >= 0)
                        (void) cgroup_keyed_value(text, "total_inactive_file", &inactive);
                free(text), text = NULL;
                r = append_entry(reply, "memory_bytes", v > inactive ? v - inactive : v);
                if (r >= 0)
                        r = append_memory_limit(reply, ctx, read_value(dir, "memory.limit_in_bytes", &lim) >= 0 &&
                                                lim < CGROUP_V1_UNLIMITED_MIN ? lim : UINT64_MAX);
        }
        free(dir), dir = NULL;
        if (r >= 0 && v1_dir(cg, "pids", c->unit, &dir) >= 0 && read_value(dir, "pids.current", &v) >= 0)
                r = append_entry(reply, "pids", v);
        free(dir), dir = NULL;
        if (r >= 0 && v1_dir(cg, "blkio", c->unit, &dir) >= 0 &&
            read_text(dir, "blkio.throttle.io_service_bytes_recursive", &text) >= 0 &&
            cgroup_parse_blkio_v1(text, &rd, &wr) >= 0)
                r = append_block_io(reply, rd, wr);
        return r;
}

/* The interface counters of the container's network namespace, unless it shares drayd's own
 * (--network host), whose counters are the host's, not the container's. */
static int append_net(sd_bus_message *reply, const StatsContext *ctx, const Container *c) {
        _cleanup_free_ char *text = NULL;
        struct stat theirs;
        char path[64];
        uint64_t rx, tx;
        int r;

        (void) snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) c->rec.pid);
        if (stat(path, &theirs) < 0 || !ctx->have_own_netns ||
            (theirs.st_ino == ctx->own_netns.st_ino && theirs.st_dev == ctx->own_netns.st_dev))
                return 0;
        (void) snprintf(path, sizeof(path), "/proc/%d/net/dev", (int) c->rec.pid);
        if (read_kernel_file(path, &text) < 0 || net_dev_parse(text, &rx, &tx) < 0)
                return 0;
        r = append_entry(reply, "net_rx", rx);
        return r < 0 ? r : append_entry(reply, "net_tx", tx);
}

typedef struct StatsCacheEntry {
        char *id;
        pid_t monitor_pid;
        uint64_t monitor_start_time; /* tells a reused PID apart */
        char *cgroup;                /* the monitor's /proc/<pid>/cgroup */
} StatsCacheEntry;

static void cache_entry_free(StatsCacheEntry *e) {
        if (!e)
                return;
        free(e->id);
        free(e->cgroup);
        free(e);
}

void container_stats_cache_free(Manager *m) {
        StatsCacheEntry *e;

        HASHMAP_FOREACH(e, m->stats_cache)
                cache_entry_free(e);
        m->stats_cache = hashmap_free(m->stats_cache);
}

/* Entries of containers that are gone, or whose monitor is another one now, go. */
static void cache_prune(Manager *m) {
        _cleanup_strv_free_ char **stale = NULL;
        StatsCacheEntry *e;
        Container *c;

        HASHMAP_FOREACH(e, m->stats_cache) {
                c = hashmap_get(m->containers_by_id, e->id);
                if ((!c || c->rec.monitor_pid != e->monitor_pid) && strv_extend(&stale, e->id) < 0)
                        return;
        }
        STRV_FOREACH(id, stale)
                cache_entry_free(hashmap_remove(m->stats_cache, *id));
}

/* The monitor's /proc/<pid>/cgroup, read once per monitor. NULL: gone meanwhile. */
static const char *monitor_cgroup(Manager *m, const Container *c) {
        _cleanup_free_ char *text = NULL;
        StatsCacheEntry *e;
        char proc[64];

        e = m->stats_cache ? hashmap_get(m->stats_cache, c->spec->id) : NULL;
        if (e && e->monitor_pid == c->rec.monitor_pid && e->monitor_start_time == c->rec.monitor_start_time)
                return e->cgroup;
        (void) snprintf(proc, sizeof(proc), "/proc/%d/cgroup", (int) c->rec.monitor_pid);
        if (read_kernel_file(proc, &text) < 0)
                return NULL;
        if (!m->stats_cache && !(m->stats_cache = hashmap_new()))
                return NULL;
        if (e)
                cache_entry_free(hashmap_remove(m->stats_cache, c->spec->id));
        e = calloc(1, sizeof(StatsCacheEntry));
        if (!e || !(e->id = strdup(c->spec->id)) || hashmap_put(m->stats_cache, e->id, e) < 0) {
                cache_entry_free(e);
                return NULL;
        }
        e->monitor_pid = c->rec.monitor_pid;
        e->monitor_start_time = c->rec.monitor_start_time;
        e->cgroup = TAKE_PTR(text);
        return e->cgroup;
}

/* The scope's counters, from its monitor's /proc/<pid>/cgroup. */
static int append_cgroup(sd_bus_message *reply, const StatsContext *ctx, const Container *c) {
        _cleanup_free_ char *path = NULL, *dir = NULL;
        bool have_cpu = false;
        const char *cg;
        int r = 0;

        cg = monitor_cgroup(c->manager, c);
        if (!cg)
                return 0; /* gone meanwhile */
        if (!ctx->unified)
                r = append_v1(reply, ctx, c, cg, &have_cpu);
        if (r < 0 || cgroup_scope_path(cg, "", c->unit, &path, NULL, NULL) < 0)
                return r;
        if (asprintf(&dir, "%s%s", ctx->unified ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified", path) < 0)
                return -ENOMEM;
        return append_v2(reply, ctx, dir, have_cpu);
}

/* The counters of a running container. */
static int append_counters(sd_bus_message *reply, const StatsContext *ctx, const Container *c) {
        uint64_t now = now_usec(CLOCK_REALTIME);
        int r;

        r = append_entry(reply, "time_usec", now_usec(CLOCK_MONOTONIC));
        if (r < 0)
                return r;
        if (c->rec.started_usec > 0 && now > c->rec.started_usec) {
                r = append_entry(reply, "uptime_usec", now - c->rec.started_usec);
                if (r < 0)
                        return r;
        }
        r = append_cgroup(reply, ctx, c);
        if (r < 0)
                return r;
        return append_net(reply, ctx, c);
}

static int append_container(sd_bus_message *reply, const StatsContext *ctx, const Container *c) {
        int r;

        r = sd_bus_message_open_container(reply, 'r', "ssa{st}");
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "ss", c->spec->id, c->spec->name);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{st}");
        if (r < 0)
                return r;
        if (c->rec.state == CONTAINER_RUNNING && c->rec.monitor_pid > 0) {
                r = append_counters(reply, ctx, c);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static int compare_name(const void *a, const void *b) {
        return strcmp((*(Container *const *) a)->spec->name, (*(Container *const *) b)->spec->name);
}

/* The containers named, or all running ones (all: every one) when none is. */
static int select_containers(Manager *m, char **names, bool all, Container ***ret, size_t *ret_n,
                             sd_bus_error *error) {
        _cleanup_free_ Container **list = NULL;
        size_t n = 0, names_n = strv_length(names);
        Container *c;
        int r;

        list = calloc((names_n == 0 ? hashmap_size(m->containers_by_id) : names_n) + 1, sizeof(Container *));
        if (!list)
                return -ENOMEM;
        if (names_n == 0)
                HASHMAP_FOREACH(c, m->containers_by_id) {
                        if (all || c->rec.state == CONTAINER_RUNNING)
                                list[n++] = c;
                }
        else
                STRV_FOREACH(s, names) {
                        r = manager_find_container(m, *s, &c);
                        if (r < 0)
                                return sd_bus_error_setf(error, r == -ENOTUNIQ ? DRAY_ERROR_AMBIGUOUS_CONTAINER :
                                                         DRAY_ERROR_NO_SUCH_CONTAINER, "No single container '%.64s'.", *s);
                        list[n++] = c;
                }
        if (names_n == 0)
                qsort(list, n, sizeof(Container *), compare_name);
        *ret = TAKE_PTR(list);
        *ret_n = n;
        return 0;
}

static int method_list_container_stats(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ Container **list = NULL;
        Manager *manager = userdata;
        StatsContext ctx;
        bool all;
        size_t n = 0;
        int r;

        r = sd_bus_message_read_strv(m, &names);
        if (r >= 0)
                r = sd_bus_message_read(m, "b", &all);
        if (r < 0)
                return r;
        if (strv_length(names) > STATS_CONTAINERS_MAX)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Too many containers.");
        r = select_containers(manager, names, all, &list, &n, error);
        if (r < 0)
                return r;
        cache_prune(manager);
        stats_context_init(&ctx);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ssa{st})");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = append_container(reply, &ctx, list[i]);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

const sd_bus_vtable manager_stats_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("ListContainerStats", SD_BUS_ARGS("as", containers, "b", all),
                                SD_BUS_RESULT("a(ssa{st})", stats), method_list_container_stats,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
