/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "registry-parse.h"
#include "registry-util.h"
#include "test.h"

TEST(retry_after) {
        unsigned s = 99;
        time_t now = 1445412480; /* Wed, 21 Oct 2015 07:28:00 GMT */

        ASSERT_OK(registry_parse_retry_after("5", now, &s));
        ASSERT_EQ(s, 5U);
        ASSERT_OK(registry_parse_retry_after(" 0\r\n", now, &s));
        ASSERT_EQ(s, 0U);
        ASSERT_OK(registry_parse_retry_after("86400", now, &s)); /* capped */
        ASSERT_EQ(s, REGISTRY_RETRY_AFTER_MAX);
        ASSERT_OK(registry_parse_retry_after("99999999999999999", now, &s));
        ASSERT_EQ(s, REGISTRY_RETRY_AFTER_MAX);
        ASSERT_OK(registry_parse_retry_after("Wed, 21 Oct 2015 07:28:07 GMT", now, &s));
        ASSERT_EQ(s, 7U);
        ASSERT_OK(registry_parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now, &s)); /* past */
        ASSERT_EQ(s, 0U);
        ASSERT_ERROR(registry_parse_retry_after("", now, &s), EINVAL);
        ASSERT_ERROR(registry_parse_retry_after("-1", now, &s), EINVAL);
        ASSERT_ERROR(registry_parse_retry_after("5s", now, &s), EINVAL);
        ASSERT_ERROR(registry_parse_retry_after("999999999999999999999", now, &s), EINVAL);
        ASSERT_ERROR(registry_parse_retry_after("soon please", now, &s), EINVAL);
        ASSERT_ERROR(registry_parse_retry_after(NULL, now, &s), EINVAL);
        return 0;
}

TEST(content_range) {
        uint64_t a, b, t;

        ASSERT_OK(registry_parse_content_range("bytes 100-199/200", &a, &b, &t));
        ASSERT_EQ(a, 100U);
        ASSERT_EQ(b, 199U);
        ASSERT_EQ(t, 200U);
        ASSERT_OK(registry_parse_content_range("bytes 0-0/*\r\n", &a, &b, &t));
        ASSERT_EQ(b, 0U);
        ASSERT_EQ(t, UINT64_MAX);
        ASSERT_ERROR(registry_parse_content_range("bytes 100-199/150", &a, &b, &t), EINVAL); /* past the end */
        ASSERT_ERROR(registry_parse_content_range("bytes 200-100/300", &a, &b, &t), EINVAL);
        ASSERT_ERROR(registry_parse_content_range("bytes */300", &a, &b, &t), EINVAL);
        ASSERT_ERROR(registry_parse_content_range("items 0-1/2", &a, &b, &t), EINVAL);
        ASSERT_ERROR(registry_parse_content_range("bytes -1-2/3", &a, &b, &t), EINVAL);
        ASSERT_ERROR(registry_parse_content_range("bytes 1-2/3 junk", &a, &b, &t), EINVAL);
        ASSERT_ERROR(registry_parse_content_range("bytes 1-2", &a, &b, &t), EINVAL);
        ASSERT_ERROR(registry_parse_content_range("bytes 0-99999999999999999999/*", &a, &b, &t), EINVAL);
        ASSERT_ERROR(registry_parse_content_range(NULL, &a, &b, &t), EINVAL);
        return 0;
}

TEST(token_lifetime) {
        static const char *const l[] = { "{\"token\":\"a\",\"expires_in\":300}", "{\"token\":\"a\"}",
                                         "{\"expires_in\":5}", "{\"expires_in\":-1}", "{\"expires_in\":\"300\"}",
                                         "{\"expires_in\":99999999999}", "not json" };

        ASSERT_EQ(registry_token_lifetime(l[0], strlen(l[0])), 300U);
        ASSERT_EQ(registry_token_lifetime(l[1], strlen(l[1])), REGISTRY_TOKEN_LIFETIME_MIN);
        ASSERT_EQ(registry_token_lifetime(l[2], strlen(l[2])), REGISTRY_TOKEN_LIFETIME_MIN);
        ASSERT_EQ(registry_token_lifetime(l[3], strlen(l[3])), REGISTRY_TOKEN_LIFETIME_MIN);
        ASSERT_EQ(registry_token_lifetime(l[4], strlen(l[4])), REGISTRY_TOKEN_LIFETIME_MIN);
        ASSERT_EQ(registry_token_lifetime(l[5], strlen(l[5])), REGISTRY_TOKEN_LIFETIME_MAX);
        ASSERT_EQ(registry_token_lifetime(l[6], strlen(l[6])), REGISTRY_TOKEN_LIFETIME_MIN);
        ASSERT_EQ(registry_token_lifetime(NULL, 0), REGISTRY_TOKEN_LIFETIME_MIN);
        return 0;
}

