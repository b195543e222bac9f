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
	pkg="${DEB_PACKAGE:-$(deb_package_name "$NAME")}"
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

	local replace=1
	[[ ${NON_REPLACE:-0} -eq 1 ]] && replace=0
	deb_maint_script postinst "$(cat <<EOF
# REPLACE=1: a cumulative patch (kpatch-build without -R): loading it
# replaces every loaded patch at once, with no moment where none applies.
REPLACE=$replace
if [ "\$1" = configure ] && [ -z "\${DPKG_ROOT:-}" ]; then
	if [ "\$(uname -r)" != "$KREL" ]; then
		echo "$pkg: $NAME.ko is built for Linux $KREL, but the running kernel is \$(uname -r): not loaded now; kpatch.service loads it at the next boot of $KREL" >&2
	elif ! [ -d /sys/kernel/livepatch ]; then
		echo "$pkg: the running kernel has no livepatch support (/sys/kernel/livepatch): $NAME.ko is not loaded" >&2
	elif ! command -v kpatch >/dev/null 2>&1; then
		echo "$pkg: no kpatch command; the patch is loaded at the next boot" >&2
	elif [ -d /sys/kernel/livepatch/$MODNAME ]; then
		# The same module name is loaded: this build, or an older one
		# (an upgrade that kept the name: it cannot replace itself).
		if [ "\$(cat /sys/module/$MODNAME/srcversion 2>/dev/null)" != "\$(modinfo -F srcversion "\$KO" 2>/dev/null)" ]; then
			echo "$pkg: an older build of $MODNAME is loaded under the same name: unloading it to load this one (the patch is off meanwhile; give each cumulative build its own name, kpatch-build -n, for an atomic upgrade)" >&2
			{ kpatch unload $MODNAME >&2 && kpatch load "\$KO"; } ||
				echo "$pkg: loading \$KO failed; run 'kpatch load \$KO' to retry" >&2
		fi
	else
		before=\$(ls /sys/kernel/livepatch)
		if kpatch load "\$KO"; then
			# A cumulative patch replaced the patches loaded before it:
			# the kernel disabled them (and frees them a moment later);
			# remove their modules.
			if [ "\$REPLACE" = 1 ]; then
				for m in \$before; do
					[ "\$m" = $MODNAME ] && continue
					[ "\$(cat "/sys/kernel/livepatch/\$m/enabled" 2>/dev/null)" = 1 ] || kpatch unload "\$m" >&2 || true
				done
			fi
		else
			echo "$pkg: loading \$KO failed; run 'kpatch load \$KO' to retry" >&2
		fi
	fi
fi
EOF
)" >"$root/DEBIAN/postinst"
	deb_maint_script prerm "$(cat <<EOF
REPLACE=$replace
case "\$1" in
remove|upgrade|deconfigure)
	if [ -z "\${DPKG_ROOT:-}" ] && [ -d /sys/kernel/livepatch/$MODNAME ] && command -v kpatch >/dev/null 2>&1; then
		if [ "\$1" = upgrade ] && [ "\$REPLACE" = 1 ]; then
			# The new version's cumulative patch replaces this one when
			# its postinst loads it: unloading now would leave a gap.
			echo "$pkg: $MODNAME stays loaded until the new version replaces it" >&2
		else
			kpatch unload $MODNAME || echo "$pkg: unloading $MODNAME failed; it stays active until reboot" >&2
		fi
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
