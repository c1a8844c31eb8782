/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "manager.h"
#include "systemd-queue.h"

struct SystemdCall {
        Manager *manager;
        SystemdCall *prev, *next;
        bool in_flight;
        sd_bus_message *message;
        sd_bus_slot *slot;
        systemd_call_handler_t handler; /* NULL once cancelled */
        void *userdata;
};

static void list_unlink(SystemdCall **head, SystemdCall **tail, SystemdCall *c) {
        if (c->prev)
                c->prev->next = c->next;
        else
                *head = c->next;
        if (c->next)
                c->next->prev = c->prev;
        else if (tail)
                *tail = c->prev;
        c->prev = c->next = NULL;
}

static void call_unlink(SystemdCall *c) {
        SystemdQueue *q = c->manager->systemd_queue;

        if (c->in_flight) {
                list_unlink(&q->in_flight, NULL, c);
                q->n_in_flight--;
        } else
                list_unlink(&q->waiting_head, &q->waiting_tail, c);
}

static SystemdCall *call_free(SystemdCall *c) {
        if (!c)
                return NULL;
        sd_bus_slot_unref(c->slot);
        sd_bus_message_unref(c->message);
        free(c);
        return NULL;
}

static void queue_dispatch(Manager *m);

static int on_call_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        SystemdCall *c = userdata;
        Manager *m = c->manager;

        call_unlink(c);
        if (c->handler)
                c->handler(reply, sd_bus_message_get_error(reply), c->userdata);
        call_free(c);
        queue_dispatch(m);
        return 0;
}

static int call_send(SystemdCall *c) {
        SystemdQueue *q = c->manager->systemd_queue;
        int r;

        r = sd_bus_call_async(c->manager->bus, &c->slot, c->message, on_call_reply, c, 0);
        if (r < 0)
                return r;
        c->in_flight = true;
        c->next = q->in_flight;
        if (q->in_flight)
                q->in_flight->prev = c;
        q->in_flight = c;
        q->n_in_flight++;
        return 0;
}

static void queue_dispatch(Manager *m) {
        SystemdQueue *q = m->systemd_queue;

        while (q->n_in_flight < SYSTEMD_CALLS_IN_FLIGHT_MAX && q->waiting_head) {
                SystemdCall *c = q->waiting_head;
                int r;

                list_unlink(&q->waiting_head, &q->waiting_tail, c);
                r = call_send(c);
                if (r < 0) {
                        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;

                        (void) sd_bus_error_set_errnof(&error, r, "Failed to call systemd: %m");
                        if (c->handler)
                                c->handler(NULL, &error, c->userdata);
                        call_free(c);
                }
        }
}

int systemd_queue_call(Manager *m, sd_bus_message *message, systemd_call_handler_t handler, void *userdata,
                       SystemdCall **ret_call) {
        SystemdQueue *q = m->systemd_queue;
        SystemdCall *c;
        int r;

        c = calloc(1, sizeof(SystemdCall));
        if (!c)
                return -ENOMEM;
        *c = (SystemdCall) {
                .manager = m,
                .message = sd_bus_message_ref(message),
                .handler = handler,
                .userdata = userdata,
        };

        if (q->n_in_flight < SYSTEMD_CALLS_IN_FLIGHT_MAX && !q->waiting_head) {
                r = call_send(c);
                if (r < 0) {
                        call_free(c);
                        return r;
                }
        } else {
                c->prev = q->waiting_tail;
                if (q->waiting_tail)
                        q->waiting_tail->next = c;
                else
                        q->waiting_head = c;
                q->waiting_tail = c;
                log_debug("%u calls to systemd in flight, queueing %s.", q->n_in_flight,
                          strna(sd_bus_message_get_member(message)));
        }
        if (ret_call)
                *ret_call = c;
        return 0;
}

void systemd_call_cancel(SystemdCall *c) {
        if (!c)
                return;
        if (c->in_flight) {
                /* Let the reply arrive so that the in-flight count stays right. */
                c->handler = NULL;
                c->userdata = NULL;
                return;
        }
        call_unlink(c);
        call_free(c);
}

void systemd_queue_done(Manager *m) {
        SystemdQueue *q = m->systemd_queue;

        while (q->waiting_head) {
                SystemdCall *c = q->waiting_head;
                call_unlink(c);
                call_free(c);
        }
        while (q->in_flight) {
                SystemdCall *c = q->in_flight;
                call_unlink(c);
                call_free(c);
        }
}
