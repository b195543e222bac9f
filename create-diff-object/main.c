// SPDX-License-Identifier: GPL-2.0
/*
 * create-diff-object - compare an original and a patched kernel object and
 * write an object holding only what changed, ready for a livepatch module.
 *
 * create-diff-object [-d|--debug] [--explain] ORIG.o PATCHED.o PARENT_OBJNAME
 *                    PARENT_ELF MODULE_SYMVERS PATCH_MODNAME OUTPUT.o
 *
 * Exit: 0 written, 1 error, 2 unsupported change, 3 no functional change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdo.h"
#include "log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: create-diff-object [-d|--debug] [--explain] [--objtool-link] ORIG.o PATCHED.o\n"
		"                          PARENT_OBJNAME PARENT_ELF MODULE_SYMVERS PATCH_MODNAME OUTPUT.o\n"
		"--objtool-link: objtool runs on the linked patch module (X86_KERNEL_IBT kernels):\n"
		"                leave out objtool's sections and __pfx_ symbols, keep its annotations\n"
		"                (--no-objtool-link: the default, objtool ran on the objects)\n"
		"exit status: 0 OUTPUT.o written, 1 error, 2 unsupported change, 3 no functional change\n");
}

/*
 * Free what the phases keep in struct cdo itself (also on an error exit,
 * see log_defer(); the objects and the parent release themselves).
 */
static void cdo_free(void *arg)
{
	struct cdo *cdo = arg;

	log_undefer(&cdo->release);
	special_free(cdo);
	ibt_free(cdo);
	free(cdo->work);
	free(cdo->records);
}

static void print_changes(struct cdo *cdo)
{
	struct elf_file *elf = cdo->patched;

	for_each_sym(elf, s) {
		if (!s->include || s->type != STT_FUNC || s->parent)
			continue;
		if (s->change == FUNC_CHANGED)
			printf("%s: changed function: %s\n", cdo->base,
			       kernel_name(s));
		else if (s->change == FUNC_NEW)
			printf("%s: new function: %s\n", cdo->base, s->name);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct cdo cdo = { 0 };
	const char *pos[7];
	int i, n = 0;

	log_init(&cdo.log, "create-diff-object");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--debug")) {
			cdo.log.debug = true;
		} else if (!strcmp(argv[i], "--objtool-link")) {
			cdo.objtool_link = true;
		} else if (!strcmp(argv[i], "--no-objtool-link")) {
			cdo.objtool_link = false;	/* the last one counts */
		} else if (!strcmp(argv[i], "--explain")) {
			cdo.explain = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "create-diff-object: unknown option %s\n",
				argv[i]);
			usage(stderr);
			return EXIT_ERROR;
		} else if (n < 7) {
			pos[n++] = argv[i];
		} else {
			n++;
		}
	}
	if (n != 7) {
		usage(stderr);
		return EXIT_ERROR;
	}
	cdo.orig_path = pos[0];
	cdo.patched_path = pos[1];
	cdo.objname = pos[2];
	cdo.parent_path = pos[3];
	cdo.symvers_path = pos[4];
	cdo.modname = pos[5];
	cdo.output_path = pos[6];
	cdo.base = base_name(cdo.orig_path);
	if (!*cdo.objname || strchr(cdo.objname, '.') ||
	    strchr(cdo.objname, '-'))
		fatal("PARENT_OBJNAME '%s' must be vmlinux or a module name with underscores (no dots or dashes)",
		      cdo.objname);

	/*
	 * The phases, in order. Each one only reads what the earlier ones
	 * decided; output.c decides nothing.
	 */
	log_defer(&cdo.release, cdo_free, &cdo);
	cdo.orig = elf_read(cdo.orig_path);
	cdo.patched = elf_read(cdo.patched_path);
	/* must be before prepare: objtool's sections out, __pfx_ symbols */
	ibt_prepare(&cdo, cdo.orig);
	ibt_prepare(&cdo, cdo.patched);
	/* must be before correlate: .cold/.part links, static locals, referrers */
	cdo_prepare(cdo.orig);
	cdo_prepare(cdo.patched);
	/* must be before correlate and compare: KPATCH_IGNORE_*, KPATCH_FORCE */
	cdo_read_markers(&cdo);
	/* must be before compare: relocation targets compare through twins */
	cdo_correlate(&cdo);
	/* must be before compare: special-section entry sizes */
	special_init(&cdo);
	/* must be before decide: changed/same/new of every symbol */
	cdo_compare(&cdo);
	/*
	 * The changed and new functions, decided once. Must be before the
	 * refusals and include, which start from them.
	 */
	cdo_decide(&cdo);
	/*
	 * Refusals that follow from compare alone (changed data, __init,
	 * lost static locals, no __fentry__). Must be before the no-change
	 * exit: a data-only change is refused, not ignored. The refusals
	 * that need the running kernel's symbols are made by resolve.
	 */
	cdo_check_refusals(&cdo);
	/* must be before resolve: resolve classifies only included code */
	cdo_include(&cdo);

	if (!cdo.nr_changed && !cdo.nr_new) {
		printf("%s: no functional changes\n", cdo.base);
		cdo_free(&cdo);
		elf_free(cdo.orig);
		elf_free(cdo.patched);
		return EXIT_NOCHANGE;
	}
	/* must be before resolve: exports and kallsyms positions */
	cdo.parent = parent_read(cdo.parent_path);
	cdo.symvers = symvers_read(cdo.symvers_path);
	/* must be before output: every relocation and sympos, and refusals */
	cdo_resolve(&cdo);
	cdo_output(&cdo);
	print_changes(&cdo);

	cdo_free(&cdo);
	parent_free(cdo.parent);
	symvers_free(cdo.symvers);
	elf_free(cdo.out);
	elf_free(cdo.orig);
	elf_free(cdo.patched);
	return EXIT_OK;
}
