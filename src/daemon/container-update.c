/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "bus-names.h"
#include "container-health-update.h"
#include "container-options.h"
#include "container-privilege.h"
#include "container-restart.h"
#include "container-update.h"
#include "log.h"
#include "container.h"
#include "manager.h"
#include "polkit.h"
#include "scope.h"

typedef struct UpdateCall {
        Manager *manager;
        sd_bus_message *message;
        char *id;
        ScopeLimits limits;
} UpdateCall;

static void update_call_free(UpdateCall *u) {
        sd_bus_message_unref(u->message);
        free(u->id);
        free(u);
}

/* The spec takes the new values once systemd has them (or at once, for a container that does not
 * run): its next start uses them. */
static int apply_to_spec(Container *c, const ScopeLimits *l) {
        uint64_t *fields[] = { &c->spec->memory_max, &c->spec->cpu_quota_per_sec_usec, &c->spec->cpu_weight,
                               &c->spec->tasks_max };
        const uint64_t values[] = { l->memory_max, l->cpu_quota_per_sec_usec, l->cpu_weight, l->tasks_max };
        uint64_t old[ELEMENTSOF(fields)];
        _cleanup_close_ int fd = -EBADF;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                old[i] = *fields[i];
                if (values[i] != SCOPE_LIMIT_KEEP)
                        *fields[i] = values[i];
        }
        fd = container_open_dir(c);
        r = fd < 0 ? fd : spec_save(c->spec, fd);
        if (r < 0) {
                for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                        *fields[i] = old[i];
                return r;
        }
        /* The limit properties are not constant: clients that cache them (sd-bus, GDBus) learn the change. */
        container_bus_send_changed(c);
        return 0;
}

static void on_set_properties(sd_bus_message *reply, const sd_bus_error *error, void *userdata) {
        UpdateCall *u = userdata;
        Container *c;
        int r;

        if (error)
                (void) sd_bus_reply_method_errorf(u->message, DRAY_ERROR_SYSTEMD_FAILED,
                                                  "systemd refused the new limits: %s", error->message);
        else if (manager_find_container(u->manager, u->id, &c) < 0)
                (void) sd_bus_reply_method_errorf(u->message, DRAY_ERROR_NO_SUCH_CONTAINER,
                                                  "The container was removed meanwhile.");
        else if ((r = apply_to_spec(c, &u->limits)) < 0)
                (void) sd_bus_reply_method_errnof(u->message, r, "Failed to save the limits of '%s': %m",
                                                  c->spec->name);
        else {
                log_info("Container %s: limits updated.", c->spec->name);
                (void) sd_bus_reply_method_return(u->message, NULL);
        }
        update_call_free(u);
}

static int method_update_container(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(spec_freep) ContainerSpec *o = spec_new();
        const char *details[] = { "container", NULL, NULL }, *s;
        Manager *manager = userdata;
        UpdateCall *u;
        ScopeLimits l;
        Container *c;
        bool health;
        int r;

        if (!o)
                return -ENOMEM;
        r = sd_bus_message_read(m, "s", &s);
        if (r < 0)
                return r;
        o->memory_max = o->cpu_quota_per_sec_usec = o->cpu_weight = o->tasks_max = SCOPE_LIMIT_KEEP;
        container_health_update_init(&o->health);
        r = container_options_parse_update(m, o, error);
        if (r < 0)
                return r;
        r = manager_find_container(manager, s, &c);
        if (r < 0)
                return sd_bus_error_setf(error, r == -ENOTUNIQ ? DRAY_ERROR_AMBIGUOUS_CONTAINER : DRAY_ERROR_NO_SUCH_CONTAINER,
                                         "No single container '%.64s'.", s);
        details[1] = c->spec->name;
        r = dray_verify_polkit_async(m, DRAY_POLKIT_MANAGE_CONTAINERS, details, false, manager->polkit_registry, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        l = (ScopeLimits) { o->memory_max, o->cpu_quota_per_sec_usec, o->cpu_weight, o->tasks_max };
        health = container_health_update_given(&o->health);
        /* Checked before anything changes, so that a bad health option leaves the policy as it was. */
        if (health) {
                r = container_health_update_check(c, &o->health, error);
                if (r < 0)
                        return r;
        }
        if (o->restart_policy) {
                r = container_restart_update_policy(c, o->restart_policy, error);
                if (r < 0)
                        return r;
        }
        if (health) {
                r = container_health_update(c, &o->health, error);
                if (r < 0)
                        return r;
        }
        if (l.memory_max == SCOPE_LIMIT_KEEP && l.cpu_quota_per_sec_usec == SCOPE_LIMIT_KEEP &&
            l.cpu_weight == SCOPE_LIMIT_KEEP && l.tasks_max == SCOPE_LIMIT_KEEP && (o->restart_policy || health))
                return sd_bus_reply_method_return(m, NULL);
        if (c->rec.state != CONTAINER_RUNNING) {
                r = apply_to_spec(c, &l);
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Failed to save the limits of '%s': %m", c->spec->name);
                return sd_bus_reply_method_return(m, NULL);
        }
        u = calloc(1, sizeof(UpdateCall));
        if (!u)
                return -ENOMEM;
        *u = (UpdateCall) { .manager = manager, .message = sd_bus_message_ref(m), .id = strdup(c->spec->id), .limits = l };
        r = u->id ? scope_set_limits(manager, c->unit, &l, on_set_properties, u) : -ENOMEM;
        if (r < 0) {
                update_call_free(u);
                return sd_bus_error_set_errnof(error, r, "Failed to ask systemd for the new limits: %m");
        }
        return 1;
}

const sd_bus_vtable manager_update_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("UpdateContainer", SD_BUS_ARGS("s", container, "a{sv}", options), SD_BUS_NO_RESULT,
                                method_update_container, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
