/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "image-manifest.h"
#include "json-util.h"
#include "macros.h"
#include "registry-parse.h"
#include "registry-util.h"

static int parse_u64(const char *s, size_t n, uint64_t *ret) {
        uint64_t v = 0;

        if (n == 0 || n > 19)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        *ret = v;
        return 0;
}

int registry_parse_retry_after(const char *value, time_t now, unsigned *ret_seconds) {
        uint64_t v;
        time_t t;
        size_t n;

        if (!value)
                return -EINVAL;
        value += strspn(value, " \t");
        n = strlen(value);
        while (n > 0 && strchr(" \t\r\n", value[n - 1]))
                n--;
        if (n > 0 && value[0] >= '0' && value[0] <= '9') {
                if (parse_u64(value, n, &v) < 0)
                        return -EINVAL;
                *ret_seconds = (unsigned) MIN(v, (uint64_t) REGISTRY_RETRY_AFTER_MAX);
                return 0;
        }
        /* An HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"): curl knows every form RFC 9110 allows. */
        if (n == 0 || n > 64 || !strchr(value, ' '))
                return -EINVAL;
        t = curl_getdate(value, NULL);
        if (t == (time_t) -1)
                return -EINVAL;
        *ret_seconds = t <= now ? 0 : (unsigned) MIN((uint64_t) (t - now), (uint64_t) REGISTRY_RETRY_AFTER_MAX);
        return 0;
}

int registry_parse_content_range(const char *value, uint64_t *ret_first, uint64_t *ret_last, uint64_t *ret_total) {
        uint64_t first, last, total = UINT64_MAX;
        const char *dash, *slash, *end;

        if (!value)
                return -EINVAL;
        value += strspn(value, " \t");
        if (strncasecmp(value, "bytes ", 6) != 0)
                return -EINVAL;
        value += 6;
        value += strspn(value, " ");
        dash = strchr(value, '-');
        slash = dash ? strchr(dash, '/') : NULL;
        if (!slash)
                return -EINVAL;
        end = slash + 1 + strcspn(slash + 1, " \t\r\n");
        if (parse_u64(value, (size_t) (dash - value), &first) < 0 ||
            parse_u64(dash + 1, (size_t) (slash - dash - 1), &last) < 0)
                return -EINVAL;
        if (!(end - slash == 2 && slash[1] == '*') && parse_u64(slash + 1, (size_t) (end - slash - 1), &total) < 0)
                return -EINVAL;
        if (end[strspn(end, " \t\r\n")] != 0 || last < first || last >= total)
                return -EINVAL;
        *ret_first = first;
        *ret_last = last;
        *ret_total = total;
        return 0;
}

unsigned registry_token_lifetime(const char *data, size_t size) {
        _cleanup_json_ json_object *o = NULL;
        json_object *v;
        int64_t n;

        if (image_json_parse(data ?: "", size, &o) < 0 || !json_object_object_get_ex(o, "expires_in", &v) ||
            !json_object_is_type(v, json_type_int))
                return REGISTRY_TOKEN_LIFETIME_MIN;
        n = json_object_get_int64(v);
        if (n < (int64_t) REGISTRY_TOKEN_LIFETIME_MIN)
                return REGISTRY_TOKEN_LIFETIME_MIN;
        return (unsigned) MIN(n, (int64_t) REGISTRY_TOKEN_LIFETIME_MAX);
}

static bool platform_word_ok(const char *s, size_t n, size_t max) {
        if (n == 0 || n >= max)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_-.", s[i]))
                        return false;
        return true;
}

int registry_platform_parse(const char *s, RegistryPlatform *ret) {
        RegistryPlatform p = {};
        const char *parts[3] = {};
        size_t lens[3] = {}, k = 0;
        char *fields[3] = { p.os, p.arch, p.variant };

        if (!s)
                return -EINVAL;
        for (const char *c = s;; c++) {
                if (k >= 3)
                        return -EINVAL;
                parts[k] = c;
                lens[k] = strcspn(c, "/");
                c += lens[k];
                k++;
                if (*c == 0)
                        break;
        }
        if (k < 2)
                return -EINVAL;
        for (size_t i = 0; i < k; i++) {
                if (!platform_word_ok(parts[i], lens[i], sizeof(p.os)))
                        return -EINVAL;
                memcpy(fields[i], parts[i], lens[i]);
        }
        *ret = p;
        return 0;
}

void registry_platform_native(RegistryPlatform *ret) {
        const char *arch = registry_native_arch();

        *ret = (RegistryPlatform) {};
        (void) snprintf(ret->os, sizeof(ret->os), "linux");
        (void) snprintf(ret->arch, sizeof(ret->arch), "%s", arch);
        if (streq(arch, "arm64"))
                (void) snprintf(ret->variant, sizeof(ret->variant), "v8");
        else if (streq(arch, "arm"))
                (void) snprintf(ret->variant, sizeof(ret->variant), "v7");
}

bool registry_platform_matches(const RegistryPlatform *want, const char *os, const char *arch, const char *variant) {
        if (!os || !arch || !streq(os, want->os) || !streq(arch, want->arch))
                return false;
        if (isempty(variant))
                return true;
        if (!isempty(want->variant))
                return streq(variant, want->variant);
        if (streq(want->arch, "arm"))
                return streq(variant, "v7");
        if (streq(want->arch, "arm64"))
                return streq(variant, "v8");
        return true;
}

const char *registry_platform_format(const RegistryPlatform *p, char *buf, size_t size) {
        (void) snprintf(buf, size, "%s/%s%s%s", p->os, p->arch, isempty(p->variant) ? "" : "/", p->variant);
        return buf;
}
