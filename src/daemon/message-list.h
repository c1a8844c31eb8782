/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "macros.h"

/* Method calls we answer later (Stop, Wait, Remove, Start, Restart): we hold a reference on each
 * until the event they wait for happens. The bound keeps clients that call Wait in a loop and go
 * away from growing our memory without limit. */
#define MESSAGE_LIST_MAX 4096U

typedef struct MessageList {
        sd_bus_message **messages;
        size_t n;
} MessageList;

/* Takes a reference. -ENOBUFS when the list is full. */
int message_list_push(MessageList *l, sd_bus_message *m);
/* Moves all messages out of *l (which becomes empty) into *ret, so that answering them may safely
 * add new ones to *l. */
void message_list_take(MessageList *l, MessageList *ret);
/* Appends all of *from to *to and empties *from; on -ENOMEM both stay as they were. */
int message_list_move_all(MessageList *from, MessageList *to);
void message_list_done(MessageList *l);
