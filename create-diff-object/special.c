// SPDX-License-Identifier: GPL-2.0
/*
 * special.c - x86_64 special sections: keep exactly the entries that belong
 * to included functions.
 *
 * What each special section is (entry size, fields, owner) is a row of
 * special_kinds (special_table.c). Entry sizes default to the table's
 * (Linux 6.1 x86_64) and can be overridden with kpatch's variables
 * (BUG_STRUCT_SIZE, ...) or KPATCH_SPECIAL_SIZES="name=size,...", which
 * kpatch-build sets from the kernel's headers. A section whose size is not
 * a multiple of its entry size only warns while the patch needs none of its
 * entries, and is an error when it does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"
#include "special_table.h"

/* Which entries of one special section are kept. */
struct special_state {
	struct section *sec;
	const struct special_kind *kind;
	size_t size;		/* entry size */
	bool *kept;
	size_t nr;
	size_t *place;		/* special_finish(): kept entries before entry e */
	size_t nr_kept;
	bool bad_size;		/* size not a multiple: no entry may be kept */
};

/* Owned by struct cdo: entry sizes in use and the sections' states. */
struct special_ctx {
	size_t *sizes;		/* special_kinds[i].size with overrides */
	struct special_state *states;
	size_t nr_states;
	struct special_state *orc, *orc_ip;	/* kept alike, or NULL */
};

static size_t kind_index(const struct special_kind *k)
{
	return (size_t)(k - special_kinds);
}

/* "a, b, c": the section names KPATCH_SPECIAL_SIZES accepts (for messages) */
static char *valid_names(void)
{
	char *list = xstrdup(""), *next;
	size_t i;

	for (i = 0; i < nr_special_kinds; i++) {
		if (!(special_kinds[i].flags & SPECIAL_KEEP))
			continue;
		next = xasprintf("%s%s%s", list, *list ? ", " : "",
				 special_kinds[i].name);
		free(list);
		list = next;
	}
	return list;
}

static void parse_sizes(struct special_ctx *ctx, const char *env)
{
	char *copy, *tok, *save = NULL;

	copy = xstrdup(env);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		const struct special_kind *k;
		unsigned long size;

		if (!eq)
			fatal("KPATCH_SPECIAL_SIZES: '%s' is not name=size", tok);
		*eq = 0;
		size = strtoul(eq + 1, &end, 0);
		if (*end || !size)
			fatal("KPATCH_SPECIAL_SIZES: bad size '%s' for %s; expected name=bytes, e.g. __bug_table=12",
			      eq + 1, tok);
		k = special_kept_kind(tok);
		if (!k)
			fatal("KPATCH_SPECIAL_SIZES: unknown section '%s'; valid names: %s",
			      tok, valid_names());
		ctx->sizes[kind_index(k)] = size;
	}
	free(copy);
}

/*
 * Entry sizes: the defaults, then kpatch's per-section variables
 * (BUG_STRUCT_SIZE=12, ...), then KPATCH_SPECIAL_SIZES="name=size,...".
 */
void special_init(struct cdo *cdo)
{
	struct special_ctx *ctx = xcalloc(1, sizeof(*ctx));
	const char *env = getenv("KPATCH_SPECIAL_SIZES");
	size_t i;

	ctx->sizes = xcalloc(nr_special_kinds, sizeof(*ctx->sizes));
	for (i = 0; i < nr_special_kinds; i++) {
		const struct special_kind *k = &special_kinds[i];
		const char *v = k->env ? getenv(k->env) : NULL;
		char *end;

		ctx->sizes[i] = k->size;
		if (!v || !*v)
			continue;
		ctx->sizes[i] = strtoul(v, &end, 0);
		if (*end || !ctx->sizes[i])
			fatal("%s: bad size '%s' for %s; expected bytes, e.g. %s=%u",
			      k->env, v, k->name, k->env, k->size);
	}
	cdo->special = ctx;
	if (env && *env)
		parse_sizes(ctx, env);
}

/* "KPATCH_SPECIAL_SIZES="name=<sizeof entry>" (or NAME_STRUCT_SIZE)" advice */
static char *size_advice(const char *name)
{
	const struct special_kind *k = special_kept_kind(name);

	if (k && k->env)
		return xasprintf("KPATCH_SPECIAL_SIZES=\"%s=<sizeof entry>\" (or %s)",
				 name, k->env);
	return xasprintf("KPATCH_SPECIAL_SIZES=\"%s=<sizeof entry>\"", name);
}

