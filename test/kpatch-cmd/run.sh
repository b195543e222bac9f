#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - tests of the kpatch command (kpatch/kpatch).
#
# Usage: test/kpatch-cmd/run.sh [--host | --guest | --all] [--shell SHELL]
#   --host    host tests only (the default; needs no kernel): usage, help,
#             install/uninstall into a temporary KPATCH_ROOT, vermagic
#             refusal, info, and load/unload/list/stall reporting against a
#             fake sysfs and procfs (KPATCH_SYSFS, KPATCH_MODULE_SYSFS,
#             KPATCH_PROC) with fake insmod/rmmod, and loads refused for the
#             module's signature. Runs every test under each
#             of dash and busybox sh.
#   --guest   only the tests that need the test kernel: host tests with its
#             real modules, then boot it (test/qemu/run-guest.sh) and run
#             guest-test.sh there: real load/list/info/unload of the kernel's
#             livepatch-sample.ko, a stalled transition, a vermagic refusal.
#   --all     both
#   --shell   run the host tests under SHELL only
#
# KBUILD (the test kernel's O= dir) in the environment enables the host tests
# that use real modules without --guest. KPATCH_CMD replaces kpatch/kpatch
# (host and guest), KPATCH_BUILD kpatch-build (--guest).
#
# A host check runs under every shell and counts once: it passes when it
# passed under each of them (the log has one line per shell). Ends with
# "N passed, N failed, N skipped"; exits non-zero when a test failed.

set -o nounset -o pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$DIR/../.." && pwd)"
# KPATCH_CMD: the kpatch command under test (test/selftest-suites.sh)
KPATCH="${KPATCH_CMD:-$TOP/kpatch/kpatch}"
FAKE="$DIR/fake"
HOST=1
GUEST=0
SHELLS=()

while [[ $# -gt 0 ]]; do
	case "$1" in
	--host) HOST=1; GUEST=0 ;;
	--guest) HOST=0; GUEST=1 ;;
	--all) HOST=1; GUEST=1 ;;
	--shell) SHELLS+=("$2"); shift ;;
	-h|--help) sed -n '4,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
