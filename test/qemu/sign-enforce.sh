#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sign-enforce.sh - signed livepatches on a kernel that enforces module
# signatures (issue 16): the 6.1 test kernel (CONFIG_MODULE_SIG, the test
# certificate of test/kernel/build-kernel.sh in CONFIG_SYSTEM_TRUSTED_KEYS)
# booted with module.sig_enforce=1.
#
# Host: kpatch-build --sign-key TEST_SIGN_KEY --sign-cert TEST_SIGN_CERT
# builds test/integration/cmdline-string.patch with the kernel's own
# scripts/sign-file and hash; from that module, the same module unsigned
# (its signature cut off) and signed with a throwaway key the kernel does
# not know (made here, removed at the end).
# Guest (one boot, test/qemu/run-guest.sh --append module.sig_enforce=1):
#  - enforcement is on and the kernel loaded the test certificate;
#  - an in-tree module (loop, signed by modules_install with kbuild's own
#    key) still loads;
#  - `kpatch load` of the unsigned module and of the one signed with the
#    other key: refused by the kernel, and kpatch says it was the signature
#    and what to do (kpatch-build --sign-key, mokutil --import):
#    guest-lib.sh's klp_sig_refused;
#  - the signed module: the integration protocol (test/integration/
#    protocol.sh: test fails, load, test passes, unload, test fails, output
#    as before), then `kpatch load` / `kpatch unload` of it;
#  - no module the kernel could not verify got in (no "E" taint).
#
# Usage: sign-enforce.sh   (KPATCH_BUILD, KPATCH_CMD: the kpatch-build and
# kpatch command under test)
# Ends with one line "N passed, N failed, N skipped".

set -o nounset -o pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$DIR/../.." && pwd)"
KPATCH_BUILD="${KPATCH_BUILD:-$TOP/kpatch-build/kpatch-build}"
KPATCH_CMD="${KPATCH_CMD:-$TOP/kpatch/kpatch}"
CACHE="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
PATCH="$TOP/test/integration/cmdline-string.patch"
NAME=cmdline-string
MODFILE="livepatch-$NAME.ko"
MOD="livepatch_cmdline_string"
OTHER_CN="kpatch-lts untrusted test key"
# shellcheck source=../lib/report.sh
. "$TOP/test/lib/report.sh"
# shellcheck source=../integration/protocol.sh
. "$TOP/test/integration/protocol.sh"

WORK="$(mktemp -d /tmp/sign-enforce.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# strip_signature IN OUT: IN without its appended signature (the bytes
# sign-file signed): the magic (28 bytes), struct module_signature (12
# bytes, the signature's length big-endian in its last 4) and the PKCS#7.
strip_signature() {
	local in="$1" out="$2" size siglen
	size="$(stat -c %s "$in")"
	siglen="$(tail -c 32 "$in" | head -c 4 | od -A n -t u1 |
		awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')"
	head -c $((size - 28 - 12 - siglen)) "$in" >"$out"
}

# signed_magic FILE: status 0 when FILE ends with the signature magic.
signed_magic() {
	[[ "$(tail -c 28 "$1" 2>/dev/null | tr -d '\n\000')" == "~Module signature appended~" ]]
}

# kernel_env FILE: the test kernel's variables (build-kernel.sh --print-env)
# in FILE and in this shell; status 1 when it is not there.
kernel_env() {
	bash "$TOP/test/kernel/build-kernel.sh" --print-env >"$1" || return 1
	# shellcheck disable=SC1090
	source "$1"
}

# check_kernel: the kernel checks signatures and trusts the test certificate.
check_kernel() {
	local trusted
	trusted="$(sed -n 's/^CONFIG_SYSTEM_TRUSTED_KEYS="\(.*\)"$/\1/p' "$KCONFIG")"
	if [[ -z "${TEST_SIGN_KEY:-}" || ! -f "${TEST_SIGN_KEY:-}" || ! -f "${TEST_SIGN_CERT:-}" ]]; then
		fail "kernel: build-kernel.sh --print-env names no test signing key (TEST_SIGN_KEY, TEST_SIGN_CERT)"
		return 1
	fi
	if grep -qx 'CONFIG_MODULE_SIG=y' "$KCONFIG" && grep -qx 'CONFIG_MODULE_SIG_HASH="sha256"' "$KCONFIG" &&
	   [[ "$trusted" == "$TEST_SIGN_CERT" ]]; then
		pass "kernel $KVER: CONFIG_MODULE_SIG=y, sha256, CONFIG_SYSTEM_TRUSTED_KEYS = the test certificate ($(openssl x509 -in "$TEST_SIGN_CERT" -noout -subject))"
	else
		fail "kernel $KVER: not a signing kernel with the test certificate (MODULE_SIG, hash, trusted keys '$trusted')"
		return 1
	fi
}

