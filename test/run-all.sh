#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-all.sh - the project's test command (README, .ci/run, `make check`).
#
# Installs what is missing on a fresh Debian machine, builds the tools,
# builds (or reuses) the cached test kernel, and runs every suite. Ends with
# one line "N passed, N failed" and exits non-zero when anything failed.
#
# Usage: test/run-all.sh [--quick] [SUITE...]
#   --quick   only the suites that need no kernel
#   SUITE     run only these (cdo, fuzz-mutate, driver, kpatch-cmd, bench, kpatch-cmd-guest, canary, unit, integration)

set -o nounset -o pipefail

TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$TOP"
LOGDIR="${KPATCH_TEST_LOGDIR:-$TOP/test/logs}"
mkdir -p "$LOGDIR"
QUICK=0
ONLY=()
for a in "$@"; do
	case "$a" in
	--quick) QUICK=1 ;;
	-h|--help) sed -n '4,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) ONLY+=("$a") ;;
	esac
done

START=$SECONDS
TOTAL_PASS=0
TOTAL_FAIL=0
SUMMARY=()

# suite NAME NEEDS_KERNEL COMMAND...: run one suite, add its counts.
suite() {
	local name="$1" kernel="$2" log rc line p f
	shift 2
	if [[ ${#ONLY[@]} -gt 0 && " ${ONLY[*]} " != *" $name "* ]]; then return 0; fi
	[[ $QUICK -eq 1 && $kernel -eq 1 ]] && return 0
	log="$LOGDIR/$name.log"
	echo "=== suite $name: $* (log: $log)"
	local t0=$SECONDS
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	grep -E '^(PASS|FAIL|SKIP)' "$log" | sed 's/^/    /'
	line="$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)"
	if [[ -n "$line" ]]; then
		p="$(echo "$line" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/')"
		f="$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')"
	elif [[ $rc -eq 0 ]]; then
		p=1; f=0
	else
		p=0; f=1
	fi
	# A suite that exits non-zero while claiming no failure still fails.
	[[ $rc -ne 0 && $f -eq 0 ]] && f=1
	if [[ $f -gt 0 ]]; then tail -n 25 "$log" | sed 's/^/    | /'; fi
	TOTAL_PASS=$((TOTAL_PASS + p))
	TOTAL_FAIL=$((TOTAL_FAIL + f))
	SUMMARY+=("$(printf '%-12s %4d passed %4d failed %5d s' "$name" "$p" "$f" $((SECONDS - t0)))")
}

# missing SCRIPT: a suite whose script is not there is a failure, not a pass.
run_if_present() {
	if [[ -f "$1" ]]; then
		bash "$@"
	else
		echo "missing test script $1"
		return 1
	fi
}

echo "=== setup: packages and tools"
if ! bash test/kernel/install-deps.sh; then
	echo "0 passed, 1 failed"
	exit 1
fi
if ! make -s -C create-diff-object >"$LOGDIR/build.log" 2>&1; then
	tail -n 30 "$LOGDIR/build.log"
	echo "build of the C tools failed"
	echo "0 passed, 1 failed"
	exit 1
fi

if [[ $QUICK -eq 0 ]]; then
	echo "=== test kernel (first run on a machine builds it: about 8-10 minutes on 2 cores)"
	if ! bash test/kernel/build-kernel.sh; then
		TOTAL_FAIL=$((TOTAL_FAIL + 1))
		SUMMARY+=("test kernel build FAILED")
	fi
fi
suite cdo 0 make -s -C create-diff-object check
suite fuzz-mutate 0 bash create-diff-object/fuzz/mutate.sh
suite driver 0 run_if_present test/driver/run.sh
suite kpatch-cmd 0 run_if_present test/kpatch-cmd/run.sh
suite bench 1 bash test/qemu/selftest.sh
suite canary 1 bash test/canary/run.sh
suite kpatch-cmd-guest 1 run_if_present test/kpatch-cmd/run.sh --guest
suite unit 1 run_if_present test/unit/run.sh
suite integration 1 run_if_present test/integration/run.sh

echo "=== summary ($((SECONDS - START)) s)"
printf '    %s\n' "${SUMMARY[@]}"
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[[ $TOTAL_FAIL -eq 0 ]]
