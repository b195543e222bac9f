#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - kpatch-build driver tests that need no qemu: option parsing, a
# patch that does not apply, SIGINT during a build, the CACHEDIR lock, and
# a real build with cold/warm timing.
# Every test script prints PASS/FAIL/SKIP lines and ends with its own
# summary line; a script that exits non-zero, or ends without its summary
# (it aborted), fails even after PASS lines. Ends with
# "N passed, N failed, N skipped".
#
# Usage: run.sh [TEST...]   (TEST = options, parent, kmod-macros, bad-patch, sigint, mirror, lock, intree, crc, build,
#                             debian, deb, tools-deb, sign)
# KPATCH_BUILD, KPATCH_CDO, KPATCH_CKM override the tools under test.

set -o nounset -o pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/report.sh
. "$DIR/../lib/report.sh"
tests=("$@")
[[ ${#tests[@]} -gt 0 ]] || tests=(options parent kmod-macros bad-patch sigint mirror lock intree crc build debian deb tools-deb sign)
# Without the cached test kernel only the kernel-free checks run (the
# kernel takes ~10 minutes to build: test/kernel/build-kernel.sh).
cache="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
if [[ ! -f "$cache/kernel/current-${KPATCH_TEST_SRCPKG:-linux-source-6.1}/.built" ]]; then
	export DRIVER_TEST_NO_KERNEL=1
	kfree=()
	for t in "${tests[@]}"; do
		case "$t" in
		options|tools-deb|parent) kfree+=("$t") ;;
		*) skip "$t: test kernel not built (run test/kernel/build-kernel.sh)" ;;
		esac
	done
	tests=("${kfree[@]}")
fi
for t in "${tests[@]}"; do
	out="$(bash "$DIR/test-$t.sh" 2>&1)"
	rc=$?
	echo "$out" | grep -E '^(PASS|FAIL|SKIP)'
	p=$(grep -c '^PASS' <<<"$out")
	f=$(grep -c '^FAIL' <<<"$out")
	s=$(grep -c '^SKIP' <<<"$out")
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	SKIP=$((SKIP + s))
	if [[ $rc -ne 0 && $f -eq 0 ]]; then
		fail "$t: test-$t.sh exited with status $rc after $p PASS lines"
		echo "$out" | tail -n 10 | sed 's/^/    | /'
	elif ! grep -qE "^# test-$t\.sh: [0-9]+ passed" <<<"$out"; then
		fail "$t: test-$t.sh ended without its summary line (aborted?)"
		echo "$out" | tail -n 10 | sed 's/^/    | /'
	elif [[ $((p + f + s)) -eq 0 ]]; then
		fail "$t: test-$t.sh ran no check"
	fi
done
report_summary
