/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/capability.h>

#include "capability-name.h"
#include "caps-default.h"
#include "runtime-internal.h"
#include "strv.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

#define CAP_VALUE(c) c,
static const cap_value_t default_caps[] = { DEFAULT_CAPABILITIES(CAP_VALUE) };

static inline void cap_freep(cap_t *p) {
        if (*p)
                (void) cap_free(*p);
}

/* The highest capability the running kernel knows, and that fits our 64-bit masks. */
static cap_value_t cap_last(void) {
        int n = cap_max_bits();

        return (cap_value_t) MIN(MAX(n, 1), 64) - 1;
}

/* "ALL": every capability this process may still hold (its bounding set), not every one the kernel
 * knows: a host or service manager that dropped some (CapabilityBoundingSet=) keeps them dropped, and
 * asking for them anyway would fail the start with EPERM. */
static uint64_t cap_all(void) {
        cap_value_t last = cap_last();
        uint64_t mask = 0;

        for (cap_value_t v = 0; v <= last; v++)
                if (prctl(PR_CAPBSET_READ, (unsigned long) v, 0, 0, 0) > 0)
                        mask |= CAP_BIT(v);
        return mask;
}

/* Every capability the kernel knows (and our masks hold). */
static uint64_t cap_known(void) {
        cap_value_t last = cap_last();

        return last >= 63 ? UINT64_MAX : CAP_BIT(last + 1) - 1;
}

uint64_t runtime_caps_all(void) {
        return cap_all();
}

/* capability-name.h, limited to what this kernel knows. */
static int cap_parse(const char *name, cap_value_t *ret) {
        int v, r;

        r = capability_from_name(name, &v);
        if (r < 0)
                return r;
        if (v > cap_last())
                return -EINVAL;
        *ret = v;
        return 0;
}

static int caps_parse_list(char *const *names, uint64_t *ret_mask, bool *ret_all, const char **ret_bad) {
        uint64_t mask = 0;
        bool all = false;

        STRV_FOREACH(n, names) {
                cap_value_t v;

                if (strcasecmp(*n, "ALL") == 0) {
                        all = true;
                        continue;
                }
                if (cap_parse(*n, &v) < 0) {
                        if (ret_bad)
                                *ret_bad = *n;
                        return -EINVAL;
                }
                mask |= CAP_BIT(v);
        }
        *ret_mask = mask;
        *ret_all = all;
        return 0;
}

/* Docker's TweakCapabilities: "add ALL" gives everything not dropped by name; "drop ALL" gives just
 * what is added; otherwise the default set minus the drops plus the adds. */
int runtime_caps_from_spec(char *const *cap_add, char *const *cap_drop, uint64_t *ret_mask,
                           const char **ret_bad) {
        uint64_t add, drop, mask = 0;
        bool add_all, drop_all;
        int r;

        r = caps_parse_list(cap_add, &add, &add_all, ret_bad);
        if (r < 0)
                return r;
        r = caps_parse_list(cap_drop, &drop, &drop_all, ret_bad);
        if (r < 0)
                return r;

        if (add_all)
                mask = cap_all() & ~drop;
        else if (drop_all)
                mask = add;
        else {
                for (size_t i = 0; i < ELEMENTSOF(default_caps); i++)
                        mask |= CAP_BIT(default_caps[i]);
                mask = (mask & ~drop) | add;
        }
        /* Not cap_all(): a capability asked for by name that the bounding set lacks must fail the
         * start with a clear error, not vanish. */
        *ret_mask = mask & cap_known();
        return 0;
}

/* systemd-nspawn's capabilities for a booted container (systemd-nspawn(1), --capability=), and
 * CAP_NET_ADMIN when the container has a network namespace of its own, as nspawn gives it with
 * --private-network. */
