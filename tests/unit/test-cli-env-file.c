/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "env-file.h"
#include "strv.h"
#include "test.h"

/* Parses the n bytes of s as an env file into *env. */
static int parse(const char *s, size_t n, char ***env) {
        FILE *f = fmemopen((void *) s, n, "r");
        int r;

        if (!f)
                return -errno;
        r = env_file_parse(f, "test.env", env);
        fclose(f);
        return r;
}
#define PARSE_STR(s, env) parse(s, sizeof(s) - 1, env)

TEST(env_file_good) {
        _cleanup_strv_free_ char **env = NULL;
        static const char text[] =
                "\xef\xbb\xbf"                  /* a byte order mark, as some editors write */
                "# a comment\n"
                "\n"
                "   \t  \n"
                "A=1\n"
                "  B=two words  \n"             /* leading white space goes, trailing stays */
                "\t# indented comment\n"
                "C=with=equals\n"
                "D=\n"
                "E=crlf\r\n"
                "A=replaced\n"
                "F=caf\xc3\xa9\n"
                "G=no final newline";

        ASSERT_OK(PARSE_STR(text, &env));
        ASSERT_EQ(strv_length(env), 7);
        ASSERT_STREQ(strv_env_get(env, "A"), "replaced");
        ASSERT_STREQ(env[0], "A=replaced"); /* replaced in place */
        ASSERT_STREQ(strv_env_get(env, "B"), "two words  ");
        ASSERT_STREQ(strv_env_get(env, "C"), "with=equals");
        ASSERT_STREQ(strv_env_get(env, "D"), "");
        ASSERT_STREQ(strv_env_get(env, "E"), "crlf");
        ASSERT_STREQ(strv_env_get(env, "F"), "caf\xc3\xa9");
        ASSERT_STREQ(strv_env_get(env, "G"), "no final newline");
        return 0;
}

TEST(env_file_empty) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(parse("", 0, &env));
        ASSERT_TRUE(env == NULL);
        ASSERT_OK(PARSE_STR("\n\n# only comments\n", &env));
        ASSERT_TRUE(env == NULL);
        return 0;
}

TEST(env_file_bare_key) {
        _cleanup_strv_free_ char **env = NULL;

        /* Docker semantics: a bare KEY takes dray's own value, or is left out if dray has none. */
        ASSERT_OK(setenv("DRAY_TEST_SET", "from host", 1));
        ASSERT_OK(unsetenv("DRAY_TEST_NOT_SET"));
        ASSERT_OK(PARSE_STR("DRAY_TEST_SET\nDRAY_TEST_NOT_SET\n  DRAY_TEST_SET\n", &env));
        ASSERT_EQ(strv_length(env), 1);
        ASSERT_STREQ(env[0], "DRAY_TEST_SET=from host");
        return 0;
}

TEST(env_file_bad_lines) {
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_ERROR(PARSE_STR("A=1\n=value\n", &env), EINVAL);          /* no name */
        ASSERT_ERROR(PARSE_STR("A B=1\n", &env), EINVAL);                /* white space in the name */
        ASSERT_ERROR(PARSE_STR("A =1\n", &env), EINVAL);
        ASSERT_ERROR(PARSE_STR("1A=1\n", &env), EINVAL);                 /* leading digit */
        ASSERT_ERROR(PARSE_STR("A$=1\n", &env), EINVAL);
        ASSERT_ERROR(PARSE_STR("bare key\n", &env), EINVAL);             /* missing '=' and not a name */
        ASSERT_ERROR(PARSE_STR("export A=1\n", &env), EINVAL);           /* not a shell script */
        ASSERT_ERROR(PARSE_STR("A=\xff\xfe\n", &env), EILSEQ);           /* the bus carries UTF-8 only */
        ASSERT_ERROR(PARSE_STR("A=\xc0\xaf\n", &env), EILSEQ);           /* overlong */
        ASSERT_ERROR(PARSE_STR("\xff=1\n", &env), EILSEQ);
        return 0;
}

TEST(env_file_nul) {
        _cleanup_strv_free_ char **env = NULL;
        static const char text[] = "A=1\nB=x\0y\nC=3\n";

        ASSERT_ERROR(parse(text, sizeof(text) - 1, &env), EILSEQ);
        ASSERT_ERROR(parse("\0", 1, &env), EILSEQ);
        return 0;
}

TEST(env_file_long_line) {
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *buf = malloc(ENV_LINE_MAX + 16);
        size_t n;

        ASSERT_TRUE(buf);
        /* The longest line accepted... */
        n = ENV_LINE_MAX - 2;
        memcpy(buf, "A=", 2);
        memset(buf + 2, 'x', n - 2);
        buf[n] = '\n';
        ASSERT_OK(parse(buf, n + 1, &env));
        ASSERT_EQ(strlen(env[0]), n);
        /* ...and one byte more. */
        n = ENV_LINE_MAX;
        memset(buf + 2, 'x', n - 2);
        buf[n] = '\n';
        ASSERT_ERROR(parse(buf, n + 1, &env), E2BIG);
        /* No newline at all. */
        ASSERT_ERROR(parse(buf, n, &env), E2BIG);
        return 0;
}

TEST(env_file_huge) {
        _cleanup_strv_free_ char **env = NULL;
        size_t n = ENV_FILE_MAX + 64;
        _cleanup_free_ char *buf = malloc(n);

        ASSERT_TRUE(buf);
        /* Blank lines only, so the size limit and not the content stops it. */
        memset(buf, '\n', n);
        ASSERT_ERROR(parse(buf, n, &env), E2BIG);
        return 0;
}

TEST(env_file_load) {
        _cleanup_strv_free_ char **env = NULL;
        char path[] = "/tmp/test-cli-env-file-XXXXXX";
        int fd = mkstemp(path);

        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(write(fd, "X=1\n", 4) == 4);
        close(fd);
        ASSERT_OK(env_file_load(path, &env));
        ASSERT_STREQ(env[0], "X=1");
        unlink(path);
        ASSERT_ERROR(env_file_load(path, &env), ENOENT);
        ASSERT_TRUE(env_file_load("/", &env) < 0); /* a directory */
        return 0;
}

TEST(env_argument) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        ASSERT_OK(env_argument_resolve("K=v", &a));
        ASSERT_STREQ(a, "K=v");
        ASSERT_OK(setenv("DRAY_TEST_ARG", "val", 1));
        ASSERT_OK(env_argument_resolve("DRAY_TEST_ARG", &b));
        ASSERT_STREQ(b, "DRAY_TEST_ARG=val");
        ASSERT_OK(unsetenv("DRAY_TEST_ARG"));
        ASSERT_OK(env_argument_resolve("DRAY_TEST_ARG", &c));
        ASSERT_TRUE(c == NULL);
        ASSERT_ERROR(env_argument_resolve("", &c), EINVAL);
        ASSERT_ERROR(env_argument_resolve("=", &c), EINVAL);
        ASSERT_ERROR(env_argument_resolve("A-B C", &c), EINVAL);
        return 0;
}
