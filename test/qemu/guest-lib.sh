# SPDX-License-Identifier: GPL-2.0
# guest-lib.sh - shell helpers for guest scripts (busybox sh), installed in
# the initramfs as /lib/guest-lib.sh. Source it: `. /lib/guest-lib.sh`.

# klp_wait NAME [SECONDS]: wait until the patch's transition is over.
klp_wait() {
	_n=0
	_t=${2:-30}
	while [ "$(cat /sys/kernel/livepatch/$1/transition 2>/dev/null)" = "1" ]; do
		_n=$((_n + 1))
		if [ $_n -gt $((_t * 10)) ]; then
			echo "guest: transition of $1 did not finish in $_t s"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# klp_load FILE.ko: insmod and wait for the transition.
klp_load() {
	_name=$(basename "$1" .ko | tr - _)
	insmod "$1" || { echo "guest: insmod $1 failed"; return 1; }
	[ -d /sys/kernel/livepatch/$_name ] || { echo "guest: /sys/kernel/livepatch/$_name missing after insmod"; return 1; }
	klp_wait "$_name"
}

# klp_unload NAME: disable, wait for the transition, rmmod.
klp_unload() {
	_name=$(echo "$1" | tr - _)
	if [ -d /sys/kernel/livepatch/$_name ]; then
		echo 0 >/sys/kernel/livepatch/$_name/enabled || return 1
		klp_wait "$_name" || return 1
	fi
	_n=0
	while ! rmmod "$_name" 2>/dev/null; do
		_n=$((_n + 1))
		[ $_n -gt 50 ] && { echo "guest: rmmod $_name failed"; return 1; }
		sleep 0.1
	done
	return 0
}

# check DESCRIPTION COMMAND...: print a result line; count failures.
GUEST_FAILS=0
check() {
	_d=$1
	shift
	if "$@"; then
		echo "GUEST-PASS: $_d"
	else
		echo "GUEST-FAIL: $_d"
		GUEST_FAILS=$((GUEST_FAILS + 1))
	fi
}

# not COMMAND...: succeed when COMMAND fails (for use with check).
not() {
	if "$@"; then return 1; fi
	return 0
}

# klp_sig_refused LABEL FILE.ko unsigned|untrusted: `kpatch load FILE` on a
# kernel that enforces module signatures (module.sig_enforce=1), FILE being
# unsigned or signed with a key the kernel does not trust. Prints
# $KLP_SIG_REFUSED_CHECKS check lines "LABEL: ...": kpatch load fails (exit
# 1); insmod's error is the key rejection; kpatch says the kernel refused
# the module because of its signature and why (unsigned, or a key the
# kernel does not trust); it names kpatch-build --sign-key and mokutil
# --import; the module is not loaded; the kernel logged the rejection.
# kpatch's output is shown as "guest: LABEL: | ..." lines. $KPATCH: the
# kpatch command (default: kpatch from PATH).
# shellcheck disable=SC2034 # the host scripts read it (sed)
KLP_SIG_REFUSED_CHECKS=8
klp_sig_refused() {
	_sl=$1
	_sf=$2
	_sm=$(basename "$_sf" .ko | tr - _)
	if [ "$3" = unsigned ]; then
		_sw="is unsigned, and this kernel loads only signed modules"
		_sk="Loading of unsigned module is rejected"
	else
		_sw="is signed.* with a key the running kernel does not trust"
		_sk="Loading of module with unavailable key is rejected"
	fi
	_so=$("${KPATCH:-kpatch}" load "$_sf" 2>&1)
	_sr=$?
	echo "$_so" | sed "s#^#guest: $_sl: | #"
	check "$_sl: kpatch load fails (exit $_sr)" [ "$_sr" -eq 1 ]
	check "$_sl: insmod: Key was rejected by service" _klp_sig_said "Key was rejected by service"
	check "$_sl: kpatch: the kernel refused the module because of its signature" \
		_klp_sig_said "the kernel refused the module because of its signature"
	check "$_sl: kpatch: '$_sw'" _klp_sig_said "$_sw"
	check "$_sl: kpatch names kpatch-build --sign-key KEY.pem --sign-cert CERT.pem" \
		_klp_sig_said "kpatch-build --sign-key KEY.pem --sign-cert CERT.pem"
	check "$_sl: kpatch names mokutil --import" _klp_sig_said "mokutil --import CERT.der"
	check "$_sl: $_sm is not loaded" _klp_sig_absent "$_sm"
	check "$_sl: kernel log: $_sk" _klp_sig_logged "$_sk"
}
_klp_sig_said() { echo "$_so" | grep -Eq -- "$1"; }
_klp_sig_absent() { [ ! -d "/sys/kernel/livepatch/$1" ] && ! grep -q "^$1 " /proc/modules; }
_klp_sig_logged() { dmesg | grep -q -- "$1"; }
