/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/capability.h>
#include <malloc.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "contract.h"
#include "log.h"
#include "runtime-internal.h"

/* The container's init: PID 1 of the container's pid namespace, the payload's parent. It forwards
 * every signal to the payload (a container's stop signal may be anything, SIGRTMIN+3 for a systemd
 * payload), except these: SIGCHLD is its own, SIGKILL and SIGSTOP cannot be caught, and the others
 * are the kernel's reports of the init's own faults. */
static const int unforwarded_signals[] = {
        SIGCHLD, SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS,
};

/* Before anything else in the child: nothing of it may be read or traced from inside the container
 * (non-dumpable), it dies with its parent, the monitor, and no signal disposition of the caller
 * (SIG_IGN survives fork and execve) reaches the payload. Every signal stays blocked in the init:
 * those it cares about arrive through its signalfd. A pid namespace's init is protected from signals
 * it has no handler for; blocked ones are queued rather than dropped, so the signalfd sees them. */
int init_setup_process(RuntimeContext *c) {
        sigset_t all;

        /* Once stdio is the payload's, a debug message of ours would land in the container's output:
         * the child never logs (failures travel on the report pipe). */
        log_set_max_level(-1);

        if (!c->io->orphan && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                return runtime_fail(c, errno, "set parent death signal: %m");
        if (prctl(PR_SET_DUMPABLE, 0) < 0)
                return runtime_fail(c, errno, "make init non-dumpable: %m");
        (void) prctl(PR_SET_NAME, "dray-init");

        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) sigaction(sig, &(struct sigaction) { .sa_handler = SIG_DFL }, NULL);
        sigfillset(&all);
        if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
                return runtime_fail(c, errno, "block signals: %m");
        return 0;
}

int init_setup_signals(RuntimeContext *c) {
        sigset_t mask;

        /* glibc's sigfillset() leaves out the two real-time signals it reserves for itself. */
        sigfillset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(unforwarded_signals); i++)
                sigdelset(&mask, unforwarded_signals[i]);
        sigaddset(&mask, SIGCHLD);
        c->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (c->signal_fd < 0)
                return runtime_fail(c, errno, "create signalfd: %m");
        return 0;
}

