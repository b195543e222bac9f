// SPDX-License-Identifier: GPL-2.0
/*
 * compare.c - decide which functions and data changed.
 *
 * Bytes are compared with relocations normalised: at each relocation the
 * target (paired symbol + addend, or string contents for string literals)
 * is compared instead of the raw bytes, so layout shifts are not changes.
 * A difference that only changes the __LINE__ immediate passed to
 * __might_sleep()-style calls is not a change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

static const char * const line_functions[] = {
	"__might_sleep", "__might_fault", "__might_resched", "__warn_printk",
	"warn_slowpath_fmt", "__cant_sleep", "__cant_migrate",
	"___might_sleep", "__might_sleep_strict", NULL,
};

static bool is_line_function(const char *name)
{
	size_t i;

	for (i = 0; line_functions[i]; i++)
		if (!strcmp(name, line_functions[i]))
			return true;
	return false;
}

/*
 * Is byte off of sec (a function starting at start) inside the immediate
 * of "mov $imm32,%esi" / "mov $imm32,%edx" followed closely by a call to
 * one of line_functions?
 */
static bool is_line_immediate(const struct section *sec, unsigned long start,
			      unsigned long end, unsigned long off)
{
	unsigned long p;

	for (p = off >= start + 4 ? off - 4 : start; p < off; p++) {
		size_t i;

		if (sec->data[p] != 0xbe && sec->data[p] != 0xba)
			continue;
		if (p + 5 > end || elf_rela_at(sec, p + 1))
			continue;
		if (!sec->rela)
			return false;
		i = elf_rela_lower_bound(sec->rela, p + 5);
		for (; i < sec->rela->nr_relas; i++) {
			struct rela *r = &sec->rela->relas[i];

			if (r->offset > p + 5 + 40 || r->offset >= end)
				break;
			if ((r->type == R_X86_64_PLT32 ||
			     r->type == R_X86_64_PC32) &&
			    sec->data[r->offset - 1] == 0xe8 &&
			    is_line_function(r->sym->name))
				return true;
		}
	}
	return false;
}

/* Symbol containing target offset t of sec and the offset into it. */
static const struct symbol *branch_target(const struct section *sec, long t,
					  unsigned long *into)
{
	const struct symbol *sym;

	if (t < 0 || (size_t)t >= sec->size)
		return NULL;
	sym = elf_symbol_containing(sec, (unsigned long)t);
	if (sym)
		*into = (unsigned long)t - sym->sym.st_value;
	return sym;
}

static long read_rel32(const unsigned char *d)
{
	int v;

	memcpy(&v, d, sizeof(v));
	return v;
}

/*
 * The difference at byte off (relative to the compared ranges) is inside
 * the rel32 of a call/jmp/jcc that the assembler resolved without a
 * relocation (a local function in the same section, .sched.text): compare
 * where it lands instead of the displacement. Sets *end to the first byte
 * after the branch.
 */
static bool same_branch_target(const struct section *os, unsigned long ostart,
			       unsigned long olen, const struct section *ps,
			       unsigned long pstart, unsigned long off,
			       unsigned long *end)
{
	unsigned long p;

	for (p = off >= 5 ? off - 5 : 0; p < off; p++) {
		const unsigned char *od = os->data + ostart, *pd = ps->data + pstart;
		unsigned long disp, oi = 0, pi = 0;
		const struct symbol *ot, *pt;
		long to, tp;

		if (od[p] == 0xe8 || od[p] == 0xe9)
			disp = p + 1;
		else if (od[p] == 0x0f && (od[p + 1] & 0xf0) == 0x80)
			disp = p + 2;
		else
			continue;
		if (off < disp || off >= disp + 4 || disp + 4 > olen ||
		    memcmp(od + p, pd + p, disp - p) ||
		    elf_rela_at(os, ostart + disp) || elf_rela_at(ps, pstart + disp))
			continue;
		to = (long)(ostart + disp + 4) + read_rel32(od + disp);
		tp = (long)(pstart + disp + 4) + read_rel32(pd + disp);
		ot = branch_target(os, to, &oi);
		pt = branch_target(ps, tp, &pi);
		if (ot && pt && pt->twin == ot && oi == pi) {
			*end = disp + 4;
			return true;
		}
	}
	return false;
}

