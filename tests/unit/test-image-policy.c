/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* containers-policy.json(5) parsing and scope lookup, registries.d lookaside configuration, and the
 * simple-signing payload: good files, and hostile ones refused with the file and the key named. */
#include "image-lookaside.h"
#include "image-policy.h"
#include "image-signature.h"
#include "strv.h"
#include "test.h"

static int parse(const char *json, ImagePolicy **ret, DrayError *e) {
        dray_error_done(e);
        return image_policy_parse(json, strlen(json), "/etc/dray/policy.json", ret, e);
}

#define POLICY                                                                                             \
        "{\"default\": [{\"type\": \"reject\"}],"                                                          \
        " \"transports\": {\"docker\": {"                                                                  \
        "   \"\": [{\"type\": \"insecureAcceptAnything\"}],"                                               \
        "   \"localhost:5000/signed\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\","                \
        "        \"keyPath\": \"/etc/pki/k.gpg\"}],"                                                       \
        "   \"localhost:5000/signed/exact:1\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\","        \
        "        \"keyPaths\": [\"/a\", \"/b\"], \"signedIdentity\": {\"type\": \"matchExact\"}}],"        \
        "   \"*.example.com\": [{\"type\": \"reject\"}],"                                                  \
        "   \"quay.io\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyData\": \"aGVsbG8=\"," \
        "        \"signedIdentity\": {\"type\": \"exactRepository\", \"dockerRepository\": \"quay.io/x\"}}]" \
        " }, \"docker-daemon\": {\"\": [{\"type\": \"insecureAcceptAnything\"}]}}}"

TEST(policy_parse_and_scopes) {
        _cleanup_(image_policy_freep) ImagePolicy *p = NULL;
        const PolicyRequirements *l;
        _cleanup_(dray_error_done) DrayError e = {};

        ASSERT_OK(parse(POLICY, &p, &e));
        ASSERT_EQ(p->fallback.n_items, 1);
        ASSERT_EQ(p->fallback.items[0].type, POLICY_REJECT);
        ASSERT_EQ(p->n_docker, 5);

        l = image_policy_for(p, "localhost:5000/signed/busybox:latest");
        ASSERT_STREQ(l->scope, "localhost:5000/signed");
        ASSERT_EQ(l->items[0].type, POLICY_SIGNED_BY);
        ASSERT_EQ(l->items[0].identity, POLICY_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT);
        ASSERT_STREQ(l->items[0].key_paths[0], "/etc/pki/k.gpg");

        /* the exact reference wins over its repository's namespace */
        l = image_policy_for(p, "localhost:5000/signed/exact:1");
        ASSERT_STREQ(l->scope, "localhost:5000/signed/exact:1");
        ASSERT_EQ(l->items[0].identity, POLICY_IDENTITY_MATCH_EXACT);
        ASSERT_EQ(strv_length(l->items[0].key_paths), 2);
        l = image_policy_for(p, "localhost:5000/signed/exact:2");
        ASSERT_STREQ(l->scope, "localhost:5000/signed");

        /* a namespace matches only on path components: signedx is not under signed */
        l = image_policy_for(p, "localhost:5000/signedx/a:1");
        ASSERT_STREQ(l->scope, "");
        l = image_policy_for(p, "registry.example.com/a/b:1");
        ASSERT_STREQ(l->scope, "*.example.com");
        l = image_policy_for(p, "example.com/a:1");
        ASSERT_STREQ(l->scope, "");
        l = image_policy_for(p, "quay.io/x/y@sha256:0123456789012345678901234567890123456789012345678901234567890123");
        ASSERT_STREQ(l->scope, "quay.io");
        ASSERT_EQ(l->items[0].n_key_data, 5);
        ASSERT_TRUE(memcmp(l->items[0].key_data, "hello", 5) == 0);
        ASSERT_STREQ(l->items[0].identity_reference, "quay.io/x");
        return 0;
}

TEST(policy_default_only) {
        _cleanup_(image_policy_freep) ImagePolicy *p = NULL;
        _cleanup_(dray_error_done) DrayError e = {};

        ASSERT_OK(parse("{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}", &p, &e));
        ASSERT_TRUE(image_policy_for(p, "busybox") == &p->fallback);
        return 0;
}

