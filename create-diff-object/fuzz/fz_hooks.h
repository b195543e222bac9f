/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz_hooks.h - force-included (-include) into every project source compiled
 * for the in-process fuzz harnesses:
 *
 *   exit()   -> fz_exit(): longjmp back into the harness (fz_run())
 *   stderr   -> /dev/null unless FZ_VERBOSE=1
 *
 * Nothing else is needed: the tools keep no file-scope state, and an error
 * exit releases the objects, files and mappings of the run first
 * (log_defer() in log.c).
 */
#ifndef FZ_HOOKS_H
#define FZ_HOOKS_H

#include <stdio.h>
#include <stdlib.h>

void fz_exit(int code) __attribute__((noreturn));
#define exit(c)			fz_exit(c)

extern FILE *fz_stderr;
#undef stderr
#define stderr			fz_stderr

#endif
