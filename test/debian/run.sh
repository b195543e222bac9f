#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - proof on Debian's own kernels, one harness for every series.
#
# For one Debian kernel it fetches, without installing anything, the set
# of ONE Debian version (kpatch-build/lib/debfetch.sh: the unsigned image,
# -dbg, headers, linux-source-X.Y, all of that version), so a new upload can
# neither break the run nor pair a source with a kernel it did not build.
# Then, with the command line a Debian user types (`kpatch-build -a KVER`,
# the pieces found under the unpacked root through KPATCH_ROOT):
#  - builds the integration patches (test/integration/, its X.Y/ variants,
#    and test/debian/patches/): a representative subset by default, every
#    one with --all; -FAIL patches must be refused for their
#    "# expect-refusal:" reason;
#  - `kpatch-build PATCH` with no options on a machine whose uname -r is
#    KVER (the no-flag command line);
#  - a source of another Debian version than the kernel's is refused;
#  - the .deb of cmdline-string (dpkg-deb, lintian, its payload loaded with
#    `kpatch load --all` in the guest);
#  - boots that exact kernel (Debian's vmlinuz) under qemu with its own
#    modules and runs each module's protocol (test/integration/protocol.sh:
#    test fails, output recorded, load, test passes, unload, test fails,
#    output byte-identical to before the load); dmesg must stay clean;
#  - then, in the same boot, module.sig_enforce=1 (switched on through
#    /sys/module/module/parameters): Debian's own signed module still loads,
#    an unsigned livepatch is refused and `kpatch load` says it was its
#    signature and what to do (guest-lib.sh's klp_sig_refused).
#
# Usage: run.sh [--series X.Y] [--flavour FLAVOUR] [--debver VERSION] [--all] [NAME...]
#   --series X.Y     6.1 (default) or 6.12
#   --flavour F      cloud-amd64 (default) or amd64 (generic)
#   --debver V       pin the set of Debian version V (e.g. 6.1.192-2); default:
#                    the newest version whose image, -dbg, headers and
#                    linux-source are all in the archive
#   --all            every patch (default: the subset below)
#   NAME             only these patches
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
# shellcheck source=../../kpatch-build/lib/debfetch.sh
. "$TOP/kpatch-build/lib/debfetch.sh"
# shellcheck source=../lib/debmods.sh
. "$TOP/test/lib/debmods.sh"
# shellcheck source=../integration/protocol.sh
. "$INTEG/protocol.sh"

# The representative subset of the default run, per series: a vmlinux
# function with a string (and its .deb), a syscall, a module patch (a
# Debian module too), a refusal. Everything else runs with --all (--full).
declare -A SUBSET=(
	[6.1]="cmdline-string syscall-newuname module-loop module-xfs struct-layout-FAIL"
	[6.12]="cmdline-string syscall-newuname module-loop ibt-sealed-FAIL"
)
# The guest's modules: those the patches patch, and what the tests use.
GUEST_MODULES="loop dummy xfs ext2 minix"

SERIES=6.1
FLAVOUR=cloud-amd64
DEBVER=""
ALL=0
NAMES=()
while [[ $# -gt 0 ]]; do
	case "$1" in
	--series) SERIES="$2"; shift ;;
	--flavour) FLAVOUR="$2"; shift ;;
	--debver) DEBVER="$2"; shift ;;
	--all) ALL=1 ;;
	-h|--help) sed -n '4,37p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
	*) NAMES+=("$1") ;;
	esac
	shift
done
[[ -n ${SUBSET[$SERIES]:-} ]] || { echo "run.sh: unknown series '$SERIES' (6.1 or 6.12)" >&2; exit 2; }

if [[ "${KPATCH_DEBIAN:-1}" == 0 ]]; then
	skip "debian $SERIES: KPATCH_DEBIAN=0"
	report_summary
	exit
fi

