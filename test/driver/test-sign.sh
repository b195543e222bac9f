#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kpatch-build --sign-key/--sign-cert (no qemu):
# - bad inputs are refused at once with a clear message, before any build:
#   a missing key, one option without the other, a key that is not a PEM
#   private key, a certificate that is not one, a key of another
#   certificate, an encrypted key without KBUILD_SIGN_PIN, a kernel whose
#   build dir has no scripts/sign-file (a copy of the test kernel's build
#   dir's .config, Module.symvers, Makefile and include/generated: the test
#   kernel itself has CONFIG_MODULE_SIG and its sign-file);
# - the sign-file of a Debian kernel is found through the headers'
#   scripts link to linux-kbuild-X.Y (relative, or absolute in KPATCH_ROOT);
#   KPATCH_SIGN_FILE overrides it, and a kernel without CONFIG_MODULE_SIG
#   gets a warning that it checks no signature (sign.sh's sign_locate);
# - a signed build (a throwaway key made here, the test kernel's own
#   scripts/sign-file and CONFIG_MODULE_SIG_HASH, no warning): the module
#   ends with "~Module signature appended~", modinfo shows the signer, the
#   certificate's serial as key id and sha256, the PKCS#7 signature verifies
#   against the certificate over the module's bytes, --deb packages the
#   signed module;
# - kpatch info shows the signature; kpatch load of it, when the kernel
#   rejects the key (a fake insmod), says so and names mokutil --import.
# pass and fail return 0, so `COND && pass || fail` is an if/else; output is
# indented with sed 's/^/    | /' as in the other driver tests.
# shellcheck disable=SC2015,SC2001
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_user_tree
cache="$TEST_ROOT/cache"
make_patch "$WORK/cmdline.patch"
krel="$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$KBUILD/include/generated/utsrelease.h")"
keys="$WORK/keys"
mkdir -p "$keys"
cn="kpatch-lts driver test key"
# Throwaway keys, made here and removed with WORK (never committed).
if ! openssl req -new -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$cn/" \
	-keyout "$keys/key.pem" -out "$keys/cert.pem" >"$WORK/openssl.log" 2>&1 ||
   ! openssl req -new -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other/" \
	-keyout "$keys/other.pem" -out "$keys/other-cert.pem" >>"$WORK/openssl.log" 2>&1 ||
   ! openssl pkey -in "$keys/key.pem" -aes256 -passout pass:secret -out "$keys/enc.pem" >>"$WORK/openssl.log" 2>&1; then
	fail "sign: openssl could not make the test keys"; sed 's/^/    | /' "$WORK/openssl.log"
	finish; exit
fi
openssl x509 -in "$keys/cert.pem" -outform DER -out "$keys/cert.der"

# refused RC REGEX ARGS...: kpatch-build ARGS fails at once with REGEX.
refused() {
	local what="$1" re="$2" rc=0 t0=$SECONDS
	shift 2
	kb "$WORK/cache-refused" -o "$WORK/refused" "$@" "$WORK/cmdline.patch" >"$WORK/log" 2>&1 || rc=$?
	if [[ $rc -ne 0 ]] && grep -qE "$re" "$WORK/log" && ! grep -q '^Building' "$WORK/log" &&
	   [[ ! -e "$WORK/refused/livepatch-cmdline.ko" ]]; then
		pass "sign: $what refused before any build ($((SECONDS - t0)) s): $(grep -m1 ERROR "$WORK/log" | cut -c1-110)"
	else
		fail "sign: $what (rc=$rc)"; sed 's/^/    | /' "$WORK/log"
	fi
}
refused "a missing --sign-key file" "ERROR: --sign-key: private key '$WORK/nokey.pem' not found" \
	--sign-key "$WORK/nokey.pem" --sign-cert "$keys/cert.pem"
