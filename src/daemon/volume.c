/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "json-util.h"
#include "log.h"
#include "manager.h"
#include "name.h"
#include "rm-rf.h"
#include "strv.h"
#include "time-util.h"
#include "utf8.h"
#include "volume-dbus.h"
#include "volume-tmpfs.h"
#include "volume.h"

#define VOLUME_RECORD "volume.json"
#define VOLUME_REMOVED_PREFIX ".removed-"
#define VOLUME_NEW_PREFIX ".new-"

Volume *volume_free(Volume *v) {
        if (!v)
                return NULL;
        free(v->name);
        free(v->path);
        free(v->mountpoint);
        strv_free(v->labels);
        strv_free(v->options);
        free(v);
        return NULL;
}

static bool labels_are_valid(char *const *labels) {
        if (strv_length(labels) > LABELS_MAX)
                return false;
        STRV_FOREACH(l, labels)
                if (!label_is_valid(*l))
                        return false;
        return true;
}

int manager_find_volume(Manager *m, const char *name, Volume **ret) {
        Volume *v = name ? hashmap_get(m->volumes_by_name, name) : NULL;

        if (!v)
                return -ENOENT;
        *ret = v;
        return 0;
}

static int volume_new(Manager *m, const char *name, Volume **ret) {
        _cleanup_(volume_freep) Volume *v = calloc(1, sizeof(Volume));
        int r;

        if (!v)
                return -ENOMEM;
        v->manager = m;
        v->name = strdup(name);
        if (!v->name)
                return -ENOMEM;
        r = volume_bus_path(name, &v->path);
        if (r < 0)
                return r;
        if (asprintf(&v->mountpoint, "%s/volumes/%s/" VOLUME_DATA_DIR, m->state_dir, name) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

static int volume_to_json(const Volume *v, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        int r;

        if (!o)
                return -ENOMEM;
        r = json_add_string(o, "name", v->name);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "created_usec", v->created_usec);
        if (r < 0)
                return r;
        r = json_add_strv(o, "labels", v->labels);
        if (r < 0)
                return r;
        r = json_add_bool(o, "anonymous", v->anonymous);
        if (r < 0)
                return r;
        if (v->options)
                r = json_add_strv(o, "options", v->options);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

/* The record is ours, but it sits in a directory a bug could let a container write: check it. */
static int volume_load(Manager *m, const char *name, Volume **ret) {
        _cleanup_(volume_freep) Volume *v = NULL;
        _cleanup_json_ json_object *o = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *n;
        int r;

        fd = openat(m->volumes_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = json_read_file(fd, VOLUME_RECORD, &o);
        if (r < 0)
                return r;
        r = json_get_string(o, "name", &n);
        if (r < 0)
                return r;
        if (!streq(n, name))
                return -EBADMSG;
        r = volume_new(m, name, &v);
        if (r < 0)
                return r;
        r = json_get_uint64(o, "created_usec", &v->created_usec);
        if (r >= 0 || r == -ENOENT)
                r = json_get_strv(o, "labels", &v->labels);
        if (r >= 0 || r == -ENOENT)
                r = json_get_bool(o, "anonymous", &v->anonymous);
        if (r >= 0 || r == -ENOENT)
                r = json_get_strv(o, "options", &v->options);
        if (r < 0 && r != -ENOENT)
                return r;
        if (!labels_are_valid(v->labels) || volume_options_validate(v->options, &(const char *) { NULL }) < 0)
                return -EBADMSG;
        /* A tmpfs volume's memory is gone after a reboot: mount an empty one again. */
        r = volume_tmpfs_mount(v->options, v->mountpoint);
        if (r < 0)
                log_warning_errno(r, "Failed to mount the tmpfs of volume %s, ignoring: %m", name);
        *ret = TAKE_PTR(v);
        return 0;
}

static int volume_register(Manager *m, Volume *v) {
        return hashmap_put(m->volumes_by_name, v->name, v);
}

int manager_load_volumes(Manager *m) {
        _cleanup_close_ int sfd = -EBADF, fd = -EBADF;
        DIR *d;
        int r;

        sfd = open(m->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sfd < 0)
                return log_error_errno(errno, "Failed to open %s: %m", m->state_dir);
        if (mkdirat(sfd, "volumes", 0700) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create %s/volumes: %m", m->state_dir);
        m->volumes_fd = openat(sfd, "volumes", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (m->volumes_fd < 0)
                return log_error_errno(errno, "Failed to open %s/volumes: %m", m->state_dir);

        fd = fcntl(m->volumes_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return log_error_errno(errno, "Failed to duplicate a descriptor: %m");
        d = fdopendir(fd);
        if (!d)
                return log_error_errno(errno, "Failed to read %s/volumes: %m", m->state_dir);
        TAKE_FD(fd);
        for (struct dirent *de; (de = readdir(d));) {
                Volume *v = NULL;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (strneq(de->d_name, VOLUME_REMOVED_PREFIX, strlen(VOLUME_REMOVED_PREFIX)) ||
                    strneq(de->d_name, VOLUME_NEW_PREFIX, strlen(VOLUME_NEW_PREFIX))) {
                        /* A removal or a creation cut short. */
                        r = rm_rf_at(m->volumes_fd, de->d_name);
                        if (r < 0)
                                log_warning_errno(r, "Failed to remove %s/volumes/%s, ignoring: %m", m->state_dir,
                                                  de->d_name);
                        continue;
                }
                if (!volume_name_is_valid(de->d_name)) {
                        log_warning("Ignoring %s/volumes/%s: not a volume name.", m->state_dir, de->d_name);
                        continue;
                }
                r = volume_load(m, de->d_name, &v);
                if (r >= 0)
                        r = volume_register(m, v);
                if (r < 0) {
                        log_error_errno(r, "Failed to load volume %s, ignoring it: %m", de->d_name);
                        volume_free(v);
                }
        }
        closedir(d);
        log_debug("Loaded %zu volumes.", hashmap_size(m->volumes_by_name));
        return 0;
}

int volume_generate_name(Manager *m, char *const *taken, char **ret) {
        char id[CONTAINER_ID_LEN + 1];
        int r;

        do {
                r = container_id_generate(id);
                if (r < 0)
                        return r;
        } while (hashmap_get(m->volumes_by_name, id) || strv_contains(taken, id));
        *ret = strdup(id);
        return *ret ? 0 : -ENOMEM;
}

/* .new-<name>/{_data,volume.json}, then one rename: a crash leaves a whole volume or a .new- that
 * the next load removes. */
static int volume_write_new(Manager *m, Volume *v) {
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (asprintf(&tmp, VOLUME_NEW_PREFIX "%s", v->name) < 0)
                return -ENOMEM;
        r = volume_to_json(v, &o);
        if (r < 0)
                return r;
        (void) rm_rf_at(m->volumes_fd, tmp);
        if (mkdirat(m->volumes_fd, tmp, 0700) < 0)
                return -errno;
        fd = openat(m->volumes_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                r = -errno;
        /* 0755 root:root, as Docker makes it; seeding gives it the mount point's owner and mode. */
        if (r >= 0 && mkdirat(fd, VOLUME_DATA_DIR, 0755) < 0)
                r = -errno;
        if (r >= 0)
                r = json_write_atomic(fd, VOLUME_RECORD, o);
        if (r >= 0 && renameat2(m->volumes_fd, tmp, m->volumes_fd, v->name, RENAME_NOREPLACE) < 0)
                r = -errno;
        if (r < 0)
                (void) rm_rf_at(m->volumes_fd, tmp);
        return r;
}

int volume_create(Manager *m, const char *name, bool anonymous, char *const *labels, char *const *options,
                  Volume **ret) {
        _cleanup_(volume_freep) Volume *v = NULL;
        int r;

        if (!volume_name_is_valid(name))
                return -EINVAL;
        if (!labels_are_valid(labels) || volume_options_validate(options, &(const char *) { NULL }) < 0)
                return -EINVAL;
        if (hashmap_get(m->volumes_by_name, name))
                return -EEXIST;
        if (hashmap_size(m->volumes_by_name) >= VOLUMES_MAX)
                return -E2BIG;
        r = volume_new(m, name, &v);
        if (r < 0)
                return r;
        v->anonymous = anonymous;
        v->labels = strv_copy(labels);
        if (labels && !v->labels)
                return -ENOMEM;
        if (options && options[0]) {
                v->options = strv_copy(options);
                if (!v->options)
                        return -ENOMEM;
        }
        v->created_usec = now_usec(CLOCK_REALTIME);

        r = volume_write_new(m, v);
        if (r < 0)
                return r;
        r = volume_tmpfs_mount(v->options, v->mountpoint);
        if (r >= 0)
                r = volume_register(m, v);
        if (r < 0) {
                volume_tmpfs_unmount(v->options, v->mountpoint);
                (void) rm_rf_at(m->volumes_fd, v->name);
                return r;
        }
        log_info("Created volume %s.", v->name);
        volume_bus_send_new(v);
        manager_event(m, EVENT_VOLUME, "create", v->name, v->name, (const char *const[]) { "driver", "local", NULL });
        if (ret)
                *ret = v;
        TAKE_PTR(v);
        return 0;
}

typedef struct RemoveVolume {
        int dir_fd;
        const char *name;
} RemoveVolume;

static int remove_tree(void *userdata) {
        RemoveVolume *t = userdata;
        int r;

        r = rm_rf_at(t->dir_fd, t->name);
        if (r < 0)
                log_error_errno(r, "Failed to remove volume directory %s; remove it by hand: %m", t->name);
        return r;
}

/* Renamed at once (so a new volume of the same name can be made), deleted in a worker: the data
 * may be large, and the event loop must not wait for it. */
int volume_remove(Volume *v) {
        _cleanup_free_ char *removed = NULL, *what = NULL;
        Manager *m = v->manager;
        int r;

        volume_tmpfs_unmount(v->options, v->mountpoint); /* before the rename: the tmpfs must not go with the tree */
        /* Unique: a removal of an earlier volume of the same name may still be running. */
        if (asprintf(&removed, VOLUME_REMOVED_PREFIX "%" PRIu64 "-%s", now_usec(CLOCK_MONOTONIC), v->name) < 0 ||
            asprintf(&what, "removal of volume %s", v->name) < 0)
                return -ENOMEM;
        if (renameat2(m->volumes_fd, v->name, m->volumes_fd, removed, RENAME_NOREPLACE) < 0)
                return -errno;
        r = manager_spawn_worker(m, TAKE_PTR(what), remove_tree, &(RemoveVolume) { m->volumes_fd, removed });
        if (r < 0)
                log_warning_errno(r, "Failed to start removing %s/volumes/%s, drayd's next start will: %m",
                                  m->state_dir, removed);
        log_info("Removed volume %s.", v->name);
        volume_bus_send_removed(v);
        manager_event(m, EVENT_VOLUME, "destroy", v->name, v->name, (const char *const[]) { "driver", "local", NULL });
        hashmap_remove(m->volumes_by_name, v->name);
        volume_free(v);
        return 0;
}
