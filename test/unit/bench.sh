#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - time and peak memory of create-diff-object on the largest
# objects of the test kernel, each diffed against a one-line change
# (test/unit/bench/*.patch; an object the test kernel does not build is
# skipped).  Prints one table row per object:
#   object  size-KiB  exit  seconds  peak-RSS-KiB  changed-functions
#
# Usage: bench.sh [NAME...]   (NAME = a file in test/unit/bench without .patch)

set -o errexit -o nounset -o pipefail

UNITDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=test/unit/run.sh
source "$UNITDIR/run.sh"

bench_one() {
	local name="$1" patch="$UNITDIR/bench/$1.patch" o kcflags="$BASE_KCFLAGS" t rc=0
	o="$(patch_files "$patch" | grep '\.c$' | head -n1)"
	o="${o%.c}.o"
	if [[ ! -f "$KBUILD/$o" ]]; then
		printf '%-24s %s\n' "$o" "not built by the test kernel; skipped"
		return 0
	fi
	WORK="$RESULTS/bench-$name"
	rm -rf "$WORK"
	mkdir -p "$WORK/orig" "$WORK/patched" "$WORK/res"
	OBJECTS=("$o")
	orig_objects "$kcflags" "$WORK/make-orig.log" "$o" || die "building $o failed; see $WORK/make-orig.log"
	apply_patch "$patch" >"$WORK/patch.log" 2>&1 || { restore_mirror; die "$patch does not apply"; }
	compile_objects "$kcflags" "$WORK/make-patched.log" "$o" ||
		{ restore_mirror; die "building patched $o failed; see $WORK/make-patched.log"; }
	mkdir -p "$(dirname "$WORK/patched/$o")"
	cp "$OBJDIR/$o" "$WORK/patched/$o"
	restore_mirror
	rm -f "$OBJDIR/$o"

	mkdir -p "$WORK/in/patched"
	cp "$WORK/orig/$o" "$WORK/in/$(basename "$o")"
	cp "$WORK/patched/$o" "$WORK/in/patched/$(basename "$o")"
	/usr/bin/time -o "$WORK/time" -f '%e %M' "$CDO" "$WORK/in/$(basename "$o")" \
		"$WORK/in/patched/$(basename "$o")" vmlinux "$KBUILD/vmlinux" "$KBUILD/Module.symvers" \
		livepatch_bench "$WORK/out.o" >"$WORK/stdout" 2>"$WORK/stderr" 7>&- 8>&- || rc=$?
	read -r t mem < <(tail -n1 "$WORK/time")
	printf '%-24s %9d %5d %8s %13s  %s\n' "$o" $(($(stat -c %s "$WORK/orig/$o") / 1024)) "$rc" "$t" "$mem" \
		"$(sed -n 's/^[^:]*: changed function: //p' "$WORK/stdout" | tr '\n' ' ')"
}

bench_main() {
	local names=("$@") n
	if [[ ${#names[@]} -eq 0 ]]; then
		for n in "$UNITDIR"/bench/*.patch; do
			names+=("$(basename "$n" .patch)")
		done
	fi
	mkdir -p "$CACHE"
	take_run_lock
	RESULTS="${UNIT_RESULTS:-$CACHE/unit-results}"
	mkdir -p "$RESULTS"
	kernel_env
	build_tools
	prepare_trees
	printf '%-24s %9s %5s %8s %13s  %s\n' object size-KiB exit seconds peak-RSS-KiB changed-functions
	for n in "${names[@]}"; do
		bench_one "$n"
	done
}

bench_main "$@"
