#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-6.12.sh - prove kpatch-build on Debian's own 6.12 cloud kernel (IBT).
#
# Fetches (apt-get download, cached under ~/.cache/kpatch-lts/debian/) the
# exact packages of linux-image-6.12.117+deb12-cloud-amd64: the unsigned
# image, its -dbg vmlinux and modules, the headers (+ common, kbuild), and
# linux-source-6.12 of the same version. Then
#  - builds every test/integration patch that applies with only
#    kpatch-build -s <linux-source-6.12> -c <headers/.config> -v <dbg vmlinux>
#    and proves it in qemu on Debian's vmlinuz with Debian's own modules
#    (test/integration/run.sh with KPATCH_KERNEL_ENV): test fails, load,
#    test passes, unload, test fails, dmesg clean;
#  - with --times, measures cold (empty CACHEDIR) and warm (second run) build
#    times of examples/cmdline.patch.
#
# Usage: run-6.12.sh [--times] [--only-times] [NAME...]
# KPATCH_DEBIAN=0 skips it (machines without Debian's archive).
# Ends with "N passed, N failed, N skipped" (test/lib/report.sh).

set -o errexit -o nounset -o pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$HERE/../.." && pwd)"
CACHE="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
SRCPKG=linux-source-6.12
VERSION=6.12.117-1~deb12u1
KVER=6.12.117+deb12-cloud-amd64
PKGS=(linux-image-$KVER-unsigned linux-image-$KVER-dbg linux-headers-$KVER
      linux-headers-6.12.117+deb12-common linux-kbuild-6.12.117+deb12)
# modules the integration patches patch, and that the cloud kernel has
GUEST_MODULES=(drivers/block/loop.ko drivers/net/dummy.ko)

DEBS="$CACHE/debian/$VERSION"
ROOT="$CACHE/debian/root-$KVER"
KB="$CACHE/debian/kb-$KVER"
GUEST="$CACHE/debian/guest-$KVER"
ENVF="$CACHE/debian/env-$KVER"
TIMES=0
ONLY_TIMES=0
NAMES=()

die() { echo "debian-6.12: error: $*" >&2; exit 1; }
note() { echo "debian-6.12: $*" >&2; }

while [[ $# -gt 0 ]]; do
	case "$1" in
	--times) TIMES=1 ;;
	--only-times) TIMES=1; ONLY_TIMES=1 ;;
	-h|--help) sed -n '4,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) NAMES+=("$1") ;;
	esac
	shift
done

