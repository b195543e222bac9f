# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# fleet-debian.sh - kpatch-fleet's view of Debian's archive: which kernels
# (ABIs) of a series are still there, which linux-source versions lie in
# an update range, each update's source diff and its changelog entries.
#
# Sourced by kpatch-fleet after debfetch.sh (it uses debfetch_versions,
# debfetch_has, debfetch_download). Inputs are arguments, answers go to
# stdout, errors to stderr with status 1 (2: not in the archive).
#
#   fleet_deb_series VERSION             "6.1" of 6.1.192-3, "6.12" of 6.12.118-1~deb12u1
#   fleet_deb_range XY FROM TO           versions FROM..TO of linux-source-XY, oldest first
#   fleet_deb_kernel_version KVER        the newest version with image, -dbg, headers
#   fleet_deb_kernels XY FLAVOUR         "KVER VERSION" of every ABI in the archive
#   fleet_deb_source_deb XY VERSION CACHE   linux-source-XY's .deb (downloaded once)
#   fleet_deb_changelog DEB              its changelog.Debian, uncompressed
#   fleet_deb_entries FROM TO            (stdin: a changelog) the entries FROM < v <= TO
#   fleet_deb_title                      (stdin: entries) a one-line title
#   fleet_deb_listing DEB CACHE          its tarball's listing (cached)
#   fleet_deb_diff OLDDEB NEWDEB CACHE   the source diff of the two (cached), -p1

# fleet_deb_err MSG: an error line naming this library.
fleet_deb_err() { echo "kpatch-fleet: error: $*" >&2; }

# fleet_deb_series VERSION: the kernel series (X.Y) of a Debian version.
fleet_deb_series() {
	sed -n 's/^\([0-9][0-9]*\.[0-9][0-9]*\)\..*/\1/p' <<<"$1"
}

# fleet_deb_range XY FROM TO: every version of linux-source-XY apt knows
# with FROM <= v <= TO, oldest first (dpkg's order); status 2 when FROM or
# TO is not among them.
fleet_deb_range() {
	local xy="$1" from="$2" to="$3" v all=()
	mapfile -t all < <(debfetch_versions "linux-source-$xy" | sort -V)
	# sort -V is close to dpkg's order; dpkg decides.
	for v in "$from" "$to"; do
		printf '%s\n' "${all[@]}" | grep -qxF -- "$v" ||
			{ fleet_deb_err "apt has no linux-source-$xy $v (known: ${all[*]:-none}; apt-get update?)"; return 2; }
	done
	dpkg --compare-versions "$from" le "$to" ||
		{ fleet_deb_err "range $from..$to: $from is newer than $to"; return 1; }
	for v in "${all[@]}"; do
		dpkg --compare-versions "$v" ge "$from" && dpkg --compare-versions "$v" le "$to" && echo "$v"
	done | fleet_deb_sort
}

