/* SPDX-License-Identifier: GPL-2.0 */
#ifndef FZ_STATE_H
#define FZ_STATE_H

#include <stddef.h>
#include <stdint.h>

/* Write size bytes to path (truncating); aborts on I/O errors. */
void fz_write_file(const char *path, const uint8_t *data, size_t size);
/* Send the tools' stdout to /dev/null unless FZ_VERBOSE=1. */
void fz_quiet_stdout(void);
/*
 * Reset the file-scope state a tool leaves behind when it exits in the
 * middle of a run (the Makefile globalizes these symbols with objcopy).
 */
void fz_reset_state(void);

/* Input triggers a crash already in FINDINGS.md (FZ_SKIP_KNOWN=1). */
int fz_known_crash(const uint8_t *data, size_t size);

#endif
