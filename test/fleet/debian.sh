#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debian.sh - kpatch-fleet against Debian's real archive (suite fleet-debian,
# --full): Debian's own security updates 6.1.192-1..6.1.192-3 as the fixes,
# over the cloud kernels 6.1.0-55, -56 and -57 (the kernels those versions
# built). The verdict matrix must be
#
#                     6.1.192-2 (ext4)   6.1.192-3 (nfsd)
#   6.1.0-55 (-1)     livepatched        livepatched
#   6.1.0-56 (-2)     already-applied    livepatched
#   6.1.0-57 (-3)     already-applied    already-applied   (no module)
#
# and each cumulative module, booted in its exact Debian kernel under qemu
# with that kernel's own modules, must load (the livepatch sysfs lists
# exactly the functions of the report), unload, and leave dmesg clean.
#
# Usage: test/fleet/debian.sh        (ends with "N passed, N failed, N skipped")
# When the archive no longer has one of these versions the suite skips
# (declared in test/expected-skips).

set -o nounset -o pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$DIR/../.." && pwd)"
CACHE="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
# shellcheck source=../lib/report.sh
. "$TOP/test/lib/report.sh"
# shellcheck source=../../kpatch-build/lib/debfetch.sh
. "$TOP/kpatch-build/lib/debfetch.sh"
# shellcheck source=../lib/debmods.sh
. "$TOP/test/lib/debmods.sh"
# shellcheck source=../lib/fleet-guest.sh
. "$TOP/test/lib/fleet-guest.sh"

UPDATES="6.1.192-1..6.1.192-3"
# KVER VERSION, in the archive's order
KERNELS=("6.1.0-55-cloud-amd64 6.1.192-1" "6.1.0-56-cloud-amd64 6.1.192-2" "6.1.0-57-cloud-amd64 6.1.192-3")
# the expected matrix: KVER:FIXVERSION=VERDICT
declare -A WANT=(
	[6.1.0-55-cloud-amd64:6.1.192-2]=livepatched [6.1.0-55-cloud-amd64:6.1.192-3]=livepatched
	[6.1.0-56-cloud-amd64:6.1.192-2]=already-applied [6.1.0-56-cloud-amd64:6.1.192-3]=livepatched
	[6.1.0-57-cloud-amd64:6.1.192-2]=already-applied [6.1.0-57-cloud-amd64:6.1.192-3]=already-applied
)
# the Debian modules the guest loads (the nfsd fix patches nfsd.ko)
GUEST_MODULES="nfsd ext4"
OUT="$CACHE/fleet-debian-test"

# in_archive: every piece of the three sets is still in apt's lists.
in_archive() {
	local k kver ver pkg
	for k in "${KERNELS[@]}"; do
		read -r kver ver <<<"$k"
		for pkg in linux-source-6.1 "linux-image-$kver-unsigned" "linux-image-$kver-dbg" "linux-headers-$kver"; do
			debfetch_versions "$pkg" | grep -qxF "$ver" || { echo "$pkg=$ver"; return 1; }
		done
	done
}

# report_lines REPORT: "KVER FIXVERSION VERDICT FUNC,FUNC" per kernel and
# fix, and "KVER module MODULE" per kernel (MODULE "-" when none).
report_lines() {
	python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
fixes = {f["id"]: f for f in r["fixes"]}
for k in r["kernels"]:
    print(k["release"], "module", k.get("module") or "-")
    for f in k["fixes"]:
        ver = fixes[f["id"]]["debian_version"]
        print(k["release"], ver, f["verdict"], ",".join(sorted(f.get("functions") or [])) or "-")
PY
}

