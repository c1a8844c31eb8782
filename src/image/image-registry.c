/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dray pull and dray push: the OCI distribution API over registry-client.c. Everything a registry
 * sends is checked before it is kept: status, content type, size bounds, every digest. */
#include <fcntl.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "image-gzip.h"
#include "image-import.h"
#include "image-registry.h"
#include "json-util.h"
#include "layer-unpacker.h"
#include "registry-client.h"
#include "registry-fetch.h"
#include "registry-push.h"
#include "strv.h"

#define STRV_MAKE(...) ((char *[]) { __VA_ARGS__, NULL })

static int strdup_to(char **ret, const char *s) {
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

#define ACCEPT_MANIFESTS                                                                                  \
        "Accept: " MEDIA_TYPE_OCI_MANIFEST ", " MEDIA_TYPE_DOCKER_MANIFEST ", " MEDIA_TYPE_OCI_INDEX ", " \
        MEDIA_TYPE_DOCKER_MANIFEST_LIST

static int http_error(RegistryClient *c, UnpackError *error, const RegistryResponse *resp, const char *what) {
        return registry_http_error(c, error, resp->status, what);
}

/* ---- pull ---------------------------------------------------------------------------------------- */

typedef struct Manifest {
        char *data;
        size_t size;
        char media_type[128];
        char digest[DIGEST_STRING_LEN + 1];
} Manifest;

static void manifest_done(Manifest *m) {
        free(m->data);
        *m = (Manifest) {};
}

static const char *manifest_type(const char *content_type) {
        static const char *const types[] = { MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_OCI_INDEX,
                                             MEDIA_TYPE_DOCKER_MANIFEST_LIST };

        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                if (registry_content_type_is(content_type, types[i]))
                        return types[i];
        return NULL;
}

static int fetch_manifest(RegistryClient *c, const char *reference, const char *want_digest, Manifest *ret,
                          UnpackError *error) {
        _cleanup_(registry_response_done) RegistryResponse resp = { .max_body = IMAGE_JSON_MAX };
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *path = NULL;
        const char *reason, *type, *field;
        int r;

        if (asprintf(&path, "manifests/%s", reference) < 0)
                return -ENOMEM;
        r = registry_request(c, "GET", path, STRV_MAKE(ACCEPT_MANIFESTS), -EBADF, NULL, 0, &resp, &reason);
        if (r == -EFBIG)
                return unpack_error_set(error, r, "the manifest is larger than 4 MiB");
        if (r < 0)
                return unpack_error_set(error, r, "cannot fetch the manifest: %s", reason);
        if (resp.status != 200)
                return http_error(c, error, &resp, "such manifest");
        type = manifest_type(resp.content_type);
        if (!type)
                return unpack_error_set(error, -EMEDIUMTYPE, "the manifest has the content type '%.100s', not an OCI or "
                                        "Docker schema 2 manifest or index", strna(resp.content_type));
        if (image_json_parse(resp.body ?: "", resp.n_body, &o) < 0)
                return unpack_error_set(error, -EBADMSG, "the manifest is not a JSON object");
        if (json_get_string(o, "mediaType", &field) >= 0 && !streq(field, type))
                return unpack_error_set(error, -EBADMSG, "the manifest says it is a '%.100s' but was served as '%s'",
                                        field, type);
        r = sha256_buffer(resp.body, resp.n_body, ret->digest);
        if (r < 0)
                return r;
        if (want_digest && !streq(want_digest, ret->digest))
                return unpack_error_set(error, -EBADMSG, "the manifest does not match the digest %s asked for", want_digest);
        if (resp.docker_digest && strneq(resp.docker_digest, DIGEST_PREFIX, strlen(DIGEST_PREFIX)) &&
            !streq(resp.docker_digest, ret->digest))
                return unpack_error_set(error, -EBADMSG, "the manifest does not match its Docker-Content-Digest");
        (void) snprintf(ret->media_type, sizeof(ret->media_type), "%s", type);
        ret->data = TAKE_PTR(resp.body);
        ret->size = resp.n_body;
        return 0;
}

typedef struct Pull {
        RegistryClient *client;
        ImageStore *store;
        const ImagePullOptions *options;
        LayerUnpacker unpacker;
        UnpackError *error;
} Pull;

static int pull_fetched(size_t i, void *userdata) {
        Pull *p = userdata;

        layer_unpacker_fetched(&p->unpacker, i);
        return 0;
}

static int pull_step(void *userdata, int *ret_fd) {
        Pull *p = userdata;

        return layer_unpacker_step(&p->unpacker, ret_fd, p->error);
}

static void pull_progress(const BlobFetch *f, size_t n, void *userdata) {
        Pull *p = userdata;

        if (!p->store->layer_progress)
                return;
        for (size_t i = 0; i < n; i++)
                p->store->layer_progress(i, f[i].d->digest, f[i].done ? f[i].d->size : f[i].w.hash.size, f[i].d->size,
                                         p->store->progress_userdata);
}

/* The trust policy's word on the image (image-trust.h); its temporary keyrings go into the store's
 * tmp/, which drayd empties at start. */
static int pull_trust_check(Pull *p, const char *digest) {
        _cleanup_free_ char *tmp = NULL;

        if (asprintf(&tmp, "%s/tmp", p->store->root) < 0)
                return -ENOMEM;
        return image_trust_check(p->options ? p->options->trust : NULL, tmp, p->client->location.name, digest,
                                 p->error);
}

/* The manifest of ref, or for an index the one for the platform asked (by default this host's). */
static int pull_manifest(Pull *p, Manifest *m) {
        RegistryClient *c = p->client;
        _cleanup_(image_descriptor_done) ImageDescriptor d = {};
        RegistryPlatform want;
        const char *reason;
        char buf[128];
        int r;

        r = fetch_manifest(c, c->location.reference, c->location.by_digest ? c->location.reference : NULL, m, p->error);
        if (r < 0)
                return r;
        /* Signatures sign the top-level manifest (an index too): decided before anything is stored. */
        r = pull_trust_check(p, m->digest);
        if (r < 0)
                return r;
        if (p->options && p->options->platform) {
                if (registry_platform_parse(p->options->platform, &want) < 0)
                        return unpack_error_set(p->error, -EINVAL, "'%.64s' is not a platform (OS/ARCH[/VARIANT])",
                                                p->options->platform);
        } else
                registry_platform_native(&want);
        if (!registry_media_type_is_index(m->media_type))
                return 0;
        r = registry_select_manifest(m->data, m->size, &want, &d, &reason);
        if (r < 0)
                return unpack_error_set(p->error, r, "%s (%s)", reason, registry_platform_format(&want, buf, sizeof(buf)));
        manifest_done(m);
        r = fetch_manifest(c, d.digest, d.digest, m, p->error);
        if (r < 0)
                return r;
        if (!image_media_type_is_manifest(m->media_type))
                return unpack_error_set(p->error, -EBADMSG, "the index points at another index");
        return 0;
}

/* The layers, several at once, each unpacked as soon as it and the ones below it are in. */
static int pull_layers(Pull *p, const Image *image) {
        const ImageManifest *manifest = image->manifest;
        _cleanup_free_ BlobFetch *f = NULL;
        BlobFetchHooks hooks = { .fetched = pull_fetched, .step = pull_step, .progress = pull_progress, .userdata = p };
        int r;

        f = calloc(manifest->n_layers + 1, sizeof(BlobFetch));
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < manifest->n_layers; i++)
                f[i] = (BlobFetch) { .d = manifest->layers + i, .what = "layer" };
        r = layer_unpacker_init(&p->unpacker, p->store, image);
        if (r < 0)
                return r;
        r = registry_fetch_blobs(p->client, f, manifest->n_layers,
                                 p->options && p->options->max_parallel ? p->options->max_parallel : REGISTRY_PARALLEL_DEFAULT,
                                 &hooks, p->error);
        layer_unpacker_done(&p->unpacker);
        return r;
}

