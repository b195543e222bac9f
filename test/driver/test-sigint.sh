#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SIGINT while the patched source is being built: kpatch-build stops, the
# user tree is untouched, the mirror is restored (hard links again), the
# build processes are gone and the lock is free.
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_user_tree
setup_fakebin
set -m	# background jobs get their own process group and keep SIGINT

cache="$TEST_ROOT/cache"
# start_stalled_build LOG: start kpatch-build in the background with a make
# that stalls once the mirror is patched; set $pid and wait (up to 10 minutes
# for a cold cache) until make stalls or kpatch-build ends.
start_stalled_build() {
	PATH="$FAKEBIN:$PATH" FAKE_MAKE_STALL_FILE="$cache/src/fs/proc/cmdline.c" \
		FAKE_MAKE_STALL_MARKER="$MARKER" FAKE_MAKE_PIDS="$WORK/pids" KPATCH_CDO="$FAKEBIN/fake-cdo" \
		CACHEDIR="$cache" "$KB" -s "$USER_TREE" -c "$KCONFIG" -v "$VMLINUX" -j2 -o "$WORK" \
		"$WORK/p.patch" >"$1" 2>&1 &
	pid=$!
	for ((i = 0; i < 6000; i++)); do
		[[ -s "$WORK/pids" ]] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
}

make_patch "$WORK/p.patch"
files=(fs/proc/cmdline.c)
before="$(tree_state "${files[@]}")"
touch "$WORK/stamp"
sleep 1

start_stalled_build "$WORK/log"
if [[ ! -s "$WORK/pids" ]]; then
	fail "sigint: the build never reached the patched stage"; cat "$WORK/log"
	finish; exit 1
fi
grep -q "$MARKER" "$cache/src/fs/proc/cmdline.c" && pass "sigint: mirror is patched while building" ||
	fail "sigint: mirror not patched"
[[ "$(stat -c %i "$cache/src/fs/proc/cmdline.c")" != "$(stat -c %i "$USER_TREE/fs/proc/cmdline.c")" ]] &&
	pass "sigint: patched mirror file is a private copy" || fail "sigint: patched mirror file is a hard link!"
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[[ $rc -ne 0 ]] && pass "sigint: kpatch-build exited with $rc" || fail "sigint: exit 0 after SIGINT"
grep -q "interrupted" "$WORK/log" && pass "sigint: says it was interrupted" || fail "sigint: no message"
[[ "$(tree_state "${files[@]}")" == "$before" ]] &&
	pass "sigint: user file unchanged (content, inode, mtime)" || fail "sigint: user file changed"
tree_untouched_since "$WORK/stamp" && pass "sigint: nothing in the user tree is newer than the run" ||
	fail "sigint: user tree has newer files"
if [[ "$(stat -c %i "$cache/src/fs/proc/cmdline.c")" == "$(stat -c %i "$USER_TREE/fs/proc/cmdline.c")" ]] &&
   ! grep -q "$MARKER" "$cache/src/fs/proc/cmdline.c"; then
	pass "sigint: mirror restored (hard link of the user's file again)"
else
	fail "sigint: mirror not restored"
fi
[[ ! -e "$cache/src.touched" ]] && pass "sigint: no touched-file list left" || fail "sigint: src.touched left"
alive=0
while read -r p; do kill -0 "$p" 2>/dev/null && alive=1; done <"$WORK/pids"
[[ $alive -eq 0 ]] && pass "sigint: the stalled make was killed" || fail "sigint: make still running"
if flock -n "$cache/.lock" true; then pass "sigint: lock released"; else fail "sigint: lock still held"; fi
[[ ! -e "$WORK/livepatch-p.ko" ]] && pass "sigint: no module written" || fail "sigint: module written"

# SIGKILL cannot be trapped: the mirror stays patched, and the next run
# must repair it (and the object dir) before doing anything else.
rm -f "$WORK/pids"
start_stalled_build "$WORK/log2"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
while read -r p; do kill -TERM -- "-$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; done <"$WORK/pids"
if grep -q "$MARKER" "$cache/src/fs/proc/cmdline.c" && [[ -f "$cache/src.touched" ]]; then
	pass "sigkill: mirror left patched, src.touched records it"
else
	fail "sigkill: expected a patched mirror after SIGKILL"
fi
[[ "$(tree_state "${files[@]}")" == "$before" ]] && pass "sigkill: user file still unchanged" ||
	fail "sigkill: user file changed"
sed -e 's/seq_puts(m, saved_command_line);/seq_puts(m, no_such_line);/' "$WORK/p.patch" >"$WORK/bad.patch"
CACHEDIR="$cache" "$KB" -s "$USER_TREE" -c "$KCONFIG" -v "$VMLINUX" -o "$WORK" "$WORK/bad.patch" >"$WORK/log3" 2>&1
if [[ "$(stat -c %i "$cache/src/fs/proc/cmdline.c")" == "$(stat -c %i "$USER_TREE/fs/proc/cmdline.c")" ]] &&
   ! grep -q "$MARKER" "$cache/src/fs/proc/cmdline.c" && [[ ! -e "$cache/src.touched" && ! -e "$cache/obj.dirty" ]]; then
	pass "sigkill: the next run restored the mirror and the object dir first"
else
	fail "sigkill: next run did not repair"; cat "$WORK/log3"
fi
finish
