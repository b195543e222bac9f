/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h - messages, exit codes and checked allocation.
 */
#ifndef CDO_LOG_H
#define CDO_LOG_H

#include <stddef.h>
#include <stdbool.h>

/* Exit codes of create-diff-object (doc/design.md). */
#define EXIT_OK		0
#define EXIT_ERROR	1
#define EXIT_REFUSED	2
#define EXIT_NOCHANGE	3

/*
 * What messages need, owned by the program's main() (struct cdo for
 * create-diff-object) and installed with log_init() before anything else.
 */
struct log_ctx {
	const char *prog;	/* message prefix */
	bool debug;		/* print debug() messages */
	const char *tmp_path;	/* removed before an error exit */
};

void log_init(struct log_ctx *ctx, const char *prog);
bool log_debug_enabled(void);
/* Remove path if the program exits with an error (NULL: nothing). */
void log_remove_on_error(const char *path);

void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
/*
 * Room for element n of an array of n elements whose capacity is the
 * smallest power of two >= n: reallocates (doubling) only when n is 0 or a
 * power of two, so that appending is amortised O(1).
 */
void *grow_for(void *array, size_t n, size_t elem);
/* The last component of a path. */
const char *base_name(const char *path);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