if [[ ${#SHELLS[@]} -eq 0 ]]; then
	SHELLS=(dash "busybox sh")
fi

# shellcheck source=../lib/report.sh
. "$TOP/test/lib/report.sh"
WORK="$(mktemp -d /tmp/kpatch-cmd-test.XXXXXX)"
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

# Results per check name over the shells: the check counts once.
declare -A RESULT=() RAN_UNDER=() SKIPPED=()
ORDER=()
record() {
	local name="$1" ok="$2"
	if [[ -z ${RESULT[$name]:-} ]]; then
		ORDER+=("$name")
		RESULT[$name]=ok
	fi
	RAN_UNDER[$name]+="${RAN_UNDER[$name]:+, }$SHNAME"
	if [[ $ok == ok ]]; then
		echo "    ok [$SHNAME] $name"
	else
		RESULT[$name]="fail"
		echo "    FAILED [$SHNAME] $name"
	fi
}
pass() { record "$*" ok; }
fail() { record "$*" fail; }
# skip_once REASON: a skipped check, counted once however many shells.
skip_once() {
	[[ -n ${SKIPPED[$1]:-} ]] && return 0
	SKIPPED[$1]=1
	skip "$1"
}
# tally: one PASS/FAIL line and count per check name.
tally() {
	local n
	for n in "${ORDER[@]}"; do
		if [[ ${RESULT[$n]} == ok ]]; then
			report_pass "$n (${RAN_UNDER[$n]})"
		else
			report_fail "$n (ran under ${RAN_UNDER[$n]}; see FAILED lines above)"
		fi
	done
	ORDER=()
	RESULT=()
	RAN_UNDER=()
}

# run [ENV=VALUE...] -- ARGS...: run kpatch under $SH; sets OUT (stdout and
# stderr) and RC.
run() {
	local envs=()
	while [[ $1 != -- ]]; do envs+=("$1"); shift; done
	shift
	# shellcheck disable=SC2086 # $SH may be "busybox sh"
	OUT="$(env "${envs[@]}" $SH "$KPATCH" "$@" 2>&1)"
	RC=$?
}

# expect NAME RC [REGEX...]: last run exited RC and its output matches
# every REGEX (grep -E); a REGEX starting with '!' must not match.
expect() {
	local name="$1" want="$2" re
	shift 2
	if [[ $RC -ne $want ]]; then
		fail "$name: exit status $RC, expected $want"
		printf '%s\n' "$OUT" | sed 's/^/    | /'
		return
	fi
	for re in "$@"; do
		if [[ $re == !* ]]; then
			# (a here-string: with pipefail, `echo | grep -q` fails
			# when grep exits before echo has written everything)
			if grep -Eq -- "${re#!}" <<<"$OUT"; then
				fail "$name: output matches '${re#!}'"
				printf '%s\n' "$OUT" | sed 's/^/    | /'
				return
			fi
		elif ! grep -Eq -- "$re" <<<"$OUT"; then
			fail "$name: output lacks '$re'"
			printf '%s\n' "$OUT" | sed 's/^/    | /'
			return
		fi
	done
	pass "$name"
}

# check NAME COMMAND...: a plain assertion.
check() {
	local name="$1"
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# make_module FILE KEY=VALUE...: an ELF object whose .modinfo holds the
# given fields: enough for modinfo, install and the fake insmod.
make_module() {
	local out="$1" kv
	shift
	: >"$WORK/modinfo.bin"
	for kv in "$@"; do printf '%s\0' "$kv" >>"$WORK/modinfo.bin"; done
	objcopy --add-section .modinfo="$WORK/modinfo.bin" \
		--set-section-flags .modinfo=alloc,readonly "$WORK/empty.o" "$out"
}

setup_modules() {
	echo 'int kpatch_test_empty;' >"$WORK/empty.c"
	gcc -c "$WORK/empty.c" -o "$WORK/empty.o" || { fail "cannot compile a test object"; exit 1; }
	MODS="$WORK/mods"
	mkdir -p "$MODS"
	make_module "$MODS/fake-patch.ko" name=fake_patch livepatch=Y kpatch_replace=Y license=GPL \
		"vermagic=9.9.9-fake SMP preempt mod_unload modversions "
	make_module "$MODS/other-patch.ko" name=other_patch livepatch=Y kpatch_replace=N license=GPL \
		"vermagic=9.9.9-fake SMP preempt mod_unload modversions "
	make_module "$MODS/old-patch.ko" name=old_patch livepatch=Y license=GPL \
		"vermagic=9.9.8-old SMP preempt mod_unload modversions "
	make_module "$MODS/plain.ko" name=plain license=GPL \
		"vermagic=9.9.9-fake SMP preempt mod_unload modversions "
	echo "not a module" >"$MODS/notelf.ko"
}

# fresh_sys: empty fake sysfs, procfs and patch store.
fresh_sys() {
	rm -rf "$WORK/sys" "$WORK/proc" "$WORK/store" "$WORK/fake.log"
	mkdir -p "$WORK/sys/livepatch" "$WORK/sys/module" "$WORK/proc" "$WORK/store"
	: >"$WORK/fake.log"
	ENV=(PATH="$FAKE:$PATH" KPATCH_SYSFS="$WORK/sys/livepatch" KPATCH_MODULE_SYSFS="$WORK/sys/module"
	     KPATCH_PROC="$WORK/proc" KPATCH_ROOT="$WORK/store" KPATCH_KVER=9.9.9-fake
	     KPATCH_INSMOD="$FAKE/insmod" KPATCH_RMMOD="$FAKE/rmmod" FAKE_LOG="$WORK/fake.log")
}

# fake_task PID TID COMM STATE [STACK]: a task in the fake procfs.
fake_task() {
	local t="$WORK/proc/$1/task/$2"
	mkdir -p "$t"
	echo "$3" >"$t/comm"
	echo "$4" >"$t/patch_state"
	[[ $# -ge 5 ]] && printf '%s\n' "$5" >"$t/stack"
	return 0
}

# ------------------------------------------------------------ host tests

test_usage() {
	run -- ; expect "no command: usage, exit 2" 2 "Usage: kpatch COMMAND" "load" "unload"
	run -- help; expect "help" 0 "Usage: kpatch COMMAND" "install" "info"
	run -- --help; expect "--help" 0 "Usage: kpatch COMMAND"
	run -- frobnicate; expect "unknown command: exit 2" 2 "unknown command 'frobnicate'"
	run -- version; expect "version" 0 "^kpatch [0-9]+\.[0-9]+"
	run -- --version; expect "--version" 0 "^kpatch [0-9]+\.[0-9]+"
	# Help texts: one check per command (both spellings, same text).
	local c a b ra
	for c in load unload list info install uninstall version; do
		run -- help "$c"; a="$OUT" ra=$RC
		run -- "$c" --help; b="$OUT"
		if [[ $ra -eq 0 && $RC -eq 0 && $a == *"Usage: kpatch $c"* && "$a" == "$b" ]]; then
			pass "help $c and $c --help: exit 0, the same 'Usage: kpatch $c' text"
		else
			fail "help $c and $c --help: exit $ra and $RC, or texts differ"
			printf '%s\n---\n%s\n' "$a" "$b" | sed 's/^/    | /'
		fi
	done
	run -- help nosuch; expect "help of an unknown command: exit 2" 2 "unknown command 'nosuch'"
	run -- load; expect "load without module: exit 2" 2 "which module"
	run -- load -t abc x.ko; expect "load -t abc: exit 2" 2 "not a number"
	run -- load -t; expect "load -t without value: exit 2" 2 "needs a number"
	run -- load --all x.ko; expect "load --all with a module: exit 2" 2 "takes no module"
	run -- load --bogus x.ko; expect "load unknown option: exit 2" 2 "unknown option '--bogus'"
	run -- unload; expect "unload without name: exit 2" 2 "which patch"
	run -- list extra; expect "list with an argument: exit 2" 2 "unexpected argument"
	run -- info; expect "info without module: exit 2" 2 "which module"
	run -- install; expect "install without module: exit 2" 2 "give one MODULE.ko"
	run -- install -k; expect "install -k without value: exit 2" 2 "needs a kernel release"
	run -- uninstall; expect "uninstall without name: exit 2" 2 "give one patch NAME"
}

# The root checks, as an unprivileged user (setpriv).
test_root() {
	if ! command -v setpriv >/dev/null || [[ $(id -u) -ne 0 ]]; then
		skip_once "root checks: they need root and setpriv to become another user"
		return 0
	fi
	fresh_sys
	chmod -R a+rX "$WORK"
	chmod 777 "$WORK/store"
	local saved_sh="$SH"
	SH="setpriv --reuid=65534 --regid=65534 --clear-groups $SH"
	run -- load "$MODS/fake-patch.ko"; expect "load as non-root refused" 1 "load needs root"
	run -- unload fake_patch; expect "unload as non-root refused" 1 "unload needs root"
	run -- install "$MODS/fake-patch.ko"; expect "install as non-root refused" 1 "install needs root"
	run -- uninstall fake_patch; expect "uninstall as non-root refused" 1 "uninstall needs root"
	run -- list; expect "list as non-root" 0 "Loaded patch modules"
	run KPATCH_ROOT="$WORK/store" -- install -k 9.9.9-fake "$MODS/fake-patch.ko"
	expect "install as non-root into KPATCH_ROOT" 0 "installed patch 'fake_patch'"
	SH="$saved_sh"
}

test_install() {
	fresh_sys
	local e=("${ENV[@]}")
	run "${e[@]}" -- install -k 9.9.9-fake "$MODS/fake-patch.ko"
	expect "install -k KVER" 0 "installed patch 'fake_patch' for kernel 9.9.9-fake"
	check "install: file in KPATCH_ROOT/KVER" cmp -s "$MODS/fake-patch.ko" "$WORK/store/9.9.9-fake/fake-patch.ko"
	check "install: no temporary file left" [ "$(ls -A "$WORK/store/9.9.9-fake")" = "fake-patch.ko" ]
	run "${e[@]}" -- install "$MODS/other-patch.ko"
	expect "install for the running kernel (KPATCH_KVER)" 0 "installed patch 'other_patch' for kernel 9.9.9-fake"
	run "${e[@]}" -- install --kernel-version=9.9.9-fake "$MODS/fake-patch.ko"
	expect "install again replaces" 0 "replaced installed patch 'fake_patch'"
	run "${e[@]}" -- list
	expect "list shows installed patches" 0 "Installed patch modules" "9.9.9-fake \(running kernel\):" \
		"fake-patch.ko" "other-patch.ko"
	run "${e[@]}" -- install -k 9.9.9-other "$MODS/fake-patch.ko"
	expect "install refuses another kernel's module" 1 \
		"refusing to install .*fake-patch.ko.*built for kernel 9.9.9-fake" "not for 9.9.9-other" \
		"kpatch install -k 9.9.9-fake"
	check "install refusal leaves nothing" [ ! -e "$WORK/store/9.9.9-other" ]
	run "${e[@]}" -- install "$MODS/old-patch.ko"
	expect "install refuses a module for an older kernel" 1 "built for kernel 9.9.8-old"
	run "${e[@]}" -- install -k 9.9.9-fake "$MODS/plain.ko"
	expect "install refuses a module that is not a livepatch" 1 "not a livepatch module"
	run "${e[@]}" -- install -k 9.9.9-fake "$MODS/notelf.ko"
	expect "install refuses a file that is not a module" 1 "not a kernel module"
	run "${e[@]}" -- install -k 9.9.9-fake "$MODS/missing.ko"
	expect "install of a missing file" 1 "no such file"
	run "${e[@]}" -- install -k ../etc "$MODS/fake-patch.ko"
	expect "install -k with a path: usage error" 2 "not a kernel release"
	run "${e[@]}" -- uninstall -k 9.9.9-fake fake-patch
	expect "uninstall by name with dashes" 0 "uninstalled patch 'fake_patch'"
	check "uninstall removed the file" [ ! -e "$WORK/store/9.9.9-fake/fake-patch.ko" ]
	run "${e[@]}" -- uninstall fake_patch
	expect "uninstall of a patch not installed" 1 "not installed for kernel 9.9.9-fake"
	run "${e[@]}" -- uninstall other_patch.ko
	expect "uninstall by NAME.ko" 0 "uninstalled patch 'other_patch'"
	check "uninstall of the last patch removes the kernel dir" [ ! -e "$WORK/store/9.9.9-fake" ]
}

test_info() {
	fresh_sys
	local e=("${ENV[@]}")
	run "${e[@]}" KPATCH_DUMP="$FAKE/kpatch-dump" -- info "$MODS/fake-patch.ko"
	expect "info with kpatch-dump" 0 "^Name: +fake_patch" "^Kernel: +9.9.9-fake \(the running kernel\)" \
		"^Replace: +yes" "Patched functions: 2" "^    vmlinux$" "^      cmdline_proc_show$" \
		"^    ext2$" "ext2_fill_super \(sympos 2\)" "pre_patch -> my_pre_patch" \
		"Livepatch relocations: 3" "vmlinux: 2, symbols: saved_command_line$" "ext2: 1, symbols: ext2_error,1"
	run "${e[@]}" KPATCH_DUMP="$FAKE/kpatch-dump" -- info "$MODS/other-patch.ko"
	expect "info: replace flag N" 0 "^Replace: +no"
	run "${e[@]}" KPATCH_DUMP="$FAKE/kpatch-dump" -- info "$MODS/old-patch.ko"
	expect "info: module for another kernel" 0 "9.9.8-old \(not the running kernel" "^Replace: +unknown"
	# Without kpatch-dump: a copy of the script where none is found.
	mkdir -p "$WORK/alone/sbin"
	cp "$KPATCH" "$WORK/alone/sbin/kpatch"
	local saved="$KPATCH"
	KPATCH="$WORK/alone/sbin/kpatch"
	run PATH=/usr/bin:/bin "${e[@]:1}" -- info "$MODS/fake-patch.ko"
	KPATCH="$saved"
	if [[ -x /usr/local/libexec/kpatch/kpatch-dump || -x /usr/libexec/kpatch/kpatch-dump ]]; then
		skip_once "info without kpatch-dump: one is installed on this machine"
	else
		expect "info without kpatch-dump falls back to modinfo" 0 "^Name: +fake_patch" \
			"kpatch-dump not found: showing .modinfo only"
	fi
	printf '\177ELF-not-runnable' >"$WORK/broken-dump"
	chmod +x "$WORK/broken-dump"
	run "${e[@]}" KPATCH_DUMP="$WORK/broken-dump" -- info "$MODS/fake-patch.ko"
	expect "info with a kpatch-dump that cannot run falls back" 0 "^Name: +fake_patch" \
		"cannot run .*broken-dump.*showing .modinfo only"
	run "${e[@]}" -- install -k 9.9.9-fake "$MODS/fake-patch.ko"
	run "${e[@]}" KPATCH_DUMP="$FAKE/kpatch-dump" -- info fake_patch
	expect "info NAME of an installed patch" 0 "^Module: +.*store/9.9.9-fake/fake-patch.ko"
	run "${e[@]}" -- info nosuch_patch
	expect "info of an unknown name" 1 "no patch of that name is installed"
	run "${e[@]}" -- info "$MODS/notelf.ko"
	expect "info of a non-module" 1 "not a kernel module"
}

test_load_unload() {
	fresh_sys
	local e=("${ENV[@]}") lp="$WORK/sys/livepatch"
	run "${e[@]}" -- list
	expect "list with nothing loaded" 0 "Loaded patch modules:" "^  \(none\)"
	run "${e[@]}" -- load "$MODS/fake-patch.ko"
	expect "load" 0 "loading patch module" "patch 'fake_patch' is enabled"
	check "load ran insmod" grep -q "insmod .*fake-patch.ko" "$WORK/fake.log"
	run "${e[@]}" -- list
	expect "list a loaded patch" 0 "^  fake_patch \[enabled\]" "^    vmlinux$" "^      cmdline_proc_show$" \
		"^    ext2 \(module not loaded" "^      ext2_fill_super \(sympos 2\)"
	run "${e[@]}" -- info "$MODS/fake-patch.ko"
	expect "info of a loaded patch" 0 "^Loaded: +yes, enabled"
	run "${e[@]}" -- info fake-patch
	expect "info NAME of a loaded patch without its file" 0 "^Name: +fake_patch" \
		"showing the loaded patch from" "^Loaded: +yes, enabled" "Patched functions: 2" \
		"^      cmdline_proc_show$" "ext2_fill_super \(sympos 2\)"
	: >"$WORK/fake.log"
	run "${e[@]}" -- load "$MODS/fake-patch.ko"
	expect "load of a loaded patch" 0 "already loaded \(enabled\)"
	check "no second insmod" [ ! -s "$WORK/fake.log" ]
	run "${e[@]}" -- unload fake-patch
	expect "unload" 0 "disabling patch 'fake_patch'" "patch 'fake_patch' is unloaded"
	check "unload ran rmmod" grep -q "rmmod fake_patch" "$WORK/fake.log"
	check "unload removed the patch" [ ! -e "$lp/fake_patch" ]
	run "${e[@]}" -- unload fake_patch
	expect "unload of a patch not loaded" 1 "patch 'fake_patch' is not loaded"

	# Load by the name of an installed patch, --all, unload --all.
	run "${e[@]}" -- install "$MODS/fake-patch.ko"
	run "${e[@]}" -- load fake_patch
	expect "load NAME of an installed patch" 0 "store/9.9.9-fake/fake-patch.ko" "is enabled"
	run "${e[@]}" -- unload "$MODS/fake-patch.ko"
	expect "unload MODULE.ko" 0 "is unloaded"
	run "${e[@]}" -- install "$MODS/other-patch.ko"
	run "${e[@]}" -- load --all
	expect "load --all" 0 "'fake_patch' is enabled" "'other_patch' is enabled"
	run "${e[@]}" -- unload --all
	expect "unload --all" 0 "'fake_patch' is unloaded" "'other_patch' is unloaded"
	rm -rf "$WORK/store/9.9.9-fake"
	run "${e[@]}" -- load -a
	expect "load --all with nothing installed" 0 "no patches installed for kernel 9.9.9-fake"
	run "${e[@]}" -- unload --all
	expect "unload --all with nothing loaded" 0 "no live patches are loaded"

	# Refusals and kernel errors.
	run "${e[@]}" -- load "$MODS/old-patch.ko"
	expect "load refuses another kernel's module" 1 "refusing to load .*built for kernel 9.9.8-old" \
		"!loading patch module"
	run "${e[@]}" -- load "$MODS/plain.ko"
	expect "load refuses a module that is not a livepatch" 1 "not a livepatch module"
	run "${e[@]}" -- load nosuch
	expect "load of an unknown name" 1 "no such file, and no patch of that name"
	run "${e[@]}" FAKE_INSMOD_FAIL=1 -- load "$MODS/fake-patch.ko"
	expect "insmod failure is explained" 1 "insmod .* failed: insmod: ERROR" "common causes"
	run "${e[@]}" KPATCH_SYSFS="$WORK/nosys" -- load "$MODS/fake-patch.ko"
	expect "load without livepatch support" 1 "no livepatch support"
}

# A load the kernel refuses for the module's signature (a fake insmod
# printing the kernel's error text as kmod's and busybox's insmod do), and
# the signature line of info. The modules here are unsigned; a signed one:
# test/driver/test-sign.sh.
test_signature() {
	fresh_sys
	local e=("${ENV[@]}")
	cat >"$WORK/insmod-refuse" <<'EOT'
#!/bin/sh
# Fake insmod: the kernel refuses the module with $FAKE_ERR.
echo "insmod $*" >>"$FAKE_LOG"
if [ -n "${FAKE_BUSYBOX:-}" ]; then
	echo "insmod: can't insert '$1': $FAKE_ERR" >&2
else
	echo "insmod: ERROR: could not insert module $1: $FAKE_ERR" >&2
fi
exit 1
EOT
	chmod +x "$WORK/insmod-refuse"
	e+=(KPATCH_INSMOD="$WORK/insmod-refuse" KPATCH_SECURITYFS="$WORK/sec")
	mkdir -p "$WORK/sec"
	echo "[none] integrity confidentiality" >"$WORK/sec/lockdown"
	run "${e[@]}" KPATCH_DUMP="$FAKE/kpatch-dump" -- info "$MODS/fake-patch.ko"
	expect "info of an unsigned module: Signature: unsigned" 0 "^Signature: unsigned" "!^Signer:"
	run "${e[@]}" FAKE_ERR="Key was rejected by service" -- load "$MODS/fake-patch.ko"
	expect "load refused (EKEYREJECTED): signature explained" 1 "Key was rejected by service" \
		"refused the module because of its signature" "fake-patch.ko' is unsigned, and this kernel loads only signed" \
		"kpatch-build --sign-key KEY.pem --sign-cert CERT.pem" "mokutil --import CERT.der" "reboot" "!common causes"
	run "${e[@]}" FAKE_BUSYBOX=1 FAKE_ERR="Required key not available" -- load "$MODS/fake-patch.ko"
	expect "load refused (ENOKEY, busybox insmod's words): signature explained" 1 \
		"can't insert .*Required key not available" "because of its signature" "mokutil --import" "!common causes"
	run "${e[@]}" FAKE_ERR="Bad message" -- load "$MODS/fake-patch.ko"
	expect "load refused (EBADMSG): a malformed signature" 1 "signature appended to .* is malformed" "kpatch-build --sign-key"
	run "${e[@]}" FAKE_ERR="Operation not permitted" -- load "$MODS/fake-patch.ko"
	expect "load refused (EPERM) without lockdown: the usual causes" 1 "common causes" "!because of its signature"
	echo "none [integrity] confidentiality" >"$WORK/sec/lockdown"
	run "${e[@]}" FAKE_ERR="Operation not permitted" -- load "$MODS/fake-patch.ko"
	expect "load refused (EPERM) under lockdown: signature explained" 1 "because of its signature" \
		"mokutil --import" "!common causes"
}

test_states() {
	fresh_sys
	local e=("${ENV[@]}") lp="$WORK/sys/livepatch" ms="$WORK/sys/module"

	# A patch replaced by a cumulative patch: module loaded, no livepatch dir.
	mkdir -p "$ms/old_cumulative"
	echo K >"$ms/old_cumulative/taint"
	run "${e[@]}" -- list
	expect "list a replaced patch" 0 "old_cumulative \[disabled: replaced or disabled"
	run "${e[@]}" -- load "$MODS/fake-patch.ko"
	expect "load notes replaced patch modules" 0 "old_cumulative' is loaded but disabled" \
		"kpatch unload old_cumulative"
	run "${e[@]}" -- unload old_cumulative
	expect "unload a replaced patch: only rmmod" 0 "already disabled" "is unloaded" "!disabling"
	check "replaced module removed" [ ! -e "$ms/old_cumulative" ]

	# A module that is no live patch is not touched.
	mkdir -p "$ms/loop"
	echo "" >"$ms/loop/taint"
	run "${e[@]}" -- unload loop
	expect "unload refuses a module that is not a live patch" 1 "not a live patch"
	check "non-livepatch module left alone" [ -d "$ms/loop" ]

	# Loaded but disabled: rmmod and insmod again.
	rm -rf "${lp:?}/fake_patch"
	: >"$WORK/fake.log"
	run "${e[@]}" -- load "$MODS/fake-patch.ko"
	expect "load of a loaded but disabled patch reloads it" 0 "cannot re-enable a disabled patch" \
		"is enabled"
	check "reload ran rmmod then insmod" \
		bash -c "grep -n . '$WORK/fake.log' | tr '\n' ' ' | grep -Eq '1:rmmod fake_patch 2:insmod'"

	# Disabled and being freed by the kernel: load waits until it is gone,
	# then loads it afresh, and reports success (exit 0). (A global rc in
	# load_one once leaked its "gone" status 3 into cmd_load's exit status.)
	echo 0 >"$lp/fake_patch/enabled"
	echo 0 >"$lp/fake_patch/transition"
	(sleep 1; rm -rf "${lp:?}/fake_patch") &
	run "${e[@]}" -- load "$MODS/fake-patch.ko"
	wait
	expect "load of a patch being freed waits, reloads it and exits 0" 0 \
		"loading patch module" "patch 'fake_patch' is enabled"
	: >"$WORK/fake.log"
	echo 0 >"$lp/fake_patch/enabled"
	(sleep 1; rm -rf "${lp:?}/fake_patch") &
	run "${e[@]}" -- load "$MODS/fake-patch.ko" "$MODS/other-patch.ko"
	wait
	expect "load of two modules, the first being freed: exit 0, both enabled" 0 \
		"patch 'fake_patch' is enabled" "patch 'other_patch' is enabled"
	run "${e[@]}" -- unload other_patch

	# Being disabled: load reverses the transition.
	echo 0 >"$lp/fake_patch/enabled"
	echo 1 >"$lp/fake_patch/transition"
	(sleep 1; echo 0 >"$lp/fake_patch/transition") &
	run "${e[@]}" -- load -t 10 "$MODS/fake-patch.ko"
	wait
	expect "load of a patch being disabled re-enables it" 0 "re-enabling it" "waiting \(up to 10 s\)" \
		"is enabled"
	check "re-enable wrote 1 to enabled" [ "$(cat "$lp/fake_patch/enabled")" = 1 ]

	# Another patch in transition: load refuses, unload explains.
	echo 1 >"$lp/fake_patch/transition"
	run "${e[@]}" -- load "$MODS/other-patch.ko"
	expect "load while another patch is in transition" 1 "patch 'fake_patch' is in transition" \
		"one transition at a time"
	echo 0 >"$lp/fake_patch/transition"

	# enabled not writable (an unprivileged user on a fake sysfs).
	if command -v setpriv >/dev/null && [[ $(id -u) -eq 0 ]]; then
		chmod 444 "$lp/fake_patch/enabled"
		chmod -R a+rX "$WORK"
		local saved_sh="$SH"
		SH="setpriv --reuid=65534 --regid=65534 --clear-groups $SH"
		run "${e[@]}" -- unload fake_patch
		SH="$saved_sh"
		expect "unload when enabled is not writable" 1 "enabled is not writable; run kpatch unload as root"
		chmod 644 "$lp/fake_patch/enabled"
	else
		skip_once "unload when enabled is not writable: needs root and setpriv"
	fi

	# rmmod refused.
	run "${e[@]}" FAKE_RMMOD_FAIL=1 -- unload -t 2 fake_patch
	expect "rmmod failure is explained" 1 "cannot remove module 'fake_patch'" "forced"
}

test_stall() {
	fresh_sys
	local e=("${ENV[@]}") lp="$WORK/sys/livepatch"
	fake_task 1 1 init 1
	fake_task 100 100 sleeper 0 "[<0>] do_nanosleep+0x6e/0x140
[<0>] cmdline_proc_show+0x1c/0x40
[<0>] seq_read_iter+0x10d/0x460
[<0>] entry_SYSCALL_64_after_hwframe+0x63/0xcd"
	fake_task 200 200 worker 1
	fake_task 200 201 worker-thr 0
	fake_task 300 300 idle -1
	run "${e[@]}" FAKE_STALL=1 -- load -t 1 "$MODS/fake-patch.ko"
	expect "stalled load: exit 1" 1 "did not complete in 1 s" \
		"task 100 \(sleeper\) is not yet patched" "cmdline_proc_show\+0x1c/0x40" \
		"running patched function\(s\): cmdline_proc_show" \
		"task 200 thread 201 \(worker-thr\)" "\(stack not readable" \
		"!task 1 \(init\)" "!task 300" "!task 200 \(worker\)" \
		"kill -STOP PID; kill -CONT PID" "kpatch unload fake_patch" "DANGEROUS" "$lp/fake_patch/force" \
		"replaces in a forced transition stay" "never be removed"
	check "stalled patch left in transition" [ "$(cat "$lp/fake_patch/transition")" = 1 ]
	run "${e[@]}" -- list
	expect "list shows the transition" 0 "fake_patch \[transition in progress \(patching\)\]"
	# Retry by the name of the loaded patch: still stalled.
	run "${e[@]}" -- load -t 0 fake_patch
	expect "load NAME of a stalled patch reports again" 1 "already loaded \(transition in progress" \
		"task 100 \(sleeper\)"
	# Retry: load again waits; the transition ends meanwhile.
	(sleep 1; echo 0 >"$lp/fake_patch/transition") &
	run "${e[@]}" -- load -t 10 "$MODS/fake-patch.ko"
	wait
	expect "load again waits for the transition" 0 "already loaded" "is enabled"

	# A stalled unload names the task that still runs new code.
	echo 0 >"$WORK/proc/100/task/100/patch_state"
	echo 1 >"$WORK/proc/1/task/1/patch_state"
	echo 1 >"$lp/fake_patch/transition"
	echo 0 >"$lp/fake_patch/enabled"
	run "${e[@]}" -- unload -t 1 fake_patch
	expect "stalled unload: exit 1" 1 "already being disabled" "did not complete in 1 s" \
		"task 1 \(init\) is not yet unpatched" "!task 100" "kpatch load fake_patch" \
		"After a forced removal the kernel keeps the module loaded for good"
	# Nobody blocks any more (the tasks moved on): no task listed.
	echo 0 >"$WORK/proc/1/task/1/patch_state"
	echo 0 >"$WORK/proc/200/task/200/patch_state"
	echo 0 >"$WORK/proc/200/task/201/patch_state"
	(sleep 2; echo 0 >"$lp/fake_patch/transition") &
	run "${e[@]}" -- unload -t 0 fake_patch
	wait
	expect "unload when no task blocks any more" 0 "no task is blocking it any more" "is unloaded"
}

test_scripts() {
	if command -v shellcheck >/dev/null; then
		check "shellcheck -s sh kpatch/kpatch" shellcheck -s sh "$KPATCH"
	else
		skip "shellcheck -s sh kpatch/kpatch: shellcheck is not installed (test/kernel/install-deps.sh)"
	fi
	check "kpatch has no bashisms: runs under dash -n" dash -n "$KPATCH"
	local page err
	for page in "$TOP/man/kpatch.1" "$TOP/man/kpatch-build.1"; do
		if ! command -v man >/dev/null; then
			skip "man page checks: man is not installed (test/kernel/install-deps.sh)"
			break
		fi
		err="$(MANWIDTH=80 man -l --warnings "$page" 2>&1 >/dev/null)"
		check "man -l --warnings ${page##*/}: renders with no warning" [ -z "$err" ]
		[[ -z $err ]] || echo "$err" | sed 's/^/    | /'
	done
	check "kpatch.service names the installed kpatch" \
		grep -q '^ExecStart=/usr/local/sbin/kpatch load --all$' "$TOP/kpatch/kpatch.service"
}

# Host tests with the test kernel's real modules ($KBUILD).
test_real_modules() {
	local sample="$KBUILD/samples/livepatch/livepatch-sample.ko" kver
	if [[ ! -f $sample ]]; then
		skip_once "real-module tests: no $sample"
		return 0
	fi
	kver="$(cat "$KBUILD/include/config/kernel.release")"
	fresh_sys
	local e=("${ENV[@]}")
	run "${e[@]}" -- install -k "$kver" "$sample"
	expect "install the real livepatch-sample.ko" 0 "installed patch 'livepatch_sample' for kernel $kver"
	run "${e[@]}" -- install -k 6.1.0-other "$sample"
	expect "real module: vermagic refusal" 1 "built for kernel $kver .*not for 6.1.0-other"
	run "${e[@]}" KPATCH_KVER="$kver" -- info "$sample"
	expect "info on the real sample" 0 "^Name: +livepatch_sample" "Kernel: +$kver \(the running kernel\)" \
		"^Replace: +unknown"
	# The real kpatch-dump (when built) on a module without kpatch records.
	if [[ -x "$TOP/create-diff-object/kpatch-dump" ]]; then
		run "${e[@]}" KPATCH_KVER="$kver" KPATCH_DUMP="$TOP/create-diff-object/kpatch-dump" -- info "$sample"
		expect "info with the real kpatch-dump on the sample" 0 "^Patched functions: 0" \
			"not built by kpatch-build"
	else
		fail "info with the real kpatch-dump: create-diff-object/kpatch-dump is not built (make)"
	fi
	local loop="$KBUILD/drivers/block/loop.ko"
	if [[ -f $loop ]]; then
		run "${e[@]}" -- install -k "$kver" "$loop"
		expect "real non-livepatch module refused" 1 "not a livepatch module"
	fi
	run "${e[@]}" -- uninstall -k "$kver" livepatch_sample
	expect "uninstall the real sample" 0 "uninstalled"
}

# ------------------------------------------------------------ guest tests

# build_kpatch_modules: livepatch-cmd-a.ko and livepatch-cmd-b.ko (replaces
# A, has a callback) from patches/ with kpatch-build, and check kpatch info
# on them with the real kpatch-dump. Skipped when the tools are not built.
build_kpatch_modules() {
	local kb="${KPATCH_BUILD:-$TOP/kpatch-build/kpatch-build}" cdo="$TOP/create-diff-object" p
	local cache="${KPATCH_CMD_CACHEDIR:-${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}/integration-kpatch}" pf
	# one cache per test kernel, the integration suite's (one prepared
	# object dir per kernel for every suite); patches/<kernel>/ holds variants
	[[ "${KPATCH_TEST_KERNEL:-6.1}" == 6.1 ]] || cache+="-$KPATCH_TEST_KERNEL"
	if [[ ! -x $kb || ! -x $cdo/create-diff-object || ! -x $cdo/create-klp-module || ! -x $cdo/kpatch-dump ]]; then
		fail "kpatch-built modules: kpatch-build or the C tools are not built (make)"
		return 1
	fi
	mkdir -p "$WORK/out"
	for p in a b; do
		pf="$DIR/patches/cmd-$p.patch"
		[[ -f "$DIR/patches/${KPATCH_TEST_KERNEL:-6.1}/cmd-$p.patch" ]] &&
			pf="$DIR/patches/${KPATCH_TEST_KERNEL:-6.1}/cmd-$p.patch"
		if ! CACHEDIR="$cache" "$kb" -j2 -s "$KSRC" -c "$KCONFIG" -v "$VMLINUX" -n "livepatch-cmd-$p" \
			-o "$WORK/out" "$pf" >"$WORK/kb-$p.log" 2>&1; then
			fail "kpatch-build patches/cmd-$p.patch"
			tail -n 20 "$WORK/kb-$p.log" | sed 's/^/    | /'
			return 1
		fi
	done
	fresh_sys
	local e=("${ENV[@]}")
	SH=dash SHNAME=host-real
	# shellcheck disable=SC2153 # KVER comes from build-kernel.sh --print-env
	run "${e[@]}" KPATCH_KVER="$KVER" KPATCH_DUMP="$cdo/kpatch-dump" -- info "$WORK/out/livepatch-cmd-a.ko"
	expect "info on kpatch-built A" 0 "^Name: +livepatch_cmd_a" "^Replace: +yes" "Patched functions: 1" \
		"^      cmdline_proc_show$" "Callbacks: none" "vmlinux: 1, symbols: saved_command_line"
	run "${e[@]}" KPATCH_KVER="$KVER" KPATCH_DUMP="$cdo/kpatch-dump" -- info "$WORK/out/livepatch-cmd-b.ko"
	expect "info on kpatch-built B shows its callback" 0 "^Name: +livepatch_cmd_b" \
		"vmlinux: post_patch -> kpatch_cmd_b_post_patch"
	return 0
}

run_guest() {
	local envf="$WORK/kernel.env" log="$WORK/guest.log" rc
	if ! bash "$TOP/test/kernel/build-kernel.sh" --print-env >"$envf"; then
		fail "guest: the test kernel is not available (test/kernel/build-kernel.sh failed)"
		return
	fi
	# shellcheck disable=SC1090
	source "$envf"
	SH=dash SHNAME=host-real
	test_real_modules

	local adds=(--add "$KPATCH:/root/kpatch")
	local m
	for m in livepatch-sample livepatch-callbacks-busymod livepatch-callbacks-demo livepatch-callbacks-mod; do
		adds+=(--add "$KBUILD/samples/livepatch/$m.ko")
	done
	# A copy of the sample whose vermagic names another kernel.
	sed 's/vermagic=[0-9]\.[0-9]/vermagic=0.0/' "$KBUILD/samples/livepatch/livepatch-sample.ko" \
		>"$WORK/wrong-vermagic.ko"
	adds+=(--add "$WORK/wrong-vermagic.ko")
	build_kpatch_modules && adds+=(--add "$WORK/out/livepatch-cmd-a.ko" --add "$WORK/out/livepatch-cmd-b.ko")
	"$TOP/test/qemu/run-guest.sh" --kernel-env "$envf" --timeout 300 "${adds[@]}" \
		"$DIR/guest-test.sh" >"$log" 2>&1
	rc=$?
	grep -E '^(kpatch-guest|GUEST-PASS|GUEST-FAIL)' "$log" | sed 's/^/    /'
	local p f
	p=$(grep -c '^GUEST-PASS' "$log")
	f=$(grep -c '^GUEST-FAIL' "$log")
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	if [[ $rc -ne 0 ]]; then
		fail "guest: run-guest.sh exit status $rc (see the guest console below)"
		tail -n 60 "$log" | sed 's/^/    | /'
	elif [[ $p -eq 0 ]]; then
		fail "guest: no test ran"
	fi
}

# ------------------------------------------------------------------ main

for tool in gcc objcopy modinfo; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed"; echo "0 passed, 1 failed"; exit 1; }
done
setup_modules
if [[ $HOST -eq 1 ]]; then
	for SH in "${SHELLS[@]}"; do
		SHNAME="${SH// /-}"
		if ! command -v "${SH%% *}" >/dev/null; then
			skip "host tests under $SH: $SH is not installed (test/kernel/install-deps.sh)"
			continue
		fi
		test_usage
		test_root
		test_install
		test_info
		test_load_unload
		test_states
		test_signature
		test_stall
		if [[ -n ${KBUILD:-} ]]; then test_real_modules; fi
	done
	SH=dash SHNAME=static
	test_scripts
	tally
fi
if [[ $GUEST -eq 1 ]]; then
	run_guest
	tally
fi

report_summary
