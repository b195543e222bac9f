#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftest.sh - the qemu runner must report what the guest did: exit status,
# a WARNING in dmesg, a timeout. Ends with "N passed, N failed, N skipped".
set -o nounset -o pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# KPATCH_RUN_GUEST: the runner under test (test/selftest-suites.sh)
RUN_GUEST="${KPATCH_RUN_GUEST:-$DIR/run-guest.sh}"
T="$(mktemp -d /tmp/qemu-selftest.XXXXXX)"
trap 'rm -rf "$T"' EXIT
# shellcheck source=../lib/report.sh
. "$DIR/../lib/report.sh"
expect() {
	local desc="$1" want="$2" script="$3" rc
	shift 3
	printf '%s\n' "$script" >"$T/g.sh"
	"$RUN_GUEST" "$@" "$T/g.sh" >"$T/out" 2>&1
	rc=$?
	if [[ $rc -eq $want ]]; then
		pass "$desc (exit $rc)"
	else
		fail "$desc: wanted exit $want, got $rc"; tail -n 5 "$T/out"
	fi
}
echo hello >"$T/file.txt"
expect "guest exit status 0 is returned" 0 'exit 0'
expect "guest exit status 3 is returned" 3 'exit 3'
expect "--add puts a file in the guest" 0 'grep -q hello /root/file.txt' --add "$T/file.txt"
expect "a WARNING in dmesg fails the run" 125 'echo "WARNING: CPU: 0 PID: 1 at fake.c:1" >/dev/kmsg; exit 0'
expect "a kernel Oops in dmesg fails the run" 125 'echo "Oops: 0002 [#1] SMP" >/dev/kmsg; exit 0'
expect "a hung guest times out" 124 'sleep 1000' --timeout 15
expect "--append adds kernel command-line arguments" 0 \
	'grep -q " kpatch_selftest=1 kpatch_selftest2=2\$" /proc/cmdline' --append kpatch_selftest=1 --append kpatch_selftest2=2
# An unsigned module on a kernel with CONFIG_MODULE_SIG (not enforced) only taints.
expect "a module verification notice in dmesg is no kernel problem" 0 \
	'echo "livepatch_x: module verification failed: signature and/or required key missing - tainting kernel" >/dev/kmsg; exit 0'
expect "the guest has modules and modprobe" 0 'modprobe loop && grep -q "^loop " /proc/modules'
report_summary
