# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# fleet-guest.sh - boot a kpatch-fleet cumulative module in its exact Debian
# kernel (busybox guest, test/qemu/run-guest.sh, with that kernel's own
# modules) and check it: loads, the livepatch sysfs lists exactly the
# expected functions, every object patched, unloads; dmesg clean.
# Sourced by test/fleet/debian.sh and test/bench/fleet-stable.sh; needs
# TOP, and debfetch.sh and debmods.sh sourced.

# fleet_guest_funcs REPORT KVER: the sorted, space-separated functions the
# livepatched fixes of KVER change (the "changed function:" lines of their
# reason; new functions are not patched, so sysfs does not list them).
fleet_guest_funcs() {
	jq -r --arg k "$2" '.kernels[] | select(.release == $k) | .fixes[] |
		select(.verdict == "livepatched") | .reason' "$1" |
		grep -oE 'changed function: [A-Za-z0-9_.]+' | sed 's/^changed function: //' |
		LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//'
}

# fleet_guest_boot WORK CACHE KVER VERSION KO FUNCS MODULE...: boot KVER (at
# Debian VERSION, from debfetch_root under CACHE/debian) with KO (the
# module livepatch-fleet) and Debian's MODULEs loaded first; FUNCS the
# expected function names, sorted, space-separated. Guest files and log in
# WORK. Prints the guest's check lines; status 0 when all 8+N checks pass
# (N = the modules) and the guest exited 0, 125 for a dmesg problem.
fleet_guest_boot() {
	local work="$1" cache="$2" kver="$3" ver="$4" ko="$5" funcs="$6" root moddir envf guest log rc=0 m n
	shift 6
	root="$(debfetch_root "$kver" "$ver" "$cache/debian" 2>"$work/$kver.root.log")" ||
		{ echo "fleet_guest_boot: no Debian root for $kver $ver: $(tail -n 1 "$work/$kver.root.log")"; return 1; }
	moddir="$(debmods_dir "$root" "$kver" "$cache/debian/guest/fleet-${kver}_$ver" "$@")" || return 1
	envf="$work/$kver.guest.env"
	guest="$work/$kver.guest.sh"
	log="$work/$kver.guest.log"
	printf 'KVER=%q\nBZIMAGE=%q\nMODDIR=%q\n' "$kver" "$root/boot/vmlinuz-$kver" "$moddir" >"$envf"
	{
		echo '. /lib/guest-lib.sh'
		echo 'P=/sys/kernel/livepatch/livepatch_fleet'
		echo "funcs() { ls -d \$P/*/*,* 2>/dev/null | sed 's|.*/||; s|,.*||' | sort -u | tr '\\n' ' '; }"
		echo "check \"kernel is $kver\" [ \"\$(uname -r)\" = \"$kver\" ]"
		for m in "$@"; do echo "check \"$m loads\" modprobe $m"; done
		echo 'check "module loads" klp_load /root/livepatch-fleet.ko'
		echo 'check "enabled" [ "$(cat $P/enabled)" = 1 ]'
		echo 'echo "guest: functions: $(funcs)"'
		echo "check \"sysfs lists exactly the report's $(wc -w <<<"$funcs") functions\" [ \"\$(funcs)\" = \"$funcs \" ]"
		echo "check \"every object patched\" sh -c 'for o in /sys/kernel/livepatch/livepatch_fleet/*/patched; do [ \"\$(cat \$o)\" = 1 ] || exit 1; done'"
		echo 'check "module unloads" klp_unload livepatch_fleet'
		echo 'check "gone from sysfs" [ ! -e $P ]'
		echo 'exit $GUEST_FAILS'
	} >"$guest"
	bash "$TOP/test/qemu/run-guest.sh" --kernel-env "$envf" --timeout 900 \
		--add "$ko:/root/livepatch-fleet.ko" "$guest" >"$log" 2>&1 || rc=$?
	grep -E '^(GUEST-(PASS|FAIL)|guest: functions|run-guest: FAIL)' "$log"
	n=$((7 + $#))
	[[ $rc -ne 0 ]] && return "$rc"
	[[ "$(grep -c '^GUEST-PASS: ' "$log")" -eq $n && "$(grep -c '^GUEST-FAIL: ' "$log")" -eq 0 ]]
}
