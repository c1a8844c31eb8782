/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "atomic-write.h"
#include "child-fork.h"
#include "image-sandbox.h"
#include "strv.h"

#define RESULT_MAX (4U * 1024U * 1024U)

static const cap_value_t unpack_caps[] = {
        CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_MKNOD, CAP_SETFCAP,
};

static int drop_caps(void) {
        cap_t caps;
        int r = 0;

        for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
                bool keep = false;

                for (size_t i = 0; i < ELEMENTSOF(unpack_caps); i++)
                        keep = keep || unpack_caps[i] == c;
                if (!keep && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        return -errno;
        }
        caps = cap_init();
        if (!caps)
                return -ENOMEM;
        if (cap_set_flag(caps, CAP_PERMITTED, ELEMENTSOF(unpack_caps), unpack_caps, CAP_SET) < 0 ||
            cap_set_flag(caps, CAP_EFFECTIVE, ELEMENTSOF(unpack_caps), unpack_caps, CAP_SET) < 0 ||
            cap_set_proc(caps) < 0)
                r = -errno;
        cap_free(caps);
        return r;
}

static int install_seccomp(void) {
        static const int denied[] = {
                SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(ptrace),
                SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev), SCMP_SYS(init_module),
                SCMP_SYS(finit_module), SCMP_SYS(delete_module), SCMP_SYS(kexec_load), SCMP_SYS(bpf),
                SCMP_SYS(setns), SCMP_SYS(unshare), SCMP_SYS(reboot), SCMP_SYS(swapon), SCMP_SYS(swapoff),
                SCMP_SYS(perf_event_open), SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
                SCMP_SYS(open_by_handle_at), SCMP_SYS(userfaultfd), SCMP_SYS(fsopen), SCMP_SYS(fsmount),
                SCMP_SYS(move_mount), SCMP_SYS(open_tree), SCMP_SYS(connect), SCMP_SYS(bind),
                SCMP_SYS(listen), SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(execve), SCMP_SYS(execveat),
        };
        scmp_filter_ctx ctx;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        r = 0;
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(denied); i++)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
        /* Only AF_UNIX sockets (libc's syslog and nss may try); nothing reaches a network. */
        if (r >= 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                                     SCMP_A0(SCMP_CMP_NE, AF_UNIX));
        if (r >= 0)
                r = seccomp_load(ctx);
        seccomp_release(ctx);
        return r;
}

int image_sandbox_enter(void) {
        int r;

        if (unshare(CLONE_NEWNET | CLONE_NEWIPC) < 0)
                return -errno;
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        r = drop_caps();
        if (r < 0)
                return r;
        return install_seccomp();
}

/* The worker's report, one line each: "OPAQUE <dir>", "DEVICES <n>" (device nodes skipped), then
 * "OK <diff id>" or "ERR <errno> <message>". */
static _noreturn_ void worker_run(int archive_fd, int target_fd, const UnpackLimits *limits, int report_fd) {
        _cleanup_strv_free_ char **opaque = NULL;
        char diff_id[DIGEST_STRING_LEN + 1], line[UNPACK_MESSAGE_MAX + 64];
        UnpackError error = {};
        int r;

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        r = image_sandbox_enter();
        if (r < 0)
                (void) snprintf(error.message, sizeof(error.message), "cannot enter the unpack sandbox: %s",
                                strerror(-r));
        else
                r = image_unpack(archive_fd, target_fd, limits, &opaque, diff_id, &error);
        if (r < 0) {
                (void) snprintf(line, sizeof(line), "ERR %d %s\n", -r, error.message);
                (void) loop_write(report_fd, line, strlen(line));
                _exit(1);
        }
        STRV_FOREACH(o, opaque) {
                _cleanup_free_ char *l = NULL;

                if (asprintf(&l, "OPAQUE %s\n", *o) < 0 || loop_write(report_fd, l, strlen(l)) < 0)
                        _exit(1);
        }
        if (error.skipped_devices > 0) {
                (void) snprintf(line, sizeof(line), "DEVICES %llu\n", (unsigned long long) error.skipped_devices);
                if (loop_write(report_fd, line, strlen(line)) < 0)
                        _exit(1);
        }
        (void) snprintf(line, sizeof(line), "OK %s\n", diff_id);
        _exit(loop_write(report_fd, line, strlen(line)) < 0 ? 1 : 0);
}

