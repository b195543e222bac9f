# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# sign.sh - kpatch-build --sign-key KEY --sign-cert CERT: sign the finished
# module with the target kernel's own scripts/sign-file and the hash its
# config names (CONFIG_MODULE_SIG_HASH, sha256 when unset), before --deb
# packages it.
#
#   sign_check_args   (after option parsing) both options or neither; the
#                     files exist and are readable; KEY is a PEM private
#                     key (or a pkcs11: URI), CERT an X.509 certificate
#                     (PEM or DER), and they belong together (openssl)
#   sign_locate       (after the kernel is located, before any build)
#                     SIGN_FILE and SIGN_HASH
#   sign_module       (stage, after build_module) OUTDIR/NAME.ko signed in
#                     place; on failure it is removed, never left unsigned
#
# Sourced by kpatch-build; uses its die/warn/say/log_tail, LOGFILE, KBUILD,
# KREL, KPATCH_ROOT, SRCDIR, OUTDIR, NAME, TMPDIR_KP, config_value. The
# environment's KBUILD_SIGN_PIN (the key's pass phrase, as for kbuild) is
# used by sign-file and by the openssl checks. KPATCH_SIGN_FILE names
# another sign-file (a kernel built without CONFIG_MODULE_SIG has none).

SIGN_KEY=""
SIGN_CERT=""
SIGN_FILE=""
SIGN_HASH=""
SIGN_MAGIC="~Module signature appended~"

# sign_openssl_pass: openssl's -passin for KBUILD_SIGN_PIN (never on the
# command line), or an empty pass phrase so that openssl never prompts.
sign_openssl_pass() {
	if [[ -n "${KBUILD_SIGN_PIN:-}" ]]; then echo env:KBUILD_SIGN_PIN; else echo pass:; fi
}

# sign_cert_form CERT: DER or PEM, the way sign-file tells them apart.
sign_cert_form() {
	if [[ "$(head -c 1 "$1" | od -A n -t x1 | tr -d ' \n')" == 30 ]]; then echo DER; else echo PEM; fi
}

sign_check_args() {
	[[ -n "$SIGN_KEY" || -n "$SIGN_CERT" ]] || return 0
	[[ -n "$SIGN_KEY" ]] || die "--sign-cert needs --sign-key KEY (the private key of that certificate)"
	[[ -n "$SIGN_CERT" ]] || die "--sign-key needs --sign-cert CERT (the X.509 certificate of that key)"
	[[ -e "$SIGN_CERT" ]] || die "--sign-cert: certificate '$SIGN_CERT' not found"
	[[ -f "$SIGN_CERT" && -r "$SIGN_CERT" ]] || die "--sign-cert: '$SIGN_CERT' is not a readable file"
	SIGN_CERT="$(readlink -f "$SIGN_CERT")"
	if [[ "$SIGN_KEY" == pkcs11:* ]]; then
		# A key in a token (sign-file's PKCS#11 engine): nothing to read here.
		return 0
	fi
	[[ -e "$SIGN_KEY" ]] || die "--sign-key: private key '$SIGN_KEY' not found"
	[[ -f "$SIGN_KEY" ]] || die "--sign-key: '$SIGN_KEY' is not a file"
	if [[ ! -r "$SIGN_KEY" ]] || ! head -c 1 "$SIGN_KEY" >/dev/null 2>&1; then
		die "--sign-key: private key '$SIGN_KEY' is not readable by $(id -un); sign as a user who can read it"
	fi
	SIGN_KEY="$(readlink -f "$SIGN_KEY")"
	grep -q -- '-----BEGIN .*PRIVATE KEY-----' "$SIGN_KEY" ||
		die "--sign-key: '$SIGN_KEY' is not a PEM private key (sign-file reads PEM only: convert it with 'openssl pkey -in KEY -out KEY.pem')"
	if ! command -v openssl >/dev/null; then
		warn "openssl is not installed: cannot check that '$SIGN_KEY' belongs to '$SIGN_CERT'"
		return 0
	fi
	local form keypub certpub hint="encrypted? put its pass phrase in KBUILD_SIGN_PIN"
	[[ -z "${KBUILD_SIGN_PIN:-}" ]] || hint="with the pass phrase in KBUILD_SIGN_PIN"
	form="$(sign_cert_form "$SIGN_CERT")"
	certpub="$(openssl x509 -inform "$form" -in "$SIGN_CERT" -noout -pubkey 2>&1 </dev/null)" ||
		die "--sign-cert: '$SIGN_CERT' is not an X.509 certificate (PEM or DER): $(head -n1 <<<"$certpub")"
	keypub="$(openssl pkey -in "$SIGN_KEY" -passin "$(sign_openssl_pass)" -pubout 2>&1 </dev/null)" ||
		die "--sign-key: cannot read the private key '$SIGN_KEY' ($hint): $(head -n1 <<<"$keypub")"
	[[ "$keypub" == "$certpub" ]] ||
		die "--sign-key '$SIGN_KEY' is not the key of --sign-cert '$SIGN_CERT' (their public keys differ); a module signed so would be rejected"
	return 0
}

