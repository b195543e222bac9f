// SPDX-License-Identifier: GPL-2.0
/*
 * parent_text.c - the parent's symbol table given as `readelf -s --wide`
 * text instead of an ELF file (kpatch's object-pair regression format keeps
 * the parent that way: a few KB instead of a vmlinux).
 *
 * Only the ".symtab" table is read (the first table when there is no
 * .symtab). The text has no section headers, so which symbols kallsyms
 * lists is approximated: every defined, non-absolute symbol; a module's
 * .init* and per-CPU symbols cannot be told apart. The parent is a module
 * when no symbol has a kernel-text address (vmlinux is linked at
 * 0xffffffff8...). Nor are there the sections IBT checks read: no function
 * counts as sealed (.ibt_endbr_seal).
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"

#define VMLINUX_BASE 0xffffffff80000000UL

bool parent_is_text(const char *path)
{
	unsigned char magic[SELFMAG];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return false;	/* parent_read() says why */
	n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	return n == sizeof(magic) ? memcmp(magic, ELFMAG, SELFMAG) != 0 : n > 0;
}

static int type_of(const char *s)
{
	static const struct { const char *name; int type; } types[] = {
		{ "NOTYPE", STT_NOTYPE }, { "OBJECT", STT_OBJECT },
		{ "FUNC", STT_FUNC }, { "SECTION", STT_SECTION },
		{ "FILE", STT_FILE }, { "COMMON", STT_COMMON },
		{ "TLS", STT_TLS }, { "IFUNC", STT_GNU_IFUNC },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(s, types[i].name))
			return types[i].type;
	return -1;
}

static int bind_of(const char *s)
{
	if (!strcmp(s, "LOCAL"))
		return STB_LOCAL;
	if (!strcmp(s, "GLOBAL"))
		return STB_GLOBAL;
	if (!strcmp(s, "WEAK"))
		return STB_WEAK;
	if (!strcmp(s, "UNIQUE"))
		return STB_GNU_UNIQUE;
	return -1;
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Split line into at most max blank-separated words; returns how many. */
static int split_words(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		w[n++] = p;
		if (n == max)
			break;	/* the last word keeps the rest (a name) */
		p += strcspn(p, " \t");
		if (*p)
			*p++ = 0;
	}
	return n;
}

/*
 * One symbol line: "Num: Value Size Type Bind Vis Ndx Name". Returns false
 * for lines that are not symbol lines (headers).
 */
static bool parse_symbol(struct parent *parent, char *line, int *block,
			 const char *path, size_t lineno)
{
	char *w[8], *end;
	struct parent_symbol *ps;
	unsigned long num, addr;
	int n, type, bind;

	line[strcspn(line, "\n")] = 0;
	n = split_words(line, w, 8);
	if (n < 7 || w[0][strlen(w[0]) - 1] != ':')
		return false;
	num = strtoul(w[0], &end, 10);
	if (*end != ':')
		return false;
	errno = 0;
	addr = strtoul(w[1], &end, 16);
	type = type_of(w[3]);
	bind = bind_of(w[4]);
	if (*end || errno || type < 0 || bind < 0)
		fatal("%s:%zu: not a `readelf -s --wide` symbol line; give PARENT_ELF as an ELF file or readelf -s --wide text",
		      path, lineno);
	if (type == STT_FILE) {
		parent->blocks = xrealloc(parent->blocks,
					  (parent->nr_blocks + 1) *
					  sizeof(*parent->blocks));
		parent->blocks[parent->nr_blocks].file =
			xstrdup(base_of(n > 7 ? w[7] : ""));
		*block = (int)parent->nr_blocks++;
		return true;
	}
	if (type == STT_SECTION || n < 8 || !strcmp(w[6], "UND"))
		return true;
	/* "name@VERSION" does not occur in kernel objects; keep it whole */
	w[7][strcspn(w[7], " \t")] = 0;
	parent->syms = xrealloc(parent->syms, (parent->nr_syms + 1) *
				sizeof(*parent->syms));
	ps = &parent->syms[parent->nr_syms++];
	memset(ps, 0, sizeof(*ps));
	ps->name = xstrdup(w[7]);
	ps->addr = addr;
	ps->index = num;
	ps->bind = (unsigned char)bind;
	ps->type = (unsigned char)type;
	ps->block = bind == STB_LOCAL ? *block : -1;
	ps->listed = strcmp(w[6], "ABS") != 0;
	if (addr >= VMLINUX_BASE)
		parent->is_module = false;
	return true;
}

void parent_read_text(struct parent *parent, const char *path)
{
	size_t cap = 0, lineno = 0, i;
	int block = -1;
	bool in_symtab = true;	/* lines before any table header count */
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		fatal("%s: cannot open the parent symbol table: %s", path,
		      strerror(errno));
	parent->text = f;
	parent->from_text = true;
	parent->is_module = true;
	while (getline(&parent->text_line, &cap, f) > 0) {
		char *line = parent->text_line;

		lineno++;
		if (!strncmp(line, "Symbol table '", 14)) {
			in_symtab = !strncmp(line + 14, ".symtab'", 8);
			continue;
		}
		if (in_symtab)
			parse_symbol(parent, line, &block, path, lineno);
	}
	if (!parent->nr_syms)
		fatal("%s: no symbols: PARENT_ELF must be an ELF file or `readelf -s --wide` output with a .symtab",
		      path);
	hash_init(&parent->by_name, parent->nr_syms);
	for (i = 0; i < parent->nr_syms; i++)
		hash_add(&parent->by_name, parent->syms[i].name,
			 &parent->syms[i]);
}
