/* SPDX-License-Identifier: GPL-2.0 */
/*
 * special_table.h - what create-diff-object knows about each x86_64 special
 * section, in one table (special_table.c). compare.c, special.c, include.c,
 * ibt.c and altcode.c read it; `kpatch-dump --special-table` prints it, and
 * kpatch-build and the tests take section names and sizes from there.
 */
#ifndef CDO_SPECIAL_TABLE_H
#define CDO_SPECIAL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* No such field in the entry. */
#define SPECIAL_NONE		(-1)
/* Widths of the fields whose bytes are read or bounded (else relocations). */
#define SPECIAL_REPL_WIDTH	4	/* s32 repl_offset */
#define SPECIAL_LEN_WIDTH	1	/* u8 replacementlen */
#define SPECIAL_LINE_WIDTH	2	/* unsigned short line */

/* What an entry belongs to: the function whose entries are kept and compared. */
enum special_owner {
	OWNER_CODE,	/* the function its code field points into */
	OWNER_PRINTK,	/* code field -> struct pi_entry; its func names the function */
	OWNER_ORC_IP,	/* .orc_unwind: entry i goes with .orc_unwind_ip entry i */
};

/* flags of struct special_kind */
#define SPECIAL_KEEP		(1u << 0)	/* entries of included code kept (special.c) */
#define SPECIAL_COMPARED	(1u << 1)	/* a changed entry changes its owner (compare.c) */
#define SPECIAL_OBJTOOL		(1u << 2)	/* written by objtool: left out with --objtool-link (ibt.c) */
#define SPECIAL_KEY		(1u << 3)	/* key field: jump-label / static-call key (klp.c) */
#define SPECIAL_ANNOTATION	(1u << 4)	/* objtool's annotation: special only with --objtool-link */

/*
 * One special section. Field offsets are those of the Linux 6.1 x86_64
 * layout (size); a field is read only when it lies inside an entry at least
 * that big (the entry size in use may come from the kernel's headers).
 */
struct special_kind {
	const char *name;	/* section name */
	unsigned short size;	/* entry size, Linux 6.1 x86_64 */
	const char *env;	/* kpatch's size variable (BUG_STRUCT_SIZE), or NULL */
	const char *probe;	/* name kmod/probe/kpatch-sizes.c prints, or NULL */
	short code;		/* the code the entry describes */
	short repl;		/* replacement code (alternatives) */
	const char *repl_sec;	/* the section repl points into, or NULL */
	short len;		/* replacement length, SPECIAL_LEN_WIDTH bytes */
	short key;		/* jump-label / static-call key */
	short line;		/* __LINE__, SPECIAL_LINE_WIDTH bytes: never compared */
	enum special_owner owner;
	unsigned int flags;
};

extern const struct special_kind special_kinds[];
extern const size_t nr_special_kinds;

/* The row for section name (any flags), or NULL. */
const struct special_kind *special_kind(const char *name);
/* The row of a section whose entries are kept (SPECIAL_KEEP), or NULL. */
const struct special_kind *special_kept_kind(const char *name);
/* Does field off (width bytes) lie inside an entry of size bytes? */
bool special_field_in(const struct special_kind *k, short off, size_t width,
		      size_t size);
/* "probe", "env" or "fixed": where kpatch-build gets the entry size. */
const char *special_size_from(const struct special_kind *k);

/* kpatch-dump --special-table: one "special ..." line per row. */
void special_table_print(FILE *f);
/*
 * kpatch-dump --special-sizes PROBE.s: the size probe's "->NAME SIZE" lines
 * as KPATCH_SPECIAL_SIZES ("__bug_table=12,.altinstructions=12,..."),
 * in the probe's order. Malloc'd; "" when the probe printed none.
 */
char *special_sizes_from_probe(const char *path);

#endif
