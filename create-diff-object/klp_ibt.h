/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klp_ibt.h - create-klp-module on modules objtool has seen (klp_ibt.c).
 */
#ifndef CDO_KLP_IBT_H
#define CDO_KLP_IBT_H

#include "elf.h"
#include "u64set.h"

/*
 * The normal relocation at dest+off, if any, is the placeholder of the
 * livepatch relocation to name: drop it (true), or it is something else
 * (false: the caller reports the clash).
 */
bool klp_take_placeholder(struct elf_file *elf, struct section *dest,
			  unsigned long off, const char *name);
/* Finish klp_take_placeholder(): compact relocations, drop unused symbols. */
void klp_drop_placeholders(struct elf_file *elf);

/* Remember a call at dest+off-1 resolved only by another module's load. */
void klp_note_module_call(struct u64set *calls, struct section *dest,
			  unsigned long off, unsigned int type);
/* Drop the .call_sites entries of those calls. */
void klp_filter_call_sites(struct elf_file *elf, struct u64set *calls);

#endif
