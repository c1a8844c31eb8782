/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json → ContainerSpec. Every value is checked where it is read (type, range, path rules) and
 * every failure names the key ("process.user.uid: not a number"). Unknown keys are ignored as the
 * runtime spec demands; known keys dray cannot carry out are refused, or warned about where runc and
 * crun accept them without effect (AppArmor, SELinux labels on a host without them). */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "capability-name.h"
#include "device-spec.h"
#include "log.h"
#include "name.h"
#include "oci-config.h"
#include "oci-idmap.h"
#include "oci-util.h"
#include "strv.h"
#include "userns-range.h"

typedef struct Parser {
        OciConfig *config;
        const char *bundle;
        OciWarn warn;
        void *userdata;
        char *error;
} Parser;

static int fail(Parser *p, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(Parser *p, int r, const char *fmt, ...) {
        va_list ap;

        if (!p->error) {
                va_start(ap, fmt);
                if (vasprintf(&p->error, fmt, ap) < 0)
                        p->error = NULL;
                va_end(ap);
        }
        return r;
}

static void warn(Parser *p, const char *fmt, ...) _printf_(2, 3);
static void warn(Parser *p, const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&m, fmt, ap) < 0)
                m = NULL;
        va_end(ap);
        if (m && p->warn)
                p->warn(m, p->userdata);
}

/* Typed member access: 0 and NULL when the key is absent (or JSON null), -EINVAL when of another
 * type. */
static int member(Parser *p, json_object *o, const char *key, const char *where, json_type type,
                  json_object **ret) {
        json_object *v = NULL;

        *ret = NULL;
        if (!o || !json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, type))
                return fail(p, -EINVAL, "%s%s: not a%s %s", where, key, type == json_type_object ||
                            type == json_type_array ? "n" : "", json_type_to_name(type));
        *ret = v;
        return 1;
}

static int get_string(Parser *p, json_object *o, const char *key, const char *where, const char **ret) {
        json_object *v;
        int r = member(p, o, key, where, json_type_string, &v);

        *ret = r > 0 ? json_object_get_string(v) : NULL;
        if (r > 0 && strlen(*ret) != (size_t) json_object_get_string_len(v))
                return fail(p, -EINVAL, "%s%s: contains a NUL byte", where, key);
        return r;
}

static int get_bool(Parser *p, json_object *o, const char *key, const char *where, bool *ret) {
        json_object *v;
        int r = member(p, o, key, where, json_type_boolean, &v);

        if (r > 0)
                *ret = json_object_get_boolean(v);
        return r;
}

/* An integer in [min, max] (JSON numbers without fraction only). */
static int get_int64(Parser *p, json_object *o, const char *key, const char *where, int64_t min, int64_t max,
                     int64_t *ret) {
        json_object *v;
        int64_t x;
        int r;

        r = member(p, o, key, where, json_type_int, &v);
        if (r <= 0)
                return r;
        errno = 0;
        x = json_object_get_int64(v);
        if (errno != 0 || x < min || x > max)
                return fail(p, -ERANGE, "%s%s: out of range", where, key);
        *ret = x;
        return 1;
}

static int get_uint64(Parser *p, json_object *o, const char *key, const char *where, uint64_t *ret) {
        json_object *v;
        int r = member(p, o, key, where, json_type_int, &v);

        if (r <= 0)
                return r;
        if (json_object_get_int64(v) < 0)
                return fail(p, -ERANGE, "%s%s: negative", where, key);
        *ret = json_object_get_uint64(v);
        return 1;
}

/* An array of strings, each without NUL, at most max of them. */
static int get_strv(Parser *p, json_object *o, const char *key, const char *where, size_t max, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        json_object *a;
        size_t n;
        int r;

        *ret = NULL;
        r = member(p, o, key, where, json_type_array, &a);
        if (r <= 0)
                return r;
        n = json_object_array_length(a);
        if (n > max)
                return fail(p, -E2BIG, "%s%s: more than %zu entries", where, key, max);
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(a, i);

                if (!json_object_is_type(e, json_type_string) ||
                    strlen(json_object_get_string(e)) != (size_t) json_object_get_string_len(e))
                        return fail(p, -EINVAL, "%s%s[%zu]: not a string", where, key, i);
                if (strv_extend(&l, json_object_get_string(e)) < 0)
                        return -ENOMEM;
        }
        if (!l && !(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 1;
}

/* Keys of the spec that dray does not carry out. error: refuse the config; else a warning (runc and
 * crun accept them without effect on hosts without the feature). */
static int unsupported(Parser *p, json_object *o, const char *key, const char *where, bool error) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if ((json_object_is_type(v, json_type_string) && json_object_get_string_len(v) == 0) ||
            (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0) ||
            (json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0))
                return 0;
        if (error)
                return fail(p, -EOPNOTSUPP, "%s%s: not supported by dray-oci", where, key);
        warn(p, "%s%s is not supported by dray-oci and has no effect", where, key);
        return 0;
}

bool oci_id_is_valid(const char *id) {
        size_t n = id ? strlen(id) : 0;

        if (n == 0 || n > OCI_ID_MAX || streq(id, ".") || streq(id, ".."))
                return false;
        return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+.-") == n;
}

/* A path of the config: absolute, or relative to the bundle; resolved (the runtime then opens it
 * without following symlinks). */
static int bundle_path(Parser *p, const char *path, const char *where, char **ret) {
        _cleanup_free_ char *joined = NULL;
        char *resolved;

        if (isempty(path))
                return fail(p, -EINVAL, "%s: empty path", where);
        if (strlen(path) >= PATH_MAX)
                return fail(p, -ENAMETOOLONG, "%s: path too long", where);
        if (path[0] != '/' && asprintf(&joined, "%s/%s", p->bundle, path) < 0)
                return -ENOMEM;
        resolved = realpath(joined ?: path, NULL);
        if (!resolved)
                return fail(p, -errno, "%s: '%s': %s", where, path, strerror(errno));
        *ret = resolved;
        return 0;
}