# boot KVER VERSION MODULE FUNCS: the cumulative module in its kernel
# (test/lib/fleet-guest.sh).
boot() {
	local kver="$1" start=$SECONDS rc=0 lines
	# shellcheck disable=SC2086
	lines="$(fleet_guest_boot "$OUT" "$CACHE" "$@" $GUEST_MODULES)" || rc=$?
	echo "# $kver: guest ran in $((SECONDS - start)) s (exit $rc)"
	sed 's/^/    /' <<<"$lines"
	case $rc in
	0) pass "$kver: the cumulative module loads in $kver, lists exactly its functions ($4), unloads; dmesg clean" ;;
	125) fail "$kver: the guest's dmesg shows a kernel problem" ;;
	*) fail "$kver: guest checks failed (exit $rc)"; tail -n 15 "$OUT/$kver.guest.log" | sed 's/^/    | /' ;;
	esac
}

missing="$(in_archive)" || {
	skip "fleet-debian: $missing is no longer in the archive (apt-get update; the suite pins Debian's 6.1.192-1..-3 kernels)"
	report_summary
	exit 0
}

rm -rf "$OUT"
mkdir -p "$OUT"
args=(-o "$OUT/out" --debian-updates "$UPDATES" -j "$(nproc)")
for k in "${KERNELS[@]}"; do args+=(-a "${k%% *}"); done
start=$SECONDS
rc=0
KPATCH_FLEET_CACHE="$CACHE" "$TOP/kpatch-build/kpatch-fleet" "${args[@]}" >"$OUT/fleet.log" 2>&1 || rc=$?
echo "# kpatch-fleet ${args[*]}: exit $rc in $((SECONDS - start)) s"
grep '^kpatch-fleet: ' "$OUT/fleet.log" | sed 's/^/    /'
[[ $rc -eq 0 ]] && pass "kpatch-fleet exits 0" || { fail "kpatch-fleet exit $rc"; tail -n 20 "$OUT/fleet.log" | sed 's/^/    | /'; }
[[ -f "$OUT/out/report.json" ]] || { fail "no report.json"; report_summary; exit 1; }

declare -A GOT=() FUNCS=() MODULE=()
while read -r kver what verdict funcs; do
	if [[ "$what" == module ]]; then MODULE[$kver]="$verdict"; continue; fi
	GOT[$kver:$what]="$verdict"
	FUNCS[$kver:$what]="$funcs"
done < <(report_lines "$OUT/out/report.json")
for key in $(printf '%s\n' "${!WANT[@]}" | sort); do
	if [[ "${GOT[$key]:-none}" == "${WANT[$key]}" ]]; then
		pass "$key: ${WANT[$key]}${FUNCS[$key]:+ (${FUNCS[$key]})}"
	else
		fail "$key: ${GOT[$key]:-no verdict}, expected ${WANT[$key]}"
	fi
done
# The same fix changes the same functions on every kernel it livepatches.
for ver in 6.1.192-2 6.1.192-3; do
	list="$(for k in "${KERNELS[@]}"; do [[ "${GOT[${k%% *}:$ver]:-}" == livepatched ]] && echo "${FUNCS[${k%% *}:$ver]}"; done | sort -u)"
	if [[ -n "$list" && "$list" != "-" && $(wc -l <<<"$list") -eq 1 ]]; then
		pass "$ver: the same functions on every kernel it livepatches: $list"
	elif [[ -n "$list" ]]; then
		fail "$ver: function lists differ between kernels: $(tr '\n' ' ' <<<"$list")"
	fi
done
[[ "${MODULE[6.1.0-57-cloud-amd64]:-}" == - ]] && pass "6.1.0-57-cloud-amd64: no module (nothing to livepatch)" ||
	fail "6.1.0-57-cloud-amd64: module ${MODULE[6.1.0-57-cloud-amd64]:-?}"

for k in "${KERNELS[@]}"; do
	read -r kver ver <<<"$k"
	mod="${MODULE[$kver]:--}"
	[[ "$mod" == - ]] && continue
	boot "$kver" "$ver" "$OUT/out/$mod" "$(fleet_guest_funcs "$OUT/out/report.json" "$kver")"
done
report_summary
