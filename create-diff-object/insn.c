// SPDX-License-Identifier: GPL-2.0
/*
 * insn.c - where a PC-relative relocation points.
 *
 * For a RIP-relative memory operand the CPU adds the displacement to the
 * address of the NEXT instruction, which ends after any immediate operand
 * that follows the displacement (`cmpl $0x1, var(%rip)`: 1 byte). The
 * addend is therefore (target - 4 - immediate size). The displacement is
 * preceded by a ModRM byte with mod=00, rm=101; the opcode before it tells
 * the immediate size. In data sections (`.long sym - .`) there is no
 * instruction and the target is the addend itself.
 */
#include "elf.h"

/* Immediate size of one-byte opcode op with ModRM modrm, -1 if no ModRM form. */
static int one_byte_imm(unsigned char op, unsigned char modrm, bool opsize16)
{
	unsigned int reg = (modrm >> 3) & 7;

	switch (op) {
	case 0x80: case 0x82: case 0x83: case 0x6b: case 0xc0: case 0xc1:
		return 1;
	case 0xc6:
		return reg == 0 ? 1 : 0;
	case 0x81: case 0x69:
		return opsize16 ? 2 : 4;
	case 0xc7:
		return reg == 0 ? (opsize16 ? 2 : 4) : 0;
	case 0xf6:
		return reg <= 1 ? 1 : 0;
	case 0xf7:
		return reg <= 1 ? (opsize16 ? 2 : 4) : 0;
	}
	return 0;
}

static bool two_byte_has_imm8(unsigned char op)
{
	switch (op) {
	case 0xba:			/* bt/bts/btr/btc r/m, imm8 */
	case 0x70: case 0x71: case 0x72: case 0x73:	/* pshuf*, shifts */
	case 0xa4: case 0xac:		/* shld/shrd imm8 */
	case 0xc2: case 0xc4: case 0xc5: case 0xc6:	/* cmpps, pinsrw, ... */
		return true;
	}
	return false;
}

/* Bytes of immediate between the disp32 at off and the instruction's end. */
static unsigned int imm_after_disp(const struct section *sec, unsigned long off)
{
	const unsigned char *d = sec->data;
	unsigned char modrm, op;
	unsigned long p;
	bool opsize16 = false;

	if (!d || off < 2)
		return 0;
	modrm = d[off - 1];
	if ((modrm & 0xc7) != 0x05)	/* not a RIP-relative ModRM */
		return 0;
	op = d[off - 2];
	if (off >= 4 && d[off - 4] == 0x0f && d[off - 3] == 0x3a)
		return 1;		/* 0f 3a xx: SSE4 with imm8 */
	if (off >= 3 && d[off - 3] == 0x0f)
		return two_byte_has_imm8(op) ? 1 : 0;
	/* legacy 0x66 prefix before an optional REX prefix */
	p = off - 2;
	if (p >= 1 && (d[p - 1] & 0xf0) == 0x40)
		p--;
	if (p >= 1 && d[p - 1] == 0x66)
		opsize16 = true;
	return (unsigned int)one_byte_imm(op, modrm, opsize16);
}

long rela_target_offset(const struct section *base, const struct rela *rela)
{
	if (!rela_is_pcrel(rela->type) || !is_text_section(base))
		return rela->addend;
	if (rela->type != R_X86_64_PC32 && rela->type != R_X86_64_PLT32)
		return rela->addend + 4;
	return rela->addend + 4 + imm_after_disp(base, rela->offset);
}
