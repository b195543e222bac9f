#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-all.sh - the project's test command (README, .ci/run, `make check`).
#
# Installs what is missing on a fresh Debian machine, builds the tools,
# builds (or reuses) the cached test kernels, and runs every suite of the
# table below. Every suite ends with "N passed, N failed, N skipped";
# run-all adds them up, names every skipped check and why, and fails a suite
# that exits non-zero, prints no summary, or ran nothing. Ends with one line
# "N passed, N failed, N skipped" and exits non-zero when anything failed.
#
# Usage: test/run-all.sh [--quick|--full] [--list] [SUITE...]
#   --quick   only the suites that need no test kernel (says which it leaves out)
#   --full    also the suites outside the default time budget (Debian's
#             generic 6.1 flavour)
#   --list    print the suite table and exit
#   SUITE     run only these suites (names as in --list)

set -o nounset -o pipefail

TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$TOP" || exit 1
# shellcheck source=lib/report.sh
. "$TOP/test/lib/report.sh"

# ------------------------------------------------------------ the suites
#
# suite NAME KERNEL COMMAND...: one line per suite, run in this order.
# KERNEL: "none" (needs no test kernel), "archive" (no test kernel, but
# Debian's kernel packages: fetched, so not in --quick), "kernel" (the
# default 6.1 test kernel) or "kernel=VER" (the VER test kernel: the suite
# and test/kernel/build-kernel.sh run with KPATCH_TEST_KERNEL=VER).
# The COMMAND's script must exist: a missing script fails the suite.
# full_suite NAME KERNEL COMMAND...: the same, but run only with --full
# (or when named): what does not fit the default run's time budget (about
# 60 minutes on a fresh 2-core machine, kernel builds included).
SUITE_NAMES=()
declare -A SUITE_KERNEL=() SUITE_CMD=() SUITE_FULL=()
suite() {
	local name="$1" kernel="$2"
	shift 2
	SUITE_NAMES+=("$name")
	SUITE_KERNEL[$name]="$kernel"
	SUITE_CMD[$name]="$(printf '%q ' "$@")"
}
full_suite() {
	suite "$@"
	SUITE_FULL[$1]=1
}
# beside NAME...: these suites run in a second lane, beside the test kernel
# builds and the other suites (KPATCH_RUNALL_LANES=1: one lane). They must
# need no test kernel and share no cache or lock with the other suites; the
# lane runs them in table order, and their results are reported with the
# others' in table order.
declare -A SUITE_BESIDE=()
beside() {
	local n
	for n in "$@"; do SUITE_BESIDE[$n]=1; done
}

