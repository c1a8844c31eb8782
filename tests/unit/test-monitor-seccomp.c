/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor's compiled-filter cache: a miss compiles and stores, a hit returns the stored blob, a
 * changed profile gets a new entry, a bad profile says why, and a cache directory others may write is
 * not used. No root needed: nothing is loaded here (test-runtime loads blobs). */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor-seccomp.h"
#include "seccomp-bpf.h"
#include "test.h"

static unsigned count_entries(const char *dir) {
        struct dirent *de;
        unsigned n = 0;
        DIR *d = opendir(dir);

        if (!d)
                return 0;
        while ((de = readdir(d)))
                n += de->d_name[0] != '.';
        closedir(d);
        return n;
}

static int blob_is_valid(int fd) {
        SeccompBpfHeader h;
        struct stat st;

        if (pread(fd, &h, sizeof(h), 0) != (ssize_t) sizeof(h) || fstat(fd, &st) < 0)
                return 0;
        return memcmp(h.magic, SECCOMP_BPF_MAGIC, 8) == 0 && h.n_insns > 0 &&
               (uint64_t) st.st_size == sizeof(h) + 8ULL * h.n_insns;
}

static int copy_profile(const char *to) {
        char cmd[512];

        snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", DRAY_TEST_SECCOMP_PROFILE, to);
        return system(cmd) == 0 ? 0 : -EIO;
}

TEST(cache_miss_hit_and_change) {
        char tmp[] = "/tmp/test-monitor-seccomp.XXXXXX", cache[128], profile[128];
        int fd1 = -EBADF, fd2 = -EBADF, fd3 = -EBADF;
        struct stat a, b;

        ASSERT_TRUE(mkdtemp(tmp));
        snprintf(cache, sizeof(cache), "%s/cache", tmp);
        snprintf(profile, sizeof(profile), "%s/profile.json", tmp);
        ASSERT_OK(copy_profile(profile));

        ASSERT_OK(monitor_seccomp_prepare(cache, profile, 0x1234, &fd1, NULL));
        ASSERT_TRUE(blob_is_valid(fd1));
        ASSERT_EQ(count_entries(cache), 1U);
        ASSERT_OK(stat(cache, &a));
        ASSERT_EQ(a.st_mode & 0777, 0700U);

        /* A hit: the stored file itself, not a new compile into a memfd. */
        ASSERT_OK(monitor_seccomp_prepare(cache, profile, 0x1234, &fd2, NULL));
        ASSERT_OK(fstat(fd2, &b));
        ASSERT_TRUE(blob_is_valid(fd2));
        ASSERT_EQ(count_entries(cache), 1U);
        ASSERT_TRUE(b.st_nlink == 1 && S_ISREG(b.st_mode));

        /* Other capabilities, and an edited profile: new entries. */
        ASSERT_OK(monitor_seccomp_prepare(cache, profile, 0x1, &fd3, NULL));
        ASSERT_EQ(count_entries(cache), 2U);
        close(fd3);
        ASSERT_OK(copy_profile(profile));
        ASSERT_OK(monitor_seccomp_prepare(cache, profile, 0x1, &fd3, NULL));
        ASSERT_EQ(count_entries(cache), 3U);

        close(fd1);
        close(fd2);
        close(fd3);
        snprintf(cache, sizeof(cache), "rm -rf '%s'", tmp);
        ASSERT_EQ(system(cache), 0);
        return 0;
}

TEST(bad_profile_says_why) {
        char tmp[] = "/tmp/test-monitor-seccomp.XXXXXX", cache[128], profile[128];
        _cleanup_free_ char *error = NULL;
        int fd = -EBADF, pfd;

        ASSERT_TRUE(mkdtemp(tmp));
        snprintf(cache, sizeof(cache), "%s/cache", tmp);
        snprintf(profile, sizeof(profile), "%s/profile.json", tmp);
        pfd = open(profile, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        ASSERT_TRUE(pfd >= 0);
        ASSERT_EQ(write(pfd, "{\"defaultAction\": 42}", 21), 21);
        close(pfd);

        ASSERT_ERROR(monitor_seccomp_prepare(cache, profile, 0, &fd, &error), EINVAL);
        ASSERT_TRUE(error && strstr(error, "defaultAction"));
        ASSERT_EQ(count_entries(cache), 0U);
        free(error);
        error = NULL;

        snprintf(profile, sizeof(profile), "%s/missing.json", tmp);
        ASSERT_ERROR(monitor_seccomp_prepare(cache, profile, 0, &fd, &error), ENOENT);
        ASSERT_TRUE(error && strstr(error, "missing.json"));

        snprintf(cache, sizeof(cache), "rm -rf '%s'", tmp);
        ASSERT_EQ(system(cache), 0);
        return 0;
}

TEST(foreign_writable_cache_is_not_used) {
        char tmp[] = "/tmp/test-monitor-seccomp.XXXXXX", cache[128];
        int fd = -EBADF;

        ASSERT_TRUE(mkdtemp(tmp));
        snprintf(cache, sizeof(cache), "%s/cache", tmp);
        ASSERT_OK(mkdir(cache, 0777));
        ASSERT_OK(chmod(cache, 0777));
        ASSERT_OK(monitor_seccomp_prepare(cache, DRAY_TEST_SECCOMP_PROFILE, 0, &fd, NULL));
        ASSERT_TRUE(blob_is_valid(fd));
        ASSERT_EQ(count_entries(cache), 0U);
        close(fd);
        snprintf(cache, sizeof(cache), "rm -rf '%s'", tmp);
        ASSERT_EQ(system(cache), 0);
        return 0;
}
