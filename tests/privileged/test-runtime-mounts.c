/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Privileged tests of the spec's mounts (-v, --tmpfs, read-only root): real namespaces and mounts, a
 * busybox root. Skip (77) unless root. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "name.h"
#include "runtime.h"
#include "strv.h"
#include "test-rootfs.h"
#include "test.h"

#include "test-run.h"

#define ADD(s, type, src, dst, ro, opts) mount_spec_append(&(s)->mounts, &(s)->n_mounts, type, src, dst, ro, opts)

static int write_file(const char *path, const char *content) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = write(fd, content, strlen(content));
        close(fd);
        return n == (ssize_t) strlen(content) ? 0 : -EIO;
}

static bool exists(const char *path) {
        struct stat st;
        return lstat(path, &st) >= 0;
}

TEST(bind_rw_ro_and_file) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        char host[160], path[256];
        Run run;

        TEST_ROOT_SETUP(t);
        snprintf(host, sizeof(host), "%s/host", t.dir);
        ASSERT_OK(mkdir(host, 0755));
        snprintf(path, sizeof(path), "%s/hello", host);
        ASSERT_OK(write_file(path, "from-host\n"));

        s = spec_for(&t, "cat /data/hello; echo new > /data/new && echo rw-ok;"
                         "cat /ro/hello; echo x 2>/dev/null > /ro/x || echo ro-refused;"
                         "cat /etc/conf/hello.txt; echo y 2>/dev/null > /etc/conf/hello.txt || echo file-ro;"
                         "grep -E ' /(data|ro) ' /proc/mounts");
        ASSERT_TRUE(s);
        ASSERT_OK(ADD(s, MOUNT_BIND, host, "/data", false, NULL));
        ASSERT_OK(ADD(s, MOUNT_BIND, host, "/ro", true, NULL));
        ASSERT_OK(ADD(s, MOUNT_BIND, path, "/etc/conf/hello.txt", true, NULL));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_EQ(run.exit_status, 0);
        ASSERT_CONTAINS(run.out, "from-host\nrw-ok\nfrom-host\nro-refused\nfrom-host\nfile-ro\n");
        /* Docker's flags on binds: nosuid, nodev; ro where asked. */
        ASSERT_CONTAINS(run.out, " /data ");
        ASSERT_TRUE(strstr(run.out, " /data ") && strstr(strstr(run.out, " /data "), "rw,nosuid,nodev"));
        ASSERT_TRUE(strstr(run.out, " /ro ") && strstr(strstr(run.out, " /ro "), "ro,nosuid,nodev"));
        /* The write went to the host directory. */
        snprintf(path, sizeof(path), "%s/new", host);
        ASSERT_TRUE(exists(path));
        /* The file's mount point was created as an empty file in the root. */
        snprintf(path, sizeof(path), "%s/etc/conf/hello.txt", t.rootfs);
        ASSERT_TRUE(exists(path));
        return 0;
}

TEST(tmpfs_size_and_mode) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        Run run;

        TEST_ROOT_SETUP(t);
        s = spec_for(&t, "stat -c %a /scratch; head -c 65536 /dev/zero > /scratch/fits && echo fits;"
                         "if head -c 1000000 /dev/zero > /scratch/big 2>/dev/null; then echo unbounded; else echo enospc; fi;"
                         "grep ' /scratch ' /proc/mounts");
        ASSERT_TRUE(s);
        ASSERT_OK(ADD(s, MOUNT_TMPFS, NULL, "/scratch", false, "size=256k,mode=1777"));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_CONTAINS(run.out, "1777\nfits\nenospc\n");
        ASSERT_CONTAINS(run.out, "tmpfs /scratch tmpfs rw,nosuid,nodev");
        ASSERT_CONTAINS(run.out, "size=256k");
        return 0;
}

/* A rootfs is untrusted: its symlinks must not carry a mount, or the creation of a mount point,
 * out of the root. */
TEST(symlink_in_rootfs_stays_inside) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        char host[160], path[256], newdir[64], host_newdir[96], script[512];
        Run run;

        TEST_ROOT_SETUP(t);
        snprintf(host, sizeof(host), "%s/host", t.dir);
        ASSERT_OK(mkdir(host, 0755));
        snprintf(path, sizeof(path), "%s/marker", host);
        ASSERT_OK(write_file(path, "marker\n"));
        /* Absolute and relative links that would leave the root if the host resolved them. */
        snprintf(path, sizeof(path), "%s/etc", t.rootfs);
        (void) mkdir(path, 0755);
        snprintf(path, sizeof(path), "%s/dst", t.rootfs);
        ASSERT_OK(symlink("/etc", path));
        snprintf(path, sizeof(path), "%s/optlink", t.rootfs);
        ASSERT_OK(symlink("/opt", path));
        snprintf(path, sizeof(path), "%s/opt", t.rootfs);
        ASSERT_OK(mkdir(path, 0755));
        snprintf(path, sizeof(path), "%s/up", t.rootfs);
        ASSERT_OK(symlink("../../../../../../../..", path));
        snprintf(newdir, sizeof(newdir), "dray-escape-test-%d", (int) getpid());
        snprintf(host_newdir, sizeof(host_newdir), "/opt/%s", newdir);
        ASSERT_FALSE(exists(host_newdir));

        snprintf(script, sizeof(script), "cat /etc/marker; cat /opt/%s/marker; cat /tmp/%s/marker", newdir, newdir);
        SPEC_FOR(s, t, script);
        ASSERT_OK(ADD(s, MOUNT_BIND, host, "/dst", true, NULL));
        snprintf(path, sizeof(path), "/optlink/%s", newdir);
        ASSERT_OK(ADD(s, MOUNT_BIND, host, path, true, NULL));
        snprintf(path, sizeof(path), "/up/tmp/%s", newdir);
        ASSERT_OK(ADD(s, MOUNT_BIND, host, path, true, NULL));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_EQ(run.exit_status, 0);
        ASSERT_STREQ(run.out, "marker\nmarker\nmarker\n");
        /* Everything landed in the root: the host's /opt and /tmp got nothing. */
        ASSERT_FALSE(exists(host_newdir));
        snprintf(path, sizeof(path), "/tmp/%s", newdir);
        ASSERT_FALSE(exists(path));
        snprintf(path, sizeof(path), "%s/opt/%s", t.rootfs, newdir);
        ASSERT_TRUE(exists(path));
        snprintf(path, sizeof(path), "%s/tmp/%s", t.rootfs, newdir);
        ASSERT_TRUE(exists(path));
        return 0;
}

