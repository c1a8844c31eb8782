/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "log.h"
#include "macros.h"
#include "monitor-oom.h"

#define OOM_SCORE_ADJ_MIN "-1000"

static bool may_lower_oom_score_adj(void) {
        cap_flag_value_t v = CAP_CLEAR;
        cap_t caps;

        caps = cap_get_proc();
        if (!caps)
                return false;
        if (cap_get_flag(caps, CAP_SYS_RESOURCE, CAP_EFFECTIVE, &v) < 0)
                v = CAP_CLEAR;
        cap_free(caps);
        return v == CAP_SET;
}

int monitor_oom_payload_adj(void) {
        if (may_lower_oom_score_adj())
                return 0;
        log_debug("No CAP_SYS_RESOURCE: the payload raises its oom_score_adj to %d instead.",
                  MONITOR_OOM_PAYLOAD_FALLBACK);
        return MONITOR_OOM_PAYLOAD_FALLBACK;
}

static int oom_score_adj_set(const char *path) {
        _cleanup_close_ int fd = -EBADF;

        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (write(fd, OOM_SCORE_ADJ_MIN, strlen(OOM_SCORE_ADJ_MIN)) < 0)
                return -errno;
        return 0;
}

void monitor_oom_protect(pid_t init_pid) {
        char path[64];
        int r;

        if (!may_lower_oom_score_adj())
                return;
        /* The kernel also makes the value the floor of the process written to, which the payload,
         * forked earlier, does not share. */
        if (init_pid > 0) {
                (void) snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int) init_pid);
                r = oom_score_adj_set(path);
                if (r < 0)
                        log_warning_errno(r, "Cannot protect the container's init from the OOM killer, ignoring: %m");
        }
        r = oom_score_adj_set("/proc/self/oom_score_adj");
        if (r < 0)
                log_warning_errno(r, "Cannot protect dray-monitor from the OOM killer, ignoring: %m");
}
