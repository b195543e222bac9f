#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - proof on Debian's own kernels (issue 8): for each kernel, install
# Debian's image, -dbg and headers packages of the version of linux-source
# (test/debian/kernel.sh, cached), build every integration patch
# (test/integration/*.patch, kpatch conventions, and test/debian/patches/)
# with the command line a Debian user types, `kpatch-build -a KVER PATCH`
# (no -s/-c/-v: kpatch-build finds the pieces itself), boot that exact
# kernel under qemu with its own modules and, in one boot, run for each
# module: test fails -> load -> test passes -> unload -> test fails again
# (UNLOADED test passes); module patches included (loop, dummy, xfs are
# modules there). Then the .deb of cmdline-string (kpatch-build --deb) is
# checked (dpkg-deb, lintian), its payload installed in the guest and loaded
# with `kpatch load --all`. The guest's dmesg must stay clean.
#
# Patches the kernel's config does not build are SKIPPED with kpatch-build's
# reason ("not built with this config"); -FAIL patches must be refused for
# their "# expect-refusal:" reason; patches that change a header are skipped
# (Debian's headers carry no dependency lists: kpatch-build would need a
# full build of the kernel, about an hour on 2 cores).
#
# Usage: run.sh [--kver KVER]... [--generic] [NAME...]
#   --kver KVER  a Debian kernel release (repeatable); default: the cloud
#                flavour of linux-source-6.1's version (6.1.0-57-cloud-amd64)
#   --generic    also the generic amd64 flavour (6.1.0-57-amd64); the
#                default run leaves it out for time (see README "Debian
#                kernels"); KPATCH_DEBIAN_GENERIC=1 does the same
#   --generic-only  only the generic amd64 flavour (run-all's debian-generic)
#   NAME         only these patches (default: all)
# KPATCH_DEBIAN=0 skips the suite (machines without Debian's archive).
# Ends with one line "N passed, N failed, N skipped".

set -o nounset -o pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$DIR/../.." && pwd)"
INTEG="$TOP/test/integration"
KPATCH_BUILD="${KPATCH_BUILD:-$TOP/kpatch-build/kpatch-build}"
CACHE="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
# shellcheck source=../lib/report.sh
. "$TOP/test/lib/report.sh"

KVERS=()
GENERIC="${KPATCH_DEBIAN_GENERIC:-0}"
NAMES=()
while [[ $# -gt 0 ]]; do
	case "$1" in
	--kver) KVERS+=("$2"); shift ;;
	--generic) GENERIC=1 ;;
	--generic-only) GENERIC=only ;;
	-h|--help) sed -n '4,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
	*) NAMES+=("$1") ;;
	esac
	shift
done

if [[ "${KPATCH_DEBIAN:-1}" == 0 ]]; then
	skip "debian: KPATCH_DEBIAN=0"
	report_summary
	exit
