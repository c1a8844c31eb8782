/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "image-digest.h"
#include "image-manifest.h"
#include "json-util.h"
#include "strv.h"
#include "utf8.h"

void image_descriptor_done(ImageDescriptor *d) {
        free(d->media_type);
        free(d->digest);
        *d = (ImageDescriptor) {};
}

ImageManifest *image_manifest_free(ImageManifest *m) {
        if (!m)
                return NULL;
        image_descriptor_done(&m->config);
        for (size_t i = 0; i < m->n_layers; i++)
                image_descriptor_done(m->layers + i);
        free(m->layers);
        free(m);
        return NULL;
}

ImageConfig *image_config_free(ImageConfig *c) {
        if (!c)
                return NULL;
        json_object_put(c->json);
        free(c->architecture);
        free(c->os);
        free(c->created);
        strv_free(c->entrypoint);
        strv_free(c->cmd);
        strv_free(c->env);
        free(c->working_dir);
        free(c->user);
        free(c->stop_signal);
        strv_free(c->labels);
        strv_free(c->exposed_ports);
        spec_health_done(&c->healthcheck);
        strv_free(c->diff_ids);
        free(c);
        return NULL;
}

int image_json_parse(const char *data, size_t size, json_object **ret) {
        json_tokener *tok;
        json_object *o;

        if (size > IMAGE_JSON_MAX)
                return -EFBIG;
        if (!utf8_is_valid_n(data, size))
                return -EBADMSG;
        tok = json_tokener_new_ex(64);
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, data, (int) size);
        if (!o || json_tokener_get_error(tok) != json_tokener_success ||
            json_tokener_get_parse_end(tok) != size || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                json_tokener_free(tok);
                return -EBADMSG;
        }
        json_tokener_free(tok);
        *ret = o;
        return 0;
}

static int dup_string(json_object *o, const char *key, bool required, char **ret) {
        const char *v;
        int r;

        r = json_get_string(o, key, &v);
        if (r == -ENOENT && !required)
                return 0;
        if (r < 0)
                return -EBADMSG;
        if (strlen(v) > 4096)
                return -EBADMSG;
        *ret = strdup(v);
        return *ret ? 0 : -ENOMEM;
}

int image_descriptor_parse(json_object *o, ImageDescriptor *ret, const char **ret_reason) {
        ImageDescriptor d = {};
        int64_t size;
        json_object *v;

        if (!json_object_is_type(o, json_type_object) || dup_string(o, "mediaType", true, &d.media_type) < 0 ||
            dup_string(o, "digest", true, &d.digest) < 0) {
                image_descriptor_done(&d);
                *ret_reason = "descriptor without mediaType or digest";
                return -EBADMSG;
        }
        if (!digest_is_valid(d.digest)) {
                image_descriptor_done(&d);
                *ret_reason = "descriptor with a digest that is not sha256:<64 hex digits>";
                return -EBADMSG;
        }
        if (!json_object_object_get_ex(o, "size", &v) || !json_object_is_type(v, json_type_int) ||
            (size = json_object_get_int64(v)) < 0) {
                image_descriptor_done(&d);
                *ret_reason = "descriptor without a valid size";
                return -EBADMSG;
        }
        d.size = (uint64_t) size;
        *ret = d;
        return 0;
}

bool image_media_type_is_layer(const char *t) {
        return streq(t, MEDIA_TYPE_OCI_LAYER) || streq(t, MEDIA_TYPE_OCI_LAYER_GZIP) ||
               streq(t, MEDIA_TYPE_OCI_LAYER_ZSTD) || streq(t, MEDIA_TYPE_DOCKER_LAYER) ||
               streq(t, "application/vnd.oci.image.layer.nondistributable.v1.tar") ||
               streq(t, "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip") ||
               streq(t, "application/vnd.docker.image.rootfs.diff.tar");
}

bool image_media_type_is_manifest(const char *t) {
        return streq(t, MEDIA_TYPE_OCI_MANIFEST) || streq(t, MEDIA_TYPE_DOCKER_MANIFEST);
}

