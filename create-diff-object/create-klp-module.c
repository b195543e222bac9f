// SPDX-License-Identifier: GPL-2.0
/*
 * create-klp-module IN.ko OUT.ko - turn the .kpatch.klp_relocs records of a
 * linked livepatch module into livepatch relocation sections
 * (.klp.rela.<objname>.<section>) and symbols (.klp.sym.<objname>.<name>,<pos>)
 * as described in Documentation/livepatch/module-elf-format.rst, then drop
 * the records. Placeholder relocations that create-diff-object --objtool-link
 * left at the records' places for objtool are removed (klp_ibt.c).
 * OUT.ko is written to OUT.ko.tmp and renamed on success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"
#include "klp_ibt.h"
#include "kpatch-abi.h"
#include "log.h"

static const char *record_string(struct elf_file *elf, struct section *sec,
				 unsigned long off, const char *what, size_t i)
{
	struct rela *rela = elf_rela_at(sec, off);
	const char *s;

	if (!rela || !rela->sym->sec)
		fatal("%s: %s record %zu: the %s field has no relocation to a string; was the module built from create-diff-object output?",
		      elf->path, sec->name, i, what);
	s = elf_rela_string(sec, rela);
	if (!s)
		fatal("%s: %s record %zu: the %s field does not point to a string in %s",
		      elf->path, sec->name, i, what, rela->sym->sec->name);
	return s;
}

static struct symbol *klp_symbol(struct elf_file *elf, const char *objname,
				 const char *name, unsigned long sympos)
{
	char *full = xasprintf(".klp.sym.%s.%s,%lu", objname, name, sympos);
	struct symbol *sym = elf_find_symbol(elf, full);

	if (!sym) {
		sym = elf_add_symbol(elf, full, STB_GLOBAL, STT_NOTYPE, NULL,
				     0, 0);
		sym->sym.st_shndx = SHN_LIVEPATCH;
	} else if (sym->sym.st_shndx != SHN_LIVEPATCH) {
		fatal("%s: symbol %s already exists and is not a livepatch symbol",
		      elf->path, full);
	}
	free(full);
	return sym;
}

static struct section *klp_rela_section(struct elf_file *elf,
					const char *objname,
					struct section *dest)
{
	char *name = xasprintf(".klp.rela.%s.%s", objname, dest->name);
	struct section *sec = elf_find_section(elf, name);

	if (!sec) {
		sec = elf_add_section(elf, name, SHT_RELA,
				      SHF_ALLOC | SHF_RELA_LIVEPATCH |
				      SHF_INFO_LINK, 8, sizeof(Elf64_Rela),
				      NULL, 0);
		sec->base = dest;	/* dest->rela stays the normal one */
	} else if (sec->base != dest) {
		fatal("%s: section %s exists but relocates %s, not %s",
		      elf->path, name, sec->base ? sec->base->name : "?",
		      dest->name);
	}
	free(name);
	return sec;
}

static void check_objname(struct elf_file *elf, const char *objname, size_t i)
{
	if (!*objname || strchr(objname, '.') || strlen(objname) > 55)
		fatal("%s: %s record %zu: object name '%s' is not a valid module name",
		      elf->path, KPATCH_KLP_RELOCS_SECTION, i, objname);
}

