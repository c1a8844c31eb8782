/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "atomic-write.h"
#include "bus-names.h"
#include "child-process.h"
#include "image-registry.h"
#include "image-tree.h"
#include "log.h"
#include "manager.h"
#include "string-table.h"
#include "strv.h"
#include "utf8.h"
#include "transfer-dbus.h"
#include "transfer.h"

static const char *const transfer_type_table[_TRANSFER_TYPE_MAX] = {
        [TRANSFER_IMPORT] = "import", [TRANSFER_LOAD] = "load",     [TRANSFER_SAVE] = "save",
        [TRANSFER_EXPORT] = "export", [TRANSFER_COMMIT] = "commit", [TRANSFER_PRUNE] = "prune",
        [TRANSFER_PULL] = "pull",     [TRANSFER_PUSH] = "push",     [TRANSFER_LOGIN] = "login",
};
static const char *const transfer_state_table[_TRANSFER_STATE_MAX] = {
        [TRANSFER_QUEUED] = "queued",
        [TRANSFER_RUNNING] = "running",
};
static const char *const transfer_result_table[_TRANSFER_RESULT_MAX] = {
        [TRANSFER_DONE] = "done",
        [TRANSFER_FAILED] = "failed",
        [TRANSFER_CANCELED] = "canceled",
};

DEFINE_STRING_TABLE_LOOKUP(transfer_type, TransferType, _TRANSFER_TYPE_MAX);
DEFINE_STRING_TABLE_LOOKUP(transfer_state, TransferState, _TRANSFER_STATE_MAX);
DEFINE_STRING_TABLE_LOOKUP(transfer_result, TransferResult, _TRANSFER_RESULT_MAX);

int transfer_new(Manager *m, TransferType type, int fd, Transfer **ret) {
        _cleanup_free_ Transfer *t = NULL;
        int r;

        if (hashmap_size(m->transfers) >= 64)
                return -EBUSY;
        t = calloc(1, sizeof(Transfer));
        if (!t)
                return -ENOMEM;
        *t = (Transfer) { .manager = m, .id = ++m->transfer_next_id, .type = type, .fd = fd,
                        .trust = (ImageTrustOptions) IMAGE_TRUST_OPTIONS_INIT };
        if (asprintf(&t->path, DRAY_TRANSFER_PATH_PREFIX "/%u", t->id) < 0)
                return -ENOMEM;
        (void) snprintf(t->key, sizeof(t->key), "%u", t->id);
        r = hashmap_put(m->transfers, t->key, t);
        if (r < 0) {
                free(t->path);
                return r;
        }
        *ret = TAKE_PTR(t);
        return 0;
}

Transfer *transfer_free(Transfer *t) {
        if (!t)
                return NULL;
        (void) hashmap_remove(t->manager->transfers, t->key);
        child_process_free(t->worker); /* kills and reaps a worker still running */
        safe_close(t->fd);
        sd_bus_message_unref(t->reply);
        free(t->path);
        free(t->description);
        free(t->name);
        free(t->platform);
        free(t->layers);
        strv_free(t->images);
        strv_free(t->keep_layers);
        strv_free(t->lower_layers);
        free(t->upper_dir);
        free(t->base_image);
        registry_credentials_done(&t->credentials);
        image_trust_options_done(&t->trust);
        strv_free(t->result_images);
        free(t->error_message);
        free(t->note);
        free(t);
        return NULL;
}

void manager_free_transfers(Manager *m) {
        Transfer *t;

        HASHMAP_FOREACH(t, m->transfers)
                transfer_free(t);
}

double transfer_progress(const Transfer *t) {
        if (t->total == 0)
                return t->state == TRANSFER_QUEUED ? 0.0 : -1.0;
        return MIN(1.0, (double) t->done / (double) t->total);
}

/* ---- the worker (a child of drayd) --------------------------------------------------------------- */

typedef struct WorkerReport {
        int fd;
        int input_fd;
        uint64_t last;
} WorkerReport;

static void report_line(int fd, const char *fmt, ...) _printf_(2, 3);
static void report_line(int fd, const char *fmt, ...) {
        char line[UNPACK_MESSAGE_MAX + 64];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        n = MIN(n, (int) sizeof(line) - 2);
        line[n] = '\n';
        (void) loop_write(fd, line, (size_t) n + 1);
}

