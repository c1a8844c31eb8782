/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dray-event.h"
#include "string-table.h"

static const char *const event_type_table[_EVENT_TYPE_MAX] = {
        [EVENT_CONTAINER] = "container",
        [EVENT_IMAGE] = "image",
        [EVENT_NETWORK] = "network",
        [EVENT_VOLUME] = "volume",
};

DEFINE_STRING_TABLE_LOOKUP(event_type, EventType, _EVENT_TYPE_MAX);
