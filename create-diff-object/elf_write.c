// SPDX-License-Identifier: GPL-2.0
/*
 * elf_write.c - build objects in the model and write them out.
 *
 * The writer regenerates .symtab, .strtab, .shstrtab and every SHT_RELA
 * section from the model: local symbols first, section links and sh_info
 * recomputed. The file is written to PATH.tmp and renamed on success.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf.h"
#include "log.h"

struct elf_file *elf_new(const char *path)
{
	struct elf_file *elf = xcalloc(1, sizeof(*elf));

	elf_own(elf);
	elf->path = xstrdup(path);
	elf->nr_sections = 1;
	elf->sections = xcalloc(1, sizeof(*elf->sections));
	elf->nr_symbols = 1;
	elf->symbols = xcalloc(1, sizeof(*elf->symbols));
	elf->symbols[0] = xcalloc(1, sizeof(struct symbol));
	elf->symbols[0]->name = xstrdup("");
	hash_init(&elf->sec_by_name, 64);
	hash_init(&elf->sym_by_name, 64);
	return elf;
}

struct section *elf_add_section(struct elf_file *elf, const char *name,
				GElf_Word type, GElf_Xword flags,
				GElf_Xword align, GElf_Xword entsize,
				const void *data, size_t size)
{
	struct section *sec = xcalloc(1, sizeof(*sec));

	sec->elf = elf;
	sec->name = xstrdup(name);
	sec->sh.sh_type = type;
	sec->sh.sh_flags = flags;
	sec->sh.sh_addralign = align ? align : 1;
	sec->sh.sh_entsize = entsize;
	sec->sh.sh_size = size;
	sec->size = size;
	if (type != SHT_NOBITS) {
		sec->data = xcalloc(1, size);
		if (data && size)
			memcpy(sec->data, data, size);
		sec->data_owned = true;
	}
	elf->sections = xrealloc(elf->sections, (elf->nr_sections + 1) *
				 sizeof(*elf->sections));
	elf->sections[elf->nr_sections++] = sec;
	hash_add(&elf->sec_by_name, sec->name, sec);
	return sec;
}

struct section *elf_add_rela_section(struct elf_file *elf,
				     struct section *base)
{
	char *name = xasprintf(".rela%s", base->name);
	struct section *sec;

	sec = elf_add_section(elf, name, SHT_RELA, SHF_INFO_LINK, 8,
			      sizeof(Elf64_Rela), NULL, 0);
	free(name);
	sec->base = base;
	base->rela = sec;
	return sec;
}

struct symbol *elf_add_symbol(struct elf_file *elf, const char *name,
			      unsigned char bind, unsigned char type,
			      struct section *sec, GElf_Addr value,
			      GElf_Xword size)
{
	struct symbol *sym = xcalloc(1, sizeof(*sym));

	sym->name = xstrdup(name);
	sym->bind = bind;
	sym->type = type;
	sym->sec = sec;
	sym->sym.st_info = GELF_ST_INFO(bind, type);
	sym->sym.st_value = value;
	sym->sym.st_size = size;
	sym->index = elf->nr_symbols;
	elf->symbols = xrealloc(elf->symbols, (elf->nr_symbols + 1) *
				sizeof(*elf->symbols));
	elf->symbols[elf->nr_symbols++] = sym;
	if (type == STT_SECTION && sec && !sec->secsym)
		sec->secsym = sym;
	if (type != STT_SECTION && *name)
		hash_add(&elf->sym_by_name, sym->name, sym);
	return sym;
}

void elf_add_rela(struct section *relasec, unsigned long offset,
		  unsigned int type, struct symbol *sym, long addend)
{
	struct rela *rela;

	relasec->relas = xrealloc(relasec->relas, (relasec->nr_relas + 1) *
				  sizeof(struct rela));
	rela = &relasec->relas[relasec->nr_relas++];
	rela->offset = offset;
	rela->type = type;
	rela->sym = sym;
	rela->addend = addend;
}

static bool section_written(const struct section *sec)
{
	if (sec->removed)
		return false;
	switch (sec->sh.sh_type) {
	case SHT_SYMTAB:
	case SHT_STRTAB:
	case SHT_SYMTAB_SHNDX:
	case SHT_NULL:
		return false;
	case SHT_RELA:
		return sec->base && section_written(sec->base);
	}
	return true;
}

struct out_section {
	struct section *sec;
	const char *name;
	GElf_Shdr sh;
	void *buf;
	size_t size;
	bool buf_owned;
};

/* The raw relocations of sec into o->buf (owned by o from the start). */
static void build_relas(struct section *sec, struct out_section *o)
{
	Elf64_Rela *out = xcalloc(sec->nr_relas ? sec->nr_relas : 1,
				  sizeof(*out));

	o->buf = out;
	o->buf_owned = true;
	for_each_rela(sec, rela) {
		size_t i = (size_t)(rela - sec->relas);

		if (!rela->sym || rela->sym->removed || !rela->sym->out_index)
			fatal("%s: internal error: the relocation refers to symbol %s which is not written",
			      ELF_LOC(sec->base, rela->offset),
			      rela->sym ? rela->sym->name : "(null)");
		out[i].r_offset = rela->offset;
		out[i].r_info = ELF64_R_INFO(rela->sym->out_index, rela->type);
		out[i].r_addend = rela->addend;
	}
}

