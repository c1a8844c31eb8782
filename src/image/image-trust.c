/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A pull's trust decision and a push's signature, as containers/image makes them: the requirements of
 * the reference's scope all accept, signedBy accepting when any one signature from the lookaside is a
 * valid signature by one of its keys, for this manifest digest and an identity its signedIdentity
 * allows. */
#include <curl/curl.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "image-lookaside.h"
#include "image-policy.h"
#include "image-signature.h"
#include "image-trust.h"
#include "image-unpack.h"
#include "safe-open.h"

void image_trust_options_done(ImageTrustOptions *o) {
        o->policy_fd = safe_close(o->policy_fd);
        o->passphrase_fd = safe_close(o->passphrase_fd);
        free(o->sign_by);
        o->sign_by = NULL;
}

/* ---- the lookaside's signatures ----------------------------------------------------------------- */

typedef struct Signatures {
        bool fetched;
        char *first_url;  /* for messages: where the first one was looked for */
        void **data;
        size_t *sizes, n;
} Signatures;

static void signatures_done(Signatures *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->data[i]);
        free(s->data);
        free(s->sizes);
        free(s->first_url);
}

typedef struct Body {
        char *data;
        size_t n;
        bool too_big;
} Body;

static size_t body_write(char *p, size_t size, size_t n, void *userdata) {
        Body *b = userdata;
        size_t m = size * n;
        char *d;

        if (b->n + m > LOOKASIDE_SIGNATURE_MAX) {
                b->too_big = true;
                return 0;
        }
        d = realloc(b->data, b->n + m + 1);
        if (!d)
                return 0;
        memcpy(d + b->n, p, m);
        b->data = d;
        b->n += m;
        return m;
}

/* One signature over http(s): 0 with it, -ENOENT for a 404 (no more), -EIO with a reason otherwise. */
static int fetch_http(CURL *curl, const char *url, Body *b, DrayError *error) {
        long status = 0;
        CURLcode e;

        curl_easy_reset(curl);
        (void) curl_easy_setopt(curl, CURLOPT_URL, url);
        (void) curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        (void) curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        (void) curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
        (void) curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
        (void) curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
        (void) curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
        (void) curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        (void) curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, body_write);
        (void) curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
        e = curl_easy_perform(curl);
        if (b->too_big)
                return dray_error_set(error, -EFBIG, "the signature at %s is larger than 4 MiB", url);
        if (e != CURLE_OK)
                return dray_error_set(error, -EIO, "cannot fetch the signature %s: %s", url, curl_easy_strerror(e));
        (void) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (status == 404)
                return -ENOENT;
        if (status != 200)
                return dray_error_set(error, -EIO, "the lookaside answered HTTP %ld for %s", status, url);
        return 0;
}

static int fetch_one(CURL **curl, const char *url, Body *b, DrayError *error) {
        _cleanup_free_ char *path = NULL;
        int r;

        r = lookaside_file_path(url, &path);
        if (r == -EPROTONOSUPPORT) {
                if (!*curl && !(*curl = curl_easy_init()))
                        return -ENOMEM;
                return fetch_http(*curl, url, b, error);
        }
        if (r < 0)
                return r == -ENOMEM ? r : dray_error_set(error, r, "the lookaside URL %s is not valid", url);
        r = safe_read_file_at(AT_FDCWD, path, 0, LOOKASIDE_SIGNATURE_MAX, &b->data, &b->n);
        if (r == -ENOENT || r == -ENOMEM)
                return r;
        if (r < 0)
                return dray_error_set(error, r, "cannot read the signature %s: %s", path, safe_open_strerror(r));
        return 0;
}

static int signatures_fetch(Signatures *s, const char *reference, const char *digest, DrayError *error) {
        _cleanup_(lookaside_config_freep) LookasideConfig *c = NULL;
        _cleanup_free_ char *base = NULL;
        CURL *curl = NULL;
        size_t total = 0;
        int r;

        s->fetched = true;
        r = lookaside_config_load(&c, error);
        if (r < 0)
                return r;
        r = lookaside_base_url(c, reference, false, &base);
        if (r == -ENOENT)
                return 0; /* no lookaside: no signatures */
        if (r < 0)
                return r;
        r = lookaside_signature_url(base, digest, 1, &s->first_url);
        if (r < 0)
                return r;
        s->data = calloc(LOOKASIDE_SIGNATURES_MAX, sizeof(void *));
        s->sizes = calloc(LOOKASIDE_SIGNATURES_MAX, sizeof(size_t));
        if (!s->data || !s->sizes)
                return -ENOMEM;
        for (unsigned i = 1; i <= LOOKASIDE_SIGNATURES_MAX; i++) {
                _cleanup_free_ char *url = NULL;
                Body b = {};

                r = lookaside_signature_url(base, digest, i, &url);
                if (r >= 0)
                        r = fetch_one(&curl, url, &b, error);
                total += b.n;
                if (r >= 0 && total > LOOKASIDE_SIGNATURES_TOTAL_MAX)
                        r = dray_error_set(error, -EFBIG, "the signatures at %s are larger than 16 MiB in all", base);
                if (r < 0) {
                        free(b.data);
                        break;
                }
                s->data[s->n] = b.data;
                s->sizes[s->n++] = b.n;
        }
        if (curl)
                curl_easy_cleanup(curl);
        return r == -ENOENT ? 0 : r;
}

