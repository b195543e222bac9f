// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - build OUTPUT.o: the included sections and symbols, their
 * relocations (normal or livepatch records), .kpatch.funcs,
 * .kpatch.klp_relocs, .kpatch.strings and the callbacks. Everything was
 * decided before (include.c, resolve.c): nothing here refuses.
 */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "klp.h"
#include "kpatch-abi.h"
#include "log.h"

struct output_state {
	struct cdo *cdo;
	struct elf_file *out;
	struct strpool strings;
	struct hash_table undefined;
	struct section *strsec;
	/* relocations to .kpatch.strings, added once the section exists */
	struct pending_string {
		struct section *sec;
		unsigned long offset;
		size_t stroff;
	} *pending;
	size_t nr_pending;
	struct log_defer release;	/* output_free() on an error exit */
};

static void output_free(void *arg)
{
	struct output_state *os = arg;
	size_t len;

	log_undefer(&os->release);
	free(strpool_take(&os->strings, &len));
	free(os->pending);
	hash_free(&os->undefined);
}

static void add_string_ref(struct output_state *os, struct section *sec,
			   unsigned long offset, const char *s)
{
	os->pending = grow_for(os->pending, os->nr_pending,
			       sizeof(*os->pending));
	os->pending[os->nr_pending++] = (struct pending_string){
		.sec = sec, .offset = offset,
		.stroff = strpool_add(&os->strings, s),
	};
}

static struct section *rela_of(struct elf_file *out, struct section *sec)
{
	return sec->rela ? sec->rela : elf_add_rela_section(out, sec);
}

static struct symbol *undefined_symbol(struct output_state *os,
				       const char *name,
				       const struct symbol *like)
{
	struct symbol *sym = hash_find(&os->undefined, name);

	if (sym)
		return sym;
	sym = elf_add_symbol(os->out, name,
			     like->bind == STB_WEAK ? STB_WEAK : STB_GLOBAL,
			     STT_NOTYPE, NULL, 0, 0);
	hash_add(&os->undefined, sym->name, sym);
	return sym;
}

/* Copy the included symbols of a partial section to their new places. */
static void copy_partial(struct section *sec, struct section *o)
{
	size_t i;

	o->size = 0;
	for (i = 0; i < sec->nr_syms; i++) {
		struct symbol *sym = sec->syms[i];

		if (sym->include && sym->new_value + sym->sym.st_size > o->size)
			o->size = sym->new_value + sym->sym.st_size;
	}
	o->sh.sh_size = o->size;
	if (sec->sh.sh_type == SHT_NOBITS)
		return;
	o->data = xcalloc(1, o->size);
	for (i = 0; i < sec->nr_syms; i++) {
		struct symbol *sym = sec->syms[i];

		if (sym->include)
			memcpy(o->data + sym->new_value,
			       sec->data + sym->sym.st_value, sym->sym.st_size);
	}
}

static void copy_sections(struct output_state *os)
{
	struct elf_file *p = os->cdo->patched;

	for_each_sec(p, sec) {
		struct section *o;
		unsigned char *kept;
		size_t size = 0;

		if (!is_output_section(sec))
			continue;
		/* a special section: only the entries special.c keeps */
		kept = special_kept_data(os->cdo, sec, &size);
		if (!kept)
			size = sec->partial ? 0 : sec->size;
		o = elf_add_section(os->out, sec->name, sec->sh.sh_type,
				    sec->sh.sh_flags & ~SHF_GROUP,
				    sec->sh.sh_addralign, sec->sh.sh_entsize,
				    kept ? kept : sec->partial ? NULL : sec->data,
				    size);
		free(kept);
		if (sec->partial) {
			free(o->data);
			copy_partial(sec, o);
		}
		sec->out = o;
		elf_add_symbol(os->out, "", STB_LOCAL, STT_SECTION, o, 0, 0);
	}
	for_each_sym(p, sym) {
		struct symbol *o;

		if (!is_output_symbol(sym))
			continue;
		/*
		 * A patched function (klp_func: it has a .kpatch.funcs entry)
		 * is local in OUTPUT.o: the other objects of the patch module
		 * (another patched object, the callbacks) must reach the
		 * kernel's function, redirected by the livepatch, not be linked
		 * to this copy by name.
		 */
		o = elf_add_symbol(os->out, sym->name,
				   sym->klp_func ? STB_LOCAL : sym->bind,
				   sym->type,
				   sym->sec->out, sym->sec->partial ?
				   sym->new_value : sym->sym.st_value,
				   sym->sym.st_size);
		o->sym.st_other = sym->sym.st_other;
		sym->out = o;
	}
}