/* The group's section indexes, renumbered, into o->buf. */
static void build_group(struct elf_file *elf, struct section *sec,
			struct out_section *o)
{
	Elf32_Word *words = xmalloc(sec->size);
	size_t i, n = sec->size / 4;

	o->buf = words;
	o->buf_owned = true;
	memcpy(words, sec->data, sec->size);
	for (i = 1; i < n; i++) {
		if (words[i] >= elf->nr_sections || !elf->sections[words[i]])
			fatal("%s: group section %s names section %u which does not exist",
			      elf->path, sec->name, words[i]);
		words[i] = elf->sections[words[i]]->out_index;
	}
}

/* What elf_write() builds before writing. */
struct writer {
	struct elf_file *elf;
	const char *path;
	struct out_section *outs;	/* [1..nout] */
	size_t nout;
	size_t symtab_index;
	Elf64_Sym *syms;
	size_t nsyms, first_global;
	struct strpool strtab, shstrtab;
	char *tmp;			/* path.tmp, removed unless renamed */
	int fd;
	Elf *e;
	struct log_defer release;	/* writer_free() on an error exit */
};

static void writer_free(void *arg)
{
	struct writer *w = arg;
	size_t i, len;

	log_undefer(&w->release);
	if (w->e)
		elf_end(w->e);
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp)
		unlink(w->tmp);
	free(w->tmp);
	for (i = 1; i <= w->nout; i++)
		if (w->outs[i].buf_owned)
			free(w->outs[i].buf);
	free(w->outs);
	free(w->syms);
	if (w->strtab.buf)
		free(strpool_take(&w->strtab, &len));
	if (w->shstrtab.buf)
		free(strpool_take(&w->shstrtab, &len));
}

/* Layout: which sections are written, and their indexes. */
static void layout_sections(struct writer *w)
{
	struct elf_file *elf = w->elf;

	w->outs = xcalloc(elf->nr_sections + 4, sizeof(*w->outs));
	for_each_sec(elf, sec) {
		sec->out_index = 0;
		if (!section_written(sec))
			continue;
		w->outs[++w->nout].sec = sec;
		sec->out_index = w->nout;
	}
	w->symtab_index = w->nout + 1;
	if (w->nout + 3 >= SHN_LORESERVE)
		fatal("%s: too many sections (%zu) to write", w->path, w->nout);
}

/* Symbol table: the null symbol, the locals, then the globals. */
static void build_symtab(struct writer *w)
{
	struct elf_file *elf = w->elf;

	w->syms = xcalloc(elf->nr_symbols + 1, sizeof(*w->syms));
	strpool_init(&w->strtab, true);
	w->nsyms = 1;
	for_each_sym(elf, sym)
		sym->out_index = 0;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			w->first_global = w->nsyms;
		for_each_sym(elf, sym) {
			Elf64_Sym *out;

			if (sym->removed || (sym->bind == STB_LOCAL) != !pass)
				continue;
			if (sym->sec && !sym->sec->out_index)
				fatal("%s: internal error: symbol %s is in section %s which is not written",
				      w->path, sym->name, sym->sec->name);
			out = &w->syms[w->nsyms];
			*out = sym->sym;
			out->st_info = GELF_ST_INFO(sym->bind, sym->type);
			out->st_name = sym->type == STT_SECTION ? 0 :
				       strpool_add(&w->strtab, sym->name);
			if (sym->sec)
				out->st_shndx = sym->sec->out_index;
			else if (sym->sym.st_shndx != SHN_ABS &&
				 sym->sym.st_shndx != SHN_COMMON &&
				 sym->sym.st_shndx != SHN_LIVEPATCH)
				out->st_shndx = SHN_UNDEF;
			sym->out_index = w->nsyms++;
		}
	}
}

static void header_of(struct writer *w, struct out_section *o)
{
	struct section *sec = o->sec;

	o->name = sec->name;
	o->sh = sec->sh;
	o->sh.sh_name = strpool_add(&w->shstrtab, sec->name);
	o->sh.sh_addr = 0;
	o->sh.sh_offset = 0;
	o->sh.sh_link = sec->link && sec->link->out_index ?
			sec->link->out_index : 0;
	o->buf = sec->data;
	o->size = sec->size;
	if (sec->sh.sh_type == SHT_RELA) {
		build_relas(sec, o);
		o->size = sec->nr_relas * sizeof(Elf64_Rela);
		o->sh.sh_link = w->symtab_index;
		o->sh.sh_info = sec->base->out_index;
		o->sh.sh_entsize = sizeof(Elf64_Rela);
		o->sh.sh_flags |= SHF_INFO_LINK;
		if (o->sh.sh_addralign < 8)
			o->sh.sh_addralign = 8;
	} else if (sec->sh.sh_type == SHT_GROUP) {
		build_group(w->elf, sec, o);
		o->sh.sh_link = w->symtab_index;
		if (sec->sh.sh_info < w->elf->nr_symbols &&
		    w->elf->symbols[sec->sh.sh_info])
			o->sh.sh_info =
				w->elf->symbols[sec->sh.sh_info]->out_index;
	}
}

