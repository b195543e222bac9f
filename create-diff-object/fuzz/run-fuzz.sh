#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-fuzz.sh - build and run the libFuzzer harnesses, one job at a time.
#
#   run-fuzz.sh [ELF_SECONDS [CDO_SECONDS]]     (defaults: 60 60)
#
# Corpora grow in corpus/elf and corpus/cdo (seeded from seeds/), new
# crashes land in artifacts/. Inputs hitting a crash already described in
# FINDINGS.md are skipped (FZ_SKIP_KNOWN=1; set FZ_SKIP_KNOWN=0 to see them).
#
# Checks (test/lib/report.sh): the harnesses build (clang); each harness
# run (fuzz-elf, fuzz-cdo) passes when it executed inputs and found no
# crash, timeout or out-of-memory input (its last status line says
# "oom/timeout/crash: 0/0/0" and no new file appeared in artifacts/).
# Ends with "N passed, N failed, N skipped"; exit 1 when a check failed.
# Without clang the run is one skip.

# shellcheck disable=SC2119 # report_summary's optional argument is a prefix
set -o nounset -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/lib/report.sh
. "$here/../../test/lib/report.sh"
cd "$here" || exit 1
elf_secs=${1:-60}
cdo_secs=${2:-60}
logs=$(mktemp -d /tmp/run-fuzz.XXXXXX)
trap 'rm -rf "$logs"' EXIT

if ! command -v clang >/dev/null; then
	skip "libFuzzer harnesses: clang is not installed (apt-get install clang)"
	report_summary
	exit 0
fi
if make -s >"$logs/make.log" 2>&1; then
	pass "build: out/fuzz-elf and out/fuzz-cdo (clang, libFuzzer, ASan/UBSan)"
else
	fail "build of the harnesses (make -C create-diff-object/fuzz)"
	tail -n 20 "$logs/make.log" | sed 's/^/    | /'
	report_summary
	exit 1
fi
mkdir -p corpus/elf corpus/cdo artifacts
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export FZ_SKIP_KNOWN=${FZ_SKIP_KNOWN:-1}
# -fork=1: one job, and the run goes on after a crash (all are saved);
# -handle_xfsz=0: fz_init() caps written files at 16 MiB (EFBIG, not a signal)
opts=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
      -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=512 -handle_xfsz=0 -print_final_stats=1)

# fuzz NAME SECONDS: run out/fuzz-NAME for SECONDS and check what it found.
fuzz() {
	local name="$1" secs="$2" log="$logs/fuzz-$1.log" rc last runs bad new
	find artifacts -type f | sort >"$logs/before"
	./out/fuzz-"$name" "${opts[@]}" -max_total_time="$secs" \
		-artifact_prefix="artifacts/$name-" "corpus/$name" seeds >"$log" 2>&1
	rc=$?
	new="$(find artifacts -type f | sort | comm -13 "$logs/before" - | tr '\n' ' ')"
	# fork mode's status lines: "#RUNS: cov: ... oom/timeout/crash: O/T/C time: ..."
	last="$(grep -E '^#[0-9]+: cov: .* oom/timeout/crash: [0-9]+/[0-9]+/[0-9]+' "$log" | tail -n1)"
	runs="$(sed -n 's/^#\([0-9]*\): .*/\1/p' <<<"$last")"
	bad="$(sed -n 's|.* oom/timeout/crash: \([0-9]*/[0-9]*/[0-9]*\).*|\1|p' <<<"$last")"
	if [[ $rc -ne 0 || -z $last ]]; then
		fail "fuzz-$name: the fuzzer exited $rc${last:+ }${last:-, with no status line}"
		tail -n 20 "$log" | sed 's/^/    | /'
	elif [[ ${runs:-0} -eq 0 ]]; then
		fail "fuzz-$name: ran no input in $secs s"
	elif [[ $bad != 0/0/0 || -n $new ]]; then
		fail "fuzz-$name: $runs inputs in $secs s, oom/timeout/crash $bad; new in artifacts/: ${new:-none} (see FINDINGS.md, FZ_VERBOSE=1)"
		grep -E 'ERROR: |SUMMARY: |runtime error' "$log" | head -n 10 | sed 's/^/    | /'
	else
		pass "fuzz-$name: $runs inputs in $secs s, no crash, timeout or out-of-memory input"
	fi
}

if [ "$elf_secs" -gt 0 ]; then
	fuzz elf "$elf_secs"
fi
if [ "$cdo_secs" -gt 0 ]; then
	FZ_CDO_ORIG=${FZ_CDO_ORIG:-seeds/tiny-a.o} fuzz cdo "$cdo_secs"
fi
report_summary
