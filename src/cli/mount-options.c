/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "cli-util.h"
#include "log.h"
#include "mount-options.h"
#include "name.h"
#include "strv.h"
#include "utf8.h"

static int mount_destination(const char *option, const char *arg, const char *dst, char **ret) {
        int r;

        r = mount_path_normalize(dst, ret);
        if (r == -ENOMEM)
                return log_oom();
        if (r >= 0 && mount_destination_is_valid(*ret))
                return 0;
        if (r >= 0) {
                free(*ret);
                *ret = NULL;
        }
        return log_invalid_value(option, arg, -EINVAL,
                                 "a destination that is an absolute path without '..', other than '/' and "
                                 "outside /proc and /sys");
}

static int add_mount(MountSpec **mounts, size_t *n_mounts, const char *option, const char *arg, MountType type,
                     const char *source, const char *destination, bool read_only, const char *options,
                     const char *volume) {
        if (*n_mounts >= MOUNTS_MAX)
                return log_error_errno(SYNTHETIC_ERRNO(E2BIG), "Too many %s: at most %u mounts in all.", option,
                                       MOUNTS_MAX);
        for (size_t i = 0; i < *n_mounts; i++)
                if (streq((*mounts)[i].destination, destination))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Invalid %s value '%s': '%s' is already "
                                               "a mount destination.", option, arg, destination);
        if (mount_spec_append(mounts, n_mounts, type, source, destination, read_only, options) < 0)
                return log_oom();
        if (volume && mount_spec_set_volume(*mounts + *n_mounts - 1, volume) < 0)
                return log_oom();
        return 0;
}

static int volume_name_check(const char *option, const char *arg, const char *name) {
        if (volume_name_is_valid(name))
                return 0;
        return log_invalid_value(option, arg, -EINVAL,
                                 "an absolute host path, or a volume name of 1-128 a-z, A-Z, 0-9, '_', '.' and '-' "
                                 "starting with a letter or digit, as the source");
}

/* A bind source, or a volume name, from -v or --mount. */
static int add_source(MountSpec **mounts, size_t *n_mounts, const char *option, const char *arg, bool bind,
                      const char *source, const char *destination, bool read_only) {
        _cleanup_free_ char *src = NULL, *dst = NULL;
        int r;

        r = mount_destination(option, arg, destination, &dst);
        if (r < 0)
                return r;
        if (!bind) {
                if (source && volume_name_check(option, arg, source) < 0)
                        return -EINVAL;
                return add_mount(mounts, n_mounts, option, arg, MOUNT_VOLUME, NULL, dst, read_only, NULL, source);
        }
        if (!source || source[0] != '/')
                return log_invalid_value(option, arg, -EINVAL, "an absolute host path as the source");
        r = mount_path_normalize(source, &src);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_invalid_value(option, arg, r, "an absolute host path without '..' as the source");
        return add_mount(mounts, n_mounts, option, arg, MOUNT_BIND, src, dst, read_only, NULL, NULL);
}

int mount_option_volume(MountSpec **mounts, size_t *n_mounts, const char *arg) {
        _cleanup_strv_free_ char **parts = NULL;
        _cleanup_free_ char *copy = strdup(arg);
        bool read_only = false;
        char *save = NULL;
        size_t n;

        if (!copy)
                return log_oom();
        if (!utf8_is_valid(arg))
                return log_error_errno(SYNTHETIC_ERRNO(EILSEQ), "Invalid --volume value: not valid UTF-8.");
        n = 1;
        for (const char *c = arg; *c; c++)
                n += *c == ':';
        if (isempty(arg) || n > 3 || strstr(arg, "::") || arg[0] == ':' || arg[strlen(arg) - 1] == ':')
                return log_invalid_value("--volume", arg, -EINVAL,
                                         "SRC:DST, SRC:DST:ro, SRC:DST:rw or DST (a new anonymous volume)");
        for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
                if (strv_extend(&parts, t) < 0)
                        return log_oom();
        /* "-v /data": Docker's anonymous volume. */
        if (n == 1)
                return add_source(mounts, n_mounts, "--volume", arg, false, NULL, parts[0], false);
        if (n == 3) {
                if (streq(parts[2], "ro"))
                        read_only = true;
                else if (!streq(parts[2], "rw"))
                        return log_invalid_value("--volume", arg, -EINVAL, "'ro' or 'rw' after the destination");
        }
        /* Docker's rule: a source with a '/' is a host path (which must be absolute), else a name. */
        if (parts[0][0] != '/' && strchr(parts[0], '/'))
                return log_invalid_value("--volume", arg, -EINVAL, "an absolute host path as the source");
        return add_source(mounts, n_mounts, "--volume", arg, parts[0][0] == '/', parts[0], parts[1], read_only);
}

