// SPDX-License-Identifier: GPL-2.0
/*
 * special.c - x86_64 special sections: keep exactly the entries that belong
 * to included functions.
 *
 * Entry sizes default to Linux 6.1 x86_64 (checked against the kernel
 * headers) and can be overridden with KPATCH_SPECIAL_SIZES="name=size,...";
 * a section whose size is not a multiple of its entry size is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

struct special_desc {
	const char *name;
	size_t size;		/* entry size */
	size_t owner;		/* offset of the field pointing at the code */
};

static struct special_desc special_descs[] = {
	{ "__bug_table",	12, 0 },	/* struct bug_entry (relative) */
	{ "__jump_table",	16, 0 },	/* struct jump_entry */
	{ "__ex_table",		12, 0 },	/* struct exception_table_entry */
	{ ".altinstructions",	12, 0 },	/* struct alt_instr */
	{ ".parainstructions",	16, 0 },	/* struct paravirt_patch_site */
	{ ".smp_locks",		4, 0 },
	{ ".static_call_sites",	8, 0 },		/* struct static_call_site */
	{ ".retpoline_sites",	4, 0 },
	{ ".return_sites",	4, 0 },
	{ ".call_sites",	4, 0 },
	{ ".ibt_endbr_seal",	4, 0 },
	{ ".orc_unwind_ip",	4, 0 },
	{ "__mcount_loc",	8, 0 },
	{ ".orc_unwind",	6, 0 },		/* struct orc_entry, no relocs */
	{ NULL, 0, 0 },
};

struct special_state {
	struct section *sec;
	struct special_desc *desc;
	bool *kept;
	size_t nr;
};

static struct special_state *states;
static size_t nr_states;
static bool sizes_parsed;

/* "a, b, c": the section names KPATCH_SPECIAL_SIZES accepts (for messages) */
static const char *valid_names(void)
{
	static char buf[512];
	size_t i, len = 0;

	for (i = 0; special_descs[i].name; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? ", " : "", special_descs[i].name);
	return buf;
}

static void parse_sizes(void)
{
	const char *env = getenv("KPATCH_SPECIAL_SIZES");
	char *copy, *tok, *save = NULL;

	sizes_parsed = true;
	if (!env || !*env)
		return;
	copy = xstrdup(env);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		unsigned long size;
		size_t i;

		if (!eq)
			fatal("KPATCH_SPECIAL_SIZES: '%s' is not name=size", tok);
		*eq = 0;
		size = strtoul(eq + 1, &end, 0);
		if (*end || !size)
			fatal("KPATCH_SPECIAL_SIZES: bad size '%s' for %s; expected name=bytes, e.g. __bug_table=12",
			      eq + 1, tok);
		for (i = 0; special_descs[i].name; i++)
			if (!strcmp(special_descs[i].name, tok))
				break;
		if (!special_descs[i].name)
			fatal("KPATCH_SPECIAL_SIZES: unknown section '%s'; valid names: %s",
			      tok, valid_names());
		special_descs[i].size = size;
	}
	free(copy);
}

static struct special_desc *find_desc(const char *name)
{
	size_t i;

	if (!sizes_parsed)
		parse_sizes();
	for (i = 0; special_descs[i].name; i++)
		if (!strcmp(special_descs[i].name, name))
			return &special_descs[i];
	return NULL;
}

/* Entry size of a special section (KPATCH_SPECIAL_SIZES applied), 0 if none. */
size_t special_entry_size(const char *name)
{
	struct special_desc *desc = find_desc(name);

	return desc ? desc->size : 0;
}

bool is_special_section(const struct section *sec)
{
	return !is_rela_section(sec) && find_desc(sec->name);
}

