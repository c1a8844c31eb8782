/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Simple signing through gpgme. The checks on a verified signature are those of containers/image's
 * gpgme mechanism: one signature, a good status, a validity other than "never", no validity reason,
 * right key usage, and the signer among the keys the policy gave (trust in the keyring is not asked:
 * the temporary keyring holds nothing else). */
#include <fcntl.h>
#include <gpgme.h>
#include <locale.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image-digest.h"
#include "image-manifest.h"
#include "image-ref.h"
#include "image-signature.h"
#include "json-util.h"
#include "rm-rf.h"
#include "safe-open.h"
#include "strv.h"

struct SignatureKeyring {
        gpgme_ctx_t ctx;
        char *home;
        char **fingerprints; /* of every key and subkey imported */
};

DEFINE_TRIVIAL_CLEANUP_FUNC(gpgme_data_t, gpgme_data_release);

static void *memdup(const void *p, size_t n) {
        void *q = malloc(n);

        return q ? memcpy(q, p, n) : NULL;
}

static int gpgme_setup(gpgme_ctx_t *ret, const char *home) {
        gpgme_ctx_t ctx;

        /* gpgme wants its version checked once per process before any other call. */
        if (!gpgme_check_version(NULL))
                return -ENOTSUP;
        if (gpgme_new(&ctx) != GPG_ERR_NO_ERROR)
                return -ENOMEM;
        if (gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP) != GPG_ERR_NO_ERROR ||
            gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, home) != GPG_ERR_NO_ERROR) {
                gpgme_release(ctx);
                return -ENOTSUP;
        }
        *ret = ctx;
        return 0;
}

SignatureKeyring *signature_keyring_free(SignatureKeyring *k) {
        if (!k)
                return NULL;
        if (k->ctx)
                gpgme_release(k->ctx);
        if (k->home)
                (void) rm_rf_path(k->home);
        free(k->home);
        strv_free(k->fingerprints);
        free(k);
        return NULL;
}

static int keyring_import(SignatureKeyring *k, const void *data, size_t size, const char *what, DrayError *error) {
        _cleanup_(gpgme_data_releasep) gpgme_data_t d = NULL;
        gpgme_import_result_t res;
        int r;

        if (gpgme_data_new_from_mem(&d, data, size, 0) != GPG_ERR_NO_ERROR)
                return -ENOMEM;
        if (gpgme_op_import(k->ctx, d) != GPG_ERR_NO_ERROR || !(res = gpgme_op_import_result(k->ctx)) ||
            !res->imports)
                return dray_error_set(error, -EBADMSG, "%s holds no OpenPGP public key", what);
        for (gpgme_import_status_t s = res->imports; s; s = s->next) {
                gpgme_key_t key = NULL;

                if (!s->fpr || s->result != GPG_ERR_NO_ERROR)
                        continue;
                if (gpgme_get_key(k->ctx, s->fpr, &key, 0) != GPG_ERR_NO_ERROR)
                        continue;
                for (gpgme_subkey_t sub = key->subkeys; sub; sub = sub->next)
                        if (sub->fpr && !strv_contains(k->fingerprints, sub->fpr)) {
                                r = strv_extend(&k->fingerprints, sub->fpr);
                                if (r < 0) {
                                        gpgme_key_unref(key);
                                        return r;
                                }
                        }
                gpgme_key_unref(key);
        }
        if (strv_length(k->fingerprints) == 0)
                return dray_error_set(error, -EBADMSG, "%s holds no usable OpenPGP public key", what);
        return 0;
}

