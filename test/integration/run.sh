#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - integration tests: build each test/integration/NAME.patch with
# kpatch-build against the test kernel and prove it in qemu.
#
# Conventions (as kpatch's): NAME.patch with a required NAME-LOADED.test
# (fails on the unpatched kernel, passes while the patch is loaded; a patch
# without one fails), an optional NAME-UNLOADED.test (fails before the
# patch is loaded, passes after it was disabled and unloaded: for what the
# patch leaves behind, e.g. its unpatch callbacks' messages), and
# NAME-FAIL.patch (kpatch-build must refuse it: non-zero exit, no module,
# and its output must match the header line "# expect-refusal: REGEX",
# an extended regular expression, which every -FAIL patch must have).
# A patch may carry a line "kpatch-build-options: OPTS" in its header.
#
# Every such patch also needs NAME.observe (a shell snippet printing the
# state the patch changes, e.g. `cat /proc/cmdline`): its output before the
# load must be byte-identical after the unload.
#
# Per module, in its own boot (test/integration/protocol.sh): test fails ->
# observed output recorded -> load -> transition done -> test passes ->
# disable -> unload -> test fails again (UNLOADED test passes) -> observed
# output byte-identical to the recorded one -> dmesg clean.
# Then one boot loads every module whose functions do not overlap, runs all
# tests, and unloads them all.
#
# Usage: run.sh [NAME...]   (default: every test)
# KPATCH_BUILD overrides the kpatch-build under test (KPATCH_CDO and
# KPATCH_CKM, read by kpatch-build, the C tools).
# KPATCH_TEST_KERNEL=6.12 runs on the 6.12 (IBT) test kernel: a patch with a
# variant in 6.12/ (NAME.patch, NAME-LOADED.test, NAME-UNLOADED.test) uses
# it, a patch that does not apply to 6.12 and has none is skipped (SKIP line
# with the reason); patches only in 6.12/ run only there.
# Ends with one line "N passed, N failed, N skipped".

# shellcheck disable=SC2119 # report_summary's optional argument is a prefix
set -o nounset -o pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$DIR/../.." && pwd)"
# KPATCH_KERNEL_ENV=FILE: another kernel (KSRC=, KBUILD=, KVER=, BZIMAGE=,
# VMLINUX=, KCONFIG=, SYMVERS=, MODDIR=, KPATCH_TEST_KERNEL=, optional
# KERNEL_NAME= for the cache and SKIP_PATCHES=("NAME: why" ...)) instead of the test kernel, e.g. a distro
# kernel (test/debian/); the guests boot it (run-guest.sh --kernel-env).
GUEST_ENV=()
SKIP_PATCHES=()
if [[ -n "${KPATCH_KERNEL_ENV:-}" ]]; then
	# shellcheck disable=SC1090
	source "$KPATCH_KERNEL_ENV"
	GUEST_ENV=(--kernel-env "$KPATCH_KERNEL_ENV")
else
	eval "$(bash "$TOP/test/kernel/build-kernel.sh" --print-env)"
fi
KPATCH_BUILD="${KPATCH_BUILD:-$TOP/kpatch-build/kpatch-build}"
DUMP="$TOP/create-diff-object/kpatch-dump"
CACHE="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
# one kpatch-build cache per test kernel (6.1 keeps its old name)
if [[ -n "${KERNEL_NAME:-}" ]]; then
	export CACHEDIR="$CACHE/integration-kpatch-$KERNEL_NAME"
elif [[ "${KPATCH_TEST_KERNEL:-6.1}" == 6.1 ]]; then
	export CACHEDIR="$CACHE/integration-kpatch"
else
	export CACHEDIR="$CACHE/integration-kpatch-$KPATCH_TEST_KERNEL"
fi
OUT="$(mktemp -d /tmp/integration.XXXXXX)"
# INTEGRATION_KEEP=1 keeps the modules, build and guest logs (for a look)
if [[ "${INTEGRATION_KEEP:-0}" == 1 ]]; then
	echo "integration: keeping $OUT" >&2
else
	trap 'rm -rf "$OUT"' EXIT
fi
# shellcheck source=test/lib/report.sh
. "$TOP/test/lib/report.sh"
# shellcheck source=test/integration/protocol.sh
. "$DIR/protocol.sh"

