/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "masked-paths.h"
#include "runtime-internal.h"

void proc_fd_path(char buf[static PROC_FD_PATH_MAX], int fd) {
        (void) snprintf(buf, PROC_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

int mkdir_at(RuntimeContext *c, int dir_fd, const char *name, mode_t mode) {
        if (mkdirat(dir_fd, name, mode) < 0 && errno != EEXIST)
                return runtime_fail(c, errno, "create mount point '%s': %m", name);
        return 0;
}

int runtime_open_rootfs(RuntimeContext *c) {
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        long fd;

        fd = syscall(SYS_openat2, AT_FDCWD, c->spec->rootfs, &how, sizeof(how));
        if (fd < 0 && errno == ELOOP)
                return runtime_fail(c, ELOOP, "rootfs '%s' has become a symbolic link, or lies below one",
                                    c->spec->rootfs);
        if (fd < 0)
                return runtime_fail(c, errno, "open rootfs '%s': %m", c->spec->rootfs);
        return (int) fd;
}

/* mount() onto dir_fd/name, never through a symlink: name is opened O_PATH|O_NOFOLLOW (a single
 * component, or a path whose every component is trusted), checked, and the mount goes onto
 * /proc/self/fd/N, so the target is resolved exactly once and cannot be swapped for a path outside
 * the root. Before pivot_root, /proc is still the host's, which resolves "self" for us. */
int mount_at(RuntimeContext *c, int dir_fd, const char *name, const char *source, const char *fstype,
             unsigned long flags, const char *data) {
        _cleanup_close_ int fd = -EBADF;
        char path[PROC_FD_PATH_MAX];
        struct stat st;

        fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return runtime_fail(c, errno, "open mount point '%s': %m", name);
        if (fstat(fd, &st) < 0)
                return runtime_fail(c, errno, "stat mount point '%s': %m", name);
        if (S_ISLNK(st.st_mode))
                return runtime_fail(c, ELOOP, "mount point '%s' is a symbolic link", name);
        proc_fd_path(path, fd);
        if (mount(source, path, fstype, flags, data) < 0)
                return runtime_fail(c, errno, "mount %s on '%s': %m", fstype ?: source, name);
        return 0;
}

/* The flags a bind remount must repeat so that it only adds MS_RDONLY and does not drop nosuid,
 * nodev or noexec the mount already had. */
static unsigned long mount_flags_of(const char *path) {
        static const struct {
                unsigned long st, ms;
        } map[] = {
                { ST_NOSUID, MS_NOSUID },     { ST_NODEV, MS_NODEV },
                { ST_NOEXEC, MS_NOEXEC },     { ST_NOATIME, MS_NOATIME },
                { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
        };
        unsigned long flags = 0;
        struct statvfs sv;

        if (statvfs(path, &sv) < 0)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (sv.f_flag & map[i].st)
                        flags |= map[i].ms;
        return flags;
}

static int remount_readonly(RuntimeContext *c, const char *path) {
        unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | mount_flags_of(path);

        if (mount(NULL, path, NULL, flags, NULL) < 0)
                return runtime_fail(c, errno, "remount '%s' read-only: %m", path);
        return 0;
}

int mount_make_private(RuntimeContext *c) {
        /* An OCI config's shared or slave root receives the host's later mounts (as runc's does): every
         * mount becomes a slave, which still lets nothing of the container's propagate to the host. */
        unsigned long flags = c->io->root_propagation & (MS_SHARED | MS_SLAVE) ? MS_SLAVE : MS_PRIVATE;

        if (mount(NULL, "/", NULL, MS_REC | flags, NULL) < 0)
                return runtime_fail(c, errno, "make mounts private: %m");
        return 0;
}

static bool dir_is_empty(int dir_fd) {
        DIR *d;
        struct dirent *de;
        bool empty = true;
        int fd;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return false;
        d = fdopendir(fd);
        if (!d) {
                (void) close(fd);
                return false;
        }
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        empty = false;
                        break;
                }
        (void) closedir(d);
        return empty;
}

/* overlayfs shows the upper directory's own mode and owner for the root of the merged tree. A fresh
 * upper directory made by the caller (0700 root) would make "/" unreadable to a non-root payload, so
 * give a still empty one the lower root's. */
static int overlay_adopt_root_attrs(RuntimeContext *c, int lower_fd, int upper_fd) {
        struct stat lower, upper;

        if (fstat(lower_fd, &lower) < 0 || fstat(upper_fd, &upper) < 0)
                return runtime_fail(c, errno, "stat overlay layers: %m");
        if ((upper.st_mode & 07777) == (lower.st_mode & 07777) && upper.st_uid == lower.st_uid &&
            upper.st_gid == lower.st_gid)
                return 0;
        if (!dir_is_empty(upper_fd))
                return 0;
        if (fchown(upper_fd, lower.st_uid, lower.st_gid) < 0)
                return runtime_fail(c, errno, "chown overlay upper directory: %m");
        if (fchmod(upper_fd, lower.st_mode & 07777) < 0)
                return runtime_fail(c, errno, "chmod overlay upper directory: %m");
        return 0;
}

/* The lower layers: the rootfs (--ephemeral), or the image's layer directories, top-most first. The fds
 * stay open until the mount is made; *ret_opts gets "lowerdir=/proc/self/fd/N:/proc/self/fd/M…". */
static int open_lowers(RuntimeContext *c, int fds[static SPEC_LAYERS_MAX], size_t *ret_n, char **ret_opts) {
        char *const *layers = c->spec->layers ?: (char *const[]) { c->spec->rootfs, NULL };
        _cleanup_free_ char *opts = strdup("lowerdir=");
        size_t n = 0;

        if (!opts)
                return runtime_fail(c, ENOMEM, "out of memory");
        for (char *const *l = layers; *l; l++) {
                char path[PROC_FD_PATH_MAX + 1];
                char *joined;

                if (n >= SPEC_LAYERS_MAX)
                        return runtime_fail(c, E2BIG, "too many layers");
                if (c->spec->layers)
                        fds[n] = open(*l, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                else
                        fds[n] = runtime_open_rootfs(c);
                if (fds[n] < 0 && c->spec->layers)
                        return runtime_fail(c, errno, "image layer '%s': %m", *l);
                if (fds[n] < 0)
                        return fds[n];
                proc_fd_path(path, fds[n]);
                if (asprintf(&joined, "%s%s%s", opts, n > 0 ? ":" : "", path) < 0)
                        return runtime_fail(c, ENOMEM, "out of memory");
                free(opts);
                opts = joined;
                n++;
        }
        *ret_n = n;
        *ret_opts = TAKE_PTR(opts);
        return 0;
}

/* The layers are handed to overlayfs as /proc/self/fd/N: no escaping of ',' or ':' in paths, and
 * each path is resolved once, here. The lower layers are never written. */
static int mount_overlay(RuntimeContext *c) {
        const RuntimeIO *io = c->io;
        _cleanup_close_ int upper = -EBADF, work = -EBADF;
        _cleanup_free_ char *lowers = NULL, *opts = NULL;
        int fds[SPEC_LAYERS_MAX];
        size_t n = 0;
        int r;

        r = open_lowers(c, fds, &n, &lowers);
        if (r < 0)
                goto finish;
        upper = open(io->upper_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (upper < 0) {
                r = runtime_fail(c, errno, "overlay upper directory '%s': %m", io->upper_dir);
                goto finish;
        }
        work = open(io->work_dir, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (work < 0) {
                r = runtime_fail(c, errno, "overlay work directory '%s': %m", io->work_dir);
                goto finish;
        }
        r = overlay_adopt_root_attrs(c, fds[0], upper);
        if (r < 0)
                goto finish;

        if (asprintf(&opts, "%s,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d", lowers, upper, work) < 0) {
                r = runtime_fail(c, ENOMEM, "out of memory");
                goto finish;
        }
        if (mount("overlay", io->root_mount, "overlay", 0, opts) < 0)
                r = runtime_fail(c, errno, "mount overlayfs for '%s': %m", c->spec->image ?: strna(c->spec->rootfs));
finish:
        for (size_t i = 0; i < n; i++)
                safe_close(fds[i]);
        return r;
}

/* The lower layers of an overlay being configured, top-most first. fsconfig() takes strings of 255
 * bytes at most, about fourteen /proc/self/fd/N paths: so one "lowerdir+" each (Linux 6.8), or, on
 * an older kernel, the one "lowerdir" list where it fits. */
static int overlay_config_lowers(RuntimeContext *c, int fs, const int *fds, size_t n) {
        char list[256], path[PROC_FD_PATH_MAX];
        size_t len = 0;

        if (n == 0)
                return runtime_fail(c, EINVAL, "an overlay without lower layers");
        proc_fd_path(path, fds[0]);
        if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", path, 0) >= 0) {
                for (size_t i = 1; i < n; i++) {
                        proc_fd_path(path, fds[i]);
                        if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", path, 0) < 0)
                                return runtime_fail(c, errno, "add overlay lower layer %zu: %m", i);
                }
                return 0;
        }
        if (errno != EINVAL)
                return runtime_fail(c, errno, "add overlay lower layer 0: %m");
        for (size_t i = 0; i < n; i++) {
                int k;

                proc_fd_path(path, fds[i]);
                k = snprintf(list + len, sizeof(list) - len, "%s%s", i > 0 ? ":" : "", path);
                if (k < 0 || (size_t) k >= sizeof(list) - len)
                        return runtime_fail(c, E2BIG, "%zu layers are more than this kernel's overlayfs takes "
                                            "through fsconfig() (Linux 6.8 takes any number)", n);
                len += (size_t) k;
        }
        if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", list, 0) < 0)
                return runtime_fail(c, errno, "set the overlay's lower layers: %m");
        return 0;
}

/* --userns=auto from an image, in the caller (the host's root): the overlay of the image's layers,
 * each an idmapped mount of the container's range (overlayfs takes idmapped layers since Linux 5.19),
 * as a detached mount that the init attaches as its root. The layers stay shared by every container
 * of the image and unchanged on disk: no copy. The upper layer is the container's own and not
 * idmapped, so what the container writes is owned by its range on disk. Mounted here, not in the user
 * namespace: overlayfs takes a detached layer only from a mounter privileged over it, and so the
 * overlay reads trusted.* (the layers' opaque marks) as for any other container. */
int mount_overlay_idmapped(RuntimeContext *c, int userns_fd, int *ret) {
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_IDMAP,
                .userns_fd = (uint64_t) userns_fd,
        };
        _cleanup_close_ int upper = -EBADF, work = -EBADF, fs = -EBADF, mnt = -EBADF;
        char upper_path[PROC_FD_PATH_MAX], work_path[PROC_FD_PATH_MAX];
        int fds[SPEC_LAYERS_MAX];
        size_t n = 0;
        int r = 0;

        for (char *const *l = c->spec->layers; r >= 0 && *l; l++) {
                if (n >= SPEC_LAYERS_MAX) {
                        r = runtime_fail(c, E2BIG, "too many layers");
                        break;
                }
                fds[n] = open_tree(AT_FDCWD, *l, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                if (fds[n] < 0) {
                        r = runtime_fail(c, errno, "image layer '%s': %m", *l);
                        break;
                }
                if (mount_setattr(fds[n++], "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                        r = runtime_fail(c, errno == EINVAL || errno == EPERM ? EOPNOTSUPP : errno,
                                         "--userns=auto for a container from an image needs the image store on a "
                                         "file system with idmapped mounts (ext4, xfs, btrfs, tmpfs): layer '%s': %m",
                                         *l);
        }
        if (r < 0)
                goto finish;
        upper = open(c->io->upper_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        work = open(c->io->work_dir, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (upper < 0 || work < 0) {
                r = runtime_fail(c, errno, "overlay directories of '%s': %m", c->spec->image);
                goto finish;
        }
        /* The lowest layer's root, seen through the idmapping: the range's root. */
        r = overlay_adopt_root_attrs(c, fds[0], upper);
        if (r < 0)
                goto finish;
        proc_fd_path(upper_path, upper);
        proc_fd_path(work_path, work);
        fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs >= 0)
                r = overlay_config_lowers(c, fs, fds, n);
        if (r < 0)
                goto finish;
        if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper_path, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work_path, 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                r = runtime_fail(c, errno, "create overlayfs of idmapped layers for '%s': %m", c->spec->image);
                goto finish;
        }
        mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
        if (mnt < 0) {
                r = runtime_fail(c, errno, "mount overlayfs for '%s': %m", c->spec->image);
                goto finish;
        }
        *ret = TAKE_FD(mnt);
finish:
        for (size_t i = 0; i < n; i++)
                safe_close(fds[i]);
        return r;
}

/* --userns=auto, ephemeral: an overlay, mounted inside the user namespace (overlayfs allows that
 * since Linux 5.11; "userxattr" because trusted.* is the host root's), whose lower layer is the
 * caller's idmapped tree, attached on the mount point just before; the overlay goes on top. */
static int mount_overlay_userns(RuntimeContext *c) {
        _cleanup_close_ int fs = -EBADF, mnt = -EBADF;
        char lower[PROC_FD_PATH_MAX], upper[PROC_FD_PATH_MAX], work[PROC_FD_PATH_MAX];
        int r;

        r = overlay_adopt_root_attrs(c, c->root_fd, c->userns_upper_fd);
        if (r < 0)
                return r;
        proc_fd_path(lower, c->root_fd);
        proc_fd_path(upper, c->userns_upper_fd);
        proc_fd_path(work, c->userns_work_fd);
        fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return runtime_fail(c, errno, "create overlayfs for '%s' in the user namespace: %m",
                                    c->spec->rootfs);
        mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
        if (mnt < 0)
                return runtime_fail(c, errno, "mount overlayfs for '%s': %m", c->spec->rootfs);
        if (move_mount(mnt, "", c->userns_target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return runtime_fail(c, errno, "attach the overlay root: %m");
        c->userns_upper_fd = safe_close(c->userns_upper_fd);
        c->userns_work_fd = safe_close(c->userns_work_fd);
        safe_close(c->root_fd);
        c->root_fd = TAKE_FD(mnt);
        return 0;
}

/* --userns=auto: the caller's tree (idmapped or chowned) goes onto the mount point, and is the root
 * from here on (or, ephemeral, the lower layer of the overlay that is). */
static int mount_attach_tree(RuntimeContext *c) {
        int r = 0;

        if (move_mount(c->userns_tree_fd, "", c->userns_target_fd, "",
                       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return runtime_fail(c, errno, "attach the root: %m");
        c->root_fd = TAKE_FD(c->userns_tree_fd);
        if (c->spec->ephemeral)
                r = mount_overlay_userns(c);
        c->userns_target_fd = safe_close(c->userns_target_fd);
        return r;
}

/* The bind of a caller's tree, through an fd opened without following symlinks. */
static int mount_bind_rootfs(RuntimeContext *c) {
        _cleanup_close_ int fd = -EBADF;
        char path[PROC_FD_PATH_MAX];

        fd = runtime_open_rootfs(c);
        if (fd < 0)
                return fd;
        proc_fd_path(path, fd);
        if (mount(path, c->io->root_mount, NULL, MS_BIND | MS_REC, NULL) < 0)
                return runtime_fail(c, errno, "bind rootfs '%s': %m", c->spec->rootfs);
        return 0;
}

/* The container's root: the rootfs bound (or overlaid) onto root_mount, with the mount points the
 * runtime needs. A rootfs may bring /proc, /sys or /dev as symlinks; mount_at() refuses those. A
 * caller's tree (not an overlay of the container's own) must bring them: drayd creates no entries in
 * a tree it does not own. */
int mount_setup_root(RuntimeContext *c) {
        static const char *const mount_points[] = { "proc", "sys", "dev" };
        int r;

        if (c->userns_tree_fd >= 0)
                r = mount_attach_tree(c);
        else if (spec_uses_overlay(c->spec))
                r = mount_overlay(c);
        else
                r = mount_bind_rootfs(c);
        if (r < 0)
                return r;

        if (c->root_fd < 0)
                c->root_fd = open(c->io->root_mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (c->root_fd < 0)
                return runtime_fail(c, errno, "open container root: %m");
        for (size_t i = 0; i < ELEMENTSOF(mount_points); i++) {
                struct stat st;

                if (!runtime_root_is_foreign(c)) {
                        r = mkdir_at(c, c->root_fd, mount_points[i], 0755);
                        if (r < 0)
                                return r;
                } else if (fstatat(c->root_fd, mount_points[i], &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
                        return runtime_fail(c, ENOENT,
                                            "rootfs '%s' has no /%s: drayd creates nothing in a root directory "
                                            "it does not own; create it there, or run with --ephemeral",
                                            c->spec->rootfs, mount_points[i]);
        }
        return 0;
}

/* --userns=auto on a network namespace drayd made (owned by the host's user namespace): the kernel
 * lets only a user namespace that owns the network namespace mount a sysfs. As crun and podman do,
 * the host's sysfs is bound instead (recursively: the mounts below it are locked to the user
 * namespace and may not be uncovered), read-only, and the masked paths then apply as to a sysfs of
 * its own. It shows the host's network devices in /sys/class/net: documented in SECURITY.md. */
static int mount_sys_bind(RuntimeContext *c) {
        _cleanup_close_ int fd = -EBADF;
        char path[PROC_FD_PATH_MAX];

        fd = openat(c->root_fd, "sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return runtime_fail(c, errno, "open /sys in the root: %m");
        proc_fd_path(path, fd);
        /* Recursive: below /sys are mounts locked to this user namespace, which a plain bind may not
         * uncover (EINVAL). */
        if (mount("/sys", path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return runtime_fail(c, errno, "bind the host's /sys: %m");
        safe_close(fd);
        fd = openat(c->root_fd, "sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return runtime_fail(c, errno, "open /sys in the root: %m");
        proc_fd_path(path, fd);
        if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return runtime_fail(c, errno, "make /sys read-only: %m");
        return 0;
}

int mount_setup_proc(RuntimeContext *c) {
        /* A procfs mounted from inside the new pid namespace shows that namespace. */
        return mount_at(c, c->root_fd, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* After /dev and its mounts: the order of the OCI runtime spec's default mounts (proc, dev, dev/pts,
 * dev/shm, dev/mqueue, sys), which an OCI config lists and mountinfo must show in that order. */
int mount_setup_sys(RuntimeContext *c) {
        int r;

        /* --privileged gets a writable /sys, as Docker's. */
        r = mount_at(c, c->root_fd, "sys", "sysfs", "sysfs",
                     (c->spec->privileged ? 0 : MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        if (r != -EPERM || !runtime_in_userns(c))
                return r;
        return mount_sys_bind(c);
}

int mount_pivot_root(RuntimeContext *c) {
        /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves the new
         * root alone, without needing a directory for the old root inside it. */
        if (fchdir(c->root_fd) < 0)
                return runtime_fail(c, errno, "enter container root: %m");
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return runtime_fail(c, errno, "pivot_root: %m");
        if (umount2(".", MNT_DETACH) < 0)
                return runtime_fail(c, errno, "detach the host's root: %m");
        if (chdir("/") < 0)
                return runtime_fail(c, errno, "chdir /: %m");
        c->root_fd = safe_close(c->root_fd);
        return 0;
}

/* Under --userns=auto /sys is the host's, bound (mount_sys_bind()), with the host's cgroup2 mount at
 * /sys/fs/cgroup: a cgroup2 mount right on the root of a mount of the same super block is EBUSY (there
 * is one cgroup2 super block), so a tmpfs goes in between. */
int mount_cgroup2(RuntimeContext *c, unsigned long flags) {
        struct statfs sfs;

        if (statfs("/sys/fs/cgroup", &sfs) >= 0 && sfs.f_type == CGROUP2_SUPER_MAGIC &&
            mount("tmpfs", "/sys/fs/cgroup", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "mode=0755,size=4k") < 0)
                return runtime_fail(c, errno, "cover the host's /sys/fs/cgroup: %m");
        if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", flags, NULL) < 0)
                return runtime_fail(c, errno, "mount cgroup2 on /sys/fs/cgroup: %m");
        return 0;
}

/* After pivot_root every path is the container's: the kernel file systems below were mounted by us,
 * so plain paths are safe here. */
int mount_setup_after_pivot(RuntimeContext *c) {
        int r;

        /* Docker's masked and read-only paths of /proc and /sys: container root is the host's root
         * (no user namespace), so e.g. a writable /proc/sysrq-trigger could reboot the host. */
        r = c->spec->privileged ? 0 :
            c->io->custom_masks ? mask_paths_apply_full(c->io->masked_paths, c->io->readonly_paths) : mask_paths_apply();
        if (r < 0)
                return runtime_fail(c, r, "mask /proc and /sys paths: %m");

        /* On pure cgroup v2 the container gets its own cgroup2 mount, rooted (through the cgroup
         * namespace) at its cgroup. On v1 or hybrid hosts a faithful /sys/fs/cgroup would take one
         * mount per controller hierarchy; payloads that need it are rare, so it stays empty. */
        if (c->host_cgroup2 && !c->spec->boot) {
                r = mount_cgroup2(c, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
                /* An OCI config's user namespace in the host's cgroup namespace (no cgroup namespace
                 * listed) may not mount cgroup2, which that namespace does not own: /sys/fs/cgroup then
                 * stays empty (or the read-only tmpfs over the host's), as on hybrid hosts. */
                if (r == -EPERM && (c->io->shared_namespaces & CLONE_NEWCGROUP)) {
                        c->failure = (RuntimeRecord) {};
                        r = 0;
                }
                if (r < 0)
                        return r;
        }

        if (c->spec->read_only) {
                r = remount_readonly(c, "/");
                if (r < 0)
                        return r;
        }
        /* An OCI config's rootfsPropagation, on the root itself once it is "/" (as runc sets it): a
         * shared root is a peer group of the container's own mounts, never of the host's. */
        if (c->io->root_propagation != 0 && mount(NULL, "/", NULL, c->io->root_propagation, NULL) < 0)
                return runtime_fail(c, errno, "set the propagation of the root: %m");
        return 0;
}
