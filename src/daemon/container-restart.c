/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container-internal.h"
#include "container-restart.h"
#include "container.h"
#include "log.h"
#include "manager.h"
#include "restart-policy.h"
#include "time-util.h"

static RestartPolicy container_policy(const Container *c) {
        RestartPolicy p = { .kind = RESTART_POLICY_NO };

        /* Checked at create and update; a hand-edited config.json with nonsense means "no". */
        (void) restart_policy_parse(c->spec->restart_policy, &p);
        return p;
}

void container_restart_done(Container *c) {
        c->restart_timer = sd_event_source_disable_unref(c->restart_timer);
}

static int on_restart_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Container *c = userdata;
        int r;

        container_restart_done(c);
        if (c->rec.state != CONTAINER_EXITED || c->rec.stopped || c->remove_requested)
                return 0;
        c->rec.restart_count++;
        c->rec.restart_streak++;
        (void) container_save(c);
        log_info("Container %s: restarting it (restart %" PRIu64 ", policy %s).", c->spec->name,
                 c->rec.restart_count, strna(c->spec->restart_policy));
        c->starting_by_policy = true;
        r = container_start(c, NULL, NULL);
        c->starting_by_policy = false;
        if (r < 0) {
                log_warning_errno(r, "Container %s: failed to restart it: %m", c->spec->name);
                container_restart_exited(c); /* try again later, as the policy says */
        }
        return 0;
}

static void container_restart_arm(Container *c, uint64_t delay_usec) {
        int r;

        container_restart_done(c);
        r = sd_event_add_time_relative(c->manager->event, &c->restart_timer, CLOCK_MONOTONIC, delay_usec, 0,
                                       on_restart_timer, c);
        if (r < 0) {
                log_error_errno(r, "Container %s: failed to arm its restart timer, not restarting it: %m",
                                c->spec->name);
                return;
        }
        (void) sd_event_source_set_description(c->restart_timer, "container-restart");
        log_info("Container %s: restarting it in %" PRIu64 " ms (policy %s).", c->spec->name,
                 delay_usec / USEC_PER_MSEC, strna(c->spec->restart_policy));
}

void container_restart_exited(Container *c) {
        RestartPolicy p = container_policy(c);
        bool unhealthy = c->restart_unhealthy;

        c->restart_unhealthy = false;
        if (c->rec.state != CONTAINER_EXITED || (p.kind == RESTART_POLICY_NO && !unhealthy))
                return;
        /* A run of 10 s is a success of sorts: the doubling starts over. */
        if (c->rec.started_usec > 0 && c->rec.finished_usec >= c->rec.started_usec + RESTART_RESET_AFTER_USEC)
                c->rec.restart_streak = 0;
        if (!unhealthy && !restart_policy_wants_restart(&p, c->rec.exit_status, c->rec.stopped,
                                                        (unsigned) MIN(c->rec.restart_count, (uint64_t) UINT32_MAX)))
                return;
        container_restart_arm(c, restart_policy_delay_usec((unsigned) MIN(c->rec.restart_streak, (uint64_t) 64)));
}

void container_restart_stopped(Container *c) {
        c->restart_unhealthy = false;
        container_restart_done(c);
        if (container_policy(c).kind == RESTART_POLICY_NO || c->rec.stopped)
                return;
        c->rec.stopped = true;
        (void) container_save(c);
}

void container_restart_unhealthy(Container *c) {
        bool stopped = c->rec.stopped;
        int r;

        /* container_stop() marks a stop by a client (rec.stopped); this one is ours. */
        r = container_stop(c, UINT64_MAX, NULL);
        if (r < 0) {
                log_warning_errno(r, "Container %s: failed to stop it for a restart: %m", c->spec->name);
                return;
        }
        if (c->rec.stopped != stopped) {
                c->rec.stopped = stopped;
                (void) container_save(c);
        }
        c->restart_unhealthy = true;
}

void container_restart_started(Container *c) {
        if (c->starting_by_policy)
                return;
        container_restart_done(c);
        if (c->rec.restart_count == 0 && c->rec.restart_streak == 0 && !c->rec.stopped)
                return;
        c->rec.restart_count = 0;
        c->rec.restart_streak = 0;
        c->rec.stopped = false;
        (void) container_save(c);
}

void container_restart_boot(Container *c) {
        RestartPolicy p = container_policy(c);

        if (c->rec.state != CONTAINER_EXITED)
                return;
        switch (p.kind) {
        case RESTART_POLICY_ALWAYS:
                /* Docker's: a stop lasts until the daemon starts again. */
                c->rec.stopped = false;
                container_restart_arm(c, 0);
                break;
        case RESTART_POLICY_UNLESS_STOPPED:
                if (!c->rec.stopped)
                        container_restart_arm(c, 0);
                break;
        case RESTART_POLICY_ON_FAILURE:
                /* A restart that was due when the last drayd went away. */
                container_restart_exited(c);
                break;
        default:
                break;
        }
}

int container_restart_update_policy(Container *c, const char *policy, sd_bus_error *error) {
        _cleanup_close_ int fd = -EBADF;
        char *old = c->spec->restart_policy, *new;
        int r;

        if (c->spec->auto_remove && !streq(policy, "no"))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Container '%s' is removed when it ends (--rm): no restart policy.",
                                         c->spec->name);
        new = strdup(policy);
        if (!new)
                return -ENOMEM;
        c->spec->restart_policy = new;
        fd = container_open_dir(c);
        r = fd < 0 ? fd : spec_save(c->spec, fd);
        if (r < 0) {
                c->spec->restart_policy = old;
                free(new);
                return sd_bus_error_set_errnof(error, r, "Failed to save the restart policy of '%s': %m",
                                               c->spec->name);
        }
        free(old);
        if (container_policy(c).kind == RESTART_POLICY_NO)
                container_restart_done(c);
        container_bus_send_changed(c);
        return 0;
}
