#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-deb.sh - `make deb`: the kpatch-lts tools as two Debian packages
# in OUTDIR (default out/):
#
#   kpatch-lts_VERSION_amd64.deb        what a machine that runs livepatches
#                                       needs: kpatch, kpatch-dump (kpatch
#                                       info), kpatch.service, kpatch(1);
#                                       Depends: its libraries and kmod only
#   kpatch-lts-build_VERSION_amd64.deb  what a build host needs on top:
#                                       kpatch-build, kpatch-fleet,
#                                       create-diff-object, create-klp-module,
#                                       the module template; Depends:
#                                       kpatch-lts (= VERSION), the compiler
#                                       and kbuild's tools
#
# The files are what `make install PREFIX=/usr` installs (staged with
# DESTDIR), with the C tools built again out of tree with Debian's
# hardening flags (dpkg-buildflags) and stripped, the man pages gzipped,
# kpatch.service in /lib/systemd/system. The control file, doc files and
# dpkg-deb part are kpatch-build/lib/debpkg.sh, shared with
# `kpatch-build --deb`, whose packages depend on the runtime one
# (Depends: kpatch-lts | kpatch): a production machine installs no compiler.
#
# Usage: packaging/build-deb.sh [-o OUTDIR]
# Environment: DEBFULLNAME, DEBEMAIL (the Maintainer field),
# SOURCE_DATE_EPOCH (the changelog date), MAKE.

set -o errexit -o nounset -o pipefail

TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=SCRIPTDIR/../kpatch-build/lib/debpkg.sh
. "$TOP/kpatch-build/lib/debpkg.sh"

PKG=kpatch-lts
BPKG=kpatch-lts-build
OUTDIR="$TOP/out"
MAKE="${MAKE:-make}"

