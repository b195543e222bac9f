# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# debfetch.sh - the one way to fetch a Debian kernel's pieces without
# installing them: the test suites, and the fleet command, source it.
#
# A "set" is everything kpatch-build needs for one Debian kernel release
# (KVER, e.g. 6.1.0-57-cloud-amd64) at one Debian version (VERSION, e.g.
# 6.1.192-3), all of that one version, so a new upload can never pair a
# source with a kernel it did not build:
#
#   linux-image-KVER-unsigned   the kernel and its (stripped) modules
#   linux-image-KVER-dbg        vmlinux and modules with their symbols
#   linux-headers-KVER          Module.symvers, .config, kbuild for modules
#     + its -common and linux-kbuild-X.Y dependencies
#   linux-source-X.Y            the source tarball
#
# The .debs go to DEBCACHE/VERSION (apt-get download: no root needed),
# unpacked into a root directory laid out as on a Debian machine that has
# them installed (with a dpkg status naming their versions), so
# `KPATCH_ROOT=ROOT kpatch-build -a KVER` finds every piece itself.
#
# Functions (inputs as arguments, answers on stdout, errors on stderr with
# status 1; status 2 means "not in the archive"):
#   debfetch_versions PKG            every version apt knows, newest first
#   debfetch_newest XY FLAVOUR       "KVER VERSION" of the newest complete set
#   debfetch_kver XY FLAVOUR VERSION the release built at VERSION
#   debfetch_root KVER VERSION CACHE the unpacked root (fetched and made once)

# Bump when the way a root is made changes: older roots are made again.
DEBFETCH_RECIPE=2

# debfetch_err MSG: an error line naming this library.
debfetch_err() { echo "debfetch: error: $*" >&2; }

# debfetch_versions PKG: the versions of PKG apt can fetch, newest first.
debfetch_versions() {
	local pkg="$1"
	apt-cache madison "$pkg" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		sort -u | sort -rV
}

# debfetch_has PKG VERSION: status 0 when apt can fetch PKG=VERSION.
debfetch_has() {
	debfetch_versions "$1" | grep -qxF -- "$2"
}

# debfetch_kver XY FLAVOUR VERSION: the release (KVER) of the FLAVOUR kernel
# built at Debian VERSION of linux-source-XY (its image, -dbg and headers
# packages must all exist at VERSION); status 2 when there is none.
debfetch_kver() {
	local xy="$1" flavour="$2" version="$3" p kver re
	re="^linux-image-(${xy//./\\.}\\.[0-9]+(-[0-9]+|\\+deb[0-9]+))-$flavour-unsigned\$"
	for p in $(apt-cache pkgnames "linux-image-$xy." 2>/dev/null | grep -E "$re" | sort -rV); do
		kver="${p#linux-image-}"
		kver="${kver%-unsigned}"
		if debfetch_has "$p" "$version" && debfetch_has "linux-image-$kver-dbg" "$version" &&
		   debfetch_has "linux-headers-$kver" "$version"; then
			echo "$kver"
			return 0
		fi
	done
	return 2
}

# debfetch_newest XY FLAVOUR: "KVER VERSION" of the newest Debian version of
# linux-source-XY whose FLAVOUR image, -dbg and headers are all in the
# archive; status 2 when no version has all of them.
debfetch_newest() {
	local xy="$1" flavour="$2" v kver
	for v in $(debfetch_versions "linux-source-$xy"); do
		if kver="$(debfetch_kver "$xy" "$flavour" "$v")"; then
			echo "$kver $v"
			return 0
		fi
	done
	debfetch_err "no version of linux-source-$xy has a $flavour image, -dbg and headers package in apt (apt-get update?)"
	return 2
}

# debfetch_series KVER: "6.1" of 6.1.0-57-cloud-amd64.
debfetch_series() {
	sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p' <<<"$1"
}

# debfetch_download DIR PKG=VERSION...: the .debs into DIR, once.
debfetch_download() {
	local dir="$1" want=() spec pkg ver
	shift
	mkdir -p "$dir" || { debfetch_err "cannot create $dir"; return 1; }
	for spec in "$@"; do
		pkg="${spec%%=*}"
		ver="${spec#*=}"
		# apt-get download names a file PKG_VERSION_ARCH.deb, the epoch
		# colon and the tilde %-escaped.
		compgen -G "$dir/${pkg}_${ver//\~/%7e}_*.deb" >/dev/null ||
			compgen -G "$dir/${pkg}_${ver}_*.deb" >/dev/null || want+=("$spec")
	done
	[[ ${#want[@]} -eq 0 ]] && return 0
	echo "debfetch: downloading ${want[*]}" >&2
	if ! (cd "$dir" && apt-get download -q "${want[@]}") >"$dir/download.log" 2>&1; then
		tail -n 5 "$dir/download.log" >&2
		debfetch_err "apt-get download ${want[*]} failed (log: $dir/download.log; apt-get update?)"
		return 1
	fi
}

# debfetch_depends DEB NAMEPATTERN: "NAME=VERSION" for each of DEB's
# Depends whose name matches the ERE NAMEPATTERN (the headers' -common and
# kbuild), at the version the relation asks for: "(= V)" is V; "(>= V)" or
# none is the newest version apt has that satisfies it (Debian does not
# rebuild linux-kbuild-X.Y with every kernel: 6.1.192-1's headers take
# linux-kbuild-6.1 (>= 6.1.192-1), which apt has only at 6.1.192-3).
# Status 1 (and why) when apt has no version that satisfies one.
debfetch_depends() {
	local deb="$1" re="$2" dep name op ver v pick
	while IFS= read -r dep; do
		dep="${dep#"${dep%%[![:space:]]*}"}"
		dep="${dep%%|*}"
		name="${dep%% *}"
		[[ "$name" =~ $re ]] || continue
		op="" ver=""
		if [[ "$dep" =~ \(([<>=]+)[[:space:]]*([^\)[:space:]]+)\) ]]; then
			op="${BASH_REMATCH[1]}" ver="${BASH_REMATCH[2]}"
		fi
		if [[ "$op" == "=" ]]; then
			echo "$name=$ver"
			continue
		fi
		pick=""
		while IFS= read -r v; do
			case "$op" in
			">="|"") [[ -z "$op" ]] || dpkg --compare-versions "$v" ge "$ver" || continue ;;
			*) [[ "$op" == ">>" ]] && { dpkg --compare-versions "$v" gt "$ver" || continue; } ;;
			esac
			pick="$v"
			break
		done < <(debfetch_versions "$name")
		[[ -n "$pick" ]] || { debfetch_err "$(basename "$deb") needs $dep, which apt does not have"; return 1; }
		echo "$name=$pick"
	done < <(dpkg-deb -f "$deb" Depends | tr ',' '\n')
}

