/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
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

static bool hierarchy_has(const char *list, size_t len, const char *controller) {
        size_t cl = strlen(controller);

        if (cl == 0)
                return len == 0;
        for (const char *w = list, *end = list + len; w < end;) {
                const char *we = memchr(w, ',', (size_t) (end - w)) ?: end;

                if ((size_t) (we - w) == cl && strncmp(w, controller, cl) == 0)
                        return true;
                w = we + 1;
        }
        return false;
}

int cgroup_scope_path(const char *proc_cgroup, const char *controller, const char *unit, char **ret_path,
                      const char **ret_hierarchy, size_t *ret_hierarchy_len) {
        size_t ul = strlen(unit);

        for (const char *p = proc_cgroup; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                const char *eol = strchrnul(p, '\n'), *c1 = memchr(p, ':', (size_t) (eol - p)), *c2, *path;
                char *ret;

                c2 = c1 ? memchr(c1 + 1, ':', (size_t) (eol - c1 - 1)) : NULL;
                if (!c2 || !hierarchy_has(c1 + 1, (size_t) (c2 - c1 - 1), controller))
                        continue;
                path = c2 + 1;
                /* The unit as a whole path component. */
                for (const char *at = path; (at = memmem(at, (size_t) (eol - at), unit, ul)); at++)
                        if (at > path && at[-1] == '/' && (at + ul == eol || at[ul] == '/')) {
                                ret = strndup(path, (size_t) (at + ul - path));
                                if (!ret)
                                        return -ENOMEM;
                                *ret_path = ret;
                                if (ret_hierarchy)
                                        *ret_hierarchy = c1 + 1;
                                if (ret_hierarchy_len)
                                        *ret_hierarchy_len = (size_t) (c2 - c1 - 1);
                                return 0;
                        }
                return -ENOENT;
        }
        return -ENOENT;
}