static int parse_root(Parser *p, json_object *root) {
        json_object *o;
        const char *path;
        struct stat st;
        int r;

        r = member(p, root, "root", "", json_type_object, &o);
        if (r < 0)
                return r;
        if (r == 0)
                return fail(p, -EINVAL, "root: missing");
        r = get_string(p, o, "path", "root.", &path);
        if (r < 0)
                return r;
        if (r == 0)
                return fail(p, -EINVAL, "root.path: missing");
        r = bundle_path(p, path, "root.path", &p->config->spec->rootfs);
        if (r < 0)
                return r;
        if (stat(p->config->spec->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
                return fail(p, -ENOTDIR, "root.path: '%s' is not a directory", path);
        if (streq(p->config->spec->rootfs, "/"))
                return fail(p, -EINVAL, "root.path: the host's root cannot be a container's");
        return get_bool(p, o, "readonly", "root.", &p->config->spec->read_only);
}

/* Capabilities: the runtime gives the payload the bounding set (effective and permitted for root, as
 * Docker and podman configure them), and the inheritable and ambient sets as given, as runc sets them:
 * an ambient one must be inheritable too (the kernel raises it only then); a non-root payload keeps
 * just the ambient ones. */
static int parse_capabilities(Parser *p, json_object *process) {
        static const char *const sets[] = { "effective", "permitted", "inheritable", "ambient" };
        _cleanup_strv_free_ char **bounding = NULL, **inheritable = NULL;
        uint64_t masks[ELEMENTSOF(sets)] = {};
        json_object *caps;
        int r;

        r = member(p, process, "capabilities", "process.", json_type_object, &caps);
        if (r < 0)
                return r;
        strv_free(p->config->spec->cap_drop);
        p->config->spec->cap_drop = NULL;
        p->config->cap_inheritable = p->config->cap_ambient = 0;
        if (strv_extend(&p->config->spec->cap_drop, "ALL") < 0)
                return -ENOMEM;
        if (r == 0)
                return 0;
        r = get_strv(p, caps, "bounding", "process.capabilities.", 64, &bounding);
        if (r < 0)
                return r;
        STRV_FOREACH(c, bounding) {
                int cap;

                if (capability_from_name(*c, &cap) < 0)
                        return fail(p, -EINVAL, "process.capabilities.bounding: unknown capability '%s'", *c);
        }
        for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
                _cleanup_strv_free_ char **l = NULL;
                char where[64];

                (void) snprintf(where, sizeof(where), "process.capabilities.%s", sets[i]);
                r = get_strv(p, caps, sets[i], "process.capabilities.", 64, &l);
                if (r < 0)
                        return r;
                STRV_FOREACH(c, l) {
                        int cap;

                        if (capability_from_name(*c, &cap) < 0)
                                return fail(p, -EINVAL, "%s: unknown capability '%s'", where, *c);
                        if (!strv_contains(bounding, *c))
                                return fail(p, -EINVAL, "%s: '%s' is not in the bounding set", where, *c);
                        if (i == 3 && !strv_contains(inheritable, *c)) {
                                warn(p, "%s: '%s' is not in the inheritable set; not raised", where, *c);
                                continue;
                        }
                        if (cap < 64)
                                masks[i] |= UINT64_C(1) << cap;
                }
                if (i == 2)
                        inheritable = TAKE_PTR(l);
                else if (strv_length(l) > 0 && i < 2 && p->config->spec->uid != 0) {
                        _cleanup_free_ char *names = strv_join(l, " ");

                        warn(p, "%s: a non-root process gets no effective or permitted capabilities from dray but "
                             "its ambient ones; not kept: %s", where, strna(names));
                }
        }
        p->config->cap_inheritable = masks[2];
        p->config->cap_ambient = masks[3];
        p->config->spec->cap_add = TAKE_PTR(bounding);
        return 0;
}

static const struct {
        const char *name;
        int resource;
} rlimit_names[] = {
        { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_CORE", RLIMIT_CORE },
        { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_DATA", RLIMIT_DATA },
        { "RLIMIT_FSIZE", RLIMIT_FSIZE },     { "RLIMIT_LOCKS", RLIMIT_LOCKS },
        { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
        { "RLIMIT_NICE", RLIMIT_NICE },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
        { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_RSS", RLIMIT_RSS },
        { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
        { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static int parse_rlimits(Parser *p, json_object *process) {
        json_object *a;
        int r;

        r = member(p, process, "rlimits", "process.", json_type_array, &a);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *e = json_object_array_get_idx(a, i);
                const char *type;
                uint64_t soft = 0, hard = 0;
                int resource = -1;

                if (!json_object_is_type(e, json_type_object))
                        return fail(p, -EINVAL, "process.rlimits[%zu]: not an object", i);
                if (get_string(p, e, "type", "process.rlimits[].", &type) <= 0)
                        return fail(p, -EINVAL, "process.rlimits[%zu].type: missing", i);
                for (size_t k = 0; k < ELEMENTSOF(rlimit_names); k++)
                        if (streq(type, rlimit_names[k].name))
                                resource = rlimit_names[k].resource;
                if (resource < 0)
                        return fail(p, -EINVAL, "process.rlimits[%zu].type: unknown limit '%s'", i, type);
                if (get_uint64(p, e, "soft", "process.rlimits[].", &soft) <= 0 ||
                    get_uint64(p, e, "hard", "process.rlimits[].", &hard) <= 0)
                        return fail(p, -EINVAL, "process.rlimits[%zu]: soft and hard must be numbers", i);
                if (soft > hard)
                        return fail(p, -EINVAL, "process.rlimits[%zu]: soft limit above the hard one", i);
                for (size_t k = 0; k < p->config->n_rlimits; k++)
                        if (p->config->rlimits[k].resource == resource)
                                return fail(p, -EINVAL, "process.rlimits[%zu]: %s given twice", i, type);
                p->config->rlimits[p->config->n_rlimits++] = (OciRlimit) {
                        .resource = resource,
                        .limit = { .rlim_cur = (rlim_t) soft, .rlim_max = (rlim_t) hard },
                };
        }
        return 0;
}

static int parse_process_user(Parser *p, json_object *process) {
        ContainerSpec *s = p->config->spec;
        json_object *user, *gids;
        int64_t v = 0;
        int r;

        r = member(p, process, "user", "process.", json_type_object, &user);
        if (r <= 0)
                return r;
        if (get_int64(p, user, "uid", "process.user.", 0, UINT32_MAX - 1, &v) < 0)
                return -EINVAL;
        s->uid = (uid_t) v;
        v = 0;
        if (get_int64(p, user, "gid", "process.user.", 0, UINT32_MAX - 1, &v) < 0)
                return -EINVAL;
        s->gid = (gid_t) v;
        r = get_int64(p, user, "umask", "process.user.", 0, 0777, &v);
        if (r < 0)
                return r;
        if (r > 0)
                p->config->umask = (int) v;
        r = unsupported(p, user, "username", "process.user.", true);
        if (r < 0)
                return r;
        r = member(p, user, "additionalGids", "process.user.", json_type_array, &gids);
        if (r < 0)
                return r;
        /* The primary group first, as the runtime's drayd path does. */
        s->groups = new0(gid_t, 1 + (gids ? json_object_array_length(gids) : 0));
        if (!s->groups)
                return -ENOMEM;
        s->groups[s->n_groups++] = s->gid;
        for (size_t i = 0; gids && i < json_object_array_length(gids); i++) {
                json_object *g = json_object_array_get_idx(gids, i);
                int64_t x;

                if (s->n_groups >= SPEC_GROUPS_MAX)
                        return fail(p, -E2BIG, "process.user.additionalGids: too many groups");
                if (!json_object_is_type(g, json_type_int) || (x = json_object_get_int64(g)) < 0 || x >= UINT32_MAX)
                        return fail(p, -EINVAL, "process.user.additionalGids[%zu]: not a group ID", i);
                s->groups[s->n_groups++] = (gid_t) x;
        }
        return 0;
}

static int parse_process_object(Parser *p, json_object *process);

static int parse_process(Parser *p, json_object *root) {
        json_object *process;
        int r;

        r = member(p, root, "process", "", json_type_object, &process);
        if (r < 0)
                return r;
        if (r == 0)
                return fail(p, -EINVAL, "process: missing (dray-oci runs a process in every container)");
        return parse_process_object(p, process);
}

int oci_config_parse_process(json_object *process, OciConfig *c, OciWarn warn_cb, void *userdata, char **ret_error) {
        Parser p = { .config = c, .warn = warn_cb, .userdata = userdata };
        int r;

        /* What the container's process had does not carry over to exec's. */
        c->spec->command = strv_free(c->spec->command);
        c->spec->env = strv_free(c->spec->env);
        c->spec->cap_add = strv_free(c->spec->cap_add);
        c->spec->cap_drop = strv_free(c->spec->cap_drop);
        free(c->spec->groups);
        c->spec->groups = NULL;
        c->spec->n_groups = 0;
        c->spec->uid = 0;
        c->spec->gid = 0;
        c->spec->tty = false;
        c->n_rlimits = 0;
        c->umask = -1;
        c->has_oom_score_adj = false;
        if (!json_object_is_type(process, json_type_object))
                r = fail(&p, -EINVAL, "process: not an object");
        else
                r = parse_process_object(&p, process);
        if (r < 0 && ret_error)
                *ret_error = TAKE_PTR(p.error);
        free(p.error);
        return r;
}

static int parse_process_object(Parser *p, json_object *process) {
        ContainerSpec *s = p->config->spec;
        json_object *cs;
        const char *cwd, *str;
        bool nnp = false;
        int64_t v;
        int r;
        r = get_strv(p, process, "args", "process.", 4096, &s->command);
        if (r < 0)
                return r;
        if (strv_length(s->command) == 0 || isempty(s->command[0]))
                return fail(p, -EINVAL, "process.args: missing or empty");
        r = unsupported(p, process, "commandLine", "process.", true);
        if (r < 0)
                return r;
        r = get_strv(p, process, "env", "process.", 4096, &s->env);
        if (r < 0)
                return r;
        STRV_FOREACH(e, s->env)
                if (!env_assignment_is_valid(*e))
                        return fail(p, -EINVAL, "process.env: '%s' is not KEY=VALUE", *e);
        r = get_string(p, process, "cwd", "process.", &cwd);
        if (r < 0)
                return r;
        if (r == 0 || cwd[0] != '/')
                return fail(p, -EINVAL, "process.cwd: missing or not an absolute path");
        free(s->working_dir);
        s->working_dir = NULL;
        if (mount_path_normalize(cwd, &s->working_dir) < 0)
                return fail(p, -EINVAL, "process.cwd: '%s' contains '..' or control characters", cwd);
        r = get_bool(p, process, "terminal", "process.", &s->tty);
        if (r < 0)
                return r;
        r = member(p, process, "consoleSize", "process.", json_type_object, &cs);
        if (r < 0)
                return r;
        if (cs) {
                int64_t h = 0, w = 0;

                if (get_int64(p, cs, "height", "process.consoleSize.", 0, USHRT_MAX, &h) < 0 ||
                    get_int64(p, cs, "width", "process.consoleSize.", 0, USHRT_MAX, &w) < 0)
                        return -EINVAL;
                p->config->console_rows = (unsigned short) h;
                p->config->console_cols = (unsigned short) w;
        }
        r = parse_process_user(p, process);
        if (r < 0)
                return r;
        r = parse_capabilities(p, process);
        if (r < 0)
                return r;
        r = parse_rlimits(p, process);
        if (r < 0)
                return r;
        r = get_bool(p, process, "noNewPrivileges", "process.", &nnp);
        if (r < 0)
                return r;
        p->config->no_new_privs = nnp;
        r = get_int64(p, process, "oomScoreAdj", "process.", -1000, 1000, &v);
        if (r < 0)
                return r;
        if (r > 0) {
                p->config->has_oom_score_adj = true;
                p->config->oom_score_adj = (int) v;
        }
        if (get_string(p, process, "apparmorProfile", "process.", &str) < 0)
                return -EINVAL;
        r = unsupported(p, process, "apparmorProfile", "process.", false);
        if (r < 0)
                return r;
        r = unsupported(p, process, "selinuxLabel", "process.", false);
        if (r < 0)
                return r;
        FOREACH_STRING(k, "scheduler", "ioPriority", "execCPUAffinity") {
                r = unsupported(p, process, k, "process.", true);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Kernel file systems the runtime mounts itself, at their usual places: the config's entries for them
 * are accepted as what the runtime does anyway. */
static bool mount_is_runtime_own(const char *dest, const char *type) {
        static const struct {
                const char *dest, *type;
        } own[] = {
                { "/proc", "proc" },        { "/sys", "sysfs" },       { "/dev", "tmpfs" },
                { "/dev/pts", "devpts" },   { "/dev/shm", "tmpfs" },   { "/dev/mqueue", "mqueue" },
                { "/sys/fs/cgroup", "cgroup" }, { "/sys/fs/cgroup", "cgroup2" },
        };

        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                if (streq(dest, own[i].dest) && streq_ptr(type, own[i].type))
                        return true;
        return false;
}

/* A propagation mode of mount(2) by its name in the config ("rshared", "slave", …), 0 if none. */
static unsigned long propagation_from_name(const char *name) {
        static const struct {
                const char *name;
                unsigned long flags;
        } modes[] = {
                { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
                { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
                { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
                { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
        };

        for (size_t i = 0; name && i < ELEMENTSOF(modes); i++)
                if (streq(name, modes[i].name))
                        return modes[i].flags;
        return 0;
}

/* Mount options dray understands for binds and tmpfs; the runtime mounts every bind nosuid,nodev and
 * every tmpfs nosuid,nodev, so those are what it does anyway. */
static int parse_mount_options(Parser *p, size_t i, char **opts, bool *bind, bool *ro, bool *noexec,
                               unsigned long *propagation, char **ret_tmpfs) {
        _cleanup_free_ char *tmpfs = NULL;

        STRV_FOREACH(o, opts) {
                if (STR_IN_SET(*o, "bind", "rbind"))
                        *bind = true;
                else if (streq(*o, "ro"))
                        *ro = true;
                else if (propagation_from_name(*o) != 0)
                        *propagation = propagation_from_name(*o); /* the last one given, as runc */
                else if (STR_IN_SET(*o, "rw", "nosuid", "nodev", "relatime", "norelatime",
                                    "noatime", "strictatime", "nodiratime", "async", "exec", "suid", "dev",
                                    "z", "Z", "copy", "nocopy", "notmpcopyup", "tmpcopyup"))
                        ; /* the runtime's defaults, or podman's own markers */
                else if (streq(*o, "noexec"))
                        *noexec = true;
                else if (strchr(*o, '=')) {
                        char *t;

                        if (tmpfs)
                                t = strjoin(tmpfs, ",", *o);
                        else
                                t = strdup(*o);
                        if (!t)
                                return -ENOMEM;
                        free(tmpfs);
                        tmpfs = t;
                } else
                        return fail(p, -EOPNOTSUPP, "mounts[%zu].options: '%s' is not supported by dray-oci", i, *o);
        }
        *ret_tmpfs = TAKE_PTR(tmpfs);
        return 0;
}

static int parse_mounts(Parser *p, json_object *root) {
        ContainerSpec *s = p->config->spec;
        json_object *a;
        int r;

        r = member(p, root, "mounts", "", json_type_array, &a);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *m = json_object_array_get_idx(a, i);
                _cleanup_free_ char *dest = NULL, *source = NULL, *tmpfs = NULL;
                _cleanup_strv_free_ char **opts = NULL;
                const char *d, *type, *src;
                bool bind = false, ro = false, noexec = false;
                unsigned long propagation = 0;
                const char *bad = NULL;

                if (!json_object_is_type(m, json_type_object))
                        return fail(p, -EINVAL, "mounts[%zu]: not an object", i);
                if (get_string(p, m, "destination", "mounts[].", &d) <= 0)
                        return fail(p, -EINVAL, "mounts[%zu].destination: missing", i);
                if (get_string(p, m, "type", "mounts[].", &type) < 0 || get_string(p, m, "source", "mounts[].", &src) < 0 ||
                    get_strv(p, m, "options", "mounts[].", 64, &opts) < 0)
                        return -EINVAL;
                FOREACH_STRING(k, "uidMappings", "gidMappings") {
                        r = unsupported(p, m, k, "mounts[].", true);
                        if (r < 0)
                                return r;
                }
                if (mount_path_normalize(d, &dest) < 0)
                        return fail(p, -EINVAL, "mounts[%zu].destination: '%s' is not an absolute path without '..'", i, d);
                if (mount_is_runtime_own(dest, type) && !streq(dest, "/dev/shm"))
                        continue;
                r = parse_mount_options(p, i, opts, &bind, &ro, &noexec, &propagation, &tmpfs);
                if (r < 0)
                        return r;
                if (mount_is_runtime_own(dest, type)) {
                        /* The runtime's own /dev/shm, with the config's size and mode (podman's --shm-size). */
                        if (tmpfs && tmpfs_options_validate(tmpfs, &bad) < 0)
                                return fail(p, -EINVAL, "mounts[%zu].options: %s", i, bad);
                        free(p->config->shm_options);
                        p->config->shm_options = TAKE_PTR(tmpfs);
                        continue;
                }
                if (bind || streq_ptr(type, "bind")) {
                        /* The kernel ignores a bind's data options; runc passes them, without effect. */
                        if (tmpfs)
                                warn(p, "mounts[%zu].options: '%s' has no effect on a bind mount", i, tmpfs);
                        if (!src)
                                return fail(p, -EINVAL, "mounts[%zu].source: missing for a bind mount", i);
                        r = bundle_path(p, src, "mounts[].source", &source);
                        if (r < 0)
                                return r;
                        if (!mount_destination_is_valid(dest))
                                return fail(p, -EINVAL, "mounts[%zu].destination: '%s' cannot be mounted on", i, dest);
                        r = mount_spec_append(&s->mounts, &s->n_mounts, MOUNT_BIND, source, dest, ro, NULL);
                } else if (streq_ptr(type, "tmpfs")) {
                        if (tmpfs && tmpfs_options_validate(tmpfs, &bad) < 0)
                                return fail(p, -EINVAL, "mounts[%zu].options: %s", i, bad);
                        if (!mount_destination_is_valid(dest))
                                return fail(p, -EINVAL, "mounts[%zu].destination: '%s' cannot be mounted on", i, dest);
                        r = mount_spec_append(&s->mounts, &s->n_mounts, MOUNT_TMPFS, NULL, dest, ro, tmpfs);
                } else
                        return fail(p, -EOPNOTSUPP, "mounts[%zu]: type '%s' at '%s' is not supported by dray-oci", i,
                                    strna(type), dest);
                if (r < 0)
                        return r;
                s->mounts[s->n_mounts - 1].noexec = noexec;
                s->mounts[s->n_mounts - 1].propagation = propagation;
                if (s->n_mounts > MOUNTS_MAX)
                        return fail(p, -E2BIG, "mounts: more than %u bind and tmpfs mounts", MOUNTS_MAX);
        }
        if (mount_specs_validate(s->mounts, s->n_mounts, &(const char *) { NULL }) < 0) {
                const char *reason = NULL;

                (void) mount_specs_validate(s->mounts, s->n_mounts, &reason);
                return fail(p, -EINVAL, "mounts: %s", strna(reason));
        }
        return 0;
}

/* linux.uidMappings or gidMappings: every range, written as they are to the user namespace's map
 * (oci-idmap.c checks them as the kernel would). */
static int parse_id_mappings(Parser *p, json_object *linux_o, const char *key, char **ret_lines, uint32_t *ret_root) {
        json_object *a;
        int r;

        r = member(p, linux_o, key, "linux.", json_type_array, &a);
        if (r < 0)
                return r;
        r = oci_idmap_parse(a, key, ret_lines, ret_root, &p->error);
        if (r < 0 && r != -ENOMEM && !p->error)
                return -ENOMEM;
        return r;
}

static int parse_namespaces(Parser *p, json_object *linux_o) {
        static const char *const known[] = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" };
        static const unsigned long ns_flags[] = { CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWIPC,
                                                  CLONE_NEWUTS, CLONE_NEWUSER, CLONE_NEWCGROUP, 0 };
        /* Where in join_ns_paths (the runtime's NS_JOIN_* order): ipc, uts, cgroup, pid, mount. */
        static const int join_index[] = { 3, -1, 4, 0, 1, -1, 2, -1 };
        ContainerSpec *s = p->config->spec;
        bool seen[ELEMENTSOF(known)] = {};
        json_object *a;
        int r;

        r = member(p, linux_o, "namespaces", "linux.", json_type_array, &a);
        if (r < 0)
                return r;
        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                json_object *e = json_object_array_get_idx(a, i);
                const char *type, *path;
                size_t k;

                if (!json_object_is_type(e, json_type_object) || get_string(p, e, "type", "linux.namespaces[].", &type) <= 0)
                        return fail(p, -EINVAL, "linux.namespaces[%zu].type: missing", i);
                if (get_string(p, e, "path", "linux.namespaces[].", &path) < 0)
                        return -EINVAL;
                for (k = 0; k < ELEMENTSOF(known); k++)
                        if (streq(type, known[k]))
                                break;
                if (k == ELEMENTSOF(known))
                        return fail(p, -EINVAL, "linux.namespaces[%zu].type: unknown namespace '%s'", i, type);
                if (seen[k])
                        return fail(p, -EINVAL, "linux.namespaces: '%s' given twice", type);
                seen[k] = true;
                if (streq(type, "time"))
                        return fail(p, -EOPNOTSUPP, "linux.namespaces: time namespaces are not supported by dray-oci");
                if (!isempty(path)) {
                        char where[64];

                        /* The runtime's setns() names the type too; here a wrong file is refused before
                         * anything is made. */
                        (void) snprintf(where, sizeof(where), "linux.namespaces[%zu].path", i);
                        r = oci_ns_path_check(where, path, ns_flags[k], &p->error);
                        if (r < 0)
                                return p->error ? r : -ENOMEM;
                }
                if (!isempty(path) && streq(type, "user")) {
                        if (json_object_object_get_ex(linux_o, "uidMappings", NULL) ||
                            json_object_object_get_ex(linux_o, "gidMappings", NULL))
                                return fail(p, -EINVAL, "linux.uidMappings: not allowed with a user namespace joined by path "
                                            "(linux.namespaces[%zu].path), whose maps are its own", i);
                        p->config->join_userns_path = strdup(path);
                        if (!p->config->join_userns_path)
                                return -ENOMEM;
                }
                if (!isempty(path) && join_index[k] >= 0) {
                        p->config->join_ns_paths[join_index[k]] = strdup(path);
                        if (!p->config->join_ns_paths[join_index[k]])
                                return -ENOMEM;
                }
                if (streq(type, "network")) {
                        if (!isempty(path)) {
                                s->net.netns_path = strdup(path);
                                if (!s->net.netns_path)
                                        return -ENOMEM;
                                s->net.mode = NETWORK_MODE_BRIDGE;
                        } else
                                s->net.mode = NETWORK_MODE_NONE;
                }
        }
        if (!seen[0] || !seen[2])
                return fail(p, -EOPNOTSUPP, "linux.namespaces: pid and mount must be listed (of the container's own, or joined by path)");
        if (!seen[1])
                s->net.mode = NETWORK_MODE_HOST;
        /* ipc, uts, cgroup: shared with dray-oci's own when not listed. */
        if (!seen[3])
                p->config->shared_namespaces |= CLONE_NEWIPC;
        if (!seen[4])
                p->config->shared_namespaces |= CLONE_NEWUTS;
        if (!seen[6])
                p->config->shared_namespaces |= CLONE_NEWCGROUP;
        if (seen[5] && !p->config->join_userns_path) {
                uint32_t groot;

                r = parse_id_mappings(p, linux_o, "uidMappings", &p->config->uid_map, &p->config->userns_root_uid);
                if (r < 0)
                        return r;
                r = parse_id_mappings(p, linux_o, "gidMappings", &p->config->gid_map, &groot);
                if (r < 0)
                        return r;
        } else if (json_object_object_get_ex(linux_o, "uidMappings", NULL) ||
                   json_object_object_get_ex(linux_o, "gidMappings", NULL))
                return fail(p, -EINVAL, "linux.uidMappings: ID mappings without a user namespace");
        return 0;
}

/* linux.resources → the limits drayd gives a scope (MemoryMax, CPUQuotaPerSecUSec, CPUWeight,
 * TasksMax): systemd properties with --systemd-cgroup, cgroup v2 files otherwise. The rest (blockIO,
 * hugepageLimits, cpu.cpus/mems, unified) is oci-resources.c's. */
static int parse_resources(Parser *p, json_object *linux_o) {
        ContainerSpec *s = p->config->spec;
        json_object *res, *o;
        int64_t v;
        int r;

        r = member(p, linux_o, "resources", "linux.", json_type_object, &res);
        if (r <= 0)
                return r;
        r = member(p, res, "memory", "linux.resources.", json_type_object, &o);
        if (r < 0)
                return r;
        if (o) {
                if (get_int64(p, o, "limit", "linux.resources.memory.", -1, INT64_MAX, &v) < 0)
                        return -EINVAL;
                else if (json_object_object_get_ex(o, "limit", NULL) && v > 0)
                        s->memory_max = (uint64_t) v;
                /* reservation, swap, swappiness, disableOOMKiller: oci-resources.c's. */
                FOREACH_STRING(k, "kernel", "kernelTCP") {
                        r = unsupported(p, o, k, "linux.resources.memory.", false);
                        if (r < 0)
                                return r;
                }
                FOREACH_STRING(k, "useHierarchy", "checkBeforeUpdate") {
                        bool b = false;

                        if (get_bool(p, o, k, "linux.resources.memory.", &b) < 0)
                                return -EINVAL;
                        if (b)
                                return fail(p, -EOPNOTSUPP, "linux.resources.memory.%s: not supported by dray-oci", k);
                }
        }
        r = member(p, res, "cpu", "linux.resources.", json_type_object, &o);
        if (r < 0)
                return r;
        if (o) {
                uint64_t shares = 0, period = 100000;
                int64_t quota = -1;

                if (get_uint64(p, o, "shares", "linux.resources.cpu.", &shares) < 0 ||
                    get_uint64(p, o, "period", "linux.resources.cpu.", &period) < 0 ||
                    get_int64(p, o, "quota", "linux.resources.cpu.", -1, INT64_MAX, &quota) < 0)
                        return -EINVAL;
                p->config->cpu_shares = shares;
                p->config->cpu_quota = quota;
                p->config->cpu_period = period;
                /* 1024 is cgroup v1's default share (containerd always sends it): no weight at all, rather
                 * than crun's conversion of it, which would give 39 instead of the default 100. */
                if (shares > 0 && shares != 1024) /* crun's conversion of cgroup v1 shares to a v2 weight */
                        s->cpu_weight = 1 + ((MIN(MAX(shares, UINT64_C(2)), UINT64_C(262144)) - 2) * 9999) / 262142;
                if (quota > 0) {
                        if (period < 1000 || period > 1000000)
                                return fail(p, -EINVAL, "linux.resources.cpu.period: must be 1000…1000000 µs");
                        s->cpu_quota_per_sec_usec = (uint64_t) quota * USEC_PER_SEC / period;
                }
                FOREACH_STRING(k, "realtimeRuntime", "realtimePeriod", "burst", "idle") {
                        r = unsupported(p, o, k, "linux.resources.cpu.", true);
                        if (r < 0)
                                return r;
                }
        }
        r = member(p, res, "pids", "linux.resources.", json_type_object, &o);
        if (r < 0)
                return r;
        if (o && get_int64(p, o, "limit", "linux.resources.pids.", INT64_MIN, INT64_MAX, &v) > 0 && v > 0)
                s->tasks_max = (uint64_t) v;
        /* Device rules: the device cgroup (oci-devices.h), with the defaults and linux.devices after them. */
        r = member(p, res, "devices", "linux.resources.", json_type_array, &o);
        if (r < 0)
                return r;
        if (o) {
                _cleanup_free_ char *error = NULL;

                r = oci_device_rules_parse(o, &p->config->devices, &error);
                if (r < 0)
                        return error ? fail(p, r, "%s", error) : r;
        }
        {
                _cleanup_free_ char *error = NULL;

                r = oci_resources_parse(res, p->warn, p->userdata, &p->config->resources, &error);
                if (r < 0)
                        return error ? fail(p, r, "%s", error) : r;
        }
        return 0;
}

static int parse_sysctl(Parser *p, json_object *linux_o) {
        json_object *o;
        int r;

        r = member(p, linux_o, "sysctl", "linux.", json_type_object, &o);
        if (r <= 0)
                return r;
        json_object_object_foreach(o, key, val) {
                char *kv;

                if (!json_object_is_type(val, json_type_string))
                        return fail(p, -EINVAL, "linux.sysctl.%s: not a string", key);
                if (strv_length(p->config->sysctl) >= 256)
                        return fail(p, -E2BIG, "linux.sysctl: too many entries");
                if (isempty(key) || strlen(key) > 200 || strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_.-/") != strlen(key) ||
                    strstr(key, "..") || strchr(json_object_get_string(val), '\n'))
                        return fail(p, -EINVAL, "linux.sysctl: '%s' is not a valid sysctl", key);
                if (asprintf(&kv, "%s=%s", key, json_object_get_string(val)) < 0)
                        return -ENOMEM;
                r = strv_consume(&p->config->sysctl, kv);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_seccomp(Parser *p, json_object *linux_o) {
        _cleanup_free_ char *error = NULL;
        json_object *o;
        int r;

        r = member(p, linux_o, "seccomp", "linux.", json_type_object, &o);
        if (r <= 0)
                return r;
        FOREACH_STRING(k, "listenerPath", "listenerMetadata") {
                r = unsupported(p, o, k, "linux.seccomp.", true);
                if (r < 0)
                        return r;
        }
        /* The OCI format is Docker's without archMap, includes and excludes: the same parser. Drop the
         * keys it has and Docker's has not, after checking them above. */
        json_object_object_del(o, "listenerPath");
        json_object_object_del(o, "listenerMetadata");
        r = seccomp_profile_from_json(o, &p->config->seccomp, &error);
        if (r < 0)
                return fail(p, r, "linux.seccomp: %s", strna(error));
        return 0;
}

/* The config's masked and read-only paths replace Docker's, which apply when it names neither. Each
 * is an absolute path without "..": mask_paths_apply_full() opens it in the container without
 * following symlinks. */
static int parse_paths(Parser *p, json_object *linux_o) {
        int r;

        FOREACH_STRING(key, "maskedPaths", "readonlyPaths") {
                _cleanup_strv_free_ char **l = NULL;

                r = get_strv(p, linux_o, key, "linux.", 256, &l);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                STRV_FOREACH(path, l)
                        if (!mount_path_is_normalized(*path) || streq(*path, "/"))
                                return fail(p, -EINVAL, "linux.%s: '%s' is not a clean absolute path", key, *path);
                p->config->custom_masks = true;
                if (streq(key, "maskedPaths"))
                        p->config->masked_paths = TAKE_PTR(l);
                else
                        p->config->readonly_paths = TAKE_PTR(l);
        }
        return 0;
}

/* The host's node of device TYPE MAJOR:MINOR: udev's /dev/char or /dev/block link, else a node at the
 * top of /dev (hosts without udev's links, such as a container). Resolved to the node itself: the
 * runtime binds it (mknod may be refused in a user namespace or by the device cgroup, a bind never
 * is, as runc does in a user namespace) and refuses a symbolic link. */
static int device_host_node(char type, dev_t rdev, char **ret, struct stat *ret_st) {
        mode_t fmt = type == 'b' ? S_IFBLK : S_IFCHR;
        char link[64];
        struct stat st;
        DIR *d;
        struct dirent *de;

        (void) snprintf(link, sizeof(link), "/dev/%s/%u:%u", type == 'b' ? "block" : "char", major(rdev),
                        minor(rdev));
        *ret = realpath(link, NULL);
        if (*ret && lstat(*ret, &st) >= 0 && (st.st_mode & S_IFMT) == fmt && st.st_rdev == rdev) {
                *ret_st = st;
                return 0;
        }
        free(*ret);
        *ret = NULL;
        d = opendir("/dev");
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    (st.st_mode & S_IFMT) != fmt || st.st_rdev != rdev)
                        continue;
                if (asprintf(ret, "/dev/%s", de->d_name) < 0)
                        *ret = NULL;
                (void) closedir(d);
                if (!*ret)
                        return -ENOMEM;
                *ret_st = st;
                return 0;
        }
        (void) closedir(d);
        return -ENODEV;
}

/* linux.devices: each becomes a --device of the runtime (device-spec.h), the host's node of that type
 * and number bound at path. The nodes the runtime's /dev always has are skipped when they are the
 * same device. The host node's mode and owner are what the container sees: a differing fileMode,
 * uid or gid is a warning (runc ignores them as well when it binds). */
static int parse_devices(Parser *p, json_object *linux_o) {
        static const char *const builtin[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                               "/dev/urandom", "/dev/tty", "/dev/ptmx" };
        ContainerSpec *s = p->config->spec;
        json_object *a;
        int r;

        r = member(p, linux_o, "devices", "linux.", json_type_array, &a);
        if (r <= 0)
                return r;
        if (json_object_array_length(a) > DEVICES_MAX)
                return fail(p, -E2BIG, "linux.devices: more than %u devices", DEVICES_MAX);
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *e = json_object_array_get_idx(a, i);
                _cleanup_free_ char *host = NULL, *spec = NULL, *canonical = NULL;
                const char *path, *type;
                int64_t maj = -1, min = -1, mode = -1, uid = -1, gid = -1;
                struct stat st = {};
                bool skip = false;

                if (!json_object_is_type(e, json_type_object))
                        return fail(p, -EINVAL, "linux.devices[%zu]: not an object", i);
                if (get_string(p, e, "path", "linux.devices[].", &path) <= 0 ||
                    get_string(p, e, "type", "linux.devices[].", &type) <= 0)
                        return fail(p, -EINVAL, "linux.devices[%zu]: path and type are required", i);
                if (!STR_IN_SET(type, "c", "u", "b"))
                        return fail(p, -EOPNOTSUPP, "linux.devices[%zu].type: '%s' is not supported by dray-oci (c, u or b)",
                                    i, type);
                if (get_int64(p, e, "major", "linux.devices[].", 0, 4095, &maj) <= 0 ||
                    get_int64(p, e, "minor", "linux.devices[].", 0, 1048575, &min) <= 0)
                        return fail(p, -EINVAL, "linux.devices[%zu]: major and minor are required (0…4095, 0…1048575)", i);
                if (get_int64(p, e, "fileMode", "linux.devices[].", 0, 0177777, &mode) < 0 ||
                    get_int64(p, e, "uid", "linux.devices[].", 0, UINT32_MAX, &uid) < 0 ||
                    get_int64(p, e, "gid", "linux.devices[].", 0, UINT32_MAX, &gid) < 0)
                        return -EINVAL;
                r = device_host_node(type[0], makedev((unsigned) maj, (unsigned) min), &host, &st);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return fail(p, -ENODEV, "linux.devices[%zu]: the host has no %s device %" PRIi64 ":%" PRIi64,
                                    i, type[0] == 'b' ? "block" : "character", maj, min);
                for (size_t k = 0; k < ELEMENTSOF(builtin); k++)
                        if (streq(path, builtin[k])) {
                                struct stat b;

                                if (stat(builtin[k], &b) < 0 || b.st_rdev != st.st_rdev || !S_ISCHR(b.st_mode))
                                        return fail(p, -EOPNOTSUPP, "linux.devices[%zu]: %s is always the host's %s", i,
                                                    path, path);
                                skip = true;
                        }
                if (skip)
                        continue;
                /* podman sends the node's st_mode, type bits too (020666): only the permissions count. */
                r = oci_device_rules_add_node(&p->config->devices, type[0], (uint32_t) maj, (uint32_t) min);
                if (r < 0)
                        return r;
                if ((mode >= 0 && (mode & 07777) != (st.st_mode & 07777)) || (uid >= 0 && uid != st.st_uid) ||
                    (gid >= 0 && gid != st.st_gid))
                        warn(p, "linux.devices[%zu]: %s has the mode and owner of the host's %s", i, path, host);
                if (asprintf(&spec, "%s:%s:rwm", host, path) < 0)
                        return -ENOMEM;
                if (device_spec_canonical(spec, &canonical) < 0)
                        return fail(p, -EINVAL, "linux.devices[%zu].path: '%s' must be a normalized path in /dev, outside /dev/pts, /dev/shm and /dev/mqueue",
                                    i, path);
                STRV_FOREACH(d, s->devices) {
                        _cleanup_free_ char *other = NULL, *mine = NULL;

                        if (device_spec_parse(*d, NULL, &other, NULL) >= 0 &&
                            device_spec_parse(canonical, NULL, &mine, NULL) >= 0 && streq(other, mine))
                                return fail(p, -EINVAL, "linux.devices: '%s' given twice", path);
                }
                r = strv_consume(&s->devices, TAKE_PTR(canonical));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_linux(Parser *p, json_object *root) {
        json_object *linux_o;
        const char *str;
        int r;

        r = member(p, root, "linux", "", json_type_object, &linux_o);
        if (r < 0)
                return r;
        if (r == 0)
                return fail(p, -EINVAL, "linux: missing (dray-oci runs Linux containers)");
        r = parse_namespaces(p, linux_o);
        if (r < 0)
                return r;
        r = parse_resources(p, linux_o);
        if (r < 0)
                return r;
        r = parse_sysctl(p, linux_o);
        if (r < 0)
                return r;
        r = parse_seccomp(p, linux_o);
        if (r < 0)
                return r;
        r = parse_paths(p, linux_o);
        if (r < 0)
                return r;
        r = get_string(p, linux_o, "cgroupsPath", "linux.", &str);
        if (r < 0)
                return r;
        if (str) {
                if (strlen(str) >= PATH_MAX || strstr(str, ".."))
                        return fail(p, -EINVAL, "linux.cgroupsPath: '%s' is not a valid cgroup path", str);
                p->config->cgroups_path = strdup(str);
                if (!p->config->cgroups_path)
                        return -ENOMEM;
        }
        r = get_string(p, linux_o, "rootfsPropagation", "linux.", &str);
        if (r < 0)
                return r;
        if (!isempty(str)) {
                p->config->root_propagation = propagation_from_name(str);
                if (p->config->root_propagation == 0)
                        return fail(p, -EINVAL, "linux.rootfsPropagation: '%s' is not a propagation mode", str);
        }
        r = parse_devices(p, linux_o);
        if (r < 0)
                return r;
        FOREACH_STRING(k, "intelRdt", "personality", "timeOffsets", "memoryPolicy") {
                r = unsupported(p, linux_o, k, "linux.", true);
                if (r < 0)
                        return r;
        }
        return unsupported(p, linux_o, "mountLabel", "linux.", false);
}

static int parse_hooks(Parser *p, json_object *root);

int oci_config_parse_hooks(json_object *root, OciConfig **ret, char **ret_error) {
        _cleanup_(oci_config_freep) OciConfig *c = new0(OciConfig, 1);
        Parser p = {};
        int r;

        if (!c)
                return -ENOMEM;
        p.config = c;
        r = parse_hooks(&p, root);
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(p.error);
                free(p.error);
                return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

static int parse_hooks(Parser *p, json_object *root) {
        static const char *const keys[_OCI_HOOK_MAX] = {
                "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
        };
        json_object *hooks;
        int r;

        r = member(p, root, "hooks", "", json_type_object, &hooks);
        if (r <= 0)
                return r;
        for (OciHookKind k = 0; k < _OCI_HOOK_MAX; k++) {
                json_object *a;
                size_t n;

                r = member(p, hooks, keys[k], "hooks.", json_type_array, &a);
                if (r < 0)
                        return r;
                n = a ? json_object_array_length(a) : 0;
                if (n > OCI_HOOKS_MAX)
                        return fail(p, -E2BIG, "hooks.%s: more than %u hooks", keys[k], OCI_HOOKS_MAX);
                if (n == 0)
                        continue;
                p->config->hooks[k] = new0(OciHook, n);
                if (!p->config->hooks[k])
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        json_object *h = json_object_array_get_idx(a, i);
                        OciHook *hook = &p->config->hooks[k][i];
                        const char *path;
                        int64_t t = 0;

                        p->config->n_hooks[k]++;
                        if (!json_object_is_type(h, json_type_object) || get_string(p, h, "path", "hooks[].", &path) <= 0 ||
                            path[0] != '/')
                                return fail(p, -EINVAL, "hooks.%s[%zu].path: missing or not absolute", keys[k], i);
                        hook->path = strdup(path);
                        if (!hook->path)
                                return -ENOMEM;
                        if (get_strv(p, h, "args", "hooks[].", 4096, &hook->args) < 0 ||
                            get_strv(p, h, "env", "hooks[].", 4096, &hook->env) < 0 ||
                            get_int64(p, h, "timeout", "hooks[].", 1, 86400, &t) < 0)
                                return -EINVAL;
                        STRV_FOREACH(e, hook->env)
                                if (!env_assignment_is_valid(*e))
                                        return fail(p, -EINVAL, "hooks.%s[%zu].env: '%s' is not KEY=VALUE", keys[k], i, *e);
                        hook->timeout_sec = (int) t;
                }
        }
        return 0;
}

int oci_config_parse(json_object *root, const char *bundle, const char *id, OciWarn warn_cb, void *userdata,
                     OciConfig **ret, char **ret_error) {
        _cleanup_(oci_config_freep) OciConfig *c = NULL;
        Parser p = { .bundle = bundle, .warn = warn_cb, .userdata = userdata };
        const char *version, *hostname, *reason = NULL;
        json_object *ann;
        char cid[CONTAINER_ID_LEN + 1];
        int r;

        if (!json_object_is_type(root, json_type_object)) {
                r = fail(&p, -EINVAL, "config.json: not a JSON object");
                goto fail;
        }
        c = new0(OciConfig, 1);
        if (!c || !(c->spec = spec_new()))
                return -ENOMEM;
        c->cpu_quota = -1;
        c->umask = -1;
        p.config = c;

        r = get_string(&p, root, "ociVersion", "", &version);
        if (r < 0)
                goto fail;
        if (r == 0 || !strneq(version, "1.", 2)) {
                r = fail(&p, -EOPNOTSUPP, "ociVersion: '%s' is not a 1.x version of the runtime spec", strna(version));
                goto fail;
        }
        r = container_id_generate(cid);
        if (r < 0)
                goto fail;
        c->spec->id = strdup(cid);
        c->spec->name = strdup(container_name_is_valid(id) ? id : "oci");
        if (!c->spec->id || !c->spec->name)
                return -ENOMEM;
        if ((r = parse_root(&p, root)) < 0 || (r = parse_process(&p, root)) < 0 || (r = parse_mounts(&p, root)) < 0 ||
            (r = parse_linux(&p, root)) < 0 || (r = parse_hooks(&p, root)) < 0)
                goto fail;
        r = get_string(&p, root, "hostname", "", &hostname);
        if (r < 0)
                goto fail;
        if (!isempty(hostname)) {
                if (!hostname_is_valid_simple(hostname)) {
                        r = fail(&p, -EINVAL, "hostname: '%s' is not a valid host name", hostname);
                        goto fail;
                }
                c->spec->hostname = strdup(hostname);
                if (!c->spec->hostname)
                        return -ENOMEM;
                if (c->join_ns_paths[1])
                        warn(&p, "hostname: the joined UTS namespace %s keeps its own host name", c->join_ns_paths[1]);
        }
        r = unsupported(&p, root, "domainname", "", true);
        if (r < 0)
                goto fail;
        r = member(&p, root, "annotations", "", json_type_object, &ann);
        if (r < 0)
                goto fail;
        if (ann)
                c->annotations = json_object_get(ann);
        r = spec_validate(c->spec, &reason);
        if (r < 0) {
                r = fail(&p, r, "config.json: %s", reason);
                goto fail;
        }
        *ret = TAKE_PTR(c);
        return 0;
fail:
        if (ret_error)
                *ret_error = TAKE_PTR(p.error);
        free(p.error);
        return r;
}

int oci_config_load(const char *bundle, const char *id, OciWarn warn_cb, void *userdata, OciConfig **ret,
                    char **ret_error) {
        _cleanup_json_ json_object *root = NULL;
        _cleanup_close_ int dir = -EBADF;
        int r;

        dir = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) {
                r = -errno;
                if (ret_error)
                        (void) asprintf(ret_error, "bundle '%s': %s", bundle, strerror(-r));
                return r;
        }
        r = json_read_file(dir, "config.json", &root);
        if (r < 0) {
                if (ret_error)
                        (void) asprintf(ret_error, "%s/config.json: %s", bundle,
                                        r == -EBADMSG ? "not valid JSON" : strerror(-r));
                return r;
        }
        return oci_config_parse(root, bundle, id, warn_cb, userdata, ret, ret_error);
}

OciConfig *oci_config_free(OciConfig *c) {
        if (!c)
                return NULL;
        spec_free(c->spec);
        strv_free(c->sysctl);
        for (OciHookKind k = 0; k < _OCI_HOOK_MAX; k++) {
                for (size_t i = 0; i < c->n_hooks[k]; i++) {
                        free(c->hooks[k][i].path);
                        strv_free(c->hooks[k][i].args);
                        strv_free(c->hooks[k][i].env);
                }
                free(c->hooks[k]);
        }
        seccomp_profile_free(c->seccomp);
        oci_resources_free(c->resources);
        free(c->cgroups_path);
        free(c->shm_options);
        for (size_t i = 0; i < OCI_NS_JOIN_MAX; i++)
                free(c->join_ns_paths[i]);
        free(c->uid_map);
        free(c->gid_map);
        free(c->join_userns_path);
        json_object_put(c->annotations);
        strv_free(c->masked_paths);
        strv_free(c->readonly_paths);
        oci_device_rules_done(&c->devices);
        free(c);
        return NULL;
}

const char *oci_hook_kind_to_string(OciHookKind k) {
        static const char *const names[_OCI_HOOK_MAX] = {
                "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
        };
        return k < _OCI_HOOK_MAX ? names[k] : NULL;
}