static int parse_bool_value(const char *v, bool *ret) {
        if (!v || streq(v, "true") || streq(v, "1")) {
                *ret = true;
                return 0;
        }
        if (streq(v, "false") || streq(v, "0")) {
                *ret = false;
                return 0;
        }
        return -EINVAL;
}

typedef struct LongMount {
        char *type, *source, *destination, *tmpfs_size, *tmpfs_mode;
        bool read_only;
} LongMount;

static void long_mount_done(LongMount *l) {
        free(l->type);
        free(l->source);
        free(l->destination);
        free(l->tmpfs_size);
        free(l->tmpfs_mode);
}

static int set_once(char **field, const char *value) {
        if (*field)
                return -EEXIST;
        *field = strdup(value ?: "");
        return *field ? 0 : -ENOMEM;
}

/* One KEY[=VALUE] of --mount into l. */
static int long_mount_item(LongMount *l, char *item, const char *arg) {
        char *eq = strchr(item, '=');
        const char *value = eq ? eq + 1 : NULL;
        int r;

        if (eq)
                *eq = 0;
        if (streq(item, "readonly") || streq(item, "ro"))
                return parse_bool_value(value, &l->read_only) < 0 ?
                        log_invalid_value("--mount", arg, -EINVAL, "readonly, readonly=true or readonly=false") : 0;
        if (!value)
                return log_invalid_value("--mount", arg, -EINVAL,
                                         "KEY=VALUE items: type, source (src), destination (dst, target), "
                                         "readonly (ro), tmpfs-size, tmpfs-mode");
        if (streq(item, "type"))
                r = set_once(&l->type, value);
        else if (streq(item, "source") || streq(item, "src"))
                r = set_once(&l->source, value);
        else if (streq(item, "destination") || streq(item, "dst") || streq(item, "target"))
                r = set_once(&l->destination, value);
        else if (streq(item, "tmpfs-size"))
                r = set_once(&l->tmpfs_size, value);
        else if (streq(item, "tmpfs-mode"))
                r = set_once(&l->tmpfs_mode, value);
        else
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Invalid --mount value '%s': unknown key '%s' "
                                       "(known: type, source, destination, readonly, tmpfs-size, tmpfs-mode).",
                                       arg, item);
        if (r == -EEXIST)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Invalid --mount value '%s': '%s' given twice.",
                                       arg, item);
        return r < 0 ? log_oom() : 0;
}

static int long_mount_tmpfs(MountSpec **mounts, size_t *n_mounts, const char *arg, const LongMount *l) {
        _cleanup_free_ char *dst = NULL, *opts = NULL;
        const char *why = NULL;
        int r;

        if (l->source)
                return log_invalid_value("--mount", arg, -EINVAL, "no source for type=tmpfs");
        r = mount_destination("--mount", arg, l->destination, &dst);
        if (r < 0)
                return r;
        if (asprintf(&opts, "%s%s%s%s%s", l->tmpfs_size ? "size=" : "", strempty(l->tmpfs_size),
                     l->tmpfs_size && l->tmpfs_mode ? "," : "", l->tmpfs_mode ? "mode=" : "",
                     strempty(l->tmpfs_mode)) < 0)
                return log_oom();
        r = tmpfs_options_validate(opts, &why);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Invalid --mount value '%s': %s.", arg, why);
        return add_mount(mounts, n_mounts, "--mount", arg, MOUNT_TMPFS, NULL, dst, l->read_only,
                         isempty(opts) ? NULL : opts, NULL);
}

