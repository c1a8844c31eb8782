/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "generator-log.h"
#include "log.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

typedef enum GeneratorLogTarget {
        GENERATOR_LOG_KMSG,
        GENERATOR_LOG_JOURNAL,
        GENERATOR_LOG_STDERR,
} GeneratorLogTarget;

static int log_fd = -1;
static GeneratorLogTarget log_target = GENERATOR_LOG_STDERR;

static bool in_container(void) {
        return getenv("container") || access("/run/systemd/container", F_OK) == 0;
}

static void journal_send(int level, const char *message) {
        static const struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET };
        char buf[4096];
        int n;

        n = snprintf(buf, sizeof(buf), "PRIORITY=%d\nSYSLOG_IDENTIFIER=dray-generator\nMESSAGE=%s\n", level,
                     message);
        if (n < 0)
                return;
        (void) sendto(log_fd, buf, MIN((size_t) n, sizeof(buf) - 1), MSG_DONTWAIT | MSG_NOSIGNAL,
                      (const struct sockaddr *) &sa, sizeof(sa));
}

static void generator_sink(int level, const char *message, void *userdata) {
        if (log_target == GENERATOR_LOG_KMSG)
                dprintf(log_fd, "<%d>dray-generator[%d]: %s\n", level, (int) getpid(), message);
        else if (log_target == GENERATOR_LOG_JOURNAL)
                journal_send(level, message);
        if (log_target == GENERATOR_LOG_STDERR || isatty(STDERR_FILENO))
                fprintf(stderr, "dray-generator: %s\n", message);
}

void generator_log_open(void) {
        /* systemd's generators take SYSTEMD_LOG_TARGET too: "console" when run by hand. */
        const char *t = getenv("SYSTEMD_LOG_TARGET");

        if (t && streq(t, "console")) {
                log_set_sink(generator_sink, NULL);
                return;
        }
        if (!in_container()) {
                log_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
                if (log_fd >= 0)
                        log_target = GENERATOR_LOG_KMSG;
        } else if (access(JOURNAL_SOCKET, W_OK) == 0) {
                log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (log_fd >= 0)
                        log_target = GENERATOR_LOG_JOURNAL;
        }
        log_set_sink(generator_sink, NULL);
}
