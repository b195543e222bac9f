// SPDX-License-Identifier: GPL-2.0
/*
 * special_table.c - the special sections of an x86_64 kernel object, one
 * row each: entry size and where kpatch-build gets it, the offsets of the
 * fields create-diff-object reads, and what the phases do with the entries.
 *
 * Sizes and offsets are those of Linux 6.1 x86_64 (checked against the
 * kernel headers: struct bug_entry with relative pointers, jump_entry,
 * exception_table_entry, alt_instr, paravirt_patch_site, static_call_site,
 * orc_entry, unwind_hint). A size marked "probe" is measured on the target
 * kernel by kmod/probe/kpatch-sizes.c (Linux 6.12: struct alt_instr is 14
 * bytes, no .parainstructions); special.c applies the overrides.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "special_table.h"

#define N		SPECIAL_NONE
#define KEEP		SPECIAL_KEEP
#define COMPARED	SPECIAL_COMPARED
#define OBJTOOL		SPECIAL_OBJTOOL
#define KEY		SPECIAL_KEY
#define ANNOTATION	SPECIAL_ANNOTATION

const struct special_kind special_kinds[] = {
	/* name, size, env, probe, code, repl, repl_sec, len, key, line, owner, flags */
	{ "__bug_table",                   12, "BUG_STRUCT_SIZE",          "__bug_table",       0, N, NULL,                    N,  N, 8, OWNER_CODE,   KEEP | COMPARED },
	{ "__jump_table",                  16, "JUMP_STRUCT_SIZE",         "__jump_table",      0, N, NULL,                    N,  8, N, OWNER_CODE,   KEEP | COMPARED | KEY },
	{ "__ex_table",                    12, "EX_STRUCT_SIZE",           "__ex_table",        0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | COMPARED },
	{ ".altinstructions",              12, "ALT_STRUCT_SIZE",          "altinstructions",   0, 4, ".altinstr_replacement", 11, N, N, OWNER_CODE,   KEEP | COMPARED },
	{ ".parainstructions",             16, "PARA_STRUCT_SIZE",         "parainstructions",  0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP },
	{ ".smp_locks",                    4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP },
	{ ".static_call_sites",            8,  "STATIC_CALL_STRUCT_SIZE",  "static_call_sites", 0, N, NULL,                    N,  4, N, OWNER_CODE,   KEEP | COMPARED | KEY | OBJTOOL },
	{ ".retpoline_sites",              4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | OBJTOOL },
	{ ".return_sites",                 4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | OBJTOOL },
	{ ".call_sites",                   4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | OBJTOOL },
	{ ".ibt_endbr_seal",               4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | OBJTOOL },
	{ ".orc_unwind_ip",                4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | OBJTOOL },
	{ "__mcount_loc",                  8,  NULL,                       "__mcount_loc",      0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP },
	{ ".orc_unwind",                   6,  "ORC_STRUCT_SIZE",          "orc_unwind",        N, N, NULL,                    N,  N, N, OWNER_ORC_IP, KEEP | OBJTOOL },
	{ ".printk_index",                 8,  "PRINTK_INDEX_STRUCT_SIZE", NULL,                0, N, NULL,                    N,  N, N, OWNER_PRINTK, KEEP },
	/* objtool's annotations: special only with --objtool-link (ibt.c) */
	{ ".discard.retpoline_safe",       4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | ANNOTATION },
	{ ".discard.noendbr",              4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | ANNOTATION },
	{ ".discard.ibt_endbr_noseal",     4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | ANNOTATION },
	{ ".discard.instr_begin",          4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | ANNOTATION },
	{ ".discard.instr_end",            4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | ANNOTATION },
	{ ".discard.intra_function_calls", 4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | ANNOTATION },
	{ ".discard.reachable",            4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | ANNOTATION },
	{ ".discard.unreachable",          4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | ANNOTATION },
	{ ".discard.ignore_alts",          4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | ANNOTATION },
	{ ".discard.validate_unret",       4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | ANNOTATION },
	{ ".discard.unwind_hints",         12, NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   KEEP | ANNOTATION }, /* struct unwind_hint */
	/* objtool writes it (Clang CFI); its entries are never carried */
	{ ".cfi_sites",                    4,  NULL,                       NULL,                0, N, NULL,                    N,  N, N, OWNER_CODE,   OBJTOOL },
};

const size_t nr_special_kinds = sizeof(special_kinds) / sizeof(special_kinds[0]);

const struct special_kind *special_kind(const char *name)
{
	size_t i;

	for (i = 0; i < nr_special_kinds; i++)
		if (!strcmp(special_kinds[i].name, name))
			return &special_kinds[i];
	return NULL;
}

