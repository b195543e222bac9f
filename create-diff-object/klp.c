// SPDX-License-Identifier: GPL-2.0
/*
 * klp.c - decide how included code reaches what it references outside
 * OUTPUT.o: symbols exported by vmlinux stay normal undefined references,
 * everything else becomes a livepatch relocation (objname, name, sympos).
 */
#include <string.h>

#include "klp.h"
#include "log.h"

static bool is_local(const struct symbol *sym)
{
	return (sym->twin ? sym->twin->bind : sym->bind) == STB_LOCAL;
}

/*
 * The source file a local symbol comes from (its STT_FILE block): an
 * object linked from several files (ld -r) has one block per file.
 */
static const char *source_file(const struct cdo *cdo, const struct symbol *sym)
{
	if (sym->twin && sym->twin->file)
		return sym->twin->file;
	return sym->file ? sym->file : cdo->orig_file;
}

/*
 * What to do about a failed parent_lookup(), matching its reason; target:
 * the symbol is referenced by included code (else it is a changed function).
 */
static const char *lookup_advice(const char *why, bool target)
{
	if (why == parent_why_ambiguous)
		return target ?
		       "avoid referencing it from changed code (patch its callers, or the function that owns it, instead)" :
		       "the function cannot be told apart from its namesakes in the other files of that name: patch its callers instead";
	if (why == parent_why_in_init)
		return target ?
		       "changed code cannot use a module's init code or data after its init: avoid the reference" :
		       "init code cannot be livepatched";
	if (why == parent_why_init_clash)
		return "avoid it in the patch, or rename one of the two in the module's source";
	return target ?
	       "was it inlined or renamed? Make sure PARENT_ELF matches the running kernel" :
	       "inlined? Make sure PARENT_ELF matches the running kernel, or see KPATCH_FORCE_UNSAFE";
}

static void classify(struct cdo *cdo, const struct section *sec,
		     const struct rela *rela, struct reach *reach)
{
	const struct symbol *t = rela->sym;
	const char *name, *owner, *why = NULL;
	bool local;

	memset(reach, 0, sizeof(*reach));
	if (is_internal_target(t)) {
		reach->kind = REACH_INTERNAL;
		return;
	}
	if (t->type == STT_SECTION)
		refuse("%s: section %s: %s references section %s%+ld which is not included and has no symbol to reach it by; this kind of reference is not supported",
		       cdo->base, sec->name, elf_owner_name(sec, rela->offset),
		       t->name, rela->addend);
	name = kernel_name(t);
	local = is_local(t);
	reach->name = name;
	if (!local) {
		owner = symvers_owner(cdo->symvers, name);
		if (owner && !strcmp(owner, "vmlinux")) {
			reach->kind = REACH_UNDEFINED;
			return;
		}
		if (owner && strcmp(owner, cdo->objname)) {
			reach->kind = REACH_KLP;
			reach->objname = owner;
			reach->sympos = 0;
			return;
		}
	}
	reach->kind = REACH_KLP;
	reach->objname = cdo->objname;
	if (parent_lookup(cdo->parent, cdo->orig, source_file(cdo, t), name,
			  local, &reach->sympos, &why))
		return;
	if (!local && !t->sec && why == parent_why_no_global) {
		/* maybe a new global of another patched object: ld -r decides */
		debug("%s: %s not in %s (%s): kept as an undefined reference",
		      cdo->base, name, cdo->parent_path, why);
		reach->kind = REACH_UNDEFINED;
		reach->unknown = true;
		return;
	}
	if (why == parent_why_stripped)
		fatal("%s: section %s: %s references local symbol %s; it cannot be found in %s: %s; %s",
		      cdo->base, sec->name, elf_owner_name(sec, rela->offset),
		      name, cdo->parent_path, why,
		      parent_stripped_advice(cdo->parent));
	refuse("%s: section %s: %s references %s symbol %s which cannot be found in %s (%s); %s",
	       cdo->base, sec->name, elf_owner_name(sec, rela->offset),
	       local ? "local" : "global", name, cdo->parent_path, why,
	       lookup_advice(why, true));
}

void klp_function_sympos(struct cdo *cdo, struct symbol *func,
			 unsigned long *sympos, bool *found)
{
	const char *why = NULL;
	const char *name = kernel_name(func);

	*found = parent_lookup(cdo->parent, cdo->orig, source_file(cdo, func),
			       name, is_local(func), sympos, &why);
	if (*found && func->twin && func->twin->bind == STB_WEAK &&
	    parent_global_bind(cdo->parent, name) == STB_GLOBAL && !func->force)
		refuse("%s: section %s: changed function %s is __weak here, but %s uses a strong %s from another file; patching it would replace that one: change the strong definition instead, or KPATCH_IGNORE_FUNCTION(%s)",
		       cdo->base, func->sec->name, name, cdo->objname, name,
		       name);
	if (*found)
		return;
	if (why == parent_why_stripped)
		fatal("%s: section %s: the changed function %s is local; it cannot be found in %s: %s; %s",
		      cdo->base, func->sec->name, name, cdo->parent_path, why,
		      parent_stripped_advice(cdo->parent));
	if (func->force) {
		warn("%s: function %s not found in %s (%s); KPATCH_FORCE_UNSAFE: included without redirecting it",
		     cdo->base, name, cdo->objname, why);
		return;
	}
	refuse("%s: section %s: function %s not found in %s (%s); %s",
	       cdo->base, func->sec->name, name, cdo->objname, why,
	       lookup_advice(why, false));
}

/*
 * A jump label or static call site whose key lives in a module cannot work:
 * the module's livepatch relocations are applied only when that module
 * loads, but the livepatch module's own jump labels and static calls are
 * set up when it loads, with the key still unresolved. vmlinux keys are
 * fine: vmlinux livepatch relocations are applied during the module load,
 * before jump labels and static calls are initialised.
 * (the only place this is checked: is_key_section(), the `key` rows of
 * special_table.c)
 */
void klp_classify(struct cdo *cdo, const struct section *sec,
		  const struct rela *rela, struct reach *reach)
{
	classify(cdo, sec, rela, reach);
	/*
	 * A key neither exported nor in the parent: defined in another
	 * module (kpatch's unique-id-pr-1314: a KVM static call, key
	 * __SCK__kvm_x86_* of kvm.ko, in an object diffed against vmlinux).
	 * The module would not even load with it undefined; say why here.
	 */
	if (reach->unknown && is_key_section(sec)) {
		bool sc = !strcmp(sec->name, ".static_call_sites");

		refuse("%s: section %s: a %s of an included function uses key %s, which %s neither exports nor defines: it is defined in a module, which a livepatch cannot reach when it loads; %s",
		       cdo->base, sec->name, sc ? "static call" : "jump label",
		       reach->name, cdo->objname,
		       sc ? "call through the key's current function instead (static_call_query()), or patch the code without the static call" :
		       "use a plain branch on the key's value (static_key_enabled()) in the patch");
	}
	if (reach->kind == REACH_KLP && strcmp(reach->objname, "vmlinux") &&
	    is_key_section(sec))
		refuse("%s: section %s: a jump label or static call of an included function uses key %s of module %s, which a livepatch cannot reach when it loads; use a plain branch on the key's value (static_key_enabled()) in the patch, or patch the code without the static branch",
		       cdo->base, sec->name, reach->name, reach->objname);
}
