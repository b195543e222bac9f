// SPDX-License-Identifier: GPL-2.0
/*
 * fz_runtime.c - the other half of fz_hooks.h: an exit() that longjmps
 * back into the harness, so that a tool's error exit (fatal()/refuse() in
 * log.c, after they released what the run had open) ends one fuzz input
 * instead of the fuzzing process.
 *
 * This file is compiled WITHOUT fz_hooks.h: it calls the real functions.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz_runtime.h"

static jmp_buf fz_jump;
static int fz_jump_armed;
static int fz_exit_code;

FILE *fz_stderr;

void fz_init(void)
{
	const char *verbose = getenv("FZ_VERBOSE");
	const char *fsize = getenv("FZ_FSIZE_MB");
	struct rlimit rl;

	/*
	 * A corrupt input must not make a tool write a huge file (see
	 * FINDINGS.md, F2): cap the size of files written (default 16 MiB);
	 * a write past it fails with EFBIG instead of filling /dev/shm.
	 */
	rl.rlim_cur = rl.rlim_max = (rlim_t)(fsize ? atol(fsize) : 16) << 20;
	if (setrlimit(RLIMIT_FSIZE, &rl))
		perror("fz_init: setrlimit(RLIMIT_FSIZE)");
	signal(SIGXFSZ, SIG_IGN);

	if (verbose && *verbose && strcmp(verbose, "0")) {
		fz_stderr = stderr;
		return;
	}
	fz_stderr = fopen("/dev/null", "w");
	if (!fz_stderr) {
		perror("fz_init: /dev/null");
		abort();
	}
}

void fz_exit(int code)
{
	if (!fz_jump_armed) {
		fprintf(stderr, "fz_exit(%d) outside fz_run()\n", code);
		abort();
	}
	fz_exit_code = code;
	longjmp(fz_jump, 1);
}

int fz_run(int (*fn)(int argc, char **argv), int argc, char **argv)
{
	int code;

	fz_jump_armed = 1;
	if (setjmp(fz_jump) == 0)
		code = fn(argc, argv);
	else
		code = fz_exit_code;
	fz_jump_armed = 0;
	return code;
}

/* Write size bytes to path (truncating); aborts on I/O errors. */
void fz_write_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t done = 0;

	if (fd < 0) {
		perror(path);
		abort();
	}
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0) {
			perror(path);
			abort();
		}
		done += (size_t)n;
	}
	close(fd);
}

void fz_quiet_stdout(void)
{
	const char *verbose = getenv("FZ_VERBOSE");
	int fd;

	if (verbose && *verbose && strcmp(verbose, "0"))
		return;
	fd = open("/dev/null", O_WRONLY);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		perror("/dev/null");
		abort();
	}
	close(fd);
}
