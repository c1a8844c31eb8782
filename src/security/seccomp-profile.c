/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "capability-name.h"
#include "json-util.h"
#include "log.h"
#include "seccomp-profile.h"
#include "strv.h"

#ifndef DRAY_SECCOMP_PROFILE_PATH
#error "DRAY_SECCOMP_PROFILE_PATH must be defined by the build"
#endif

/* JSON nesting of the format is 5 deep (profile → syscalls → rule → args → arg); anything deeper is
 * refused by the tokenizer instead of recursing on hostile input. */
#define SECCOMP_PROFILE_JSON_DEPTH 8

/* Parser state: the reason of the first failure. Kept on the stack, copied out once. */
typedef struct ParseContext {
        char error[256];
} ParseContext;

static int fail(ParseContext *c, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(ParseContext *c, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(c->error, sizeof(c->error), fmt, ap);
        va_end(ap);
        return r;
}

/* The location of a value, for messages ("syscalls[3].args[0].op"). Truncation is harmless here. */
static void subpath(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);
static void subpath(char *buf, size_t size, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(buf, size, fmt, ap);
        va_end(ap);
}

/* A user string as it may appear in a message (printable ASCII, quoted by the caller, bounded): error
 * messages travel over D-Bus and into the journal, so they must stay valid UTF-8 and one line. */
static const char *escape(const char *s, char buf[static 72]) {
        size_t n = 0;

        for (; *s && n < 60; s++) {
                unsigned char ch = (unsigned char) *s;

                if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'')
                        buf[n++] = (char) ch;
                else
                        n += (size_t) snprintf(buf + n, 72 - n, "\\x%02x", ch);
        }
        if (*s) {
                memcpy(buf + n, "...", 3);
                n += 3;
        }
        buf[n] = 0;
        return buf;
}

/* ---- tables ---- */