int signature_keyring_new(const PolicyRequirement *r, const char *tmp_dir, SignatureKeyring **ret,
                          DrayError *error) {
        _cleanup_(signature_keyring_freep) SignatureKeyring *k = calloc(1, sizeof(SignatureKeyring));
        const char *tmp = tmp_dir ?: getenv("TMPDIR");
        int q;

        if (!k)
                return -ENOMEM;
        if (asprintf(&k->home, "%s/dray-gnupg-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp") < 0) {
                k->home = NULL;
                return -ENOMEM;
        }
        if (!mkdtemp(k->home))
                return dray_error_set(error, -errno, "cannot make a temporary GNUPGHOME: %m");
        q = gpgme_setup(&k->ctx, k->home);
        if (q < 0)
                return dray_error_set(error, q, "gpgme cannot use gpg for OpenPGP");
        if (r->key_data) {
                q = keyring_import(k, r->key_data, r->n_key_data, "keyData", error);
                if (q < 0)
                        return q;
        }
        STRV_FOREACH(p, r->key_paths) {
                _cleanup_free_ char *data = NULL;
                size_t size;

                q = safe_read_file_at(AT_FDCWD, *p, 0, IMAGE_POLICY_KEY_MAX, &data, &size);
                if (q == -ENOMEM)
                        return q;
                if (q < 0)
                        return dray_error_set(error, q, "cannot read the key file %s: %s", *p, safe_open_strerror(q));
                q = keyring_import(k, data, size, *p, error);
                if (q < 0)
                        return q;
        }
        *ret = TAKE_PTR(k);
        return 0;
}

/* The payload as gpg writes it out, capped: a small signature may hold a compressed message that
 * inflates to gigabytes, and gpgme's memory buffers would keep all of it. Past the cap the write
 * fails, gpg stops, and the verification fails. */
typedef struct Payload {
        char data[SIMPLE_SIGNING_PAYLOAD_MAX + 1];
        size_t n;
        bool too_big;
} Payload;

static ssize_t payload_write(void *handle, const void *buffer, size_t size) {
        Payload *p = handle;

        if (size > SIMPLE_SIGNING_PAYLOAD_MAX - p->n) {
                p->too_big = true;
                errno = EFBIG;
                return -1;
        }
        memcpy(p->data + p->n, buffer, size);
        p->n += size;
        return (ssize_t) size;
}

int signature_keyring_verify(SignatureKeyring *k, const void *sig, size_t size, char **ret_payload, size_t *ret_size,
                             const char **ret_reason) {
        _cleanup_(gpgme_data_releasep) gpgme_data_t in = NULL, out = NULL;
        _cleanup_free_ Payload *p = calloc(1, sizeof(Payload));
        struct gpgme_data_cbs cbs = { .write = payload_write };
        gpgme_verify_result_t res;
        gpgme_signature_t s;
        gpgme_error_t e;
        char *payload;

        if (!p || gpgme_data_new_from_mem(&in, sig, size, 0) != GPG_ERR_NO_ERROR ||
            gpgme_data_new_from_cbs(&out, &cbs, p) != GPG_ERR_NO_ERROR)
                return -ENOMEM;
        e = gpgme_op_verify(k->ctx, in, NULL, out);
        if (p->too_big) {
                *ret_reason = "its payload is larger than 64 KiB";
                return -EBADMSG;
        }
        if (e != GPG_ERR_NO_ERROR || !(res = gpgme_op_verify_result(k->ctx))) {
                *ret_reason = "it is not an OpenPGP signed message";
                return -EBADMSG;
        }
        s = res->signatures;
        if (!s || s->next) {
                *ret_reason = s ? "it holds more than one signature" : "it holds no signature";
                return -EBADMSG;
        }
        if (gpgme_err_code(s->status) == GPG_ERR_NO_PUBKEY) {
                *ret_reason = "it was made by a key the policy does not name";
                return -EBADMSG;
        }
        if (gpgme_err_code(s->status) != GPG_ERR_NO_ERROR || s->validity == GPGME_VALIDITY_NEVER ||
            s->validity_reason != GPG_ERR_NO_ERROR || s->wrong_key_usage) {
                *ret_reason = gpgme_err_code(s->status) == GPG_ERR_BAD_SIGNATURE ?
                                      "the signature does not match what it signs (tampered with?)" :
                                      "the signature is not valid (an expired or revoked key?)";
                return -EBADMSG;
        }
        if (!s->fpr || !strv_contains(k->fingerprints, s->fpr)) {
                *ret_reason = "it was made by a key the policy does not name";
                return -EBADMSG;
        }
        payload = memdup(p->data, p->n + 1);
        if (!payload)
                return -ENOMEM;
        payload[p->n] = 0;
        *ret_payload = payload;
        *ret_size = p->n;
        return 0;
}