bool is_dropped_section(const struct section *sec)
{
	static const char * const prefixes[] = {
		".discard", ".modinfo", ".comment", ".note", "__ksymtab",
		"___ksymtab", "__kcrctab", ".printk_index", ".BTF",
		".llvm_addrsig", "__patchable_function_entries", ".gnu.",
		".debug_", ".kpatch.ignore", ".kpatch.force", NULL,
	};
	size_t i;

	for (i = 0; prefixes[i]; i++)
		if (!strncmp(sec->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static struct special_state *get_state(struct cdo *cdo, struct section *sec,
				       struct special_desc *desc)
{
	size_t i;

	for (i = 0; i < nr_states; i++)
		if (states[i].sec == sec)
			return &states[i];
	if (sec->size && !sec->data)
		fatal("%s: special section %s has a size (%zu) but no contents (type %u); the object is corrupt",
		      cdo->base, sec->name, sec->size, (unsigned)sec->sh.sh_type);
	if (sec->size % desc->size)
		fatal("%s: section %s: size %zu is not a multiple of the entry size %zu; set KPATCH_SPECIAL_SIZES=\"%s=<sizeof entry>\" from the kernel's headers",
		      cdo->base, sec->name, sec->size, desc->size, sec->name);
	states = xrealloc(states, (nr_states + 1) * sizeof(*states));
	states[nr_states] = (struct special_state){
		.sec = sec, .desc = desc, .nr = sec->size / desc->size,
	};
	states[nr_states].kept = xcalloc(states[nr_states].nr + 1, 1);
	return &states[nr_states++];
}

/*
 * Keep an entry when the code it describes is in the output: a whole text
 * section is copied even when only one of its functions was wanted (.sched.text,
 * .init.text: gas resolves calls between local functions of one section
 * without relocations, so the section cannot be split), and the code of
 * its other functions keeps its exception-table/alternative/... entries too.
 */
static bool owner_included(struct special_state *st, size_t e)
{
	struct rela *r = elf_rela_at(st->sec, e * st->desc->size +
				     st->desc->owner);
	struct section *code;

	if (!r || !(code = r->sym->sec) || !is_text_section(code))
		return false;
	return code->include && !code->partial && !code->ignore;
}

bool special_mark_entries(struct cdo *cdo)
{
	struct elf_file *elf = cdo->patched;
	struct special_state *ip, *orc;
	struct section *orcsec;
	size_t ip_index = (size_t)-1;
	bool any = false;
	size_t i, e;

	for (i = 1; i < elf->nr_sections; i++) {
		struct section *sec = elf->sections[i];
		struct special_desc *desc;
		struct special_state *st;

		if (is_rela_section(sec) || sec->ignore || !sec->rela ||
		    !(desc = find_desc(sec->name)))
			continue;
		st = get_state(cdo, sec, desc);
		if (!strcmp(sec->name, ".orc_unwind_ip"))
			ip_index = (size_t)(st - states);
		for (e = 0; e < st->nr; e++) {
			size_t j, end;

			if (st->kept[e] || !owner_included(st, e))
				continue;
			st->kept[e] = true;
			any = true;
			j = elf_rela_lower_bound(sec->rela, e * desc->size);
			end = elf_rela_lower_bound(sec->rela,
						   (e + 1) * desc->size);
			for (; j < end; j++)
				include_rela_target(&sec->rela->relas[j]);
		}
	}
	orcsec = elf_find_section(elf, ".orc_unwind");
	if (ip_index != (size_t)-1 && orcsec) {
		/* get_state() may move states[]: take pointers afterwards */
		orc = get_state(cdo, orcsec, find_desc(".orc_unwind"));
		ip = &states[ip_index];
		if (orc->nr != ip->nr)
			fatal("%s: .orc_unwind has %zu entries but .orc_unwind_ip has %zu",
			      cdo->base, orc->nr, ip->nr);
		for (e = 0; e < ip->nr; e++)
			orc->kept[e] = ip->kept[e];
	}
	return any;
}

/* Rewrite each special section to hold only its kept entries. */
void special_filter(struct cdo *cdo)
{
	size_t s;

	(void)cdo;
	for (s = 0; s < nr_states; s++) {
		struct special_state *st = &states[s];
		struct section *sec = st->sec;
		size_t size = st->desc->size, e, n = 0, nrel = 0;
		unsigned char *data = xcalloc(st->nr + 1, size);
		struct rela *relas = NULL;

		if (sec->rela)
			relas = xcalloc(sec->rela->nr_relas + 1,
					sizeof(*relas));
		for (e = 0; e < st->nr; e++) {
			size_t j, end;

			if (!st->kept[e])
				continue;
			memcpy(data + n * size, sec->data + e * size, size);
			if (sec->rela) {
				j = elf_rela_lower_bound(sec->rela, e * size);
				end = elf_rela_lower_bound(sec->rela,
							   (e + 1) * size);
				for (; j < end; j++) {
					relas[nrel] = sec->rela->relas[j];
					relas[nrel].offset -= (e - n) * size;
					nrel++;
				}
			}
			n++;
		}
		if (sec->data_owned)
			free(sec->data);
		sec->data = data;
		sec->data_owned = true;
		sec->size = n * size;
		if (sec->rela) {
			free(sec->rela->relas);
			sec->rela->relas = relas;
			sec->rela->nr_relas = nrel;
		}
		sec->include = n > 0;
		if (sec->secsym)
			sec->secsym->include = n > 0;
		free(st->kept);
	}
	free(states);
	states = NULL;
	nr_states = 0;
}

bool is_key_section(const struct section *sec)
{
	return !strcmp(sec->name, "__jump_table") ||
	       !strcmp(sec->name, ".static_call_sites");
}
