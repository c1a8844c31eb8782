/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "log.h"
#include "mount-spec.h"
#include "strv.h"
#include "volume-tmpfs.h"

#define VOLUME_OPTIONS_MAX 16U

/* The value of KEY= among options, or NULL. */
static const char *option_value(char *const *options, const char *key) {
        size_t n = strlen(key);

        STRV_FOREACH(o, options)
                if (strneq(*o, key, n) && (*o)[n] == '=')
                        return *o + n + 1;
        return NULL;
}

int volume_options_validate(char *const *options, const char **ret_error) {
        const char *type, *device, *o, *bad = NULL;

        if (!options || !options[0])
                return 0;
        if (strv_length((char **) options) > VOLUME_OPTIONS_MAX)
                return *ret_error = "too many options", -EINVAL;
        STRV_FOREACH(opt, options) {
                size_t k = strcspn(*opt, "=");
                bool known = (*opt)[k] == '=' && ((k == 4 && strneq(*opt, "type", 4)) ||
                                                  (k == 6 && strneq(*opt, "device", 6)) || (k == 1 && (*opt)[0] == 'o'));

                if (!known)
                        return *ret_error = "options are type=, device= and o=", -EINVAL;
                STRV_FOREACH(other, options)
                        if (other < opt && strneq(*other, *opt, k + 1))
                                return *ret_error = "an option is given twice", -EINVAL;
        }
        type = option_value(options, "type");
        device = option_value(options, "device");
        o = option_value(options, "o");
        if (!type || !streq(type, "tmpfs"))
                return *ret_error = "the local driver here mounts type=tmpfs only", -EINVAL;
        if (device && !streq(device, "tmpfs"))
                return *ret_error = "a tmpfs volume takes device=tmpfs", -EINVAL;
        if (o && tmpfs_options_validate(o, &bad) < 0)
                return *ret_error = "o= takes tmpfs options: size, nr_inodes, mode, uid, gid", -EINVAL;
        return 0;
}

static bool is_mounted(const char *path) {
        _cleanup_free_ char *parent = strdup(path);
        struct stat a, b;
        char *slash;

        if (!parent || !(slash = strrchr(parent, '/')))
                return false;
        *slash = 0;
        return stat(path, &a) >= 0 && stat(parent, &b) >= 0 && a.st_dev != b.st_dev;
}

int volume_tmpfs_mount(char *const *options, const char *mountpoint) {
        const char *o = option_value(options, "o");

        if (!option_value(options, "type") || is_mounted(mountpoint))
                return 0;
        if (mount("tmpfs", mountpoint, "tmpfs", MS_NOSUID | MS_NODEV, o) < 0)
                return log_debug_errno(errno, "Failed to mount tmpfs on %s (%s): %m", mountpoint, strna(o));
        return 0;
}

void volume_tmpfs_unmount(char *const *options, const char *mountpoint) {
        if (option_value(options, "type") && is_mounted(mountpoint) && umount2(mountpoint, MNT_DETACH) < 0)
                log_warning_errno(errno, "Failed to unmount the tmpfs on %s, ignoring: %m", mountpoint);
}