# fleet_deb_sort: stdin's versions in dpkg's order, oldest first.
fleet_deb_sort() {
	local v sorted=() i j
	while IFS= read -r v; do
		[[ -n "$v" ]] || continue
		# insertion sort: a handful of versions
		i=${#sorted[@]}
		sorted+=("$v")
		while (( i > 0 )) && dpkg --compare-versions "${sorted[i-1]}" gt "$v"; do
			sorted[i]="${sorted[i-1]}"
			i=$((i - 1))
		done
		sorted[i]="$v"
	done
	for j in "${sorted[@]}"; do echo "$j"; done
}

# fleet_deb_kernel_version KVER: the newest Debian version at which
# linux-image-KVER-unsigned, its -dbg and headers are all in the archive;
# status 2 when there is none.
fleet_deb_kernel_version() {
	local kver="$1" v
	for v in $(debfetch_versions "linux-image-$kver-unsigned"); do
		if debfetch_has "linux-image-$kver-dbg" "$v" && debfetch_has "linux-headers-$kver" "$v"; then
			echo "$v"
			return 0
		fi
	done
	fleet_deb_err "apt has no linux-image-$kver-unsigned with its -dbg and headers at one version (apt-get update?)"
	return 2
}

# fleet_deb_kernels XY FLAVOUR: "KVER VERSION" of every FLAVOUR kernel ABI
# of series XY still in the archive (image, -dbg and headers of one
# version), oldest ABI first; status 2 when there is none.
fleet_deb_kernels() {
	local xy="$1" flavour="$2" p kver v re n=0
	re="^linux-image-(${xy//./\\.}\\.[0-9]+(-[0-9]+|\\+deb[0-9]+))-$flavour-unsigned\$"
	for p in $(apt-cache pkgnames "linux-image-$xy." 2>/dev/null | grep -E "$re" | sort -V); do
		kver="${p#linux-image-}"
		kver="${kver%-unsigned}"
		v="$(fleet_deb_kernel_version "$kver" 2>/dev/null)" || continue
		echo "$kver $v"
		n=$((n + 1))
	done
	[[ $n -gt 0 ]] && return 0
	fleet_deb_err "apt knows no $xy/$flavour kernel with image, -dbg and headers (apt-get update?)"
	return 2
}

# fleet_deb_source_deb XY VERSION CACHE: the path of linux-source-XY's
# .deb at VERSION, downloaded once into CACHE/debs/VERSION (debfetch's place).
fleet_deb_source_deb() {
	local xy="$1" version="$2" cache="$3" deb
	debfetch_download "$cache/debs/$version" "linux-source-$xy=$version" || return 1
	deb="$(compgen -G "$cache/debs/$version/linux-source-${xy}_*.deb" | head -n1)"
	[[ -n "$deb" ]] || { fleet_deb_err "no linux-source-$xy .deb in $cache/debs/$version"; return 1; }
	echo "$deb"
}

# fleet_deb_member DEB PATTERN: the first member of DEB's data matching
# the ERE PATTERN (listing a .deb reads only its data part's index).
fleet_deb_member() {
	dpkg-deb -c "$1" | sed -E 's/^([^ ]+ +){5}//' | grep -E -m1 -- "$2"
}

# fleet_deb_changelog DEB: the package's Debian changelog, uncompressed.
fleet_deb_changelog() {
	local deb="$1" member
	member="$(fleet_deb_member "$deb" '/changelog\.Debian(\.gz)?$')" ||
		{ fleet_deb_err "$deb has no changelog.Debian"; return 1; }
	# the changelog comes before the tarball: stop reading there
	dpkg-deb --fsys-tarfile "$deb" 2>/dev/null | tar -xO --occurrence=1 "$member" |
		if [[ "$member" == *.gz ]]; then gzip -dc; else cat; fi
}

# fleet_deb_entries FROM TO: from a changelog on stdin, the entries whose
# version is newer than FROM and not newer than TO, as they are written.
fleet_deb_entries() {
	local from="$1" to="$2" line v keep=0
	while IFS= read -r line; do
		if [[ "$line" =~ ^[a-z0-9][a-z0-9.+-]*\ \(([^\)]+)\) ]]; then
			v="${BASH_REMATCH[1]}"
			if dpkg --compare-versions "$v" le "$from"; then break; fi
			if dpkg --compare-versions "$v" le "$to"; then keep=1; else keep=0; fi
		fi
		[[ $keep -eq 1 ]] && printf '%s\n' "$line"
	done
	return 0
}

# fleet_deb_title: from changelog entries on stdin, one line: the first
# change ("* ..." with its continuation lines), and how many more there are.
fleet_deb_title() {
	awk '
		/^  \* / { n++; if (n == 1) { t = substr($0, 5); cont = 1 } else cont = 0; next }
		/^    [^-*[:space:]]/ && cont && n == 1 { sub(/^ +/, ""); t = t " " $0; next }
		{ cont = 0 }
		END {
			if (n == 0) { print "(no changelog entry)"; exit }
			if (n > 1) t = t " (+" n - 1 " more)"
			print t
		}'
}

# fleet_deb_listing DEB CACHE: the listing of the source tarball in DEB,
# one "MODE SIZE DATE TIME PATH" line per member (the top directory
# stripped), sorted by path; cached as CACHE/fleet/VERSION.list.
fleet_deb_listing() {
	local deb="$1" cache="$2" version list tarball
	version="$(dpkg-deb -f "$deb" Version)" || { fleet_deb_err "cannot read $deb"; return 1; }
	list="$cache/fleet/$version.list"
	if [[ ! -s "$list" ]]; then
		mkdir -p "$cache/fleet" || return 1
		tarball="$(fleet_deb_member "$deb" '^\./usr/src/linux-source-[^/]*\.tar\.[a-z]+$')" ||
			{ fleet_deb_err "$deb holds no linux-source tarball"; return 1; }
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" |
			tar -tv --full-time --quoting-style=escape "$(fleet_deb_tarflag "$tarball")" -f - |
			awk '{ p = $0; for (i = 1; i <= 5; i++) sub(/^[^ ]+ +/, "", p);
			       sub(/^[^\/]*\//, "", p); if (p == "") next;
			       print $1, $3, $4, $5, p }' | LC_ALL=C sort >"$list.tmp" ||
			{ rm -f "$list.tmp"; fleet_deb_err "listing the tarball of $deb failed"; return 1; }
		[[ -s "$list.tmp" ]] || { rm -f "$list.tmp"; fleet_deb_err "the tarball of $deb is empty"; return 1; }
		mv "$list.tmp" "$list"
	fi
	echo "$list"
}

# fleet_deb_tarflag NAME: tar's decompression option for a tarball's name.
fleet_deb_tarflag() {
	case "$1" in
	*.xz) echo -J ;;
	*.gz) echo -z ;;
	*.bz2) echo -j ;;
	*.zst) echo --zstd ;;
	*) echo --auto-compress ;;
	esac
}

