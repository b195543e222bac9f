#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# valgrind.sh - run three representative real-kernel cases with
# create-diff-object under valgrind (memcheck, full leak check).
# A valgrind error or a definite leak makes create-diff-object exit 99, which
# run.sh reports as a failure.
#
# Usage: valgrind.sh [NAME...]   (default: plain-function static-dup-reloc module-loop)

set -o errexit -o nounset -o pipefail

UNITDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(plain-function static-dup-reloc module-loop)

export UNIT_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
export UNIT_RESULTS="${KPATCH_TEST_CACHE:-$HOME/.cache/kpatch-lts}/unit-results-valgrind"
exec bash "$UNITDIR/run.sh" "${cases[@]}"