static int read_report(int fd, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0, allocated = 0;

        for (;;) {
                ssize_t k;

                if (n + 4096 + 1 > allocated) {
                        char *b;

                        if (allocated >= RESULT_MAX)
                                return -EFBIG;
                        allocated = allocated ? allocated * 2 : 8192;
                        b = realloc(buf, allocated);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                }
                k = read(fd, buf + n, allocated - n - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        if (!buf)
                return -EPROTO;
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* Done here, with the privilege the worker lacks, on a directory resolved in the root again: the path
 * came from the worker. */
static int mark_opaque(int target_fd, const char *dir, UnpackError *error) {
        struct open_how how = {
                .flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV,
        };
        _cleanup_close_ int fd = -EBADF;

        if (!isempty(dir) && unpack_path_check(dir, NULL) < 0)
                return -EPROTO;
        fd = (int) syscall(SYS_openat2, target_fd, isempty(dir) ? "." : dir, &how, sizeof(how));
        if (fd < 0) {
                (void) snprintf(error->message, sizeof(error->message), "opaque directory '%s': %s", dir,
                                strerror(errno));
                return -errno;
        }
        if (fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0) {
                (void) snprintf(error->message, sizeof(error->message), "cannot mark '%s' opaque: %s", dir,
                                strerror(errno));
                return -errno;
        }
        return 0;
}

static int apply_report(char *report, int target_fd, char ret_diff_id[static DIGEST_STRING_LEN + 1],
                        UnpackError *error) {
        char *line, *save = NULL;
        int r;

        for (line = strtok_r(report, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (strneq(line, "OPAQUE ", 7)) {
                        r = mark_opaque(target_fd, line + 7, error);
                        if (r < 0)
                                return r;
                } else if (strneq(line, "DEVICES ", 8)) {
                        unsigned long long n = strtoull(line + 8, NULL, 10);

                        error->skipped_devices += n;
                } else if (strneq(line, "OK ", 3) && digest_is_valid(line + 3)) {
                        memcpy(ret_diff_id, line + 3, DIGEST_STRING_LEN + 1);
                        return 0;
                } else if (strneq(line, "ERR ", 4)) {
                        char *msg = NULL;
                        long e = strtol(line + 4, &msg, 10);

                        (void) snprintf(error->message, sizeof(error->message), "%s", msg && *msg ? msg + 1 : "failed");
                        return e > 0 && e < 4096 ? (int) -e : -EIO;
                } else
                        break;
        }
        (void) snprintf(error->message, sizeof(error->message), "the unpack worker died");
        return -EPROTO;
}

int image_unpack_sandboxed(int archive_fd, int target_fd, const UnpackLimits *limits,
                           char ret_diff_id[static DIGEST_STRING_LEN + 1], UnpackError *error) {
        _cleanup_close_pair_ int pipe_fds[2] = { -EBADF, -EBADF };
        _cleanup_free_ char *report = NULL;
        ChildExit how;
        int r, k;
        pid_t pid;

        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                return -errno;
        pid = child_fork("layer unpack sandbox");
        if (pid < 0)
                return pid;
        if (pid == 0) {
                pipe_fds[0] = safe_close(pipe_fds[0]);
                worker_run(archive_fd, target_fd, limits, pipe_fds[1]);
        }
        pipe_fds[1] = safe_close(pipe_fds[1]);
        r = read_report(pipe_fds[0], &report);
        if (r < 0)
                (void) kill(pid, SIGKILL);
        k = child_wait(pid, &how);
        if (r < 0)
                return r;
        if (k < 0)
                return k;
        return apply_report(report, target_fd, ret_diff_id, error);
}
