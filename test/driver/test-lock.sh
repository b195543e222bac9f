#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A second run on the same CACHEDIR waits for the first one, and refuses
# after KPATCH_LOCK_TIMEOUT seconds; another CACHEDIR does not wait.
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_user_tree
setup_fakebin

cache="$TEST_ROOT/cache"
make_patch "$WORK/p.patch"
sed -e 's/seq_puts(m, saved_command_line);/seq_puts(m, no_such_line);/' "$WORK/p.patch" >"$WORK/bad.patch"

# First run: every make sleeps 4 s first, so the run holds the lock a while.
PATH="$FAKEBIN:$PATH" FAKE_MAKE_SLEEP=4 KPATCH_CDO="$FAKEBIN/fake-cdo" \
	kb "$cache" -o "$WORK" "$WORK/p.patch" >"$WORK/log1" 2>&1 &
pid1=$!
for ((i = 0; i < 100; i++)); do
	grep -q "Testing patch" "$WORK/log1" 2>/dev/null && break
	sleep 0.1
done

start=$SECONDS
rc=0
KPATCH_LOCK_TIMEOUT=1 kb "$cache" -o "$WORK" "$WORK/p.patch" >"$WORK/log2" 2>&1 || rc=$?
if [[ $rc -ne 0 ]] && grep -q "another kpatch-build is still using" "$WORK/log2"; then
	pass "lock: second run refused after the timeout ($((SECONDS - start)) s): $(grep ERROR "$WORK/log2" | cut -c1-90)"
else
	fail "lock: second run rc=$rc"; cat "$WORK/log2"
fi

rc=0
kb "$WORK/other-cache" -o "$WORK" "$WORK/bad.patch" >"$WORK/log3" 2>&1 || rc=$?
if ! grep -q Waiting "$WORK/log3" && grep -q "does not apply" "$WORK/log3"; then
	pass "lock: a run on another CACHEDIR does not wait"
else
	fail "lock: other CACHEDIR"; cat "$WORK/log3"
fi

rc=0
KPATCH_LOCK_TIMEOUT=600 KPATCH_CDO="$FAKEBIN/fake-cdo" kb "$cache" -o "$WORK" "$WORK/p.patch" >"$WORK/log4" 2>&1 || rc=$?
kill -0 "$pid1" 2>/dev/null && fail "lock: waiting run went on while the first still runs"
wait "$pid1"
if grep -q "Waiting up to 600 s" "$WORK/log4" && grep -q "Building original source" "$WORK/log4"; then
	pass "lock: third run waited for the first, then built"
else
	fail "lock: third run"; cat "$WORK/log4"
fi
grep -q "no functional changes found" "$WORK/log1" && pass "lock: first run completed normally" ||
	{ fail "lock: first run"; cat "$WORK/log1"; }
finish
