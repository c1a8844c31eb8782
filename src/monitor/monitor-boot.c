/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "log.h"
#include "monitor-boot.h"
#include "monitor-cgroup.h"
#include "runtime.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

void monitor_boot_done(MonitorBoot *b) {
        b->notify_fd = safe_close(b->notify_fd);
        b->console_keep = safe_close(b->console_keep);
        if (b->notify_path)
                (void) unlink(b->notify_path);
        free(b->notify_path);
        free(b->own_named);
        free(b->own_unified);
        *b = MONITOR_BOOT_NULL;
}

int monitor_boot_notify_open(MonitorBoot *b, const char *runtime_dir, const char *id, uid_t root_uid) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -EBADF;
        int one = 1;

        /* Not in the container's 0700 directory: with --userns=auto the init binds it as the
         * container's root, a host user without access there. 0711: reachable by name, not listed. */
        if (asprintf(&dir, "%s/notify", runtime_dir) < 0 || asprintf(&b->notify_path, "%s/%s", dir, id) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0711) < 0 && errno != EEXIST)
                return -errno;
        b->root_uid = root_uid;
        if (strlen(b->notify_path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, b->notify_path);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        (void) unlink(b->notify_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        if (chmod(b->notify_path, 0666) < 0)
                return -errno;
        (void) setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
        b->notify_fd = TAKE_FD(fd);
        return 0;
}

static bool notify_has_ready(const char *text, size_t n) {
        for (const char *p = text; p < text + n;) {
                const char *nl = memchr(p, '\n', (size_t) (text + n - p));
                size_t l = nl ? (size_t) (nl - p) : (size_t) (text + n - p);

                if (l == 7 && memcmp(p, "READY=1", 7) == 0)
                        return true;
                p += l + 1;
        }
        return false;
}

/* The sender, as SO_PASSCRED reports it: only the container's root may say it is ready (the socket is
 * reachable by name from the host). */
static bool sender_is_root(struct msghdr *mh, uid_t root_uid) {
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
                if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS &&
                    cm->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
                        struct ucred uc;

                        memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
                        return uc.uid == root_uid;
                }
        return false;
}

bool monitor_boot_notify_read(MonitorBoot *b) {
        char buf[4096];

        for (;;) {
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
                } control = {};
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
                struct msghdr mh = {
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = &control,
                        .msg_controllen = sizeof(control),
                };
                ssize_t n = recvmsg(b->notify_fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        break;
                /* fds someone passed along (FDSTORE=1) are not kept. */
                for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
                        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
                                for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
                                        safe_close(((int *) CMSG_DATA(cm))[i]);
                if ((size_t) n > sizeof(buf) || !sender_is_root(&mh, b->root_uid))
                        continue; /* not a status message of the container's systemd */
                if (notify_has_ready(buf, (size_t) n)) {
                        if (!b->ready)
                                log_debug("The container's init reported READY=1.");
                        b->ready = true;
                }
        }
        return b->ready;
}

static int read_own_cgroup(const char *controller, char **ret) {
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        char buf[4096];
        size_t n;

        if (!f)
                return -errno;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = 0;
        return cgroup_path_from_proc(buf, controller, ret);
}

static int write_pid(const char *dir) {
        _cleanup_free_ char *procs = NULL;
        _cleanup_close_ int fd = -EBADF;
        char pid[32];
        int n;

        if (asprintf(&procs, "%s/cgroup.procs", dir) < 0)
                return -ENOMEM;
        fd = open(procs, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = snprintf(pid, sizeof(pid), "%d\n", (int) getpid());
        if (write(fd, pid, (size_t) n) != n)
                return -errno;
        return 0;
}

/* The container's root may manage its subtree: the directory and the files that take processes and
 * subgroups (nspawn's list), not the limits, which stay the host's. */
static int chown_subtree(const char *dir, uid_t uid) {
        static const char *const files[] = {
                "cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "tasks", "notify_on_release",
                "cgroup.clone_children",
        };

        if (uid == 0)
                return 0;
        if (chown(dir, uid, uid) < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *p = NULL;

                if (asprintf(&p, "%s/%s", dir, files[i]) < 0)
                        return -ENOMEM;
                if (chown(p, uid, uid) < 0 && errno != ENOENT)
                        return -errno;
        }
        return 0;
}

/* <hierarchy><own>/payload, made and handed to the container's root; *ret_own gets <own>. */
static int make_payload(const char *hierarchy, const char *controller, uid_t root_uid, char **ret_own,
                        char **ret_payload) {
        _cleanup_free_ char *own = NULL, *payload = NULL;
        int r;

        r = read_own_cgroup(controller, &own);
        if (r < 0)
                return r;
        if (streq(own, "/"))
                return -EBUSY; /* outside of any unit (by hand): never take over the root cgroup */
        if (asprintf(&payload, "%s%s/payload", hierarchy, own) < 0)
                return -ENOMEM;
        if (mkdir(payload, 0755) < 0 && errno != EEXIST)
                return -errno;
        r = chown_subtree(payload, root_uid);
        if (r < 0)
                return r;
        if (asprintf(ret_own, "%s%s", hierarchy, own) < 0)
                return -ENOMEM;
        *ret_payload = TAKE_PTR(payload);
        return 0;
}

int monitor_boot_cgroup_enter(MonitorBoot *b, bool unified, uid_t root_uid) {
        _cleanup_free_ char *named = NULL, *v2 = NULL, *ignored = NULL;
        int r;

        if (unified) {
                /* monitor-cgroup.c made <own>/payload, which the init is cloned into. */
                _cleanup_free_ char *own = NULL;

                r = read_own_cgroup(NULL, &own);
                if (r < 0)
                        return r;
                /* We sit in <scope>/supervisor: the payload is its sibling. */
                char *slash = strrchr(own, '/');
                if (!slash || slash == own)
                        return -EBUSY;
                *slash = 0;
                if (asprintf(&v2, CGROUP_ROOT "%s/payload", own) < 0)
                        return -ENOMEM;
                return chown_subtree(v2, root_uid);
        }

        r = make_payload(CGROUP_ROOT "/systemd", "name=systemd", root_uid, &b->own_named, &named);
        if (r < 0)
                return r;
        r = make_payload(CGROUP_ROOT "/unified", NULL, root_uid, &b->own_unified, &v2);
        if (r < 0 && r != -ENOENT)
                return r;
        r = write_pid(named);
        if (r < 0)
                return r;
        if (v2) {
                r = write_pid(v2);
                if (r < 0) {
                        monitor_boot_cgroup_leave(b);
                        return r;
                }
        }
        return 0;
}

void monitor_boot_cgroup_leave(MonitorBoot *b) {
        int r;

        if (b->own_named && (r = write_pid(b->own_named)) < 0)
                log_warning_errno(r, "Failed to return to cgroup '%s', ignoring: %m", b->own_named);
        if (b->own_unified && (r = write_pid(b->own_unified)) < 0)
                log_warning_errno(r, "Failed to return to cgroup '%s', ignoring: %m", b->own_unified);
}

int monitor_boot_console_keep(MonitorBoot *b, int master) {
        int fd;

        fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        b->console_keep = fd;
        return 0;
}

int monitor_boot_exit_status(int wstatus, bool *ret_reboot) {
        *ret_reboot = WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGHUP;
        if (WIFSIGNALED(wstatus) && (WTERMSIG(wstatus) == SIGINT || WTERMSIG(wstatus) == SIGHUP))
                return 0;
        return runtime_exit_status_from_wait(wstatus);
}
