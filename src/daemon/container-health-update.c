/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "container-health-update.h"
#include "container-health.h"
#include "container.h"
#include "log.h"
#include "strv.h"

#define KEEP_USEC UINT64_MAX
#define KEEP_RETRIES UINT32_MAX

void container_health_update_init(SpecHealth *h) {
        *h = (SpecHealth) {
                .interval_usec = KEEP_USEC,
                .timeout_usec = KEEP_USEC,
                .start_period_usec = KEEP_USEC,
                .start_interval_usec = KEEP_USEC,
                .retries = KEEP_RETRIES,
                .on_failure = _HEALTH_ON_FAILURE_INVALID,
        };
}

bool container_health_update_given(const SpecHealth *h) {
        return h->test || h->interval_usec != KEEP_USEC || h->timeout_usec != KEEP_USEC ||
               h->start_period_usec != KEEP_USEC || h->start_interval_usec != KEEP_USEC ||
               h->retries != KEEP_RETRIES || h->on_failure >= 0;
}

/* The container's health check with the given fields of h over it; test is borrowed from either. */
static SpecHealth merged(const SpecHealth *old, const SpecHealth *h) {
        return (SpecHealth) {
                .test = h->test ?: old->test,
                .interval_usec = h->interval_usec != KEEP_USEC ? h->interval_usec : old->interval_usec,
                .timeout_usec = h->timeout_usec != KEEP_USEC ? h->timeout_usec : old->timeout_usec,
                .start_period_usec = h->start_period_usec != KEEP_USEC ? h->start_period_usec : old->start_period_usec,
                .start_interval_usec = h->start_interval_usec != KEEP_USEC ? h->start_interval_usec :
                                                                             old->start_interval_usec,
                .retries = h->retries != KEEP_RETRIES ? h->retries : old->retries,
                .on_failure = h->on_failure >= 0 ? h->on_failure : old->on_failure,
        };
}

int container_health_update_check(Container *c, const SpecHealth *h, sd_bus_error *error) {
        SpecHealth m = merged(&c->spec->health, h);
        const char *reason;

        /* Each option's own range was checked by its parser, naming it. */
        if (spec_health_validate(&m, &reason) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid health check: %s.", reason);
        if (c->spec->auto_remove && m.on_failure == HEALTH_ON_FAILURE_RESTART)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid option 'HealthOnFailure': container '%s' is removed when it ends "
                                         "(--rm), there would be nothing to restart; use 'kill'.", c->spec->name);
        return 0;
}

int container_health_update(Container *c, const SpecHealth *h, sd_bus_error *error) {
        _cleanup_strv_free_ char **test = NULL;
        _cleanup_close_ int fd = -EBADF;
        SpecHealth old = c->spec->health, m;
        int r;

        r = container_health_update_check(c, h, error);
        if (r < 0)
                return r;
        if (h->test) {
                test = strv_copy(h->test);
                if (!test)
                        return -ENOMEM;
        }
        m = merged(&old, h);
        m.test = test ?: old.test;
        c->spec->health = m;
        fd = container_open_dir(c);
        r = fd < 0 ? fd : spec_save(c->spec, fd);
        if (r < 0) {
                c->spec->health = old;
                return sd_bus_error_set_errnof(error, r, "Failed to save the health check of '%s': %m", c->spec->name);
        }
        if (test) {
                strv_free(old.test);
                TAKE_PTR(test);
        }
        log_info("Container %s: health check updated.", c->spec->name);
        container_health_reconfigure(c);
        return 0;
}
