/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz_hooks.h - force-included (-include) into every project source compiled
 * for the in-process fuzz harnesses. It pulls in the system headers first
 * (their include guards keep the later #includes of the sources harmless),
 * then renames the calls whose effects must be undone between two fuzz
 * inputs:
 *
 *   exit()                 -> fz_exit(): longjmp back into the harness
 *   malloc/calloc/...      -> tracked allocations, freed after an error exit
 *   open/close, fopen      -> tracked descriptors, closed after an error exit
 *   elf_begin/elf_end      -> tracked libelf handles (and their mmaps)
 *
 * Nothing here changes what the tools do on a given input; it only lets
 * one process run millions of inputs without leaking.
 */
#ifndef FZ_HOOKS_H
#define FZ_HOOKS_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include <libelf.h>

void fz_exit(int code) __attribute__((noreturn));
void *fz_malloc(size_t size);
void *fz_calloc(size_t n, size_t size);
void *fz_realloc(void *p, size_t size);
void fz_free(void *p);
char *fz_strdup(const char *s);
int fz_vasprintf(char **out, const char *fmt, va_list ap);
ssize_t fz_getline(char **line, size_t *cap, FILE *f);
int fz_open(const char *path, int flags, ...);
int fz_close(int fd);
FILE *fz_fopen(const char *path, const char *mode);
int fz_fclose(FILE *f);
Elf *fz_elf_begin(int fd, Elf_Cmd cmd, Elf *ref);
int fz_elf_end(Elf *e);

#define exit(c)			fz_exit(c)
#define malloc(s)		fz_malloc(s)
#define calloc(n, s)		fz_calloc(n, s)
#define realloc(p, s)		fz_realloc(p, s)
#define free(p)			fz_free(p)
#define strdup(s)		fz_strdup(s)
#define vasprintf(o, f, a)	fz_vasprintf(o, f, a)
#define getline(l, c, f)	fz_getline(l, c, f)
#define open			fz_open
#define close(fd)		fz_close(fd)
#define fopen(p, m)		fz_fopen(p, m)
#define fclose(f)		fz_fclose(f)
#define elf_begin(fd, c, r)	fz_elf_begin(fd, c, r)
#define elf_end(e)		fz_elf_end(e)

/* the tools' messages: /dev/null unless FZ_VERBOSE=1 */
extern FILE *fz_stderr;
#undef stderr
#define stderr			fz_stderr

#endif
