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
