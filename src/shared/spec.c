/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <string.h>

#include "contract.h"
#include "device-spec.h"
#include "name.h"
#include "parse-util.h"
#include "spec.h"
#include "strv.h"
#include "userns-range.h"

ContainerSpec *spec_new(void) {
        ContainerSpec *s = calloc(1, sizeof(ContainerSpec));

        if (!s)
                return NULL;
        s->stop_signal = SIGTERM;
        s->stop_timeout_usec = DEFAULT_STOP_TIMEOUT_USEC;
        s->memory_max = UNSET_U64;
        s->cpu_quota_per_sec_usec = UNSET_U64;
        s->cpu_weight = UNSET_U64;
        s->tasks_max = UNSET_U64;
        return s;
}

ContainerSpec *spec_free(ContainerSpec *s) {
        if (!s)
                return NULL;
        free(s->id);
        free(s->name);
        free(s->rootfs);
        free(s->image);
        strv_free(s->command);
        strv_free(s->env);
        free(s->working_dir);
        free(s->user);
        strv_free(s->group_add);
        free(s->groups);
        free(s->hostname);
        free(s->slice);
        free(s->restart_policy);
        strv_free(s->cap_add);
        strv_free(s->devices);
        strv_free(s->cap_drop);
        mount_spec_array_free(s->mounts, s->n_mounts);
        free(s->seccomp_profile);
        strv_free(s->layers);
        free(s->image_id);
        strv_free(s->entrypoint);
        strv_free(s->labels);
        strv_free(s->volumes_from);
        spec_network_done(&s->net);
        spec_health_done(&s->health);
        free(s);
        return NULL;
}

