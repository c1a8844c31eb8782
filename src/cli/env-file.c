/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "env-file.h"
#include "log.h"
#include "strv.h"
#include "utf8.h"

/* Validates "KEY=VALUE" (or a bare KEY) and produces the assignment to send. where names the input in
 * messages ("-e" argument, or "path:line"). */
static int env_resolve(const char *s, const char *where, char **ret) {
        const char *eq = strchr(s, '=');
        _cleanup_free_ char *a = NULL;

        if (!utf8_is_valid(s))
                return log_error_errno(SYNTHETIC_ERRNO(EILSEQ), "%s: not valid UTF-8.", where);

        if (eq) {
                a = strdup(s);
                if (!a)
                        return log_oom();
        } else {
                const char *v;

                if (asprintf(&a, "%s=", s) < 0)
                        return log_oom();
                /* Validate the name before looking it up, so a bad one is an error even when unset. */
                if (!env_assignment_is_valid(a))
                        return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                               "%s: invalid environment variable name '%s'.", where, s);
                v = getenv(s);
                if (!v) {
                        *ret = NULL;
                        return 0;
                }
                free(a);
                a = NULL;
                if (asprintf(&a, "%s=%s", s, v) < 0)
                        return log_oom();
        }

        if (!env_assignment_is_valid(a)) {
                size_t k = strcspn(a, "=");

                if (strlen(a) >= ENV_LINE_MAX)
                        return log_error_errno(SYNTHETIC_ERRNO(E2BIG),
                                               "%s: environment assignment for '%.*s' is too long.", where,
                                               (int) MIN(k, (size_t) 64), a);
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "%s: invalid environment variable name '%.*s' (expected letters, "
                                       "digits, '_', '.' or '-', not starting with a digit).",
                                       where, (int) MIN(k, (size_t) 64), a);
        }
        if (!utf8_is_valid(a))
                return log_error_errno(SYNTHETIC_ERRNO(EILSEQ),
                                       "%s: the value of '%.*s' is not valid UTF-8.", where,
                                       (int) MIN(strcspn(a, "="), (size_t) 64), a);
        *ret = TAKE_PTR(a);
        return 0;
}

int env_argument_resolve(const char *arg, char **ret) {
        if (isempty(arg))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "--env: expected KEY=VALUE or KEY, got ''.");
        return env_resolve(arg, "--env", ret);
}

/* Reads one line into buf (without the newline). Returns 1 for a line, 0 at EOF, -E2BIG when a line
 * is over ENV_LINE_MAX, -EILSEQ on a NUL byte, -EIO on a read error. */
static int read_line(FILE *f, char *buf, size_t *ret_len, size_t *total) {
        size_t n = 0;
        int c;

        for (;;) {
                c = getc_unlocked(f);
                if (c == EOF) {
                        if (ferror(f))
                                return -EIO;
                        if (n == 0)
                                return 0;
                        break;
                }
                if (++*total > ENV_FILE_MAX)
                        return -EFBIG;
                if (c == '\n')
                        break;
                if (c == 0)
                        return -EILSEQ;
                if (n >= ENV_LINE_MAX - 1)
                        return -E2BIG;
                buf[n++] = (char) c;
        }
        buf[n] = 0;
        *ret_len = n;
        return 1;
}

int env_file_parse(FILE *f, const char *path, char ***env) {
        _cleanup_free_ char *buf = malloc(ENV_LINE_MAX);
        size_t total = 0;
        int r;

        if (!buf)
                return log_oom();

        for (unsigned line = 1;; line++) {
                _cleanup_free_ char *where = NULL, *a = NULL;
                size_t len;
                char *p;

                r = read_line(f, buf, &len, &total);
                if (r == 0)
                        return 0;
                if (r == -EILSEQ)
                        return log_error_errno(r, "%s:%u: line contains a NUL byte.", path, line);
                if (r == -E2BIG)
                        return log_error_errno(r, "%s:%u: line is longer than %u bytes.", path, line,
                                               ENV_LINE_MAX - 1);
                if (r == -EFBIG)
                        return log_error_errno(SYNTHETIC_ERRNO(E2BIG), "%s: file is larger than %u bytes.",
                                               path, ENV_FILE_MAX);
                if (r < 0)
                        return log_error_errno(r, "%s:%u: failed to read: %m", path, line);

                if (len > 0 && buf[len - 1] == '\r')
                        buf[--len] = 0;
                p = buf;
                if (line == 1 && strneq(p, "\xef\xbb\xbf", 3)) /* a UTF-8 byte order mark */
                        p += 3;
                p += strspn(p, " \t\v\f");
                if (*p == 0 || *p == '#')
                        continue;

                if (asprintf(&where, "%s:%u", path, line) < 0)
                        return log_oom();
                r = env_resolve(p, where, &a);
                if (r < 0)
                        return r;
                if (!a)
                        continue;
                r = strv_env_set(env, a);
                if (r < 0)
                        return log_oom();
        }
}

int env_file_load(const char *path, char ***env) {
        _cleanup_fclose_ FILE *f = NULL;

        f = fopen(path, "re");
        if (!f)
                return log_error_errno(errno, "Failed to open env file '%s': %m", path);
        return env_file_parse(f, path, env);
}
