/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "log-stream.h"
#include "log.h"
#include "monitor-journal.h"
#include "name.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define RETRY_MIN_MS 1
#define RETRY_MAX_MS 1000
#define RETRY_WARN_MS (10 * 1000)

static int field(char **ret, const char *name, const char *value, int len) {
        char *s;

        if (asprintf(&s, "%s=%.*s", name, len, value) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int journal_fields_init(JournalFields *f, const ContainerSpec *spec) {
        const char *image = spec->image ?: spec->rootfs;
        int r = 0;

        *f = (JournalFields) {};
        r = r < 0 ? r : field(&f->container_name, "CONTAINER_NAME", spec->name, INT32_MAX);
        r = r < 0 ? r : field(&f->container_id, "CONTAINER_ID", spec->id, CONTAINER_ID_SHORT_LEN);
        r = r < 0 ? r : field(&f->container_id_full, "CONTAINER_ID_FULL", spec->id, INT32_MAX);
        r = r < 0 ? r : field(&f->image_name, "IMAGE_NAME", image, INT32_MAX);
        r = r < 0 ? r : field(&f->syslog_identifier, "SYSLOG_IDENTIFIER", spec->name, INT32_MAX);
        r = r < 0 ? r : field(&f->container_tag, "CONTAINER_TAG", spec->name, INT32_MAX);
        if (r < 0)
                journal_fields_done(f);
        return r;
}

void journal_fields_done(JournalFields *f) {
        free(f->container_name);
        free(f->container_id);
        free(f->container_id_full);
        free(f->image_name);
        free(f->syslog_identifier);
        free(f->container_tag);
        *f = (JournalFields) {};
}

void journal_check_available(void) {
        if (access(JOURNAL_SOCKET, F_OK) < 0)
                log_warning("journald is not running (no " JOURNAL_SOCKET "): "
                            "container output is not logged.");
}

#define IOVEC_STR(s) ((struct iovec) { .iov_base = (char *) (s), .iov_len = strlen(s) })

void journal_send_line(char *line, size_t len, bool partial, void *userdata) {
        static const char message[] = "MESSAGE=";
        JournalSink *sink = userdata;
        const JournalFields *f = sink->fields;
        struct iovec iov[9];
        size_t n = 0;
        int delay = RETRY_MIN_MS, waited = 0;
        int r;

        _Static_assert(sizeof(message) - 1 <= LOG_STREAM_HEADROOM, "no room for MESSAGE=");

        /* The stream leaves headroom before every line: prefix the field name in place. */
        memcpy(line - strlen(message), message, strlen(message));
        iov[n++] = (struct iovec) { .iov_base = line - strlen(message), .iov_len = strlen(message) + len };
        iov[n++] = IOVEC_STR(sink->priority);
        iov[n++] = IOVEC_STR(f->container_name);
        iov[n++] = IOVEC_STR(f->container_id);
        iov[n++] = IOVEC_STR(f->container_id_full);
        iov[n++] = IOVEC_STR(f->image_name);
        iov[n++] = IOVEC_STR(f->syslog_identifier);
        iov[n++] = IOVEC_STR(f->container_tag);
        if (partial)
                iov[n++] = IOVEC_STR("CONTAINER_PARTIAL_MESSAGE=true");

        /* sd_journal_sendv() blocks while journald's socket queue is full, which is the back pressure
         * we want; EAGAIN/ENOBUFS can still come from its fallback path. Wait and retry: a busy
         * journald must not cost a line. It returns 0 when journald is not running at all. */
        while ((r = sd_journal_sendv(iov, (int) n)) == -EAGAIN || r == -ENOBUFS) {
                (void) poll(NULL, 0, delay);
                waited += delay;
                delay = MIN(delay * 2, RETRY_MAX_MS);
                if (waited >= RETRY_WARN_MS && !sink->warned) {
                        log_warning_errno(r, "journald has been busy for %d s, container output waits: %m",
                                          waited / 1000);
                        sink->warned = true;
                }
        }
        if (r < 0 && !sink->warned) {
                log_warning_errno(r, "Failed to send container output to the journal, ignoring: %m");
                sink->warned = true;
        }
}
