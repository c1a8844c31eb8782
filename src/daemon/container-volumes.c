/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "bus-names.h"
#include "container-volumes.h"
#include "log.h"
#include "container.h"
#include "manager.h"
#include "name.h"
#include "strv.h"
#include "volume.h"

static bool destination_taken(const ContainerSpec *s, const char *destination) {
        for (size_t i = 0; i < s->n_mounts; i++)
                if (streq(s->mounts[i].destination, destination))
                        return true;
        return false;
}

static int copy_mounts_of(ContainerSpec *s, const Container *from, int read_only, sd_bus_error *error) {
        for (size_t i = 0; i < from->spec->n_mounts; i++) {
                const MountSpec *ms = from->spec->mounts + i;
                int r;

                if (ms->type == MOUNT_TMPFS || destination_taken(s, ms->destination))
                        continue;
                if (s->n_mounts >= MOUNTS_MAX)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Invalid option 'VolumesFrom': more than %u mounts in all",
                                                 MOUNTS_MAX);
                r = mount_spec_append(&s->mounts, &s->n_mounts, ms->type, ms->source, ms->destination,
                                      read_only < 0 ? ms->read_only : read_only, NULL);
                if (r >= 0 && ms->volume)
                        r = mount_spec_set_volume(s->mounts + s->n_mounts - 1, ms->volume);
                if (r < 0)
                        return r;
        }
        return 0;
}

int container_volumes_from_apply(Manager *m, ContainerSpec *s, sd_bus_error *error) {
        STRV_FOREACH(e, s->volumes_from) {
                _cleanup_free_ char *ref = strdup(*e);
                char *colon;
                int read_only = -1;
                Container *c;
                int r;

                if (!ref)
                        return -ENOMEM;
                colon = strchr(ref, ':');
                if (colon) {
                        read_only = streq(colon, ":ro");
                        *colon = 0;
                }
                r = manager_find_container(m, ref, &c);
                if (r == -ENOTUNIQ)
                        return sd_bus_error_setf(error, DRAY_ERROR_AMBIGUOUS_CONTAINER,
                                                 "'%.64s' matches several containers; give more of the ID.", ref);
                if (r < 0)
                        return sd_bus_error_setf(error, DRAY_ERROR_NO_SUCH_CONTAINER,
                                                 "No such container '%.64s' (VolumesFrom).",
                                                 ref);
                r = copy_mounts_of(s, c, read_only, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

void volumes_pending_done(VolumesPending *p) {
        p->named = strv_free(p->named);
        p->anonymous = strv_free(p->anonymous);
        p->created = strv_free(p->created);
}

int container_volumes_resolve(Manager *m, ContainerSpec *s, VolumesPending *p, sd_bus_error *error) {
        for (size_t i = 0; i < s->n_mounts; i++) {
                MountSpec *ms = s->mounts + i;
                Volume *v;
                int r;

                if (ms->type != MOUNT_VOLUME)
                        continue;
                if (!ms->volume) {
                        r = volume_generate_name(m, p->anonymous, &ms->volume);
                        if (r >= 0)
                                r = strv_extend(&p->anonymous, ms->volume);
                        if (r < 0)
                                return r;
                } else if (manager_find_volume(m, ms->volume, &v) < 0 && !strv_contains(p->named, ms->volume)) {
                        r = strv_extend(&p->named, ms->volume);
                        if (r < 0)
                                return r;
                }
                free(ms->source);
                if (asprintf(&ms->source, "%s/volumes/%s/%s", m->state_dir, ms->volume, VOLUME_DATA_DIR) < 0) {
                        ms->source = NULL;
                        return -ENOMEM;
                }
        }
        if (hashmap_size(m->volumes_by_name) + strv_length(p->named) + strv_length(p->anonymous) > VOLUMES_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                         "Too many volumes (at most %u); remove some first.", VOLUMES_MAX);
        return 0;
}

int container_volumes_create(Manager *m, VolumesPending *p, sd_bus_error *error) {
        char **lists[] = { p->named, p->anonymous };

        for (size_t k = 0; k < ELEMENTSOF(lists); k++)
                STRV_FOREACH(name, lists[k]) {
                        int r = volume_create(m, *name, k == 1, NULL, NULL, NULL);

                        if (r >= 0)
                                r = strv_extend(&p->created, *name);
                        if (r < 0) {
                                container_volumes_undo(m, p);
                                return sd_bus_error_set_errnof(error, r, "Failed to create volume '%s': %m", *name);
                        }
                }
        return 0;
}

void container_volumes_undo(Manager *m, VolumesPending *p) {
        STRV_FOREACH(name, p->created) {
                Volume *v;

                if (manager_find_volume(m, *name, &v) >= 0)
                        (void) volume_remove_unused(v, NULL);
        }
        p->created = strv_free(p->created);
}

bool container_uses_volume(const Container *c, const char *name) {
        for (size_t i = 0; i < c->spec->n_mounts; i++)
                if (c->spec->mounts[i].type == MOUNT_VOLUME && streq(c->spec->mounts[i].volume, name))
                        return true;
        return false;
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int volume_container_names(Volume *v, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        Container *c;
        int r;

        HASHMAP_FOREACH(c, v->manager->containers_by_id)
                if (container_uses_volume(c, v->name)) {
                        r = strv_extend(&l, c->spec->name);
                        if (r < 0)
                                return r;
                }
        if (l)
                qsort(l, strv_length(l), sizeof(char *), compare_strings);
        *ret = TAKE_PTR(l);
        return 0;
}

int volume_remove_unused(Volume *v, char ***ret_users) {
        _cleanup_strv_free_ char **users = NULL;
        int r;

        r = volume_container_names(v, &users);
        if (r < 0)
                return r;
        if (users) {
                if (ret_users)
                        *ret_users = TAKE_PTR(users);
                return -EBUSY;
        }
        return volume_remove(v);
}
