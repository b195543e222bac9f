// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - messages, error exits and checked allocation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The running program's context: set first thing by its main(). */
static struct log_ctx *log_ctx;

void log_init(struct log_ctx *ctx, const char *prog)
{
	*ctx = (struct log_ctx){ .prog = prog };
	log_ctx = ctx;
}

bool log_debug_enabled(void)
{
	return log_ctx && log_ctx->debug;
}

void log_defer(struct log_defer *d, void (*release)(void *arg), void *arg)
{
	d->release = release;
	d->arg = arg;
	d->next = NULL;
	if (!log_ctx)
		return;
	d->next = log_ctx->defers;
	log_ctx->defers = d;
}

void log_undefer(struct log_defer *d)
{
	struct log_defer **p;

	if (!log_ctx)
		return;
	for (p = &log_ctx->defers; *p; p = &(*p)->next) {
		if (*p == d) {
			*p = d->next;
			return;
		}
	}
}

static void vmessage(const char *level, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: %s", log_ctx ? log_ctx->prog : "kpatch", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void __attribute__((noreturn)) die(int code)
{
	while (log_ctx && log_ctx->defers) {
		struct log_defer *d = log_ctx->defers;

		log_ctx->defers = d->next;
		d->release(d->arg);
	}
	exit(code);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("ERROR: ", fmt, ap);
	va_end(ap);
	die(EXIT_ERROR);
}

void refuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("ERROR: unsupported change: ", fmt, ap);
	va_end(ap);
	die(EXIT_REFUSED);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("WARNING: ", fmt, ap);
	va_end(ap);
}

void debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_enabled())
		return;
	va_start(ap, fmt);
	vmessage("debug: ", fmt, ap);
	va_end(ap);
}

static void out_of_memory(size_t size)
{
	fprintf(stderr, "%s: ERROR: out of memory allocating %zu bytes\n",
		log_ctx ? log_ctx->prog : "kpatch", size);
	die(EXIT_ERROR);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		out_of_memory(size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory(n * size);
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		out_of_memory(strlen(s));
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory(0);
	return p;
}

void *grow_for(void *array, size_t n, size_t elem)
{
	if (n & (n - 1))
		return array;
	return xrealloc(array, (n ? 2 * n : 1) * elem);
}

const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}
