# SPDX-License-Identifier: GPL-2.0
# debian.sh - kpatch-build: find a Debian kernel's pieces by itself, for
# the running kernel or -a KVER:
#
#   source     /usr/src/linux-source-X.Y.tar.xz      linux-source-X.Y
#              (unpacked once into $KPATCH_SRC_CACHE, default $CACHEDIR/debian-src)
#   config     /boot/config-KVER, else the headers' .config
#   vmlinux    /usr/lib/debug/boot/vmlinux-KVER      linux-image-KVER-dbg
#   build dir  /usr/src/linux-headers-KVER           linux-headers-KVER
#              (Module.symvers, utsrelease.h, kbuild for the module)
#   modules    /usr/lib/debug/lib/modules/KVER (-dbg), /lib/modules/KVER
#
# A missing piece is named with the apt-get line that installs it. The
# source package must be the Debian version the kernel was built from (the
# "Debian 6.1.192-3" of its banner). KPATCH_ROOT (tests) prefixes every
# system path. Uses kpatch-build's die/warn/say.

# debian_pkg_version PACKAGE: the installed version, empty if none.
debian_pkg_version() {
	local admindir="$KPATCH_ROOT/var/lib/dpkg"
	[[ -d "$admindir" ]] || return 0
	dpkg-query --admindir="$admindir" -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null |
		sed -n 's/^ii *//p' | head -n1
}

# banner_debian_version BANNER: "6.1.192-3" from "... Debian 6.1.192-3 (date)".
banner_debian_version() {
	sed -n 's/.* Debian \([0-9][^ ]*\) .*/\1/p' <<<"$1"
}

# debian_locate KVER: sets SRCDIR CONFIGFILE VMLINUX KBUILD SYMVERS.
debian_locate() {
	local kver="$1" xy missing=() why=()
	xy="$(sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p' <<<"$kver")"
	[[ -n "$xy" ]] || die "'$kver' does not look like a kernel release (use -a with a release such as 6.1.0-57-cloud-amd64)"
	local headers="$KPATCH_ROOT/usr/src/linux-headers-$kver"
	local tarball="$KPATCH_ROOT/usr/src/linux-source-$xy.tar.xz"

	if [[ ! -f "$headers/Module.symvers" || ! -f "$headers/Makefile" ]]; then
		missing+=("linux-headers-$kver")
		why+=("$headers (Module.symvers, kbuild)")
	fi
	if [[ -z "$VMLINUX" ]]; then
		VMLINUX="$KPATCH_ROOT/usr/lib/debug/boot/vmlinux-$kver"
		if [[ ! -f "$VMLINUX" ]]; then
			missing+=("linux-image-$kver-dbg")
			why+=("$VMLINUX (the kernel with its symbols)")
		fi
	fi
	if [[ ! -f "$tarball" ]]; then
		missing+=("linux-source-$xy")
		why+=("$tarball (the source)")
	fi
	if [[ -z "$CONFIGFILE" ]]; then
		CONFIGFILE="$KPATCH_ROOT/boot/config-$kver"
		[[ -f "$CONFIGFILE" ]] || CONFIGFILE="$headers/.config"
	fi
	if [[ ${#missing[@]} -gt 0 ]]; then
		local w
		for w in "${why[@]}"; do echo "$PROG: missing $w" >&2; done
		die "the pieces of kernel $kver are not installed; install them with:
    apt-get install ${missing[*]}
(or give them with -s/-c/-v)"
	fi
	[[ -f "$CONFIGFILE" ]] || die "kernel config '$CONFIGFILE' not found; use -c/--config"
	[[ -f "$VMLINUX" ]] || die "vmlinux '$VMLINUX' not found"
	KBUILD="$(readlink -f "$headers")"
	SYMVERS="$KBUILD/Module.symvers"
	CONFIGFILE="$(readlink -f "$CONFIGFILE")"
	VMLINUX="$(readlink -f "$VMLINUX")"

	# The source package must be the version the kernel was built from.
	local srcver imgver banner
	srcver="$(debian_pkg_version "linux-source-$xy")"
	banner="$(vmlinux_banner "$VMLINUX")"
	imgver="$(banner_debian_version "$banner")"
	if [[ -z "$imgver" ]]; then
		warn "$VMLINUX has no Debian version in its banner ('$banner'); cannot check that linux-source-$xy matches it"
	elif [[ -z "$srcver" ]]; then
		warn "linux-source-$xy is not registered with dpkg; cannot check that $tarball is version $imgver"
	elif [[ "$srcver" != "$imgver" ]]; then
		die "version mismatch: linux-source-$xy is $srcver but kernel $kver is $imgver; install the matching source:
    apt-get install linux-source-$xy=$imgver"
	fi
	SRCDIR="$(debian_unpack "$tarball" "linux-source-$xy-${srcver:-$imgver}")" || exit 1
	say "Debian kernel $kver${imgver:+ ($imgver)}: source $tarball, config $CONFIGFILE, vmlinux $VMLINUX, headers $KBUILD"
}

# debian_unpack TARBALL NAME: unpack TARBALL once into the source cache
# (under a lock: two builds may want it at once); prints the tree.
debian_unpack() {
	local tarball="$1" name="$2" cache dir fd
	cache="${KPATCH_SRC_CACHE:-$CACHEDIR/debian-src}"
	dir="$cache/$name"
	mkdir -p "$cache" || die "cannot create the source cache $cache"
	exec {fd}>>"$cache/.$name.lock"
	flock "$fd"
	# (.unpacked: the same tree unpacked by test/kernel/build-kernel.sh)
	if [[ ! -f "$dir/.kpatch-unpacked" && ! -f "$dir/.unpacked" ]]; then
		say "Unpacking $tarball into $dir (once)" >&2
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		tar -xJf "$tarball" -C "$dir.tmp" --strip-components=1 ||
			{ rm -rf "$dir.tmp"; die "cannot unpack $tarball into $dir"; }
		touch "$dir.tmp/.kpatch-unpacked"
		mv "$dir.tmp" "$dir"
	fi
	exec {fd}>&-
	echo "$dir"
}
