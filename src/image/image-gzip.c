/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <zlib.h>

#include "atomic-write.h"
#include "image-gzip.h"

#define GZIP_CHUNK (128U * 1024U)

static void deflate_endp(z_stream *z) {
        (void) deflateEnd(z);
}

/* Writes what deflate produced into out, and hashes it. */
static int flush_out(z_stream *z, uint8_t *out, int out_fd, Sha256 *h, uint64_t *size) {
        size_t n = GZIP_CHUNK - z->avail_out;
        int r;

        if (n == 0)
                return 0;
        r = sha256_update(h, out, n);
        if (r < 0)
                return r;
        r = loop_write(out_fd, out, n);
        if (r < 0)
                return r;
        *size += n;
        z->next_out = out;
        z->avail_out = GZIP_CHUNK;
        return 0;
}

int image_gzip(int in_fd, int out_fd, char ret_digest[static DIGEST_STRING_LEN + 1], uint64_t *ret_size) {
        _cleanup_free_ uint8_t *in = malloc(GZIP_CHUNK), *out = malloc(GZIP_CHUNK);
        _cleanup_(deflate_endp) z_stream z = {};
        uint64_t size = 0;
        Sha256 h;
        int flush = Z_NO_FLUSH, k, r;

        if (!in || !out)
                return -ENOMEM;
        /* windowBits 15 + 16: a gzip wrapper, whose default header has no name and mtime 0. */
        if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
                return -ENOMEM;
        r = sha256_init(&h);
        if (r < 0)
                return r;
        z.next_out = out;
        z.avail_out = GZIP_CHUNK;
        while (flush != Z_FINISH) {
                ssize_t n = read(in_fd, in, GZIP_CHUNK);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = -errno;
                        break;
                }
                flush = n == 0 ? Z_FINISH : Z_NO_FLUSH;
                z.next_in = in;
                z.avail_in = (uInt) n;
                do {
                        k = deflate(&z, flush);
                        if (k == Z_STREAM_ERROR) {
                                r = -EIO;
                                break;
                        }
                        if (z.avail_out == 0 || k == Z_STREAM_END)
                                r = flush_out(&z, out, out_fd, &h, &size);
                } while (r >= 0 && (z.avail_in > 0 || (flush == Z_FINISH && k != Z_STREAM_END)));
                if (r < 0)
                        break;
        }
        if (r >= 0)
                r = sha256_final(&h, ret_digest);
        sha256_done(&h);
        if (r < 0)
                return r;
        *ret_size = size;
        return 0;
}