#define FAIL(reason)                            \
        do {                                    \
                *ret_reason = (reason);         \
                return -EBADMSG;                \
        } while (0)

int image_manifest_parse(const char *data, size_t size, ImageManifest **ret, const char **ret_reason) {
        _cleanup_(image_manifest_freep) ImageManifest *m = NULL;
        _cleanup_json_ json_object *o = NULL;
        json_object *config, *layers, *v;
        const char *mt;
        size_t n;
        int r;

        r = image_json_parse(data, size, &o);
        if (r == -EFBIG)
                FAIL("manifest is larger than 4 MiB");
        if (r < 0)
                FAIL("manifest is not a JSON object");
        if (!json_object_object_get_ex(o, "schemaVersion", &v) || json_object_get_int(v) != 2)
                FAIL("manifest schemaVersion is not 2");
        if (json_get_string(o, "mediaType", &mt) >= 0 && !image_media_type_is_manifest(mt))
                FAIL("mediaType is not an image manifest (an index? only single images are supported)");
        /* An object that is a manifest and an index at once reads differently to different tools
         * (the ambiguity behind GHSA-77vh-xpmg-72qh): refuse it rather than pick a reading. */
        if (json_object_object_get_ex(o, "manifests", NULL))
                FAIL("manifest also carries a 'manifests' list, as an index does");
        m = calloc(1, sizeof(ImageManifest));
        if (!m)
                return -ENOMEM;
        if (!json_object_object_get_ex(o, "config", &config))
                FAIL("manifest has no config");
        r = image_descriptor_parse(config, &m->config, ret_reason);
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "layers", &layers) || !json_object_is_type(layers, json_type_array))
                FAIL("manifest has no layers array");
        n = json_object_array_length(layers);
        if (n > IMAGE_LAYERS_MAX)
                FAIL("manifest has more than 127 layers");
        m->layers = calloc(n ?: 1, sizeof(ImageDescriptor));
        if (!m->layers)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = image_descriptor_parse(json_object_array_get_idx(layers, i), m->layers + i, ret_reason);
                if (r < 0)
                        return r;
                m->n_layers++;
                if (!image_media_type_is_layer(m->layers[i].media_type))
                        FAIL("manifest has a layer of an unsupported media type");
        }
        *ret = TAKE_PTR(m);
        return 0;
}

/* An array of strings, or null/missing. */
static int get_strv_opt(json_object *o, const char *key, char ***ret) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        return json_get_strv(o, key, ret) < 0 ? -EBADMSG : 0;
}

/* {"KEY": "VALUE", …} → KEY=VALUE; {"80/tcp": {}, …} → keys only. */
static int get_map_opt(json_object *o, const char *key, bool values, char ***ret) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_object))
                return -EBADMSG;
        json_object_object_foreach(v, k, val) {
                char *s;

                if (values && !json_object_is_type(val, json_type_string))
                        return -EBADMSG;
                if (values ? asprintf(&s, "%s=%s", k, json_object_get_string(val)) < 0 : !(s = strdup(k)))
                        return -ENOMEM;
                if (strv_consume(ret, s) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* A duration of Docker's config in nanoseconds; missing or 0: the default. */
static int get_nsec_opt(json_object *o, const char *key, uint64_t *ret_usec) {
        json_object *v;
        int64_t ns;

        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_int))
                return -EBADMSG;
        ns = json_object_get_int64(v);
        if (ns < 0 || (uint64_t) ns / NSEC_PER_USEC > HEALTH_DURATION_MAX_USEC)
                return -EBADMSG;
        *ret_usec = (uint64_t) ns / NSEC_PER_USEC;
        return 0;
}

/* Docker's Healthcheck {Test, Interval, Timeout, StartPeriod, StartInterval, Retries}; an empty Test inherits
 * nothing here (there is no parent image at run time), so it means none. */