fi
if [[ ${#KVERS[@]} -eq 0 ]]; then
	if [[ "$GENERIC" != only ]]; then
		k="$(bash "$DIR/kernel.sh" --find cloud-amd64 6.1)" ||
			{ skip "debian: no Debian cloud kernel of linux-source-6.1's version in apt"; report_summary; exit; }
		KVERS=("$k")
	fi
	if [[ "$GENERIC" != 0 ]]; then
		k="$(bash "$DIR/kernel.sh" --find amd64 6.1)" && KVERS+=("$k") ||
			skip "debian: no Debian generic kernel of linux-source-6.1's version in apt"
	fi
fi
if [[ ${#NAMES[@]} -eq 0 ]]; then
	for p in "$INTEG"/*.patch "$DIR"/patches/*.patch; do NAMES+=("$(basename "$p" .patch)"); done
fi
make -s -C "$TOP/create-diff-object" >/dev/null || { fail "debian: building the C tools failed"; report_summary; exit; }

OUT="$(mktemp -d /tmp/debian-suite.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
SUITE_START=$SECONDS

# test/integration/X.Y/ holds the variants for kernel X.Y (KXY, set per kernel)
KXY=""
patch_file() {
	if [[ -n "$KXY" && -f "$INTEG/$KXY/$1.patch" ]]; then echo "$INTEG/$KXY/$1.patch"
	elif [[ -f "$INTEG/$1.patch" ]]; then echo "$INTEG/$1.patch"
	else echo "$DIR/patches/$1.patch"; fi
}
test_file() {
	local f="$INTEG/$KXY/$1-$2.test"
	[[ -n "$KXY" && -f "$f" ]] || f="$INTEG/$1-$2.test"
	[[ -f "$f" ]] || f="$DIR/patches/$1-$2.test"
	[[ -f "$f" ]] && echo "$f"
}
patch_opts() { sed -n '/^---/q; s/^.*kpatch-build-options:[[:space:]]*//p' "$1" | head -n1; }
expected_refusal() { sed -n '/^---/q; s/^# expect-refusal:[[:space:]]*//p' "$1" | head -n1; }

# build KVER NAME PATCH [EXTRA...]: kpatch-build -a KVER, as a user would.
build() {
	local kver="$1" name="$2" patch="$3" opts
	shift 3
	if grep -q 'kpatch-build-options:' "$patch"; then opts="$(patch_opts "$patch")"; else opts="-R"; fi
	if [[ "$name" == oot-* ]]; then
		rm -rf "$OUT/$kver/oot" && cp -r "$INTEG/oot" "$OUT/$kver/oot" &&
			make -C "$OUT/$kver/oot" KDIR="/usr/src/linux-headers-$kver" >"$OUT/$kver/$name.log" 2>&1 || return 1
		opts+=" --oot-module $OUT/$kver/oot/oot_hello.ko --oot-module-src $OUT/$kver/oot"
	fi
	# shellcheck disable=SC2086
	CACHEDIR="$CACHE/debian/kpatch-build-$kver" KPATCH_SRC_CACHE="$CACHE/src" \
		"$KPATCH_BUILD" -a "$kver" -n "livepatch-$name" -o "$OUT/$kver" $opts "$@" "$patch" \
		>>"$OUT/$kver/$name.log" 2>&1
}

# guest_checks NAME: the guest script lines of one module's protocol.
guest_checks() {
	local name="$1" mod
	mod="$(echo "livepatch-$name" | tr - _)"
	echo "T=/root/t/$name-LOADED.test; U=/root/t/$name-UNLOADED.test"
	echo 'check "'"$name"': test fails before load" not sh "$T"'
	[[ -n "$(test_file "$name" UNLOADED)" ]] && echo 'check "'"$name"': unloaded test fails before load" not sh "$U"'
	echo 'check "'"$name"': module loads" klp_load /root/m/livepatch-'"$name"'.ko'
	echo 'check "'"$name"': test passes while loaded" sh "$T"'
	echo 'check "'"$name"': module unloads" klp_unload '"$mod"
	echo 'check "'"$name"': test fails after unload" not sh "$T"'
	[[ -n "$(test_file "$name" UNLOADED)" ]] && echo 'check "'"$name"': unloaded test passes after unload" sh "$U"'
	return 0
}

# noflag KVER: the command line of a user on a machine that runs KVER,
# `kpatch-build PATCH`, with uname -r saying KVER (a fake uname in PATH).
noflag() {
	local kver="$1" d="$OUT/$1/noflag" start vm
	mkdir -p "$d/bin"
	printf '#!/bin/sh\n[ "$1" = -r ] && { echo %s; exit 0; }\nexec /bin/uname "$@"\n' "$kver" >"$d/bin/uname"
	chmod +x "$d/bin/uname"
	start=$SECONDS
	if (cd "$d" && PATH="$d/bin:$PATH" CACHEDIR="$CACHE/debian/kpatch-build-$kver" KPATCH_SRC_CACHE="$CACHE/src" \
		"$KPATCH_BUILD" "$TOP/examples/cmdline.patch" >"$d/log" 2>&1) &&
	   vm="$(modinfo -F vermagic "$d/livepatch-cmdline.ko")" && [[ "${vm%% *}" == "$kver" ]]; then
		pass "$kver no-flag: 'kpatch-build cmdline.patch' (uname -r = $kver) built livepatch-cmdline.ko for $kver in $((SECONDS - start)) s"
	else
		fail "$kver no-flag: 'kpatch-build cmdline.patch' with uname -r = $kver"
		tail -n 8 "$d/log" | sed 's/^/    | /'
	fi
}

run_kernel() {
	local kver="$1" env name patch t start rc built=() adds=() why
	mkdir -p "$OUT/$kver/m" "$OUT/$kver/t"
	start=$SECONDS
	rc=0
	env="$(bash "$DIR/kernel.sh" "$kver" --print-env 2>"$OUT/$kver/kernel.log")" || rc=$?
	if [[ $rc -ne 0 ]]; then
		if [[ $rc -eq 2 ]]; then skip "$kver: $(tail -n1 "$OUT/$kver/kernel.log")"
		else fail "$kver: installing the kernel failed"; sed 's/^/    | /' "$OUT/$kver/kernel.log"; fi
		return
	fi
	eval "$env"
	echo "# $kver ($DEBVER): packages ready in $((SECONDS - start)) s"

	start=$SECONDS
	for name in "${NAMES[@]}"; do
		patch="$(patch_file "$name")"
		[[ -f "$patch" ]] || { fail "$kver $name: no such patch"; continue; }
		if grep -qE '^\+\+\+ [^[:space:]]*\.h([[:space:]]|$)' "$patch"; then
			skip "$kver $name: changes a header; Debian's headers have no dependency lists (full kernel build)"
			continue
		fi
		local extra=()
		[[ "$name" == cmdline-string ]] && extra=(--deb)
		if [[ "$name" == *-FAIL ]]; then
			local want
			want="$(expected_refusal "$patch")"
			if build "$kver" "$name" "$patch"; then
				fail "$kver $name: kpatch-build accepted a patch it must refuse"
			elif grep -q 'not built with this config' "$OUT/$kver/$name.log"; then
				skip "$kver $name: $(grep -m1 -o '[^ ]*: not built with this config.*' "$OUT/$kver/$name.log")"
			elif [[ -n "$want" ]] && grep -qE -- "$want" "$OUT/$kver/$name.log"; then
				pass "$kver $name: refused: $(grep -m1 -E -- "$want" "$OUT/$kver/$name.log" | cut -c1-120)"
			else
				fail "$kver $name: refused, but not for /$want/"
				tail -n 8 "$OUT/$kver/$name.log" | sed 's/^/    | /'
			fi
			continue
		fi
		if ! build "$kver" "$name" "$patch" "${extra[@]}"; then
			why="$(grep -m1 -o 'nothing to build: .*' "$OUT/$kver/$name.log")"
			if [[ -n "$why" ]]; then
				skip "$kver $name: $why"
			elif grep -q 'does not apply' "$OUT/$kver/$name.log"; then
				skip "$kver $name: the patch does not apply to this kernel's source"
			else
				fail "$kver $name: kpatch-build -a $kver failed"
				tail -n 12 "$OUT/$kver/$name.log" | sed 's/^/    | /'
			fi
			continue
		fi
		if [[ ! -f "$OUT/$kver/livepatch-$name.ko" ]] || [[ -z "$(test_file "$name" LOADED)" ]]; then
			fail "$kver $name: no module or no $name-LOADED.test"
			continue
		fi
		# Its behaviour test needs every part of the patch.
		why="$(grep -m1 -o '[^ ]*: not built with this config.*' "$OUT/$kver/$name.log")"
		if [[ -n "$why" ]]; then
			skip "$kver $name: built without a part its test needs: $why"
			continue
		fi
		local vm
		vm="$(modinfo -F vermagic "$OUT/$kver/livepatch-$name.ko")"
		if [[ "${vm%% *}" != "$kver" ]]; then
			fail "$kver $name: vermagic '$vm' is not $kver"
			continue
		fi
		built+=("$name")
		for t in LOADED UNLOADED; do
			[[ -n "$(test_file "$name" $t)" ]] && cp "$(test_file "$name" $t)" "$OUT/$kver/t/"
		done
		cp "$OUT/$kver/livepatch-$name.ko" "$OUT/$kver/m/"
	done
	echo "# $kver: ${#built[@]} modules built in $((SECONDS - start)) s (kpatch-build -a $kver)"
	noflag "$kver"

	# The .deb of cmdline-string: control data, lintian, and its payload.
	local deb
	deb="$(ls "$OUT/$kver"/livepatch-cmdline-string_*_amd64.deb 2>/dev/null | head -n1)"
	local payload="$OUT/$kver/payload"
	if [[ -n "$deb" ]]; then
		local dep
		dep="$(dpkg-deb -f "$deb" Depends)"
		[[ "$dep" == *"linux-image-$kver (= $DEBVER)"* ]] && dpkg-deb -c "$deb" | grep -q "\./var/lib/kpatch/$kver/livepatch-cmdline-string.ko$" &&
			pass "$kver deb: $(basename "$deb") depends on linux-image-$kver (= $DEBVER), module in /var/lib/kpatch/$kver" ||
			fail "$kver deb: control data: Depends: $dep"
		if lintian --allow-root "$deb" >"$OUT/$kver/lintian.log" 2>&1 || ! grep -q '^E:' "$OUT/$kver/lintian.log"; then
			pass "$kver deb: lintian reports no errors"
		else
			fail "$kver deb: lintian errors"; grep '^E:' "$OUT/$kver/lintian.log" | sed 's/^/    | /'
		fi
		dpkg-deb -x "$deb" "$payload"
		adds+=(--add "$payload/var/lib/kpatch/$kver/livepatch-cmdline-string.ko:/var/lib/kpatch/$kver/livepatch-cmdline-string.ko")
	elif [[ " ${built[*]} " == *" cmdline-string "* ]]; then
		fail "$kver deb: kpatch-build --deb wrote no package"
	fi
	[[ ${#built[@]} -gt 0 ]] || return

	# One boot of the exact Debian kernel: every module's protocol in turn.
	local guest="$OUT/$kver/guest.sh"
	{
		echo ". /lib/guest-lib.sh"
		echo 'echo "guest kernel: $(uname -r)"'
		echo 'check "kernel is '"$kver"'" [ "$(uname -r)" = '"$kver"' ]'
		for name in "${built[@]}"; do guest_checks "$name"; done
		if [[ -n "$deb" ]]; then
			echo 'check "deb: kpatch load --all loads the payload" kpatch load --all'
			echo 'check "deb: livepatch_cmdline_string enabled" [ "$(cat /sys/kernel/livepatch/livepatch_cmdline_string/enabled 2>/dev/null)" = 1 ]'
			echo 'check "deb: cmdline-string test passes" sh /root/t/cmdline-string-LOADED.test'
			echo 'check "deb: kpatch unload" kpatch unload livepatch_cmdline_string'
			echo 'check "deb: test fails after unload" not sh /root/t/cmdline-string-LOADED.test'
		fi
		echo 'exit $GUEST_FAILS'
	} >"$guest"
	adds+=(--add "$OUT/$kver/m:/root/m" --add "$OUT/$kver/t:/root/t" --add "$TOP/kpatch/kpatch:/usr/sbin/kpatch")
	[[ -f "$OUT/$kver/oot/oot_hello.ko" ]] && adds+=(--add "$OUT/$kver/oot/oot_hello.ko")
	start=$SECONDS
	rc=0
	bash "$TOP/test/qemu/run-guest.sh" --kernel-env "$ENVFILE" --timeout 900 "${adds[@]}" "$guest" \
		>"$OUT/$kver/guest.log" 2>&1 || rc=$?
	echo "# $kver: guest ran in $((SECONDS - start)) s (exit $rc)"
	grep -q "GUEST-PASS: kernel is $kver" "$OUT/$kver/guest.log" &&
		pass "$kver: qemu booted Debian's /boot/vmlinuz-$kver" ||
		{ fail "$kver: the guest did not boot $kver"; tail -n 20 "$OUT/$kver/guest.log" | sed 's/^/    | /'; return; }
	for name in "${built[@]}" deb; do
		[[ "$name" == deb && -z "$deb" ]] && continue
		local np nf
		np="$(grep -c "^GUEST-PASS: $name: " "$OUT/$kver/guest.log")"
		nf="$(grep -c "^GUEST-FAIL: $name: " "$OUT/$kver/guest.log")"
		if [[ $nf -eq 0 && $np -ge 5 ]]; then
			pass "$kver $name: $np guest checks passed"
		else
			fail "$kver $name: $np passed, $nf failed in the guest"
			grep -E "^GUEST-FAIL: $name: " "$OUT/$kver/guest.log" | sed 's/^/    | /'
		fi
	done
	case $rc in
	0) pass "$kver: dmesg clean after all loads and unloads" ;;
	125) fail "$kver: the guest's dmesg shows a kernel problem"; grep -A3 'run-guest: FAIL' "$OUT/$kver/guest.log" | sed 's/^/    | /' ;;
	*) grep -q '^GUEST-FAIL' "$OUT/$kver/guest.log" || { fail "$kver: guest exit $rc"; tail -n 15 "$OUT/$kver/guest.log" | sed 's/^/    | /'; } ;;
	esac
	[[ -n "${KPATCH_DEBIAN_KEEP:-}" ]] && cp -r "$OUT/$kver" "$KPATCH_DEBIAN_KEEP/" 2>/dev/null
	return 0
}

for kver in "${KVERS[@]}"; do
	KXY="$(sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p' <<<"$kver")"
	run_kernel "$kver"
done
echo "# debian suite: $((SECONDS - SUITE_START)) s for ${KVERS[*]}"
report_summary
