/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* containers-registries.d(5): the lookaside locations of simple-signing signatures. The YAML is read
 * with libyaml's document loader (aliases are node references there, not copies, so an alias bomb
 * costs nothing), and only the keys the format defines are accepted. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "image-lookaside.h"
#include "image-policy.h"
#include "image-ref.h"
#include "safe-open.h"
#include "strv.h"
#include "utf8.h"

static bool streq_ptr(const char *a, const char *b) {
        return a && b ? streq(a, b) : a == b;
}

static bool endswith_slash(const char *s) {
        return *s && s[strlen(s) - 1] == '/';
}

static void entry_done(LookasideEntry *e) {
        free(e->scope);
        free(e->read);
        free(e->write);
        free(e->file);
}

LookasideConfig *lookaside_config_free(LookasideConfig *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_entries; i++)
                entry_done(c->entries + i);
        free(c->entries);
        free(c);
        return NULL;
}

static const char *scalar(yaml_document_t *doc, int id) {
        yaml_node_t *n = yaml_document_get_node(doc, id);

        if (!n || n->type != YAML_SCALAR_NODE || strlen((const char *) n->data.scalar.value) != n->data.scalar.length)
                return NULL;
        return (const char *) n->data.scalar.value;
}

static bool url_is_valid(const char *url) {
        if (strlen(url) > 4096 || !utf8_is_valid(url))
                return false;
        for (const char *c = url; *c; c++)
                if ((unsigned char) *c <= ' ' || *c == 0x7f)
                        return false;
        return strneq(url, "file:///", 8) || strneq(url, "http://", 7) || strneq(url, "https://", 8);
}

/* One namespace's mapping: lookaside, lookaside-staging, their old names, use-sigstore-attachments. */
static int parse_namespace(yaml_document_t *doc, yaml_node_t *n, const char *path, const char *where,
                           LookasideEntry *e, DrayError *error) {
        if (n->type == YAML_SCALAR_NODE && isempty((const char *) n->data.scalar.value))
                return 0; /* "docker: {host: }": nothing configured */
        if (n->type != YAML_MAPPING_NODE)
                return dray_error_set(error, -EBADMSG, "%s: %s: not a mapping", path, where);
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
                const char *k = scalar(doc, p->key), *v = scalar(doc, p->value);
                char **slot;

                if (!k)
                        return dray_error_set(error, -EBADMSG, "%s: %s: a key is not a string", path, where);
                if (streq(k, "use-sigstore-attachments"))
                        continue; /* signatures as registry attachments: not read by dray */
                if (streq(k, "lookaside") || streq(k, "sigstore"))
                        slot = &e->read;
                else if (streq(k, "lookaside-staging") || streq(k, "sigstore-staging"))
                        slot = &e->write;
                else
                        return dray_error_set(error, -EBADMSG, "%s: %s: unknown key '%.64s'", path, where, k);
                if (!v || !url_is_valid(v))
                        return dray_error_set(error, -EBADMSG, "%s: %s.%s: not a file:, http: or https: URL", path,
                                                where, k);
                /* The new name wins over the old one, as in containers/image. */
                if (*slot && (streq(k, "sigstore") || streq(k, "sigstore-staging")))
                        continue;
                free(*slot);
                *slot = strdup(v);
                if (!*slot)
                        return -ENOMEM;
        }
        return 0;
}

static int add_entry(LookasideConfig *c, const char *scope, const char *path, int dir, LookasideEntry **ret,
                     DrayError *error) {
        LookasideEntry *n;

        for (size_t i = 0; i < c->n_entries; i++) {
                LookasideEntry *e = c->entries + i;

                if (e->dir != dir || !streq_ptr(e->scope, scope))
                        continue;
                return dray_error_set(error, -EBADMSG, "%s: '%.200s' is configured in %s too", path,
                                        scope ?: "default-docker", e->file);
        }
        if (c->n_entries >= LOOKASIDE_SCOPES_MAX)
                return dray_error_set(error, -EBADMSG, "%s: more than %u scopes in all", path, LOOKASIDE_SCOPES_MAX);
        n = reallocarray(c->entries, c->n_entries + 1, sizeof(LookasideEntry));
        if (!n)
                return -ENOMEM;
        c->entries = n;
        n = c->entries + c->n_entries;
        *n = (LookasideEntry) { .dir = dir };
        c->n_entries++;
        if ((scope && !(n->scope = strdup(scope))) || !(n->file = strdup(path)))
                return -ENOMEM;
        *ret = n;
        return 0;
}

