#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A patch that does not apply: clear error, non-zero exit, user tree and
# mirror untouched, no module written.
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_user_tree

cache="$TEST_ROOT/cache"
make_patch "$WORK/good.patch"
# Second patch: context that is not in the file.
sed -e 's/seq_puts(m, saved_command_line);/seq_puts(m, no_such_line);/' "$WORK/good.patch" >"$WORK/bad.patch"
files=(fs/proc/cmdline.c)
before="$(tree_state "${files[@]}")"
touch "$WORK/stamp"
sleep 1
mkdir -p "$WORK/out"
rc=0
kb "$cache" -o "$WORK/out" "$WORK/bad.patch" >"$WORK/log" 2>&1 || rc=$?
if [[ $rc -ne 0 ]] && grep -q "bad.patch does not apply" "$WORK/log"; then
	pass "bad patch: refused with a clear message: $(grep ERROR "$WORK/log" | cut -c1-100)"
else
	fail "bad patch: rc=$rc"; cat "$WORK/log"
fi
[[ "$(tree_state "${files[@]}")" == "$before" ]] &&
	pass "bad patch: touched user file unchanged (content, inode, mtime)" ||
	fail "bad patch: user file changed"
tree_untouched_since "$WORK/stamp" &&
	pass "bad patch: nothing in the user tree is newer than the run" ||
	fail "bad patch: user tree has newer files: $(find "$USER_TREE" -newer "$WORK/stamp" | head -3)"
[[ -z "$(ls "$WORK/out")" ]] && pass "bad patch: no module written" || fail "bad patch: output written"

# Two patches that each apply alone but not in sequence are refused too.
rc=0
kb "$cache" -o "$WORK/out" "$WORK/good.patch" "$WORK/good.patch" >"$WORK/log2" 2>&1 || rc=$?
if [[ $rc -ne 0 ]] && grep -q "good.patch does not apply" "$WORK/log2"; then
	pass "bad patch: a series that conflicts with itself is refused"
else
	fail "bad patch: series rc=$rc"; cat "$WORK/log2"
fi
[[ "$(tree_state "${files[@]}")" == "$before" ]] && tree_untouched_since "$WORK/stamp" &&
	pass "bad patch: user tree still untouched" || fail "bad patch: user tree changed"
if [[ -d "$cache/src" ]]; then
	if [[ "$(stat -c %i "$cache/src/fs/proc/cmdline.c")" == "$(stat -c %i "$USER_TREE/fs/proc/cmdline.c")" ]]; then
		pass "bad patch: mirror file is still a hard link of the user's file"
	else
		fail "bad patch: mirror file is not a hard link of the user's file"
	fi
fi
finish
