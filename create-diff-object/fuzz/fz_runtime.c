// SPDX-License-Identifier: GPL-2.0
/*
 * fz_runtime.c - the other half of fz_hooks.h: tracked allocations,
 * descriptors and libelf handles, and an exit() that longjmps back into the
 * harness, so that a tool's error exit (fatal()/refuse() in log.c) ends one
 * fuzz input instead of the fuzzing process.
 *
 * This file is compiled WITHOUT fz_hooks.h: it calls the real functions.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include <libelf.h>

#include "fz_runtime.h"

#define FZ_MAGIC	0x667a626c6f636b21UL	/* "fzblock!" */
#define FZ_MAX_FDS	64
#define FZ_MAX_FILES	16
#define FZ_MAX_ELFS	16

/* Header in front of every tracked allocation; 32 bytes keeps alignment. */
struct fz_block {
	struct fz_block *prev, *next;
	size_t size;
	unsigned long magic;
};

static struct fz_block fz_blocks = { &fz_blocks, &fz_blocks, 0, FZ_MAGIC };
static int fz_fds[FZ_MAX_FDS];
static size_t fz_nr_fds;
static FILE *fz_files[FZ_MAX_FILES];
static size_t fz_nr_files;
static Elf *fz_elfs[FZ_MAX_ELFS];
static size_t fz_nr_elfs;

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

void *fz_malloc(size_t size)
{
	struct fz_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + size);
	if (!b)
		return NULL;
	b->size = size;
	b->magic = FZ_MAGIC;
	b->next = fz_blocks.next;
	b->prev = &fz_blocks;
	fz_blocks.next->prev = b;
	fz_blocks.next = b;
	return b + 1;
}

void *fz_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = fz_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

static struct fz_block *fz_header(void *p)
{
	struct fz_block *b = (struct fz_block *)p - 1;

	if (b->magic != FZ_MAGIC) {
		fprintf(stderr, "fz: free/realloc of %p which was not allocated by the project's allocator (or is corrupt)\n",
			p);
		abort();
	}
	return b;
}

void fz_free(void *p)
{
	struct fz_block *b;

	if (!p)
		return;
	b = fz_header(p);
	b->prev->next = b->next;
	b->next->prev = b->prev;
	b->magic = 0;
	free(b);
}

void *fz_realloc(void *p, size_t size)
{
	void *n;
	struct fz_block *b;

	if (!p)
		return fz_malloc(size);
	b = fz_header(p);
	n = fz_malloc(size);
	if (!n)
		return NULL;
	memcpy(n, p, b->size < size ? b->size : size);
	fz_free(p);
	return n;
}

char *fz_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = fz_malloc(len);

	if (p)
		memcpy(p, s, len);
	return p;
}

int fz_vasprintf(char **out, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -1;
	*out = fz_malloc((size_t)n + 1);
	if (!*out)
		return -1;
	vsnprintf(*out, (size_t)n + 1, fmt, ap);
	return n;
}

ssize_t fz_getline(char **line, size_t *cap, FILE *f)
{
	size_t len = 0;
	int c;

	if (!*line || !*cap) {
		*cap = 128;
		*line = fz_realloc(*line, *cap);
		if (!*line)
			return -1;
	}
	while ((c = fgetc(f)) != EOF) {
		if (len + 2 > *cap) {
			char *n = fz_realloc(*line, *cap * 2);

			if (!n)
				return -1;
			*line = n;
			*cap *= 2;
		}
		(*line)[len++] = (char)c;
		if (c == '\n')
			break;
	}
	(*line)[len] = 0;
	return len ? (ssize_t)len : -1;
}

int fz_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	int fd;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	fd = open(path, flags, mode);
	if (fd >= 0 && fz_nr_fds < FZ_MAX_FDS)
		fz_fds[fz_nr_fds++] = fd;
	return fd;
}

int fz_close(int fd)
{
	size_t i;

	for (i = 0; i < fz_nr_fds; i++)
		if (fz_fds[i] == fd) {
			fz_fds[i] = fz_fds[--fz_nr_fds];
			break;
		}
	return close(fd);
}

FILE *fz_fopen(const char *path, const char *mode)
{
	FILE *f = fopen(path, mode);

	if (f && fz_nr_files < FZ_MAX_FILES)
		fz_files[fz_nr_files++] = f;
	return f;
}

int fz_fclose(FILE *f)
{
	size_t i;

	for (i = 0; i < fz_nr_files; i++)
		if (fz_files[i] == f) {
			fz_files[i] = fz_files[--fz_nr_files];
			break;
		}
	return fclose(f);
}

Elf *fz_elf_begin(int fd, Elf_Cmd cmd, Elf *ref)
{
	Elf *e = elf_begin(fd, cmd, ref);

	if (e && fz_nr_elfs < FZ_MAX_ELFS)
		fz_elfs[fz_nr_elfs++] = e;
	return e;
}

int fz_elf_end(Elf *e)
{
	size_t i;

	for (i = 0; i < fz_nr_elfs; i++)
		if (fz_elfs[i] == e) {
			fz_elfs[i] = fz_elfs[--fz_nr_elfs];
			break;
		}
	return elf_end(e);
}

/* Release everything the last run left behind (error exits leak by design). */
static void fz_release(void)
{
	while (fz_nr_elfs)
		elf_end(fz_elfs[--fz_nr_elfs]);
	while (fz_nr_files)
		fclose(fz_files[--fz_nr_files]);
	while (fz_nr_fds)
		close(fz_fds[--fz_nr_fds]);
	while (fz_blocks.next != &fz_blocks)
		fz_free(fz_blocks.next + 1);
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
	fz_release();
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
