// SPDX-License-Identifier: GPL-2.0
/*
 * ibt.c - kernels built with Indirect Branch Tracking (X86_KERNEL_IBT,
 * Linux 6.2+) and function padding (CALL_PADDING, PREFIX_SYMBOLS).
 *
 * With IBT, kbuild runs objtool on vmlinux.o and on each linked module
 * object, not on every .o: the objects create-diff-object compares carry no
 * ORC, retpoline, return, call-site, static-call or ENDBR-seal sections
 * (single-object modules do: objtool runs on them as they are compiled).
 * The patch module is linked the way kbuild links a module, so objtool runs
 * once over it and generates all of those for the module's code. With
 * --objtool-link, therefore:
 *
 *  - the objtool-generated sections of both objects are ignored (objtool
 *    would refuse to add to a section that already exists);
 *  - objtool's own annotations (.discard.retpoline_safe, .discard.noendbr,
 *    unwind hints, ...) of the included code are kept, so that objtool
 *    validates the module's code as it validated the kernel's;
 *  - __pfx_ symbols are dropped: objtool names the 16 bytes of padding in
 *    front of each function again (the padding itself is part of the
 *    function's section and always travels with it).
 * Without --objtool-link a __pfx_ symbol travels with its function.
 *
 * Sealed ENDBR: at boot the kernel turns the endbr64 of every vmlinux
 * function that nothing takes the address of (the vmlinux's
 * .ibt_endbr_seal list) into a NOP; modules' lists are applied when they
 * load. Patched code that takes the address of such a function would make
 * an indirect call fault on IBT hardware, so it is refused (qemu's CPU does
 * not enforce IBT: this can only be caught here).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdo.h"
#include "insn.h"
#include "klp.h"
#include "log.h"
#include "special_table.h"
#include "u64set.h"

static bool name_in(const char *name, const char * const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

/* Sections objtool writes (SPECIAL_OBJTOOL rows of special_kinds). */
bool ibt_is_objtool_section(const struct section *sec)
{
	const struct special_kind *k;

	if (is_rela_section(sec))
		return sec->base && ibt_is_objtool_section(sec->base);
	k = special_kind(sec->name);
	return k && (k->flags & SPECIAL_OBJTOOL);
}

static bool is_prefix_name(const char *name)
{
	return !strncmp(name, "__pfx_", 6);
}

/* The function a __pfx_ symbol pads: same section, right after it. */
static struct symbol *prefixed_function(struct elf_file *elf,
					struct symbol *pfx)
{
	struct symbol *f = elf_find_symbol(elf, pfx->name + 6);

	if (!f || f->type != STT_FUNC || f->sec != pfx->sec ||
	    f->sym.st_value != pfx->sym.st_value + pfx->sym.st_size)
		return NULL;
	return f;
}

void ibt_prepare(struct cdo *cdo, struct elf_file *elf)
{
	size_t i;

	if (cdo->objtool_link) {
		for (i = 1; i < elf->nr_sections; i++) {
			struct section *sec = elf->sections[i];
			struct section *base = is_rela_section(sec) && sec->base ?
					       sec->base : sec;

			if (ibt_is_objtool_section(sec))
				sec->ignore = true;
			else if (!strncmp(base->name, ".discard.", 9))
				sec->objtool_annotation = true;
		}
	}
	for (i = 1; i < elf->nr_symbols; i++) {
		struct symbol *sym = elf->symbols[i], *f;

		if (!sym->sec || !is_prefix_name(sym->name))
			continue;
		if (cdo->objtool_link) {
			sym->ignore = true;
			continue;
		}
		f = prefixed_function(elf, sym);
		if (f && !sym->parent)
			sym->parent = f;	/* included with it, never "changed" */
	}
}

/* ------------------------------------------------------------ sealed ENDBR */

/* The parent's sealed functions (owned by struct cdo, read on first use). */
struct ibt_seal {
	bool *sealed;		/* parallel to parent->syms */
	size_t nr_sealed;
};

static uint64_t rel_key(size_t shndx, unsigned long off)
{
	return ((uint64_t)shndx << 40) ^ off;
}

/* The section listing sealed functions (a special_kinds row). */
#define SEAL_SECTION	".ibt_endbr_seal"

/*
 * vmlinux: each .ibt_endbr_seal entry is a 32-bit offset from the entry to
 * the endbr64 it seals. Returns the sealed addresses in *set.
 */
static void read_exec_seal(Elf *e, GElf_Shdr *sh, Elf_Scn *scn,
			   struct u64set *set)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t size = special_kind(SEAL_SECTION)->size, i, n;

	if (!data || !data->d_buf || data->d_size < sh->sh_size)
		return;
	n = sh->sh_size / size;
	for (i = 0; i < n; i++) {
		int32_t rel;

		memcpy(&rel, (char *)data->d_buf + size * i, sizeof(rel));
		u64set_add(set, sh->sh_addr + size * i + (int64_t)rel);
	}
	(void)e;
}

