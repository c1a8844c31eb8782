/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the OCI runtime command line (dray-oci) needs of the init beyond drayd's recipe: the wait
 * between `create` and `start` (runc's exec FIFO), and sysctls of the container's own namespaces. */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>

#include "runtime-internal.h"
#include "strv.h"

/* Before pivot_root the FIFO is reachable by its host path; afterwards only through this fd. O_PATH
 * does not open the FIFO itself, so nothing blocks here. */
int gate_open(RuntimeContext *c) {
        if (!c->io->start_fifo)
                return 0;
        c->start_fifo_fd = open(c->io->start_fifo, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (c->start_fifo_fd < 0)
                return runtime_fail(c, errno, "open the start FIFO '%s': %m", c->io->start_fifo);
        return 0;
}

/* The container is built: say so, then open the FIFO for writing, which blocks until `dray-oci start`
 * opens it for reading, and write one byte so the reader knows the wait is over. Every signal is still
 * blocked in the init (queued for the payload), so only SIGKILL ends this wait: what `kill` of a
 * created container amounts to in runc too. */
int gate_wait(RuntimeContext *c) {
        _cleanup_close_ int fd = -EBADF;
        char path[PROC_FD_PATH_MAX];

        if (c->start_fifo_fd < 0)
                return 0;
        runtime_report(c->report_fd, &(RuntimeRecord) { .type = RUNTIME_RECORD_GATED });
        proc_fd_path(path, c->start_fifo_fd);
        do
                fd = open(path, O_WRONLY | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0)
                return runtime_fail(c, errno, "open the start FIFO: %m");
        if (write(fd, "0", 1) != 1)
                return runtime_fail(c, errno, "write the start FIFO: %m");
        c->start_fifo_fd = safe_close(c->start_fifo_fd);
        return 0;
}

/* The sysctls a container may set are those of namespaces of its own (runc's list): IPC, mqueue, UTS
 * names and, with a network namespace of its own, net.*. Anything else would change the host. */
static bool sysctl_is_namespaced(const RuntimeContext *c, const char *key) {
        static const char *const ipc[] = {
                "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
        };

        for (size_t i = 0; i < ELEMENTSOF(ipc); i++)
                if (streq(key, ipc[i]))
                        return true;
        if (strneq(key, "fs.mqueue.", 10) || streq(key, "kernel.hostname") || streq(key, "kernel.domainname"))
                return true;
        return strneq(key, "net.", 4) && c->spec->net.mode != NETWORK_MODE_HOST;
}

/* After /proc is mounted in the root (its /proc/sys is the container's namespaces') and before it is
 * made read-only. Each key is checked, turned into a path and resolved below /proc/sys without
 * following anything. */
int sysctl_setup(RuntimeContext *c) {
        STRV_FOREACH(kv, c->io->sysctl) {
                struct open_how how = { .flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
                                        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
                _cleanup_close_ int dir = -EBADF, fd = -EBADF;
                const char *eq = strchr(*kv, '=');
                char key[256], path[256];
                size_t klen, vlen;

                if (!eq || (klen = (size_t) (eq - *kv)) == 0 || klen >= sizeof(key))
                        return runtime_fail(c, EINVAL, "sysctl '%s': not key=value", *kv);
                memcpy(key, *kv, klen);
                key[klen] = 0;
                if (strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_.-/") != klen || strstr(key, "..") ||
                    key[0] == '.' || key[0] == '/')
                        return runtime_fail(c, EINVAL, "sysctl '%s': not a valid key", key);
                if (!sysctl_is_namespaced(c, key))
                        return runtime_fail(c, EPERM, "sysctl '%s' is not of the container's own namespaces", key);
                for (size_t i = 0; i <= klen; i++)
                        path[i] = key[i] == '.' ? '/' : key[i];
                dir = openat(c->root_fd, "proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (dir < 0)
                        return runtime_fail(c, errno, "open the container's /proc/sys: %m");
                fd = (int) syscall(SYS_openat2, dir, path, &how, sizeof(how));
                if (fd < 0)
                        return runtime_fail(c, errno, "sysctl '%s': %m", key);
                vlen = strlen(eq + 1);
                if (write(fd, eq + 1, vlen) != (ssize_t) vlen)
                        return runtime_fail(c, errno, "sysctl '%s' = '%s': %m", key, eq + 1);
        }
        return 0;
}