static void worker_progress(uint64_t done, uint64_t total, void *userdata) {
        WorkerReport *w = userdata;
        struct stat st;

        if (total == 0 && w->input_fd >= 0 && fstat(w->input_fd, &st) >= 0 && S_ISREG(st.st_mode))
                total = (uint64_t) st.st_size;
        report_line(w->fd, "PROGRESS %llu %llu", (unsigned long long) done, (unsigned long long) total);
}

static void worker_layer_progress(size_t i, const char *digest, uint64_t done, uint64_t total, void *userdata) {
        WorkerReport *w = userdata;

        report_line(w->fd, "LAYER %zu %llu %llu %s", i, (unsigned long long) done, (unsigned long long) total, digest);
}

/* A push's layer: the same line with its state after the digest; done is the size once it is up. */
static void worker_layer_state(size_t i, const char *digest, uint64_t total, const char *state, void *userdata) {
        WorkerReport *w = userdata;
        bool up = !streq(state, "waiting") && !streq(state, "pushing");

        report_line(w->fd, "LAYER %zu %llu %llu %s %s", i, (unsigned long long) (up ? total : 0),
                    (unsigned long long) total, digest, state);
}

static int worker_prune(Transfer *t, int report_fd) {
        uint64_t freed = 0;
        int r;

        r = image_store_gc(t->manager->images, t->keep_layers, &freed);
        if (r >= 0)
                r = image_store_clean_tmp(t->manager->images);
        report_line(report_fd, "FREED %llu", (unsigned long long) freed);
        return r;
}

static int worker_do(Transfer *t, int report_fd, UnpackError *error) {
        ImageStore *s = t->manager->images;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *id = NULL;
        int r;

        switch (t->type) {
        case TRANSFER_IMPORT:
                r = image_import_tarball(s, t->fd, t->name, &id, error);
                if (r >= 0)
                        report_line(report_fd, "IMAGE %s", t->name);
                return r;
        case TRANSFER_LOAD:
                r = image_load_archive(s, t->fd, &names, error);
                STRV_FOREACH(n, names)
                        report_line(report_fd, "IMAGE %s", *n);
                return r;
        case TRANSFER_SAVE:
                return image_save_archive(s, t->images, t->format, t->fd, error);
        case TRANSFER_EXPORT: {
                _cleanup_free_ char *mount_point = NULL;

                /* tmp/ is only covered in the worker's own mount namespace. */
                if (asprintf(&mount_point, "%s/tmp", s->root) < 0)
                        return -ENOMEM;
                return image_tree_export(t->lower_layers, t->upper_dir, mount_point, t->fd, error);
        }
        case TRANSFER_COMMIT:
                r = image_commit_upper(s, t->base_image, t->upper_dir, t->name, &id, error);
                if (r >= 0)
                        report_line(report_fd, "IMAGE %s", t->name);
                return r;
        case TRANSFER_PRUNE:
                return worker_prune(t, report_fd);
        case TRANSFER_PULL: {
                _cleanup_free_ char *name = NULL;

                /* Only this worker talks to the registry; layers are unpacked in the sandboxed,
                 * network-less unpack worker as for a load. */
                r = image_pull(s, t->name, t->insecure, &t->credentials,
                               &(ImagePullOptions) { .max_parallel = t->max_parallel, .platform = t->platform,
                                                     .trust = &t->trust },
                               &name, &id, error);
                if (r >= 0)
                        report_line(report_fd, "IMAGE %s", name);
                return r;
        }
        case TRANSFER_PUSH:
                r = image_push(s, t->images[0], t->name, t->insecure, &t->credentials, t->max_parallel, &t->trust, &id,
                               error);
                if (r >= 0)
                        report_line(report_fd, "IMAGE %s", id);
                return r;
        case TRANSFER_LOGIN:
                /* Stored only once the registry took them, by this worker (root, as drayd). */
                r = image_registry_login(s, t->name, t->insecure, &t->credentials, error);
                if (r >= 0) {
                        r = registry_auth_update(registry_auth_default_file(), t->name, t->credentials.user,
                                                 t->credentials.password);
                        if (r < 0)
                                return unpack_error_set(error, r, "cannot store the credentials in %s: %s",
                                                        registry_auth_default_file(), strerror(-r));
                }
                return r;
        default:
                return -EINVAL;
        }
}

