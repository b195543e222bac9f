#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - create-diff-object on object pairs in kpatch's regression format.
#
# Usage: run.sh [DIR] [NAME...]   (DIR defaults to test/objs/pairs)
#
# A pair NAME in DIR is
#   NAME.ORIG.o           the original object
#   NAME.PATCHED.o        the patched object: create-diff-object must accept
#                         it (exit 0, or 3 for "no functional changes")
#   NAME.PATCHED.FAIL.o   (instead) the patched object it must refuse: exit
#                         1 or 2, a message, no output file; or exit 3 (no
#                         functional change: kpatch-build builds nothing)
#   NAME.test             optional check, run as `bash NAME.test OUTPUT.o`
#                         in DIR with CDO_EXIT, CDO_STDOUT, CDO_STDERR (file
#                         names), KPATCH_DUMP (the kpatch-dump binary) set;
#                         exit 0 means the pair passed
#   NAME.env              optional VAR=VALUE lines for create-diff-object
#                         and NAME.test (KPATCH_OBJNAME: the parent's name,
#                         default vmlinux; KPATCH_MODNAME: the patch module)
#   NAME.symvers          optional Module.symvers (default DIR/Module.symvers,
#                         else an empty one)
#   NAME.symtab           the parent's symbol table (default DIR/parent.symtab):
#                         an ELF file or `readelf -s --wide` text
#
# Output: PASS/FAIL per pair, then one line `N passed, N failed, N skipped`
# (test/lib/report.sh); exit 1 when a pair failed.  The outputs of every
# pair stay in $OBJS_RESULTS (default /tmp/kpatch-objs-results/NAME/).
# Environment: CDO_DIR (where create-diff-object and kpatch-dump are;
# default create-diff-object/, built with make first).

set -o errexit -o nounset -o pipefail

OBJSDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$OBJSDIR/../.." && pwd)"
# shellcheck source=test/lib/report.sh
source "$TOP/test/lib/report.sh"

die() { echo "objs: error: $*" >&2; exit 1; }

