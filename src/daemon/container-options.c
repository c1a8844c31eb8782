/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include "capability-name.h"
#include "config.h"
#include "container-net-options.h"
#include "container-options.h"
#include "restart-policy.h"
#include "container-volumes.h"
#include "device-spec.h"
#include "mount-spec.h"
#include "image-user.h"
#include "name.h"
#include "parse-util.h"
#include "seccomp-profile.h"
#include "strv.h"
#include "userns-range.h"

typedef int (*option_parser_t)(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error);

typedef struct Option {
        const char *key;
        const char *signature;
        option_parser_t parse;
} Option;

int container_option_invalid(sd_bus_error *error, const char *key, const char *format, ...) {
        char buf[512];
        va_list ap;

        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid option '%s': %s", key, buf);
}

static bool string_is_printable(const char *s) {
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static bool path_is_safe_absolute(const char *p) {
        if (isempty(p) || p[0] != '/' || strlen(p) >= PATH_MAX || !string_is_printable(p))
                return false;
        for (const char *c = p; (c = strstr(c, "..")); c += 2)
                if ((c == p || c[-1] == '/') && (c[2] == 0 || c[2] == '/'))
                        return false;
        return true;
}

static int read_string(sd_bus_message *m, const char **ret) {
        return sd_bus_message_read(m, "s", ret);
}

static int set_string(char **field, const char *value) {
        char *d = strdup(value);

        if (!d)
                return -ENOMEM;
        free(*field);
        *field = d;
        return 0;
}

static int parse_path(sd_bus_message *m, const char *key, char **field, sd_bus_error *error) {
        const char *v;
        int r;

        r = read_string(m, &v);
        if (r < 0)
                return r;
        if (!path_is_safe_absolute(v))
                return container_option_invalid(error, key, "'%.256s' is not an absolute path without '..' components", v);
        return set_string(field, v);
}

static int parse_rootfs(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_path(m, key, &s->rootfs, error);
}

static int parse_working_directory(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_path(m, key, &s->working_dir, error);
}

/* Each string under the kernel's MAX_ARG_STRLEN, and all of them under OPTION_STRV_TOTAL_MAX: what
 * execve() could not take, or the spec file could not hold, is refused now rather than at start. */
static int strv_check_size(char *const *l, const char *key, sd_bus_error *error) {
        size_t total = 0;

        STRV_FOREACH(a, l) {
                size_t n = strlen(*a);

                if (n >= OPTION_ARG_MAX)
                        return container_option_invalid(error, key, "an entry is longer than %u bytes", OPTION_ARG_MAX);
                total += n + 1;
                if (total > OPTION_STRV_TOTAL_MAX)
                        return container_option_invalid(error, key, "more than %u KiB in all", OPTION_STRV_TOTAL_MAX / 1024U);
        }
        return 0;
}

static int parse_command(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n;
        int r;

        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        n = strv_length(l);
        if (n == 0 || isempty(l[0]))
                return container_option_invalid(error, key, "the command must not be empty");
        if (n > 4096)
                return container_option_invalid(error, key, "%zu arguments, at most 4096 are allowed", n);
        r = strv_check_size(l, key, error);
        if (r < 0)
                return r;
        strv_free(s->command);
        s->command = TAKE_PTR(l);
        return 0;
}

static int parse_env(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL, **env = NULL;
        int r;

        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        if (strv_length(l) > OPTION_ENV_MAX)
                return container_option_invalid(error, key, "more than %u variables", OPTION_ENV_MAX);
        r = strv_check_size(l, key, error);
        if (r < 0)
                return r;
        STRV_FOREACH(e, l) {
                if (!env_assignment_is_valid(*e))
                        return container_option_invalid(error, key, "'%.128s' is not a KEY=VALUE assignment", *e);
                /* A later KEY replaces an earlier one, as with docker run -e. */
                r = strv_env_set(&env, *e);
                if (r < 0)
                        return r;
        }
        strv_free(s->env);
        s->env = TAKE_PTR(env);
        return 0;
}

static int parse_user_option(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        const char *v;
        uid_t uid;
        gid_t gid;
        int r;

        r = read_string(m, &v);
        if (r < 0)
                return r;
        if (parse_user(v, &uid, &gid) >= 0) {
                s->uid = uid;
                s->gid = gid;
        } else if (strspn(v, "0123456789:") != strlen(v) && user_spec_is_valid(v))
                /* A name: resolved in the container's /etc/passwd (container_image_resolve_user()). */
                s->uid = s->gid = USER_UNRESOLVED;
        else
                return container_option_invalid(error, key, "'%.64s' is neither a uid[:gid] nor a user[:group] name", v);
        return set_string(&s->user, v);
}

static int parse_group_add(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        if (strv_length(l) > SPEC_GROUPS_MAX)
                return container_option_invalid(error, key, "more than %u groups", SPEC_GROUPS_MAX);
        STRV_FOREACH(g, l) {
                uint32_t gid;

                if (safe_atou32(*g, &gid) >= 0 ? gid == UINT32_MAX : !group_spec_is_valid(*g))
                        return container_option_invalid(error, key, "'%.64s' is neither a group name nor a group ID", *g);
        }
        strv_free(s->group_add);
        s->group_add = TAKE_PTR(l);
        return 0;
}

/* Devices as ("HOST[:CONTAINER][:PERMS]", docker's --device): HOST must be a character or block device
 * node itself (lstat: a symbolic link is refused, so what was checked is what the runtime binds and
 * what DeviceAllow= names). Kept canonical; the option is privileged (container-privilege.c). */
static int parse_devices(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL, **canonical = NULL;
        int r;

        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        if (strv_length(l) > DEVICES_MAX)
                return container_option_invalid(error, key, "more than %u devices", DEVICES_MAX);
        STRV_FOREACH(d, l) {
                _cleanup_free_ char *host = NULL, *c = NULL;
                struct stat st;

                r = device_spec_parse(*d, &host, NULL, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return container_option_invalid(error, key, "'%.128s' is not HOST[:CONTAINER][:PERMS] with "
                                                        "absolute paths, CONTAINER in /dev and PERMS of r, w, m", *d);
                if (lstat(host, &st) < 0)
                        return container_option_invalid(error, key, "device '%.128s': %s", host, strerror(errno));
                if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                        return container_option_invalid(error, key, "'%.128s' is not a device node (a character or "
                                                        "block device itself, not a link to one)", host);
                r = device_spec_canonical(*d, &c);
                if (r < 0)
                        return r;
                r = strv_consume(&canonical, TAKE_PTR(c));
                if (r < 0)
                        return r;
        }
        strv_free(s->devices);
        s->devices = TAKE_PTR(canonical);
        return 0;
}

static int parse_hostname(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        const char *v;
        int r;

        r = read_string(m, &v);
        if (r < 0)
                return r;
        if (!hostname_is_valid_simple(v))
                return container_option_invalid(error, key, "'%.64s' is not a valid hostname (1-63 of a-z, A-Z, 0-9, '.', '-')", v);
        return set_string(&s->hostname, v);
}

static int parse_slice(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        const char *v;
        int r;

        r = read_string(m, &v);
        if (r < 0)
                return r;
        if (!slice_name_is_valid(v))
                return container_option_invalid(error, key,
                               "'%.64s' is not a slice name (letters, digits, ':', '_', '.', '-', ending in "
                               "'.slice'; not the root slice)", v);
        return set_string(&s->slice, v);
}

static int parse_entrypoint(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        if (strv_length(l) > 4096)
                return container_option_invalid(error, key, "too many arguments");
        r = strv_check_size(l, key, error);
        if (r < 0)
                return r;
        /* Given but empty (docker run --entrypoint ""): no entrypoint, not the image's. */
        if (!l && !(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        strv_free(s->entrypoint);
        s->entrypoint = TAKE_PTR(l);
        return 0;
}

static int parse_image(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        const char *v;
        int r;

        r = read_string(m, &v);
        if (r < 0)
                return r;
        if (isempty(v) || strlen(v) > OPTION_STRING_MAX || !string_is_printable(v))
                return container_option_invalid(error, key, "must be 1-%u printable characters", OPTION_STRING_MAX);
        return set_string(&s->image, v);
}

static int read_bool(sd_bus_message *m, bool *ret) {
        int b, r;

        r = sd_bus_message_read(m, "b", &b);
        if (r < 0)
                return r;
        *ret = b;
        return 0;
}

static int parse_read_only(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return read_bool(m, &s->read_only);
}

static int parse_ephemeral(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return read_bool(m, &s->ephemeral);
}

static int parse_boot(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return read_bool(m, &s->boot);
}

static int parse_restart_policy(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        char buf[RESTART_POLICY_STRING_MAX];
        RestartPolicy p;
        const char *v;
        int r;

        r = read_string(m, &v);
        if (r < 0)
                return r;
        if (restart_policy_parse(v, &p) < 0)
                return container_option_invalid(error, key, "'%.64s' is not a restart policy (no, on-failure[:MAX], "
                                                "always or unless-stopped)", v);
        restart_policy_format(&p, buf);
        return set_string(&s->restart_policy, buf);
}

static int parse_auto_remove(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return read_bool(m, &s->auto_remove);
}

static int parse_tty(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return read_bool(m, &s->tty);
}

static int parse_open_stdin(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return read_bool(m, &s->open_stdin);
}

/* KEY=VALUE each, over the image's labels of the same key (docker run --label). */
static int parse_labels(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        if (strv_length(l) > LABELS_MAX)
                return container_option_invalid(error, key, "more than %u labels", LABELS_MAX);
        STRV_FOREACH(e, l)
                if (!label_is_valid(*e))
                        return container_option_invalid(error, key,
                                                        "'%.64s' is not KEY=VALUE (a non-empty key, printable UTF-8, "
                                                        "at most %u bytes)", *e, LABEL_MAX);
        strv_free(s->labels);
        s->labels = TAKE_PTR(l);
        return 0;
}

static int parse_detach(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return read_bool(m, &s->exec_detach);
}

/* UINT64_MAX leaves a limit unset, like systemd's "infinity". */
static int parse_limit(sd_bus_message *m, const char *key, uint64_t min, uint64_t max, uint64_t *field,
                       sd_bus_error *error) {
        uint64_t v;
        int r;

        r = sd_bus_message_read(m, "t", &v);
        if (r < 0)
                return r;
        if (v != UINT64_MAX && (v < min || v > max))
                return container_option_invalid(error, key, "%llu is out of range (%llu…%llu, or 2^64-1 for no limit)",
                               (unsigned long long) v, (unsigned long long) min, (unsigned long long) max);
        *field = v;
        return 0;
}

static int parse_memory_max(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_limit(m, key, OPTION_MEMORY_MAX_MIN, UINT64_MAX - 1, &s->memory_max, error);
}

static int parse_cpu_quota(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_limit(m, key, OPTION_CPU_QUOTA_MIN_USEC, UINT64_MAX - 1, &s->cpu_quota_per_sec_usec, error);
}

static int parse_cpu_weight(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_limit(m, key, OPTION_CPU_WEIGHT_MIN, OPTION_CPU_WEIGHT_MAX, &s->cpu_weight, error);
}

static int parse_tasks_max(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_limit(m, key, 1, UINT64_MAX - 1, &s->tasks_max, error);
}

static int parse_stop_timeout(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        /* 0 = SIGKILL at once; UINT64_MAX = never SIGKILL. */
        return sd_bus_message_read(m, "t", &s->stop_timeout_usec);
}

static int parse_stop_signal(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        int32_t v;
        int r;

        r = sd_bus_message_read(m, "i", &v);
        if (r < 0)
                return r;
        if (v <= 0 || v >= _NSIG)
                return container_option_invalid(error, key, "%i is not a signal number (1…%i)", (int) v, _NSIG - 1);
        s->stop_signal = v;
        return 0;
}

static int parse_caps(sd_bus_message *m, const char *key, char ***field, sd_bus_error *error) {
        _cleanup_strv_free_ char **l = NULL, **caps = NULL;
        int r;

        r = sd_bus_message_read_strv(m, &l);
        if (r < 0)
                return r;
        if (strv_length(l) > 256)
                return container_option_invalid(error, key, "too many capabilities");
        STRV_FOREACH(c, l) {
                char *n;

                r = capability_name_normalize(*c, &n);
                if (r == -EINVAL)
                        return container_option_invalid(error, key, "'%.64s' is not a capability name", *c);
                if (r < 0)
                        return r;
                if (strv_contains(caps, n)) {
                        free(n);
                        continue;
                }
                r = strv_consume(&caps, n);
                if (r < 0)
                        return r;
        }
        strv_free(*field);
        *field = TAKE_PTR(caps);
        return 0;
}

static int parse_cap_add(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_caps(m, key, &s->cap_add, error);
}

static int parse_cap_drop(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return parse_caps(m, key, &s->cap_drop, error);
}

/* Host paths no container may see through a bind mount: the kernel's own file systems (their
 * container views are set up and masked by the runtime), drayd's state (other containers' roots,
 * specs and upper layers) and everything that contains them. --privileged lifts this. Returns why source (resolved, no symlinks) is refused, or NULL. */
static const char *bind_source_refusal(const char *source) {
        static const struct {
                const char *path;
                bool refuse_parents;
                const char *why;
        } forbidden[] = {
                { "/proc",          false, "a kernel file system" },
                { "/sys",           false, "a kernel file system" },
                { "/dev",           false, "the host's devices" },
                { DRAY_STATE_DIR,   true,  "drayd's own state" },
                { DRAY_RUNTIME_DIR, true,  "drayd's own state" },
        };

        if (streq(source, "/"))
                return "the host's root directory";
        for (size_t i = 0; i < ELEMENTSOF(forbidden); i++) {
                _cleanup_free_ char *resolved = realpath(forbidden[i].path, NULL);
                const char *variants[] = { forbidden[i].path, resolved };

                for (size_t j = 0; j < ELEMENTSOF(variants); j++) {
                        if (!variants[j])
                                continue;
                        if (path_is_below_or_equal(source, variants[j]))
                                return forbidden[i].why;
                        if (forbidden[i].refuse_parents && path_is_below_or_equal(variants[j], source))
                                return "a directory that contains drayd's own state";
                }
        }
        return NULL;
}

static int check_mount_count(const ContainerSpec *s, const char *key, size_t more, sd_bus_error *error) {
        if (s->n_mounts + more > MOUNTS_MAX)
                return container_option_invalid(error, key, "more than %u mounts in all", MOUNTS_MAX);
        return 0;
}

static int parse_destination(const char *key, const char *v, char **ret, sd_bus_error *error) {
        int r;

        r = mount_path_normalize(v, ret);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || !mount_destination_is_valid(*ret)) {
                if (r >= 0) {
                        free(*ret);
                        *ret = NULL;
                }
                return container_option_invalid(error, key,
                               "destination '%.256s' must be an absolute path without '..', other than '/' "
                               "and outside /proc and /sys", v);
        }
        return 0;
}

/* a(ssb): host source, container destination, read-only. Only the syntax here: the sources are
 * resolved by container_options_finish(), after the caller is authorised, so that an unauthorised
 * caller learns nothing about the host's paths. */
static int parse_bind_mounts(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        const char *src, *dst;
        int ro, r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "(ssb)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(ssb)", &src, &dst, &ro)) > 0) {
                _cleanup_free_ char *normalized = NULL, *d = NULL;

                r = check_mount_count(s, key, 1, error);
                if (r < 0)
                        return r;
                r = mount_path_normalize(src, &normalized);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return container_option_invalid(error, key, "source '%.256s' must be an absolute host path without '..'",
                                       src);
                r = parse_destination(key, dst, &d, error);
                if (r < 0)
                        return r;
                r = mount_spec_append(&s->mounts, &s->n_mounts, MOUNT_BIND, normalized, d, ro, NULL);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

/* drayd resolves each bind source now and stores the result, so the spec names no symlink (the
 * runtime refuses one that appears later), and refuses the host paths no container may see unless
 * it is privileged. */
static int resolve_bind_sources(ContainerSpec *s, sd_bus_error *error) {
        for (size_t i = 0; i < s->n_mounts; i++) {
                MountSpec *ms = s->mounts + i;
                _cleanup_free_ char *resolved = NULL;
                const char *why;

                if (ms->type != MOUNT_BIND)
                        continue;
                resolved = realpath(ms->source, NULL);
                if (!resolved)
                        return container_option_invalid(error, "BindMounts", "source '%.256s' cannot be used: %s", ms->source,
                                       strerror(errno));
                /* --privileged may bind anything: it has the host's devices and no masks anyway. */
                why = s->privileged ? NULL : bind_source_refusal(resolved);
                if (why && streq(ms->source, resolved))
                        return container_option_invalid(error, "BindMounts", "refusing to bind '%.256s' into a container: it is %s",
                                       ms->source, why);
                if (why)
                        return container_option_invalid(error, "BindMounts",
                                       "refusing to bind '%.256s' (that is '%.256s') into a container: it is %s",
                                       ms->source, resolved, why);
                free(ms->source);
                ms->source = TAKE_PTR(resolved);
        }
        return 0;
}

/* a(ss): container destination, options ("size=64m,mode=1777"; "" for none). */
static int parse_tmpfs_mounts(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        const char *dst, *opts;
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "(ss)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(ss)", &dst, &opts)) > 0) {
                _cleanup_free_ char *d = NULL;
                const char *why = NULL;

                r = check_mount_count(s, key, 1, error);
                if (r < 0)
                        return r;
                r = parse_destination(key, dst, &d, error);
                if (r < 0)
                        return r;
                r = tmpfs_options_validate(opts, &why);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return container_option_invalid(error, key, "tmpfs options '%.256s' for '%s': %s", opts, d, why);
                r = mount_spec_append(&s->mounts, &s->n_mounts, MOUNT_TMPFS, NULL, d, false,
                                      isempty(opts) ? NULL : opts);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int parse_privileged(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return read_bool(m, &s->privileged);
}

static int parse_seccomp_unconfined(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        return read_bool(m, &s->seccomp_unconfined);
}

/* The profile's JSON text, which the client read from its own file (drayd opens no client paths).
 * Parsed and checked here, so that a bad profile fails the create, not every start; the spec keeps
 * the text, which the payload parses again before loading it. */
static int parse_seccomp_profile(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        _cleanup_free_ char *reason = NULL;
        const char *text;
        size_t n;
        int r;

        r = sd_bus_message_read(m, "s", &text);
        if (r < 0)
                return r;
        n = strlen(text);
        if (n == 0 || n > SPEC_SECCOMP_PROFILE_MAX)
                return container_option_invalid(error, key, "the profile must be 1 to %u bytes of JSON", SPEC_SECCOMP_PROFILE_MAX);
        r = seccomp_profile_from_string(text, n, &p, &reason);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return container_option_invalid(error, key, "%.400s", reason ?: strerror(-r));
        return set_string(&s->seccomp_profile, text);
}

/* "host" (the default) or "auto": a range of its own, which CreateContainer allocates
 * (userns_size set, userns_base still 0) before container_options_finish() validates it. */
static int parse_user_namespace(sd_bus_message *m, const char *key, ContainerSpec *s, sd_bus_error *error) {
        const char *v;
        int r;

        r = sd_bus_message_read(m, "s", &v);
        if (r < 0)
                return r;
        if (streq(v, "host"))
                s->userns_size = 0;
        else if (streq(v, "auto"))
                s->userns_size = USERNS_RANGE_SIZE;
        else
                return container_option_invalid(error, key, "'%.64s' is neither 'host' nor 'auto'", v);
        return 0;
}

static const Option option_table[] = {
        { "Rootfs",             "s",  parse_rootfs            },
        { "Command",            "as", parse_command           },
        { "Env",                "as", parse_env               },
        { "WorkingDirectory",   "s",  parse_working_directory },
        { "User",               "s",  parse_user_option       },
        { "GroupAdd",           "as", parse_group_add         },
        { "Hostname",           "s",  parse_hostname          },
        { "Slice",              "s",  parse_slice             },
        { "ReadOnly",           "b",  parse_read_only         },
        { "Ephemeral",          "b",  parse_ephemeral         },
        { "Boot",               "b",  parse_boot              },
        { "AutoRemove",         "b",  parse_auto_remove       },
        { "RestartPolicy",      "s",  parse_restart_policy    },
        { "Tty",                "b",  parse_tty               },
        { "OpenStdin",          "b",  parse_open_stdin        },
        { "MemoryMax",          "t",  parse_memory_max        },
        { "CPUQuotaPerSecUSec", "t",  parse_cpu_quota         },
        { "CPUWeight",          "t",  parse_cpu_weight        },
        { "TasksMax",           "t",  parse_tasks_max         },
        { "StopTimeoutUSec",    "t",  parse_stop_timeout      },
        { "StopSignal",         "i",  parse_stop_signal       },
        { "CapAdd",             "as", parse_cap_add           },
        { "Devices",            "as", parse_devices           },
        { "CapDrop",            "as", parse_cap_drop          },
        { "Image",              "s",  parse_image             },
        { "BindMounts",         "a(ssb)", parse_bind_mounts   },
        { "TmpfsMounts",        "a(ss)", parse_tmpfs_mounts   },
        { "Privileged",         "b",  parse_privileged        },
        { "SeccompUnconfined",  "b",  parse_seccomp_unconfined },
        { "SeccompProfile",     "s",  parse_seccomp_profile   },
        { "Entrypoint",         "as", parse_entrypoint        },
        /* container-net-options.c */
        { "Network",            "s",  container_option_network         },
        { "IPAddress",          "s",  container_option_ip_address      },
        { "NetworkAliases",     "as", container_option_network_aliases },
        { "PublishPorts",       "as", container_option_publish_ports   },
        { "PublishAll",         "b",  container_option_publish_all     },
        { "ExposedPorts",       "as", container_option_exposed_ports   },
        { "DNS",                "as", container_option_dns             },
        { "DNSSearch",          "as", container_option_dns_search      },
        { "DNSOptions",         "as", container_option_dns_options     },
        { "ExtraHosts",         "as", container_option_extra_hosts     },
        { "UserNamespace",      "s",  parse_user_namespace    },
        { "Detach",             "b",  parse_detach            }, /* ExecContainer only */
        { "Labels",             "as", parse_labels            },
        /* container-health-options.c */
        { "HealthCmd",             "as", container_option_health_cmd          },
        { "HealthIntervalUSec",    "t",  container_option_health_interval     },
        { "HealthTimeoutUSec",     "t",  container_option_health_timeout      },
        { "HealthStartPeriodUSec", "t",  container_option_health_start_period },
        { "HealthStartIntervalUSec", "t", container_option_health_start_interval },
        { "HealthRetries",         "u",  container_option_health_retries      },
        { "HealthOnFailure",       "s",  container_option_health_on_failure   },
        /* container-volumes.c */
        { "Volumes",            "a(ssb)", container_option_volumes      },
        { "VolumesFrom",        "as", container_option_volumes_from     },
};

static const Option *option_find(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(option_table); i++)
                if (streq(option_table[i].key, key))
                        return option_table + i;
        return NULL;
}

