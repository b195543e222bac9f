#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - create-diff-object unit tests on real kernel objects.
#
# Each case is test/unit/cases/NAME.patch (a -p1 patch against the kernel
# source) plus NAME.expect (assertions, see test/unit/README.md).  For every
# case the touched objects are compiled original and patched in a private
# source mirror and object dir (both cached), create-diff-object is run on
# each pair and the assertions are checked with kpatch-dump and readelf.
#
# Usage: run.sh [NAME...]        (default: every case)
# Environment:
#   UNIT_SANITIZE=1   build and run create-diff-object with ASan/UBSan
#   UNIT_WRAPPER=CMD  run create-diff-object under CMD (valgrind.sh uses it)
#   CDO_DIR           where the binaries are (default: create-diff-object/,
#                     or create-diff-object/san with UNIT_SANITIZE=1)
#   KPATCH_TEST_CACHE cache directory (default ~/.cache/kpatch-lts)
#   UNIT_KEEP=1       keep the per-case work directories of passing cases
#   KPATCH_TEST_KERNEL=6.12  run on the 6.12 (IBT) test kernel: cases/6.12/ variants
#                     and cases, create-diff-object --objtool-link
#   UNIT_COMPILE_ONLY=1  only build the original and patched objects (to
#                     write a new case)
#
# Output: one `PASS name`, `FAIL name: reason` or `SKIP name: reason` line per
# case, then exactly one line `N passed, N failed, N skipped` (test/lib/report.sh).  Exit status 1 if any
# case failed (or the setup failed), 0 otherwise.

set -o errexit -o nounset -o pipefail

UNITDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$UNITDIR/../.." && pwd)"
CASEDIR="${UNIT_CASEDIR:-$UNITDIR/cases}"
CACHE="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
BASE_KCFLAGS="-ffunction-sections -fdata-sections"
UNIT_SANITIZE="${UNIT_SANITIZE:-0}"
UNIT_WRAPPER="${UNIT_WRAPPER:-}"
UNIT_KEEP="${UNIT_KEEP:-0}"
UNIT_COMPILE_ONLY="${UNIT_COMPILE_ONLY:-0}"

# shellcheck source=test/unit/lib.sh
source "$UNITDIR/lib.sh"
# shellcheck source=test/lib/report.sh
source "$TOP/test/lib/report.sh"
# shellcheck source=kpatch-build/lib/mirror.sh
source "$TOP/kpatch-build/lib/mirror.sh"

die() { echo "unit: error: $*" >&2; exit 1; }
note() { echo "unit: $*" >&2; }

# ---------------------------------------------------------------- setup --

kernel_env() {
	local env
	env="$(bash "$TOP/test/kernel/build-kernel.sh" --print-env)" ||
		die "test/kernel/build-kernel.sh failed; run it by hand to see why"
	eval "$env"
	[[ -f "$KBUILD/vmlinux" && -f "$KBUILD/Module.symvers" ]] ||
		die "no vmlinux/Module.symvers in $KBUILD; rebuild the test kernel"
	TEST_KERNEL="${KPATCH_TEST_KERNEL:-6.1}"
	# As kpatch-build does: with IBT objtool runs on the linked module.
	BASE_CDO_ARGS=()
	grep -q '^CONFIG_X86_KERNEL_IBT=y' "$KBUILD/.config" && BASE_CDO_ARGS+=(--objtool-link)
	note "test kernel $TEST_KERNEL ($KVER)${BASE_CDO_ARGS[*]:+, create-diff-object ${BASE_CDO_ARGS[*]}}"
}

# case_file NAME EXT: the case's file, from cases/<kernel>/ when the test
# kernel has its own variant there.
case_file() {
	if [[ -f "$CASEDIR/$TEST_KERNEL/$1.$2" ]]; then
		echo "$CASEDIR/$TEST_KERNEL/$1.$2"
	else
		echo "$CASEDIR/$1.$2"
	fi
}

