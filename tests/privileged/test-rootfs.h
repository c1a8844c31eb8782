/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A busybox root filesystem in a temp dir, for the privileged tests: /bin/busybox (busybox-static)
 * and a symlink per applet, plus the directories the runtime and the monitor need around it. */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "macros.h"

#define BUSYBOX "/bin/busybox"

static const char *const applets[] = {
        "sh", "cat", "echo", "grep", "hostname", "id", "kill", "ls", "sleep", "touch", "tr", "wc",
        "head", "test", "true", "mkdir", "rm", "pwd", "stat", "seq", "printf", "yes", "unshare",
};

typedef struct TestRoot {
        char dir[64];     /* the temp dir holding everything below */
        char rootfs[96];  /* busybox tree */
        char mount[96];   /* root mount point */
        char upper[96];
        char work[96];
} TestRoot;

static inline int copy_file(const char *from, const char *to, mode_t mode) {
        char buf[65536];
        int in, out;
        ssize_t n;

        in = open(from, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -errno;
        out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (out < 0) {
                close(in);
                return -errno;
        }
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t) n) != n) {
                        n = -1;
                        break;
                }
        close(in);
        close(out);
        return n < 0 ? -EIO : 0;
}

static inline int test_root_make(TestRoot *t) {
        static const char *const dirs[] = { "bin", "proc", "sys", "dev" };
        char path[256];

        snprintf(t->dir, sizeof(t->dir), "/tmp/dray-test-runtime-XXXXXX");
        if (!mkdtemp(t->dir))
                return -errno;
        snprintf(t->rootfs, sizeof(t->rootfs), "%s/rootfs", t->dir);
        snprintf(t->mount, sizeof(t->mount), "%s/mnt", t->dir);
        snprintf(t->upper, sizeof(t->upper), "%s/upper", t->dir);
        snprintf(t->work, sizeof(t->work), "%s/work", t->dir);
        if (mkdir(t->rootfs, 0755) < 0 || mkdir(t->mount, 0755) < 0 || mkdir(t->upper, 0700) < 0 ||
            mkdir(t->work, 0700) < 0)
                return -errno;
        /* A tree of the caller's brings its mount points: the runtime creates nothing in it. */
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(path, sizeof(path), "%s/%s", t->rootfs, dirs[i]);
                if (mkdir(path, 0755) < 0)
                        return -errno;
        }
        snprintf(path, sizeof(path), "%s/bin/busybox", t->rootfs);
        if (copy_file(BUSYBOX, path, 0755) < 0)
                return -EIO;
        for (size_t i = 0; i < ELEMENTSOF(applets); i++) {
                snprintf(path, sizeof(path), "%s/bin/%s", t->rootfs, applets[i]);
                if (symlink("busybox", path) < 0)
                        return -errno;
        }
        return 0;
}

static inline int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) ftw;
        return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static inline void test_root_free(TestRoot *t) {
        if (t->dir[0])
                (void) nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

