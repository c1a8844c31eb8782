/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli_getopt(): getopt_long with Docker's habits and without its prefix matching. A first pass checks
 * every option against the tables (exact names only, arguments present) and moves the options in front
 * of the operands; getopt_long then decodes the reordered argv in POSIX ("+") mode, so it never sees an
 * abbreviation and never reorders anything itself. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-getopt.h"
#include "log.h"

typedef enum BadKind {
        BAD_NONE,
        BAD_UNKNOWN,     /* '?': no such option */
        BAD_NEEDS_VALUE, /* ':': a required argument is missing */
        BAD_NO_VALUE,    /* '?': "--rm=yes", an option that takes no argument */
} BadKind;

/* The refused option, as typed: a pointer into argv, or a short option's two characters. */
typedef struct BadOption {
        BadKind kind;
        const char *token;
        size_t len;
        char short_opt[3];
} BadOption;

static BadOption bad;

static bool failed, help_only;

void getopt_reset(void) {
        optind = 0;
        opterr = 0;
        optopt = 0;
        optarg = NULL;
        bad = (BadOption) {};
        failed = help_only = false;
}

static int refuse(BadKind kind, const char *token, size_t len) {
        bad.kind = kind;
        bad.token = token;
        bad.len = len;
        return kind == BAD_NEEDS_VALUE ? ':' : '?';
}

static int refuse_short(BadKind kind, char c) {
        bad.short_opt[0] = '-';
        bad.short_opt[1] = c;
        optopt = (unsigned char) c;
        return refuse(kind, NULL, 2); /* NULL: the token is short_opt, wherever the struct is copied */
}

/* "--name[=value]": returns 0, or '?'/':'; *ret_consumed says whether the next argument is its value. */
static int check_long(const char *arg, bool have_next, const struct option *longopts, bool *ret_consumed) {
        const char *name = arg + 2;
        size_t len = strcspn(name, "=");
        bool has_value = name[len] == '=';

        for (const struct option *o = longopts; o && o->name; o++) {
                if (strlen(o->name) != len || !strneq(o->name, name, len))
                        continue;
                if (o->has_arg == no_argument && has_value)
                        return refuse(BAD_NO_VALUE, arg, len + 2);
                if (o->has_arg == required_argument && !has_value && !have_next)
                        return refuse(BAD_NEEDS_VALUE, arg, len + 2);
                *ret_consumed = o->has_arg == required_argument && !has_value;
                return 0;
        }
        /* Named whole, "=value" included: "--pid=host" is what the user has to find and fix. */
        return refuse(BAD_UNKNOWN, arg, strlen(arg));
}

/* "-abc", "-ofile", "-o file", as getopt reads a group of short options. */
static int check_short(const char *arg, bool have_next, const char *optstring, bool *ret_consumed) {
        for (const char *c = arg + 1; *c; c++) {
                const char *spec = *c == ':' || *c == '+' || *c == '-' ? NULL : strchr(optstring, *c);

                if (!spec)
                        return refuse_short(BAD_UNKNOWN, *c);
                if (spec[1] != ':')
                        continue;
                if (spec[2] != ':' && c[1] == 0 && !have_next)
                        return refuse_short(BAD_NEEDS_VALUE, *c);
                *ret_consumed = spec[2] != ':' && c[1] == 0;
                return 0; /* the rest of the group, if any, is the value */
        }
        *ret_consumed = false;
        return 0;
}

/* Checks every option before the payload and reorders argv: options (with their values), "--" if it
 * was given, the operands, then whatever follows the first operand in '+' mode. */
