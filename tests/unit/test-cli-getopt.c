/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli_getopt(): options anywhere before the payload, exact long names, errors naming what was typed. */
#include <string.h>

#include "cli-getopt.h"
#include "test.h"

static const struct option options[] = {
        { "force",      no_argument,       NULL, 'f' },
        { "output",     required_argument, NULL, 'o' },
        { "subnet",     required_argument, NULL, 's' },
        { "pids-limit", required_argument, NULL, 'P' },
        { "net",        required_argument, NULL, 'n' },
        { "network",    required_argument, NULL, 'N' },
        { "help",       no_argument,       NULL, 'h' },
        {}
};

/* Parses argv (NULL-terminated, modified in place) and writes the options it returned as "f,o=x," into
 * out. Returns the last value of cli_getopt(): -1 after success, '?' or ':' after a refusal. */
static int parse(char **argv, const char *optstring, char *out, size_t size) {
        int argc = 0, c;

        while (argv[argc])
                argc++;
        *out = 0;
        getopt_reset();
        while ((c = cli_getopt(argc, argv, optstring, options)) >= 0) {
                if (c == '?' || c == ':')
                        return c;
                snprintf(out + strlen(out), size - strlen(out), "%c%s%s,", c, optarg ? "=" : "", optarg ?: "");
        }
        return -1;
}

#define PARSE(optstring, expect_ret, expect_opts, expect_rest, ...)                                 \
        do {                                                                                        \
                char *_argv[] = { __VA_ARGS__, NULL }, _out[256], _rest[256] = "";                   \
                ASSERT_EQ(parse(_argv, optstring, _out, sizeof(_out)), expect_ret);                 \
                if ((expect_ret) == -1) {                                                           \
                        ASSERT_STREQ(_out, expect_opts);                                            \
                        for (char **_a = _argv + optind; *_a; _a++)                                 \
                                snprintf(_rest + strlen(_rest), sizeof(_rest) - strlen(_rest),      \
                                         "%s ", *_a);                                               \
                        if (expect_rest)                                                            \
                                ASSERT_STREQ(_rest, (const char *) expect_rest);                    \
                }                                                                                   \
        } while (0)

TEST(options_after_operands) {
        /* The examples: dray rm a b -f; dray network create NAME --subnet CIDR; image save -o. */
        PARSE(":fho:", -1, "f,", "a b ", "rm", "a", "b", "-f");
        PARSE(":fh", -1, "s=10.9.0.0/24,", "net ", "create", "net", "--subnet", "10.9.0.0/24");
        PARSE(":fh", -1, "s=10.9.0.0/24,", "net ", "create", "net", "--subnet=10.9.0.0/24");
        PARSE(":ho:", -1, "o=f.tar,", "img ", "save", "img", "-o", "f.tar");
        PARSE(":ho:", -1, "o=f.tar,", "img ", "save", "img", "-of.tar");
        PARSE(":fho:", -1, "o=f.tar,f,", "a b c ", "save", "a", "-o", "f.tar", "b", "-f", "c");
        /* "-" is an operand (stdin or stdout); "--" ends the options, and a value may look like one. */
        PARSE(":ho:", -1, "o=-,", "- ", "save", "-", "-o", "-");
        PARSE(":fh", -1, "f,", "a -f b ", "rm", "a", "-f", "--", "-f", "b");
        PARSE(":ho:", -1, "o=--,", "x ", "save", "x", "-o", "--");
        PARSE(":ho:", -1, "", "", "ls");
        return 0;
}

TEST(payload) {
        /* run IMAGE CMD...: after the first operand, everything is the payload's, options included. */
        PARSE("+:fh", -1, "f,", "img sh -c --rm -f ", "run", "-f", "img", "sh", "-c", "--rm", "-f");
        PARSE("+:ho:", -1, "o=x,", "c ls -l --output y ", "exec", "--output", "x", "c", "ls", "-l", "--output", "y");
        PARSE("+:fh", -1, "f,", "img ", "run", "-f", "--", "img");
        /* An unknown option in the payload is the payload's business. */
        PARSE("+:fh", -1, "", "img --pid=host ", "run", "img", "--pid=host");
        return 0;
}

TEST(no_abbreviations) {
        PARSE(":fh", -1, "P=5,", "", "run", "--pids-limit", "5");
        PARSE(":fh", -1, "n=x,N=y,", "", "run", "--net", "x", "--network", "y");
        PARSE("+:fh", '?', "", "", "run", "--pid=host", "img");
        ASSERT_STREQ(cli_getopt_bad_option(), "--pid=host");
        PARSE(":fh", '?', "", "", "rm", "a", "--forc");
        ASSERT_STREQ(cli_getopt_bad_option(), "--forc");
        PARSE(":fh", '?', "", "", "rm", "a", "--networ", "x");
        ASSERT_STREQ(cli_getopt_bad_option(), "--networ");
        return 0;
}

TEST(refusals) {
        PARSE(":fh", '?', "", "", "rm", "-x");
        ASSERT_STREQ(cli_getopt_bad_option(), "-x");
        PARSE(":fh", '?', "", "", "rm", "-fx");
        ASSERT_STREQ(cli_getopt_bad_option(), "-x");
        PARSE(":ho:", ':', "", "", "save", "img", "-o");
        ASSERT_STREQ(cli_getopt_bad_option(), "-o");
        PARSE(":fh", ':', "", "", "create", "net", "--subnet");
        ASSERT_STREQ(cli_getopt_bad_option(), "--subnet");
        PARSE(":fh", '?', "", "", "rm", "--force=yes", "a");
        ASSERT_STREQ(cli_getopt_bad_option(), "--force");
        /* The first refusal wins, and a later call does not carry on as if all was well. */
        PARSE(":fh", '?', "", "", "rm", "--bogus", "-x");
        ASSERT_STREQ(cli_getopt_bad_option(), "--bogus");
        getopt_reset();
        ASSERT_TRUE(cli_getopt_bad_option() == NULL);
        ASSERT_EQ(log_option_error("network create", (char *[]) { "create", NULL }, '?'), -EINVAL);
        return 0;
}

TEST(help_wins) {
        /* --help anywhere before the payload wins over refusals, as it always did for run. */
        PARSE(":fh", -1, "h,", NULL, "rm", "--bogus", "a", "--help");
        PARSE("+:fh", -1, "h,", NULL, "run", "--pid=host", "-h", "img");
        PARSE("+:fh", '?', "", "", "run", "--pid=host", "img", "--help");
        return 0;
}