/*
 * A module .ko: the entries are relocations (section symbol + offset, or a
 * function symbol). Returns the sealed (section, offset) keys in *set.
 */
static void read_rel_seal(Elf *e, size_t seal_index, struct u64set *set,
			  struct u64set *byindex)
{
	Elf_Scn *scn = NULL, *symscn = NULL;
	Elf_Data *rdata = NULL, *sdata;
	GElf_Shdr sh;
	size_t i, n = 0;

	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return;
		if (sh.sh_type == SHT_RELA && sh.sh_info == seal_index) {
			rdata = elf_getdata(scn, NULL);
			n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
			symscn = elf_getscn(e, sh.sh_link);
		}
	}
	if (!rdata || !symscn || !(sdata = elf_getdata(symscn, NULL)))
		return;
	for (i = 0; i < n; i++) {
		GElf_Rela r;
		GElf_Sym s;

		if (!gelf_getrela(rdata, (int)i, &r) ||
		    !gelf_getsym(sdata, (int)GELF_R_SYM(r.r_info), &s))
			continue;
		u64set_add(set, rel_key(s.st_shndx, s.st_value + r.r_addend));
	}
	u64set_seal(set);
	/* (section, offset) of every defined function -> symbol index */
	if (!gelf_getshdr(symscn, &sh) || !sh.sh_entsize)
		return;
	n = sh.sh_size / sh.sh_entsize;
	for (i = 1; i < n; i++) {
		GElf_Sym s;

		if (!gelf_getsym(sdata, (int)i, &s) ||
		    GELF_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE)
			continue;
		if (u64set_has(set, rel_key(s.st_shndx, s.st_value)))
			u64set_add(byindex, i);
	}
}

static void read_seal(struct cdo *cdo)
{
	struct parent *parent = cdo->parent;
	struct ibt_seal *seal = xcalloc(1, sizeof(*seal));
	struct u64set set = { 0 }, byindex = { 0 };
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstrndx, i;
	int fd;
	Elf *e;

	cdo->seal = seal;
	seal->sealed = xcalloc(parent->nr_syms + 1, sizeof(*seal->sealed));
	if (parent->from_text) {
		/* readelf -s text has no .ibt_endbr_seal: nothing is known sealed */
		debug("%s: symbol table text, no seal list", cdo->parent_path);
		return;
	}
	fd = open(cdo->parent_path, O_RDONLY);
	if (fd < 0)
		fatal("%s: cannot open the parent object: %s",
		      cdo->parent_path, strerror(errno));
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_getshdrstrndx(e, &shstrndx))
		fatal("%s: cannot read the parent object's sections: %s",
		      cdo->parent_path, elf_errmsg(-1));
	while ((scn = elf_nextscn(e, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh) ||
		    !(name = elf_strptr(e, shstrndx, sh.sh_name)) ||
		    strcmp(name, SEAL_SECTION) || sh.sh_type == SHT_NOBITS)
			continue;
		if (parent->is_module)
			read_rel_seal(e, elf_ndxscn(scn), &set, &byindex);
		else
			read_exec_seal(e, &sh, scn, &set);
		break;
	}
	u64set_seal(&set);
	u64set_seal(&byindex);
	for (i = 0; i < parent->nr_syms; i++) {
		struct parent_symbol *ps = &parent->syms[i];

		if (ps->type != STT_FUNC)
			continue;
		if (parent->is_module ?
		    u64set_has(&byindex, ps->index) :
		    u64set_has(&set, ps->addr)) {
			seal->sealed[i] = true;
			seal->nr_sealed++;
		}
	}
	debug("%s: %zu sealed functions", cdo->parent_path, seal->nr_sealed);
	u64set_free(&set);
	u64set_free(&byindex);
	elf_end(e);
	close(fd);
}

/*
 * Is the parent's function name (at kallsyms position sympos, 0 = unique)
 * sealed? With several namesakes, sympos picks one in kallsyms order
 * (address order for vmlinux, symbol table order for a module).
 */
static bool parent_sealed(const struct ibt_seal *seal, struct parent *parent,
			  const char *name, unsigned long sympos, bool local)
{
	struct hash_node *node = NULL;
	struct parent_symbol *best = NULL;
	size_t count = 0, nsealed = 0;

	while ((node = hash_next(&parent->by_name, name, node))) {
		struct parent_symbol *ps = node->value;

		if (ps->type != STT_FUNC || !ps->listed)
			continue;
		count++;
		nsealed += seal->sealed[ps - parent->syms];
		if (!sympos && (ps->bind == STB_LOCAL) == local)
			best = ps;
	}
	if (!count || !nsealed)
		return false;
	if (nsealed == count)
		return true;
	if (sympos) {
		/* the sympos-th namesake in kallsyms order */
		node = NULL;
		while ((node = hash_next(&parent->by_name, name, node))) {
			struct parent_symbol *ps = node->value, *q;
			struct hash_node *m = NULL;
			size_t before = 0;

			if (ps->type != STT_FUNC || !ps->listed)
				continue;
			while ((m = hash_next(&parent->by_name, name, m))) {
				q = m->value;
				if (q->type == STT_FUNC && q->listed &&
				    (parent->is_module ? q->index < ps->index :
				     q->addr < ps->addr))
					before++;
			}
			if (before + 1 == sympos)
				return seal->sealed[ps - parent->syms];
		}
		return false;
	}
	return best && seal->sealed[best - parent->syms];
}