int mount_option_mount(MountSpec **mounts, size_t *n_mounts, const char *arg) {
        _cleanup_(long_mount_done) LongMount l = {};
        _cleanup_free_ char *copy = strdup(arg);
        char *save = NULL;
        int r;

        if (!copy)
                return log_oom();
        if (!utf8_is_valid(arg))
                return log_error_errno(SYNTHETIC_ERRNO(EILSEQ), "Invalid --mount value: not valid UTF-8.");
        for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                r = long_mount_item(&l, item, arg);
                if (r < 0)
                        return r;
        }
        if (!l.destination)
                return log_invalid_value("--mount", arg, -EINVAL, "a destination (dst=PATH)");
        if (!l.type || streq(l.type, "volume")) {
                if (l.tmpfs_size || l.tmpfs_mode)
                        return log_invalid_value("--mount", arg, -EINVAL, "tmpfs-size and tmpfs-mode only with type=tmpfs");
                return add_source(mounts, n_mounts, "--mount", arg, false, isempty(l.source) ? NULL : l.source,
                                  l.destination, l.read_only);
        }
        if (streq(l.type, "bind")) {
                if (l.tmpfs_size || l.tmpfs_mode)
                        return log_invalid_value("--mount", arg, -EINVAL, "tmpfs-size and tmpfs-mode only with type=tmpfs");
                return add_source(mounts, n_mounts, "--mount", arg, true, l.source, l.destination, l.read_only);
        }
        if (streq(l.type, "tmpfs"))
                return long_mount_tmpfs(mounts, n_mounts, arg, &l);
        return log_invalid_value("--mount", arg, -EINVAL, "type=bind, type=volume or type=tmpfs");
}

int mount_option_tmpfs(MountSpec **mounts, size_t *n_mounts, const char *arg) {
        _cleanup_free_ char *d = NULL, *dst = NULL;
        const char *colon = strchr(arg, ':'), *opts = colon ? colon + 1 : NULL, *why = NULL;
        int r;

        if (!utf8_is_valid(arg))
                return log_error_errno(SYNTHETIC_ERRNO(EILSEQ), "Invalid --tmpfs value: not valid UTF-8.");
        d = colon ? strndup(arg, (size_t) (colon - arg)) : strdup(arg);
        if (!d)
                return log_oom();
        r = mount_destination("--tmpfs", arg, d, &dst);
        if (r < 0)
                return r;
        r = tmpfs_options_validate(opts, &why);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "Invalid --tmpfs value '%s': %s.", arg, why);
        return add_mount(mounts, n_mounts, "--tmpfs", arg, MOUNT_TMPFS, NULL, dst, false, isempty(opts) ? NULL : opts,
                         NULL);
}

int mount_option_volumes_from(char ***volumes_from, const char *arg) {
        const char *colon = strchr(arg, ':');
        _cleanup_free_ char *ref = colon ? strndup(arg, (size_t) (colon - arg)) : strdup(arg);

        if (!ref)
                return log_oom();
        if ((colon && !streq(colon, ":ro") && !streq(colon, ":rw")) ||
            (!container_name_is_valid(ref) && !container_id_prefix_is_valid(ref)))
                return log_invalid_value("--volumes-from", arg, -EINVAL, "CONTAINER, CONTAINER:ro or CONTAINER:rw");
        if (strv_length(*volumes_from) >= MOUNTS_MAX)
                return log_error_errno(SYNTHETIC_ERRNO(E2BIG), "Too many --volumes-from: at most %u.", MOUNTS_MAX);
        return strv_extend(volumes_from, arg) < 0 ? log_oom() : 0;
}
