#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftest-suites.sh - the suites must fail when the tools are broken.
#
# Swaps in deliberately broken tools (through the runners' overrides, never
# by editing the tree) and runs one or two cases of each suite that must
# notice. Every suite of test/run-all.sh's table has a check here (the
# kernel=6.12 suites run the same scripts as their 6.1 twins, the --full
# Debian suites the same test/debian/run.sh; this one, suites-selftest, is
# exempt):
#   cdo-exit1     a create-diff-object that exits 1 on everything
#                 -> cdo (its t-basic.sh; CDO_TESTS), unit, unit-selftest,
#                 objs, driver (deb), integration fail
#   cdo-extra     a create-diff-object that reports one extra, unchanged
#                 function as changed -> cdo, unit fail
#   cdo-asan      a create-diff-object that reports an AddressSanitizer
#                 error -> fuzz-mutate fails
#   kb-exit0      a kpatch-build that always exits 0 and builds nothing
#                 -> driver (bad-patch), integration (a -FAIL patch and
#                 a patch that must load), kpatch-cmd --guest (its
#                 kpatch-built modules), debian (--series 6.1 and 6.12,
#                 one patch: nothing is built, no guest boots),
#                 sign-enforce (no signed module, no guest boots) fail
#   kpatch-exit0  a kpatch command that exits 0 and prints nothing
#                 -> kpatch-cmd (host), sign-enforce (its refusals) fail
#   guest-exit0   a run-guest.sh that boots nothing and exits 0 (ignores
#                 what the guest did) -> qemu-selftest, canary fail
#   canary-wrong  the canary expecting a string the sample never prints
#                 (CANARY_EXPECT; one real boot) -> canary fails
# A check passes when the suite run exits non-zero AND reports at least one
# failed check in its summary line (a crash without a summary is not the
# failure we look for), within CHECK_TIMEOUT seconds (default 600: a safety
# net against a hang; the time includes waiting for the unit and driver
# suites' locks when another run of them is in progress). Alone on the
# machine every check takes well under a minute.
#
# Usage: selftest-suites.sh [TOOL...]   (default: every broken tool)
# Ends with "N passed, N failed, N skipped". Needs the test kernel (and, for
# the debian checks, Debian's archive, as the debian suites do).

# shellcheck disable=SC2119 # report_summary's optional argument is a prefix
set -o nounset -o pipefail
TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=test/lib/report.sh
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

CDO_ASAN="$(broken_cdo_dir cdo-asan '#!/bin/sh
echo "==1==ERROR: AddressSanitizer: heap-buffer-overflow (broken for selftest-suites.sh)" >&2
exit 1')"

# broken_tool NAME TEXT: an executable $T/NAME that prints TEXT and exits 0.
broken_tool() {
	printf '#!/bin/sh\necho "%s"\nexit 0\n' "$2" >"$T/$1"
	chmod +x "$T/$1"
	echo "$T/$1"
}
KB_EXIT0="$(broken_tool kpatch-build-exit0 "kpatch-build (broken for selftest-suites.sh): exit 0, nothing built")"
# The kpatch command: silent, so that it passes `shellcheck -s sh`, `dash -n`.
KPATCH_EXIT0="$T/kpatch-exit0"
printf '#!/bin/sh\nexit 0\n' >"$KPATCH_EXIT0"
chmod +x "$KPATCH_EXIT0"
GUEST_EXIT0="$(broken_tool run-guest-exit0 "run-guest.sh (broken for selftest-suites.sh): no guest booted, exit 0")"

CHECK_TIMEOUT="${CHECK_TIMEOUT:-600}"
# The cdo suite's test files the cdo checks run (all of them take minutes).
CDO_TESTS="${CDO_TESTS:-t-basic}"
# must_fail WHAT LOG ENV=VALUE... -- COMMAND...: the suite run must exit
# non-zero with "N failed" (N >= 1) in its summary line.
must_fail() {
	local what="$1" log="$LOGS/$2.log" envs=() rc line t0=$SECONDS
	shift 2
	while [[ $1 != -- ]]; do envs+=("$1"); shift; done
	shift
	timeout "$CHECK_TIMEOUT" env "${envs[@]}" "$@" >"$log" 2>&1 </dev/null
	rc=$?
	line="$(grep -E '^([A-Za-z0-9_.-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)"
	if [[ $rc -eq 124 ]]; then
		fail "$what: did not fail within $CHECK_TIMEOUT s (a broken tool must fail fast; log $log)"
		tail -n 15 "$log" | sed 's/^/    | /'
	elif [[ $rc -ne 0 ]] && report_parse "$line" && [[ $R_FAIL -ge 1 ]]; then
		pass "$what: fails ($line; exit $rc; $((SECONDS - t0)) s)"
	else
		fail "$what: did not fail as it must (exit $rc, summary '${line:-none}'; log $log)"
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
}

