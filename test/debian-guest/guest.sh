#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# guest.sh - the steps of test/debian-guest/run.sh, run inside the Debian 12
# guest (dash, as root) by run-guest.sh --disk at every boot; GUEST_BOOT is
# the boot's number. The suite's facts come in /root/guest.env (KVER,
# OTHER_KVER, PKG, M1, M2, PKGO, MO, DEB_TOOLS, DEB1, DEB2, DEBO), the
# packages in /root/debs, the fleet repository in /srv/fleet.
#
# Boot 1: step 1 (apt install kpatch-lts and version 1: postinst loads it),
#         then reboot (exit 100).
# Boot 2: step 2 (kpatch.service loaded it at boot), step 3 (apt install of
#         the cumulative version 2: replaced with no gap), step 4 (apt
#         remove: unloaded; purge: no file left), step 5 (a package for
#         another kernel installs, does not load, says why), the fleet
#         repository (apt update && apt upgrade brings version 2).
# Prints GUEST-PASS/GUEST-FAIL lines (guest-lib.sh's check), GUEST-TIME:
# NAME SECONDS, GUEST-STEP-DONE: NAME; exits with the number of failures.
# (The helpers run through check: shellcheck cannot see those calls.)
# shellcheck disable=SC2317

# shellcheck source=SCRIPTDIR/../qemu/guest-lib.sh
. "${GUEST_LIB:-/lib/guest-lib.sh}"
# shellcheck source=/dev/null
. /root/guest.env

export DEBIAN_FRONTEND=noninteractive
STATE=/var/lib/guest-test
LOGS=/root/logs
mkdir -p "$STATE" "$LOGS"

# apt_run LOG ARGS...: apt-get -y ARGS, output in LOG and on the console.
apt_run() {
	_log=$1
	shift
	apt-get -y -q -o Dpkg::Use-Pty=0 "$@" >"$LOGS/$_log" 2>&1
	_rc=$?
	sed 's/^/    | /' "$LOGS/$_log"
	return "$_rc"
}
# enabled MOD: the patch's enabled file says 1.
enabled() { [ "$(cat "/sys/kernel/livepatch/$1/enabled" 2>/dev/null)" = 1 ]; }
# gone MOD: neither a livepatch nor a module of that name.
gone() { ! [ -e "/sys/kernel/livepatch/$1" ] && ! grep -q "^$1 " /proc/modules; }
# behaviour N: /proc/cmdline ends with " kpatch=N" (N empty: the original,
# byte-identical to the one recorded before the first install; read
# through a pipe: 6.1's /proc/cmdline has st_size 0, and `cmp -s` of two
# regular files of different sizes answers "differ" without reading them).
behaviour() {
	if [ -z "$1" ]; then
		# shellcheck disable=SC2002 # the pipe is the point
		cat /proc/cmdline | cmp -s - "$STATE/cmdline.orig" && return 0
		echo "guest: /proc/cmdline: '$(cat /proc/cmdline)'; before the install: '$(cat "$STATE/cmdline.orig")'"
		return 1
	fi
	grep -q " kpatch=$1\$" /proc/cmdline
}
installed() { [ "$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null)" = "install ok installed $2" ]; }
now() { date +%s; }

# sampler_start / sampler_stop: read /proc/cmdline without pause (a shell
# builtin read, no fork) while apt replaces a patch; sampler_stop prints
# "SAMPLES UNPATCHED PATCH1 PATCH2".
sampler_start() {
	rm -f /tmp/sampler.stop /tmp/sampler.out
	(
		n=0 bad=0 p1=0 p2=0
		while ! [ -e /tmp/sampler.stop ]; do
			read -r c </proc/cmdline
			case "$c" in
			*" kpatch=1") p1=$((p1 + 1)) ;;
			*" kpatch=2") p2=$((p2 + 1)) ;;
			*) bad=$((bad + 1)) ;;
			esac
			n=$((n + 1))
		done
		echo "$n $bad $p1 $p2" >/tmp/sampler.out
	) &
	SAMPLER=$!
}
sampler_stop() {
	touch /tmp/sampler.stop
	wait "$SAMPLER"
	cat /tmp/sampler.out
}
# no_gap WHAT: the sampler's counts say every sample saw a patch.
no_gap() {
	# shellcheck disable=SC2046
	set -- $(sampler_stop)
	echo "guest: $WHAT: $1 samples of /proc/cmdline: $2 unpatched, $3 with kpatch=1, $4 with kpatch=2"
	[ "$1" -gt 100 ] && [ "$2" -eq 0 ] && [ "$4" -gt 0 ]
}

