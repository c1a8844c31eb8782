/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Container names, IDs and ID prefixes, hostnames, --user values and the number parsers: everything
 * a caller hands drayd or the CLI as a short string. */
#include "fuzz.h"
#include "macros.h"
#include "name.h"
#include "parse-util.h"
#include "spec.h"
#include "utf8.h"

int fuzz_names(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = NULL;
        uint64_t u64;
        uint32_t u32;
        uid_t uid;
        gid_t gid;
        int i;

        if (size > 4096)
                return 0;
        s = fuzz_strndup(data, size);
        if (!s)
                return 0;
        if (container_name_is_valid(s) && (strlen(s) > 63 || !utf8_is_valid(s)))
                abort(); /* a valid name is short, printable ASCII */
        (void) container_id_is_valid(s);
        (void) container_id_prefix_is_valid(s);
        (void) hostname_is_valid_simple(s);
        (void) parse_user(s, &uid, &gid);
        (void) safe_atou64(s, &u64);
        (void) safe_atou32(s, &u32);
        (void) safe_atoi(s, &i);
        (void) parse_size(s, &u64);
        (void) parse_cpus(s, &u64);
        (void) parse_timespan_sec(s, &u64);
        (void) parse_signal(s, &i);
        return 0;
}
