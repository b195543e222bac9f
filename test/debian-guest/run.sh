#!/bin/bash
# shellcheck disable=SC2119 # report_summary's optional argument is a prefix
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the livepatch packages in a real Debian 12 machine: dpkg, apt and
# systemd, on Debian's own 6.1 cloud kernel, under qemu (TCG).
#
# On the host:
#  - the newest complete 6.1 cloud set (and a 6.12 one, the "other kernel")
#    with kpatch-build/lib/debfetch.sh, as test/debian/run.sh does;
#  - `make deb` (the runtime package kpatch-lts: no compiler on the guest)
#    and, with kpatch-build --deb for that exact
#    kernel: livepatch-cmdline version 1 (module livepatch-cmdline-1,
#    test/integration/cmdline-string.patch: " kpatch=1" in /proc/cmdline),
#    version 2 (module livepatch-cmdline-2, the cumulative
#    patches/cmdline-v2.patch: " kpatch=2"), and livepatch-cmdline-k612
#    built for the 6.12 kernel;
#  - a fleet repository of them (dpkg-scanpackages, apt-ftparchive release):
#    v1/ publishes version 1, v2/ versions 1 and 2;
#  - the guest image (image.sh: mmdebstrap of bookworm with systemd, kmod,
#    initramfs-tools, what kpatch-lts depends on, and both kernels' image
#    packages; ext4 by mkfs.ext4 -d), cached by its inputs.
# In the guest (guest.sh, run at each boot by the image's guest-run.service
# through test/qemu/run-guest.sh --disk): apt install, reboot and
# kpatch.service, the cumulative upgrade with no gap, apt remove and purge,
# the package for another kernel, apt update && apt upgrade from the fleet
# repository; dmesg clean at every boot.
# Prints the image build time (cold or cached) and the install, reboot and
# remove times; ends with one line "N passed, N failed, N skipped".
#
# Usage: run.sh [--debver VERSION] [--rebuild-image]
#   --debver V        pin the 6.1 set of Debian version V (default: newest)
#   --rebuild-image   make the guest image again (a cold build) even if cached
# KPATCH_DEBIAN=0 skips the suite (machines without Debian's archive).
# KPATCH_GUEST_KEEP=DIR keeps the packages, the console log and the logs.

set -o nounset -o pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$DIR/../.." && pwd)"
KPATCH_BUILD="${KPATCH_BUILD:-$TOP/kpatch-build/kpatch-build}"
CACHE="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
# shellcheck source=../lib/report.sh
. "$TOP/test/lib/report.sh"
# shellcheck source=../../kpatch-build/lib/debfetch.sh
. "$TOP/kpatch-build/lib/debfetch.sh"
# shellcheck source=image.sh
. "$DIR/image.sh"

SUITE=bookworm
# The machine: systemd as init, udev, kmod, and initramfs-tools (what
# Debian's kernel image packages depend on); apt and dpkg come with the
# variant. What kpatch-lts (the runtime package) depends on is added from
# its control file, so `apt install ./kpatch-lts_*.deb` finds it installed
# (the guest has no network).
BASE_PKGS="systemd,systemd-sysv,udev,kmod,initramfs-tools"
PKG=livepatch-cmdline
DEBVER=""
REBUILD=0
while [[ $# -gt 0 ]]; do
	case "$1" in
	--debver) DEBVER="$2"; shift ;;
	--rebuild-image) REBUILD=1 ;;
	-h|--help) sed -n '4,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done

if [[ "${KPATCH_DEBIAN:-1}" == 0 ]]; then
	skip "debian-guest: KPATCH_DEBIAN=0"
	report_summary
	exit
fi
for t in mmdebstrap mkfs.ext4 qemu-system-x86_64 dpkg-scanpackages apt-ftparchive; do
	command -v "$t" >/dev/null || { fail "debian-guest: $t is not installed (test/kernel/install-deps.sh)"; report_summary; exit; }
done

OUT="$(mktemp -d /tmp/debian-guest.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
mkdir -p "$OUT/debs"
SUITE_START=$SECONDS

