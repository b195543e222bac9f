/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hash.h - a small chained hash table keyed by strings.
 *
 * Every lookup of create-diff-object (symbols and sections by name,
 * parent symbols by name) goes through this table so that the work stays
 * linear in the size of the inputs.
 */
#ifndef CDO_HASH_H
#define CDO_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct hash_node {
	struct hash_node *next;
	uint64_t hash;
	const char *key;
	void *value;
};

struct hash_slab;

struct hash_table {
	struct hash_node **buckets;
	size_t nr_buckets;
	size_t count;
	struct hash_slab *slab;	/* where the nodes live */
};

uint64_t hash_string(const char *s);

void hash_init(struct hash_table *table, size_t expected);
void hash_free(struct hash_table *table);

/* Add a (key, value) pair; duplicate keys are allowed (multi-map). */
void hash_add(struct hash_table *table, const char *key, void *value);

/* First value stored under key, or NULL. */
void *hash_find(const struct hash_table *table, const char *key);

/*
 * Iterate all values stored under key: start with node = NULL; returns the
 * next matching node or NULL at the end.
 */
struct hash_node *hash_next(const struct hash_table *table, const char *key,
			    struct hash_node *node);

/* Number of values stored under key. */
size_t hash_count(const struct hash_table *table, const char *key);

/*
 * A string table under construction: every string once, at a stable
 * offset. With a leading NUL, "" is offset 0 (ELF .strtab/.shstrtab).
 */
struct strpool {
	char *buf;
	size_t len, cap;
	bool leading_nul;
	struct hash_table offsets;	/* key: in buf, value: offset + 1 */
};

void strpool_init(struct strpool *pool, bool leading_nul);
size_t strpool_add(struct strpool *pool, const char *s);
/* Hand over the buffer (its length in *len) and free the rest. */
char *strpool_take(struct strpool *pool, size_t *len);

#endif
