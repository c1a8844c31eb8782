/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "message-list.h"

int message_list_push(MessageList *l, sd_bus_message *m) {
        sd_bus_message **a;

        if (l->n >= MESSAGE_LIST_MAX)
                return -ENOBUFS;
        a = realloc(l->messages, (l->n + 1) * sizeof(sd_bus_message *));
        if (!a)
                return -ENOMEM;
        a[l->n++] = sd_bus_message_ref(m);
        l->messages = a;
        return 0;
}

void message_list_take(MessageList *l, MessageList *ret) {
        *ret = *l;
        *l = (MessageList) {};
}

int message_list_move_all(MessageList *from, MessageList *to) {
        sd_bus_message **a;

        if (from->n == 0)
                return 0;
        a = realloc(to->messages, (to->n + from->n) * sizeof(sd_bus_message *));
        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < from->n; i++)
                a[to->n++] = from->messages[i];
        to->messages = a;
        free(from->messages);
        *from = (MessageList) {};
        return 0;
}

void message_list_done(MessageList *l) {
        for (size_t i = 0; i < l->n; i++)
                sd_bus_message_unref(l->messages[i]);
        free(l->messages);
        *l = (MessageList) {};
}
