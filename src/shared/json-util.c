/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "atomic-write.h"
#include "json-util.h"
#include "strv.h"

int json_write_atomic(int dir_fd, const char *name, json_object *obj) {
        return json_write_atomic_flags(dir_fd, name, obj, ATOMIC_WRITE_SYNC);
}

size_t json_file_size(json_object *obj) {
        const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

        return s ? strlen(s) + 1 : SIZE_MAX;
}

int json_read_file(int dir_fd, const char *name, json_object **ret) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        json_object *o;
        struct stat st;
        size_t n = 0;

        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADMSG;
        if ((uint64_t) st.st_size > JSON_FILE_MAX)
                return -EFBIG;
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        while (n < (size_t) st.st_size) {
                ssize_t k = read(fd, buf + n, (size_t) st.st_size - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = 0;
        o = json_tokener_parse(buf);
        if (!o)
                return -EBADMSG;
        if (!json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return -EBADMSG;
        }
        *ret = o;
        return 0;
}

int json_get_string(json_object *o, const char *key, const char **ret) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return -ENOENT;
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        *ret = json_object_get_string(v);
        return 0;
}

int json_get_bool(json_object *o, const char *key, bool *ret) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v))
                return -ENOENT;
        if (!json_object_is_type(v, json_type_boolean))
                return -EBADMSG;
        *ret = json_object_get_boolean(v);
        return 0;
}

int json_get_int(json_object *o, const char *key, int *ret) {
        json_object *v;
        int64_t i;

        if (!json_object_object_get_ex(o, key, &v))
                return -ENOENT;
        if (!json_object_is_type(v, json_type_int))
                return -EBADMSG;
        errno = 0;
        i = json_object_get_int64(v);
        if (i < INT32_MIN || i > INT32_MAX)
                return -ERANGE;
        *ret = (int) i;
        return 0;
}

int json_get_uint64(json_object *o, const char *key, uint64_t *ret) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v))
                return -ENOENT;
        if (!json_object_is_type(v, json_type_int))
                return -EBADMSG;
        /* json-c keeps big values as uint64 and returns 0 from get_uint64 for negative ones. */
        if (json_object_get_int64(v) < 0 && json_object_get_uint64(v) == 0)
                return -ERANGE;
        *ret = json_object_get_uint64(v);
        return 0;
}

int json_get_strv(json_object *o, const char *key, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        json_object *v;
        size_t n;
        int r;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return -ENOENT;
        if (!json_object_is_type(v, json_type_array))
                return -EBADMSG;
        n = json_object_array_length(v);
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string))
                        return -EBADMSG;
                l[i] = strdup(json_object_get_string(e));
                if (!l[i])
                        return -ENOMEM;
        }
        r = 0;
        *ret = TAKE_PTR(l);
        return r;
}

static int add(json_object *o, const char *key, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int json_add_string(json_object *o, const char *key, const char *value) {
        if (!value)
                return 0;
        return add(o, key, json_object_new_string(value));
}

int json_add_bool(json_object *o, const char *key, bool value) {
        return add(o, key, json_object_new_boolean(value));
}

int json_add_int(json_object *o, const char *key, int value) {
        return add(o, key, json_object_new_int(value));
}

int json_add_uint64(json_object *o, const char *key, uint64_t value) {
        return add(o, key, json_object_new_uint64(value));
}

int json_add_strv(json_object *o, const char *key, char *const *value) {
        json_object *a = json_object_new_array();

        if (!a)
                return -ENOMEM;
        STRV_FOREACH(s, value) {
                json_object *e = json_object_new_string(*s);
                if (!e || json_object_array_add(a, e) < 0) {
                        json_object_put(e);
                        json_object_put(a);
                        return -ENOMEM;
                }
        }
        return add(o, key, a);
}
