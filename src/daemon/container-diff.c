/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's changes are its overlay upper directory, read as overlayfs reads it: a 0:0
 * character device is a whiteout (the lower file is deleted), a directory with the xattr
 * trusted.overlay.opaque=y hides everything below it in the lower layers (so what the image had
 * there is deleted), anything else is added, or changed when a lower layer has it. Every name in
 * the upper directory and the layers is the container's or the image's: nothing is followed. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "bus-names.h"
#include "container-diff.h"
#include "container-privilege.h"
#include "container.h"
#include "log.h"
#include "manager.h"
#include "polkit.h"
#include "safe-open.h"
#include "strv.h"
#include "worker-lines.h"

#define DIFF_DEPTH_MAX 256U

typedef struct DiffJob {
        char *upper;
        char **layers; /* top-most first */
        int *layer_fds;
        size_t n_layers;
        unsigned n_lines;
} DiffJob;

static void diff_job_free(void *userdata) {
        DiffJob *j = userdata;

        if (!j)
                return;
        free(j->upper);
        strv_free(j->layers);
        free(j->layer_fds);
        free(j);
}

static bool is_opaque(int fd) {
        char v[2] = {};

        return fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';
}

/* Whether an opaque directory among path's parents in this layer hides the layers below. */
static bool layer_hides(int layer_fd, const char *path) {
        _cleanup_free_ char *p = strdup(path);

        for (char *s = p; s && (s = strchr(s, '/')); *s++ = '/') {
                _cleanup_close_ int o = -EBADF, d = -EBADF;

                *s = 0;
                o = safe_open_path(layer_fd, p, SAFE_OPEN_NO_SYMLINKS);
                d = o >= 0 ? openat(o, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -EBADF;
                if (d >= 0 && is_opaque(d))
                        return true;
        }
        return false;
}

/* What the image has at path (relative, no leading '/'): 1 present, 0 absent (never there, or a
 * whiteout or opaque directory above it in a higher layer). Parents are resolved without any
 * symlink: overlayfs would not descend through one either. */
static int lower_has(const DiffJob *j, const char *path) {
        _cleanup_free_ char *parent = strdup(path);
        const char *base;
        char *slash;

        if (!parent)
                return -ENOMEM;
        slash = strrchr(parent, '/');
        base = slash ? slash + 1 : path;
        if (slash)
                *slash = 0;
        for (size_t i = 0; i < j->n_layers; i++) {
                _cleanup_close_ int dfd = -EBADF;
                struct stat st;

                if (j->layer_fds[i] < 0)
                        continue;
                dfd = slash ? safe_open_path(j->layer_fds[i], parent, SAFE_OPEN_NO_SYMLINKS)
                            : fcntl(j->layer_fds[i], F_DUPFD_CLOEXEC, 3);
                if (dfd >= 0 && fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) >= 0)
                        return !stat_is_whiteout(&st);
                if (layer_hides(j->layer_fds[i], path))
                        return 0;
        }
        return 0;
}

static int report(DiffJob *j, int report_fd, char kind, const char *path) {
        char prefix[4] = { kind, ' ', '/', 0 };

        if (j->n_lines >= WORKER_LINES_MAX)
                return -E2BIG;
        j->n_lines++;
        return worker_lines_write(report_fd, prefix, path);
}

