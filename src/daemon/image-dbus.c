/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bus-names.h"
#include "container-image.h"
#include "image-dbus.h"
#include "image-ref.h"
#include "json-util.h"
#include "log.h"
#include "container.h"
#include "manager.h"
#include "polkit.h"
#include "strv.h"
#include "transfer-dbus.h"

#define IMAGE_CACHE_SIZE 8U

/* Images are read from the store for each call; the last few stay alive here so that sd-bus can call
 * the getters and handlers on what object_find returned (sd-bus keeps no reference). */
typedef struct BusImage {
        Manager *manager;
        Image *image;
} BusImage;

static BusImage image_cache[IMAGE_CACHE_SIZE];
static unsigned image_cache_next;

static BusImage *image_cache_put(Manager *m, Image *i) {
        BusImage *b = image_cache + image_cache_next;

        image_free(b->image);
        *b = (BusImage) { .manager = m, .image = i };
        image_cache_next = (image_cache_next + 1) % IMAGE_CACHE_SIZE;
        return b;
}

void image_bus_cache_flush(void) {
        for (size_t k = 0; k < IMAGE_CACHE_SIZE; k++)
                image_cache[k].image = image_free(image_cache[k].image);
}

int image_bus_path(const char *id, char **ret) {
        return sd_bus_path_encode(DRAY_IMAGE_PATH_PREFIX, digest_hex(id), ret);
}

static uint64_t created_usec(const Image *i) {
        struct tm tm = {};
        const char *end;

        if (!i->config->created || !(end = strptime(i->config->created, "%Y-%m-%dT%H:%M:%S", &tm)))
                return 0;
        return (uint64_t) timegm(&tm) * USEC_PER_SEC;
}

/* ---- getters ----------------------------------------------------------------------------------- */

#define DEFINE_GETTER(name, type, expr)                                                         \
        static int property_get_##name(sd_bus *bus, const char *path, const char *interface,    \
                                       const char *property, sd_bus_message *reply,             \
                                       void *userdata, sd_bus_error *error) {                   \
                Image *i = ((BusImage *) userdata)->image;                                      \
                return sd_bus_message_append(reply, type, expr);                                \
        }
#define DEFINE_STRV_GETTER(name, expr)                                                          \
        static int property_get_##name(sd_bus *bus, const char *path, const char *interface,    \
                                       const char *property, sd_bus_message *reply,             \
                                       void *userdata, sd_bus_error *error) {                   \
                Image *i = ((BusImage *) userdata)->image;                                      \
                return sd_bus_message_append_strv(reply, expr);                                 \
        }

DEFINE_GETTER(id, "s", i->id);
DEFINE_GETTER(digest, "s", i->manifest_descriptor.digest);
DEFINE_GETTER(size, "t", i->size);
DEFINE_GETTER(created, "t", created_usec(i));
DEFINE_GETTER(architecture, "s", strempty(i->config->architecture));
DEFINE_GETTER(os, "s", strempty(i->config->os));
DEFINE_GETTER(working_directory, "s", strempty(i->config->working_dir));
DEFINE_GETTER(user, "s", strempty(i->config->user));
DEFINE_GETTER(stop_signal, "s", strempty(i->config->stop_signal));
DEFINE_STRV_GETTER(names, i->names);
DEFINE_STRV_GETTER(layers, i->config->diff_ids);
DEFINE_STRV_GETTER(entrypoint, i->config->entrypoint);
DEFINE_STRV_GETTER(cmd, i->config->cmd);
DEFINE_STRV_GETTER(env, i->config->env);
DEFINE_STRV_GETTER(labels, i->config->labels);
DEFINE_STRV_GETTER(exposed_ports, i->config->exposed_ports);

/* ---- helpers ----------------------------------------------------------------------------------- */

int bus_image_authorize(sd_bus_message *message, Manager *m, sd_bus_error *error) {
        return dray_verify_polkit_async(message, "org.dray1.manage-images", NULL, false, m->polkit_registry, error);
}