static const char *string_at(const struct section *base,
			     const struct rela *rela, size_t *len)
{
	const struct section *sec = rela->sym->sec;
	long off = (long)rela->sym->sym.st_value +
		   rela_target_offset(base, rela);
	const unsigned char *end;

	if (off < 0 || (size_t)off >= sec->size || !sec->data)
		return NULL;
	end = memchr(sec->data + off, 0, sec->size - off);
	*len = end ? (size_t)(end - (sec->data + off)) : sec->size - off;
	return (const char *)sec->data + off;
}

static bool same_special_static(const struct symbol *o, const struct symbol *p)
{
	size_t n = strcspn(o->name, ".");

	if (!o->special_static || !p->special_static ||
	    strncmp(o->name, p->name, n) || (p->name[n] != '.' && p->name[n]) ||
	    o->sym.st_size != p->sym.st_size)
		return false;
	if (o->sec && p->sec && o->sec->data && p->sec->data)
		return !memcmp(o->sec->data + o->sym.st_value,
			       p->sec->data + p->sym.st_value, o->sym.st_size);
	return true;
}

static bool rela_targets_equal(const struct section *os,
			       const struct rela *ro,
			       const struct section *ps,
			       const struct rela *rp)
{
	const struct symbol *so = ro->sym, *sp = rp->sym;

	if (so->sec && sp->sec && is_string_section(so->sec) &&
	    is_string_section(sp->sec)) {
		size_t lo = 0, lp = 0;
		const char *a = string_at(os, ro, &lo), *b = string_at(ps, rp, &lp);

		return a && b && lo == lp && !memcmp(a, b, lo) &&
		       !strcmp(so->sec->name, sp->sec->name);
	}
	if (so->sec && sp->sec && is_merge_section(so->sec) &&
	    is_merge_section(sp->sec)) {
		/* merged constants: compare the constant, not its place */
		long a = (long)so->sym.st_value + rela_target_offset(os, ro);
		long b = (long)sp->sym.st_value + rela_target_offset(ps, rp);
		size_t n = so->sec->sh.sh_entsize ? so->sec->sh.sh_entsize : 1;

		return so->sec->data && sp->sec->data && a >= 0 && b >= 0 &&
		       (size_t)a + n <= so->sec->size &&
		       (size_t)b + n <= sp->sec->size &&
		       so->sec->sh.sh_entsize == sp->sec->sh.sh_entsize &&
		       !memcmp(so->sec->data + a, sp->sec->data + b, n);
	}
	if (ro->addend != rp->addend)
		return false;
	if (sp->twin)
		return sp->twin == so;
	if (same_special_static(so, sp))
		return true;
	if (!sp->sec && !so->sec && sp->type != STT_SECTION)
		return !strcmp(so->name, sp->name);
	return false;
}

static void describe_target(char *buf, size_t n, const struct section *base,
			    const struct rela *r)
{
	size_t len = 0;
	const char *s;

	if (r->sym->sec && is_string_section(r->sym->sec) &&
	    (s = string_at(base, r, &len)))
		snprintf(buf, n, "\"%.*s\"", (int)(len > 40 ? 40 : len), s);
	else
		snprintf(buf, n, "%s%+ld", r->sym->name, r->addend);
}

static char *explain_bytes(const struct section *os, unsigned long ostart,
			   const struct section *ps, unsigned long pstart,
			   unsigned long off)
{
	char ob[64] = "", pb[64] = "";
	unsigned long i;

	for (i = 0; i < 8; i++) {
		if (ostart + off + i < os->size)
			sprintf(ob + strlen(ob), "%02x ",
				os->data[ostart + off + i]);
		if (pstart + off + i < ps->size)
			sprintf(pb + strlen(pb), "%02x ",
				ps->data[pstart + off + i]);
	}
	return xasprintf("first differing byte at offset 0x%lx: original %s-> patched %s",
			 off, ob, pb);
}

/*
 * Compare os[ostart, ostart+olen) with ps[pstart, pstart+plen).
 * Returns NULL when equal, otherwise a description of the first difference.
 */