static int config_parse_healthcheck(json_object *cfg, SpecHealth *h) {
        json_object *o, *v;
        int r;

        if (!json_object_object_get_ex(cfg, "Healthcheck", &o) || json_object_is_type(o, json_type_null))
                return 0;
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        r = get_strv_opt(o, "Test", &h->test);
        if (r < 0)
                return r;
        r = get_nsec_opt(o, "Interval", &h->interval_usec);
        if (r < 0)
                return r;
        r = get_nsec_opt(o, "Timeout", &h->timeout_usec);
        if (r < 0)
                return r;
        r = get_nsec_opt(o, "StartPeriod", &h->start_period_usec);
        if (r < 0)
                return r;
        r = get_nsec_opt(o, "StartInterval", &h->start_interval_usec); /* Docker 25 */
        if (r < 0)
                return r;
        if (json_object_object_get_ex(o, "Retries", &v) && !json_object_is_type(v, json_type_null)) {
                int64_t n = json_object_get_int64(v);

                if (!json_object_is_type(v, json_type_int) || n < 0 || n > HEALTH_RETRIES_MAX)
                        return -EBADMSG;
                h->retries = (uint32_t) n;
        }
        if (h->test && !h->test[0])
                h->test = strv_free(h->test);
        return spec_health_validate(h, NULL) < 0 ? -EBADMSG : 0;
}

static int config_parse_runtime(json_object *cfg, ImageConfig *c) {
        int r;

        if (!cfg || json_object_is_type(cfg, json_type_null))
                return 0;
        if (!json_object_is_type(cfg, json_type_object))
                return -EBADMSG;
        r = get_strv_opt(cfg, "Entrypoint", &c->entrypoint);
        if (r < 0)
                return r;
        r = get_strv_opt(cfg, "Cmd", &c->cmd);
        if (r < 0)
                return r;
        r = get_strv_opt(cfg, "Env", &c->env);
        if (r < 0)
                return r;
        r = dup_string(cfg, "WorkingDir", false, &c->working_dir);
        if (r < 0)
                return r;
        r = dup_string(cfg, "User", false, &c->user);
        if (r < 0)
                return r;
        r = dup_string(cfg, "StopSignal", false, &c->stop_signal);
        if (r < 0)
                return r;
        r = get_map_opt(cfg, "Labels", true, &c->labels);
        if (r < 0)
                return r;
        r = get_map_opt(cfg, "ExposedPorts", false, &c->exposed_ports);
        if (r < 0)
                return r;
        return config_parse_healthcheck(cfg, &c->healthcheck);
}

int image_config_parse(const char *data, size_t size, ImageConfig **ret, const char **ret_reason) {
        _cleanup_(image_config_freep) ImageConfig *c = NULL;
        json_object *rootfs, *cfg = NULL;
        const char *type;
        int r;

        c = calloc(1, sizeof(ImageConfig));
        if (!c)
                return -ENOMEM;
        r = image_json_parse(data, size, &c->json);
        if (r == -EFBIG)
                FAIL("image config is larger than 4 MiB");
        if (r < 0)
                FAIL("image config is not a JSON object");
        if (dup_string(c->json, "architecture", false, &c->architecture) < 0 ||
            dup_string(c->json, "os", false, &c->os) < 0 || dup_string(c->json, "created", false, &c->created) < 0)
                FAIL("image config has a malformed architecture, os or created");
        if (!json_object_object_get_ex(c->json, "rootfs", &rootfs) || json_get_string(rootfs, "type", &type) < 0 ||
            !streq(type, "layers") || json_get_strv(rootfs, "diff_ids", &c->diff_ids) < 0)
                FAIL("image config has no rootfs of type 'layers' with diff_ids");
        if (strv_length(c->diff_ids) > IMAGE_LAYERS_MAX)
                FAIL("image config has more than 127 layers");
        STRV_FOREACH(d, c->diff_ids)
                if (!digest_is_valid(*d))
                        FAIL("image config has a diff_id that is not sha256:<64 hex digits>");
        (void) json_object_object_get_ex(c->json, "config", &cfg);
        r = config_parse_runtime(cfg, c);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                FAIL("image config has a malformed config section");
        STRV_FOREACH(e, c->env)
                if (!env_assignment_is_valid(*e))
                        FAIL("image config has an invalid Env entry");
        *ret = TAKE_PTR(c);
        return 0;
}
