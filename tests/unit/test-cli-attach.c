/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli-remote.h"
#include "detach-keys.h"
#include "test.h"

TEST(detach_keys) {
        char k[DETACH_KEYS_MAX];

        ASSERT_EQ(detach_keys_parse("ctrl-p,ctrl-q", k), 2);
        ASSERT_EQ(k[0], 16);
        ASSERT_EQ(k[1], 17);
        ASSERT_EQ(detach_keys_parse("", k), 0);
        ASSERT_EQ(detach_keys_parse(NULL, k), 0);
        ASSERT_TRUE(detach_keys_parse("a,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,,", k) < 0);
        ASSERT_EQ(detach_keys_parse("a,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", k), 7);
        ASSERT_EQ(k[0], 'a');
        ASSERT_EQ(k[1], 0);
        ASSERT_EQ(k[2], 27);
        ASSERT_EQ(k[3], 28);
        ASSERT_EQ(k[4], 29);
        ASSERT_EQ(k[5], 30);
        ASSERT_EQ(k[6], 31);
        ASSERT_TRUE(detach_keys_parse(",", k) < 0);
        ASSERT_TRUE(detach_keys_parse("ctrl-1", k) < 0);
        ASSERT_TRUE(detach_keys_parse("ctrl-P", k) < 0);
        ASSERT_TRUE(detach_keys_parse("ab", k) < 0);
        ASSERT_EQ(detach_keys_parse("a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a", k), 16);
        ASSERT_TRUE(detach_keys_parse("a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a", k) < 0);
        return 0;
}

TEST(detach_keys_config) {
        char dir[] = "/tmp/test-detach-keys-XXXXXX", path[128], k[DETACH_KEYS_MAX];
        FILE *f;

        ASSERT_TRUE(mkdtemp(dir) != NULL);
        ASSERT_OK(setenv("XDG_CONFIG_HOME", dir, 1));
        /* Nothing configured here (the test does not know /etc): the option wins anyway. */
        ASSERT_EQ(detach_keys_resolve("ctrl-a", k), 1);
        snprintf(path, sizeof(path), "%s/dray", dir);
        ASSERT_OK(mkdir(path, 0700));
        snprintf(path, sizeof(path), "%s/dray/dray.conf", dir);
        f = fopen(path, "we");
        ASSERT_TRUE(f != NULL);
        fputs("# keys\nother = 1\n  detach-keys =  ctrl-x,y  \n", f);
        fclose(f);
        ASSERT_EQ(detach_keys_resolve(NULL, k), 2);
        ASSERT_EQ(k[0], 24);
        ASSERT_EQ(k[1], 'y');
        ASSERT_EQ(detach_keys_resolve("ctrl-b", k), 1);
        f = fopen(path, "we");
        fputs("detach-keys=\"\"\n", f);
        fclose(f);
        ASSERT_EQ(detach_keys_resolve(NULL, k), 0);
        f = fopen(path, "we");
        fputs("detach-keys=ctrl-1\n", f);
        fclose(f);
        ASSERT_ERROR(detach_keys_resolve(NULL, k), EINVAL);
        ASSERT_OK(unlink(path));
        snprintf(path, sizeof(path), "%s/dray", dir);
        ASSERT_OK(rmdir(path));
        ASSERT_OK(rmdir(dir));
        return 0;
}

static bool same(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int split(const char *s, const char *user, const char *host, const char *port) {
        _cleanup_free_ char *u = NULL, *h = NULL, *p = NULL;
        int r = remote_host_split(s, &u, &h, &p);

        if (r < 0)
                return r;
        ASSERT_TRUE(same(u, user));
        ASSERT_TRUE(same(h, host));
        ASSERT_TRUE(same(p, port));
        return 0;
}

TEST(remote_host) {
        ASSERT_OK(split("build1", NULL, "build1", NULL));
        ASSERT_OK(split("admin@build1", "admin", "build1", NULL));
        ASSERT_OK(split("admin@127.0.0.1:2222", "admin", "127.0.0.1", "2222"));
        ASSERT_OK(split("host.example.org:22", NULL, "host.example.org", "22"));
        ASSERT_ERROR(split("", NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(split("@host", NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(split("host:", NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(split("host:22x", NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(split("-oProxyCommand=x", NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(split("bad host", NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(split("h;rm", NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(split("-l@host", NULL, NULL, NULL), EINVAL);
        return 0;
}

TEST(shell_quote) {
        _cleanup_free_ char *a = shell_quote("plain"), *b = shell_quote("it's"), *c = shell_quote("");

        ASSERT_STREQ(a, "'plain'");
        ASSERT_STREQ(b, "'it'\\''s'");
        ASSERT_STREQ(c, "''");
        return 0;
}