static const cap_value_t boot_caps[] = {
        CAP_AUDIT_CONTROL, CAP_AUDIT_WRITE, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,
        CAP_FSETID, CAP_IPC_OWNER, CAP_KILL, CAP_LEASE, CAP_LINUX_IMMUTABLE, CAP_MKNOD, CAP_NET_BIND_SERVICE,
        CAP_NET_BROADCAST, CAP_NET_RAW, CAP_SETFCAP, CAP_SETGID, CAP_SETPCAP, CAP_SETUID, CAP_SYS_ADMIN,
        CAP_SYS_BOOT, CAP_SYS_CHROOT, CAP_SYS_NICE, CAP_SYS_PTRACE, CAP_SYS_RESOURCE, CAP_SYS_TTY_CONFIG,
};

int runtime_boot_caps(const ContainerSpec *s, uint64_t *ret_mask, const char **ret_bad) {
        uint64_t add, drop, mask = 0;
        bool add_all, drop_all;
        int r;

        r = caps_parse_list(s->cap_add, &add, &add_all, ret_bad);
        if (r < 0)
                return r;
        r = caps_parse_list(s->cap_drop, &drop, &drop_all, ret_bad);
        if (r < 0)
                return r;
        if (!drop_all) {
                for (size_t i = 0; i < ELEMENTSOF(boot_caps); i++)
                        mask |= CAP_BIT(boot_caps[i]);
                if (s->net.mode != NETWORK_MODE_HOST)
                        mask |= CAP_BIT(CAP_NET_ADMIN);
        }
        mask = add_all ? cap_all() & ~drop : (mask & ~drop) | add;
        /* As nspawn: what the bounding set of dray itself lacks (CAP_SYS_RESOURCE on some hosts) is
         * left out rather than failing the boot; asked for by name, it still fails the start. */
        *ret_mask = (mask & cap_all()) | add;
        return 0;
}

/* Drops every capability not in keep from the bounding set (needs CAP_SETPCAP, so before setuid). */
int caps_bounding_keep(RuntimeContext *c, uint64_t keep) {
        cap_value_t last = cap_last();

        for (cap_value_t v = 0; v <= last; v++) {
                if (keep & CAP_BIT(v))
                        continue;
                if (cap_drop_bound(v) < 0 && errno != EINVAL)
                        return runtime_fail(c, errno, "drop capability %d from the bounding set: %m", v);
        }
        return 0;
}

/* Sets effective and permitted to mask, the inheritable set to inheritable, and raises ambient (each
 * in inheritable and mask, which the kernel requires) after clearing the ambient set. An empty
 * inheritable set, as Docker and Podman leave it, means a file capability's inheritable bits (or a
 * later ambient raise) can never carry a capability into a program the payload runs. */
int caps_set_sets(RuntimeContext *c, uint64_t mask, uint64_t inheritable, uint64_t ambient) {
        _cleanup_(cap_freep) cap_t caps = cap_init();
        cap_value_t last = cap_last();

        if (!caps)
                return runtime_fail(c, ENOMEM, "allocate capability set: %m");
        for (cap_value_t v = 0; v <= last; v++) {
                if ((mask & CAP_BIT(v)) &&
                    (cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0 ||
                     cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET) < 0))
                        return runtime_fail(c, errno, "build capability set: %m");
                if ((inheritable & CAP_BIT(v)) && cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET) < 0)
                        return runtime_fail(c, errno, "build capability set: %m");
        }
        if (cap_set_proc(caps) < 0)
                return runtime_fail(c, errno, "set capabilities: %m");
        /* Ambient capabilities exist since Linux 4.3; EINVAL before. */
        if (cap_reset_ambient() < 0 && errno != EINVAL)
                return runtime_fail(c, errno, "clear ambient capabilities: %m");
        for (cap_value_t v = 0; v <= last; v++)
                if ((ambient & CAP_BIT(v)) && cap_set_ambient(v, CAP_SET) < 0)
                        return runtime_fail(c, errno, "raise ambient capability %d: %m", v);
        return 0;
}

/* Effective and permitted: mask; inheritable and ambient: empty. */
int caps_set_process(RuntimeContext *c, uint64_t mask) {
        return caps_set_sets(c, mask, 0, 0);
}
