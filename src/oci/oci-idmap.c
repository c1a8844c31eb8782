/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The user namespace's ID maps and the namespace files an OCI config names, checked as the kernel
 * would check them, so that a bad one is refused with the key's name before anything is made. */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "oci-idmap.h"

typedef struct IdRange {
        int64_t container, host, size;
} IdRange;

static int errorf(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int errorf(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return r;
}

static bool ranges_overlap(int64_t a, int64_t b, int64_t size_a, int64_t size_b) {
        return a < b + size_b && b < a + size_a;
}

static int get_id(json_object *e, const char *name, int64_t min, int64_t *ret) {
        json_object *v;

        if (!json_object_object_get_ex(e, name, &v) || !json_object_is_type(v, json_type_int))
                return -EINVAL;
        errno = 0;
        *ret = json_object_get_int64(v);
        if (errno != 0 || *ret < min || *ret > UINT32_MAX)
                return -ERANGE;
        return 0;
}

int oci_idmap_parse(json_object *a, const char *key, char **ret_lines, uint32_t *ret_root, char **ret_error) {
        _cleanup_free_ IdRange *r = NULL;
        _cleanup_free_ char *lines = NULL;
        size_t n, len = 0;
        uint32_t root = UINT32_MAX;

        if (!a || !json_object_is_type(a, json_type_array) || json_object_array_length(a) == 0)
                return errorf(ret_error, -EINVAL, "linux.%s: an array of at least one mapping expected", key);
        n = json_object_array_length(a);
        if (n > OCI_IDMAP_LINES_MAX)
                return errorf(ret_error, -E2BIG, "linux.%s: %zu mappings, the kernel takes at most %u", key, n,
                              OCI_IDMAP_LINES_MAX);
        r = calloc(n, sizeof(IdRange));
        lines = malloc(n * 3 * 11 + 1);
        if (!r || !lines)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(a, i);

                if (!json_object_is_type(e, json_type_object) || get_id(e, "containerID", 0, &r[i].container) < 0 ||
                    get_id(e, "hostID", 0, &r[i].host) < 0 || get_id(e, "size", 1, &r[i].size) < 0)
                        return errorf(ret_error, -EINVAL,
                                      "linux.%s[%zu]: containerID, hostID and size must be numbers of 0…4294967295 "
                                      "(size at least 1)", key, i);
                if (r[i].container + r[i].size > (int64_t) UINT32_MAX + 1 || r[i].host + r[i].size > (int64_t) UINT32_MAX + 1)
                        return errorf(ret_error, -ERANGE, "linux.%s[%zu]: the range ends past ID 4294967295", key, i);
                for (size_t j = 0; j < i; j++) {
                        if (ranges_overlap(r[i].container, r[j].container, r[i].size, r[j].size))
                                return errorf(ret_error, -EINVAL, "linux.%s[%zu]: its container IDs overlap those of linux.%s[%zu]",
                                              key, i, key, j);
                        if (ranges_overlap(r[i].host, r[j].host, r[i].size, r[j].size))
                                return errorf(ret_error, -EINVAL, "linux.%s[%zu]: its host IDs overlap those of linux.%s[%zu]",
                                              key, i, key, j);
                }
                if (r[i].container == 0)
                        root = (uint32_t) r[i].host;
                len += (size_t) sprintf(lines + len, "%" PRIi64 " %" PRIi64 " %" PRIi64 "\n", r[i].container, r[i].host,
                                        r[i].size);
        }
        *ret_lines = TAKE_PTR(lines);
        *ret_root = root;
        return 0;
}

static const char *ns_type_name(int t) {
        switch (t) {
        case CLONE_NEWNS: return "mount";
        case CLONE_NEWPID: return "pid";
        case CLONE_NEWNET: return "network";
        case CLONE_NEWIPC: return "ipc";
        case CLONE_NEWUTS: return "uts";
        case CLONE_NEWUSER: return "user";
        case CLONE_NEWCGROUP: return "cgroup";
        default: return "other";
        }
}

int oci_ns_path_check(const char *where, const char *path, unsigned long clone_flag, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        int t;

        if (path[0] != '/' || strlen(path) >= PATH_MAX)
                return errorf(ret_error, -EINVAL, "%s: '%s' is not an absolute path", where, path);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return errorf(ret_error, -errno, "%s: '%s' does not exist or cannot be opened: %m", where, path);
        t = ioctl(fd, NS_GET_NSTYPE);
        if (t < 0)
                return errorf(ret_error, -EINVAL, "%s: cannot join namespace '%s': it is not a namespace file", where, path);
        if ((unsigned long) t != clone_flag)
                return errorf(ret_error, -EINVAL, "%s: cannot join namespace '%s': its type is %s, not %s", where,
                              path, ns_type_name(t), ns_type_name((int) clone_flag));
        return 0;
}
