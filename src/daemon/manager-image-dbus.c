/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The org.dray1.Manager methods for images and transfers: a second vtable at /org/dray1. */
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "bus-names.h"
#include "container-privilege.h"
#include "container-image.h"
#include "image-dbus.h"
#include "image-ref.h"
#include "log.h"
#include "container.h"
#include "manager.h"
#include "registry-fetch.h"
#include "registry-parse.h"
#include "strv.h"
#include "utf8.h"
#include "transfer-dbus.h"

/* The caller's fd, checked: a file or pipe, opened for what the transfer does with it. */
int bus_message_take_fd(sd_bus_message *message, bool write, int *ret, sd_bus_error *error) {
        struct stat st;
        int fd, r, flags;

        r = sd_bus_message_read(message, "h", &fd);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "The file descriptor must be a regular file, a pipe or a socket.");
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || (write ? (flags & O_ACCMODE) == O_RDONLY : (flags & O_ACCMODE) == O_WRONLY))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "The file descriptor is not open for %s.",
                                         write ? "writing" : "reading");
        fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

static int start_transfer(sd_bus_message *message, Transfer *t, const char *description) {
        t->description = strdup(description);
        if (!t->description) {
                transfer_free(t);
                return -ENOMEM;
        }
        (void) transfer_enqueue(t);
        return transfer_bus_reply_started(message, t);
}

static int new_transfer(Manager *m, TransferType type, int fd, Transfer **ret, sd_bus_error *error) {
        int r = transfer_new(m, type, fd, ret);

        if (r == -EBUSY)
                return sd_bus_error_set(error, SD_BUS_ERROR_LIMITS_EXCEEDED, "Too many transfers queued.");
        return r;
}

static int find_image(Manager *m, const char *what, Image **ret, sd_bus_error *error) {
        int r = image_store_find(m->images, what, ret);

        return r < 0 ? bus_image_lookup_error(r, what, error) : 0;
}

/* ---- queries ----------------------------------------------------------------------------------- */

