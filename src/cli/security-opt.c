/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli-util.h"
#include "log.h"
#include "security-opt.h"
#include "utf8.h"

void security_opts_done(SecurityOpts *o) {
        free(o->seccomp_profile);
        *o = (SecurityOpts) {};
}

/* The whole file, bounded, as a string: a FIFO or a device is refused rather than read forever. */
static int read_profile(const char *path, char **ret) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t n = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open seccomp profile '%s': %m", path);
        if (fstat(fd, &st) < 0)
                return log_error_errno(errno, "Failed to stat seccomp profile '%s': %m", path);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "Seccomp profile '%s' is not a regular file.", path);
        if (st.st_size <= 0 || (uint64_t) st.st_size > SECURITY_OPT_PROFILE_MAX)
                return log_error_errno(SYNTHETIC_ERRNO(EFBIG), "Seccomp profile '%s' must be 1 byte to %u KiB.",
                                       path, SECURITY_OPT_PROFILE_MAX / 1024);
        text = malloc((size_t) st.st_size + 1);
        if (!text)
                return log_oom();
        while (n <= (size_t) st.st_size) {
                ssize_t k = read(fd, text + n, (size_t) st.st_size + 1 - n);

                if (k < 0)
                        return log_error_errno(errno, "Failed to read seccomp profile '%s': %m", path);
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        if (n != (size_t) st.st_size)
                return log_error_errno(SYNTHETIC_ERRNO(EIO), "Seccomp profile '%s' changed while being read.", path);
        text[n] = 0;
        if (strlen(text) != n || !utf8_is_valid(text))
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL),
                                       "Seccomp profile '%s' is not a JSON text (NUL bytes or invalid UTF-8).", path);
        *ret = TAKE_PTR(text);
        return 0;
}

int security_opt_parse(SecurityOpts *o, const char *arg) {
        const char *v;

        if (streq(arg, "no-new-privileges") || streq(arg, "no-new-privileges=true") ||
            streq(arg, "no-new-privileges:true"))
                return 0;
        if (!strneq(arg, "seccomp=", 8) && !strneq(arg, "seccomp:", 8))
                return log_invalid_value("--security-opt", arg, -EINVAL,
                                         "seccomp=FILE, seccomp=unconfined or no-new-privileges");
        v = arg + 8;
        if (o->seccomp_unconfined || o->seccomp_profile)
                return log_error_errno(SYNTHETIC_ERRNO(EINVAL), "--security-opt seccomp= may be given only once.");
        if (streq(v, "unconfined")) {
                o->seccomp_unconfined = true;
                return 0;
        }
        if (isempty(v))
                return log_invalid_value("--security-opt", arg, -EINVAL, "seccomp=FILE or seccomp=unconfined");
        return read_profile(v, &o->seccomp_profile);
}
