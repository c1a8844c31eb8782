/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "device-spec.h"
#include "test.h"

static int canonical(const char *s, const char *want) {
        _cleanup_free_ char *c = NULL;
        int r;

        r = device_spec_canonical(s, &c);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", s, strerror(-r));
                return r;
        }
        if (!streq(c, want)) {
                fprintf(stderr, "%s: got '%s', want '%s'\n", s, c, want);
                return -EBADMSG;
        }
        return 0;
}

TEST(device_spec_forms) {
        ASSERT_OK(canonical("/dev/fuse", "/dev/fuse:/dev/fuse:rwm"));
        ASSERT_OK(canonical("/dev/sda:/dev/xvdc", "/dev/sda:/dev/xvdc:rwm"));
        ASSERT_OK(canonical("/dev/sda:r", "/dev/sda:/dev/sda:r")); /* docker: a mode in second place */
        ASSERT_OK(canonical("/dev/sda:/dev/xvdc:rw", "/dev/sda:/dev/xvdc:rw"));
        ASSERT_OK(canonical("/srv/nodes/null0:/dev/null0:mw", "/srv/nodes/null0:/dev/null0:mw"));
        ASSERT_OK(canonical("/dev//net/./tun", "/dev/net/tun:/dev/net/tun:rwm"));
        ASSERT_TRUE(device_spec_is_canonical("/dev/fuse:/dev/fuse:rwm"));
        ASSERT_FALSE(device_spec_is_canonical("/dev/fuse"));
        return 0;
}

TEST(device_spec_refused) {
        static const char *const bad[] = {
                "", "dev/fuse", "/dev/fuse:dev/x", "/dev/../etc/shadow", "/dev/fuse:/dev/../etc/x",
                "/srv/x", /* lands outside /dev */ "/dev/fuse:/etc/fuse", "/dev/fuse:/dev", "/dev/fuse:/dev/",
                "/dev/fuse:/dev/pts/0", "/dev/fuse:/dev/shm/x", "/dev/fuse:/dev/mqueue/x", "/dev/fuse:/dev/x:rwx",
                "/dev/fuse:/dev/x:rr", "/dev/fuse:/dev/x:", "/dev/fuse:/dev/x:r:w", "/dev/fuse::r", "/dev/f\nuse",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *c = NULL;

                if (device_spec_canonical(bad[i], &c) != -EINVAL) {
                        fprintf(stderr, "'%s' was accepted as '%s'\n", bad[i], strna(c));
                        return 1;
                }
        }
        ASSERT_TRUE(device_perms_are_valid("rwm") && device_perms_are_valid("m") && !device_perms_are_valid("wrr"));
        return 0;
}