# series_file FILE: the first of test/integration/X.Y/FILE,
# test/integration/FILE and test/debian/patches/FILE that exists (the X.Y/
# variant first); nothing when none does.
series_file() {
	local f
	for f in "$INTEG/$SERIES/$1" "$INTEG/$1" "$DIR/patches/$1"; do
		[[ -f "$f" ]] && { echo "$f"; return 0; }
	done
	return 0
}
# patch_file NAME (a missing patch names test/debian/patches/NAME.patch),
# test_file NAME KIND (NAME-KIND.test), observe_file NAME (what the guest
# records before load and compares after unload: test/integration/protocol.sh).
patch_file() {
	local f
	f="$(series_file "$1.patch")"
	echo "${f:-$DIR/patches/$1.patch}"
}
test_file() { series_file "$1-$2.test"; }
observe_file() { series_file "$1.observe"; }
patch_opts() { sed -n '/^---/q; s/^.*kpatch-build-options:[[:space:]]*//p' "$1" | head -n1; }
expected_refusal() { sed -n '/^---/q; s/^# expect-refusal:[[:space:]]*//p' "$1" | head -n1; }

# all_names: every patch that applies to this series (X.Y/ variants too).
all_names() {
	local p
	for p in "$INTEG"/*.patch "$INTEG/$SERIES"/*.patch "$DIR"/patches/*.patch; do
		[[ -f "$p" ]] && basename "$p" .patch
	done | sort -u
}

if [[ ${#NAMES[@]} -eq 0 ]]; then
	if [[ $ALL -eq 1 ]]; then mapfile -t NAMES < <(all_names)
	else read -r -a NAMES <<<"${SUBSET[$SERIES]}"; fi
fi
make -s -C "$TOP/create-diff-object" >/dev/null || { fail "debian: building the C tools failed"; report_summary; exit; }

# ------------------------------------------------------------ the kernel set

SUITE_START=$SECONDS
if [[ -n $DEBVER ]]; then
	KVER="$(debfetch_kver "$SERIES" "$FLAVOUR" "$DEBVER")" || {
		fail "debian $SERIES: no $FLAVOUR kernel of Debian version $DEBVER with image, -dbg and headers in apt"
		report_summary; exit; }
else
	read -r KVER DEBVER < <(debfetch_newest "$SERIES" "$FLAVOUR")
	[[ -n ${DEBVER:-} ]] || { fail "debian $SERIES: no complete $FLAVOUR set in apt (apt-get update?)"; report_summary; exit; }
fi
ROOT="$(debfetch_root "$KVER" "$DEBVER" "$CACHE/debian")" || {
	fail "$KVER: fetching the set of $DEBVER failed"; report_summary; exit; }
echo "# $KVER ($DEBVER): set ready in $ROOT in $((SECONDS - SUITE_START)) s"
KCACHE="$CACHE/debian/kpatch-build-$KVER"
OUT="$(mktemp -d /tmp/debian-suite.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
mkdir -p "$OUT/m" "$OUT/t"

# kb ARGS...: kpatch-build for KVER as a user of that machine runs it.
kb() {
	CACHEDIR="$KCACHE" KPATCH_SRC_CACHE="$CACHE/src" KPATCH_ROOT="$ROOT" "$KPATCH_BUILD" "$@"
}

# build NAME PATCH [EXTRA...]: kpatch-build -a KVER into $OUT.
build() {
	local name="$1" patch="$2" opts
	shift 2
	if grep -q 'kpatch-build-options:' "$patch"; then opts="$(patch_opts "$patch")"; else opts="-R"; fi
	if [[ "$name" == oot-* ]]; then
		rm -rf "$OUT/oot" && cp -r "$INTEG/oot" "$OUT/oot" &&
			make -C "$OUT/oot" KDIR="$ROOT/usr/src/linux-headers-$KVER" >"$OUT/$name.log" 2>&1 || return 1
		opts+=" --oot-module $OUT/oot/oot_hello.ko --oot-module-src $OUT/oot"
	fi
	# shellcheck disable=SC2086
	kb -a "$KVER" -n "livepatch-$name" -o "$OUT" $opts "$@" "$patch" >>"$OUT/$name.log" 2>&1
}

# guest_modules: Debian's own modules the guest needs; prints the guest's
# module dir (test/lib/debmods.sh).
guest_modules() {
	# shellcheck disable=SC2086
	debmods_dir "$ROOT" "$KVER" "$CACHE/debian/guest/${KVER}_$DEBVER" $GUEST_MODULES
}

# ------------------------------------------------------------ the checks

# noflag: `kpatch-build PATCH` on a machine that runs KVER (a fake uname).
noflag() {
	local d="$OUT/noflag" start vm
	mkdir -p "$d/bin"
	printf '#!/bin/sh\n[ "$1" = -r ] && { echo %s; exit 0; }\nexec /bin/uname "$@"\n' "$KVER" >"$d/bin/uname"
	chmod +x "$d/bin/uname"
	start=$SECONDS
	if (cd "$d" && PATH="$d/bin:$PATH" kb "$TOP/examples/cmdline.patch" >"$d/log" 2>&1) &&
	   vm="$(modinfo -F vermagic "$d/livepatch-cmdline.ko")" && [[ "${vm%% *}" == "$KVER" ]]; then
		pass "$KVER no-flag: 'kpatch-build cmdline.patch' (uname -r = $KVER) built livepatch-cmdline.ko for $KVER in $((SECONDS - start)) s"
	else
		fail "$KVER no-flag: 'kpatch-build cmdline.patch' with uname -r = $KVER"
		tail -n 8 "$d/log" | sed 's/^/    | /'
	fi
}

# mismatch: the same root, but dpkg says linux-source is another version
# (what a machine with a newer linux-source installed looks like): refused
# before anything is built, naming both versions.
mismatch() {
	local m="$OUT/mismatch" other="$DEBVER.0fake" e
	mkdir -p "$m/var/lib/dpkg"
	for e in "$ROOT"/*; do
		[[ "$(basename "$e")" == var ]] || ln -s "$e" "$m/"
	done
	sed "/^Package: linux-source-/,/^$/s/^Version: .*/Version: $other/" "$ROOT/var/lib/dpkg/status" \
		>"$m/var/lib/dpkg/status"
	mkdir -p "$m/var/lib/dpkg/info" "$m/var/lib/dpkg/updates"
	if CACHEDIR="$OUT/mismatch-cache" KPATCH_ROOT="$m" "$KPATCH_BUILD" -a "$KVER" -o "$OUT/mismatch-out" \
		"$TOP/examples/cmdline.patch" >"$OUT/mismatch.log" 2>&1; then
		fail "$KVER mismatch: a linux-source of version $other was accepted for a $DEBVER kernel"
	elif grep -q "version mismatch: linux-source-$SERIES is $other but kernel $KVER is $DEBVER" "$OUT/mismatch.log"; then
		pass "$KVER mismatch: linux-source $other refused for the $DEBVER kernel, naming both"
	else
		fail "$KVER mismatch: refused, but not for the version mismatch"
		tail -n 5 "$OUT/mismatch.log" | sed 's/^/    | /'
	fi
}

