# SPDX-License-Identifier: GPL-2.0
# Helpers for the synthetic create-diff-object tests (sourced by run-tests.sh).

CFLAGS_TEST="-c -O2 -ffunction-sections -fdata-sections -pg -mfentry -mrecord-mcount
	-fno-pie -mcmodel=kernel -fno-asynchronous-unwind-tables -mno-red-zone
	-fno-stack-protector -Wno-attributes"

# shellcheck source=../../test/lib/report.sh
. "$HERE/../../test/lib/report.sh"
CASE=""

pass() { report_pass "$CASE: $1"; }
fail() { report_fail "$CASE: $1"; [ -f "$D/stderr" ] && sed 's/^/    stderr: /' "$D/stderr" | head -5; return 0; }

# begin NAME: fresh directory $D with orig/ and patched/
begin() {
	CASE=$1
	D=$WORK/$1
	rm -rf "$D"
	mkdir -p "$D/orig" "$D/patched" "$D/other"
	printf '0x00000000\texported_fn\tvmlinux\tEXPORT_SYMBOL\t\n0x00000000\t__fentry__\tvmlinux\tEXPORT_SYMBOL\t\n0x00000000\tmod_fn\tdrivers/foo/some-mod\tEXPORT_SYMBOL_GPL\t\n' > "$D/Module.symvers"
}

# compile DIR/FILE.c -> DIR/FILE.o
cc_obj() {
	gcc $CFLAGS_TEST -o "${1%.c}.o" "$1" 2> "$D/cc.err" || {
		fail "cannot compile $1"; cat "$D/cc.err"; return 1; }
}

# build: compile orig/patched/other, link a parent (module-like, ld -r)
build() {
	local f
	for f in "$D"/orig/*.c "$D"/patched/*.c "$D"/other/*.c; do
		[ -f "$f" ] && { cc_obj "$f" || return 1; }
	done
	ld -r -o "$D/parent.o" $(ls "$D"/other/*.o 2>/dev/null) "$D"/orig/*.o
}

# link a vmlinux-like executable parent (address order sympos)
build_exec_parent() {
	ld -e 0 --unresolved-symbols=ignore-all -o "$D/parent.o" \
		$(ls "$D"/other/*.o 2>/dev/null) "$D"/orig/*.o
}

# cdo FILE [OBJNAME]: run create-diff-object on orig/FILE.o patched/FILE.o
cdo() {
	local objname=${2:-vmlinux}
	rm -f "$D/out.o"
	set +e
	# shellcheck disable=SC2086 # CDO_OPTS: extra options, word-split
	$VALGRIND "$BIN/create-diff-object" --explain ${CDO_OPTS:-} "$D/orig/$1.o" "$D/patched/$1.o" \
		"$objname" "$D/parent.o" "$D/Module.symvers" test_patch "$D/out.o" \
		> "$D/stdout" 2> "$D/stderr"
	RC=$?
	set -e
	if [ -f "$D/out.o" ]; then
		"$BIN/kpatch-dump" "$D/out.o" > "$D/dump" 2>> "$D/stderr" || true
	else
		: > "$D/dump"
	fi
	check_reported_funcs
}

# An invariant of every run (not counted when it holds): each function
# reported as changed has its .kpatch.funcs entry in the output, so a tool
# that reports a function it did not patch fails whatever the case checks.
check_reported_funcs() {
	local n
	[ "$RC" = 0 ] || return 0
	for n in $(sed -n 's/^[^:]*: changed function: //p' "$D/stdout"); do
		grep -qE "^func [^ ]+ $n " "$D/dump" ||
			fail "'$n' is reported as changed but has no .kpatch.funcs entry in out.o"
	done
}

expect_rc() {
	if [ "$RC" = "$1" ]; then pass "exit status $1"; else fail "exit status $RC, expected $1"; fi
}

# expect_line FILE REGEX: a line of $D/FILE matches
expect_line() {
	if grep -Eq -- "$2" "$D/$1"; then pass "$1 has '$2'"; else fail "$1 lacks '$2'"; sed 's/^/    /' "$D/$1" | head -40; fi
}

expect_no_line() {
	if grep -Eq -- "$2" "$D/$1"; then fail "$1 has '$2'"; grep -E -- "$2" "$D/$1" | sed 's/^/    /'; else pass "$1 lacks '$2'"; fi
}

expect_no_file() {
	if [ -e "$D/$1" ]; then fail "$1 exists"; else pass "no $1"; fi
}

# the output must be accepted by readelf and ld -r
expect_linkable() {
	if readelf -a "$D/out.o" > "$D/readelf" 2> "$D/readelf.err" &&
	   ! grep -q -i 'warning\|error' "$D/readelf.err" &&
	   ld -r -o "$D/linked.o" "$D/out.o" 2> "$D/ld.err"; then
		pass "readelf and ld -r accept out.o"
	else
		fail "out.o rejected"; cat "$D/readelf.err" "$D/ld.err" 2>/dev/null | head
	fi
}