TEST(policy_scopes) {
        _cleanup_strv_free_ char **l = NULL, **m = NULL;

        ASSERT_OK(image_policy_scopes("a.b.example.com:5000/ns/repo:tag", &l));
        ASSERT_EQ(strv_length(l), 6);
        ASSERT_STREQ(l[0], "a.b.example.com:5000/ns/repo");
        ASSERT_STREQ(l[1], "a.b.example.com:5000/ns");
        ASSERT_STREQ(l[2], "a.b.example.com:5000");
        ASSERT_STREQ(l[3], "*.b.example.com");
        ASSERT_STREQ(l[4], "*.example.com");
        ASSERT_STREQ(l[5], "*.com");
        ASSERT_OK(image_policy_scopes("busybox", &m));
        ASSERT_STREQ(m[0], "docker.io/library/busybox");
        ASSERT_STREQ(m[1], "docker.io/library");
        ASSERT_STREQ(m[2], "docker.io");
        ASSERT_STREQ(m[3], "*.io");
        return 0;
}

static int refused(const char *json, const char *needle) {
        _cleanup_(image_policy_freep) ImagePolicy *p = NULL;
        _cleanup_(dray_error_done) DrayError e = {};
        int r = parse(json, &p, &e);

        if (r >= 0 || !strstr(strempty(e.message), "/etc/dray/policy.json") || !strstr(strempty(e.message), needle)) {
                fprintf(stderr, "policy %s: %d '%s', wanted '%s'\n", json, r, strna(e.message), needle);
                return 1;
        }
        return 0;
}

TEST(policy_hostile) {
        ASSERT_EQ(refused("", "not a JSON object"), 0);
        ASSERT_EQ(refused("[]", "not a JSON object"), 0);
        ASSERT_EQ(refused("{}", "default: missing"), 0);
        ASSERT_EQ(refused("{\"default\": []}", "default: must hold 1"), 0);
        ASSERT_EQ(refused("{\"default\": {}}", "default: not an array"), 0);
        ASSERT_EQ(refused("{\"default\": [1]}", "default[0]: not an object"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": 5}]}", "default[0].type: not a string"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"trustMe\"}]}", "unknown requirement type 'trustMe'"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"reject\", \"x\": 1}]}", "unknown key 'x'"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"reject\"}], \"extra\": 1}", "unknown key 'extra'"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\"}]}",
                          "exactly one of keyPath"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"X509\", \"keyPath\": \"/k\"}]}",
                          "default[0].keyType: 'X509' is not supported"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"k\"}]}",
                          "default[0].keyPath: 'k' is not an absolute path"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/k\","
                          " \"keyData\": \"aGVsbG8=\"}]}", "exactly one of"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPaths\": []}]}",
                          "keyPaths: must name 1"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyData\": \"!!\"}]}",
                          "keyData: not base64"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/k\","
                          " \"signedIdentity\": {\"type\": \"matchAll\"}}]}",
                          "default[0].signedIdentity.type: unknown signedIdentity type 'matchAll'"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/k\","
                          " \"signedIdentity\": {\"type\": \"exactReference\"}}]}", "dockerReference: missing"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"a b\": "
                          "[{\"type\": \"reject\"}]}}}", "'a b' is not a valid scope"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"x\": "
                          "[{\"type\": \"rejectx\"}]}}}", "transports.docker[\"x\"][0].type: unknown"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": []}}",
                          "not an object of scopes"), 0);
        return 0;
}

TEST(policy_identity) {
        PolicyRequirement r = { .type = POLICY_SIGNED_BY, .identity = POLICY_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT };
        const char *dig = "localhost:5000/a@sha256:0123456789012345678901234567890123456789012345678901234567890123";

        ASSERT_EQ(policy_identity_matches(&r, "localhost:5000/a:1", "localhost:5000/a:1"), 1);
        ASSERT_EQ(policy_identity_matches(&r, "localhost:5000/a:1", "localhost:5000/a:2"), 0);
        ASSERT_EQ(policy_identity_matches(&r, "localhost:5000/a:latest", "localhost:5000/a"), 0);
        ASSERT_EQ(policy_identity_matches(&r, dig, "localhost:5000/a:9"), 1);
        ASSERT_EQ(policy_identity_matches(&r, dig, "localhost:5000/b:9"), 0);
        ASSERT_EQ(policy_identity_matches(&r, "busybox", "docker.io/library/busybox:latest"), 1);
        ASSERT_TRUE(policy_identity_matches(&r, "busybox", "not a reference!") < 0);
        r.identity = POLICY_IDENTITY_MATCH_EXACT;
        ASSERT_EQ(policy_identity_matches(&r, dig, "localhost:5000/a:9"), 0);
        ASSERT_EQ(policy_identity_matches(&r, "localhost:5000/a:1", "localhost:5000/a:1"), 1);
        r.identity = POLICY_IDENTITY_MATCH_REPOSITORY;
        ASSERT_EQ(policy_identity_matches(&r, "localhost:5000/a:1", "localhost:5000/a:2"), 1);
        ASSERT_EQ(policy_identity_matches(&r, "localhost:5000/a:1", "localhost:5000/ab:1"), 0);
        r.identity = POLICY_IDENTITY_EXACT_REFERENCE;
        r.identity_reference = (char *) "quay.io/x:1";
        ASSERT_EQ(policy_identity_matches(&r, "localhost:5000/a:1", "quay.io/x:1"), 1);
        ASSERT_EQ(policy_identity_matches(&r, "localhost:5000/a:1", "localhost:5000/a:1"), 0);
        return 0;
}

