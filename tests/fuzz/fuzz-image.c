/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a registry or an image archive hands drayd's transfer worker: OCI manifests, indexes and
 * image configs, token server answers, WWW-Authenticate challenges, image references and the entry
 * names of layer tarballs. None may crash the parser or leak; what a parser accepts must hold. */
#include "fuzz.h"
#include "image-manifest.h"
#include "image-ref.h"
#include "image-unpack.h"
#include "json-util.h"
#include "registry-util.h"

/* manifest: the bytes as an image manifest, an image config, an index (both platform lookups) and a
 * descriptor. */
int fuzz_manifest(const uint8_t *data, size_t size) {
        _cleanup_(image_manifest_freep) ImageManifest *m = NULL;
        _cleanup_(image_config_freep) ImageConfig *c = NULL;
        _cleanup_json_ json_object *o = NULL;
        ImageDescriptor d = {};
        const char *reason = NULL;

        if (size > 1024 * 1024)
                return 0;
        (void) image_manifest_parse((const char *) data, size, &m, &reason);
        (void) image_config_parse((const char *) data, size, &c, &reason);
        if (registry_select_manifest((const char *) data, size, &(RegistryPlatform) { "linux", "amd64", "" }, &d,
                                     &reason) >= 0)
                image_descriptor_done(&d);
        if (registry_select_manifest((const char *) data, size, &(RegistryPlatform) { "linux", "arm", "" }, &d,
                                     &reason) >= 0)
                image_descriptor_done(&d);
        if (image_json_parse((const char *) data, size, &o) >= 0 && image_descriptor_parse(o, &d, &reason) >= 0)
                image_descriptor_done(&d);
        return 0;
}

/* Retry-After, Content-Range and --platform: what they parse to holds together. */
static void fuzz_registry_headers(const char *s) {
        uint64_t first, last, total;
        RegistryPlatform p, q;
        char buf[128];
        unsigned seconds;

        if (registry_parse_retry_after(s, 1445412480, &seconds) >= 0 && seconds > REGISTRY_RETRY_AFTER_MAX)
                abort();
        if (registry_parse_content_range(s, &first, &last, &total) >= 0 && (last < first || last >= total))
                abort();
        /* A parsed platform formats back to itself. */
        if (registry_platform_parse(s, &p) >= 0 &&
            (registry_platform_parse(registry_platform_format(&p, buf, sizeof(buf)), &q) < 0 || memcmp(&p, &q, sizeof(p)) != 0))
                abort();
}

/* registry: a token answer, a WWW-Authenticate header, a reference to locate, and the headers and
 * platforms of registry-parse.h. */
int fuzz_registry(const uint8_t *data, size_t size) {
        _cleanup_(registry_challenge_done) RegistryChallenge ch = {};
        _cleanup_(registry_location_done) RegistryLocation l = {};
        _cleanup_free_ char *s = NULL, *token = NULL;

        if (size > 64 * 1024)
                return 0;
        if (registry_token_parse((const char *) data, size, &token) >= 0 && strpbrk(token, "\r\n"))
                abort(); /* it goes into a header */
        s = fuzz_strndup(data, size);
        if (!s)
                return 0;
        if (registry_parse_challenge(s, &ch) >= 0 && !ch.realm)
                abort();
        (void) registry_location(s, false, &l);
        fuzz_registry_headers(s);
        return 0;
}

/* image-ref: a reference normalises to one that parses again to the same normal form. */
int fuzz_image_ref(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = NULL, *n = NULL, *n2 = NULL, *f = NULL;
        _cleanup_(image_ref_done) ImageRef ref = {};

        if (size > 1024)
                return 0;
        s = fuzz_strndup(data, size);
        if (!s)
                return 0;
        if (image_ref_parse(s, &ref) >= 0 && image_ref_format(&ref, &f) < 0)
                abort();
        if (image_ref_normalize(s, &n) < 0)
                return 0;
        if (image_ref_normalize(n, &n2) < 0 || strcmp(n, n2) != 0)
                abort(); /* normalising is idempotent */
        return 0;
}

/* tar-path: an entry name the unpacker accepts stays inside the target. */
int fuzz_tar_path(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = NULL;
        const char *reason;

        if (size > 8192)
                return 0;
        s = fuzz_strndup(data, size);
        if (!s || unpack_path_check(s, &reason) < 0)
                return 0;
        if (s[0] == '/' || strcmp(s, "..") == 0 || strncmp(s, "../", 3) == 0 || strstr(s, "/../") ||
            (strlen(s) >= 3 && strcmp(s + strlen(s) - 3, "/..") == 0))
                abort();
        return 0;
}
