/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elf.h - in-memory model of a relocatable x86_64 ELF object.
 *
 * elf_read() loads sections, symbols and relocations and checks every index
 * and range so that the rest of the program can trust the model; elf_write()
 * builds a fresh object (new .symtab/.strtab/.shstrtab, rela sections
 * regenerated from the model) and renames it into place on success.
 */
#ifndef CDO_ELF_H
#define CDO_ELF_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>

#include "hash.h"
#include "log.h"

#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH	0x00100000
#endif
#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH		0xff20
#endif

enum change_status {
	ST_UNKNOWN = 0,
	ST_SAME,
	ST_CHANGED,
	ST_NEW,
};

/* What the patch does with a function (create-diff-object's decide.c). */
enum func_change {
	FUNC_UNCHANGED = 0,	/* not carried */
	FUNC_CHANGED,		/* replaced: a .kpatch.funcs entry */
	FUNC_NEW,		/* new code of the patch */
};

struct symbol;
struct insn;
struct reach;
struct insn_decoder;

struct rela {
	unsigned long offset;
	unsigned int type;
	long addend;
	struct symbol *sym;
	bool via_section;	/* the input named a section symbol (correlate.c) */
};

struct section {
	struct elf_file *elf;
	char *name;
	size_t index;		/* index in the input file (0 for new) */
	GElf_Shdr sh;
	unsigned char *data;	/* NULL for SHT_NOBITS */
	size_t size;
	bool data_owned;

	struct section *base;	/* rela section: the section it relocates */
	struct section *rela;	/* the rela section relocating this one */
	struct section *link;	/* section named by sh_link (not symtab) */
	struct rela *relas;	/* sorted by offset */
	size_t nr_relas;

	struct symbol *secsym;	/* STT_SECTION symbol */
	struct symbol *sym;	/* the function/object the section holds */
	struct symbol **syms;	/* function/object symbols, by value */
	size_t nr_syms;
	struct insn *insns;	/* text: decoded instructions (insn.h) */
	size_t nr_insns;
	bool insns_decoded;

	/* create-diff-object state */
	struct section *twin;
	enum change_status status;
	bool include;
	bool ignore;
	bool removed;		/* not written */
	bool partial;		/* only its included symbols are written */
	bool objtool_annotation; /* ibt.c: kept for objtool (--objtool-link) */
	size_t out_index;
	struct section *out;	/* copy in the output model */
	struct reach *reach;	/* per relocation of ->rela (resolve.c) */
};

struct symbol {
	char *name;
	size_t index;
	GElf_Sym sym;
	unsigned char bind, type;
	struct section *sec;	/* NULL: undefined, absolute or common */

	/* create-diff-object state */
	struct symbol *twin;
	struct symbol *parent;	/* .cold/.part child -> parent function */
	struct symbol *child;
	enum change_status status;
	enum func_change change;	/* decide.c, once */
	bool include;
	bool ignore;
	bool force;
	bool special_static;	/* never correlated, taken from patched */
	bool static_local;	/* name.N static variable */
	bool removed;
	size_t out_index;
	struct symbol *out;	/* copy in the output model */
	unsigned long new_value;	/* value in a partial section */
	char *file;		/* STT_FILE name of its block (locals) */
	struct symbol **referrers;	/* functions referencing this symbol */
	size_t nr_referrers;
	char *reason;		/* --explain: why it changed */
	bool klp_func;		/* has a .kpatch.funcs entry (resolve.c) */
	unsigned long sympos;	/*   at this kallsyms position */
};

struct elf_file {
	char *path;
	GElf_Ehdr ehdr;
	struct section **sections;	/* [0] is NULL */
	size_t nr_sections;
	struct symbol **symbols;	/* [0] is the null symbol */
	size_t nr_symbols;
	struct hash_table sec_by_name;
	struct hash_table sym_by_name;
	struct insn_decoder *decoder;	/* insn.c, created on first use */
	void *handle;			/* libelf descriptor (reading) */
	int fd;				/* -1: none */
	struct log_defer release;	/* elf_free() on an error exit */
};

/*
 * Iterate the sections / symbols of elf, skipping the null entry [0]; the
 * loop variable is declared by the macro. break and continue work.
 */
