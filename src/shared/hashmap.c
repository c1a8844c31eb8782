/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/random.h>

#include "hashmap.h"

typedef struct Entry {
        struct Entry *next;
        const char *key;
        void *value;
        uint64_t hash;
} Entry;

struct Hashmap {
        Entry **buckets;
        size_t n_buckets; /* a power of two */
        size_t n_entries;
        uint64_t seed;
};

#define INITIAL_BUCKETS 16U

/* FNV-1a over the key, mixed with a per-table random seed and finalised with a 64-bit mixer so the
 * low bits (the bucket index) depend on every input byte. */
static uint64_t hash_string(uint64_t seed, const char *s) {
        uint64_t h = UINT64_C(0xcbf29ce484222325) ^ seed;

        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= UINT64_C(0x100000001b3);
        }
        h ^= h >> 33;
        h *= UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 33;
        h *= UINT64_C(0xc4ceb9fe1a85ec53);
        h ^= h >> 33;
        return h;
}

Hashmap *hashmap_new(void) {
        Hashmap *h = calloc(1, sizeof(Hashmap));

        if (!h)
                return NULL;
        h->buckets = calloc(INITIAL_BUCKETS, sizeof(Entry *));
        if (!h->buckets) {
                free(h);
                return NULL;
        }
        h->n_buckets = INITIAL_BUCKETS;
        if (getrandom(&h->seed, sizeof(h->seed), GRND_NONBLOCK) != sizeof(h->seed))
                h->seed = (uint64_t) (uintptr_t) h ^ UINT64_C(0x9e3779b97f4a7c15);
        return h;
}

Hashmap *hashmap_free(Hashmap *h) {
        if (!h)
                return NULL;
        for (size_t i = 0; i < h->n_buckets; i++)
                for (Entry *e = h->buckets[i], *n; e; e = n) {
                        n = e->next;
                        free(e);
                }
        free(h->buckets);
        free(h);
        return NULL;
}

static Entry **find_slot(const Hashmap *h, const char *key, uint64_t hash) {
        Entry **p = &h->buckets[hash & (h->n_buckets - 1)];

        for (; *p; p = &(*p)->next)
                if ((*p)->hash == hash && streq((*p)->key, key))
                        return p;
        return p;
}

static void grow(Hashmap *h) {
        size_t n = h->n_buckets * 2;
        Entry **b;

        if (n < h->n_buckets || n > SIZE_MAX / sizeof(Entry *))
                return;
        b = calloc(n, sizeof(Entry *));
        if (!b)
                return; /* keep working with longer chains */
        for (size_t i = 0; i < h->n_buckets; i++)
                for (Entry *e = h->buckets[i], *next; e; e = next) {
                        next = e->next;
                        e->next = b[e->hash & (n - 1)];
                        b[e->hash & (n - 1)] = e;
                }
        free(h->buckets);
        h->buckets = b;
        h->n_buckets = n;
}

int hashmap_put(Hashmap *h, const char *key, void *value) {
        uint64_t hash = hash_string(h->seed, key);
        Entry **p = find_slot(h, key, hash), *e;

        if (*p)
                return -EEXIST;
        e = malloc(sizeof(Entry));
        if (!e)
                return -ENOMEM;
        *e = (Entry) { .key = key, .value = value, .hash = hash };
        *p = e;
        h->n_entries++;
        if (h->n_entries > h->n_buckets)
                grow(h);
        return 0;
}

void *hashmap_get(const Hashmap *h, const char *key) {
        Entry **p;

        if (!h || !key)
                return NULL;
        p = find_slot(h, key, hash_string(h->seed, key));
        return *p ? (*p)->value : NULL;
}

void *hashmap_remove(Hashmap *h, const char *key) {
        Entry **p, *e;
        void *v;

        if (!h || !key)
                return NULL;
        p = find_slot(h, key, hash_string(h->seed, key));
        e = *p;
        if (!e)
                return NULL;
        *p = e->next;
        v = e->value;
        free(e);
        h->n_entries--;
        return v;
}

size_t hashmap_size(const Hashmap *h) {
        return h ? h->n_entries : 0;
}

bool hashmap_iterate(const Hashmap *h, HashmapIter *i, void **ret_value, const char **ret_key) {
        Entry *e = i->next;

        if (!h)
                return false;
        /* i->next is the entry after the one returned last, so removing that one is safe. */
        while (!e) {
                if (i->bucket >= h->n_buckets)
                        return false;
                e = h->buckets[i->bucket++];
        }
        i->next = e->next;
        if (ret_value)
                *ret_value = e->value;
        if (ret_key)
                *ret_key = e->key;
        return true;
}
