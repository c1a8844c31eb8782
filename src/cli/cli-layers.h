/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>
#include <systemd/sd-bus.h>

#include "macros.h"

/* The layers of a pull as its Transfer's Layers property gives them (digest, bytes held, size), with
 * the rate each comes at as seen from here: one line per layer, redrawn on a terminal; otherwise a
 * plain line per layer once it is in. A push's layers have a state too (LayerStates), shown as docker
 * push shows it: Waiting, Pushing, Pushed, Layer already exists, Mounted from REPO. */

typedef struct LayerView {
        char digest[80];
        uint64_t done, total;
        uint64_t t0, done0; /* first seen (µs, CLOCK_MONOTONIC) and the bytes then */
        uint64_t t_last;    /* when done last grew */
        bool reported;      /* its plain "done" line is out */
        char state[128];    /* a push's: waiting, pushing, pushed, exists, mounted REPO; "" for a pull */
} LayerView;

typedef struct LayerViews {
        LayerView *l;
        size_t n;
        size_t drawn; /* lines drawn on the terminal last time */
} LayerViews;

void layer_views_done(LayerViews *v);
/* Reads the variant's a(stt) (the message is at the variant) at time now. */
int layer_views_read(LayerViews *v, sd_bus_message *m, uint64_t now);
/* Reads the variant's as, LayerStates. */
int layer_views_read_states(LayerViews *v, sd_bus_message *m);
/* "0123456789ab  12.0 MiB / 50.0 MiB  4.0 MiB/s" ("  done" when in); a push's "0123456789ab: Pushed". */
int layer_view_format(const LayerView *l, char *buf, size_t n);
/* Terminal: the layers' lines drawn again over the last ones, and bar (no newline) below them. */
void layer_views_draw(LayerViews *v, FILE *f, const char *bar);
/* Not a terminal: a line for each layer that came in since the last call. */
void layer_views_report(LayerViews *v, FILE *f);
