/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Seccomp profiles in Docker's JSON format (--security-opt seccomp=FILE: the caller's text, parsed by
 * drayd as root): parse, and compile what parses for two capability sets. Nothing is loaded. */
#include <linux/capability.h>

#include "fuzz.h"
#include "seccomp-profile.h"

int fuzz_seccomp(const uint8_t *data, size_t size) {
        _cleanup_(seccomp_profile_freep) SeccompProfile *p = NULL;
        _cleanup_free_ char *text = NULL, *error = NULL;
        static const uint64_t caps[] = { 0, UINT64_C(1) << CAP_SYS_ADMIN };

        if (size > SECCOMP_PROFILE_FILE_MAX)
                return 0;
        text = fuzz_strndup(data, size);
        if (!text || seccomp_profile_from_string(text, size, &p, &error) < 0)
                return 0;
        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
                scmp_filter_ctx ctx = NULL;

                if (seccomp_profile_compile(p, caps[i], &ctx) >= 0)
                        seccomp_release(ctx);
        }
        return 0;
}
