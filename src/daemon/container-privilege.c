/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "caps-default.h"
#include "container-privilege.h"
#include "container-roots.h"
#include "strv.h"

#define CAP_NAME(c) #c,
static const char *const default_capabilities[] = { DEFAULT_CAPABILITIES(CAP_NAME) };

static bool capability_is_default(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(default_capabilities); i++)
                if (streq(default_capabilities[i], name))
                        return true;
        return false;
}

/* CapAdd holds normalized names ("CAP_NET_ADMIN", "ALL"): adding one of the defaults changes nothing. */
static bool adds_capabilities(char *const *cap_add) {
        STRV_FOREACH(c, cap_add)
                if (!capability_is_default(*c))
                        return true;
        return false;
}

static bool binds_host_paths(const ContainerSpec *s) {
        for (size_t i = 0; i < s->n_mounts; i++)
                if (s->mounts[i].type == MOUNT_BIND)
                        return true;
        return false;
}

const char *container_spec_privileged_reason(const ContainerSpec *s) {
        if (s->privileged)
                return "--privileged";
        if (s->seccomp_unconfined)
                return "seccomp=unconfined";
        /* A profile of the caller's may allow what the default denies (new user namespaces,
         * keyctl, …): as good as unconfined, unless drayd could prove it narrower, which it does
         * not try. */
        if (s->seccomp_profile)
                return "a custom seccomp profile";
        if (binds_host_paths(s))
                return "a bind mount of a host path";
        /* A directory root is a bind of a host path, with write access for the container's root:
         * only where the administrator keeps container roots is it an ordinary option. */
        if (s->rootfs && !container_rootfs_is_declared(s->rootfs))
                return "a root directory outside the declared container roots";
        if (adds_capabilities(s->cap_add))
                return "capabilities beyond the default set";
        /* nspawn's boot capabilities (CAP_SYS_ADMIN among them) in the host's user namespace. */
        if (s->boot && s->userns_size == 0)
                return "--boot without --userns=auto";
        if (s->net.mode == NETWORK_MODE_HOST)
                return "the host's network (--network host)";
        /* A host device node (disk, tty, /dev/mem…) in the container, allowed by its device cgroup. */
        if (s->devices)
                return "a host device (--device)";
        return NULL;
}

const char *container_spec_polkit_action(const ContainerSpec *s) {
        return container_spec_privileged_reason(s) ? DRAY_POLKIT_PRIVILEGED_OPTIONS : DRAY_POLKIT_MANAGE_CONTAINERS;
}
