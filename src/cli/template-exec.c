/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Go-template evaluation over json-c values: the tree template.c parsed, walked with "." bound to
 * the current value. Every json_object held by a Value is a reference of its own. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json-util.h"
#include "strv.h"
#include "template-internal.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

typedef struct Value {
        json_object *o;         /* NULL is JSON null */
        bool missing;           /* a key the document lacks */
        const Arg *origin;      /* what produced it, for messages */
} Value;

static void value_done(Value *v) {
        json_object_put(v->o);
        *v = (Value) {};
}

typedef struct Variable {
        const char *name;
        json_object *value;
        const struct Variable *up;
} Variable;

typedef struct Exec {
        const Template *t;
        json_object *root;
        FILE *out;
        char *error;
        const char *const *headers;
} Exec;

static int fail(Exec *e, int error, size_t pos, const char *format, ...) _printf_(4, 5);
static int fail(Exec *e, int error, size_t pos, const char *format, ...) {
        _cleanup_free_ char *what = NULL;
        va_list ap;
        int r;

        if (e->error)
                return error;
        va_start(ap, format);
        r = vasprintf(&what, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        e->error = template_error(e->t, pos, "%s", what);
        return e->error ? error : -ENOMEM;
}

static void text_free(json_object *o, void *userdata) {
        free(userdata);
}

int template_object_set_text(json_object *o, const char *text) {
        char *copy;

        if (!json_object_is_type(o, json_type_object) && !json_object_is_type(o, json_type_array))
                return -EINVAL;
        copy = strdup(text);
        if (!copy)
                return -ENOMEM;
        json_object_set_userdata(o, copy, text_free);
        return 0;
}

/* Go's truth. */
static bool value_true(const Value *v) {
        switch (v->missing ? json_type_null : json_object_get_type(v->o)) {
        case json_type_boolean: return json_object_get_boolean(v->o);
        case json_type_int: return json_object_get_int64(v->o) != 0 || json_object_get_uint64(v->o) != 0;
        case json_type_double: return json_object_get_double(v->o) != 0;
        case json_type_string: return json_object_get_string_len(v->o) > 0;
        case json_type_array: return json_object_array_length(v->o) > 0;
        case json_type_object: return json_object_object_length(v->o) > 0;
        default: return false;
        }
}

/* The text a value prints as: borrowed from o, or *buf. */
static const char *value_text(const Value *v) {
        json_type type = json_object_get_type(v->o);

        if (type == json_type_string)
                return json_object_get_string(v->o);
        if ((type == json_type_object || type == json_type_array) && json_object_get_userdata(v->o))
                return json_object_get_userdata(v->o);
        return json_object_to_json_string_ext(v->o, JSON_FLAGS);
}

static int value_print(Exec *e, const Value *v, size_t pos) {
        if (v->missing)
                return fail(e, -ENOENT, pos, "no such property '%s'",
                            v->origin && v->origin->name ? v->origin->name : "?");
        fputs(value_text(v), e->out);
        return 0;
}

static int value_new_string(const char *s, Value *ret) {
        json_object *o = json_object_new_string(s);

        if (!o)
                return -ENOMEM;
        *ret = (Value) { .o = o };
        return 0;
}

/* .A.B from base, consuming base's reference. */
static int follow(Exec *e, const Arg *a, Value base, Value *ret) {
        Value v = base;

        v.origin = a;
        for (char **k = a->path; k && *k; k++) {
                json_object *child;

                if (v.missing)
                        break;
                if (!v.o) { /* a field of null: missing, as Go's nil pointer would be */
                        v.missing = true;
                        break;
                }
                if (!json_object_is_type(v.o, json_type_object)) {
                        json_type type = json_object_get_type(v.o);

                        value_done(&v);
                        return fail(e, -EINVAL, a->pos, "can't evaluate field '%s' of a %s in '%s'", *k,
                                    json_type_to_name(type), a->name);
                }
                if (!json_object_object_get_ex(v.o, *k, &child)) {
                        json_object_put(v.o);
                        v.o = NULL;
                        v.missing = true;
                        break;
                }
                json_object_get(child);
                json_object_put(v.o);
                v.o = child;
        }
        *ret = v;
        return 0;
}

static int eval_pipe(Exec *e, const Pipe *p, json_object *dot, const Variable *vars, Value *ret);

static int eval_arg(Exec *e, const Arg *a, json_object *dot, const Variable *vars, Value *ret) {
        switch (a->type) {
        case ARG_FIELD:
                return follow(e, a, (Value) { .o = json_object_get(dot) }, ret);
        case ARG_VARIABLE:
                if (streq(a->name, "$"))
                        return follow(e, a, (Value) { .o = json_object_get(e->root) }, ret);
                for (const Variable *v = vars; v; v = v->up)
                        if (streq(v->name, a->name))
                                return follow(e, a, (Value) { .o = json_object_get(v->value) }, ret);
                return fail(e, -EINVAL, a->pos, "undefined variable '%s'", a->name);
        case ARG_STRING:
                return value_new_string(a->string, ret);
        case ARG_NUMBER:
                *ret = (Value) { .o = json_object_new_int64(a->number) };
                return ret->o ? 0 : -ENOMEM;
        case ARG_BOOL:
                *ret = (Value) { .o = json_object_new_boolean(a->boolean) };
                return ret->o ? 0 : -ENOMEM;
        case ARG_NIL:
                *ret = (Value) {};
                return 0;
        case ARG_PIPE: {
                Value v;
                int r;

                r = eval_pipe(e, a->pipe, dot, vars, &v);
                if (r < 0 || !a->path)
                        return r < 0 ? r : (*ret = v, 0);
                return follow(e, a, v, ret);
        }
        case ARG_FUNCTION:
        default:
                return fail(e, -EINVAL, a->pos, "function '%s' needs arguments", a->name);
        }
}

/* ---- functions: args[0..n) evaluated, the piped value last ---- */

static int arg_count(Exec *e, const Command *c, size_t n, size_t min, size_t max) {
        if (n < min || n > max)
                return fail(e, -EINVAL, c->pos, "wrong number of arguments for '%s': %zu", c->args[0].name, n);
        return 0;
}

static int arg_string(Exec *e, const Command *c, const Value *v, const char **ret) {
        if (v->missing)
                return fail(e, -ENOENT, c->pos, "no such property '%s'",
                            v->origin && v->origin->name ? v->origin->name : "?");
        *ret = value_text(v);
        return 0;
}

static int arg_int(Exec *e, const Command *c, const Value *v, int64_t *ret) {
        if (!json_object_is_type(v->o, json_type_int) || v->missing)
                return fail(e, -EINVAL, c->pos, "'%s' wants an integer", c->args[0].name);
        *ret = json_object_get_int64(v->o);
        return 0;
}

static int func_json(Exec *e, const Command *c, Value *a, size_t n, Value *ret) {
        if (arg_count(e, c, n, 1, 1) < 0)
                return -EINVAL;
        if (a[0].missing)
                return value_print(e, &a[0], c->pos);
        return value_new_string(json_object_to_json_string_ext(a[0].o, JSON_FLAGS), ret);
}

static int func_index(Exec *e, const Command *c, Value *a, size_t n, Value *ret) {
        Value v;

        if (arg_count(e, c, n, 1, SIZE_MAX) < 0)
                return -EINVAL;
        v = (Value) { .o = json_object_get(a[0].o), .missing = a[0].missing, .origin = a[0].origin };
        for (size_t i = 1; i < n && !v.missing && v.o; i++) {
                json_object *child = NULL;

                if (json_object_is_type(v.o, json_type_object) && json_object_is_type(a[i].o, json_type_string)) {
                        /* A missing key is Go's zero value of a map[string]string, as docker's Labels. */
                        if (!json_object_object_get_ex(v.o, json_object_get_string(a[i].o), &child)) {
                                value_done(&v);
                                return value_new_string("", ret);
                        }
                } else if (json_object_is_type(v.o, json_type_array) && json_object_is_type(a[i].o, json_type_int)) {
                        int64_t k = json_object_get_int64(a[i].o);

                        if (k < 0 || (uint64_t) k >= json_object_array_length(v.o)) {
                                value_done(&v);
                                return fail(e, -EINVAL, c->pos, "index %" PRIi64 " out of range", k);
                        }
                        child = json_object_array_get_idx(v.o, (size_t) k);
                } else {
                        value_done(&v);
                        return fail(e, -EINVAL, c->pos, "can't index a %s with a %s",
                                    json_type_to_name(json_object_get_type(v.o)),
                                    json_type_to_name(json_object_get_type(a[i].o)));
                }
                json_object_get(child);
                json_object_put(v.o);
                v.o = child;
        }
        *ret = v;
        return 0;
}

static int func_len(Exec *e, const Command *c, Value *a, size_t n, Value *ret) {
        int64_t l = 0;

        if (arg_count(e, c, n, 1, 1) < 0)
                return -EINVAL;
        switch (a[0].missing ? json_type_null : json_object_get_type(a[0].o)) {
        case json_type_string: l = json_object_get_string_len(a[0].o); break;
        case json_type_array: l = (int64_t) json_object_array_length(a[0].o); break;
        case json_type_object: l = json_object_object_length(a[0].o); break;
        case json_type_null: break;
        default: return fail(e, -EINVAL, c->pos, "len of a %s", json_type_to_name(json_object_get_type(a[0].o)));
        }
        *ret = (Value) { .o = json_object_new_int64(l) };
        return ret->o ? 0 : -ENOMEM;
}

static int func_join(Exec *e, const Command *c, Value *a, size_t n, Value *ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        const char *sep = NULL;
        FILE *f;
        int r;

        if (arg_count(e, c, n, 2, 2) < 0 || arg_string(e, c, &a[1], &sep) < 0)
                return -EINVAL;
        if (!a[0].missing && a[0].o && !json_object_is_type(a[0].o, json_type_array))
                return fail(e, -EINVAL, c->pos, "join wants an array, not a %s",
                            json_type_to_name(json_object_get_type(a[0].o)));
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; json_object_is_type(a[0].o, json_type_array) && i < json_object_array_length(a[0].o); i++) {
                Value item = { .o = json_object_array_get_idx(a[0].o, i) };

                fprintf(f, "%s%s", i > 0 ? sep : "", value_text(&item));
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        r = value_new_string(buf, ret);
        return r;
}

static int func_split(Exec *e, const Command *c, Value *a, size_t n, Value *ret) {
        _cleanup_json_ json_object *array = json_object_new_array();
        const char *s = NULL, *sep = NULL;

        if (arg_count(e, c, n, 2, 2) < 0 || arg_string(e, c, &a[0], &s) < 0 || arg_string(e, c, &a[1], &sep) < 0)
                return -EINVAL;
        if (!array)
                return -ENOMEM;
        for (;;) {
                const char *next = *sep ? strstr(s, sep) : NULL;
                size_t len = next ? (size_t) (next - s) : strlen(s);

                if (json_object_array_add(array, json_object_new_string_len(s, (int) len)) < 0)
                        return -ENOMEM;
                if (!next)
                        break;
                s = next + strlen(sep);
        }
        *ret = (Value) { .o = TAKE_PTR(array) };
        return 0;
}

static int func_case(Exec *e, const Command *c, Value *a, size_t n, Value *ret) {
        _cleanup_free_ char *copy = NULL;
        const char *s = NULL;
        bool word = true;

        if (arg_count(e, c, n, 1, 1) < 0 || arg_string(e, c, &a[0], &s) < 0)
                return -EINVAL;
        copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        for (char *p = copy; *p; p++) {
                if (streq(c->args[0].name, "upper") || (streq(c->args[0].name, "title") && word))
                        *p = (char) toupper((unsigned char) *p);
                else if (streq(c->args[0].name, "lower"))
                        *p = (char) tolower((unsigned char) *p);
                word = isspace((unsigned char) *p);
        }
        return value_new_string(copy, ret);
}

static int func_truncate(Exec *e, const Command *c, Value *a, size_t n, Value *ret) {
        _cleanup_free_ char *copy = NULL;
        const char *s = NULL;
        int64_t max = 0, chars = 0;
        size_t i;

        if (arg_count(e, c, n, 2, 2) < 0 || arg_string(e, c, &a[0], &s) < 0 || arg_int(e, c, &a[1], &max) < 0)
                return -EINVAL;
        /* Cut at a code point, never inside one. */
        for (i = 0; s[i]; i++)
                if (((unsigned char) s[i] & 0xc0) != 0x80 && chars++ == max)
                        break;
        copy = strndup(s, i);
        if (!copy)
                return -ENOMEM;
        return value_new_string(copy, ret);
}

/* printf with %s %v %d %q %% and a width ("-" pads on the right), as Go's for these verbs. */
static int printf_one(Exec *e, const Command *c, char verb, const Value *v, FILE *f, bool left, int width) {
        _cleanup_json_ json_object *quoted = NULL;
        char number[32];
        const char *s = NULL;
        int64_t i;
        size_t len;

        if (verb == 'd') {
                if (arg_int(e, c, v, &i) < 0)
                        return -EINVAL;
                (void) snprintf(number, sizeof(number), "%" PRIi64, i);
                s = number;
        } else if (arg_string(e, c, v, &s) < 0)
                return -EINVAL;
        if (verb == 'q') {
                quoted = json_object_new_string(s);
                if (!quoted)
                        return -ENOMEM;
                s = json_object_to_json_string_ext(quoted, JSON_FLAGS);
        }
        len = strlen(s);
        for (size_t k = len; !left && k < (size_t) width; k++)
                fputc(' ', f);
        fputs(s, f);
        for (size_t k = len; left && k < (size_t) width; k++)
                fputc(' ', f);
        return 0;
}

static int func_printf(Exec *e, const Command *c, Value *a, size_t n, Value *ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, next = 1;
        const char *fmt = NULL;
        FILE *f;
        int r = 0;

        if (arg_count(e, c, n, 1, SIZE_MAX) < 0 || arg_string(e, c, &a[0], &fmt) < 0)
                return -EINVAL;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (const char *p = fmt; *p && r >= 0; p++) {
                bool left = false;
                int width = 0;

                if (*p != '%') {
                        fputc(*p, f);
                        continue;
                }
                if (p[1] == '%') {
                        fputc('%', f);
                        p++;
                        continue;
                }
                for (p++; *p == '-'; p++)
                        left = true;
                for (; *p >= '0' && *p <= '9' && width < 1000; p++)
                        width = width * 10 + (*p - '0');
                if (!*p || !strchr("svdq", *p)) {
                        r = fail(e, -EINVAL, c->pos, "printf: unsupported verb in '%s'", fmt);
                        break;
                }
                if (next >= n) {
                        fprintf(f, "%%!%c(MISSING)", *p); /* Go's marker for a missing argument */
                        continue;
                }
                r = printf_one(e, c, *p, &a[next++], f, left, width);
        }
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        return value_new_string(buf, ret);
}

/* <0, 0, >0; -EINVAL-ish 2 when not comparable. */
static int compare(const Value *a, const Value *b, int *ret) {
        json_type ta = a->missing ? json_type_null : json_object_get_type(a->o),
                  tb = b->missing ? json_type_null : json_object_get_type(b->o);

        if ((ta == json_type_int || ta == json_type_double) && (tb == json_type_int || tb == json_type_double)) {
                if (ta == json_type_int && tb == json_type_int) {
                        int64_t x = json_object_get_int64(a->o), y = json_object_get_int64(b->o);
                        *ret = (x > y) - (x < y);
                } else {
                        double x = json_object_get_double(a->o), y = json_object_get_double(b->o);
                        *ret = (x > y) - (x < y);
                }
                return 0;
        }
        if (ta != tb)
                return -EINVAL;
        switch (ta) {
        case json_type_string: *ret = strcmp(json_object_get_string(a->o), json_object_get_string(b->o)); return 0;
        case json_type_boolean: *ret = json_object_get_boolean(a->o) - json_object_get_boolean(b->o); return 0;
        case json_type_null: *ret = 0; return 0;
        default: return -EINVAL;
        }
}

static int func_compare(Exec *e, const Command *c, Value *a, size_t n, Value *ret) {
        const char *f = c->args[0].name;
        bool result = false;
        int d;

        if (arg_count(e, c, n, 2, streq(f, "eq") ? SIZE_MAX : 2) < 0)
                return -EINVAL;
        for (size_t i = 1; i < n; i++) {
                if (compare(&a[0], &a[i], &d) < 0) {
                        if (streq(f, "eq") || streq(f, "ne")) { /* different types are just unequal */
                                d = 1;
                        } else
                                return fail(e, -EINVAL, c->pos, "incompatible types for comparison in '%s'", f);
                }
                result = streq(f, "eq") ? d == 0 : streq(f, "ne") ? d != 0 : streq(f, "lt") ? d < 0 :
                         streq(f, "le") ? d <= 0 : streq(f, "gt") ? d > 0 : d >= 0;
                if (result && streq(f, "eq"))
                        break;
        }
        *ret = (Value) { .o = json_object_new_boolean(result) };
        return ret->o ? 0 : -ENOMEM;
}

static int func_logic(Exec *e, const Command *c, Value *a, size_t n, Value *ret) {
        const char *f = c->args[0].name;
        size_t i;

        if (streq(f, "not")) {
                if (arg_count(e, c, n, 1, 1) < 0)
                        return -EINVAL;
                *ret = (Value) { .o = json_object_new_boolean(!value_true(&a[0])) };
                return ret->o ? 0 : -ENOMEM;
        }
        if (arg_count(e, c, n, 1, SIZE_MAX) < 0)
                return -EINVAL;
        /* and: the first false argument, or the last; or: the first true one, or the last. */
        for (i = 0; i + 1 < n; i++)
                if (value_true(&a[i]) == streq(f, "or"))
                        break;
        *ret = a[i];
        a[i] = (Value) {};
        return 0;
}

typedef int (*Function)(Exec *e, const Command *c, Value *a, size_t n, Value *ret);

static const struct {
        const char *name;
        Function call;
} function_table[] = {
        { "json", func_json }, { "index", func_index }, { "len", func_len }, { "join", func_join },
        { "split", func_split }, { "upper", func_case }, { "lower", func_case }, { "title", func_case },
        { "truncate", func_truncate }, { "printf", func_printf }, { "eq", func_compare },
        { "ne", func_compare }, { "lt", func_compare }, { "le", func_compare }, { "gt", func_compare },
        { "ge", func_compare }, { "not", func_logic }, { "and", func_logic }, { "or", func_logic },
};

static int eval_command(Exec *e, const Command *c, json_object *dot, const Variable *vars, Value *piped,
                        Value *ret) {
        Value *a;
        size_t n = 0;
        int r = 0;

        if (c->args[0].type != ARG_FUNCTION) {
                if (piped)
                        return fail(e, -EINVAL, c->pos, "only a function can follow '|'");
                return eval_arg(e, &c->args[0], dot, vars, ret);
        }
        a = calloc(c->n_args + 1, sizeof(Value));
        if (!a)
                return -ENOMEM;
        for (size_t i = 1; i < c->n_args && r >= 0; i++)
                r = eval_arg(e, &c->args[i], dot, vars, &a[n++]);
        if (r >= 0 && piped) {
                a[n++] = *piped;
                *piped = (Value) {};
        }
        if (r >= 0) {
                r = -EINVAL;
                for (size_t k = 0; k < ELEMENTSOF(function_table); k++)
                        if (streq(function_table[k].name, c->args[0].name)) {
                                *ret = (Value) {};
                                r = function_table[k].call(e, c, a, n, ret);
                                break;
                        }
        }
        for (size_t i = 0; i < n; i++)
                value_done(&a[i]);
        free(a);
        return r;
}

static int eval_pipe(Exec *e, const Pipe *p, json_object *dot, const Variable *vars, Value *ret) {
        Value v = {};
        int r;

        for (size_t i = 0; i < p->n_commands; i++) {
                Value next = {};

                r = eval_command(e, &p->commands[i], dot, vars, i > 0 ? &v : NULL, &next);
                value_done(&v);
                if (r < 0)
                        return r;
                v = next;
        }
        *ret = v;
        return 0;
}

static int walk(Exec *e, const NodeList *l, json_object *dot, const Variable *vars);

static int compare_keys(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* One turn of a range: "." is item, and the declared variables are bound to key and item. */
static int range_item(Exec *e, const Node *n, json_object *key, json_object *item, const Variable *vars) {
        Variable k = { n->pipe->declare[0], key, vars }, v = { n->pipe->declare[1], item, &k };

        if (!key)
                return -ENOMEM;
        if (n->pipe->n_declare == 1)
                k.value = item;
        return walk(e, &n->body, item, n->pipe->n_declare == 2 ? &v : n->pipe->n_declare == 1 ? &k : vars);
}

static int walk_range(Exec *e, const Node *n, const Value *v, const Variable *vars) {
        json_type type = v->missing ? json_type_null : json_object_get_type(v->o);
        _cleanup_strv_free_ char **keys = NULL;
        size_t count = 0;
        int r;

        if (type == json_type_array) {
                count = json_object_array_length(v->o);
                for (size_t i = 0; i < count; i++) {
                        _cleanup_json_ json_object *k = json_object_new_int64((int64_t) i);

                        r = range_item(e, n, k, json_object_array_get_idx(v->o, i), vars);
                        if (r < 0)
                                return r;
                }
        } else if (type == json_type_object) {
                /* Go ranges over a map in key order. */
                json_object_object_foreach(v->o, key, val) {
                        (void) val;
                        if (strv_extend(&keys, key) < 0)
                                return -ENOMEM;
                }
                count = strv_length(keys);
                if (count > 1)
                        qsort(keys, count, sizeof(char *), compare_keys);
                for (size_t i = 0; i < count; i++) {
                        _cleanup_json_ json_object *k = json_object_new_string(keys[i]);

                        r = range_item(e, n, k, json_object_object_get(v->o, keys[i]), vars);
                        if (r < 0)
                                return r;
                }
        } else if (type != json_type_null)
                return fail(e, -EINVAL, n->pos, "range can't iterate over a %s", json_type_to_name(type));
        return count == 0 ? walk(e, &n->otherwise, NULL, vars) : 0;
}

static int walk(Exec *e, const NodeList *l, json_object *dot, const Variable *vars) {
        int r = 0;

        for (size_t i = 0; i < l->n && r >= 0; i++) {
                const Node *n = l->nodes[i];
                Value v = {};

                if (n->type == NODE_TEXT) {
                        fputs(n->text, e->out);
                        continue;
                }
                r = eval_pipe(e, n->pipe, dot, vars, &v);
                if (r < 0)
                        return r;
                switch (n->type) {
                case NODE_ACTION:
                        r = value_print(e, &v, n->pos);
                        break;
                case NODE_IF:
                        r = walk(e, value_true(&v) ? &n->body : &n->otherwise, dot, vars);
                        break;
                case NODE_WITH:
                        r = value_true(&v) ? walk(e, &n->body, v.o, vars) : walk(e, &n->otherwise, dot, vars);
                        break;
                case NODE_RANGE:
                        r = walk_range(e, n, &v, vars);
                        break;
                default:
                        break;
                }
                value_done(&v);
        }
        return r;
}

static int render(const Template *t, Exec *e, int (*f)(Exec *e), char **ret, char **ret_error) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int r;

        e->t = t;
        e->out = open_memstream(&buf, &size);
        if (!e->out)
                return -ENOMEM;
        r = f(e);
        if (fclose(e->out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(e->error);
                free(e->error);
                return r;
        }
        *ret = TAKE_PTR(buf);
        return 0;
}

static int render_values(Exec *e) {
        return walk(e, &e->t->root, e->root, NULL);
}

int template_render(const Template *t, json_object *o, char **ret, char **ret_error) {
        Exec e = { .root = o };

        return render(t, &e, render_values, ret, ret_error);
}

/* ---- headers ---- */

static const Arg *pipe_first_field(const Pipe *p) {
        for (size_t i = 0; i < p->n_commands; i++)
                for (size_t j = 0; j < p->commands[i].n_args; j++) {
                        const Arg *a = &p->commands[i].args[j], *f;

                        if ((a->type == ARG_FIELD || a->type == ARG_VARIABLE) && a->path && a->path[0])
                                return a;
                        if (a->type == ARG_PIPE && (f = pipe_first_field(a->pipe)))
                                return f;
                }
        return NULL;
}

static void header_print(Exec *e, const Pipe *p) {
        const Arg *a = pipe_first_field(p);
        const char *last;

        if (!a)
                return;
        last = a->path[strv_length(a->path) - 1];
        for (const char *const *h = e->headers; h && h[0] && h[1]; h += 2)
                if (streq(h[0], last) || streq(h[0], a->name + (a->name[0] == '.')) || streq(h[0], a->name)) {
                        fputs(h[1], e->out);
                        return;
                }
        for (const char *c = last; *c; c++)
                fputc(toupper((unsigned char) *c), e->out);
}

static void header_walk(Exec *e, const NodeList *l) {
        for (size_t i = 0; i < l->n; i++) {
                const Node *n = l->nodes[i];

                if (n->type == NODE_TEXT)
                        fputs(n->text, e->out);
                else if (n->type == NODE_ACTION)
                        header_print(e, n->pipe);
                else
                        header_walk(e, &n->body);
        }
}

static int render_headers(Exec *e) {
        header_walk(e, &e->t->root);
        return 0;
}

int template_render_header(const Template *t, const char *const *headers, char **ret) {
        Exec e = { .headers = headers };

        return render(t, &e, render_headers, ret, NULL);
}

int template_expand(const char *tmpl, json_object *o, char **ret, char **ret_bad_action) {
        _cleanup_(template_freep) Template *t = NULL;
        int r;

        r = template_parse(tmpl, &t, ret_bad_action);
        if (r < 0)
                return r;
        return template_render(t, o, ret, ret_bad_action);
}
