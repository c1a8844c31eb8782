/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macros.h"

/* Everything drayd asks systemd1 (and machined) goes through one queue with a bounded number of calls in flight:
 * the system bus allows a connection 128 pending replies, and a burst of starts must queue rather
 * than meet LimitsExceeded. */
#define SYSTEMD_CALLS_IN_FLIGHT_MAX 32U

typedef struct Manager Manager;
typedef struct SystemdCall SystemdCall;

typedef struct SystemdQueue {
        SystemdCall *waiting_head, *waiting_tail; /* not sent yet, FIFO */
        SystemdCall *in_flight;                   /* sent, reply pending */
        unsigned n_in_flight;
} SystemdQueue;

/* reply: the answer (NULL if the call could not even be sent); error: NULL on success, else what
 * went wrong (from the error reply, or made up locally). */
typedef void (*systemd_call_handler_t)(sd_bus_message *reply, const sd_bus_error *error, void *userdata);

/* Sends call (to systemd1 or machine1) as soon as fewer than SYSTEMD_CALLS_IN_FLIGHT_MAX calls
 * are pending, else queues it. A failure to send right away is returned; a failure to send a queued
 * call later reaches the handler. ret_call (may be NULL) allows cancelling. */
int systemd_queue_call(Manager *m, sd_bus_message *call, systemd_call_handler_t handler, void *userdata,
                       SystemdCall **ret_call);
/* The callback will not be called; the reply, if one is pending, is still consumed. */
void systemd_call_cancel(SystemdCall *c);
void systemd_queue_done(Manager *m);