static int pull_image(Pull *p, const char *name, char **ret_id) {
        RegistryClient *c = p->client;
        _cleanup_(manifest_done) Manifest m = {};
        _cleanup_(image_manifest_freep) ImageManifest *manifest = NULL;
        _cleanup_(image_freep) Image *image = NULL;
        BlobFetch config = {};
        const char *reason;
        struct statvfs sv;
        uint64_t free_space = UINT64_MAX;
        int r;

        r = pull_manifest(p, &m);
        if (r < 0)
                return r;
        r = image_manifest_parse(m.data, m.size, &manifest, &reason);
        if (r < 0)
                return unpack_error_set(p->error, r, "%s", reason);
        if (!streq(manifest->config.media_type, MEDIA_TYPE_OCI_CONFIG) &&
            !streq(manifest->config.media_type, MEDIA_TYPE_DOCKER_CONFIG))
                return unpack_error_set(p->error, -EMEDIUMTYPE, "the manifest's config has the media type '%.100s'",
                                        manifest->config.media_type);
        c->total = manifest->config.size;
        for (size_t i = 0; i < manifest->n_layers; i++)
                c->total += manifest->layers[i].size;
        if (fstatvfs(p->store->tmp_fd, &sv) >= 0)
                free_space = (uint64_t) sv.f_bavail * sv.f_frsize;
        if (manifest->config.size > IMAGE_JSON_MAX)
                return unpack_error_set(p->error, -EFBIG, "the image config is larger than 4 MiB");
        for (size_t i = 0; i < manifest->n_layers; i++)
                if (manifest->layers[i].size > free_space)
                        return unpack_error_set(p->error, -EFBIG, "the layer %.19s… is larger (%llu bytes) than the "
                                                "free disk space", manifest->layers[i].digest,
                                                (unsigned long long) manifest->layers[i].size);
        /* The config first: its diff IDs let each layer be unpacked as soon as it is in. */
        config = (BlobFetch) { .d = &manifest->config, .what = "image config" };
        r = registry_fetch_blobs(c, &config, 1, 1, NULL, p->error);
        if (r < 0)
                return r;
        if (!image_store_has_blob(p->store, m.digest)) {
                char digest[DIGEST_STRING_LEN + 1];

                r = image_store_add_blob(p->store, m.data, m.size, digest);
                if (r < 0)
                        return unpack_error_set(p->error, r, "cannot store the manifest: %s", strerror(-r));
        }
        {
                ImageDescriptor d = { .media_type = m.media_type, .digest = m.digest, .size = m.size };

                r = image_store_load_manifest(p->store, &d, &image);
                if (r < 0)
                        return unpack_error_set(p->error, -EBADMSG, "the image config does not fit the manifest");
                r = pull_layers(p, image);
                if (r < 0)
                        return r;
                r = image_store_name_image(p->store, &d, STRV_MAKE((char *) name));
                if (r < 0)
                        return unpack_error_set(p->error, r, "cannot update the image index: %s", strerror(-r));
        }
        return strdup_to(ret_id, image->id);
}