# build_one NAME: build (or check the refusal of) one patch; a built
# module and its tests go to $OUT/m and $OUT/t, its name to BUILT.
BUILT=()
build_one() {
	local name="$1" patch why want vm t
	local extra=()
	patch="$(patch_file "$name")"
	[[ -f "$patch" ]] || { fail "$KVER $name: no such patch"; return; }
	if grep -qE '^\+\+\+ [^[:space:]]*\.h([[:space:]]|$)' "$patch"; then
		skip "$KVER $name: changes a header; Debian's headers have no dependency lists (full kernel build)"
		return
	fi
	[[ "$name" == cmdline-string ]] && extra=(--deb)
	if [[ "$name" == *-FAIL ]]; then
		want="$(expected_refusal "$patch")"
		if build "$name" "$patch"; then
			fail "$KVER $name: kpatch-build accepted a patch it must refuse"
		elif grep -q 'not built with this config' "$OUT/$name.log"; then
			skip "$KVER $name: $(grep -m1 -o '[^ ]*: not built with this config.*' "$OUT/$name.log")"
		elif [[ -n "$want" ]] && grep -qE -- "$want" "$OUT/$name.log"; then
			pass "$KVER $name: refused: $(grep -m1 -E -- "$want" "$OUT/$name.log" | cut -c1-120)"
		else
			fail "$KVER $name: refused, but not for /$want/"
			tail -n 8 "$OUT/$name.log" | sed 's/^/    | /'
		fi
		return
	fi
	if ! build "$name" "$patch" "${extra[@]}"; then
		why="$(grep -m1 -o 'nothing to build: .*' "$OUT/$name.log")"
		if [[ -n "$why" ]]; then
			skip "$KVER $name: $why"
		elif grep -q 'does not apply' "$OUT/$name.log"; then
			skip "$KVER $name: the patch does not apply to this kernel's source"
		else
			fail "$KVER $name: kpatch-build -a $KVER failed"
			tail -n 12 "$OUT/$name.log" | sed 's/^/    | /'
		fi
		return
	fi
	if [[ ! -f "$OUT/livepatch-$name.ko" ]] || [[ -z "$(test_file "$name" LOADED)" ]]; then
		fail "$KVER $name: no module or no $name-LOADED.test"
		return
	fi
	# Its behaviour test needs every part of the patch.
	why="$(grep -m1 -o '[^ ]*: not built with this config.*' "$OUT/$name.log")"
	if [[ -n "$why" ]]; then
		skip "$KVER $name: built without a part its test needs: $why"
		return
	fi
	vm="$(modinfo -F vermagic "$OUT/livepatch-$name.ko")"
	if [[ "${vm%% *}" != "$KVER" ]]; then
		fail "$KVER $name: vermagic '$vm' is not $KVER"
		return
	fi
	BUILT+=("$name")
	for t in LOADED UNLOADED; do
		[[ -n "$(test_file "$name" $t)" ]] && cp "$(test_file "$name" $t)" "$OUT/t/"
	done
	t="$(observe_file "$name")"
	[[ -n "$t" ]] && cp "$t" "$OUT/t/"
	cp "$OUT/livepatch-$name.ko" "$OUT/m/"
}

