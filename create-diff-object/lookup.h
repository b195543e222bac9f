/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lookup.h - symbols of the running kernel: the parent object's symbol table
 * (vmlinux or a module .ko) with its STT_FILE blocks, and Module.symvers.
 */
#ifndef CDO_LOOKUP_H
#define CDO_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "hash.h"
#include "log.h"

struct parent_symbol {
	char *name;
	unsigned long addr;
	size_t index;
	int block;		/* STT_FILE block of a local, -1 for globals */
	unsigned char bind, type;
	bool listed;		/* counted by the kernel's kallsyms */
	bool in_init;		/* module symbol in an .init* section */
};

struct parent_block {
	const char *file;
	size_t first, last;	/* symbol index range */
};

struct parent {
	char *path;
	bool is_module;
	bool from_text;			/* read from readelf -s text */
	char *kernel_release;		/* kernel release, from .modinfo or the path */
	char *stripped_advice;		/* parent_stripped_advice() */
	struct parent_symbol *syms;
	size_t nr_syms;
	struct parent_block *blocks;
	size_t nr_blocks;
	struct hash_table by_name;
	/*
	 * parent_lookup(): how well each block matches each source file of
	 * the original object (an `ld -r` of several has one STT_FILE each)
	 */
	struct hash_table scores_by_file;	/* file -> struct file_scores */
	struct file_scores **file_scores;
	size_t nr_file_scores;
	/* while parent_read() runs */
	void *handle;
	int fd;
	void *text;			/* FILE * of a readelf -s text parent */
	char *text_line;
	struct parent_sections *secs;
	struct log_defer release;
};

struct symvers {
	struct hash_table by_name;	/* name -> module name ("vmlinux") */
	struct hash_table ns_by_name;	/* name -> symbol namespace */
	char **lines;
	size_t nr_lines;
	char **namespaces;		/* owned by ns_by_name's values */
	size_t nr_namespaces;
	void *file;			/* FILE * while symvers_read() runs */
	char *line;
	struct log_defer release;
};

struct parent *parent_read(const char *path);
/* parent_text.c: PARENT_ELF given as `readelf -s --wide` text */
bool parent_is_text(const char *path);
void parent_read_text(struct parent *parent, const char *path);
void parent_free(struct parent *parent);

struct symvers *symvers_read(const char *path);
void symvers_free(struct symvers *sv);
/* "vmlinux", a module name (dashes as underscores), or NULL */
const char *symvers_owner(const struct symvers *sv, const char *name);
/* The namespace of an EXPORT_SYMBOL_NS export, or NULL */
const char *symvers_namespace(const struct symvers *sv, const char *name);

/*
 * Find a symbol in the parent. Locals are searched in the STT_FILE block
 * chosen for orig_file, the source file of the original object the symbol
 * comes from (its name and the local symbols the object has from it);
 * returns false with *why set when not found or ambiguous.
 */
struct elf_file;
bool parent_lookup(struct parent *parent, struct elf_file *orig,
		   const char *orig_file, const char *name, bool local,
		   unsigned long *sympos, const char **why);
/* Binding of the global symbol name in the parent, or -1 if none. */
int parent_global_bind(struct parent *parent, const char *name);
/* *why of parent_lookup(), to compare with for advice */
extern const char parent_why_no_global[];	/* global not in the parent */
extern const char parent_why_ambiguous[];	/* several STT_FILE blocks */
extern const char parent_why_in_init[];	/* it is in a module .init* */
extern const char parent_why_init_clash[];	/* same name in a module .init* */
extern const char parent_why_stripped[];	/* no STT_FILE symbols at all */
/* What to do about a stripped parent: which file with symbols to give */
const char *parent_stripped_advice(struct parent *parent);

#endif