static int parse_document(LookasideConfig *c, yaml_document_t *doc, const char *path, int dir, DrayError *error) {
        yaml_node_t *root = yaml_document_get_root_node(doc);
        LookasideEntry *e;
        int r;

        if (!root || (root->type == YAML_SCALAR_NODE && isempty((const char *) root->data.scalar.value)))
                return 0;
        if (root->type != YAML_MAPPING_NODE)
                return dray_error_set(error, -EBADMSG, "%s: not a YAML mapping", path);
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
                const char *k = scalar(doc, p->key);
                yaml_node_t *v = yaml_document_get_node(doc, p->value);

                if (!k || !v)
                        return dray_error_set(error, -EBADMSG, "%s: a top-level key is not a string", path);
                if (streq(k, "default-docker")) {
                        r = add_entry(c, NULL, path, dir, &e, error);
                        if (r < 0)
                                return r;
                        r = parse_namespace(doc, v, path, k, e, error);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!streq(k, "docker"))
                        return dray_error_set(error, -EBADMSG, "%s: unknown key '%.64s'", path, k);
                if (v->type != YAML_MAPPING_NODE)
                        return dray_error_set(error, -EBADMSG, "%s: docker: not a mapping", path);
                for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
                        const char *scope = scalar(doc, q->key);
                        yaml_node_t *ns = yaml_document_get_node(doc, q->value);
                        _cleanup_free_ char *where = NULL;

                        if (!scope || !ns || isempty(scope) || strlen(scope) > IMAGE_REF_MAX || strpbrk(scope, " \t\r\n"))
                                return dray_error_set(error, -EBADMSG, "%s: docker: a scope is not valid", path);
                        if (asprintf(&where, "docker.%s", scope) < 0)
                                return -ENOMEM;
                        r = add_entry(c, scope, path, dir, &e, error);
                        if (r < 0)
                                return r;
                        r = parse_namespace(doc, ns, path, where, e, error);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int lookaside_config_parse(LookasideConfig *c, const char *data, size_t size, const char *path, int dir,
                           DrayError *error) {
        yaml_parser_t parser;
        yaml_document_t doc;
        int r;

        if (size > LOOKASIDE_FILE_MAX)
                return dray_error_set(error, -EFBIG, "%s: larger than 1 MiB", path);
        if (!utf8_is_valid_n(data, size))
                return dray_error_set(error, -EBADMSG, "%s: not UTF-8", path);
        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *) data, size);
        if (!yaml_parser_load(&parser, &doc)) {
                r = dray_error_set(error, -EBADMSG, "%s: not valid YAML (line %zu: %.100s)", path,
                                     parser.problem_mark.line + 1, strna(parser.problem));
                yaml_parser_delete(&parser);
                return r;
        }
        r = parse_document(c, &doc, path, dir, error);
        yaml_document_delete(&doc);
        yaml_parser_delete(&parser);
        return r;
}

static int filter_yaml(const struct dirent *d) {
        size_t n = strlen(d->d_name);

        return d->d_name[0] != '.' && n > 5 && streq(d->d_name + n - 5, ".yaml");
}

static int load_dir(LookasideConfig *c, const char *dir, int index, DrayError *error) {
        struct dirent **names = NULL;
        int n, r = 0;

        /* Sorted, so that which file an error names does not depend on the directory's order. */
        n = scandir(dir, &names, filter_yaml, alphasort);
        if (n < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : dray_error_set(error, -errno, "%s: %m", dir);
        if ((unsigned) n > LOOKASIDE_FILES_MAX)
                r = dray_error_set(error, -E2BIG, "%s: more than %u files", dir, LOOKASIDE_FILES_MAX);
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *path = NULL, *data = NULL;
                size_t size;

                if (r >= 0 && asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0)
                        r = -ENOMEM;
                if (r >= 0) {
                        r = safe_read_file_at(AT_FDCWD, path, 0, LOOKASIDE_FILE_MAX, &data, &size);
                        if (r < 0 && r != -ENOMEM)
                                r = dray_error_set(error, r, "%s: cannot read: %s", path, safe_open_strerror(r));
                }
                if (r >= 0)
                        r = lookaside_config_parse(c, data, size, path, index, error);
                free(names[i]);
        }
        free(names);
        return r;
}

int lookaside_config_load(LookasideConfig **ret, DrayError *error) {
        _cleanup_(lookaside_config_freep) LookasideConfig *c = calloc(1, sizeof(LookasideConfig));
        int r;

        if (!c)
                return -ENOMEM;
        r = load_dir(c, LOOKASIDE_DIR, 0, error);
        if (r < 0)
                return r;
        r = load_dir(c, LOOKASIDE_DIR_CONTAINERS, 1, error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

/* The URL configured for scope (NULL: default-docker), dray's directory first. */
static const char *find_url(const LookasideConfig *c, const char *scope, bool write) {
        for (int dir = 0; dir < 2; dir++)
                for (size_t i = 0; i < c->n_entries; i++) {
                        const LookasideEntry *e = c->entries + i;

                        if (e->dir != dir || !streq_ptr(e->scope, scope))
                                continue;
                        if (write && e->write)
                                return e->write;
                        if (e->read)
                                return e->read;
                }
        return NULL;
}

int lookaside_base_url(const LookasideConfig *c, const char *reference, bool write, char **ret) {
        _cleanup_strv_free_ char **scopes = NULL;
        _cleanup_(image_ref_done) ImageRef ref = {};
        const char *url, *slash;
        int r;

        r = image_ref_parse(reference, &ref);
        if (r < 0)
                return r;
        r = image_policy_scopes(reference, &scopes);
        if (r < 0)
                return r;
        url = find_url(c, reference, write);
        STRV_FOREACH(s, scopes) {
                if (url)
                        break;
                url = find_url(c, *s, write);
        }
        url = url ?: find_url(c, NULL, write);
        if (!url)
                return -ENOENT;
        slash = strchr(ref.repository, '/');
        assert(slash);
        return asprintf(ret, "%s%s%s", url, endswith_slash(url) ? "" : "/", slash + 1) < 0 ? -ENOMEM : 0;
}

int lookaside_signature_url(const char *base, const char *digest, unsigned index, char **ret) {
        if (!digest_is_valid(digest))
                return -EINVAL;
        return asprintf(ret, "%s@sha256=%s/signature-%u", base, digest_hex(digest), index) < 0 ? -ENOMEM : 0;
}

int lookaside_file_path(const char *url, char **ret) {
        char *p;

        if (!strneq(url, "file://", 7))
                return -EPROTONOSUPPORT;
        if (url[7] != '/' || strstr(url, "/../") || strpbrk(url, "?#%"))
                return -EINVAL;
        p = strdup(url + 7);
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}
