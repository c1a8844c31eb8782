/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "capability-name.h"

int capability_name_canonical(const char *name, char buf[static CAPABILITY_NAME_MAX]) {
        const char *p = name;
        char *q;

        if (isempty(name))
                return -EINVAL;
        if (strcasecmp(name, "all") == 0) {
                strcpy(buf, "ALL");
                return 0;
        }
        if (strncasecmp(p, "cap_", 4) == 0)
                p += 4;
        if (*p == 0 || 4 + strlen(p) >= CAPABILITY_NAME_MAX)
                return -EINVAL;
        q = stpcpy(buf, "CAP_");
        for (; *p; p++) {
                if (!isalpha((unsigned char) *p) && *p != '_')
                        return -EINVAL;
                *q++ = (char) toupper((unsigned char) *p);
        }
        *q = 0;
        return 0;
}

int capability_from_name(const char *name, int *ret) {
        char buf[CAPABILITY_NAME_MAX];
        cap_value_t v;
        int r;

        r = capability_name_canonical(name, buf);
        if (r < 0)
                return r;
        if (streq(buf, "ALL"))
                return -EINVAL;
        /* libcap matches names case-insensitively; the spelling was checked above. */
        if (cap_from_name(buf, &v) < 0 || v < 0 || v >= 64)
                return -EINVAL;
        *ret = v;
        return 0;
}

int capability_name_normalize(const char *name, char **ret) {
        char buf[CAPABILITY_NAME_MAX];
        char *n;
        int v, r;

        r = capability_name_canonical(name, buf);
        if (r < 0)
                return r;
        if (!streq(buf, "ALL")) {
                r = capability_from_name(buf, &v);
                if (r < 0)
                        return r;
        }
        n = strdup(buf);
        if (!n)
                return -ENOMEM;
        *ret = n;
        return 0;
}