patch_opts() { sed -n 's/^.*kpatch-build-options:[[:space:]]*//p' "$1" | head -n1; }
# expected_refusal PATCH: the "# expect-refusal:" regex of the patch header.
expected_refusal() { sed -n '/^---/q; s/^# expect-refusal:[[:space:]]*//p' "$1" | head -n1; }

# build NAME PATCH: kpatch-build the patch into $OUT/livepatch-NAME.ko.
build() {
	local name="$1" patch="$2" opts
	# Built non-replace (-R) by default so that all modules can be stacked in
	# the all-together run; a header line "kpatch-build-options:" overrides.
	if grep -q 'kpatch-build-options:' "$patch"; then opts="$(patch_opts "$patch")"; else opts="-R"; fi
	if [[ "$name" == oot-* ]]; then
		# Out-of-tree module: build it from a copy of test/integration/oot.
		rm -rf "$OUT/oot" && cp -r "$DIR/oot" "$OUT/oot" &&
			make -C "$OUT/oot" KDIR="$KBUILD" >"$OUT/$name.build.log" 2>&1 || return 1
		opts+=" --oot-module $OUT/oot/oot_hello.ko --oot-module-src $OUT/oot"
		EXTRA_ADDS+=(--add "$OUT/oot/oot_hello.ko")
	fi
	# shellcheck disable=SC2086
	"$KPATCH_BUILD" -s "$KSRC" -c "$KCONFIG" -v "$VMLINUX" -n "livepatch-$name" -o "$OUT" \
		$opts "$patch" >>"$OUT/$name.build.log" 2>&1
}

