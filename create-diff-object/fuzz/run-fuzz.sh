#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-fuzz.sh - build and run the libFuzzer harnesses, one job at a time.
#
#   run-fuzz.sh [ELF_SECONDS [CDO_SECONDS]]     (defaults: 60 60)
#
# Corpora grow in corpus/elf and corpus/cdo (seeded from seeds/), new
# crashes land in artifacts/. Inputs hitting a crash already described in
# FINDINGS.md are skipped (FZ_SKIP_KNOWN=1; set FZ_SKIP_KNOWN=0 to see them).
set -o errexit -o nounset -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
elf_secs=${1:-60}
cdo_secs=${2:-60}

make -s
mkdir -p corpus/elf corpus/cdo artifacts
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export FZ_SKIP_KNOWN=${FZ_SKIP_KNOWN:-1}
# -fork=1: one job, and the run goes on after a crash (all are saved);
# -handle_xfsz=0: fz_init() caps written files at 16 MiB (EFBIG, not a signal)
opts=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
      -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=512 -handle_xfsz=0 -print_final_stats=1)

if [ "$elf_secs" -gt 0 ]; then
	./out/fuzz-elf "${opts[@]}" -max_total_time="$elf_secs" \
		-artifact_prefix=artifacts/elf- corpus/elf seeds
fi
if [ "$cdo_secs" -gt 0 ]; then
	FZ_CDO_ORIG=${FZ_CDO_ORIG:-seeds/tiny-a.o} \
	./out/fuzz-cdo "${opts[@]}" -max_total_time="$cdo_secs" \
		-artifact_prefix=artifacts/cdo- corpus/cdo seeds
fi
