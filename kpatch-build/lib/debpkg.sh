# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# debpkg.sh - the binary .deb part shared by `kpatch-build --deb`
# (lib/deb.sh: a livepatch module package) and `make deb`
# (packaging/build-deb.sh: the kpatch-lts tools package): the maintainer
# string, the doc files dpkg and lintian want, the control file with its
# Installed-Size, md5sums, and dpkg-deb --build. No debhelper, no
# debian/ source directory: a staged root tree in, one .deb out.
#
# Sourced (bash); sets no global state and calls no die: every function
# returns non-zero and says why on stderr, the caller decides.

# debpkg_maintainer: "Name <mail>", from Debian's DEBFULLNAME/DEBEMAIL
# (set them for packages you ship), or FALLBACK_NAME / FALLBACK_MAIL.
debpkg_maintainer() {
	local name="${1:-kpatch-build}" mail="${2:-kpatch-build@example.org}"
	echo "${DEBFULLNAME:-$name} <${DEBEMAIL:-$mail}>"
}

# debpkg_changelog DOCDIR PACKAGE VERSION MAINTAINER TEXT...: a native
# package's DOCDIR/changelog.gz, one entry whose bullet lines are TEXT.
# Its date is SOURCE_DATE_EPOCH when set (reproducible builds), else now.
debpkg_changelog() {
	local doc="$1" pkg="$2" ver="$3" maint="$4" line date
	shift 4
	if [[ -n "${SOURCE_DATE_EPOCH:-}" ]]; then
		date="$(LC_ALL=C date -R -u -d "@$SOURCE_DATE_EPOCH")"
	else
		date="$(LC_ALL=C date -R)"
	fi
	{
		echo "$pkg ($ver) unstable; urgency=medium"
		echo
		for line in "$@"; do echo "  * $line"; done
		echo
		echo " -- $maint  $date"
	} | gzip -9n >"$doc/changelog.gz"
}

# debpkg_installed_size ROOT: kB the files (not DEBIAN/) take, as dpkg counts.
debpkg_installed_size() {
	du -sk --apparent-size --exclude=DEBIAN "$1" | cut -f1
}

# debpkg_build ROOT DEB LOG: write ROOT/DEBIAN/control from the fields on
# stdin (every field but Installed-Size, which is computed and put before
# Description), ROOT/DEBIAN/md5sums, make every directory 0755 and build
# DEB (owner root:root, xz) atomically; dpkg-deb's output goes to LOG.
debpkg_build() {
	local root="$1" deb="$2" log="$3" size
	command -v dpkg-deb >/dev/null || { echo "dpkg-deb is not installed (apt-get install dpkg)" >&2; return 1; }
	mkdir -p "$root/DEBIAN"
	size="$(debpkg_installed_size "$root")"
	awk -v size="$size" '
		/^Description:/ && !done { print "Installed-Size: " size; done = 1 }
		{ print }
		END { if (!done) print "Installed-Size: " size }' >"$root/DEBIAN/control"
	(cd "$root" && find . -type f -not -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z |
		xargs -0 -r md5sum) >"$root/DEBIAN/md5sums" || return 1
	[[ -s "$root/DEBIAN/md5sums" ]] || rm -f "$root/DEBIAN/md5sums"
	find "$root" -type d -exec chmod 755 {} +
	if ! dpkg-deb --root-owner-group -Zxz --build "$root" "$deb.tmp" >>"$log" 2>&1; then
		rm -f "$deb.tmp"
		echo "dpkg-deb failed to build $deb" >&2
		return 1
	fi
	mv -f "$deb.tmp" "$deb"
}
