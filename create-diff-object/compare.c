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
#include "insn.h"
#include "log.h"
#include "special_table.h"

/*
 * Functions whose second argument (%esi) is __LINE__ (Linux 6.1:
 * __might_sleep(file, line), __might_resched(file, line, offsets),
 * __cant_sleep(file, line, preempt_offset), warn_slowpath_fmt(file, line,
 * taint, fmt, ...); older kernels: ___might_sleep(file, line, offset),
 * warn_slowpath_null(file, line)). Only "mov $imm32,%esi" counts: the
 * other arguments are real values.
 */
static const char * const line_functions[] = {
	"__might_sleep", "__might_fault", "__might_resched",
	"warn_slowpath_fmt", "__cant_sleep", "__cant_migrate",
	"___might_sleep", "warn_slowpath_null", NULL,
};

static bool is_line_function(const char *name)
{
	size_t i;

	for (i = 0; line_functions[i]; i++)
		if (!strcmp(name, line_functions[i]))
			return true;
	return false;
}

/* push: older kernels' frame set-up is scheduled among the arguments */
static bool is_argument_setup(const struct insn *insn)
{
	return insn->class == INSN_MOV || insn->class == INSN_LEA ||
	       insn->class == INSN_ALU || insn->class == INSN_PUSH;
}

/*
 * Is byte off of sec inside the immediate of a "mov $imm32,%esi" that
 * starts at or after start and is followed, a few argument set-up
 * instructions (mov/lea/alu) later but before end, by a call to one of
 * line_functions?
 */
