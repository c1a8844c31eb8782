/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray-oci's reader of an OCI bundle's config.json (src/oci/oci-config.c): whatever the engine, or
 * whoever wrote the bundle, put there. The parser may only read the file system (realpath of the root
 * and of bind sources); a config it accepts is a valid ContainerSpec. */
#include <json-c/json.h>

#include "fuzz.h"
#include "oci-config.h"

int fuzz_oci_config(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = fuzz_strndup(data, size), *error = NULL;
        _cleanup_json_ json_object *o = NULL;
        OciConfig *c = NULL;
        const char *reason = NULL;

        if (!s)
                return 0;
        o = json_tokener_parse(s);
        if (!o)
                return 0;
        if (oci_config_parse(o, "/nonexistent-bundle", "fuzz", NULL, NULL, &c, &error) < 0)
                return 0;
        if (spec_validate(c->spec, &reason) < 0)
                abort();
        oci_config_free(c);
        return 0;
}
