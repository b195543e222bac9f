#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftest.sh - check that run.sh's assertions can fail: runs the
# plain-function patch once with an .expect where every assertion is wrong
# (each must be reported) and once with the real .expect (must pass); and
# the init-change refusal with a wrong reason and with none (both must fail:
# a refusal must name its reason) and with its real .expect (must pass).
#
# Usage: selftest.sh    (exit 0 when the runner behaves)
# Ends with "N passed, N failed, N skipped".

set -o errexit -o nounset -o pipefail

UNITDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export UNIT_RESULTS="$tmp/results"

cp "$UNITDIR/cases/plain-function.patch" "$tmp/wrong.patch"
cp "$UNITDIR/cases/plain-function.patch" "$tmp/right.patch"
cp "$UNITDIR/cases/plain-function.expect" "$tmp/right.expect"
# One wrong assertion of every kind (exit is checked separately below).
cat >"$tmp/wrong.expect" <<'EOT'
object fs/proc/cmdline.o
changed proc_cmdline_init
not-changed cmdline_proc_show
changed-exactly cmdline_proc_show proc_cmdline_init
new cmdline_proc_show
new-exactly something_new
func vmlinux cmdline_proc_show 1
no-func cmdline_proc_show
funcs-exactly cmdline_proc_show other
klp-reloc vmlinux seq_puts 0
no-klp-reloc saved_command_line
undef saved_command_line
no-undef seq_puts
symbol proc_cmdline_init
no-symbol cmdline_proc_*
orig-symbol no_such_function
section-present .init.text
section-absent __mcount_loc
section-size __mcount_loc 16
section-min __mcount_loc 8*FUNCSYMS+1
section-max __mcount_loc 8*FUNCSYMS-1
orig-section-min __mcount_loc 1000
section-same-count __mcount_loc 8 .orc_unwind_ip 8
callback pre_patch vmlinux nothing
stdout-contains no such text
stdout-lacks changed function
stderr-contains no such text
dump-contains no such text
dump-lacks func vmlinux
string no such string
no-string kpatch-unit
reason no such reason
EOT
wrong=$(grep -vc '^object' "$tmp/wrong.expect")
printf 'object fs/proc/cmdline.o\nexit 3\n' >"$tmp/wrongexit.expect"
cp "$tmp/wrong.patch" "$tmp/wrongexit.patch"
# The refusal of an __init change: the reason of another refusal path (a
# data change) must not do, nor must a refusal without any reason.
for n in wrongreason noreason rightreason; do
	cp "$UNITDIR/cases/init-change.patch" "$tmp/$n.patch"
done
cp "$UNITDIR/cases/init-change.expect" "$tmp/rightreason.expect"
printf 'object fs/proc/cmdline.o\nexit 2\nreason data [^ ]* changed\n' >"$tmp/wrongreason.expect"
printf 'object fs/proc/cmdline.o\nexit 2\nstderr-contains proc_cmdline_init\n' >"$tmp/noreason.expect"

# shellcheck source=../lib/report.sh
source "$UNITDIR/../lib/report.sh"
out="$(UNIT_CASEDIR="$tmp" bash "$UNITDIR/run.sh" wrong wrongexit right wrongreason noreason rightreason || true)"
echo "$out" | sed 's/^/    | /'
res="$UNIT_RESULTS"
got=$(wc -l <"$res/wrong/failures.txt" 2>/dev/null || echo 0)
if [[ "$got" -eq "$wrong" ]]; then
	pass "selftest: all $wrong wrong assertions reported"
else
	fail "selftest: expected $wrong reported failures for 'wrong', got $got"
	sed 's/^/    | /' "$res/wrong/failures.txt" 2>/dev/null || true
fi
if grep -q '^FAIL wrongexit: .*exit 0, expected 3' <<<"$out"; then
	pass "selftest: a wrong exit code is reported"
else
	fail "selftest: wrong exit code not reported"
fi
if grep -q '^PASS right$' <<<"$out"; then
	pass "selftest: the correct case passes"
else
	fail "selftest: the correct case did not pass"
fi
if grep -q '^FAIL wrongreason: .*the reason does not match' <<<"$out"; then
	pass "selftest: a refusal for another reason is reported"
else
	fail "selftest: a wrong refusal reason not reported"
fi
if grep -q "^FAIL noreason: .*no 'reason REGEX' line" <<<"$out"; then
	pass "selftest: a refusal case without a reason fails"
else
	fail "selftest: a refusal case without a reason was not reported"
fi
if grep -q '^PASS rightreason$' <<<"$out"; then
	pass "selftest: the refusal with its real reason passes"
else
	fail "selftest: the refusal with its real reason did not pass"
fi
if grep -qx '2 passed, 4 failed, 0 skipped' <<<"$out"; then
	pass "selftest: summary line '2 passed, 4 failed, 0 skipped'"
else
	fail "selftest: bad summary line"
fi
report_summary
