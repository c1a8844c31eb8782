/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "bus-object.h"
#include "transfer.h"

extern const BusObjectImplementation transfer_object;

void transfer_bus_send_new(Transfer *t);
void transfer_bus_send_changed(Transfer *t);
/* TransferRemoved(u id, o path, s result, s error, as images), and the reply a caller waits for. */
void transfer_bus_reply_and_remove(Transfer *t, TransferResult result);
/* Reply of the methods that start a transfer: (u id, o path). */
int transfer_bus_reply_started(sd_bus_message *m, Transfer *t);
