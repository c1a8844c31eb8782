/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mount specs and the container spec file: the first byte picks the parser. Paths and tmpfs options
 * come from D-Bus callers and the CLI; config.json is what dray-monitor reads back from disk. */
#include <json-c/json.h>

#include "fuzz.h"
#include "mount-spec.h"
#include "spec.h"

static void check_normalize(const char *s) {
        _cleanup_free_ char *n = NULL;

        if (mount_path_normalize(s, &n) < 0)
                return;
        /* Normalizing is idempotent, and its output never holds "..". */
        if (!mount_path_is_normalized(n) || strstr(n, "/../") || strstr(n, "//"))
                abort();
        (void) mount_destination_is_valid(n);
}

static void check_json(const char *s) {
        _cleanup_json_ json_object *o = json_tokener_parse(s), *again = NULL;
        ContainerSpec *spec = NULL;
        MountSpec *m = NULL;
        size_t n = 0;

        if (!o)
                return;
        if (mount_specs_from_json(o, &m, &n) >= 0) {
                (void) mount_specs_validate(m, n, NULL);
                mount_spec_array_free(m, n);
        }
        if (spec_from_json(o, &spec) < 0)
                return;
        /* A spec that loaded is valid and survives the round trip. */
        if (spec_to_json(spec, &again) < 0)
                abort();
        spec_free(spec);
        spec = NULL;
        if (spec_from_json(again, &spec) < 0)
                abort();
        spec_free(spec);
}

int fuzz_mounts(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = NULL;
        const char *bad;

        if (size < 1 || size > 65536)
                return 0;
        s = fuzz_strndup(data + 1, size - 1);
        if (!s)
                return 0;
        switch (data[0] % 3) {
        case 0:
                check_normalize(s);
                break;
        case 1:
                (void) tmpfs_options_validate(s, &bad);
                break;
        default:
                check_json(s);
        }
        return 0;
}
