/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* containers-policy.json(5): parsing, scope lookup and signedIdentity matching, with the semantics of
 * containers/image (the library behind podman and skopeo), so one policy file means the same to all. */
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>

#include "image-manifest.h"
#include "image-policy.h"
#include "image-ref.h"
#include "json-util.h"
#include "safe-open.h"
#include "string-table.h"
#include "strv.h"
#include "utf8.h"

static const char *const policy_requirement_type_table[_POLICY_REQUIREMENT_TYPE_MAX] = {
        [POLICY_INSECURE_ACCEPT_ANYTHING] = "insecureAcceptAnything",
        [POLICY_REJECT] = "reject",
        [POLICY_SIGNED_BY] = "signedBy",
        [POLICY_SIGSTORE_SIGNED] = "sigstoreSigned",
};
DEFINE_STRING_TABLE_LOOKUP(policy_requirement_type, PolicyRequirementType, _POLICY_REQUIREMENT_TYPE_MAX);

static const char *const policy_identity_type_table[_POLICY_IDENTITY_TYPE_MAX] = {
        [POLICY_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT] = "matchRepoDigestOrExact",
        [POLICY_IDENTITY_MATCH_EXACT] = "matchExact",
        [POLICY_IDENTITY_MATCH_REPOSITORY] = "matchRepository",
        [POLICY_IDENTITY_EXACT_REFERENCE] = "exactReference",
        [POLICY_IDENTITY_EXACT_REPOSITORY] = "exactRepository",
        [POLICY_IDENTITY_REMAP_IDENTITY] = "remapIdentity",
};
DEFINE_STRING_TABLE_LOOKUP(policy_identity_type, PolicyIdentityType, _POLICY_IDENTITY_TYPE_MAX);

static void requirement_done(PolicyRequirement *r) {
        strv_free(r->key_paths);
        free(r->key_data);
        free(r->identity_reference);
        free(r->identity_signed_prefix);
        *r = (PolicyRequirement) {};
}

static void requirements_done(PolicyRequirements *l) {
        for (size_t i = 0; i < l->n_items; i++)
                requirement_done(l->items + i);
        free(l->items);
        free(l->scope);
        *l = (PolicyRequirements) {};
}

ImagePolicy *image_policy_free(ImagePolicy *p) {
        if (!p)
                return NULL;
        requirements_done(&p->fallback);
        for (size_t i = 0; i < p->n_docker; i++)
                requirements_done(p->docker + i);
        free(p->docker);
        free(p->path);
        free(p);
        return NULL;
}

/* Where a parse is, for messages: "transports.docker[\"quay.io\"][0].keyPath". */
typedef struct Parse {
        const char *path;
        DrayError *error;
} Parse;

#define PARSE_FAIL(p, where, key, fmt, ...)                                                                       \
        dray_error_set((p)->error, -EBADMSG, "%s: %s%s%s: " fmt, (p)->path, (where), *(key) ? "." : "", (key), \
                         ##__VA_ARGS__)

static int check_keys(Parse *p, json_object *o, const char *where, const char *const *allowed) {
        json_object_object_foreach(o, k, v) {
                bool ok = false;

                (void) v;
                for (size_t i = 0; allowed[i]; i++)
                        ok = ok || streq(k, allowed[i]);
                if (!ok)
                        return PARSE_FAIL(p, where, "", "unknown key '%.64s'", k);
        }
        return 0;
}

static int get_string(Parse *p, json_object *o, const char *where, const char *key, bool required, const char **ret) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v)) {
                if (required)
                        return PARSE_FAIL(p, where, key, "missing");
                *ret = NULL;
                return 0;
        }
        if (!json_object_is_type(v, json_type_string))
                return PARSE_FAIL(p, where, key, "not a string");
        *ret = json_object_get_string(v);
        if (strlen(*ret) != (size_t) json_object_get_string_len(v))
                return PARSE_FAIL(p, where, key, "holds a NUL byte");
        return 0;
}

static int parse_key_path(Parse *p, const char *where, const char *key, const char *s, char ***paths) {
        if (s[0] != '/' || strlen(s) > 4096)
                return PARSE_FAIL(p, where, key, "'%.200s' is not an absolute path", s);
        return strv_extend(paths, s);
}

