/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which container options need org.dray1.privileged-options rather than manage-containers. */
#include <unistd.h>

#include "container-privilege.h"
#include "container-roots.h"
#include "strv.h"
#include "test.h"
#include "userns-range.h"

static void set_privileged(ContainerSpec *s) {
        s->privileged = true;
}
static void set_unconfined(ContainerSpec *s) {
        s->seccomp_unconfined = true;
}
static void set_profile(ContainerSpec *s) {
        s->seccomp_profile = strdup("{\"defaultAction\": \"SCMP_ACT_ERRNO\"}");
}

TEST(ordinary_spec_needs_manage_containers) {
        _cleanup_(spec_freep) ContainerSpec *s = spec_new();

        ASSERT_TRUE(s);
        ASSERT_TRUE(container_spec_privileged_reason(s) == NULL);
        ASSERT_STREQ(container_spec_polkit_action(s), DRAY_POLKIT_MANAGE_CONTAINERS);
        /* tmpfs mounts, dropping capabilities and re-adding default ones reach nothing of the host. */
        ASSERT_OK(mount_spec_append(&s->mounts, &s->n_mounts, MOUNT_TMPFS, NULL, "/scratch", false, "size=1m"));
        ASSERT_OK(strv_extend(&s->cap_drop, "ALL"));
        ASSERT_OK(strv_extend(&s->cap_add, "CAP_CHOWN"));
        ASSERT_OK(strv_extend(&s->cap_add, "CAP_NET_BIND_SERVICE"));
        ASSERT_TRUE(container_spec_privileged_reason(s) == NULL);
        return 0;
}

TEST(bind_mount_is_privileged) {
        _cleanup_(spec_freep) ContainerSpec *s = spec_new();

        ASSERT_TRUE(s);
        ASSERT_OK(mount_spec_append(&s->mounts, &s->n_mounts, MOUNT_BIND, "/srv", "/data", true, NULL));
        ASSERT_STREQ(container_spec_privileged_reason(s), "a bind mount of a host path");
        ASSERT_STREQ(container_spec_polkit_action(s), DRAY_POLKIT_PRIVILEGED_OPTIONS);
        return 0;
}

TEST(device_is_privileged) {
        _cleanup_(spec_freep) ContainerSpec *s = spec_new();

        ASSERT_TRUE(s);
        ASSERT_OK(strv_extend(&s->devices, "/dev/fuse:/dev/fuse:r"));
        ASSERT_STREQ(container_spec_privileged_reason(s), "a host device (--device)");
        ASSERT_STREQ(container_spec_polkit_action(s), DRAY_POLKIT_PRIVILEGED_OPTIONS);
        return 0;
}

/* With no /etc/dray/container-roots.conf (the build host has none) only /var/lib/machines is declared. */
TEST(rootfs_outside_declared_roots_is_privileged) {
        static const struct {
                const char *rootfs;
                bool privileged;
        } cases[] = {
                { "/",                           true },
                { "/srv/tree",                   true },
                { "/var/lib/dray",               true },
                { "/var/lib/machines",           true },  /* the directory itself is no root */
                { "/var/lib/machinesX/a",        true },
                { "/var/lib/machines/web",       false },
                { "/var/lib/machines//web/",     false },
                { "/var/lib/machines/web/deep",  false },
        };

        if (access("/etc/dray/" CONTAINER_ROOTS_CONF, F_OK) >= 0)
                return 77;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(spec_freep) ContainerSpec *s = spec_new();

                ASSERT_TRUE(s);
                s->rootfs = strdup(cases[i].rootfs);
                ASSERT_TRUE(s->rootfs);
                if (cases[i].privileged)
                        ASSERT_STREQ(container_spec_privileged_reason(s), "a root directory outside the declared container roots");
                else
                        ASSERT_TRUE(container_spec_privileged_reason(s) == NULL);
        }
        return 0;
}

TEST(capabilities_beyond_the_default_set_are_privileged) {
        static const char *const adds[] = { "CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_PTRACE", "ALL" };

        for (size_t i = 0; i < ELEMENTSOF(adds); i++) {
                _cleanup_(spec_freep) ContainerSpec *s = spec_new();

                ASSERT_TRUE(s);
                ASSERT_OK(strv_extend(&s->cap_add, "CAP_KILL"));
                ASSERT_OK(strv_extend(&s->cap_add, adds[i]));
                ASSERT_STREQ(container_spec_privileged_reason(s), "capabilities beyond the default set");
                ASSERT_STREQ(container_spec_polkit_action(s), DRAY_POLKIT_PRIVILEGED_OPTIONS);
        }
        return 0;
}

/* --boot holds nspawn's capabilities, CAP_SYS_ADMIN among them: privileged in the host's user
 * namespace, not in one of its own. */
TEST(boot_is_privileged_without_userns) {
        _cleanup_(spec_freep) ContainerSpec *s = spec_new();

        ASSERT_TRUE(s);
        s->boot = true;
        ASSERT_STREQ(container_spec_privileged_reason(s), "--boot without --userns=auto");
        s->userns_size = USERNS_RANGE_SIZE;
        ASSERT_TRUE(container_spec_privileged_reason(s) == NULL);
        return 0;
}

TEST(security_options_are_privileged) {
        static const struct {
                void (*set)(ContainerSpec *s);
                const char *reason;
        } cases[] = {
                { set_privileged, "--privileged" },
                { set_unconfined, "seccomp=unconfined" },
                { set_profile,    "a custom seccomp profile" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(spec_freep) ContainerSpec *s = spec_new();

                ASSERT_TRUE(s);
                cases[i].set(s);
                ASSERT_STREQ(container_spec_privileged_reason(s), cases[i].reason);
                ASSERT_STREQ(container_spec_polkit_action(s), DRAY_POLKIT_PRIVILEGED_OPTIONS);
        }
        return 0;
}
