/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "image-ref.h"
#include "json-util.h"
#include "registry-util.h"
#include "strv.h"

void registry_challenge_done(RegistryChallenge *c) {
        free(c->realm);
        free(c->service);
        free(c->scope);
        *c = (RegistryChallenge) {};
}

/* One auth-param: key=value or key="quoted \" value"; advances *p past it and a following comma. */
static int next_param(const char **p, char **ret_key, char **ret_value) {
        _cleanup_free_ char *key = NULL, *value = NULL;
        const char *s = *p + strspn(*p, " \t"), *e;
        size_t n = 0;

        e = s + strcspn(s, "=, \t");
        if (e == s || *e != '=')
                return -EBADMSG;
        key = strndup(s, (size_t) (e - s));
        value = malloc(strlen(e) + 1);
        if (!key || !value)
                return -ENOMEM;
        s = e + 1;
        if (*s == '"') {
                for (s++; *s != '"'; s++) {
                        if (*s == '\\' && s[1])
                                s++;
                        else if (!*s)
                                return -EBADMSG;
                        value[n++] = *s;
                }
                s++;
        } else
                for (; *s && *s != ',' && *s != ' ' && *s != '\t'; s++)
                        value[n++] = *s;
        value[n] = 0;
        s += strspn(s, " \t");
        if (*s == ',')
                s++;
        else if (*s)
                return -EBADMSG;
        *p = s;
        *ret_key = TAKE_PTR(key);
        *ret_value = TAKE_PTR(value);
        return 0;
}