refused "--sign-key without --sign-cert" "ERROR: --sign-key needs --sign-cert" --sign-key "$keys/key.pem"
refused "a certificate given as the key" "is not a PEM private key" --sign-key "$keys/cert.pem" --sign-cert "$keys/cert.pem"
refused "a key given as the certificate" "ERROR: --sign-cert: .* is not an X.509 certificate" \
	--sign-key "$keys/key.pem" --sign-cert "$keys/key.pem"
refused "the key of another certificate" "is not the key of --sign-cert .*their public keys differ" \
	--sign-key "$keys/other.pem" --sign-cert "$keys/cert.pem"
refused "an encrypted key without KBUILD_SIGN_PIN" "cannot read the private key .*KBUILD_SIGN_PIN" \
	--sign-key "$keys/enc.pem" --sign-cert "$keys/cert.pem"
# A build dir without scripts/sign-file: what kpatch-build reads of the test
# kernel's (found next to -c: .config, Module.symvers, Makefile,
# include/generated), and nothing else.
nosign="$WORK/nosign-build"
mkdir -p "$nosign/include"
cp "$KBUILD/.config" "$KBUILD/Module.symvers" "$KBUILD/Makefile" "$nosign/"
cp -r "$KBUILD/include/generated" "$nosign/include/"
KCONFIG="$nosign/.config" refused "a kernel without scripts/sign-file" \
	"kernel $krel has no sign-file: $nosign/scripts/sign-file is missing" \
	--sign-key "$keys/key.pem" --sign-cert "$keys/cert.der"
grep -q "KPATCH_SIGN_FILE=" "$WORK/log" && grep -q "gcc -o sign-file .*scripts/sign-file.c -lcrypto" "$WORK/log" &&
	pass "sign: the no-sign-file message says how to build one and give it (KPATCH_SIGN_FILE)" ||
	{ fail "sign: no-sign-file message"; sed 's/^/    | /' "$WORK/log"; }

# The Debian layout: headers' scripts -> ../../lib/linux-kbuild-6.1/scripts
# (as Debian ships it), and an absolute link inside KPATCH_ROOT.
root="$WORK/root"
hdr="$root/usr/src/linux-headers-6.1.0-99-kpatchtest-amd64"
mkdir -p "$root/usr/lib/linux-kbuild-6.1/scripts" "$hdr" "$root/usr/src/abs"
printf '#!/bin/sh\nexit 0\n' >"$root/usr/lib/linux-kbuild-6.1/scripts/sign-file"
chmod +x "$root/usr/lib/linux-kbuild-6.1/scripts/sign-file"
ln -s ../../lib/linux-kbuild-6.1/scripts "$hdr/scripts"
ln -s /usr/lib/linux-kbuild-6.1/scripts "$root/usr/src/abs/scripts"
found="$(
	# shellcheck disable=SC2317 # called by sign.sh when it fails
	die() { echo "die: $*"; exit 1; }
	# shellcheck source=../../kpatch-build/lib/sign.sh
	. "$TOP/kpatch-build/lib/sign.sh"
	KPATCH_ROOT=""
	KBUILD="$hdr" sign_find_tool
	KPATCH_ROOT="$root"
	KBUILD="$root/usr/src/abs" sign_find_tool
)"
want="$root/usr/lib/linux-kbuild-6.1/scripts/sign-file"
[[ "$found" == "$want"$'\n'"$want" ]] &&
	pass "sign: Debian's sign-file found through the headers' scripts link (relative, and absolute in KPATCH_ROOT)" ||
	fail "sign: Debian sign-file lookup gave: $found"

