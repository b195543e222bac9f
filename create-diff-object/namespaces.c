// SPDX-License-Identifier: GPL-2.0
/*
 * namespaces.c - symbol namespaces of the exports the patch module uses.
 *
 * An export made with EXPORT_SYMBOL_NS[_GPL](sym, NS) (Module.symvers has NS
 * in its fifth column) may only be used by a module that imports NS:
 * modpost refuses the module otherwise, and the loader checks it again. A
 * changed function that calls such an export therefore needs what
 * MODULE_IMPORT_NS(NS) emits, an "import_ns=NS" string in .modinfo; it is
 * added to OUTPUT.o, which the patch module is linked from.
 *
 * The patched object's own MODULE_IMPORT_NS(NS) lines ("import_ns=NS" in
 * its .modinfo; "modname.import_ns=NS" when built into vmlinux) are
 * carried over too: the patched code was written for them.
 */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "hash.h"
#include "log.h"

struct ns_list {
	struct hash_table seen;		/* keys: names[] */
	char **names;
	size_t nr;
	char *buf;			/* the .modinfo strings */
	size_t len;
};

/* Append "import_ns=NS" once; false if NS was there already. */
static bool add_namespace(struct ns_list *l, const char *ns)
{
	char *entry;
	size_t n;

	if (!*ns || hash_count(&l->seen, ns))
		return false;
	entry = xasprintf("import_ns=%s", ns);
	n = strlen(entry) + 1;
	l->buf = xrealloc(l->buf, l->len + n);
	memcpy(l->buf + l->len, entry, n);
	l->len += n;
	free(entry);
	l->names = grow_for(l->names, l->nr, sizeof(*l->names));
	l->names[l->nr] = xstrdup(ns);
	hash_add(&l->seen, l->names[l->nr], l->names[l->nr]);
	l->nr++;
	return true;
}

/* NS of "import_ns=NS" or "modname.import_ns=NS", else NULL. */
static const char *import_of(const char *s)
{
	const char *eq = strchr(s, '='), *tag;

	if (!eq)
		return NULL;
	tag = memchr(s, '.', (size_t)(eq - s));
	tag = tag ? tag + 1 : s;
	if ((size_t)(eq - tag) != 9 || strncmp(tag, "import_ns", 9))
		return NULL;
	return eq + 1;
}

static void own_namespaces(struct cdo *cdo, struct ns_list *l)
{
	const struct section *sec = elf_find_section(cdo->patched, ".modinfo");
	const char *p, *end;

	if (!sec || !sec->data)
		return;
	for (p = (const char *)sec->data, end = p + sec->size; p < end;
	     p += strnlen(p, (size_t)(end - p)) + 1) {
		const char *ns;

		if (strnlen(p, (size_t)(end - p)) == (size_t)(end - p))
			fatal("%s: section .modinfo: the string at offset 0x%zx is not terminated; the object is corrupt",
			      cdo->base, (size_t)(p - (const char *)sec->data));
		ns = import_of(p);
		if (ns && add_namespace(l, ns))
			debug("%s: its .modinfo imports namespace %s: import_ns=%s in .modinfo",
			      cdo->base, ns, ns);
	}
}

void output_import_namespaces(struct cdo *cdo, struct elf_file *out)
{
	struct ns_list l = { .names = NULL, .nr = 0, .buf = NULL, .len = 0 };
	char *buf;
	size_t len;

	hash_init(&l.seen, 8);
	own_namespaces(cdo, &l);
	for_each_sym(out, sym) {
		const char *ns;

		if (sym->sec || sym->bind == STB_LOCAL || !*sym->name ||
		    sym->type == STT_SECTION || sym->type == STT_FILE)
			continue;
		ns = symvers_namespace(cdo->symvers, sym->name);
		if (ns && add_namespace(&l, ns))
			debug("%s uses %s from namespace %s: import_ns=%s in .modinfo",
			      cdo->base, sym->name, ns, ns);
	}
	hash_free(&l.seen);
	while (l.nr)
		free(l.names[--l.nr]);
	free(l.names);
	buf = l.buf;
	len = l.len;
	if (len)
		elf_add_section(out, ".modinfo", SHT_PROGBITS, SHF_ALLOC, 1, 0,
				buf, len);
	free(buf);
}
