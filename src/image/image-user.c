/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "image-user.h"
#include "parse-util.h"
#include "safe-open.h"
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

bool group_spec_is_valid(const char *s) {
        return !isempty(s) && !strchr(s, ':') && name_is_valid(s, strlen(s));
}

/* The file from the top-most layer that has it; NULL (0) when none has it or a whiteout hides it. The
 * image is hostile: a FIFO, a device or a symlink out of the layer is refused without being opened
 * (safe-open.h), and an error names the file. */
static int read_layered(char *const *layers, const char *path, char **ret, const char **ret_bad) {
        STRV_FOREACH(l, layers) {
                _cleanup_close_ int root = -EBADF, pfd = -EBADF, fd = -EBADF;
                struct stat st;
                int r;

                root = open(*l, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (root < 0)
                        return -errno;
                pfd = safe_open_path(root, path, SAFE_OPEN_IN_ROOT);
                if (pfd == -ENOENT || pfd == -ENOTDIR)
                        continue;
                if (pfd < 0) {
                        *ret_bad = path;
                        return pfd;
                }
                if (fstat(pfd, &st) < 0)
                        return -errno;
                if (stat_is_whiteout(&st))
                        return 0; /* deleted in an upper layer */
                fd = safe_reopen_regular(pfd);
                if (fd < 0) {
                        *ret_bad = path;
                        return fd;
                }
                r = safe_read_fd(fd, DB_FILE_MAX, ret, NULL);
                if (r < 0) {
                        *ret_bad = path;
                        return r;
                }
                return 1;
        }
        return 0;
}

/* One line of passwd (name:x:uid:gid:…) or group (name:x:gid:member,member…). */
typedef struct DbEntry {
        const char *name, *field4;
        size_t name_len, field4_len;
        uint32_t id;
} DbEntry;

static bool db_next(const char **cursor, DbEntry *e) {
        while (*cursor && **cursor) {
                const char *line = *cursor, *end = strchrnul(line, '\n'), *f[5] = {};
                size_t nf = 0;
                char num[16];
                size_t len;

                *cursor = *end ? end + 1 : NULL;
                f[nf++] = line;
                for (const char *c = line; c < end && nf < 5; c++)
                        if (*c == ':')
                                f[nf++] = c + 1;
                if (nf < 3)
                        continue;
                len = strcspn(f[2], ":\n");
                if (len == 0 || len >= sizeof(num))
                        continue;
                memcpy(num, f[2], len);
                num[len] = 0;
                if (safe_atou32(num, &e->id) < 0 || e->id == UINT32_MAX)
                        continue;
                e->name = line;
                e->name_len = (size_t) (f[1] - f[0] - 1);
                e->field4 = nf >= 4 ? f[3] : end;
                e->field4_len = nf >= 4 ? (size_t) ((nf >= 5 ? f[4] - 1 : end) - f[3]) : 0;
                return true;
        }
        return false;
}

static bool span_eq(const char *s, size_t n, const char *name) {
        return n == strlen(name) && strneq(s, name, n);
}

/* By name, or by number when name is NULL. */
static int db_lookup(const char *db, const char *name, uint32_t number, DbEntry *ret) {
        DbEntry e;

        for (const char *c = db; db && db_next(&c, &e);)
                if (name ? span_eq(e.name, e.name_len, name) : e.id == number) {
                        *ret = e;
                        return 0;
                }
        return -ESRCH;
}

static bool list_has_member(const char *list, size_t n, const char *name) {
        for (const char *p = list, *end = list + n; p < end;) {
                const char *comma = memchr(p, ',', (size_t) (end - p)) ?: end;

                if (span_eq(p, (size_t) (comma - p), name))
                        return true;
                p = comma + 1;
        }
        return false;
}

static int groups_add(gid_t **groups, size_t *n, gid_t gid) {
        gid_t *g;

        for (size_t i = 0; i < *n; i++)
                if ((*groups)[i] == gid)
                        return 0;
        if (*n >= IMAGE_GROUPS_MAX)
                return -E2BIG;
        g = reallocarray(*groups, *n + 1, sizeof(gid_t));
        if (!g)
                return -ENOMEM;
        g[(*n)++] = gid;
        *groups = g;
        return 0;
}

/* The primary group, every group of the image's /etc/group that lists the user, then --group-add's. */
static int build_groups(const char *group_db, const char *user_name, gid_t primary, char *const *group_add,
                        gid_t **ret, size_t *ret_n, const char **ret_bad) {
        _cleanup_free_ gid_t *groups = NULL;
        size_t n = 0;
        DbEntry e;
        int r;

        r = groups_add(&groups, &n, primary);
        if (r < 0)
                return r;
        for (const char *c = group_db; user_name && group_db && db_next(&c, &e);)
                if (list_has_member(e.field4, e.field4_len, user_name)) {
                        r = groups_add(&groups, &n, e.id);
                        if (r < 0)
                                return r;
                }
        STRV_FOREACH(g, group_add) {
                uint32_t gid;

                if (safe_atou32(*g, &gid) < 0) {
                        if (!group_spec_is_valid(*g))
                                return -EINVAL;
                        if (db_lookup(group_db, *g, 0, &e) < 0) {
                                *ret_bad = *g;
                                return -ESRCH;
                        }
                        gid = e.id;
                } else if (gid == UINT32_MAX)
                        return -ERANGE;
                r = groups_add(&groups, &n, gid);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(groups);
        *ret_n = n;
        return 0;
}

int image_resolve_user(char *const *layers, const char *user, char *const *group_add, ImageUser *ret,
                       const char **ret_bad) {
        _cleanup_free_ char *u = NULL, *passwd = NULL, *group = NULL, *user_name = NULL;
        uint32_t uid, gid = 0, primary = 0;
        bool uid_numeric, gid_numeric = false;
        const char *bad = NULL;
        DbEntry e;
        char *g;
        int r;

        if (!user_spec_is_valid(user ?: "0"))
                return -EINVAL;
        u = strdup(user ?: "0");
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

        r = read_layered(layers, "etc/passwd", &passwd, &bad);
        if (r < 0)
                goto fail;
        if (db_lookup(passwd, uid_numeric ? NULL : u, uid, &e) >= 0) {
                char num[16];

                uid = e.id;
                (void) snprintf(num, sizeof(num), "%.*s", (int) MIN(e.field4_len, sizeof(num) - 1), e.field4);
                if (safe_atou32(num, &primary) < 0 || primary == UINT32_MAX)
                        primary = 0;
                user_name = strndup(e.name, e.name_len);
                if (!user_name)
                        return -ENOMEM;
        } else if (!uid_numeric)
                return -ESRCH;
        r = read_layered(layers, "etc/group", &group, &bad);
        if (r < 0)
                goto fail;
        if (g && !gid_numeric) {
                if (db_lookup(group, g, 0, &e) < 0)
                        return -ESRCH;
                gid = e.id;
        } else if (!g)
                gid = primary;
        r = build_groups(group, user_name, gid, group_add, &ret->groups, &ret->n_groups, &bad);
        if (r < 0)
                goto fail;
        ret->uid = uid;
        ret->gid = gid;
        return 0;
fail:
        if (ret_bad)
                *ret_bad = bad;
        return r;
}
