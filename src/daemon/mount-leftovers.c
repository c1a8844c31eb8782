/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libmount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "log.h"
#include "mount-leftovers.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_table *, mnt_unref_table);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_iter *, mnt_free_iter);

/* path strictly below dir */
static bool path_is_below(const char *path, const char *dir) {
        size_t n = strlen(dir);

        while (n > 1 && dir[n - 1] == '/')
                n--;
        return strneq(path, dir, n) && path[n] == '/' && path[n + 1] != 0;
}

bool mount_is_leftover(const char *target, const char *state_dir, const char *runtime_dir) {
        char netns[4096];

        if (!target || (!path_is_below(target, state_dir) && !path_is_below(target, runtime_dir)))
                return false;
        (void) snprintf(netns, sizeof(netns), "%s/netns", runtime_dir);
        return !path_is_below(target, netns);
}

bool mount_is_volume_tmpfs(const char *target, const char *fstype, const char *state_dir) {
        char prefix[4096];
        const char *name, *end;
        size_t n;

        if (!target || !fstype || !streq(fstype, "tmpfs"))
                return false;
        n = (size_t) snprintf(prefix, sizeof(prefix), "%s/volumes/", state_dir);
        if (n >= sizeof(prefix) || !strneq(target, prefix, n))
                return false;
        name = target + n;
        end = strchr(name, '/');
        return end && end > name && streq(end, "/_data");
}

int undo_leftover_mounts(const char *state_dir, const char *runtime_dir) {
        _cleanup_(mnt_unref_tablep) struct libmnt_table *table = NULL;
        _cleanup_(mnt_free_iterp) struct libmnt_iter *iter = NULL;
        struct libmnt_fs *fs;
        int n = 0;

        table = mnt_new_table_from_file("/proc/self/mountinfo");
        iter = mnt_new_iter(MNT_ITER_BACKWARD); /* the latest mounts first: children before parents */
        if (!table || !iter)
                return -ENOMEM;
        while (mnt_table_next_fs(table, iter, &fs) == 0) {
                const char *target = mnt_fs_get_target(fs);

                if (!mount_is_leftover(target, state_dir, runtime_dir) ||
                    mount_is_volume_tmpfs(target, mnt_fs_get_fstype(fs), state_dir))
                        continue;
                if (umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
                        log_warning_errno(errno, "Failed to unmount %s (%s), left by an earlier run, ignoring: %m",
                                          target, strna(mnt_fs_get_fstype(fs)));
                        continue;
                }
                log_notice("Unmounted %s (%s), left behind by an earlier run.", target,
                           strna(mnt_fs_get_fstype(fs)));
                n++;
        }
        return n;
}
