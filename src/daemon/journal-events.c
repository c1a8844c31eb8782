/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "dray-event.h"
#include "journal-events.h"
#include "log.h"

#define JOURNAL_EVENT_FIELDS_MAX 16

void journal_event_send(const JournalEvent *e) {
        char *fields[JOURNAL_EVENT_FIELDS_MAX] = {};
        struct iovec iov[JOURNAL_EVENT_FIELDS_MAX];
        bool container = streq(e->type, "container");
        size_t n = 0;

        log_debug("%s", e->message);
        /* journald may be absent (tests, early boot): the event is then only in our debug log.
         * Not CONTAINER_NAME=/CONTAINER_ID=: those select a container's own output (dray logs,
         * journalctl CONTAINER_NAME=, Docker's journald driver conventions), and our events are
         * not part of it. OBJECT_SYSTEMD_UNIT= puts them in journalctl -u dray-<name>.scope, next to
         * systemd's own messages about the scope. */
        if (asprintf(&fields[n++], "MESSAGE=%s", e->message) < 0 ||
            asprintf(&fields[n++], "MESSAGE_ID=%s", e->message_id) < 0 ||
            asprintf(&fields[n++], "PRIORITY=%i", e->priority) < 0 ||
            asprintf(&fields[n++], "SYSLOG_IDENTIFIER=drayd") < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_TYPE "=%s", e->type) < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_ACTION "=%s", e->action) < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_ID "=%s", e->id) < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_NAME "=%s", e->name) < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_TIME "=%" PRIu64, e->time_usec) < 0 ||
            asprintf(&fields[n++], DRAY_EVENT_FIELD_ATTRIBUTES "=%s", e->attributes_json) < 0 ||
            (container && asprintf(&fields[n++], "DRAY_CONTAINER_NAME=%s", e->name) < 0) ||
            (container && asprintf(&fields[n++], "DRAY_CONTAINER_ID=%s", e->id) < 0) ||
            (e->unit && asprintf(&fields[n++], "UNIT=%s", e->unit) < 0) ||
            (e->unit && asprintf(&fields[n++], "OBJECT_SYSTEMD_UNIT=%s", e->unit) < 0)) {
                log_oom();
                n--; /* the failed asprintf() left its slot undefined */
                fields[n] = NULL;
        } else {
                for (size_t i = 0; i < n; i++)
                        iov[i] = (struct iovec) { .iov_base = fields[i], .iov_len = strlen(fields[i]) };
                (void) sd_journal_sendv(iov, (int) n);
        }
        for (size_t i = 0; i < n; i++)
                free(fields[i]);
}