/* Sends the master to the caller in a PTY record. */
static int send_master(RuntimeContext *c, int master) {
        RuntimeRecord rec = { .type = RUNTIME_RECORD_PTY };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = &rec, .iov_len = sizeof(rec) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &master, sizeof(int));
        while (sendmsg(c->report_fd, &mh, MSG_NOSIGNAL) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

/* After pivot_root, so that /dev/pts is the container's own devpts instance: the slave is
 * /dev/pts/0 of the container, and nothing of the host's terminals is ever reachable from it. The
 * slave is opened from the master (TIOCGPTPEER), not by path, and belongs to the payload's user. */
int init_setup_tty(RuntimeContext *c) {
        _cleanup_close_ int master = -EBADF;
        int unlock = 0, r;

        if (!c->spec->tty)
                return 0;
        master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return runtime_fail(c, errno, "open the container's /dev/pts/ptmx: %m");
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return runtime_fail(c, errno, "unlock the terminal: %m");
        if (c->io->window && ioctl(master, TIOCSWINSZ, c->io->window) < 0)
                return runtime_fail(c, errno, "set the terminal's size: %m");
        c->tty_fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (c->tty_fd < 0)
                return runtime_fail(c, errno, "open the terminal's slave: %m");
        if (fchown(c->tty_fd, c->spec->uid, c->spec->gid) < 0)
                return runtime_fail(c, errno, "give the terminal to user %u: %m", (unsigned) c->spec->uid);
        r = send_master(c, master);
        if (r < 0)
                return runtime_fail(c, r, "hand the terminal to dray-monitor: %m");
        return 0;
}

int init_fork_payload(RuntimeContext *c) {
        pid_t pid;

        pid = fork();
        if (pid < 0)
                return runtime_fail(c, errno, "fork payload: %m");
        if (pid == 0)
                exec_payload(c);

        c->payload_pid = pid;
        runtime_report(c->report_fd, &(RuntimeRecord) { .type = RUNTIME_RECORD_FORKED });
        return 0;
}

/* The init holds no capability but CAP_KILL, which it needs to forward signals to a payload of another
 * uid (within its pid namespace nothing else is visible to kill()), and CAP_SYS_BOOT for reboot(2),
 * which in a pid namespace other than the host's only ends that namespace's init with SIGHUP: how it
 * tells the monitor to start the container again (init_run()). Both stay in the bounding set too: the
 * kernel only lets the inheritable set hold what the bounding set has. */
int init_drop_privileges(RuntimeContext *c) {
        uint64_t keep = (UINT64_C(1) << CAP_KILL) | (UINT64_C(1) << CAP_SYS_BOOT);
        int r;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return runtime_fail(c, errno, "set no_new_privs: %m");
        r = caps_bounding_keep(c, keep);
        if (r < 0)
                return r;
        return caps_set_process(c, keep);
}

/* Reaps every zombie (orphans of the container end up here); true with *ret_status once the payload
 * was among them. */
static bool init_reap(RuntimeContext *c, int *ret_status) {
        bool payload_done = false;
        int status;
        pid_t pid;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                if (pid == c->payload_pid) {
                        *ret_status = runtime_exit_status_from_wait(status);
                        payload_done = true;
                }
        return payload_done;
}

/* systemd's container interface: SIGRTMIN+3 (halt) and SIGRTMIN+4 (poweroff) sent to a container's PID 1
 * ask it to shut down, which is what `machinectl poweroff` does. The payload is not an init and would
 * just die of them: it gets the container's stop signal instead, as from `dray stop`. Everything else
 * is passed on as it is. */
static int init_translate_signal(const RuntimeContext *c, int sig) {
        if (sig == SIGRTMIN + 3 || sig == SIGRTMIN + 4)
                return c->spec->stop_signal > 0 ? c->spec->stop_signal : SIGTERM;
        return sig;
}

/* A reboot request, as systemd's container interface and nspawn's stub init take one: SIGINT (what
 * machinectl reboot sends the leader) or SIGRTMIN+5, unless drayd sent it (tagged, contract.h: dray
 * kill, a foreground run's Ctrl-C) or it is the container's stop signal (systemctl stop). */
static bool init_is_reboot_request(const RuntimeContext *c, const struct signalfd_siginfo *si) {
        int sig = (int) si->ssi_signo;

        if (sig != SIGINT && sig != SIGRTMIN + 5)
                return false;
        if (si->ssi_code == SI_QUEUE && si->ssi_int == DRAY_SIGNAL_TAG)
                return false;
        return sig != c->spec->stop_signal;
}

/* Stops the payload as `dray stop` would (its stop signal, SIGKILL once the stop timeout passed: the
 * alarm), and once it is gone, reboot(2): the kernel ends this init with SIGHUP, which the monitor takes
 * as "start it again in place". */
static void init_begin_reboot(RuntimeContext *c) {
        uint64_t sec = c->spec->stop_timeout_usec / USEC_PER_SEC;

        (void) kill(c->payload_pid, c->spec->stop_signal > 0 ? c->spec->stop_signal : SIGTERM);
        (void) alarm((unsigned) MIN(MAX(sec, UINT64_C(1)), UINT64_C(86400)));
}

/* From here the init holds nothing but its signalfd: closing the report pipe is what lets the caller
 * see EOF once the payload's execve() closed its copy. When the payload exits, the init exits with
 * its status; the kernel then kills whatever else still runs in the pid namespace. */
_noreturn_ void init_run(RuntimeContext *c) {
        bool rebooting = false;
        int status = 0;

        /* A handful of fds, closed one by one: the report pipe among them must close, or the caller
         * waits for its EOF forever. */
        for (int fd = 0; fd < c->signal_fd; fd++)
                (void) close(fd);
        (void) fd_close_from(c->signal_fd + 1);
        /* The init is a copy of its caller and lives as long as the container: hand back the free
         * heap pages it inherited. */
        (void) malloc_trim(0);

        for (;;) {
                struct signalfd_siginfo si;
                ssize_t n = read(c->signal_fd, &si, sizeof(si));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n != (ssize_t) sizeof(si)) {
                        /* Cannot happen; without signals the init is blind, so end the container. */
                        (void) kill(c->payload_pid, SIGKILL);
                        _exit(EXIT_FAILURE);
                }
                if (si.ssi_signo == SIGCHLD) {
                        if (!init_reap(c, &status))
                                continue;
                        if (rebooting)
                                (void) reboot(RB_AUTOBOOT); /* ends us with SIGHUP; on failure, just exit */
                        _exit(status);
                } else if (rebooting && si.ssi_signo == SIGALRM)
                        (void) kill(c->payload_pid, SIGKILL);
                else if (!rebooting && init_is_reboot_request(c, &si)) {
                        rebooting = true;
                        init_begin_reboot(c);
                } else
                        (void) kill(c->payload_pid, init_translate_signal(c, (int) si.ssi_signo));
        }
}
