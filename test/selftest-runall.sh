#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftest-runall.sh - run-all.sh's own verdicts must be right.
#
# Runs test/run-all.sh with a table of small fake suites (tiny bash scripts
# in a temporary directory, KPATCH_RUNALL_TABLE) and an expected-skips
# manifest of its own (KPATCH_RUNALL_SKIPS), and checks for each case the
# exact closing line "N passed, N failed, N skipped" of run-all and its exit
# status:
#   honest        two honest suites, one with a declared skip: exit 0, the
#                 counts added up
#   lie-fail-line a suite that printed a FAIL line, says "3 passed, 0
#                 failed" and exits 0
#   lie-exit1     the same, exiting 1
#   exit0-failed  a suite that exits 0 after a failed check
#   exit-no-fail  a suite that exits non-zero with no failed check
#   no-summary    a suite with no summary line
#   ran-nothing   a suite that ran nothing ("0 passed, 0 failed")
#   missing       a suite whose script does not exist
#   undeclared    a SKIP the manifest does not declare (fails the run), also
#                 one the manifest declares for another suite only
#   unnamed-skip  a suite whose summary counts a skip it printed no SKIP line
#                 for (so no manifest line can declare it): fails the run,
#                 like an undeclared skip
#   not-happened  a declared skip that did not happen: listed, not a failure
#   mixed         an honest and a failing suite: the counts add up, only the
#                 failing one is named
# A suite that failed a verdict ("exits 0 after failures", "no summary", ...)
# counts its own checks plus one failed check for the verdict; an
# undeclared skip counts as a failed check, not a skipped one.
#
# Usage: selftest-runall.sh [CASE...]     (default: every case)
# Ends with "N passed, N failed, N skipped". Needs no test kernel.

# shellcheck disable=SC2119 # report_summary's optional argument is a prefix
set -o nounset -o pipefail
TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=test/lib/report.sh
. "$TOP/test/lib/report.sh"
T="$(mktemp -d /tmp/selftest-runall.XXXXXX)"
trap 'rm -rf "$T"' EXIT

if ! grep -q KPATCH_RUNALL_TABLE "$TOP/test/run-all.sh"; then
	fail "setup: test/run-all.sh has no KPATCH_RUNALL_TABLE override"
	report_summary
	exit 1
fi

