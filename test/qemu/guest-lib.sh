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
