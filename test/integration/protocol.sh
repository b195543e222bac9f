# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# protocol.sh - the guest protocol that proves one livepatch module, shared
# by the integration harnesses (test/integration/run.sh, test/debian/run.sh).
# Source it: it only defines functions (no shell options, no globals).
#
# klp_protocol_lines NAME MODULE_PATH TESTDIR
#   Prints the lines of a guest script (busybox sh, after
#   `. /lib/guest-lib.sh`) that prove the module of test NAME in one boot.
#   NAME         the test's name (NAME.patch; letters, digits, . _ -)
#   MODULE_PATH  the guest path of its livepatch .ko
#                (the module name is its basename, `-` -> `_`)
#   TESTDIR      the guest directory that holds the test's files:
#                NAME-LOADED.test (required), NAME-UNLOADED.test and
#                NAME.observe (optional; the guest checks whether they are
#                there, so copy each one the test has)
#   Status 1 (and nothing printed) when an argument has other characters.
#
#   The lines print one check line each (guest-lib.sh's `check`:
#   "GUEST-PASS: NAME: ..." or "GUEST-FAIL: NAME: ..."), in this order:
#     NAME: test fails before load
#     NAME: unloaded test fails before load          (with NAME-UNLOADED.test)
#     NAME: unpatched output recorded before load
#     NAME: module loads
#     NAME: test passes while loaded
#     NAME: module unloads
#     NAME: test fails after unload
#     NAME: unloaded test passes after unload        (with NAME-UNLOADED.test)
#     NAME: output after unload is byte-identical to before load
#   that is klp_protocol_checks 0 (7) or klp_protocol_checks 1 (9) lines.
#
#   The recorded output is what `sh NAME.observe` prints (stdout and
#   stderr) followed by a line "exit status N": a snippet that prints the
#   state the patch changes, and only what must be the same before the load
#   and after the unload (no counters, addresses, PIDs or loop device
#   numbers), e.g. `cat /proc/cmdline`. Without NAME.observe it is the
#   output and status of NAME-LOADED.test itself (weaker: only what the
#   test happens to print). Both records are taken at the same point of
#   the protocol (after the unpatched runs of the tests), in
#   /tmp/klp-observe-NAME.{before,after}; on a difference the guest prints
#   the diff as "guest: NAME: observe: " lines.
#
# klp_protocol_checks HAS_UNLOADED
#   Prints the number of check lines klp_protocol_lines makes for a test
#   without (0) or with (1) an NAME-UNLOADED.test.

klp_protocol_checks() {
	if [[ "${1:-0}" == 1 ]]; then echo 9; else echo 7; fi
}

klp_protocol_lines() {
	local name="$1" ko="$2" dir="$3" mod a
	[[ "$name" =~ ^[A-Za-z0-9_.-]+$ ]] || {
		echo "klp_protocol_lines: test name '$name': only letters, digits and . _ - please" >&2
		return 1
	}
	for a in "$ko" "$dir"; do
		[[ "$a" =~ ^[A-Za-z0-9_./-]+$ ]] || {
			echo "klp_protocol_lines: '$a': only letters, digits and . _ - / please" >&2
			return 1
		}
	done
	mod="$(basename "$ko" .ko | tr - _)"
	cat <<EOF
T=$dir/$name-LOADED.test; U=$dir/$name-UNLOADED.test; O=$dir/$name.observe; S=/tmp/klp-observe-$name
klp_observe_to() { if [ -f "\$O" ]; then sh "\$O"; else sh "\$T"; fi >"\$1" 2>&1; echo "exit status \$?" >>"\$1"; }
klp_observe_same() { klp_observe_to "\$1.after" || return 1; cmp -s "\$1.before" "\$1.after" && return 0; diff "\$1.before" "\$1.after" | head -n 40 | sed "s|^|guest: \$2: observe: |"; return 1; }
check "$name: test fails before load" not sh "\$T"
if [ -f "\$U" ]; then check "$name: unloaded test fails before load" not sh "\$U"; fi
check "$name: unpatched output recorded before load" klp_observe_to "\$S.before"
check "$name: module loads" klp_load $ko
check "$name: test passes while loaded" sh "\$T"
check "$name: module unloads" klp_unload $mod
check "$name: test fails after unload" not sh "\$T"
if [ -f "\$U" ]; then check "$name: unloaded test passes after unload" sh "\$U"; fi
check "$name: output after unload is byte-identical to before load" klp_observe_same "\$S" $name
EOF
}