static bool is_line_immediate(const struct section *sec, unsigned long start,
			      unsigned long end, unsigned long off)
{
	const struct insn *insn = insn_at(sec, off);
	int n;

	if (!insn || insn->offset < start || insn->class != INSN_MOV ||
	    !insn_off_in_imm(insn, off) || insn->imm_size != 4 ||
	    insn->dest_reg != INSN_REG_SI || insn->dest_width != 4 ||
	    elf_rela_at(sec, insn_imm_at(insn)))
		return false;
	for (n = 0, insn = insn_next(sec, insn);
	     insn && insn_end(insn) <= end && n < 6;
	     n++, insn = insn_next(sec, insn)) {
		const struct rela *r;

		if (insn->class == INSN_CALL) {
			r = insn->imm_size == 4 ?
			    elf_rela_at(sec, insn_imm_at(insn)) : NULL;
			return r && (r->type == R_X86_64_PLT32 ||
				     r->type == R_X86_64_PC32) &&
			       is_line_function(r->sym->name);
		}
		if (!is_argument_setup(insn))
			return false;
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

static bool is_rel32_branch(const struct insn *insn)
{
	return (insn->class == INSN_CALL || insn->class == INSN_JUMP ||
		insn->class == INSN_JCC) && insn->imm_size == 4 &&
	       insn->target >= 0;
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
	const struct insn *oi = insn_at(os, ostart + off);
	const struct insn *pi = insn_at(ps, pstart + off);
	const struct symbol *ot, *pt;
	unsigned long p, disp, oin = 0, pin = 0;

	if (!oi || !pi || !is_rel32_branch(oi) || !is_rel32_branch(pi) ||
	    oi->offset < ostart || pi->offset < pstart ||
	    !insn_off_in_imm(oi, ostart + off))
		return false;
	p = oi->offset - ostart;
	disp = p + oi->imm_off;
	if (pi->offset - pstart != p || pi->len != oi->len ||
	    pi->imm_off != oi->imm_off || disp + 4 > olen ||
	    memcmp(os->data + oi->offset, ps->data + pi->offset, oi->imm_off) ||
	    elf_rela_at(os, ostart + disp) || elf_rela_at(ps, pstart + disp))
		return false;
	ot = branch_target(os, oi->target, &oin);
	pt = branch_target(ps, pi->target, &pin);
	if (!ot || !pt || pt->twin != ot || oin != pin)
		return false;
	*end = disp + 4;
	return true;
}

static bool same_special_static(const struct symbol *o, const struct symbol *p)
{
	size_t n = strcspn(o->name, ".");

	if (!o->special_static || !p->special_static ||
	    strncmp(o->name, p->name, n) || (p->name[n] != '.' && p->name[n]) ||
	    o->sym.st_size != p->sym.st_size)
		return false;
	return same_data_except_lines(o, p);
}

static bool rela_targets_equal(const struct section *os,
			       const struct rela *ro,
			       const struct section *ps,
			       const struct rela *rp)
{
	const struct symbol *so = ro->sym, *sp = rp->sym;

	if (so->sec && sp->sec && is_string_section(so->sec) &&
	    is_string_section(sp->sec)) {
		const char *a = elf_rela_string(os, ro);
		const char *b = elf_rela_string(ps, rp);

		/*
		 * GCC names a string section after the first function using
		 * it (.rodata.<func>.str1.1): only the string and the kind
		 * of section (entry size, alignment) count.
		 */
		return a && b && !strcmp(a, b) &&
		       so->sec->sh.sh_entsize == sp->sec->sh.sh_entsize &&
		       so->sec->sh.sh_addralign == sp->sec->sh.sh_addralign;
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
	if (same_alt_code(os, ro, ps, rp))
		return true;
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
	const char *s;

	if (r->sym->sec && is_string_section(r->sym->sec) &&
	    (s = elf_rela_string(base, r)))
		snprintf(buf, n, "\"%.40s\"", s);
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
		if (is_text_section(ps) &&
		    is_line_argument(ps, pstart, pstart + plen, pstart + i) &&
		    is_line_argument(os, ostart, ostart + olen, ostart + i))
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

/*
 * Special sections describe code of their owner function (the function the
 * entry's code field points into). A change there alone (jump-label key,
 * alternative feature or replacement, WARN flags, exception type) changes
 * the owner even when its bytes are the same: the sections flagged
 * SPECIAL_COMPARED in special_kinds (special_table.c).
 */

struct special_entry {
	struct symbol *key;		/* the owner in the patched object */
	unsigned long off;		/* offset of the code in the owner */
	size_t e;			/* entry index */
};

static int entry_cmp(const void *a, const void *b)
{
	const struct special_entry *x = a, *y = b;

	if (x->key->index != y->key->index)
		return x->key->index < y->key->index ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->e < y->e ? -1 : x->e > y->e;
}

/* Entries of sec by owner (orig: the owner's patched twin), sorted. */
static struct special_entry *collect_entries(const struct special_kind *k,
					     const struct section *sec,
					     size_t size, bool orig, size_t *nr)
{
	struct special_entry *v;
	size_t e, n = 0, count;

	*nr = 0;
	if (!sec || !sec->data || !sec->rela || !size || sec->size % size)
		return NULL;
	count = sec->size / size;
	v = xcalloc(count + 1, sizeof(*v));
	for (e = 0; e < count; e++) {
		unsigned long off = 0;
		struct symbol *owner = special_entry_owner(k, sec, size, e, &off);

		if (!owner || !(owner = orig ? owner->twin : owner))
			continue;
		v[n++] = (struct special_entry){ .key = owner, .off = off, .e = e };
	}
	qsort(v, n, sizeof(*v), entry_cmp);
	*nr = n;
	return v;
}

static bool in_rela(const struct section *sec, unsigned long lo,
		    unsigned long hi, unsigned long off)
{
	size_t i;

	if (!sec->rela)
		return false;
	for (i = elf_rela_lower_bound(sec->rela, lo);
	     i < sec->rela->nr_relas && sec->rela->relas[i].offset < hi; i++) {
		const struct rela *r = &sec->rela->relas[i];

		if (off >= r->offset && off < r->offset + rela_width(r->type))
			return true;
	}
	return false;
}

/* Does r point into the section of k's replacement code? */
static bool is_replacement(const struct special_kind *k, const struct rela *r)
{
	return k->repl_sec && r->sym->sec &&
	       !strcmp(r->sym->sec->name, k->repl_sec);
}

/* Replacement code of an alternative: compare its instructions. */
static char *compare_replacement(const struct section *os, const struct rela *ro,
				 unsigned char olen, const struct section *ps,
				 const struct rela *rp, unsigned char plen)
{
	const struct section *rs_o = ro->sym->sec, *rs_p = rp->sym->sec;
	long a = (long)ro->sym->sym.st_value + rela_target_offset(os, ro);
	long b = (long)rp->sym->sym.st_value + rela_target_offset(ps, rp);

	if (a < 0 || b < 0 || (size_t)a + olen > rs_o->size ||
	    (size_t)b + plen > rs_p->size)
		return xasprintf("replacement code out of range");
	return compare_range(rs_o, (unsigned long)a, olen, rs_p,
			     (unsigned long)b, plen);
}

static char *compare_entry(const struct special_kind *k,
			   const struct section *os, size_t eo,
			   const struct section *ps, size_t ep, size_t size)
{
	unsigned long ob = eo * size, pb = ep * size, i;
	bool line = special_field_in(k, k->line, SPECIAL_LINE_WIDTH, size);
	bool repl = special_field_in(k, k->repl, SPECIAL_REPL_WIDTH, size) &&
		    special_field_in(k, k->len, SPECIAL_LEN_WIDTH, size);
	size_t oi, on, pi, pn;

	oi = elf_rela_lower_bound(os->rela, ob);
	on = elf_rela_lower_bound(os->rela, ob + size);
	pi = elf_rela_lower_bound(ps->rela, pb);
	pn = elf_rela_lower_bound(ps->rela, pb + size);
	if (on - oi != pn - pi)
		return xasprintf("number of relocations changed");
	for (; oi < on; oi++, pi++) {
		const struct rela *ro = &os->rela->relas[oi];
		const struct rela *rp = &ps->rela->relas[pi];
		char *why;

		if (ro->offset - ob != rp->offset - pb || ro->type != rp->type)
			return xasprintf("relocation at 0x%lx changed",
					 rp->offset - pb);
		if (repl && is_replacement(k, ro) && is_replacement(k, rp)) {
			why = compare_replacement(os, ro, os->data[ob + k->len],
						  ps, rp, ps->data[pb + k->len]);
			if (why) {
				char *r = xasprintf("replacement code: %s", why);

				free(why);
				return r;
			}
			continue;
		}
		if (!rela_targets_equal(os, ro, ps, rp)) {
			char a[96], b[96];

			describe_target(a, sizeof(a), os, ro);
			describe_target(b, sizeof(b), ps, rp);
			return xasprintf("field at 0x%lx: %s -> %s",
					 rp->offset - pb, a, b);
		}
	}
	for (i = 0; i < size; i++) {
		if (line && i >= (unsigned long)k->line &&
		    i < (unsigned long)k->line + SPECIAL_LINE_WIDTH)
			continue;	/* __LINE__ */
		if (in_rela(ps, pb, pb + size, pb + i) ||
		    in_rela(os, ob, ob + size, ob + i))
			continue;
		if (os->data[ob + i] != ps->data[pb + i])
			return xasprintf("byte 0x%lx: 0x%02x -> 0x%02x", i,
					 os->data[ob + i], ps->data[pb + i]);
	}
	return NULL;
}

static void mark_special_change(struct symbol *p, const char *secname,
				char *detail)
{
	if (p->status != ST_SAME) {
		free(detail);
		return;
	}
	p->status = ST_CHANGED;
	free(p->reason);
	p->reason = xasprintf("its %s entry changed: %s", secname, detail);
	free(detail);
}

static void compare_special_section(struct cdo *cdo,
				    const struct special_kind *kind)
{
	const char *name = kind->name;
	struct section *ps = elf_find_section(cdo->patched, name);
	struct section *os = elf_find_section(cdo->orig, name);
	size_t size = special_entry_size(cdo, name), no = 0, np = 0, i = 0, j = 0;
	struct special_entry *ov, *pv;

	if (!size || (ps && ps->ignore))
		return;
	/* a wrong entry size: special.c warns, or refuses if entries are needed */
	if ((os && os->size % size) || (ps && ps->size % size))
		return;
	ov = collect_entries(kind, os, size, true, &no);
	pv = collect_entries(kind, ps, size, false, &np);
	while (i < no || j < np) {
		struct symbol *key;
		size_t ie = i, je = j, k;

		if (j >= np || (i < no && ov[i].key->index < pv[j].key->index))
			key = ov[i].key;
		else
			key = pv[j].key;
		while (ie < no && ov[ie].key == key)
			ie++;
		while (je < np && pv[je].key == key)
			je++;
		if (key->status == ST_SAME) {
			if (ie - i != je - j) {
				mark_special_change(key, name,
					xasprintf("number of entries changed from %zu to %zu",
						  ie - i, je - j));
			} else {
				for (k = 0; k < ie - i; k++) {
					char *why;

					if (ov[i + k].off != pv[j + k].off)
						why = xasprintf("entry moved from offset 0x%lx to 0x%lx",
								ov[i + k].off, pv[j + k].off);
					else
						why = compare_entry(kind, os, ov[i + k].e, ps,
								    pv[j + k].e, size);
					if (why) {
						mark_special_change(key, name, why);
						break;
					}
				}
			}
		}
		i = ie;
		j = je;
	}
	free(ov);
	free(pv);
}

static void compare_special_entries(struct cdo *cdo)
{
	size_t i;

	for (i = 0; i < nr_special_kinds; i++)
		if (special_kinds[i].flags & SPECIAL_COMPARED)
			compare_special_section(cdo, &special_kinds[i]);
}

void cdo_compare(struct cdo *cdo)
{
	struct elf_file *elf = cdo->patched;

	for_each_sec(elf, p) {
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
	for_each_sym(elf, p) {
		if (!p->sec || (p->type != STT_FUNC && p->type != STT_OBJECT))
			continue;
		if (!p->twin || !p->twin->sec) {
			p->status = ST_NEW;
			continue;
		}
		p->reason = compare_symbol(p->twin, p);
		p->status = p->reason ? ST_CHANGED : ST_SAME;
	}
	compare_special_entries(cdo);
	/* a changed .cold/.part child changes every function above it */
	for_each_sym(elf, p) {
		struct symbol *q;
		int depth;

		if (p->status != ST_CHANGED)
			continue;
		for (q = p, depth = 0; q->parent && depth < 64;
		     q = q->parent, depth++) {
			if (q->parent->status != ST_SAME)
				continue;
			q->parent->status = ST_CHANGED;
			q->parent->reason = xasprintf("its part %s changed: %s",
						      q->name,
						      q->reason ? q->reason : "?");
		}
	}
}