default_suites() {
suite cdo               none    make -s -C create-diff-object check
suite fuzz-mutate       none    bash create-diff-object/fuzz/mutate.sh
suite objs              none    bash test/objs/run.sh
suite driver            none    bash test/driver/run.sh
suite kpatch-cmd        none    bash test/kpatch-cmd/run.sh
suite fleet             none    bash test/fleet/run.sh
suite runall-selftest   none    bash test/selftest-runall.sh
suite qemu-selftest     kernel  bash test/qemu/selftest.sh
suite canary            kernel  bash test/canary/run.sh
suite kpatch-cmd-guest  kernel  bash test/kpatch-cmd/run.sh --guest
# Signed livepatches under module.sig_enforce=1 (issue 16).
suite sign-enforce      kernel  bash test/qemu/sign-enforce.sh
suite unit-selftest     kernel  bash test/unit/selftest.sh
suite unit              kernel  bash test/unit/run.sh
suite integration       kernel  bash test/integration/run.sh
suite suites-selftest   kernel  bash test/selftest-suites.sh
# Linux 6.12 with IBT (issue 10) by default: Debian's own 6.12 cloud kernel
# (IBT, built by Debian: debian-6.12 below, no kernel build). The 6.12 test
# kernel (a 30-45 minute build on 2 cores) and its suites only with --full:
# the default tier's fresh-machine budget has room for one kernel build.
full_suite qemu-selftest-6.12    kernel=6.12  bash test/qemu/selftest.sh
full_suite canary-6.12           kernel=6.12  bash test/canary/run.sh
full_suite kpatch-cmd-guest-6.12 kernel=6.12  bash test/kpatch-cmd/run.sh --guest
full_suite unit-6.12             kernel=6.12  bash test/unit/run.sh
full_suite integration-6.12      kernel=6.12  bash test/integration/run.sh
# Debian's own kernels (test/debian/run.sh): the newest complete set of each
# series in the archive (image, -dbg, headers, linux-source of one version),
# kpatch-build -a KVER and the no-flag command line, a mismatched source
# refused, the .deb, Debian's vmlinuz and modules in qemu. A representative
# subset of the patches by default; every patch, an older set (what a new
# upload leaves behind) and the generic flavour with --full.
suite debian                archive  bash test/debian/run.sh --series 6.1
suite debian-6.12           archive  bash test/debian/run.sh --series 6.12
full_suite debian-all            archive  bash test/debian/run.sh --series 6.1 --all
full_suite debian-6.12-all       archive  bash test/debian/run.sh --series 6.12 --all
full_suite debian-pinned         archive  bash test/debian/run.sh --series 6.1 --debver 6.1.192-2
full_suite debian-generic        archive  bash test/debian/run.sh --series 6.1 --flavour amd64
# kpatch-fleet on Debian's real archive: its updates 6.1.192-1..-3 over the
# kernels 6.1.0-55..-57, the verdict matrix, each cumulative module booted.
full_suite fleet-debian          archive  bash test/fleet/debian.sh
# --full only: the packages in a real Debian 12 machine (mmdebstrap image,
# systemd, apt, Debian's 6.1 cloud kernel in qemu): apt install, reboot,
# cumulative upgrade, remove and purge, another kernel's package, a fleet
# repository (test/debian-guest/run.sh; the image is cached).
full_suite debian-guest          archive  bash test/debian-guest/run.sh
# --full only: libFuzzer (needs clang), the module template alone in qemu,
# the unit cases under valgrind and under ASan/UBSan.
full_suite fuzz-libfuzzer        none     bash create-diff-object/fuzz/run-fuzz.sh
full_suite kmod-template         kernel   bash test/driver/kmod-template-qemu.sh
full_suite unit-valgrind         kernel   bash test/unit/valgrind.sh
full_suite unit-sanitize         kernel   env UNIT_SANITIZE=1 bash test/unit/run.sh
# Beside the kernel builds and the kernel suites: the differ's own tests,
# the host-only command tests, and Debian's kernels (own caches, downloads).
beside cdo fuzz-mutate objs kpatch-cmd fleet debian debian-6.12 debian-all debian-6.12-all \
	debian-pinned debian-generic fleet-debian debian-guest fuzz-libfuzzer
}

# KPATCH_RUNALL_TABLE=FILE replaces the table above with FILE's suite lines
# (run-all's own self-test, test/selftest-runall.sh, runs fake suites).
if [[ -n ${KPATCH_RUNALL_TABLE:-} ]]; then
	# shellcheck disable=SC1090
	. "$KPATCH_RUNALL_TABLE" || { echo "run-all: cannot read $KPATCH_RUNALL_TABLE" >&2; exit 2; }
else
	default_suites
fi

# ------------------------------------------------------- expected skips
#
# test/expected-skips (KPATCH_RUNALL_SKIPS=FILE for another): every SKIP a
# suite may print, one line each: SUITE<TAB>ERE<TAB>why it is expected,
# where ERE matches the text after "SKIP " of the suite's SKIP line. An
# undeclared skip fails its suite; a declared skip that did not happen in a
# suite that ran is listed at the end (a test that now runs: drop its line).
SKIPS_FILE="${KPATCH_RUNALL_SKIPS:-$TOP/test/expected-skips}"
SKIP_SUITE=()
SKIP_RE=()
SKIP_WHY=()
declare -A SKIP_SEEN=()
if [[ -f $SKIPS_FILE ]]; then
	while IFS=$'\t' read -r s_suite s_re s_why; do
		[[ -z $s_suite || $s_suite == '#'* ]] && continue
		if [[ -z ${s_re:-} ]]; then
			echo "run-all: $SKIPS_FILE: line for '$s_suite' has no ERE (SUITE<TAB>ERE<TAB>why)" >&2
			exit 2
		fi
		SKIP_SUITE+=("$s_suite")
		SKIP_RE+=("$s_re")
		SKIP_WHY+=("${s_why:-}")
	done <"$SKIPS_FILE"
fi

