#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmod-template-qemu.sh - test the module template (kmod/patch) alone, with
# a hand-written record object (kmod-sample/sample-records.c) instead of
# create-diff-object's output: build it against the test kernel, boot it in
# qemu, check that /proc/cmdline changes, that the callbacks run (also those
# of a callback-only object, for a module loaded later), and that the patch
# disables and unloads cleanly with a clean dmesg.
#
# Needs the test kernel and qemu (test/qemu/run-guest.sh). One check per
# host step and per guest check; ends with "N passed, N failed, N skipped"
# (test/lib/report.sh), exit 1 when a check failed.

# shellcheck disable=SC2119 # report_summary's optional argument is a prefix
set -o nounset -o pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$DIR/../.." && pwd)"
# shellcheck source=test/lib/report.sh
. "$TOP/test/lib/report.sh"
WORK="$(mktemp -d /tmp/kmod-template.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
if ! bash "$TOP/test/kernel/build-kernel.sh" --print-env >"$WORK/kernel.env"; then
	fail "kmod template: the test kernel is not available (test/kernel/build-kernel.sh --print-env)"
	report_summary
	exit 1
fi
# shellcheck disable=SC1091
. "$WORK/kernel.env"

cp "$TOP"/kmod/patch/* "$WORK/"
cp "$DIR/kmod-sample/sample-records.c" "$WORK/kpatch-patch-objs.c"
if ! make -C "$KBUILD" M="$WORK" KPATCH_NAME=livepatch-sample >"$WORK/build.log" 2>&1; then
	fail "kmod template: module build"
	tail -n 30 "$WORK/build.log" | sed 's/^/    | /'
	report_summary
	exit 1
fi
if grep -q 'WARNING' "$WORK/build.log"; then
	fail "kmod template: the module builds, with warnings"
	grep WARNING "$WORK/build.log" | sed 's/^/    | /'
else
	pass "kmod template: module builds without warnings"
fi
if [[ "$(modinfo -F kpatch_replace "$WORK/livepatch-sample.ko")" == Y &&
      "$(modinfo -F livepatch "$WORK/livepatch-sample.ko")" == Y ]]; then
	pass "kmod template: modinfo livepatch=Y kpatch_replace=Y"
else
	fail "kmod template: modinfo livepatch/kpatch_replace"
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
"$TOP/test/qemu/run-guest.sh" --kernel-env "$WORK/kernel.env" --timeout 180 \
	--add "$WORK/livepatch-sample.ko" "$WORK/guest.sh" >"$WORK/guest.log" 2>&1
rc=$?
# one check per guest check
while IFS= read -r line; do
	case $line in
	GUEST-PASS:*) pass "kmod template: guest: ${line#GUEST-PASS: }" ;;
	GUEST-FAIL:*) fail "kmod template: guest: ${line#GUEST-FAIL: }" ;;
	esac
done < <(tr -d '\r' <"$WORK/guest.log" | grep -E '^GUEST-(PASS|FAIL):')
if [[ $rc -eq 0 ]]; then
	pass "kmod template: guest exit 0, dmesg clean"
else
	fail "kmod template: guest run: run-guest.sh exit $rc"
	grep -E 'GUEST-|run-guest|kpatch-sample|livepatch' "$WORK/guest.log" | tail -n 30 | sed 's/^/    | /'
fi
report_summary