int registry_parse_challenge(const char *header, RegistryChallenge *ret) {
        _cleanup_(registry_challenge_done) RegistryChallenge c = {};
        const char *p;
        int r;

        if (!header || strlen(header) > REGISTRY_HEADER_MAX)
                return -EBADMSG;
        p = header + strspn(header, " \t");
        if (strncasecmp(p, "Bearer", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
                return strncasecmp(p, "Basic", 5) == 0 ? -EOPNOTSUPP : -EBADMSG;
        p += 7;
        while (*(p += strspn(p, " \t"))) {
                _cleanup_free_ char *key = NULL, *value = NULL;
                char **slot = NULL;

                r = next_param(&p, &key, &value);
                if (r < 0)
                        return r;
                if (strcasecmp(key, "realm") == 0)
                        slot = &c.realm;
                else if (strcasecmp(key, "service") == 0)
                        slot = &c.service;
                else if (strcasecmp(key, "scope") == 0)
                        slot = &c.scope;
                if (slot && *slot)
                        return -EBADMSG; /* twice: which one would the server mean? */
                if (slot)
                        *slot = TAKE_PTR(value);
        }
        if (isempty(c.realm) || (!strneq(c.realm, "https://", 8) && !strneq(c.realm, "http://", 7)))
                return -EBADMSG;
        *ret = c;
        c = (RegistryChallenge) {};
        return 0;
}

void registry_location_done(RegistryLocation *l) {
        free(l->base);
        free(l->host);
        free(l->repository);
        free(l->reference);
        free(l->name);
        *l = (RegistryLocation) {};
}

static bool host_is_local(const char *host) {
        size_t n = strcspn(host, ":");

        if (host[0] == '[')
                return strneq(host, "[::1]", 5) && (host[5] == 0 || host[5] == ':');
        return (n == 9 && strneq(host, "localhost", 9)) || strneq(host, "127.", 4);
}

int registry_location(const char *ref, bool insecure, RegistryLocation *ret) {
        _cleanup_(image_ref_done) ImageRef parsed = {};
        _cleanup_(registry_location_done) RegistryLocation l = {};
        const char *slash, *host;
        _cleanup_free_ char *domain = NULL;
        int r;

        r = image_ref_parse(ref, &parsed);
        if (r < 0)
                return r;
        r = image_ref_format(&parsed, &l.name);
        if (r < 0)
                return r;
        slash = strchr(parsed.repository, '/');
        if (!slash)
                return -EINVAL;
        domain = strndup(parsed.repository, (size_t) (slash - parsed.repository));
        if (!domain)
                return -ENOMEM;
        host = streq(domain, "docker.io") ? "registry-1.docker.io" : domain;
        l.plain_http = insecure || host_is_local(host);
        l.by_digest = parsed.digest;
        if (asprintf(&l.base, "https://%s", host) < 0)
                return -ENOMEM;
        l.host = strdup(host);
        if (!l.host)
                return -ENOMEM;
        l.repository = strdup(slash + 1);
        l.reference = strdup(parsed.digest ?: parsed.tag);
        if (!l.repository || !l.reference)
                return -ENOMEM;
        *ret = l;
        l = (RegistryLocation) {};
        return 0;
}

const char *registry_native_arch(void) {
        static const struct {
                const char *uname, *goarch;
        } table[] = {
                { "x86_64", "amd64" },   { "aarch64", "arm64" }, { "armv7l", "arm" },   { "armv6l", "arm" },
                { "i686", "386" },       { "i386", "386" },      { "ppc64le", "ppc64le" },
                { "s390x", "s390x" },    { "riscv64", "riscv64" },
        };
        static struct utsname u;

        if (!*u.machine && uname(&u) < 0)
                return "unknown";
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(u.machine, table[i].uname))
                        return table[i].goarch;
        return u.machine;
}

bool registry_content_type_is(const char *content_type, const char *t) {
        size_t n;

        if (!content_type)
                return false;
        content_type += strspn(content_type, " \t");
        n = strcspn(content_type, "; \t\r\n");
        return n == strlen(t) && strncasecmp(content_type, t, n) == 0;
}

bool registry_media_type_is_index(const char *t) {
        return t && (streq(t, MEDIA_TYPE_OCI_INDEX) || streq(t, MEDIA_TYPE_DOCKER_MANIFEST_LIST));
}

int registry_select_manifest(const char *data, size_t size, const RegistryPlatform *want, ImageDescriptor *ret,
                             const char **ret_reason) {
        _cleanup_json_ json_object *o = NULL;
        json_object *manifests;
        size_t n;
        int r;

        r = image_json_parse(data, size, &o);
        if (r < 0) {
                *ret_reason = r == -EFBIG ? "the index is larger than 4 MiB" : "the index is not a JSON object";
                return -EBADMSG;
        }
        if (!json_object_object_get_ex(o, "manifests", &manifests) || !json_object_is_type(manifests, json_type_array) ||
            (n = json_object_array_length(manifests)) > 4096) {
                *ret_reason = "the index has no (or an over-long) manifests array";
                return -EBADMSG;
        }
        for (size_t i = 0; i < n; i++) {
                json_object *m = json_object_array_get_idx(manifests, i), *platform;
                _cleanup_(image_descriptor_done) ImageDescriptor d = {};
                const char *mos, *march, *variant = NULL;

                r = image_descriptor_parse(m, &d, ret_reason);
                if (r < 0)
                        return r;
                if (!json_object_object_get_ex(m, "platform", &platform) ||
                    json_get_string(platform, "os", &mos) < 0 || json_get_string(platform, "architecture", &march) < 0)
                        continue;
                (void) json_get_string(platform, "variant", &variant);
                if (!registry_platform_matches(want, mos, march, variant))
                        continue;
                if (!image_media_type_is_manifest(d.media_type)) {
                        *ret_reason = "the index entry for our platform is not an image manifest";
                        return -EBADMSG;
                }
                *ret = d;
                d = (ImageDescriptor) {};
                return 0;
        }
        *ret_reason = "the image index has no manifest for this platform";
        return -ENOENT;
}

int registry_token_parse(const char *data, size_t size, char **ret) {
        _cleanup_json_ json_object *o = NULL;
        const char *token;
        char *t;

        if (image_json_parse(data ?: "", size, &o) < 0)
                return -EBADMSG;
        if (json_get_string(o, "token", &token) < 0 && json_get_string(o, "access_token", &token) < 0)
                return -EBADMSG;
        if (isempty(token) || strlen(token) > 64U * 1024U || strpbrk(token, "\r\n"))
                return -EBADMSG;
        t = strdup(token);
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}