#define for_each_sec(elf, sec)						\
	for (struct section **__sec_p = (elf)->sections ?		\
	     (elf)->sections + 1 : NULL, *sec = NULL;			\
	     __sec_p && __sec_p < (elf)->sections + (elf)->nr_sections &&	\
	     ((sec) = *__sec_p, 1); __sec_p++)

#define for_each_sym(elf, sym)						\
	for (struct symbol **__sym_p = (elf)->symbols ?			\
	     (elf)->symbols + 1 : NULL, *sym = NULL;			\
	     __sym_p && __sym_p < (elf)->symbols + (elf)->nr_symbols &&	\
	     ((sym) = *__sym_p, 1); __sym_p++)

/* Iterate the relocations of a rela section, in offset order. */
#define for_each_rela(relasec, rela)					\
	for (struct rela *rela = (relasec)->relas;			\
	     rela && rela < (relasec)->relas + (relasec)->nr_relas; rela++)

struct elf_file *elf_read(const char *path);
/* Register a new elf_file to be freed on an error exit (elf_read, elf_new). */
void elf_own(struct elf_file *elf);
void elf_free(struct elf_file *elf);

/* Write the model to path (via path.tmp, renamed on success). */
void elf_write(struct elf_file *elf, const char *path);

struct elf_file *elf_new(const char *path);
struct section *elf_add_section(struct elf_file *elf, const char *name,
				GElf_Word type, GElf_Xword flags,
				GElf_Xword align, GElf_Xword entsize,
				const void *data, size_t size);
struct section *elf_add_rela_section(struct elf_file *elf,
				     struct section *base);
struct symbol *elf_add_symbol(struct elf_file *elf, const char *name,
			      unsigned char bind, unsigned char type,
			      struct section *sec, GElf_Addr value,
			      GElf_Xword size);
void elf_add_rela(struct section *relasec, unsigned long offset,
		  unsigned int type, struct symbol *sym, long addend);
void elf_sort_relas(struct section *relasec);

struct section *elf_find_section(const struct elf_file *elf, const char *name);
struct symbol *elf_find_symbol(const struct elf_file *elf, const char *name);

/* Relocation at exactly this offset of base section, or NULL. */
struct rela *elf_rela_at(const struct section *base, unsigned long offset);
/* Index of first relocation with offset >= off in relasec. */
size_t elf_rela_lower_bound(const struct section *relasec, unsigned long off);

/* Bytes written by a relocation type (0 if unknown). */
unsigned int rela_width(unsigned int type);
bool rela_is_pcrel(unsigned int type);
const char *rela_type_name(unsigned int type);

/*
 * Offset from the relocation's symbol to the byte it designates: the addend
 * corrected for PC-relative instructions (insn.c).
 */
long rela_target_offset(const struct section *base, const struct rela *rela);
void insn_free(struct section *sec);
void insn_decoder_free(struct elf_file *elf);

/* Function/object symbol containing offset in sec (value <= off < end). */
struct symbol *elf_symbol_containing(const struct section *sec,
				     unsigned long off);

/*
 * The NUL-terminated string a relocation (a pointer field, or a string
 * operand in code) points to, or NULL when it does not point into a
 * string inside its section's data.
 */
const char *elf_rela_string(const struct section *base,
			    const struct rela *rela);

/* The function or object at sec+off, else the section's name (messages). */
const char *elf_owner_name(const struct section *sec, unsigned long off);

/*
 * "obj: sec+0xoff (sym+0xoff)": a place in an object, for messages. Use
 * ELF_LOC(sec, off), which provides the buffer.
 */
const char *elf_loc(char *buf, size_t size, const struct section *sec,
		    unsigned long off);
#define ELF_LOC(sec, off)	elf_loc((char[512]){ 0 }, 512, (sec), (off))

bool is_rela_section(const struct section *sec);
bool is_text_section(const struct section *sec);
bool is_string_section(const struct section *sec);
bool is_merge_section(const struct section *sec);	/* strings or constants */
bool is_debug_section(const struct section *sec);

const char *bind_name(unsigned char bind);
const char *type_name(unsigned char type);

#endif
