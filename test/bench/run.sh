#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - benchmarks (`make bench`): not tests, nothing here fails on time.
#   1. create-diff-object time and peak RSS on the test kernel's largest
#      objects against a one-line change (test/unit/bench.sh);
#   2. kpatch-build cold (empty CACHEDIR) and warm (second run) times for
#      examples/cmdline.patch, with the test kernel's full build time for scale.

set -o errexit -o nounset -o pipefail
TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
eval "$(bash "$TOP/test/kernel/build-kernel.sh" --print-env)"

echo "== create-diff-object on large objects"
if [[ -f "$TOP/test/unit/bench.sh" ]]; then
	bash "$TOP/test/unit/bench.sh"
else
	echo "(test/unit/bench.sh missing)"
fi

echo
echo "== kpatch-build examples/cmdline.patch"
CD="$(mktemp -d /tmp/kpatch-bench.XXXXXX)"
OUT="$CD/out"
mkdir -p "$OUT"
trap 'rm -rf "$CD"' EXIT
# run NAME: one kpatch-build of the example with --timings; its stage
# times in $CD/NAME.log, its wall time on stdout.
run() {
	local t0 t1
	t0=$(date +%s.%N)
	CACHEDIR="$CD/cache" "$TOP/kpatch-build/kpatch-build" --timings -s "$KSRC" -c "$KCONFIG" -v "$VMLINUX" \
		-n livepatch-bench -o "$OUT" "$TOP/examples/cmdline.patch" >"$CD/$1.log" 2>&1 ||
		{ tail -n 20 "$CD/$1.log" >&2; echo "kpatch-build failed" >&2; exit 1; }
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc
}
cold=$(run cold)
warm=$(run warm)
echo "cold (empty CACHEDIR): $cold s"
echo "warm (run again):      $warm s"
echo "warm run, per stage:"
sed -n 's/^timing: /    /p' "$CD/warm.log"
# The fixed cost: everything but compiling the patched object and
# building the module (what every fleet kernel x fix pays on top).
awk '/^timing: / { t[$2] = $3 } END {
	printf "warm fixed cost (total - build_patched - build_module): %.2f s\n",
		t["total"] - t["build_patched"] - t["build_module"] }' "$CD/warm.log"
secs="$(cat "$(dirname "$KBUILD")/build-seconds" 2>/dev/null || echo '?')"
echo "test kernel full build (bzImage + modules, $(nproc) cores): $secs s"
echo "upstream kpatch-build, same config (measured by the team): 9m10s cold, 1m17s warm"
