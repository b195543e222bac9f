#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Distro-native kpatch-build (issue 8), without qemu:
# - without -s, Debian's pieces are found for -a KVER; what is missing is
#   named with the exact apt-get line (a fake system root, KPATCH_ROOT);
# - a linux-source package of another Debian version than the kernel's is
#   refused, showing both;
# - files the config builds into neither vmlinux nor a module (joydev.c,
#   drivers/usb/core/usb.c: the test kernel has neither) are reported by
#   name and left out; a patch with nothing left is refused with that reason;
# - the module's vermagic is the target's release (utsrelease.h), not the
#   source Makefile's version.
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PATCHES="$TOP/test/driver/patches"

# ---------------------------------------------------------------- discovery
kver=6.1.0-99-kpatchtest-amd64
root="$WORK/root"
mkdir -p "$root/var/lib/dpkg"
: >"$root/var/lib/dpkg/status"
rc=0
KPATCH_ROOT="$root" CACHEDIR="$WORK/cache" "$KB" -a "$kver" "$PATCHES/joydev.patch" >"$WORK/log" 2>&1 || rc=$?
want="apt-get install linux-headers-$kver linux-image-$kver-dbg linux-source-6.1"
if [[ $rc -ne 0 ]] && grep -qxF "    $want" "$WORK/log"; then
	pass "discovery: missing pieces named with '$want'"
else
	fail "discovery: no apt-get line (rc=$rc)"; sed 's/^/    | /' "$WORK/log"
fi
grep -q "missing $root/usr/lib/debug/boot/vmlinux-$kver" "$WORK/log" &&
	pass "discovery: names the missing vmlinux path" ||
	fail "discovery: the missing vmlinux path is not named"

# Everything there, but linux-source-6.1 is 6.1.192-2 and the kernel 6.1.192-3.
mkdir -p "$root/usr/src/linux-headers-$kver" "$root/usr/lib/debug/boot" "$root/boot"
touch "$root/usr/src/linux-headers-$kver/Module.symvers" "$root/usr/src/linux-headers-$kver/Makefile"
cp "$KCONFIG" "$root/boot/config-$kver"
printf 'junk\0Linux version %s (debian-kernel@lists.debian.org) (gcc-12) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-26)\n\0' \
	"$kver" >"$root/usr/lib/debug/boot/vmlinux-$kver"
: >"$root/usr/src/linux-source-6.1.tar.xz"
cat >"$root/var/lib/dpkg/status" <<EOT
Package: linux-source-6.1
Status: install ok installed
Priority: optional
Section: kernel
Architecture: all
Version: 6.1.192-2
Description: Linux kernel source (fake entry of test-debian.sh)

EOT
rc=0
KPATCH_ROOT="$root" CACHEDIR="$WORK/cache" "$KB" -a "$kver" "$PATCHES/joydev.patch" >"$WORK/log" 2>&1 || rc=$?
if [[ $rc -ne 0 ]] && grep -q "linux-source-6.1 is 6.1.192-2 but kernel $kver is 6.1.192-3" "$WORK/log" &&
   grep -qxF "    apt-get install linux-source-6.1=6.1.192-3" "$WORK/log"; then
	pass "discovery: source/image version mismatch refused, both shown: $(grep ERROR "$WORK/log" | cut -c1-100)"
else
	fail "discovery: version mismatch not refused (rc=$rc)"; sed 's/^/    | /' "$WORK/log"
fi

# ---------------------------------------------------------------- not built
setup_user_tree
cache="$TEST_ROOT/cache"
rc=0
kb "$cache" -o "$WORK" "$PATCHES/joydev.patch" >"$WORK/log" 2>&1 || rc=$?
if [[ $rc -ne 0 ]] && grep -q "drivers/input/joydev.c: not built with this config (CONFIG_INPUT_JOYDEV is not set)" "$WORK/log" &&
   grep -q "ERROR: nothing to build: every file the patch changes is not built with this config (drivers/input/joydev.c)" "$WORK/log" &&
   [[ ! -e "$WORK/livepatch-joydev.ko" ]]; then
	pass "not built: joydev.c named, patch refused with the reason, no module"
else
	fail "not built: joydev.c (rc=$rc)"; tail -n 8 "$WORK/log" | sed 's/^/    | /'
fi
[[ ! -e "$cache/obj/drivers/input/joydev.o" ]] &&
	pass "not built: joydev.o was never compiled" || fail "not built: joydev.o was compiled"
rc=0
kb "$cache" -o "$WORK" "$PATCHES/usb.patch" >"$WORK/log" 2>&1 || rc=$?
if [[ $rc -ne 0 ]] && grep -q "drivers/usb/core/usb.c: not built with this config" "$WORK/log" &&
   grep -q "nothing to build" "$WORK/log" && ! grep -qi "error:.*usb.c:[0-9]" "$WORK/log"; then
	pass "not built: usb.c (its directory is not visited) named and refused, no compiler error"
else
	fail "not built: usb.c (rc=$rc)"; tail -n 8 "$WORK/log" | sed 's/^/    | /'
fi
make_patch "$WORK/cmdline.patch"
rc=0
kb "$cache" -o "$WORK" -n livepatch-mixed "$PATCHES/joydev.patch" "$PATCHES/usb.patch" "$WORK/cmdline.patch" \
	>"$WORK/log" 2>&1 || rc=$?
if [[ $rc -eq 0 ]] && grep -q "joydev.c: not built with this config" "$WORK/log" &&
   grep -q "usb.c: not built with this config" "$WORK/log" &&
   grep -q "cmdline.o: changed function: cmdline_proc_show" "$WORK/log" &&
   [[ -f "$WORK/livepatch-mixed.ko" ]] && ! "$TOP/create-diff-object/kpatch-dump" "$WORK/livepatch-mixed.ko" | grep -q joydev; then
	pass "not built: joydev+usb+cmdline builds the cmdline part only"
else
	fail "not built: mixed patch (rc=$rc)"; tail -n 8 "$WORK/log" | sed 's/^/    | /'
fi

# ---------------------------------------------------------------- release
krel="$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$KBUILD/include/generated/utsrelease.h")"
vm="$(modinfo -F vermagic "$WORK/livepatch-mixed.ko" 2>/dev/null)"
if [[ -n "$krel" && "${vm%% *}" == "$krel" ]]; then
	pass "release: vermagic '${vm%% *}' is the target's utsrelease.h"
else
	fail "release: vermagic '$vm', target $krel"
fi
# A build dir whose utsrelease.h disagrees with the vmlinux banner is refused.
fakeb="$WORK/fakebuild"
mkdir -p "$fakeb/include/generated"
cp "$KCONFIG" "$fakeb/.config"
touch "$fakeb/Module.symvers" "$fakeb/Makefile"
echo '#define UTS_RELEASE "6.1.0-1-other"' >"$fakeb/include/generated/utsrelease.h"
rc=0
CACHEDIR="$WORK/cache2" "$KB" -s "$USER_TREE" -c "$fakeb/.config" -v "$VMLINUX" "$WORK/cmdline.patch" \
	>"$WORK/log" 2>&1 || rc=$?
if [[ $rc -ne 0 ]] && grep -q "is release $krel but the build dir $fakeb is 6.1.0-1-other" "$WORK/log"; then
	pass "release: vmlinux/build dir release mismatch refused"
else
	fail "release: mismatch not refused (rc=$rc)"; tail -n 5 "$WORK/log" | sed 's/^/    | /'
fi
finish
