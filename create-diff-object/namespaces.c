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
 */
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "hash.h"
#include "log.h"

void output_import_namespaces(struct cdo *cdo, struct elf_file *out)
{
	struct hash_table seen;
	char *buf = NULL;
	size_t len = 0;

	hash_init(&seen, 8);
	for_each_sym(out, sym) {
		const char *ns;
		char *entry;
		size_t n;

		if (sym->sec || sym->bind == STB_LOCAL || !*sym->name ||
		    sym->type == STT_SECTION || sym->type == STT_FILE)
			continue;
		ns = symvers_namespace(cdo->symvers, sym->name);
		if (!ns || hash_find(&seen, ns))
			continue;
		hash_add(&seen, ns, (void *)ns);
		entry = xasprintf("import_ns=%s", ns);
		n = strlen(entry) + 1;
		buf = xrealloc(buf, len + n);
		memcpy(buf + len, entry, n);
		len += n;
		free(entry);
		debug("%s uses %s from namespace %s: import_ns=%s in .modinfo",
		      cdo->base, sym->name, ns, ns);
	}
	hash_free(&seen);
	if (len)
		elf_add_section(out, ".modinfo", SHT_PROGBITS, SHF_ALLOC, 1, 0,
				buf, len);
	free(buf);
}
