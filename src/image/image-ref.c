/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <string.h>

#include "image-digest.h"
#include "image-ref.h"

#define DEFAULT_DOMAIN "docker.io"
#define DEFAULT_TAG "latest"

void image_ref_done(ImageRef *ref) {
        free(ref->repository);
        free(ref->tag);
        free(ref->digest);
        *ref = (ImageRef) {};
}

static bool is_alnum_lower(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* (the distribution spec's grammar). */
static bool path_component_is_valid(const char *s, size_t n) {
        size_t i = 0;

        if (n == 0 || !is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1]))
                return false;
        while (i < n) {
                if (is_alnum_lower(s[i])) {
                        i++;
                        continue;
                }
                if (s[i] == '.' || (s[i] == '_' && s[i + 1] != '_')) {
                        i++;
                } else if (s[i] == '_') {
                        i += 2;
                } else if (s[i] == '-') {
                        while (i < n && s[i] == '-')
                                i++;
                } else
                        return false;
                if (i >= n || !is_alnum_lower(s[i]))
                        return false;
        }
        return true;
}

/* A registry host: DNS labels (any case) separated by '.', optionally ":port". */
static bool domain_is_valid(const char *s, size_t n) {
        const char *colon = memchr(s, ':', n);
        size_t host = colon ? (size_t) (colon - s) : n;

        if (host == 0)
                return false;
        for (size_t i = 0; i < host; i++)
                if (!isalnum((unsigned char) s[i]) && s[i] != '.' && s[i] != '-')
                        return false;
        if (s[0] == '.' || s[0] == '-' || s[host - 1] == '.' || s[host - 1] == '-')
                return false;
        if (colon) {
                size_t digits = n - host - 1;

                if (digits == 0 || digits > 5)
                        return false;
                for (size_t i = host + 1; i < n; i++)
                        if (!isdigit((unsigned char) s[i]))
                                return false;
        }
        return true;
}

static bool tag_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > 128 || !(isalnum((unsigned char) s[0]) || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!isalnum((unsigned char) s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
                        return false;
        return true;
}

static bool path_is_valid(const char *s) {
        const char *p = s;

        for (;;) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t) (slash - p) : strlen(p);

                if (!path_component_is_valid(p, n))
                        return false;
                if (!slash)
                        return true;
                p = slash + 1;
        }
}

static int split_name(const char *name, char **ret_repository) {
        const char *slash = strchr(name, '/');
        char *repo = NULL;

        /* The first component is a registry if it has a '.' or ':' or is "localhost" (docker's rule). */
        if (slash && (memchr(name, '.', slash - name) || memchr(name, ':', slash - name) ||
                      (slash - name == 9 && strneq(name, "localhost", 9)))) {
                if (!domain_is_valid(name, slash - name) || !path_is_valid(slash + 1))
                        return -EINVAL;
                repo = strdup(name);
        } else {
                if (!path_is_valid(name))
                        return -EINVAL;
                if (asprintf(&repo, DEFAULT_DOMAIN "/%s%s", slash ? "" : "library/", name) < 0)
                        repo = NULL;
        }
        if (!repo)
                return -ENOMEM;
        *ret_repository = repo;
        return 0;
}

int image_ref_parse(const char *s, ImageRef *ret) {
        _cleanup_free_ char *copy = NULL;
        ImageRef ref = {};
        char *at, *colon, *slash;
        int r;

        if (isempty(s) || strlen(s) > IMAGE_REF_MAX)
                return -EINVAL;
        copy = strdup(s);
        if (!copy)
                return -ENOMEM;

        at = strchr(copy, '@');
        if (at) {
                *at++ = 0;
                if (!digest_is_valid(at))
                        return -EINVAL;
                ref.digest = strdup(at);
                if (!ref.digest)
                        return -ENOMEM;
        }
        slash = strrchr(copy, '/');
        colon = strrchr(slash ? slash : copy, ':');
        if (colon) {
                *colon++ = 0;
                if (!tag_is_valid(colon)) {
                        image_ref_done(&ref);
                        return -EINVAL;
                }
                ref.tag = strdup(colon);
        } else if (!ref.digest)
                ref.tag = strdup(DEFAULT_TAG);
        if ((colon || !ref.digest) && !ref.tag) {
                image_ref_done(&ref);
                return -ENOMEM;
        }
        r = split_name(copy, &ref.repository);
        if (r < 0) {
                image_ref_done(&ref);
                return r;
        }
        if (strlen(ref.repository) + strlen(strempty(ref.tag)) + strlen(strempty(ref.digest)) + 2 >
            IMAGE_REF_MAX) {
                image_ref_done(&ref);
                return -EINVAL;
        }
        *ret = ref;
        return 0;
}

int image_ref_format(const ImageRef *ref, char **ret) {
        char *s;

        if (asprintf(&s, "%s%s%s%s%s", ref->repository, ref->tag ? ":" : "", strempty(ref->tag),
                     ref->digest ? "@" : "", strempty(ref->digest)) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int image_ref_normalize(const char *s, char **ret) {
        ImageRef ref;
        int r;

        r = image_ref_parse(s, &ref);
        if (r < 0)
                return r;
        r = image_ref_format(&ref, ret);
        image_ref_done(&ref);
        return r;
}
