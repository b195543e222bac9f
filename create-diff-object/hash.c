// SPDX-License-Identifier: GPL-2.0
/*
 * hash.c - chained hash table with FNV-1a hashing.
 *
 * Each bucket is a circular singly linked list and the bucket pointer is
 * its TAIL (tail->next is the head): appending is O(1) and iteration still
 * sees the values of one key in insertion order, even for many duplicates.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "log.h"

uint64_t hash_string(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void hash_init(struct hash_table *table, size_t expected)
{
	size_t n = 64;

	while (n < expected * 2)
		n <<= 1;
	table->nr_buckets = n;
	table->count = 0;
	table->buckets = xcalloc(n, sizeof(*table->buckets));
	table->slab = NULL;
}

/* Next node of bucket b after node (NULL: from the head); NULL at the end. */
static struct hash_node *bucket_next(struct hash_node *const *buckets,
				     size_t b, struct hash_node *node)
{
	struct hash_node *tail = buckets[b];

	if (!tail || node == tail)
		return NULL;
	return node ? node->next : tail->next;
}

static void bucket_append(struct hash_node **buckets, size_t b,
			  struct hash_node *node)
{
	struct hash_node *tail = buckets[b];

	if (tail) {
		node->next = tail->next;
		tail->next = node;
	} else {
		node->next = node;
	}
	buckets[b] = node;
}

/* Nodes are carved from slabs owned by the table, freed all at once. */
struct hash_slab {
	struct hash_slab *prev;
	size_t used, cap;
	struct hash_node nodes[];
};

static struct hash_node *new_node(struct hash_table *table)
{
	struct hash_slab *slab = table->slab;

	if (!slab || slab->used == slab->cap) {
		size_t cap = slab ? slab->cap * 2 : 64;

		slab = xmalloc(sizeof(*slab) + cap * sizeof(slab->nodes[0]));
		slab->prev = table->slab;
		slab->used = 0;
		slab->cap = cap;
		table->slab = slab;
	}
	return &slab->nodes[slab->used++];
}

void hash_free(struct hash_table *table)
{
	while (table->slab) {
		struct hash_slab *prev = table->slab->prev;

		free(table->slab);
		table->slab = prev;
	}
	free(table->buckets);
	table->buckets = NULL;
	table->nr_buckets = 0;
	table->count = 0;
}

static void hash_grow(struct hash_table *table)
{
	size_t n = table->nr_buckets * 2, i;
	struct hash_node **buckets = xcalloc(n, sizeof(*buckets));

	for (i = 0; i < table->nr_buckets; i++) {
		struct hash_node *node = bucket_next(table->buckets, i, NULL);

		while (node) {
			struct hash_node *next = bucket_next(table->buckets,
							     i, node);

			bucket_append(buckets, node->hash & (n - 1), node);
			node = next;
		}
	}
	free(table->buckets);
	table->buckets = buckets;
	table->nr_buckets = n;
}

static void hash_insert(struct hash_table *table, struct hash_node *node)
{
	if (!table->buckets)
		hash_init(table, 0);
	if (table->count >= table->nr_buckets)
		hash_grow(table);
	bucket_append(table->buckets, node->hash & (table->nr_buckets - 1),
		      node);
	table->count++;
}

void hash_add(struct hash_table *table, const char *key, void *value)
{
	struct hash_node *node = new_node(table);

	node->hash = hash_string(key);
	node->key = key;
	node->value = value;
	hash_insert(table, node);
}

struct hash_node *hash_next(const struct hash_table *table, const char *key,
			    struct hash_node *node)
{
	uint64_t h;
	size_t b;

	if (!table->buckets)
		return NULL;
	h = node ? node->hash : hash_string(key);
	b = h & (table->nr_buckets - 1);
	while ((node = bucket_next(table->buckets, b, node)))
		if (node->hash == h && !strcmp(node->key, key))
			return node;
	return NULL;
}

void *hash_find(const struct hash_table *table, const char *key)
{
	struct hash_node *node = hash_next(table, key, NULL);

	return node ? node->value : NULL;
}

size_t hash_count(const struct hash_table *table, const char *key)
{
	struct hash_node *node = NULL;
	size_t n = 0;

	while ((node = hash_next(table, key, node)))
		n++;
	return n;
}

void strpool_init(struct strpool *pool, bool leading_nul)
{
	*pool = (struct strpool){ .leading_nul = leading_nul };
	pool->cap = 256;
	pool->buf = xcalloc(1, pool->cap);
	pool->len = leading_nul ? 1 : 0;
	hash_init(&pool->offsets, 64);
}

/* The keys point into buf: index the strings again after it moved. */
static void strpool_reindex(struct strpool *pool)
{
	size_t off = pool->leading_nul ? 1 : 0;

	hash_free(&pool->offsets);
	hash_init(&pool->offsets, pool->len / 8);
	while (off < pool->len) {
		hash_add(&pool->offsets, pool->buf + off, (void *)(off + 1));
		off += strlen(pool->buf + off) + 1;
	}
}

size_t strpool_add(struct strpool *pool, const char *s)
{
	size_t n = strlen(s) + 1, off;
	void *v;

	if (!*s && pool->leading_nul)
		return 0;
	v = hash_find(&pool->offsets, s);
	if (v)
		return (size_t)v - 1;
	if (pool->len + n > pool->cap) {
		pool->cap = (pool->len + n) * 2;
		pool->buf = xrealloc(pool->buf, pool->cap);
		strpool_reindex(pool);
	}
	off = pool->len;
	memcpy(pool->buf + off, s, n);
	pool->len += n;
	hash_add(&pool->offsets, pool->buf + off, (void *)(off + 1));
	return off;
}

char *strpool_take(struct strpool *pool, size_t *len)
{
	char *buf = pool->buf;

	*len = pool->len;
	hash_free(&pool->offsets);
	*pool = (struct strpool){ 0 };
	return buf;
}