names=()
if [[ $# -gt 0 ]]; then
	names=("$@")
else
	for p in "$DIR"/*.patch; do names+=("$(basename "$p" .patch)"); done
fi

TEST_KERNEL="${KPATCH_TEST_KERNEL:-6.1}"
# case_file NAME SUFFIX: the test kernel's variant, else the 6.1 file
case_file() {
	if [[ -f "$DIR/$TEST_KERNEL/$1$2" ]]; then echo "$DIR/$TEST_KERNEL/$1$2"; else echo "$DIR/$1$2"; fi
}
if [[ $# -eq 0 && -d "$DIR/$TEST_KERNEL" ]]; then
	for p in "$DIR/$TEST_KERNEL"/*.patch; do
		n="$(basename "$p" .patch)"
		[[ " ${names[*]} " == *" $n "* ]] || names+=("$n")
	done
fi

ok_modules=()
for name in "${names[@]}"; do
	patch="$(case_file "$name" .patch)"
	[[ -f "$patch" ]] || { fail "$name: no such patch $patch"; continue; }
	# SKIP_PATCHES (from KPATCH_KERNEL_ENV): "NAME: why" for patches that
	# cannot apply to that kernel's configuration
	why="$(printf '%s\n' "${SKIP_PATCHES[@]}" | sed -n "s/^$name: //p" | head -n1)"
	if [[ -n "$why" ]]; then
		skip "$name: $why"
		continue
	fi
	if [[ "$TEST_KERNEL" != 6.1 && "$patch" == "$DIR/$name.patch" && "$name" != oot-* ]] &&
	   ! patch -s -p1 -N --dry-run -r - -d "$KSRC" <"$patch" >/dev/null 2>&1; then
		skip "$name: the patch does not apply to $TEST_KERNEL (written for 6.1; no $TEST_KERNEL/$name.patch)"
		continue
	fi
	if [[ "$name" == *-FAIL ]]; then
		want="$(expected_refusal "$patch")"
		if [[ -z "$want" ]]; then
			fail "$name: the patch header has no '# expect-refusal: REGEX' line (why it must be refused)"
		elif build "$name" "$patch"; then
			fail "$name: kpatch-build accepted a patch it must refuse"
		elif ls "$OUT"/livepatch-"$name"*.ko >/dev/null 2>&1; then
			fail "$name: kpatch-build failed but left a module behind"
		elif ! grep -qE -- "$want" "$OUT/$name.build.log"; then
			fail "$name: refused, but not for the expected reason /$want/"
			tail -n 15 "$OUT/$name.build.log" | sed 's/^/    | /'
		else
			pass "$name: refused: $(grep -m1 -E -- "$want" "$OUT/$name.build.log" | cut -c1-160)"
		fi
		continue
	fi
	test_file="$(case_file "$name" -LOADED.test)"
	if [[ ! -f "$test_file" ]]; then
		fail "$name: no $name-LOADED.test: every patch that must load needs a behaviour test"
		continue
	fi
	observe_file="$(case_file "$name" .observe)"
	if [[ ! -f "$observe_file" ]]; then
		fail "$name: no $name.observe: every patch that must load says what its unload must restore"
		continue
	fi
	EXTRA_ADDS=()
	if ! build "$name" "$patch"; then
		fail "$name: kpatch-build failed"
		tail -n 15 "$OUT/$name.build.log" | sed 's/^/    | /'
		continue
	fi
	ko="$OUT/livepatch-$name.ko"
	[[ -f "$ko" ]] || { fail "$name: kpatch-build succeeded but $ko is missing"; continue; }
	unloaded_test="$(case_file "$name" -UNLOADED.test)"
	guest="$OUT/$name.guest.sh"
	# the guest's /root holds the module and the test files (--add)
	{
		echo ". /lib/guest-lib.sh"
		klp_protocol_lines "$name" "/root/livepatch-$name.ko" /root
		echo "exit \$GUEST_FAILS"
	} >"$guest"
	adds=(--add "$ko" "${EXTRA_ADDS[@]}" --add "$test_file" --add "$observe_file")
	has_unloaded=0
	if [[ -f "$unloaded_test" ]]; then
		adds+=(--add "$unloaded_test")
		has_unloaded=1
	fi
	checks="$(klp_protocol_checks "$has_unloaded")"
	if "$TOP/test/qemu/run-guest.sh" "${GUEST_ENV[@]}" --timeout 180 "${adds[@]}" "$guest" >"$OUT/$name.guest.log" 2>&1 &&
	   [[ $(grep -c '^GUEST-PASS' "$OUT/$name.guest.log") -eq $checks ]]; then
		pass "$name: all $checks guest checks passed (output after unload identical to before load), dmesg clean"
		ok_modules+=("$name")
	else
		fail "$name: guest run failed"
		# (-A3: the dmesg lines run-guest.sh names after "kernel problem")
		grep -A3 -E 'GUEST-FAIL|run-guest|guest:' "$OUT/$name.guest.log" | sed 's/^/    | /'
	fi
done

# All together: every module that passed alone and patches functions no
# earlier module patches.
if [[ ${#ok_modules[@]} -gt 1 ]]; then
	declare -A seen=()
	together=()
	for name in "${ok_modules[@]}"; do
		[[ "$name" == oot-* ]] && continue
		ko="$OUT/livepatch-$name.ko"
		# replace patches cannot be stacked
		[[ "$(modinfo -F kpatch_replace "$ko")" == N ]] || continue
		funcs="$("$DUMP" "$ko" 2>/dev/null | awk '$1 == "func" { print $2 "/" $3 }')"
		clash=0
		for f in $funcs; do [[ -n "${seen[$f]:-}" ]] && clash=1; done
		[[ $clash -eq 1 ]] && continue
		for f in $funcs; do seen[$f]=1; done
		together+=("$name")
	done
	guest="$OUT/all.guest.sh"
	adds=()
	{
		echo ". /lib/guest-lib.sh"
		for name in "${together[@]}"; do
			echo 'check "all: load '"$name"'" klp_load /root/livepatch-'"$name"'.ko'
			adds+=(--add "$OUT/livepatch-$name.ko")
		done
		for name in "${together[@]}"; do
			if [[ -f "$(case_file "$name" -LOADED.test)" ]]; then
				echo 'check "all: '"$name"' test passes" sh /root/'"$name"'-LOADED.test'
				adds+=(--add "$(case_file "$name" -LOADED.test)")
			fi
		done
		for ((i = ${#together[@]} - 1; i >= 0; i--)); do
			echo 'check "all: unload '"${together[$i]}"'" klp_unload '"$(echo "livepatch-${together[$i]}" | tr - _)"
		done
		echo "exit \$GUEST_FAILS"
	} >"$guest"
	if [[ ${#together[@]} -lt 2 ]]; then
		skip "all-together: fewer than two stackable (-R) modules"
	elif "$TOP/test/qemu/run-guest.sh" "${GUEST_ENV[@]}" --timeout 300 "${adds[@]}" "$guest" >"$OUT/all.guest.log" 2>&1; then
		pass "all-together: ${#together[@]} modules loaded at once, every test passed, all unloaded"
	else
		fail "all-together (${together[*]})"
		grep -A3 -E 'GUEST-FAIL|run-guest|guest:' "$OUT/all.guest.log" | sed 's/^/    | /'
	fi
fi

report_summary