# kernel_set SERIES [VERSION]: "KVER VERSION ROOT" of the cloud set.
kernel_set() {
	local series="$1" ver="${2:-}" kver root
	if [[ -n $ver ]]; then
		kver="$(debfetch_kver "$series" cloud-amd64 "$ver")" || return 1
	else
		read -r kver ver < <(debfetch_newest "$series" cloud-amd64) || return 1
	fi
	[[ -n ${ver:-} ]] || return 1
	root="$(debfetch_root "$kver" "$ver" "$CACHE/debian")" || return 1
	echo "$kver $ver $root"
}

# tools_hash: a hash of the sources of kpatch-build, its module template
# and create-diff-object (what makes a livepatch).
tools_hash() {
	find "$TOP/kpatch-build" "$TOP/kmod" "$TOP/create-diff-object" -type f \
		\( -name '*.[ch]' -o -name '*.sh' -o -name '*.mk' -o -name '*.lds' -o -name Makefile \
		   -o -name Kbuild -o -name kpatch-build \) \
		-not -path '*/tests/*' -not -path '*/fuzz/*' -print0 | LC_ALL=C sort -z | xargs -0 cat | sha256sum | cut -c1-16
}

# build_deb KVER ROOT NAME PACKAGE VERSION PATCH: kpatch-build --deb for
# KVER, as test/debian/run.sh runs it, into OUT/debs; prints the .deb's file
# name. Packages are kept in CACHE/debian-guest-debs/KEY (KEY: the
# arguments, the patch and the tools' sources), made again when one changes.
build_deb() {
	local kver="$1" root="$2" name="$3" pkg="$4" ver="$5" patch="$6" deb key
	deb="${pkg}_${ver}_amd64.deb"
	key="$({ echo "$kver $root $name $pkg $ver"; cat "$patch"; echo "$TOOLS_HASH"; } | sha256sum | cut -c1-16)"
	if [[ -f "$DEB_CACHE/$key/$deb" ]]; then
		cp "$DEB_CACHE/$key/$deb" "$OUT/debs/"
		echo "$deb"
		return 0
	fi
	CACHEDIR="$CACHE/debian/kpatch-build-$kver" KPATCH_SRC_CACHE="$CACHE/src" KPATCH_ROOT="$root" \
		"$KPATCH_BUILD" -a "$kver" -n "$name" -o "$OUT/build-$name" --deb --deb-package "$pkg" \
		--deb-version "$ver" "$patch" >"$OUT/$name.log" 2>&1 || {
		tail -n 12 "$OUT/$name.log" | sed 's/^/    | /' >&2
		return 1
	}
	[[ -f "$OUT/build-$name/$deb" ]] || { echo "no $deb" >&2; return 1; }
	cp "$OUT/build-$name/$deb" "$OUT/debs/"
	mkdir -p "$DEB_CACHE/$key" && cp "$OUT/build-$name/$deb" "$DEB_CACHE/$key/"
	echo "$deb"
}

# fleet_repo: OUT/repo/pool with every package, v1/ the index that
# publishes version 1 of PKG, v2/ versions 1 and 2 (Packages, Release).
fleet_repo() {
	local r="$OUT/repo" v
	mkdir -p "$r/pool" "$r/v1" "$r/v2"
	cp "$OUT/debs/$DEB_TOOLS" "$OUT/debs/$DEB1" "$OUT/debs/$DEB2" "$r/pool/"
	(cd "$r" && dpkg-scanpackages --multiversion pool /dev/null >v2/Packages 2>"$OUT/scan.log") || return 1
	awk -v RS= -v ORS='\n\n' -v pkg="$PKG" '!($0 ~ "(^|\n)Package: " pkg "\n" && $0 ~ /\nVersion: 2\n/)' \
		"$r/v2/Packages" >"$r/v1/Packages"
	for v in v1 v2; do
		(cd "$r/$v" && apt-ftparchive release . >"$OUT/Release.$v") && mv "$OUT/Release.$v" "$r/$v/Release" || return 1
	done
	grep -q "^Version: 2$" "$r/v2/Packages" && ! grep -q "^Version: 2$" "$r/v1/Packages"
}

# ------------------------------------------------------------ the host side

