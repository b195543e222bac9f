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

#include "fz_state.h"

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

/* F1: SHT_RELA section with sh_link 0 (elf.c read_relas). */
static int known_rela_link0(const uint8_t *d, size_t n)
{
	size_t i, nr = nr_shdrs(d, n);
	Elf64_Shdr sh;

	for (i = 1; i < nr && i < 65536; i++)
		if (shdr_at(d, n, i, &sh) && sh.sh_type == SHT_RELA &&
		    sh.sh_link == 0)
			return 1;
	return 0;
}

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

int fz_known_crash(const uint8_t *data, size_t size)
{
	static int enabled = -1;

	if (enabled < 0) {
		const char *e = getenv("FZ_SKIP_KNOWN");

		enabled = e && *e && strcmp(e, "0");
	}
	if (!enabled)
		return 0;
	return known_rela_link0(data, size) || known_huge_align(data, size);
}
