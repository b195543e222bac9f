#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bench's canary: boot the test kernel and run the kernel's own
# livepatch sample. CANARY_EXPECT overrides the expected string (to prove
# that the bench reports a failure).
set -o nounset -o pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$(mktemp /tmp/canary.XXXXXX)"
trap 'rm -f "$script"' EXIT
{ [[ -n "${CANARY_EXPECT:-}" ]] && printf 'CANARY_EXPECT=%q\n' "$CANARY_EXPECT"; cat "$DIR/guest.sh"; } >"$script"
out="$("$DIR/../qemu/run-guest.sh" --timeout 120 "$script" 2>&1)"
rc=$?
echo "$out" | grep -E '^(canary|GUEST-PASS|GUEST-FAIL|run-guest)' 
if [[ $rc -eq 0 ]]; then echo "PASS canary"; else echo "FAIL canary (guest exit $rc)"; fi
exit $rc