# debfetch_fix_links DIR ROOT: the tree unpacked in DIR will live at ROOT;
# make its absolute symbolic links (the headers' -> /usr/src/...,
# /usr/lib/linux-kbuild-X.Y) point inside ROOT, and the headers' Makefiles
# include their -common part from ROOT.
debfetch_fix_links() {
	local dir="$1" root="$2" l t mk
	while IFS= read -r l; do
		t="$(readlink "$l")"
		[[ "$t" == /* ]] || continue
		ln -sfn "$root$t" "$l"
	done < <(find "$dir" -type l)
	while IFS= read -r mk; do
		sed -i "s|^include /usr/src/|include $root/usr/src/|" "$mk"
	done < <(find "$dir/usr/src" -maxdepth 2 -name Makefile -path '*linux-headers-*')
}

# debfetch_status ROOT VERSION PKG...: a dpkg status file in ROOT that says
# PKG... are installed at VERSION (kpatch-build checks the source version
# against the kernel's banner through it).
debfetch_status() {
	local root="$1" version="$2" p
	shift 2
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
	for p in "$@"; do
		printf 'Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n\n' "$p" "$version"
	done >"$root/var/lib/dpkg/status"
}

# debfetch_root KVER VERSION CACHE: fetch the set of KVER at VERSION into
# CACHE/debs/VERSION, unpack it into CACHE/root/KVER_VERSION (once; a
# half-made root is never used) and print that root.
debfetch_root() {
	local kver="$1" version="$2" cache="$3" xy debs root fd f
	xy="$(debfetch_series "$kver")"
	[[ -n "$xy" ]] || { debfetch_err "'$kver' is not a kernel release"; return 1; }
	debs="$cache/debs/$version"
	root="$cache/root/${kver}_$version"
	mkdir -p "$cache/root" || { debfetch_err "cannot create $cache/root"; return 1; }
	exec {fd}>>"$cache/root/.${kver}_$version.lock"
	flock "$fd"
	if [[ "$(cat "$root/.debfetch-ready" 2>/dev/null)" != "recipe $DEBFETCH_RECIPE" ]]; then
		local pkgs=("linux-image-$kver-unsigned=$version" "linux-image-$kver-dbg=$version"
			    "linux-headers-$kver=$version" "linux-source-$xy=$version")
		for f in "${pkgs[@]}"; do
			debfetch_has "${f%%=*}" "$version" ||
				{ debfetch_err "apt has no ${f%%=*} at $version"; exec {fd}>&-; return 2; }
		done
		debfetch_download "$debs" "${pkgs[@]}" || { exec {fd}>&-; return 1; }
		# the headers' own dependencies at the versions they ask for: -common, kbuild
		local hdeb extra=()
		hdeb="$(compgen -G "$debs/linux-headers-${kver}_*.deb" | head -n1)"
		mapfile -t extra < <(debfetch_depends "$hdeb" '^linux-(headers-.*-common.*|kbuild-.*)$') ||
			{ exec {fd}>&-; return 1; }
		[[ ${#extra[@]} -eq 0 ]] || debfetch_download "$debs" "${extra[@]}" || { exec {fd}>&-; return 1; }
		echo "debfetch: unpacking the $kver set ($version) into $root" >&2
		rm -rf "$root" "$root.tmp"
		mkdir -p "$root.tmp"
		for f in "$debs"/*.deb; do
			case "$(basename "$f")" in
			linux-image-"$kver"-*|linux-headers-*|linux-kbuild-*|linux-source-"$xy"_*) ;;
			*) continue ;;
			esac
			dpkg-deb -x "$f" "$root.tmp" ||
				{ debfetch_err "dpkg-deb -x $f failed"; rm -rf "$root.tmp"; exec {fd}>&-; return 1; }
		done
		debfetch_fix_links "$root.tmp" "$root"
		# what the image's postinst does: the module dependency lists
		depmod -b "$root.tmp" "$kver" ||
			{ debfetch_err "depmod -b $root.tmp $kver failed"; rm -rf "$root.tmp"; exec {fd}>&-; return 1; }
		debfetch_status "$root.tmp" "$version" "linux-source-$xy" "linux-image-$kver-unsigned" \
			"linux-image-$kver-dbg" "linux-headers-$kver"
		echo "recipe $DEBFETCH_RECIPE" >"$root.tmp/.debfetch-ready"
		mv "$root.tmp" "$root"
	fi
	exec {fd}>&-
	echo "$root"
}