read -r KVER DEBVER ROOT < <(kernel_set 6.1 "$DEBVER")
[[ -n ${ROOT:-} ]] || { fail "debian-guest: no complete 6.1 cloud set in apt (apt-get update?)"; report_summary; exit; }
read -r OTHER_KVER OTHER_DEBVER OTHER_ROOT < <(kernel_set 6.12)
[[ -n ${OTHER_ROOT:-} ]] || { fail "debian-guest: no complete 6.12 cloud set in apt (the other kernel)"; report_summary; exit; }
echo "# kernels: $KVER ($DEBVER), other $OTHER_KVER ($OTHER_DEBVER): ready in $((SECONDS - SUITE_START)) s"
KDEB="$(compgen -G "$CACHE/debian/debs/$DEBVER/linux-image-$KVER-unsigned_*.deb" | head -n1)"
OTHER_KDEB="$(compgen -G "$CACHE/debian/debs/$OTHER_DEBVER/linux-image-$OTHER_KVER-unsigned_*.deb" | head -n1)"

# The runtime package only: the guest is a production machine (no compiler).
if make -s -C "$TOP" deb DEBOUT="$OUT/tools" >"$OUT/make-deb.log" 2>&1 &&
   DEB_TOOLS="$(basename "$(compgen -G "$OUT/tools/kpatch-lts_*_amd64.deb" | head -n1)")" && [[ $DEB_TOOLS == kpatch-lts_* ]] &&
   cp "$OUT/tools/$DEB_TOOLS" "$OUT/debs/"; then
	pass "debian-guest: make deb: $DEB_TOOLS (Depends: $(dpkg-deb -f "$OUT/debs/$DEB_TOOLS" Depends))"
else
	fail "debian-guest: make deb"; tail -n 10 "$OUT/make-deb.log" | sed 's/^/    | /'
	report_summary; exit
fi

start=$SECONDS
TOOLS_HASH="$(tools_hash)"
DEB_CACHE="$CACHE/debian-guest-debs"
DEB1="" DEB2="" DEBO=""
DEB1="$(build_deb "$KVER" "$ROOT" livepatch-cmdline-1 "$PKG" 1 "$TOP/test/integration/cmdline-string.patch")" &&
DEB2="$(build_deb "$KVER" "$ROOT" livepatch-cmdline-2 "$PKG" 2 "$DIR/patches/cmdline-v2.patch")" &&
DEBO="$(build_deb "$OTHER_KVER" "$OTHER_ROOT" livepatch-cmdline-k612 livepatch-cmdline-k612 1 "$TOP/test/integration/cmdline-string.patch")"
if [[ -n $DEB1 && -n $DEB2 && -n $DEBO ]]; then
	pass "debian-guest: kpatch-build --deb: $DEB1, $DEB2 ($KVER), $DEBO ($OTHER_KVER) in $((SECONDS - start)) s"
else
	fail "debian-guest: kpatch-build --deb failed (1: ${DEB1:-no}, 2: ${DEB2:-no}, other: ${DEBO:-no})"
	report_summary; exit
fi
if fleet_repo; then
	pass "debian-guest: fleet repository: Packages and Release of version 1 (v1/) and 1+2 (v2/)"
else
	fail "debian-guest: making the fleet repository failed"; sed 's/^/    | /' "$OUT/scan.log" 2>/dev/null
	report_summary; exit
fi