static void add_table(struct writer *w, const char *name, GElf_Shdr sh,
		      void *buf, size_t size)
{
	struct out_section *o = &w->outs[++w->nout];

	/* .symtab stays w->syms; the string tables are taken from the pools */
	*o = (struct out_section){
		.name = name, .sh = sh, .buf = buf, .size = size,
		.buf_owned = buf != w->syms,
	};
	o->sh.sh_name = strpool_add(&w->shstrtab, name);
}

/* Section headers: the model's sections, then the three tables. */
static void build_headers(struct writer *w)
{
	size_t i;

	strpool_init(&w->shstrtab, true);
	for (i = 1; i <= w->nout; i++)
		header_of(w, &w->outs[i]);
	add_table(w, ".symtab", (GElf_Shdr){
			.sh_type = SHT_SYMTAB, .sh_entsize = sizeof(Elf64_Sym),
			.sh_addralign = 8, .sh_link = w->symtab_index + 1,
			.sh_info = w->first_global }, w->syms,
		  w->nsyms * sizeof(Elf64_Sym));
	add_table(w, ".strtab", (GElf_Shdr){
			.sh_type = SHT_STRTAB, .sh_addralign = 1 },
		  strpool_take(&w->strtab, &i), 0);
	w->outs[w->nout].size = i;
	add_table(w, ".shstrtab", (GElf_Shdr){
			.sh_type = SHT_STRTAB, .sh_addralign = 1 }, NULL, 0);
	/* its own name is in it: take the buffer last */
	w->outs[w->nout].buf = strpool_take(&w->shstrtab,
					    &w->outs[w->nout].size);
}

/* Write the headers and contents to path.tmp, then rename it to path. */
static void write_file(struct writer *w)
{
	const char *tmp = w->tmp = xasprintf("%s.tmp", w->path);
	GElf_Ehdr ehdr;
	size_t i;
	int err;
	Elf *e;

	w->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (w->fd < 0)
		fatal("%s: cannot create: %s", tmp, strerror(errno));
	elf_version(EV_CURRENT);
	e = w->e = elf_begin(w->fd, ELF_C_WRITE, NULL);
	if (!e || !gelf_newehdr(e, ELFCLASS64))
		fatal("%s: cannot start ELF output: %s", tmp, elf_errmsg(-1));
	gelf_getehdr(e, &ehdr);
	ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
	ehdr.e_ident[EI_OSABI] = w->elf->ehdr.e_ident[EI_OSABI];
	ehdr.e_type = ET_REL;
	ehdr.e_machine = EM_X86_64;
	ehdr.e_version = EV_CURRENT;
	ehdr.e_flags = w->elf->ehdr.e_flags;
	ehdr.e_shstrndx = w->nout;
	if (!gelf_update_ehdr(e, &ehdr))
		fatal("%s: cannot write the ELF header: %s", tmp,
		      elf_errmsg(-1));

	for (i = 1; i <= w->nout; i++) {
		struct out_section *o = &w->outs[i];
		Elf_Scn *scn = elf_newscn(e);
		Elf_Data *data;

		if (!scn || !(data = elf_newdata(scn)))
			fatal("%s: cannot add section %s: %s", tmp, o->name,
			      elf_errmsg(-1));
		data->d_buf = o->sh.sh_type == SHT_NOBITS ? NULL : o->buf;
		data->d_size = o->size;
		data->d_type = ELF_T_BYTE;
		data->d_align = o->sh.sh_addralign ? o->sh.sh_addralign : 1;
		data->d_version = EV_CURRENT;
		o->sh.sh_size = o->size;
		if (!gelf_update_shdr(scn, &o->sh))
			fatal("%s: cannot write section header %s: %s", tmp,
			      o->name, elf_errmsg(-1));
	}
	if (elf_update(e, ELF_C_WRITE) < 0)
		fatal("%s: cannot write: %s", tmp, elf_errmsg(-1));
	elf_end(e);
	w->e = NULL;
	if (fsync(w->fd))
		fatal("%s: cannot write: %s", tmp, strerror(errno));
	err = close(w->fd);
	w->fd = -1;
	if (err)
		fatal("%s: cannot write: %s", tmp, strerror(errno));
	if (rename(tmp, w->path))
		fatal("cannot rename %s to %s: %s", tmp, w->path,
		      strerror(errno));
	free(w->tmp);
	w->tmp = NULL;
}

void elf_write(struct elf_file *elf, const char *path)
{
	struct writer w = {
		.elf = elf, .path = path, .first_global = 1, .fd = -1,
	};

	log_defer(&w.release, writer_free, &w);
	layout_sections(&w);
	build_symtab(&w);
	build_headers(&w);
	write_file(&w);
	writer_free(&w);
}
