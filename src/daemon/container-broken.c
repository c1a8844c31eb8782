/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Container directories that do not load: quarantined in place, listed, removable (issue 16). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "container-broken.h"
#include "container.h"
#include "json-util.h"
#include "log.h"
#include "manager.h"
#include "name.h"
#include "rm-rf.h"
#include "spec.h"
#include "state.h"

static BrokenContainer *broken_free(BrokenContainer *b) {
        if (!b)
                return NULL;
        free(b->id);
        free(b->name);
        free(b->error);
        free(b);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(BrokenContainer *, broken_free);

static const char *load_strerror(int r) {
        switch (-r) {
        case EBADMSG:
                return "not valid JSON, or a key is missing or wrong";
        case EFBIG:
                return "larger than 4 MiB";
        case EINVAL:
                return "a value is out of range";
        default:
                return strerror(-r);
        }
}

/* Which file is wrong and how, and the name if config.json still gives a valid one. */
static int broken_describe(int dir_fd, int error, BrokenContainer *b) {
        _cleanup_(spec_freep) ContainerSpec *spec = NULL;
        _cleanup_json_ json_object *o = NULL;
        _cleanup_(container_record_done) ContainerRecord rec = CONTAINER_RECORD_INIT;
        const char *file = SPEC_FILE, *name;
        int r;

        if (json_read_file(dir_fd, SPEC_FILE, &o) >= 0 && json_get_string(o, "name", &name) >= 0 &&
            container_name_is_valid(name) && !(b->name = strdup(name)))
                return -ENOMEM;
        r = spec_load(dir_fd, &spec);
        if (r >= 0) {
                file = STATE_FILE;
                r = container_record_load(dir_fd, &rec);
                if (r >= 0) {
                        file = SPEC_FILE;
                        r = error; /* e.g. an ID that is not the directory's */
                }
        }
        if (asprintf(&b->error, "%s: %s", file, load_strerror(r)) < 0)
                return -ENOMEM;
        return 0;
}

int container_broken_add(Manager *m, const char *id, int error) {
        _cleanup_(broken_freep) BrokenContainer *b = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (!m->broken_by_id && !(m->broken_by_id = hashmap_new()))
                return -ENOMEM;
        b = calloc(1, sizeof(BrokenContainer));
        if (!b || !(b->id = strdup(id)))
                return -ENOMEM;
        fd = openat(m->containers_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) >= 0)
                b->created_usec = (uint64_t) st.st_mtim.tv_sec * USEC_PER_SEC +
                                  (uint64_t) st.st_mtim.tv_nsec / NSEC_PER_USEC;
        r = broken_describe(fd, error, b);
        if (r < 0)
                return r;
        r = hashmap_put(m->broken_by_id, b->id, b);
        if (r < 0)
                return r;
        log_error("Container %s%s%s%s cannot be loaded (%s): it is listed as broken by 'dray ps -a'; remove it "
                  "with 'dray rm -f %s'.", id, b->name ? " (" : "", strempty(b->name), b->name ? ")" : "",
                  b->error, id);
        TAKE_PTR(b);
        return 0;
}

int container_broken_find(Manager *m, const char *s, BrokenContainer **ret) {
        BrokenContainer *b, *found = NULL;
        size_t n = strlen(s);

        if (isempty(s))
                return -ENOENT;
        HASHMAP_FOREACH(b, m->broken_by_id) {
                if (streq(b->id, s) || (b->name && streq(b->name, s))) {
                        *ret = b;
                        return 0;
                }
                if (n < 4 || !container_id_prefix_is_valid(s) || !strneq(b->id, s, n))
                        continue;
                if (found)
                        return -ENOTUNIQ;
                found = b;
        }
        if (!found)
                return -ENOENT;
        *ret = found;
        return 0;
}

int container_broken_remove(Manager *m, BrokenContainer *b) {
        char removed[sizeof(REMOVED_PREFIX) + CONTAINER_ID_LEN];
        int r;

        /* As container_remove_files(): the rename is the removal; the tree goes in a worker. */
        (void) snprintf(removed, sizeof(removed), REMOVED_PREFIX "%s", b->id);
        if (renameat(m->containers_fd, b->id, m->containers_fd, removed) < 0 && errno != ENOENT)
                return -errno;
        if (manager_remove_tree_async(m, m->containers_fd, removed) < 0)
                (void) rm_rf_at(m->containers_fd, removed);
        r = rm_rf_at(m->runtime_containers_fd, b->id);
        if (r < 0)
                log_warning_errno(r, "Failed to remove %s/containers/%s, ignoring: %m", m->runtime_dir, b->id);
        log_info("Removed broken container %s.", b->id);
        (void) hashmap_remove(m->broken_by_id, b->id);
        broken_free(b);
        return 0;
}

void container_broken_free_all(Manager *m) {
        BrokenContainer *b;

        HASHMAP_FOREACH(b, m->broken_by_id)
                broken_free(b);
        m->broken_by_id = hashmap_free(m->broken_by_id);
}

int container_broken_append(Manager *m, sd_bus_message *reply) {
        BrokenContainer *b;
        int r;

        HASHMAP_FOREACH(b, m->broken_by_id) {
                r = sd_bus_message_append(reply, "(sssssttio)", b->id, strempty(b->name), CONTAINER_STATE_BROKEN, "",
                                          b->error, b->created_usec, UINT64_C(0), (int32_t) -1, "/");
                if (r < 0)
                        return r;
        }
        return 0;
}