build_tools() {
	local cdo_src="$TOP/create-diff-object" args=()
	if [[ -z "${CDO_DIR:-}" ]]; then
		CDO_DIR="$cdo_src"
		if [[ "$UNIT_SANITIZE" == 1 ]]; then
			args=(SANITIZE=1)
		fi
		if [[ -f "$cdo_src/Makefile" ]]; then
			make -s -C "$cdo_src" "${args[@]}" >"$RESULTS/tools-build.log" 2>&1 ||
				die "make -C $cdo_src ${args[*]} failed; see $RESULTS/tools-build.log"
		fi
		if [[ "$UNIT_SANITIZE" == 1 ]]; then
			local d
			for d in "$cdo_src/san" "$cdo_src/build-sanitize" "$cdo_src/sanitize"; do
				[[ -x "$d/create-diff-object" ]] && CDO_DIR="$d" && break
			done
		fi
	fi
	CDO="$CDO_DIR/create-diff-object"
	DUMP="$CDO_DIR/kpatch-dump"
	[[ -x "$CDO" ]] || die "$CDO is not built (make -C $cdo_src)"
	[[ -x "$DUMP" ]] || die "$DUMP is not built (make -C $cdo_src)"
	if [[ "$UNIT_SANITIZE" == 1 ]] && ! nm -u "$CDO" 2>/dev/null | grep -q __asan_init; then
		die "UNIT_SANITIZE=1 but $CDO is not an ASan build; set CDO_DIR to the sanitizer build"
	fi
	# Run private copies: a rebuild of create-diff-object/ during the run
	# must not change (or remove) the binaries under test half way.
	mkdir -p "$RESULTS/bin"
	cp "$CDO" "$RESULTS/bin/create-diff-object"
	cp "$DUMP" "$RESULTS/bin/kpatch-dump"
	note "testing $CDO (copied to $RESULTS/bin)"
	CDO="$RESULTS/bin/create-diff-object"
	DUMP="$RESULTS/bin/kpatch-dump"
}

# make, its output in the preparation log (kp_obj_prepare runs it).
unit_make() {
	make -j2 "$@" >>"$CACHE/unit-prepare-$UNIT_KEY.log" 2>&1 </dev/null
}

# The private object dir and source mirror, keyed by the kernel source and
# config so that a new test kernel gets fresh ones.
prepare_trees() {
	local key
	key="$( { echo "$KSRC"; cat "$KBUILD/.config"; gcc --version | head -n1; } |
		sha256sum | cut -c1-12)"
	UNIT_KEY="$key"
	OBJDIR="$CACHE/unit-obj-$key"
	MIRROR="$CACHE/unit-src-$key"
	ORIGCACHE="$OBJDIR/.unit-orig"
	JOURNAL="$MIRROR.touched"

	exec 8>"$CACHE/.unit-$key.lock"
	flock -n 8 || { note "another run.sh uses $OBJDIR; waiting"; flock 8; }

	if [[ ! -d "$MIRROR" ]]; then
		note "creating the hard-link source mirror $MIRROR"
		kp_mirror_link "$KSRC" "$MIRROR.tmp" >/dev/null || die "cannot mirror $KSRC into $MIRROR"
		mv "$MIRROR.tmp" "$MIRROR"
	fi
	restore_mirror

	# (an object dir prepared before kp_obj_prepare has .unit-prepared)
	[[ -f "$OBJDIR/.unit-prepared" && ! -f "$OBJDIR/.kpatch-prepared" ]] &&
		echo "$key" >"$OBJDIR/.kpatch-prepared"
	[[ -f "$OBJDIR/.kpatch-prepared" ]] ||
		note "preparing the object dir $OBJDIR (once; a few minutes)"
	local rc=0
	kp_obj_prepare "$MIRROR" "$OBJDIR" "$KBUILD/.config" "$key" unit_make || rc=$?
	[[ $rc -eq 0 || $rc -eq 10 ]] || die "preparing $OBJDIR failed; see $CACHE/unit-prepare-$key.log"
	mkdir -p "$ORIGCACHE"
}

# Put every file a (possibly interrupted) earlier case touched back as a hard
# link to the pristine tree; files the patch created are removed.
restore_mirror() {
	kp_mirror_restore "$MIRROR" "$KSRC" "$JOURNAL"
}

# As kpatch-build does: the special-section entry sizes of the test kernel
# from its own headers (kmod/probe, read by `kpatch-dump --special-sizes`),
# cached in the object dir.
probe_special_sizes() {
	local pdir="$OBJDIR/.unit-probe"
	if [[ ! -s "$pdir/sizes" ]]; then
		# UNIT_COMPILE_ONLY builds no tools and runs no create-diff-object
		[[ -n "${DUMP:-}" ]] || return 0
		rm -rf "$pdir"
		mkdir -p "$pdir"
		cp "$TOP/kmod/probe/"* "$pdir/"
		make -C "$KBUILD" M="$pdir" kpatch-sizes.s >"$pdir/make.log" 2>&1 7>&- 8>&- ||
			die "the size probe does not compile against $KBUILD; see $pdir/make.log"
		"$DUMP" --special-sizes "$pdir/kpatch-sizes.s" >"$pdir/sizes.tmp" ||
			die "kpatch-dump --special-sizes $pdir/kpatch-sizes.s failed"
		mv "$pdir/sizes.tmp" "$pdir/sizes"
	fi
	KPATCH_SPECIAL_SIZES="$(cat "$pdir/sizes")"
	export KPATCH_SPECIAL_SIZES
	note "special-section entry sizes: $KPATCH_SPECIAL_SIZES"
}