static bool path_is_safe_absolute(const char *p) {
        if (isempty(p) || p[0] != '/' || strlen(p) >= 4096)
                return false;
        /* No "..", no control characters: the path is used inside the container root. */
        for (const char *c = p; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        return false;
        for (const char *c = p; (c = strstr(c, "..")); c += 2)
                if ((c == p || c[-1] == '/') && (c[2] == 0 || c[2] == '/'))
                        return false;
        return true;
}

int spec_validate(const ContainerSpec *s, const char **ret_reason) {
        const char *reason = NULL;

#define FAIL(msg)                       \
        do {                            \
                reason = (msg);         \
                goto fail;              \
        } while (0)

        if (!container_id_is_valid(s->id))
                FAIL("invalid container ID");
        if (!container_name_is_valid(s->name))
                FAIL("invalid container name");
        if (!s->layers && !path_is_safe_absolute(s->rootfs))
                FAIL("rootfs must be an absolute path without '..'");
        if (s->layers && s->rootfs)
                FAIL("a container has either a rootfs or image layers, not both");
        if (strv_length(s->layers) > SPEC_LAYERS_MAX)
                FAIL("too many image layers");
        STRV_FOREACH(l, s->layers)
                if (!path_is_safe_absolute(*l))
                        FAIL("image layers must be absolute paths without '..'");
        if (!s->boot && (strv_length(s->command) == 0 || isempty(s->command[0])))
                FAIL("no command given");
        if (strv_length(s->command) > 0 && isempty(s->command[0]))
                FAIL("empty command");
        if (s->boot && (s->uid != 0 || s->gid != 0))
                FAIL("a booted container's init runs as root: --user does not apply to --boot");
        if (strv_length(s->command) > 4096)
                FAIL("too many arguments");
        STRV_FOREACH(e, s->env)
                if (!env_assignment_is_valid(*e))
                        FAIL("invalid environment assignment");
        if (s->working_dir && !path_is_safe_absolute(s->working_dir))
                FAIL("working directory must be an absolute path without '..'");
        if (s->hostname && !hostname_is_valid_simple(s->hostname))
                FAIL("invalid hostname");
        if (s->slice && !slice_name_is_valid(s->slice))
                FAIL("invalid slice");
        if (s->stop_signal <= 0 || s->stop_signal >= _NSIG)
                FAIL("invalid stop signal");
        if (s->cpu_weight != UNSET_U64 && (s->cpu_weight < 1 || s->cpu_weight > 10000))
                FAIL("CPU weight must be between 1 and 10000");
        if (s->uid == (uid_t) -1 || s->gid == (gid_t) -1)
                FAIL("invalid user or group ID");
        if (s->n_groups > SPEC_GROUPS_MAX || strv_length(s->group_add) > SPEC_GROUPS_MAX)
                FAIL("too many groups");
        for (size_t i = 0; i < s->n_groups; i++)
                if (s->groups[i] == (gid_t) -1)
                        FAIL("invalid group ID");
        if (strv_length(s->devices) > DEVICES_MAX)
                FAIL("too many devices");
        STRV_FOREACH(d, s->devices)
                if (!device_spec_is_canonical(*d))
                        FAIL("invalid device");
        if (mount_specs_validate(s->mounts, s->n_mounts, &reason) < 0)
                goto fail;
        if (s->seccomp_profile && (s->seccomp_unconfined || s->privileged))
                FAIL("a seccomp profile cannot be combined with seccomp=unconfined or --privileged");
        if (s->seccomp_profile && (isempty(s->seccomp_profile) || strlen(s->seccomp_profile) > SPEC_SECCOMP_PROFILE_MAX))
                FAIL("the seccomp profile is empty or too large");
        if (spec_network_validate(&s->net, &reason) < 0)
                goto fail;
        if (spec_health_validate(&s->health, &reason) < 0)
                goto fail;
        if (s->userns_size != 0 && (s->userns_size != USERNS_RANGE_SIZE || !userns_base_is_valid(s->userns_base)))
                FAIL("invalid user namespace range");
        if (s->userns_size == 0 && s->userns_base != 0)
                FAIL("a user namespace base without a range");
        if (ret_reason)
                *ret_reason = NULL;
        return 0;
fail:
        if (ret_reason)
                *ret_reason = reason;
        return -EINVAL;
#undef FAIL
}

static int add_groups(json_object *o, const gid_t *groups, size_t n) {
        json_object *a = json_object_new_array_ext((int) n);

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (json_object_array_add(a, json_object_new_int64(groups[i])) < 0) {
                        json_object_put(a);
                        return -ENOMEM;
                }
        if (json_object_object_add(o, "groups", a) < 0) {
                json_object_put(a);
                return -ENOMEM;
        }
        return 0;
}

static int get_groups(json_object *o, gid_t **ret, size_t *ret_n) {
        _cleanup_free_ gid_t *groups = NULL;
        json_object *a;
        size_t n;

        if (!json_object_object_get_ex(o, "groups", &a) || json_object_is_type(a, json_type_null))
                return -ENOENT;
        if (!json_object_is_type(a, json_type_array))
                return -EBADMSG;
        n = json_object_array_length(a);
        if (n > SPEC_GROUPS_MAX)
                return -E2BIG;
        groups = calloc(MAX(n, (size_t) 1), sizeof(gid_t));
        if (!groups)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *v = json_object_array_get_idx(a, i);
                int64_t g;

                if (!json_object_is_type(v, json_type_int))
                        return -EBADMSG;
                g = json_object_get_int64(v);
                if (g < 0 || g >= (int64_t) UINT32_MAX)
                        return -ERANGE;
                groups[i] = (gid_t) g;
        }
        *ret = TAKE_PTR(groups);
        *ret_n = n;
        return 0;
}

