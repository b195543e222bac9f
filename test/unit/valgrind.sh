#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# valgrind.sh - run three representative real-kernel cases with
# create-diff-object under valgrind (memcheck, full leak check).
# A valgrind error or a definite leak makes create-diff-object exit 99, which
# run.sh reports as a failure.
#
# Usage: valgrind.sh [NAME...]   (default: plain-function static-dup-reloc module-loop)
# One check per case (run.sh's); ends with "N passed, N failed, N skipped"
# (test/lib/report.sh), exit 1 when a case failed. Needs the test kernel.

# shellcheck disable=SC2119 # report_summary's optional argument is a prefix
set -o errexit -o nounset -o pipefail

UNITDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v valgrind >/dev/null; then
	# shellcheck source=test/lib/report.sh
	. "$UNITDIR/../lib/report.sh"
	fail "valgrind is not installed (test/kernel/install-deps.sh installs it)"
	report_summary || exit 1
fi

cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(plain-function static-dup-reloc module-loop)

export UNIT_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
export UNIT_RESULTS="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}/unit-results-valgrind"
exec bash "$UNITDIR/run.sh" "${cases[@]}"
