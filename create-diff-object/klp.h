/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klp.h - how a relocation of included code reaches its target.
 */
#ifndef CDO_KLP_H
#define CDO_KLP_H

#include "cdo.h"

enum reach_kind {
	REACH_SKIP,		/* not written (outside the partial copy, ...) */
	REACH_INTERNAL,		/* target is in OUTPUT.o */
	REACH_UNDEFINED,	/* normal undefined global (exported) */
	REACH_KLP,		/* livepatch relocation record */
};

/* What resolve decided for one relocation of an output section. */
struct reach {
	enum reach_kind kind;
	unsigned long offset;	/* in the output section */
	const char *name;
	const char *objname;
	unsigned long sympos;
	bool placeholder;	/* REACH_KLP: also a placeholder relocation */
	bool sc_key;		/* REACH_UNDEFINED __SCT__x: add __SCK__x */
	bool section_sym;	/* REACH_INTERNAL: relocate to the section symbol */
	bool unknown;		/* REACH_UNDEFINED: not exported, not in the parent */
};

void klp_classify(struct cdo *cdo, const struct section *sec,
		  const struct rela *rela, struct reach *reach);
void klp_function_sympos(struct cdo *cdo, struct symbol *func,
			 unsigned long *sympos, bool *found);

#endif
