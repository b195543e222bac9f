// SPDX-License-Identifier: GPL-2.0
/*
 * insn.c - decode text sections forward with libcapstone (insn.h), and
 * where a PC-relative relocation points.
 *
 * A text section is decoded once, from offset 0, restarting at every
 * function symbol so that one odd byte cannot shift the rest of the
 * section out of step. The decoder (one capstone handle) belongs to the
 * elf_file; the decoded instructions belong to the section.
 */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"
#include "insn.h"
#include "log.h"

/*
 * Two capstone handles: "bounds" finds where instructions start (fast, no
 * operand details) when a section is first decoded; "detail" fills in the
 * operands of an instruction the first time it is asked for.
 */
struct insn_decoder {
	csh bounds, detail;
	cs_insn *bounds_ci, *detail_ci;
};

/*
 * capstone allocates through these, so that its memory is accounted like
 * ours (the fuzz harnesses track and release allocations).
 */
static void *cs_alloc(size_t size)
{
	return malloc(size);
}

static void *cs_zalloc(size_t n, size_t size)
{
	return calloc(n, size);
}

static void *cs_resize(void *p, size_t size)
{
	return realloc(p, size);
}

static void cs_release(void *p)
{
	free(p);
}

static struct insn_decoder *decoder_of(struct elf_file *elf)
{
	cs_opt_mem mem = {
		.malloc = cs_alloc, .calloc = cs_zalloc, .realloc = cs_resize,
		.free = cs_release, .vsnprintf = vsnprintf,
	};
	struct insn_decoder *d = elf->decoder;

	if (d)
		return d;
	d = xcalloc(1, sizeof(*d));
	if (cs_option(0, CS_OPT_MEM, (size_t)&mem) != CS_ERR_OK ||
	    cs_open(CS_ARCH_X86, CS_MODE_64, &d->bounds) != CS_ERR_OK ||
	    cs_open(CS_ARCH_X86, CS_MODE_64, &d->detail) != CS_ERR_OK ||
	    cs_option(d->detail, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK ||
	    !(d->bounds_ci = cs_malloc(d->bounds)) ||
	    !(d->detail_ci = cs_malloc(d->detail)))
		fatal("%s: cannot start the x86 decoder (libcapstone)",
		      elf->path);
	elf->decoder = d;
	return d;
}

void insn_decoder_free(struct elf_file *elf)
{
	struct insn_decoder *d = elf->decoder;

	if (!d)
		return;
	cs_free(d->bounds_ci, 1);
	cs_free(d->detail_ci, 1);
	cs_close(&d->bounds);
	cs_close(&d->detail);
	free(d);
	elf->decoder = NULL;
}

static enum insn_reg gp_reg(x86_reg r, unsigned char *width)
{
	static const x86_reg regs[][4] = {	/* 64, 32, 16, 8 bits */
		{ X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL },
		{ X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL },
		{ X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL },
		{ X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL },
		{ X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL },
		{ X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL },
		{ X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL },
		{ X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL },
		{ X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B },
		{ X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B },
		{ X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B },
		{ X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B },
		{ X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B },
		{ X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B },
		{ X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B },
		{ X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B },
	};
	static const unsigned char widths[] = { 8, 4, 2, 1 };
	size_t i, w;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		for (w = 0; w < 4; w++)
			if (regs[i][w] == r) {
				*width = widths[w];
				return (enum insn_reg)(INSN_REG_AX + i);
			}
	return INSN_REG_NONE;
}

static bool in_group(const cs_insn *ci, unsigned char group)
{
	size_t i;

	for (i = 0; i < ci->detail->groups_count; i++)
		if (ci->detail->groups[i] == group)
			return true;
	return false;
}

static enum insn_class classify(const cs_insn *ci)
{
	switch (ci->id) {
	case X86_INS_ENDBR64:
		return INSN_ENDBR;
	case X86_INS_NOP:
		return INSN_NOP;
	case X86_INS_JMP:
		return INSN_JUMP;
	case X86_INS_MOV: case X86_INS_MOVABS:
		return INSN_MOV;
	case X86_INS_LEA:
		return INSN_LEA;
	case X86_INS_PUSH:
		return INSN_PUSH;
	case X86_INS_ADD: case X86_INS_OR: case X86_INS_AND:
	case X86_INS_SUB: case X86_INS_XOR: case X86_INS_CMP:
	case X86_INS_TEST:
		return INSN_ALU;
	}
	if (in_group(ci, CS_GRP_CALL))
		return INSN_CALL;
	if (in_group(ci, CS_GRP_RET))
		return INSN_RET;
	if (in_group(ci, CS_GRP_JUMP))
		return INSN_JCC;
	return INSN_OTHER;
}

static void fill(struct insn *insn, const cs_insn *ci)
{
	const cs_x86 *x = &ci->detail->x86;
	size_t i;

	insn->len = (unsigned char)ci->size;
	insn->class = (unsigned char)classify(ci);
	insn->imm_off = x->encoding.imm_offset;
	insn->imm_size = x->encoding.imm_offset ? x->encoding.imm_size : 0;
	insn->disp_off = x->encoding.disp_offset;
	insn->disp_size = x->encoding.disp_offset ? x->encoding.disp_size : 0;
	insn->target = -1;
	for (i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];

		if (op->type == X86_OP_MEM && op->mem.base == X86_REG_RIP)
			insn->rip_relative = true;
		if (op->type != X86_OP_IMM)
			continue;
		if (insn->class == INSN_CALL || insn->class == INSN_JUMP ||
		    insn->class == INSN_JCC)
			insn->target = (long)op->imm;
		else
			insn->imm = (long)op->imm;
	}
	if ((insn->class == INSN_MOV || insn->class == INSN_LEA ||
	     insn->class == INSN_ALU) && x->op_count &&
	    x->operands[0].type == X86_OP_REG)
		insn->dest_reg = (unsigned char)gp_reg(x->operands[0].reg,
						       &insn->dest_width);
}