# check_deb: the .deb of cmdline-string; prints the payload's --add args.
DEB=""
check_deb() {
	local dep payload="$OUT/payload"
	DEB="$(compgen -G "$OUT/livepatch-cmdline-string_*_amd64.deb" | head -n1)"
	if [[ -z "$DEB" ]]; then
		[[ " ${BUILT[*]} " == *" cmdline-string "* ]] && fail "$KVER deb: kpatch-build --deb wrote no package"
		return 0
	fi
	dep="$(dpkg-deb -f "$DEB" Depends)"
	if [[ "$dep" == *"linux-image-$KVER (= $DEBVER)"* ]] &&
	   dpkg-deb -c "$DEB" | grep -q "\./var/lib/kpatch/$KVER/livepatch-cmdline-string.ko$"; then
		pass "$KVER deb: $(basename "$DEB") depends on linux-image-$KVER (= $DEBVER), module in /var/lib/kpatch/$KVER"
	else
		fail "$KVER deb: control data: Depends: $dep"
	fi
	if lintian --allow-root "$DEB" >"$OUT/lintian.log" 2>&1 || ! grep -q '^E:' "$OUT/lintian.log"; then
		pass "$KVER deb: lintian reports no errors"
	else
		fail "$KVER deb: lintian errors"; grep '^E:' "$OUT/lintian.log" | sed 's/^/    | /'
	fi
	dpkg-deb -x "$DEB" "$payload"
}