# The image: the machine, what kpatch-lts depends on (its first
# alternatives, without versions: its libraries and kmod), both kernels.
tools_deps="$(dpkg-deb -f "$OUT/debs/$DEB_TOOLS" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep . | paste -sd,)"
IMG_CACHE="$CACHE/debian-guest"
[[ $REBUILD -eq 1 ]] && rm -rf "${IMG_CACHE:?}"/*
key="$(guest_image_key "$SUITE" "$BASE_PKGS,$tools_deps" "$KDEB" "$OTHER_KDEB")"
cold=cached
[[ -f "$IMG_CACHE/$key/.ready" ]] || cold=cold
start=$SECONDS
if IMG="$(guest_image "$IMG_CACHE" "$SUITE" "$BASE_PKGS,$tools_deps" "$KDEB" "$OTHER_KDEB")"; then
	echo "# guest image ($cold): $((SECONDS - start)) s ($IMG)"
	pass "debian-guest: guest image $key ($SUITE, mmdebstrap $(mmdebstrap --version | awk '{ print $2 }')): ready in $((SECONDS - start)) s ($cold)"
else
	fail "debian-guest: making the guest image failed"
	report_summary; exit
fi

# ------------------------------------------------------------ the guest

cp --sparse=always "$IMG/root.ext4" "$OUT/root.img"
{
	printf 'KVER=%q\nOTHER_KVER=%q\nPKG=%q\nPKGO=%q\n' "$KVER" "$OTHER_KVER" "$PKG" livepatch-cmdline-k612
	printf 'M1=%q\nM2=%q\nMO=%q\n' livepatch_cmdline_1 livepatch_cmdline_2 livepatch_cmdline_k612
	printf 'DEB_TOOLS=%q\nDEB1=%q\nDEB2=%q\nDEBO=%q\n' "$DEB_TOOLS" "$DEB1" "$DEB2" "$DEBO"
} >"$OUT/guest.env"
printf 'BZIMAGE=%q\nINITRD=%q\nMODDIR=\n' "$IMG/vmlinuz-$KVER" "$IMG/initrd.img-$KVER" >"$OUT/kernel.env"
start=$SECONDS
rc=0
bash "$TOP/test/qemu/run-guest.sh" --kernel-env "$OUT/kernel.env" --disk "$OUT/root.img" --boots 2 \
	--mem 1024 --timeout "${KPATCH_GUEST_TIMEOUT:-1800}" --log "$OUT/console.raw" \
	--add "$OUT/guest.env:/root/guest.env" --add "$OUT/debs:/root/debs" --add "$OUT/repo:/srv/fleet" \
	"$DIR/guest.sh" >"$OUT/console.log" 2>&1 || rc=$?
GUEST_TIME=$((SECONDS - start))
echo "# guest: two boots and every step in $GUEST_TIME s (qemu, TCG; exit $rc)"
sed -n 's/^GUEST-\(PASS\|FAIL\): \(.*\)$/\1 debian-guest: \2/p' "$OUT/console.log" | tr -d '\r' | while IFS= read -r line; do
	echo "$line"
done >"$OUT/results"
while IFS= read -r line; do
	case "$line" in
	PASS*) pass "${line#PASS }" ;;
	FAIL*) fail "${line#FAIL }" ;;
	esac
done <"$OUT/results"
for step in step1 step2 step3 step4 step5 repo; do
	grep -q "^GUEST-STEP-DONE: $step" "$OUT/console.log" || fail "debian-guest: $step did not run to its end in the guest"
done
t_install="$(sed -n 's/^GUEST-TIME: install //p' "$OUT/console.log")"
t_reboot="$(sed -n 's/^GUEST-TIME: reboot //p' "$OUT/console.log")"
t_remove="$(sed -n 's/^GUEST-TIME: remove //p' "$OUT/console.log")"
if [[ -n $t_install && -n $t_reboot && -n $t_remove ]]; then
	echo "# cycle: install $t_install s, reboot $t_reboot s, remove $t_remove s: $((t_install + t_reboot + t_remove)) s (guest clock, TCG)"
fi
case $rc in
0) pass "debian-guest: the guest ended with no failed check and a clean dmesg at every boot" ;;
125) fail "debian-guest: the guest's dmesg shows a kernel problem"; grep -A5 'run-guest: FAIL' "$OUT/console.log" | sed 's/^/    | /' ;;
*) grep -q '^GUEST-FAIL' "$OUT/console.log" || { fail "debian-guest: guest exit $rc"; tail -n 30 "$OUT/console.log" | sed 's/^/    | /'; } ;;
esac
if [[ -n "${KPATCH_GUEST_KEEP:-}" ]]; then
	mkdir -p "$KPATCH_GUEST_KEEP" && cp -r "$OUT/debs" "$OUT/repo" "$OUT/console.log" "$OUT/console.raw" "$OUT"/*.log "$KPATCH_GUEST_KEEP/" 2>/dev/null
fi
echo "# debian-guest suite: $((SECONDS - SUITE_START)) s"
report_summary