static struct insn *append(struct section *sec, size_t *cap)
{
	if (sec->nr_insns == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		sec->insns = xrealloc(sec->insns, *cap * sizeof(*sec->insns));
	}
	sec->insns[sec->nr_insns] = (struct insn){ 0 };
	return &sec->insns[sec->nr_insns++];
}

/* Find the instructions of [off, end) of sec, stopping before end. */
static void decode_range(struct insn_decoder *d, struct section *sec,
			 unsigned long off, unsigned long end, size_t *cap)
{
	while (off < end) {
		const uint8_t *code = sec->data + off;
		size_t left = end - off;
		uint64_t addr = off;
		struct insn *insn = append(sec, cap);

		insn->offset = off;
		insn->target = -1;
		if (cs_disasm_iter(d->bounds, &code, &left, &addr,
				   d->bounds_ci)) {
			insn->len = (unsigned char)d->bounds_ci->size;
		} else {
			insn->len = 1;
			insn->class = INSN_BAD;
			insn->detailed = true;
		}
		off += insn->len;
	}
}

/* Instruction boundaries of sec, found on first use. */
static struct insn *decode(const struct section *csec, size_t *nr)
{
	/* decoding fills a cache in the section: it does not change it */
	struct section *sec = (struct section *)csec;
	unsigned long off = 0;
	size_t cap = 0, i;

	*nr = 0;
	if (!is_text_section(sec) || !sec->data)
		return NULL;
	if (!sec->insns_decoded) {
		struct insn_decoder *d = decoder_of(sec->elf);

		sec->insns_decoded = true;
		for (i = 0; i <= sec->nr_syms; i++) {
			unsigned long next = sec->size;

			if (i < sec->nr_syms) {
				next = sec->syms[i]->sym.st_value;
				if (next > sec->size || next < off)
					continue;
			}
			decode_range(d, sec, off, next, &cap);
			off = next;
		}
	}
	*nr = sec->nr_insns;
	return sec->insns;
}

/* Fill in the operands of insn (once). */
static const struct insn *detail(const struct section *sec, struct insn *insn)
{
	struct insn_decoder *d = sec->elf->decoder;
	const uint8_t *code = sec->data + insn->offset;
	size_t left = insn->len;
	uint64_t addr = insn->offset;

	if (insn->detailed)
		return insn;
	insn->detailed = true;
	if (cs_disasm_iter(d->detail, &code, &left, &addr, d->detail_ci))
		fill(insn, d->detail_ci);
	else
		insn->class = INSN_BAD;
	return insn;
}

const struct insn *insn_at(const struct section *sec, unsigned long off)
{
	size_t nr, lo = 0, hi;
	struct insn *insns = decode(sec, &nr);

	hi = nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (insn_end(&insns[mid]) <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < nr && insns[lo].offset <= off)
		return detail(sec, &insns[lo]);
	return NULL;
}

const struct insn *insn_next(const struct section *sec,
			     const struct insn *insn)
{
	if (insn + 1 >= sec->insns + sec->nr_insns)
		return NULL;
	return detail(sec, (struct insn *)insn + 1);
}

bool insn_off_in_imm(const struct insn *insn, unsigned long off)
{
	return insn->imm_size && off >= insn_imm_at(insn) &&
	       off < insn_imm_at(insn) + insn->imm_size;
}

void insn_free(struct section *sec)
{
	free(sec->insns);
	sec->insns = NULL;
	sec->nr_insns = 0;
	sec->insns_decoded = false;
}

/*
 * The patchable ftrace entry of the function starting at start: its offset,
 * or -1. Every form the kernel's ftrace accepts counts, as the function's
 * first instruction or the one after endbr64 (IBT kernels):
 *   call __fentry__            e8 + PLT32/PC32 relocation
 *   5-byte NOP                 what objtool --mnop or recordmcount leave in
 *                              its place, keeping a relocation (usually
 *                              R_X86_64_NONE) to __fentry__ on bytes 1-4
 */
long insn_fentry_site(const struct section *sec, unsigned long start)
{
	const struct insn *insn = insn_at(sec, start);
	const struct rela *r;

	if (!insn || insn->offset != start)
		return -1;
	if (insn->class == INSN_ENDBR)
		insn = insn_next(sec, insn);
	if (!insn || insn->len != 5)
		return -1;
	r = elf_rela_at(sec, insn->offset + 1);
	if (!r || !r->sym || strcmp(r->sym->name, "__fentry__"))
		return -1;
	if (insn->class == INSN_CALL &&
	    (r->type == R_X86_64_PLT32 || r->type == R_X86_64_PC32))
		return (long)insn->offset;
	if (insn->class == INSN_NOP)
		return (long)insn->offset;
	return -1;
}
