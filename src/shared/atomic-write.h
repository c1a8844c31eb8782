/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>

#include "macros.h"

typedef enum AtomicWriteFlags {
        /* The file is always fsynced before the rename, so a crash leaves the old or the new content,
         * never a torn or empty file. This flag also fsyncs the directory after the rename, so the new
         * content survives a power loss; without it a machine crash may bring back the old file. */
        ATOMIC_WRITE_SYNC = 1 << 0,
} AtomicWriteFlags;

/* Writes all n bytes (retrying short writes and EINTR). */
int loop_write(int fd, const void *data, size_t n);

/* dir_fd/name := data, through a temporary file in the same directory and rename(). Mode 0600. */
int write_file_atomic(int dir_fd, const char *name, const void *data, size_t size, AtomicWriteFlags flags);

/* json_write_atomic() (json-util.h) with a choice of durability. */
int json_write_atomic_flags(int dir_fd, const char *name, json_object *obj, AtomicWriteFlags flags);