# declared_skip SUITE TEXT: the index of the manifest line that declares
# this skip; status 1 when none does.
declared_skip() {
	local i
	for i in "${!SKIP_SUITE[@]}"; do
		[[ ${SKIP_SUITE[$i]} == "$1" ]] || continue
		if [[ $2 =~ ${SKIP_RE[$i]} ]]; then
			echo "$i"
			return 0
		fi
	done
	return 1
}

# --------------------------------------------------------------- options

LOGDIR="${KPATCH_TEST_LOGDIR:-$TOP/test/logs}"
QUICK=0
FULL=0
ONLY=()
for a in "$@"; do
	case "$a" in
	--quick) QUICK=1 ;;
	--full) FULL=1 ;;
	--list)
		for n in "${SUITE_NAMES[@]}"; do
			printf '%-22s %-12s %-5s %s\n' "$n" "${SUITE_KERNEL[$n]}" "${SUITE_FULL[$n]:+full}" "${SUITE_CMD[$n]}"
		done
		exit 0 ;;
	-h|--help) sed -n '4,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run-all: unknown option '$a'" >&2; exit 2 ;;
	*)
		[[ -n ${SUITE_KERNEL[$a]:-} ]] || { echo "run-all: no suite '$a' (see --list)" >&2; exit 2; }
		ONLY+=("$a") ;;
	esac
done
mkdir -p "$LOGDIR"

# kernel_version KERNEL: "" for the default test kernel, else VER.
kernel_version() { [[ $1 == kernel=* ]] && echo "${1#kernel=}"; return 0; }
# with_kernel VER COMMAND...: run COMMAND for the VER test kernel (the
# default one when VER is empty).
with_kernel() {
	local ver="$1"
	shift
	if [[ -n $ver ]]; then KPATCH_TEST_KERNEL="$ver" "$@"; else "$@"; fi
}