int image_pull(ImageStore *s, const char *ref, bool insecure, const RegistryCredentials *credentials,
               const ImagePullOptions *options, char **ret_name, char **ret_id, UnpackError *error) {
        _cleanup_(registry_client_freep) RegistryClient *c = NULL;
        _cleanup_free_ char *name = NULL;
        Pull p = { .store = s, .options = options, .error = error };
        const char *reason = NULL;
        int r;

        r = registry_client_new(s, ref, insecure, "pull", credentials, &c, &reason);
        if (r < 0 && reason)
                return unpack_error_set(error, r, "%s", reason);
        if (r < 0)
                return unpack_error_set(error, r, "'%.200s' is not a valid image reference", ref);
        name = strdup(c->location.name);
        if (!name)
                return -ENOMEM;
        p.client = c;
        r = pull_image(&p, name, ret_id);
        if (r < 0) {
                /* Nothing half-stored: the blobs and layers this pull added go (what it fetched of a blob
                 * that did not finish stays in tmp/partial for the next pull to resume). */
                image_store_rollback(s);
                if (error && *error->message) {
                        _cleanup_free_ char *m = NULL;

                        /* The message names the image: a client may pull several at once. */
                        if (asprintf(&m, "%s: %s", name, error->message) >= 0)
                                (void) snprintf(error->message, sizeof(error->message), "%s", m);
                }
                return r;
        }
        *ret_name = TAKE_PTR(name);
        return 0;
}