# fake NAME EXIT [LINE...]: the fake suite $T/fake/NAME.sh prints the LINEs
# and exits EXIT.
fake() {
	local rc="$2" f="$T/fake/$1.sh"
	shift 2
	mkdir -p "$T/fake"
	{
		echo '#!/bin/bash'
		[[ $# -gt 0 ]] && printf 'printf "%%s\\n"%s\n' "$(printf ' %q' "$@")"
		echo "exit $rc"
	} >"$f"
}

# The fake suites, one per behaviour.
fake honest-a     0 "PASS a1" "PASS a2" "PASS a3" "3 passed, 0 failed, 0 skipped"
fake honest-b     0 "PASS b1" "SKIP b2: needs a thing this machine lacks" "PASS b3" "2 passed, 0 failed, 1 skipped"
fake lie-fail     0 "PASS c1" "FAIL c2: broken" "PASS c3" "3 passed, 0 failed, 0 skipped"
fake lie-exit1    1 "PASS c1" "FAIL c2: broken" "PASS c3" "3 passed, 0 failed, 0 skipped"
fake exit0-failed 0 "PASS d1" "FAIL d2: broken" "1 passed, 1 failed, 0 skipped"
fake exit-no-fail 3 "PASS e1" "PASS e2" "2 passed, 0 failed, 0 skipped"
fake no-summary   0 "PASS f1" "PASS f2"
fake ran-nothing  0 "0 passed, 0 failed, 0 skipped"
fake undeclared   0 "PASS g1" "SKIP g2: nobody declared this" "1 passed, 0 failed, 1 skipped"
fake unnamed-skip 0 "PASS i1" "PASS i2" "2 passed, 0 failed, 1 skipped"
fake not-happened 0 "PASS h1" "PASS h2" "2 passed, 0 failed, 0 skipped"

# table FILE NAME...: a run-all table of the fake suites NAME (KERNEL none);
# "missing" is a suite whose script does not exist.
table() {
	local f="$1" n script
	shift
	: >"$f"
	for n in "$@"; do
		script="$T/fake/$n.sh"
		[[ $n == missing ]] && script="$T/fake/no-such-suite.sh"
		printf 'suite %q none bash %q\n' "$n" "$script" >>"$f"
	done
}

# manifest FILE [SUITE ERE]...: an expected-skips manifest.
manifest() {
	local f="$1"
	shift
	printf '# selftest-runall manifest\n' >"$f"
	while [[ $# -ge 2 ]]; do
		printf '%s\t%s\t%s\n' "$1" "$2" "declared by selftest-runall.sh" >>"$f"
		shift 2
	done
}

# runall CASE: run run-all.sh with $T/CASE.table and $T/CASE.skips; sets
# RC, OUT (its output file) and LAST (its last line).
runall() {
	local c="$1"
	OUT="$T/$c.out"
	KPATCH_RUNALL_TABLE="$T/$c.table" KPATCH_RUNALL_SKIPS="$T/$c.skips" \
		KPATCH_TEST_LOGDIR="$T/logs-$c" bash "$TOP/test/run-all.sh" >"$OUT" 2>&1 </dev/null
	RC=$?
	LAST="$(tail -n1 "$OUT")"
}

# verdict CASE WHAT RC CLOSING [REGEX...]: run-all exited RC, its last line is
# exactly CLOSING, and its output matches every REGEX (grep -E; a REGEX
# starting with '!' must not match).
verdict() {
	local c="$1" what="$2" want_rc="$3" want_last="$4" re bad=""
	shift 4
	runall "$c"
	[[ $RC -eq $want_rc ]] || bad="exit $RC, expected $want_rc"
	[[ $LAST == "$want_last" ]] || bad="${bad:+$bad; }closing line '$LAST', expected '$want_last'"
	for re in "$@"; do
		if [[ $re == !* ]]; then
			! grep -Eq -- "${re#!}" "$OUT" || bad="${bad:+$bad; }output matches '${re#!}'"
		else
			grep -Eq -- "$re" "$OUT" || bad="${bad:+$bad; }output lacks '$re'"
		fi
	done
	if [[ -z $bad ]]; then
		pass "$c: $what (run-all: exit $RC, '$LAST')"
	else
		fail "$c: $what: $bad"
		# indented: these lines must not count as this suite's own
		sed 's/^/    | /' "$OUT"
	fi
}

run_case() {
	local c="$1"
	case $c in
	honest)
		table "$T/$c.table" honest-a honest-b
		manifest "$T/$c.skips" honest-b '^b2: needs a thing'
		verdict "$c" "two honest suites, one declared skip: exit 0, counts added up" \
			0 "5 passed, 0 failed, 1 skipped" "honest-b: b2: needs a thing" \
			"!failed suites" "!undeclared" "!did not happen"
		;;
	lie-fail-line)
		table "$T/$c.table" lie-fail
		manifest "$T/$c.skips"
		verdict "$c" "a suite that printed a FAIL line but says '3 passed, 0 failed' and exits 0 fails" \
			1 "3 passed, 1 failed, 0 skipped" "failed suites: lie-fail$"
		;;
	lie-exit1)
		table "$T/$c.table" lie-exit1
		manifest "$T/$c.skips"
		verdict "$c" "a suite that printed a FAIL line, says '3 passed, 0 failed' and exits 1 fails" \
			1 "3 passed, 1 failed, 0 skipped" "failed suites: lie-exit1$"
		;;
	exit0-failed)
		table "$T/$c.table" exit0-failed
		manifest "$T/$c.skips"
		verdict "$c" "a suite that exits 0 after a failed check fails" \
			1 "1 passed, 2 failed, 0 skipped" "exit status 0 with 1 failed" "failed suites: exit0-failed$"
		;;
	exit-no-fail)
		table "$T/$c.table" exit-no-fail
		manifest "$T/$c.skips"
		verdict "$c" "a suite that exits 3 with no failed check fails" \
			1 "2 passed, 1 failed, 0 skipped" "exit status 3 with no failed check" "failed suites: exit-no-fail$"
		;;
	no-summary)
		table "$T/$c.table" no-summary
		manifest "$T/$c.skips"
		verdict "$c" "a suite with no summary line fails" \
			1 "0 passed, 1 failed, 0 skipped" "no 'N passed, N failed, N skipped' line" "failed suites: no-summary$"
		;;
	ran-nothing)
		table "$T/$c.table" ran-nothing
		manifest "$T/$c.skips"
		verdict "$c" "a suite that ran nothing fails" \
			1 "0 passed, 1 failed, 0 skipped" "it ran nothing" "failed suites: ran-nothing$"
		;;
	missing)
		table "$T/$c.table" missing
		manifest "$T/$c.skips"
		verdict "$c" "a suite whose script is missing fails" \
			1 "0 passed, 1 failed, 0 skipped" "failed suites: missing$"
		;;
	undeclared)
		table "$T/$c.table" undeclared
		manifest "$T/$c.skips"
		verdict "$c" "an undeclared skip fails the run (a failed check, not a skipped one)" \
			1 "1 passed, 1 failed, 0 skipped" "undeclared skip.*g2: nobody declared this" \
			"failed suites: undeclared$"
		# declared, but for another suite: still undeclared
		manifest "$T/$c.skips" honest-a 'g2: nobody declared'
		verdict "$c" "a skip declared for another suite only is undeclared in this one" \
			1 "1 passed, 1 failed, 0 skipped" "undeclared skip.*g2: nobody declared this"
		;;
	unnamed-skip)
		table "$T/$c.table" unnamed-skip
		manifest "$T/$c.skips"
		verdict "$c" "a skip counted in the summary with no SKIP line (not declarable) fails the run" \
			1 "2 passed, 1 failed, 0 skipped" "failed suites: unnamed-skip$"
		;;
	not-happened)
		table "$T/$c.table" not-happened
		manifest "$T/$c.skips" not-happened '^h3: only on other machines'
		verdict "$c" "a declared skip that did not happen is listed, not a failure" \
			0 "2 passed, 0 failed, 0 skipped" "1 declared skips did not happen" \
			"not-happened: /\^h3: only on other machines/" "!failed suites"
		;;
	mixed)
		table "$T/$c.table" honest-a exit0-failed honest-b
		manifest "$T/$c.skips" honest-b '^b2: needs a thing'
		verdict "$c" "an honest and a failing suite: counts added up, only the failing suite named" \
			1 "6 passed, 2 failed, 1 skipped" "failed suites: exit0-failed$"
		;;
	beside)
		# the mixed table with the failing suite and one honest suite in
		# the second lane: the same counts, summary in table order, and
		# with KPATCH_RUNALL_LANES=1 the same again in one lane
		table "$T/$c.table" honest-a exit0-failed honest-b
		echo 'beside exit0-failed honest-b' >>"$T/$c.table"
		manifest "$T/$c.skips" honest-b '^b2: needs a thing'
		verdict "$c" "suites beside the others (second lane): counts added up, the failing one named, summary in table order" \
			1 "6 passed, 2 failed, 1 skipped" "failed suites: exit0-failed$" "ran beside the others" \
			"beside the kernel builds and the other suites: exit0-failed honest-b"
		if awk '/^=== summary/ { s = 1; next } s && /^    [a-z]/ { printf "%s ", $1 } /^===/ && s { exit }' "$OUT" |
		   grep -qx 'honest-a exit0-failed honest-b '; then
			pass "$c: the summary lists the suites in table order"
		else
			fail "$c: summary order: $(awk '/^=== summary/,0' "$OUT" | head -n 5 | tr '\n' '|')"
		fi
		KPATCH_RUNALL_LANES=1 verdict "$c" "the same table in one lane (KPATCH_RUNALL_LANES=1): the same counts" \
			1 "6 passed, 2 failed, 1 skipped" "failed suites: exit0-failed$" "!ran beside the others"
		;;
	*) fail "no case '$c'" ;;
	esac
}

CASES=(honest lie-fail-line lie-exit1 exit0-failed exit-no-fail no-summary ran-nothing missing
       undeclared unnamed-skip not-happened mixed beside)
[[ $# -gt 0 ]] && CASES=("$@")
for c in "${CASES[@]}"; do
	run_case "$c"
done
report_summary