static int decode_key_data(Parse *p, const char *where, const char *s, PolicyRequirement *r) {
        size_t n = strlen(s), pad = 0;
        int k;

        if (n == 0 || n % 4 != 0 || n / 4 * 3 > IMAGE_POLICY_KEY_MAX)
                return PARSE_FAIL(p, where, "keyData", "not base64 of at most 1 MiB");
        r->key_data = malloc(n / 4 * 3 + 1);
        if (!r->key_data)
                return -ENOMEM;
        k = EVP_DecodeBlock(r->key_data, (const unsigned char *) s, (int) n);
        if (k < 0)
                return PARSE_FAIL(p, where, "keyData", "not base64");
        /* EVP_DecodeBlock() counts the padding as zero bytes. */
        while (pad < 2 && s[n - 1 - pad] == '=')
                pad++;
        r->n_key_data = (size_t) k - pad;
        return 0;
}

static int parse_keys(Parse *p, json_object *o, const char *where, PolicyRequirement *r) {
        json_object *v;
        const char *s;
        int r2, sources = 0;

        r2 = get_string(p, o, where, "keyType", true, &s);
        if (r2 < 0)
                return r2;
        if (!streq(s, "GPGKeys"))
                return PARSE_FAIL(p, where, "keyType", "'%.64s' is not supported (only GPGKeys)", s);
        r2 = get_string(p, o, where, "keyPath", false, &s);
        if (r2 < 0)
                return r2;
        if (s) {
                sources++;
                r2 = parse_key_path(p, where, "keyPath", s, &r->key_paths);
                if (r2 < 0)
                        return r2;
        }
        if (json_object_object_get_ex(o, "keyPaths", &v)) {
                size_t n;

                sources++;
                if (!json_object_is_type(v, json_type_array))
                        return PARSE_FAIL(p, where, "keyPaths", "not an array");
                n = json_object_array_length(v);
                if (n == 0 || n > IMAGE_POLICY_KEY_PATHS_MAX)
                        return PARSE_FAIL(p, where, "keyPaths", "must name 1 to %u files", IMAGE_POLICY_KEY_PATHS_MAX);
                for (size_t i = 0; i < n; i++) {
                        json_object *e = json_object_array_get_idx(v, i);

                        if (!json_object_is_type(e, json_type_string))
                                return PARSE_FAIL(p, where, "keyPaths", "element %zu is not a string", i);
                        r2 = parse_key_path(p, where, "keyPaths", json_object_get_string(e), &r->key_paths);
                        if (r2 < 0)
                                return r2;
                }
        }
        r2 = get_string(p, o, where, "keyData", false, &s);
        if (r2 < 0)
                return r2;
        if (s) {
                sources++;
                r2 = decode_key_data(p, where, s, r);
                if (r2 < 0)
                        return r2;
        }
        if (sources != 1)
                return PARSE_FAIL(p, where, "", "signedBy needs exactly one of keyPath, keyPaths and keyData");
        return 0;
}

/* remapIdentity's prefix and signedPrefix: host[:port][/namespace…] (a reference's leading part), no
 * tag or digest. */
static bool remap_prefix_is_valid(const char *s) {
        _cleanup_free_ char *probe = NULL;
        ImageRef parsed;
        bool ok;

        if (isempty(s) || strlen(s) > IMAGE_REF_MAX || strpbrk(s, "@*"))
                return false;
        /* s/x must read as a reference that names its registry (nothing docker.io/library/ added). */
        if (asprintf(&probe, "%s/x", s) < 0 || image_ref_parse(probe, &parsed) < 0)
                return false;
        ok = streq(parsed.repository, probe);
        image_ref_done(&parsed);
        return ok;
}

