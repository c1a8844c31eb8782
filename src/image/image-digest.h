/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <openssl/evp.h>

#include "macros.h"

/* OCI content digests. Only sha256 is accepted: "sha256:" + 64 lowercase hex digits. */
#define DIGEST_HEX_LEN 64
#define DIGEST_PREFIX "sha256:"
#define DIGEST_STRING_LEN (sizeof(DIGEST_PREFIX) - 1 + DIGEST_HEX_LEN)

bool digest_is_valid(const char *s);
/* The 64 hex digits of a valid digest (a pointer into s). */
const char *digest_hex(const char *s);

typedef struct Sha256 {
        EVP_MD_CTX *ctx;
        uint64_t size;
} Sha256;

int sha256_init(Sha256 *h);
int sha256_update(Sha256 *h, const void *data, size_t n);
/* Writes "sha256:<hex>" (DIGEST_STRING_LEN + 1 bytes) and frees the context. */
int sha256_final(Sha256 *h, char ret[static DIGEST_STRING_LEN + 1]);
void sha256_done(Sha256 *h);

/* The digest of a buffer, or of everything readable from fd. */
int sha256_buffer(const void *data, size_t n, char ret[static DIGEST_STRING_LEN + 1]);
int sha256_fd(int fd, char ret[static DIGEST_STRING_LEN + 1], uint64_t *ret_size);