const struct special_kind *special_kept_kind(const char *name)
{
	const struct special_kind *k = special_kind(name);

	return k && (k->flags & SPECIAL_KEEP) ? k : NULL;
}

bool special_field_in(const struct special_kind *k, short off, size_t width,
		      size_t size)
{
	return off != SPECIAL_NONE && size >= k->size &&
	       (size_t)off + width <= size;
}

const char *special_size_from(const struct special_kind *k)
{
	return k->probe ? "probe" : k->env ? "env" : "fixed";
}

static void print_field(FILE *f, short off)
{
	if (off == SPECIAL_NONE)
		fprintf(f, " -");
	else
		fprintf(f, " %d", off);
}

static const char *owner_name(enum special_owner owner)
{
	switch (owner) {
	case OWNER_CODE: return "code";
	case OWNER_PRINTK: return "printk";
	case OWNER_ORC_IP: return "orc_ip";
	}
	return "?";
}

/*
 * special NAME SIZE FROM ENV PROBE CODE REPL REPL_SEC LEN KEY LINE OWNER FLAGS
 * ("-" where there is none; FLAGS comma-separated)
 */
void special_table_print(FILE *f)
{
	static const struct { unsigned int flag; const char *name; } flags[] = {
		{ SPECIAL_KEEP, "keep" }, { SPECIAL_COMPARED, "compared" },
		{ SPECIAL_OBJTOOL, "objtool" }, { SPECIAL_KEY, "key" },
		{ SPECIAL_ANNOTATION, "annotation" },
	};
	size_t i, j;

	for (i = 0; i < nr_special_kinds; i++) {
		const struct special_kind *k = &special_kinds[i];
		const char *sep = " ";

		fprintf(f, "special %s %u %s %s %s", k->name, k->size,
			special_size_from(k), k->env ? k->env : "-",
			k->probe ? k->probe : "-");
		print_field(f, k->code);
		print_field(f, k->repl);
		fprintf(f, " %s", k->repl_sec ? k->repl_sec : "-");
		print_field(f, k->len);
		print_field(f, k->key);
		print_field(f, k->line);
		fprintf(f, " %s", owner_name(k->owner));
		for (j = 0; j < sizeof(flags) / sizeof(flags[0]); j++) {
			if (!(k->flags & flags[j].flag))
				continue;
			fprintf(f, "%s%s", sep, flags[j].name);
			sep = ",";
		}
		fprintf(f, "%s\n", *sep == ' ' ? " -" : "");
	}
}

static const struct special_kind *probe_kind(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < nr_special_kinds; i++) {
		const char *p = special_kinds[i].probe;

		if (p && strlen(p) == len && !strncmp(p, name, len))
			return &special_kinds[i];
	}
	return NULL;
}

/*
 * One line of the probe's assembly: .ascii "->NAME $SIZE sizeof(...)".
 * Appends "section=SIZE" to *list; other lines are skipped.
 */
static void probe_line(const char *path, size_t lineno, const char *line,
		       char **list)
{
	const char *p = strstr(line, "\"->"), *name;
	const struct special_kind *k;
	size_t len;
	char *next;

	if (!p)
		return;
	name = p + 3;
	for (len = 0; name[len] == '_' || (name[len] >= 'A' && name[len] <= 'Z') ||
		      (name[len] >= 'a' && name[len] <= 'z'); len++)
		;
	p = name + len;
	if (!len || *p++ != ' ')
		return;
	if (*p == '$')
		p++;
	if (*p < '0' || *p > '9')
		fatal("%s: line %zu: size probe entry '%.*s' has no size; the probe (kmod/probe/kpatch-sizes.c) did not compile as expected",
		      path, lineno, (int)len, name);
	k = probe_kind(name, len);
	if (!k)
		fatal("%s: line %zu: the size probe printed '%.*s', which the special-section table (create-diff-object/special_table.c) does not know; add a row for it there",
		      path, lineno, (int)len, name);
	next = xasprintf("%s%s%s=%lu", *list, **list ? "," : "", k->name,
			 strtoul(p, NULL, 10));
	free(*list);
	*list = next;
}

char *special_sizes_from_probe(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *list = xstrdup("");
	size_t cap = 0, lineno = 0;

	if (!f)
		fatal("%s: cannot open the size probe's output: %s", path,
		      strerror(errno));
	while (getline(&line, &cap, f) >= 0)
		probe_line(path, ++lineno, line, &list);
	free(line);
	fclose(f);
	return list;
}
