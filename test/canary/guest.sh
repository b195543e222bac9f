# Canary: the kernel's own samples/livepatch/livepatch-sample.ko.
. /lib/guest-lib.sh
EXPECT="${CANARY_EXPECT:-this has been live patched}"
MOD=$(find /lib/modules -name livepatch-sample.ko | head -n1)
before=$(cat /proc/cmdline)
echo "canary: before: $before"
check "cmdline is not patched before load" [ "$before" != "$EXPECT" ]
check "livepatch-sample loads" klp_load "$MOD"
during=$(cat /proc/cmdline)
echo "canary: loaded: $during"
check "cmdline reads '$EXPECT' while loaded" [ "$during" = "$EXPECT" ]
check "livepatch-sample unloads" klp_unload livepatch_sample
after=$(cat /proc/cmdline)
echo "canary: after: $after"
check "cmdline is back after unload" [ "$after" = "$before" ]
exit $GUEST_FAILS