static int parse_identity(Parse *p, json_object *o, const char *where, PolicyRequirement *r) {
        static const char *const none[] = { "type", NULL }, *const ref[] = { "type", "dockerReference", NULL },
                                 *const repo[] = { "type", "dockerRepository", NULL },
                                 *const remap[] = { "type", "prefix", "signedPrefix", NULL };
        _cleanup_free_ char *w = NULL;
        const char *s, *arg;
        int k;

        if (asprintf(&w, "%s.signedIdentity", where) < 0)
                return -ENOMEM;
        if (!json_object_is_type(o, json_type_object))
                return PARSE_FAIL(p, w, "", "not an object");
        k = get_string(p, o, w, "type", true, &s);
        if (k < 0)
                return k;
        r->identity = policy_identity_type_from_string(s);
        switch (r->identity) {
        case POLICY_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT:
        case POLICY_IDENTITY_MATCH_EXACT:
        case POLICY_IDENTITY_MATCH_REPOSITORY:
                return check_keys(p, o, w, none);
        case POLICY_IDENTITY_EXACT_REFERENCE:
        case POLICY_IDENTITY_EXACT_REPOSITORY: {
                bool exact = r->identity == POLICY_IDENTITY_EXACT_REFERENCE;
                const char *key = exact ? "dockerReference" : "dockerRepository";
                ImageRef parsed;

                k = check_keys(p, o, w, exact ? ref : repo);
                if (k < 0)
                        return k;
                k = get_string(p, o, w, key, true, &arg);
                if (k < 0)
                        return k;
                if (image_ref_parse(arg, &parsed) < 0)
                        return PARSE_FAIL(p, w, key, "'%.200s' is not an image reference", arg);
                image_ref_done(&parsed);
                r->identity_reference = strdup(arg);
                return r->identity_reference ? 0 : -ENOMEM;
        }
        case POLICY_IDENTITY_REMAP_IDENTITY: {
                const char *signed_prefix;

                k = check_keys(p, o, w, remap);
                if (k < 0)
                        return k;
                k = get_string(p, o, w, "prefix", true, &arg);
                if (k < 0)
                        return k;
                k = get_string(p, o, w, "signedPrefix", true, &signed_prefix);
                if (k < 0)
                        return k;
                if (!remap_prefix_is_valid(arg))
                        return PARSE_FAIL(p, w, "prefix", "'%.200s' is not a registry[/namespace] prefix", arg);
                if (!remap_prefix_is_valid(signed_prefix))
                        return PARSE_FAIL(p, w, "signedPrefix", "'%.200s' is not a registry[/namespace] prefix",
                                          signed_prefix);
                r->identity_reference = strdup(arg);
                r->identity_signed_prefix = strdup(signed_prefix);
                return r->identity_reference && r->identity_signed_prefix ? 0 : -ENOMEM;
        }
        default:
                return PARSE_FAIL(p, w, "type", "unknown signedIdentity type '%.64s'", s);
        }
}

static int parse_requirement(Parse *p, json_object *o, const char *where, PolicyRequirement *r) {
        static const char *const plain[] = { "type", NULL },
                                 *const signed_by[] = { "type", "keyType", "keyPath", "keyPaths", "keyData",
                                                        "signedIdentity", NULL };
        json_object *v;
        const char *s;
        int k;

        if (!json_object_is_type(o, json_type_object))
                return PARSE_FAIL(p, where, "", "not an object");
        k = get_string(p, o, where, "type", true, &s);
        if (k < 0)
                return k;
        r->type = policy_requirement_type_from_string(s);
        switch (r->type) {
        case POLICY_INSECURE_ACCEPT_ANYTHING:
        case POLICY_REJECT:
                return check_keys(p, o, where, plain);
        case POLICY_SIGSTORE_SIGNED:
                return 0; /* not implemented: it refuses every image, whatever its keys say */
        case POLICY_SIGNED_BY:
                k = check_keys(p, o, where, signed_by);
                if (k < 0)
                        return k;
                k = parse_keys(p, o, where, r);
                if (k < 0)
                        return k;
                r->identity = POLICY_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT;
                if (json_object_object_get_ex(o, "signedIdentity", &v))
                        return parse_identity(p, v, where, r);
                return 0;
        default:
                return PARSE_FAIL(p, where, "type", "unknown requirement type '%.64s'", s);
        }
}

static int parse_requirements(Parse *p, json_object *o, const char *where, const char *scope, PolicyRequirements *ret) {
        PolicyRequirements l = {};
        size_t n;
        int k = 0;

        if (!json_object_is_type(o, json_type_array))
                return PARSE_FAIL(p, where, "", "not an array of requirements");
        n = json_object_array_length(o);
        if (n == 0 || n > IMAGE_POLICY_REQUIREMENTS_MAX)
                return PARSE_FAIL(p, where, "", "must hold 1 to %u requirements", IMAGE_POLICY_REQUIREMENTS_MAX);
        l.items = calloc(n, sizeof(PolicyRequirement));
        if (!l.items)
                return -ENOMEM;
        for (size_t i = 0; k >= 0 && i < n; i++) {
                _cleanup_free_ char *w = NULL;

                if (asprintf(&w, "%s[%zu]", where, i) < 0)
                        k = -ENOMEM;
                else
                        k = parse_requirement(p, json_object_array_get_idx(o, i), w, l.items + i);
                l.n_items++;
        }
        if (k >= 0 && scope && !(l.scope = strdup(scope)))
                k = -ENOMEM;
        if (k < 0) {
                requirements_done(&l);
                return k;
        }
        *ret = l;
        return 0;
}

/* A scope of the docker transport: "" (the transport's default), a *.domain wildcard, or a
 * registry[/namespace…][/repo][:tag|@digest] without control characters. */