/* ---- the decision -------------------------------------------------------------------------------- */

/* 1 when one of the signatures fits r; 0 with *ret_reason saying why none did. */
static int signed_by_accepts(const PolicyRequirement *r, Signatures *s, const char *tmp_dir, const char *reference,
                             const char *digest, char **ret_reason, DrayError *error) {
        _cleanup_(signature_keyring_freep) SignatureKeyring *k = NULL;
        const char *why = NULL;
        int q;

        if (!s->fetched) {
                q = signatures_fetch(s, reference, digest, error);
                if (q < 0)
                        return q;
        }
        if (s->n == 0) {
                if (!s->first_url)
                        return asprintf(ret_reason, "no lookaside is configured for it in %s or %s", LOOKASIDE_DIR,
                                        LOOKASIDE_DIR_CONTAINERS) < 0 ? -ENOMEM : 0;
                return asprintf(ret_reason, "it is not signed (nothing at %s)", s->first_url) < 0 ? -ENOMEM : 0;
        }
        q = signature_keyring_new(r, tmp_dir, &k, error);
        if (q < 0)
                return q;
        for (size_t i = 0; i < s->n; i++) {
                _cleanup_free_ char *payload = NULL, *signed_ref = NULL, *signed_digest = NULL;
                size_t n;

                q = signature_keyring_verify(k, s->data[i], s->sizes[i], &payload, &n, &why);
                if (q == -ENOMEM)
                        return q;
                if (q < 0)
                        continue;
                q = simple_signing_parse(payload, n, &signed_ref, &signed_digest, &why);
                if (q == -ENOMEM)
                        return q;
                if (q < 0)
                        continue;
                if (!streq(signed_digest, digest)) {
                        why = "it signs another manifest (the image changed since it was signed?)";
                        continue;
                }
                q = policy_identity_matches(r, reference, signed_ref);
                if (q > 0)
                        return 1;
                why = "it signs another image name than the signedIdentity rule allows";
        }
        return asprintf(ret_reason, "no valid signature among %zu: %s", s->n, why) < 0 ? -ENOMEM : 0;
}

static int policy_decide(const ImagePolicy *p, const char *tmp_dir, const char *reference, const char *digest,
                         Signatures *sigs, DrayError *error) {
        const PolicyRequirements *l = image_policy_for(p, reference);

        for (size_t i = 0; i < l->n_items; i++) {
                const PolicyRequirement *req = l->items + i;
                _cleanup_free_ char *reason = NULL, *rule = NULL;
                int r = 0;

                switch (req->type) {
                case POLICY_INSECURE_ACCEPT_ANYTHING:
                        continue;
                case POLICY_SIGNED_BY:
                        r = signed_by_accepts(req, sigs, tmp_dir, reference, digest, &reason, error);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                continue;
                        break;
                case POLICY_REJECT:
                        reason = strdup("the rule rejects every image it covers");
                        break;
                default:
                        reason = strdup("dray does not verify sigstore signatures");
                        break;
                }
                if (!reason)
                        return -ENOMEM;
                if (l->scope ? asprintf(&rule, "transports.docker[\"%s\"][%zu]", l->scope, i) < 0 :
                               asprintf(&rule, "default[%zu]", i) < 0)
                        return -ENOMEM;
                return dray_error_set(error, -EACCES, "the trust policy in %s refuses %s: rule %s (%s): %s", p->path,
                                        reference, rule, policy_requirement_type_to_string(req->type), reason);
        }
        return 0;
}

static int trust_check(const ImageTrustOptions *o, const char *tmp_dir, const char *reference, const char *digest,
                       DrayError *error) {
        _cleanup_(image_policy_freep) ImagePolicy *p = NULL;
        Signatures sigs = {};
        int r;

        if (o && o->policy_fd >= 0) {
                _cleanup_free_ char *data = NULL;
                size_t size;

                if (lseek(o->policy_fd, 0, SEEK_SET) < 0 && errno != ESPIPE)
                        return -errno;
                r = safe_read_fd(o->policy_fd, IMAGE_POLICY_MAX, &data, &size);
                if (r < 0)
                        return dray_error_set(error, r, "cannot read the --signature-policy file: %s",
                                                safe_open_strerror(r));
                r = image_policy_parse(data, size, "the --signature-policy file", &p, error);
        } else
                r = image_policy_load_default(&p, error);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = policy_decide(p, tmp_dir, reference, digest, &sigs, error);
        signatures_done(&sigs);
        return r;
}

