// SPDX-License-Identifier: GPL-2.0
/*
 * elf.c - read a relocatable x86_64 ELF object into the model and check it.
 *
 * Every index and range taken from the file is verified here; corrupt input
 * ends with a message naming the file, section and symbol (exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf.h"
#include "log.h"

static const char *elf_err(void)
{
	return elf_errmsg(-1);
}

const char *bind_name(unsigned char bind)
{
	switch (bind) {
	case STB_LOCAL: return "LOCAL";
	case STB_GLOBAL: return "GLOBAL";
	case STB_WEAK: return "WEAK";
	}
	return "OTHER";
}

const char *type_name(unsigned char type)
{
	switch (type) {
	case STT_NOTYPE: return "NOTYPE";
	case STT_OBJECT: return "OBJECT";
	case STT_FUNC: return "FUNC";
	case STT_SECTION: return "SECTION";
	case STT_FILE: return "FILE";
	case STT_TLS: return "TLS";
	}
	return "OTHER";
}

bool is_rela_section(const struct section *sec)
{
	return sec->sh.sh_type == SHT_RELA;
}

bool is_text_section(const struct section *sec)
{
	return sec->sh.sh_type == SHT_PROGBITS &&
	       (sec->sh.sh_flags & SHF_EXECINSTR);
}

bool is_string_section(const struct section *sec)
{
	return (sec->sh.sh_flags & SHF_STRINGS) &&
	       (sec->sh.sh_flags & SHF_MERGE) &&
	       (sec->sh.sh_flags & SHF_ALLOC);
}

bool is_merge_section(const struct section *sec)
{
	return (sec->sh.sh_flags & SHF_MERGE) && (sec->sh.sh_flags & SHF_ALLOC);
}

bool is_debug_section(const struct section *sec)
{
	return !strncmp(sec->name, ".debug_", 7) ||
	       !strncmp(sec->name, ".rela.debug_", 12) ||
	       !strncmp(sec->name, ".zdebug_", 8);
}

struct section *elf_find_section(const struct elf_file *elf, const char *name)
{
	return hash_find(&elf->sec_by_name, name);
}

struct symbol *elf_find_symbol(const struct elf_file *elf, const char *name)
{
	return hash_find(&elf->sym_by_name, name);
}

/*
 * The symbol whose range covers off: the last such one in value order
 * (earlier symbols can cover off too, e.g. an alias or an enclosing object
 * before a zero-size label); a zero-size symbol exactly at off only when
 * no sized symbol covers it.
 */
struct symbol *elf_symbol_containing(const struct section *sec,
				     unsigned long off)
{
	size_t lo = 0, hi = sec->nr_syms;
	struct symbol *label = NULL;

	/* lo: number of symbols with value <= off */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->syms[mid]->sym.st_value <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo--) {
		struct symbol *s = sec->syms[lo];

		if (off - s->sym.st_value < s->sym.st_size)
			return s;
		if (!label && !s->sym.st_size && s->sym.st_value == off)
			label = s;
	}
	return label;
}

static int compare_rela_offsets(const void *a, const void *b)
{
	const struct rela *ra = a, *rb = b;

	if (ra->offset != rb->offset)
		return ra->offset < rb->offset ? -1 : 1;
	return 0;
}

void elf_sort_relas(struct section *relasec)
{
	size_t i;

	/* assemblers write them in order: check before sorting */
	for (i = 1; i < relasec->nr_relas; i++)
		if (relasec->relas[i].offset < relasec->relas[i - 1].offset)
			break;
	if (i >= relasec->nr_relas)
		return;
	qsort(relasec->relas, relasec->nr_relas, sizeof(struct rela),
	      compare_rela_offsets);
}

static int compare_symbol_values(const void *a, const void *b)
{
	const struct symbol *sa = *(struct symbol * const *)a;
	const struct symbol *sb = *(struct symbol * const *)b;

	if (sa->sym.st_value != sb->sym.st_value)
		return sa->sym.st_value < sb->sym.st_value ? -1 : 1;
	if (sa->index != sb->index)
		return sa->index < sb->index ? -1 : 1;
	return 0;
}

