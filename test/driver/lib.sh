# SPDX-License-Identifier: GPL-2.0
# lib.sh - shared setup for the kpatch-build driver tests (no qemu needed).
#
# The "user's source tree" is a private real copy of the test kernel's
# source (never the shared $KSRC itself), so a driver bug that wrote
# through a hard link could not damage anybody else's tree.

TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# kernel_built: is the cached test kernel there? (Checked without running
# build-kernel.sh, which would build it: `make check-quick` must not.)
kernel_built() {
	local cache="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}"
	[[ -f "$cache/kernel/current-${KPATCH_TEST_SRCPKG:-linux-source-6.1}/.built" ]]
}
# Tests that need the kernel: KSRC, KBUILD, KCONFIG, VMLINUX, ...
if [[ "${DRIVER_TEST_NO_KERNEL:-0}" != 1 ]]; then
	eval "$(bash "$TOP/test/kernel/build-kernel.sh" --print-env)"
fi
KB="${KPATCH_BUILD:-$TOP/kpatch-build/kpatch-build}"
TEST_ROOT="${KPATCH_DRIVER_TEST_DIR:-${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}/driver-test}"
USER_TREE="$TEST_ROOT/linux"
FAKEBIN="$TEST_ROOT/bin"
mkdir -p "$TEST_ROOT"
# The tests share (and the in-tree test briefly changes) the user tree and
# the cache: one test at a time, also across concurrent suite runs.
exec {DRIVER_TEST_LOCK}>>"$TEST_ROOT/.driver-tests.lock"
flock -w 3600 "$DRIVER_TEST_LOCK" || { echo "FAIL $(basename "$0"): another driver test run holds $TEST_ROOT/.driver-tests.lock"; exit 1; }
WORK="$(mktemp -d /tmp/kpatch-driver.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=../lib/report.sh
. "$TOP/test/lib/report.sh"
finish() {
	report_summary "# $(basename "$0")"
}

# The user tree: a real copy of $KSRC, made once.
setup_user_tree() {
	if [[ ! -f "$USER_TREE.done" || "$(cat "$USER_TREE.done")" != "$KSRC" ]]; then
		rm -rf "$USER_TREE" "$USER_TREE.done"
		mkdir -p "$USER_TREE"
		# (KSRC/.: a copy of the tree even when KSRC is a symbolic link)
		cp -a "$KSRC/." "$USER_TREE/"
		echo "$KSRC" >"$USER_TREE.done"
	fi
}

# Fake helpers: a make wrapper that can stall while the mirror is patched,
# and a create-diff-object that reports "no functional change".
setup_fakebin() {
	mkdir -p "$FAKEBIN"
	cat >"$FAKEBIN/make" <<'EOT'
#!/bin/bash
# Stall (so a test can interrupt the build) when FAKE_MAKE_STALL_FILE
# contains FAKE_MAKE_STALL_MARKER, or always for FAKE_MAKE_SLEEP seconds.
if [[ -n "${FAKE_MAKE_STALL_FILE:-}" ]] && grep -q "$FAKE_MAKE_STALL_MARKER" "$FAKE_MAKE_STALL_FILE" 2>/dev/null; then
	echo $$ >>"${FAKE_MAKE_PIDS:-/dev/null}"
	sleep 300
fi
if [[ -n "${FAKE_MAKE_SLEEP:-}" ]]; then
	echo $$ >>"${FAKE_MAKE_PIDS:-/dev/null}"
	sleep "$FAKE_MAKE_SLEEP"
fi
exec /usr/bin/make "$@"
EOT
	cat >"$FAKEBIN/fake-cdo" <<'EOT'
#!/bin/bash
# create-diff-object stand-in: "no functional change".
exit 3
EOT
	chmod +x "$FAKEBIN/make" "$FAKEBIN/fake-cdo"
}

# The test patch: a one-line change of fs/proc/cmdline.c with a marker.
MARKER="kpatch-driver-test-marker"
make_patch() {
	cat >"$1" <<EOT
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -7,7 +7,7 @@
 static int cmdline_proc_show(struct seq_file *m, void *v)
 {
 	seq_puts(m, saved_command_line);
-	seq_putc(m, '\\n');
+	seq_puts(m, " $MARKER\\n");
 	return 0;
 }
 
EOT
}

# tree_state FILE...: content, inode, link count and mtime of user files.
tree_state() {
	local f
	for f in "$@"; do
		if [[ -e "$USER_TREE/$f" ]]; then
			echo "$(sha256sum <"$USER_TREE/$f" | cut -c1-64) $(stat -c '%i %Y' "$USER_TREE/$f") $f"
		else
			echo "missing $f"
		fi
	done
}

# Nothing in the user tree may be newer than the stamp.
tree_untouched_since() {
	[[ -z "$(find "$USER_TREE" -newer "$1" -print -quit)" ]]
}

# kb CACHEDIR ARGS...: run kpatch-build on the user tree.
kb() {
	local cache="$1"
	shift
	CACHEDIR="$cache" "$KB" -s "$USER_TREE" -c "$KCONFIG" -v "$VMLINUX" -j2 "$@"
}