DIR="$OBJSDIR/pairs"
if [[ $# -gt 0 && -d "$1" ]]; then
	DIR="$(cd "$1" && pwd)"
	shift
fi
RESULTS="${OBJS_RESULTS:-/tmp/kpatch-objs-results}"

if [[ -z "${CDO_DIR:-}" ]]; then
	CDO_DIR="$TOP/create-diff-object"
	make -s -C "$CDO_DIR" >/dev/null || die "make -C $CDO_DIR failed"
fi
CDO="$CDO_DIR/create-diff-object"
DUMP="$CDO_DIR/kpatch-dump"
[[ -x "$CDO" && -x "$DUMP" ]] || die "no create-diff-object/kpatch-dump in $CDO_DIR"

# read_env FILE: VAR=VALUE lines (# comments, blank lines) into ENV_VARS.
read_env() {
	local line
	ENV_VARS=()
	[[ -f "$1" ]] || return 0
	while IFS= read -r line || [[ -n "$line" ]]; do
		[[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
		line="${line#export }"
		[[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] ||
			{ echo "$1: not VAR=VALUE: $line"; return 1; }
		ENV_VARS+=("$line")
	done <"$1"
}

# env_value NAME DEFAULT: NAME's value in ENV_VARS.
env_value() {
	local v
	for v in "${ENV_VARS[@]}"; do
		[[ "$v" == "$1="* ]] && { echo "${v#*=}"; return 0; }
	done
	echo "$2"
}

# run_pair NAME: sets WHY and returns 1 on failure.
run_pair() {
	local name="$1" orig="$DIR/$1.ORIG.o" patched expect_fail=0 work
	local symtab symvers objname modname rc=0 out
	WHY=""
	if [[ -f "$DIR/$name.PATCHED.o" ]]; then
		patched="$DIR/$name.PATCHED.o"
	elif [[ -f "$DIR/$name.PATCHED.FAIL.o" ]]; then
		patched="$DIR/$name.PATCHED.FAIL.o"
		expect_fail=1
	else
		WHY="no $name.PATCHED.o or $name.PATCHED.FAIL.o"
		return 1
	fi
	symtab="$DIR/$name.symtab"
	[[ -f "$symtab" ]] || symtab="$DIR/parent.symtab"
	[[ -f "$symtab" ]] || { WHY="no $name.symtab or parent.symtab"; return 1; }
	work="$RESULTS/$name"
	rm -rf "$work"
	mkdir -p "$work"
	symvers="$DIR/$name.symvers"
	[[ -f "$symvers" ]] || symvers="$DIR/Module.symvers"
	if [[ ! -f "$symvers" ]]; then
		symvers="$work/Module.symvers"
		: >"$symvers"
	fi
	WHY="$(read_env "$DIR/$name.env")" || return 1
	read_env "$DIR/$name.env"
	objname="$(env_value KPATCH_OBJNAME vmlinux)"
	modname="$(env_value KPATCH_MODNAME "kpatch_objs_${name//[^A-Za-z0-9_]/_}")"
	out="$work/$name.OUTPUT.o"

	printf '%q ' env "${ENV_VARS[@]}" "$CDO" "$orig" "$patched" "$objname" \
		"$symtab" "$symvers" "$modname" "$out" >"$work/cmd"
	env "${ENV_VARS[@]}" "$CDO" "$orig" "$patched" "$objname" "$symtab" \
		"$symvers" "$modname" "$out" >"$work/stdout" 2>"$work/stderr" || rc=$?
	echo "$rc" >"$work/exit"

	if [[ $rc -ge 97 || $rc -gt 3 ]]; then
		WHY="create-diff-object crashed or failed badly (exit $rc; $work/stderr)"
		return 1
	fi
	if [[ $expect_fail -eq 1 ]]; then
		# exit 3, nothing to patch: kpatch-build refuses to build (kpatch's
		# FAIL pairs include such, e.g. warn-detect: only __LINE__ moved)
		if [[ $rc -eq 0 ]]; then
			WHY="accepted (exit $rc) a pair it must refuse"
			return 1
		fi
		[[ -s "$work/stderr" || ( $rc -eq 3 && -s "$work/stdout" ) ]] ||
			{ WHY="refused (exit $rc) without a message"; return 1; }
		[[ ! -e "$out" ]] || { WHY="refused but left $out"; return 1; }
	else
		if [[ $rc -ne 0 && $rc -ne 3 ]]; then
			WHY="exit $rc: $(grep -m1 -i error "$work/stderr" || head -n1 "$work/stderr")"
			return 1
		fi
		if [[ $rc -eq 0 ]] && ! "$DUMP" "$out" >"$work/dump" 2>&1; then
			WHY="kpatch-dump cannot read the output ($work/dump)"
			return 1
		fi
	fi
	if [[ -f "$DIR/$name.test" ]]; then
		if ! (cd "$DIR" && env "${ENV_VARS[@]}" CDO_EXIT="$rc" \
			CDO_STDOUT="$work/stdout" CDO_STDERR="$work/stderr" \
			KPATCH_DUMP="$DUMP" bash "$DIR/$name.test" "$out") \
			>"$work/test.log" 2>&1; then
			WHY="$name.test failed: $(tail -n1 "$work/test.log")"
			return 1
		fi
	fi
	return 0
}

main() {
	local names=("$@") n f
	if [[ ${#names[@]} -eq 0 ]]; then
		for f in "$DIR"/*.ORIG.o; do
			[[ -e "$f" ]] || continue
			n="$(basename "$f" .ORIG.o)"
			names+=("$n")
		done
	fi
	[[ ${#names[@]} -gt 0 ]] || die "no NAME.ORIG.o in $DIR"
	mkdir -p "$RESULTS"
	for n in "${names[@]}"; do
		if [[ ! -f "$DIR/$n.ORIG.o" ]]; then
			fail "$n: no $n.ORIG.o in $DIR"
		elif run_pair "$n"; then
			pass "$n"
		else
			fail "$n: $WHY"
		fi
	done
	report_summary
}

main "$@"