/* ---- push ---------------------------------------------------------------------------------------- */

/* The layers as they go out. Layers stored uncompressed (an import, a commit, a load of a
 * docker-archive) are gzip-compressed into unnamed files of tmp/, as podman and docker push them (a
 * 243 MB layer is some 89 MB so); the others go as they are, keeping their digests. */
typedef struct PushLayers {
        ImageDescriptor *d;
        int *fds; /* -EBADF: the stored blob */
        char **digests; /* of the compressed ones, owned */
        size_t n;
        bool compressed; /* some layer was: the manifest is a new one */
} PushLayers;

static void push_layers_done(PushLayers *p) {
        for (size_t i = 0; i < p->n; i++)
                safe_close(p->fds[i]);
        strv_free(p->digests);
        free(p->d);
        free(p->fds);
}

static int push_layers_prepare(ImageStore *s, const ImageManifest *m, PushLayers *p, UnpackError *error) {
        p->d = calloc(m->n_layers + 1, sizeof(ImageDescriptor));
        p->fds = calloc(m->n_layers + 1, sizeof(int));
        p->digests = calloc(m->n_layers + 1, sizeof(char *));
        if (!p->d || !p->fds || !p->digests)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_layers; i++) {
                _cleanup_close_ int blob = -EBADF;
                char digest[DIGEST_STRING_LEN + 1];
                uint64_t size;
                int r;

                p->d[i] = m->layers[i];
                p->fds[i] = -EBADF;
                p->n++;
                if (!streq(m->layers[i].media_type, MEDIA_TYPE_OCI_LAYER))
                        continue;
                blob = image_store_open_blob(s, m->layers[i].digest, &size);
                if (blob < 0)
                        return unpack_error_set(error, blob, "blob %.19s… is missing from the store", m->layers[i].digest);
                p->fds[i] = openat(s->tmp_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
                if (p->fds[i] < 0)
                        return unpack_error_set(error, -errno, "cannot create a temporary file in the store: %m");
                r = image_gzip(blob, p->fds[i], digest, &size);
                if (r < 0)
                        return unpack_error_set(error, r, "cannot compress layer %.19s…: %s", m->layers[i].digest,
                                                strerror(-r));
                p->digests[i] = strdup(digest);
                if (!p->digests[i])
                        return -ENOMEM;
                p->d[i].media_type = (char *) MEDIA_TYPE_OCI_LAYER_GZIP;
                p->d[i].digest = p->digests[i];
                p->d[i].size = size;
                p->compressed = true;
        }
        return 0;
}

