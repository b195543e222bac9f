// SPDX-License-Identifier: GPL-2.0
/*
 * kpatch-dump - print machine-readable facts about a create-diff-object
 * output object or a final livepatch module, one per line:
 *
 *   section NAME SIZE
 *   symbol SECTION NAME BIND TYPE
 *   func OBJNAME NAME SYMPOS
 *   klp-reloc OBJNAME NAME SYMPOS DESTSECTION+0xOFFSET TYPE ADDEND
 *   callback KIND OBJNAME FUNCTION
 *
 * kpatch-dump --special-table prints create-diff-object's table of special
 * sections instead (special_table.h), one row a line:
 *
 *   special NAME SIZE FROM ENV PROBE CODE REPL REPL_SEC LEN KEY LINE OWNER FLAGS
 *
 * and kpatch-dump --special-sizes PROBE.s turns the size probe's output
 * (kmod/probe/kpatch-sizes.c compiled to assembly) into the value of
 * KPATCH_SPECIAL_SIZES.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"
#include "log.h"
#include "kpatch-abi.h"
#include "special_table.h"

/* Where an 8-byte pointer field at sec+off points: section and offset. */
static bool pointer_target(struct section *sec, unsigned long off,
			   struct section **target, unsigned long *toff)
{
	struct rela *rela = elf_rela_at(sec, off);

	if (!rela || !rela->sym->sec)
		return false;
	*target = rela->sym->sec;
	*toff = rela->sym->sym.st_value + rela->addend;
	return true;
}

static const char *pointer_string(struct section *sec, unsigned long off)
{
	struct rela *rela = elf_rela_at(sec, off);
	const char *s;

	if (!rela || !rela->sym->sec)
		return NULL;
	s = elf_rela_string(sec, rela);
	if (!s)
		fatal("%s: the pointer does not point to a NUL-terminated string in %s",
		      ELF_LOC(sec, off), rela->sym->sec->name);
	return s;
}

static const char *pointer_symbol(struct section *sec, unsigned long off)
{
	struct rela *rela = elf_rela_at(sec, off);
	struct symbol *sym;

	if (!rela)
		return NULL;
	if (rela->sym->type != STT_SECTION || !rela->sym->sec)
		return rela->sym->name;
	sym = elf_symbol_containing(rela->sym->sec, rela->addend);
	return sym ? sym->name : rela->sym->name;
}

static void need_data(struct section *sec, size_t entsize)
{
	if ((!sec->data && sec->size) || sec->size % entsize)
		fatal("%s: section %s: size %zu is not a multiple of the entry size %zu",
		      sec->elf->path, sec->name, sec->size, entsize);
}

static unsigned long read_u64(struct section *sec, unsigned long off)
{
	unsigned long v;

	memcpy(&v, sec->data + off, sizeof(v));
	return v;
}

static void dump_funcs(struct elf_file *elf)
{
	struct section *sec = elf_find_section(elf, KPATCH_FUNCS_SECTION);
	size_t i;

	if (!sec)
		return;
	need_data(sec, KPATCH_FUNC_SIZE);
	for (i = 0; i < sec->size / KPATCH_FUNC_SIZE; i++) {
		unsigned long base = i * KPATCH_FUNC_SIZE;
		const char *name = pointer_string(sec, base + KPATCH_FUNC_NAME);
		const char *obj = pointer_string(sec, base + KPATCH_FUNC_OBJNAME);

		printf("func %s %s %lu\n", obj ? obj : "?", name ? name : "?",
		       read_u64(sec, base + KPATCH_FUNC_SYMPOS));
	}
}

static void print_type(unsigned int type)
{
	const char *name = rela_type_name(type);

	if (name)
		printf("%s", name);
	else
		printf("%u", type);
}