void special_free(struct cdo *cdo)
{
	struct special_ctx *ctx = cdo->special;
	size_t s;

	if (!ctx)
		return;
	for (s = 0; s < ctx->nr_states; s++) {
		free(ctx->states[s].kept);
		free(ctx->states[s].place);
	}
	free(ctx->states);
	free(ctx->sizes);
	free(ctx);
	cdo->special = NULL;
}

/* Entry size of a special section (KPATCH_SPECIAL_SIZES applied), 0 if none. */
size_t special_entry_size(const struct cdo *cdo, const char *name)
{
	const struct special_kind *k = special_kept_kind(name);

	return k ? cdo->special->sizes[kind_index(k)] : 0;
}

/* objtool's annotations are special only when objtool reads them (ibt.c). */
bool is_special_section(const struct section *sec)
{
	const struct special_kind *k;

	if (is_rela_section(sec) || !(k = special_kept_kind(sec->name)))
		return false;
	return !(k->flags & SPECIAL_ANNOTATION) || sec->objtool_annotation;
}

bool is_dropped_section(const struct section *sec)
{
	static const char * const prefixes[] = {
		".discard", ".modinfo", ".comment", ".note", "__ksymtab",
		"___ksymtab", "__kcrctab", ".BTF",
		".llvm_addrsig", "__patchable_function_entries", ".gnu.",
		".debug_", ".kpatch.ignore", ".kpatch.force", NULL,
	};
	size_t i;

	if (sec->objtool_annotation && is_special_section(sec))
		return false;	/* objtool reads it again (ibt.c) */
	for (i = 0; prefixes[i]; i++)
		if (!strncmp(sec->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static struct special_state *get_state(struct cdo *cdo, struct section *sec)
{
	struct special_ctx *ctx = cdo->special;
	size_t i, size = special_entry_size(cdo, sec->name);

	for (i = 0; i < ctx->nr_states; i++)
		if (ctx->states[i].sec == sec)
			return &ctx->states[i];
	if (sec->size && !sec->data)
		fatal("%s: special section %s has a size (%zu) but no contents (type %u); the object is corrupt",
		      cdo->base, sec->name, sec->size, (unsigned)sec->sh.sh_type);
	ctx->states = xrealloc(ctx->states,
			       (ctx->nr_states + 1) * sizeof(*ctx->states));
	ctx->states[ctx->nr_states] = (struct special_state){
		.sec = sec, .kind = special_kept_kind(sec->name), .size = size,
		.nr = sec->size / size,
	};
	if (sec->size % size) {
		/* fatal only if the patch needs entries (special_next_entry) */
		char *advice = size_advice(sec->name);

		warn("%s: section %s: size %zu is not a multiple of the entry size %zu; its entries are dropped, which is only right while the patch changes no code they describe; set %s from the kernel's headers",
			 cdo->base, sec->name, sec->size, size, advice);
		free(advice);
		ctx->states[ctx->nr_states].bad_size = true;
		ctx->states[ctx->nr_states].nr = 0;
	}
	ctx->states[ctx->nr_states].kept =
		xcalloc(ctx->states[ctx->nr_states].nr + 1, 1);
	return &ctx->states[ctx->nr_states++];
}

/* The relocation of entry e's code field (what the entry describes), or NULL. */
static struct rela *entry_code(const struct special_kind *k,
			       const struct section *sec, size_t size, size_t e)
{
	if (k->code == SPECIAL_NONE)
		return NULL;
	return elf_rela_at(sec, e * size + (size_t)k->code);
}

/* The function entry e describes and the offset into it, or NULL. */
struct symbol *special_entry_owner(const struct special_kind *k,
				   const struct section *sec, size_t size,
				   size_t e, unsigned long *off)
{
	struct rela *r = entry_code(k, sec, size, e);
	struct symbol *sym;
	long t;

	if (!r || !r->sym->sec)
		return NULL;
	sym = r->sym;
	t = rela_target_offset(sec, r);
	if (sym->type == STT_SECTION) {
		if (t < 0)
			return NULL;
		sym = elf_symbol_containing(sym->sec, (unsigned long)t);
		if (!sym)
			return NULL;
		t -= (long)sym->sym.st_value;
	}
	if (sym->type != STT_FUNC || t < 0)
		return NULL;
	*off = (unsigned long)t;
	return sym;
}

/*
 * A .printk_index entry points to a struct pi_entry (a static `_entry`
 * object: fmt, func, file, line, level, prefix) that no code references.
 * It belongs to the function its func field names (__func__): kept when
 * that function is in the output.
 */
#define PI_ENTRY_FUNC_OFF	8

static bool printk_entry_included(struct cdo *cdo, const struct section *sec,
				  const struct rela *r)
{
	const struct section *esec = r->sym->sec;
	const struct rela *fr;
	struct symbol *func;
	const char *name;
	long off;

	if (!esec)
		return false;
	off = (long)r->sym->sym.st_value + rela_target_offset(sec, r);
	if (off < 0 ||
	    !(fr = elf_rela_at(esec, (unsigned long)off + PI_ENTRY_FUNC_OFF)) ||
	    !(name = elf_rela_string(esec, fr)))
		return false;
	func = elf_find_symbol(cdo->patched, name);
	return func && func->type == STT_FUNC && func->sec &&
	       func->sec->include && !func->sec->ignore;
}

/*
 * Keep an entry when the code it describes is in the output: a whole text
 * section is copied even when only one of its functions was wanted (.sched.text,
 * .init.text: gas resolves calls between local functions of one section
 * without relocations, so the section cannot be split), and the code of
 * its other functions keeps its exception-table/alternative/... entries too.
 */
static bool owner_included(struct cdo *cdo, struct special_state *st,
			   size_t e)
{
	struct rela *r = entry_code(st->kind, st->sec, st->size, e);
	struct section *code;

	if (r && st->kind->owner == OWNER_PRINTK)
		return printk_entry_included(cdo, st->sec, r);

	if (!r || !(code = r->sym->sec) || !is_text_section(code))
		return false;
	return code->include && !code->partial && !code->ignore;
}

/* The section whose entries go with .orc_unwind's (OWNER_ORC_IP), one to one. */
#define ORC_IP_SECTION	".orc_unwind_ip"

/* The section of the OWNER_ORC_IP row (.orc_unwind) in elf, or NULL. */
static struct section *orc_section(struct elf_file *elf)
{
	size_t i;

	for (i = 0; i < nr_special_kinds; i++)
		if (special_kinds[i].owner == OWNER_ORC_IP)
			return elf_find_section(elf, special_kinds[i].name);
	return NULL;
}

/*
 * Check every special section whose entries include may keep, before it
 * starts: sizes must be whole entries, .orc_unwind must match
 * .orc_unwind_ip.
 */
void special_prepare(struct cdo *cdo)
{
	struct special_ctx *ctx = cdo->special;
	struct section *orcsec;
	ssize_t ip = -1;

	for_each_sec(cdo->patched, sec) {
		if (sec->ignore || !sec->rela || !is_special_section(sec))
			continue;
		if (!strcmp(sec->name, ORC_IP_SECTION))
			ip = (ssize_t)ctx->nr_states;
		get_state(cdo, sec);
	}
	orcsec = orc_section(cdo->patched);
	if (ip < 0 || !orcsec)
		return;
	/* get_state() may move states[]: take the other pointer after it */
	ctx->orc = get_state(cdo, orcsec);
	ctx->orc_ip = &ctx->states[ip];
	if (ctx->orc->nr != ctx->orc_ip->nr)
		fatal("%s: .orc_unwind has %zu entries but .orc_unwind_ip has %zu",
		      cdo->base, ctx->orc->nr, ctx->orc_ip->nr);
}

/*
 * A section with a wrong entry size keeps nothing: an error as soon as any
 * of its relocations points into code the output has.
 */
static void check_bad_size_unused(struct cdo *cdo, struct special_state *st)
{
	struct section *sec = st->sec;
	size_t j;

	if (!sec->rela)
		return;
	for (j = 0; j < sec->rela->nr_relas; j++) {
		struct section *code = sec->rela->relas[j].sym->sec;
		char *advice;

		if (!code || !is_text_section(code) || !code->include ||
		    code->ignore)
			continue;
		advice = size_advice(sec->name);
		fatal("%s: section %s: size %zu is not a multiple of the entry size %zu, and the patch needs its entries for %s; set %s from the kernel's headers",
		      cdo->base, sec->name, sec->size, st->size,
		      elf_owner_name(code, (unsigned long)rela_target_offset(sec, &sec->rela->relas[j])),
		      advice);
	}
}

/*
 * The next entry to keep in this round of include: one not kept yet whose
 * owner is in the output. Marks it kept and returns in *edge the range of
 * its relocations, which include.c follows like any other edge before it
 * asks for the next one (what they include may be the owner of a later
 * entry). false at the end of the round; *cur starts zeroed each round.
 */
bool special_next_entry(struct cdo *cdo, struct special_cursor *cur,
			struct special_edge *edge)
{
	struct special_ctx *ctx = cdo->special;

	for (; cur->s < ctx->nr_states; cur->s++, cur->e = 0, cur->entered = false) {
		struct special_state *st = &ctx->states[cur->s];
		struct section *sec = st->sec;

		if (st == ctx->orc)
			continue;
		if (!cur->entered && st->bad_size)
			check_bad_size_unused(cdo, st);
		cur->entered = true;
		for (; cur->e < st->nr; cur->e++) {
			size_t e = cur->e;

			if (st->kept[e] || !owner_included(cdo, st, e))
				continue;
			st->kept[e] = true;
			edge->sec = sec;
			edge->first = elf_rela_lower_bound(sec->rela, e * st->size);
			edge->end = elf_rela_lower_bound(sec->rela,
							 (e + 1) * st->size);
			cur->e++;
			return true;
		}
	}
	if (ctx->orc)
		memcpy(ctx->orc->kept, ctx->orc_ip->kept, ctx->orc->nr);
	return false;
}

/*
 * After include: a special section is in the output when any of its
 * entries is kept; each kept entry's place in the output copy is the
 * number of kept entries before it. The input model is not changed:
 * resolve.c moves the relocations (special_out_offset()), output.c copies
 * the kept entries (special_kept_data()).
 */
void special_finish(struct cdo *cdo)
{
	struct special_ctx *ctx = cdo->special;
	size_t s, e;

	for (s = 0; s < ctx->nr_states; s++) {
		struct special_state *st = &ctx->states[s];
		size_t n = 0;

		st->place = xcalloc(st->nr + 1, sizeof(*st->place));
		for (e = 0; e < st->nr; e++) {
			st->place[e] = n;
			n += st->kept[e];
		}
		st->nr_kept = n;
		st->sec->include = n > 0;
		if (st->sec->secsym)
			st->sec->secsym->include = n > 0;
	}
}

/* The entries state of special section sec, or NULL. */
static const struct special_state *find_state(const struct cdo *cdo,
					      const struct section *sec)
{
	const struct special_ctx *ctx = cdo->special;
	size_t s;

	for (s = 0; ctx && s < ctx->nr_states; s++)
		if (ctx->states[s].sec == sec)
			return &ctx->states[s];
	return NULL;
}

bool special_out_offset(const struct cdo *cdo, const struct section *sec,
			unsigned long off, unsigned long *out)
{
	const struct special_state *st = find_state(cdo, sec);
	size_t e;

	*out = off;
	if (!st)
		return true;
	e = off / st->size;
	if (e >= st->nr || !st->kept[e])
		return false;
	*out = off - (e - st->place[e]) * st->size;
	return true;
}

unsigned char *special_kept_data(const struct cdo *cdo,
				 const struct section *sec, size_t *size)
{
	const struct special_state *st = find_state(cdo, sec);
	unsigned char *data;
	size_t e, n = 0;

	if (!st)
		return NULL;
	data = xcalloc(st->nr_kept + 1, st->size);
	for (e = 0; e < st->nr; e++)
		if (st->kept[e])
			memcpy(data + n++ * st->size, sec->data + e * st->size,
			       st->size);
	*size = n * st->size;
	return data;
}

bool is_key_section(const struct section *sec)
{
	const struct special_kind *k = special_kind(sec->name);

	return k && (k->flags & SPECIAL_KEY);
}
