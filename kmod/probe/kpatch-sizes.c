// SPDX-License-Identifier: GPL-2.0
/*
 * kpatch-sizes.c - compiled to assembly against the target kernel's build
 * tree by kpatch-build, so that create-diff-object learns the entry size of
 * every special section from the kernel's own headers, never from a guess.
 * Each "->NAME SIZE" line of the output is one section's entry size.
 */
#include <linux/version.h>
#include <linux/kbuild.h>
#include <linux/module.h>
#include <asm/processor.h>
#include <linux/bug.h>
#include <linux/extable.h>
#include <linux/jump_label.h>
#include <linux/static_call_types.h>
#include <asm/alternative.h>
#include <asm/extable.h>
/* .parainstructions went away in 6.8 (paravirt calls became alternatives) */
#if defined(CONFIG_PARAVIRT) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define KPATCH_HAVE_PARAINSTRUCTIONS
#include <asm/paravirt_types.h>
#endif
#ifdef CONFIG_UNWINDER_ORC
#include <asm/orc_types.h>
#endif

void kpatch_special_sizes(void);
void kpatch_special_sizes(void)
{
#ifdef CONFIG_GENERIC_BUG
	DEFINE(__bug_table, sizeof(struct bug_entry));
#endif
#ifdef CONFIG_JUMP_LABEL
	DEFINE(__jump_table, sizeof(struct jump_entry));
#endif
	DEFINE(__ex_table, sizeof(struct exception_table_entry));
	DEFINE(altinstructions, sizeof(struct alt_instr));
#ifdef KPATCH_HAVE_PARAINSTRUCTIONS
	DEFINE(parainstructions, sizeof(struct paravirt_patch_site));
#endif
#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
	DEFINE(static_call_sites, sizeof(struct static_call_site));
#endif
#ifdef CONFIG_UNWINDER_ORC
	DEFINE(orc_unwind, sizeof(struct orc_entry));
#endif
	DEFINE(__mcount_loc, sizeof(unsigned long));
}