static int prepare(int argc, char *argv[], const char *optstring, const struct option *longopts) {
        bool payload = optstring[0] == '+';
        _cleanup_free_ char **opts = NULL, **operands = NULL;
        size_t n_opts = 0, n_operands = 0;
        char *dashdash = NULL, *help = NULL;
        BadOption first_bad = {};
        int i, k, error = 0, r;

        optstring += strspn(optstring, "+:");
        opts = calloc(argc, sizeof(char *));
        operands = calloc(argc, sizeof(char *));
        if (!opts || !operands)
                return log_oom();

        for (i = 1; i < argc; i++) {
                char *a = argv[i];
                bool consumed = false;

                if (streq(a, "--")) {
                        dashdash = a;
                        i++;
                        break;
                }
                if (a[0] != '-' || a[1] == 0) { /* an operand ("-" is stdin/stdout) */
                        if (payload)
                                break;
                        operands[n_operands++] = a;
                        continue;
                }
                if (streq(a, "--help") || (streq(a, "-h") && strchr(optstring, 'h')))
                        help = a;
                r = a[1] == '-' ? check_long(a, i + 1 < argc, longopts, &consumed)
                                : check_short(a, i + 1 < argc, optstring, &consumed);
                if (r != 0) {
                        /* Remember the first refusal, but read on: --help anywhere wins. */
                        if (error == 0) {
                                error = r;
                                first_bad = bad;
                        }
                        continue;
                }
                opts[n_opts++] = a;
                if (consumed)
                        opts[n_opts++] = argv[++i];
        }
        if (help) {
                /* Only the help option is left for getopt: the verb prints its help and returns. */
                argv[1] = help;
                return 1;
        }
        if (error != 0) {
                bad = first_bad;
                return error;
        }

        /* argv[i..argc) stays where it is, after everything that moves in front of it. */
        k = 1;
        for (size_t j = 0; j < n_opts; j++)
                argv[k++] = opts[j];
        if (dashdash)
                argv[k++] = dashdash;
        for (size_t j = 0; j < n_operands; j++)
                argv[k++] = operands[j];
        assert(k == i);
        return 0;
}

int cli_getopt(int argc, char *argv[], const char *optstring, const struct option *longopts) {
        char spec[128];
        int r;

        if (failed)
                return -1;
        if (optind == 0) {
                r = prepare(argc, argv, optstring, longopts);
                help_only = r == 1;
                if (r != 0 && !help_only) {
                        failed = true;
                        return r < 0 ? '?' : r;
                }
        }
        /* POSIX mode and no messages: prepare() has put the options first and checked them. */
        r = snprintf(spec, sizeof(spec), "+:%s", optstring + strspn(optstring, "+:"));
        assert(r > 0 && (size_t) r < sizeof(spec));
        /* After --help, getopt sees nothing else: the verb prints its help and returns. */
        return getopt_long(help_only ? 2 : argc, argv, spec, longopts, NULL);
}

const char *cli_getopt_bad_option(void) {
        static char buf[256];

        if (bad.kind == BAD_NONE)
                return NULL;
        (void) snprintf(buf, sizeof(buf), "%.*s", (int) bad.len, bad.token ?: bad.short_opt);
        return buf;
}

int log_option_error(const char *verb, char *const argv[], int c) {
        const char *name = cli_getopt_bad_option();
        char fallback[3] = { '-', (char) optopt, 0 };

        /* getopt_long itself refuses nothing after prepare(); keep a sane line should it ever do. */
        if (!name)
                name = optind > 0 && optind <= 1024 && argv[optind - 1] && strneq(argv[optind - 1], "--", 2) ?
                               argv[optind - 1] : fallback;

        if (bad.kind == BAD_NO_VALUE)
                log_error("Option '%s' of 'dray%s%s' takes no value.", name, verb ? " " : "", strempty(verb));
        else if (c == ':')
                log_error("Option '%s' of 'dray%s%s' requires an argument.", name, verb ? " " : "", strempty(verb));
        else
                log_error("Unknown option '%s' for 'dray%s%s'; see 'dray%s%s --help'.", name, verb ? " " : "",
                          strempty(verb), verb ? " " : "", strempty(verb));
        return -EINVAL;
}