# boot: one boot of the exact Debian kernel, every module's protocol in turn.
boot() {
	local moddir envf guest="$OUT/guest.sh" start rc=0 name np nf
	local adds=(--add "$OUT/m:/root/m" --add "$OUT/t:/root/t" --add "$TOP/kpatch/kpatch:/usr/sbin/kpatch")
	moddir="$(guest_modules)" || { fail "$KVER: preparing the guest's modules failed"; return; }
	envf="$OUT/guest.env"
	printf 'KVER=%q\nBZIMAGE=%q\nMODDIR=%q\n' "$KVER" "$ROOT/boot/vmlinuz-$KVER" "$moddir" >"$envf"
	[[ -f "$OUT/oot/oot_hello.ko" ]] && adds+=(--add "$OUT/oot/oot_hello.ko")
	[[ -n "$DEB" ]] && adds+=(--add "$OUT/payload/var/lib/kpatch/$KVER/livepatch-cmdline-string.ko:/var/lib/kpatch/$KVER/livepatch-cmdline-string.ko")
	{
		echo ". /lib/guest-lib.sh"
		echo 'echo "guest kernel: $(uname -r)"'
		echo 'check "kernel is '"$KVER"'" [ "$(uname -r)" = '"$KVER"' ]'
		for name in "${BUILT[@]}"; do klp_protocol_lines "$name" "/root/m/livepatch-$name.ko" /root/t; done
		if [[ -n "$DEB" ]]; then
			echo 'check "deb: kpatch load --all loads the payload" kpatch load --all'
			echo 'check "deb: livepatch_cmdline_string enabled" [ "$(cat /sys/kernel/livepatch/livepatch_cmdline_string/enabled 2>/dev/null)" = 1 ]'
			echo 'check "deb: cmdline-string test passes" sh /root/t/cmdline-string-LOADED.test'
			echo 'check "deb: kpatch unload" kpatch unload livepatch_cmdline_string'
			echo 'check "deb: test fails after unload" not sh /root/t/cmdline-string-LOADED.test'
		fi
		# Last (the livepatches above are unsigned): module.sig_enforce=1,
		# switched on here (it can only be switched on). Debian's kernel
		# trusts only Debian's keys (and MOK): its own module still loads,
		# an unsigned livepatch is refused, and kpatch load says why.
		echo 'echo 1 >/sys/module/module/parameters/sig_enforce'
		echo 'check "sig_enforce: module.sig_enforce is on" [ "$(cat /sys/module/module/parameters/sig_enforce)" = Y ]'
		echo 'modprobe -r dummy 2>/dev/null'
		echo 'check "sig_enforce: Debian'"'"'s own module dummy (signed in Debian'"'"'s build) loads" modprobe dummy'
		echo "klp_sig_refused sig_enforce /root/m/livepatch-${BUILT[0]}.ko unsigned"
		echo 'exit $GUEST_FAILS'
	} >"$guest"
	start=$SECONDS
	bash "$TOP/test/qemu/run-guest.sh" --kernel-env "$envf" --timeout 900 "${adds[@]}" "$guest" \
		>"$OUT/guest.log" 2>&1 || rc=$?
	echo "# $KVER: guest ran in $((SECONDS - start)) s (exit $rc)"
	if grep -q "GUEST-PASS: kernel is $KVER" "$OUT/guest.log"; then
		pass "$KVER: qemu booted Debian's /boot/vmlinuz-$KVER"
	else
		fail "$KVER: the guest did not boot $KVER"; tail -n 20 "$OUT/guest.log" | sed 's/^/    | /'
		return
	fi
	local want
	for name in "${BUILT[@]}" deb sig_enforce; do
		[[ "$name" == deb && -z "$DEB" ]] && continue
		if [[ "$name" == deb ]]; then want=5
		elif [[ "$name" == sig_enforce ]]; then
			want=$((2 + $(sed -n 's/^KLP_SIG_REFUSED_CHECKS=//p' "$TOP/test/qemu/guest-lib.sh")))
		elif [[ -n "$(test_file "$name" UNLOADED)" ]]; then want="$(klp_protocol_checks 1)"
		else want="$(klp_protocol_checks 0)"; fi
		np="$(grep -c "^GUEST-PASS: $name: " "$OUT/guest.log")"
		nf="$(grep -c "^GUEST-FAIL: $name: " "$OUT/guest.log")"
		if [[ $nf -eq 0 && $np -eq $want ]]; then
			pass "$KVER $name: $np guest checks passed"
		else
			fail "$KVER $name: $np of $want guest checks passed, $nf failed"
			grep -E "^GUEST-FAIL: $name: " "$OUT/guest.log" | sed 's/^/    | /'
		fi
	done
	case $rc in
	0) pass "$KVER: dmesg clean after all loads and unloads" ;;
	125) fail "$KVER: the guest's dmesg shows a kernel problem"; grep -A3 'run-guest: FAIL' "$OUT/guest.log" | sed 's/^/    | /' ;;
	*) grep -q '^GUEST-FAIL' "$OUT/guest.log" || { fail "$KVER: guest exit $rc"; tail -n 15 "$OUT/guest.log" | sed 's/^/    | /'; } ;;
	esac
}

mismatch
start=$SECONDS
for name in "${NAMES[@]}"; do
	build_one "$name"
done
echo "# $KVER: ${#BUILT[@]} modules built in $((SECONDS - start)) s (kpatch-build -a $KVER)"
noflag
check_deb
[[ ${#BUILT[@]} -gt 0 ]] && boot
[[ -n "${KPATCH_DEBIAN_KEEP:-}" ]] && cp -r "$OUT" "$KPATCH_DEBIAN_KEEP/" 2>/dev/null
echo "# debian suite: $((SECONDS - SUITE_START)) s for $KVER ($DEBVER)"
report_summary
