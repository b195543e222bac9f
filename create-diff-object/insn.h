/* SPDX-License-Identifier: GPL-2.0 */
/*
 * insn.h - the x86_64 instructions of a text section, decoded forward once.
 *
 * The first question about a text section decodes all of it (libcapstone,
 * from offset 0, restarting at every function symbol) and keeps the
 * instructions in the section; later questions are binary searches. The
 * operands of an instruction are decoded when it is first returned. Offsets are section
 * offsets. Bytes capstone cannot decode become one-byte INSN_BAD entries,
 * so every byte of the section belongs to exactly one entry.
 */
#ifndef CDO_INSN_H
#define CDO_INSN_H

#include <stdbool.h>
#include <stddef.h>

struct section;

enum insn_class {
	INSN_OTHER = 0,		/* anything not listed below */
	INSN_BAD,		/* not decodable: one byte */
	INSN_NOP,
	INSN_ENDBR,		/* endbr64 */
	INSN_CALL,
	INSN_JUMP,		/* unconditional jmp */
	INSN_JCC,		/* conditional jump */
	INSN_RET,
	INSN_MOV,		/* mov (any form) */
	INSN_LEA,
	INSN_ALU,		/* add/or/and/sub/xor/cmp/test */
	INSN_PUSH,		/* push: a frame set-up among argument set-up */
};

/* General-purpose registers, whatever the width they are used with. */
enum insn_reg {
	INSN_REG_NONE = 0,
	INSN_REG_AX, INSN_REG_CX, INSN_REG_DX, INSN_REG_BX,
	INSN_REG_SP, INSN_REG_BP, INSN_REG_SI, INSN_REG_DI,
	INSN_REG_R8, INSN_REG_R9, INSN_REG_R10, INSN_REG_R11,
	INSN_REG_R12, INSN_REG_R13, INSN_REG_R14, INSN_REG_R15,
};

struct insn {
	unsigned long offset;		/* first byte, in the section */
	unsigned char len;
	unsigned char class;		/* enum insn_class */
	unsigned char imm_off;		/* immediate: offset in the insn, */
	unsigned char imm_size;		/*   size (0: none) */
	unsigned char disp_off;		/* displacement: offset in the insn, */
	unsigned char disp_size;	/*   size (0: none) */
	unsigned char dest_reg;		/* enum insn_reg of a register destination */
	unsigned char dest_width;	/*   its width in bytes */
	bool rip_relative;		/* memory operand relative to %rip */
	bool detailed;			/* operands filled in (insn.c) */
	long imm;			/* immediate value (not for branches) */
	long target;			/* branch target offset, -1: none */
};

/* The instruction containing byte off of sec, or NULL. */
const struct insn *insn_at(const struct section *sec, unsigned long off);

/* The instruction following insn in its section, or NULL at the end. */
const struct insn *insn_next(const struct section *sec,
			     const struct insn *insn);

/* Is byte off (section offset) inside the immediate of insn? */
bool insn_off_in_imm(const struct insn *insn, unsigned long off);

/* Section offset of insn's immediate (valid when imm_size != 0). */
static inline unsigned long insn_imm_at(const struct insn *insn)
{
	return insn->offset + insn->imm_off;
}

static inline unsigned long insn_end(const struct insn *insn)
{
	return insn->offset + insn->len;
}

/*
 * Offset of the ftrace entry of the function starting at start of sec:
 * "call __fentry__", or the 5-byte NOP with a relocation to __fentry__ that
 * objtool --mnop / recordmcount leave; first, or after endbr64. -1: none.
 */
long insn_fentry_site(const struct section *sec, unsigned long start);

/* Release the instructions stored in sec. */
void insn_free(struct section *sec);

#endif
