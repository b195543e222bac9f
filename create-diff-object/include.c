// SPDX-License-Identifier: GPL-2.0
/*
 * include.c - choose what goes into the output: changed and new functions,
 * the new data and string literals they use, their special-section entries,
 * and the callbacks. Everything else they reference stays in the running
 * kernel (undefined symbols or livepatch relocations, see klp.c).
 */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

/* Include sec; its relocations are followed from the worklist. */
static void include_section(struct cdo *cdo, struct section *sec)
{
	if (sec->include)
		return;
	sec->include = true;
	if (sec->secsym)
		sec->secsym->include = true;
	cdo->work = grow_for(cdo->work, cdo->nr_work, sizeof(*cdo->work));
	cdo->work[cdo->nr_work++] = sec;
}

static void include_symbol(struct cdo *cdo, struct symbol *sym)
{
	if (sym->include)
		return;
	sym->include = true;
	if (sym->sec)
		include_section(cdo, sym->sec);
	if (sym->child)
		include_symbol(cdo, sym->child);
}

/* Is sec copied into OUTPUT.o (output.c)? */
bool is_output_section(const struct section *sec)
{
	if (!sec->include || is_rela_section(sec) || sec->ignore)
		return false;
	switch (sec->sh.sh_type) {
	case SHT_GROUP: case SHT_SYMTAB: case SHT_STRTAB:
	case SHT_SYMTAB_SHNDX: case SHT_NULL:
		return false;
	}
	return true;
}

/* Is sym copied into OUTPUT.o under its own name (output.c)? */
bool is_output_symbol(const struct symbol *sym)
{
	if (!sym->include || !sym->sec || !is_output_section(sym->sec) ||
	    sym->type == STT_SECTION || sym->type == STT_FILE)
		return false;
	return !sym->sec->partial || sym->sym.st_size;
}

bool is_internal_target(const struct symbol *sym)
{
	if (!sym->sec || !sym->sec->include || sym->sec->ignore ||
	    is_rela_section(sym->sec))
		return false;
	if (sym->type == STT_SECTION)
		return !sym->sec->partial;
	/* code in a wholly copied text section is reached in the copy */
	if (is_text_section(sym->sec) && !sym->sec->partial)
		return true;
	return sym->include;
}

static bool include_rela_target(struct cdo *cdo, struct rela *rela);

/*
 * A special static living with others in one section (__dyndbg descriptors,
 * .data.once flags): take just this symbol and what it references.
 */
static void include_partial_symbol(struct cdo *cdo, struct symbol *t)
{
	struct section *sec = t->sec;
	size_t i, end;

	t->include = true;
	sec->partial = true;
	sec->include = true;
	if (!sec->rela)
		return;
	i = elf_rela_lower_bound(sec->rela, t->sym.st_value);
	end = elf_rela_lower_bound(sec->rela, t->sym.st_value + t->sym.st_size);
	for (; i < end; i++)
		include_rela_target(cdo, &sec->rela->relas[i]);
}

/* Include what a relocation of included code needs; true if anything new. */
static bool include_rela_target(struct cdo *cdo, struct rela *rela)
{
	struct symbol *t = rela->sym;

	if (!t->sec || t->sec->ignore)
		return false;
	if (is_merge_section(t->sec) && t->type != STT_OBJECT) {
		/* string literal or constant, maybe through a kept .LC label */
		t->include = true;
		if (t->sec->include)
			return false;
		include_section(cdo, t->sec);
		return true;
	}
	if (t->type == STT_SECTION) {
		if (t->sec->include || is_dropped_section(t->sec) ||
		    is_special_section(t->sec))
			return false;
		if (is_string_section(t->sec) || !t->sec->nr_syms) {
			include_section(cdo, t->sec);
			return true;
		}
		return false;
	}
	if (t->include)
		return false;
	if (t->special_static && !is_bundled(t) && t->sym.st_size &&
	    !is_text_section(t->sec) && (!t->sec->include || t->sec->partial)) {
		include_partial_symbol(cdo, t);
		return true;
	}
	if (t->special_static || t->status == ST_NEW || !t->twin ||
	    is_changed_function(t)) {
		include_symbol(cdo, t);
		return true;
	}
	return false;
}

static bool include_run_worklist(struct cdo *cdo)
{
	bool any = false;

	while (cdo->nr_work) {
		struct section *sec = cdo->work[--cdo->nr_work];

		any = true;
		if (!sec->rela || sec->rela->ignore || is_special_section(sec))
			continue;
		for_each_rela(sec->rela, rela)
			include_rela_target(cdo, rela);
	}
	return any;
}

static bool include_children(struct cdo *cdo)
{
	struct elf_file *elf = cdo->patched;
	bool any = false;

	for_each_sym(elf, s) {
		if (s->parent && s->parent->include && !s->include) {
			include_symbol(cdo, s);
			any = true;
		}
	}
	return any;
}

static void include_callbacks(struct cdo *cdo)
{
	struct elf_file *elf = cdo->patched;

	for_each_sec(elf, sec) {
		if (is_rela_section(sec) || !is_callback_section(sec))
			continue;
		sec->include = true;
		if (sec->secsym)
			sec->secsym->include = true;
		if (!sec->rela)
			continue;
		for_each_rela(sec->rela, rela) {
			struct symbol *fn = rela->sym;

			if (fn->type == STT_FUNC && fn->sec)
				include_symbol(cdo, fn);
		}
	}
}

/*
 * One round over the special-section entries: each newly kept entry
 * (special.c decides which) is an edge to the targets of its relocations.
 */
static bool include_special_entries(struct cdo *cdo)
{
	struct special_cursor cur = { 0 };
	struct special_edge edge;
	bool any = false;
	size_t j;

	while (special_next_entry(cdo, &cur, &edge)) {
		any = true;
		for (j = edge.first; j < edge.end; j++)
			include_rela_target(cdo, &edge.sec->rela->relas[j]);
	}
	return any;
}

void cdo_include(struct cdo *cdo)
{
	struct elf_file *elf = cdo->patched;

	/* the changed and new functions (decide.c) */
	for_each_sym(elf, s)
		if (s->change != FUNC_UNCHANGED)
			include_symbol(cdo, s);
	special_prepare(cdo);
	include_callbacks(cdo);
	for (;;) {
		bool more = include_run_worklist(cdo);

		more |= include_children(cdo);
		more |= include_run_worklist(cdo);
		more |= include_special_entries(cdo);
		if (!more && !cdo->nr_work)
			break;
	}
	free(cdo->work);
	cdo->work = NULL;
	special_finish(cdo);
}