die() { echo "build-deb: error: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
	case "$1" in
	-o) [[ $# -ge 2 ]] || die "-o needs a directory"; OUTDIR="$2"; shift ;;
	-h|--help) sed -n '4,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (usage: build-deb.sh [-o OUTDIR])" ;;
	esac
	shift
done

for t in dpkg-deb dpkg-buildflags dpkg-shlibdeps gzip strip; do
	command -v "$t" >/dev/null || die "$t is needed (apt-get install dpkg-dev binutils gzip)"
done
[[ "$(dpkg --print-architecture)" == amd64 ]] || die "the package is for amd64; this is $(dpkg --print-architecture)"

VERSION="$(sed -n 's/^VERSION="\(.*\)"$/\1/p' "$TOP/kpatch-build/kpatch-build")"
KVERSION="$(sed -n 's/^KPATCH_VERSION="\(.*\)"$/\1/p' "$TOP/kpatch/kpatch")"
[[ -n "$VERSION" ]] || die "no VERSION= in kpatch-build/kpatch-build"
[[ "$VERSION" == "$KVERSION" ]] || die "kpatch-build is version $VERSION but kpatch is $KVERSION; make them agree"

mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"
DEB="$OUTDIR/${PKG}_${VERSION}_amd64.deb"
BDEB="$OUTDIR/${BPKG}_${VERSION}_amd64.deb"
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/kpatch-lts-deb.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
ROOT="$STAGE/root"
LOG="$STAGE/build.log"
: >"$LOG"
# Files get their modes from install(1) and from here, never from the umask.
umask 022

run() {
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 || { tail -n 20 "$LOG" | sed 's/^/    | /' >&2; die "failed: $*"; }
}

# 1. The C tools, built from a copy with Debian's hardening flags (the
#    repository's own build is left as it is).
echo "build-deb: building the C tools with dpkg-buildflags"
SRC="$STAGE/src"
mkdir -p "$SRC/kmod/patch"
cp -a "$TOP/create-diff-object" "$SRC/"
cp "$TOP/kmod/patch/kpatch-patch.h" "$SRC/kmod/patch/"
run "$MAKE" -C "$SRC/create-diff-object" clean
cflags="$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CFLAGS)"
cflags+=" $(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CPPFLAGS)"
ldflags="$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS)"
run "$MAKE" -C "$SRC/create-diff-object" -j"$(nproc)" CFLAGS="$cflags" LDFLAGS="$ldflags"

# 2. The files, as `make install` lays them out for PREFIX=/usr.
echo "build-deb: staging make install PREFIX=/usr"
run "$MAKE" -C "$TOP" install-files PREFIX=/usr DESTDIR="$ROOT" TOOLSDIR="$SRC/create-diff-object" \
	SYSTEMDDIR="$ROOT/lib/systemd/system"
for f in "$ROOT"/usr/libexec/kpatch/*; do
	strip --strip-unneeded --remove-section=.comment --remove-section=.note "$f"
done
gzip -9n "$ROOT"/usr/share/man/man1/*.1
# Whatever the checkout's modes: readable by all, writable by root only.
find "$ROOT" -type f -exec chmod u+rw,go+r,go-w {} +

# The build host's files move to the -build package's root; the rest
# (kpatch, kpatch-dump, kpatch.service, kpatch(1)) is the runtime package.
BROOT="$STAGE/build-root"
for f in usr/bin/kpatch-build usr/bin/kpatch-fleet usr/libexec/kpatch/create-diff-object \
	 usr/libexec/kpatch/create-klp-module usr/share/kpatch \
	 usr/share/man/man1/kpatch-build.1.gz usr/share/man/man1/kpatch-fleet.1.gz; do
	[[ -e "$ROOT/$f" ]] || die "make install staged no $f"
	mkdir -p "$BROOT/$(dirname "$f")"
	mv "$ROOT/$f" "$BROOT/$f"
done

MAINT="$(debpkg_maintainer "kpatch-lts maintainers" "kpatch-lts@example.org")"
# package_docs ROOT PACKAGE OVERRIDES: copyright, changelog and lintian
# overrides of PACKAGE in ROOT.
package_docs() {
	local root="$1" pkg="$2" overrides="$3" doc="$1/usr/share/doc/$2"
	mkdir -p "$doc" "$root/usr/share/lintian/overrides"
	install -m 644 "$overrides" "$root/usr/share/lintian/overrides/$pkg"
	cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: kpatch-lts
Comment: kpatch-build, create-diff-object, create-klp-module, kpatch-dump
 and kpatch: build and manage Linux livepatch modules.

Files: *
Copyright: 2026 The kpatch-lts authors
License: GPL-2
 On Debian systems, the full text of the GNU General Public License
 version 2 can be found in the file /usr/share/common-licenses/GPL-2.
EOF
	debpkg_changelog "$doc" "$pkg" "$VERSION" "$MAINT" "$pkg $VERSION (make deb)."
}
package_docs "$ROOT" "$PKG" "$TOP/packaging/lintian-overrides"
package_docs "$BROOT" "$BPKG" "$TOP/packaging/lintian-overrides.build"
# The documentation once, in the runtime package (-build depends on it).
install -m 644 "$TOP/README.md" "$ROOT/usr/share/doc/$PKG/README.md"
for f in "$TOP"/doc/*.md; do install -m 644 "$f" "$ROOT/usr/share/doc/$PKG/"; done

# 3. Maintainer scripts: kpatch.service loads the patches installed under
#    /var/lib/kpatch (by `kpatch install` or a livepatch .deb) at boot, so
#    it is enabled on install (not started: that would load every patch
#    installed for this kernel at once) and forgotten on purge.
mkdir -p "$ROOT/DEBIAN"
cat >"$ROOT/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ] && [ -z "${DPKG_ROOT:-}" ] && command -v deb-systemd-helper >/dev/null 2>&1; then
	# Enabled unless the admin disabled it (deb-systemd-helper remembers).
	if deb-systemd-helper --quiet was-enabled kpatch.service || ! deb-systemd-helper debian-installed kpatch.service; then
		deb-systemd-helper enable kpatch.service >/dev/null || true
	else
		deb-systemd-helper update-state kpatch.service >/dev/null || true
	fi
fi
exit 0
EOF
cat >"$ROOT/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ -z "${DPKG_ROOT:-}" ] && command -v deb-systemd-helper >/dev/null 2>&1; then
	case "$1" in
	remove) deb-systemd-helper mask kpatch.service >/dev/null || true ;;
	purge)
		deb-systemd-helper purge kpatch.service >/dev/null || true
		deb-systemd-helper unmask kpatch.service >/dev/null || true ;;
	esac
fi
exit 0
EOF
chmod 755 "$ROOT/DEBIAN/postinst" "$ROOT/DEBIAN/postrm"

# 4. Depends: the tools' shared libraries, from dpkg-shlibdeps (it wants a
#    debian/control), then what running (kmod: insmod, rmmod, modinfo) and
#    building a livepatch module run.
# shlibs_of FILE...: the shlibs:Depends of the ELF files.
shlibs_of() {
	local d
	mkdir -p "$STAGE/debian"
	printf 'Source: %s\n\nPackage: %s\nArchitecture: amd64\n' "$PKG" "$PKG" >"$STAGE/debian/control"
	d="$(cd "$STAGE" && dpkg-shlibdeps -O "$@" 2>>"$LOG" | sed -n 's/^shlibs:Depends=//p')"
	rm -rf "$STAGE/debian"
	[[ -n "$d" ]] || { tail -n 5 "$LOG" >&2; die "dpkg-shlibdeps found no shared library dependencies in $*"; }
	echo "$d"
}
shlibs="$(shlibs_of "$ROOT"/usr/libexec/kpatch/*)"
bshlibs="$(shlibs_of "$BROOT"/usr/libexec/kpatch/*)"
# gcc make binutils: compile and link the objects and the module; libelf-dev
# bc flex bison libssl-dev: kbuild's host tools (objtool, fixdep,
# sign-file, ...) when it prepares a kernel tree; kmod: modinfo, insmod,
# rmmod; patch: apply the patch; xz-utils: Debian's linux-source tarball.
build="gcc, make, binutils, libelf-dev, bc, flex, bison, libssl-dev, kmod, patch, xz-utils"

debpkg_build "$ROOT" "$DEB" "$LOG" <<EOF || { tail -n 5 "$LOG" >&2; die "dpkg-deb failed"; }
Package: $PKG
Version: $VERSION
Architecture: amd64
Maintainer: $MAINT
Depends: $shlibs, kmod
Suggests: $BPKG, mokutil
Conflicts: kpatch
Section: kernel
Priority: optional
Description: load and manage Linux livepatch modules (kpatch compatible)
 kpatch loads, unloads, lists, inspects and installs livepatch modules
 (fixes of the running kernel that need no reboot), waits for each patch
 transition and explains one that stalls or a module the kernel refuses;
 kpatch.service loads the installed ones at boot. This is what a machine
 that runs livepatch packages needs (Depends: kpatch-lts | kpatch); the
 tools that build them are in $BPKG.
EOF
echo "build-deb: $DEB"

debpkg_build "$BROOT" "$BDEB" "$LOG" <<EOF || { tail -n 5 "$LOG" >&2; die "dpkg-deb failed"; }
Package: $BPKG
Version: $VERSION
Architecture: amd64
Maintainer: $MAINT
Depends: $PKG (= $VERSION), $bshlibs, $build
Recommends: dwarves, openssl
Suggests: mokutil, linux-source
Conflicts: kpatch-build
Section: kernel
Priority: optional
Description: build Linux livepatch modules (kpatch-build compatible)
 kpatch-build turns a kernel source patch into a livepatch module that
 fixes the running kernel without a reboot: it compiles only the objects
 the patch touches, compares them with create-diff-object and links the
 changed functions into a module, for Linux 6.1 and 6.12 (x86_64). It is
 command-line compatible with kpatch's kpatch-build, finds the pieces of
 Debian's kernels by itself, signs modules (--sign-key) and packages them
 (--deb); kpatch-fleet builds one patch for every kernel of a fleet.
EOF
echo "build-deb: $BDEB"
