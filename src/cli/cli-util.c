/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "cli-util.h"
#include "log.h"
#include "utf8.h"

void getopt_reset(void) {
        optind = 0;
        opterr = 0;
        optopt = 0;
        optarg = NULL;
}

int log_option_error(const char *verb, char *const argv[], int c) {
        const char *arg = optind > 0 ? argv[optind - 1] : NULL;
        _cleanup_free_ char *name = NULL;

        /* A long option is reported as typed (without any "=value"); a short one by its letter, since
         * it may sit in a group such as "-dx". */
        if (arg && strneq(arg, "--", 2)) {
                name = strndup(arg, strcspn(arg, "="));
                if (!name)
                        return log_oom();
        } else if (optopt > 0 && optopt < 128) {
                if (asprintf(&name, "-%c", optopt) < 0)
                        return log_oom();
        }

        if (!verb) {
                if (c == ':')
                        log_error("Option '%s' requires an argument.", strna(name));
                else
                        log_error("Unknown option '%s'; see 'dray --help'.", strna(name));
        } else if (c == ':')
                log_error("Option '%s' of 'dray %s' requires an argument.", strna(name), verb);
        else
                log_error("Unknown option '%s' for 'dray %s'; see 'dray %s --help'.", strna(name), verb,
                          verb);
        return -EINVAL;
}

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
