#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-guest.sh - boot the test kernel under qemu and run a script inside it.
#
# Usage: run-guest.sh [--add FILE[:GUESTPATH]]... [--timeout SECONDS] [--log FILE]
#                     [--kernel-env FILE] [--disk IMAGE [--boots N] [--mem MB]] [--append ARGS]... GUEST_SCRIPT
#
# The guest is a busybox initramfs holding the test kernel's modules, every
# --add file (default guest path /root/<basename>) and GUEST_SCRIPT as /test.sh,
# run by /bin/sh as root in /root with /proc, /sys, /sys/kernel/debug, /dev and
# /tmp mounted. --append adds ARGS to the kernel command line (e.g.
# module.sig_enforce=1). The guest console is printed on stdout.
#
# --disk IMAGE boots a Debian root file system image instead (ext4, made by
# test/debian-guest/image.sh; written to: pass a scratch copy) on its own
# kernel and initramfs (BZIMAGE and INITRD of --kernel-env), with systemd.
# The image's guest-run.service mounts a second disk (label guestpay,
# read-only) that holds GUEST_SCRIPT, guest-lib.sh and the --add files
# (copied to their guest paths at the first boot) and runs its init at
# every boot, after multi-user.target: GUEST_SCRIPT runs as root in /root
# with GUEST_BOOT=N (1 at the first boot), GUEST_LIB=<path of guest-lib.sh>,
# its output on the serial console. Exit 100 asks for a reboot (systemctl
# reboot, the script runs again); any other status powers the guest off.
# More than --boots boots (default 3) ends the run as a crash (126).
#
# Exit status: the guest script's exit status; 124 on timeout; 125 when the
# guest's dmesg shows an oops, BUG, WARNING or call trace (even if the script
# passed; with IBT also "Missing ENDBR", call-thunk "Invalid padding area" and
# static call "Failed to fixup"); 126 when the guest did not report a result
# (crash, panic). A module the kernel could not verify (its notice "module
# verification failed: ... tainting kernel", an unsigned module on a kernel
# with CONFIG_MODULE_SIG) is not a kernel problem.

set -o errexit -o nounset -o pipefail

SCRIPTDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TIMEOUT=120
LOG=""
ADDS=()
KENV=""
DISK=""
BOOTS=3
MEM=""
APPEND=""

usage() { sed -n "4,$(( $(awk 'NR > 1 && !/^#/ { print NR; exit }' "$0") - 1 ))p" "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
	case "$1" in
	--add) ADDS+=("$2"); shift 2 ;;
	--timeout) TIMEOUT="$2"; shift 2 ;;
	--log) LOG="$2"; shift 2 ;;
	--kernel-env) KENV="$2"; shift 2 ;;
	--disk) DISK="$2"; shift 2 ;;
	--boots) BOOTS="$2"; shift 2 ;;
	--mem) MEM="$2"; shift 2 ;;
	--append) APPEND+=" $2"; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) echo "run-guest: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[[ $# -eq 1 ]] || { usage >&2; exit 2; }
GUEST_SCRIPT="$1"
[[ -r "$GUEST_SCRIPT" ]] || { echo "run-guest: cannot read guest script '$GUEST_SCRIPT'" >&2; exit 2; }

if [[ -n "$KENV" ]]; then
	# shellcheck disable=SC1090
	source "$KENV"
else
	eval "$(bash "$SCRIPTDIR/../kernel/build-kernel.sh" --print-env)"
fi

WORK="$(mktemp -d /tmp/run-guest.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# check_console FILE QEMU_STATUS: the verdict of a console log (see Exit status).
check_console() {
	local out="$1" qrc="$2" result bad
	if [[ $qrc -eq 124 ]]; then
		echo "run-guest: FAIL: guest timed out after $TIMEOUT s" >&2
		return 124
	fi
	result="$(tr -d '\r' <"$out" | sed -n 's/^GUEST-EXIT: \([0-9]*\)$/\1/p' | tail -n1)"
	if [[ -z "$result" ]]; then
		echo "run-guest: FAIL: guest reported no result (kernel crash or panic?)" >&2
		return 126
	fi
	bad="$(tr -d '\r' <"$out" | sed -n '/^GUEST-DMESG-BEGIN/,/^GUEST-DMESG-END/p' |
		grep -E 'Oops|BUG:|kernel BUG|WARNING:|Call Trace|general protection|Kernel panic|Missing ENDBR|Invalid padding area|Failed to fixup' || true)"
	if [[ -n "$bad" ]]; then
		echo "run-guest: FAIL: guest dmesg shows a kernel problem:" >&2
		echo "$bad" >&2
		return 125
	fi
	return "$result"
}

# copy_adds DIR: every --add FILE[:GUESTPATH] copied to DIR/GUESTPATH
# (default /root/<basename>); status 2 (and why) for a missing FILE.
copy_adds() {
	local dir="$1" spec src dst
	for spec in "${ADDS[@]}"; do
		src="${spec%%:*}"
		if [[ "$spec" == *:* ]]; then dst="${spec#*:}"; else dst="/root/$(basename "$src")"; fi
		[[ -e "$src" ]] || { echo "run-guest: --add: no such file '$src'" >&2; return 2; }
		mkdir -p "$dir/$(dirname "$dst")"
		cp -a "$src" "$dir/$dst"
	done
}

