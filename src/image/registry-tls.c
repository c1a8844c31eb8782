/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registry-tls.h"

static const char *const certs_roots[] = { "/etc/dray/certs.d", "/etc/containers/certs.d", "/etc/docker/certs.d" };

void registry_tls_done(RegistryTls *t) {
        free(t->dir);
        free(t->ca_pem);
        free(t->cert);
        free(t->key);
        *t = (RegistryTls) {};
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);

        return n > k && streq(s + n - k, suffix);
}

/* Appends the regular file dir_fd/name to t->ca_pem (and a line break, so PEM blocks stay apart). */
static int append_ca(RegistryTls *t, int dir_fd, const char *name) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        struct stat st;
        char *b;
        ssize_t k;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return 0;
        if ((uint64_t) st.st_size + t->n_ca_pem + 2 > REGISTRY_CA_MAX)
                return -EFBIG;
        b = realloc(t->ca_pem, t->n_ca_pem + (size_t) st.st_size + 2);
        if (!b)
                return -ENOMEM;
        t->ca_pem = b;
        for (size_t got = 0; got < (size_t) st.st_size; got += (size_t) k) {
                k = read(fd, t->ca_pem + t->n_ca_pem + got, (size_t) st.st_size - got);
                if (k < 0 && errno == EINTR) {
                        k = 0;
                        continue;
                }
                if (k < 0)
                        return -errno;
                if (k == 0) {
                        st.st_size = (off_t) got;
                        break;
                }
        }
        t->n_ca_pem += (size_t) st.st_size;
        t->ca_pem[t->n_ca_pem++] = '\n';
        t->ca_pem[t->n_ca_pem] = 0;
        return 0;
}

int registry_tls_load(const char *host, RegistryTls *ret, const char **ret_reason) {
        _cleanup_(registry_tls_done) RegistryTls t = {};
        _cleanup_free_ char *dir = NULL;
        DIR *d = NULL;
        struct dirent *de;
        int r = 0;

        if (!host || strchr(host, '/') || host[0] == '.')
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(certs_roots) && !d; i++) {
                free(dir);
                if (asprintf(&dir, "%s/%s", certs_roots[i], host) < 0)
                        return -ENOMEM;
                d = opendir(dir);
        }
        if (!d) {
                *ret = (RegistryTls) {};
                return 0;
        }
        /* The first *.cert and *.key of a certs.d directory are the client pair, as docker's. */
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (has_suffix(de->d_name, ".crt"))
                        r = append_ca(&t, dirfd(d), de->d_name);
                else if (has_suffix(de->d_name, ".cert") && !t.cert) {
                        _cleanup_free_ char *key = NULL;
                        size_t n = strlen(de->d_name) - 5;

                        if (asprintf(&t.cert, "%s/%s", dir, de->d_name) < 0 ||
                            asprintf(&key, "%s/%.*s.key", dir, (int) n, de->d_name) < 0)
                                r = -ENOMEM;
                        else if (access(key, R_OK) < 0) {
                                *ret_reason = "a client certificate (*.cert) in certs.d has no key (*.key of the same name)";
                                r = -ENOENT;
                        } else
                                t.key = TAKE_PTR(key);
                }
        }
        closedir(d);
        if (r == -EFBIG)
                *ret_reason = "the CA certificates in certs.d are over 1 MiB";
        if (r < 0)
                return r;
        t.dir = TAKE_PTR(dir);
        *ret = t;
        t = (RegistryTls) {};
        return 0;
}