static bool docker_scope_is_valid(const char *s) {
        if (strlen(s) > IMAGE_REF_MAX)
                return false;
        for (const char *c = s; *c; c++)
                if ((unsigned char) *c <= ' ' || *c == 0x7f)
                        return false;
        if (strneq(s, "*.", 2))
                return s[2] && !strpbrk(s + 2, "/*@");
        return !strchr(s, '*');
}

static int parse_transports(Parse *p, json_object *o, ImagePolicy *policy) {
        if (!json_object_is_type(o, json_type_object))
                return PARSE_FAIL(p, "transports", "", "not an object");
        json_object_object_foreach(o, transport, scopes) {
                bool docker = streq(transport, "docker");
                size_t n;

                if (strlen(transport) > 64 || !utf8_is_valid(transport))
                        return PARSE_FAIL(p, "transports", "", "a transport's name is not valid");
                if (!json_object_is_type(scopes, json_type_object))
                        return PARSE_FAIL(p, "transports", transport, "not an object of scopes");
                n = (size_t) json_object_object_length(scopes);
                if (n > IMAGE_POLICY_SCOPES_MAX)
                        return PARSE_FAIL(p, "transports", transport, "more than %u scopes", IMAGE_POLICY_SCOPES_MAX);
                if (docker) {
                        policy->docker = calloc(n, sizeof(PolicyRequirements));
                        if (n > 0 && !policy->docker)
                                return -ENOMEM;
                }
                json_object_object_foreach(scopes, scope, list) {
                        _cleanup_free_ char *w = NULL;
                        PolicyRequirements l = {};
                        int k;

                        if (docker && !docker_scope_is_valid(scope))
                                return PARSE_FAIL(p, "transports.docker", "", "'%.200s' is not a valid scope", scope);
                        if (!utf8_is_valid(scope) || strlen(scope) > 4096)
                                return PARSE_FAIL(p, "transports", transport, "a scope's name is not valid");
                        if (asprintf(&w, "transports.%s[\"%s\"]", transport, scope) < 0)
                                return -ENOMEM;
                        k = parse_requirements(p, list, w, scope, &l);
                        if (k < 0)
                                return k;
                        if (docker)
                                policy->docker[policy->n_docker++] = l;
                        else
                                requirements_done(&l);
                }
        }
        return 0;
}

int image_policy_parse(const char *data, size_t size, const char *path, ImagePolicy **ret, DrayError *error) {
        static const char *const top[] = { "default", "transports", NULL };
        _cleanup_(image_policy_freep) ImagePolicy *policy = NULL;
        _cleanup_json_ json_object *o = NULL;
        Parse p = { .path = path, .error = error };
        json_object *v;
        int r;

        if (size > IMAGE_POLICY_MAX)
                return dray_error_set(error, -EFBIG, "%s: larger than 1 MiB", path);
        r = image_json_parse(data, size, &o);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return dray_error_set(error, -EBADMSG, "%s: not a JSON object", path);
        policy = calloc(1, sizeof(ImagePolicy));
        if (!policy || !(policy->path = strdup(path)))
                return -ENOMEM;
        r = check_keys(&p, o, "(top level)", top);
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "default", &v))
                return dray_error_set(error, -EBADMSG, "%s: default: missing (containers-policy.json(5) requires it)",
                                        path);
        r = parse_requirements(&p, v, "default", NULL, &policy->fallback);
        if (r < 0)
                return r;
        if (json_object_object_get_ex(o, "transports", &v)) {
                r = parse_transports(&p, v, policy);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(policy);
        return 0;
}

int image_policy_load(const char *path, ImagePolicy **ret, DrayError *error) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = safe_read_file_at(AT_FDCWD, path, 0, IMAGE_POLICY_MAX, &data, &size);
        if (r == -ENOENT || r == -ENOMEM)
                return r;
        if (r < 0)
                return dray_error_set(error, r, "%s: cannot read: %s", path, safe_open_strerror(r));
        return image_policy_parse(data, size, path, ret, error);
}

int image_policy_load_default(ImagePolicy **ret, DrayError *error) {
        int r;

        r = image_policy_load(IMAGE_POLICY_FILE, ret, error);
        if (r != -ENOENT)
                return r;
        return image_policy_load(IMAGE_POLICY_FILE_CONTAINERS, ret, error);
}

/* ---- scopes --------------------------------------------------------------------------------------- */