ALL_TOOLS=(cdo-exit1 cdo-extra cdo-asan kb-exit0 kpatch-exit0 guest-exit0 canary-wrong)
tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=("${ALL_TOOLS[@]}")
# The unit and objs cases run in their own results directories (not the
# cached ones).
export UNIT_RESULTS="$T/unit-results" OBJS_RESULTS="$T/objs-results"
START=$SECONDS
for tool in "${tools[@]}"; do
	case $tool in
	cdo-exit1)
		must_fail "cdo suite with a create-diff-object that exits 1" cdo-exit1-cdo \
			BIN="$CDO_EXIT1" WORK="$T/cdo-work" CDO_TESTS="$CDO_TESTS" -- bash "$CDO_SRC/tests/run-tests.sh"
		must_fail "unit plain-function with a create-diff-object that exits 1" cdo-exit1-unit \
			CDO_DIR="$CDO_EXIT1" -- bash "$TOP/test/unit/run.sh" plain-function
		must_fail "unit-selftest with a create-diff-object that exits 1 (its correct case must pass)" \
			cdo-exit1-unit-selftest CDO_DIR="$CDO_EXIT1" -- bash "$TOP/test/unit/selftest.sh"
		must_fail "objs with a create-diff-object that exits 1" cdo-exit1-objs \
			CDO_DIR="$CDO_EXIT1" -- bash "$TOP/test/objs/run.sh"
		# (its deb test: one kpatch-build; the build test takes minutes)
		must_fail "driver deb with a create-diff-object that exits 1" cdo-exit1-driver \
			KPATCH_CDO="$CDO_EXIT1/create-diff-object" -- bash "$TOP/test/driver/run.sh" deb
		must_fail "integration cmdline-string with a create-diff-object that exits 1" cdo-exit1-integration \
			KPATCH_CDO="$CDO_EXIT1/create-diff-object" -- bash "$TOP/test/integration/run.sh" cmdline-string
		;;
	cdo-extra)
		must_fail "cdo suite with a create-diff-object that reports an extra function" cdo-extra-cdo \
			BIN="$CDO_EXTRA" WORK="$T/cdo-work" CDO_TESTS="$CDO_TESTS" -- bash "$CDO_SRC/tests/run-tests.sh"
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
		# (no guest boots: the modules it must add are missing)
		must_fail "kpatch-cmd --guest with a kpatch-build that always exits 0" kb-exit0-kpatch-cmd-guest \
			KPATCH_BUILD="$KB_EXIT0" -- bash "$TOP/test/kpatch-cmd/run.sh" --guest
		must_fail "sign-enforce with a kpatch-build that always exits 0" kb-exit0-sign-enforce \
			KPATCH_BUILD="$KB_EXIT0" -- bash "$TOP/test/qemu/sign-enforce.sh"
		# one patch, no guest boots: nothing is built
		if [[ ${KPATCH_DEBIAN:-1} == 0 ]]; then
			skip "debian checks with a kpatch-build that always exits 0: KPATCH_DEBIAN=0 (no Debian archive; the debian suites skip too)"
		else
			must_fail "debian cmdline-string with a kpatch-build that always exits 0" kb-exit0-debian \
				KPATCH_BUILD="$KB_EXIT0" -- bash "$TOP/test/debian/run.sh" --series 6.1 cmdline-string
			must_fail "debian-6.12 cmdline-string with a kpatch-build that always exits 0" kb-exit0-debian-6.12 \
				KPATCH_BUILD="$KB_EXIT0" -- bash "$TOP/test/debian/run.sh" --series 6.12 cmdline-string
		fi
		;;
	cdo-asan)
		must_fail "fuzz-mutate with a create-diff-object that reports an ASan error" cdo-asan-fuzz-mutate \
			-- bash "$CDO_SRC/fuzz/mutate.sh" -n 10 -b "$CDO_ASAN" -o "$T/mutate-failures" -k
		;;
	kpatch-exit0)
		must_fail "kpatch-cmd (host, dash) with a kpatch command that exits 0 and prints nothing" \
			kpatch-exit0-kpatch-cmd KPATCH_CMD="$KPATCH_EXIT0" -- bash "$TOP/test/kpatch-cmd/run.sh" --shell dash
		# (one warm build, one boot: the refusals it reports must fail)
		must_fail "sign-enforce with a kpatch command that exits 0 and prints nothing" \
			kpatch-exit0-sign-enforce KPATCH_CMD="$KPATCH_EXIT0" -- bash "$TOP/test/qemu/sign-enforce.sh"
		;;
	guest-exit0)
		must_fail "qemu-selftest with a run-guest.sh that ignores the guest and exits 0" guest-exit0-qemu-selftest \
			KPATCH_RUN_GUEST="$GUEST_EXIT0" -- bash "$TOP/test/qemu/selftest.sh"
		must_fail "canary with a run-guest.sh that ignores the guest and exits 0" guest-exit0-canary \
			KPATCH_RUN_GUEST="$GUEST_EXIT0" -- bash "$TOP/test/canary/run.sh"
		;;
	canary-wrong)
		must_fail "canary --positive expecting a string the sample never prints" canary-wrong \
			CANARY_EXPECT="selftest-suites: never printed" -- bash "$TOP/test/canary/run.sh" --positive
		;;
	*) fail "no broken tool '$tool' (${ALL_TOOLS[*]})" ;;
	esac
done
echo "# selftest-suites: $((SECONDS - START)) s for ${tools[*]}"
report_summary
