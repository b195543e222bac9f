// SPDX-License-Identifier: GPL-2.0
/*
 * refuse.c - changes a livepatch cannot carry (exit 2 with a hint).
 */
#include <string.h>

#include "cdo.h"
#include "insn.h"
#include "log.h"

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool is_init_exit(const struct section *sec)
{
	return starts_with(sec->name, ".init.") ||
	       starts_with(sec->name, ".exit.") ||
	       starts_with(sec->name, ".meminit.");
}

static bool is_data_section(const struct section *sec)
{
	return starts_with(sec->name, ".data") ||
	       starts_with(sec->name, ".bss") ||
	       (starts_with(sec->name, ".rodata") && !is_string_section(sec));
}

static void check_data(struct cdo *cdo, struct symbol *p)
{
	const char *sec = p->sec->name;

	if (is_init_exit(p->sec)) {
		warn("%s: section %s: __init/__exit data %s changed; the change has no effect on a running kernel",
		     cdo->base, sec, p->name);
		return;
	}
	if (!is_data_section(p->sec))
		return;
	if (starts_with(sec, ".data..ro_after_init") ||
	    starts_with(sec, ".data..read_mostly"))
		refuse("%s: section %s: data %s changed (%s); %s data is set up at boot and cannot be changed by a livepatch: keep it unchanged, or use a callback / shadow variable",
		       cdo->base, sec, kernel_name(p), p->reason,
		       starts_with(sec, ".data..ro_after_init") ?
		       "__ro_after_init" : "__read_mostly");
	refuse("%s: section %s: data %s changed (%s); a livepatch cannot change the size or initial value of existing data: keep the variable unchanged and use a shadow variable (klp_shadow_*) or a KPATCH_*_CALLBACK, or KPATCH_IGNORE_SECTION(\"%s\") if the change is harmless",
	       cdo->base, sec, kernel_name(p), p->reason, sec);
}

/*
 * A changed function is redirected by ftrace: it needs its __fentry__ call
 * (or the NOP that stands for it), the first instruction or the one after
 * endbr64 (insn_fentry_site()).
 */
static bool has_fentry(const struct symbol *f)
{
	return insn_fentry_site(f->sec, f->sym.st_value) >= 0;
}

static void check_ftrace(struct cdo *cdo)
{
	struct elf_file *elf = cdo->patched;

	for_each_sym(elf, p) {
		if (!is_changed_function(p) || has_fentry(p))
			continue;
		refuse("%s: section %s: changed function %s has no ftrace entry (no 'call __fentry__' at its start; notrace or inline-only?); it cannot be redirected: patch its callers instead, or remove notrace",
		       cdo->base, p->sec->name, p->name);
	}
}

void cdo_check_refusals(struct cdo *cdo)
{
	struct elf_file *elf = cdo->patched;
	size_t j;

	for_each_sym(elf, p) {
		if (p->status != ST_CHANGED || p->ignore || p->sec->ignore ||
		    p->special_static)
			continue;
		if (p->type == STT_OBJECT)
			check_data(cdo, p);
		if (p->change == FUNC_CHANGED && is_init_exit(p->sec) &&
		    !p->force)
			refuse("%s: section %s: __init/__exit function %s changed; init and exit code cannot be livepatched: move the change out of it, or KPATCH_IGNORE_FUNCTION(%s) if it only matters at boot/unload",
			       cdo->base, p->sec->name, p->name, p->name);
	}
	/*
	 * An original static local the patched code lost track of; a
	 * read-only one (a `__msg` string) holds no state to lose.
	 */
	elf = cdo->orig;
	for_each_sym(elf, o) {
		if (!o->static_local || o->twin ||
		    (o->sec && (o->sec->sh.sh_flags & SHF_ALLOC) &&
		     !(o->sec->sh.sh_flags & SHF_WRITE)))
			continue;
		for (j = 0; j < o->nr_referrers; j++) {
			struct symbol *f = o->referrers[j]->twin;

			if (!f || f->ignore || f->status != ST_CHANGED)
				continue;
			refuse("%s: section %s: static local variable %s used by %s cannot be found in the patched object (removed or renamed); a livepatch cannot move its state: keep the variable as it was, or KPATCH_IGNORE_FUNCTION(%s)",
			       cdo->base, o->sec ? o->sec->name : "?", o->name,
			       f->name, f->name);
		}
	}
	check_ftrace(cdo);
}
