/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restart-policy.h"
#include "string-table.h"

static const char *const restart_policy_kind_table[_RESTART_POLICY_MAX] = {
        [RESTART_POLICY_NO] = "no",
        [RESTART_POLICY_ON_FAILURE] = "on-failure",
        [RESTART_POLICY_ALWAYS] = "always",
        [RESTART_POLICY_UNLESS_STOPPED] = "unless-stopped",
};

DEFINE_STRING_TABLE_LOOKUP(restart_policy_kind, RestartPolicyKind, _RESTART_POLICY_MAX);

int restart_policy_parse(const char *s, RestartPolicy *ret) {
        RestartPolicy p = { .kind = RESTART_POLICY_NO };
        char kind[RESTART_POLICY_STRING_MAX];
        const char *colon;

        if (isempty(s)) {
                *ret = p;
                return 0;
        }
        colon = strchr(s, ':');
        if (strlen(s) >= sizeof(kind))
                return -EINVAL;
        snprintf(kind, sizeof(kind), "%.*s", colon ? (int) (colon - s) : (int) strlen(s), s);
        p.kind = restart_policy_kind_from_string(kind);
        if ((int) p.kind < 0)
                return -EINVAL;
        if (colon) {
                char *end;
                unsigned long n;

                /* Docker takes a maximum for on-failure only. */
                if (p.kind != RESTART_POLICY_ON_FAILURE || colon[1] < '0' || colon[1] > '9')
                        return -EINVAL;
                errno = 0;
                n = strtoul(colon + 1, &end, 10);
                if (errno != 0 || *end != 0 || n < 1 || n > 1000000)
                        return -EINVAL;
                p.max_retries = (unsigned) n;
        }
        *ret = p;
        return 0;
}

void restart_policy_format(const RestartPolicy *p, char buf[static RESTART_POLICY_STRING_MAX]) {
        if (p->kind == RESTART_POLICY_ON_FAILURE && p->max_retries > 0)
                snprintf(buf, RESTART_POLICY_STRING_MAX, "on-failure:%u", p->max_retries);
        else
                snprintf(buf, RESTART_POLICY_STRING_MAX, "%s", strna(restart_policy_kind_to_string(p->kind)));
}

bool restart_policy_wants_restart(const RestartPolicy *p, int exit_status, bool stopped, unsigned restarts) {
        switch (p->kind) {
        case RESTART_POLICY_ON_FAILURE:
                return !stopped && exit_status != 0 && (p->max_retries == 0 || restarts < p->max_retries);
        case RESTART_POLICY_ALWAYS:
        case RESTART_POLICY_UNLESS_STOPPED:
                return !stopped;
        default:
                return false;
        }
}

uint64_t restart_policy_delay_usec(unsigned n) {
        uint64_t d = RESTART_DELAY_MIN_USEC;

        for (unsigned i = 0; i < n && d < RESTART_DELAY_MAX_USEC; i++)
                d *= 2;
        return MIN(d, RESTART_DELAY_MAX_USEC);
}
