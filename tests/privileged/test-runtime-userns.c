/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Privileged tests of --userns=auto in the runtime: the ID maps, root of the namespace, the rootfs
 * seen through an idmapped mount (host file system), and the refusal where there is none
 * (overlayfs): the tree is never shifted in place. Skip (77) unless root. */
#include <sys/mount.h>

#include "test-run.h"
#include "userns-range.h"

#define BASE (USERNS_BASE_MIN + 7 * USERNS_RANGE_SIZE)

static const char *const script =
        "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g;"
        "mkdir -p /etc && echo hi > /etc/written && echo write-ok;"
        "stat -c %u:%g /bin/busybox";

static int check_output(const Run *run) {
        char expect[256];

        ASSERT_OK(run->r);
        ASSERT_EQ(run->exit_status, 0);
        snprintf(expect, sizeof(expect), "%10u %10u %10u", 0U, (unsigned) BASE, (unsigned) USERNS_RANGE_SIZE);
        ASSERT_CONTAINS(run->out, expect);
        ASSERT_CONTAINS(run->out, "\n0\n0\nwrite-ok\n0:0\n");
        return 0;
}

/* A spec for script in a user namespace of range BASE, rootfs path (NULL: the test root's). */
static ContainerSpec *userns_spec(const TestRoot *t, const char *command, const char *rootfs, bool ephemeral) {
        ContainerSpec *s = spec_for(t, command);

        if (!s)
                return NULL;
        if (rootfs) {
                free(s->rootfs);
                s->rootfs = strdup(rootfs);
                if (!s->rootfs)
                        return spec_free(s);
        }
        s->ephemeral = ephemeral;
        s->userns_base = BASE;
        s->userns_size = USERNS_RANGE_SIZE;
        return s;
}

TEST(userns_idmapped_root) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        char path[256];
        struct stat st;
        Run run;

        TEST_ROOT_SETUP(t);
        s = userns_spec(&t, script, NULL, false);
        ASSERT_TRUE(s);
        ASSERT_OK(run_spec(&t, s, &run));
        if (check_output(&run) != 0)
                return 1;
        /* Through the idmapped mount, container root wrote as on-disk 0; the rootfs was not chowned. */
        snprintf(path, sizeof(path), "%s/etc/written", t.rootfs);
        ASSERT_OK(stat(path, &st));
        ASSERT_EQ(st.st_uid, 0);
        ASSERT_OK(stat(t.rootfs, &st));
        ASSERT_EQ(st.st_uid, 0);
        return 0;
}

/* Ephemeral: the idmapped rootfs is the lower layer of an overlay mounted inside the namespace; the
 * writes land in the upper directory, as the range's root, and the rootfs stays untouched. */
TEST(userns_ephemeral) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        char path[256];
        struct stat st;
        Run run;

        TEST_ROOT_SETUP(t);
        s = userns_spec(&t, script, NULL, true);
        ASSERT_TRUE(s);
        ASSERT_OK(run_spec(&t, s, &run));
        if (check_output(&run) != 0)
                return 1;
        snprintf(path, sizeof(path), "%s/etc/written", t.rootfs);
        ASSERT_TRUE(stat(path, &st) < 0 && errno == ENOENT);
        snprintf(path, sizeof(path), "%s/etc/written", t.upper);
        ASSERT_OK(stat(path, &st));
        ASSERT_EQ(st.st_uid, BASE);
        ASSERT_OK(stat(t.upper, &st));
        ASSERT_EQ(st.st_uid, BASE);
        /* A second start reuses the upper layer. */
        ASSERT_OK(run_spec(&t, s, &run));
        ASSERT_OK(run.r);
        return 0;
}

/* overlayfs cannot be idmapped: the rootfs is refused, never shifted in place (drayd does not change
 * the ownership of a tree it does not own). */
TEST(userns_root_without_idmap_is_refused) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        char ovl[160], opts[512];
        struct stat st;
        Run run;

        TEST_ROOT_SETUP(t);
        snprintf(ovl, sizeof(ovl), "%s/ovl", t.dir);
        ASSERT_OK(mkdir(ovl, 0755));
        snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", t.rootfs, t.upper, t.work);
        if (mount("overlay", ovl, "overlay", 0, opts) < 0)
                return TEST_SKIP;
        s = userns_spec(&t, script, ovl, false);
        ASSERT_TRUE(s);
        ASSERT_OK(run_spec(&t, s, &run));
        (void) stat(ovl, &st);
        (void) umount2(ovl, MNT_DETACH);
        ASSERT_ERROR(run.r, EOPNOTSUPP);
        ASSERT_CONTAINS(run.error.message, "idmapped");
        ASSERT_EQ(st.st_uid, 0); /* not shifted */
        return 0;
}

/* An ephemeral container's rootfs is a shared lower layer: never shifted in place. */
TEST(userns_ephemeral_needs_idmap) {
        _cleanup_(test_root_free) TestRoot t = {};
        _cleanup_(spec_freep) ContainerSpec *s = NULL;
        char ovl[160], up[160], wk[160], opts[512];
        struct stat st;
        Run run;

        TEST_ROOT_SETUP(t);
        snprintf(ovl, sizeof(ovl), "%s/ovl", t.dir);
        snprintf(up, sizeof(up), "%s/ovl-upper", t.dir);
        snprintf(wk, sizeof(wk), "%s/ovl-work", t.dir);
        ASSERT_OK(mkdir(ovl, 0755));
        ASSERT_OK(mkdir(up, 0755));
        ASSERT_OK(mkdir(wk, 0755));
        snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", t.rootfs, up, wk);
        if (mount("overlay", ovl, "overlay", 0, opts) < 0)
                return TEST_SKIP;
        s = userns_spec(&t, "true", ovl, true);
        ASSERT_TRUE(s);
        ASSERT_OK(run_spec(&t, s, &run));
        (void) stat(ovl, &st);
        (void) umount2(ovl, MNT_DETACH);
        ASSERT_ERROR(run.r, EOPNOTSUPP);
        ASSERT_CONTAINS(run.error.message, "idmapped");
        ASSERT_EQ(st.st_uid, 0); /* not shifted */
        return 0;
}
