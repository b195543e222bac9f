#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Synthetic tests for create-diff-object, create-klp-module and kpatch-dump.
# Usage: BIN=<dir with the binaries> [VALGRIND="valgrind -q --error-exitcode=99"] run-tests.sh
set -o errexit -o nounset -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-$(dirname "$HERE")}
VALGRIND=${VALGRIND:-}
WORK=${WORK:-$HERE/work}
mkdir -p "$WORK"
# shellcheck source=lib.sh
. "$HERE/lib.sh"

for t in "$HERE"/t-*.sh; do
	# shellcheck disable=SC1090
	. "$t"
done

report_summary
