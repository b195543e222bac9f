# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# report.sh - the one PASS/FAIL/SKIP counter of the bash test suites.
#
# Source it, then call pass/fail/skip once per check and end the suite with
# report_summary (prints "N passed, N failed, N skipped" and returns 1 when
# anything failed). A suite that prints its lines in another shape wraps
# report_pass/report_fail/report_skip. report_add adds the counts of a
# summary line printed by a sub-run (old "N passed, N failed" lines too).
# A SKIP is a check that did not run: it always says why.

PASS=0
FAIL=0
SKIP=0
report_pass() { PASS=$((PASS + 1)); echo "PASS $*"; }
report_fail() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
report_skip() { SKIP=$((SKIP + 1)); echo "SKIP $*"; }
pass() { report_pass "$@"; }
fail() { report_fail "$@"; }
skip() { report_skip "$@"; }

# report_parse LINE: sets R_PASS, R_FAIL, R_SKIP from a summary line;
# returns 1 when LINE is not one.
report_parse() {
	local re='^([A-Za-z0-9_.-]+: )?([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$'
	[[ $1 =~ $re ]] || return 1
	R_PASS=${BASH_REMATCH[2]}
	R_FAIL=${BASH_REMATCH[3]}
	R_SKIP=${BASH_REMATCH[5]:-0}
}

# report_add LINE: add a sub-run's summary line to the counters.
report_add() {
	report_parse "$1" || return 1
	PASS=$((PASS + R_PASS))
	FAIL=$((FAIL + R_FAIL))
	SKIP=$((SKIP + R_SKIP))
}

# report_summary [PREFIX]: the closing line; status 1 when anything failed.
report_summary() {
	echo "${1:+$1: }$PASS passed, $FAIL failed, $SKIP skipped"
	[[ $FAIL -eq 0 ]]
}
