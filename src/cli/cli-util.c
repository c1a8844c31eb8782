/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "cli-util.h"
#include "log.h"
#include "utf8.h"

int log_invalid_value(const char *option, const char *value, int r, const char *expected) {
        if (r == -ERANGE)
                log_error("Invalid %s value '%s': out of range; expected %s.", option, value, expected);
        else
                log_error("Invalid %s value '%s': expected %s.", option, value, expected);
        return -EINVAL;
}

/* A name is at most 63 characters and an ID 64: anything much longer cannot match. */
#define CONTAINER_ARG_MAX 256

int container_args_check(const char *verb, char *const *args, size_t min, size_t max) {
        size_t n = 0;

        for (char *const *a = args; a && *a; a++, n++) {
                if (isempty(*a))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "'dray %s': a container name or ID must not be empty.", verb);
                if (strlen(*a) > CONTAINER_ARG_MAX || !utf8_is_valid(*a))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "'dray %s': argument %zu is not a container name or ID (too "
                                               "long, or not UTF-8).", verb, n + 1);
        }
        if (n < min || n > max) {
                if (min == max)
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "'dray %s' takes exactly %zu %s.",
                                               verb, min, min == 1 ? "container" : "containers");
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "'dray %s' needs at least one container.",
                                       verb);
        }
        return 0;
}

int cli_parse_bool(const char *s, bool *ret) {
        if (!s || streq(s, "true") || streq(s, "1") || streq(s, "yes")) {
                *ret = true;
                return 0;
        }
        if (streq(s, "false") || streq(s, "0") || streq(s, "no")) {
                *ret = false;
                return 0;
        }
        return -EINVAL;
}
