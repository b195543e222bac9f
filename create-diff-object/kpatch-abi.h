/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-abi.h - layouts of the sections create-diff-object emits and the
 * module template consumes (doc/design.md). The offsets come from the
 * module template's own header, so the two cannot disagree; the asserts
 * pin the x86_64 layout the tools write.
 */
#ifndef CDO_KPATCH_ABI_H
#define CDO_KPATCH_ABI_H

#include <stddef.h>

#include "../kmod/patch/kpatch-patch.h"

#define KPATCH_FUNCS_SECTION		".kpatch.funcs"
#define KPATCH_KLP_RELOCS_SECTION	".kpatch.klp_relocs"
#define KPATCH_STRINGS_SECTION		".kpatch.strings"
#define KPATCH_CALLBACKS_PREFIX		".kpatch.callbacks."
#define KPATCH_IGNORE_SECTIONS		".kpatch.ignore.sections"
#define KPATCH_IGNORE_FUNCTIONS		".kpatch.ignore.functions"
#define KPATCH_FORCE			".kpatch.force"

#define KPATCH_ABI_SIZE(type)		((int)sizeof(struct type))
#define KPATCH_ABI_OFF(type, field)	((int)offsetof(struct type, field))
/*
 * --objtool-link: the placeholder of a livepatch relocation to a static
 * call trampoline __SCT__x is the undefined symbol KPATCH_PLACEHOLDER_PREFIX
 * "__SCT__x" (any other placeholder has the target's own name).
 */
#define KPATCH_PLACEHOLDER_PREFIX	"__kpatch_placeholder."

/* struct kpatch_patch_func */
#define KPATCH_FUNC_SIZE	KPATCH_ABI_SIZE(kpatch_patch_func)
#define KPATCH_FUNC_NEW_ADDR	KPATCH_ABI_OFF(kpatch_patch_func, new_addr)
#define KPATCH_FUNC_SYMPOS	KPATCH_ABI_OFF(kpatch_patch_func, sympos)
#define KPATCH_FUNC_NAME	KPATCH_ABI_OFF(kpatch_patch_func, name)
#define KPATCH_FUNC_OBJNAME	KPATCH_ABI_OFF(kpatch_patch_func, objname)

/* struct kpatch_klp_reloc */
#define KPATCH_KLP_RELOC_SIZE	KPATCH_ABI_SIZE(kpatch_klp_reloc)
#define KPATCH_KLP_DEST		KPATCH_ABI_OFF(kpatch_klp_reloc, dest)
#define KPATCH_KLP_TYPE		KPATCH_ABI_OFF(kpatch_klp_reloc, type)
#define KPATCH_KLP_ADDEND	KPATCH_ABI_OFF(kpatch_klp_reloc, addend)
#define KPATCH_KLP_SYMPOS	KPATCH_ABI_OFF(kpatch_klp_reloc, sympos)
#define KPATCH_KLP_OBJNAME	KPATCH_ABI_OFF(kpatch_klp_reloc, objname)
#define KPATCH_KLP_NAME		KPATCH_ABI_OFF(kpatch_klp_reloc, name)

/* struct kpatch_*_callback: { callback; objname; }, all four alike */
#define KPATCH_CALLBACK_SIZE	KPATCH_ABI_SIZE(kpatch_pre_patch_callback)
#define KPATCH_CALLBACK_OBJNAME	KPATCH_ABI_OFF(kpatch_pre_patch_callback, objname)

_Static_assert(KPATCH_FUNC_SIZE == 32 && KPATCH_FUNC_NEW_ADDR == 0 &&
	       KPATCH_FUNC_SYMPOS == 8 && KPATCH_FUNC_NAME == 16 &&
	       KPATCH_FUNC_OBJNAME == 24,
	       "struct kpatch_patch_func is not the x86_64 layout");
_Static_assert(KPATCH_KLP_RELOC_SIZE == 48 && KPATCH_KLP_DEST == 0 &&
	       KPATCH_KLP_TYPE == 8 && KPATCH_KLP_ADDEND == 16 &&
	       KPATCH_KLP_SYMPOS == 24 && KPATCH_KLP_OBJNAME == 32 &&
	       KPATCH_KLP_NAME == 40,
	       "struct kpatch_klp_reloc is not the x86_64 layout");
_Static_assert(KPATCH_CALLBACK_SIZE == 16 && KPATCH_CALLBACK_OBJNAME == 8 &&
	       sizeof(struct kpatch_post_patch_callback) == 16 &&
	       offsetof(struct kpatch_post_patch_callback, objname) == 8 &&
	       sizeof(struct kpatch_pre_unpatch_callback) == 16 &&
	       offsetof(struct kpatch_pre_unpatch_callback, objname) == 8 &&
	       sizeof(struct kpatch_post_unpatch_callback) == 16 &&
	       offsetof(struct kpatch_post_unpatch_callback, objname) == 8,
	       "the callback structs differ from { fn; objname; }");

#endif