boot1() {
	check "boot 1: the running kernel is Debian's $KVER" [ "$(uname -r)" = "$KVER" ]
	cat /proc/cmdline >"$STATE/cmdline.orig"
	check "boot 1: /proc/cmdline unpatched before the install" not grep -q ' kpatch=' /proc/cmdline

	# 1. apt install of the tools and the livepatch: postinst loads it.
	t0=$(now)
	check "step1: apt install ./$DEB_TOOLS ./$DEB1" apt_run step1.log install "/root/debs/$DEB_TOOLS" "/root/debs/$DEB1"
	t1=$(now)
	echo "GUEST-TIME: install $((t1 - t0))"
	check "step1: dpkg: kpatch-lts and $PKG 1 installed" installed "$PKG" 1
	check "step1: postinst loaded it: /sys/kernel/livepatch/$M1/enabled = 1" enabled "$M1"
	check "step1: the patched behaviour: /proc/cmdline ends with ' kpatch=1'" behaviour 1
	kpatch list >"$LOGS/list" 2>&1
	check "step1: kpatch list names $M1" grep -q "$M1" "$LOGS/list"
	check "step1: kpatch.service is enabled (systemctl is-enabled)" [ "$(systemctl is-enabled kpatch 2>&1)" = enabled ]
	check "step1: the module is in /var/lib/kpatch/$KVER" [ -f "/var/lib/kpatch/$KVER/$(echo "$M1" | tr _ -).ko" ]
	echo "GUEST-STEP-DONE: step1"
	now >"$STATE/reboot-start"
	echo "guest: rebooting"
	exit 100
}