static void add_klp_record(struct output_state *os, struct section *dest,
			   const struct rela *rela, const struct reach *reach)
{
	struct cdo *cdo = os->cdo;

	cdo->records = grow_for(cdo->records, cdo->nr_records,
				sizeof(*cdo->records));
	cdo->records[cdo->nr_records++] = (struct klp_record){
		.dest = dest, .offset = reach->offset, .type = rela->type,
		.addend = rela->addend, .sympos = reach->sympos,
		.objname = reach->objname, .name = reach->name,
	};
}

/* Write one relocation as resolve.c decided (reach). */
/*
 * --objtool-link (ibt.c decided it in reach->placeholder): objtool reads
 * the module's code before create-klp-module turns the records into
 * livepatch relocations, so every record's place keeps a relocation to an
 * undefined placeholder, named as the target (objtool knows functions that
 * do not return by name) or, for a static call trampoline,
 * KPATCH_PLACEHOLDER_PREFIX + its name (objtool would make a static call
 * site of it). create-klp-module removes the placeholders.
 */
static struct symbol *placeholder_symbol(struct output_state *os,
					 const struct reach *reach,
					 const struct symbol *like)
{
	struct symbol *sym;
	char *name;

	if (strncmp(reach->name, "__SCT__", 7))
		return undefined_symbol(os, reach->name, like);
	name = xasprintf("%s%s", KPATCH_PLACEHOLDER_PREFIX, reach->name);
	sym = undefined_symbol(os, name, like);
	free(name);
	return sym;
}

/* The key __SCK__x of an exported static call __SCT__x (reach->sc_key). */
static void add_static_call_key(struct output_state *os,
				const struct reach *reach,
				const struct symbol *like)
{
	char *key = xasprintf("__SCK__%s", reach->name + 7);

	undefined_symbol(os, key, like);
	free(key);
}

static void copy_rela(struct output_state *os, struct section *orela,
		      const struct rela *r, const struct reach *reach)
{
	struct symbol *t = r->sym;

	switch (reach->kind) {
	case REACH_SKIP:
		break;
	case REACH_INTERNAL:
		if (t->type != STT_SECTION && t->out && !reach->section_sym)
			elf_add_rela(orela, reach->offset, r->type, t->out,
				     r->addend);
		else
			elf_add_rela(orela, reach->offset, r->type,
				     t->sec->out->secsym, r->addend +
				     (t->type == STT_SECTION ? 0 :
				      (long)t->sym.st_value));
		break;
	case REACH_UNDEFINED:
		elf_add_rela(orela, reach->offset, r->type,
			     undefined_symbol(os, reach->name, t), r->addend);
		if (reach->sc_key)
			add_static_call_key(os, reach, t);
		break;
	case REACH_KLP:
		add_klp_record(os, orela->base, r, reach);
		if (reach->placeholder)
			elf_add_rela(orela, reach->offset, r->type,
				     placeholder_symbol(os, reach, t),
				     r->addend);
		break;
	}
}

static void copy_relas(struct output_state *os)
{
	struct elf_file *p = os->cdo->patched;
	size_t j;

	for_each_sec(p, sec) {
		struct section *orela;

		if (!sec->out || !sec->reach)
			continue;
		orela = elf_add_rela_section(os->out, sec->out);
		for (j = 0; j < sec->rela->nr_relas; j++)
			copy_rela(os, orela, &sec->rela->relas[j],
				  &sec->reach[j]);
	}
}

static void add_callback_objnames(struct output_state *os)
{
	struct elf_file *p = os->cdo->patched;
	size_t e;

	for_each_sec(p, sec) {
		if (!sec->out || !is_callback_section(sec))
			continue;
		for (e = 0; e < sec->size / KPATCH_CALLBACK_SIZE; e++)
			add_string_ref(os, sec->out, e * KPATCH_CALLBACK_SIZE +
				       KPATCH_CALLBACK_OBJNAME, os->cdo->objname);
	}
}

