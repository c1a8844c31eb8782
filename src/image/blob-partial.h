/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "image-store.h"

/* Blobs being pulled are written to tmp/partial/<hex of their digest>, a named file, so that a pull
 * that was cut off (a dropped connection, a killed worker, drayd restarted) resumes where it stopped
 * with a Range request: the next pull hashes what is there and asks for the rest. Nothing there is
 * trusted: the whole blob is verified against its digest before it is linked into blobs/, and a file
 * that fails is removed. image_store_clean_tmp() keeps tmp/partial; a prune empties it (but for
 * files a transfer holds).
 * Each blob_partial_open() bounds what earlier pulls left: the newest BLOB_PARTIAL_KEEP_FILES files
 * within BLOB_PARTIAL_KEEP_BYTES in all are kept, older ones removed (never one a transfer holds). */

#define BLOB_PARTIAL_DIR "partial"
#define BLOB_PARTIAL_KEEP_FILES 16U
#define BLOB_PARTIAL_KEEP_BYTES (UINT64_C(4) << 30)

/* Opens (creating) the partial file for digest, locked against another pull of the same blob, with w's
 * hash brought up to what it holds; *ret_offset: its size (0 for a new one, or one over max, which is
 * truncated). -EBUSY when another transfer holds it (the caller then writes an unnamed file). */
int blob_partial_open(ImageStore *s, const char *digest, uint64_t max, BlobWriter *ret, uint64_t *ret_offset);
void blob_partial_remove(ImageStore *s, const char *digest);
/* Empties tmp/partial (a prune), but for the files another transfer holds. */
int blob_partial_clean(ImageStore *s);

/* Starts w over: empty file, fresh hash (a server that ignored Range sends the whole blob). */
int blob_writer_reset(BlobWriter *w);