static void dump_klp_records(struct elf_file *elf)
{
	struct section *sec = elf_find_section(elf, KPATCH_KLP_RELOCS_SECTION);
	size_t i;

	if (!sec)
		return;
	need_data(sec, KPATCH_KLP_RELOC_SIZE);
	for (i = 0; i < sec->size / KPATCH_KLP_RELOC_SIZE; i++) {
		unsigned long base = i * KPATCH_KLP_RELOC_SIZE;
		const char *name = pointer_string(sec, base + KPATCH_KLP_NAME);
		const char *obj = pointer_string(sec, base + KPATCH_KLP_OBJNAME);
		struct section *dest = NULL;
		unsigned long doff = 0;
		unsigned int type;
		long addend;

		pointer_target(sec, base + KPATCH_KLP_DEST, &dest, &doff);
		memcpy(&type, sec->data + base + KPATCH_KLP_TYPE, sizeof(type));
		memcpy(&addend, sec->data + base + KPATCH_KLP_ADDEND,
		       sizeof(addend));
		printf("klp-reloc %s %s %lu %s+0x%lx ", obj ? obj : "?",
		       name ? name : "?",
		       read_u64(sec, base + KPATCH_KLP_SYMPOS),
		       dest ? dest->name : "?", doff);
		print_type(type);
		printf(" %ld\n", addend);
	}
}

/* .klp.sym.OBJ.NAME,POS -> OBJ NAME POS */
static void dump_klp_relas(struct elf_file *elf)
{
	for_each_sec(elf, sec) {
		if (!is_rela_section(sec) ||
		    !(sec->sh.sh_flags & SHF_RELA_LIVEPATCH))
			continue;
		for_each_rela(sec, rela) {
			const char *n = rela->sym->name, *dot, *comma;

			if (strncmp(n, ".klp.sym.", 9) ||
			    !(dot = strchr(n + 9, '.')) ||
			    !(comma = strrchr(dot, ',')))
				fatal("%s: the relocation uses symbol %s which is not a .klp.sym.OBJ.NAME,POS symbol",
				      ELF_LOC(sec->base, rela->offset), n);
			printf("klp-reloc %.*s %.*s %s %s+0x%lx ",
			       (int)(dot - n - 9), n + 9,
			       (int)(comma - dot - 1), dot + 1, comma + 1,
			       sec->base->name, rela->offset);
			print_type(rela->type);
			printf(" %ld\n", rela->addend);
		}
	}
}

static void dump_callbacks(struct elf_file *elf)
{
	static const char * const kinds[] = {
		"pre_patch", "post_patch", "pre_unpatch", "post_unpatch",
	};
	size_t k, i;

	for (k = 0; k < 4; k++) {
		char *name = xasprintf("%s%s", KPATCH_CALLBACKS_PREFIX, kinds[k]);
		struct section *sec = elf_find_section(elf, name);

		free(name);
		if (!sec)
			continue;
		need_data(sec, KPATCH_CALLBACK_SIZE);
		for (i = 0; i < sec->size / KPATCH_CALLBACK_SIZE; i++) {
			unsigned long base = i * KPATCH_CALLBACK_SIZE;
			const char *fn = pointer_symbol(sec, base);
			const char *obj = pointer_string(sec, base +
							 KPATCH_CALLBACK_OBJNAME);

			printf("callback %s %s %s\n", kinds[k],
			       obj ? obj : "-", fn ? fn : "?");
		}
	}
}

int main(int argc, char **argv)
{
	struct log_ctx log;
	struct elf_file *elf;

	log_init(&log, "kpatch-dump");
	if (argc == 2 && !strcmp(argv[1], "--special-table")) {
		special_table_print(stdout);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--special-sizes")) {
		char *sizes = special_sizes_from_probe(argv[2]);

		printf("%s\n", sizes);
		free(sizes);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: kpatch-dump FILE.o|FILE.ko\n"
			"       kpatch-dump --special-table\n"
			"       kpatch-dump --special-sizes PROBE.s\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 1;
	}
	elf = elf_read(argv[1]);
	for_each_sec(elf, sec)
		printf("section %s %zu\n", sec->name, sec->size);
	for_each_sym(elf, sym) {
		if (!sym->sec || (sym->type != STT_FUNC &&
				  sym->type != STT_OBJECT))
			continue;
		printf("symbol %s %s %s %s\n", sym->sec->name, sym->name,
		       bind_name(sym->bind), type_name(sym->type));
	}
	dump_funcs(elf);
	dump_klp_records(elf);
	dump_klp_relas(elf);
	dump_callbacks(elf);
	elf_free(elf);
	return 0;
}
