// SPDX-License-Identifier: GPL-2.0
/*
 * klp_ibt.c - create-klp-module's part of IBT kernels (create-diff-object
 * --objtool-link, see ibt.c): objtool ran over the linked module while every
 * livepatch record's place still had a relocation to an undefined
 * placeholder. Here those placeholders go, and so do the call-depth
 * tracking sites (.call_sites) of calls that only a livepatch relocation
 * of another module will resolve: when the module loads, those calls do
 * not point at their function yet, and the kernel would patch them as if
 * they did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"
#include "klp_ibt.h"
#include "kpatch-abi.h"
#include "log.h"
#include "special_table.h"

static bool is_placeholder_for(const struct symbol *sym, const char *name)
{
	size_t n = strlen(KPATCH_PLACEHOLDER_PREFIX);

	if (!strcmp(sym->name, name))
		return true;
	return !strncmp(sym->name, KPATCH_PLACEHOLDER_PREFIX, n) &&
	       !strcmp(sym->name + n, name);
}

bool klp_take_placeholder(struct elf_file *elf, struct section *dest,
			  unsigned long off, const char *name)
{
	struct rela *r = elf_rela_at(dest, off);

	if (!r)
		return true;
	if (!is_placeholder_for(r->sym, name))
		return false;
	if (!r->sym->sec)
		r->sym->removed = true;	/* revived below while in use */
	r->type = R_X86_64_NONE;
	r->sym = NULL;
	(void)elf;
	return true;
}

static void compact_relas(struct section *rsec)
{
	size_t i, n = 0;

	for (i = 0; i < rsec->nr_relas; i++)
		if (rsec->relas[i].sym)
			rsec->relas[n++] = rsec->relas[i];
	rsec->nr_relas = n;
	rsec->sh.sh_size = n * sizeof(Elf64_Rela);
}

void klp_drop_placeholders(struct elf_file *elf)
{
	size_t i, j;

	for (i = 1; i < elf->nr_sections; i++)
		if (is_rela_section(elf->sections[i]))
			compact_relas(elf->sections[i]);
	/* a placeholder name still used elsewhere stays (it is then real) */
	for (i = 1; i < elf->nr_sections; i++) {
		struct section *r = elf->sections[i];

		if (!is_rela_section(r) || r->removed)
			continue;
		for (j = 0; j < r->nr_relas; j++)
			if (!r->relas[j].sym->sec &&
			    r->relas[j].sym->sym.st_shndx != SHN_LIVEPATCH)
				r->relas[j].sym->removed = false;
	}
}

static uint64_t place_key(const struct section *sec, unsigned long off)
{
	return ((uint64_t)sec->index << 40) ^ off;
}

void klp_note_module_call(struct u64set *calls, struct section *dest,
			  unsigned long off, unsigned int type)
{
	const struct insn *insn;

	if (type != R_X86_64_PLT32 && type != R_X86_64_PC32)
		return;
	insn = insn_at(dest, off);
	if (!insn || insn->class != INSN_CALL || !insn_off_in_imm(insn, off))
		return;
	u64set_add(calls, place_key(dest, insn->offset));
}

/* objtool's list of call-depth-tracking call sites (a special_kinds row) */
#define CALL_SITES_SECTION	".call_sites"

void klp_filter_call_sites(struct elf_file *elf, struct u64set *calls)
{
	/* the entry size of create-diff-object's table (special_table.c) */
	size_t size = special_kind(CALL_SITES_SECTION)->size;
	struct section *sec = elf_find_section(elf, CALL_SITES_SECTION);
	size_t e, n = 0, nr, *pos;
	unsigned char *data;

	if (!sec || !sec->rela || !sec->data || !calls->nr)
		return;
	u64set_seal(calls);
	nr = sec->size / size;
	pos = xcalloc(nr + 1, sizeof(*pos));	/* new index + 1, 0: dropped */
	for (e = 0; e < nr; e++) {
		struct rela *r = elf_rela_at(sec, e * size);

		if (r && r->sym && r->sym->sec &&
		    u64set_has(calls, place_key(r->sym->sec,
						   r->sym->sym.st_value +
						   (unsigned long)r->addend)))
			continue;
		pos[e] = ++n;
	}
	if (n == nr) {
		free(pos);
		return;
	}
	/* the section data may be the input file's: write a new copy */
	data = xcalloc(n + 1, size);
	for (e = 0; e < nr; e++)
		if (pos[e])
			memcpy(data + (pos[e] - 1) * size, sec->data + e * size,
			       size);
	for (e = 0; e < sec->rela->nr_relas; e++) {
		struct rela *r = &sec->rela->relas[e];
		size_t entry = r->offset / size;

		if (entry < nr && pos[entry])
			r->offset = (pos[entry] - 1) * size + r->offset % size;
		else
			r->sym = NULL;		/* dropped by compact_relas() */
	}
	if (sec->data_owned)
		free(sec->data);
	sec->data = data;
	sec->data_owned = true;
	sec->size = sec->sh.sh_size = n * size;
	compact_relas(sec->rela);
	printf("%s: %zu call site%s left to the livepatch relocations of other modules\n",
	       elf->path, nr - n, nr - n == 1 ? "" : "s");
	free(pos);
}
