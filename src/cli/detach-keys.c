/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "detach-keys.h"
#include "log.h"

int detach_keys_parse(const char *keys, char ret[static DETACH_KEYS_MAX]) {
        static const char ctrl_extra[] = "[\\]^_"; /* ctrl-[ is 27 … ctrl-_ is 31 */
        size_t n = 0;

        if (isempty(keys))
                return 0;
        for (const char *p = keys;;) {
                size_t k = strcspn(p, ",");
                char c;

                if (k == 1)
                        c = p[0];
                else if (k == 6 && strneq(p, "ctrl-", 5) && p[5] >= 'a' && p[5] <= 'z')
                        c = (char) (p[5] - 'a' + 1);
                else if (k == 6 && strneq(p, "ctrl-", 5) && p[5] == '@')
                        c = 0;
                else if (k == 6 && strneq(p, "ctrl-", 5) && p[5] && strchr(ctrl_extra, p[5]))
                        c = (char) (27 + (strchr(ctrl_extra, p[5]) - ctrl_extra));
                else
                        return -EINVAL;
                if (n >= DETACH_KEYS_MAX)
                        return -E2BIG;
                ret[n++] = c;
                if (!p[k])
                        break;
                p += k + 1;
        }
        return (int) n;
}

int detach_keys_resolve(const char *option, char ret[static DETACH_KEYS_MAX]) {
        int r = detach_keys_parse(option ?: DETACH_KEYS_DEFAULT, ret);

        if (r < 0)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "Invalid --detach-keys '%s': expected keys separated by commas, each a "
                                       "single character or ctrl-<a-z, @, [, \\, ], ^ or _> (at most %d), or "
                                       "\"\" to disable them.", option, DETACH_KEYS_MAX);
        return r;
}
