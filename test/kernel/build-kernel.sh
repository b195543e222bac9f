#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh - prepare one of the project's test kernels (x86_64):
# Linux 6.1 (default) or Linux 6.12 with IBT.
#
# Installs missing Debian packages, unpacks linux-source-<version> into a cache
# outside the repository, builds the kernel out of tree with the config
# fragment beside this script (config.fragment for 6.1, config-6.12.fragment
# for 6.12), and prints where everything is.
#
# The build is cached under $KPATCH_TEST_CACHE (default ~/.cache/kpatch-lts),
# keyed by the source package version, the config fragment, the compiler and
# this script, so a second run returns at once.
#
# Usage: build-kernel.sh [--kernel 6.1|6.12] [--print-env] [--quiet]
#   --kernel V   which test kernel (default: $KPATCH_TEST_KERNEL, else 6.1)
#   --print-env  print only shell assignments (KSRC=..., KBUILD=..., ...;
#                TEST_SIGN_KEY= and TEST_SIGN_CERT=: the test signing key and
#                certificate the kernel trusts, empty for a kernel without)
#   --source-only  only unpack the source tree and print KSRC=... (for
#                distro kernels built from the same source, test/debian/)
#
# A fragment line with @TEST_SIGN_CERT@ (CONFIG_SYSTEM_TRUSTED_KEYS) makes a
# test signing key: a fresh RSA key and self-signed certificate (openssl) in
# the kernel's cache dir (sign/), never in the repository; the placeholder is
# replaced with the certificate's path before the fragment is merged and
# checked, so the kernel trusts modules signed with that key.
#
# Exit status: 0 on success, 1 on failure (the message says what failed).

set -o errexit -o nounset -o pipefail

SCRIPTDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
KERNEL="${KPATCH_TEST_KERNEL:-6.1}"
JOBS="${JOBS:-$(nproc)}"
PRINT_ENV=0
SOURCE_ONLY=0
QUIET=0

while [[ $# -gt 0 ]]; do
	case "$1" in
	--kernel) [[ $# -ge 2 ]] || { echo "build-kernel.sh: --kernel needs a version (6.1 or 6.12)" >&2; exit 1; }
		KERNEL="$2"; shift ;;
	--kernel=*) KERNEL="${1#--kernel=}" ;;
	--print-env) PRINT_ENV=1; QUIET=1 ;;
	--source-only) SOURCE_ONLY=1; QUIET=1 ;;
	--quiet) QUIET=1 ;;
	-h|--help) sed -n '3,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "build-kernel.sh: unknown option '$1'" >&2; exit 1 ;;
	esac
	shift
done

# One fragment per supported test kernel; 6.1 keeps its original file name
# (and with it its cache key).
case "$KERNEL" in
6.1) FRAGMENT="$SCRIPTDIR/config.fragment" ;;
6.12) FRAGMENT="$SCRIPTDIR/config-6.12.fragment" ;;
*) echo "build-kernel.sh: unknown test kernel '$KERNEL' (known: 6.1, 6.12)" >&2; exit 1 ;;
esac
SRCPKG="${KPATCH_TEST_SRCPKG:-linux-source-$KERNEL}"
TARBALL="/usr/src/$SRCPKG.tar.xz"

say() { [[ $QUIET -eq 1 ]] && return 0; echo "build-kernel: $*" >&2; }
die() { echo "build-kernel: error: $*" >&2; exit 1; }

mkdir -p "$CACHE"
"$SCRIPTDIR/install-deps.sh" "$SRCPKG"

SRCVER="$(dpkg-query -W -f='${Version}' "$SRCPKG")"
SRCDIR="$CACHE/src/$SRCPKG-$SRCVER"
CCVER="$(gcc --version | head -n1)"
# Bump RECIPE when the way the kernel is built changes.
RECIPE=1
KEY="$( { echo "$SRCVER"; cat "$FRAGMENT"; echo "$CCVER"; echo "$RECIPE"; } | sha256sum | cut -c1-12)"
TOPDIR="$CACHE/kernel/$SRCPKG-$KEY"
BUILDDIR="$TOPDIR/build"
MODDIR="$TOPDIR/modules"
STAMP="$TOPDIR/.built"
SIGNDIR="$TOPDIR/sign"
SIGN_PLACEHOLDER="@TEST_SIGN_CERT@"

# One builder at a time per cache; others wait (a kernel that is built
# already needs no lock: another kernel's build must not block its users).
if [[ ! -f "$STAMP" ]]; then
	exec 9>"$CACHE/.build-kernel.lock"
	flock 9
fi

unpack_source() {
	[[ -f "$SRCDIR/.unpacked" ]] && return 0
	say "unpacking $TARBALL into $SRCDIR (about 30 s)"
	rm -rf "$SRCDIR.tmp"
	mkdir -p "$SRCDIR.tmp"
	tar -xJf "$TARBALL" -C "$SRCDIR.tmp" --strip-components=1
	touch "$SRCDIR.tmp/.unpacked"
	rm -rf "$SRCDIR"
	mv "$SRCDIR.tmp" "$SRCDIR"
	# The tree stays read-only in spirit: all builds go to O= directories.
}

# make_sign_key DIR: DIR/test-sign-key.pem (RSA private key, no pass
# phrase) and DIR/test-sign-cert.pem (its self-signed X.509 certificate).
make_sign_key() {
	local dir="$1"
	command -v openssl >/dev/null || die "openssl is needed to make the test signing key (apt-get install openssl)"
	rm -rf "$dir"
	mkdir -p "$dir"
	openssl req -new -x509 -newkey rsa:2048 -nodes -sha256 -days 36500 -batch \
		-subj "/CN=kpatch-lts test signing key/" \
		-addext "keyUsage=digitalSignature" -addext "extendedKeyUsage=codeSigning" \
		-keyout "$dir/test-sign-key.pem" -out "$dir/test-sign-cert.pem" >"$dir/openssl.log" 2>&1 ||
		die "openssl could not make the test signing key: $(tail -n 3 "$dir/openssl.log")"
	chmod 600 "$dir/test-sign-key.pem"
}