# sizes_for_case ARRAY: the probed KPATCH_SPECIAL_SIZES without the sections
# whose kpatch variable (BUG_STRUCT_SIZE, ...) the case sets with cdo-env
# (KPATCH_SPECIAL_SIZES would override it), appended to ARRAY. Which
# section a variable sizes comes from `kpatch-dump --special-table`.
sizes_for_case() {
	local -n _env="$1"
	local sizes="${KPATCH_SPECIAL_SIZES:-}" e sec
	for e in "${CDO_ENV[@]}"; do
		[[ "${e%%=*}" != KPATCH_SPECIAL_SIZES ]] || return 0
		sec="$("$DUMP" --special-table | awk -v v="${e%%=*}" '$1 == "special" && $5 == v { print $2 }')"
		[[ -n "$sec" ]] || continue
		sizes="$(tr ',' '\n' <<<"$sizes" | grep -v "^$sec=" | paste -sd, -)"
	done
	_env+=("KPATCH_SPECIAL_SIZES=$sizes")
}

# ------------------------------------------------------------ one case --

# Files a patch touches (-p1), one per line.
patch_files() {
	kp_patch_paths "$1"
}

# Break the hard links of the touched files, then apply the patch.  A file
# the patch names must exist unless the patch creates it.
apply_patch() {
	kp_mirror_apply "$MIRROR" "$JOURNAL" "$1" || return 1
	# As kpatch-build does: lines outside the hunks keep their __LINE__.
	kp_keep_lines "$MIRROR" "$KSRC" $(patch_files "$1")
}

# compile KCFLAGS OBJ... : rebuild the objects in the mirror/object dir.
compile_objects() {
	local kcflags="$1" log="$2" o
	shift 2
	for o in "$@"; do
		rm -f "$OBJDIR/$o"
	done
	# (7>&- 8>&-: the locks stay with run.sh, not with a stray make)
	local pre
	mapfile -t pre < <(kp_prepared_make "$MIRROR" "$OBJDIR")
	make "${pre[@]}" ARCH=x86_64 -j2 KCFLAGS="$kcflags" "$@" >"$log" 2>&1 7>&- 8>&- ||
		return 1
	for o in "$@"; do
		[[ -f "$OBJDIR/$o" ]] || { echo "make did not produce $o" >>"$log"; return 1; }
	done
}

