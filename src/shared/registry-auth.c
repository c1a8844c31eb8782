/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-write.h"
#include "json-util.h"
#include "registry-auth.h"
#include "utf8.h"

#define AUTH_FILE_MAX (1024U * 1024U)
#define AUTH_FIELD_MAX 4096U

void registry_credentials_done(RegistryCredentials *c) {
        if (c->password)
                explicit_bzero(c->password, strlen(c->password));
        free(c->user);
        free(c->password);
        *c = (RegistryCredentials) {};
}

int registry_auth_normalize_host(const char *s, char **ret) {
        size_t n;
        char *h;

        if (!s)
                return -EINVAL;
        if (strneq(s, "https://", 8))
                s += 8;
        else if (strneq(s, "http://", 7))
                s += 7;
        n = strcspn(s, "/");
        if (n == 0 || n > 255)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_", s[i]))
                        return -EINVAL;
        /* Docker keys Docker Hub as index.docker.io; pulls go to registry-1.docker.io. */
        if ((n == 15 && strneq(s, "index.docker.io", 15)) || (n == 20 && strneq(s, "registry-1.docker.io", 20)))
                h = strdup("docker.io");
        else
                h = strndup(s, n);
        if (!h)
                return -ENOMEM;
        *ret = h;
        return 0;
}

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 4648 base64 with padding; the "auth" fields are small, so no streaming. */
static char *base64_encode(const unsigned char *in, size_t n) {
        char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t) in[i] << 16 | (i + 1 < n ? (uint32_t) in[i + 1] << 8 : 0) |
                             (i + 2 < n ? in[i + 2] : 0);

                *o++ = b64_alphabet[v >> 18 & 63];
                *o++ = b64_alphabet[v >> 12 & 63];
                *o++ = i + 1 < n ? b64_alphabet[v >> 6 & 63] : '=';
                *o++ = i + 2 < n ? b64_alphabet[v & 63] : '=';
        }
        *o = 0;
        return out;
}

/* Decodes in (length a multiple of 4) into out (room for n / 4 * 3 bytes): the length, or -EBADMSG. */
static int base64_decode(const char *in, size_t n, unsigned char *out) {
        size_t k = 0;

        for (size_t i = 0; i < n; i += 4) {
                uint32_t v = 0;
                unsigned pad = 0;

                for (size_t j = 0; j < 4; j++) {
                        const char *p = in[i + j] ? strchr(b64_alphabet, in[i + j]) : NULL;

                        if (in[i + j] == '=' && i + 4 == n && j >= 2 && (j == 3 || in[i + 3] == '='))
                                pad++, p = b64_alphabet;
                        else if (!p || pad > 0)
                                return -EBADMSG;
                        v = v << 6 | (uint32_t) (p - b64_alphabet);
                }
                out[k++] = (unsigned char) (v >> 16);
                if (pad < 2)
                        out[k++] = (unsigned char) (v >> 8);
                if (pad < 1)
                        out[k++] = (unsigned char) v;
        }
        return (int) k;
}

static int json_parse_object(const char *data, size_t size, json_object **ret) {
        json_tokener *tok;
        json_object *o;

        if (size > AUTH_FILE_MAX || !utf8_is_valid_n(data, size))
                return -EBADMSG;
        tok = json_tokener_new_ex(16);
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, data, (int) size);
        if (!o || json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) != size ||
            !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                json_tokener_free(tok);
                return -EBADMSG;
        }
        json_tokener_free(tok);
        *ret = o;
        return 0;
}

static int decode_auth(const char *b64, RegistryCredentials *ret) {
        _cleanup_free_ unsigned char *buf = NULL;
        size_t n = strlen(b64);
        char *colon;
        int k;

        if (n == 0 || n > AUTH_FIELD_MAX || n % 4 != 0)
                return -EBADMSG;
        buf = malloc(n / 4 * 3 + 1);
        if (!buf)
                return -ENOMEM;
        k = base64_decode(b64, n, buf);
        if (k < 0)
                return -EBADMSG;
        buf[k] = 0;
        colon = memchr(buf, ':', (size_t) k);
        if (!colon || strlen((char *) buf) != (size_t) k || colon == (char *) buf) {
                explicit_bzero(buf, (size_t) k);
                return -EBADMSG;
        }
        *colon = 0;
        ret->user = strdup((char *) buf);
        ret->password = strdup(colon + 1);
        explicit_bzero(buf, (size_t) k);
        if (!ret->user || !ret->password) {
                registry_credentials_done(ret);
                return -ENOMEM;
        }
        return 0;
}

