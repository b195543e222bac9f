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
struct log_defer;

struct log_ctx {
	const char *prog;	/* message prefix */
	bool debug;		/* print debug() messages */
	struct log_defer *defers;	/* released before an error exit */
};

/*
 * Something an error exit releases (an object with open files, mappings
 * and memory): registered when it is created, dropped when it is freed.
 * fatal() and refuse() release what is registered, last first, so that
 * an error exit leaves nothing behind (the fuzz harnesses run the tools
 * many times in one process).
 */
struct log_defer {
	struct log_defer *next;
	void (*release)(void *arg);
	void *arg;
};

void log_init(struct log_ctx *ctx, const char *prog);
bool log_debug_enabled(void);
void log_defer(struct log_defer *d, void (*release)(void *arg), void *arg);
void log_undefer(struct log_defer *d);

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
