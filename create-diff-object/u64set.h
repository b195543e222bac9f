/* SPDX-License-Identifier: GPL-2.0 */
/*
 * u64set.h - a set of 64-bit keys (addresses, section:offset places):
 * append, then u64set_seal() sorts once, then u64set_has() searches in
 * O(log n). Used by ibt.c and klp_ibt.c.
 */
#ifndef CDO_U64SET_H
#define CDO_U64SET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "log.h"

struct u64set {
	uint64_t *keys;
	size_t nr, cap;
};

static inline void u64set_add(struct u64set *set, uint64_t key)
{
	if (set->nr == set->cap) {
		set->cap = set->cap ? 2 * set->cap : 64;
		set->keys = xrealloc(set->keys, set->cap * sizeof(*set->keys));
	}
	set->keys[set->nr++] = key;
}

static inline int u64set_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static inline void u64set_seal(struct u64set *set)
{
	if (set->nr)
		qsort(set->keys, set->nr, sizeof(*set->keys), u64set_cmp);
}

static inline bool u64set_has(const struct u64set *set, uint64_t key)
{
	return set->nr && bsearch(&key, set->keys, set->nr, sizeof(key),
				  u64set_cmp);
}

static inline void u64set_free(struct u64set *set)
{
	free(set->keys);
	set->keys = NULL;
	set->nr = set->cap = 0;
}

#endif
