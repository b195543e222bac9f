#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Synthetic tests for create-diff-object, create-klp-module and kpatch-dump.
# Usage: BIN=<dir with the binaries> [VALGRIND="valgrind -q --error-exitcode=99"] run-tests.sh
# CDO_TESTS="t-basic ...": only these test files (test/selftest-suites.sh)
set -o errexit -o nounset -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$(dirname "$HERE")}
VALGRIND=${VALGRIND:-}
WORK=${WORK:-$HERE/work}
mkdir -p "$WORK"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

# Each t-*.sh runs in a subshell and ends with its own counts: a file
# that aborts (errexit on a broken tool) fails and the others still run.
tests=("$HERE"/t-*.sh)
if [ -n "${CDO_TESTS:-}" ]; then
	tests=()
	for t in $CDO_TESTS; do tests+=("$HERE/$t.sh"); done
fi
for t in "${tests[@]}"; do
	name=$(basename "$t")
	set +e
	out=$(
		set -e
		PASS=0 FAIL=0 SKIP=0
		# shellcheck disable=SC1090
		. "$t"
		echo "#t-summary: $PASS passed, $FAIL failed, $SKIP skipped"
	)
	rc=$?
	set -e
	printf '%s\n' "$out" | grep -v "^#t-summary: "
	if report_add "$(printf '%s\n' "$out" | sed -n "s/^#t-summary: //p")"; then
		if [ $rc -ne 0 ]; then report_fail "$name: exit status $rc"; fi
	else
		report_add "$(printf '%s\n' "$out" | grep -cE '^PASS' || true) passed, $(printf '%s\n' "$out" | grep -cE '^FAIL' || true) failed"
		report_fail "$name: aborted (exit status $rc) before its end"
	fi
done

report_summary