/* Is the relocation the target of a direct call or jump (not an address)? */
static bool is_branch_operand(const struct section *sec,
			      const struct rela *rela)
{
	const struct insn *insn = insn_at(sec, rela->offset);

	return insn && (insn->class == INSN_CALL || insn->class == INSN_JUMP ||
			insn->class == INSN_JCC) &&
	       insn_off_in_imm(insn, rela->offset);
}

/*
 * Sections whose references to code are not function pointers: special
 * sections whose entries point at code (special_kinds), and these.
 */
static bool is_code_annotation(const struct section *sec)
{
	static const char * const names[] = {
		"_error_injection_whitelist", "_kprobe_blacklist",
		".kpatch.funcs", NULL,
	};
	const struct special_kind *k = special_kind(sec->name);

	if (k && k->owner == OWNER_CODE && k->code != SPECIAL_NONE)
		return true;
	return ibt_is_objtool_section(sec) || name_in(sec->name, names) ||
	       !strncmp(sec->name, ".discard.", 9) ||
	       !strncmp(sec->name, ".kpatch.callbacks.", 18);
}

/*
 * --objtool-link: a livepatch relocation also gets a placeholder relocation
 * (output.c), an exported static call trampoline __SCT__x the key __SCK__x
 * as an undefined symbol when it is exported too: objtool names it in the
 * static call site it makes, which the kernel could otherwise resolve only
 * for EXPORT_STATIC_CALL_TRAMP trampolines.
 */
static void objtool_link_extras(struct cdo *cdo, const struct section *sec,
				const struct rela *rela, struct reach *reach)
{
	char *key;

	if (!cdo->objtool_link)
		return;
	/*
	 * objtool reads its annotations only as section symbol + offset, and
	 * takes a jump whose relocation names a function for a sibling call
	 * (an alternative's replacement jumping back into its function): what
	 * the compiler wrote against a section symbol stays so.
	 */
	if (reach->kind == REACH_INTERNAL && rela->sym->sec &&
	    !rela->sym->sec->partial &&
	    (sec->objtool_annotation || rela->via_section))
		reach->section_sym = true;
	if (reach->kind == REACH_KLP)
		reach->placeholder = true;
	if (reach->kind != REACH_UNDEFINED || strncmp(reach->name, "__SCT__", 7))
		return;
	key = xasprintf("__SCK__%s", reach->name + 7);
	reach->sc_key = symvers_owner(cdo->symvers, key) != NULL;
	free(key);
}

void ibt_resolve_rela(struct cdo *cdo, const struct section *sec,
		      const struct rela *rela, struct reach *reach)
{
	const struct symbol *t = rela->sym;
	const struct symbol *tt = t->twin ? t->twin : t;
	const struct symbol *owner;
	bool local;

	objtool_link_extras(cdo, sec, rela, reach);
	if (reach->kind == REACH_INTERNAL || reach->kind == REACH_SKIP ||
	    !cdo->parent ||
	    (reach->kind == REACH_KLP && strcmp(reach->objname, cdo->objname)))
		return;
	/* a function of the parent: a defined function, or an undefined name */
	if (t->sec && t->type != STT_FUNC)
		return;
	if (is_text_section(sec) ? is_branch_operand(sec, rela) :
	    is_code_annotation(sec))
		return;
	if (!cdo->seal)
		read_seal(cdo);
	if (!cdo->seal->nr_sealed)
		return;
	local = tt->bind == STB_LOCAL;
	if (!parent_sealed(cdo->seal, cdo->parent, reach->name, reach->sympos,
			   local))
		return;
	owner = elf_symbol_containing(sec, rela->offset);
	refuse("%s: section %s: %s takes the address of %s, a function of %s whose endbr64 the kernel seals at boot (it is in the .ibt_endbr_seal list: nothing in the kernel takes its address), so an indirect call through this pointer faults on IBT hardware; call %s directly from a new function in the patch and use that function's address instead",
	       cdo->base, sec->name, owner ? owner->name : sec->name,
	       reach->name, cdo->objname, reach->name);
}

void ibt_free(struct cdo *cdo)
{
	if (!cdo->seal)
		return;
	free(cdo->seal->sealed);
	free(cdo->seal);
	cdo->seal = NULL;
}