static void read_sections(struct elf_file *elf, Elf *e)
{
	size_t shnum, shstrndx, i;

	if (elf_getshdrnum(e, &shnum) || elf_getshdrstrndx(e, &shstrndx))
		fatal("%s: cannot read the section header table: %s",
		      elf->path, elf_err());
	if (shnum == 0)
		fatal("%s: the object has no sections", elf->path);
	if (shstrndx == 0 || shstrndx >= shnum)
		fatal("%s: section name table index %zu is out of range (%zu sections); the file is corrupt",
		      elf->path, shstrndx, shnum);

	elf->nr_sections = shnum;
	elf->sections = xcalloc(shnum, sizeof(*elf->sections));
	hash_init(&elf->sec_by_name, shnum);

	for (i = 1; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(e, i);
		struct section *sec = xcalloc(1, sizeof(*sec));
		const char *name;

		elf->sections[i] = sec;
		sec->elf = elf;
		sec->index = i;
		if (!scn || !gelf_getshdr(scn, &sec->sh))
			fatal("%s: cannot read section header %zu: %s",
			      elf->path, i, elf_err());
		name = elf_strptr(e, shstrndx, sec->sh.sh_name);
		if (!name)
			fatal("%s: section %zu has an invalid name offset %u; the file is corrupt",
			      elf->path, i, sec->sh.sh_name);
		sec->name = xstrdup(name);
		sec->size = sec->sh.sh_size;
		/* Kernel objects align to a page at most; 2 MiB is generous. */
		if (sec->sh.sh_addralign > (1UL << 21) ||
		    (sec->sh.sh_addralign & (sec->sh.sh_addralign - 1)))
			fatal("%s: section %s: alignment %lu is not a power of two up to 2 MiB; the file is corrupt",
			      elf->path, sec->name,
			      (unsigned long)sec->sh.sh_addralign);
		if (sec->sh.sh_type == SHT_GROUP &&
		    (sec->size < 4 || sec->size % 4))
			fatal("%s: group section %s: size %zu is not a flag word plus section indexes; the file is corrupt",
			      elf->path, sec->name, sec->size);
		if (sec->sh.sh_type != SHT_NOBITS && sec->sh.sh_type != SHT_NULL) {
			Elf_Data *data = elf_getdata(scn, NULL);

			if (!data)
				fatal("%s: cannot read the contents of section %s: %s",
				      elf->path, sec->name, elf_err());
			if (data->d_size != sec->sh.sh_size ||
			    elf_getdata(scn, data))
				fatal("%s: section %s: unexpected data layout (size %zu, header says %lu)",
				      elf->path, sec->name, data->d_size,
				      (unsigned long)sec->sh.sh_size);
			sec->data = data->d_buf;
			if (!sec->data && sec->size)
				fatal("%s: section %s has no data", elf->path,
				      sec->name);
		}
		hash_add(&elf->sec_by_name, sec->name, sec);
	}
}

static struct section *find_symtab(struct elf_file *elf)
{
	struct section *symtab = NULL;

	for_each_sec(elf, sec) {
		if (sec->sh.sh_type != SHT_SYMTAB)
			continue;
		if (symtab)
			fatal("%s: more than one symbol table (%s and %s)",
			      elf->path, symtab->name, sec->name);
		symtab = sec;
	}
	if (!symtab)
		fatal("%s: no symbol table (.symtab); was the object stripped?",
		      elf->path);
	if (symtab->sh.sh_entsize != sizeof(Elf64_Sym) ||
	    symtab->size % sizeof(Elf64_Sym))
		fatal("%s: section %s: bad symbol entry size %lu", elf->path,
		      symtab->name, (unsigned long)symtab->sh.sh_entsize);
	if (symtab->sh.sh_link == 0 || symtab->sh.sh_link >= elf->nr_sections ||
	    elf->sections[symtab->sh.sh_link]->sh.sh_type != SHT_STRTAB)
		fatal("%s: section %s: string table link %u is invalid",
		      elf->path, symtab->name, symtab->sh.sh_link);
	return symtab;
}

