/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "registry-util.h"
#include "test.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

TEST(challenge) {
        RegistryChallenge c = {};

        ASSERT_OK(registry_parse_challenge("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                                           "scope=\"repository:library/busybox:pull\"", &c));
        ASSERT_STREQ(c.realm, "https://auth.docker.io/token");
        ASSERT_STREQ(c.service, "registry.docker.io");
        ASSERT_STREQ(c.scope, "repository:library/busybox:pull");
        registry_challenge_done(&c);
        /* Unquoted values, spaces after commas, escapes, unknown parameters ignored, case of the scheme. */
        ASSERT_OK(registry_parse_challenge("bearer realm=http://127.0.0.1:1/t, error=\"invalid_token\", "
                                           "service=\"a\\\"b\"", &c));
        ASSERT_STREQ(c.realm, "http://127.0.0.1:1/t");
        ASSERT_STREQ(c.service, "a\"b");
        ASSERT_TRUE(c.scope == NULL);
        registry_challenge_done(&c);
        ASSERT_ERROR(registry_parse_challenge("Basic realm=\"x\"", &c), EOPNOTSUPP);
        ASSERT_ERROR(registry_parse_challenge("Bearer service=\"x\"", &c), EBADMSG);           /* no realm */
        ASSERT_ERROR(registry_parse_challenge("Bearer realm=\"file:///etc/passwd\"", &c), EBADMSG);
        ASSERT_ERROR(registry_parse_challenge("Bearer realm=\"https://a\",realm=\"https://b\"", &c), EBADMSG);
        ASSERT_ERROR(registry_parse_challenge("Bearer realm=\"https://a", &c), EBADMSG);      /* unterminated */
        ASSERT_ERROR(registry_parse_challenge("Bearer realm", &c), EBADMSG);
        ASSERT_ERROR(registry_parse_challenge("", &c), EBADMSG);
        return 0;
}

static int location_is(const char *ref, bool insecure, const char *base, const char *repo, const char *reference,
                       bool plain) {
        RegistryLocation l = {};
        int ok;

        if (registry_location(ref, insecure, &l) < 0)
                return base == NULL;
        ok = base && streq(l.base, base) && streq(l.repository, repo) && streq(l.reference, reference) &&
             l.plain_http == plain;
        registry_location_done(&l);
        return ok;
}

TEST(location) {
        ASSERT_TRUE(location_is("busybox", false, "https://registry-1.docker.io", "library/busybox", "latest", false));
        ASSERT_TRUE(location_is("quay.io/a/b:1", false, "https://quay.io", "a/b", "1", false));
        ASSERT_TRUE(location_is("quay.io/a/b:1", true, "https://quay.io", "a/b", "1", true));
        ASSERT_TRUE(location_is("127.0.0.1:5000/x:2", false, "https://127.0.0.1:5000", "x", "2", true));
        ASSERT_TRUE(location_is("localhost:5000/a/b", false, "https://localhost:5000", "a/b", "latest", true));
        ASSERT_TRUE(location_is("localhost/x:1", false, "https://localhost", "x", "1", true));
        ASSERT_TRUE(location_is("localhostx.example/x:1", false, "https://localhostx.example", "x", "1", false));
        ASSERT_TRUE(location_is("r.example:8443/x@" D1, false, "https://r.example:8443", "x", D1, false));
        ASSERT_TRUE(location_is("Bad Ref", false, NULL, NULL, NULL, false));
        ASSERT_TRUE(location_is("x/../../etc:1", false, NULL, NULL, NULL, false));
        return 0;
}

#define ENTRY(digest, os, arch, extra)                                                                      \
        "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" digest "\",\"size\":10," \
        "\"platform\":{\"os\":\"" os "\",\"architecture\":\"" arch "\"" extra "}}"

static int select_is(const char *json, const char *arch, const char *digest) {
        ImageDescriptor d = {};
        RegistryPlatform want = { .os = "linux" };
        const char *reason;
        int ok;

        (void) snprintf(want.arch, sizeof(want.arch), "%s", arch);
        if (registry_select_manifest(json, strlen(json), &want, &d, &reason) < 0)
                return digest == NULL;
        ok = digest && streq(d.digest, digest);
        image_descriptor_done(&d);
        return ok;
}

TEST(select_manifest) {
        const char *index = "{\"schemaVersion\":2,\"manifests\":[" ENTRY(D1, "windows", "amd64", "") ","
                            ENTRY(D2, "linux", "amd64", "") "," ENTRY(D1, "linux", "arm64", "") "]}";
        const char *arm = "{\"manifests\":[" ENTRY(D1, "linux", "arm", ",\"variant\":\"v6\"") ","
                          ENTRY(D2, "linux", "arm", ",\"variant\":\"v7\"") "]}";

        ASSERT_TRUE(select_is(index, "amd64", D2));
        ASSERT_TRUE(select_is(index, "arm64", D1));
        ASSERT_TRUE(select_is(index, "s390x", NULL));
        ASSERT_TRUE(select_is(arm, "arm", D2));
        ASSERT_TRUE(select_is("{\"manifests\":{}}", "amd64", NULL));
        ASSERT_TRUE(select_is("[]", "amd64", NULL));
        ASSERT_TRUE(select_is("{\"manifests\":[{\"digest\":\"sha256:x\",\"size\":1}]}", "amd64", NULL));
        /* An index pointing at an index for our platform is refused, not followed. */
        ASSERT_TRUE(select_is("{\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\""
                              D1 "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}",
                              "amd64", NULL));
        return 0;
}

TEST(content_type) {
        ASSERT_TRUE(registry_content_type_is("application/json; charset=utf-8", "application/json"));
        ASSERT_TRUE(registry_content_type_is("Application/JSON", "application/json"));
        ASSERT_FALSE(registry_content_type_is("application/jsonx", "application/json"));
        ASSERT_FALSE(registry_content_type_is(NULL, "application/json"));
        ASSERT_TRUE(registry_media_type_is_index(MEDIA_TYPE_DOCKER_MANIFEST_LIST));
        ASSERT_FALSE(registry_media_type_is_index(MEDIA_TYPE_OCI_MANIFEST));
        ASSERT_TRUE(strlen(registry_native_arch()) > 0);
        return 0;
}

TEST(registry_token) {
        static const char *const bad[] = {
                "", "{}", "[]", "{\"token\": 1}", "{\"token\": \"\"}", "{\"token\": \"a\\nb\"}",
                "{\"access_token\": \"a\\r\\nX-Evil: 1\"}", "not json", "{\"token\": \"a\"", "{\"tokens\": \"a\"}",
        };
        char *t;

        ASSERT_OK(registry_token_parse("{\"token\": \"abc\", \"expires_in\": 300}", 35, &t));
        ASSERT_STREQ(t, "abc");
        free(t);
        ASSERT_OK(registry_token_parse("{\"access_token\": \"xyz\"}", 23, &t));
        ASSERT_STREQ(t, "xyz");
        free(t);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (registry_token_parse(bad[i], strlen(bad[i]), &t) != -EBADMSG) {
                        fprintf(stderr, "accepted '%s'\n", bad[i]);
                        return 1;
                }
        return 0;
}