/* The lower layers' entries of directory path, reported deleted: an opaque directory hides them. */
static int report_hidden(DiffJob *j, int report_fd, const char *path, int upper_dir_fd) {
        for (size_t i = 0; i < j->n_layers; i++) {
                _cleanup_close_ int o = -EBADF;
                DIR *d;
                int fd;

                if (j->layer_fds[i] < 0)
                        continue;
                o = *path ? safe_open_path(j->layer_fds[i], path, SAFE_OPEN_NO_SYMLINKS)
                          : fcntl(j->layer_fds[i], F_DUPFD_CLOEXEC, 3);
                fd = o >= 0 ? openat(o, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -EBADF;
                if (fd < 0 || !(d = fdopendir(fd))) {
                        safe_close(fd);
                        continue;
                }
                for (struct dirent *de; (de = readdir(d));) {
                        _cleanup_free_ char *child = NULL;
                        struct stat st;

                        if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                                continue;
                        if (fstatat(upper_dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) >= 0)
                                continue; /* the upper has its own: reported as it walks */
                        if (asprintf(&child, "%s%s%s", path, *path ? "/" : "", de->d_name) < 0 ||
                            lower_has(j, child) <= 0)
                                continue;
                        (void) report(j, report_fd, 'D', child);
                }
                closedir(d);
        }
        return 0;
}

static int walk(DiffJob *j, int report_fd, int dir_fd, const char *path, unsigned depth) {
        DIR *d;
        int fd, r = 0;

        if (depth > DIFF_DEPTH_MAX)
                return -ELOOP;
        fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0 || !(d = fdopendir(fd)))
                return safe_close(fd), -errno;
        for (struct dirent *de; r >= 0 && (de = readdir(d));) {
                _cleanup_free_ char *child = NULL;
                _cleanup_close_ int sub = -EBADF;
                struct stat st;
                int has;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (asprintf(&child, "%s%s%s", path, *path ? "/" : "", de->d_name) < 0)
                        return closedir(d), -ENOMEM;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                has = lower_has(j, child);
                if (stat_is_whiteout(&st)) {
                        if (has > 0)
                                r = report(j, report_fd, 'D', child);
                        continue;
                }
                r = report(j, report_fd, has > 0 ? 'C' : 'A', child);
                if (r < 0 || !S_ISDIR(st.st_mode))
                        continue;
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0)
                        continue;
                if (has > 0 && is_opaque(sub))
                        r = report_hidden(j, report_fd, child, sub);
                if (r >= 0)
                        r = walk(j, report_fd, sub, child, depth + 1);
        }
        closedir(d);
        return r;
}

static int diff_main(int report_fd, void *userdata) {
        DiffJob *j = userdata;
        _cleanup_close_ int upper = -EBADF;
        int r;

        j->n_layers = strv_length(j->layers);
        j->layer_fds = calloc(j->n_layers + 1, sizeof(int));
        if (!j->layer_fds)
                return -ENOMEM;
        for (size_t i = 0; i < j->n_layers; i++)
                j->layer_fds[i] = open(j->layers[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        upper = open(j->upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (upper < 0)
                return errno == ENOENT ? 0 : -errno; /* never started: no changes */
        r = walk(j, report_fd, upper, "", 0);
        if (r == -E2BIG)
                return 0; /* the reply says it is cut short */
        if (r < 0)
                dprintf(report_fd, "ERR %d %s\n", -r, strerror(-r));
        return r;
}

static int diff_reply(sd_bus_message *call, char **lines, bool truncated, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(call, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "(ss)");
        if (r < 0)
                return r;
        STRV_FOREACH(l, lines) {
                char kind[2] = { (*l)[0], 0 };

                if (strlen(*l) < 3)
                        continue;
                r = sd_bus_message_append(reply, "(ss)", kind, *l + 2);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "b", truncated);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_diff_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *details[] = { "container", NULL, NULL };
        _cleanup_free_ char *what = NULL;
        Manager *m = userdata;
        const char *name;
        DiffJob *j;
        Container *c;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        r = manager_find_container(m, name, &c);
        if (r < 0)
                return sd_bus_error_setf(error, r == -ENOTUNIQ ? DRAY_ERROR_AMBIGUOUS_CONTAINER : DRAY_ERROR_NO_SUCH_CONTAINER,
                                         "No single container '%.64s'.", name);
        if (!c->spec->layers)
                return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED,
                                         "Container '%s' runs from a root directory (--rootfs), not from an image: "
                                         "there is no image to compare it with.", c->spec->name);
        details[1] = c->spec->name;
        r = dray_verify_polkit_async(message, DRAY_POLKIT_MANAGE_CONTAINERS, details, false, m->polkit_registry, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        j = calloc(1, sizeof(DiffJob));
        if (!j)
                return -ENOMEM;
        if (asprintf(&j->upper, "%s/containers/%s/upper", m->state_dir, c->spec->id) < 0 ||
            !(j->layers = strv_copy(c->spec->layers)) || asprintf(&what, "diff of container %s", c->spec->name) < 0) {
                diff_job_free(j);
                return -ENOMEM;
        }
        return worker_lines_spawn(m, message,
                                  &(WorkerLinesArgs) { .what = what, .main = diff_main, .userdata = j,
                                                       .free_userdata = diff_job_free, .reply = diff_reply },
                                  error);
}

const sd_bus_vtable manager_diff_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("DiffContainer", SD_BUS_ARGS("s", container),
                                SD_BUS_RESULT("a(ss)", changes, "b", truncated), method_diff_container,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
