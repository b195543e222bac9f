/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-patch.h - records that create-diff-object writes into the patch
 * object and that the module template (kpatch-patch-hook.c) or
 * create-klp-module consume.  See doc/design.md.
 *
 * Every pointer is an 8-byte field filled by an R_X86_64_64 relocation.
 */
#ifndef _KPATCH_PATCH_H_
#define _KPATCH_PATCH_H_

/* .kpatch.funcs: one per changed function */
struct kpatch_patch_func {
	unsigned long new_addr;		/* the patched function in this module */
	unsigned long sympos;		/* position among same-named symbols, 0 = unique */
	const char *name;		/* name of the function in the running kernel */
	const char *objname;		/* "vmlinux" or the module's name */
};					/* 32 bytes */

/* .kpatch.klp_relocs: consumed by create-klp-module, never seen at run time */
struct kpatch_klp_reloc {
	unsigned long dest;		/* section symbol of the patched place + offset */
	unsigned int type;		/* ELF relocation type */
	int pad;
	long addend;			/* the relocation's addend */
	unsigned long sympos;		/* kallsyms position, 0 = unique */
	const char *objname;		/* "vmlinux" or the module's name */
	const char *name;		/* symbol name */
};					/* 48 bytes */

struct klp_object;

/* .kpatch.callbacks.pre_patch */
struct kpatch_pre_patch_callback {
	int (*callback)(struct klp_object *obj);
	const char *objname;		/* filled by create-diff-object */
};

/* .kpatch.callbacks.{post_patch,pre_unpatch,post_unpatch} */
struct kpatch_post_patch_callback {
	void (*callback)(struct klp_object *obj);
	const char *objname;
};

struct kpatch_pre_unpatch_callback {
	void (*callback)(struct klp_object *obj);
	const char *objname;
};

struct kpatch_post_unpatch_callback {
	void (*callback)(struct klp_object *obj);
	const char *objname;
};

#endif /* _KPATCH_PATCH_H_ */