TEST(platform) {
        RegistryPlatform p;
        char buf[128];

        ASSERT_OK(registry_platform_parse("linux/arm64/v8", &p));
        ASSERT_STREQ(p.os, "linux");
        ASSERT_STREQ(p.arch, "arm64");
        ASSERT_STREQ(p.variant, "v8");
        ASSERT_STREQ(registry_platform_format(&p, buf, sizeof(buf)), "linux/arm64/v8");
        ASSERT_OK(registry_platform_parse("linux/amd64", &p));
        ASSERT_STREQ(p.variant, "");
        ASSERT_STREQ(registry_platform_format(&p, buf, sizeof(buf)), "linux/amd64");
        ASSERT_ERROR(registry_platform_parse("linux", &p), EINVAL);
        ASSERT_ERROR(registry_platform_parse("linux/", &p), EINVAL);
        ASSERT_ERROR(registry_platform_parse("/amd64", &p), EINVAL);
        ASSERT_ERROR(registry_platform_parse("linux/arm/v7/x", &p), EINVAL);
        ASSERT_ERROR(registry_platform_parse("Linux/amd64", &p), EINVAL);
        ASSERT_ERROR(registry_platform_parse("linux/amd64 ", &p), EINVAL);
        ASSERT_ERROR(registry_platform_parse("linux/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &p), EINVAL);

        registry_platform_native(&p);
        ASSERT_STREQ(p.os, "linux");
        ASSERT_TRUE(registry_platform_matches(&p, "linux", registry_native_arch(), NULL));

        ASSERT_OK(registry_platform_parse("linux/arm", &p));
        ASSERT_TRUE(registry_platform_matches(&p, "linux", "arm", "v7"));
        ASSERT_TRUE(registry_platform_matches(&p, "linux", "arm", NULL));
        ASSERT_FALSE(registry_platform_matches(&p, "linux", "arm", "v6"));
        ASSERT_OK(registry_platform_parse("linux/arm/v6", &p));
        ASSERT_TRUE(registry_platform_matches(&p, "linux", "arm", "v6"));
        ASSERT_FALSE(registry_platform_matches(&p, "linux", "arm", "v7"));
        ASSERT_OK(registry_platform_parse("linux/arm64", &p));
        ASSERT_TRUE(registry_platform_matches(&p, "linux", "arm64", "v8"));
        ASSERT_FALSE(registry_platform_matches(&p, "linux", "arm64", "v9"));
        ASSERT_FALSE(registry_platform_matches(&p, "windows", "arm64", NULL));
        ASSERT_FALSE(registry_platform_matches(&p, NULL, "arm64", NULL));
        return 0;
}

TEST(select_variant) {
        const char *index = "{\"manifests\":["
                "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:"
                "1111111111111111111111111111111111111111111111111111111111111111\",\"size\":1,"
                "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
                "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:"
                "2222222222222222222222222222222222222222222222222222222222222222\",\"size\":1,"
                "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}}]}";
        ImageDescriptor d = {};
        RegistryPlatform p;
        const char *reason;

        ASSERT_OK(registry_platform_parse("linux/arm/v6", &p));
        ASSERT_OK(registry_select_manifest(index, strlen(index), &p, &d, &reason));
        ASSERT_TRUE(strstr(d.digest, "1111") != NULL);
        image_descriptor_done(&d);
        ASSERT_OK(registry_platform_parse("linux/arm", &p));
        ASSERT_OK(registry_select_manifest(index, strlen(index), &p, &d, &reason));
        ASSERT_TRUE(strstr(d.digest, "2222") != NULL);
        image_descriptor_done(&d);
        ASSERT_OK(registry_platform_parse("linux/arm/v5", &p));
        ASSERT_ERROR(registry_select_manifest(index, strlen(index), &p, &d, &reason), ENOENT);
        return 0;
}
