/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "bus-names.h"
#include "log.h"
#include "manager.h"
#include "polkit.h"
#include "strv.h"
#include "transfer-dbus.h"

/* ---- getters ----------------------------------------------------------------------------------- */

#define DEFINE_GETTER(name, type, expr)                                                         \
        static int property_get_##name(sd_bus *bus, const char *path, const char *interface,    \
                                       const char *property, sd_bus_message *reply,             \
                                       void *userdata, sd_bus_error *error) {                   \
                Transfer *t = userdata;                                                         \
                return sd_bus_message_append(reply, type, expr);                                \
        }

DEFINE_GETTER(id, "u", (uint32_t) t->id);
DEFINE_GETTER(type, "s", transfer_type_to_string(t->type));
DEFINE_GETTER(state, "s", transfer_state_to_string(t->state));
DEFINE_GETTER(description, "s", strempty(t->description));
DEFINE_GETTER(progress, "d", transfer_progress(t));
DEFINE_GETTER(bytes_done, "t", t->done);
DEFINE_GETTER(bytes_total, "t", t->total);

/* a(stt): each layer of a pull or push, its digest, the bytes fetched (pushed: its size once up) and its size. */
static int property_get_layers(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Transfer *t = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(stt)");
        for (size_t i = 0; r >= 0 && i < t->n_layers; i++)
                r = sd_bus_message_append(reply, "(stt)", t->layers[i].digest, t->layers[i].done, t->layers[i].total);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

/* as: a push's layers' states, in the order of Layers; empty for other transfers. */
static int property_get_layer_states(sd_bus *bus, const char *path, const char *interface, const char *property,
                                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Transfer *t = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && t->type == TRANSFER_PUSH && i < t->n_layers; i++)
                r = sd_bus_message_append(reply, "s", t->layers[i].state);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

/* ---- handlers ---------------------------------------------------------------------------------- */

static int method_cancel(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Transfer *t = userdata;
        int r;

        r = dray_verify_polkit_async(message, "org.dray1.manage-images", NULL, false, t->manager->polkit_registry,
                                     error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = transfer_cancel(t);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to cancel transfer %u: %m", t->id);
        return sd_bus_reply_method_return(message, NULL);
}

/* ---- lookup ------------------------------------------------------------------------------------ */

static int transfer_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                                void **found, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_free_ char *key = NULL;
        Transfer *t;
        int r;

        r = sd_bus_path_decode(path, DRAY_TRANSFER_PATH_PREFIX, &key);
        if (r <= 0)
                return r;
        t = hashmap_get(m->transfers, key);
        if (!t)
                return 0;
        *found = t;
        return 1;
}

static int transfer_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                                    sd_bus_error *error) {
        Manager *m = userdata;
        char **l;
        size_t n = 0;
        Transfer *t;

        l = calloc(hashmap_size(m->transfers) + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        HASHMAP_FOREACH(t, m->transfers) {
                l[n] = strdup(t->path);
                if (!l[n++]) {
                        for (size_t i = 0; i < n; i++)
                                free(l[i]);
                        free(l);
                        return -ENOMEM;
                }
        }
        *nodes = l;
        return 1;
}

/* ---- vtable ------------------------------------------------------------------------------------ */

static const sd_bus_vtable transfer_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "u", property_get_id, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Type", "s", property_get_type, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Description", "s", property_get_description, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Progress", "d", property_get_progress, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("BytesDone", "t", property_get_bytes_done, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("BytesTotal", "t", property_get_bytes_total, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Layers", "a(stt)", property_get_layers, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LayerStates", "as", property_get_layer_states, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("Cancel", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_cancel,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

/* ---- registration ------------------------------------------------------------------------------ */

const BusObjectImplementation transfer_object = {
        .path = DRAY_TRANSFER_PATH_PREFIX,
        .interface = DRAY_TRANSFER_INTERFACE,
        .fallback_vtables = (const BusFallbackVtable[]) { { transfer_vtable, transfer_object_find }, {} },
        .node_enumerator = transfer_node_enumerator,
};

/* ---- signals and replies ----------------------------------------------------------------------- */

void transfer_bus_send_new(Transfer *t) {
        int r;

        if (!t->manager->bus)
                return;
        r = sd_bus_emit_signal(t->manager->bus, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE, "TransferNew", "uo",
                               (uint32_t) t->id, t->path);
        if (r < 0)
                log_debug_errno(r, "Failed to announce transfer %u, ignoring: %m", t->id);
}

void transfer_bus_send_changed(Transfer *t) {
        int r;

        if (!t->manager->bus)
                return;
        r = sd_bus_emit_properties_changed_strv(t->manager->bus, t->path, DRAY_TRANSFER_INTERFACE, NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged for transfer %u, ignoring: %m", t->id);
}

static void reply_waiter(Transfer *t, TransferResult result) {
        int r;

        if (!t->reply)
                return;
        if (result == TRANSFER_DONE) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;

                r = sd_bus_message_new_method_return(t->reply, &reply);
                if (r >= 0 && !t->reply_plain)
                        r = sd_bus_message_append_strv(reply, t->result_images);
                if (r >= 0 && !t->reply_plain)
                        r = sd_bus_message_append(reply, "t", t->freed);
                if (r >= 0)
                        r = sd_bus_send(NULL, reply, NULL);
        } else
                r = sd_bus_reply_method_errorf(t->reply, DRAY_ERROR_TRANSFER_FAILED, "%s",
                                               strna(t->error_message));
        if (r < 0)
                log_debug_errno(r, "Failed to reply to a caller of transfer %u, ignoring: %m", t->id);
        t->reply = sd_bus_message_unref(t->reply);
}

void transfer_bus_reply_and_remove(Transfer *t, TransferResult result) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *s = NULL;
        int r;

        reply_waiter(t, result);
        /* Images that came in are events (docker: pull, load, import; commit makes one too). */
        if (result == TRANSFER_DONE && (t->type == TRANSFER_PULL || t->type == TRANSFER_LOAD ||
                                        t->type == TRANSFER_IMPORT || t->type == TRANSFER_COMMIT))
                STRV_FOREACH(image, t->result_images)
                        manager_event(t->manager, EVENT_IMAGE, transfer_type_to_string(t->type), *image, *image, NULL);
        if (!t->manager->bus)
                return;
        r = sd_bus_message_new_signal(t->manager->bus, &s, DRAY_MANAGER_PATH, DRAY_MANAGER_INTERFACE,
                                      "TransferRemoved");
        if (r >= 0)
                r = sd_bus_message_append(s, "uoss", (uint32_t) t->id, t->path, transfer_result_to_string(result),
                                          strempty(result == TRANSFER_DONE ? t->note : t->error_message));
        if (r >= 0)
                r = sd_bus_message_append_strv(s, t->result_images);
        if (r >= 0)
                r = sd_bus_send(t->manager->bus, s, NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to announce the end of transfer %u, ignoring: %m", t->id);
}

int transfer_bus_reply_started(sd_bus_message *m, Transfer *t) {
        return sd_bus_reply_method_return(m, "uo", (uint32_t) t->id, t->path);
}
