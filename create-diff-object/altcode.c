// SPDX-License-Identifier: GPL-2.0
/*
 * altcode.c - is the code a relocation jumps to in .altinstr_aux or
 * .altinstr_replacement the same?
 *
 * These sections have no symbols: code refers to its piece of them as
 * section + offset. A patch that adds an alternative (static_cpu_has(),
 * ALTERNATIVE()) in one function moves the pieces of every later function,
 * so the offsets differ in functions that did not change (an __init
 * function would be refused). The pieces are compared instruction by
 * instruction instead, from the target up to the unconditional jump or
 * return that ends them; their relocations (jumps back into the function)
 * must land in twin symbols at the same offset.
 */
#include <string.h>

#include "cdo.h"
#include "insn.h"
#include "special_table.h"

#define ALT_MAX_INSNS 16

/*
 * static_cpu_has()'s slow path (Linux 6.1): code, reached by a jump from the
 * function; no special-section entry points there.
 */
#define ALT_AUX_SECTION	".altinstr_aux"

/*
 * Code of alternatives: .altinstr_aux, and every section a special
 * section's replacement field points into (special_kinds: repl_sec).
 */
bool is_alt_code_section(const struct section *sec)
{
	size_t i;

	if (!sec)
		return false;
	if (!strcmp(sec->name, ALT_AUX_SECTION))
		return true;
	for (i = 0; i < nr_special_kinds; i++)
		if (special_kinds[i].repl_sec &&
		    !strcmp(sec->name, special_kinds[i].repl_sec))
			return true;
	return false;
}

/* Where r points: the symbol containing it and the offset into it. */
static const struct symbol *rela_place(const struct section *base,
				       const struct rela *r,
				       unsigned long *into)
{
	const struct symbol *sym = r->sym;
	long t = rela_target_offset(base, r);

	if (sym->type != STT_SECTION) {
		*into = (unsigned long)t;
		return t < 0 ? NULL : sym;
	}
	if (!sym->sec || t < 0)
		return NULL;
	sym = elf_symbol_containing(sym->sec, (unsigned long)t);
	if (sym)
		*into = (unsigned long)t - sym->sym.st_value;
	return sym;
}

static bool same_inner_rela(const struct section *os, const struct rela *ro,
			    const struct section *ps, const struct rela *rp)
{
	const struct symbol *a, *b;
	unsigned long ai = 0, bi = 0;

	if (ro->type != rp->type)
		return false;
	a = rela_place(os, ro, &ai);
	b = rela_place(ps, rp, &bi);
	if (a && b)
		return b->twin == a && ai == bi;
	/* not inside a symbol: an external symbol by name, same addend */
	return !ro->sym->sec && !rp->sym->sec && ro->addend == rp->addend &&
	       !strcmp(ro->sym->name, rp->sym->name);
}

bool same_alt_code(const struct section *obase, const struct rela *ro,
		   const struct section *pbase, const struct rela *rp)
{
	const struct section *os = ro->sym->sec, *ps = rp->sym->sec;
	const struct insn *oi, *pi;
	long ot, pt;
	int n;

	if (ro->type != rp->type || !is_alt_code_section(os) ||
	    !is_alt_code_section(ps) || strcmp(os->name, ps->name) ||
	    !os->data || !ps->data)
		return false;
	ot = (long)ro->sym->sym.st_value + rela_target_offset(obase, ro);
	pt = (long)rp->sym->sym.st_value + rela_target_offset(pbase, rp);
	if (ot < 0 || pt < 0 || (size_t)ot >= os->size || (size_t)pt >= ps->size)
		return false;
	oi = insn_at(os, (unsigned long)ot);
	pi = insn_at(ps, (unsigned long)pt);
	for (n = 0; n < ALT_MAX_INSNS; n++) {
		unsigned long i;

		if (!oi || !pi || oi->offset - (unsigned long)ot !=
				  pi->offset - (unsigned long)pt ||
		    oi->len != pi->len || oi->class != pi->class)
			return false;
		for (i = 0; i < oi->len; i++) {
			struct rela *a = elf_rela_at(os, oi->offset + i);
			struct rela *b = elf_rela_at(ps, pi->offset + i);

			if (!a != !b)
				return false;
			if (a) {
				if (!same_inner_rela(os, a, ps, b))
					return false;
				i += rela_width(a->type) - 1;
				continue;
			}
			if (os->data[oi->offset + i] != ps->data[pi->offset + i])
				return false;
		}
		if (oi->class == INSN_JUMP || oi->class == INSN_RET)
			return true;
		oi = insn_next(os, oi);
		pi = insn_next(ps, pi);
	}
	return false;
}
