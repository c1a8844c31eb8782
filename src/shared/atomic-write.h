/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

#include "macros.h"

typedef enum AtomicWriteFlags {
        /* fsync the file before the rename and the directory after it: the new content survives a
         * power loss. Without it the replacement is still atomic (readers see the old or the new
         * file, never a torn one), but a crash of the machine may bring back the old one. */
        ATOMIC_WRITE_SYNC = 1 << 0,
} AtomicWriteFlags;

/* dir_fd/name := data, through a temporary file in the same directory and rename(). Mode 0600. */
int write_file_atomic(int dir_fd, const char *name, const void *data, size_t size, AtomicWriteFlags flags);

/* json_write_atomic() (json-util.h) with a choice of durability. */
int json_write_atomic_flags(int dir_fd, const char *name, json_object *obj, AtomicWriteFlags flags);