int spec_to_json(const ContainerSpec *s, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        int r = 0;

        if (!o)
                return -ENOMEM;
        r = schema_version_add(o, SPEC_SCHEMA_VERSION);
        if (r < 0)
                return r;
        r = json_add_string(o, "id", s->id);
        if (r < 0)
                return r;
        r = json_add_string(o, "name", s->name);
        if (r < 0)
                return r;
        r = json_add_string(o, "rootfs", s->rootfs);
        if (r < 0)
                return r;
        r = json_add_string(o, "image", s->image);
        if (r < 0)
                return r;
        r = json_add_bool(o, "read_only", s->read_only);
        if (r < 0)
                return r;
        r = json_add_bool(o, "ephemeral", s->ephemeral);
        if (r < 0)
                return r;
        r = json_add_bool(o, "boot", s->boot);
        if (r < 0)
                return r;
        r = json_add_bool(o, "auto_remove", s->auto_remove);
        if (r < 0)
                return r;
        r = json_add_bool(o, "tty", s->tty);
        if (r < 0)
                return r;
        r = json_add_bool(o, "open_stdin", s->open_stdin);
        if (r < 0)
                return r;
        r = json_add_strv(o, "command", s->command);
        if (r < 0)
                return r;
        r = json_add_strv(o, "env", s->env);
        if (r < 0)
                return r;
        r = json_add_string(o, "working_dir", s->working_dir);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "uid", s->uid);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "gid", s->gid);
        if (r < 0)
                return r;
        r = json_add_string(o, "user", s->user);
        if (r < 0)
                return r;
        if (s->group_add) {
                r = json_add_strv(o, "group_add", s->group_add);
                if (r < 0)
                        return r;
        }
        if (s->n_groups > 0) {
                r = add_groups(o, s->groups, s->n_groups);
                if (r < 0)
                        return r;
        }
        r = json_add_string(o, "hostname", s->hostname);
        if (r < 0)
                return r;
        if (s->slice) {
                r = json_add_string(o, "slice", s->slice);
                if (r < 0)
                        return r;
        }
        r = json_add_strv(o, "cap_add", s->cap_add);
        if (r < 0)
                return r;
        r = json_add_strv(o, "cap_drop", s->cap_drop);
        if (r < 0)
                return r;
        if (s->devices) {
                r = json_add_strv(o, "devices", s->devices);
                if (r < 0)
                        return r;
        }
        r = json_add_int(o, "stop_signal", s->stop_signal);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "stop_timeout_usec", s->stop_timeout_usec);
        if (r < 0)
                return r;
        r = json_add_string(o, "restart_policy", s->restart_policy);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "memory_max", s->memory_max);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "cpu_quota_per_sec_usec", s->cpu_quota_per_sec_usec);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "cpu_weight", s->cpu_weight);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "tasks_max", s->tasks_max);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "created_usec", s->created_usec);
        if (r < 0)
                return r;
        r = json_add_bool(o, "privileged", s->privileged);
        if (r < 0)
                return r;
        r = json_add_bool(o, "seccomp_unconfined", s->seccomp_unconfined);
        if (r < 0)
                return r;
        r = json_add_string(o, "seccomp_profile", s->seccomp_profile);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "userns_base", s->userns_base);
        if (r < 0)
                return r;
        r = json_add_uint64(o, "userns_size", s->userns_size);
        if (r < 0)
                return r;
        if (s->n_mounts > 0) {
                json_object *m = NULL;

                r = mount_specs_to_json(s->mounts, s->n_mounts, &m);
                if (r < 0)
                        return r;
                if (json_object_object_add(o, "mounts", m) < 0) {
                        json_object_put(m);
                        return -ENOMEM;
                }
        }
        if (s->layers) {
                r = json_add_strv(o, "layers", s->layers);
                if (r < 0)
                        return r;
        }
        r = json_add_string(o, "image_id", s->image_id);
        if (r < 0)
                return r;
        if (s->entrypoint) {
                r = json_add_strv(o, "entrypoint", s->entrypoint);
                if (r < 0)
                        return r;
        }
        if (s->labels) {
                r = json_add_strv(o, "labels", s->labels);
                if (r < 0)
                        return r;
        }
        if (s->volumes_from) {
                r = json_add_strv(o, "volumes_from", s->volumes_from);
                if (r < 0)
                        return r;
        }
        r = spec_network_to_json(&s->net, o);
        if (r < 0)
                return r;
        r = spec_health_to_json(&s->health, o);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

/* Optional keys keep the default when missing; a key of the wrong type is an error. */
static int opt(int r) {
        return r == -ENOENT ? 0 : r;
}

static int get_dup(json_object *o, const char *key, char **ret) {
        const char *v;
        int r = json_get_string(o, key, &v);
        char *d;

        if (r < 0)
                return r;
        d = strdup(v);
        if (!d)
                return -ENOMEM;
        free(*ret);
        *ret = d;
        return 0;
}

static int get_mounts(json_object *o, ContainerSpec *s) {
        json_object *v;

        if (!json_object_object_get_ex(o, "mounts", &v) || json_object_is_type(v, json_type_null))
                return -ENOENT;
        return mount_specs_from_json(v, &s->mounts, &s->n_mounts);
}