/* An object with exactly the keys named (each present, nothing else), as containers/image's
 * ParanoidUnmarshalJSONObjectExactFields. */
static bool has_exact_keys(json_object *o, const char *const *keys) {
        size_t n = 0;

        if (!json_object_is_type(o, json_type_object))
                return false;
        for (; keys[n]; n++)
                if (!json_object_object_get_ex(o, keys[n], NULL))
                        return false;
        return (size_t) json_object_object_length(o) == n;
}

int simple_signing_parse(const char *payload, size_t size, char **ret_reference, char **ret_digest,
                         const char **ret_reason) {
        static const char *const top[] = { "critical", "optional", NULL },
                                 *const critical[] = { "type", "image", "identity", NULL },
                                 *const image[] = { "docker-manifest-digest", NULL },
                                 *const identity[] = { "docker-reference", NULL };
        _cleanup_json_ json_object *o = NULL;
        json_object *c, *i, *d, *opt;
        const char *type, *digest, *reference;
        _cleanup_free_ char *ref = NULL, *dig = NULL;
        ImageRef parsed;

        *ret_reason = "its payload is not a simple-signing JSON object";
        if (size > SIMPLE_SIGNING_PAYLOAD_MAX || image_json_parse(payload, size, &o) < 0 || !has_exact_keys(o, top))
                return -EBADMSG;
        if (!json_object_object_get_ex(o, "optional", &opt) || !json_object_is_type(opt, json_type_object))
                return -EBADMSG;
        if (!json_object_object_get_ex(o, "critical", &c) || !has_exact_keys(c, critical))
                return -EBADMSG;
        if (json_get_string(c, "type", &type) < 0 || !streq(type, SIMPLE_SIGNING_TYPE)) {
                *ret_reason = "its payload is not of type '" SIMPLE_SIGNING_TYPE "'";
                return -EBADMSG;
        }
        if (!json_object_object_get_ex(c, "image", &i) || !has_exact_keys(i, image) ||
            json_get_string(i, "docker-manifest-digest", &digest) < 0 || !digest_is_valid(digest)) {
                *ret_reason = "its payload has no valid critical.image.docker-manifest-digest";
                return -EBADMSG;
        }
        if (!json_object_object_get_ex(c, "identity", &d) || !has_exact_keys(d, identity) ||
            json_get_string(d, "docker-reference", &reference) < 0 || image_ref_parse(reference, &parsed) < 0) {
                *ret_reason = "its payload has no valid critical.identity.docker-reference";
                return -EBADMSG;
        }
        image_ref_done(&parsed);
        ref = strdup(reference);
        dig = strdup(digest);
        if (!ref || !dig)
                return -ENOMEM;
        *ret_reference = TAKE_PTR(ref);
        *ret_digest = TAKE_PTR(dig);
        return 0;
}

int simple_signing_build(const char *reference, const char *digest, const char *creator, char **ret) {
        _cleanup_json_ json_object *o = json_object_new_object(), *c = json_object_new_object(),
                                   *i = json_object_new_object(), *d = json_object_new_object(),
                                   *opt = json_object_new_object();
        const char *s;
        char *p;

        if (!o || !c || !i || !d || !opt)
                return -ENOMEM;
        if (json_add_string(d, "docker-reference", reference) < 0 ||
            json_add_string(i, "docker-manifest-digest", digest) < 0 ||
            json_add_string(c, "type", SIMPLE_SIGNING_TYPE) < 0 || json_add_string(opt, "creator", creator) < 0 ||
            json_object_object_add(opt, "timestamp", json_object_new_int64((int64_t) time(NULL))) < 0)
                return -ENOMEM;
        if (json_object_object_add(c, "identity", json_object_get(d)) < 0 ||
            json_object_object_add(c, "image", json_object_get(i)) < 0 ||
            json_object_object_add(o, "critical", json_object_get(c)) < 0 ||
            json_object_object_add(o, "optional", json_object_get(opt)) < 0)
                return -ENOMEM;
        s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s || !(p = strdup(s)))
                return -ENOMEM;
        *ret = p;
        return 0;
}