int image_push(ImageStore *s, const char *what, const char *ref, bool insecure, const RegistryCredentials *credentials,
               unsigned max_parallel, const ImageTrustOptions *trust, char **ret_digest, UnpackError *error) {
        _cleanup_(registry_response_done) RegistryResponse resp = {};
        _cleanup_(registry_client_freep) RegistryClient *c = NULL;
        _cleanup_(image_freep) Image *image = NULL;
        _cleanup_(push_layers_done) PushLayers layers = {};
        _cleanup_strv_free_ char **mount_from = NULL;
        _cleanup_free_ ImageDescriptor *blobs = NULL; /* borrowed descriptors */
        _cleanup_free_ int *fds = NULL;
        _cleanup_free_ char *data = NULL, *path = NULL, *header = NULL;
        _cleanup_free_ void *sig = NULL;
        char digest[DIGEST_STRING_LEN + 1];
        const char *reason, *media_type;
        size_t size, sig_size = 0;
        int r;

        r = image_store_find(s, what, &image);
        if (r < 0)
                return unpack_error_set(error, r, "no image '%.200s'", what);
        reason = NULL;
        r = registry_client_new(s, ref, insecure, "pull,push", credentials, &c, &reason);
        if (r < 0 && reason)
                return unpack_error_set(error, r, "%s", reason);
        if (r < 0 || c->location.by_digest)
                return unpack_error_set(error, -EINVAL, "'%.200s' is not a valid image reference (NAME[:TAG])", ref);
        r = push_layers_prepare(s, image->manifest, &layers, error);
        if (r < 0)
                return r;
        c->total = image->manifest->config.size;
        for (size_t i = 0; i < layers.n; i++)
                c->total += layers.d[i].size;
        r = registry_mount_sources(c, image->names, &mount_from);
        if (r < 0)
                return r;
        /* The layers and the config, several at once; the manifest only once they are all there. */
        blobs = calloc(layers.n + 1, sizeof(ImageDescriptor));
        fds = calloc(layers.n + 1, sizeof(int));
        if (!blobs || !fds)
                return -ENOMEM;
        for (size_t i = 0; i < layers.n; i++) {
                blobs[i] = layers.d[i];
                fds[i] = layers.fds[i];
        }
        blobs[layers.n] = image->manifest->config;
        fds[layers.n] = -EBADF;
        r = registry_push_blobs(c, blobs, fds, layers.n + 1, layers.n, mount_from,
                                max_parallel > 0 ? max_parallel : REGISTRY_PARALLEL_DEFAULT, error);
        if (r < 0)
                return r;
        if (layers.compressed) {
                /* The same config (its diff IDs are the uncompressed digests), the layers as sent. */
                r = image_manifest_build(image->manifest->config.digest, image->manifest->config.size, layers.d,
                                         layers.n, &data);
                if (r < 0)
                        return r;
                size = strlen(data);
                media_type = MEDIA_TYPE_OCI_MANIFEST;
        } else {
                r = image_store_read_blob(s, image->manifest_descriptor.digest, IMAGE_JSON_MAX, &data, &size);
                if (r < 0)
                        return unpack_error_set(error, r, "cannot read the manifest: %s", strerror(-r));
                media_type = image->manifest_descriptor.media_type;
        }
        r = sha256_buffer(data, size, digest);
        if (r < 0)
                return r;
        if (trust && trust->sign_by) {
                r = image_trust_sign(trust, c->location.name, digest, &sig, &sig_size, error);
                if (r < 0)
                        return r;
        }
        if (asprintf(&path, "manifests/%s", c->location.reference) < 0 ||
            asprintf(&header, "Content-Type: %s", media_type) < 0)
                return -ENOMEM;
        r = registry_request(c, "PUT", path, STRV_MAKE(header), -EBADF, data, size, &resp, &reason);
        if (r < 0)
                return unpack_error_set(error, r, "cannot upload the manifest: %s", reason);
        if (resp.status != 201)
                return http_error(c, error, &resp, "manifest upload");
        if (resp.docker_digest && !streq(resp.docker_digest, digest))
                return unpack_error_set(error, -EBADMSG, "the registry stored the manifest as %.80s, not %s",
                                        resp.docker_digest, digest);
        if (sig) {
                r = image_trust_store(c->location.name, digest, sig, sig_size, NULL, error);
                if (r < 0)
                        return r;
        }
        return strdup_to(ret_digest, digest);
}

/* ---- login --------------------------------------------------------------------------------------- */

int image_registry_login(ImageStore *s, const char *registry, bool insecure, const RegistryCredentials *credentials,
                         UnpackError *error) {
        _cleanup_(registry_response_done) RegistryResponse resp = { .max_body = 64U * 1024U };
        _cleanup_(registry_client_freep) RegistryClient *c = NULL;
        _cleanup_free_ char *ref = NULL, *url = NULL;
        const char *reason = NULL;
        int r;

        /* Any repository: only the registry's base (and certs.d) is used; no scope is asked for. */
        if (asprintf(&ref, "%s/dray-login", registry) < 0)
                return -ENOMEM;
        r = registry_client_new(s, ref, insecure, "", credentials, &c, &reason);
        if (r < 0)
                return unpack_error_set(error, r, "%s", reason ?: "not a registry (HOST[:PORT])");
        if (asprintf(&url, "%s/v2/", c->location.base) < 0)
                return -ENOMEM;
        r = registry_request(c, "GET", url, NULL, -EBADF, NULL, 0, &resp, &reason);
        if (r < 0)
                return unpack_error_set(error, r, "cannot reach the registry %s: %s", registry, reason);
        if (resp.status == 200)
                return 0;
        return http_error(c, error, &resp, "API endpoint /v2/ (is it a registry?)");
}
