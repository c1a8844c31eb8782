/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `dray run` / `dray create` argument parsing: the bytes, split at NUL, are argv. Inputs that would
 * make the parser open files (--env-file, seccomp=) are skipped: the fuzzer must not read /dev/zero. */

#include "fuzz.h"
#include "run-options.h"

int fuzz_cli(const uint8_t *data, size_t size) {
        _cleanup_free_ char *copy = NULL;
        _cleanup_(run_options_done) RunOptions o;
        char *argv[66] = { (char *) "run" };
        int argc = 1;

        run_options_init(&o);
        if (size < 1 || size > 8192)
                return 0;
        copy = fuzz_strndup(data + 1, size - 1);
        if (!copy)
                return 0;
        for (size_t i = 0; i < size - 1 && argc < 64; i++)
                if (i == 0 || copy[i - 1] == 0)
                        argv[argc++] = copy + i;
        for (int i = 1; i < argc; i++)
                if (strstr(argv[i], "env-file") || strstr(argv[i], "seccomp") || strstr(argv[i], "--e"))
                        return 0;
        (void) run_options_parse(data[0] & 1 ? RUN_VERB_CREATE : RUN_VERB_RUN, argc, argv, &o);
        return 0;
}