TEST(policy_enum_tables) {
        for (int i = 0; i < _POLICY_REQUIREMENT_TYPE_MAX; i++)
                ASSERT_EQ(policy_requirement_type_from_string(policy_requirement_type_to_string(i)), i);
        for (int i = 0; i < _POLICY_IDENTITY_TYPE_MAX; i++)
                ASSERT_EQ(policy_identity_type_from_string(policy_identity_type_to_string(i)), i);
        ASSERT_EQ(policy_requirement_type_from_string("nope"), _POLICY_REQUIREMENT_TYPE_INVALID);
        return 0;
}

static int lookaside_parse(LookasideConfig *c, const char *yaml, const char *path, int dir, DrayError *e) {
        dray_error_done(e);
        return lookaside_config_parse(c, yaml, strlen(yaml), path, dir, e);
}

TEST(lookaside_config) {
        _cleanup_(lookaside_config_freep) LookasideConfig *c = calloc(1, sizeof(LookasideConfig));
        _cleanup_free_ char *a = NULL, *b = NULL, *w = NULL, *d = NULL, *u = NULL, *f = NULL;
        _cleanup_(dray_error_done) DrayError e = {};

        ASSERT_TRUE(c);
        ASSERT_OK(lookaside_parse(c,
                                  "default-docker:\n  lookaside: https://sigs.example.com/default\n"
                                  "docker:\n"
                                  "  localhost:5000:\n    lookaside: http://127.0.0.1:8000/sigs\n"
                                  "    lookaside-staging: file:///srv/sigs\n"
                                  "  localhost:5000/other:\n    sigstore: file:///srv/other/\n",
                                  "/etc/dray/registries.d/a.yaml", 0, &e));
        ASSERT_OK(lookaside_parse(c, "docker:\n  localhost:5000:\n    lookaside: http://ignored/\n",
                                  "/etc/containers/registries.d/b.yaml", 1, &e));
        ASSERT_OK(lookaside_base_url(c, "localhost:5000/ns/app:1", false, &a));
        ASSERT_STREQ(a, "http://127.0.0.1:8000/sigs/ns/app");
        ASSERT_OK(lookaside_base_url(c, "localhost:5000/ns/app:1", true, &w));
        ASSERT_STREQ(w, "file:///srv/sigs/ns/app");
        ASSERT_OK(lookaside_base_url(c, "localhost:5000/other/x", false, &b));
        ASSERT_STREQ(b, "file:///srv/other/other/x");
        ASSERT_OK(lookaside_base_url(c, "busybox", false, &d));
        ASSERT_STREQ(d, "https://sigs.example.com/default/library/busybox");
        ASSERT_OK(lookaside_signature_url(
                a, "sha256:0123456789012345678901234567890123456789012345678901234567890123", 2, &u));
        ASSERT_STREQ(u, "http://127.0.0.1:8000/sigs/ns/app@sha256="
                        "0123456789012345678901234567890123456789012345678901234567890123/signature-2");
        ASSERT_OK(lookaside_file_path(w, &f));
        ASSERT_STREQ(f, "/srv/sigs/ns/app");
        ASSERT_ERROR(lookaside_file_path(a, &f), EPROTONOSUPPORT);
        return 0;
}

TEST(lookaside_hostile) {
        static const char *const bad[] = {
                "- a\n- b\n",
                "docker: [1]\n",
                "docker:\n  localhost:5000:\n    lookaside: ftp://x/\n",
                "docker:\n  localhost:5000:\n    lookside: http://x/\n",
                "docker:\n  localhost:5000:\n    lookaside: [http://x/]\n",
                "dockers:\n  x: {}\n",
                "docker:\n  a: &x {lookaside: http://x/}\n  b: *x\n  c: [*x, *x]\n",
                "docker: {a: 1\n",
        };
        _cleanup_(lookaside_config_freep) LookasideConfig *c = calloc(1, sizeof(LookasideConfig));
        _cleanup_(dray_error_done) DrayError e = {};

        ASSERT_TRUE(c);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                ASSERT_TRUE(lookaside_parse(c, bad[i], "/etc/dray/registries.d/bad.yaml", 0, &e) < 0);
                ASSERT_TRUE(strstr(strempty(e.message), "/etc/dray/registries.d/bad.yaml"));
        }
        /* the same scope twice in one directory */
        lookaside_config_free(c);
        c = calloc(1, sizeof(LookasideConfig));
        ASSERT_TRUE(c);
        ASSERT_OK(lookaside_parse(c, "docker:\n  h:\n    lookaside: http://x/\n", "/d/1.yaml", 0, &e));
        ASSERT_TRUE(lookaside_parse(c, "docker:\n  h:\n    lookaside: http://y/\n", "/d/2.yaml", 0, &e) < 0);
        ASSERT_TRUE(strstr(strempty(e.message), "/d/1.yaml"));
        return 0;
}

