#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmod-template-qemu.sh - test the module template (kmod/patch) alone, with
# a hand-written record object instead of create-diff-object's output:
# build it against the test kernel, boot it in qemu, check that
# /proc/cmdline changes, that the callbacks run (also for a module that is
# loaded later), and that the patch disables and unloads cleanly.
#
# Needs qemu (test/qemu/run-guest.sh). Prints PASS/FAIL lines.

set -o errexit -o nounset -o pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$DIR/../.." && pwd)"
eval "$(bash "$TOP/test/kernel/build-kernel.sh" --print-env)"
WORK="$(mktemp -d /tmp/kmod-template.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

cp "$TOP"/kmod/patch/* "$WORK/"
cp "$DIR/kmod-sample/sample-records.c" "$WORK/kpatch-patch-objs.c"
if ! make -C "$KBUILD" M="$WORK" KPATCH_NAME=livepatch-sample >"$WORK/build.log" 2>&1; then
	cat "$WORK/build.log"
	echo "FAIL kmod template: module build"
	exit 1
fi
if grep -q 'WARNING' "$WORK/build.log"; then
	grep WARNING "$WORK/build.log"
	echo "FAIL kmod template: build warnings"
	exit 1
fi
echo "PASS kmod template: module builds without warnings"
if [[ "$(modinfo -F kpatch_replace "$WORK/livepatch-sample.ko")" == Y &&
      "$(modinfo -F livepatch "$WORK/livepatch-sample.ko")" == Y ]]; then
	echo "PASS kmod template: modinfo livepatch=Y kpatch_replace=Y"
else
	echo "FAIL kmod template: modinfo livepatch/kpatch_replace"
fi

cat >"$WORK/guest.sh" <<'EOT'
. /lib/guest-lib.sh
orig="$(cat /proc/cmdline)"
check "module loads" klp_load /root/livepatch-sample.ko
check "/proc/cmdline patched" grep -q "this has been live patched by the template" /proc/cmdline
check "pre_patch callback ran" sh -c 'dmesg | grep -q "kpatch-sample: pre_patch vmlinux"'
modprobe dummy
check "callback-only object: post_patch for dummy" sh -c 'dmesg | grep -q "kpatch-sample: post_patch dummy"'
check "module unloads" klp_unload livepatch_sample
check "/proc/cmdline restored" sh -c "[ \"\$(cat /proc/cmdline)\" = \"$orig\" ]"
check "post_unpatch callback ran" sh -c 'dmesg | grep -q "kpatch-sample: post_unpatch vmlinux"'
rmmod dummy
exit $GUEST_FAILS
EOT
if "$TOP/test/qemu/run-guest.sh" --timeout 180 --add "$WORK/livepatch-sample.ko" \
	"$WORK/guest.sh" >"$WORK/guest.log" 2>&1; then
	grep -E 'GUEST-(PASS|FAIL)' "$WORK/guest.log" | sed 's/^GUEST-/    /'
	echo "PASS kmod template: loads, patches /proc/cmdline, callbacks run, unloads"
else
	grep -E 'GUEST-|run-guest|kpatch-sample|livepatch' "$WORK/guest.log" | sed 's/^/    | /'
	echo "FAIL kmod template: guest run"
	exit 1
fi
