/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-abi.h - layouts of the sections create-diff-object emits and the
 * module template consumes (doc/design.md).
 */
#ifndef CDO_KPATCH_ABI_H
#define CDO_KPATCH_ABI_H

#define KPATCH_FUNCS_SECTION		".kpatch.funcs"
#define KPATCH_KLP_RELOCS_SECTION	".kpatch.klp_relocs"
#define KPATCH_STRINGS_SECTION		".kpatch.strings"
#define KPATCH_CALLBACKS_PREFIX		".kpatch.callbacks."
#define KPATCH_IGNORE_SECTIONS		".kpatch.ignore.sections"
#define KPATCH_IGNORE_FUNCTIONS		".kpatch.ignore.functions"
#define KPATCH_FORCE			".kpatch.force"

/* struct kpatch_patch_func */
#define KPATCH_FUNC_SIZE		32
#define KPATCH_FUNC_NEW_ADDR		0
#define KPATCH_FUNC_SYMPOS		8
#define KPATCH_FUNC_NAME		16
#define KPATCH_FUNC_OBJNAME		24

/* struct kpatch_klp_reloc */
#define KPATCH_KLP_RELOC_SIZE		48
#define KPATCH_KLP_DEST			0
#define KPATCH_KLP_TYPE			8
#define KPATCH_KLP_ADDEND		16
#define KPATCH_KLP_SYMPOS		24
#define KPATCH_KLP_OBJNAME		32
#define KPATCH_KLP_NAME			40

/* callback entry: { void *fn; const char *objname; } */
#define KPATCH_CALLBACK_SIZE		16

#endif
