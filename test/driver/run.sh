#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - kpatch-build driver tests that need no qemu: option parsing, a
# patch that does not apply, SIGINT during a build, the CACHEDIR lock, and
# (when create-diff-object is built) a real build with cold/warm timing.
# Every test prints PASS/FAIL lines; ends with "N passed, N failed".
#
# Usage: run.sh [TEST...]   (TEST = options, kmod-macros, bad-patch, sigint, lock, intree, crc, build)

set -o nounset -o pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tests=("$@")
[[ ${#tests[@]} -gt 0 ]] || tests=(options kmod-macros bad-patch sigint lock intree crc build)
pass=0
fail=0
# Without the cached test kernel only the kernel-free checks run (the
# kernel takes ~10 minutes to build: test/kernel/build-kernel.sh).
cache="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
if [[ ! -f "$cache/kernel/current-${KPATCH_TEST_SRCPKG:-linux-source-6.1}/.built" ]]; then
	export DRIVER_TEST_NO_KERNEL=1
	for t in "${tests[@]}"; do
		[[ "$t" == options ]] || echo "SKIP $t: test kernel not built (run test/kernel/build-kernel.sh)"
	done
	tests=(options)
fi
for t in "${tests[@]}"; do
	out="$(bash "$DIR/test-$t.sh" 2>&1)"
	echo "$out" | grep -E '^(PASS|FAIL|SKIP)'
	pass=$((pass + $(echo "$out" | grep -c '^PASS')))
	fail=$((fail + $(echo "$out" | grep -c '^FAIL')))
	if ! echo "$out" | grep -qE '^(PASS|FAIL|SKIP)'; then
		echo "FAIL $t: no result"
		echo "$out" | tail -n 5
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
