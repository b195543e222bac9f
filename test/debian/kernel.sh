#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh - install one of Debian's own kernels for the tests and prepare
# it for qemu (test/qemu/run-guest.sh --kernel-env).
#
# Usage: kernel.sh KVER [--print-env] [--modules "NAME..."]
#        kernel.sh --find FLAVOUR X.Y     (e.g. --find cloud-amd64 6.1)
#   --find       print the release (KVER) of the FLAVOUR kernel whose version
#                is the installed linux-source-X.Y's (exit 2: none)
#   KVER         a Debian kernel release: 6.1.0-57-cloud-amd64, 6.1.0-57-amd64,
#                6.12.117+deb12-cloud-amd64, ...
#   --modules    modules the guest needs besides their dependencies
#                (default: loop dummy xfs ext2 minix)
#   --print-env  print only the shell assignments below
#
# The image (unsigned), its -dbg and headers packages are installed with apt
# at exactly the version of the installed linux-source-X.Y (the kernel must
# have been built from that source): apt-get install PKG=VERSION. The .debs
# are cached under $KPATCH_TEST_CACHE/debian/VERSION (apt's archive dir), so
# a second machine setup downloads nothing. When no such version exists
# (another ABI), it says which versions apt has and fails.
#
# Prints: KVER, DEBVER (Debian version), BZIMAGE (/boot/vmlinuz-KVER),
# MODDIR (a trimmed /lib/modules/KVER for the initramfs: the asked modules,
# their dependencies, depmod run on them), ENVFILE (those, for run-guest.sh).
# Exit status: 0 ready, 1 failed, 2 not available here (the caller skips).

set -o errexit -o nounset -o pipefail

CACHE="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
KVER=""
PRINT_ENV=0
MODULES="loop dummy xfs ext2 minix"
while [[ $# -gt 0 ]]; do
	case "$1" in
	--print-env) PRINT_ENV=1 ;;
	--modules) MODULES="$2"; shift ;;
	--find) FIND_FLAVOUR="$2"; FIND_XY="$3"; shift 2 ;;
	-h|--help) sed -n '4,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "kernel.sh: unknown option '$1'" >&2; exit 1 ;;
	*) KVER="$1" ;;
	esac
	shift
done

say() { [[ $PRINT_ENV -eq 1 ]] || echo "debian-kernel: $*" >&2; }
die() { echo "debian-kernel: error: $*" >&2; exit "${2:-1}"; }

installed_version() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null | sed -n 's/^ii *//p'
}

# The FLAVOUR kernel built from the installed linux-source-X.Y: its image
# package must exist in apt at that very version (newest ABI first).
if [[ -n "${FIND_FLAVOUR:-}" ]]; then
	v="$(installed_version "linux-source-$FIND_XY")"
	[[ -n "$v" ]] || v="$(apt-cache policy "linux-source-$FIND_XY" 2>/dev/null | sed -n 's/^ *Candidate: //p')"
	[[ -n "$v" && "$v" != "(none)" ]] || die "no linux-source-$FIND_XY in apt" 2
	re="^linux-image-(${FIND_XY//./\\.}\\.[0-9]+(-[0-9]+|\\+deb[0-9]+))-$FIND_FLAVOUR-unsigned\$"
	for p in $(apt-cache pkgnames "linux-image-$FIND_XY." | grep -E "$re" | sort -rV); do
		if apt-cache show "$p=$v" >/dev/null 2>&1; then
			p="${p#linux-image-}"
			echo "${p%-unsigned}"
			exit 0
		fi
	done
	die "no linux-image-*-$FIND_FLAVOUR-unsigned of version $v (linux-source-$FIND_XY's) in apt" 2
fi
[[ -n "$KVER" ]] || { echo "kernel.sh: which kernel? (e.g. 6.1.0-57-cloud-amd64)" >&2; exit 1; }

XY="$(sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p' <<<"$KVER")"
SRCPKG="linux-source-$XY"
DEBVER="$(installed_version "$SRCPKG")"
if [[ -z "$DEBVER" ]]; then
	say "installing $SRCPKG"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$SRCPKG" >&2 ||
		die "$SRCPKG cannot be installed (apt-get update?)" 2
	DEBVER="$(installed_version "$SRCPKG")"
fi

