# SPDX-License-Identifier: GPL-2.0
# report.sh - PASS/FAIL lines and their counts for the bash test scripts.
# Source it; print the closing "$PASS passed, $FAIL failed" line yourself.
PASS=0
FAIL=0
pass() { echo "PASS $*"; PASS=$((PASS + 1)); }
fail() { echo "FAIL $*"; FAIL=$((FAIL + 1)); }
