/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
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

/* The value of "detach-keys = VALUE" in path, or NULL (no file, no such line). A line at most 1 KiB;
 * '#' starts a comment line. */
static char *config_value(const char *path) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char line[1024];

        if (!f)
                return NULL;
        while (fgets(line, sizeof(line), f)) {
                char *k = line + strspn(line, " \t"), *eq, *v, *end;

                if (*k == '#' || !(eq = strchr(k, '=')))
                        continue;
                end = eq;
                while (end > k && strchr(" \t", end[-1]))
                        end--;
                if ((size_t) (end - k) != strlen("detach-keys") || !strneq(k, "detach-keys", end - k))
                        continue;
                v = eq + 1 + strspn(eq + 1, " \t");
                v[strcspn(v, "\r\n")] = 0;
                for (end = v + strlen(v); end > v && strchr(" \t", end[-1]); end--)
                        end[-1] = 0;
                /* Docker's "" for none, quoted or not. */
                if (streq(v, "\"\""))
                        *v = 0;
                return strdup(v);
        }
        return NULL;
}

int detach_keys_config(char **ret_value, char **ret_path) {
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        _cleanup_free_ char *user = NULL;

        if (!isempty(xdg) && asprintf(&user, "%s/dray/dray.conf", xdg) < 0)
                return user = NULL, -ENOMEM;
        if (isempty(xdg) && !isempty(home) && asprintf(&user, "%s/.config/dray/dray.conf", home) < 0)
                return user = NULL, -ENOMEM;
        for (const char *p = user; ; p = NULL) {
                const char *path = p ?: DETACH_KEYS_SYSTEM_CONFIG;
                char *v = config_value(path);

                if (v) {
                        *ret_value = v;
                        *ret_path = strdup(path);
                        return *ret_path ? 1 : -ENOMEM;
                }
                if (!p)
                        break;
        }
        *ret_value = *ret_path = NULL;
        return 0;
}

int detach_keys_resolve(const char *option, char ret[static DETACH_KEYS_MAX]) {
        _cleanup_free_ char *value = NULL, *path = NULL;
        int r;

        if (!option && detach_keys_config(&value, &path) > 0) {
                r = detach_keys_parse(value, ret);
                if (r < 0)
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "Invalid detach-keys '%s' in %s: expected keys separated by commas, "
                                               "each a single character or ctrl-<a-z, @, [, \\, ], ^ or _> (at "
                                               "most %d), or \"\" to disable them.", value, path, DETACH_KEYS_MAX);
                return r;
        }
        r = detach_keys_parse(option ?: DETACH_KEYS_DEFAULT, ret);
        if (r < 0)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "Invalid --detach-keys '%s': expected keys separated by commas, each a "
                                       "single character or ctrl-<a-z, @, [, \\, ], ^ or _> (at most %d), or "
                                       "\"\" to disable them.", option, DETACH_KEYS_MAX);
        return r;
}
