/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* docker's top-level image verbs: dray tag, rmi, load, save, history are dray image tag, rm, load,
 * save, history. */
#include <stdlib.h>
#include <string.h>

#include "cli-util.h"
#include "log.h"
#include "verbs.h"

int verb_image_alias(int argc, char *argv[]) {
        static const char *const map[][2] = {
                { "tag", "tag" }, { "rmi", "rm" }, { "load", "load" }, { "save", "save" }, { "history", "history" },
        };
        _cleanup_free_ char **v = NULL;
        const char *sub = NULL;

        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (streq(argv[0], map[i][0]))
                        sub = map[i][1];
        if (!sub)
                return log_error("Unknown verb '%s'.", argv[0]), EXIT_USAGE;
        v = calloc((size_t) argc + 2, sizeof(char *));
        if (!v)
                return log_oom(), EXIT_FAILED;
        v[0] = (char *) "image";
        v[1] = (char *) sub;
        memcpy(v + 2, argv + 1, sizeof(char *) * (size_t) (argc - 1));
        return verb_image(argc + 1, v);
}
