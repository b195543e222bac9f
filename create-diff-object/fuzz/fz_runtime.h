/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FZ_RUNTIME_H
#define FZ_RUNTIME_H

#include <stdio.h>

/* Where the tools' messages go: /dev/null unless FZ_VERBOSE=1. */
extern FILE *fz_stderr;

void fz_init(void);
/* Run a tool's main(); returns its return value or its exit() code. */
int fz_run(int (*fn)(int argc, char **argv), int argc, char **argv);

#endif