static void read_symbols(struct elf_file *elf, Elf *e)
{
	struct section *symtab = find_symtab(elf), *shndx_sec = NULL;
	Elf_Data *symdata, *shndx_data = NULL;
	size_t nsyms = symtab->size / sizeof(Elf64_Sym), i;
	const char *file = NULL;

	for_each_sec(elf, sec)
		if (sec->sh.sh_type == SHT_SYMTAB_SHNDX &&
		    sec->sh.sh_link == symtab->index)
			shndx_sec = sec;
	if (shndx_sec) {
		shndx_data = elf_getdata(elf_getscn(e, shndx_sec->index), NULL);
		if (!shndx_data || shndx_sec->size < nsyms * sizeof(Elf32_Word))
			fatal("%s: section %s is too small for %zu symbols",
			      elf->path, shndx_sec->name, nsyms);
	}
	symdata = elf_getdata(elf_getscn(e, symtab->index), NULL);
	if (!symdata)
		fatal("%s: cannot read %s: %s", elf->path, symtab->name,
		      elf_err());

	elf->nr_symbols = nsyms;
	elf->symbols = xcalloc(nsyms ? nsyms : 1, sizeof(*elf->symbols));
	hash_init(&elf->sym_by_name, nsyms);

	for (i = 0; i < nsyms; i++) {
		struct symbol *sym = xcalloc(1, sizeof(*sym));
		Elf32_Word xndx = 0;
		const char *name;
		size_t shndx;

		elf->symbols[i] = sym;
		sym->index = i;
		if (!gelf_getsymshndx(symdata, shndx_data, (int)i, &sym->sym,
				      &xndx))
			fatal("%s: cannot read symbol %zu: %s", elf->path, i,
			      elf_err());
		name = elf_strptr(e, symtab->sh.sh_link, sym->sym.st_name);
		if (!name)
			fatal("%s: symbol %zu has an invalid name offset %u; the file is corrupt",
			      elf->path, i, sym->sym.st_name);
		sym->bind = GELF_ST_BIND(sym->sym.st_info);
		sym->type = GELF_ST_TYPE(sym->sym.st_info);

		shndx = sym->sym.st_shndx;
		if (shndx == SHN_XINDEX) {
			if (!shndx_data)
				fatal("%s: symbol %s uses SHN_XINDEX but there is no .symtab_shndx",
				      elf->path, name);
			shndx = xndx;
		} else if (shndx >= SHN_LORESERVE) {
			if (shndx != SHN_ABS && shndx != SHN_COMMON &&
			    shndx != SHN_LIVEPATCH)
				fatal("%s: symbol %s has an unsupported section index 0x%zx",
				      elf->path, name, shndx);
			shndx = 0;
		}
		if (shndx >= elf->nr_sections)
			fatal("%s: symbol %s: section index %zu is out of range (%zu sections); the file is corrupt",
			      elf->path, name, shndx, elf->nr_sections);
		if (shndx)
			sym->sec = elf->sections[shndx];

		if (sym->type == STT_SECTION && sym->sec && !*name)
			name = sym->sec->name;
		sym->name = xstrdup(name);

		if (sym->type == STT_FILE) {
			file = sym->name;
		} else if (sym->bind == STB_LOCAL) {
			sym->file = (char *)file;
		}

		if (sym->sec && sym->type != STT_SECTION) {
			GElf_Xword end = sym->sym.st_value + sym->sym.st_size;

			if (end < sym->sym.st_value || end > sym->sec->size)
				fatal("%s: symbol %s (value 0x%lx, size %lu) extends past the end of section %s (size %zu); the file is corrupt",
				      elf->path, sym->name,
				      (unsigned long)sym->sym.st_value,
				      (unsigned long)sym->sym.st_size,
				      sym->sec->name, sym->sec->size);
		}
		if (sym->type == STT_SECTION && sym->sec && !sym->sec->secsym)
			sym->sec->secsym = sym;
		if (i && *sym->name && sym->type != STT_SECTION)
			hash_add(&elf->sym_by_name, sym->name, sym);
	}
}

static bool is_prefix_symbol(const struct symbol *sym)
{
	return !strncmp(sym->name, "__pfx_", 6) ||
	       !strncmp(sym->name, "__cfi_", 6);
}

/*
 * The function/object a -ffunction-sections/-fdata-sections section holds:
 * the symbol at offset 0 covering the section, ignoring .localalias
 * aliases, or the one function behind __pfx_/__cfi_ padding symbols.
 */
static struct symbol *section_main_symbol(struct section *sec)
{
	struct symbol *best = NULL, *func = NULL;
	size_t j, nfuncs = 0, nprefix = 0;

