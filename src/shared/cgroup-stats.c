/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-stats.h"
#include "macros.h"

static int parse_u64(const char *s, const char **ret_end, uint64_t *ret) {
        char *end;
        unsigned long long v;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0)
                return -errno;
        *ret = (uint64_t) v;
        if (ret_end)
                *ret_end = end;
        return 0;
}

int cgroup_keyed_value(const char *text, const char *key, uint64_t *ret) {
        size_t k = strlen(key);

        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, key, k) == 0 && p[k] == ' ')
                        return parse_u64(p + k + 1, NULL, ret);
        return -ENOENT;
}

int cgroup_parse_value(const char *text, uint64_t *ret) {
        const char *end = NULL;
        uint64_t v = 0;
        int r;

        if (strncmp(text, "max", 3) == 0 && (text[3] == 0 || text[3] == '\n')) {
                *ret = UINT64_MAX;
                return 0;
        }
        r = parse_u64(text, &end, &v);
        if (r < 0)
                return r;
        if (*end != 0 && *end != '\n')
                return -EINVAL;
        *ret = v;
        return 0;
}

int cgroup_parse_blkio_v1(const char *text, uint64_t *ret_read, uint64_t *ret_write) {
        uint64_t rd = 0, wr = 0;

        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                char op[16];
                uint64_t v;
                unsigned maj, min;

                /* "Total N" has no device: only device lines count. */
                if (sscanf(p, "%u:%u %15s %" SCNu64, &maj, &min, op, &v) != 4)
                        continue;
                if (streq(op, "Read"))
                        rd += v;
                else if (streq(op, "Write"))
                        wr += v;
        }
        *ret_read = rd;
        *ret_write = wr;
        return 0;
}

int cgroup_parse_io_stat(const char *text, uint64_t *ret_read, uint64_t *ret_write) {
        uint64_t rd = 0, wr = 0;

        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                const char *eol = strchrnul(p, '\n');

                for (const char *f = strchr(p, ' '); f && f < eol; f = strchr(f + 1, ' ')) {
                        uint64_t v = 0;

                        if (strncmp(f + 1, "rbytes=", 7) == 0 && parse_u64(f + 8, NULL, &v) >= 0)
                                rd += v;
                        else if (strncmp(f + 1, "wbytes=", 7) == 0 && parse_u64(f + 8, NULL, &v) >= 0)
                                wr += v;
                }
        }
        *ret_read = rd;
        *ret_write = wr;
        return 0;
}

int net_dev_parse(const char *text, uint64_t *ret_rx, uint64_t *ret_tx) {
        uint64_t rx = 0, tx = 0;
        unsigned n = 0;

        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                const char *colon = strchr(p, ':'), *eol = strchrnul(p, '\n');
                uint64_t f[9];
                char name[32];
                size_t len;

                if (!colon || colon > eol)
                        continue; /* the two header lines */
                p += strspn(p, " ");
                len = (size_t) (colon - p);
                if (len == 0 || len >= sizeof(name))
                        continue;
                memcpy(name, p, len);
                name[len] = 0;
                /* rx: bytes packets errs drop fifo frame compressed multicast, then tx: bytes ... */
                if (sscanf(colon + 1, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
                           " %" SCNu64 " %" SCNu64 " %" SCNu64, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6],
                           &f[7], &f[8]) != 9)
                        return -EINVAL;
                n++;
                if (streq(name, "lo"))
                        continue;
                rx += f[0];
                tx += f[8];
        }
        if (n == 0)
                return -EINVAL;
        *ret_rx = rx;
        *ret_tx = tx;
        return 0;
}
