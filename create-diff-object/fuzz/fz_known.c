// SPDX-License-Identifier: GPL-2.0
/*
 * fz_known.c - recognise inputs that trigger a crash already reported in
 * FINDINGS.md, so that a long fuzzing run keeps looking for new ones.
 * Active only with FZ_SKIP_KNOWN=1; each check is a plain reading of the
 * ELF64 headers, independent of the code under test.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "fz_runtime.h"


static int shdr_at(const uint8_t *d, size_t n, size_t i, Elf64_Shdr *sh)
{
	Elf64_Ehdr eh;
	size_t off;

	if (n < sizeof(eh))
		return 0;
	memcpy(&eh, d, sizeof(eh));
	if (eh.e_shentsize != sizeof(*sh))
		return 0;
	off = eh.e_shoff + i * sizeof(*sh);
	if (eh.e_shoff > n || off > n || n - off < sizeof(*sh))
		return 0;
	memcpy(sh, d + off, sizeof(*sh));
	return 1;
}

static size_t nr_shdrs(const uint8_t *d, size_t n)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh0;

	if (n < sizeof(eh))
		return 0;
	memcpy(&eh, d, sizeof(eh));
	if (eh.e_shnum)
		return eh.e_shnum;
	return shdr_at(d, n, 0, &sh0) ? sh0.sh_size : 0;
}

/*
 * Fixed in the sources, so no filter (the fuzzer keeps checking them):
 * F1 SHT_RELA with sh_link 0 (ab39a31), F3 SHT_RELA relocating a SHT_RELA
 * (b6ad588), F5 qsort(NULL, 0) after an empty SHT_RELA (ef743b6).
 */


/* F2: section alignment above 2 MiB, copied into the output by elf_write(). */
static int known_huge_align(const uint8_t *d, size_t n)
{
	size_t i, nr = nr_shdrs(d, n);
	Elf64_Shdr sh;

	for (i = 1; i < nr && i < 65536; i++)
		if (shdr_at(d, n, i, &sh) && sh.sh_addralign > (1UL << 21))
			return 1;
	return 0;
}

/* F4: SHT_GROUP section smaller than its flag word (elf_write build_group). */
static int known_empty_group(const uint8_t *d, size_t n)
{
	size_t i, nr = nr_shdrs(d, n);
	Elf64_Shdr sh;

	for (i = 1; i < nr && i < 65536; i++)
		if (shdr_at(d, n, i, &sh) && sh.sh_type == SHT_GROUP &&
		    sh.sh_size < 4)
			return 1;
	return 0;
}


static const char *shdr_name(const uint8_t *d, size_t n, const Elf64_Shdr *sh)
{
	Elf64_Ehdr eh;
	Elf64_Shdr str;
	size_t off;

	memcpy(&eh, d, sizeof(eh));
	if (!shdr_at(d, n, eh.e_shstrndx, &str) || str.sh_offset > n)
		return NULL;
	off = str.sh_offset + sh->sh_name;
	if (off < str.sh_offset || off >= n || !memchr(d + off, 0, n - off))
		return NULL;
	return (const char *)d + off;
}

/* F6: special section (special.c) without contents: NOBITS or NULL type. */
static int known_special_without_data(const uint8_t *d, size_t n)
{
	static const char * const names[] = {
		"__bug_table", "__jump_table", "__ex_table", ".altinstructions",
		".parainstructions", ".smp_locks", ".static_call_sites",
		".retpoline_sites", ".return_sites", ".call_sites",
		".ibt_endbr_seal", ".orc_unwind_ip", "__mcount_loc",
		".orc_unwind", NULL,
	};
	size_t i, j, nr = nr_shdrs(d, n);
	Elf64_Shdr sh;

	for (i = 1; i < nr && i < 65536; i++) {
		const char *name;

		if (!shdr_at(d, n, i, &sh) || !sh.sh_size ||
		    (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL))
			continue;
		name = shdr_name(d, n, &sh);
		for (j = 0; name && names[j]; j++)
			if (!strcmp(name, names[j]))
				return 1;
	}
	return 0;
}

int fz_known_crash(const uint8_t *data, size_t size)
{
	static int enabled = -1;

	if (enabled < 0) {
		const char *e = getenv("FZ_SKIP_KNOWN");

		enabled = e && *e && strcmp(e, "0");
	}
	if (!enabled)
		return 0;
	return known_huge_align(data, size) ||
	       known_empty_group(data, size) ||
	       known_special_without_data(data, size);
}
