#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-guest.sh - boot the test kernel under qemu and run a script inside it.
#
# Usage: run-guest.sh [--add FILE[:GUESTPATH]]... [--timeout SECONDS] [--log FILE]
#                     [--kernel-env FILE] [--append ARGS]... GUEST_SCRIPT
#
# The guest is a busybox initramfs holding the test kernel's modules, every
# --add file (default guest path /root/<basename>) and GUEST_SCRIPT as /test.sh,
# run by /bin/sh as root in /root with /proc, /sys, /sys/kernel/debug, /dev and
# /tmp mounted. --append adds ARGS to the kernel command line (e.g.
# module.sig_enforce=1). The guest console is printed on stdout.
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
APPEND=""

usage() { sed -n '4,22p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
	case "$1" in
	--add) ADDS+=("$2"); shift 2 ;;
	--timeout) TIMEOUT="$2"; shift 2 ;;
	--log) LOG="$2"; shift 2 ;;
	--kernel-env) KENV="$2"; shift 2 ;;
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
ROOT="$WORK/root"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,lib/modules,mnt,var/lib}

cp /bin/busybox "$ROOT/bin/busybox"
cp -a "$MODDIR" "$ROOT/lib/modules/"
cp "$GUEST_SCRIPT" "$ROOT/test.sh"
cp "$SCRIPTDIR/guest-lib.sh" "$ROOT/lib/guest-lib.sh"

for spec in "${ADDS[@]}"; do
	src="${spec%%:*}"
	if [[ "$spec" == *:* ]]; then dst="${spec#*:}"; else dst="/root/$(basename "$src")"; fi
	[[ -e "$src" ]] || { echo "run-guest: --add: no such file '$src'" >&2; exit 2; }
	mkdir -p "$ROOT/$(dirname "$dst")"
	cp -a "$src" "$ROOT/$dst"
done

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

if [[ $qrc -eq 124 ]]; then
	echo "run-guest: FAIL: guest timed out after $TIMEOUT s" >&2
	exit 124
fi
result="$(tr -d '\r' <"$OUT" | sed -n 's/^GUEST-EXIT: \([0-9]*\)$/\1/p' | tail -n1)"
if [[ -z "$result" ]]; then
	echo "run-guest: FAIL: guest reported no result (kernel crash or panic?)" >&2
	exit 126
fi
bad="$(tr -d '\r' <"$OUT" | sed -n '/^GUEST-DMESG-BEGIN/,/^GUEST-DMESG-END/p' |
	grep -E 'Oops|BUG:|kernel BUG|WARNING:|Call Trace|general protection|Kernel panic|Missing ENDBR|Invalid padding area|Failed to fixup' || true)"
if [[ -n "$bad" ]]; then
	echo "run-guest: FAIL: guest dmesg shows a kernel problem:" >&2
	echo "$bad" >&2
	exit 125
fi
exit "$result"