static const char *const action_table[_SECCOMP_ACTION_MAX] = {
        [SECCOMP_ACTION_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
        [SECCOMP_ACTION_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
        [SECCOMP_ACTION_TRAP] = "SCMP_ACT_TRAP",
        [SECCOMP_ACTION_ERRNO] = "SCMP_ACT_ERRNO",
        [SECCOMP_ACTION_TRACE] = "SCMP_ACT_TRACE",
        [SECCOMP_ACTION_LOG] = "SCMP_ACT_LOG",
        [SECCOMP_ACTION_ALLOW] = "SCMP_ACT_ALLOW",
};

const char *seccomp_action_type_to_string(SeccompActionType t) {
        if (t < 0 || t >= _SECCOMP_ACTION_MAX)
                return NULL;
        return action_table[t];
}

SeccompActionType seccomp_action_type_from_string(const char *s) {
        if (!s)
                return _SECCOMP_ACTION_INVALID;
        if (streq(s, "SCMP_ACT_KILL")) /* Docker's older spelling of KILL_THREAD */
                return SECCOMP_ACTION_KILL_THREAD;
        for (int i = 0; i < _SECCOMP_ACTION_MAX; i++)
                if (streq(action_table[i], s))
                        return (SeccompActionType) i;
        return _SECCOMP_ACTION_INVALID;
}

static const struct {
        const char *name;
        enum scmp_compare op;
} op_table[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE },         { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE },         { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE },         { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* Architectures: the SCMP_ARCH_* names of "architectures"/"archMap", and the Docker/Go names of
 * includes/excludes "arches". Tokens this libseccomp lacks are 0: accepted in a profile (it may be
 * written for other machines), never added to a filter. */
#ifndef SCMP_ARCH_LOONGARCH64
#define SCMP_ARCH_LOONGARCH64 0
#endif
#ifndef SCMP_ARCH_M68K
#define SCMP_ARCH_M68K 0
#endif
#ifndef SCMP_ARCH_SH
#define SCMP_ARCH_SH 0
#endif
#ifndef SCMP_ARCH_SHEB
#define SCMP_ARCH_SHEB 0
#endif

static const struct {
        const char *scmp_name;
        uint32_t token;
        const char *name;
} arch_table[] = {
        { "SCMP_ARCH_X86", SCMP_ARCH_X86, "x86" },
        { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64, "amd64" },
        { "SCMP_ARCH_X32", SCMP_ARCH_X32, "x32" },
        { "SCMP_ARCH_ARM", SCMP_ARCH_ARM, "arm" },
        { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64, "arm64" },
        { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS, "mips" },
        { "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64, "mips64" },
        { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32, "mips64n32" },
        { "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL, "mipsle" },
        { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64, "mipsel64" },
        { "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32, "mipsel64n32" },
        { "SCMP_ARCH_PPC", SCMP_ARCH_PPC, "ppc" },
        { "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64, "ppc64" },
        { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE, "ppc64le" },
        { "SCMP_ARCH_S390", SCMP_ARCH_S390, "s390" },
        { "SCMP_ARCH_S390X", SCMP_ARCH_S390X, "s390x" },
        { "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC, "parisc" },
        { "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64, "parisc64" },
        { "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64, "riscv64" },
        { "SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64, "loong64" },
        { "SCMP_ARCH_M68K", SCMP_ARCH_M68K, "m68k" },
        { "SCMP_ARCH_SH", SCMP_ARCH_SH, "sh" },
        { "SCMP_ARCH_SHEB", SCMP_ARCH_SHEB, "sheb" },
};

static const struct {
        const char *alias;
        const char *name;
} arch_alias_table[] = {
        { "386", "x86" },       { "i386", "x86" },         { "x86_64", "amd64" },
        { "aarch64", "arm64" }, { "mips64le", "mipsel64" }, { "mips3l64n32", "mipsel64n32" },
        { "loongarch64", "loong64" },
};

const char *seccomp_arch_to_name(uint32_t arch) {
        if (arch == 0)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(arch_table); i++)
                if (arch_table[i].token == arch)
                        return arch_table[i].name;
        return NULL;
}

static int arch_from_scmp_name(const char *s, uint32_t *ret) {
        for (size_t i = 0; i < ELEMENTSOF(arch_table); i++)
                if (streq(arch_table[i].scmp_name, s)) {
                        *ret = arch_table[i].token;
                        return 0;
                }
        return -EINVAL;
}

static const char *arch_name_canonical(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(arch_alias_table); i++)
                if (streq(arch_alias_table[i].alias, s))
                        return arch_alias_table[i].name;
        for (size_t i = 0; i < ELEMENTSOF(arch_table); i++)
                if (streq(arch_table[i].name, s))
                        return arch_table[i].name;
        return NULL;
}

static const struct {
        const char *name;
        SeccompProfileFlag flag;
} flag_table[] = {
        { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_PROFILE_FLAG_TSYNC },
        { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_PROFILE_FLAG_LOG },
        { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_PROFILE_FLAG_SPEC_ALLOW },
};

static int cap_from_name_strict(const char *n, cap_value_t *ret) {
        /* cap_from_name() also takes numbers and lower case; Docker's profiles use the one spelling,
         * and anything else is more likely a mistake than a capability. */
        if (!strneq(n, "CAP_", 4) || n[4] == 0 || strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(n))
                return -EINVAL;
        return capability_from_name(n, ret);
}

int seccomp_caps_from_names(char *const *names, uint64_t *ret) {
        uint64_t mask = 0;

        STRV_FOREACH(n, names) {
                cap_value_t v;

                if (cap_from_name_strict(*n, &v) < 0)
                        return -EINVAL;
                mask |= UINT64_C(1) << v;
        }
        *ret = mask;
        return 0;
}

const char *seccomp_profile_default_path(void) {
        return DRAY_SECCOMP_PROFILE_PATH;
}

const char *seccomp_profile_boot_path(void) {
        return DRAY_SECCOMP_BOOT_PROFILE_PATH;
}

/* ---- freeing ---- */

static void condition_done(SeccompCondition *c) {
        c->arches = strv_free(c->arches);
}

static void rule_done(SeccompRule *r) {
        r->names = strv_free(r->names);
        condition_done(&r->includes);
        condition_done(&r->excludes);
}

SeccompProfile *seccomp_profile_free(SeccompProfile *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_rules; i++)
                rule_done(&p->rules[i]);
        free(p->rules);
        for (size_t i = 0; i < p->n_arch_map; i++)
                free(p->arch_map[i].sub_arches);
        free(p->arch_map);
        free(p->architectures);
        free(p);
        return NULL;
}

/* ---- JSON helpers ---- */

static bool is_null(json_object *v) {
        return !v || json_object_is_type(v, json_type_null);
}

/* Refuse keys the format does not have. */
static int check_keys(ParseContext *c, json_object *o, const char *where, const char *const *allowed) {
        json_object_object_foreach(o, key, val) {
                bool ok = false;
                char e[72];

                (void) val;
                for (const char *const *a = allowed; *a; a++)
                        if (streq(*a, key)) {
                                ok = true;
                                break;
                        }
                if (!ok)
                        return fail(c, -EINVAL, "%s: unknown key '%s'", where, escape(key, e));
        }
        return 0;
}

static int get_uint(ParseContext *c, json_object *v, const char *where, uint64_t max, uint64_t *ret) {
        uint64_t u;

        if (!json_object_is_type(v, json_type_int))
                return fail(c, -EINVAL, "%s: expected an unsigned integer", where);
        if (json_object_get_int64(v) < 0)
                return fail(c, -EINVAL, "%s: must not be negative", where);
        u = json_object_get_uint64(v);
        if (u > max)
                return fail(c, -EINVAL, "%s: %" PRIu64 " is out of range (maximum %" PRIu64 ")", where, u,
                            max);
        *ret = u;
        return 0;
}

static int get_name(ParseContext *c, json_object *v, const char *where, const char **ret) {
        const char *s;
        size_t n;

        if (!json_object_is_type(v, json_type_string))
                return fail(c, -EINVAL, "%s: expected a string", where);
        s = json_object_get_string(v);
        n = (size_t) json_object_get_string_len(v);
        if (n == 0 || n > SECCOMP_PROFILE_NAME_MAX || strlen(s) != n)
                return fail(c, -EINVAL, "%s: expected a name of 1 to %u characters", where,
                            SECCOMP_PROFILE_NAME_MAX);
        *ret = s;
        return 0;
}

/* An optional array: absent or null is empty. */
static int get_array(ParseContext *c, json_object *o, const char *key, const char *where, size_t max,
                     json_object **ret, size_t *ret_n) {
        json_object *v = NULL;
        size_t n;

        if (!json_object_object_get_ex(o, key, &v) || is_null(v)) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (!json_object_is_type(v, json_type_array))
                return fail(c, -EINVAL, "%s.%s: expected an array", where, key);
        n = json_object_array_length(v);
        if (n > max)
                return fail(c, -EINVAL, "%s.%s: %zu entries, more than the %zu allowed", where, key, n, max);
        *ret = v;
        *ret_n = n;
        return 0;
}

/* ---- parsing ---- */

static bool action_takes_ret(SeccompActionType t) {
        return t == SECCOMP_ACTION_ERRNO || t == SECCOMP_ACTION_TRACE;
}

static int parse_action(ParseContext *c, json_object *o, const char *key, const char *errno_key,
                        const char *where, SeccompAction *ret) {
        json_object *v = NULL, *e = NULL;
        const char *s;
        char esc[72];
        int t, r;

        if (!json_object_object_get_ex(o, key, &v) || is_null(v))
                return fail(c, -EINVAL, "%s: '%s' is missing", where, key);
        if (!json_object_is_type(v, json_type_string))
                return fail(c, -EINVAL, "%s.%s: expected a string", where, key);
        s = json_object_get_string(v);
        if (streq(s, "SCMP_ACT_NOTIFY"))
                return fail(c, -EINVAL, "%s.%s: SCMP_ACT_NOTIFY is not supported (no seccomp agent)", where,
                            key);
        t = seccomp_action_type_from_string(s);
        if (t < 0)
                return fail(c, -EINVAL, "%s.%s: unknown action '%s'", where, key, escape(s, esc));

        *ret = (SeccompAction) { .type = t };
        if (action_takes_ret(t))
                ret->ret = EPERM;
        if (json_object_object_get_ex(o, errno_key, &e) && !is_null(e)) {
                char w[128];
                uint64_t u;

                subpath(w, sizeof(w), "%s.%s", where, errno_key);
                if (!action_takes_ret(t))
                        return fail(c, -EINVAL, "%s: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE", w);
                r = get_uint(c, e, w, SECCOMP_PROFILE_ERRNO_MAX, &u);
                if (r < 0)
                        return r;
                ret->ret = (unsigned) u;
        }
        return 0;
}

static int parse_op(ParseContext *c, json_object *v, const char *where, enum scmp_compare *ret) {
        const char *s;
        char esc[72];

        if (!json_object_is_type(v, json_type_string))
                return fail(c, -EINVAL, "%s: expected a string", where);
        s = json_object_get_string(v);
        for (size_t i = 0; i < ELEMENTSOF(op_table); i++)
                if (streq(op_table[i].name, s)) {
                        *ret = op_table[i].op;
                        return 0;
                }
        return fail(c, -EINVAL, "%s: unknown operator '%s'", where, escape(s, esc));
}

static int parse_arg(ParseContext *c, json_object *o, const char *where, SeccompArg *ret) {
        static const char *const keys[] = { "index", "value", "valueTwo", "op", NULL };
        json_object *v;
        SeccompArg a = {};
        uint64_t u;
        char w[128];
        int r;

        if (!json_object_is_type(o, json_type_object))
                return fail(c, -EINVAL, "%s: expected an object", where);
        r = check_keys(c, o, where, keys);
        if (r < 0)
                return r;

        subpath(w, sizeof(w), "%s.index", where);
        if (!json_object_object_get_ex(o, "index", &v))
                return fail(c, -EINVAL, "%s: missing", w);
        r = get_uint(c, v, w, SECCOMP_PROFILE_ARGS_MAX - 1, &u);
        if (r < 0)
                return r;
        a.index = (unsigned) u;

        subpath(w, sizeof(w), "%s.value", where);
        if (!json_object_object_get_ex(o, "value", &v))
                return fail(c, -EINVAL, "%s: missing", w);
        r = get_uint(c, v, w, UINT64_MAX, &a.value);
        if (r < 0)
                return r;

        subpath(w, sizeof(w), "%s.valueTwo", where);
        if (json_object_object_get_ex(o, "valueTwo", &v) && !is_null(v)) {
                r = get_uint(c, v, w, UINT64_MAX, &a.value_two);
                if (r < 0)
                        return r;
        }

        subpath(w, sizeof(w), "%s.op", where);
        if (!json_object_object_get_ex(o, "op", &v))
                return fail(c, -EINVAL, "%s: missing", w);
        r = parse_op(c, v, w, &a.op);
        if (r < 0)
                return r;

        *ret = a;
        return 0;
}

static int parse_min_kernel(ParseContext *c, json_object *v, const char *where, unsigned *ret) {
        unsigned long major, minor;
        const char *s;
        char *end;

        if (!json_object_is_type(v, json_type_string))
                return fail(c, -EINVAL, "%s: expected a string like \"4.8\"", where);
        s = json_object_get_string(v);
        if (!strchr("0123456789", *s) || !*s)
                goto bad;
        errno = 0;
        major = strtoul(s, &end, 10);
        if (errno != 0 || *end != '.' || major > 0xffff || !strchr("0123456789", end[1]) || !end[1])
                goto bad;
        minor = strtoul(end + 1, &end, 10);
        if (errno != 0 || *end != 0 || minor > 0xffff)
                goto bad;
        *ret = (unsigned) (major << 16 | minor);
        return 0;
bad:
        return fail(c, -EINVAL, "%s: expected a kernel version like \"4.8\"", where);
}

static int parse_condition(ParseContext *c, json_object *o, const char *where, SeccompCondition *ret) {
        static const char *const keys[] = { "caps", "arches", "minKernel", NULL };
        _cleanup_strv_free_ char **arches = NULL;
        SeccompCondition cond = {};
        json_object *a, *v;
        size_t n;
        char w[128], esc[72];
        int r;

        if (is_null(o)) {
                *ret = cond;
                return 0;
        }
        if (!json_object_is_type(o, json_type_object))
                return fail(c, -EINVAL, "%s: expected an object", where);
        r = check_keys(c, o, where, keys);
        if (r < 0)
                return r;

        r = get_array(c, o, "caps", where, SECCOMP_PROFILE_LIST_MAX, &a, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                cap_value_t cap;
                const char *s;

                subpath(w, sizeof(w), "%s.caps[%zu]", where, i);
                r = get_name(c, json_object_array_get_idx(a, i), w, &s);
                if (r < 0)
                        return r;
                if (cap_from_name_strict(s, &cap) < 0)
                        return fail(c, -EINVAL, "%s: unknown capability '%s'", w, escape(s, esc));
                cond.caps |= UINT64_C(1) << cap;
        }

        r = get_array(c, o, "arches", where, SECCOMP_PROFILE_LIST_MAX, &a, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const char *s, *canonical;

                subpath(w, sizeof(w), "%s.arches[%zu]", where, i);
                r = get_name(c, json_object_array_get_idx(a, i), w, &s);
                if (r < 0)
                        return r;
                canonical = arch_name_canonical(s);
                if (!canonical)
                        return fail(c, -EINVAL, "%s: unknown architecture '%s'", w, escape(s, esc));
                if (strv_extend(&arches, canonical) < 0)
                        return -ENOMEM;
        }

        if (json_object_object_get_ex(o, "minKernel", &v) && !is_null(v)) {
                subpath(w, sizeof(w), "%s.minKernel", where);
                r = parse_min_kernel(c, v, w, &cond.min_kernel);
                if (r < 0)
                        return r;
                cond.has_min_kernel = true;
        }

        cond.arches = TAKE_PTR(arches);
        *ret = cond;
        return 0;
}

static int parse_names(ParseContext *c, json_object *o, const char *where, size_t *total, char ***ret) {
        _cleanup_strv_free_ char **names = NULL;
        json_object *a, *v;
        size_t n;
        char w[128], esc[72];
        int r;

        r = get_array(c, o, "names", where, SECCOMP_PROFILE_NAMES_MAX, &a, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const char *s;

                subpath(w, sizeof(w), "%s.names[%zu]", where, i);
                r = get_name(c, json_object_array_get_idx(a, i), w, &s);
                if (r < 0)
                        return r;
                if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(s))
                        return fail(c, -EINVAL, "%s: '%s' is not a syscall name", w, escape(s, esc));
                if (strv_extend(&names, s) < 0)
                        return -ENOMEM;
        }

        /* Docker's deprecated single "name". */
        if (json_object_object_get_ex(o, "name", &v) && !is_null(v)) {
                const char *s;

                subpath(w, sizeof(w), "%s.name", where);
                r = get_name(c, v, w, &s);
                if (r < 0)
                        return r;
                if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(s))
                        return fail(c, -EINVAL, "%s: '%s' is not a syscall name", w, escape(s, esc));
                if (strv_extend(&names, s) < 0)
                        return -ENOMEM;
        }

        if (!names)
                return fail(c, -EINVAL, "%s: names is missing or empty", where);
        *total += strv_length(names);
        if (*total > SECCOMP_PROFILE_NAMES_MAX)
                return fail(c, -EINVAL, "%s: more than %u syscall names in the profile", where,
                            SECCOMP_PROFILE_NAMES_MAX);
        *ret = TAKE_PTR(names);
        return 0;
}

static int parse_rule(ParseContext *c, json_object *o, const char *where, size_t *total, SeccompRule *ret) {
        static const char *const keys[] = {
                "names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes", NULL,
        };
        SeccompRule rule = {};
        json_object *a, *v;
        size_t n;
        char w[128];
        int r;

        if (!json_object_is_type(o, json_type_object))
                return fail(c, -EINVAL, "%s: expected an object", where);
        r = check_keys(c, o, where, keys);
        if (r < 0)
                return r;

        r = parse_names(c, o, where, total, &rule.names);
        if (r < 0)
                goto fail;
        r = parse_action(c, o, "action", "errnoRet", where, &rule.action);
        if (r < 0)
                goto fail;

        r = get_array(c, o, "args", where, SECCOMP_PROFILE_ARGS_MAX, &a, &n);
        if (r < 0)
                goto fail;
        for (size_t i = 0; i < n; i++) {
                subpath(w, sizeof(w), "%s.args[%zu]", where, i);
                r = parse_arg(c, json_object_array_get_idx(a, i), w, &rule.args[i]);
                if (r < 0)
                        goto fail;
        }
        rule.n_args = n;

        if (json_object_object_get_ex(o, "comment", &v) && !is_null(v) &&
            !json_object_is_type(v, json_type_string)) {
                r = fail(c, -EINVAL, "%s.comment: expected a string", where);
                goto fail;
        }

        subpath(w, sizeof(w), "%s.includes", where);
        r = parse_condition(c, json_object_object_get_ex(o, "includes", &v) ? v : NULL, w, &rule.includes);
        if (r < 0)
                goto fail;
        subpath(w, sizeof(w), "%s.excludes", where);
        r = parse_condition(c, json_object_object_get_ex(o, "excludes", &v) ? v : NULL, w, &rule.excludes);
        if (r < 0)
                goto fail;

        *ret = rule;
        return 0;
fail:
        rule_done(&rule);
        return r;
}

static int parse_arch_list(ParseContext *c, json_object *a, size_t n, const char *where, uint32_t **ret) {
        _cleanup_free_ uint32_t *l = NULL;
        char w[128], esc[72];
        int r;

        l = calloc(MAX(n, 1U), sizeof(uint32_t));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *s;

                subpath(w, sizeof(w), "%s[%zu]", where, i);
                r = get_name(c, json_object_array_get_idx(a, i), w, &s);
                if (r < 0)
                        return r;
                if (arch_from_scmp_name(s, &l[i]) < 0)
                        return fail(c, -EINVAL, "%s: unknown architecture '%s'", w, escape(s, esc));
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int parse_arch_map(ParseContext *c, json_object *root, SeccompProfile *p) {
        static const char *const keys[] = { "architecture", "subArchitectures", NULL };
        json_object *a;
        size_t n;
        int r;

        r = get_array(c, root, "archMap", "profile", SECCOMP_PROFILE_LIST_MAX, &a, &n);
        if (r < 0 || n == 0)
                return r;
        p->arch_map = calloc(n, sizeof(SeccompArchMapEntry));
        if (!p->arch_map)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                SeccompArchMapEntry *e = &p->arch_map[i];
                json_object *o = json_object_array_get_idx(a, i), *v, *subs;
                size_t n_subs;
                char w[128], esc[72];
                const char *s;

                p->n_arch_map = i + 1;
                subpath(w, sizeof(w), "archMap[%zu]", i);
                if (!json_object_is_type(o, json_type_object))
                        return fail(c, -EINVAL, "%s: expected an object", w);
                r = check_keys(c, o, w, keys);
                if (r < 0)
                        return r;
                if (!json_object_object_get_ex(o, "architecture", &v))
                        return fail(c, -EINVAL, "%s.architecture: missing", w);
                r = get_name(c, v, w, &s);
                if (r < 0)
                        return r;
                if (arch_from_scmp_name(s, &e->arch) < 0)
                        return fail(c, -EINVAL, "%s.architecture: unknown architecture '%s'", w,
                                    escape(s, esc));
                r = get_array(c, o, "subArchitectures", w, SECCOMP_PROFILE_LIST_MAX, &subs, &n_subs);
                if (r < 0)
                        return r;
                subpath(w, sizeof(w), "archMap[%zu].subArchitectures", i);
                r = parse_arch_list(c, subs, n_subs, w, &e->sub_arches);
                if (r < 0)
                        return r;
                e->n_sub_arches = n_subs;
        }
        return 0;
}

static int parse_flags(ParseContext *c, json_object *root, SeccompProfile *p) {
        json_object *a;
        size_t n;
        int r;

        r = get_array(c, root, "flags", "profile", SECCOMP_PROFILE_LIST_MAX, &a, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char w[64], esc[72];
                const char *s;
                bool found = false;

                subpath(w, sizeof(w), "flags[%zu]", i);
                r = get_name(c, json_object_array_get_idx(a, i), w, &s);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < ELEMENTSOF(flag_table); j++)
                        if (streq(flag_table[j].name, s)) {
                                p->flags |= flag_table[j].flag;
                                found = true;
                        }
                if (!found)
                        return fail(c, -EINVAL, "%s: unsupported flag '%s'", w, escape(s, esc));
        }
        return 0;
}

static int parse_profile(ParseContext *c, json_object *root, SeccompProfile **ret) {
        static const char *const keys[] = {
                "defaultAction", "defaultErrnoRet", "architectures", "archMap", "syscalls", "flags",
                "listenerPath", "listenerMetadata", NULL,
        };
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        json_object *a, *v;
        size_t n, total = 0;
        int r;

        if (!json_object_is_type(root, json_type_object))
                return fail(c, -EINVAL, "profile: expected a JSON object");
        r = check_keys(c, root, "profile", keys);
        if (r < 0)
                return r;

        p = calloc(1, sizeof(SeccompProfile));
        if (!p)
                return -ENOMEM;

        r = parse_action(c, root, "defaultAction", "defaultErrnoRet", "profile", &p->default_action);
        if (r < 0)
                return r;

        if (json_object_object_get_ex(root, "listenerPath", &v) && !is_null(v) &&
            (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) > 0))
                return fail(c, -EINVAL, "listenerPath: seccomp agents are not supported");
        if (json_object_object_get_ex(root, "listenerMetadata", &v) && !is_null(v) &&
            !json_object_is_type(v, json_type_string))
                return fail(c, -EINVAL, "listenerMetadata: expected a string");

        r = get_array(c, root, "architectures", "profile", SECCOMP_PROFILE_LIST_MAX, &a, &n);
        if (r < 0)
                return r;
        r = parse_arch_list(c, a, n, "architectures", &p->architectures);
        if (r < 0)
                return r;
        p->n_architectures = n;

        r = parse_arch_map(c, root, p);
        if (r < 0)
                return r;
        if (p->n_architectures > 0 && p->n_arch_map > 0)
                return fail(c, -EINVAL, "profile: use either 'architectures' or 'archMap', not both");

        r = parse_flags(c, root, p);
        if (r < 0)
                return r;

        r = get_array(c, root, "syscalls", "profile", SECCOMP_PROFILE_RULES_MAX, &a, &n);
        if (r < 0)
                return r;
        p->rules = calloc(MAX(n, 1U), sizeof(SeccompRule));
        if (!p->rules)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char w[64];

                subpath(w, sizeof(w), "syscalls[%zu]", i);
                r = parse_rule(c, json_object_array_get_idx(a, i), w, &total, &p->rules[i]);
                if (r < 0)
                        return r;
                p->n_rules = i + 1;
        }

        *ret = TAKE_PTR(p);
        return 0;
}

static int set_error(ParseContext *c, int r, char **ret_error) {
        if (r >= 0 || !ret_error)
                return r;
        if (r == -ENOMEM && !c->error[0])
                snprintf(c->error, sizeof(c->error), "out of memory");
        if (!c->error[0])
                snprintf(c->error, sizeof(c->error), "%s", strerror(-r));
        *ret_error = strdup(c->error);
        return r;
}

int seccomp_profile_from_json(json_object *root, SeccompProfile **ret, char **ret_error) {
        ParseContext c = {};

        assert(ret);
        return set_error(&c, parse_profile(&c, root, ret), ret_error);
}

int seccomp_profile_from_string(const char *text, size_t size, SeccompProfile **ret, char **ret_error) {
        _cleanup_json_ json_object *root = NULL;
        struct json_tokener *tok;
        ParseContext c = {};
        int r;

        assert(text || size == 0);
        assert(ret);

        if (size > SECCOMP_PROFILE_FILE_MAX)
                return set_error(&c, fail(&c, -EFBIG, "profile is larger than %u bytes",
                                          SECCOMP_PROFILE_FILE_MAX), ret_error);
        if (memchr(text, 0, size))
                return set_error(&c, fail(&c, -EBADMSG, "profile contains a NUL byte"), ret_error);

        tok = json_tokener_new_ex(SECCOMP_PROFILE_JSON_DEPTH);
        if (!tok)
                return set_error(&c, -ENOMEM, ret_error);
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = json_tokener_parse_ex(tok, text, (int) size);
        if (!root || json_tokener_get_error(tok) != json_tokener_success ||
            json_tokener_get_parse_end(tok) != size) {
                r = fail(&c, -EBADMSG, "not valid JSON: %s (at byte %zu)",
                         json_tokener_error_desc(json_tokener_get_error(tok)),
                         json_tokener_get_parse_end(tok));
                json_tokener_free(tok);
                return set_error(&c, r, ret_error);
        }
        json_tokener_free(tok);

        return set_error(&c, parse_profile(&c, root, ret), ret_error);
}

int seccomp_profile_load_file(const char *path, SeccompProfile **ret, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        ParseContext c = {};
        struct stat st;
        size_t n = 0;

        assert(path);
        assert(ret);

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return set_error(&c, fail(&c, -errno, "cannot open: %m"), ret_error);
        if (fstat(fd, &st) < 0)
                return set_error(&c, fail(&c, -errno, "cannot stat: %m"), ret_error);
        if (!S_ISREG(st.st_mode))
                return set_error(&c, fail(&c, -EINVAL, "not a regular file"), ret_error);
        if ((uint64_t) st.st_size > SECCOMP_PROFILE_FILE_MAX)
                return set_error(&c, fail(&c, -EFBIG, "profile is larger than %u bytes",
                                          SECCOMP_PROFILE_FILE_MAX), ret_error);

        /* Read one byte past the size fstat() reported, so a file that grows under us is caught. */
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return set_error(&c, -ENOMEM, ret_error);
        for (;;) {
                ssize_t k = read(fd, buf + n, (size_t) st.st_size + 1 - n);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return set_error(&c, fail(&c, -errno, "cannot read: %m"), ret_error);
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > (size_t) st.st_size)
                        return set_error(&c, fail(&c, -EFBIG, "profile changed size while being read"),
                                         ret_error);
        }

        return seccomp_profile_from_string(buf, n, ret, ret_error);
}

/* ---- compiling ---- */

static bool strv_contains_const(char *const *l, const char *s) {
        return s && strv_contains(l, s);
}

bool seccomp_rule_applies(const SeccompRule *r, uint64_t caps, const char *arch, unsigned kernel) {
        assert(r);

        /* Docker's rules, in its order: arches, caps, kernel. */
        if (r->excludes.arches && strv_contains_const(r->excludes.arches, arch))
                return false;
        if (r->includes.arches && !strv_contains_const(r->includes.arches, arch))
                return false;
        if (r->excludes.caps & caps)
                return false;
        if ((r->includes.caps & caps) != r->includes.caps)
                return false;
        if (r->excludes.has_min_kernel && kernel >= r->excludes.min_kernel)
                return false;
        if (r->includes.has_min_kernel && kernel < r->includes.min_kernel)
                return false;
        return true;
}

static uint32_t action_to_scmp(const SeccompAction *a) {
        switch (a->type) {
        case SECCOMP_ACTION_KILL_THREAD:
                return SCMP_ACT_KILL_THREAD;
        case SECCOMP_ACTION_KILL_PROCESS:
                return SCMP_ACT_KILL_PROCESS;
        case SECCOMP_ACTION_TRAP:
                return SCMP_ACT_TRAP;
        case SECCOMP_ACTION_ERRNO:
                return SCMP_ACT_ERRNO(a->ret);
        case SECCOMP_ACTION_TRACE:
                return SCMP_ACT_TRACE(a->ret);
        case SECCOMP_ACTION_LOG:
                return SCMP_ACT_LOG;
        case SECCOMP_ACTION_ALLOW:
                return SCMP_ACT_ALLOW;
        default:
                assert(false);
                return SCMP_ACT_KILL_PROCESS;
        }
}

static int kernel_version(unsigned *ret) {
        unsigned major = 0, minor = 0;
        struct utsname u;

        if (uname(&u) < 0)
                return -errno;
        if (sscanf(u.release, "%u.%u", &major, &minor) != 2)
                return -EINVAL;
        *ret = MIN(major, 0xffffU) << 16 | MIN(minor, 0xffffU);
        return 0;
}

static int add_arch(scmp_filter_ctx ctx, uint32_t arch) {
        int r;

        if (arch == 0) /* unknown to this libseccomp */
                return 0;
        r = seccomp_arch_add(ctx, arch);
        if (r == -EEXIST)
                return 0;
        if (r < 0)
                /* e.g. an architecture this libseccomp was built without */
                log_debug_errno(r, "seccomp: cannot add architecture 0x%x, ignoring: %m", arch);
        return 0;
}

static int add_arches(scmp_filter_ctx ctx, const SeccompProfile *p, uint32_t native) {
        int r;

        for (size_t i = 0; i < p->n_architectures; i++) {
                r = add_arch(ctx, p->architectures[i]);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < p->n_arch_map; i++) {
                if (p->arch_map[i].arch != native)
                        continue;
                for (size_t j = 0; j < p->arch_map[i].n_sub_arches; j++) {
                        r = add_arch(ctx, p->arch_map[i].sub_arches[j]);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static bool args_share_an_index(const SeccompRule *r) {
        for (size_t i = 0; i < r->n_args; i++)
                for (size_t j = i + 1; j < r->n_args; j++)
                        if (r->args[i].index == r->args[j].index)
                                return true;
        return false;
}

static struct scmp_arg_cmp arg_to_scmp(const SeccompArg *a) {
        return (struct scmp_arg_cmp) {
                .arg = a->index,
                .op = a->op,
                .datum_a = a->value,
                .datum_b = a->value_two,
        };
}

static int add_syscall(scmp_filter_ctx ctx, const SeccompRule *rule, uint32_t action, const char *name) {
        struct scmp_arg_cmp cmps[SECCOMP_PROFILE_ARGS_MAX];
        int nr, r;

        nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR) {
                /* Newer than this libseccomp, or of another architecture: it stays denied. */
                log_debug("seccomp: unknown syscall '%s', skipping.", name);
                return 0;
        }

        if (!args_share_an_index(rule)) {
                for (size_t i = 0; i < rule->n_args; i++)
                        cmps[i] = arg_to_scmp(&rule->args[i]);
                r = seccomp_rule_add_array(ctx, action, nr, (unsigned) rule->n_args, cmps);
                if (r < 0)
                        return log_debug_errno(r, "seccomp: cannot add rule for '%s': %m", name);
                return 0;
        }

        /* Several conditions on one argument: one rule each, ORed (as runc does). */
        for (size_t i = 0; i < rule->n_args; i++) {
                cmps[0] = arg_to_scmp(&rule->args[i]);
                r = seccomp_rule_add_array(ctx, action, nr, 1, cmps);
                if (r < 0)
                        return log_debug_errno(r, "seccomp: cannot add rule for '%s': %m", name);
        }
        return 0;
}

static int set_attributes(scmp_filter_ctx ctx, const SeccompProfile *p) {
        int r;

        /* The runtime sets no_new_privs itself, when it decides to. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return r;
        /* Report the kernel's errno from seccomp_load(), not -ECANCELED (libseccomp ≥ 2.5). */
        (void) seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
        /* A syscall from an architecture the filter does not know ends the process rather than one
         * thread of it (SCMP_ACT_KILL_PROCESS needs API level 3, kernel 4.14). */
        if (seccomp_api_get() >= 3)
                (void) seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);

        if (p->flags & SECCOMP_PROFILE_FLAG_TSYNC) {
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
                if (r < 0)
                        return r;
        }
        if (p->flags & SECCOMP_PROFILE_FLAG_LOG) {
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
                if (r < 0)
                        return r;
        }
        if (p->flags & SECCOMP_PROFILE_FLAG_SPEC_ALLOW) {
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

int seccomp_profile_compile(const SeccompProfile *p, uint64_t caps, scmp_filter_ctx *ret) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        uint32_t native, default_action;
        unsigned kernel;
        const char *arch;
        int r;

        assert(p);
        assert(ret);

        r = kernel_version(&kernel);
        if (r < 0)
                return log_debug_errno(r, "seccomp: cannot determine the kernel version: %m");
        native = seccomp_arch_native();
        arch = seccomp_arch_to_name(native);

        default_action = action_to_scmp(&p->default_action);
        ctx = seccomp_init(default_action);
        if (!ctx)
                return -ENOMEM;
        r = set_attributes(ctx, p);
        if (r < 0)
                return log_debug_errno(r, "seccomp: cannot set filter attributes: %m");
        r = add_arches(ctx, p, native);
        if (r < 0)
                return r;

        for (size_t i = 0; i < p->n_rules; i++) {
                const SeccompRule *rule = &p->rules[i];
                uint32_t action = action_to_scmp(&rule->action);

                if (!seccomp_rule_applies(rule, caps, arch, kernel))
                        continue;
                /* libseccomp refuses rules that repeat the default action; they change nothing. */
                if (action == default_action)
                        continue;
                STRV_FOREACH(name, rule->names) {
                        r = add_syscall(ctx, rule, action, *name);
                        if (r < 0)
                                return r;
                }
        }

        *ret = TAKE_PTR(ctx);
        return 0;
}

int seccomp_profile_apply(const SeccompProfile *p, uint64_t caps) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        r = seccomp_profile_compile(p, caps, &ctx);
        if (r < 0)
                return r;
        r = seccomp_load(ctx);
        if (r < 0)
                return log_debug_errno(r, "seccomp: cannot load the filter: %m");
        return 0;
}