# sign_locate_in BUILD SIGN_FILE: sign.sh's sign_locate for the build dir
# BUILD (its .config) with KPATCH_SIGN_FILE=SIGN_FILE; prints its warnings
# ("warn: ...") and "SIGN_FILE=... SIGN_HASH=...". Run it in a subshell (it
# sources sign.sh and defines die, warn and config_value).
sign_locate_in() {
	local KBUILD="$1" KPATCH_SIGN_FILE="$2" KREL="$krel" NAME=livepatch-x LOGFILE=/dev/null KPATCH_ROOT=""
	# shellcheck disable=SC2317 # called by sign.sh
	die() { echo "die: $*"; exit 1; }
	# shellcheck disable=SC2317
	warn() { echo "warn: $*"; }
	# shellcheck disable=SC2317
	config_value() { sed -n "s/^$1=//p" "$KBUILD/.config" | head -n1; }
	# shellcheck source=../../kpatch-build/lib/sign.sh
	. "$TOP/kpatch-build/lib/sign.sh"
	SIGN_KEY=k SIGN_CERT=c
	sign_locate
	echo "SIGN_FILE=$SIGN_FILE SIGN_HASH=$SIGN_HASH"
}
# KPATCH_SIGN_FILE, on a config without CONFIG_MODULE_SIG (the build dir
# without sign-file above, its .config edited).
sed -i '/^CONFIG_MODULE_SIG/d' "$nosign/.config"
printf '#!/bin/sh\nexit 0\n' >"$WORK/my-sign-file"
chmod +x "$WORK/my-sign-file"
located="$(sign_locate_in "$nosign" "$WORK/my-sign-file")"
grep -qx "SIGN_FILE=$WORK/my-sign-file SIGN_HASH=sha256" <<<"$located" &&
	grep -q "^warn: kernel $krel is built without CONFIG_MODULE_SIG: it does not check module signatures" <<<"$located" &&
	pass "sign: KPATCH_SIGN_FILE is used; a kernel without CONFIG_MODULE_SIG: sha256, and a warning that it checks no signature" ||
	{ fail "sign: sign_locate with KPATCH_SIGN_FILE, no CONFIG_MODULE_SIG"; sed 's/^/    | /' <<<"$located"; }

# ---------------------------------------------------------------- signed build
# The test kernel has CONFIG_MODULE_SIG: its own scripts/sign-file and hash.
ko="$WORK/out/livepatch-sign_test.ko"
deb="$WORK/out/livepatch-sign-test_1_amd64.deb"
khash="$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$KCONFIG")"
rc=0
kb "$cache" -o "$WORK/out" -n livepatch-sign_test --deb \
	--sign-key "$keys/key.pem" --sign-cert "$keys/cert.pem" "$WORK/cmdline.patch" >"$WORK/log" 2>&1 || rc=$?
if [[ $rc -eq 0 && -f "$ko" && -f "$deb" ]] && grep -q "^Signed livepatch-sign_test.ko: signer '$cn'" "$WORK/log"; then
	pass "sign: kpatch-build --sign-key --sign-cert --deb built and signed $(basename "$ko"): $(grep '^Signed' "$WORK/log" | cut -c1-90)"
else
	fail "sign: signed build (rc=$rc)"; tail -n 12 "$WORK/log" | sed 's/^/    | /'
	finish; exit
fi
if [[ -n "$khash" ]] && grep -q "^signing with $KBUILD/scripts/sign-file $khash " "$cache/build.log" &&
   ! grep -q "without CONFIG_MODULE_SIG" "$WORK/log"; then
	pass "sign: signed with the test kernel's own $KBUILD/scripts/sign-file and CONFIG_MODULE_SIG_HASH ($khash), no warning"
else
	fail "sign: not the kernel's sign-file and hash '$khash' (or a CONFIG_MODULE_SIG warning)"
	grep -E '^signing with|without CONFIG_MODULE_SIG' "$cache/build.log" "$WORK/log" | sed 's/^/    | /'
fi
magic="$(tail -c 28 "$ko" | tr -d '\n')"
[[ "$magic" == "~Module signature appended~" ]] && pass "sign: the module ends with '$magic'" ||
	fail "sign: last 28 bytes: $(tail -c 28 "$ko" | od -c | head -n 2)"
