/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which mounts drayd takes for a crash's leftovers at start (src/daemon/mount-leftovers.h), and the
 * options of tmpfs volumes it mounts itself (volume-tmpfs.h). */
#include "mount-leftovers.h"
#include "volume-tmpfs.h"
#include "test.h"

TEST(mount_is_leftover) {
        static const char *const leftover[] = {
                "/var/lib/dray/containers/abc/rootfs", "/var/lib/dray/tmp/x", "/run/dray/containers/abc/rootfs",
                "/run/dray/x", "/var/lib/dray/layers/sha256/x/diff",
        };
        static const char *const kept[] = {
                "/var/lib/dray",             /* the directory itself may be a mount (the sandbox's tmpfs) */
                "/run/dray", "/run/dray/", "/run/dray/netns/0123", "/run/dray/netns/a/b", "/var/lib/dray2/x",
                "/var/lib/drayx", "/run/drayd/x", "/", "/proc", "/sys/fs/cgroup", "/run", "/var/lib",
        };

        for (size_t i = 0; i < ELEMENTSOF(leftover); i++)
                if (!mount_is_leftover(leftover[i], "/var/lib/dray", "/run/dray")) {
                        fprintf(stderr, "not a leftover: %s\n", leftover[i]);
                        return 1;
                }
        for (size_t i = 0; i < ELEMENTSOF(kept); i++)
                if (mount_is_leftover(kept[i], "/var/lib/dray", "/run/dray")) {
                        fprintf(stderr, "a leftover: %s\n", kept[i]);
                        return 1;
                }
        ASSERT_TRUE(mount_is_leftover("/srv/state/x", "/srv/state/", "/run/dray"));
        ASSERT_FALSE(mount_is_leftover(NULL, "/var/lib/dray", "/run/dray"));
        ASSERT_TRUE(mount_is_volume_tmpfs("/var/lib/dray/volumes/cache/_data", "tmpfs", "/var/lib/dray"));
        ASSERT_FALSE(mount_is_volume_tmpfs("/var/lib/dray/volumes/cache/_data", "overlay", "/var/lib/dray"));
        ASSERT_FALSE(mount_is_volume_tmpfs("/var/lib/dray/volumes/cache/_data/x", "tmpfs", "/var/lib/dray"));
        ASSERT_FALSE(mount_is_volume_tmpfs("/var/lib/dray/volumes/a/b/_data", "tmpfs", "/var/lib/dray"));
        ASSERT_FALSE(mount_is_volume_tmpfs("/var/lib/dray/volumes//_data", "tmpfs", "/var/lib/dray"));
        ASSERT_FALSE(mount_is_volume_tmpfs("/var/lib/dray/containers/x/_data", "tmpfs", "/var/lib/dray"));
        return 0;
}

TEST(volume_options) {
        const char *why = NULL;

        ASSERT_OK(volume_options_validate(NULL, &why));
        ASSERT_OK(volume_options_validate((char *[]) { NULL }, &why));
        ASSERT_OK(volume_options_validate((char *[]) { (char *) "type=tmpfs", NULL }, &why));
        ASSERT_OK(volume_options_validate((char *[]) { (char *) "type=tmpfs", (char *) "device=tmpfs",
                                                       (char *) "o=size=64m,uid=1000", NULL }, &why));
        ASSERT_ERROR(volume_options_validate((char *[]) { (char *) "type=nfs", NULL }, &why), EINVAL);
        ASSERT_STREQ(why, "the local driver here mounts type=tmpfs only");
        ASSERT_ERROR(volume_options_validate((char *[]) { (char *) "o=size=1m", NULL }, &why), EINVAL);
        ASSERT_ERROR(volume_options_validate((char *[]) { (char *) "type=tmpfs", (char *) "device=/dev/sda", NULL }, &why),
                     EINVAL);
        ASSERT_ERROR(volume_options_validate((char *[]) { (char *) "type=tmpfs", (char *) "o=exec", NULL }, &why), EINVAL);
        ASSERT_ERROR(volume_options_validate((char *[]) { (char *) "type=tmpfs", (char *) "type=tmpfs", NULL }, &why),
                     EINVAL);
        ASSERT_STREQ(why, "an option is given twice");
        ASSERT_ERROR(volume_options_validate((char *[]) { (char *) "type=tmpfs", (char *) "ox=1", NULL }, &why), EINVAL);
        ASSERT_ERROR(volume_options_validate((char *[]) { (char *) "type", NULL }, &why), EINVAL);
        return 0;
}
