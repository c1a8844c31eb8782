/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "rm-rf.h"

/* The walk is iterative and holds one directory fd at a time, so neither the stack, nor the fd
 * table, nor PATH_MAX limits the depth of a tree it can remove (a hostile archive or payload may
 * build one 100,000 levels deep). It goes down with openat(O_NOFOLLOW) and back up with "..",
 * checking at each step up that ".." is the directory it came from (same device and inode), so a
 * directory moved meanwhile ends the walk (-ESTALE) instead of leading it elsewhere. */

typedef struct Level {
        dev_t dev;
        ino_t ino;
        char *name; /* in the level above */
} Level;

typedef struct Walk {
        Level *levels; /* [0] is the top directory (name NULL) */
        size_t n, allocated;
        struct { dev_t dev; ino_t ino; } *skip; /* entries that could not be removed: not retried */
        size_t n_skip;
        int error;
} Walk;

static void walk_done(Walk *w) {
        for (size_t i = 0; i < w->n; i++)
                free(w->levels[i].name);
        free(w->levels);
        free(w->skip);
}

static void walk_fail(Walk *w, int r, dev_t dev, ino_t ino) {
        void *p;

        if (r < 0 && w->error >= 0)
                w->error = r;
        p = reallocarray(w->skip, w->n_skip + 1, sizeof(*w->skip));
        if (!p) {
                w->error = -ENOMEM;
                return;
        }
        w->skip = p;
        w->skip[w->n_skip].dev = dev;
        w->skip[w->n_skip++].ino = ino;
}

static bool walk_skips(const Walk *w, const struct stat *st) {
        for (size_t i = 0; i < w->n_skip; i++)
                if (w->skip[i].dev == st->st_dev && w->skip[i].ino == st->st_ino)
                        return true;
        return false;
}

static int walk_push(Walk *w, const struct stat *st, const char *name) {
        if (w->n == w->allocated) {
                size_t k = MAX(w->allocated * 2, (size_t) 16);
                Level *l = reallocarray(w->levels, k, sizeof(Level));

                if (!l)
                        return -ENOMEM;
                w->levels = l;
                w->allocated = k;
        }
        w->levels[w->n] = (Level) { .dev = st->st_dev, .ino = st->st_ino };
        if (name && !(w->levels[w->n].name = strdup(name)))
                return -ENOMEM;
        w->n++;
        return 0;
}

/* Removes what it can in the directory cur; 1 and *ret_sub when it found a non-empty directory to go
 * into first, 0 when done with cur. */
static int walk_dir(Walk *w, int cur, int *ret_sub) {
        dev_t dev = w->levels[0].dev;
        int dfd, r = 0;
        DIR *d;

        dfd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                safe_close(dfd);
                return -errno;
        }
        for (struct dirent *de; r == 0 && (errno = 0, de = readdir(d));) {
                struct stat st, st2;
                int sub;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(cur, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno != ENOENT)
                                walk_fail(w, -errno, dev, de->d_ino);
                        continue;
                }
                if (walk_skips(w, &st))
                        continue;
                if (!S_ISDIR(st.st_mode)) {
                        if (unlinkat(cur, de->d_name, 0) < 0 && errno != ENOENT)
                                walk_fail(w, -errno, st.st_dev, st.st_ino);
                        continue;
                }
                if (st.st_dev != dev) {
                        walk_fail(w, -EXDEV, st.st_dev, st.st_ino);
                        continue;
                }
                if (unlinkat(cur, de->d_name, AT_REMOVEDIR) >= 0 || errno == ENOENT)
                        continue;
                if (errno != ENOTEMPTY && errno != EEXIST) {
                        walk_fail(w, -errno, st.st_dev, st.st_ino);
                        continue;
                }
                sub = openat(cur, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                if (sub < 0) {
                        walk_fail(w, -errno, st.st_dev, st.st_ino);
                        continue;
                }
                if (fstat(sub, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
                        safe_close(sub);
                        walk_fail(w, -ESTALE, st.st_dev, st.st_ino);
                        continue;
                }
                r = walk_push(w, &st, de->d_name);
                if (r < 0) {
                        safe_close(sub);
                        break;
                }
                *ret_sub = sub;
                r = 1;
        }
        if (r == 0 && errno > 0)
                r = -errno;
        closedir(d);
        return r;
}

int rm_rf_children(int fd) {
        _cleanup_close_ int cur = -EBADF;
        Walk w = {};
        struct stat st;
        int r;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        cur = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return -errno;
        r = walk_push(&w, &st, NULL);
        while (r >= 0) {
                _cleanup_close_ int up = -EBADF;
                int sub = -EBADF;
                Level *l;

                r = walk_dir(&w, cur, &sub);
                if (r > 0) {
                        safe_close(cur);
                        cur = sub;
                        continue;
                }
                if (r < 0 || w.n == 1)
                        break;
                /* cur is as empty as it gets: back up and remove it. */
                l = &w.levels[w.n - 1];
                up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (up < 0) {
                        r = -errno;
                        break;
                }
                if (fstat(up, &st) < 0 || st.st_dev != l[-1].dev || st.st_ino != l[-1].ino) {
                        r = -ESTALE;
                        break;
                }
                if (unlinkat(up, l->name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                        walk_fail(&w, -errno, l->dev, l->ino);
                free(l->name);
                w.n--;
                safe_close(cur);
                cur = TAKE_FD(up);
                r = 0;
        }
        if (r >= 0)
                r = w.error;
        walk_done(&w);
        return r;
}

int rm_rf_at(int dir_fd, const char *name) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st, st2;
        int r;

        if (isempty(name) || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return -EINVAL;
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fstat(fd, &st2) < 0)
                return -errno;
        if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino)
                return -ESTALE;
        r = rm_rf_children(fd);
        if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r >= 0)
                r = -errno;
        return r;
}

int rm_rf_path(const char *path) {
        _cleanup_free_ char *parent = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *base;
        char *slash;

        if (isempty(path))
                return -EINVAL;
        parent = strdup(path);
        if (!parent)
                return -ENOMEM;
        /* Trailing slashes do not name another file. */
        for (size_t n = strlen(parent); n > 1 && parent[n - 1] == '/'; n--)
                parent[n - 1] = 0;
        slash = strrchr(parent, '/');
        if (!slash)
                return rm_rf_at(AT_FDCWD, parent);
        base = path + (slash - parent) + 1;
        *slash = 0;
        fd = open(isempty(parent) ? "/" : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        {
                _cleanup_free_ char *name = strndup(base, strcspn(base, "/"));
                if (!name)
                        return -ENOMEM;
                return rm_rf_at(fd, name);
        }
}