fetch() {
	local p missing=()
	mkdir -p "$DEBS"
	for p in "${PKGS[@]}"; do
		compgen -G "$DEBS/${p}_${VERSION//\~/%7e}_*.deb" >/dev/null ||
			compgen -G "$DEBS/${p}_${VERSION}_*.deb" >/dev/null || missing+=("$p=$VERSION")
	done
	if [[ ${#missing[@]} -gt 0 ]]; then
		note "downloading ${missing[*]}"
		(cd "$DEBS" && apt-get download "${missing[@]}" >/dev/null 2>&1) ||
			die "apt-get download ${missing[*]} failed (apt-get update?)"
	fi
	"$TOP/test/kernel/install-deps.sh" "$SRCPKG" xz-utils
}

# The packages' files under $ROOT, as dpkg would install them.
extract() {
	local f
	[[ -f "$ROOT/.extracted" ]] && return 0
	note "extracting the packages into $ROOT"
	rm -rf "$ROOT.tmp"
	mkdir -p "$ROOT.tmp"
	for f in "$DEBS"/*.deb; do
		dpkg-deb -x "$f" "$ROOT.tmp" || die "dpkg-deb -x $f failed"
	done
	touch "$ROOT.tmp/.extracted"
	rm -rf "$ROOT"
	mv "$ROOT.tmp" "$ROOT"
}

# The kernel build dir as /usr/src/linux-headers-$KVER is on a Debian
# machine (symlinks made absolute), with the running kernel's module
# objects (from -dbg, symbols intact) where kpatch-build looks for a
# patched module's .ko.
kbuild_dir() {
	local h="$ROOT/usr/src/linux-headers-$KVER" l m
	[[ -f "$KB/.ready" ]] && return 0
	rm -rf "$KB"
	cp -a "$h" "$KB"
	for l in scripts tools; do
		rm -f "$KB/$l"
		ln -s "$ROOT/usr/lib/linux-kbuild-6.12.117+deb12/$l" "$KB/$l"
	done
	# its Makefile includes the common headers by their installed path
	sed -i "s|/usr/src/|$ROOT/usr/src/|" "$KB/Makefile"
	for m in "${GUEST_MODULES[@]}"; do
		mkdir -p "$KB/modules/$(dirname "$m")"
		cp "$ROOT/usr/lib/debug/lib/modules/$KVER/kernel/$m" "$KB/modules/$m"
	done
	touch "$KB/.ready"
}

# The guest's /lib/modules/$KVER: Debian's (stripped) modules, unpacked.
guest_modules() {
	local m d="$GUEST/lib/modules/$KVER"
	[[ -f "$GUEST/.ready" ]] && return 0
	rm -rf "$GUEST"
	mkdir -p "$d"
	cp "$ROOT/lib/modules/$KVER/modules.order" "$ROOT/lib/modules/$KVER/modules.builtin" "$d/"
	for m in "${GUEST_MODULES[@]}"; do
		mkdir -p "$d/kernel/$(dirname "$m")"
		xz -dc "$ROOT/lib/modules/$KVER/kernel/$m.xz" >"$d/kernel/$m"
	done
	depmod -b "$GUEST" "$KVER" || die "depmod for $KVER failed"
	touch "$GUEST/.ready"
}

write_env() {
	local src
	src="$(bash "$TOP/test/kernel/build-kernel.sh" --kernel 6.12 --source-only)" ||
		die "cannot unpack $SRCPKG"
	eval "$src"
	src="$KSRC"
	[[ -d "$src" ]] || die "no linux-source-6.12 tree at $src"
	cat >"$ENVF" <<EOF
KPATCH_TEST_KERNEL=6.12
KERNEL_NAME=$(printf %q "debian-$KVER")
KSRC=$(printf %q "$src")
KBUILD=$(printf %q "$KB")
KVER=$(printf %q "$KVER")
BZIMAGE=$(printf %q "$ROOT/boot/vmlinuz-$KVER")
VMLINUX=$(printf %q "$ROOT/usr/lib/debug/boot/vmlinux-$KVER")
KCONFIG=$(printf %q "$KB/.config")
SYMVERS=$(printf %q "$KB/Module.symvers")
MODDIR=$(printf %q "$GUEST/lib/modules/$KVER")
SKIP_PATCHES=(
	"module-ext2: Debian's cloud kernel does not build fs/ext2 (CONFIG_EXT2_FS is not set; ext4 mounts ext2)"
	"module-call-vmlinux-new-function: it patches fs/ext2, which Debian's cloud kernel does not build"
	"module-minix: Debian's cloud kernel does not build fs/minix (CONFIG_MINIX_FS is not set)"
	"modversions-crc-FAIL: it changes a header; Debian's headers package has no dependency lists, so kpatch-build would rebuild the whole kernel (hours on 2 cores)"
)
EOF
}

# cmdline_times: cold and warm kpatch-build of examples/cmdline.patch.
cmdline_times() {
	local c="$CACHE/debian/times-$KVER" out t0 cold warm
	# shellcheck disable=SC1090
	source "$ENVF"
	out="$(mktemp -d /tmp/debian-6.12.XXXXXX)"
	rm -rf "$c"
	t0=$SECONDS
	CACHEDIR="$c" "$TOP/kpatch-build/kpatch-build" -s "$KSRC" -c "$KCONFIG" -v "$VMLINUX" \
		-o "$out" "$TOP/examples/cmdline.patch" >"$out/cold.log" 2>&1 ||
		{ tail -n 20 "$out/cold.log" >&2; die "cold build of examples/cmdline.patch failed"; }
	cold=$((SECONDS - t0))
	t0=$SECONDS
	CACHEDIR="$c" "$TOP/kpatch-build/kpatch-build" -s "$KSRC" -c "$KCONFIG" -v "$VMLINUX" \
		-o "$out" "$TOP/examples/cmdline.patch" >"$out/warm.log" 2>&1 ||
		{ tail -n 20 "$out/warm.log" >&2; die "warm build of examples/cmdline.patch failed"; }
	warm=$((SECONDS - t0))
	echo "cmdline.patch on Debian $KVER: cold ${cold} s, warm ${warm} s ($(modinfo -F vermagic "$out/livepatch-cmdline.ko"))"
	rm -rf "$out"
}

if [[ "${KPATCH_DEBIAN:-1}" == 0 ]]; then
	echo "SKIP debian-6.12: KPATCH_DEBIAN=0"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
fetch
extract
kbuild_dir
guest_modules
write_env
[[ $TIMES -eq 1 ]] && cmdline_times
[[ $ONLY_TIMES -eq 1 ]] && exit 0
KPATCH_KERNEL_ENV="$ENVF" exec bash "$TOP/test/integration/run.sh" "${NAMES[@]}"
