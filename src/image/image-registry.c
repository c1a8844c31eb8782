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
#include "registry-client.h"
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
        if (resp->status == 401 && c->refused)
                return unpack_error_set(error, -EACCES, "the registry refused the credentials for %s (HTTP 401: wrong "
                                        "user name or password?)", c->location.base);
        if (resp->status == 401 && !c->credentials.user)
                return unpack_error_set(error, -EACCES, "the registry wants credentials for the %s (HTTP 401): run "
                                        "dray login for %s first", what, c->location.base);
        if (resp->status == 404)
                return unpack_error_set(error, -ENOENT, "the registry has no %s (HTTP 404)", what);
        if (resp->status == 401 || resp->status == 403)
                return unpack_error_set(error, -EACCES, "the registry refused access to the %s (HTTP %ld)", what,
                                        resp->status);
        return unpack_error_set(error, -EPROTO, "the registry answered HTTP %ld for the %s", resp->status, what);
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
        char **added; /* digests of blobs this pull linked in: removed again if it fails */
        const ImageTrustOptions *trust;
        UnpackError *error;
} Pull;

static int pull_blob(Pull *p, const ImageDescriptor *d, uint64_t max, const char *what) {
        _cleanup_(registry_response_done) RegistryResponse resp = {};
        _cleanup_free_ char *path = NULL;
        char digest[DIGEST_STRING_LEN + 1];
        const char *reason;
        BlobWriter w;
        uint64_t size;
        int r;

        if (image_store_has_blob(p->store, d->digest)) {
                p->client->done += d->size;
                return 0;
        }
        if (d->size > max)
                return unpack_error_set(p->error, -EFBIG, "the %s is larger (%llu bytes) than allowed or than the free "
                                        "disk space", what, (unsigned long long) d->size);
        if (asprintf(&path, "blobs/%s", d->digest) < 0)
                return -ENOMEM;
        r = blob_writer_begin(p->store, d->size, &w);
        if (r < 0)
                return unpack_error_set(p->error, r, "cannot create a temporary file in the store: %s", strerror(-r));
        resp.sink = &w;
        resp.blob_size = d->size;
        r = registry_request(p->client, "GET", path, NULL, -EBADF, NULL, 0, &resp, &reason);
        if (r >= 0 && resp.status != 200)
                r = http_error(p->client, p->error, &resp, what);
        else if (r < 0)
                r = unpack_error_set(p->error, r, "cannot fetch the %s %.19s…: %s", what, d->digest, reason);
        else {
                size = w.hash.size;
                r = size != d->size ? -EBADMSG : blob_writer_commit(p->store, &w, d->digest, digest, NULL);
                if (r == -EBADMSG)
                        r = unpack_error_set(p->error, r, "the %s %.19s… does not match its digest or size", what,
                                             d->digest);
                else if (r < 0)
                        r = unpack_error_set(p->error, r, "cannot store the %s: %s", what, strerror(-r));
                else
                        r = strv_extend(&p->added, d->digest);
        }
        blob_writer_done(&w);
        return r;
}

static int pull_image(Pull *p, const char *name, char **ret_id) {
        RegistryClient *c = p->client;
        _cleanup_(manifest_done) Manifest m = {};
        _cleanup_(image_manifest_freep) ImageManifest *manifest = NULL;
        _cleanup_(image_freep) Image *image = NULL;
        char digest[DIGEST_STRING_LEN + 1];
        const char *reason;
        struct statvfs sv;
        uint64_t free_space = UINT64_MAX;
        int r;

        r = fetch_manifest(c, c->location.reference, c->location.by_digest ? c->location.reference : NULL, &m, p->error);
        if (r < 0)
                return r;
        /* Signatures sign the top-level manifest (an index too): decided before anything is stored. */
        {
                _cleanup_free_ char *tmp = NULL;

                if (asprintf(&tmp, "%s/tmp", p->store->root) < 0)
                        return -ENOMEM;
                r = image_trust_check(p->trust, tmp, name, m.digest, p->error);
                if (r < 0)
                        return r;
        }
        if (registry_media_type_is_index(m.media_type)) {
                _cleanup_(image_descriptor_done) ImageDescriptor d = {};

                r = registry_select_manifest(m.data, m.size, "linux", registry_native_arch(), &d, &reason);
                if (r < 0)
                        return unpack_error_set(p->error, r, "%s (linux/%s)", reason, registry_native_arch());
                manifest_done(&m);
                r = fetch_manifest(c, d.digest, d.digest, &m, p->error);
                if (r < 0)
                        return r;
                if (!image_media_type_is_manifest(m.media_type))
                        return unpack_error_set(p->error, -EBADMSG, "the index points at another index");
        }
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
        r = pull_blob(p, &manifest->config, IMAGE_JSON_MAX, "image config");
        for (size_t i = 0; r >= 0 && i < manifest->n_layers; i++)
                r = pull_blob(p, manifest->layers + i, free_space, "layer");
        if (r < 0)
                return r;
        if (!image_store_has_blob(p->store, m.digest)) {
                r = image_store_add_blob(p->store, m.data, m.size, digest);
                if (r < 0)
                        return unpack_error_set(p->error, r, "cannot store the manifest: %s", strerror(-r));
                r = strv_extend(&p->added, digest);
                if (r < 0)
                        return r;
        }
        {
                ImageDescriptor d = { .media_type = m.media_type, .digest = m.digest, .size = m.size };

                r = image_store_load_manifest(p->store, &d, &image);
                if (r < 0)
                        return unpack_error_set(p->error, -EBADMSG, "the image config does not fit the manifest");
                r = image_store_unpack_layers(p->store, image, p->error);
                if (r < 0)
                        return r;
                r = image_store_name_image(p->store, &d, STRV_MAKE((char *) name));
                if (r < 0)
                        return unpack_error_set(p->error, r, "cannot update the image index: %s", strerror(-r));
        }
        return strdup_to(ret_id, image->id);
}

