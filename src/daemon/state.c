/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "atomic-write.h"
#include "contract.h"
#include "state.h"

void container_record_done(ContainerRecord *r) {
        free(r->error);
        r->error = NULL;
        free(r->unit);
        r->unit = NULL;
        free(r->caller);
        r->caller = NULL;
}

int container_record_set_error(ContainerRecord *r, const char *error) {
        char *e = NULL;

        if (error) {
                e = strdup(error);
                if (!e)
                        return -ENOMEM;
        }
        free(r->error);
        r->error = e;
        return 0;
}

int container_record_to_json(const ContainerRecord *r, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        char boot[SD_ID128_STRING_MAX];
        int k = 0;

        if (!o)
                return -ENOMEM;
        k = schema_version_add(o, STATE_SCHEMA_VERSION);
        k = k < 0 ? k : json_add_string(o, "state", container_state_to_string(r->state));
        k = k < 0 ? k : json_add_int(o, "exit_status", r->exit_status);
        k = k < 0 ? k : json_add_string(o, "error", r->error);
        k = k < 0 ? k : json_add_bool(o, "oom_killed", r->oom_killed);
        k = k < 0 || !r->paused ? k : json_add_bool(o, "paused", r->paused);
        k = k < 0 ? k : json_add_string(o, "unit", r->unit);
        k = k < 0 ? k : json_add_int(o, "pid", (int) r->pid);
        k = k < 0 ? k : json_add_int(o, "monitor_pid", (int) r->monitor_pid);
        k = k < 0 ? k : json_add_uint64(o, "monitor_start_time", r->monitor_start_time);
        if (!sd_id128_is_null(r->boot_id))
                k = k < 0 ? k : json_add_string(o, "boot_id", sd_id128_to_string(r->boot_id, boot));
        k = k < 0 ? k : json_add_uint64(o, "started_usec", r->started_usec);
        k = k < 0 ? k : json_add_uint64(o, "finished_usec", r->finished_usec);
        k = k < 0 ? k : json_add_string(o, "caller", r->caller);
        k = k < 0 ? k : json_add_uint64(o, "restart_count", r->restart_count);
        k = k < 0 ? k : json_add_uint64(o, "restart_streak", r->restart_streak);
        k = k < 0 ? k : json_add_bool(o, "stopped", r->stopped);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(o);
        return 0;
}

static int optional(int r) {
        return r == -ENOENT ? 0 : r;
}

int container_record_from_json(json_object *o, ContainerRecord *ret) {
        _cleanup_(container_record_done) ContainerRecord rec = CONTAINER_RECORD_INIT;
        const char *state, *error = NULL, *boot = NULL, *unit = NULL, *caller = NULL;
        int pid = 0, monitor_pid = 0, r;

        r = schema_version_check(o, STATE_SCHEMA_VERSION);
        if (r < 0)
                return r;
        r = json_get_string(o, "state", &state);
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        rec.state = container_state_from_string(state);
        if (rec.state < 0 || rec.state == CONTAINER_PAUSED) /* paused is a view, never a record's state */
                return -EBADMSG;

        r = optional(json_get_int(o, "exit_status", &rec.exit_status));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_string(o, "error", &error));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_bool(o, "oom_killed", &rec.oom_killed));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_bool(o, "paused", &rec.paused));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_string(o, "unit", &unit));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_int(o, "pid", &pid));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_int(o, "monitor_pid", &monitor_pid));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_uint64(o, "monitor_start_time", &rec.monitor_start_time));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_string(o, "boot_id", &boot));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_uint64(o, "started_usec", &rec.started_usec));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_uint64(o, "finished_usec", &rec.finished_usec));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_string(o, "caller", &caller));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_uint64(o, "restart_count", &rec.restart_count));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_uint64(o, "restart_streak", &rec.restart_streak));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;
        r = optional(json_get_bool(o, "stopped", &rec.stopped));
        if (r < 0)
                return r == -ERANGE ? -EBADMSG : r;

        if (rec.exit_status < -1 || rec.exit_status > 255 || pid < 0 || monitor_pid < 0)
                return -EBADMSG;
        rec.pid = pid;
        rec.monitor_pid = monitor_pid;
        if (boot && sd_id128_from_string(boot, &rec.boot_id) < 0)
                return -EBADMSG;
        r = container_record_set_error(&rec, error);
        if (r < 0)
                return r;
        if (unit) {
                size_t n = strlen(unit);

                /* Only ever one of our own scope names. */
                if (!strneq(unit, "dray-", 5) || n < 12 || n > 5 + 255 || !streq(unit + n - 6, ".scope"))
                        return -EBADMSG;
                rec.unit = strdup(unit);
                if (!rec.unit)
                        return -ENOMEM;
        }
        if (caller) {
                /* A unique bus name: ':' and at most 255 characters of [A-Za-z0-9_.-]. */
                if (caller[0] != ':' || strlen(caller) > 255 ||
                    strspn(caller + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
                    strlen(caller + 1))
                        return -EBADMSG;
                rec.caller = strdup(caller);
                if (!rec.caller)
                        return -ENOMEM;
        }

        *ret = rec;
        rec = (ContainerRecord) {};
        return 0;
}

int container_record_save(int dir_fd, const ContainerRecord *r, bool durable) {
        _cleanup_json_ json_object *o = NULL;
        int k;

        k = container_record_to_json(r, &o);
        if (k < 0)
                return k;
        return json_write_atomic_flags(dir_fd, STATE_FILE, o, durable ? ATOMIC_WRITE_SYNC : 0);
}

int container_record_load(int dir_fd, ContainerRecord *ret) {
        _cleanup_json_ json_object *o = NULL;
        int r;

        r = json_read_file(dir_fd, STATE_FILE, &o);
        if (r < 0)
                return r;
        return container_record_from_json(o, ret);
}
