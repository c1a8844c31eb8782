/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The contract of `dray events`, shared by drayd (which sends them) and the CLI (which reads
 * them back): the kinds of objects, the Manager's Event signal, and the journal fields each event
 * is recorded with, so that past events can be found again (journalctl DRAY_EVENT_TYPE=container). */

#include <errno.h>

typedef enum EventType {
        EVENT_CONTAINER,
        EVENT_IMAGE,
        EVENT_NETWORK,
        EVENT_VOLUME,
        _EVENT_TYPE_MAX,
        _EVENT_TYPE_INVALID = -EINVAL,
} EventType;

const char *event_type_to_string(EventType t);
EventType event_type_from_string(const char *s);

/* Every event entry carries these fields beside MESSAGE= (and UNIT= for containers). Entries
 * whose MESSAGE_ID is a lifecycle one of journal-events.h carry them too. */
#define DRAY_EVENT_FIELD_TYPE "DRAY_EVENT_TYPE"
#define DRAY_EVENT_FIELD_ACTION "DRAY_EVENT_ACTION"
#define DRAY_EVENT_FIELD_ID "DRAY_EVENT_ID"
#define DRAY_EVENT_FIELD_NAME "DRAY_EVENT_NAME"
#define DRAY_EVENT_FIELD_TIME "DRAY_EVENT_TIME_USEC"        /* the same stamp as the signal's */
#define DRAY_EVENT_FIELD_ATTRIBUTES "DRAY_EVENT_ATTRIBUTES" /* a JSON object of strings */
/* MESSAGE_ID of events that are no lifecycle message of their own (pause, kill, pull, volume...). */
#define DRAY_MESSAGE_EVENT "5d7c2ab7f1c4476c8a2c0e5b92f1d3a8"

/* Attributes may hold hostile text (names chosen by callers, image references): bounded. */
#define DRAY_EVENT_ATTRIBUTES_MAX 16
