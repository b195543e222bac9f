# SPDX-License-Identifier: GPL-2.0
# deb.sh - kpatch-build --deb: package OUTDIR/NAME.ko as
# OUTDIR/PACKAGE_VERSION_amd64.deb (PACKAGE: NAME in Debian's spelling).
#
#   /var/lib/kpatch/KREL/NAME.ko      where `kpatch load --all` (kpatch.service)
#                                     finds it at every boot of that kernel
#   Depends: kpatch-lts | kpatch, and the exact kernel image package
#   postinst  loads it now when KREL is the running kernel
#   prerm     unloads it (remove, upgrade) when it is loaded
#   postrm    purge: removes what is left of /var/lib/kpatch/KREL
#
# Sourced by kpatch-build; uses its die/warn/say and KREL, KBANNER, NAME,
# MODNAME, OUTDIR, DEB_VERSION, TMPDIR_KP, and lib/debpkg.sh (the doc files,
# control, md5sums and dpkg-deb part, shared with `make deb`).

# deb_package_name NAME: lower case, [a-z0-9.+-], starting alphanumeric.
deb_package_name() {
	local n
	n="$(tr 'A-Z_' 'a-z-' <<<"$1" | sed 's/[^a-z0-9.+-]/-/g; s/^[^a-z0-9]*//')"
	[[ ${#n} -ge 2 ]] || n="livepatch-$n"
	echo "$n"
}

# deb_image_depends: the kernel image the module is for, exactly: Debian's
# signed or unsigned image package of KREL at the version in the banner.
deb_image_depends() {
	local debver
	debver="$(banner_debian_version "$KBANNER")"
	if [[ -n "$debver" ]]; then
		echo "linux-image-$KREL (= $debver) | linux-image-$KREL-unsigned (= $debver)"
	else
		echo "linux-image-$KREL | linux-image-$KREL-unsigned"
	fi
}

deb_maint_script() {
	local what="$1" body="$2"
	cat <<EOF
#!/bin/sh
# $what of $PKG: livepatch module $NAME.ko for Linux $KREL (kpatch-build --deb)
set -e
# DPKG_ROOT: set by dpkg --root --force-script-chrootless.
KO="\${DPKG_ROOT:-}/var/lib/kpatch/$KREL/$NAME.ko"
$body
#DEBHELPER#
exit 0
EOF
}

package_deb() {
	local pkg ver root doc deb maint p names=""
	command -v dpkg-deb >/dev/null || die "--deb needs dpkg-deb (apt-get install dpkg)"
	pkg="$(deb_package_name "$NAME")"
	PKG="$pkg"
	ver="$DEB_VERSION"
	root="$TMPDIR_KP/deb"
	doc="$root/usr/share/doc/$pkg"
	deb="$OUTDIR/${pkg}_${ver}_amd64.deb"
	say "Packaging $(basename "$deb")"
	rm -rf "$root"
	mkdir -p "$root/DEBIAN" "$root/var/lib/kpatch/$KREL" "$doc"
	install -m 644 "$OUTDIR/$NAME.ko" "$root/var/lib/kpatch/$KREL/$NAME.ko"

	maint="$(debpkg_maintainer)"
	for p in "${PATCHES[@]}"; do names+="${names:+, }$(basename "$p")"; done
	cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $pkg
Comment: Livepatch module built by kpatch-build (kpatch-lts) from Linux
 $KREL source patches: $names.

Files: *
Copyright: 1991-$(date +%Y) The Linux kernel authors and the authors of the patches
License: GPL-2
 On Debian systems, the full text of the GNU General Public License
 version 2 can be found in the file /usr/share/common-licenses/GPL-2.
EOF
	debpkg_changelog "$doc" "$pkg" "$ver" "$maint" "Livepatch for Linux $KREL built by kpatch-build $VERSION."

	deb_maint_script postinst "$(cat <<EOF
if [ "\$1" = configure ] && [ -z "\${DPKG_ROOT:-}" ] && [ "\$(uname -r)" = "$KREL" ] &&
   [ -d /sys/kernel/livepatch ] && ! [ -d /sys/kernel/livepatch/$MODNAME ]; then
	if command -v kpatch >/dev/null 2>&1; then
		kpatch load "\$KO" || echo "$pkg: loading \$KO failed; run 'kpatch load \$KO' to retry" >&2
	else
		echo "$pkg: no kpatch command; the patch is loaded at the next boot" >&2
	fi
fi
EOF
)" >"$root/DEBIAN/postinst"
	deb_maint_script prerm "$(cat <<EOF
case "\$1" in
remove|upgrade|deconfigure)
	if [ -z "\${DPKG_ROOT:-}" ] && [ -d /sys/kernel/livepatch/$MODNAME ] && command -v kpatch >/dev/null 2>&1; then
		kpatch unload $MODNAME || echo "$pkg: unloading $MODNAME failed; it stays active until reboot" >&2
	fi
	;;
esac
EOF
)" >"$root/DEBIAN/prerm"
	deb_maint_script postrm "$(cat <<EOF
if [ "\$1" = purge ]; then
	rm -f "\$KO"
	rmdir "\${DPKG_ROOT:-}/var/lib/kpatch/$KREL" "\${DPKG_ROOT:-}/var/lib/kpatch" 2>/dev/null || true
fi
EOF
)" >"$root/DEBIAN/postrm"
	sed -i '/^#DEBHELPER#$/d' "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
	chmod 755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

	debpkg_build "$root" "$deb" "$LOGFILE" <<EOF || { log_tail; die "dpkg-deb failed to build $deb"; }
Package: $pkg
Version: $ver
Architecture: amd64
Maintainer: $maint
Depends: kpatch-lts | kpatch, $(deb_image_depends)
Section: kernel
Priority: optional
Description: livepatch $NAME for Linux $KREL
 Live patch module $NAME.ko (kernel module $MODNAME),
 built by kpatch-build from: $names.
 It is installed in /var/lib/kpatch/$KREL/,
 loaded at once when that kernel is running, and at every boot of it
 by 'kpatch load --all'.
EOF
	say "Package: $deb"
}