# build_modules OUTDIR: the signed, unsigned and other-key modules in
# OUTDIR/{signed,unsigned,other}/$MODFILE; status 1 when one is missing.
build_modules() {
	local out="$1" log="$WORK/build.log" rc=0 start=$SECONDS signer hash
	mkdir -p "$out/signed" "$out/unsigned" "$out/other"
	CACHEDIR="$CACHE/sign-enforce-kpatch" "$KPATCH_BUILD" -s "$KSRC" -c "$KCONFIG" -v "$VMLINUX" \
		-n "livepatch-$NAME" -o "$out/signed" --sign-key "$TEST_SIGN_KEY" --sign-cert "$TEST_SIGN_CERT" \
		"$PATCH" >"$log" 2>&1 || rc=$?
	signer="$(modinfo -F signer "$out/signed/$MODFILE" 2>/dev/null)"
	hash="$(modinfo -F sig_hashalgo "$out/signed/$MODFILE" 2>/dev/null)"
	# (kpatch-build's log names the sign-file it used)
	if [[ $rc -eq 0 && "$signer" == "kpatch-lts test signing key" && "$hash" == sha256 ]] &&
	   grep -q "^signing with $KBUILD/scripts/sign-file sha256 " "$CACHE/sign-enforce-kpatch/build.log" &&
	   ! grep -q "without CONFIG_MODULE_SIG" "$log"; then
		pass "host: kpatch-build --sign-key (test key) signed $MODFILE with the kernel's own scripts/sign-file, sha256, signer '$signer' ($((SECONDS - start)) s)"
	else
		fail "host: kpatch-build --sign-key (rc=$rc, signer '$signer', hash '$hash')"
		tail -n 15 "$log" | sed 's/^/    | /'
		return 1
	fi
	strip_signature "$out/signed/$MODFILE" "$out/unsigned/$MODFILE"
	if ! signed_magic "$out/unsigned/$MODFILE" && [[ "$(modinfo -F name "$out/unsigned/$MODFILE")" == "$MOD" ]]; then
		pass "host: the unsigned module: the signed one with its signature cut off ($(stat -c %s "$out/unsigned/$MODFILE") bytes)"
	else
		fail "host: cutting the signature off $MODFILE"
		return 1
	fi
	cp "$out/unsigned/$MODFILE" "$out/other/$MODFILE"
	if openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -batch -subj "/CN=$OTHER_CN/" \
		-keyout "$WORK/other-key.pem" -out "$WORK/other-cert.pem" >"$WORK/openssl.log" 2>&1 &&
	   "$KBUILD/scripts/sign-file" sha256 "$WORK/other-key.pem" "$WORK/other-cert.pem" "$out/other/$MODFILE" \
		>>"$WORK/openssl.log" 2>&1 &&
	   [[ "$(modinfo -F signer "$out/other/$MODFILE")" == "$OTHER_CN" ]]; then
		pass "host: the same module signed with another key ('$OTHER_CN', not trusted by the kernel)"
	else
		fail "host: signing with another key"; sed 's/^/    | /' "$WORK/openssl.log"
		return 1
	fi
}

# check_intree: the installed in-tree modules carry kbuild's signature.
check_intree() {
	local ko signer
	ko="$(find "$MODDIR" -name loop.ko | head -n1)"
	signer="$(modinfo -F signer "$ko" 2>/dev/null)"
	if [[ -n "$signer" ]] && signed_magic "$ko"; then
		pass "host: the installed in-tree loop.ko is signed by '$signer' (modules_install, MODULE_SIG_ALL)"
	else
		fail "host: the installed loop.ko ($ko) is not signed"
	fi
}

