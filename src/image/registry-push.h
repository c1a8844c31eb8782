/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "registry-client.h"

/* One blob of a push: skipped when the registry has it (HEAD); else mounted from another repository
 * of the same registry that has it (POST …/blobs/uploads/?mount=DIGEST&from=REPO, tried for each of
 * mount_from); else uploaded: in one PUT, or, over REGISTRY_CHUNK_SIZE, in PATCH chunks with
 * Content-Range and a closing PUT. A transient failure starts the upload over (a new session), at
 * most REGISTRY_ATTEMPTS_MAX times. fd_in: the blob's content when it is not stored (a layer
 * compressed for the push), else -EBADF. */

#define REGISTRY_CHUNK_SIZE (16U * 1024U * 1024U)

#define REGISTRY_PUSH_STATE_MAX 256U

/* state: what became of the blob, "pushed", "exists" or "mounted REPO" (the states of layer_state in
 * image-store.h). */
int registry_push_blob(RegistryClient *c, ImageStore *s, const ImageDescriptor *d, int fd_in, char *const *mount_from,
                       char state[static REGISTRY_PUSH_STATE_MAX], UnpackError *error);

/* Blobs d[0…n) (fds as fd_in for each) with registry_push_blob(), up to parallel at once, each then in
 * a child process with a client of its own (the worker may block; progress counts whole blobs). The
 * first failure ends the others. The first n_layers are the image's layers: their states go to the
 * store's layer_state (a child tells its blob's in its verdict). */
int registry_push_blobs(RegistryClient *c, const ImageDescriptor *d, const int *fds, size_t n, size_t n_layers,
                        char *const *mount_from, unsigned parallel, UnpackError *error);

/* The repositories of names (normalised references) on the registry of c, but c's own: where a
 * blob of the image may be mounted from. */
int registry_mount_sources(RegistryClient *c, char *const *names, char ***ret);
