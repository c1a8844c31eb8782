/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "image-digest.h"

bool digest_is_valid(const char *s) {
        if (!s || strncmp(s, DIGEST_PREFIX, strlen(DIGEST_PREFIX)) != 0)
                return false;
        s += strlen(DIGEST_PREFIX);
        for (size_t i = 0; i < DIGEST_HEX_LEN; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return s[DIGEST_HEX_LEN] == 0;
}

const char *digest_hex(const char *s) {
        return s + strlen(DIGEST_PREFIX);
}

int sha256_init(Sha256 *h) {
        *h = (Sha256) {};
        h->ctx = EVP_MD_CTX_new();
        if (!h->ctx)
                return -ENOMEM;
        if (EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
                sha256_done(h);
                return -EIO;
        }
        return 0;
}

int sha256_update(Sha256 *h, const void *data, size_t n) {
        if (n == 0)
                return 0;
        if (EVP_DigestUpdate(h->ctx, data, n) != 1)
                return -EIO;
        h->size += n;
        return 0;
}

int sha256_final(Sha256 *h, char ret[static DIGEST_STRING_LEN + 1]) {
        static const char hex[] = "0123456789abcdef";
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        char *p;

        if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32) {
                sha256_done(h);
                return -EIO;
        }
        sha256_done(h);
        p = stpcpy(ret, DIGEST_PREFIX);
        for (unsigned i = 0; i < n; i++) {
                *p++ = hex[md[i] >> 4];
                *p++ = hex[md[i] & 15];
        }
        *p = 0;
        return 0;
}

void sha256_done(Sha256 *h) {
        EVP_MD_CTX_free(h->ctx);
        h->ctx = NULL;
}

int sha256_buffer(const void *data, size_t n, char ret[static DIGEST_STRING_LEN + 1]) {
        Sha256 h;
        int r;

        r = sha256_init(&h);
        if (r < 0)
                return r;
        r = sha256_update(&h, data, n);
        if (r < 0) {
                sha256_done(&h);
                return r;
        }
        return sha256_final(&h, ret);
}

int sha256_fd(int fd, char ret[static DIGEST_STRING_LEN + 1], uint64_t *ret_size) {
        char buf[64 * 1024];
        Sha256 h;
        int r;

        r = sha256_init(&h);
        if (r < 0)
                return r;
        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        sha256_done(&h);
                        return -errno;
                }
                if (n == 0)
                        break;
                r = sha256_update(&h, buf, (size_t) n);
                if (r < 0) {
                        sha256_done(&h);
                        return r;
                }
        }
        if (ret_size)
                *ret_size = h.size;
        return sha256_final(&h, ret);
}
