/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-journal.h>

#include "journal-events.h"
#include "log.h"

void journal_event_send(const char *name, const char *id, const char *unit, const char *message_id, int priority,
                        const char *message) {
        log_debug("%s", message);

        /* journald may be absent (tests, early boot): the event is then only in our debug log.
         * Not CONTAINER_NAME=/CONTAINER_ID=: those select a container's own output (dray logs,
         * journalctl CONTAINER_NAME=, Docker's journald driver conventions), and our events are
         * not part of it. OBJECT_SYSTEMD_UNIT= puts them in journalctl -u dray-<name>.scope, next to
         * systemd's own messages about the scope. */
        (void) sd_journal_send("MESSAGE=%s", message,
                               "MESSAGE_ID=%s", message_id,
                               "PRIORITY=%i", priority,
                               "SYSLOG_IDENTIFIER=drayd",
                               "DRAY_CONTAINER_NAME=%s", name,
                               "DRAY_CONTAINER_ID=%s", id,
                               "UNIT=%s", unit,
                               "OBJECT_SYSTEMD_UNIT=%s", unit,
                               NULL);
}