static gpgme_error_t passphrase_cb(void *userdata, const char *uid_hint, const char *info, int prev_bad, int fd) {
        const char *pass = userdata;

        (void) uid_hint;
        (void) info;
        if (!pass)
                return gpgme_error(GPG_ERR_NO_PASSPHRASE);
        if (prev_bad)
                return gpgme_error(GPG_ERR_BAD_PASSPHRASE);
        if (gpgme_io_writen(fd, pass, strlen(pass)) < 0 || gpgme_io_writen(fd, "\n", 1) < 0)
                return gpgme_error(GPG_ERR_CANCELED);
        return GPG_ERR_NO_ERROR;
}

/* GNUPGHOME, else root's: drayd runs without HOME, and gpg's default would then be a guess. */
static int signing_home(char **ret) {
        const char *e = getenv("GNUPGHOME");
        struct passwd *pw;

        if (e && e[0] == '/')
                return (*ret = strdup(e)) ? 0 : -ENOMEM;
        pw = getpwuid(getuid());
        if (!pw || !pw->pw_dir || pw->pw_dir[0] != '/')
                return -ENOENT;
        return asprintf(ret, "%s/.gnupg", pw->pw_dir) < 0 ? -ENOMEM : 0;
}

int signature_sign(const char *key_id, const char *passphrase, const char *payload, void **ret, size_t *ret_size,
                   DrayError *error) {
        _cleanup_(gpgme_data_releasep) gpgme_data_t in = NULL, out = NULL;
        _cleanup_free_ char *home = NULL;
        gpgme_ctx_t ctx = NULL;
        gpgme_key_t key = NULL;
        gpgme_error_t e;
        size_t n;
        char *data;
        int r;

        r = signing_home(&home);
        if (r < 0)
                return dray_error_set(error, r, "cannot find root's GNUPGHOME");
        r = gpgme_setup(&ctx, home);
        if (r < 0)
                return dray_error_set(error, r, "gpgme cannot use gpg for OpenPGP");
        if (gpgme_get_key(ctx, key_id, &key, 1) != GPG_ERR_NO_ERROR || !key) {
                gpgme_release(ctx);
                return dray_error_set(error, -ENOKEY, "no secret key '%.100s' in %s", key_id, home);
        }
        gpgme_set_armor(ctx, 0);
        e = gpgme_signers_add(ctx, key);
        gpgme_key_unref(key);
        /* Always the loopback: drayd has no terminal, and a pinentry started for it would wait for
         * nobody. Without a passphrase, a key that needs one fails at once. */
        (void) gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK);
        gpgme_set_passphrase_cb(ctx, passphrase_cb, (void *) passphrase);
        if (e == GPG_ERR_NO_ERROR && (gpgme_data_new_from_mem(&in, payload, strlen(payload), 0) != GPG_ERR_NO_ERROR ||
                                      gpgme_data_new(&out) != GPG_ERR_NO_ERROR))
                e = gpgme_error(GPG_ERR_ENOMEM);
        if (e == GPG_ERR_NO_ERROR)
                e = gpgme_op_sign(ctx, in, out, GPGME_SIG_MODE_NORMAL);
        gpgme_release(ctx);
        if (!passphrase && (gpgme_err_code(e) == GPG_ERR_NO_PASSPHRASE || gpgme_err_code(e) == GPG_ERR_BAD_PASSPHRASE))
                return dray_error_set(error, -EKEYREJECTED, "cannot sign with '%.100s': the key needs a passphrase "
                                        "(--sign-passphrase-file)", key_id);
        if (e != GPG_ERR_NO_ERROR)
                return dray_error_set(error, -EKEYREJECTED, "cannot sign with '%.100s': %s", key_id, gpgme_strerror(e));
        data = gpgme_data_release_and_get_mem(TAKE_PTR(out), &n);
        if (!data)
                return -ENOMEM;
        *ret = malloc(n);
        if (*ret)
                memcpy(*ret, data, n);
        gpgme_free(data);
        if (!*ret)
                return -ENOMEM;
        *ret_size = n;
        return 0;
}