PKGS=("linux-image-$KVER-unsigned" "linux-image-$KVER-dbg" "linux-headers-$KVER")
want=()
for p in "${PKGS[@]}"; do
	[[ "$(installed_version "$p")" == "$DEBVER" ]] || want+=("$p=$DEBVER")
done
# A signed image of the same version also does (it is the same kernel).
if [[ "$(installed_version "linux-image-$KVER")" == "$DEBVER" ]]; then
	want=("${want[@]/linux-image-$KVER-unsigned=$DEBVER}")
fi
mapfile -t want < <(printf '%s\n' "${want[@]}" | sed '/^$/d')
if [[ ${#want[@]} -gt 0 ]]; then
	if ! apt-cache show "linux-image-$KVER-unsigned=$DEBVER" >/dev/null 2>&1; then
		have="$(apt-cache madison "linux-image-$KVER-unsigned" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | paste -sd' ')"
		die "apt has no linux-image-$KVER-unsigned $DEBVER (the version of $SRCPKG); it has: ${have:-none}. Pick the ABI whose version is $DEBVER." 2
	fi
	archives="$CACHE/debian/$DEBVER"
	mkdir -p "$archives/partial"
	say "installing ${want[*]} (cached in $archives)"
	start=$SECONDS
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-o Dir::Cache::archives="$archives" "${want[@]}" >"$archives/apt-$KVER.log" 2>&1 ||
		{ tail -n 20 "$archives/apt-$KVER.log" >&2; die "apt-get install ${want[*]} failed (log: $archives/apt-$KVER.log)"; }
	say "installed in $((SECONDS - start)) s"
fi
BZIMAGE="/boot/vmlinuz-$KVER"
[[ -f "$BZIMAGE" ]] || die "$BZIMAGE is missing after installing linux-image-$KVER-unsigned"

# The guest's modules: the asked ones and what they depend on, depmod'ed.
GROOT="$CACHE/debian/guest/$KVER"
MODDIR="$GROOT/lib/modules/$KVER"
mkey="$(echo "recipe 2 $DEBVER $MODULES" | sha256sum | cut -c1-16)"
if [[ "$(cat "$GROOT/.key" 2>/dev/null)" != "$mkey" ]]; then
	rm -rf "$GROOT"
	mkdir -p "$MODDIR"
	declare -A done_mods=()
	read -r -a queue <<<"$MODULES"
	while [[ ${#queue[@]} -gt 0 ]]; do
		m="${queue[0]}"
		queue=("${queue[@]:1}")
		[[ -n "${done_mods[$m]:-}" ]] && continue
		done_mods[$m]=1
		# A name may be an alias of several modules (crc32c: crc32c_generic,
		# crc32c_intel); each one goes in with its dependencies and soft
		# dependencies (libcrc32c needs "crc32c" when it loads).
		while IFS= read -r f; do
			[[ "$f" == /lib/modules/* ]] || continue	# built in, or not built
			mkdir -p "$MODDIR/$(dirname "${f#/lib/modules/$KVER/}")"
			cp "$f" "$MODDIR/${f#/lib/modules/$KVER/}"
			for d in $(modinfo -F depends "$f" | tr , ' ') \
				 $(modinfo -F softdep "$f" | tr ' ' '\n' | grep -v ':$'); do
				queue+=("$d")
			done
		done < <(modinfo -k "$KVER" -F filename "$m" 2>/dev/null || true)
	done
	cp /lib/modules/"$KVER"/modules.{order,builtin,builtin.modinfo} "$MODDIR/" 2>/dev/null || true
	depmod -b "$GROOT" "$KVER"
	echo "$mkey" >"$GROOT/.key"
fi
ENVFILE="$GROOT/guest.env"
printf 'KVER=%q\nBZIMAGE=%q\nMODDIR=%q\n' "$KVER" "$BZIMAGE" "$MODDIR" >"$ENVFILE"

if [[ $PRINT_ENV -eq 1 ]]; then
	printf 'KVER=%q\nDEBVER=%q\nBZIMAGE=%q\nMODDIR=%q\nENVFILE=%q\n' \
		"$KVER" "$DEBVER" "$BZIMAGE" "$MODDIR" "$ENVFILE"
else
	say "$KVER ($DEBVER) ready: $BZIMAGE, guest modules $MODDIR ($(find "$MODDIR" -name '*.ko' | wc -l) modules)"
fi
