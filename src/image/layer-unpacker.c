/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "image-import.h"
#include "layer-unpacker.h"
#include "strv.h"

int layer_unpacker_init(LayerUnpacker *u, ImageStore *s, const Image *image) {
        *u = (LayerUnpacker) { .store = s, .image = image, .child.fd = -EBADF };
        u->fetched = calloc(image->manifest->n_layers + 1, sizeof(bool));
        return u->fetched ? 0 : -ENOMEM;
}

void layer_unpacker_done(LayerUnpacker *u) {
        worker_child_kill(&u->child);
        free(u->fetched);
        u->fetched = NULL;
}

void layer_unpacker_fetched(LayerUnpacker *u, size_t i) {
        if (i < u->image->manifest->n_layers)
                u->fetched[i] = true;
}

static int unpack_next(void *userdata, UnpackError *error) {
        LayerUnpacker *u = userdata;

        return image_store_unpack_layer(u->store, u->image, u->next, true, error);
}

/* The child of layer next has ended well. */
static int layer_done(LayerUnpacker *u) {
        const char *diff_id = u->image->config->diff_ids[u->next];

        /* The child's record of what it created died with it: the rollback of a failed pull needs it. */
        if (!u->existed && image_store_has_layer(u->store, diff_id) &&
            strv_extend(&u->store->created_layers, digest_hex(diff_id)) < 0)
                return -ENOMEM;
        u->next++;
        return 0;
}

int layer_unpacker_step(LayerUnpacker *u, int *ret_fd, UnpackError *error) {
        size_t n = u->image->manifest->n_layers;
        int r;

        *ret_fd = -EBADF;
        if (u->child.pid > 0) {
                r = worker_child_read(&u->child, error);
                if (r > 0) {
                        *ret_fd = u->child.fd;
                        return 1;
                }
                if (r < 0)
                        return r;
                r = layer_done(u);
                if (r < 0)
                        return r;
        }
        while (u->next < n && u->fetched[u->next] &&
               image_store_has_layer(u->store, u->image->config->diff_ids[u->next]))
                u->next++;
        if (u->next >= n)
                return 0;
        if (u->fetched[u->next]) {
                u->existed = image_store_has_layer(u->store, u->image->config->diff_ids[u->next]);
                r = worker_child_start(&u->child, "layer unpacker", unpack_next, u);
                if (r < 0)
                        return unpack_error_set(error, r, "cannot start unpacking a layer: %s", strerror(-r));
                *ret_fd = u->child.fd;
        }
        return 1;
}
