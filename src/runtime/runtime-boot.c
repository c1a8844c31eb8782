/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "container-state.h"
#include "runtime-internal.h"
#include "seccomp-bpf.h"
#include "strv.h"

/* --boot: the tree's own init becomes PID 1 of the container, with nothing of dray's in between, and
 * finds what systemd's Container Interface (systemd.io/CONTAINER_INTERFACE) promises it, the way
 * systemd-nspawn -b sets it up:
 *   - $container=dray and $container_uuid (the machine ID machined knows the container by), and
 *     $NOTIFY_SOCKET=/run/host/notify, whose READY=1 dray-monitor waits for;
 *   - /run and /tmp as fresh tmpfs; /run/host (read-only) with os-release, container-uuid and
 *     container-manager of the host;
 *   - /dev/console a pty of the container's own devpts, whose master dray-monitor relays to the
 *     journal (and to `dray attach`/`run -it`);
 *   - /sys/fs/cgroup with the container's own subtree writable: cgroup2 on a unified host; on a
 *     hybrid one the controller hierarchies read-only, the name=systemd hierarchy and the cgroup2 at
 *     "unified" writable, all rooted (cgroup namespace) at the container's cgroup;
 *   - nspawn's capabilities for boot, and the seccomp profile mirroring nspawn's allow list
 *     (policy/seccomp-boot.json), without no_new_privs (su, sudo and setuid helpers must work).
 * /proc/sys, the masked paths and the read-only /sys are the runtime's usual ones. */

#define BOOT_NOTIFY_PATH "/run/host/notify"

static const char *const boot_inits[] = { "/sbin/init", "/lib/systemd/systemd", "/usr/lib/systemd/systemd" };

