#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel-e2e.sh - end-to-end check of create-diff-object + create-klp-module
# on the test kernel: patch fs/proc/cmdline.c (vmlinux) and, with --loop,
# drivers/block/loop.c (module), build a livepatch module with kmod/patch,
# boot the test kernel under qemu and check the patch takes effect and can
# be disabled and removed. Not part of `make check` (needs the test kernel).
#
# Usage: tests/kernel-e2e.sh [--loop]       (work dir: $CDO_E2E_DIR or /tmp/cdo-e2e)
set -o errexit -o nounset -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CDO_DIR=$(dirname "$HERE")
TOP=$(dirname "$CDO_DIR")
W=${CDO_E2E_DIR:-/tmp/cdo-e2e}
WITH_LOOP=0
[ "${1:-}" = --loop ] && WITH_LOOP=1

eval "$(bash "$TOP/test/kernel/build-kernel.sh" --print-env)"
make -s -C "$CDO_DIR"
mkdir -p "$W/orig" "$W/patched" "$W/out"
# shellcheck source=../../kpatch-build/lib/mirror.sh
. "$TOP/kpatch-build/lib/mirror.sh"
# hard-link source mirror; files are replaced by real copies before editing
[ -d "$W/src" ] || kp_mirror_link "$KSRC" "$W/src" >/dev/null
objkey=$( { echo "$KSRC"; cat "$KBUILD/.config"; } | sha256sum | cut -c1-16)
kp_obj_prepare "$W/src" "$W/obj" "$KBUILD/.config" "$objkey" make -s -j2 || [ $? -eq 10 ]
cp "$SYMVERS" "$W/obj/Module.symvers"

kobj() {
	make -s -C "$W/src" O="$W/obj" ARCH=x86_64 \
		KCFLAGS="-ffunction-sections -fdata-sections" "$1" > /dev/null
}

# diff_object PATH(no .c) PARENT_OBJNAME PARENT_ELF PYTHON_EDIT
diff_object() {
	local path=$1 objname=$2 parent=$3 edit=$4 f b
	f="$W/src/$path.c"
	b=$(basename "$path")
	[ -f "$f.pristine" ] || cp "$f" "$f.pristine"
	cp "$f.pristine" "$f.tmp" && mv "$f.tmp" "$f"		# break the hard link
	kobj "$path.o" && cp "$W/obj/$path.o" "$W/orig/$b.o"
	python3 -c "$edit" "$f"
	kobj "$path.o" && cp "$W/obj/$path.o" "$W/patched/$b.o"
	cp "$f.pristine" "$f.tmp" && mv "$f.tmp" "$f"
	"$CDO_DIR/create-diff-object" --explain "$W/orig/$b.o" "$W/patched/$b.o" \
		"$objname" "$parent" "$SYMVERS" livepatch_e2e "$W/out/$b.o"
}

diff_object fs/proc/cmdline vmlinux "$VMLINUX" '
import sys; p = sys.argv[1]; s = open(p).read()
old = "\tseq_puts(m, saved_command_line);\n\tseq_putc(m, " + chr(39) + chr(92) + "n" + chr(39) + ");"
new = "\tseq_printf(m, \"%s kpatch=1" + chr(92) + "n\", saved_command_line);"
assert old in s, "cmdline.c: edit does not apply"
open(p, "w").write(s.replace(old, new))'
if [ $WITH_LOOP = 1 ]; then
	loop_ko=$(find "$KBUILD" -name loop.ko | head -1)
	diff_object drivers/block/loop loop "$loop_ko" '
import sys; p = sys.argv[1]; s = open(p).read()
assert "\tret = mutex_lock_killable(&loop_ctl_mutex);\n\tif (ret)\n\t\treturn ret;\n\tidr_for_each_entry" in s, "loop.c: edit does not apply"
s = s.replace("\tret = mutex_lock_killable(&loop_ctl_mutex);\n\tif (ret)\n\t\treturn ret;\n\tidr_for_each_entry",
              "\tpr_info(\"kpatch-e2e: loop_control_get_free\\n\");\n\tret = mutex_lock_killable(&loop_ctl_mutex);\n\tif (ret)\n\t\treturn ret;\n\tidr_for_each_entry", 1)
open(p, "w").write(s)'
fi

rm -rf "$W/mod" && cp -r "$TOP/kmod/patch" "$W/mod"
ld -r -o "$W/mod/kpatch-patch-objs.o" "$W"/out/*.o
touch "$W/mod/.kpatch-patch-objs.o.cmd"
make -s -C "$W/src" O="$W/obj" M="$W/mod" KPATCH_NAME=livepatch_e2e modules
"$CDO_DIR/create-klp-module" "$W/mod/livepatch_e2e.ko" "$W/livepatch_e2e.ko"
"$CDO_DIR/kpatch-dump" "$W/livepatch_e2e.ko" | grep -v '^section\|^symbol'

cat > "$W/guest.sh" <<GUEST
#!/bin/sh
set -e
[ $WITH_LOOP = 1 ] && modprobe loop
insmod /root/livepatch_e2e.ko
i=0; while [ "\$(cat /sys/kernel/livepatch/livepatch_e2e/transition)" != 0 ] && [ \$i -lt 60 ]; do sleep 1; i=\$((i+1)); done
echo "cmdline: \$(cat /proc/cmdline)"
grep -q 'kpatch=1' /proc/cmdline
if [ $WITH_LOOP = 1 ]; then
	echo 1 > /tmp/f; losetup -f /tmp/f || true
	dmesg | grep 'kpatch-e2e: loop_control_get_free'
fi
echo 0 > /sys/kernel/livepatch/livepatch_e2e/enabled
i=0; while [ -d /sys/kernel/livepatch/livepatch_e2e ] && [ \$i -lt 60 ]; do sleep 1; i=\$((i+1)); done
! grep -q 'kpatch=1' /proc/cmdline
rmmod livepatch_e2e
echo E2E-OK
GUEST
bash "$TOP/test/qemu/run-guest.sh" --add "$W/livepatch_e2e.ko" --timeout 240 "$W/guest.sh" > "$W/qemu.log" 2>&1 || {
	echo "kernel-e2e: guest failed (exit $?), see $W/qemu.log"; tail -30 "$W/qemu.log"; exit 1; }
grep -E 'cmdline:|kpatch-e2e|E2E-OK' "$W/qemu.log"
echo "kernel-e2e: PASS"