static bool image_in_use(Manager *m, const Image *i, const char **ret_container) {
        Container *c;

        HASHMAP_FOREACH(c, m->containers_by_id)
                if (c->spec->image_id && streq(c->spec->image_id, i->id)) {
                        *ret_container = c->spec->name;
                        return true;
                }
        return false;
}

int bus_image_inspect_json(const Image *i, char **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *layers = json_object_new_array();
        const char *text;

        if (!o || !layers || json_object_object_add(o, "Layers", layers) < 0)
                return -ENOMEM;
        if (json_add_string(o, "Id", i->id) < 0 || json_add_strv(o, "Names", i->names) < 0 ||
            json_add_string(o, "Digest", i->manifest_descriptor.digest) < 0 ||
            json_add_string(o, "ManifestMediaType", i->manifest_descriptor.media_type) < 0 ||
            json_add_uint64(o, "Size", i->size) < 0 ||
            json_object_object_add(o, "Config", json_object_get(i->config->json)) < 0)
                return -ENOMEM;
        /* The platform, as docker and podman show it: which manifest of an index a pull chose. */
        if (json_add_string(o, "Os", strempty(i->config->os)) < 0 ||
            json_add_string(o, "Architecture", strempty(i->config->architecture)) < 0 ||
            (json_get_string(i->config->json, "variant", &text) >= 0 && json_add_string(o, "Variant", text) < 0))
                return -ENOMEM;
        for (size_t k = 0; k < i->manifest->n_layers; k++) {
                json_object *l = json_object_new_object();

                if (!l || json_object_array_add(layers, l) < 0 ||
                    json_add_string(l, "MediaType", i->manifest->layers[k].media_type) < 0 ||
                    json_add_string(l, "Digest", i->manifest->layers[k].digest) < 0 ||
                    json_add_string(l, "DiffID", i->config->diff_ids[k]) < 0 ||
                    json_add_uint64(l, "Size", i->manifest->layers[k].size) < 0)
                        return -ENOMEM;
        }
        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        *ret = text ? strdup(text) : NULL;
        return *ret ? 0 : -ENOMEM;
}

/* ---- Image methods ------------------------------------------------------------------------------ */

