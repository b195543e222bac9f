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
run() {
	local t0 t1
	t0=$(date +%s.%N)
	CACHEDIR="$CD/cache" "$TOP/kpatch-build/kpatch-build" -s "$KSRC" -c "$KCONFIG" -v "$VMLINUX" \
		-n livepatch-bench -o "$OUT" "$TOP/examples/cmdline.patch" >"$CD/log" 2>&1 ||
		{ tail -n 20 "$CD/log"; echo "kpatch-build failed"; exit 1; }
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc
}
cold=$(run)
warm=$(run)
secs="$(cat "$(dirname "$KBUILD")/build-seconds" 2>/dev/null || echo '?')"
echo "test kernel full build (bzImage + modules, $(nproc) cores): $secs s"
echo "upstream kpatch-build, same config (measured by the team): 9m10s cold, 1m17s warm"