TEST(simple_signing_payload) {
        _cleanup_free_ char *p = NULL, *ref = NULL, *dig = NULL;
        const char *digest = "sha256:0123456789012345678901234567890123456789012345678901234567890123", *why;
        static const char *const bad[] = {
                "{\"critical\": {\"type\": \"atomic container signature\", \"image\": {\"docker-manifest-digest\": "
                "\"sha256:0123456789012345678901234567890123456789012345678901234567890123\"}, \"identity\": "
                "{\"docker-reference\": \"a:1\"}, \"extra\": 1}, \"optional\": {}}",
                "{\"critical\": {\"type\": \"other\", \"image\": {\"docker-manifest-digest\": "
                "\"sha256:0123456789012345678901234567890123456789012345678901234567890123\"}, \"identity\": "
                "{\"docker-reference\": \"a:1\"}}, \"optional\": {}}",
                "{\"critical\": {\"type\": \"atomic container signature\", \"image\": {\"docker-manifest-digest\": "
                "\"md5:00\"}, \"identity\": {\"docker-reference\": \"a:1\"}}, \"optional\": {}}",
                "{\"critical\": {\"type\": \"atomic container signature\", \"image\": {\"docker-manifest-digest\": "
                "\"sha256:0123456789012345678901234567890123456789012345678901234567890123\"}, \"identity\": "
                "{\"docker-reference\": \"A B\"}}, \"optional\": {}}",
                "{\"critical\": {}}",
                "[]",
        };

        ASSERT_OK(simple_signing_build("localhost:5000/a:1", digest, "dray test", &p));
        ASSERT_OK(simple_signing_parse(p, strlen(p), &ref, &dig, &why));
        ASSERT_STREQ(ref, "localhost:5000/a:1");
        ASSERT_STREQ(dig, digest);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *r2 = NULL, *d2 = NULL;

                ASSERT_ERROR(simple_signing_parse(bad[i], strlen(bad[i]), &r2, &d2, &why), EBADMSG);
                ASSERT_TRUE(why);
        }
        return 0;
}

TEST(policy_remap_identity) {
        _cleanup_(image_policy_freep) ImagePolicy *p = NULL;
        const PolicyRequirement *r;
        _cleanup_(dray_error_done) DrayError e = {};

        ASSERT_OK(parse("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/k\","
                        " \"signedIdentity\": {\"type\": \"remapIdentity\", \"prefix\": \"mirror.lan:5000/quay\","
                        " \"signedPrefix\": \"quay.io\"}}]}", &p, &e));
        r = p->fallback.items;
        ASSERT_EQ(r->identity, POLICY_IDENTITY_REMAP_IDENTITY);
        /* the mirror's image is checked as quay.io's, then as matchRepoDigestOrExact */
        ASSERT_EQ(policy_identity_matches(r, "mirror.lan:5000/quay/ns/app:1", "quay.io/ns/app:1"), 1);
        ASSERT_EQ(policy_identity_matches(r, "mirror.lan:5000/quay/ns/app:1", "quay.io/ns/app:2"), 0);
        ASSERT_EQ(policy_identity_matches(r, "mirror.lan:5000/quay/ns/app:1", "mirror.lan:5000/quay/ns/app:1"), 0);
        /* only at a component boundary: quayx is not under quay */
        ASSERT_EQ(policy_identity_matches(r, "mirror.lan:5000/quayx/app:1", "quay.iox/app:1"), 0);
        ASSERT_EQ(policy_identity_matches(r, "mirror.lan:5000/quayx/app:1", "mirror.lan:5000/quayx/app:1"), 1);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/k\","
                          " \"signedIdentity\": {\"type\": \"remapIdentity\", \"prefix\": \"busybox\","
                          " \"signedPrefix\": \"quay.io\"}}]}", "prefix: 'busybox' is not a registry"), 0);
        ASSERT_EQ(refused("{\"default\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/k\","
                          " \"signedIdentity\": {\"type\": \"remapIdentity\", \"prefix\": \"quay.io\"}}]}",
                          "signedPrefix: missing"), 0);
        return 0;
}
