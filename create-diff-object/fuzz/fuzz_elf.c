// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_elf.c - libFuzzer harness: every input is written to a file and given
 * to kpatch-dump (elf_read() and every dump path) and to create-klp-module
 * (elf_read(), the record conversion and elf_write()).
 *
 * Both must end with status 0 or 1; a crash, sanitizer report or any other
 * status is a finding.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz_runtime.h"

int kpatch_dump_main(int argc, char **argv);
int create_klp_module_main(int argc, char **argv);

static char in_path[256], out_path[256], out_tmp[300];

static void remove_files(void)
{
	unlink(in_path);
	unlink(out_path);
	unlink(out_tmp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FZ_TMPDIR");

	(void)argc;
	(void)argv;
	if (!dir)
		dir = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	snprintf(in_path, sizeof(in_path), "%s/fuzz-elf-%d.o", dir, getpid());
	snprintf(out_path, sizeof(out_path), "%s/fuzz-elf-%d.ko", dir,
		 getpid());
	snprintf(out_tmp, sizeof(out_tmp), "%s.tmp", out_path);
	atexit(remove_files);
	fz_init();
	fz_quiet_stdout();
	return 0;
}

static void check_status(const char *tool, int code)
{
	if (code == 0 || code == 1)
		return;
	fprintf(stderr, "FINDING: %s ended with status %d (expected 0 or 1)\n",
		tool, code);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *dump_argv[] = { "kpatch-dump", in_path, NULL };
	char *klp_argv[] = { "create-klp-module", in_path, out_path, NULL };

	if (fz_known_crash(data, size))
		return -1;
	fz_write_file(in_path, data, size);
	check_status("kpatch-dump", fz_run(kpatch_dump_main, 2, dump_argv));
	check_status("create-klp-module",
		     fz_run(create_klp_module_main, 3, klp_argv));
	unlink(out_path);
	unlink(out_tmp);
	return 0;
}
