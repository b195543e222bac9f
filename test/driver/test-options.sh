#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Option parsing: --help, --version, bad options, missing arguments.
set -o nounset -o pipefail
# The first checks need no kernel; the rest run when the test kernel is built.
DIR0="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$DIR0/lib.sh"

out="$WORK/out"

if "$KB" --help >"$out" 2>&1 && grep -q '^usage: kpatch-build' "$out" && grep -q -- '--sourcedir' "$out"; then
	pass "options: --help prints the usage and exits 0"
else
	fail "options: --help"; cat "$out"
fi
if "$KB" -h >"$out" 2>&1 && grep -q '^usage:' "$out"; then
	pass "options: -h"
else
	fail "options: -h"
fi
if "$KB" --version >"$out" 2>&1 && grep -qE '^kpatch-build .*[0-9]+\.[0-9]+' "$out"; then
	pass "options: --version prints '$(cat "$out")'"
else
	fail "options: --version"; cat "$out"
fi
if "$KB" --bogus x.patch >"$out" 2>&1; then
	fail "options: --bogus accepted"
elif grep -q "unrecognized option" "$out"; then
	pass "options: --bogus refused ($(head -n1 "$out"))"
else
	fail "options: --bogus message"; cat "$out"
fi
if "$KB" >"$out" 2>&1; then
	fail "options: no patch accepted"
elif grep -q "no patch file given" "$out"; then
	pass "options: no patch file refused"
else
	fail "options: no patch message"; cat "$out"
fi
if "$KB" "$WORK/does-not-exist.patch" >"$out" 2>&1; then
	fail "options: missing patch file accepted"
elif grep -q "does-not-exist.patch' not found" "$out"; then
	pass "options: missing patch file refused"
else
	fail "options: missing patch message"; cat "$out"
fi
touch "$WORK/x.patch"
if "$KB" -j many "$WORK/x.patch" >"$out" 2>&1; then
	fail "options: -j many accepted"
elif grep -q -- "--jobs wants a positive number" "$out"; then
	pass "options: -j many refused"
else
	fail "options: -j message"; cat "$out"
fi
if "$KB" --oot-module "$WORK/x.ko" "$WORK/x.patch" >"$out" 2>&1; then
	fail "options: --oot-module without --oot-module-src accepted"
elif grep -q "go together" "$out"; then
	pass "options: --oot-module needs --oot-module-src"
else
	fail "options: --oot-module message"; cat "$out"
fi
if [[ "${DRIVER_TEST_NO_KERNEL:-0}" == 1 ]]; then
	skip "options: config and compiler checks (test kernel not built)"
	finish
	exit
fi
if CACHEDIR="$WORK/c" "$KB" -s "$WORK" "$WORK/x.patch" >"$out" 2>&1; then
	fail "options: bad source dir accepted"
elif grep -q "is not a kernel source tree" "$out"; then
	pass "options: a directory that is no kernel tree is refused"
else
	fail "options: bad source dir message"; cat "$out"
fi
# A config without CONFIG_LIVEPATCH is refused before any build.
grep -v '^CONFIG_LIVEPATCH=' "$KCONFIG" >"$WORK/config"
if CACHEDIR="$WORK/c" "$KB" -s "$KSRC" -c "$WORK/config" -v "$VMLINUX" "$WORK/x.patch" >"$out" 2>&1; then
	fail "options: config without CONFIG_LIVEPATCH accepted"
elif grep -q "CONFIG_LIVEPATCH is not enabled" "$out"; then
	pass "options: config without CONFIG_LIVEPATCH refused"
else
	fail "options: CONFIG_LIVEPATCH message"; cat "$out"
fi
# Clang LTO and CFI kernels are refused before any build, naming the option
# and why (IBT kernels are supported: issue 10).
for opt in CONFIG_LTO_CLANG CONFIG_CFI_CLANG; do
	{ cat "$KCONFIG"; echo "$opt=y"; } >"$WORK/config"
	if CACHEDIR="$WORK/c" "$KB" -s "$KSRC" -c "$WORK/config" -v "$VMLINUX" "$WORK/x.patch" >"$out" 2>&1; then
		fail "options: config with $opt=y accepted"
	elif grep -q "$opt=y is not supported by kpatch-build: " "$out"; then
		pass "options: $opt=y refused: $(grep -o "$opt=y is not supported.*" "$out" | cut -c1-90)"
	else
		fail "options: $opt message"; cat "$out"
	fi
done
# A compiler that is not the one that built vmlinux is refused, unless
# --skip-compiler-check (which then fails later, at the patch check).
mkdir -p "$WORK/fakegcc"
printf '#!/bin/sh\necho "gcc (Fake 1.0) 1.0.0"\n' >"$WORK/fakegcc/gcc"
chmod +x "$WORK/fakegcc/gcc"
printf -- '--- a/nothing.c\n+++ b/nothing.c\n@@ -1 +1 @@\n-a\n+b\n' >"$WORK/nothing.patch"
if PATH="$WORK/fakegcc:$PATH" CACHEDIR="$WORK/c" "$KB" -s "$KSRC" -c "$KCONFIG" -v "$VMLINUX" \
	"$WORK/nothing.patch" >"$out" 2>&1; then
	fail "options: compiler mismatch accepted"
elif grep -q "compiler mismatch: the kernel was built with 'gcc (Debian" "$out"; then
	pass "options: compiler mismatch refused: $(grep -o "compiler mismatch.*" "$out" | cut -c1-100)"
else
	fail "options: compiler mismatch message"; cat "$out"
fi
if PATH="$WORK/fakegcc:$PATH" CACHEDIR="$WORK/c" "$KB" --skip-compiler-check -s "$KSRC" -c "$KCONFIG" \
	-v "$VMLINUX" "$WORK/nothing.patch" >"$out" 2>&1; then
	fail "options: --skip-compiler-check run succeeded on a bogus patch"
elif ! grep -q "compiler mismatch" "$out" && grep -q "does not apply" "$out"; then
	pass "options: --skip-compiler-check skips the compiler check"
else
	fail "options: --skip-compiler-check"; cat "$out"
fi
finish