static void build_funcs(struct output_state *os)
{
	struct cdo *cdo = os->cdo;
	struct elf_file *p = cdo->patched;
	struct section *sec = NULL, *rsec = NULL;
	size_t n = 0;

	for_each_sym(p, f) {
		unsigned char entry[KPATCH_FUNC_SIZE] = { 0 };

		if (!f->klp_func || !f->out)
			continue;
		if (!sec) {
			sec = elf_add_section(os->out, KPATCH_FUNCS_SECTION,
					      SHT_PROGBITS, SHF_ALLOC, 8, 0,
					      NULL, 0);
			elf_add_symbol(os->out, "", STB_LOCAL, STT_SECTION,
				       sec, 0, 0);
			rsec = elf_add_rela_section(os->out, sec);
		}
		memcpy(entry + KPATCH_FUNC_SYMPOS, &f->sympos, sizeof(f->sympos));
		sec->data = xrealloc(sec->data, (n + 1) * KPATCH_FUNC_SIZE);
		memcpy(sec->data + n * KPATCH_FUNC_SIZE, entry, sizeof(entry));
		elf_add_rela(rsec, n * KPATCH_FUNC_SIZE + KPATCH_FUNC_NEW_ADDR,
			     R_X86_64_64, f->out, 0);
		add_string_ref(os, sec, n * KPATCH_FUNC_SIZE + KPATCH_FUNC_NAME,
			       kernel_name(f));
		add_string_ref(os, sec,
			       n * KPATCH_FUNC_SIZE + KPATCH_FUNC_OBJNAME,
			       cdo->objname);
		n++;
		sec->size = sec->sh.sh_size = n * KPATCH_FUNC_SIZE;
	}
}

static void build_klp_relocs(struct output_state *os)
{
	struct cdo *cdo = os->cdo;
	struct section *sec, *rsec;
	size_t i;

	if (!cdo->nr_records)
		return;
	sec = elf_add_section(os->out, KPATCH_KLP_RELOCS_SECTION, SHT_PROGBITS,
			      SHF_ALLOC, 8, 0, NULL,
			      cdo->nr_records * KPATCH_KLP_RELOC_SIZE);
	elf_add_symbol(os->out, "", STB_LOCAL, STT_SECTION, sec, 0, 0);
	rsec = elf_add_rela_section(os->out, sec);
	for (i = 0; i < cdo->nr_records; i++) {
		struct klp_record *rec = &cdo->records[i];
		unsigned char *e = sec->data + i * KPATCH_KLP_RELOC_SIZE;
		unsigned long base = i * KPATCH_KLP_RELOC_SIZE;

		memcpy(e + KPATCH_KLP_TYPE, &rec->type, sizeof(rec->type));
		memcpy(e + KPATCH_KLP_ADDEND, &rec->addend, sizeof(rec->addend));
		memcpy(e + KPATCH_KLP_SYMPOS, &rec->sympos, sizeof(rec->sympos));
		elf_add_rela(rsec, base + KPATCH_KLP_DEST, R_X86_64_64,
			     rec->dest->secsym, (long)rec->offset);
		add_string_ref(os, sec, base + KPATCH_KLP_OBJNAME, rec->objname);
		add_string_ref(os, sec, base + KPATCH_KLP_NAME, rec->name);
		debug("klp reloc %s+0x%lx -> %s:%s,%lu", rec->dest->name,
		      rec->offset, rec->objname, rec->name, rec->sympos);
	}
}

static void build_strings(struct output_state *os)
{
	struct section *sec;
	size_t i;

	if (!os->nr_pending)
		return;
	sec = elf_add_section(os->out, KPATCH_STRINGS_SECTION, SHT_PROGBITS,
			      SHF_ALLOC, 1, 0, os->strings.buf,
			      os->strings.len);
	elf_add_symbol(os->out, "", STB_LOCAL, STT_SECTION, sec, 0, 0);
	for (i = 0; i < os->nr_pending; i++) {
		struct pending_string *ps = &os->pending[i];

		elf_add_rela(rela_of(os->out, ps->sec), ps->offset,
			     R_X86_64_64, sec->secsym, (long)ps->stroff);
	}
}

void cdo_output(struct cdo *cdo)
{
	struct output_state os = { .cdo = cdo };
	size_t i;

	os.out = elf_new(cdo->output_path);
	os.out->ehdr = cdo->patched->ehdr;
	strpool_init(&os.strings, false);
	hash_init(&os.undefined, 64);
	log_defer(&os.release, output_free, &os);
	cdo->out = os.out;

	copy_sections(&os);
	copy_relas(&os);
	add_callback_objnames(&os);
	build_funcs(&os);
	build_klp_relocs(&os);
	build_strings(&os);
	output_import_namespaces(cdo, os.out);
	elf_add_section(os.out, ".note.GNU-stack", SHT_PROGBITS, 0, 1, 0,
			NULL, 0);
	for (i = 1; i < os.out->nr_sections; i++)
		if (is_rela_section(os.out->sections[i]))
			elf_sort_relas(os.out->sections[i]);
	elf_write(os.out, cdo->output_path);
	output_free(&os);
}
