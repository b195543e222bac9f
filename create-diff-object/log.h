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

extern const char *log_prog;	/* program name used as message prefix */
extern bool log_debug_enabled;

void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Cleanup hook run before exiting with an error (removes temporary output
 * files); set by the programs.
 */
extern void (*log_cleanup)(void);

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
