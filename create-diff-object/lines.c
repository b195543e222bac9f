// SPDX-License-Identifier: GPL-2.0
/*
 * lines.c - is a differing immediate a __LINE__ argument?
 *
 * kpatch-build keeps the line numbers of the patched .c files outside the
 * hunks (#line directives), but code that moved and code inlined from a
 * header still sees new __LINE__ values. Kernel helpers take the line as an
 * argument next to the file or function name: WARN_ONCE(..., __FILE__,
 * __LINE__) (ASSERT_RTNL: file in %rsi, line in %edx for __warn_printk),
 * __btrfs_abort_transaction(trans, __func__, __LINE__, ...) (%edx),
 * __ext4_error(sb, __func__, __LINE__, ...). A `mov $imm32` of a positive
 * value below 2^18 counts as a line number only when the same call's
 * argument set-up loads a __func__ object or a string naming a source file
 * into the argument register just before the immediate's: any other
 * constant argument that changed (an error code, a flag) is a real change.
 */
#include <string.h>

#include "cdo.h"
#include "insn.h"

/* Set-up instructions searched on each side of the immediate. */
#define LINE_WINDOW 8
/* __LINE__ fits the 18-bit line fields of the kernel's tables */
#define LINE_MAX_VALUE (1L << 18)

/* x86_64 argument registers in order */
static const unsigned char arg_regs[] = {
	INSN_REG_DI, INSN_REG_SI, INSN_REG_DX, INSN_REG_CX, INSN_REG_R8,
	INSN_REG_R9,
};

/* The argument register after reg, or INSN_REG_NONE. */
static unsigned char next_arg_reg(unsigned char reg)
{
	size_t i;

	for (i = 0; i + 1 < sizeof(arg_regs); i++)
		if (arg_regs[i] == reg)
			return arg_regs[i + 1];
	return INSN_REG_NONE;
}

/* push: older kernels' frame set-up is scheduled among the arguments */
static bool is_setup(const struct insn *insn)
{
	return insn->class == INSN_MOV || insn->class == INSN_LEA ||
	       insn->class == INSN_ALU || insn->class == INSN_NOP ||
	       insn->class == INSN_PUSH;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

/*
 * Does insn load the address of __func__ or of a source file name into the
 * argument register before line_reg?
 */
static bool loads_file_or_func(const struct section *sec,
			       const struct insn *insn, unsigned char line_reg)
{
	unsigned long at[2];
	int i;

	if ((insn->class != INSN_MOV && insn->class != INSN_LEA) ||
	    next_arg_reg(insn->dest_reg) != line_reg)
		return false;

	at[0] = insn->imm_size ? insn_imm_at(insn) : 0;
	at[1] = insn->disp_size ? insn->offset + insn->disp_off : 0;
	for (i = 0; i < 2; i++) {
		const struct rela *r;
		const char *s;

		if (!at[i] || !(r = elf_rela_at(sec, at[i])))
			continue;
		if (!strncmp(r->sym->name, "__func__", 8) ||
		    (r->sym->sec &&
		     !strncmp(r->sym->sec->name, ".rodata.__func__", 16)))
			return true;
		s = elf_rela_string(sec, r);
		if (s && (ends_with(s, ".c") || ends_with(s, ".h")) &&
		    !strchr(s, ' ') && !strchr(s, '%'))
			return true;
	}
	return false;
}

bool is_line_argument(const struct section *sec, unsigned long start,
		      unsigned long end, unsigned long off)
{
	const struct insn *imm = insn_at(sec, off), *insn;
	bool evidence = false;
	int n;

	if (!imm || imm->offset < start || imm->class != INSN_MOV ||
	    !insn_off_in_imm(imm, off) || imm->imm_size != 4 ||
	    imm->imm < 1 || imm->imm >= LINE_MAX_VALUE ||
	    elf_rela_at(sec, insn_imm_at(imm)))
		return false;
	/* backwards: the set-up before the immediate */
	for (n = 0, insn = imm; n < LINE_WINDOW && insn->offset > start; n++) {
		insn = insn_at(sec, insn->offset - 1);
		if (!insn || insn->offset < start || !is_setup(insn))
			break;
		evidence |= loads_file_or_func(sec, insn, imm->dest_reg);
	}
	/* forwards up to the call */
	for (n = 0, insn = insn_next(sec, imm);
	     insn && insn_end(insn) <= end && n < LINE_WINDOW;
	     n++, insn = insn_next(sec, insn)) {
		if (insn->class == INSN_CALL)
			return evidence;
		if (!is_setup(insn))
			return false;
		evidence |= loads_file_or_func(sec, insn, imm->dest_reg);
	}
	return false;
}

/*
 * Dynamic-debug descriptors (struct _ddebug, 56 bytes in __dyndbg on 6.1
 * x86_64): modname, function, filename, format pointers, then a 32-bit word
 * whose low 18 bits are the line number. Equal when everything but the line
 * is equal (the pointers are relocations, compared as such elsewhere).
 */
#define DDEBUG_SIZE		56
#define DDEBUG_LINE_OFF		32
#define DDEBUG_LINE_MASK	0x3ffffU

bool same_data_except_lines(const struct symbol *o, const struct symbol *p)
{
	const unsigned char *a, *b;
	unsigned int wa, wb;
	size_t n = o->sym.st_size;

	if (n != p->sym.st_size)
		return false;
	if (!o->sec || !p->sec || !o->sec->data || !p->sec->data)
		return true;
	a = o->sec->data + o->sym.st_value;
	b = p->sec->data + p->sym.st_value;
	if (n != DDEBUG_SIZE || strcmp(o->sec->name, "__dyndbg") ||
	    strcmp(p->sec->name, "__dyndbg"))
		return !memcmp(a, b, n);
	memcpy(&wa, a + DDEBUG_LINE_OFF, 4);
	memcpy(&wb, b + DDEBUG_LINE_OFF, 4);
	return !memcmp(a, b, DDEBUG_LINE_OFF) &&
	       (wa & ~DDEBUG_LINE_MASK) == (wb & ~DDEBUG_LINE_MASK) &&
	       !memcmp(a + DDEBUG_LINE_OFF + 4, b + DDEBUG_LINE_OFF + 4,
		       n - DDEBUG_LINE_OFF - 4);
}
