/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image-import.h"
#include "layer-unpacker.h"
#include "strv.h"

int layer_unpacker_init(LayerUnpacker *u, ImageStore *s, const Image *image) {
        *u = (LayerUnpacker) { .store = s, .image = image, .fd = -EBADF };
        u->fetched = calloc(image->manifest->n_layers + 1, sizeof(bool));
        return u->fetched ? 0 : -ENOMEM;
}

void layer_unpacker_done(LayerUnpacker *u) {
        if (u->pid > 0) {
                (void) kill(u->pid, SIGKILL);
                (void) waitpid(u->pid, NULL, 0);
                u->pid = 0;
        }
        u->fd = safe_close(u->fd);
        free(u->fetched);
        u->fetched = NULL;
}

void layer_unpacker_fetched(LayerUnpacker *u, size_t i) {
        if (i < u->image->manifest->n_layers)
                u->fetched[i] = true;
}

static _noreturn_ void child(LayerUnpacker *u, int fd) {
        UnpackError error = {};
        int r;

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        r = image_store_unpack_layer(u->store, u->image, u->next, true, &error);
        (void) dprintf(fd, "%d %s", r < 0 ? -r : 0, r < 0 && *error.message ? error.message : "");
        _exit(r < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

static int start(LayerUnpacker *u) {
        int p[2];
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        u->existed = image_store_has_layer(u->store, u->image->config->diff_ids[u->next]);
        pid = fork();
        if (pid < 0) {
                safe_close(p[0]);
                safe_close(p[1]);
                return -errno;
        }
        if (pid == 0) {
                safe_close(p[0]);
                child(u, p[1]);
        }
        safe_close(p[1]);
        if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
                safe_close(p[0]);
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return -errno;
        }
        u->pid = pid;
        u->fd = p[0];
        u->n_buf = 0;
        return 0;
}

/* The child of layer next has ended (its pipe is at EOF): its verdict. */
static int reap(LayerUnpacker *u, UnpackError *error) {
        const char *diff_id = u->image->config->diff_ids[u->next];
        int status = 0, e = 0, off = 0;

        (void) waitpid(u->pid, &status, 0);
        u->pid = 0;
        u->fd = safe_close(u->fd);
        u->buf[u->n_buf] = 0;
        if (sscanf(u->buf, "%d %n", &e, &off) < 1 || e < 0)
                e = EIO;
        if (e == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
                e = EIO;
        if (e != 0)
                return unpack_error_set(error, -e, "%s", off > 0 && u->buf[off] ? u->buf + off : "the layer unpacker failed");
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
        if (u->pid > 0) {
                for (;;) {
                        ssize_t k = read(u->fd, u->buf + u->n_buf, sizeof(u->buf) - 1 - u->n_buf);

                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k < 0 && errno == EAGAIN) {
                                *ret_fd = u->fd;
                                return 1;
                        }
                        if (k < 0)
                                return -errno;
                        if (k == 0)
                                break;
                        u->n_buf += (size_t) k;
                        if (u->n_buf >= sizeof(u->buf) - 1)
                                u->n_buf = sizeof(u->buf) - 2; /* an over-long message is cut */
                }
                r = reap(u, error);
                if (r < 0)
                        return r;
        }
        while (u->next < n && u->fetched[u->next] &&
               image_store_has_layer(u->store, u->image->config->diff_ids[u->next]))
                u->next++;
        if (u->next >= n)
                return 0;
        if (u->fetched[u->next]) {
                r = start(u);
                if (r < 0)
                        return unpack_error_set(error, r, "cannot start unpacking a layer: %s", strerror(-r));
                *ret_fd = u->fd;
        }
        return 1;
}
