/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "image-user.h"
#include "parse-util.h"
#include "strv.h"

#define DB_FILE_MAX (1024U * 1024U)

static bool name_is_valid(const char *s, size_t n) {
        if (n == 0 || n > 32 || s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
                      s[i] == '_' || s[i] == '-' || s[i] == '.' || (s[i] == '$' && i == n - 1)))
                        return false;
        return true;
}

bool user_spec_is_valid(const char *s) {
        const char *colon;

        if (isempty(s))
                return false;
        colon = strchr(s, ':');
        if (!colon)
                return name_is_valid(s, strlen(s));
        return name_is_valid(s, colon - s) && name_is_valid(colon + 1, strlen(colon + 1));
}

/* The file from the top-most layer that has it; NULL (0) when none has it or a whiteout hides it. */
static int read_layered(char *const *layers, const char *path, char **ret) {
        STRV_FOREACH(l, layers) {
                struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
                                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
                _cleanup_close_ int root = -EBADF, fd = -EBADF;
                _cleanup_free_ char *buf = NULL;
                struct stat st;
                ssize_t n;

                root = open(*l, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (root < 0)
                        return -errno;
                fd = (int) syscall(SYS_openat2, root, path, &how, sizeof(how));
                if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
                        continue;
                if (fd < 0)
                        return errno == ENXIO || errno == ENODEV ? 0 : -errno;
                if (fstat(fd, &st) < 0)
                        return -errno;
                if (S_ISCHR(st.st_mode))
                        return 0; /* a whiteout: deleted in an upper layer */
                if (!S_ISREG(st.st_mode) || st.st_size > (off_t) DB_FILE_MAX)
                        return -EBADMSG;
                buf = malloc(st.st_size + 1);
                if (!buf)
                        return -ENOMEM;
                n = read(fd, buf, st.st_size);
                if (n < 0)
                        return -errno;
                buf[n] = 0;
                *ret = TAKE_PTR(buf);
                return 1;
        }
        return 0;
}

/* name:x:uid:gid:… (passwd) or name:x:gid:… (group): by name, or by number in field 2. */
static int db_lookup(const char *db, const char *name, uint32_t number, uint32_t *ret_id, uint32_t *ret_gid) {
        const char *line = db;

        while (line && *line) {
                const char *end = strchrnul(line, '\n'), *f[4] = {};
                size_t nf = 0;

                f[nf++] = line;
                for (const char *c = line; c < end && nf < 4; c++)
                        if (*c == ':')
                                f[nf++] = c + 1;
                if (nf >= 3) {
                        uint32_t id, gid = 0;
                        char num[16];
                        size_t len = strcspn(f[2], ":\n");

                        (void) snprintf(num, sizeof(num), "%.*s", (int) MIN(len, sizeof(num) - 1), f[2]);
                        if (safe_atou32(num, &id) >= 0) {
                                if (nf >= 4) {
                                        len = strcspn(f[3], ":\n");
                                        (void) snprintf(num, sizeof(num), "%.*s", (int) MIN(len, sizeof(num) - 1), f[3]);
                                        (void) safe_atou32(num, &gid);
                                }
                                if ((name && (size_t) (f[1] - f[0] - 1) == strlen(name) && strneq(f[0], name, strlen(name))) ||
                                    (!name && id == number)) {
                                        *ret_id = id;
                                        if (ret_gid)
                                                *ret_gid = gid;
                                        return 0;
                                }
                        }
                }
                line = *end ? end + 1 : NULL;
        }
        return -ESRCH;
}

int image_resolve_user(char *const *layers, const char *user, uid_t *ret_uid, gid_t *ret_gid) {
        _cleanup_free_ char *u = NULL, *passwd = NULL, *group = NULL;
        uint32_t uid, gid = 0, primary;
        bool uid_numeric, gid_numeric = false;
        char *g;
        int r;

        if (!user_spec_is_valid(user))
                return -EINVAL;
        u = strdup(user);
        if (!u)
                return -ENOMEM;
        g = strchr(u, ':');
        if (g)
                *g++ = 0;
        uid_numeric = safe_atou32(u, &uid) >= 0;
        if (g)
                gid_numeric = safe_atou32(g, &gid) >= 0;
        if ((uid_numeric && uid == UINT32_MAX) || (gid_numeric && gid == UINT32_MAX))
                return -ERANGE;

        if (!uid_numeric || !g) {
                r = read_layered(layers, "etc/passwd", &passwd);
                if (r < 0)
                        return r;
        }
        if (!uid_numeric) {
                if (!passwd || db_lookup(passwd, u, 0, &uid, &primary) < 0)
                        return -ESRCH;
        } else if (!passwd || db_lookup(passwd, NULL, uid, &uid, &primary) < 0)
                primary = 0;
        if (g && !gid_numeric) {
                r = read_layered(layers, "etc/group", &group);
                if (r < 0)
                        return r;
                if (!group || db_lookup(group, g, 0, &gid, NULL) < 0)
                        return -ESRCH;
        } else if (!g)
                gid = primary;
        *ret_uid = uid;
        *ret_gid = gid;
        return 0;
}
