#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftest-suites.sh - the suites must fail when the tools are broken.
#
# Swaps in deliberately broken tools (through the runners' overrides, never
# by editing the tree) and runs one or two cases of each suite that must
# notice:
#   cdo-exit1     a create-diff-object that exits 1 on everything
#                 -> cdo, unit, driver (build), integration fail
#   cdo-extra     a create-diff-object that reports one extra, unchanged
#                 function as changed -> cdo, unit fail
#   kb-exit0      a kpatch-build that always exits 0 and builds nothing
#                 -> driver (bad-patch), integration (a -FAIL patch and
#                 a patch that must load) fail
# A check passes when the suite run exits non-zero AND reports at least one
# failed check in its summary line (a crash without a summary is not the
# failure we look for).
#
# Usage: selftest-suites.sh [TOOL...]   (default: every broken tool)
# Ends with "N passed, N failed, N skipped". Needs the test kernel.

set -o nounset -o pipefail
TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/report.sh
. "$TOP/test/lib/report.sh"
T="$(mktemp -d /tmp/selftest-suites.XXXXXX)"
trap 'rm -rf "$T"' EXIT
CDO_SRC="$TOP/create-diff-object"
LOGS="${KPATCH_TEST_LOGDIR:-$TOP/test/logs}/selftest-suites"
mkdir -p "$LOGS"

for b in create-diff-object create-klp-module kpatch-dump; do
	[[ -x "$CDO_SRC/$b" ]] || { fail "setup: $CDO_SRC/$b is not built (make)"; report_summary; exit 1; }
done

# broken_cdo_dir NAME SCRIPT: a directory with the real create-klp-module
# and kpatch-dump and SCRIPT as create-diff-object (what BIN and CDO_DIR
# expect).
broken_cdo_dir() {
	local d="$T/$1"
	mkdir -p "$d"
	cp "$CDO_SRC/create-klp-module" "$CDO_SRC/kpatch-dump" "$d/"
	printf '%s\n' "$2" >"$d/create-diff-object"
	chmod +x "$d/create-diff-object"
	echo "$d"
}

CDO_EXIT1="$(broken_cdo_dir cdo-exit1 '#!/bin/sh
echo "create-diff-object (broken for selftest-suites.sh): exit 1" >&2
exit 1')"

# Runs the real tool, then claims one function of the patched object that it
# did not report (an unchanged one) as changed, with exit status 0.
CDO_EXTRA="$(broken_cdo_dir cdo-extra "#!/bin/bash
out=\"\$(mktemp)\"
trap 'rm -f \"\$out\"' EXIT
'$CDO_SRC/create-diff-object' \"\$@\" >\"\$out\"
rc=\$?
cat \"\$out\"
[ \$rc -eq 0 ] || exit \$rc
for a in \"\$@\"; do case \$a in --*) shift ;; *) break ;; esac; done
obj=\$(basename \"\$2\")
extra=\$(nm --defined-only \"\$2\" | awk '\$2 ~ /^[Tt]\$/ { print \$3 }' | grep -vxF -f <(sed -n 's/^[^:]*: [a-z]* function: //p' \"\$out\") | grep -v '\\.' | head -n1)
[ -n \"\$extra\" ] && echo \"\$obj: changed function: \$extra\"
exit 0")"

KB_EXIT0="$T/kpatch-build-exit0"
printf '#!/bin/sh\necho "kpatch-build (broken for selftest-suites.sh): exit 0, nothing built"\nexit 0\n' >"$KB_EXIT0"
chmod +x "$KB_EXIT0"

# must_fail WHAT LOG ENV=VALUE... -- COMMAND...: the suite run must exit
# non-zero with "N failed" (N >= 1) in its summary line.
must_fail() {
	local what="$1" log="$LOGS/$2.log" envs=() rc line
	shift 2
	while [[ $1 != -- ]]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" "$@" >"$log" 2>&1 </dev/null
	rc=$?
	line="$(grep -E '^([A-Za-z0-9_.-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)"
	if [[ $rc -ne 0 ]] && report_parse "$line" && [[ $R_FAIL -ge 1 ]]; then
		pass "$what: fails ($line; exit $rc)"
	else
		fail "$what: did not fail as it must (exit $rc, summary '${line:-none}'; log $log)"
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
}

tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=(cdo-exit1 cdo-extra kb-exit0)
# The unit cases run in their own results directory (not the cached one).
export UNIT_RESULTS="$T/unit-results"
for tool in "${tools[@]}"; do
	case $tool in
	cdo-exit1)
		must_fail "cdo suite with a create-diff-object that exits 1" cdo-exit1-cdo \
			BIN="$CDO_EXIT1" WORK="$T/cdo-work" -- bash "$CDO_SRC/tests/run-tests.sh"
		must_fail "unit plain-function with a create-diff-object that exits 1" cdo-exit1-unit \
			CDO_DIR="$CDO_EXIT1" -- bash "$TOP/test/unit/run.sh" plain-function
		must_fail "driver build with a create-diff-object that exits 1" cdo-exit1-driver \
			KPATCH_CDO="$CDO_EXIT1/create-diff-object" -- bash "$TOP/test/driver/run.sh" build
		must_fail "integration cmdline-string with a create-diff-object that exits 1" cdo-exit1-integration \
			KPATCH_CDO="$CDO_EXIT1/create-diff-object" -- bash "$TOP/test/integration/run.sh" cmdline-string
		;;
	cdo-extra)
		must_fail "cdo suite with a create-diff-object that reports an extra function" cdo-extra-cdo \
			BIN="$CDO_EXTRA" WORK="$T/cdo-work" -- bash "$CDO_SRC/tests/run-tests.sh"
		must_fail "unit plain-function with a create-diff-object that reports an extra function" cdo-extra-unit \
			CDO_DIR="$CDO_EXTRA" -- bash "$TOP/test/unit/run.sh" plain-function
		;;
	kb-exit0)
		must_fail "driver bad-patch with a kpatch-build that always exits 0" kb-exit0-driver \
			KPATCH_BUILD="$KB_EXIT0" -- bash "$TOP/test/driver/run.sh" bad-patch
		must_fail "integration init-FAIL with a kpatch-build that always exits 0" kb-exit0-integration-fail \
			KPATCH_BUILD="$KB_EXIT0" -- bash "$TOP/test/integration/run.sh" init-FAIL
		must_fail "integration cmdline-string with a kpatch-build that always exits 0" kb-exit0-integration \
			KPATCH_BUILD="$KB_EXIT0" -- bash "$TOP/test/integration/run.sh" cmdline-string
		;;
	*) fail "no broken tool '$tool' (cdo-exit1, cdo-extra, kb-exit0)" ;;
	esac
done
report_summary
