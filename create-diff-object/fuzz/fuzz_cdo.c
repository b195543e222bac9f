// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_cdo.c - libFuzzer harness for the whole create-diff-object pipeline:
 * each input is used once as PATCHED.o against a fixed ORIG.o and once as
 * ORIG.o against the fixed object as PATCHED.o.
 *
 *   FZ_CDO_ORIG    the fixed object (required)
 *   FZ_CDO_PARENT  PARENT_ELF (default: FZ_CDO_ORIG; parent_read only needs
 *                  a symbol table)
 *
 * create-diff-object must end with 0, 1, 2 or 3.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz_runtime.h"

int cdo_main(int argc, char **argv);

static char in_path[256], out_path[256], out_tmp[300], symvers_path[256];
static char *fixed, *parent;

static void remove_files(void)
{
	unlink(in_path);
	unlink(out_path);
	unlink(out_tmp);
	unlink(symvers_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FZ_TMPDIR");

	(void)argc;
	(void)argv;
	fixed = getenv("FZ_CDO_ORIG");
	if (!fixed || access(fixed, R_OK)) {
		fprintf(stderr, "fuzz_cdo: set FZ_CDO_ORIG to a readable object (e.g. fuzz/seeds/tiny-a.o)\n");
		exit(1);
	}
	parent = getenv("FZ_CDO_PARENT");
	if (!parent)
		parent = fixed;
	if (!dir)
		dir = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	snprintf(in_path, sizeof(in_path), "%s/fuzz-cdo-%d.o", dir, getpid());
	snprintf(out_path, sizeof(out_path), "%s/fuzz-cdo-%d.out.o", dir,
		 getpid());
	snprintf(symvers_path, sizeof(symvers_path), "%s/fuzz-cdo-%d.symvers",
		 dir, getpid());
	fz_write_file(symvers_path,
		      (const uint8_t *)"0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n",
		      40);
	snprintf(out_tmp, sizeof(out_tmp), "%s.tmp", out_path);
	atexit(remove_files);
	fz_init();
	fz_quiet_stdout();
	return 0;
}

static void run(char *orig, char *patched)
{
	char *argv[] = { "create-diff-object", orig, patched, "vmlinux",
			 parent, symvers_path, "livepatch_fuzz", out_path,
			 NULL };
	int code = fz_run(cdo_main, 8, argv);

	unlink(out_path);
	unlink(out_tmp);
	if (code >= 0 && code <= 3)
		return;
	fprintf(stderr, "FINDING: create-diff-object ended with status %d (expected 0-3)\n",
		code);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fz_known_crash(data, size))
		return -1;
	fz_write_file(in_path, data, size);
	run(fixed, in_path);
	run(in_path, fixed);
	return 0;
}
