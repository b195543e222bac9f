#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A user tree that was built in-tree (.config, include/config, .o files):
# the mirror is cleaned with make mrproper (unlinking only), the build runs
# out of tree, and the user's .config and objects stay as they were.
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_user_tree
setup_fakebin

cache="$WORK/cache"
make_patch "$WORK/p.patch"
cp "$KCONFIG" "$USER_TREE/.config"
mkdir -p "$USER_TREE/include/config"
echo "user object" >"$USER_TREE/fs/proc/cmdline.o"
undo() { rm -rf "$USER_TREE/.config" "$USER_TREE/include/config" "$USER_TREE/fs/proc/cmdline.o"; }
files=(.config fs/proc/cmdline.o fs/proc/cmdline.c)
before="$(tree_state "${files[@]}")"
touch "$WORK/stamp"
sleep 1

rc=0
KPATCH_CDO="$FAKEBIN/fake-cdo" kb "$cache" -o "$WORK" "$WORK/p.patch" >"$WORK/log" 2>&1 || rc=$?
if grep -q "make mrproper" "$WORK/log" && grep -q "no functional changes found" "$WORK/log"; then
	pass "in-tree: mirror cleaned with mrproper, build ran out of tree to the diff step"
else
	fail "in-tree: rc=$rc"; tail -n 20 "$WORK/log"
fi
[[ "$(tree_state "${files[@]}")" == "$before" ]] && tree_untouched_since "$WORK/stamp" &&
	pass "in-tree: user's .config, object and source untouched" ||
	fail "in-tree: user tree changed: $(find "$USER_TREE" -newer "$WORK/stamp" | head -3)"
[[ ! -e "$cache/src/.config" && ! -e "$cache/src/fs/proc/cmdline.o" && -f "$cache/obj/fs/proc/cmdline.o" ]] &&
	pass "in-tree: mirror clean, objects in \$CACHEDIR/obj" || fail "in-tree: mirror not clean"
undo
finish
