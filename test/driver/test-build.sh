#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real build of the cmdline patch (needs create-diff-object and
# create-klp-module): cold and warm times, the module's modinfo, -R, the
# user tree untouched, and the progress messages kpatch users know.
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CDO_BIN="${KPATCH_CDO:-$TOP/create-diff-object/create-diff-object}"
CKM_BIN="${KPATCH_CKM:-$TOP/create-diff-object/create-klp-module}"
if [[ ! -x "$CDO_BIN" || ! -x "$CKM_BIN" ]]; then
	fail "build: $CDO_BIN or $CKM_BIN is not built (make -C create-diff-object)"
	finish
	exit 1
fi
export KPATCH_CDO="$CDO_BIN" KPATCH_CKM="$CKM_BIN"
setup_user_tree

cache="$TEST_ROOT/cache"
make_patch "$WORK/cmdline-marker.patch"
files=(fs/proc/cmdline.c)
before="$(tree_state "${files[@]}")"
touch "$WORK/stamp"
sleep 1
mkdir -p "$WORK/out"

t0=$SECONDS
rc=0
kb "$cache" -o "$WORK/out" "$WORK/cmdline-marker.patch" >"$WORK/log" 2>&1 || rc=$?
t1=$SECONDS
ko="$WORK/out/livepatch-cmdline-marker.ko"
if [[ $rc -eq 0 && -f "$ko" ]]; then
	pass "build: livepatch-cmdline-marker.ko built in $((t1 - t0)) s"
else
	fail "build: rc=$rc"; tail -n 20 "$WORK/log"
fi
for msg in "Building original source" "Building patched source" \
	   "Extracting new and modified ELF sections" "cmdline.o: changed function: cmdline_proc_show" \
	   "Patched objects: vmlinux" "Building patch module: livepatch-cmdline-marker.ko" "SUCCESS"; do
	grep -qF "$msg" "$WORK/log" || { fail "build: message '$msg' missing"; continue; }
done
grep -qF SUCCESS "$WORK/log" && pass "build: progress messages as kpatch prints them"
[[ -f "$cache/build.log" ]] && pass "build: full log in \$CACHEDIR/build.log" || fail "build: no build.log"
if [[ -f "$ko" ]]; then
	[[ "$(modinfo -F livepatch "$ko")" == Y && "$(modinfo -F kpatch_replace "$ko")" == Y &&
	   "$(modinfo -F name "$ko")" == livepatch_cmdline_marker ]] &&
		pass "build: modinfo livepatch=Y kpatch_replace=Y name=livepatch_cmdline_marker" ||
		fail "build: modinfo $(modinfo "$ko" | tr '\n' ' ')"
	# Every undefined symbol of the module is either resolved by the
	# livepatch core (.klp.sym.*) or exported by vmlinux (Module.symvers).
	nm -u "$ko" | awk '{print $2}' | grep -v '^\.klp\.sym\.' | sort -u >"$WORK/undef"
	awk '$3 == "vmlinux" { print $2 }' "$SYMVERS" | sort -u >"$WORK/exported"
	unexported="$(comm -23 "$WORK/undef" "$WORK/exported" | tr '\n' ' ')"
	if ! grep -qx klp_enable_patch "$WORK/undef"; then
		fail "build: the module does not reference klp_enable_patch: $(tr '\n' ' ' <"$WORK/undef")"
	elif [[ -n "$unexported" ]]; then
		fail "build: undefined symbols not exported by vmlinux in $SYMVERS: $unexported"
	else
		pass "build: all $(wc -l <"$WORK/undef") undefined symbols are in Module.symvers ($(tr '\n' ' ' <"$WORK/undef"))"
	fi
fi

# Warm: same patch, -R, another name.
t0=$SECONDS
rc=0
kb "$cache" -R -n "my patch!" -o "$WORK/out" "$WORK/cmdline-marker.patch" >"$WORK/log2" 2>&1 || rc=$?
t1=$SECONDS
ko2="$WORK/out/my-patch-.ko"
if [[ $rc -eq 0 && -f "$ko2" && "$(modinfo -F kpatch_replace "$ko2")" == N ]]; then
	pass "build: warm run with -R -n 'my patch!' -> my-patch-.ko, kpatch_replace=N, $((t1 - t0)) s"
else
	fail "build: warm -R run rc=$rc"; tail -n 20 "$WORK/log2"
fi
[[ "$(tree_state "${files[@]}")" == "$before" ]] && tree_untouched_since "$WORK/stamp" &&
	pass "build: user tree untouched" || fail "build: user tree changed"
[[ "$(stat -c %i "$cache/src/fs/proc/cmdline.c")" == "$(stat -c %i "$USER_TREE/fs/proc/cmdline.c")" ]] &&
	pass "build: mirror restored to hard links" || fail "build: mirror not restored"
# -t TARGET: full build of the target (cached), then every rebuilt object.
rc=0
kb "$cache" -t fs/proc/ -n livepatch-full -o "$WORK/out" "$WORK/cmdline-marker.patch" >"$WORK/log4" 2>&1 || rc=$?
if [[ $rc -eq 0 && -f "$WORK/out/livepatch-full.ko" ]] && grep -q "cmdline.o: changed function: cmdline_proc_show" "$WORK/log4"; then
	pass "build: -t fs/proc/ (full build of the target, rebuilt objects diffed)"
else
	fail "build: -t fs/proc/ rc=$rc"; tail -n 20 "$WORK/log4"
fi

# Out-of-tree module: build test/integration/oot in a copy, patch it.
if [[ -d "$TOP/test/integration/oot" && -f "$TOP/test/integration/oot-hello.patch" ]]; then
	cp -a "$TOP/test/integration/oot" "$WORK/oot"
	if make -C "$WORK/oot" KDIR="$KBUILD" >"$WORK/oot.log" 2>&1; then
		sum_before="$(cd "$WORK/oot" && sha256sum oot_hello.c oot_hello.o oot_hello.ko)"
		rc=0
		kb "$cache" --oot-module "$WORK/oot/oot_hello.ko" --oot-module-src "$WORK/oot" \
			-o "$WORK/out" "$TOP/test/integration/oot-hello.patch" >"$WORK/log3" 2>&1 || rc=$?
		if [[ $rc -eq 0 && -f "$WORK/out/livepatch-oot-hello.ko" ]] &&
		   grep -q "oot_hello.o: changed function: oot_hello_show" "$WORK/log3" &&
		   grep -q "Patched objects: oot_hello" "$WORK/log3"; then
			pass "build: --oot-module: livepatch-oot-hello.ko patches oot_hello_show in oot_hello"
		else
			fail "build: --oot-module rc=$rc"; tail -n 20 "$WORK/log3"
		fi
		[[ "$(cd "$WORK/oot" && sha256sum oot_hello.c oot_hello.o oot_hello.ko)" == "$sum_before" ]] &&
			pass "build: --oot-module: module source dir untouched" ||
			fail "build: --oot-module: module source dir changed"
	else
		fail "build: could not build the out-of-tree test module"; tail -n 5 "$WORK/oot.log"
	fi
fi
finish
