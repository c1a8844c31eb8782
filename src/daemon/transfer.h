/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "child-process.h"
#include "image-import.h"
#include "image-trust.h"
#include "registry-auth.h"
#include "macros.h"

typedef struct Manager Manager;

/* Long work on the image store (import, load, save, export, commit, prune, pull, push) runs in a worker process, as
 * systemd-importd's transfers do: one at a time, in order (blobs a running load has linked but not yet
 * named must not meet a garbage collection), while drayd keeps answering. The worker reports on a pipe,
 * one line each: "PROGRESS <done> <total>", "LAYER <index> <done> <total> <digest>[ <state>]" (a pull; a push with the state), "IMAGE <name>", "FREED <bytes>", then "OK" or
 * "ERR <errno> <message>". Each transfer is an org.dray1.Transfer object until it ends. */

typedef enum TransferType {
        TRANSFER_IMPORT,
        TRANSFER_LOAD,
        TRANSFER_SAVE,
        TRANSFER_EXPORT,
        TRANSFER_COMMIT,
        TRANSFER_PRUNE,
        TRANSFER_PULL,
        TRANSFER_PUSH,
        TRANSFER_LOGIN,
        _TRANSFER_TYPE_MAX,
        _TRANSFER_TYPE_INVALID = -EINVAL,
} TransferType;

typedef enum TransferState {
        TRANSFER_QUEUED,
        TRANSFER_RUNNING,
        _TRANSFER_STATE_MAX,
        _TRANSFER_STATE_INVALID = -EINVAL,
} TransferState;

typedef enum TransferResult {
        TRANSFER_DONE,
        TRANSFER_FAILED,
        TRANSFER_CANCELED,
        _TRANSFER_RESULT_MAX,
        _TRANSFER_RESULT_INVALID = -EINVAL,
} TransferResult;

/* A pull's or push's layer as its worker last reported it. */
typedef struct TransferLayer {
        char digest[DIGEST_STRING_LEN + 1];
        uint64_t done, total;
        char state[256]; /* a push's: waiting, pushing, pushed, exists, mounted REPO; "" for a pull */
} TransferLayer;

#define TRANSFER_LAYERS_MAX 1024U

typedef struct Transfer {
        Manager *manager;
        unsigned id;
        char key[16]; /* id in decimal: the key in manager->transfers */
        char *path;
        TransferType type;
        TransferState state;
        char *description;

        int fd;                /* the client's file: input (import, load) or output (save, export) */
        char *name;            /* import, commit: the new image's name; pull, push: the remote reference;
                                * login: the registry (HOST[:PORT]) */
        char **images;         /* save; push: the one image pushed */
        bool insecure;         /* pull, push: plain http allowed for any registry */
        RegistryCredentials credentials; /* pull, push: from the client's --authfile or drayd's auth files */
        unsigned max_parallel; /* pull, push: blobs fetched or sent at once (0: the default) */
        char *platform;        /* pull: "os/arch[/variant]" to take from an index (NULL: this host's) */
        ImageTrustOptions trust; /* pull: --signature-policy; push: --sign-by */
        ArchiveFormat format;  /* save */
        bool prune_all;        /* prune */
        char **keep_layers;    /* prune: layers containers still use */
        char **lower_layers;   /* export, commit: the container's layers (or rootfs), top-most first */
        char *upper_dir;       /* export, commit: the container's upper directory, if any */
        char *base_image;      /* commit: the container's image ID */

        uint64_t done, total;
        TransferLayer *layers; /* pull: bytes held of each layer ("LAYER" lines) */
        size_t n_layers;
        ChildProcess *worker;  /* child-process.h: reports lines, then ends */

        char **result_images;
        uint64_t freed;
        int error;
        char *error_message;
        char *note;            /* for the user on success (skipped device nodes): TransferRemoved's message */
        bool canceled;
        sd_bus_message *reply; /* answered when the transfer ends (PruneImages, RemoveImage) */
        bool reply_plain;      /* …with no values (RemoveImage) */
} Transfer;

const char *transfer_type_to_string(TransferType t) _pure_;
TransferType transfer_type_from_string(const char *s) _pure_;
const char *transfer_state_to_string(TransferState t) _pure_;
TransferState transfer_state_from_string(const char *s) _pure_;
const char *transfer_result_to_string(TransferResult t) _pure_;
TransferResult transfer_result_from_string(const char *s) _pure_;

/* A new transfer, queued; takes fd. Starts it at once when nothing else runs. */
int transfer_new(Manager *m, TransferType type, int fd, Transfer **ret);
Transfer *transfer_free(Transfer *t);
int transfer_enqueue(Transfer *t);
/* Kills a running worker (whatever it wrote is unnamed or in tmp/, and goes) or drops a queued one. */
int transfer_cancel(Transfer *t);
double transfer_progress(const Transfer *t); /* 0…1; -1 when the total is unknown */

/* Frees every transfer, killing their workers (drayd is exiting). */
void manager_free_transfers(Manager *m);