/* A file of the host read before pivot_root, written into the container's /run/host. */
static int copy_host_file(RuntimeContext *c, int host_dir_fd, const char *name, const char *const *sources) {
        char buf[16384];
        ssize_t n = -1;
        int fd;

        for (const char *const *p = sources; *p && n < 0; p++) {
                _cleanup_close_ int in = open(*p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                struct stat st;

                if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                n = read(in, buf, sizeof(buf));
        }
        if (n < 0)
                return 0; /* the host has none: the interface makes it optional */
        fd = openat(host_dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return runtime_fail(c, errno, "create /run/host/%s: %m", name);
        if (write(fd, buf, (size_t) n) != n) {
                (void) close(fd);
                return runtime_fail(c, EIO, "write /run/host/%s", name);
        }
        (void) close(fd);
        return 0;
}

static int write_small(RuntimeContext *c, int dir_fd, const char *name, const char *text) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        size_t n = strlen(text);

        if (fd < 0)
                return runtime_fail(c, errno, "create /run/host/%s: %m", name);
        if (write(fd, text, n) != (ssize_t) n)
                return runtime_fail(c, EIO, "write /run/host/%s", name);
        return 0;
}

/* "0123…" (32 hex digits of the container ID) as a UUID: what machined registered it as. */
static void boot_uuid(const ContainerSpec *s, char ret[static 37]) {
        const char *id = s->id;

        (void) snprintf(ret, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12, id + 16, id + 20);
}

/* Before the user namespace's maps: the socket lives in the caller's 0700 runtime directory. */
int boot_open_notify(RuntimeContext *c) {
        if (!c->spec->boot || !c->io->notify_socket)
                return 0;
        c->boot_notify_fd = open(c->io->notify_socket, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (c->boot_notify_fd < 0)
                return runtime_fail(c, errno, "open the notify socket: %m");
        return 0;
}

static int boot_bind_notify(RuntimeContext *c, int host_fd) {
        _cleanup_close_ int fd = -EBADF;
        char path[PROC_FD_PATH_MAX], source[PROC_FD_PATH_MAX];

        if (c->boot_notify_fd < 0)
                return 0;
        fd = openat(host_fd, "notify", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return runtime_fail(c, errno, "create /run/host/notify: %m");
        fd = safe_close(fd);
        fd = openat(host_fd, "notify", O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return runtime_fail(c, errno, "open /run/host/notify: %m");
        proc_fd_path(path, fd);
        /* A socket is bound like a file; the source is the caller's runtime directory, not the tree. */
        proc_fd_path(source, c->boot_notify_fd);
        if (mount(source, path, NULL, MS_BIND, NULL) < 0)
                return runtime_fail(c, errno, "bind the notify socket: %m");
        c->boot_notify_fd = safe_close(c->boot_notify_fd);
        return 0;
}

/* Before pivot_root, while the host's files are still reachable: /run, /tmp and /run/host. */
int boot_setup_mounts(RuntimeContext *c) {
        static const char *const os_release[] = { "/etc/os-release", "/usr/lib/os-release", NULL };
        _cleanup_close_ int run_fd = -EBADF, host_fd = -EBADF;
        char uuid[37], text[64], path[PROC_FD_PATH_MAX];
        int r;

        if (!c->spec->boot)
                return 0;
        r = mkdir_at(c, c->root_fd, "run", 0755);
        if (r < 0)
                return r;
        r = mount_at(c, c->root_fd, "run", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME,
                     "mode=0755,size=20%");
        if (r < 0)
                return r;
        r = mkdir_at(c, c->root_fd, "tmp", 01777);
        if (r < 0)
                return r;
        r = mount_at(c, c->root_fd, "tmp", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME,
                     "mode=1777");
        if (r < 0)
                return r;

        run_fd = openat(c->root_fd, "run", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (run_fd < 0)
                return runtime_fail(c, errno, "open the container's /run: %m");
        r = mkdir_at(c, run_fd, "host", 0755);
        if (r < 0)
                return r;
        host_fd = openat(run_fd, "host", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (host_fd < 0)
                return runtime_fail(c, errno, "open /run/host: %m");
        boot_uuid(c->spec, uuid);
        (void) snprintf(text, sizeof(text), "%s\n", uuid);
        r = copy_host_file(c, host_fd, "os-release", os_release);
        if (r < 0)
                return r;
        r = write_small(c, host_fd, "container-uuid", text);
        if (r < 0)
                return r;
        r = write_small(c, host_fd, "container-manager", "dray\n");
        if (r < 0)
                return r;
        r = boot_bind_notify(c, host_fd);
        if (r < 0)
                return r;
        /* Read-only, as nspawn's: a bind of itself, then the remount that makes only this view read-only. */
        proc_fd_path(path, host_fd);
        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return runtime_fail(c, errno, "bind /run/host: %m");
        /* Looked up again: the old fd still points below the new bind mount. */
        safe_close(host_fd);
        host_fd = openat(run_fd, "host", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (host_fd < 0)
                return runtime_fail(c, errno, "open /run/host: %m");
        proc_fd_path(path, host_fd);
        if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return runtime_fail(c, errno, "make /run/host read-only: %m");
        return 0;
}

/* One line of /proc/self/cgroup ("ID:CONTROLLERS:PATH"): its hierarchy, mounted under /sys/fs/cgroup as
 * nspawn does on a hybrid host. */
static int boot_mount_hierarchy(RuntimeContext *c, const char *controllers) {
        char dir[256], opts[256];
        bool writable;

        if (isempty(controllers)) {
                /* cgroup2 beside the v1 hierarchies: the container's own subtree, writable. */
                if (mkdir("/sys/fs/cgroup/unified", 0755) < 0 && errno != EEXIST)
                        return runtime_fail(c, errno, "create /sys/fs/cgroup/unified: %m");
                if (mount("cgroup2", "/sys/fs/cgroup/unified", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                        return runtime_fail(c, errno, "mount cgroup2 on /sys/fs/cgroup/unified: %m");
                return 0;
        }
        writable = strneq(controllers, "name=", 5);
        (void) snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s", writable ? controllers + 5 : controllers);
        (void) snprintf(opts, sizeof(opts), "%s%s", writable ? "none," : "", controllers);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return runtime_fail(c, errno, "create %s: %m", dir);
        if (mount("cgroup", dir, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
                return runtime_fail(c, errno, "mount the cgroup hierarchy '%s': %m", controllers);
        /* Only name=systemd is the inner systemd's to manage; the controllers' limits are the host's. */
        if (!writable && mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                               NULL) < 0)
                return runtime_fail(c, errno, "make %s read-only: %m", dir);
        /* "cpu,cpuacct" is also reached as "cpu" and "cpuacct", as on the host. */
        if (!writable && strchr(controllers, ','))
                for (const char *p = controllers; *p;) {
                        size_t l = strcspn(p, ",");
                        char link[256];

                        (void) snprintf(link, sizeof(link), "/sys/fs/cgroup/%.*s", (int) l, p);
                        (void) symlink(controllers, link);
                        p += l + (p[l] == ',');
                }
        return 0;
}

static int boot_mount_hybrid(RuntimeContext *c) {
        _cleanup_fclose_ FILE *f = NULL;
        char line[512];
        int r;

        if (mount("tmpfs", "/sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=4m") < 0)
                return runtime_fail(c, errno, "mount tmpfs on /sys/fs/cgroup: %m");
        f = fopen("/proc/self/cgroup", "re");
        if (!f)
                return runtime_fail(c, errno, "open /proc/self/cgroup: %m");
        while (fgets(line, sizeof(line), f)) {
                char *controllers = strchr(line, ':'), *end;

                if (!controllers)
                        continue;
                controllers++;
                end = strchr(controllers, ':');
                if (!end)
                        continue;
                *end = 0;
                r = boot_mount_hierarchy(c, controllers);
                if (r < 0)
                        return r;
        }
        if (mount(NULL, "/sys/fs/cgroup", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "mode=0755,size=4m") < 0)
                return runtime_fail(c, errno, "make /sys/fs/cgroup read-only: %m");
        return 0;
}

/* After pivot_root: /sys/fs/cgroup as the inner systemd needs it (mount_setup_after_pivot() leaves it
 * alone for --boot). */
int boot_setup_cgroup(RuntimeContext *c) {
        if (!c->spec->boot)
                return 0;
        if (!c->host_cgroup2)
                return boot_mount_hybrid(c);
        /* Writable: the inner systemd manages its subtree (the scope is delegated). */
        return mount_cgroup2(c, MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

/* /dev/console: the pty init_setup_tty() opened from the container's devpts (the daemon gives every
 * booted container a terminal), bound over an empty file, as nspawn does. */
int boot_setup_console(RuntimeContext *c) {
        char path[PROC_FD_PATH_MAX];
        int fd;

        if (!c->spec->boot)
                return 0;
        if (c->tty_fd < 0)
                return runtime_fail(c, EINVAL, "a booted container needs its console terminal");
        fd = open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return runtime_fail(c, errno, "create /dev/console: %m");
        (void) close(fd);
        proc_fd_path(path, c->tty_fd);
        if (mount(path, "/dev/console", NULL, MS_BIND, NULL) < 0)
                return runtime_fail(c, errno, "bind the console terminal on /dev/console: %m");
        return 0;
}

/* The environment of PID 1: the spec's, and what the Container Interface defines. */
static int boot_env(RuntimeContext *c, char ***ret) {
        _cleanup_strv_free_ char **env = strv_copy(c->spec->env ?: (char *[]) { NULL });
        char uuid[37], buf[64];

        if (!env)
                return -ENOMEM;
        boot_uuid(c->spec, uuid);
        (void) snprintf(buf, sizeof(buf), "container_uuid=%s", uuid);
        if (strv_env_set(&env, "container=dray") < 0 || strv_env_set(&env, buf) < 0 ||
            (c->io->notify_socket && strv_env_set(&env, "NOTIFY_SOCKET=" BOOT_NOTIFY_PATH) < 0))
                return -ENOMEM;
        *ret = TAKE_PTR(env);
        return 0;
}

/* The console is stdin, stdout and stderr, and the controlling terminal of PID 1's session. */
static int boot_stdio(RuntimeContext *c) {
        for (int fd = 0; fd < 3; fd++)
                if (dup2(c->tty_fd, fd) < 0)
                        return runtime_fail(c, errno, "set up the console as stdio: %m");
        c->tty_fd = safe_close(c->tty_fd);
        if (setsid() < 0)
                return runtime_fail(c, errno, "setsid: %m");
        if (ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
                return runtime_fail(c, errno, "make the console the controlling terminal: %m");
        return 0;
}

static int boot_privileges(RuntimeContext *c) {
        int r;

        r = caps_bounding_keep(c, c->caps);
        if (r < 0)
                return r;
        /* Without no_new_privs, as nspawn: loading the filter takes CAP_SYS_ADMIN, which the boot set has
         * (in the container's user namespace with --userns=auto). */
        if (c->seccomp_fd >= 0) {
                r = seccomp_blob_load(c->seccomp_fd);
                if (r < 0)
                        return runtime_fail(c, r, "load seccomp filter: %m");
                c->seccomp_fd = safe_close(c->seccomp_fd);
        }
        return caps_set_process(c, c->caps);
}

static int boot_exec_init(RuntimeContext *c, char **env) {
        char *const *argv = c->spec->command;

        if (strv_length(argv) > 0) {
                execve(argv[0], argv, env);
                return runtime_fail_stage(c, RUNTIME_STAGE_EXEC, errno, "exec '%s': %m", argv[0]);
        }
        for (size_t i = 0; i < ELEMENTSOF(boot_inits); i++) {
                execve(boot_inits[i], (char *[]) { (char *) boot_inits[i], NULL }, env);
                if (errno != ENOENT && errno != ENOTDIR)
                        return runtime_fail_stage(c, RUNTIME_STAGE_EXEC, errno, "exec '%s': %m", boot_inits[i]);
        }
        return runtime_fail_stage(c, RUNTIME_STAGE_EXEC, ENOENT,
                                  "--boot: the container's tree has no init (/sbin/init, /lib/systemd/systemd): "
                                  "install systemd in it, or give the command to run as PID 1");
}

/* Everything before the execve() of the init, one check per step; a failure is in c->failure. */
static int boot_prepare(RuntimeContext *c, char ***ret_env) {
        int r;

        r = boot_env(c, ret_env);
        if (r < 0)
                return runtime_fail(c, r, "build the init's environment: %m");
        r = boot_stdio(c);
        if (r < 0)
                return r;
        r = fd_close_from(c->n_fds);
        if (r < 0)
                return runtime_fail(c, r, "close fds: %m");
        return boot_privileges(c);
}

/* PID 1 becomes the tree's init. The report socket (close-on-exec) tells the caller the execve()
 * worked by closing; FORKED goes first so that its EOF means success. */
_noreturn_ void boot_exec(RuntimeContext *c) {
        _cleanup_strv_free_ char **env = NULL;
        sigset_t none;

        if (boot_prepare(c, &env) >= 0) {
                /* The init starts as any PID 1 does: no signal blocked, every disposition the default. */
                for (int sig = 1; sig < _NSIG; sig++)
                        if (sig != SIGKILL && sig != SIGSTOP)
                                (void) sigaction(sig, &(struct sigaction) { .sa_handler = SIG_DFL }, NULL);
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                (void) umask(0022);
                runtime_report(c->report_fd, &(RuntimeRecord) { .type = RUNTIME_RECORD_FORKED });
                (void) boot_exec_init(c, env);
        }
        runtime_report(c->report_fd, &c->failure);
        _exit(c->failure.stage == RUNTIME_STAGE_EXEC && c->failure.error == ENOENT ? EXIT_NOT_FOUND : EXIT_DRAY_FAILED);
}
