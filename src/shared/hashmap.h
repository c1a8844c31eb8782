/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macros.h"

/* A small hash table keyed by NUL-terminated strings. Keys are borrowed: the caller keeps each key
 * alive (typically a field of the value) for as long as the entry exists. The hash is seeded from the
 * kernel's RNG so that chosen keys cannot degrade it into a list. */
typedef struct Hashmap Hashmap;

typedef struct HashmapIter {
        size_t bucket;
        void *next;
} HashmapIter;

Hashmap *hashmap_new(void);
Hashmap *hashmap_free(Hashmap *h); /* frees the table, not the values */
DEFINE_TRIVIAL_CLEANUP_FUNC(Hashmap *, hashmap_free);

/* -EEXIST if key is present already (the table is unchanged), -ENOMEM. */
int hashmap_put(Hashmap *h, const char *key, void *value);
void *hashmap_get(const Hashmap *h, const char *key);
/* Returns the removed value, or NULL. */
void *hashmap_remove(Hashmap *h, const char *key);
size_t hashmap_size(const Hashmap *h);

/* Iteration in no particular order. Removing the entry just returned is allowed; any other change to
 * the table during an iteration is not. */
bool hashmap_iterate(const Hashmap *h, HashmapIter *i, void **ret_value, const char **ret_key);

#define HASHMAP_ITER_INIT ((HashmapIter) {})
#define HASHMAP_FOREACH(v, h)                                                                    \
        for (HashmapIter _hi = HASHMAP_ITER_INIT; hashmap_iterate((h), &_hi, (void **) &(v), NULL);)
