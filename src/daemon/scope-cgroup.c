/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A scope's directory in the unified cgroup hierarchy, and its freezer: plain values (a member's PID,
 * the unit name), below the container (tests/check-include-cycles). */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "atomic-write.h"
#include "cgroup-stats.h"
#include "safe-open.h"
#include "scope-cgroup.h"

/* /sys/fs/cgroup on pure cgroup v2, its /sys/fs/cgroup/unified mirror on hybrid hosts; the path from
 * the member's "0::" line, cut after the scope (the monitor and the payload may sit in sub-cgroups of
 * it). */
int scope_cgroup_dir(pid_t member, const char *unit, char **ret) {
        _cleanup_free_ char *text = NULL, *path = NULL;
        const char *base = "/sys/fs/cgroup/unified";
        struct statfs sfs;
        char proc[64];
        int r;

        if (statfs("/sys/fs/cgroup", &sfs) >= 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
                base = "/sys/fs/cgroup";
        (void) snprintf(proc, sizeof(proc), "/proc/%d/cgroup", (int) member);
        r = safe_read_file_at(AT_FDCWD, proc, 0, 64 * 1024, &text, NULL);
        if (r < 0)
                return r;
        r = cgroup_scope_path(text, "", unit, &path, NULL, NULL); /* -ENOENT: not in its scope (any more) */
        if (r < 0)
                return r;
        if (asprintf(ret, "%s%s", base, path) < 0)
                return -ENOMEM;
        return 0;
}

int scope_cgroup_write_freeze(const char *dir, bool freeze) {
        _cleanup_close_ int dfd = -EBADF, fd = -EBADF;

        dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        fd = openat(dfd, "cgroup.freeze", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? -EOPNOTSUPP : -errno;
        return loop_write(fd, freeze ? "1" : "0", 1);
}

int scope_cgroup_read_frozen(const char *dir) {
        _cleanup_free_ char *line = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        size_t n = 0;

        if (asprintf(&line, "%s/cgroup.events", dir) < 0)
                return -ENOMEM;
        f = fopen(line, "re");
        if (!f)
                return -errno;
        while (getline(&line, &n, f) > 0)
                if (strneq(line, "frozen ", 7))
                        return line[7] == '1';
        return -ENOENT;
}
