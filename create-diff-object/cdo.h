/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cdo.h - shared state and phases of create-diff-object.
 */
#ifndef CDO_CDO_H
#define CDO_CDO_H

#include "elf.h"
#include "log.h"
#include "lookup.h"

struct klp_record {
	struct section *dest;		/* output section */
	unsigned long offset;
	unsigned int type;
	long addend;
	unsigned long sympos;
	const char *objname;
	const char *name;
};

struct cdo {
	struct log_ctx log;
	const char *orig_path, *patched_path, *objname, *parent_path;
	const char *symvers_path, *modname, *output_path;
	const char *base;		/* basename of ORIG.o, for messages */
	bool explain;
	struct elf_file *orig, *patched, *out;
	struct parent *parent;
	struct symvers *symvers;
	const char *orig_file;		/* STT_FILE of the original object */
	struct klp_record *records;
	size_t nr_records;
	size_t nr_changed, nr_new;
	struct section **work;		/* include.c: sections to follow */
	size_t nr_work;
	struct special_ctx *special;	/* special.c: sizes, kept entries */
	struct log_defer release;	/* cdo_free() on an error exit */
	bool objtool_link;		/* --objtool-link: objtool runs on the module */
	struct ibt_seal *seal;		/* ibt.c: the parent's sealed functions */
};

/* correlate.c */
void cdo_prepare(struct elf_file *elf);
void cdo_correlate(struct cdo *cdo);
const char *kernel_name(const struct symbol *sym);
bool is_bundled(const struct symbol *sym);

/* markers.c */
void cdo_read_markers(struct cdo *cdo);
bool is_marker_section(const struct section *sec);
bool is_callback_section(const struct section *sec);

/* lines.c: is byte off of sec (code in [start, end)) a __LINE__ argument? */
bool is_line_argument(const struct section *sec, unsigned long start,
		      unsigned long end, unsigned long off);
/* Same contents, line-number fields (dynamic-debug lineno) aside. */
bool same_data_except_lines(const struct symbol *o, const struct symbol *p);

/* altcode.c: same code at the .altinstr_aux/.altinstr_replacement targets */
bool is_alt_code_section(const struct section *sec);
bool same_alt_code(const struct section *obase, const struct rela *ro,
		   const struct section *pbase, const struct rela *rp);

/* namespaces.c: .modinfo import_ns= for namespaced exports OUTPUT.o uses */
void output_import_namespaces(struct cdo *cdo, struct elf_file *out);

/* compare.c */
void cdo_compare(struct cdo *cdo);

/* decide.c: sym->change, cdo->nr_changed / nr_new */
void cdo_decide(struct cdo *cdo);
bool is_changed_function(const struct symbol *sym);

/* refuse.c */
void cdo_check_refusals(struct cdo *cdo);

/* include.c */
void cdo_include(struct cdo *cdo);
bool is_internal_target(const struct symbol *sym);
bool is_output_section(const struct section *sec);
bool is_output_symbol(const struct symbol *sym);

/* special.c (what each special section is: special_table.h) */
struct special_kind;
bool is_special_section(const struct section *sec);
void special_init(struct cdo *cdo);
void special_free(struct cdo *cdo);
size_t special_entry_size(const struct cdo *cdo, const char *name);
bool is_dropped_section(const struct section *sec);
void special_prepare(struct cdo *cdo);
/* A kept entry's relocations: sec->rela->relas[first, end) */
struct special_edge {
	struct section *sec;
	size_t first, end;
};
/* Where special_next_entry() is in a round (zeroed at its start). */
struct special_cursor {
	size_t s, e;
	bool entered;		/* state s: the size check is done */
};
bool special_next_entry(struct cdo *cdo, struct special_cursor *cur,
			struct special_edge *edge);
void special_finish(struct cdo *cdo);
/* Offset in OUTPUT.o of byte off of sec; false: its entry is left out. */
bool special_out_offset(const struct cdo *cdo, const struct section *sec,
			unsigned long off, unsigned long *out);
/* The kept entries of special section sec (malloc'd, *size), or NULL. */
unsigned char *special_kept_data(const struct cdo *cdo,
				 const struct section *sec, size_t *size);
bool is_key_section(const struct section *sec);
struct symbol *special_entry_owner(const struct special_kind *k,
				   const struct section *sec, size_t size,
				   size_t e, unsigned long *off);

/* ibt.c */
struct reach;
bool ibt_is_objtool_section(const struct section *sec);
void ibt_prepare(struct cdo *cdo, struct elf_file *elf);
void ibt_resolve_rela(struct cdo *cdo, const struct section *sec,
		      const struct rela *rela, struct reach *reach);
void ibt_free(struct cdo *cdo);

/* resolve.c */
void cdo_resolve(struct cdo *cdo);

/* output.c */
void cdo_output(struct cdo *cdo);

#endif
