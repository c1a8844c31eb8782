/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DiskUsage (dray system df): the bytes in each container's overlay upper directory (what it wrote)
 * and in each volume's data directory, summed in a worker: such trees may be large. The trees are
 * the containers': the walk reads metadata only, never follows a symlink, and stays on one file
 * system. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container-diff.h"
#include "container.h"
#include "log.h"
#include "manager.h"
#include "strv.h"
#include "volume.h"
#include "worker-lines.h"

#define USAGE_DEPTH_MAX 256U

typedef struct UsageJob {
        char **items; /* kind, name, directory, ... */
} UsageJob;

static void usage_job_free(void *userdata) {
        UsageJob *j = userdata;

        if (!j)
                return;
        strv_free(j->items);
        free(j);
}

static uint64_t tree_size(int dir_fd, dev_t dev, unsigned depth) {
        uint64_t total = 0;
        DIR *d;
        int fd;

        if (depth > USAGE_DEPTH_MAX)
                return 0;
        fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0 || !(d = fdopendir(fd))) {
                safe_close(fd);
                return 0;
        }
        for (struct dirent *de; (de = readdir(d));) {
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, "..") ||
                    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int sub = openat(dirfd(d), de->d_name,
                                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

                        if (sub >= 0)
                                total += tree_size(sub, dev, depth + 1);
                } else
                        total += (uint64_t) st.st_size;
        }
        closedir(d);
        return total;
}

static int usage_main(int report_fd, void *userdata) {
        UsageJob *j = userdata;

        for (char **i = j->items; i && i[0] && i[1] && i[2]; i += 3) {
                _cleanup_close_ int fd = open(i[2], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                struct stat st;
                uint64_t size = 0;

                if (fd >= 0 && fstat(fd, &st) >= 0)
                        size = tree_size(fd, st.st_dev, 0);
                if (dprintf(report_fd, "%s %s %" PRIu64 "\n", i[0], i[1], size) < 0)
                        return -errno;
        }
        return 0;
}

static int usage_reply(sd_bus_message *call, char **lines, bool truncated, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(call, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(sst)");
        if (r < 0)
                return r;
        STRV_FOREACH(l, lines) {
                char kind[16], name[256];
                uint64_t size;

                if (sscanf(*l, "%15s %255s %" SCNu64, kind, name, &size) != 3)
                        continue;
                r = sd_bus_message_append(reply, "(sst)", kind, name, size);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* kind, name, directory: one item of the walk. */
static int usage_job_add(UsageJob *j, const char *kind, const char *name, const char *dir) {
        int r;

        r = strv_extend(&j->items, kind);
        if (r < 0)
                return r;
        r = strv_extend(&j->items, name);
        if (r < 0)
                return r;
        return strv_extend(&j->items, dir);
}

static int usage_job_fill(Manager *m, UsageJob *j) {
        Container *c;
        Volume *v;
        int r;

        HASHMAP_FOREACH(c, m->containers_by_id) {
                _cleanup_free_ char *upper = NULL;

                if (asprintf(&upper, "%s/containers/%s/upper", m->state_dir, c->spec->id) < 0)
                        return -ENOMEM;
                r = usage_job_add(j, "container", c->spec->id, upper);
                if (r < 0)
                        return r;
        }
        HASHMAP_FOREACH(v, m->volumes_by_name) {
                r = usage_job_add(j, "volume", v->name, v->mountpoint);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int method_disk_usage(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        UsageJob *j = calloc(1, sizeof(UsageJob));
        int r;

        if (!j)
                return -ENOMEM;
        r = usage_job_fill(m, j);
        if (r < 0) {
                usage_job_free(j);
                return r;
        }
        return worker_lines_spawn(m, message,
                                  &(WorkerLinesArgs) { .what = "disk usage", .main = usage_main, .userdata = j,
                                                       .free_userdata = usage_job_free, .reply = usage_reply },
                                  error);
}

const sd_bus_vtable manager_disk_usage_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("DiskUsage", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(sst)", usage), method_disk_usage,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
