#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# find_parent (kpatch-build/lib/kernel.sh) without a kernel: of the copies
# of a module's .ko it takes the first with STT_FILE symbols (Debian's
# /lib/modules copies are stripped, its -dbg copies are not); when only a
# stripped copy exists it warns naming the -dbg package of the release.
set -o nounset -o pipefail
DRIVER_TEST_NO_KERNEL=1
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROG=kpatch-build
LOGFILE=/dev/null
warn() { echo "$PROG: warning: $*" >&2; }
die() { echo "ERROR: $*" >&2; exit 1; }
kernel_modname() { echo "${1//-/_}"; }
# shellcheck source=../../kpatch-build/lib/kernel.sh
. "$TOP/kpatch-build/lib/kernel.sh"

KREL=6.1.0-99-amd64
OOT_MODULE=""
ORIG="$WORK/orig"
TMPDIR_KP="$WORK/tmp"
mkdir -p "$ORIG/drivers/foo" "$TMPDIR_KP" "$WORK/lib/kernel/drivers/foo" "$WORK/dbg/kernel/drivers/foo"
echo "cmd := gcc -DMODULE -DKBUILD_MODNAME='\"foo_mod\"' -c foo.c" >"$ORIG/drivers/foo/foo.o.cmd"
echo 'static int helper(void) { return 1; } int foo(void) { return helper(); }' >"$WORK/foo.c"
gcc -c -O2 -o "$WORK/foo.o" "$WORK/foo.c"
ld -r -o "$WORK/dbg/kernel/drivers/foo/foo-mod.ko" "$WORK/foo.o"
strip --strip-debug -o "$WORK/lib/kernel/drivers/foo/foo-mod.ko" "$WORK/foo.o"

# the stripped copy comes first in MODULE_DIRS: the -dbg copy is taken
MODULE_DIRS=("$WORK/lib" "$WORK/dbg")
out="$(find_parent drivers/foo/foo.o 2>"$WORK/err")"
if [[ "$out" == "foo_mod $WORK/dbg/kernel/drivers/foo/foo-mod.ko" && ! -s "$WORK/err" ]]; then
	pass "parent: the copy with symbols is taken over a stripped one"
else
	fail "parent: got '$out'"; sed 's/^/    | /' "$WORK/err"
fi

# only the stripped copy: taken, with a warning naming the -dbg package
rm -f "$TMPDIR_KP/ko-list"
MODULE_DIRS=("$WORK/lib")
out="$(find_parent drivers/foo/foo.o 2>"$WORK/err")"
if [[ "$out" == "foo_mod $WORK/lib/kernel/drivers/foo/foo-mod.ko" ]] &&
   grep -q "foo-mod.ko is stripped (no STT_FILE symbols).*linux-image-$KREL-dbg" "$WORK/err"; then
	pass "parent: a stripped .ko is named with the -dbg package"
else
	fail "parent: got '$out'"; sed 's/^/    | /' "$WORK/err"
fi
finish