TEST(bad_mount_points_fail_the_start) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        char host[160], link[192], path[256];
        Run run;

        TEST_ROOT_SETUP(t);
        snprintf(host, sizeof(host), "%s/host", t.dir);
        ASSERT_OK(mkdir(host, 0755));
        SPEC_FOR(s, t, "true");

        /* A dangling symlink as the mount point. */
        snprintf(path, sizeof(path), "%s/dangling", t.rootfs);
        ASSERT_OK(symlink("/no/such/place", path));
        ASSERT_OK(ADD(s, MOUNT_TMPFS, NULL, "/dangling", false, NULL));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_ERROR(run.r, ELOOP);
        ASSERT_EQ(run.error.stage, RUNTIME_STAGE_SETUP);
        ASSERT_CONTAINS(run.error.message, "/dangling");
        s->mounts = mount_spec_array_free(s->mounts, s->n_mounts);
        s->n_mounts = 0;

        /* A source that became a symlink after drayd resolved it. */
        snprintf(link, sizeof(link), "%s/link", t.dir);
        ASSERT_OK(symlink(host, link));
        ASSERT_OK(ADD(s, MOUNT_BIND, link, "/data", false, NULL));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_ERROR(run.r, ELOOP);
        ASSERT_CONTAINS(run.error.message, link);
        s->mounts = mount_spec_array_free(s->mounts, s->n_mounts);
        s->n_mounts = 0;

        /* A directory onto a file. */
        ASSERT_OK(ADD(s, MOUNT_BIND, host, "/bin/busybox", false, NULL));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_ERROR(run.r, ENOTDIR);
        s->mounts = mount_spec_array_free(s->mounts, s->n_mounts);
        s->n_mounts = 0;

        /* A missing source. */
        snprintf(path, sizeof(path), "%s/missing", t.dir);
        ASSERT_OK(ADD(s, MOUNT_BIND, path, "/data", false, NULL));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_ERROR(run.r, ENOENT);
        ASSERT_CONTAINS(run.error.message, path);
        return 0;
}

TEST(read_only_root_has_writable_tmp_and_run) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        Run run;

        TEST_ROOT_SETUP(t);
        s = spec_for(&t, "touch /x 2>/dev/null && echo root-rw || echo root-ro;"
                         "touch /tmp/x && echo tmp-rw; touch /run/x && echo run-rw;"
                         "stat -c %a /tmp /run; grep -cE ' /(tmp|run) tmpfs rw,nosuid,nodev' /proc/mounts");
        ASSERT_TRUE(s);
        s->read_only = true;
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_STREQ(run.out, "root-ro\ntmp-rw\nrun-rw\n1777\n755\n2\n");

        /* A mount of the user's own on /tmp replaces the default one; /run keeps its default. */
        ASSERT_OK(ADD(s, MOUNT_TMPFS, NULL, "/tmp", false, "mode=700,size=1m"));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_STREQ(run.out, "root-ro\ntmp-rw\nrun-rw\n700\n755\n2\n");

        /* Not read-only: no extra mounts. */
        s->read_only = false;
        s->mounts = mount_spec_array_free(s->mounts, s->n_mounts);
        s->n_mounts = 0;
        free(s->command[2]);
        s->command[2] = strdup("grep -cE ' /(tmp|run) ' /proc/mounts");
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_STREQ(run.out, "0\n");
        return 0;
}

/* Parents are mounted before children, whatever the order given. */
TEST(nested_mounts_in_depth_order) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        char host[160], path[256];
        Run run;

        TEST_ROOT_SETUP(t);
        snprintf(host, sizeof(host), "%s/host", t.dir);
        ASSERT_OK(mkdir(host, 0755));
        snprintf(path, sizeof(path), "%s/hello", host);
        ASSERT_OK(write_file(path, "from-host\n"));
        s = spec_for(&t, "cat /data/hello; echo c > /data/cache/c && echo cache-rw; ls /data/cache");
        ASSERT_TRUE(s);
        ASSERT_OK(ADD(s, MOUNT_TMPFS, NULL, "/data/cache", false, "size=1m"));
        ASSERT_OK(ADD(s, MOUNT_BIND, host, "/data", false, NULL));
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        ASSERT_STREQ(run.out, "from-host\ncache-rw\nc\n");
        /* The tmpfs kept the write: the host directory only got the mount point. */
        snprintf(path, sizeof(path), "%s/cache/c", host);
        ASSERT_FALSE(exists(path));
        return 0;
}