int spec_from_json(json_object *o, ContainerSpec **ret) {
        _cleanup_(spec_freep) ContainerSpec *s = spec_new();
        uint64_t uid = 0, gid = 0, userns_base = 0, userns_size = 0;
        int r = 0;

        if (!s)
                return -ENOMEM;
        /* A required key that is missing (-ENOENT) is a malformed spec. */
        r = schema_version_check(o, SPEC_SCHEMA_VERSION);
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = get_dup(o, "id", &s->id);
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = get_dup(o, "name", &s->name);
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_strv(o, "layers", &s->layers));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = s->layers ? opt(get_dup(o, "rootfs", &s->rootfs)) : get_dup(o, "rootfs", &s->rootfs);
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(get_dup(o, "image_id", &s->image_id));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_strv(o, "entrypoint", &s->entrypoint));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_strv(o, "labels", &s->labels));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_strv(o, "volumes_from", &s->volumes_from));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(get_dup(o, "image", &s->image));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_bool(o, "read_only", &s->read_only));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_bool(o, "ephemeral", &s->ephemeral));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_bool(o, "boot", &s->boot));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_bool(o, "auto_remove", &s->auto_remove));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_bool(o, "tty", &s->tty));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_bool(o, "open_stdin", &s->open_stdin));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = json_get_strv(o, "command", &s->command);
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_strv(o, "env", &s->env));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(get_dup(o, "working_dir", &s->working_dir));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_uint64(o, "uid", &uid));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_uint64(o, "gid", &gid));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(get_dup(o, "user", &s->user));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_strv(o, "group_add", &s->group_add));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(get_groups(o, &s->groups, &s->n_groups));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(get_dup(o, "hostname", &s->hostname));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(get_dup(o, "slice", &s->slice));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_strv(o, "cap_add", &s->cap_add));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_strv(o, "cap_drop", &s->cap_drop));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_strv(o, "devices", &s->devices));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_int(o, "stop_signal", &s->stop_signal));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_uint64(o, "stop_timeout_usec", &s->stop_timeout_usec));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(get_dup(o, "restart_policy", &s->restart_policy));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_uint64(o, "memory_max", &s->memory_max));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_uint64(o, "cpu_quota_per_sec_usec", &s->cpu_quota_per_sec_usec));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_uint64(o, "cpu_weight", &s->cpu_weight));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_uint64(o, "tasks_max", &s->tasks_max));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_uint64(o, "created_usec", &s->created_usec));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(get_mounts(o, s));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_bool(o, "privileged", &s->privileged));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_bool(o, "seccomp_unconfined", &s->seccomp_unconfined));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(get_dup(o, "seccomp_profile", &s->seccomp_profile));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = spec_network_from_json(o, &s->net);
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = spec_health_from_json(o, &s->health);
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_uint64(o, "userns_base", &userns_base));
        if (r < 0)
                return r == -ENOENT ? -EBADMSG : r;
        r = opt(json_get_uint64(o, "userns_size", &userns_size));
        if (r == -ENOENT)
                return -EBADMSG; /* a required key is missing */
        if (r < 0)
                return r;
        if (uid >= UINT32_MAX || gid >= UINT32_MAX)
                return -ERANGE;
        s->uid = (uid_t) uid;
        s->gid = (gid_t) gid;
        if (userns_base > UINT32_MAX || userns_size > UINT32_MAX)
                return -ERANGE;
        s->userns_base = (uint32_t) userns_base;
        s->userns_size = (uint32_t) userns_size;
        r = spec_validate(s, NULL);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int spec_save(const ContainerSpec *s, int dir_fd) {
        _cleanup_json_ json_object *o = NULL;
        int r;

        r = spec_to_json(s, &o);
        if (r < 0)
                return r;
        return json_write_atomic(dir_fd, SPEC_FILE, o);
}

int spec_load(int dir_fd, ContainerSpec **ret) {
        _cleanup_json_ json_object *o = NULL;
        int r;

        r = json_read_file(dir_fd, SPEC_FILE, &o);
        if (r < 0)
                return r;
        return spec_from_json(o, ret);
}

int parse_user(const char *s, uid_t *ret_uid, gid_t *ret_gid) {
        _cleanup_free_ char *u = NULL;
        uint32_t uid, gid;
        char *colon;
        int r;

        if (isempty(s))
                return -EINVAL;
        u = strdup(s);
        if (!u)
                return -ENOMEM;
        colon = strchr(u, ':');
        if (colon)
                *colon++ = 0;
        r = safe_atou32(u, &uid);
        if (r < 0)
                return r;
        if (colon) {
                r = safe_atou32(colon, &gid);
                if (r < 0)
                        return r;
        } else
                gid = uid;
        if (uid == UINT32_MAX || gid == UINT32_MAX)
                return -ERANGE;
        *ret_uid = uid;
        *ret_gid = gid;
        return 0;
}
