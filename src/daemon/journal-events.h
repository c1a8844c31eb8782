/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "macros.h"

/* MESSAGE_IDs of drayd's lifecycle events in the journal, fixed forever so that tools can match on
 * them: journalctl MESSAGE_ID=<id>, DRAY_CONTAINER_NAME=<name>, DRAY_CONTAINER_ID=<full id>, or
 * journalctl -u dray-<name>.scope (the entries carry OBJECT_SYSTEMD_UNIT= as well as UNIT=). Other
 * events have DRAY_MESSAGE_EVENT (dray-event.h). */
#define DRAY_MESSAGE_CONTAINER_CREATED "3a16c56409e345aca9b85227abf7db6f"
#define DRAY_MESSAGE_CONTAINER_STARTED "d198386c1fa44177a190c432df1a4529"
#define DRAY_MESSAGE_CONTAINER_DIED    "8743e3dfed724b0fb5f818e8c3883bdf"
#define DRAY_MESSAGE_CONTAINER_REMOVED "c49a5d7bf32b45c6985d318cc4c2f0f5"
#define DRAY_MESSAGE_CONTAINER_START_FAILED "3994a199046c47578322cb0b1c33c793"
#define DRAY_MESSAGE_CONTAINER_RENAMED "6320e61280ee4dbeb9421ac489177a36"

/* One structured entry: an event of `dray events` (events.h stamps and signals it). Plain values,
 * below the container. */
typedef struct JournalEvent {
        const char *message, *message_id;
        int priority;
        const char *unit;            /* a container's scope, or NULL */
        const char *type, *action;   /* "container", "start" */
        const char *id, *name;       /* container entries also get DRAY_CONTAINER_ID/NAME= */
        uint64_t time_usec;
        const char *attributes_json; /* a JSON object of strings */
} JournalEvent;

void journal_event_send(const JournalEvent *e);