static int append_image(sd_bus_message *reply, const Image *i) {
        _cleanup_free_ char *path = NULL;
        struct tm tm = {};
        uint64_t created = 0;
        int r;

        r = image_bus_path(i->id, &path);
        if (r < 0)
                return r;
        if (i->config->created && strptime(i->config->created, "%Y-%m-%dT%H:%M:%S", &tm))
                created = (uint64_t) timegm(&tm) * USEC_PER_SEC;
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_STRUCT, "sasttso");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", i->id);
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, i->names);
        if (r >= 0)
                r = sd_bus_message_append(reply, "ttso", i->size, created, i->manifest_descriptor.digest, path);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int method_list_images(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        Image **l = NULL;
        size_t n = 0;
        int r;

        r = image_store_list(m->images, &l, &n);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to read the image store: %m");
        r = sd_bus_message_new_method_return(message, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(sasttso)");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = append_image(reply, l[i]);
        image_list_free(l, n);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_get_image(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(image_freep) Image *i = NULL;
        _cleanup_free_ char *path = NULL;
        const char *what;
        int r;

        r = sd_bus_message_read(message, "s", &what);
        if (r < 0)
                return r;
        r = find_image(userdata, what, &i, error);
        if (r < 0)
                return r;
        r = image_bus_path(i->id, &path);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(message, "o", path);
}

static int method_inspect_image(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(image_freep) Image *i = NULL;
        _cleanup_free_ char *json = NULL;
        const char *what;
        int r;

        r = sd_bus_message_read(message, "s", &what);
        if (r < 0)
                return r;
        r = find_image(userdata, what, &i, error);
        if (r < 0)
                return r;
        r = bus_image_inspect_json(i, &json);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(message, "s", json);
}

static int method_list_transfers(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        Transfer *t;
        int r;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(usssdo)");
        HASHMAP_FOREACH(t, m->transfers)
                if (r >= 0)
                        r = sd_bus_message_append(reply, "(usssdo)", (uint32_t) t->id, transfer_type_to_string(t->type),
                                                  transfer_state_to_string(t->state), strempty(t->description),
                                                  transfer_progress(t), t->path);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* ---- changes ----------------------------------------------------------------------------------- */

static int method_tag_image(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(image_freep) Image *i = NULL;
        const char *what, *name;
        int r;

        r = sd_bus_message_read(message, "ss", &what, &name);
        if (r < 0)
                return r;
        r = find_image(userdata, what, &i, error);
        if (r < 0)
                return r;
        return bus_image_tag(message, userdata, i, name, error);
}

static int method_remove_image(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(image_freep) Image *i = NULL;
        const char *what;
        int force, r;

        r = sd_bus_message_read(message, "sb", &what, &force);
        if (r < 0)
                return r;
        r = find_image(userdata, what, &i, error);
        if (r < 0)
                return r;
        return bus_image_remove(message, userdata, what, i, force, error);
}

static int containers_layers(Manager *m, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        Container *c;

        HASHMAP_FOREACH(c, m->containers_by_id)
                STRV_FOREACH(p, c->spec->layers)
                        if (strv_extend(&l, *p) < 0)
                                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

static bool image_used(Manager *m, const char *id) {
        Container *c;

        HASHMAP_FOREACH(c, m->containers_by_id)
                if (c->spec->image_id && streq(c->spec->image_id, id))
                        return true;
        return false;
}

/* Drops the index entries prune removes: unnamed images (all: every image) no container uses. */
static int prune_index(Manager *m, bool all, char ***ret_removed) {
        _cleanup_(image_index_done) ImageIndex index = { .lock_fd = -EBADF };
        _cleanup_strv_free_ char **removed = NULL;
        Image **l = NULL;
        size_t n = 0;
        int r;

        r = image_index_load(m->images, true, &index);
        if (r >= 0)
                r = image_store_list(m->images, &l, &n);
        for (size_t k = 0; r >= 0 && k < n; k++) {
                if ((!all && l[k]->names) || image_used(m, l[k]->id))
                        continue;
                image_index_remove_manifest(&index, l[k]->manifest_descriptor.digest);
                r = strv_extend(&removed, l[k]->id);
        }
        image_list_free(l, n);
        if (r >= 0 && removed)
                r = image_index_save(m->images, &index);
        if (r < 0)
                return r;
        *ret_removed = TAKE_PTR(removed);
        return 0;
}

/* A garbage collection as a transfer whose end answers message: blobs and layers no image needs go,
 * keeping the layers containers use. The caller fills in what the index lost and enqueues it. */
int bus_image_gc_new(sd_bus_message *message, Manager *m, const char *description, Transfer **ret,
                     sd_bus_error *error) {
        Transfer *t;
        int r;

        r = new_transfer(m, TRANSFER_PRUNE, -EBADF, &t, error);
        if (r < 0)
                return r;
        t->reply = sd_bus_message_ref(message);
        r = containers_layers(m, &t->keep_layers);
        if (r >= 0 && !(t->description = strdup(description)))
                r = -ENOMEM;
        if (r < 0) {
                t->reply = sd_bus_message_unref(t->reply);
                transfer_free(t);
                return r;
        }
        *ret = t;
        return 0;
}

static int method_prune_images(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        Transfer *t;
        int all, r;

        r = sd_bus_message_read(message, "b", &all);
        if (r < 0)
                return r;
        r = bus_image_authorize(message, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = bus_image_gc_new(message, m, all ? "prune all unused images" : "prune dangling images", &t, error);
        if (r < 0)
                return sd_bus_error_is_set(error) ? r : sd_bus_error_set_errnof(error, r, "Failed to prune images: %m");
        t->prune_all = all;
        r = prune_index(m, all, &t->result_images);
        if (r < 0) {
                t->reply = sd_bus_message_unref(t->reply);
                transfer_free(t);
                return sd_bus_error_set_errnof(error, r, "Failed to prune images: %m");
        }
        (void) transfer_enqueue(t);
        return 1;
}

static int method_import_image(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *norm = NULL, *d = NULL;
        _cleanup_close_ int fd = -EBADF;
        Manager *m = userdata;
        const char *name;
        Transfer *t;
        int r;

        r = bus_message_take_fd(message, false, &fd, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        if (image_ref_normalize(name, &norm) < 0 || strchr(norm, '@'))
                return sd_bus_error_setf(error, DRAY_ERROR_INVALID_REFERENCE,
                                         "'%.128s' is not a valid image name (NAME[:TAG]).", name);
        r = bus_image_authorize(message, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = new_transfer(m, TRANSFER_IMPORT, fd, &t, error);
        if (r < 0)
                return r;
        TAKE_FD(fd);
        t->name = TAKE_PTR(norm);
        if (asprintf(&d, "import %s", t->name) < 0)
                return transfer_free(t), -ENOMEM;
        return start_transfer(message, t, d);
}

static int method_load_images(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_close_ int fd = -EBADF;
        Manager *m = userdata;
        Transfer *t;
        int r;

        r = bus_message_take_fd(message, false, &fd, error);
        if (r < 0)
                return r;
        r = bus_image_authorize(message, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = new_transfer(m, TRANSFER_LOAD, fd, &t, error);
        if (r < 0)
                return r;
        TAKE_FD(fd);
        return start_transfer(message, t, "load images");
}

static int method_save_images(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_strv_free_ char **images = NULL;
        _cleanup_close_ int fd = -EBADF;
        Manager *m = userdata;
        const char *format;
        ArchiveFormat f;
        Transfer *t;
        int r;

        r = bus_message_take_fd(message, true, &fd, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(message, &images);
        if (r < 0)
                return r;
        r = sd_bus_message_read(message, "s", &format);
        if (r < 0)
                return r;
        f = isempty(format) ? ARCHIVE_FORMAT_OCI : archive_format_from_string(format);
        if (f < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Unknown archive format '%.32s': use oci-archive or docker-archive.", format);
        if (strv_length(images) == 0 || strv_length(images) > 1024)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Give 1-1024 images to save.");
        STRV_FOREACH(i, images) {
                _cleanup_(image_freep) Image *image = NULL;

                r = find_image(m, *i, &image, error);
                if (r < 0)
                        return r;
        }
        r = new_transfer(m, TRANSFER_SAVE, fd, &t, error);
        if (r < 0)
                return r;
        TAKE_FD(fd);
        t->images = TAKE_PTR(images);
        t->format = f;
        return start_transfer(message, t, "save images");
}

static int container_dirs(Manager *m, Container *c, Transfer *t) {
        _cleanup_free_ char *upper = NULL;
        struct stat st;

        t->lower_layers = c->spec->layers ? strv_copy(c->spec->layers) : strv_copy((char *[]) { c->spec->rootfs, NULL });
        if (!t->lower_layers)
                return -ENOMEM;
        if (!spec_uses_overlay(c->spec))
                return 0;
        if (asprintf(&upper, "%s/containers/%s/upper", m->state_dir, c->spec->id) < 0)
                return -ENOMEM;
        if (stat(upper, &st) >= 0 && S_ISDIR(st.st_mode))
                t->upper_dir = TAKE_PTR(upper);
        return 0;
}

static int container_transfer(sd_bus_message *message, Manager *m, const char *what, TransferType type, int fd,
                              const char *name, sd_bus_error *error) {
        _cleanup_free_ char *d = NULL, *norm = NULL;
        Transfer *t;
        Container *c;
        int r;

        r = manager_find_container(m, what, &c);
        if (r < 0)
                return sd_bus_error_setf(error, r == -ENOTUNIQ ? DRAY_ERROR_AMBIGUOUS_CONTAINER : DRAY_ERROR_NO_SUCH_CONTAINER,
                                         "No single container '%.64s'.", what);
        if (type == TRANSFER_COMMIT) {
                if (image_ref_normalize(name, &norm) < 0 || strchr(norm, '@'))
                        return sd_bus_error_setf(error, DRAY_ERROR_INVALID_REFERENCE,
                                                 "'%.128s' is not a valid image name (NAME[:TAG]).", name);
                if (!c->spec->image_id)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_NOT_SUPPORTED,
                                                 "Container '%s' runs a root directory, not an image: only image "
                                                 "containers can be committed.", c->spec->name);
        }
        r = bus_image_authorize(message, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = new_transfer(m, type, fd, &t, error);
        if (r < 0)
                return r;
        t->name = TAKE_PTR(norm);
        r = container_dirs(m, c, t);
        if (r >= 0 && type == TRANSFER_COMMIT) {
                if (!t->upper_dir)
                        r = -ENODATA;
                t->base_image = strdup(c->spec->image_id);
                if (!t->base_image)
                        r = -ENOMEM;
        }
        if (r < 0) {
                transfer_free(t);
                return sd_bus_error_set_errnof(error, r, "Failed to prepare the transfer: %s",
                                               r == -ENODATA ? "the container has no changes yet (never started)" : strerror(-r));
        }
        if (asprintf(&d, "%s %s", transfer_type_to_string(type), c->spec->name) < 0)
                return transfer_free(t), -ENOMEM;
        return start_transfer(message, t, d);
}

static int method_export_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_close_ int fd = -EBADF;
        const char *what;
        int r;

        r = sd_bus_message_read(message, "s", &what);
        if (r < 0)
                return r;
        r = bus_message_take_fd(message, true, &fd, error);
        if (r < 0)
                return r;
        r = container_transfer(message, userdata, what, TRANSFER_EXPORT, fd, NULL, error);
        if (r >= 0)
                TAKE_FD(fd);
        return r;
}

static int method_commit_container(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *what, *name;
        int r;

        r = sd_bus_message_read(message, "ss", &what, &name);
        if (r < 0)
                return r;
        return container_transfer(message, userdata, what, TRANSFER_COMMIT, -EBADF, name, error);
}

/* A descriptor the client passes: a regular file (never a FIFO the worker would block on), duplicated. */
static int read_file_option(sd_bus_message *message, const char *key, int *fd_slot, sd_bus_error *error) {
        struct stat st;
        int fd, r;

        r = sd_bus_message_read(message, "v", "h", &fd);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' must be of type 'h'.", key);
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' is not a regular file.", key);
        safe_close(*fd_slot);
        *fd_slot = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        return *fd_slot < 0 ? -errno : 0;
}

/* Signed images' options (image-trust.h): SignaturePolicy (h, pull), SignBy (s) and SignPassphrase (h,
 * push). 0 when key is none of them. */
static int read_trust_option(sd_bus_message *message, const char *key, ImageTrustOptions *trust, sd_bus_error *error) {
        const char *s;
        int r;

        if (streq(key, "SignaturePolicy"))
                r = read_file_option(message, key, &trust->policy_fd, error);
        else if (streq(key, "SignPassphrase"))
                r = read_file_option(message, key, &trust->passphrase_fd, error);
        else if (streq(key, "SignBy")) {
                r = sd_bus_message_read(message, "v", "s", &s);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' must be of type 's'.", key);
                /* A fingerprint, key ID or user ID: it goes to gpg, so printable and bounded. */
                if (isempty(s) || strlen(s) > 256 || !utf8_is_valid(s) || strpbrk(s, "\n\r\t") || s[0] == '-')
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "'%.64s' is not a key to sign with.", s);
                free(trust->sign_by);
                trust->sign_by = strdup(s);
                r = trust->sign_by ? 0 : -ENOMEM;
        } else
                return 0;
        return r < 0 ? r : 1;
}

/* PullImage's and PushImage's a{sv}: Insecure (b), AuthFile (h: the client's containers-auth.json,
 * read through its descriptor so a client never makes drayd read a file the client cannot);
 * MaxParallel (u) and PullImage's Platform (s): see registry_pull_option(); the trust options of
 * read_trust_option(). */
/* MaxParallel (u, 1…16: blobs fetched or sent at once) and, for a pull, Platform (s,
 * "os/arch[/variant]"): 1 when key is one of them (stored in pull), 0 when not. */
typedef struct PullArgs {
        bool push;     /* PushImage: no Platform */
        unsigned max_parallel;
        char *platform;
} PullArgs;

static int registry_pull_option(sd_bus_message *message, const char *key, PullArgs *pull, sd_bus_error *error) {
        RegistryPlatform platform;
        const char *s;
        uint32_t u;
        int r;

        if (streq(key, "MaxParallel")) {
                r = sd_bus_message_read(message, "v", "u", &u);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' must be of type 'u'.", key);
                if (u < 1 || u > REGISTRY_PARALLEL_MAX)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "MaxParallel must be between 1 and %u, not %" PRIu32 ".",
                                                 REGISTRY_PARALLEL_MAX, u);
                pull->max_parallel = u;
                return 1;
        }
        if (streq(key, "Platform") && !pull->push) {
                r = sd_bus_message_read(message, "v", "s", &s);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' must be of type 's'.", key);
                if (registry_platform_parse(s, &platform) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "'%.64s' is not a platform (OS/ARCH[/VARIANT], e.g. linux/arm64).", s);
                free(pull->platform);
                pull->platform = strdup(s);
                return pull->platform ? 1 : -ENOMEM;
        }
        return 0;
}

static int read_registry_options(sd_bus_message *message, bool *ret_insecure, int *ret_auth_fd, PullArgs *pull,
                                 ImageTrustOptions *trust, sd_bus_error *error) {
        const char *key;
        int insecure = false, r;

        r = sd_bus_message_enter_container(message, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(message, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                r = sd_bus_message_read(message, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "Insecure")) {
                        r = sd_bus_message_read(message, "v", "b", &insecure);
                        if (r < 0)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                         "Option '%s' must be of type 'b'.", key);
                } else if (streq(key, "AuthFile")) {
                        int fd;

                        r = sd_bus_message_read(message, "v", "h", &fd);
                        if (r < 0)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                         "Option '%s' must be of type 'h'.", key);
                        safe_close(*ret_auth_fd);
                        *ret_auth_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                        if (*ret_auth_fd < 0)
                                return -errno;
                } else if (pull && (r = registry_pull_option(message, key, pull, error)) != 0) {
                        if (r < 0)
                                return r;
                } else if (trust && (r = read_trust_option(message, key, trust, error)) != 0) {
                        if (r < 0)
                                return r;
                } else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%.64s'.", key);
                r = sd_bus_message_exit_container(message);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        *ret_insecure = insecure;
        return sd_bus_message_exit_container(message);
}

/* The credentials for the registry of the normalised reference norm: from auth_fd when the client
 * gave one, else from drayd's auth files in podman's order. None: anonymous. */
static int registry_credentials(const char *norm, int auth_fd, RegistryCredentials *ret, sd_bus_error *error) {
        _cleanup_free_ char *host = NULL;
        struct stat st;
        int r;

        if (registry_auth_normalize_host(norm, &host) < 0)
                return sd_bus_error_setf(error, DRAY_ERROR_INVALID_REFERENCE, "'%.128s' names no registry.", norm);
        if (auth_fd >= 0) {
                if (fstat(auth_fd, &st) < 0 || !S_ISREG(st.st_mode))
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "The auth file is not a regular file.");
                r = registry_auth_read_fd(auth_fd, host, ret);
        } else
                r = registry_auth_find(host, ret);
        if (r == -ENOENT)
                return 0;
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The credentials for %s in the auth file are not valid containers-auth.json(5).",
                                         host);
        return 0;
}

static int registry_transfer(sd_bus_message *message, Manager *m, TransferType type, const char *image,
                             const char *reference, sd_bus_error *error) {
        _cleanup_(registry_credentials_done) RegistryCredentials credentials = {};
        _cleanup_(image_trust_options_done) ImageTrustOptions trust = IMAGE_TRUST_OPTIONS_INIT;
        _cleanup_free_ char *norm = NULL, *d = NULL;
        _cleanup_close_ int auth_fd = -EBADF;
        _cleanup_free_ char *platform = NULL;
        PullArgs pull = { .push = type == TRANSFER_PUSH };
        bool insecure = false;
        Transfer *t;
        int r;

        r = read_registry_options(message, &insecure, &auth_fd, &pull, &trust, error);
        platform = pull.platform;
        if (r < 0)
                return r;
        if (type == TRANSFER_PULL && (trust.sign_by || trust.passphrase_fd >= 0))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "SignBy and SignPassphrase are push options.");
        if (type == TRANSFER_PUSH && trust.policy_fd >= 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "SignaturePolicy is a pull option.");
        if (trust.passphrase_fd >= 0 && !trust.sign_by)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "SignPassphrase needs SignBy.");
        if (image_ref_normalize(reference, &norm) < 0 || (type == TRANSFER_PUSH && strchr(norm, '@')))
                return sd_bus_error_setf(error, DRAY_ERROR_INVALID_REFERENCE, "'%.128s' is not a valid image reference%s.",
                                         reference, type == TRANSFER_PUSH ? " (NAME[:TAG])" : "");
        if (image) {
                _cleanup_(image_freep) Image *i = NULL;

                r = find_image(m, image, &i, error);
                if (r < 0)
                        return r;
        }
        /* Replacing the host's trust policy, or signing with root's keys, is more than managing images. */
        if (trust.policy_fd >= 0 || trust.sign_by)
                r = dray_verify_polkit_async(message, DRAY_POLKIT_PRIVILEGED_OPTIONS, NULL, false, m->polkit_registry,
                                             error);
        else
                r = bus_image_authorize(message, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = registry_credentials(norm, auth_fd, &credentials, error);
        if (r < 0)
                return r;
        r = new_transfer(m, type, -EBADF, &t, error);
        if (r < 0)
                return r;
        t->name = TAKE_PTR(norm);
        t->insecure = insecure;
        t->max_parallel = pull.max_parallel;
        t->platform = TAKE_PTR(platform);
        t->credentials = credentials;
        credentials = (RegistryCredentials) {};
        t->trust = trust;
        trust = (ImageTrustOptions) IMAGE_TRUST_OPTIONS_INIT;
        if (image && strv_extend(&t->images, image) < 0)
                return transfer_free(t), -ENOMEM;
        if (asprintf(&d, "%s %s", transfer_type_to_string(type), t->name) < 0)
                return transfer_free(t), -ENOMEM;
        return start_transfer(message, t, d);
}

static int method_pull_image(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *reference;
        int r;

        r = sd_bus_message_read(message, "s", &reference);
        if (r < 0)
                return r;
        return registry_transfer(message, userdata, TRANSFER_PULL, NULL, reference, error);
}

static int method_push_image(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *image, *reference;
        int r;

        r = sd_bus_message_read(message, "ss", &image, &reference);
        if (r < 0)
                return r;
        return registry_transfer(message, userdata, TRANSFER_PUSH, image, isempty(reference) ? image : reference, error);
}

/* Login and Logout keep the credentials where podman and skopeo keep root's (registry-auth.h), so a
 * login by either is seen by the other. The password comes as a method argument: never a property,
 * never logged, never on a command line. */
static int method_login(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *host = NULL, *d = NULL;
        _cleanup_close_ int auth_fd = -EBADF;
        const char *registry, *user, *password;
        bool insecure = false;
        Manager *m = userdata;
        Transfer *t;
        int r;

        r = sd_bus_message_read(message, "sss", &registry, &user, &password);
        if (r < 0)
                return r;
        r = read_registry_options(message, &insecure, &auth_fd, NULL, NULL, error);
        if (r < 0)
                return r;
        if (auth_fd >= 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Login stores in drayd's auth file only: no AuthFile.");
        if (registry_auth_normalize_host(registry, &host) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "'%.128s' is not a registry (HOST[:PORT]).",
                                         registry);
        if (isempty(user) || strchr(user, ':') || strlen(user) > 1024 || strlen(password) > 4096 ||
            strpbrk(user, "\r\n"))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "The user name must be non-empty, without ':' or line breaks.");
        if (isempty(password))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "The password is empty.");
        r = bus_image_authorize(message, m, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        /* The registry is asked by a transfer worker (drayd never blocks on the network), which
         * stores the credentials once they are taken. */
        r = new_transfer(m, TRANSFER_LOGIN, -EBADF, &t, error);
        if (r < 0)
                return r;
        t->name = TAKE_PTR(host);
        t->insecure = insecure;
        t->credentials.user = strdup(user);
        t->credentials.password = strdup(password);
        if (!t->credentials.user || !t->credentials.password || asprintf(&d, "login %s", t->name) < 0)
                return transfer_free(t), -ENOMEM;
        return start_transfer(message, t, d);
}

static int method_logout(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_free_ char *host = NULL;
        const char *registry;
        int r;

        r = sd_bus_message_read(message, "s", &registry);
        if (r < 0)
                return r;
        if (!isempty(registry) && registry_auth_normalize_host(registry, &host) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "'%.128s' is not a registry (HOST[:PORT]).",
                                         registry);
        r = bus_image_authorize(message, userdata, error);
        if (r <= 0)
                return r < 0 ? r : 1;
        r = registry_auth_update(registry_auth_default_file(), host, NULL, NULL);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FILE_NOT_FOUND, "Not logged in to %s.", host ?: "any registry");
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot update %s: %m", registry_auth_default_file());
        return sd_bus_reply_method_return(message, "");
}

/* ---- vtable ------------------------------------------------------------------------------------ */

#define UNPRIVILEGED SD_BUS_VTABLE_UNPRIVILEGED

const sd_bus_vtable manager_image_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("ListImages", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(sasttso)", images),
                                method_list_images, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetImage", SD_BUS_ARGS("s", image), SD_BUS_RESULT("o", path), method_get_image,
                                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("InspectImage", SD_BUS_ARGS("s", image), SD_BUS_RESULT("s", json),
                                method_inspect_image, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("TagImage", SD_BUS_ARGS("s", image, "s", name), SD_BUS_NO_RESULT, method_tag_image,
                                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RemoveImage", SD_BUS_ARGS("s", image, "b", force), SD_BUS_NO_RESULT,
                                method_remove_image, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PruneImages", SD_BUS_ARGS("b", all), SD_BUS_RESULT("as", removed, "t", freed),
                                method_prune_images, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ImportImage", SD_BUS_ARGS("h", fd, "s", name),
                                SD_BUS_RESULT("u", transfer_id, "o", transfer_path), method_import_image, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("LoadImages", SD_BUS_ARGS("h", fd), SD_BUS_RESULT("u", transfer_id, "o", transfer_path),
                                method_load_images, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SaveImages", SD_BUS_ARGS("h", fd, "as", images, "s", format),
                                SD_BUS_RESULT("u", transfer_id, "o", transfer_path), method_save_images, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ExportContainer", SD_BUS_ARGS("s", container, "h", fd),
                                SD_BUS_RESULT("u", transfer_id, "o", transfer_path), method_export_container,
                                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CommitContainer", SD_BUS_ARGS("s", container, "s", name),
                                SD_BUS_RESULT("u", transfer_id, "o", transfer_path), method_commit_container,
                                UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PullImage", SD_BUS_ARGS("s", reference, "a{sv}", options),
                                SD_BUS_RESULT("u", transfer_id, "o", transfer_path), method_pull_image, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PushImage", SD_BUS_ARGS("s", image, "s", reference, "a{sv}", options),
                                SD_BUS_RESULT("u", transfer_id, "o", transfer_path), method_push_image, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Login", SD_BUS_ARGS("s", registry, "s", username, "s", password, "a{sv}", options),
                                SD_BUS_RESULT("u", transfer_id, "o", transfer_path), method_login,
                                UNPRIVILEGED | SD_BUS_VTABLE_SENSITIVE),
        SD_BUS_METHOD_WITH_ARGS("Logout", SD_BUS_ARGS("s", registry), SD_BUS_NO_RESULT, method_logout, UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListTransfers", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(usssdo)", transfers),
                                method_list_transfers, UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("TransferNew", SD_BUS_ARGS("u", transfer_id, "o", transfer_path), 0),
        SD_BUS_SIGNAL_WITH_ARGS("TransferRemoved",
                                SD_BUS_ARGS("u", transfer_id, "o", transfer_path, "s", result, "s", error, "as", images),
                                0),
        SD_BUS_VTABLE_END,
};
