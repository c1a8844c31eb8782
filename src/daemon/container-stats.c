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

/* The kernel's own files (cgroupfs, procfs), below directories the kernel named: no FIFO or symlink
 * can be planted there, so a plain bounded read does. Such files are produced whole by the first
 * read() when it has room. */
static int read_at(int dir_fd, const char *file, char **ret) {
        _cleanup_close_ int fd = -EBADF;
        char buf[4096];
        ssize_t n;

        if (dir_fd < 0 && dir_fd != AT_FDCWD)
                return -ENOENT; /* no such hierarchy here */
        fd = openat(dir_fd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
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
        if (!*ret)
                return -ENOMEM;
        return 0;
}

static int append_entry(sd_bus_message *reply, const char *key, uint64_t value) {
        return sd_bus_message_append(reply, "{st}", key, value);
}

static int append_pair(sd_bus_message *reply, const char *k1, uint64_t v1, const char *k2, uint64_t v2) {
        int r;

        r = append_entry(reply, k1, v1);
        if (r < 0)
                return r;
        return append_entry(reply, k2, v2);
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

/* The files a container's counters are read from. */
typedef enum StatsFile {
        STATS_CPUACCT,   /* v1 cpuacct.usage */
        STATS_CPU_STAT,  /* v2 cpu.stat (also in hybrid mode's unified mirror) */
        STATS_MEM_USAGE, /* v1 memory.usage_in_bytes, v2 memory.current */
        STATS_MEM_LIMIT, /* v1 memory.limit_in_bytes, v2 memory.max */
        STATS_MEM_STAT,  /* memory.stat */
        STATS_PIDS,      /* pids.current */
        STATS_IO,        /* v1 blkio.throttle.io_service_bytes_recursive, v2 io.stat */
        _STATS_FILE_MAX,
} StatsFile;

/* Where a container's counters are, found once per monitor (it cannot move while its monitor
 * lives): the files stay open and are read again with pread() at 0 (seq files make their text
 * anew), so that a call costs one read per counter file; walking the long cgroup paths again
 * was most of the cost otherwise. */
typedef struct StatsCacheEntry {
        char *id;
        pid_t monitor_pid;
        uint64_t monitor_start_time; /* tells a reused PID apart */
        int fds[_STATS_FILE_MAX];    /* -EBADF: not here */
        int unified_fd;              /* O_PATH, for the thread count without a pids controller */
        pid_t net_pid;               /* whose /proc/<pid>/net/dev to read; 0: none (the host's network).
                                      * Opened anew each time: an open one would keep the namespace
                                      * alive after the container is gone. */
} StatsCacheEntry;

static void cache_entry_free(StatsCacheEntry *e) {
        if (!e)
                return;
        for (size_t i = 0; i < _STATS_FILE_MAX; i++)
                safe_close(e->fds[i]);
        safe_close(e->unified_fd);
        free(e->id);
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

static int open_dir(const char *path) {
        int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

        return fd < 0 ? -errno : fd;
}

/* The scope's directory in the v1 hierarchy holding controller: /sys/fs/cgroup/HIERARCHY/…/UNIT. */
static int open_v1_dir(const char *proc_cgroup, const char *controller, const char *unit) {
        _cleanup_free_ char *path = NULL, *dir = NULL;
        const char *h;
        size_t hl;
        int r;

        r = cgroup_scope_path(proc_cgroup, controller, unit, &path, &h, &hl);
        if (r < 0)
                return r;
        if (asprintf(&dir, "/sys/fs/cgroup/%.*s%s", (int) hl, h, path) < 0)
                return -ENOMEM;
        return open_dir(dir);
}

static int open_unified_dir(const StatsContext *ctx, const char *proc_cgroup, const char *unit) {
        _cleanup_free_ char *path = NULL, *dir = NULL;
        int r;

        r = cgroup_scope_path(proc_cgroup, "", unit, &path, NULL, NULL);
        if (r < 0)
                return r;
        if (asprintf(&dir, "%s%s", ctx->unified ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified", path) < 0)
                return -ENOMEM;
        return open_dir(dir);
}

/* The init's network namespace has counters of its own, unless it is drayd's (--network host), whose
 * counters are the host's, not the container's. */
static bool has_own_netns(const StatsContext *ctx, pid_t pid) {
        struct stat theirs;
        char path[64];

        (void) snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
        if (stat(path, &theirs) < 0 || !ctx->have_own_netns)
                return false;
        return theirs.st_ino != ctx->own_netns.st_ino || theirs.st_dev != ctx->own_netns.st_dev;
}

static int open_file(int dir_fd, const char *file) {
        int fd;

        if (dir_fd < 0)
                return -EBADF;
        fd = openat(dir_fd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        return fd < 0 ? -errno : fd;
}

static int cache_entry_new(const StatsContext *ctx, const Container *c, StatsCacheEntry **ret) {
        _cleanup_close_ int cpuacct = -EBADF, memory = -EBADF, pids = -EBADF, blkio = -EBADF;
        _cleanup_free_ char *cg = NULL;
        StatsCacheEntry *e;
        char proc[64];
        int r, v2;

        (void) snprintf(proc, sizeof(proc), "/proc/%d/cgroup", (int) c->rec.monitor_pid);
        r = read_at(AT_FDCWD, proc, &cg);
        if (r < 0)
                return r;
        e = calloc(1, sizeof(StatsCacheEntry));
        if (!e)
                return -ENOMEM;
        e->unified_fd = open_unified_dir(ctx, cg, c->unit);
        v2 = ctx->unified ? e->unified_fd : -EBADF;
        if (!ctx->unified) {
                cpuacct = open_v1_dir(cg, "cpuacct", c->unit);
                memory = open_v1_dir(cg, "memory", c->unit);
                pids = open_v1_dir(cg, "pids", c->unit);
                blkio = open_v1_dir(cg, "blkio", c->unit);
        }
        e->monitor_pid = c->rec.monitor_pid;
        e->monitor_start_time = c->rec.monitor_start_time;
        e->fds[STATS_CPUACCT] = open_file(cpuacct, "cpuacct.usage");
        e->fds[STATS_CPU_STAT] = open_file(e->unified_fd, "cpu.stat");
        e->fds[STATS_MEM_USAGE] = ctx->unified ? open_file(v2, "memory.current") : open_file(memory, "memory.usage_in_bytes");
        e->fds[STATS_MEM_LIMIT] = ctx->unified ? open_file(v2, "memory.max") : open_file(memory, "memory.limit_in_bytes");
        e->fds[STATS_MEM_STAT] = open_file(ctx->unified ? v2 : memory, "memory.stat");
        e->fds[STATS_PIDS] = open_file(ctx->unified ? v2 : pids, "pids.current");
        e->fds[STATS_IO] = ctx->unified ? open_file(v2, "io.stat") : open_file(blkio, "blkio.throttle.io_service_bytes_recursive");
        e->net_pid = has_own_netns(ctx, c->rec.pid) ? c->rec.pid : 0;
        e->id = strdup(c->spec->id);
        if (!e->id) {
                cache_entry_free(e);
                return -ENOMEM;
        }
        *ret = e;
        return 0;
}

/* The container's entry, made on first use. NULL: its monitor is gone meanwhile, or no memory. */
static const StatsCacheEntry *cache_get(Manager *m, const StatsContext *ctx, const Container *c) {
        StatsCacheEntry *e;

        e = m->stats_cache ? hashmap_get(m->stats_cache, c->spec->id) : NULL;
        if (e && e->monitor_pid == c->rec.monitor_pid && e->monitor_start_time == c->rec.monitor_start_time)
                return e;
        if (e)
                cache_entry_free(hashmap_remove(m->stats_cache, c->spec->id));
        if (!m->stats_cache && !(m->stats_cache = hashmap_new()))
                return NULL;
        if (cache_entry_new(ctx, c, &e) < 0)
                return NULL;
        if (hashmap_put(m->stats_cache, e->id, e) < 0) {
                cache_entry_free(e);
                return NULL;
        }
        return e;
}

/* The text of an open counter file, made anew by the kernel. */
static int read_file(const StatsCacheEntry *e, StatsFile f, char **ret) {
        char buf[4096];
        ssize_t n;

        if (e->fds[f] < 0)
                return -ENOENT;
        n = pread(e->fds[f], buf, sizeof(buf) - 1, 0);
        if (n < 0)
                return -errno;
        if ((size_t) n == sizeof(buf) - 1) /* larger than any of these files should be */
                return -EFBIG;
        *ret = strndup(buf, (size_t) n);
        if (!*ret)
                return -ENOMEM;
        return 0;
}

static int read_value(const StatsCacheEntry *e, StatsFile f, uint64_t *ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_file(e, f, &text);
        if (r < 0)
                return r;
        return cgroup_parse_value(text, ret);
}

static uint64_t keyed_value(const StatsCacheEntry *e, StatsFile f, const char *key) {
        _cleanup_free_ char *text = NULL;
        uint64_t v = 0;

        if (read_file(e, f, &text) >= 0)
                (void) cgroup_keyed_value(text, key, &v);
        return v;
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

/* Usage minus the page cache the kernel can drop at once (as docker counts it), and the limit: the
 * host's memory when there is none, as docker shows it. */
static int append_memory(sd_bus_message *reply, const StatsContext *ctx, uint64_t usage, uint64_t inactive,
                         uint64_t limit) {
        int r;

        r = append_entry(reply, "memory_bytes", usage > inactive ? usage - inactive : usage);
        if (r < 0)
                return r;
        if (limit == UINT64_MAX)
                limit = ctx->host_memory;
        if (limit == UINT64_MAX)
                return 0;
        return append_entry(reply, "memory_limit", limit);
}

static int append_cpu(sd_bus_message *reply, const StatsCacheEntry *e) {
        uint64_t v;

        if (read_value(e, STATS_CPUACCT, &v) >= 0)
                return append_entry(reply, "cpu_nsec", v);
        /* cpu.stat's usage is there without the cpu controller too, also in hybrid mode's mirror */
        v = keyed_value(e, STATS_CPU_STAT, "usage_usec");
        if (v == 0)
                return 0;
        return append_entry(reply, "cpu_nsec", v * 1000);
}

/* cgroup v1 controllers (hybrid hosts) or v2 files (unified ones). */
static int append_memory_pids(sd_bus_message *reply, const StatsContext *ctx, const StatsCacheEntry *e) {
        uint64_t usage, limit, n = 0;
        int r = 0;

        if (read_value(e, STATS_MEM_USAGE, &usage) >= 0) {
                /* v1 says "unlimited" with a huge number, v2 with "max" */
                if (read_value(e, STATS_MEM_LIMIT, &limit) < 0 || limit >= CGROUP_V1_UNLIMITED_MIN)
                        limit = UINT64_MAX;
                r = append_memory(reply, ctx, usage,
                                  keyed_value(e, STATS_MEM_STAT, ctx->unified ? "inactive_file" : "total_inactive_file"),
                                  limit);
                if (r < 0)
                        return r;
        }
        if (read_value(e, STATS_PIDS, &n) >= 0)
                return append_entry(reply, "pids", n);
        if (e->unified_fd < 0)
                return 0;
        (void) count_threads(e->unified_fd, 0, &n);
        return append_entry(reply, "pids", n);
}

static int append_io(sd_bus_message *reply, const StatsContext *ctx, const StatsCacheEntry *e) {
        _cleanup_free_ char *text = NULL, *net = NULL;
        uint64_t rd, wr, rx, tx;
        char path[64];
        int r;

        if (read_file(e, STATS_IO, &text) >= 0 &&
            (ctx->unified ? cgroup_parse_io_stat(text, &rd, &wr) : cgroup_parse_blkio_v1(text, &rd, &wr)) >= 0) {
                r = append_pair(reply, "block_read", rd, "block_write", wr);
                if (r < 0)
                        return r;
        }
        if (e->net_pid == 0)
                return 0;
        (void) snprintf(path, sizeof(path), "/proc/%d/net/dev", (int) e->net_pid);
        if (read_at(AT_FDCWD, path, &net) < 0 || net_dev_parse(net, &rx, &tx) < 0)
                return 0;
        return append_pair(reply, "net_rx", rx, "net_tx", tx);
}

/* The counters of a running container. */
static int append_counters(sd_bus_message *reply, const StatsContext *ctx, const Container *c) {
        const StatsCacheEntry *e;
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
        e = cache_get(c->manager, ctx, c);
        if (!e)
                return 0; /* gone meanwhile */
        r = append_cpu(reply, e);
        if (r < 0)
                return r;
        r = append_memory_pids(reply, ctx, e);
        if (r < 0)
                return r;
        return append_io(reply, ctx, e);
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
