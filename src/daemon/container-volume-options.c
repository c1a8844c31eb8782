/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CreateContainer's Volumes and VolumesFrom keys: syntax only (the fuzzer runs these). What they
 * name is looked up by container-volumes.c. */
#include <string.h>

#include "container-options.h"
#include "container-volumes.h"
#include "name.h"
#include "strv.h"

int container_option_volumes(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        const char *name, *dst;
        int ro, r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "(ssb)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(ssb)", &name, &dst, &ro)) > 0) {
                _cleanup_free_ char *d = NULL;

                if (s->n_mounts >= MOUNTS_MAX)
                        return container_option_invalid(error, key, "more than %u mounts in all", MOUNTS_MAX);
                if (!isempty(name) && !volume_name_is_valid(name))
                        return container_option_invalid(error, key,
                                       "volume name '%.128s' must be 1-128 of a-z, A-Z, 0-9, '_', '.' and '-', "
                                       "starting with a letter or digit", name);
                r = mount_path_normalize(dst, &d);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || !mount_destination_is_valid(d))
                        return container_option_invalid(error, key,
                                       "destination '%.256s' must be an absolute path without '..', other than "
                                       "'/' and outside /proc and /sys", dst);
                /* The directory is filled in by container_volumes_resolve(); "" stays NULL until then. */
                r = mount_spec_append(&s->mounts, &s->n_mounts, MOUNT_VOLUME, NULL, d, ro, NULL);
                if (r >= 0 && !isempty(name))
                        r = mount_spec_set_volume(s->mounts + s->n_mounts - 1, name);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

int container_option_volumes_from(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        if (strv_length(l) > MOUNTS_MAX)
                return container_option_invalid(error, key, "more than %u containers", MOUNTS_MAX);
        STRV_FOREACH(e, l) {
                const char *colon = strchr(*e, ':');
                size_t n = colon ? (size_t) (colon - *e) : strlen(*e);
                char ref[CONTAINER_ID_LEN + 1];

                if (n == 0 || n > CONTAINER_ID_LEN || (colon && !streq(colon, ":ro") && !streq(colon, ":rw")))
                        return container_option_invalid(error, key, "'%.128s' is not CONTAINER, CONTAINER:ro or CONTAINER:rw", *e);
                memcpy(ref, *e, n);
                ref[n] = 0;
                if (!container_name_is_valid(ref) && !container_id_prefix_is_valid(ref))
                        return container_option_invalid(error, key, "'%.128s' does not name a container", *e);
        }
        strv_free(s->volumes_from);
        s->volumes_from = TAKE_PTR(l);
        return 0;
}