static int parse_one(sd_bus_message *m, uint64_t *seen, char *const *allowed, sd_bus_error *error,
                     ContainerSpec *s) {
        const char *key, *contents;
        const Option *o;
        char type;
        int r;

        r = sd_bus_message_read(m, "s", &key);
        if (r < 0)
                return r;
        o = option_find(key);
        if (!o || (allowed && !strv_contains(allowed, key)))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%.64s'.", key);
        if (*seen & (UINT64_C(1) << (o - option_table)))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' given twice.", key);
        *seen |= UINT64_C(1) << (o - option_table);

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (type != SD_BUS_TYPE_VARIANT || !streq(contents, o->signature))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Option '%s' must be of type '%s', not '%.16s'.", key, o->signature,
                                         strna(contents));
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents);
        if (r < 0)
                return r;
        r = o->parse(m, key, s, error);
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int parse_all(sd_bus_message *m, char *const *allowed, ContainerSpec *s, sd_bus_error *error) {
        uint64_t seen = 0;
        int r;

        _Static_assert(ELEMENTSOF(option_table) <= 64, "seen is a 64-bit mask");

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                r = parse_one(m, &seen, allowed, error, s);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

int container_options_parse(sd_bus_message *m, ContainerSpec *s, sd_bus_error *error) {
        int r;

        r = parse_all(m, NULL, s, error);
        if (r < 0)
                return r;
        if (s->exec_detach)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option 'Detach'.");

        /* Without Rootfs, Image names the image to run (resolved by the caller); with Rootfs it is only the
         * name shown (IMAGE_NAME). */
        if (!s->rootfs && !s->image)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Option 'Rootfs' or 'Image' is required.");
        if (s->rootfs && !s->command && !s->boot)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Option 'Command' is required.");
        if (s->rootfs && s->entrypoint)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Option 'Entrypoint' needs 'Image': with 'Rootfs' give the whole 'Command'.");
        return 0;
}

int container_options_parse_exec(sd_bus_message *m, ContainerSpec *s, sd_bus_error *error) {
        static char *const exec_keys[] = {
                (char *) "Command", (char *) "Env", (char *) "User", (char *) "WorkingDirectory",
                (char *) "Tty", (char *) "OpenStdin", (char *) "Detach", NULL,
        };
        int r;

        r = parse_all(m, exec_keys, s, error);
        if (r < 0)
                return r;
        if (!s->command)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Option 'Command' is required.");
        return 0;
}

int container_options_parse_update(sd_bus_message *m, ContainerSpec *s, sd_bus_error *error) {
        static char *const update_keys[] = {
                (char *) "MemoryMax", (char *) "CPUQuotaPerSecUSec", (char *) "CPUWeight", (char *) "TasksMax",
                (char *) "RestartPolicy", (char *) "HealthCmd", (char *) "HealthIntervalUSec",
                (char *) "HealthTimeoutUSec", (char *) "HealthStartPeriodUSec", (char *) "HealthStartIntervalUSec",
                (char *) "HealthRetries", (char *) "HealthOnFailure", NULL,
        };

        return parse_all(m, update_keys, s, error);
}

static int env_set_default(char ***env, const char *key, const char *value) {
        _cleanup_free_ char *a = NULL;

        if (strv_env_get(*env, key))
                return 0;
        if (asprintf(&a, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return strv_env_set(env, a);
}

/* The spec file is read back with JSON_FILE_MAX as its bound (by dray-monitor at every start, by drayd
 * after a restart): a container whose spec could not be read again is never made. */
static int check_spec_size(const ContainerSpec *s, sd_bus_error *error) {
        _cleanup_json_ json_object *o = NULL;
        size_t size;
        int r;

        r = spec_to_json(s, &o);
        if (r < 0)
                return r;
        size = json_file_size(o);
        if (size == SIZE_MAX)
                return -ENOMEM;
        if (size > JSON_FILE_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid container: its configuration takes %zu KiB, more than the %u KiB "
                                         "allowed (options, environment and labels together).",
                                         size / 1024, JSON_FILE_MAX / 1024U);
        return 0;
}

int container_options_finish(ContainerSpec *s, sd_bus_error *error) {
        const char *reason;
        int r;

        if (!s->hostname) {
                /* A name that is no host name ("my_app") gives the short ID, as Docker's default. */
                r = set_string(&s->hostname, container_host_name(s->name, s->id,
                                                                 (char[CONTAINER_ID_SHORT_LEN + 1]) {}));
                if (r < 0)
                        return r;
        }
        if (!s->image && s->rootfs) {
                r = set_string(&s->image, s->rootfs);
                if (r < 0)
                        return r;
        }
        if (!s->working_dir) {
                r = set_string(&s->working_dir, "/");
                if (r < 0)
                        return r;
        }
        r = env_set_default(&s->env, "PATH", DEFAULT_PATH);
        if (r >= 0)
                r = env_set_default(&s->env, "HOSTNAME", s->hostname);
        /* --boot: the console is always a terminal of the container's own (runtime-boot.c). */
        if (s->boot)
                s->tty = true;
        /* As Docker sets it for -t: programs then know the terminal understands the usual escapes. */
        if (r >= 0 && s->tty && !s->boot)
                r = env_set_default(&s->env, "TERM", "xterm");
        if (r < 0)
                return r;
        r = resolve_bind_sources(s, error);
        if (r < 0)
                return r;

        if (s->net.mode < 0)
                s->net.mode = NETWORK_MODE_NONE; /* container_net_options_finish() did not run */
        /* Docker refuses --rm with a restart policy too: which would win when it ends? */
        if (s->auto_remove && s->restart_policy && !streq(s->restart_policy, "no"))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid container: AutoRemove (--rm) and RestartPolicy '%s' conflict.",
                                         s->restart_policy);

        /* Restarting a container that is removed when it ends: there would be nothing left to start. */
        if (s->auto_remove && s->health.on_failure == HEALTH_ON_FAILURE_RESTART)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Invalid container: AutoRemove (--rm) and HealthOnFailure 'restart' conflict; "
                                        "use 'kill' and let a restart policy or the unit's Restart= act.");

        r = spec_validate(s, &reason);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Invalid container: %s.", reason);
        return check_spec_size(s, error);
}