# The original objects only depend on the pristine tree and the flags: cache them.
orig_objects() {
	local kcflags="$1" log="$2" o fkey missing=()
	shift 2
	fkey="$(echo "$kcflags" | sha256sum | cut -c1-8)"
	for o in "$@"; do
		[[ -f "$ORIGCACHE/$fkey/$o" ]] || missing+=("$o")
	done
	if [[ ${#missing[@]} -gt 0 ]]; then
		compile_objects "$kcflags" "$log" "${missing[@]}" || return 1
		for o in "${missing[@]}"; do
			mkdir -p "$(dirname "$ORIGCACHE/$fkey/$o")"
			cp "$OBJDIR/$o" "$ORIGCACHE/$fkey/$o"
		done
	fi
	for o in "$@"; do
		mkdir -p "$(dirname "$WORK/orig/$o")"
		cp "$ORIGCACHE/$fkey/$o" "$WORK/orig/$o"
	done
}

# parent_elf OBJNAME: vmlinux or the module's .ko in $KBUILD.
parent_elf() {
	local name="$1" ko
	if [[ "$name" == vmlinux ]]; then
		echo "$KBUILD/vmlinux"
		return 0
	fi
	ko="$(find "$KBUILD" -name "$name.ko" -o -name "${name//_/-}.ko" | head -n1)"
	[[ -n "$ko" ]] || return 1
	echo "$ko"
}

# elf_facts FILE: `section NAME SIZE` and `symbol SECTION NAME BIND TYPE`
# lines like kpatch-dump's, from readelf, for the original objects.
elf_facts() {
	readelf -SW "$1" 2>/dev/null | sed -n 's/^ *\[ *[0-9]*\] //p' |
		awk 'NF >= 5 { printf "section %s %d\n", $1, strtonum("0x" $5) }'
	readelf -sW "$1" 2>/dev/null |
		awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && NF >= 8 { print "symbol", $7, $8, $5, $4 }'
}

# run_cdo OBJ PARENT: run create-diff-object on one object pair; the results
# land in $WORK/res/<obj>.{out.o,stdout,stderr,rc,dump,readelf-s,readelf-r}.
run_cdo() {
	local o="$1" parent="$2" elf res base rc=0 wrapper=()
	res="$WORK/res/$o"
	base="$(basename "$o")"
	mkdir -p "$(dirname "$res")" "$WORK/cdo-in/$o"
	# Name the inputs after the object so that stdout says "<file>.o: ...".
	cp "$WORK/orig/$o" "$WORK/cdo-in/$o/$base"
	mkdir -p "$WORK/cdo-in/$o/patched"
	cp "$WORK/patched/$o" "$WORK/cdo-in/$o/patched/$base"
	if ! elf="$(parent_elf "$parent")"; then
		echo "no $parent.ko in $KBUILD" >"$res.stderr"
		echo 1 >"$res.rc"
		return 1
	fi
	[[ -n "$UNIT_WRAPPER" ]] && read -r -a wrapper <<<"$UNIT_WRAPPER"
	rm -f "$res.out.o"
	local cdo_env=("${CDO_ENV[@]}")
	sizes_for_case cdo_env
	printf '%q ' env "${cdo_env[@]}" "${wrapper[@]}" "$CDO" "${CDO_ARGS[@]}" "$WORK/cdo-in/$o/$base" "$WORK/cdo-in/$o/patched/$base" \
		"$parent" "$elf" "$KBUILD/Module.symvers" "$PATCH_MODNAME" "$res.out.o" >"$res.cmd"
	echo >>"$res.cmd"
	env "${cdo_env[@]}" "${wrapper[@]}" "$CDO" "${CDO_ARGS[@]}" "$WORK/cdo-in/$o/$base" "$WORK/cdo-in/$o/patched/$base" \
		"$parent" "$elf" "$KBUILD/Module.symvers" "$PATCH_MODNAME" "$res.out.o" \
		>"$res.stdout" 2>"$res.stderr" 7>&- 8>&- || rc=$?
	echo "$rc" >"$res.rc"
	if [[ -f "$res.out.o" ]]; then
		"$DUMP" "$res.out.o" >"$res.dump" 2>"$res.dump.err" || echo "kpatch-dump exit $?" >>"$res.dump.err"
		readelf -sW "$res.out.o" >"$res.readelf-s" 2>&1 || true
		readelf -rW "$res.out.o" >"$res.readelf-r" 2>&1 || true
	fi
	elf_facts "$WORK/orig/$o" >"$res.orig-dump"
	return 0
}

run_case() {
	local name="$1" patch expect
	local o kcflags reason line rc
	patch="$(case_file "$name" patch)"
	expect="$(case_file "$name" expect)"
	WORK="$RESULTS/$name"
	rm -rf "$WORK"
	mkdir -p "$WORK/orig" "$WORK/patched" "$WORK/res"
	PATCH_MODNAME="livepatch_unit_${name//-/_}"

	[[ -f "$patch" ]] || { echo "FAIL $name: no $patch"; return 1; }
	[[ -f "$expect" ]] || { echo "FAIL $name: no $expect"; return 1; }
	if ! parse_expect "$expect" "$patch"; then
		echo "FAIL $name: bad expect file: $PARSE_ERROR"
		return 1
	fi
	if [[ -n "$SKIP_REASON" ]]; then
		echo "SKIP $name: $SKIP_REASON"
		return 2
	fi
	kcflags="$BASE_KCFLAGS${EXTRA_KCFLAGS:+ $EXTRA_KCFLAGS}"
	kcflags="${kcflags//@SRC@/$MIRROR}"
	CDO_ARGS=("${BASE_CDO_ARGS[@]}" "${CDO_ARGS[@]}")
	# The cases are written for 6.1; on another kernel a case whose patch
	# does not apply (and that has no variant in cases/<kernel>/) is skipped.
	if [[ "$TEST_KERNEL" != 6.1 && "$patch" == "$CASEDIR/$name.patch" ]] &&
	   ! patch -s -p1 -N --dry-run -r - -d "$KSRC" <"$patch" >/dev/null 2>&1; then
		echo "SKIP $name: the patch does not apply to $TEST_KERNEL (written for 6.1; no cases/$TEST_KERNEL/$name.patch)"
		return 2
	fi

	if ! orig_objects "$kcflags" "$WORK/make-orig.log" "${OBJECTS[@]}"; then
		echo "FAIL $name: original build failed: $(grep -m1 -iE 'error|\*\*\*' "$WORK/make-orig.log" || tail -n1 "$WORK/make-orig.log")"
		return 1
	fi
	if ! apply_patch "$patch" >"$WORK/patch.log" 2>&1; then
		restore_mirror
		echo "FAIL $name: patch does not apply: $(head -n1 "$WORK/patch.log")"
		return 1
	fi
	if ! compile_objects "$kcflags" "$WORK/make-patched.log" "${OBJECTS[@]}"; then
		restore_mirror
		echo "FAIL $name: patched build failed: $(grep -m1 -iE 'error|\*\*\*' "$WORK/make-patched.log" || tail -n1 "$WORK/make-patched.log")"
		return 1
	fi
	for o in "${OBJECTS[@]}"; do
		mkdir -p "$(dirname "$WORK/patched/$o")"
		cp "$OBJDIR/$o" "$WORK/patched/$o"
	done
	restore_mirror
	# Leave the object dir as the pristine tree would build it, so that
	# nothing patched lingers for other users of these objects.
	for o in "${OBJECTS[@]}"; do
		rm -f "$OBJDIR/$o"
	done

	if [[ "$UNIT_COMPILE_ONLY" == 1 ]]; then
		echo "BUILT $name: $WORK/orig $WORK/patched"
		return 0
	fi
	for o in "${OBJECTS[@]}"; do
		run_cdo "$o" "${PARENTS[$o]}"
	done

	rc=0
	check_expect "$expect" || rc=$?
	if [[ $rc -eq 2 ]]; then
		echo "SKIP $name: the case does not apply: $CHECK_ERROR"
		return 2
	elif [[ $rc -ne 0 ]]; then
		echo "FAIL $name: $CHECK_ERROR (work dir: $WORK)"
		return 1
	fi
	echo "PASS $name"
	[[ "$UNIT_KEEP" == 1 ]] || rm -rf "$WORK/cdo-in"
	return 0
}

# ------------------------------------------------------------------ main --

# One run (run.sh, bench.sh, valgrind.sh) at a time: they share the source
# mirror, the object dir and the results.
take_run_lock() {
	exec 7>"$CACHE/.unit-run.lock"
	flock -n 7 || { note "another test/unit run is in progress; waiting"; flock 7; }
}

main() {
	local names=() n rc

	TEST_KERNEL="${KPATCH_TEST_KERNEL:-6.1}"
	if [[ $# -gt 0 ]]; then
		case "$1" in -h|--help) sed -n '3,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
		names=("$@")
	else
		# every case, and the cases only the test kernel has
		for n in "$CASEDIR"/*.patch "$CASEDIR/$TEST_KERNEL"/*.patch; do
			[[ -f "$n" ]] || continue
			n="$(basename "$n" .patch)"
			[[ " ${names[*]} " == *" $n "* ]] || names+=("$n")
		done
	fi
	for n in "${names[@]}"; do
		[[ -f "$(case_file "$n" patch)" ]] || die "no case '$n' (no $CASEDIR/$n.patch or $CASEDIR/$TEST_KERNEL/$n.patch)"
	done

	mkdir -p "$CACHE"
	take_run_lock
	RESULTS="${UNIT_RESULTS:-$CACHE/unit-results}"
	[[ "$UNIT_SANITIZE" == 1 ]] && RESULTS="$RESULTS-sanitize"
	mkdir -p "$RESULTS"
	kernel_env
	[[ "$UNIT_COMPILE_ONLY" == 1 ]] || build_tools
	prepare_trees
	probe_special_sizes
	if [[ "$UNIT_SANITIZE" == 1 ]]; then
		export ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=98:detect_leaks=1:abort_on_error=0}"
		export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:exitcode=97:print_stacktrace=1}"
	fi

	for n in "${names[@]}"; do
		rc=0
		run_case "$n" || rc=$?
		case $rc in
		0) PASS=$((PASS + 1)) ;;
		2) SKIP=$((SKIP + 1)) ;;
		*) FAIL=$((FAIL + 1)) ;;
		esac
	done
	# Every file of the mirror must be a hard link to the pristine tree again.
	if find "$MIRROR" -type f -links 1 -print -quit | grep -q .; then
		note "warning: files in $MIRROR are not hard links to $KSRC any more:"
		find "$MIRROR" -type f -links 1 | head -n 5 >&2
	fi
	report_summary
}

# bench.sh sources this file for its setup functions.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	main "$@"
fi
