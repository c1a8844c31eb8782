/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "bus-names.h"
#include "container-pause.h"
#include "container-privilege.h"
#include "log.h"
#include "manager.h"
#include "polkit.h"
#include "scope-cgroup.h"

#define FREEZE_POLL_USEC (10 * USEC_PER_MSEC)
#define FREEZE_TIMEOUT_USEC (10 * USEC_PER_SEC)

/* Waiting for "frozen 1" in cgroup.events without blocking the loop: a short timer, by container ID
 * (the container may go away meanwhile). */
typedef struct FreezeWait {
        Manager *manager;
        char *id;
        sd_bus_message *message;
        uint64_t deadline;
} FreezeWait;

static void freeze_wait_free(FreezeWait *w) {
        sd_bus_message_unref(w->message);
        free(w->id);
        free(w);
}

int container_cgroup_dir(const Container *c, char **ret) {
        return scope_cgroup_dir(c->rec.monitor_pid, c->unit, ret);
}

static int read_frozen(const Container *c) {
        _cleanup_free_ char *dir = NULL;
        int r;

        r = container_cgroup_dir(c, &dir);
        if (r < 0)
                return r;
        return scope_cgroup_read_frozen(dir);
}

static int on_freeze_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        FreezeWait *w = userdata;
        Container *c = NULL;
        int r;

        if (manager_find_container(w->manager, w->id, &c) < 0 || !c->rec.paused) {
                (void) sd_bus_reply_method_errorf(w->message, DRAY_ERROR_CONTAINER_NOT_RUNNING,
                                                  "The container stopped or was unpaused while it froze.");
                goto done;
        }
        r = read_frozen(c);
        if (r > 0) {
                (void) sd_bus_reply_method_return(w->message, NULL);
                goto done;
        }
        if (r < 0 || usec >= w->deadline) {
                (void) sd_bus_reply_method_errorf(w->message, SD_BUS_ERROR_FAILED,
                                                  "Container '%s' did not freeze: %s.", c->spec->name,
                                                  r < 0 ? strerror(-r) : "timed out");
                goto done;
        }
        r = sd_event_source_set_time_relative(s, FREEZE_POLL_USEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        if (r >= 0)
                return 0;
done:
        freeze_wait_free(w);
        sd_event_source_disable_unref(s);
        return 0;
}

static int wait_frozen(Container *c, sd_bus_message *m) {
        FreezeWait *w = calloc(1, sizeof(FreezeWait));
        uint64_t now;
        int r;

        if (!w)
                return -ENOMEM;
        *w = (FreezeWait) { .manager = c->manager, .id = strdup(c->spec->id), .message = sd_bus_message_ref(m) };
        r = w->id ? sd_event_now(c->manager->event, CLOCK_MONOTONIC, &now) : -ENOMEM;
        if (r >= 0) {
                w->deadline = now + FREEZE_TIMEOUT_USEC;
                r = sd_event_add_time(c->manager->event, NULL, CLOCK_MONOTONIC, 0, 0, on_freeze_tick, w);
        }
        if (r < 0)
                freeze_wait_free(w);
        return r;
}

int container_pause(Container *c, sd_bus_message *m) {
        _cleanup_free_ char *dir = NULL;
        int r;

        if (c->rec.state != CONTAINER_RUNNING)
                return -ESRCH;
        if (c->rec.paused)
                return -EALREADY;
        r = container_cgroup_dir(c, &dir);
        if (r < 0)
                return r;
        r = scope_cgroup_write_freeze(dir, true);
        if (r < 0)
                return r;
        c->rec.paused = true;
        (void) container_save(c);
        container_bus_send_changed(c);
        log_info("Container %s paused.", c->spec->name);
        container_event(c, "pause", NULL);
        return m ? wait_frozen(c, m) : 0;
}

/* ---- D-Bus ------------------------------------------------------------------------------------- */

static int method_pause_or_unpause(sd_bus_message *m, Container *c, bool pause, sd_bus_error *error) {
        const char *details[] = { "container", c->spec->name, NULL };
        int r;

        r = dray_verify_polkit_async(m, DRAY_POLKIT_MANAGE_CONTAINERS, details, false, c->manager->polkit_registry,
                                     error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = pause ? container_pause(c, m) : container_unpause(c, m);
        if (r == -ESRCH)
                return sd_bus_error_setf(error, DRAY_ERROR_CONTAINER_NOT_RUNNING, "Container '%s' is not running.",
                                         c->spec->name);
        if (r == -EALREADY)
                return sd_bus_error_setf(error, pause ? DRAY_ERROR_CONTAINER_PAUSED : DRAY_ERROR_CONTAINER_NOT_PAUSED,
                                         "Container '%s' is %s already.", c->spec->name,
                                         pause ? "paused" : "not paused");
        if (r == -EOPNOTSUPP)
                return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED,
                                         "This kernel has no cgroup v2 freezer (cgroup.freeze, Linux 5.2).");
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to %s container '%s': %m", pause ? "pause" : "unpause",
                                               c->spec->name);
        return 1;
}

int bus_container_method_pause(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_pause_or_unpause(m, userdata, true, error);
}

int bus_container_method_unpause(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return method_pause_or_unpause(m, userdata, false, error);
}

static int manager_method(sd_bus_message *m, Manager *manager, bool pause, sd_bus_error *error) {
        const char *s;
        Container *c;
        int r;

        r = sd_bus_message_read(m, "s", &s);
        if (r < 0)
                return r;
        r = manager_find_container(manager, s, &c);
        if (r < 0)
                return sd_bus_error_setf(error, r == -ENOTUNIQ ? DRAY_ERROR_AMBIGUOUS_CONTAINER : DRAY_ERROR_NO_SUCH_CONTAINER,
                                         "No single container '%.64s'.", s);
        return method_pause_or_unpause(m, c, pause, error);
}

static int method_pause_container(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return manager_method(m, userdata, true, error);
}

static int method_unpause_container(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return manager_method(m, userdata, false, error);
}

const sd_bus_vtable manager_pause_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("PauseContainer", SD_BUS_ARGS("s", container), SD_BUS_NO_RESULT,
                                method_pause_container, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("UnpauseContainer", SD_BUS_ARGS("s", container), SD_BUS_NO_RESULT,
                                method_unpause_container, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
