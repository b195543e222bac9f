# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# debmods.sh - the modules of a Debian kernel a busybox guest needs, for
# test/qemu/run-guest.sh's MODDIR. Sourced by the Debian suites (test/debian,
# test/fleet/debian.sh).

# debmods_dir ROOT KVER GROOT MODULE...: Debian's own MODULEs of KVER from
# the unpacked ROOT (debfetch_root), with their dependencies and soft
# dependencies, uncompressed and depmod'ed under GROOT/lib/modules/KVER
# (made once per module list). Prints that directory; status 1 (and why on
# stderr) when none of the modules is there.
debmods_dir() {
	local root="$1" kver="$2" groot="$3" m f d key
	shift 3
	local moddir="$groot/lib/modules/$kver" queue=("$@")
	key="recipe 4 $*"
	if [[ "$(cat "$groot/.key" 2>/dev/null)" != "$key" ]]; then
		rm -rf "$groot"
		mkdir -p "$moddir"
		local -A seen=()
		while [[ ${#queue[@]} -gt 0 ]]; do
			m="${queue[0]}"
			queue=("${queue[@]:1}")
			[[ -n "${seen[$m]:-}" ]] && continue
			seen[$m]=1
			while IFS= read -r f; do
				[[ "$f" == "$root"/lib/modules/* ]] || continue	# built in, or not built
				d="$moddir/$(dirname "${f#"$root"/lib/modules/"$kver"/}")"
				mkdir -p "$d"
				case "$f" in
				*.xz) xz -dc "$f" >"$d/$(basename "$f" .xz)" ;;
				*) cp "$f" "$d/" ;;
				esac
				for d in $(modinfo -F depends "$f" | tr , ' ') \
					 $(modinfo -F softdep "$f" | tr ' ' '\n' | grep -v ':$'); do
					queue+=("$d")
				done
			done < <(modinfo -b "$root" -k "$kver" -F filename "$m" 2>/dev/null || true)
		done
		[[ -n "$(find "$moddir" -name '*.ko' -print -quit)" ]] ||
			{ echo "none of the modules $* found in $root/lib/modules/$kver (modules.dep?)" >&2; return 1; }
		cp "$root/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$moddir/" 2>/dev/null || true
		depmod -b "$groot" "$kver" || return 1
		echo "$key" >"$groot/.key"
	fi
	echo "$moddir"
}
