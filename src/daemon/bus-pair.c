/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/socket.h>

#include "bus-pair.h"

static int bus_new_on_fd(sd_event *event, int fd, bool server, sd_bus **ret) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        sd_id128_t id;
        int r;

        /* Takes fd in all cases. */
        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_fd(bus, fd, fd);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        if (server) {
                r = sd_id128_randomize(&id);
                if (r < 0)
                        return r;
                r = sd_bus_set_server(bus, true, id);
                if (r < 0)
                        return r;
        }
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

int bus_pair_new(sd_event *event, sd_bus **ret_server, sd_bus **ret_client) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *server = NULL, *client = NULL;
        int fds[2], r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0)
                return -errno;
        r = bus_new_on_fd(event, fds[0], true, &server);
        if (r < 0) {
                safe_close(fds[1]);
                return r;
        }
        r = bus_new_on_fd(event, fds[1], false, &client);
        if (r < 0)
                return r;
        *ret_server = TAKE_PTR(server);
        *ret_client = TAKE_PTR(client);
        return 0;
}

typedef struct CallState {
        sd_event *event;
        sd_bus_message *reply;
        bool done;
} CallState;

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        CallState *s = userdata;

        s->reply = sd_bus_message_ref(reply);
        s->done = true;
        return 0;
}

int bus_pair_call(sd_event *event, sd_bus *client, sd_bus_message *m, sd_bus_message **ret_reply,
                  sd_bus_error *ret_error) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        CallState s = { .event = event };
        const sd_bus_error *e;
        int r;

        r = sd_bus_call_async(client, &slot, m, on_reply, &s, 0);
        if (r < 0)
                return r;
        while (!s.done) {
                r = sd_event_run(event, UINT64_MAX);
                if (r < 0) {
                        sd_bus_message_unref(s.reply);
                        return r;
                }
        }
        e = sd_bus_message_get_error(s.reply);
        if (e) {
                r = -sd_bus_error_get_errno(e);
                if (ret_error)
                        (void) sd_bus_error_copy(ret_error, e);
                sd_bus_message_unref(s.reply);
                return r < 0 ? r : -EIO;
        }
        if (ret_reply)
                *ret_reply = s.reply;
        else
                sd_bus_message_unref(s.reply);
        return 0;
}