static _noreturn_ int worker_main(int report_fd, void *userdata) {
        Transfer *t = userdata;
        WorkerReport w = { .fd = report_fd, .input_fd = t->type <= TRANSFER_LOAD ? t->fd : -EBADF };
        UnpackError error = {};
        int r;

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        (void) signal(SIGPIPE, SIG_IGN);
        t->manager->images->progress = worker_progress;
        t->manager->images->layer_progress = worker_layer_progress;
        t->manager->images->layer_state = worker_layer_state;
        t->manager->images->progress_userdata = &w;
        r = worker_do(t, report_fd, &error);
        /* A failed transfer removes every blob and layer it wrote (staging directories go as they fail). */
        if (r < 0)
                image_store_rollback(t->manager->images);
        if (r < 0) {
                report_line(report_fd, "ERR %d %s", -r, *error.message ? error.message : strerror(-r));
                _exit(EXIT_FAILURE);
        }
        if (error.skipped_devices > 0)
                report_line(report_fd, "NOTE skipped %llu device node%s of the archive: a container gets dray's own /dev",
                            (unsigned long long) error.skipped_devices, error.skipped_devices == 1 ? "" : "s");
        report_line(report_fd, "OK");
        _exit(EXIT_SUCCESS);
}

/* ---- drayd's side -------------------------------------------------------------------------------- */

/* What the worker says goes out on the bus, which takes UTF-8 only: a name from a hostile archive in
 * an error message must not cost the TransferRemoved signal. */
static void sanitize(char *s) {
        for (char *p = s; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f || (unsigned char) *p >= 0x80)
                        *p = '?';
}

/* "<index> <done> <total> <digest>[ <state>]" (a push's layers have a state): layers come in order of
 * their index, each at most once more. */
static void transfer_handle_layer(Transfer *t, const char *line) {
        char digest[DIGEST_STRING_LEN + 2];
        unsigned long long a, b;
        int end = 0;
        size_t i;

        if (sscanf(line, "%zu %llu %llu %72s%n", &i, &a, &b, digest, &end) != 4 || !digest_is_valid(digest) ||
            i >= TRANSFER_LAYERS_MAX || i > t->n_layers)
                return;
        if (i == t->n_layers) {
                TransferLayer *l = reallocarray(t->layers, t->n_layers + 1, sizeof(TransferLayer));

                if (!l)
                        return;
                t->layers = l;
                t->n_layers++;
        }
        memcpy(t->layers[i].digest, digest, sizeof(t->layers[i].digest));
        (void) snprintf(t->layers[i].state, sizeof(t->layers[i].state), "%s", line[end] == ' ' ? line + end + 1 : "");
        t->layers[i].done = a;
        t->layers[i].total = b;
        transfer_bus_send_changed(t);
}

static void transfer_handle_line(Transfer *t, char *line) {
        unsigned long long a, b;
        int e;

        if (!utf8_is_valid(line))
                sanitize(line);
        if (sscanf(line, "PROGRESS %llu %llu", &a, &b) == 2) {
                t->done = a;
                t->total = b;
                transfer_bus_send_changed(t);
        } else if (strneq(line, "LAYER ", 6)) {
                transfer_handle_layer(t, line + 6);
        } else if (strneq(line, "IMAGE ", 6)) {
                if (strv_length(t->result_images) < 4096)
                        (void) strv_extend(&t->result_images, line + 6);
        } else if (strneq(line, "NOTE ", 5)) {
                free(t->note);
                t->note = strdup(line + 5);
        } else if (sscanf(line, "FREED %llu", &a) == 1)
                t->freed = a;
        else if (sscanf(line, "ERR %d", &e) == 1 && e > 0) {
                const char *msg = strchr(line + 4, ' ');

                t->error = -e;
                free(t->error_message);
                t->error_message = strdup(msg ? msg + 1 : strerror(e));
        } else if (streq(line, "OK"))
                t->error = 0;
}

static void on_report_line(ChildProcess *c, char *line, void *userdata) {
        transfer_handle_line(userdata, line);
}