boot2() {
	t0=$(now)
	echo "GUEST-TIME: reboot $((t0 - $(cat "$STATE/reboot-start")))"
	# 2. kpatch.service loaded it at boot.
	check "step2: the running kernel is still $KVER" [ "$(uname -r)" = "$KVER" ]
	check "step2: systemctl is-active kpatch = active" [ "$(systemctl is-active kpatch 2>&1)" = active ]
	systemctl status --no-pager kpatch >"$LOGS/status.log" 2>&1
	sed 's/^/    | /' "$LOGS/status.log"
	check "step2: systemctl status kpatch: active (exited), 'kpatch load --all' loaded $M1" \
		sh -c "grep -q 'Active: active (exited)' $LOGS/status.log && journalctl -b -u kpatch --no-pager | grep -q \"patch '$M1' is enabled\""
	check "step2: /sys/kernel/livepatch/$M1/enabled = 1 after the reboot" enabled "$M1"
	check "step2: the patched behaviour shows again (' kpatch=1')" behaviour 1
	echo "GUEST-STEP-DONE: step2"

	# 3. the cumulative version 2 replaces version 1 with no gap.
	WHAT=step3
	sampler_start
	check "step3: apt install ./$DEB2 (version 2, cumulative)" apt_run step3.log install "/root/debs/$DEB2"
	check "step3: no moment without a patch during the upgrade (every /proc/cmdline sample patched)" no_gap
	check "step3: dpkg: $PKG 2 installed" installed "$PKG" 2
	check "step3: $M2 enabled, $M1 replaced and its module removed" sh -c "[ \"\$(cat /sys/kernel/livepatch/$M2/enabled)\" = 1 ] && ! [ -e /sys/kernel/livepatch/$M1 ] && ! grep -q '^$M1 ' /proc/modules"
	check "step3: the new behaviour: /proc/cmdline ends with ' kpatch=2'" behaviour 2
	check "step3: the old prerm left $M1 loaded for the replace" grep -q "$M1 stays loaded until the new version replaces it" "$LOGS/step3.log"
	check "step3: only version 2's module is in /var/lib/kpatch/$KVER" \
		[ "$(ls "/var/lib/kpatch/$KVER")" = "$(echo "$M2" | tr _ -).ko" ]
	echo "GUEST-STEP-DONE: step3"

	# 4. apt remove: prerm unloads; purge: no file of the package left.
	dpkg -L "$PKG" >"$LOGS/files" 2>&1
	: >"$LOGS/files.typed"
	while read -r f; do
		if [ -d "$f" ]; then echo "d $f"; else echo "f $f"; fi >>"$LOGS/files.typed"
	done <"$LOGS/files"
	t1=$(now)
	check "step4: apt remove $PKG" apt_run step4-remove.log remove "$PKG"
	t2=$(now)
	echo "GUEST-TIME: remove $((t2 - t1))"
	check "step4: prerm unloaded it: no $M2 in /sys/kernel/livepatch nor in /proc/modules" gone "$M2"
	check "step4: the original behaviour is back (/proc/cmdline as before the install)" behaviour ""
	check "step4: apt purge $PKG" apt_run step4-purge.log purge "$PKG"
	check "step4: dpkg no longer knows $PKG" not sh -c "dpkg-query -W -f='\${Status}' $PKG 2>/dev/null | grep -q installed"
	left=""
	while read -r t f; do
		if [ "$t" = f ]; then
			{ [ -e "$f" ] || [ -L "$f" ]; } && left="$left $f"
		else
			case "$f" in
			"/usr/share/doc/$PKG"|"/var/lib/kpatch/$KVER") [ -e "$f" ] && left="$left $f" ;;
			esac
		fi
	done <"$LOGS/files.typed"
	echo "guest: dpkg -L listed $(grep -c '^f' "$LOGS/files.typed") files; left after purge:${left:- none}"
	check "step4: purge left none of the $(grep -c '^f' "$LOGS/files.typed") files of 'dpkg -L $PKG' (nor its directories)" [ -z "$left" ]
	echo "GUEST-STEP-DONE: step4"

	# 5. a package for another kernel: installs, does not load, says why.
	check "step5: apt install ./$DEBO (built for $OTHER_KVER)" apt_run step5.log install "/root/debs/$DEBO"
	check "step5: dpkg: $PKGO installed" installed "$PKGO" 1
	check "step5: not loaded: no $MO in /sys/kernel/livepatch nor in /proc/modules" gone "$MO"
	check "step5: the postinst says why: built for $OTHER_KVER, running $KVER" \
		grep -q "is built for Linux $OTHER_KVER, but the running kernel is $KVER: not loaded now" "$LOGS/step5.log"
	check "step5: its module waits in /var/lib/kpatch/$OTHER_KVER for that kernel" [ -f "/var/lib/kpatch/$OTHER_KVER/$(echo "$MO" | tr _ -).ko" ]
	check "step5: the behaviour is still the original" behaviour ""
	check "step5: apt purge $PKGO" apt_run step5-purge.log purge "$PKGO"
	echo "GUEST-STEP-DONE: step5"

	# The fleet repository: a file: source; version 1 published, then 2.
	echo 'deb [trusted=yes] file:/srv/fleet ./' >/etc/apt/sources.list.d/fleet.list
	cp /srv/fleet/v1/Packages /srv/fleet/v1/Release /srv/fleet/
	check "repo: apt update (file:/srv/fleet, version 1 published)" apt_run repo-update1.log update
	check "repo: apt install $PKG from the repository: version 1, loaded" \
		sh -c "apt-get -y -q -o Dpkg::Use-Pty=0 install $PKG >$LOGS/repo-install.log 2>&1 && [ \"\$(cat /sys/kernel/livepatch/$M1/enabled)\" = 1 ]"
	sed 's/^/    | /' "$LOGS/repo-install.log"
	check "repo: the behaviour of version 1 (' kpatch=1')" behaviour 1
	cp /srv/fleet/v2/Packages /srv/fleet/v2/Release /srv/fleet/
	check "repo: apt update (version 2 published)" apt_run repo-update2.log update
	WHAT=repo
	sampler_start
	check "repo: apt upgrade" apt_run repo-upgrade.log upgrade
	check "repo: no moment without a patch during apt upgrade" no_gap
	check "repo: apt upgrade brought $PKG 2" installed "$PKG" 2
	check "repo: $M2 enabled, $M1 gone" sh -c "[ \"\$(cat /sys/kernel/livepatch/$M2/enabled)\" = 1 ] && ! [ -e /sys/kernel/livepatch/$M1 ] && ! grep -q '^$M1 ' /proc/modules"
	check "repo: the behaviour of version 2 (' kpatch=2')" behaviour 2
	check "repo: apt purge $PKG: unloaded, original behaviour" \
		sh -c "apt-get -y -q purge $PKG >$LOGS/repo-purge.log 2>&1 && ! [ -e /sys/kernel/livepatch/$M2 ] && cat /proc/cmdline | cmp -s - $STATE/cmdline.orig"
	echo "GUEST-STEP-DONE: repo"
	check "dmesg: no Oops, WARNING: or Call Trace" not sh -c "dmesg | grep -qE 'Oops|WARNING:|Call Trace'"
}

case "${GUEST_BOOT:-1}" in
1) boot1 ;;
2) boot2 ;;
*) echo "guest: unexpected boot ${GUEST_BOOT:-}"; exit 1 ;;
esac
exit "$GUEST_FAILS"