# sign_find_tool: the target kernel's sign-file.
sign_find_tool() {
	local c link
	# Debian: the headers' scripts/ is a link to linux-kbuild-X.Y's; an
	# absolute one is followed inside KPATCH_ROOT.
	c="$KBUILD/scripts/sign-file"
	[[ -f "$c" && -x "$c" ]] && { readlink -f "$c"; return 0; }
	link="$(readlink "$KBUILD/scripts" 2>/dev/null || true)"
	if [[ "$link" == /* && -n "$KPATCH_ROOT" && -x "$KPATCH_ROOT$link/sign-file" ]]; then
		readlink -f "$KPATCH_ROOT$link/sign-file"
		return 0
	fi
	return 1
}

sign_locate() {
	local sig
	if [[ -n "${KPATCH_SIGN_FILE:-}" ]]; then
		[[ -f "$KPATCH_SIGN_FILE" && -x "$KPATCH_SIGN_FILE" ]] ||
			die "KPATCH_SIGN_FILE='$KPATCH_SIGN_FILE' is not an executable file"
		SIGN_FILE="$(readlink -f "$KPATCH_SIGN_FILE")"
	else
		SIGN_FILE="$(sign_find_tool)" ||
			die "--sign-key: kernel $KREL has no sign-file: $KBUILD/scripts/sign-file is missing.
  Debian: it comes with the headers (linux-headers-$KREL, through linux-kbuild-X.Y);
  a kernel built without CONFIG_MODULE_SIG has none: build one from its source,
    gcc -o sign-file ${SRCDIR:-LINUX}/scripts/sign-file.c -lcrypto   (needs libssl-dev)
  and give it with KPATCH_SIGN_FILE=/path/to/sign-file"
	fi
	SIGN_HASH="$(config_value CONFIG_MODULE_SIG_HASH | tr -d '"')"
	[[ -n "$SIGN_HASH" ]] || SIGN_HASH=sha256
	sig="$(config_value CONFIG_MODULE_SIG)"
	[[ "$sig" == y ]] ||
		warn "kernel $KREL is built without CONFIG_MODULE_SIG: it does not check module signatures; signing $NAME.ko anyway"
	echo "signing with $SIGN_FILE $SIGN_HASH key $SIGN_KEY cert $SIGN_CERT" >>"$LOGFILE"
}

# sign_has_signature FILE: the module ends with the signature magic (and
# its newline: 28 bytes).
sign_has_signature() {
	tail -c $((${#SIGN_MAGIC} + 1)) "$1" 2>/dev/null | cmp -s - <(printf '%s\n' "$SIGN_MAGIC")
}

sign_module() {
	local ko="$OUTDIR/$NAME.ko" tmp="$TMPDIR_KP/$NAME.signed.ko" signer keyid
	say "Signing $NAME.ko ($SIGN_HASH, $(basename "$SIGN_CERT"))"
	cp "$ko" "$tmp"
	if sign_has_signature "$tmp"; then
		rm -f "$ko"
		die "$NAME.ko already carries a signature (did kbuild sign it?); it was removed, not signed twice"
	fi
	echo "+ $SIGN_FILE $SIGN_HASH $SIGN_KEY $SIGN_CERT $tmp" >>"$LOGFILE"
	if ! "$SIGN_FILE" "$SIGN_HASH" "$SIGN_KEY" "$SIGN_CERT" "$tmp" >>"$LOGFILE" 2>&1 ||
	   ! sign_has_signature "$tmp"; then
		rm -f "$ko"
		log_tail 5
		die "sign-file could not sign $NAME.ko (hash $SIGN_HASH; the unsigned module was removed)"
	fi
	mv -f "$tmp" "$ko"
	signer="$(modinfo -F signer "$ko" 2>/dev/null || true)"
	keyid="$(modinfo -F sig_key "$ko" 2>/dev/null || true)"
	[[ -z "$signer" ]] || signer=": signer '$signer'"
	say "Signed $NAME.ko$signer${keyid:+, key $keyid}"
}
