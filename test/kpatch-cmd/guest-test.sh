# SPDX-License-Identifier: GPL-2.0
# guest-test.sh - the kpatch command inside the test kernel (busybox sh).
# Run by test/kpatch-cmd/run.sh --guest through test/qemu/run-guest.sh, with
# /root/kpatch, the kernel's livepatch samples and wrong-vermagic.ko (a copy
# of livepatch-sample.ko whose vermagic names kernel 0.0.x) in /root.
. /lib/guest-lib.sh

KP=/root/kpatch
SAMPLE=/root/livepatch-sample.ko
PATCHED="this has been live patched"

say() { echo "kpatch-guest: $*"; }

# kp ARGS...: run kpatch, keep its output in $OUT and status in $RC, and show
# it on the console.
kp() {
	OUT=$("$KP" "$@" 2>&1)
	RC=$?
	say "\$ kpatch $* -> exit $RC"
	echo "$OUT" | sed 's/^/kpatch-guest: | /'
}
has() { echo "$OUT" | grep -Eq -- "$1"; }
rc_is() { [ "$RC" -eq "$1" ]; }

cmdline_before=$(cat /proc/cmdline)

# -- basics
kp version
check "version" rc_is 0
kp load
check "load without a module is a usage error (2)" rc_is 2

# -- info without loading
kp info "$SAMPLE"
check "info: exit 0" rc_is 0
check "info: names the module" has "^Name: +livepatch_sample"
check "info: built for the running kernel" has "\(the running kernel\)"
check "info: not loaded" has "^Loaded: +no"
check "info does not load the module" [ ! -d /sys/module/livepatch_sample ]
check "info without kpatch-dump says so" has "kpatch-dump not found"

# -- load, list, unload
kp load "$SAMPLE"
check "load livepatch-sample.ko: exit 0" rc_is 0
check "load reports the patch enabled" has "patch 'livepatch_sample' is enabled"
check "cmdline is patched while loaded" [ "$(cat /proc/cmdline)" = "$PATCHED" ]
check "transition is over after load" [ "$(cat /sys/kernel/livepatch/livepatch_sample/transition)" = 0 ]
kp list
check "list: exit 0" rc_is 0
check "list shows the patch enabled" has "^  livepatch_sample \[enabled\]"
check "list shows the object" has "^    vmlinux$"
check "list shows the function" has "^      cmdline_proc_show$"
kp info "$SAMPLE"
check "info of the loaded patch says so" has "^Loaded: +yes, enabled"
kp load "$SAMPLE"
check "load again: exit 0, already loaded" has "already loaded"
kp unload livepatch-sample
check "unload: exit 0" rc_is 0
check "unload reports it" has "patch 'livepatch_sample' is unloaded"
check "cmdline is back after unload" [ "$(cat /proc/cmdline)" = "$cmdline_before" ]
check "module is gone after unload" [ ! -d /sys/module/livepatch_sample ]
kp unload livepatch_sample
check "unload of a patch not loaded: exit 1" rc_is 1

# -- install, load --all, unload --all, uninstall (the real /var/lib/kpatch)
kp install "$SAMPLE"
check "install: exit 0" rc_is 0
check "install put the module in /var/lib/kpatch/\$(uname -r)" \
	[ -f "/var/lib/kpatch/$(uname -r)/livepatch-sample.ko" ]
kp load --all
check "load --all: exit 0" rc_is 0
check "load --all loaded the installed patch" [ "$(cat /proc/cmdline)" = "$PATCHED" ]
kp list
check "list shows the installed patch" has "$(uname -r) \(running kernel\):"
kp unload --all
check "unload --all: exit 0" rc_is 0
check "unload --all restored cmdline" [ "$(cat /proc/cmdline)" = "$cmdline_before" ]
kp uninstall livepatch_sample
check "uninstall: exit 0" rc_is 0

