/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <libmount.h>
#include <string.h>

#include "mount-spec.h"
#include "parse-util.h"
#include "string-table.h"

static const char *const mount_type_table[_MOUNT_TYPE_MAX] = {
        [MOUNT_BIND] = "bind",
        [MOUNT_TMPFS] = "tmpfs",
        [MOUNT_VOLUME] = "volume",
};

DEFINE_STRING_TABLE_LOOKUP(mount_type, MountType, _MOUNT_TYPE_MAX);

void mount_spec_done(MountSpec *m) {
        free(m->source);
        free(m->destination);
        free(m->options);
        free(m->volume);
        m->source = m->destination = m->options = m->volume = NULL;
}

MountSpec *mount_spec_array_free(MountSpec *a, size_t n) {
        for (size_t i = 0; i < n; i++)
                mount_spec_done(a + i);
        free(a);
        return NULL;
}

static int strdup_or_null(const char *s, char **ret) {
        if (!s) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int mount_spec_append(MountSpec **a, size_t *n, MountType type, const char *source, const char *destination,
                      bool read_only, const char *options) {
        MountSpec m = { .type = type, .read_only = read_only }, *na;

        if (strdup_or_null(source, &m.source) < 0 || strdup_or_null(destination, &m.destination) < 0 ||
            strdup_or_null(options, &m.options) < 0) {
                mount_spec_done(&m);
                return -ENOMEM;
        }
        na = reallocarray(*a, *n + 1, sizeof(MountSpec));
        if (!na) {
                mount_spec_done(&m);
                return -ENOMEM;
        }
        na[(*n)++] = m;
        *a = na;
        return 0;
}

int mount_spec_set_volume(MountSpec *m, const char *volume) {
        char *v = strdup(volume);

        if (!v)
                return -ENOMEM;
        free(m->volume);
        m->volume = v;
        return 0;
}

bool volume_name_is_valid(const char *name) {
        static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        size_t n;

        if (isempty(name))
                return false;
        n = strlen(name);
        /* The first character also keeps ".", ".." and ".removed-…" (drayd's own entries) out. */
        if (n > VOLUME_NAME_MAX || !strchr(alnum, name[0]))
                return false;
        return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

bool path_is_below_or_equal(const char *path, const char *prefix) {
        size_t l = strlen(prefix);

        if (streq(prefix, "/"))
                return path[0] == '/';
        return strneq(path, prefix, l) && (path[l] == 0 || path[l] == '/');
}

int mount_path_normalize(const char *p, char **ret) {
        char *n, *w;

        if (isempty(p) || p[0] != '/' || strlen(p) >= PATH_MAX)
                return -EINVAL;
        for (const char *c = p; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        return -EINVAL;
        n = malloc(strlen(p) + 1);
        if (!n)
                return -ENOMEM;
        w = n;
        for (const char *c = p; *c;) {
                size_t len;

                while (*c == '/')
                        c++;
                len = strcspn(c, "/");
                if (len == 0)
                        break;
                if (len == 1 && c[0] == '.') {
                        c += len;
                        continue;
                }
                if (len == 2 && c[0] == '.' && c[1] == '.') {
                        free(n);
                        return -EINVAL;
                }
                *w++ = '/';
                memcpy(w, c, len);
                w += len;
                c += len;
        }
        if (w == n)
                *w++ = '/';
        *w = 0;
        *ret = n;
        return 0;
}

bool mount_path_is_normalized(const char *p) {
        _cleanup_free_ char *n = NULL;

        if (mount_path_normalize(p, &n) < 0)
                return false;
        return streq(n, p);
}

bool mount_destination_is_valid(const char *p) {
        return mount_path_is_normalized(p) && !streq(p, "/") && !path_is_below_or_equal(p, "/proc") &&
                !path_is_below_or_equal(p, "/sys");
}

/* digits, then at most one of the suffixes. */
static bool number_with_suffix(const char *v, const char *suffixes) {
        size_t d = strspn(v, "0123456789");

        if (d == 0 || d > 20)
                return false;
        if (v[d] == 0)
                return true;
        return strchr(suffixes, v[d]) && v[d + 1] == 0;
}

static bool tmpfs_option_value_is_valid(const char *key, const char *v) {
        uint32_t u;

        if (streq(key, "size"))
                return number_with_suffix(v, "kKmMgG%");
        if (streq(key, "nr_inodes"))
                return number_with_suffix(v, "kKmMgG");
        if (streq(key, "mode"))
                return strlen(v) >= 1 && strlen(v) <= 5 && strspn(v, "01234567") == strlen(v) &&
                        strtoul(v, NULL, 8) <= 07777;
        if (streq(key, "uid") || streq(key, "gid"))
                return safe_atou32(v, &u) >= 0 && u != UINT32_MAX;
        return false;
}

/* The option string is split by libmount's own parser (mnt_optstr_next_option(), as mount(8) splits
 * it), so that what we check is what a mount would see. */
int tmpfs_options_validate(const char *opts, const char **ret_bad) {
        static const char *const keys[] = { "size", "nr_inodes", "mode", "uid", "gid" };
        char *p = (char *) opts, *name, *value;
        size_t namesz, valuesz;
        const char *bad = NULL;
        unsigned seen = 0;
        int r;

        if (isempty(opts))
                return 0;
        if (strlen(opts) > TMPFS_OPTIONS_MAX) {
                bad = "the options are too long";
                goto fail;
        }
        /* None of these values needs quoting, and libmount's parser reads an unbalanced quote as
         * the end of the string. */
        if (strchr(opts, '"')) {
                bad = "quotes are not allowed in tmpfs options";
                goto fail;
        }
        /* libmount skips empty items; a user who typed one meant something else. */
        if (opts[0] == ',' || opts[strlen(opts) - 1] == ',' || strstr(opts, ",,")) {
                bad = "an option is empty";
                goto fail;
        }
        while ((r = mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz)) == 0) {
                char key[16], val[32];
                size_t k;

                if (!value) {
                        bad = "an option is not KEY=VALUE (size, mode, uid, gid, nr_inodes)";
                        goto fail;
                }
                for (k = 0; k < ELEMENTSOF(keys); k++)
                        if (namesz == strlen(keys[k]) && strneq(name, keys[k], namesz))
                                break;
                if (k == ELEMENTSOF(keys)) {
                        bad = "unknown option (allowed: size, mode, uid, gid, nr_inodes)";
                        goto fail;
                }
                if (seen & (1U << k)) {
                        bad = "an option is given twice";
                        goto fail;
                }
                seen |= 1U << k;
                if (valuesz >= sizeof(val) || namesz >= sizeof(key)) {
                        bad = "invalid value (size: bytes with k, m, g or %; mode: octal; uid, gid: numbers)";
                        goto fail;
                }
                memcpy(key, name, namesz);
                key[namesz] = 0;
                memcpy(val, value, valuesz);
                val[valuesz] = 0;
                if (!tmpfs_option_value_is_valid(key, val)) {
                        bad = "invalid value (size: bytes with k, m, g or %; mode: octal; uid, gid: numbers)";
                        goto fail;
                }
        }
        if (r < 0) {
                bad = "the options cannot be parsed";
                goto fail;
        }
        return 0;
fail:
        if (ret_bad)
                *ret_bad = bad;
        return -EINVAL;
}

static const char *mount_spec_check(const MountSpec *m) {
        if (!mount_type_to_string(m->type))
                return "invalid mount type";
        if (!mount_destination_is_valid(m->destination))
                return "mount destination must be a normalized absolute path other than '/', outside /proc "
                       "and /sys";
        switch (m->type) {
        case MOUNT_BIND:
                /* Which sources are allowed ("/" only for --privileged) is drayd's policy. */
                if (!mount_path_is_normalized(m->source))
                        return "bind mount source must be a normalized absolute path";
                if (m->options)
                        return "bind mounts take no options";
                break;
        case MOUNT_TMPFS:
                if (m->source)
                        return "tmpfs mounts take no source";
                if (tmpfs_options_validate(m->options, NULL) < 0)
                        return "invalid tmpfs options";
                break;
        case MOUNT_VOLUME:
                if (!volume_name_is_valid(m->volume))
                        return "invalid volume name";
                if (!mount_path_is_normalized(m->source))
                        return "a volume's directory must be a normalized absolute path";
                if (m->options)
                        return "volume mounts take no options";
                break;
        default:
                return "invalid mount type";
        }
        return NULL;
}

int mount_specs_validate(const MountSpec *a, size_t n, const char **ret_reason) {
        const char *reason = NULL;

        if (n > MOUNTS_MAX)
                reason = "too many mounts (at most 64)";
        for (size_t i = 0; !reason && i < n; i++) {
                reason = mount_spec_check(a + i);
                for (size_t j = 0; !reason && j < i; j++)
                        if (streq(a[i].destination, a[j].destination))
                                reason = "two mounts on the same destination";
        }
        if (ret_reason)
                *ret_reason = reason;
        return reason ? -EINVAL : 0;
}

static int mount_spec_to_json(const MountSpec *m, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        int r;

        if (!o)
                return -ENOMEM;
        r = json_add_string(o, "type", mount_type_to_string(m->type));
        if (r < 0)
                return r;
        r = json_add_string(o, "source", m->source);
        if (r < 0)
                return r;
        r = json_add_string(o, "destination", m->destination);
        if (r < 0)
                return r;
        r = json_add_bool(o, "read_only", m->read_only);
        if (r < 0)
                return r;
        r = json_add_string(o, "options", m->options);
        if (r < 0)
                return r;
        r = json_add_string(o, "volume", m->volume);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

int mount_specs_to_json(const MountSpec *a, size_t n, json_object **ret) {
        _cleanup_json_ json_object *arr = json_object_new_array();
        int r;

        if (!arr)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *o = NULL;

                if (!mount_type_to_string(a[i].type))
                        return -EINVAL;
                r = mount_spec_to_json(a + i, &o);
                if (r < 0)
                        return r;
                if (json_object_array_add(arr, o) < 0) {
                        json_object_put(o);
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(arr);
        return 0;
}

static int get_dup_opt(json_object *o, const char *key, char **ret) {
        const char *v;
        int r = json_get_string(o, key, &v);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        /* json-c keeps "\u0000": a string that would be cut short in C is refused, not truncated. */
        if (strlen(v) != (size_t) json_object_get_string_len(json_object_object_get(o, key)))
                return -EBADMSG;
        *ret = strdup(v);
        return *ret ? 0 : -ENOMEM;
}

static int mount_spec_from_json(json_object *o, MountSpec *m) {
        const char *type;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        r = json_get_string(o, "type", &type);
        if (r == -ENOENT)
                return -EBADMSG;
        if (r < 0)
                return r;
        m->type = mount_type_from_string(type);
        if (m->type < 0)
                return -EBADMSG;
        r = get_dup_opt(o, "source", &m->source);
        if (r >= 0)
                r = get_dup_opt(o, "destination", &m->destination);
        if (r >= 0)
                r = get_dup_opt(o, "options", &m->options);
        if (r >= 0)
                r = get_dup_opt(o, "volume", &m->volume);
        if (r >= 0) {
                r = json_get_bool(o, "read_only", &m->read_only);
                if (r == -ENOENT)
                        r = 0;
        }
        if (r >= 0 && !m->destination)
                r = -EBADMSG;
        return r;
}

int mount_specs_from_json(json_object *array, MountSpec **ret, size_t *ret_n) {
        MountSpec *a = NULL;
        size_t n;

        if (!json_object_is_type(array, json_type_array))
                return -EBADMSG;
        n = json_object_array_length(array);
        if (n > MOUNTS_MAX)
                return -E2BIG;
        if (n > 0) {
                a = calloc(n, sizeof(MountSpec));
                if (!a)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                int r = mount_spec_from_json(json_object_array_get_idx(array, i), a + i);

                if (r < 0) {
                        mount_spec_array_free(a, n);
                        return r;
                }
        }
        *ret = a;
        *ret_n = n;
        return 0;
}
