/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "events.h"
#include "manager.h"

static int method_list_recent_events(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *manager = userdata;
        uint64_t since;
        int r;

        r = sd_bus_message_read(m, "t", &since);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = event_sink_append_recent(&manager->events, reply, since);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

const sd_bus_vtable manager_events_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("ListRecentEvents", SD_BUS_ARGS("t", since_usec),
                                SD_BUS_RESULT("a(tssssa{ss})", events), method_list_recent_events,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("Event",
                                SD_BUS_ARGS("t", time_usec, "s", type, "s", action, "s", id, "s", name, "a{ss}",
                                            attributes),
                                0),
        SD_BUS_VTABLE_END,
};
