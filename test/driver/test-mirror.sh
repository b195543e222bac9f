#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The mirror follows the user's tree even when files are replaced by copies
# that keep their old mtimes (rsync -a, cp -a, a restored cache): such a
# file is a new inode, and the mirror must be made again from it, not kept
# because nothing looks newer. An unchanged tree keeps its mirror.
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_user_tree
setup_fakebin

cache="$TEST_ROOT/cache"
make_patch "$WORK/p.patch"
# replace_keep_mtime FILE SOURCE: FILE becomes a new inode with SOURCE's
# content and FILE's old mtime, and its directory keeps its mtime too (what
# rsync -a does to a changed file).
replace_keep_mtime() {
	local f="$USER_TREE/$1" src="$2" d
	d="$(dirname "$f")"
	touch -r "$d" "$WORK/dir.mtime" &&
		cp "$src" "$f.new" && touch -r "$f" "$f.new" && mv -f "$f.new" "$f" &&
		touch -r "$WORK/dir.mtime" "$d"
}
# run_build LOG: the test patch, with a create-diff-object that finds nothing.
run_build() {
	KPATCH_CDO="$FAKEBIN/fake-cdo" kb "$cache" -o "$WORK" "$WORK/p.patch" >"$1" 2>&1
}

f=fs/proc/version.c
cp -p "$USER_TREE/$f" "$WORK/version.c.orig"
run_build "$WORK/log0"
{ cat "$WORK/version.c.orig"; echo "/* $MARKER: replaced with its old mtime */"; } >"$WORK/version.c.new"
replace_keep_mtime "$f" "$WORK/version.c.new"
trap 'replace_keep_mtime "$f" "$WORK/version.c.orig"; rm -rf "$WORK"' EXIT

run_build "$WORK/log1"
if grep -q "Creating source mirror" "$WORK/log1"; then
	pass "mirror: a file replaced with its old mtime makes the mirror again"
else
	fail "mirror: kept the old mirror after $f was replaced"; tail -n 5 "$WORK/log1"
fi
if grep -q "$MARKER" "$cache/src/$f" &&
   [[ "$(stat -c %i "$cache/src/$f")" == "$(stat -c %i "$USER_TREE/$f")" ]]; then
	pass "mirror: $f in the mirror is the user's new file (hard link)"
else
	fail "mirror: $f in the mirror is not the user's new file"
fi
run_build "$WORK/log2"
if ! grep -q "Creating source mirror" "$WORK/log2" && grep -q "is current" "$cache/build.log"; then
	pass "mirror: an unchanged tree keeps its mirror"
else
	fail "mirror: made again for an unchanged tree"
fi
finish
