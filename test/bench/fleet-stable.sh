#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fleet-stable.sh - kpatch-fleet on a whole stable update (a benchmark, not
# a test; `make bench-fleet-stable`): Debian's update 6.1.190-1 -> 6.1.192-1
# split into one fix per changed .c file, over the cloud kernel 6.1.0-54
# (built from 6.1.190-1). Prints the verdict counts, every `error` with its
# reason, the wall time, and boots the cumulative module of every
# livepatched file in 6.1.0-54 under qemu (loads, sysfs lists exactly the
# changed functions, unloads, dmesg clean).
#
# Usage: test/bench/fleet-stable.sh [-o DIR] [--limit N] [-J N]
#   -o DIR     keep the run in DIR (default: a temporary directory, removed)
#   --limit N  only the first N .c files (a quicker sample)
#   -J N       kpatch-fleet's parallel kernels (one kernel here: unused)

set -o errexit -o nounset -o pipefail
TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
# shellcheck source=../../kpatch-build/lib/debfetch.sh
. "$TOP/kpatch-build/lib/debfetch.sh"
# shellcheck source=../lib/debmods.sh
. "$TOP/test/lib/debmods.sh"
# shellcheck source=../lib/fleet-guest.sh
. "$TOP/test/lib/fleet-guest.sh"

FROM=6.1.190-1
TO=6.1.192-1
KVER=6.1.0-54-cloud-amd64
B=""
LIMIT=0
while [[ $# -gt 0 ]]; do
	case "$1" in
	-o) B="$2"; shift ;;
	--limit) LIMIT="$2"; shift ;;
	*) echo "fleet-stable.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
if [[ -z "$B" ]]; then
	B="$(mktemp -d /tmp/kpatch-fleet-stable.XXXXXX)"
	trap 'rm -rf "$B"' EXIT
fi
mkdir -p "$B"
FLEET=(env KPATCH_FLEET_CACHE="$CACHE" "$TOP/kpatch-build/kpatch-fleet")

# split_by_file PATCH DIR: one patch per changed .c file of PATCH into DIR
# (NNN-path.patch) and DIR/series; prints the counts of .c files and of
# the other files left out.
split_by_file() {
	awk -v dir="$2" '
		function flush(  base, name) {
			if (file != "" && file ~ /\.c$/) {
				n++; base = file; gsub(/\//, "_", base)
				name = sprintf("%s/%03d-%s.patch", dir, n, base)
				printf "%s", body > name; close(name)
				print name > (dir "/series.abs")
			} else if (file != "") other++
		}
		/^diff -uN / { flush(); file = $3; sub(/^a\//, "", file); body = ""; }
		{ body = body $0 "\n" }
		END { flush(); printf "%d %d\n", n, other }
	' "$1"
}

t0=$SECONDS
echo "== kpatch-fleet: Debian's $FROM -> $TO, one fix per changed .c file, over $KVER"
"${FLEET[@]}" --plan --debian-updates "$FROM..$TO" -a "$KVER" >"$B/plan.log" 2>&1 ||
	{ tail -n 20 "$B/plan.log"; exit 1; }
whole="$CACHE/debian/fleet/$FROM..$TO.patch"
[[ -s "$whole" ]] || { echo "no update diff at $whole" >&2; exit 1; }
mkdir -p "$B/fixes"
read -r nc nother < <(split_by_file "$whole" "$B/fixes")
echo "update diff: $(grep -c '^diff -uN ' "$whole") files ($nc .c files as fixes, $nother others left out: headers, Makefiles, docs), made in $((SECONDS - t0)) s"
sed 's|.*/||' "$B/fixes/series.abs" >"$B/fixes/series"
[[ $LIMIT -gt 0 ]] && { head -n "$LIMIT" "$B/fixes/series" >"$B/fixes/series.tmp"; mv "$B/fixes/series.tmp" "$B/fixes/series"; }
echo "fixes: $(wc -l <"$B/fixes/series")"

t1=$SECONDS
rc=0
"${FLEET[@]}" -o "$B/out" -a "$KVER" -j "$(nproc)" "$B/fixes/series" >"$B/fleet.log" 2>&1 || rc=$?
echo "kpatch-fleet: exit $rc in $((SECONDS - t1)) s"
[[ -f "$B/out/report.json" ]] || { tail -n 30 "$B/fleet.log"; exit 1; }
echo "verdicts: $(jq -r '[.kernels[].fixes[].verdict] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$B/out/report.json")"
echo "seconds per fix (kpatch-build): $(jq -r '[.kernels[].fixes[].seconds] | "min \(min), median \(sort | .[length / 2 | floor]), max \(max), sum \(add)"' "$B/out/report.json")"
echo "errors and refusals:"
jq -r '.kernels[].fixes[] | select(.verdict == "error" or .verdict == "refused") |
	"  \(.name): \(.verdict): \(.reason | split("\n") | map(select(test("error|ERROR|refused|unsupported"))) | .[0:2] | join(" / "))"' \
	"$B/out/report.json"
grep -c 'Segmentation\|core dumped\|internal error\|Aborted' "$B"/out/kernels/*/*.log | awk -F: '{ s += $2 } END { print "crashes or internal errors in the logs: " s + 0 }'
mod="$(jq -r --arg k "$KVER" '.kernels[] | select(.release == $k) | .module // empty' "$B/out/report.json")"
if [[ -n "$mod" ]]; then
	funcs="$(fleet_guest_funcs "$B/out/report.json" "$KVER")"
	mods="$(readelf -SW "$B/out/$mod" | grep -oE '\.klp\.rela\.[a-z0-9_]+\.' | sed 's/^\.klp\.rela\.//; s/\.$//' | grep -vx vmlinux | sort -u | tr '\n' ' ')"
	echo "cumulative module: $mod ($(wc -w <<<"$funcs") changed functions; modules it patches: ${mods:-none})"
	t2=$SECONDS
	grc=0
	# shellcheck disable=SC2086
	fleet_guest_boot "$B" "$CACHE" "$KVER" "$FROM" "$B/out/$mod" "$funcs" $mods | sed 's/^/    /' || grc=$?
	echo "guest: exit $grc in $((SECONDS - t2)) s ($([[ $grc -eq 0 ]] && echo 'loads, lists exactly its functions, unloads; dmesg clean' || echo FAILED))"
fi
echo "total: $((SECONDS - t0)) s"