	for (j = 0; j < sec->nr_syms; j++) {
		struct symbol *sym = sec->syms[j];

		if (is_prefix_symbol(sym)) {
			nprefix++;
			continue;
		}
		if (sym->type == STT_FUNC && !strstr(sym->name, ".localalias")) {
			nfuncs++;
			func = sym;
		}
		if (sym->sym.st_value || strstr(sym->name, ".localalias"))
			continue;
		if (sym->sym.st_size != sec->size && sec->nr_syms > 1)
			continue;
		if (!best || (best->bind == STB_LOCAL && sym->bind != STB_LOCAL))
			best = sym;
	}
	if (!best && nprefix && nfuncs == 1)
		best = func;
	if (!best && sec->nr_syms == 1 && !sec->syms[0]->sym.st_value)
		best = sec->syms[0];
	return best;
}

/* Give each section its function/object symbols sorted by value. */
static void index_section_symbols(struct elf_file *elf)
{
	for_each_sym(elf, sym) {
		if (!sym->sec || (sym->type != STT_FUNC &&
				  sym->type != STT_OBJECT))
			continue;
		sym->sec->nr_syms++;
	}
	for_each_sec(elf, sec) {
		if (sec->nr_syms)
			sec->syms = xcalloc(sec->nr_syms, sizeof(*sec->syms));
		sec->nr_syms = 0;
	}
	for_each_sym(elf, sym) {
		if (!sym->sec || (sym->type != STT_FUNC &&
				  sym->type != STT_OBJECT))
			continue;
		sym->sec->syms[sym->sec->nr_syms++] = sym;
	}
	for_each_sec(elf, sec) {
		if (!sec->nr_syms)
			continue;
		qsort(sec->syms, sec->nr_syms, sizeof(*sec->syms),
		      compare_symbol_values);
		sec->sym = section_main_symbol(sec);
	}
}

static void read_relas(struct elf_file *elf)
{
	size_t j;

	for_each_sec(elf, sec) {
		struct section *base;

		if (sec->sh.sh_type == SHT_REL)
			fatal("%s: section %s: SHT_REL relocations are not supported on x86_64",
			      elf->path, sec->name);
		if (sec->sh.sh_link && sec->sh.sh_link < elf->nr_sections &&
		    sec->sh.sh_type != SHT_RELA &&
		    sec->sh.sh_type != SHT_SYMTAB &&
		    sec->sh.sh_type != SHT_SYMTAB_SHNDX &&
		    sec->sh.sh_type != SHT_GROUP)
			sec->link = elf->sections[sec->sh.sh_link];
		if (sec->sh.sh_type != SHT_RELA)
			continue;
		if (sec->sh.sh_link == 0 || sec->sh.sh_link >= elf->nr_sections ||
		    elf->sections[sec->sh.sh_link]->sh.sh_type != SHT_SYMTAB)
			fatal("%s: relocation section %s does not link to the symbol table",
			      elf->path, sec->name);
		if (sec->sh.sh_info == 0 || sec->sh.sh_info >= elf->nr_sections)
			fatal("%s: relocation section %s applies to section index %u which is out of range; the file is corrupt",
			      elf->path, sec->name, sec->sh.sh_info);
		if (sec->sh.sh_entsize != sizeof(Elf64_Rela) ||
		    sec->size % sizeof(Elf64_Rela))
			fatal("%s: relocation section %s has a bad entry size",
			      elf->path, sec->name);
		base = elf->sections[sec->sh.sh_info];
		switch (base->sh.sh_type) {
		case SHT_RELA: case SHT_REL: case SHT_NULL: case SHT_SYMTAB:
		case SHT_STRTAB: case SHT_SYMTAB_SHNDX: case SHT_GROUP:
			fatal("%s: relocation section %s (index %zu) applies to section %s (index %zu), which cannot be relocated; the file is corrupt",
			      elf->path, sec->name, sec->index, base->name,
			      base->index);
		}
		sec->base = base;
		if (sec->sh.sh_flags & SHF_RELA_LIVEPATCH)
			;	/* .klp.rela.*: base->rela stays the normal one */
		else if (base->rela)
			fatal("%s: section %s has two relocation sections (%s, %s)",
			      elf->path, base->name, base->rela->name,
			      sec->name);
		else
			base->rela = sec;
		sec->nr_relas = sec->size / sizeof(Elf64_Rela);
		sec->relas = xcalloc(sec->nr_relas, sizeof(struct rela));
		for (j = 0; j < sec->nr_relas; j++) {
			Elf64_Rela raw;
			struct rela *rela = &sec->relas[j];
			size_t symi;

			memcpy(&raw, sec->data + j * sizeof(raw), sizeof(raw));
			symi = ELF64_R_SYM(raw.r_info);
			rela->type = ELF64_R_TYPE(raw.r_info);
			rela->offset = raw.r_offset;
			rela->addend = raw.r_addend;
			if (symi >= elf->nr_symbols)
				fatal("%s: section %s: relocation %zu refers to symbol index %zu, but there are only %zu symbols; the file is corrupt",
				      elf->path, sec->name, j, symi,
				      elf->nr_symbols);
			rela->sym = elf->symbols[symi];
			if (rela->offset > base->size ||
			    base->size - rela->offset < rela_width(rela->type) ||
			    (rela_width(rela->type) == 0 &&
			     rela->offset >= base->size && base->size))
				fatal("%s: section %s: relocation at offset 0x%lx (symbol %s) is outside section %s (size %zu); the file is corrupt",
				      elf->path, sec->name, rela->offset,
				      rela->sym->name, base->name, base->size);
		}
		elf_sort_relas(sec);
	}
}

