#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mutate.sh - mutation fuzzing of the real create-diff-object,
# create-klp-module and kpatch-dump binaries (no clang needed).
#
#   mutate.sh [-n ITERATIONS] [-s SEED] [-b BINDIR] [-o FAILDIR] [-k] [SEED_OBJECT...]
#
#   -n  iterations (default 300: well under a minute)
#   -s  random seed (default 1, so a run is reproducible)
#   -b  directory with the three binaries; default: an ASan/UBSan build
#       (make SANITIZE=1) of a private copy of the sources in
#       ${TMPDIR:-/tmp}/cdo-mutate-build, so the project's own build
#       outputs are not touched
#   -o  where failing inputs are kept (default: fuzz/mutate-failures)
#   -k  keep going quietly: print only the summary and the failures
#
# Every iteration takes a seed object (fuzz/seeds/*.o *.ko by default),
# corrupts it (byte flips, truncation, ELF/section header, symbol and
# relocation fields) and runs kpatch-dump MUT, create-klp-module MUT OUT.ko
# and create-diff-object SEED MUT (or MUT SEED). A run passes when every
# tool exits 0-3 (kpatch-dump/create-klp-module 0-1), without a signal,
# timeout or sanitizer report. The whole run is one test: the log names
# the iteration count, the last line is "1 passed, 0 failed, 0 skipped"
# (or "0 passed, 1 failed, 0 skipped"); the exit status is 1 when
# anything failed.
set -o errexit -o nounset -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
iterations=300
seed=1
bindir=
faildir=$here/mutate-failures
quiet=0

while getopts "n:s:b:o:kh" opt; do
	case $opt in
	n) iterations=$OPTARG ;;
	s) seed=$OPTARG ;;
	b) bindir=$OPTARG ;;
	o) faildir=$OPTARG ;;
	k) quiet=1 ;;
	h) sed -n '3,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: mutate.sh [-n N] [-s SEED] [-b BINDIR] [-o FAILDIR] [-k] [SEED_OBJECT...]" >&2
	   exit 1 ;;
	esac
done
shift $((OPTIND - 1))

if [ -z "$bindir" ]; then
	build=${TMPDIR:-/tmp}/cdo-mutate-build
	# sources only (never the other build outputs), in the tree's layout:
	# kpatch-abi.h includes ../kmod/patch/kpatch-patch.h
	mkdir -p "$build/create-diff-object" "$build/kmod/patch"
	cp -p "$src"/*.c "$src"/*.h "$src"/Makefile "$build/create-diff-object/"
	cp -p "$src"/../kmod/patch/*.h "$build/kmod/patch/"
	if ! make -s -C "$build/create-diff-object" SANITIZE=1 -j2 > "$build/make.log" 2>&1; then
		cat "$build/make.log" >&2
		echo "mutate.sh: cannot build the sanitized binaries in $build" >&2
		exit 1
	fi
	bindir=$build/create-diff-object/san
fi
for p in create-diff-object create-klp-module kpatch-dump; do
	if [ ! -x "$bindir/$p" ]; then
		echo "mutate.sh: $bindir/$p is missing (build with make SANITIZE=1, or pass -b)" >&2
		exit 1
	fi
done

if [ $# -eq 0 ]; then
	set -- "$here"/seeds/*.o "$here"/seeds/*.ko
fi

exec python3 "$here/mutate.py" --iterations "$iterations" --seed "$seed" \
	--bindir "$bindir" --faildir "$faildir" --quiet "$quiet" \
	--parent "$here/seeds/tiny-a.o" -- "$@"
