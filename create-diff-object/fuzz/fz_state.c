// SPDX-License-Identifier: GPL-2.0
/*
 * fz_state.c - helpers shared by the harnesses, and the reset of the
 * file-scope state of the tools. The Makefile renames and globalizes those
 * static variables with objcopy (fz_st_*); they are weak here because each
 * harness links only some of the sources.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz_state.h"

extern void (*log_cleanup)(void);
extern bool log_debug_enabled;

/* include.c */
extern void *fz_st_worklist __attribute__((weak));
extern size_t fz_st_nr_work __attribute__((weak));
extern size_t fz_st_cap_work __attribute__((weak));
/* special.c */
extern void *fz_st_states __attribute__((weak));
extern size_t fz_st_nr_states __attribute__((weak));
/* elf_write.c */
extern const char *fz_st_write_path_tmp __attribute__((weak));
/* lookup.c, parent_lookup(): cache keyed by the parent's address */
extern void *fz_st_lookup_scores __attribute__((weak));
extern void *fz_st_lookup_scored __attribute__((weak));
extern size_t fz_st_lookup_best __attribute__((weak));

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

void fz_reset_state(void)
{
	log_cleanup = NULL;
	log_debug_enabled = false;
	if (&fz_st_worklist) {
		fz_st_worklist = NULL;
		fz_st_nr_work = 0;
		fz_st_cap_work = 0;
	}
	if (&fz_st_states) {
		fz_st_states = NULL;
		fz_st_nr_states = 0;
	}
	if (&fz_st_write_path_tmp)
		fz_st_write_path_tmp = NULL;
	if (&fz_st_lookup_scores) {
		fz_st_lookup_scores = NULL;
		fz_st_lookup_scored = NULL;
		fz_st_lookup_best = 0;
	}
}
