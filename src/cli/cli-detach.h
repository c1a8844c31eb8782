/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-event.h>

#include "macros.h"

#include "detach-keys.h"

/* The input half of an attached terminal with detach keys: we read our stdin (a terminal, in raw mode)
 * and write it into a pipe whose read end goes to the monitor as the "stdin" stream, holding back what
 * may be the start of the detach sequence; when the whole sequence was typed, on_detach runs. Never
 * blocks: a full pipe stops reading our stdin until it drains. */
typedef struct DetachRelay {
        int pipe[2];            /* [0] for the monitor, [1] ours (non-blocking) */
        char keys[DETACH_KEYS_MAX];
        size_t n_keys, matched;
        char buf[4096 + DETACH_KEYS_MAX];
        size_t len, off;
        sd_event_source *in, *out;
        void (*on_detach)(void *userdata);
        void *userdata;
} DetachRelay;

#define DETACH_RELAY_NULL ((DetachRelay) { .pipe = { -EBADF, -EBADF } })

/* keys/n_keys from detach_keys_resolve(); n_keys > 0. */
int detach_relay_start(DetachRelay *r, sd_event *event, const char *keys, size_t n_keys,
                       void (*on_detach)(void *userdata), void *userdata);
/* Closes what the monitor does not hold yet: call once the read end was sent. */
void detach_relay_sent(DetachRelay *r);
void detach_relay_done(DetachRelay *r);
