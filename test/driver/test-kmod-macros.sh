#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kmod/patch headers: every macro of kpatch-macros.h and kpatch-syscall.h
# compiles in a kernel object built with kbuild, and emits the sections
# create-diff-object consumes; a callback of the wrong type is a compile
# error that names the callback.
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cp "$TOP/test/driver/kmod-macros/macros-test.c" "$TOP/test/driver/kmod-macros/Kbuild" "$WORK/"
if make -C "$KBUILD" M="$WORK" KPATCH_INCLUDE="$TOP/kmod/patch" >"$WORK/log" 2>&1 &&
   ! grep -q -i warning "$WORK/log"; then
	pass "kmod macros: every macro compiles without warnings"
else
	fail "kmod macros: compile"; grep -iE 'error|warning' "$WORK/log" | head -n 10
fi
o="$WORK/macros-test.o"
size() { readelf -SW "$o" 2>/dev/null | awk -v s="$1" '$2 == s { print strtonum("0x" $6) }'; }
want=(".kpatch.ignore.functions 8" ".kpatch.force 8" ".kpatch.ignore.sections 16"
      ".kpatch.callbacks.pre_patch 16" ".kpatch.callbacks.post_patch 16"
      ".kpatch.callbacks.pre_unpatch 16" ".kpatch.callbacks.post_unpatch 16")
bad=0
for w in "${want[@]}"; do
	set -- $w
	got="$(size "$1")"
	[[ "$got" == "$2" ]] || { echo "  section $1: size '$got', want $2"; bad=1; }
done
[[ $bad -eq 0 ]] && pass "kmod macros: marker and callback sections have the expected sizes" ||
	fail "kmod macros: sections"
syms="$(nm "$o" | awk '{ print $3 }')"
ok=1
for s in __x64_sys_kpatch_test0 __x64_sys_kpatch_test1 __x64_sys_kpatch_test3 __x64_sys_kpatch_test6; do
	grep -qx "$s" <<<"$syms" || { echo "  missing $s"; ok=0; }
done
if grep -qE '__syscall_meta|event_enter_|__event_|_eil_addr_' <<<"$syms"; then
	echo "  syscall metadata or error injection symbols present"; ok=0
fi
[[ $ok -eq 1 ]] && pass "kmod macros: syscall stubs without metadata or error-injection entries" ||
	fail "kmod macros: syscall symbols"

# A callback with the wrong prototype must not compile, with a clear message.
sed -e 's/^static void macros_test_post_patch(patch_object \*obj)/static int macros_test_post_patch(patch_object *obj)/' \
    -e '/^static int macros_test_post_patch/,/^}/ s/^{$/{ return 0;/' "$WORK/macros-test.c" >"$WORK/bad.c"
mkdir -p "$WORK/bad"
cp "$WORK/bad.c" "$WORK/bad/macros-test.c"
cp "$WORK/Kbuild" "$WORK/bad/"
if make -C "$KBUILD" M="$WORK/bad" KPATCH_INCLUDE="$TOP/kmod/patch" >"$WORK/badlog" 2>&1; then
	fail "kmod macros: a post-patch callback returning int compiled"
elif grep -q "post-patch callback macros_test_post_patch must be declared as void" "$WORK/badlog"; then
	pass "kmod macros: wrong callback type refused at compile time"
else
	fail "kmod macros: wrong callback message"; grep -i error "$WORK/badlog" | head -n 5
fi
finish