# -- vermagic refusal
kp load /root/wrong-vermagic.ko
check "load of a module for another kernel: exit 1" rc_is 1
# run.sh turns vermagic=6.1... into 0.0... (6.12.117 -> 0.02.117)
check "load refusal gives the reason" has "built for kernel 0\.0[0-9]*\.[0-9]+-kpatch-test"
check "refused module was not loaded" [ ! -d /sys/module/livepatch_sample ]
kp install /root/wrong-vermagic.ko
check "install of a module for another kernel: exit 1" rc_is 1
check "install refusal gives the reason" has "refusing to install"

# -- a stalled transition: a kworker sleeps inside busymod_work_func, which
#    livepatch-callbacks-demo patches.
insmod /root/livepatch-callbacks-busymod.ko sleep_secs=25
n=0
while ! dmesg | grep -q "busymod_work_func, sleeping"; do
	n=$((n + 1))
	[ $n -gt 50 ] && break
	sleep 0.1
done
kp load -t 3 /root/livepatch-callbacks-demo.ko
check "stalled load: exit 1" rc_is 1
check "stalled load: says the transition did not complete" has "did not complete in 3 s"
check "stalled load: names the blocking task" has "task [0-9]+ \(kworker"
check "stalled load: shows its stack" has "busymod_work_func\+0x"
check "stalled load: names the patched function on the stack" \
	has "running patched function\(s\): busymod_work_func"
check "stalled load: explains force" has "DANGEROUS"
kp list
check "list shows the transition in progress" has "livepatch_callbacks_demo \[transition in progress \(patching\)\]"
check "list shows the module object" has "^    livepatch_callbacks_busymod$"
kp load -t 1 livepatch_callbacks_demo
check "load NAME of the stalled patch: exit 1" rc_is 1
check "load NAME of the stalled patch: waits on it" has "already loaded \(transition in progress \(patching\)\)"
kp unload -t 20 livepatch_callbacks_demo
check "unload of the stalled patch reverses it: exit 0" rc_is 0
check "unload says it reverses the transition" has "reversing the transition"
check "stalled patch module removed" [ ! -d /sys/module/livepatch_callbacks_demo ]
rmmod livepatch_callbacks_busymod

# -- modules built by kpatch-build: a cumulative patch replacing another
A=/root/livepatch-cmd-a.ko
B=/root/livepatch-cmd-b.ko
ends_with() { case "$(cat /proc/cmdline)" in *"$1") return 0 ;; esac; return 1; }
if [ -f "$A" ] && [ -f "$B" ]; then
	kp load "$A"
	check "kpatch-built A loads" rc_is 0
	check "A is active" ends_with " kpatch-cmd=a"
	kp load "$B"
	check "kpatch-built B (replace) loads" rc_is 0
	check "B is active" ends_with " kpatch-cmd=b"
	check "load names the replaced patch A" has "'livepatch_cmd_a' is loaded but disabled"
	check "B's post-patch callback ran" sh -c 'dmesg | grep -q "kpatch-cmd-b: post_patch"'
	kp list
	check "list shows A replaced" has "^  livepatch_cmd_a \[disabled: replaced"
	check "list shows B enabled" has "^  livepatch_cmd_b \[enabled\]"
	kp info "$B"
	check "info of loaded B" has "^Replace: +yes"
	kp load "$A"
	check "loading the replaced A again: exit 0" rc_is 0
	check "loading the replaced A again reloads its module" has "cannot re-enable a disabled patch"
	check "A is active again" ends_with " kpatch-cmd=a"
	kp unload livepatch_cmd_b
	check "unload of the replaced B: only rmmod" has "already disabled"
	check "B's module is gone" [ ! -d /sys/module/livepatch_cmd_b ]
	kp unload --all
	check "unload --all: exit 0" rc_is 0
	check "A's module is gone" [ ! -d /sys/module/livepatch_cmd_a ]
	check "cmdline restored after A and B" [ "$(cat /proc/cmdline)" = "$cmdline_before" ]
else
	say "SKIP kpatch-built modules: /root/livepatch-cmd-a.ko and -b.ko not given"
fi

say "result: $GUEST_FAILS failed"
exit $GUEST_FAILS
