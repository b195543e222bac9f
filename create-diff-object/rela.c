// SPDX-License-Identifier: GPL-2.0
/*
 * rela.c - relocations: types, lookup by offset, where they point (with
 * the instruction decoder for PC-relative fields in code), the C string a
 * pointer field designates, and how messages name a place in an object.
 */
#include <stdio.h>
#include <string.h>

#include "elf.h"
#include "insn.h"
#include "log.h"

unsigned int rela_width(unsigned int type)
{
	switch (type) {
	case R_X86_64_64:
	case R_X86_64_PC64:
	case R_X86_64_GOTOFF64:
	case R_X86_64_GOTPC64:
		return 8;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
	case R_X86_64_GOTPC32:
	case R_X86_64_TPOFF32:
		return 4;
	case R_X86_64_16:
	case R_X86_64_PC16:
		return 2;
	case R_X86_64_8:
	case R_X86_64_PC8:
		return 1;
	case R_X86_64_NONE:
		return 0;
	}
	return 0;
}

bool rela_is_pcrel(unsigned int type)
{
	switch (type) {
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_PC64:
	case R_X86_64_PC16:
	case R_X86_64_PC8:
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
		return true;
	}
	return false;
}

const char *rela_type_name(unsigned int type)
{
	switch (type) {
	case R_X86_64_NONE: return "R_X86_64_NONE";
	case R_X86_64_64: return "R_X86_64_64";
	case R_X86_64_PC32: return "R_X86_64_PC32";
	case R_X86_64_PLT32: return "R_X86_64_PLT32";
	case R_X86_64_32: return "R_X86_64_32";
	case R_X86_64_32S: return "R_X86_64_32S";
	case R_X86_64_16: return "R_X86_64_16";
	case R_X86_64_PC16: return "R_X86_64_PC16";
	case R_X86_64_8: return "R_X86_64_8";
	case R_X86_64_PC8: return "R_X86_64_PC8";
	case R_X86_64_PC64: return "R_X86_64_PC64";
	case R_X86_64_GOTPCREL: return "R_X86_64_GOTPCREL";
	case R_X86_64_GOTPCRELX: return "R_X86_64_GOTPCRELX";
	case R_X86_64_REX_GOTPCRELX: return "R_X86_64_REX_GOTPCRELX";
	}
	return NULL;
}

size_t elf_rela_lower_bound(const struct section *relasec, unsigned long off)
{
	size_t lo = 0, hi = relasec->nr_relas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (relasec->relas[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct rela *elf_rela_at(const struct section *base, unsigned long offset)
{
	size_t i;

	if (!base->rela)
		return NULL;
	i = elf_rela_lower_bound(base->rela, offset);
	if (i < base->rela->nr_relas && base->rela->relas[i].offset == offset)
		return &base->rela->relas[i];
	return NULL;
}

/*
 * For a PC-relative field the CPU adds the value to the address of the
 * NEXT instruction, which ends after any immediate operand that follows
 * the field (`cmpl $0x1, var(%rip)`: 1 byte). The target is therefore
 * addend + (end of instruction - field). In data sections (`.long sym - .`)
 * there is no instruction and the target is the addend itself.
 */
long rela_target_offset(const struct section *base, const struct rela *rela)
{
	const struct insn *insn;

	if (!rela_is_pcrel(rela->type) || !is_text_section(base))
		return rela->addend;
	if (rela->type != R_X86_64_PC32 && rela->type != R_X86_64_PLT32)
		return rela->addend + 4;
	insn = insn_at(base, rela->offset);
	if (!insn || rela->offset + 4 > insn_end(insn))
		return rela->addend + 4;
	return rela->addend + (long)(insn_end(insn) - rela->offset);
}

const char *elf_rela_string(const struct section *base,
			    const struct rela *rela)
{
	const struct section *t = rela->sym->sec;
	long off;

	if (!t || !t->data)
		return NULL;
	off = (long)rela->sym->sym.st_value + rela_target_offset(base, rela);
	if (off < 0 || (size_t)off >= t->size ||
	    !memchr(t->data + off, 0, t->size - (size_t)off))
		return NULL;
	return (const char *)t->data + off;
}

const char *elf_owner_name(const struct section *sec, unsigned long off)
{
	const struct symbol *sym = elf_symbol_containing(sec, off);

	return sym ? sym->name : sec->name;
}

const char *elf_loc(char *buf, size_t size, const struct section *sec,
		    unsigned long off)
{
	const struct symbol *sym = elf_symbol_containing(sec, off);
	const char *path = sec->elf ? sec->elf->path : "?";

	if (sym)
		snprintf(buf, size, "%s: %s+0x%lx (%s+0x%lx)", base_name(path),
			 sec->name, off, sym->name, off - sym->sym.st_value);
	else
		snprintf(buf, size, "%s: %s+0x%lx", base_name(path),
			 sec->name, off);
	return buf;
}
