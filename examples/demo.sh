#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - the whole job, end to end, on a fresh Debian 12 machine:
#   1. install the Debian packages that are missing,
#   2. build the C tools,
#   3. build (or reuse) the cached Linux 6.1 test kernel
#      (first run: about 8-10 minutes on 2 cores; later runs: seconds),
#   4. build a livepatch module from examples/cmdline.patch with kpatch-build,
#   5. boot the test kernel in qemu and show /proc/cmdline before the patch,
#      while it is loaded (kpatch load) and after kpatch unload.
#
# Usage: examples/demo.sh [PATCH]      (default: examples/cmdline.patch)

set -o errexit -o nounset -o pipefail

TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PATCH="$(realpath "${1:-$TOP/examples/cmdline.patch}")"
NAME="livepatch-$(basename "$PATCH" .patch)"
START=$SECONDS
step() { echo; echo "==> [$((SECONDS - START)) s] $*"; }

step "installing missing Debian packages"
bash "$TOP/test/kernel/install-deps.sh"

step "building the C tools"
make -s -C "$TOP"

step "preparing the test kernel (cached under ~/.cache/kpatch-lts; the first build takes about 8-10 minutes)"
bash "$TOP/test/kernel/build-kernel.sh"
eval "$(bash "$TOP/test/kernel/build-kernel.sh" --print-env)"

step "kpatch-build $(basename "$PATCH")"
OUT="$(mktemp -d /tmp/kpatch-demo.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
"$TOP/kpatch-build/kpatch-build" -s "$KSRC" -c "$KCONFIG" -v "$VMLINUX" -n "$NAME" -o "$OUT" "$PATCH"

step "booting the test kernel in qemu and applying the livepatch"
cat >"$OUT/guest.sh" <<GUEST
echo "----- /proc/cmdline before the patch:"
cat /proc/cmdline
echo "----- kpatch load $NAME.ko"
kpatch load /root/$NAME.ko || exit 1
kpatch list
echo "----- /proc/cmdline while the patch is loaded:"
cat /proc/cmdline
echo "----- kpatch unload $NAME"
kpatch unload $NAME || exit 1
echo "----- /proc/cmdline after unload:"
cat /proc/cmdline
GUEST
"$TOP/test/qemu/run-guest.sh" --add "$OUT/$NAME.ko" --add "$TOP/kpatch/kpatch:/root/kpatch" "$OUT/guest.sh" |
	sed -n '/^-----/,/^GUEST-EXIT/p' | grep -v '^GUEST-EXIT'
step "done"
