/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* copy_tree_at(), which seeds volumes from an image: kinds, attributes, and hostile symlinks that
 * must be copied as links, never followed (not to a file outside, not to a directory outside). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy-tree.h"
#include "rm-rf.h"
#include "test.h"

static int write_file(int dir, const char *name, const char *text, mode_t mode) {
        _cleanup_close_ int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

        if (fd < 0)
                return -errno;
        if (write(fd, text, strlen(text)) != (ssize_t) strlen(text))
                return -EIO;
        return fchmod(fd, mode) < 0 ? -errno : 0;
}

static int read_text(int dir, const char *name, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        return 0;
}

TEST(copy_tree) {
        char t[] = "/tmp/test-copy-tree-XXXXXX";
        _cleanup_close_ int base = -EBADF, src = -EBADF, dst = -EBADF, sub = -EBADF;
        struct timespec old[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
        char buf[256], link[256];
        struct stat st;
        ssize_t n;

        ASSERT_TRUE(mkdtemp(t));
        base = open(t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_OK(base);
        ASSERT_OK(mkdirat(base, "src", 0755));
        ASSERT_OK(mkdirat(base, "dst", 0755));
        ASSERT_OK(mkdirat(base, "outside", 0755));
        src = openat(base, "src", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        dst = openat(base, "dst", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_OK(src);
        ASSERT_OK(dst);
        ASSERT_EQ(dir_is_empty_at(dst), 1);

        ASSERT_OK(write_file(src, "conf", "hello\n", 0640));
        ASSERT_OK(utimensat(src, "conf", old, 0));
        ASSERT_OK(mkdirat(src, "sub", 0750));
        sub = openat(src, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_OK(sub);
        ASSERT_OK(write_file(sub, "inner", "deep\n", 0600));
        ASSERT_OK(symlinkat("/etc/passwd", src, "passwd-link"));
        ASSERT_OK(symlinkat("../outside", src, "escape-dir"));
        ASSERT_OK(mkfifoat(src, "fifo", 0600));
        ASSERT_EQ(dir_is_empty_at(src), 0);

        ASSERT_OK(copy_tree_at(src, dst));

        ASSERT_OK(read_text(dst, "conf", buf, sizeof(buf)));
        ASSERT_STREQ(buf, "hello\n");
        ASSERT_OK(fstatat(dst, "conf", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_EQ(st.st_mode & 07777, 0640);
        ASSERT_EQ(st.st_mtim.tv_sec, 1000000000);
        ASSERT_OK(fstatat(dst, "sub", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_TRUE(S_ISDIR(st.st_mode));
        ASSERT_EQ(st.st_mode & 07777, 0750);
        ASSERT_OK(read_text(dst, "sub/inner", buf, sizeof(buf)));
        ASSERT_STREQ(buf, "deep\n");
        /* Links stay links with the same text: nothing of the host's /etc/passwd was read. */
        n = readlinkat(dst, "passwd-link", link, sizeof(link) - 1);
        ASSERT_TRUE(n > 0);
        link[n] = 0;
        ASSERT_STREQ(link, "/etc/passwd");
        n = readlinkat(dst, "escape-dir", link, sizeof(link) - 1);
        ASSERT_TRUE(n > 0);
        link[n] = 0;
        ASSERT_STREQ(link, "../outside");
        ASSERT_OK(fstatat(dst, "fifo", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_TRUE(S_ISFIFO(st.st_mode));

        /* A second copy meets what the first made: refused, not merged. */
        ASSERT_ERROR(copy_tree_at(src, dst), EEXIST);
        /* Nothing went through the links into "outside". */
        {
                _cleanup_close_ int out = openat(base, "outside", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                ASSERT_OK(out);
                ASSERT_EQ(dir_is_empty_at(out), 1);
        }
        (void) rm_rf_path(t);
        return 0;
}
