#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the test bench's canary: boot the test kernel and run the
# kernel's own livepatch sample (guest.sh). Then the negative canary: the
# same run expecting a string the sample never prints must fail, on exactly
# the "while loaded" check, or the bench cannot report a failure.
#
# Usage: run.sh [--positive | --negative]   (default: both)
# CANARY_EXPECT overrides the expected string of the positive run;
# KPATCH_RUN_GUEST replaces test/qemu/run-guest.sh (test/selftest-suites.sh).
# Ends with "N passed, N failed, N skipped".
set -o nounset -o pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/report.sh
. "$DIR/../lib/report.sh"
RUN_GUEST="${KPATCH_RUN_GUEST:-$DIR/../qemu/run-guest.sh}"
T="$(mktemp -d /tmp/canary.XXXXXX)"
trap 'rm -rf "$T"' EXIT
mode="${1:-both}"

# canary EXPECT: run the guest; sets RC, the guest console in $T/out.
canary() {
	{ [[ -n "$1" ]] && printf 'CANARY_EXPECT=%q\n' "$1"; cat "$DIR/guest.sh"; } >"$T/guest.sh"
	"$RUN_GUEST" --timeout 120 "$T/guest.sh" >"$T/out" 2>&1
	RC=$?
	grep -E '^(canary|GUEST-PASS|GUEST-FAIL|run-guest)' "$T/out" | sed 's/^/    /'
}

if [[ $mode == both || $mode == --positive ]]; then
	canary "${CANARY_EXPECT:-}"
	if [[ $RC -eq 0 ]] && [[ $(grep -c '^GUEST-PASS' "$T/out") -eq 5 ]]; then
		pass "canary: livepatch-sample loads, patches /proc/cmdline, unloads (5 guest checks)"
	else
		fail "canary (guest exit $RC)"; tail -n 20 "$T/out" | sed 's/^/    | /'
	fi
fi
if [[ $mode == both || $mode == --negative ]]; then
	canary "kpatch-canary-never-printed"
	if [[ $RC -eq 1 ]] && grep -q "^GUEST-FAIL: cmdline reads 'kpatch-canary-never-printed' while loaded" "$T/out" &&
	   [[ $(grep -c '^GUEST-FAIL' "$T/out") -eq 1 ]]; then
		pass "negative canary: a wrong expectation fails the run (guest exit 1, one GUEST-FAIL)"
	else
		fail "negative canary: a wrong expectation was not reported (guest exit $RC)"
		tail -n 20 "$T/out" | sed 's/^/    | /'
	fi
fi
report_summary
