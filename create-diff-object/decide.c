// SPDX-License-Identifier: GPL-2.0
/*
 * decide.c - which functions the patch carries, decided once, after
 * compare and before the refusals: sym->change is FUNC_CHANGED for a
 * changed function (it gets a .kpatch.funcs entry) and FUNC_NEW for a new
 * one. include.c starts from them, main.c prints them and exits 3 without
 * any, refuse.c checks them, resolve.c gives the changed ones their sympos.
 *
 * A .cold/.part child is never one of them (compare.c marks its parent
 * changed; include.c takes the child with it), nor is an ignored function
 * (KPATCH_IGNORE_FUNCTION) or one in an ignored section.
 */
#include <stdio.h>

#include "cdo.h"

static bool carried(const struct symbol *sym)
{
	return sym->type == STT_FUNC && sym->sec && !sym->ignore &&
	       !sym->parent && !sym->sec->ignore;
}

void cdo_decide(struct cdo *cdo)
{
	struct elf_file *elf = cdo->patched;

	for_each_sym(elf, p) {
		p->change = FUNC_UNCHANGED;
		if (!carried(p))
			continue;
		if (p->status == ST_CHANGED) {
			p->change = FUNC_CHANGED;
			cdo->nr_changed++;
		} else if (p->status == ST_NEW && is_text_section(p->sec) &&
			   !is_special_section(p->sec)) {
			p->change = FUNC_NEW;
			cdo->nr_new++;
		}
	}
	if (!cdo->explain && !cdo->log.debug)
		return;
	for_each_sym(elf, p) {
		if (p->change == FUNC_CHANGED)
			fprintf(stderr, "%s: %s changed: %s\n", cdo->base,
				p->name, p->reason);
	}
}

bool is_changed_function(const struct symbol *sym)
{
	return sym->change == FUNC_CHANGED;
}
