// SPDX-License-Identifier: GPL-2.0
/*
 * markers.c - the marker sections of kpatch-macros.h in the patched object:
 * .kpatch.ignore.sections (char *), .kpatch.ignore.functions and
 * .kpatch.force (function pointers). They are consumed, never emitted.
 */
#include <string.h>

#include "cdo.h"
#include "kpatch-abi.h"
#include "log.h"

bool is_marker_section(const struct section *sec)
{
	const char *n = sec->name;

	if (is_rela_section(sec))
		return sec->base && is_marker_section(sec->base);
	return !strcmp(n, KPATCH_IGNORE_SECTIONS) ||
	       !strcmp(n, KPATCH_IGNORE_FUNCTIONS) ||
	       !strcmp(n, KPATCH_FORCE);
}

bool is_callback_section(const struct section *sec)
{
	return !strncmp(sec->name, KPATCH_CALLBACKS_PREFIX,
			strlen(KPATCH_CALLBACKS_PREFIX));
}

static const char *rela_string(struct section *sec, struct rela *rela)
{
	const char *s = elf_rela_string(sec, rela);

	if (!s)
		fatal("%s: the entry does not point to a string",
		      ELF_LOC(sec, rela->offset));
	return s;
}

static struct symbol *rela_function(struct section *sec, struct rela *rela)
{
	struct symbol *sym = rela->sym;

	if (sym->type == STT_SECTION && sym->sec)
		sym = elf_symbol_containing(sym->sec, rela->addend);
	if (!sym || sym->type != STT_FUNC)
		fatal("%s: the entry does not point to a function",
		      ELF_LOC(sec, rela->offset));
	return sym;
}

void cdo_read_markers(struct cdo *cdo)
{
	struct elf_file *elf = cdo->patched;
	struct section *sec;

	sec = elf_find_section(elf, KPATCH_IGNORE_SECTIONS);
	if (sec && sec->rela) {
		for_each_rela(sec->rela, rela) {
			const char *name = rela_string(sec, rela);
			struct section *t = elf_find_section(elf, name);

			if (!t) {
				warn("%s: KPATCH_IGNORE_SECTION(\"%s\"): no such section in the patched object",
				     cdo->base, name);
				continue;
			}
			debug("ignoring section %s", name);
			t->ignore = true;
			if (t->rela)
				t->rela->ignore = true;
		}
	}
	sec = elf_find_section(elf, KPATCH_IGNORE_FUNCTIONS);
	if (sec && sec->rela) {
		for_each_rela(sec->rela, rela) {
			struct symbol *f = rela_function(sec, rela);

			debug("ignoring function %s", f->name);
			f->ignore = true;
		}
	}
	sec = elf_find_section(elf, KPATCH_FORCE);
	if (sec && sec->rela) {
		for_each_rela(sec->rela, rela) {
			struct symbol *f = rela_function(sec, rela);

			debug("forcing function %s", f->name);
			f->force = true;
		}
	}
	for_each_sec(elf, s) {
		if (is_marker_section(s))
			s->ignore = true;
		if (s->ignore && s->sym)
			s->sym->ignore = true;
	}
}