signer="$(modinfo -F signer "$ko")" key="$(modinfo -F sig_key "$ko")" hash="$(modinfo -F sig_hashalgo "$ko")"
serial="$(openssl x509 -in "$keys/cert.pem" -noout -serial | sed 's/^serial=//; s/../&:/g; s/:$//')"
[[ "$signer" == "$cn" && "${key^^}" == "${serial^^}" && "$hash" == sha256 ]] &&
	pass "sign: modinfo: signer '$signer', key id = the certificate's serial, hash sha256 (the default)" ||
	fail "sign: modinfo: signer '$signer' key '$key' (serial $serial) hash '$hash'"

# The signature the kernel would check: struct module_signature (12 bytes,
# sig_len big-endian last) before the magic, the PKCS#7 before that, and
# the signed bytes before that.
size="$(stat -c %s "$ko")"
siglen="$(tail -c 32 "$ko" | head -c 4 | od -A n -t u1 | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')"
body=$((size - 28 - 12 - siglen))
head -c "$body" "$ko" >"$WORK/body"
tail -c $((siglen + 40)) "$ko" | head -c "$siglen" >"$WORK/sig.p7"
if openssl cms -verify -binary -inform DER -in "$WORK/sig.p7" -content "$WORK/body" -certfile "$keys/cert.pem" \
	-nointern -noverify -out /dev/null >"$WORK/cms.log" 2>&1; then
	# and fails over one changed byte (the check is real)
	printf 'X' | dd of="$WORK/body" bs=1 seek=100 conv=notrunc status=none
	if openssl cms -verify -binary -inform DER -in "$WORK/sig.p7" -content "$WORK/body" -certfile "$keys/cert.pem" \
		-nointern -noverify -out /dev/null >/dev/null 2>&1; then
		fail "sign: the signature also verifies over a changed module"
	else
		pass "sign: the PKCS#7 signature ($siglen bytes) verifies with the certificate over the module's $body bytes, not over a changed byte"
	fi
else
	fail "sign: openssl cms -verify"; sed 's/^/    | /' "$WORK/cms.log"
fi
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./var/lib/kpatch/$krel/livepatch-sign_test.ko" | cmp -s - "$ko" &&
	pass "sign: the .deb carries the signed module" || fail "sign: packaged module is not the signed one"

# kpatch info and a load the kernel refuses (fake insmod, fake sysfs).
KP="$TOP/kpatch/kpatch"
info="$(dash "$KP" info "$ko" 2>&1)"
grep -qx "Signature: signed, hash sha256" <<<"$info" && grep -qx "Signer: *$cn" <<<"$info" &&
	grep -qix "Key id: *$serial" <<<"$info" &&
	pass "sign: kpatch info shows the signature, signer and key id" ||
	{ fail "sign: kpatch info"; sed 's/^/    | /' <<<"$info"; }
cat >"$WORK/insmod" <<'EOT'
#!/bin/sh
echo "insmod: ERROR: could not insert module $1: Key was rejected by service" >&2
exit 1
EOT
chmod +x "$WORK/insmod"
mkdir -p "$WORK/sys/livepatch" "$WORK/sys/module"
rc=0
lout="$(KPATCH_INSMOD="$WORK/insmod" KPATCH_SYSFS="$WORK/sys/livepatch" KPATCH_MODULE_SYSFS="$WORK/sys/module" \
	KPATCH_KVER="$krel" dash "$KP" load "$ko" 2>&1)" || rc=$?
if [[ $rc -eq 1 ]] && grep -q "refused the module because of its signature" <<<"$lout" &&
   grep -q "is signed by '$cn' (key .*), with a key the running kernel does not trust" <<<"$lout" &&
   grep -q "kpatch-build --sign-key KEY.pem --sign-cert CERT.pem" <<<"$lout" && grep -q "mokutil --import" <<<"$lout"; then
	pass "sign: kpatch load of it, key rejected: names its signer and says sign with a trusted key / mokutil --import"
else
	fail "sign: kpatch load message (rc=$rc)"; sed 's/^/    | /' <<<"$lout"
fi
finish