static void release_elf(void *elf)
{
	elf_free(elf);
}

void elf_own(struct elf_file *elf)
{
	elf->fd = -1;
	log_defer(&elf->release, release_elf, elf);
}

struct elf_file *elf_read(const char *path)
{
	struct elf_file *elf = xcalloc(1, sizeof(*elf));
	Elf *e;

	elf_own(elf);
	elf->path = xstrdup(path);
	elf_version(EV_CURRENT);
	elf->fd = open(path, O_RDONLY);
	if (elf->fd < 0)
		fatal("%s: cannot open: %s", path, strerror(errno));
	e = elf_begin(elf->fd, ELF_C_READ_MMAP, NULL);
	if (!e)
		fatal("%s: cannot read ELF: %s", path, elf_err());
	elf->handle = e;
	if (elf_kind(e) != ELF_K_ELF)
		fatal("%s: not an ELF object", path);
	if (gelf_getclass(e) != ELFCLASS64 || !gelf_getehdr(e, &elf->ehdr))
		fatal("%s: not a 64-bit ELF object", path);
	if (elf->ehdr.e_ident[EI_DATA] != ELFDATA2LSB ||
	    elf->ehdr.e_machine != EM_X86_64)
		fatal("%s: not an x86_64 object (machine %u)", path,
		      elf->ehdr.e_machine);
	if (elf->ehdr.e_type != ET_REL)
		fatal("%s: not a relocatable object (ELF type %u); expected a .o or .ko",
		      path, elf->ehdr.e_type);

	read_sections(elf, e);
	read_symbols(elf, e);
	index_section_symbols(elf);
	read_relas(elf);
	return elf;
}

void elf_free(struct elf_file *elf)
{
	size_t i;

	if (!elf)
		return;
	log_undefer(&elf->release);
	for (i = 1; i < elf->nr_sections && elf->sections; i++) {
		struct section *sec = elf->sections[i];

		if (!sec)
			continue;
		if (sec->data_owned)
			free(sec->data);
		free(sec->relas);
		free(sec->syms);
		free(sec->reach);
		insn_free(sec);
		free(sec->name);
		free(sec);
	}
	for (i = 0; i < elf->nr_symbols; i++) {
		if (!elf->symbols[i])
			continue;
		free(elf->symbols[i]->reason);
		free(elf->symbols[i]->referrers);
		free(elf->symbols[i]->name);
		free(elf->symbols[i]);
	}
	free(elf->sections);
	free(elf->symbols);
	hash_free(&elf->sec_by_name);
	hash_free(&elf->sym_by_name);
	insn_decoder_free(elf);
	if (elf->handle)
		elf_end(elf->handle);
	if (elf->fd >= 0)
		close(elf->fd);
	free(elf->path);
	free(elf);
}