# effective_fragment FRAGMENT OUT: FRAGMENT with the test certificate's
# path for its placeholder (making the key first when it has one) in OUT.
effective_fragment() {
	local frag="$1" out="$2" line
	if grep -qF "$SIGN_PLACEHOLDER" "$frag"; then
		make_sign_key "$SIGNDIR"
	fi
	while IFS= read -r line; do
		printf '%s\n' "${line//"$SIGN_PLACEHOLDER"/$SIGNDIR/test-sign-cert.pem}"
	done <"$frag" >"$out"
}

configure_kernel() {
	local line opt want got bad=0 frag="$TOPDIR/config.fragment"
	effective_fragment "$FRAGMENT" "$frag"
	make -s -C "$SRCDIR" O="$BUILDDIR" ARCH=x86_64 tinyconfig >/dev/null
	"$SRCDIR/scripts/kconfig/merge_config.sh" -m -O "$BUILDDIR" "$BUILDDIR/.config" "$frag" >/dev/null
	make -s -C "$SRCDIR" O="$BUILDDIR" ARCH=x86_64 olddefconfig >/dev/null
	# Every option of the fragment must have taken effect.
	while IFS= read -r line; do
		[[ "$line" =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
		opt="${BASH_REMATCH[1]}"; want="${BASH_REMATCH[2]}"
		got="$(grep -E "^$opt=" "$BUILDDIR/.config" | cut -d= -f2- || true)"
		if [[ "$got" != "$want" ]]; then
			echo "build-kernel: config option $opt: wanted $want, got '${got:-not set}'" >&2
			bad=1
		fi
	done <"$frag"
	[[ $bad -eq 0 ]] || die "config fragment $FRAGMENT did not take effect; fix the dependencies above"
}

build_kernel() {
	local start=$SECONDS log="$TOPDIR/build.log"
	say "building the $KERNEL test kernel in $BUILDDIR ($JOBS jobs; 8-15 minutes on 2 cores; log: $log)"
	make -C "$SRCDIR" O="$BUILDDIR" ARCH=x86_64 -j"$JOBS" bzImage modules >"$log" 2>&1 &
	local pid=$! rc=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		if (( (SECONDS - start) % 30 < 5 )); then
			say "  ... $(grep -c '^  CC' "$log" || true) files compiled, $((SECONDS - start)) s"
		fi
	done
	wait "$pid" || rc=$?
	if [[ $rc -ne 0 ]]; then
		tail -n 30 "$log" >&2
		die "kernel build failed; see $log"
	fi
	rm -rf "$MODDIR"
	make -s -C "$SRCDIR" O="$BUILDDIR" ARCH=x86_64 INSTALL_MOD_PATH="$MODDIR" \
		INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod modules_install >>"$log" 2>&1 ||
		die "modules_install failed; see $log"
	echo "$((SECONDS - start))" >"$TOPDIR/build-seconds"
	say "kernel built in $((SECONDS - start)) s"
}

if [[ $SOURCE_ONLY -eq 1 ]]; then
	unpack_source
	printf 'KSRC=%q\n' "$SRCDIR"
	exit 0
fi

if [[ ! -f "$STAMP" ]]; then
	unpack_source
	rm -rf "$TOPDIR"
	mkdir -p "$BUILDDIR"
	configure_kernel
	build_kernel
	touch "$STAMP"
fi

KVER="$(cat "$BUILDDIR/include/config/kernel.release")"
SIGN_KEY="" SIGN_CERT=""
if [[ -f "$SIGNDIR/test-sign-key.pem" && -f "$SIGNDIR/test-sign-cert.pem" ]]; then
	SIGN_KEY="$SIGNDIR/test-sign-key.pem"
	SIGN_CERT="$SIGNDIR/test-sign-cert.pem"
fi
ln -sfn "$TOPDIR" "$CACHE/kernel/current-$SRCPKG"

if [[ $PRINT_ENV -eq 1 ]]; then
	printf 'KPATCH_TEST_KERNEL=%q\nKSRC=%q\nKBUILD=%q\nKVER=%q\nBZIMAGE=%q\nVMLINUX=%q\nKCONFIG=%q\nSYMVERS=%q\nMODDIR=%q\n' \
		"$KERNEL" "$SRCDIR" "$BUILDDIR" "$KVER" "$BUILDDIR/arch/x86/boot/bzImage" "$BUILDDIR/vmlinux" \
		"$BUILDDIR/.config" "$BUILDDIR/Module.symvers" "$MODDIR/lib/modules/$KVER"
	printf 'TEST_SIGN_KEY=%q\nTEST_SIGN_CERT=%q\n' "$SIGN_KEY" "$SIGN_CERT"
else
	cat <<EOT
test kernel $KVER ready:
  source tree     $SRCDIR
  build (O=)      $BUILDDIR
  bzImage         $BUILDDIR/arch/x86/boot/bzImage
  vmlinux         $BUILDDIR/vmlinux
  .config         $BUILDDIR/.config
  Module.symvers  $BUILDDIR/Module.symvers
  modules         $MODDIR/lib/modules/$KVER
EOT
	if [[ -n "$SIGN_KEY" ]]; then
		cat <<EOT
  test sign key   $SIGN_KEY
  test sign cert  $SIGN_CERT (trusted by the kernel: CONFIG_SYSTEM_TRUSTED_KEYS)
EOT
	fi
fi