int image_policy_scopes(const char *reference, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_(image_ref_done) ImageRef ref = {};
        _cleanup_free_ char *name = NULL, *host = NULL;
        char *slash, *dot;
        int r;

        r = image_ref_parse(reference, &ref);
        if (r < 0)
                return r;
        name = strdup(ref.repository);
        if (!name)
                return -ENOMEM;
        /* The repository, then each parent namespace, down to the registry. */
        for (;;) {
                r = strv_extend(&l, name);
                if (r < 0)
                        return r;
                slash = strrchr(name, '/');
                if (!slash)
                        break;
                *slash = 0;
        }
        /* Then *.example.com, *.com for the registry's host name, port dropped. */
        host = strndup(name, strcspn(name, ":"));
        if (!host)
                return -ENOMEM;
        for (char *h = host; (dot = strchr(h, '.')); h = dot + 1) {
                _cleanup_free_ char *w = NULL;

                if (asprintf(&w, "*%s", dot) < 0)
                        return -ENOMEM;
                r = strv_consume(&l, TAKE_PTR(w));
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static const PolicyRequirements *docker_scope(const ImagePolicy *p, const char *scope) {
        for (size_t i = 0; i < p->n_docker; i++)
                if (streq(p->docker[i].scope, scope))
                        return p->docker + i;
        return NULL;
}

const PolicyRequirements *image_policy_for(const ImagePolicy *p, const char *reference) {
        _cleanup_strv_free_ char **scopes = NULL;
        const PolicyRequirements *l;

        l = docker_scope(p, reference);
        if (l)
                return l;
        if (image_policy_scopes(reference, &scopes) >= 0)
                STRV_FOREACH(s, scopes) {
                        l = docker_scope(p, *s);
                        if (l)
                                return l;
                }
        l = docker_scope(p, "");
        return l ?: &p->fallback;
}

/* ---- signedIdentity ------------------------------------------------------------------------------- */

/* A reference parsed as docker's ParseNormalizedNamed() does: no default tag; *ret_name_only says
 * neither a tag nor a digest was given. */
static int parse_exact(const char *s, ImageRef *ret, bool *ret_name_only) {
        const char *slash = strrchr(s, '/');
        int r;

        r = image_ref_parse(s, ret);
        if (r < 0)
                return r;
        *ret_name_only = !strchr(s, '@') && !strchr(slash ? slash : s, ':');
        return 0;
}

static bool same_string(const ImageRef *a, const ImageRef *b) {
        _cleanup_free_ char *x = NULL, *y = NULL;

        return image_ref_format(a, &x) >= 0 && image_ref_format(b, &y) >= 0 && streq(x, y);
}

/* remapIdentity: reference with prefix replaced by signed_prefix when it starts with prefix followed
 * by the end, '/', ':' or '@' (so a/b does not match a/bc), as containers/image does; *ret NULL when
 * it does not. */
static int remap(const char *prefix, const char *signed_prefix, const char *reference, char **ret) {
        size_t n = strlen(prefix);

        *ret = NULL;
        if (!strneq(reference, prefix, n) || !strchr("/:@", reference[n]) || reference[n] == 0)
                return 0;
        return asprintf(ret, "%s%s", signed_prefix, reference + n) < 0 ? -ENOMEM : 0;
}

int policy_identity_matches(const PolicyRequirement *r, const char *reference, const char *signed_reference) {
        _cleanup_(image_ref_done) ImageRef intended = {}, signature = {};
        bool intended_name_only, signature_name_only;
        _cleanup_free_ char *remapped = NULL;
        const char *want = reference;
        int k;

        if (r->identity == POLICY_IDENTITY_EXACT_REFERENCE || r->identity == POLICY_IDENTITY_EXACT_REPOSITORY)
                want = r->identity_reference;
        if (r->identity == POLICY_IDENTITY_REMAP_IDENTITY) {
                k = remap(r->identity_reference, r->identity_signed_prefix, reference, &remapped);
                if (k < 0)
                        return k;
                want = remapped ?: reference;
        }
        if (parse_exact(want, &intended, &intended_name_only) < 0)
                return false;
        k = parse_exact(signed_reference, &signature, &signature_name_only);
        if (k < 0)
                return k;
        switch (r->identity) {
        case POLICY_IDENTITY_MATCH_REPO_DIGEST_OR_EXACT:
        case POLICY_IDENTITY_REMAP_IDENTITY:
                if (intended.tag)
                        return !signature_name_only && same_string(&intended, &signature);
                if (intended.digest)
                        return streq(intended.repository, signature.repository);
                return false;
        case POLICY_IDENTITY_MATCH_EXACT:
        case POLICY_IDENTITY_EXACT_REFERENCE:
                return !intended_name_only && !signature_name_only && same_string(&intended, &signature);
        case POLICY_IDENTITY_MATCH_REPOSITORY:
        case POLICY_IDENTITY_EXACT_REPOSITORY:
                return streq(intended.repository, signature.repository);
        default:
                return false;
        }
}
