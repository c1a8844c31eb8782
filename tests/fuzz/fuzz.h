/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libFuzzer targets for every parser of untrusted input. They are linked into one binary, dray-fuzz
 * (one clang build instead of one per target); DRAY_FUZZ_TARGET picks the target, as the meson tests
 * in suite "fuzz" set it. Each target takes the fuzzer's bytes and must never crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int (*fuzz_target_t)(const uint8_t *data, size_t size);

int fuzz_names(const uint8_t *data, size_t size);
int fuzz_options(const uint8_t *data, size_t size);
int fuzz_seccomp(const uint8_t *data, size_t size);
int fuzz_mounts(const uint8_t *data, size_t size);
int fuzz_cli(const uint8_t *data, size_t size);
int fuzz_protocol(const uint8_t *data, size_t size);
int fuzz_manifest(const uint8_t *data, size_t size);
int fuzz_registry(const uint8_t *data, size_t size);
int fuzz_image_ref(const uint8_t *data, size_t size);
int fuzz_tar_path(const uint8_t *data, size_t size);
int fuzz_policy(const uint8_t *data, size_t size);
int fuzz_oci_config(const uint8_t *data, size_t size);
int fuzz_template(const uint8_t *data, size_t size);

/* A NUL-terminated copy of the input (NULL on OOM). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                return NULL;
        memcpy(s, data, size);
        s[size] = 0;
        return s;
}
