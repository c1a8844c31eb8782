/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "device-spec.h"
#include "mount-spec.h"

bool device_perms_are_valid(const char *p) {
        size_t n = strlen(p);

        if (n == 0 || n > 3 || strspn(p, "rwm") != n)
                return false;
        for (size_t i = 0; i < n; i++)
                if (strchr(p + i + 1, p[i]))
                        return false; /* each letter once */
        return true;
}

static bool device_destination_is_valid(const char *p) {
        return mount_path_is_normalized(p) && path_is_below_or_equal(p, "/dev") && !streq(p, "/dev") &&
               !path_is_below_or_equal(p, "/dev/pts") && !path_is_below_or_equal(p, "/dev/shm") &&
               !path_is_below_or_equal(p, "/dev/mqueue");
}

int device_spec_parse(const char *s, char **ret_host, char **ret_container, char **ret_perms) {
        _cleanup_free_ char *copy = strdup(s), *host = NULL, *container = NULL, *perms = NULL;
        char *fields[4] = {};
        size_t n = 0;

        if (!copy)
                return -ENOMEM;
        for (char *p = copy; n < ELEMENTSOF(fields); n++) {
                fields[n] = p;
                p = strchr(p, ':');
                if (!p) {
                        n++;
                        break;
                }
                *p++ = 0;
        }
        if (n > 3 || (n == 3 && strchr(fields[2], ':')))
                return -EINVAL;
        /* As docker: with two fields, the second is the permissions when it reads as such. */
        if (n == 2 && device_perms_are_valid(fields[1]))
                fields[2] = fields[1], fields[1] = NULL;
        if (mount_path_normalize(fields[0], &host) < 0 ||
            mount_path_normalize(fields[1] ?: fields[0], &container) < 0 || !device_destination_is_valid(container))
                return -EINVAL;
        perms = strdup(fields[2] ?: "rwm");
        if (!perms)
                return -ENOMEM;
        if (!device_perms_are_valid(perms))
                return -EINVAL;
        if (ret_host)
                *ret_host = TAKE_PTR(host);
        if (ret_container)
                *ret_container = TAKE_PTR(container);
        if (ret_perms)
                *ret_perms = TAKE_PTR(perms);
        return 0;
}

int device_spec_canonical(const char *s, char **ret) {
        _cleanup_free_ char *host = NULL, *container = NULL, *perms = NULL;
        int r;

        r = device_spec_parse(s, &host, &container, &perms);
        if (r < 0)
                return r;
        return asprintf(ret, "%s:%s:%s", host, container, perms) < 0 ? -ENOMEM : 0;
}

bool device_spec_is_canonical(const char *s) {
        _cleanup_free_ char *c = NULL;

        return device_spec_canonical(s, &c) >= 0 && streq(c, s);
}