int image_pull(ImageStore *s, const char *ref, bool insecure, const RegistryCredentials *credentials,
               const ImageTrustOptions *trust, char **ret_name, char **ret_id, UnpackError *error) {
        _cleanup_(registry_client_freep) RegistryClient *c = NULL;
        _cleanup_free_ char *name = NULL;
        Pull p = { .store = s, .trust = trust, .error = error };
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
        if (r < 0)
                STRV_FOREACH(d, p.added)
                        (void) unlinkat(s->blobs_fd, digest_hex(*d), 0);
        strv_free(p.added);
        if (r < 0)
                return r;
        *ret_name = TAKE_PTR(name);
        return 0;
}

/* ---- push ---------------------------------------------------------------------------------------- */

/* Location of a 202 answer, which may be relative to the URL asked. */
static int resolve_location(RegistryClient *c, const char *location, const char *digest, char **ret) {
        CURLU *u = curl_url();
        char *full = NULL;
        int r = -EBADMSG;

        if (!u)
                return -ENOMEM;
        if (curl_url_set(u, CURLUPART_URL, c->location.base, 0) == CURLUE_OK &&
            curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK)
                r = asprintf(ret, "%s%sdigest=%s", full, strchr(full, '?') ? "&" : "?", digest) < 0 ? -ENOMEM : 0;
        curl_free(full);
        curl_url_cleanup(u);
        return r;
}

/* d's blob, from the store, or from fd when it is not stored (a layer compressed for the push). */
static int push_blob(RegistryClient *c, ImageStore *s, const ImageDescriptor *d, int fd_in, UnpackError *error) {
        _cleanup_(registry_response_done) RegistryResponse head = {}, post = {}, put = {};
        _cleanup_free_ char *path = NULL, *url = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *reason;
        uint64_t size;
        int r;

        if (asprintf(&path, "blobs/%s", d->digest) < 0)
                return -ENOMEM;
        r = registry_request(c, "HEAD", path, NULL, -EBADF, NULL, 0, &head, &reason);
        if (r < 0)
                return unpack_error_set(error, r, "cannot ask the registry for blob %.19s…: %s", d->digest, reason);
        if (head.status == 200) {
                c->done += d->size;
                return 0;
        }
        if (head.status == 401 || head.status == 403)
                return http_error(c, error, &head, "blob");
        r = registry_request(c, "POST", "blobs/uploads/", NULL, -EBADF, NULL, 0, &post, &reason);
        if (r < 0)
                return unpack_error_set(error, r, "cannot start an upload: %s", reason);
        if (post.status != 202 || !post.location)
                return http_error(c, error, &post, "upload");
        r = resolve_location(c, post.location, d->digest, &url);
        if (r < 0)
                return unpack_error_set(error, r, "the registry sent an unusable upload location");
        if (fd_in >= 0) {
                fd = fcntl(fd_in, F_DUPFD_CLOEXEC, 3);
                if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0)
                        return -errno;
                size = d->size;
        } else
                fd = image_store_open_blob(s, d->digest, &size);
        if (fd < 0)
                return unpack_error_set(error, fd, "blob %.19s… is missing from the store", d->digest);
        r = registry_request(c, "PUT", url, STRV_MAKE("Content-Type: application/octet-stream"), fd, NULL, size, &put,
                             &reason);
        if (r < 0)
                return unpack_error_set(error, r, "cannot upload blob %.19s…: %s", d->digest, reason);
        if (put.status != 201)
                return http_error(c, error, &put, "blob upload");
        return 0;
}

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
               const ImageTrustOptions *trust, char **ret_digest, UnpackError *error) {
        _cleanup_(registry_response_done) RegistryResponse resp = {};
        _cleanup_(registry_client_freep) RegistryClient *c = NULL;
        _cleanup_(image_freep) Image *image = NULL;
        _cleanup_(push_layers_done) PushLayers layers = {};
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
        r = push_blob(c, s, &image->manifest->config, -EBADF, error);
        for (size_t i = 0; r >= 0 && i < layers.n; i++)
                r = push_blob(c, s, layers.d + i, layers.fds[i], error);
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