# fleet_deb_extract DEB DIR LISTFILE: the members named (top directory
# stripped) in LISTFILE, from DEB's source tarball into DIR.
fleet_deb_extract() {
	local deb="$1" dir="$2" names="$3" tarball top
	mkdir -p "$dir"
	[[ -s "$names" ]] || return 0
	tarball="$(fleet_deb_member "$deb" '^\./usr/src/linux-source-[^/]*\.tar\.[a-z]+$')" || return 1
	top="$(basename "$tarball")"
	top="${top%.tar.*}"
	sed "s|^|$top/|" "$names" >"$dir.members"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" |
		tar -x "$(fleet_deb_tarflag "$tarball")" -f - -C "$dir" --strip-components=1 \
			--no-wildcards -T "$dir.members"
	local rc=$?
	rm -f "$dir.members"
	return "$rc"
}

# fleet_deb_paths LISTING: the paths of its regular files, sorted (C).
fleet_deb_paths() {
	grep '^-' "$1" | sed -E 's/^([^ ]+ +){4}//' | LC_ALL=C sort -u
}

# fleet_deb_diff OLDDEB NEWDEB CACHE: the source change from OLDDEB's
# linux-source to NEWDEB's as a -p1 patch (only the regular files whose
# listing line differs are read and compared); cached as
# CACHE/fleet/OLD..NEW.patch. Prints the patch's path.
fleet_deb_diff() {
	local old="$1" new="$2" cache="$3" ov nv out lo ln work f rc fd
	if ! ov="$(dpkg-deb -f "$old" Version)" || ! nv="$(dpkg-deb -f "$new" Version)"; then
		fleet_deb_err "cannot read $old or $new"
		return 1
	fi
	out="$cache/fleet/$ov..$nv.patch"
	mkdir -p "$cache/fleet" || return 1
	exec {fd}>>"$cache/fleet/.$ov..$nv.lock"
	flock "$fd"
	if [[ ! -f "$out" ]]; then
		if ! lo="$(fleet_deb_listing "$old" "$cache")" || ! ln="$(fleet_deb_listing "$new" "$cache")"; then
			exec {fd}>&-
			return 1
		fi
		work="$(mktemp -d "$cache/fleet/diff.XXXXXX")"
		# the paths of regular files whose line (mode, size, time) differs
		fleet_deb_paths "$lo" >"$work/old"
		fleet_deb_paths "$ln" >"$work/new"
		LC_ALL=C comm -3 <(grep '^-' "$lo" | LC_ALL=C sort) <(grep '^-' "$ln" | LC_ALL=C sort) |
			sed -E 's/^\t//; s/^([^ ]+ +){4}//' | LC_ALL=C sort -u >"$work/candidates"
		# symbolic and hard links: named, left out
		LC_ALL=C comm -3 <(grep -E '^[lh]' "$lo" | LC_ALL=C sort) <(grep -E '^[lh]' "$ln" | LC_ALL=C sort) |
			sed -E 's/^\t//; s/^([^ ]+ +){4}//' | LC_ALL=C sort -u |
			sed 's/^/kpatch-fleet: warning: a link changed, left out of the diff: /' >&2
		LC_ALL=C comm -12 "$work/candidates" "$work/old" >"$work/in-old"
		LC_ALL=C comm -12 "$work/candidates" "$work/new" >"$work/in-new"
		rc=0
		fleet_deb_extract "$old" "$work/a" "$work/in-old" && fleet_deb_extract "$new" "$work/b" "$work/in-new" || rc=1
		if [[ $rc -eq 0 ]]; then
			: >"$out.tmp"
			while IFS= read -r f; do
				fleet_deb_diff_file "$work" "$f" >>"$out.tmp" || { rc=1; break; }
			done <"$work/candidates"
		fi
		rm -rf "$work"
		if [[ $rc -ne 0 ]]; then
			rm -f "$out.tmp"
			fleet_deb_err "diffing linux-source $ov and $nv failed"
			exec {fd}>&-
			return 1
		fi
		mv "$out.tmp" "$out"
	fi
	exec {fd}>&-
	echo "$out"
}

# fleet_deb_diff_file WORK PATH: the unified diff of WORK/a/PATH and
# WORK/b/PATH (an absent side is /dev/null); binary files are named on
# stderr and left out.
fleet_deb_diff_file() {
	local work="$1" f="$2" la="a/$2" lb="b/$2" rc=0 d
	[[ -f "$work/a/$f" ]] || la=/dev/null
	[[ -f "$work/b/$f" ]] || lb=/dev/null
	d="$(cd "$work" && LC_ALL=C diff -uN --label "$la" --label "$lb" "a/$f" "b/$f")" || rc=$?
	case $rc in
	0) return 0 ;;
	1) printf 'diff -uN %s %s\n%s\n' "a/$f" "b/$f" "$d" ;;
	*) if grep -q '^Binary files' <<<"$d"; then
		echo "kpatch-fleet: warning: $f is a binary file that changed; left out of the diff" >&2
	   else
		return 1
	   fi ;;
	esac
}