static void transfer_start_next(Manager *m);

static void transfer_finish(Transfer *t, TransferResult result) {
        Manager *m = t->manager;

        if (result == TRANSFER_DONE)
                log_info("Transfer %u (%s) done.", t->id, transfer_type_to_string(t->type));
        else
                log_warning("Transfer %u (%s) %s: %s", t->id, transfer_type_to_string(t->type),
                            transfer_result_to_string(result), strna(t->error_message));
        transfer_bus_reply_and_remove(t, result);
        transfer_free(t);
        transfer_start_next(m);
}

/* Every line the worker wrote has been handled by now. */
static void on_worker_exit(ChildProcess *c, const ChildExit *e, void *userdata) {
        Transfer *t = userdata;
        char how[64];

        if (t->canceled)
                return transfer_finish(t, TRANSFER_CANCELED);
        if (child_exit_is_success(e))
                return transfer_finish(t, TRANSFER_DONE);
        if (t->error == 0) {
                child_exit_describe(e, how, sizeof(how));
                t->error = -EIO;
                free(t->error_message);
                (void) asprintf(&t->error_message, "the transfer worker %s", how);
        }
        transfer_finish(t, TRANSFER_FAILED);
}

static int transfer_spawn(Transfer *t) {
        char what[32];
        int r;

        (void) snprintf(what, sizeof(what), "transfer %u", t->id);
        r = child_process_spawn(t->manager->event,
                                &(ChildProcessArgs) {
                                        .what = what,
                                        .main = worker_main,
                                        .main_userdata = t,
                                        .on_line = on_report_line,
                                        .on_exit = on_worker_exit,
                                        .userdata = t,
                                },
                                &t->worker);
        if (r < 0)
                return r;
        /* drayd's copy of the client's file is not needed any more: the worker has its own. */
        t->fd = safe_close(t->fd);
        t->state = TRANSFER_RUNNING;
        transfer_bus_send_changed(t);
        log_info("Transfer %u (%s) started: %s", t->id, transfer_type_to_string(t->type), strna(t->description));
        return 0;
}

/* Transfers run side by side, so that one slow registry or archive does not hold every other pull
 * (the index is locked, blobs and layers are moved into place atomically, and concurrent unpacks of
 * one layer settle on the first); a prune removes what no image names and empties tmp/, so it runs
 * alone. */
#define TRANSFERS_RUNNING_MAX 4U

static unsigned transfers_running(Manager *m, bool *ret_prune) {
        unsigned n = 0;
        Transfer *t;

        *ret_prune = false;
        HASHMAP_FOREACH(t, m->transfers)
                if (t->state == TRANSFER_RUNNING) {
                        n++;
                        *ret_prune = *ret_prune || t->type == TRANSFER_PRUNE;
                }
        return n;
}

static void transfer_start_next(Manager *m) {
        for (;;) {
                Transfer *next = NULL, *t;
                bool prune_running;
                unsigned n;
                int r;

                n = transfers_running(m, &prune_running);
                if (prune_running || n >= TRANSFERS_RUNNING_MAX)
                        return;
                HASHMAP_FOREACH(t, m->transfers)
                        if (t->state == TRANSFER_QUEUED && (!next || t->id < next->id))
                                next = t;
                /* In order: a prune waits for the running ones, and what was queued after it for the prune. */
                if (!next || (next->type == TRANSFER_PRUNE && n > 0))
                        return;
                r = transfer_spawn(next);
                if (r < 0) {
                        next->error = r;
                        next->error_message = strdup("cannot start the transfer worker");
                        transfer_finish(next, TRANSFER_FAILED);
                        return; /* transfer_finish() starts the next one */
                }
        }
}

int transfer_enqueue(Transfer *t) {
        transfer_bus_send_new(t);
        transfer_start_next(t->manager);
        return 0;
}

int transfer_cancel(Transfer *t) {
        t->canceled = true;
        if (t->state == TRANSFER_QUEUED) {
                transfer_finish(t, TRANSFER_CANCELED);
                return 0;
        }
        if (t->worker && child_process_pid(t->worker) > 0)
                return child_process_kill(t->worker, SIGKILL);
        return 0;
}