/* ---- push ---------------------------------------------------------------------------------------- */

static int trust_sign(const ImageTrustOptions *o, const char *reference, const char *digest, void **ret,
                      size_t *ret_size, DrayError *error) {
        _cleanup_free_ char *payload = NULL, *pass = NULL;
        int r;

        if (o->passphrase_fd >= 0) {
                size_t n;

                r = safe_read_fd(o->passphrase_fd, 4096, &pass, &n);
                if (r < 0)
                        return dray_error_set(error, r, "cannot read the passphrase file: %s", safe_open_strerror(r));
                /* The first line, as skopeo reads --sign-passphrase-file. */
                pass[strcspn(pass, "\r\n")] = 0;
        }
        r = simple_signing_build(reference, digest, "dray " DRAY_VERSION, &payload);
        if (r < 0)
                return r;
        r = signature_sign(o->sign_by, pass, payload, ret, ret_size, error);
        if (pass)
                explicit_bzero(pass, strlen(pass));
        return r;
}

static int mkdir_parents(const char *path) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        return 0;
}

static int trust_store(const char *reference, const char *digest, const void *sig, size_t size, char **ret_path,
                       DrayError *error) {
        _cleanup_(lookaside_config_freep) LookasideConfig *c = NULL;
        _cleanup_free_ char *base = NULL, *dir = NULL;
        int r;

        r = lookaside_config_load(&c, error);
        if (r < 0)
                return r;
        r = lookaside_base_url(c, reference, true, &base);
        if (r == -ENOENT)
                return dray_error_set(error, r, "no lookaside-staging (or lookaside) is configured for %s in %s or %s",
                                        reference, LOOKASIDE_DIR, LOOKASIDE_DIR_CONTAINERS);
        if (r < 0)
                return r;
        r = lookaside_file_path(base, &dir);
        if (r == -EPROTONOSUPPORT || r == -EINVAL)
                return dray_error_set(error, r, "the lookaside staging location %s is not a file: URL", base);
        if (r < 0)
                return r;
        for (unsigned i = 1; i <= LOOKASIDE_SIGNATURES_MAX; i++) {
                _cleanup_free_ char *path = NULL;
                _cleanup_close_ int fd = -EBADF;

                r = lookaside_signature_url(dir, digest, i, &path);
                if (r < 0)
                        return r;
                r = mkdir_parents(path);
                if (r < 0)
                        return dray_error_set(error, r, "cannot make the directory of %s: %s", path, strerror(-r));
                fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (fd < 0 && errno == EEXIST)
                        continue;
                if (fd < 0 || write(fd, sig, size) != (ssize_t) size || fsync(fd) < 0) {
                        r = errno > 0 ? -errno : -EIO;
                        if (fd >= 0)
                                (void) unlink(path);
                        return dray_error_set(error, r, "cannot write the signature %s: %s", path, strerror(-r));
                }
                if (ret_path)
                        *ret_path = TAKE_PTR(path);
                return 0;
        }
        return dray_error_set(error, -E2BIG, "%s already holds %u signatures", dir, LOOKASIDE_SIGNATURES_MAX);
}

/* ---- the registry code's error carrier ----------------------------------------------------------- */

/* image-registry.c still speaks UnpackError: the message crosses over once, here. */
static int to_unpack_error(UnpackError *error, DrayError *e, int r) {
        if (r >= 0)
                return r;
        return unpack_error_set(error, r, "%s", dray_error_message(e, r));
}

int image_trust_check(const ImageTrustOptions *o, const char *tmp_dir, const char *reference, const char *digest,
                      UnpackError *error) {
        _cleanup_(dray_error_done) DrayError e = {};

        return to_unpack_error(error, &e, trust_check(o, tmp_dir, reference, digest, &e));
}

int image_trust_sign(const ImageTrustOptions *o, const char *reference, const char *digest, void **ret,
                     size_t *ret_size, UnpackError *error) {
        _cleanup_(dray_error_done) DrayError e = {};

        return to_unpack_error(error, &e, trust_sign(o, reference, digest, ret, ret_size, &e));
}

int image_trust_store(const char *reference, const char *digest, const void *sig, size_t size, char **ret_path,
                      UnpackError *error) {
        _cleanup_(dray_error_done) DrayError e = {};

        return to_unpack_error(error, &e, trust_store(reference, digest, sig, size, ret_path, &e));
}
