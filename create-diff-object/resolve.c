// SPDX-License-Identifier: GPL-2.0
/*
 * resolve.c - the last deciding phase, between include and output: where
 * each included symbol of a partially copied section goes, how every
 * relocation of an output section reaches its target (klp.c), and the
 * kallsyms position of every redirected function. Every refusal that needs
 * the running kernel's symbols is made here; output.c only writes.
 */
#include <string.h>

#include "cdo.h"
#include "klp.h"
#include "kpatch-abi.h"
#include "log.h"

/* Place the included symbols of a partial section one after another. */
static void place_partial(struct section *sec)
{
	unsigned long align = sec->sh.sh_addralign ? sec->sh.sh_addralign : 1;
	unsigned long cur = 0;
	size_t i;

	for (i = 0; i < sec->nr_syms; i++) {
		struct symbol *sym = sec->syms[i];

		if (!sym->include)
			continue;
		cur = (cur + align - 1) / align * align;
		sym->new_value = cur;
		cur += sym->sym.st_size;
	}
}

/* A target in OUTPUT.o: check that output can name it. */
static void check_internal(struct cdo *cdo, const struct section *sec,
			   const struct rela *r)
{
	const struct symbol *t = r->sym;

	if (!is_output_section(t->sec))
		fatal("%s: section %s: %s references %s in section %s, which is not in the output (internal error: neither included nor reached by a livepatch relocation); please report it with both objects",
		      cdo->base, sec->name, elf_owner_name(sec, r->offset), t->name,
		      t->sec->name);
	if ((t->type == STT_SECTION || !is_output_symbol(t)) &&
	    t->sec->partial)
		refuse("%s: section %s: reference to %s%+ld inside partially included section %s is not supported",
		       cdo->base, sec->name, t->name, r->addend, t->sec->name);
}

static void resolve_rela(struct cdo *cdo, struct section *sec,
			 const struct rela *r, struct reach *reach)
{
	unsigned long offset = r->offset;

	memset(reach, 0, sizeof(*reach));
	if (!special_out_offset(cdo, sec, r->offset, &offset))
		return;			/* REACH_SKIP: its entry is left out */
	if (sec->partial) {
		struct symbol *in = elf_symbol_containing(sec, r->offset);

		if (!in || !in->include)
			return;		/* REACH_SKIP */
		offset = r->offset - in->sym.st_value + in->new_value;
	}
	if (is_callback_section(sec) &&
	    (r->offset % KPATCH_CALLBACK_SIZE) == KPATCH_CALLBACK_OBJNAME)
		return;			/* the objname: output.c writes it */
	klp_classify(cdo, sec, r, reach);
	ibt_resolve_rela(cdo, sec, r, reach);
	reach->offset = offset;
	if (reach->kind == REACH_INTERNAL)
		check_internal(cdo, sec, r);
}

static void resolve_relas(struct cdo *cdo)
{
	struct elf_file *p = cdo->patched;
	size_t j;

	for_each_sec(p, sec) {
		if (!is_output_section(sec))
			continue;
		if (sec->partial)
			place_partial(sec);
		if (is_callback_section(sec) &&
		    sec->size % KPATCH_CALLBACK_SIZE)
			fatal("%s: section %s: size %zu is not a multiple of %d",
			      cdo->base, sec->name, sec->size,
			      KPATCH_CALLBACK_SIZE);
		if (!sec->rela || sec->rela->ignore)
			continue;
		sec->reach = xcalloc(sec->rela->nr_relas + 1,
				     sizeof(*sec->reach));
		for (j = 0; j < sec->rela->nr_relas; j++)
			resolve_rela(cdo, sec, &sec->rela->relas[j],
				     &sec->reach[j]);
	}
}

static void resolve_functions(struct cdo *cdo)
{
	struct elf_file *p = cdo->patched;

	for_each_sym(p, f) {
		if (is_changed_function(f) && is_output_symbol(f))
			klp_function_sympos(cdo, f, &f->sympos, &f->klp_func);
	}
}

void cdo_resolve(struct cdo *cdo)
{
	resolve_relas(cdo);
	resolve_functions(cdo);
}