# disk_guest: the --disk mode (see the header).
disk_guest() {
	local pay="$WORK/payload" out qrc=0 size
	[[ -f "$DISK" ]] || { echo "run-guest: --disk: no such image '$DISK'" >&2; return 2; }
	[[ -n "${INITRD:-}" && -f "$INITRD" ]] || { echo "run-guest: --disk needs INITRD in --kernel-env" >&2; return 2; }
	mkdir -p "$pay/files"
	cp "$GUEST_SCRIPT" "$pay/test.sh"
	cp "$SCRIPTDIR/guest-lib.sh" "$pay/guest-lib.sh"
	copy_adds "$pay/files" || return 2
	cat >"$pay/init" <<INIT
#!/bin/sh
# run by the image's guest-run.service at every boot (run-guest.sh --disk)
P=/mnt/payload
S=/var/lib/run-guest
exec >/dev/ttyS0 2>&1
mkdir -p \$S
n=\$(( \$(cat \$S/boots 2>/dev/null || echo 0) + 1 ))
echo \$n >\$S/boots
echo "GUEST-START (boot \$n)"
if [ \$n -gt $BOOTS ]; then
	echo "run-guest: boot \$n: more than $BOOTS boots"
	systemctl --check-inhibitors=no poweroff
	exit 0
fi
[ \$n -eq 1 ] && cp -a \$P/files/. /
cd /root
GUEST_BOOT=\$n GUEST_LIB=\$P/guest-lib.sh sh \$P/test.sh </dev/null 2>&1
rc=\$?
echo "GUEST-DMESG-BEGIN"
dmesg
echo "GUEST-DMESG-END"
sync
if [ \$rc -eq 100 ]; then
	echo "GUEST-REBOOT (boot \$n)"
	systemctl --check-inhibitors=no reboot
else
	echo "GUEST-EXIT: \$rc"
	systemctl --check-inhibitors=no poweroff
fi
INIT
	size=$(( $(du -sm "$pay" | cut -f1) + 32 ))
	mkfs.ext4 -q -F -L guestpay -d "$pay" "$WORK/payload.img" "${size}M" ||
		{ echo "run-guest: mkfs.ext4 -d of the payload failed" >&2; return 2; }
	out="${LOG:-$WORK/console.log}"
	timeout "$TIMEOUT" qemu-system-x86_64 -m "${MEM:-1024}" -smp 2 -display none \
		-monitor none -serial "file:$out" \
		-drive "file=$DISK,format=raw,if=none,id=root" -device nvme,drive=root,serial=guestroot \
		-drive "file=$WORK/payload.img,format=raw,if=none,id=pay" -device nvme,drive=pay,serial=guestpay \
		-kernel "$BZIMAGE" -initrd "$INITRD" \
		-append "root=/dev/nvme0n1 rw console=ttyS0 panic=-1 loglevel=4 systemd.show_status=false" </dev/null || qrc=$?
	sed '/^GUEST-DMESG-BEGIN/,/^GUEST-DMESG-END/d' "$out" | tr -d '\r'
	check_console "$out" "$qrc"
}
if [[ -n "$DISK" ]]; then
	rc=0
	disk_guest || rc=$?
	exit "$rc"
fi
ROOT="$WORK/root"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,lib/modules,mnt,var/lib}

cp /bin/busybox "$ROOT/bin/busybox"
cp -a "$MODDIR" "$ROOT/lib/modules/"
cp "$GUEST_SCRIPT" "$ROOT/test.sh"
cp "$SCRIPTDIR/guest-lib.sh" "$ROOT/lib/guest-lib.sh"

copy_adds "$ROOT" || exit 2

cat >"$ROOT/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/root:/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
hostname guest
echo "GUEST-START"
cd /root
sh /test.sh </dev/null 2>&1
rc=$?
echo "GUEST-DMESG-BEGIN"
dmesg
echo "GUEST-DMESG-END"
echo "GUEST-EXIT: $rc"
sync
reboot -f
INIT
chmod +x "$ROOT/init" "$ROOT/test.sh"

(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) >"$WORK/initrd.gz"

OUT="${LOG:-$WORK/console.log}"
set +o errexit
timeout "$TIMEOUT" qemu-system-x86_64 -m 512 -smp 2 -display none -no-reboot \
	-monitor none -serial "file:$OUT" \
	-kernel "$BZIMAGE" -initrd "$WORK/initrd.gz" \
	-append "console=ttyS0 panic=-1 loglevel=4 nokaslr$APPEND" </dev/null
qrc=$?
set -o errexit

# Console without the dmesg copy, which the check below reads separately.
sed '/^GUEST-DMESG-BEGIN/,/^GUEST-DMESG-END/d' "$OUT" | tr -d '\r'

check_console "$OUT" "$qrc"
