/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FZ_RUNTIME_H
#define FZ_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where the tools' messages go: /dev/null unless FZ_VERBOSE=1. */
extern FILE *fz_stderr;

void fz_init(void);
/* Run a tool's main(); returns its return value or its exit() code. */
int fz_run(int (*fn)(int argc, char **argv), int argc, char **argv);

/* Write size bytes to path (truncating); aborts on I/O errors. */
void fz_write_file(const char *path, const uint8_t *data, size_t size);
/* Send the tools' stdout to /dev/null unless FZ_VERBOSE=1. */
void fz_quiet_stdout(void);
/* Input triggers a crash already in FINDINGS.md (FZ_SKIP_KNOWN=1). */
int fz_known_crash(const uint8_t *data, size_t size);

#endif