# The suites to run, and those left out (with why).
RUN=()
LEFT_OUT=()
for n in "${SUITE_NAMES[@]}"; do
	if [[ ${#ONLY[@]} -gt 0 && " ${ONLY[*]} " != *" $n "* ]]; then continue; fi
	if [[ $QUICK -eq 1 && ${SUITE_KERNEL[$n]} == archive ]]; then
		LEFT_OUT+=("$n (--quick: fetches and boots Debian's kernel)")
		continue
	fi
	if [[ $QUICK -eq 1 && ${SUITE_KERNEL[$n]} != none ]]; then
		LEFT_OUT+=("$n (--quick: needs the ${SUITE_KERNEL[$n]#kernel=} test kernel)")
		continue
	fi
	if [[ $FULL -eq 0 && ${#ONLY[@]} -eq 0 && -n ${SUITE_FULL[$n]:-} ]]; then
		LEFT_OUT+=("$n (only with --full: outside the default run's time budget)")
		continue
	fi
	RUN+=("$n")
done
if [[ ${#LEFT_OUT[@]} -gt 0 ]]; then
	echo "=== left out: ${#LEFT_OUT[@]} suites:"
	printf '    %s\n' "${LEFT_OUT[@]}"
fi

START=$SECONDS
SUMMARY=()
SKIPPED=()
FAILED_SUITES=()

# setup_failed WHAT: a failure before the suites can run.
setup_failed() {
	fail "setup: $1"
	SUMMARY+=("$(printf '%-18s FAILED: %s' setup "$1")")
}

echo "=== setup: packages and tools"
if ! bash test/kernel/install-deps.sh; then
	setup_failed "test/kernel/install-deps.sh failed"
	report_summary
	exit 1
fi
if ! make -s -C create-diff-object >"$LOGDIR/build.log" 2>&1; then
	tail -n 30 "$LOGDIR/build.log"
	setup_failed "make -C create-diff-object failed (log: $LOGDIR/build.log)"
	report_summary
	exit 1
fi

# exec_suite NAME: run one suite's command into LOGDIR/NAME.log and write
# "STATUS SECONDS" to LOGDIR/NAME.status (either lane).
exec_suite() {
	local name="$1" k="${SUITE_KERNEL[$1]}" log="$LOGDIR/$1.log" rc t0=$SECONDS
	local -a cmd
	eval "cmd=(${SUITE_CMD[$name]})"
	# A suite whose script is missing fails (it is not "nothing to do").
	if [[ ${cmd[0]} == bash && ! -f ${cmd[1]} ]]; then
		echo "missing test script ${cmd[1]}" >"$log"
		rc=1
	else
		with_kernel "$(kernel_version "$k")" "${cmd[@]}" >"$log" 2>&1 </dev/null
		rc=$?
	fi
	echo "$rc $((SECONDS - t0))" >"$LOGDIR/$name.status"
}

# account_suite NAME: check and add up the counts of a suite that ran.
account_suite() {
	local name="$1" log="$LOGDIR/$1.log" rc secs line p f s why="" lane=""
	local -a cmd
	eval "cmd=(${SUITE_CMD[$name]})"
	[[ -n ${SUITE_BESIDE[$name]:-} && $LANES -eq 2 ]] && lane=", ran beside the others"
	echo "=== suite $name: ${cmd[*]} (log: $log$lane)"
	read -r rc secs <"$LOGDIR/$name.status" 2>/dev/null || { rc=1 secs=0 why="it did not finish (no $LOGDIR/$name.status)"; }
	grep -E '^(PASS|FAIL|SKIP)' "$log" | sed 's/^/    /'
	line="$(grep -E '^([A-Za-z0-9_.-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)"
	if report_parse "$line"; then
		p=$R_PASS f=$R_FAIL s=$R_SKIP
	else
		p=0 f=0 s=0 why="${why:-no 'N passed, N failed, N skipped' line}"
	fi
	# The summary must agree with the suite's own lines: no more FAIL lines
	# than failed checks, no more skipped checks than SKIP lines (a skip
	# without its line could not be declared).
	local nfail nskip
	nfail="$(grep -c '^FAIL' "$log")"
	nskip="$(grep -c '^SKIP' "$log")"
	if [[ -z $why && $nfail -gt $f ]]; then why="its summary says $f failed, but it printed $nfail FAIL lines"; fi
	if [[ -z $why && $s -gt $nskip ]]; then
		why="its summary says $s skipped, but it printed $nskip SKIP lines"
		s=$nskip
	fi
	if [[ -z $why && $rc -ne 0 && $f -eq 0 ]]; then why="exit status $rc with no failed check"; fi
	if [[ -z $why && $p -eq 0 && $f -eq 0 && $s -eq 0 ]]; then why="it ran nothing (0 passed, 0 failed, 0 skipped)"; fi
	if [[ -z $why && $rc -eq 0 && $f -gt 0 ]]; then why="exit status 0 with $f failed checks"; fi
	if [[ -n $why ]]; then
		f=$((f + 1))
		echo "    FAIL $name: $why"
	fi
	local idx undeclared=0
	while IFS= read -r line; do
		line="${line#SKIP }"
		if idx="$(declared_skip "$name" "$line")"; then
			SKIP_SEEN[$idx]=1
			SKIPPED+=("$name: $line")
		else
			undeclared=$((undeclared + 1))
			echo "    FAIL $name: undeclared skip (add it to $SKIPS_FILE with its reason, or make it run): $line"
		fi
	done < <(grep '^SKIP' "$log")
	if [[ $undeclared -gt 0 ]]; then
		# each undeclared skip counts as a failed check, not a skipped one
		f=$((f + undeclared))
		s=$((s > undeclared ? s - undeclared : 0))
		why="${why:+$why; }$undeclared undeclared skips"
	fi
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	SKIP=$((SKIP + s))
	if [[ $f -gt 0 ]]; then
		FAILED_SUITES+=("$name")
		tail -n 25 "$log" | sed 's/^/    | /'
	fi
	SUMMARY_OF[$name]="$(printf '%-18s %5d passed %4d failed %4d skipped %6d s%s' "$name" "$p" "$f" "$s" \
		"$secs" "${why:+  ($why)}")"
}

# run_suite NAME: a suite of the main lane: its kernel must be ready.
run_suite() {
	local name="$1" k="${SUITE_KERNEL[$1]}"
	if [[ $k != none && $k != archive && ${KERNEL_OK[$k]} != yes ]]; then
		echo "=== suite $name: not run"
		fail "$name: not run: its test kernel could not be built"
		FAILED_SUITES+=("$name")
		SUMMARY_OF[$name]="$(printf '%-18s FAILED: no test kernel' "$name")"
		return
	fi
	exec_suite "$name"
	account_suite "$name"
}

# The second lane: the selected "beside" suites, one after the other, in
# the background from here on (beside the kernel builds); run-all reports
# them after the main lane, in table order.
LANES="${KPATCH_RUNALL_LANES:-2}"
[[ $LANES == 1 || $LANES == 2 ]] || { echo "run-all: KPATCH_RUNALL_LANES must be 1 or 2" >&2; exit 2; }
declare -A SUMMARY_OF=()
BESIDE_NAMES=""
BESIDE_PID=""
if [[ $LANES -eq 2 ]]; then
	for n in "${RUN[@]}"; do
		[[ -n ${SUITE_BESIDE[$n]:-} ]] && BESIDE_NAMES+="${BESIDE_NAMES:+ }$n"
	done
	if [[ -n $BESIDE_NAMES ]]; then
		for n in $BESIDE_NAMES; do rm -f "$LOGDIR/$n.status"; done
		echo "=== beside the kernel builds and the other suites: $BESIDE_NAMES"
		( for n in $BESIDE_NAMES; do exec_suite "$n"; done ) </dev/null &
		BESIDE_PID=$!
	fi
fi

# The test kernels the selected suites need, each built (or reused) once.
declare -A KERNEL_OK=()
for n in "${RUN[@]}"; do
	k="${SUITE_KERNEL[$n]}"
	[[ $k == none || $k == archive || -n ${KERNEL_OK[$k]:-} ]] && continue
	ver="$(kernel_version "$k")"
	echo "=== test kernel ${ver:-6.1 (default)} (a first build takes 15-30 minutes on 2 cores)"
	t0=$SECONDS
	if with_kernel "$ver" bash test/kernel/build-kernel.sh >"$LOGDIR/kernel${ver:+-$ver}.log" 2>&1; then
		KERNEL_OK[$k]=yes
		SUMMARY+=("$(printf '%-18s ready %31d s' "kernel ${ver:-6.1}" $((SECONDS - t0)))")
	else
		KERNEL_OK[$k]=no
		tail -n 20 "$LOGDIR/kernel${ver:+-$ver}.log" | sed 's/^/    | /'
		setup_failed "test kernel ${ver:-6.1}: test/kernel/build-kernel.sh failed (log: $LOGDIR/kernel${ver:+-$ver}.log)"
	fi
done

for n in "${RUN[@]}"; do
	[[ $LANES -eq 2 && -n ${SUITE_BESIDE[$n]:-} ]] && continue
	run_suite "$n"
done
if [[ -n $BESIDE_PID ]]; then
	echo "=== waiting for the suites beside ($BESIDE_NAMES)"
	wait "$BESIDE_PID"
	for n in $BESIDE_NAMES; do account_suite "$n"; done
fi
for n in "${RUN[@]}"; do
	[[ -n ${SUMMARY_OF[$n]:-} ]] && SUMMARY+=("${SUMMARY_OF[$n]}")
done

echo "=== summary: $((SECONDS - START)) s in all, setup and test kernels included"
printf '    %s\n' "${SUMMARY[@]}"
if [[ ${#SKIPPED[@]} -gt 0 ]]; then
	echo "=== ${#SKIPPED[@]} skipped checks (did not run):"
	printf '    %s\n' "${SKIPPED[@]}"
fi
# Declared skips that did not happen, in the suites that ran.
NOT_SEEN=()
for i in "${!SKIP_SUITE[@]}"; do
	[[ " ${RUN[*]} " == *" ${SKIP_SUITE[$i]} "* && -z ${SKIP_SEEN[$i]:-} ]] || continue
	NOT_SEEN+=("${SKIP_SUITE[$i]}: /${SKIP_RE[$i]}/ (${SKIP_WHY[$i]:-no reason given})")
done
if [[ ${#NOT_SEEN[@]} -gt 0 ]]; then
	echo "=== ${#NOT_SEEN[@]} declared skips did not happen (the check ran; drop its line from $SKIPS_FILE):"
	printf '    %s\n' "${NOT_SEEN[@]}"
fi
if [[ ${#LEFT_OUT[@]} -gt 0 ]]; then
	echo "=== suites left out (--quick, or --full only): ${LEFT_OUT[*]%% (*}"
fi
if [[ ${#FAILED_SUITES[@]} -gt 0 ]]; then
	echo "=== failed suites: ${FAILED_SUITES[*]}"
fi
report_summary