# guest_script FILE: the guest's checks (busybox sh).
guest_script() {
	{
		cat <<'EOF'
. /lib/guest-lib.sh
MOD=livepatch_cmdline_string
F=livepatch-cmdline-string.ko
say() { echo "sign-guest: $*"; }
# kp ARGS...: run kpatch, keep its output in $OUT and status in $RC, show it.
kp() {
	OUT=$(kpatch "$@" 2>&1)
	RC=$?
	say "\$ kpatch $* -> exit $RC"
	echo "$OUT" | sed 's/^/sign-guest: | /'
}
has() { echo "$OUT" | grep -Eq -- "$1"; }
rc_is() { [ "$RC" -eq "$1" ]; }
in_dmesg() { dmesg | grep -q -- "$1"; }
# no_e_taint: the kernel's taint has no "E" (an unverified module loaded).
no_e_taint() { [ $(( $(cat /proc/sys/kernel/tainted) & 8192 )) -eq 0 ]; }

check "enforcing: booted with module.sig_enforce=1" grep -q "module.sig_enforce=1" /proc/cmdline
check "enforcing: /sys/module/module/parameters/sig_enforce is Y" [ "$(cat /sys/module/module/parameters/sig_enforce)" = Y ]
check "keyring: the kernel loaded the test certificate" in_dmesg "Loaded X.509 cert 'kpatch-lts test signing key"
check "keyring: and kbuild's own key" in_dmesg "Loaded X.509 cert '.*Build time autogenerated kernel key"

check "in-tree: modprobe loop (signed by modules_install) loads" modprobe loop
check "in-tree: loop is in /proc/modules" grep -q "^loop " /proc/modules

klp_sig_refused unsigned /root/unsigned/$F unsigned
klp_sig_refused "other key" /root/other/$F untrusted

EOF
		klp_protocol_lines "$NAME" "/root/signed/$MODFILE" /root/t
		cat <<'EOF'

kp load /root/signed/$F
check "signed: kpatch load: exit 0" rc_is 0
check "signed: kpatch load: patch enabled" has "patch '$MOD' is enabled"
check "signed: the patched /proc/cmdline shows" sh /root/t/cmdline-string-LOADED.test
kp unload $MOD
check "signed: kpatch unload: exit 0" rc_is 0
check "signed: the original /proc/cmdline is back" not sh /root/t/cmdline-string-LOADED.test
check "taint: no unverified module was loaded (no E taint)" no_e_taint
echo "sign-guest: tainted=$(cat /proc/sys/kernel/tainted)"
exit $GUEST_FAILS
EOF
	} >"$1"
}

# run_guest OUTDIR: boot with module.sig_enforce=1 and count the checks.
run_guest() {
	local out="$1" envf="$WORK/kernel.env" guest="$WORK/guest.sh" log="$WORK/guest.log" rc=0 start=$SECONDS
	local want line np nf
	mkdir -p "$out/t"
	cp "$TOP/test/integration/$NAME-LOADED.test" "$TOP/test/integration/$NAME.observe" "$out/t/"
	guest_script "$guest"
	# (klp_sig_refused: guest-lib.sh's KLP_SIG_REFUSED_CHECKS lines each)
	want=$(($(grep -c '^check ' "$guest") + $(grep -c '^klp_sig_refused ' "$guest") * \
		$(sed -n 's/^KLP_SIG_REFUSED_CHECKS=//p' "$DIR/guest-lib.sh")))
	bash "$TOP/test/qemu/run-guest.sh" --kernel-env "$envf" --timeout 240 --append module.sig_enforce=1 \
		--add "$out/signed:/root/signed" --add "$out/unsigned:/root/unsigned" --add "$out/other:/root/other" \
		--add "$out/t:/root/t" --add "$KPATCH_CMD:/usr/sbin/kpatch" "$guest" >"$log" 2>&1 || rc=$?
	grep -E '^(sign-guest|guest): ' "$log" | sed -E 's/^(sign-guest|guest): /    /'
	while IFS= read -r line; do
		case "$line" in
		GUEST-PASS:*) pass "guest: ${line#GUEST-PASS: }" ;;
		GUEST-FAIL:*) fail "guest: ${line#GUEST-FAIL: }" ;;
		esac
	done < <(tr -d '\r' <"$log")
	np="$(grep -c '^GUEST-PASS' "$log")"
	nf="$(grep -c '^GUEST-FAIL' "$log")"
	echo "# guest ran in $((SECONDS - start)) s (exit $rc)"
	if [[ $((np + nf)) -ne $want ]]; then
		fail "guest: $((np + nf)) of $want checks reported"
		tail -n 30 "$log" | sed 's/^/    | /'
	elif [[ $rc -eq 125 ]]; then
		fail "guest: the guest's dmesg shows a kernel problem"
		grep -A3 'run-guest: FAIL' "$log" | sed 's/^/    | /'
	elif [[ $rc -ne 0 && $nf -eq 0 ]]; then
		fail "guest: run-guest.sh exit $rc"
		tail -n 20 "$log" | sed 's/^/    | /'
	elif [[ $rc -eq 0 ]]; then
		pass "guest: dmesg clean (no oops, BUG, WARNING) after the refusals, loads and unloads"
	fi
}

main() {
	local start=$SECONDS
	if ! kernel_env "$WORK/kernel.env"; then
		fail "the test kernel is not available (test/kernel/build-kernel.sh failed)"
		return
	fi
	make -s -C "$TOP/create-diff-object" >/dev/null || { fail "building the C tools failed"; return; }
	check_kernel || return
	build_modules "$WORK/m" || return
	check_intree
	run_guest "$WORK/m"
	echo "# sign-enforce: $((SECONDS - start)) s"
}

main
# shellcheck disable=SC2119 # no prefix
report_summary