int registry_auth_parse(const char *data, size_t size, const char *host, RegistryCredentials *ret) {
        _cleanup_json_ json_object *o = NULL;
        json_object *auths;

        if (json_parse_object(data ?: "", size, &o) < 0)
                return -EBADMSG;
        if (!json_object_object_get_ex(o, "auths", &auths))
                return -ENOENT;
        if (!json_object_is_type(auths, json_type_object))
                return -EBADMSG;
        json_object_object_foreach(auths, key, entry) {
                _cleanup_free_ char *h = NULL;
                const char *auth;

                if (registry_auth_normalize_host(key, &h) < 0 || !streq(h, host))
                        continue;
                if (!json_object_is_type(entry, json_type_object))
                        return -EBADMSG;
                if (json_get_string(entry, "auth", &auth) < 0)
                        continue; /* a credential helper's entry: not ours to run */
                return decode_auth(auth, ret);
        }
        return -ENOENT;
}

int registry_auth_read_fd(int fd, const char *host, RegistryCredentials *ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        ssize_t k;
        int r;

        buf = malloc(AUTH_FILE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        while ((k = read(fd, buf + n, AUTH_FILE_MAX + 1 - n)) != 0) {
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                n += (size_t) k;
                if (n > AUTH_FILE_MAX)
                        return -EFBIG;
        }
        r = registry_auth_parse(buf, n, host, ret);
        explicit_bzero(buf, n);
        return r;
}

static int read_path(const char *path, const char *host, RegistryCredentials *ret) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADF;
        return registry_auth_read_fd(fd, host, ret);
}

const char *registry_auth_default_file(void) {
        const char *e = getenv("REGISTRY_AUTH_FILE");

        return e && e[0] == '/' ? e : REGISTRY_AUTH_FILE_ROOT;
}

int registry_auth_find(const char *host, RegistryCredentials *ret) {
        _cleanup_free_ char *docker = NULL;
        const char *e = getenv("REGISTRY_AUTH_FILE");
        int r;

        if (asprintf(&docker, "%s/.docker/config.json", getenv("HOME") ?: "/root") < 0)
                return -ENOMEM;
        const char *paths[] = { e && e[0] == '/' ? e : REGISTRY_AUTH_FILE_ROOT, REGISTRY_AUTH_FILE_ROOT, docker };

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                r = read_path(paths[i], host, ret);
                if (r >= 0 || r == -ENOMEM)
                        return r;
        }
        return -ENOENT;
}

static int mkdir_parent(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        char *slash;

        if (!copy)
                return -ENOMEM;
        for (slash = strchr(copy + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = 0;
                if (mkdir(copy, 0700) < 0 && errno != EEXIST)
                        return -errno;
                *slash = '/';
        }
        return 0;
}

int registry_auth_update(const char *path, const char *host, const char *user, const char *password) {
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *dir = NULL, *base = NULL, *pair = NULL, *b64 = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        json_object *auths = NULL, *entry;
        bool removed = false;
        int r;

        if (!path || path[0] != '/')
                return -EINVAL;
        r = mkdir_parent(path);
        if (r < 0)
                return r;
        dir = strdup(path);
        base = strdup(path);
        if (!dir || !base)
                return -ENOMEM;
        dir_fd = open(dirname(dir), O_DIRECTORY | O_CLOEXEC | O_RDONLY);
        if (dir_fd < 0)
                return -errno;
        r = json_read_file(dir_fd, basename(base), &o);
        if (r == -ENOENT) {
                if (!password)
                        return -ENOENT;
                o = json_object_new_object();
                if (!o)
                        return -ENOMEM;
        } else if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "auths", &auths)) {
                auths = json_object_new_object();
                if (!auths || json_object_object_add(o, "auths", auths) < 0)
                        return -ENOMEM;
        } else if (!json_object_is_type(auths, json_type_object))
                return -EBADMSG;
        /* Every key naming host goes: "https://index.docker.io/v1/" as well as "docker.io". */
        for (bool again = true; again;) {
                again = false;
                json_object_object_foreach(auths, key, v) {
                        _cleanup_free_ char *h = NULL;

                        (void) v;
                        if (host && (registry_auth_normalize_host(key, &h) < 0 || !streq(h, host)))
                                continue;
                        json_object_object_del(auths, key);
                        removed = again = true;
                        break;
                }
        }
        if (password) {
                size_t n;

                if (asprintf(&pair, "%s:%s", user, password) < 0)
                        return -ENOMEM;
                n = strlen(pair);
                b64 = base64_encode((const unsigned char *) pair, n);
                explicit_bzero(pair, n);
                if (!b64)
                        return -ENOMEM;
                entry = json_object_new_object();
                if (!entry || json_object_object_add(auths, host, entry) < 0 || json_add_string(entry, "auth", b64) < 0)
                        return -ENOMEM;
                explicit_bzero(b64, strlen(b64));
        } else if (!removed)
                return -ENOENT;
        return json_write_atomic(dir_fd, basename(base), o);
}