int main(int argc, char **argv)
{
	struct log_ctx log;
	struct elf_file *elf;
	struct section *sec;
	struct u64set module_calls = { 0 };
	size_t i, n;

	log_init(&log, "create-klp-module");
	if (argc != 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: create-klp-module IN.ko OUT.ko\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 1;
	}
	elf = elf_read(argv[1]);
	sec = elf_find_section(elf, KPATCH_KLP_RELOCS_SECTION);
	n = sec ? sec->size / KPATCH_KLP_RELOC_SIZE : 0;
	if (sec && (sec->size % KPATCH_KLP_RELOC_SIZE || !sec->data))
		fatal("%s: section %s: size %zu is not a multiple of %d",
		      elf->path, sec->name, sec->size, KPATCH_KLP_RELOC_SIZE);
	if (n && !sec->rela)
		fatal("%s: section %s has no relocation section", elf->path,
		      sec->name);

	for (i = 0; i < n; i++) {
		unsigned long base = i * KPATCH_KLP_RELOC_SIZE, sympos, off;
		struct rela *dest = elf_rela_at(sec, base + KPATCH_KLP_DEST);
		const char *objname, *name;
		struct section *rsec;
		unsigned int type, width;
		long addend;

		if (!dest || !dest->sym->sec)
			fatal("%s: %s record %zu: the destination has no relocation to a section",
			      elf->path, sec->name, i);
		memcpy(&type, sec->data + base + KPATCH_KLP_TYPE, sizeof(type));
		memcpy(&addend, sec->data + base + KPATCH_KLP_ADDEND,
		       sizeof(addend));
		memcpy(&sympos, sec->data + base + KPATCH_KLP_SYMPOS,
		       sizeof(sympos));
		objname = record_string(elf, sec, base + KPATCH_KLP_OBJNAME,
					"objname", i);
		name = record_string(elf, sec, base + KPATCH_KLP_NAME, "name",
				     i);
		check_objname(elf, objname, i);
		off = dest->sym->sym.st_value + (unsigned long)dest->addend;
		width = rela_width(type);
		if (!width)
			fatal("%s: %s record %zu: unknown relocation type %u for %s+0x%lx; the record is corrupt, rebuild the module",
			      elf->path, sec->name, i, type,
			      dest->sym->sec->name, off);
		if (off >= dest->sym->sec->size ||
		    dest->sym->sec->size - off < width)
			fatal("%s: %s record %zu: destination %s+0x%lx (%u bytes) is outside the section (size 0x%zx); the record is corrupt, rebuild the module",
			      elf->path, sec->name, i, dest->sym->sec->name,
			      off, width, (size_t)dest->sym->sec->size);
		if (!klp_take_placeholder(elf, dest->sym->sec, off, name))
			fatal("%s: %s record %zu: the destination already has a normal relocation (to %s)",
			      ELF_LOC(dest->sym->sec, off), sec->name, i,
			      elf_rela_at(dest->sym->sec, off)->sym->name);
		if (strcmp(objname, "vmlinux"))
			klp_note_module_call(&module_calls, dest->sym->sec, off,
					     type);
		rsec = klp_rela_section(elf, objname, dest->sym->sec);
		elf_add_rela(rsec, off, type,
			     klp_symbol(elf, objname, name, sympos), addend);
	}

	klp_filter_call_sites(elf, &module_calls);
	u64set_free(&module_calls);
	klp_drop_placeholders(elf);
	if (sec) {
		sec->removed = true;
		if (sec->rela)
			sec->rela->removed = true;
		for_each_sym(elf, s)
			if (s->sec == sec)
				s->removed = true;
		for_each_sec(elf, r) {

			if (!is_rela_section(r) || r->removed)
				continue;
			for_each_rela(r, rela)
				if (rela->sym->removed)
					fatal("%s: section %s refers to %s (symbol %s); nothing may use %s",
					      elf->path, r->name, sec->name,
					      rela->sym->name, sec->name);
		}
	}
	for_each_sec(elf, r) {
		size_t j;

		if (!is_rela_section(r))
			continue;
		elf_sort_relas(r);
		if (!(r->sh.sh_flags & SHF_RELA_LIVEPATCH))
			continue;
		for (j = 1; j < r->nr_relas; j++)
			if (r->relas[j].offset == r->relas[j - 1].offset)
				fatal("%s: two livepatch relocations for the same place",
				      ELF_LOC(r->base, r->relas[j].offset));
	}
	elf_write(elf, argv[2]);
	printf("%s: %zu livepatch relocation%s\n", argv[2], n, n == 1 ? "" : "s");
	elf_free(elf);
	return 0;
}
