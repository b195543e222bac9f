#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fleet.sh - kpatch-fleet benchmark (`make bench-fleet`; not a test): Debian's
# updates 6.1.192-1..6.1.192-3 (2 fixes) over the cloud kernels 6.1.0-55,
# -56 and -57, cold, then the same run with a third fix added
# (examples/cmdline.patch), which must reuse every kernel's objects.
#
# "Cold" means every kpatch-build cache is empty. Downloads are excluded:
# the .debs, the unpacked roots and sources and the update diffs are made
# first (a step timed on its own), and shared with ~/.cache/kpatch-lts.
# Goals (issue 15): cold <= 5 min on 2 cores, + a third fix <= 60 s.

set -o errexit -o nounset -o pipefail
TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
B="$(mktemp -d /tmp/kpatch-fleet-bench.XXXXXX)"
trap 'rm -rf "$B"' EXIT
mkdir -p "$CACHE/debian" "$CACHE/src" "$B/cache"
# Downloads and unpacked trees are shared; kpatch-build caches are not.
ln -s "$CACHE/debian" "$B/cache/debian"
ln -s "$CACHE/src" "$B/cache/src"
KERNELS=(-a 6.1.0-55-cloud-amd64 -a 6.1.0-56-cloud-amd64 -a 6.1.0-57-cloud-amd64)
FIXES=(--debian-updates 6.1.192-1..6.1.192-3)
FLEET="$TOP/kpatch-build/kpatch-fleet"

# fleet NAME ARGS...: one run into $B/NAME; its wall time on stdout.
fleet() {
	local name="$1" t0 rc=0
	shift
	t0=$EPOCHREALTIME
	KPATCH_FLEET_CACHE="$B/cache" "$FLEET" -o "$B/$name" -j "$(nproc)" "$@" >"$B/$name.log" 2>&1 || rc=$?
	[[ $rc -le 1 ]] || { tail -n 20 "$B/$name.log" >&2; echo "kpatch-fleet failed ($rc)" >&2; exit 1; }
	awk "BEGIN { printf \"%.1f\", ${EPOCHREALTIME/./} / 1e6 - ${t0/./} / 1e6 }"
}
# verdicts NAME: the verdict counts of a run.
verdicts() {
	jq -r '[.kernels[].fixes[].verdict] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$B/$1/report.json"
}

echo "== kpatch-fleet: 2 Debian updates x 3 kernels, then a third fix"
echo "downloads, roots, sources, update diffs (excluded): $(fleet fetch --plan "${FIXES[@]}" "${KERNELS[@]}") s (plan only)"
# --plan fetches no kernel; a run on an empty fix list is no run, so the
# roots are made here, as kpatch-fleet makes them.
# shellcheck source=../../kpatch-build/lib/debfetch.sh
. "$TOP/kpatch-build/lib/debfetch.sh"
t0=$SECONDS
for v in 6.1.192-1:55 6.1.192-2:56 6.1.192-3:57; do
	debfetch_root "6.1.0-${v#*:}-cloud-amd64" "${v%%:*}" "$CACHE/debian" >/dev/null
done
echo "roots: $((SECONDS - t0)) s"
cold="$(fleet cold "${FIXES[@]}" "${KERNELS[@]}")"
echo "cold, 2 fixes x 3 kernels:      $cold s   ($(verdicts cold))"
third="$(fleet third "${FIXES[@]}" "$TOP/examples/cmdline.patch" "${KERNELS[@]}")"
echo "warm, a third fix added:        $third s   ($(verdicts third))"
grep -h '^kpatch-fleet: ' "$B/third.log" | sed 's/^/    /'
