/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image-store.h"
#include "worker-child.h"

/* Unpacks an image's layers while its other layers still download: layer i goes to a child process
 * (which unpacks it in the sandbox of image-sandbox.h, as any unpack) as soon as its blob is in and
 * every layer below it is unpacked. The pull's fetch loop wakes on the child's pipe. */
typedef struct LayerUnpacker {
        ImageStore *store;
        const Image *image;
        bool *fetched;      /* per layer: its blob is in the store, verified */
        size_t next;        /* the lowest layer not unpacked yet */
        WorkerChild child;  /* unpacking layer next, when child.pid > 0 */
        bool existed;       /* layer next was unpacked before this pull */
} LayerUnpacker;

int layer_unpacker_init(LayerUnpacker *u, ImageStore *s, const Image *image);
void layer_unpacker_done(LayerUnpacker *u); /* kills and reaps a running child */
void layer_unpacker_fetched(LayerUnpacker *u, size_t i);
/* Moves on: reaps a finished child, starts the next layer. *ret_fd: the pipe to wake on, or -EBADF.
 * > 0 while layers remain, 0 when all are unpacked, < 0 (error set) when one failed. */
int layer_unpacker_step(LayerUnpacker *u, int *ret_fd, UnpackError *error);
