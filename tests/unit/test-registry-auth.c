/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry-auth.h"
#include "test.h"

static int host_is(const char *in, const char *want) {
        char *h = NULL;
        int r = registry_auth_normalize_host(in, &h), ok;

        ok = want ? r >= 0 && strcmp(h, want) == 0 : r == -EINVAL;
        free(h);
        return ok;
}

TEST(normalize_host) {
        ASSERT_TRUE(host_is("127.0.0.1:5000", "127.0.0.1:5000"));
        ASSERT_TRUE(host_is("https://index.docker.io/v1/", "docker.io"));
        ASSERT_TRUE(host_is("registry-1.docker.io", "docker.io"));
        ASSERT_TRUE(host_is("http://reg.lan:5000/team/app", "reg.lan:5000"));
        ASSERT_TRUE(host_is("quay.io/a/b:1", "quay.io"));
        ASSERT_TRUE(host_is("", NULL));
        ASSERT_TRUE(host_is("/x", NULL));
        ASSERT_TRUE(host_is("a b", NULL));
        ASSERT_TRUE(host_is("x\ny", NULL));
        return 0;
}

static int creds_are(const char *json, const char *host, int want_r, const char *user, const char *password) {
        RegistryCredentials c = {};
        int r = registry_auth_parse(json, strlen(json), host, &c), ok;

        ok = r == want_r && (r < 0 || (strcmp(c.user, user) == 0 && strcmp(c.password, password) == 0));
        registry_credentials_done(&c);
        return ok;
}

TEST(parse) {
        /* "u:p" "al:ice:pw:with:colons" "a:" "ab:c" */
        ASSERT_TRUE(creds_are("{\"auths\":{\"r:5000\":{\"auth\":\"dTpw\"}}}", "r:5000", 0, "u", "p"));
        ASSERT_TRUE(creds_are("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"dTpw\"}}}", "docker.io", 0, "u", "p"));
        ASSERT_TRUE(creds_are("{\"auths\":{\"r\":{\"auth\":\"YWw6aWNlOnB3OndpdGg6Y29sb25z\"}}}", "r", 0, "al",
                              "ice:pw:with:colons"));
        ASSERT_TRUE(creds_are("{\"auths\":{\"r\":{\"auth\":\"YTo=\"}}}", "r", 0, "a", ""));
        ASSERT_TRUE(creds_are("{\"auths\":{\"r\":{\"auth\":\"YWI6Yw==\"}}}", "r", 0, "ab", "c"));
        ASSERT_TRUE(creds_are("{\"auths\":{\"r\":{\"auth\":\"dTpw\"}}}", "other", -ENOENT, NULL, NULL));
        ASSERT_TRUE(creds_are("{\"credHelpers\":{}}", "r", -ENOENT, NULL, NULL));
        ASSERT_TRUE(creds_are("{\"auths\":{\"r\":{\"identitytoken\":\"x\"}}}", "r", -ENOENT, NULL, NULL));
        /* Hostile: not base64, no colon, padding in the middle, a NUL, wrong types, not JSON. */
        ASSERT_TRUE(creds_are("{\"auths\":{\"r\":{\"auth\":\"!!!!\"}}}", "r", -EBADMSG, NULL, NULL));
        ASSERT_TRUE(creds_are("{\"auths\":{\"r\":{\"auth\":\"dXNlcg==\"}}}", "r", -EBADMSG, NULL, NULL));
        ASSERT_TRUE(creds_are("{\"auths\":{\"r\":{\"auth\":\"dT==dTpw\"}}}", "r", -EBADMSG, NULL, NULL));
        ASSERT_TRUE(creds_are("{\"auths\":{\"r\":{\"auth\":\"dQA6cA==\"}}}", "r", -EBADMSG, NULL, NULL));
        ASSERT_TRUE(creds_are("{\"auths\":{\"r\":{\"auth\":\"dTp\"}}}", "r", -EBADMSG, NULL, NULL));
        ASSERT_TRUE(creds_are("{\"auths\":[]}", "r", -EBADMSG, NULL, NULL));
        ASSERT_TRUE(creds_are("{\"auths\":{\"r\":7}}", "r", -EBADMSG, NULL, NULL));
        ASSERT_TRUE(creds_are("[]", "r", -EBADMSG, NULL, NULL));
        ASSERT_TRUE(creds_are("{", "r", -EBADMSG, NULL, NULL));
        return 0;
}

/* Login and logout round trip in a file of a temporary directory: other keys are kept, mode 0600. */
TEST(update) {
        char dir[] = "/tmp/test-registry-auth.XXXXXX", path[128];
        RegistryCredentials c = {};
        struct stat st;

        ASSERT_TRUE(mkdtemp(dir) != NULL);
        (void) snprintf(path, sizeof(path), "%s/sub/auth.json", dir);
        ASSERT_ERROR(registry_auth_update(path, "r:1", NULL, NULL), ENOENT);
        ASSERT_OK(registry_auth_update(path, "r:1", "u", "secret pw"));
        ASSERT_OK(registry_auth_update(path, "q", "v", "w"));
        ASSERT_OK(stat(path, &st));
        ASSERT_EQ(st.st_mode & 0777, 0600);
        setenv("REGISTRY_AUTH_FILE", path, 1);
        ASSERT_OK(registry_auth_find("r:1", &c));
        ASSERT_STREQ(c.user, "u");
        ASSERT_STREQ(c.password, "secret pw");
        registry_credentials_done(&c);
        ASSERT_OK(registry_auth_update(path, "r:1", NULL, NULL));
        ASSERT_ERROR(registry_auth_update(path, "r:1", NULL, NULL), ENOENT);
        ASSERT_OK(registry_auth_find("q", &c));
        registry_credentials_done(&c);
        ASSERT_OK(registry_auth_update(path, NULL, NULL, NULL));
        ASSERT_ERROR(registry_auth_find("q", &c), ENOENT);
        unsetenv("REGISTRY_AUTH_FILE");
        (void) unlink(path);
        (void) snprintf(path, sizeof(path), "%s/sub", dir);
        (void) rmdir(path);
        (void) rmdir(dir);
        return 0;
}