static char *compare_range(const struct section *os, unsigned long ostart,
			   unsigned long olen, const struct section *ps,
			   unsigned long pstart, unsigned long plen)
{
	size_t oi = 0, pi = 0, on = 0, pn = 0;
	unsigned long i;

	if (os->sh.sh_type != ps->sh.sh_type)
		return xasprintf("section type changed");
	if (olen != plen)
		return xasprintf("size changed from %lu to %lu bytes", olen, plen);
	if (os->rela) {
		oi = elf_rela_lower_bound(os->rela, ostart);
		on = elf_rela_lower_bound(os->rela, ostart + olen);
	}
	if (ps->rela) {
		pi = elf_rela_lower_bound(ps->rela, pstart);
		pn = elf_rela_lower_bound(ps->rela, pstart + plen);
	}
	for (; oi < on && pi < pn; oi++, pi++) {
		struct rela *ro = &os->rela->relas[oi], *rp = &ps->rela->relas[pi];
		char a[96], b[96];

		if (ro->offset - ostart == rp->offset - pstart &&
		    ro->type == rp->type && rela_targets_equal(os, ro, ps, rp))
			continue;
		describe_target(a, sizeof(a), os, ro);
		describe_target(b, sizeof(b), ps, rp);
		return xasprintf("relocation at offset 0x%lx: original %s (at 0x%lx) -> patched %s (at 0x%lx)",
				 rp->offset - pstart, a, ro->offset - ostart, b,
				 rp->offset - pstart);
	}
	if (oi < on || pi < pn)
		return xasprintf("number of relocations changed from %zu to %zu",
				 on - (os->rela ? elf_rela_lower_bound(os->rela, ostart) : 0),
				 pn - (ps->rela ? elf_rela_lower_bound(ps->rela, pstart) : 0));
	if (!os->data || !ps->data)
		return NULL;
	for (i = 0; i < olen; i++) {
		unsigned long end;

		if (os->data[ostart + i] == ps->data[pstart + i])
			continue;
		if (is_text_section(ps) && !ps->sym &&
		    same_branch_target(os, ostart, olen, ps, pstart, i, &end)) {
			i = end - 1;
			continue;
		}
		if (is_text_section(ps) &&
		    is_line_immediate(ps, pstart, pstart + plen, pstart + i) &&
		    is_line_immediate(os, ostart, ostart + olen, ostart + i))
			continue;
		return explain_bytes(os, ostart, ps, pstart, i);
	}
	return NULL;
}

static char *compare_symbol(const struct symbol *o, const struct symbol *p)
{
	if (is_bundled(o) && is_bundled(p))
		return compare_range(o->sec, 0, o->sec->size, p->sec, 0,
				     p->sec->size);
	return compare_range(o->sec, o->sym.st_value, o->sym.st_size, p->sec,
			     p->sym.st_value, p->sym.st_size);
}

void cdo_compare(struct cdo *cdo)
{
	struct elf_file *elf = cdo->patched;
	size_t i;

	for (i = 1; i < elf->nr_sections; i++) {
		struct section *p = elf->sections[i];
		char *why;

		if (!p->twin) {
			p->status = ST_NEW;
			continue;
		}
		if (is_rela_section(p) || p->sh.sh_type == SHT_SYMTAB ||
		    p->sh.sh_type == SHT_STRTAB)
			continue;
		why = compare_range(p->twin, 0, p->twin->size, p, 0, p->size);
		p->status = why ? ST_CHANGED : ST_SAME;
		free(why);
	}
	for (i = 1; i < elf->nr_symbols; i++) {
		struct symbol *p = elf->symbols[i];

		if (!p->sec || (p->type != STT_FUNC && p->type != STT_OBJECT))
			continue;
		if (!p->twin || !p->twin->sec) {
			p->status = ST_NEW;
			continue;
		}
		p->reason = compare_symbol(p->twin, p);
		p->status = p->reason ? ST_CHANGED : ST_SAME;
	}
	/* a changed .cold/.part child changes its parent and vice versa */
	for (i = 1; i < elf->nr_symbols; i++) {
		struct symbol *p = elf->symbols[i];

		if (p->parent && p->status == ST_CHANGED &&
		    p->parent->status == ST_SAME) {
			p->parent->status = ST_CHANGED;
			p->parent->reason = xasprintf("its part %s changed: %s",
						      p->name, p->reason);
		}
	}
	for (i = 1; i < elf->nr_symbols; i++) {
		struct symbol *p = elf->symbols[i];

		if (p->type != STT_FUNC || p->status != ST_CHANGED ||
		    p->parent || p->ignore)
			continue;
		if (cdo->explain || log_debug_enabled)
			fprintf(stderr, "%s: %s changed: %s\n", cdo->base,
				p->name, p->reason);
	}
}