int bus_image_remove(sd_bus_message *message, Manager *m, const char *what, Image *i, bool force,
                        sd_bus_error *error) {
        _cleanup_(image_index_done) ImageIndex index = { .lock_fd = -EBADF };
        _cleanup_free_ char *norm = NULL;
        const char *user;
        bool untag_only;
        int r;

        /* A name of an image with other names only drops that name (docker rmi). */
        untag_only = image_ref_normalize(what, &norm) >= 0 && strv_contains(i->names, norm) && strv_length(i->names) > 1;
        if (!untag_only && !force && strv_length(i->names) > 1)
                return sd_bus_error_setf(error, DRAY_ERROR_IMAGE_IN_USE,
                                         "Image %.19s… has %zu names; remove them one by one, or force.", i->id,
                                         strv_length(i->names));
        if (!untag_only && !force && image_in_use(m, i, &user))
                return sd_bus_error_setf(error, DRAY_ERROR_IMAGE_IN_USE,
                                         "Image '%s' is used by container '%s'; remove the container first, or force.",
                                         what, user);
        r = bus_image_authorize(message, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = image_index_load(m->images, true, &index);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to read the image index: %m");
        if (untag_only)
                r = image_index_untag(&index, norm);
        else
                image_index_remove_manifest(&index, i->manifest_descriptor.digest);
        if (r >= 0)
                r = image_index_save(m->images, &index);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to update the image index: %m");
        log_info("Removed image %s%s.", what, untag_only ? " (a name only)" : "");
        manager_event(m, EVENT_IMAGE, untag_only ? "untag" : "delete", i->id, untag_only ? norm : what, NULL);
        /* Unlocked before the worker forks: it would inherit the lock and wait for it forever. */
        image_index_done(&index);
        if (!untag_only && !image_in_use(m, i, &user)) {
                Transfer *t;

                /* Its blobs and layers go too, as with docker rmi, in a worker: a big tree takes a while.
                 * With too many transfers queued, the next prune frees them. */
                if (bus_image_gc_new(message, m, "remove unused blobs and layers", &t, NULL) >= 0) {
                        t->reply_plain = true;
                        (void) transfer_enqueue(t);
                        return 1;
                }
        }
        return sd_bus_reply_method_return(message, NULL);
}

static int method_image_remove(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        BusImage *b = userdata;
        int force, r;

        r = sd_bus_message_read(message, "b", &force);
        if (r < 0)
                return r;
        return bus_image_remove(message, b->manager, b->image->id, b->image, force, error);
}

int bus_image_tag(sd_bus_message *message, Manager *m, Image *i, const char *name, sd_bus_error *error) {
        _cleanup_free_ char *norm = NULL;
        int r;

        if (image_ref_normalize(name, &norm) < 0 || strchr(norm, '@'))
                return sd_bus_error_setf(error, DRAY_ERROR_INVALID_REFERENCE,
                                         "'%.128s' is not a valid image name (NAME[:TAG]).", name);
        r = bus_image_authorize(message, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = image_store_name_image(m->images, &i->manifest_descriptor, (char *[]) { norm, NULL });
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to update the image index: %m");
        manager_event(m, EVENT_IMAGE, "tag", i->id, norm, NULL);
        return sd_bus_reply_method_return(message, NULL);
}

static int method_image_tag(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *name;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        return bus_image_tag(message, ((BusImage *) userdata)->manager, ((BusImage *) userdata)->image, name, error);
}

static int method_image_inspect(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *json = NULL;
        int r;

        r = bus_image_inspect_json(((BusImage *) userdata)->image, &json);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(message, "s", json);
}

static int image_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                             sd_bus_error *error) {
        _cleanup_free_ char *hex = NULL;
        Manager *m = userdata;
        Image *i;
        int r;

        if (!m->images)
                return 0;
        r = sd_bus_path_decode(path, DRAY_IMAGE_PATH_PREFIX, &hex);
        if (r <= 0)
                return r;
        if (strlen(hex) != DIGEST_HEX_LEN)
                return 0;
        if (image_store_find(m->images, hex, &i) < 0)
                return 0;
        *found = image_cache_put(m, i);
        return 1;
}

static int image_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_strv_free_ char **l = NULL;
        Image **images = NULL;
        size_t n = 0;
        int r;

        if (!m->images)
                return 0;
        r = image_store_list(m->images, &images, &n);
        if (r < 0)
                return r;
        for (size_t k = 0; k < n && r >= 0; k++) {
                char *p;

                r = image_bus_path(images[k]->id, &p);
                if (r >= 0)
                        r = strv_consume(&l, p);
        }
        image_list_free(images, n);
        if (r < 0)
                return r;
        *nodes = TAKE_PTR(l);
        return 1;
}

static const sd_bus_vtable image_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", property_get_id, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Names", "as", property_get_names, 0, 0),
        SD_BUS_PROPERTY("Digest", "s", property_get_digest, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Size", "t", property_get_size, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Created", "t", property_get_created, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Architecture", "s", property_get_architecture, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("OS", "s", property_get_os, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Layers", "as", property_get_layers, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Entrypoint", "as", property_get_entrypoint, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Cmd", "as", property_get_cmd, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Env", "as", property_get_env, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("WorkingDirectory", "s", property_get_working_directory, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("User", "s", property_get_user, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("StopSignal", "s", property_get_stop_signal, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Labels", "as", property_get_labels, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ExposedPorts", "as", property_get_exposed_ports, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD_WITH_ARGS("Inspect", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", json), method_image_inspect,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Tag", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT, method_image_tag,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Remove", SD_BUS_ARGS("b", force), SD_BUS_NO_RESULT, method_image_remove,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

const BusObjectImplementation image_object = {
        .path = DRAY_IMAGE_PATH_PREFIX,
        .interface = DRAY_IMAGE_INTERFACE,
        .fallback_vtables = (const BusFallbackVtable[]) { { image_vtable, image_object_find }, {} },
        .node_enumerator = image_node_enumerator,
};
