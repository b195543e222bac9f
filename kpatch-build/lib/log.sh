# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# log.sh - messages, the build log and logged child commands, shared by
# kpatch-build and kpatch-fleet (and their tests).
#
# The caller's variables this library reads:
#   PROG            the command's name in messages
#   LOGFILE         the build log (default /dev/null: terminal only)
#   LOG_DIE_STATUS  die's exit status (default 1)
#   LOG_ERROR_PREFIX  what starts die's line (default "ERROR: ", as kpatch's)
#   LOCKFD          a lock descriptor children must not inherit (optional)
# and the one it keeps: CHILD_PID (the running run_logged child, for
# kill_child), STAGE_TIMES (stage's records, for print_timings).

LOGFILE="${LOGFILE:-/dev/null}"
CHILD_PID=""
STAGE_TIMES=()

# say MSG: a progress line on stdout, stamped in the log.
say() {
	echo "$*"
	echo "[$SECONDS s] $*" >>"$LOGFILE" 2>/dev/null || true
}

# warn MSG: a warning on stderr and in the log.
warn() {
	echo "$PROG: warning: $*" >&2
	echo "warning: $*" >>"$LOGFILE" 2>/dev/null || true
}

# die MSG: an error on stderr and in the log (naming the log), then exit.
die() {
	echo "${LOG_ERROR_PREFIX:-ERROR: }$*" >&2
	echo "ERROR: $*" >>"$LOGFILE" 2>/dev/null || true
	if [[ "$LOGFILE" != /dev/null && -s "$LOGFILE" ]]; then
		echo "Check $LOGFILE for more details." >&2
	fi
	exit "${LOG_DIE_STATUS:-1}"
}

# log_tail [N]: the end of the log on stderr, after a failed step.
log_tail() {
	[[ -f "$LOGFILE" ]] || return 0
	tail -n "${1:-20}" "$LOGFILE" | sed 's/^/    | /' >&2
}

# run_logged CMD...: CMD in its own session (an interrupt stops the whole
# tree: make, gcc, objtool), output into the log, LOCKFD closed in it (the
# build must not keep the lock if the caller dies). Returns CMD's status.
run_logged() {
	echo "+ $*" >>"$LOGFILE"
	if [[ -n "${LOCKFD:-}" ]]; then
		setsid "$@" >>"$LOGFILE" 2>&1 </dev/null {LOCKFD}>&- &
	else
		setsid "$@" >>"$LOGFILE" 2>&1 </dev/null &
	fi
	CHILD_PID=$!
	local rc=0
	wait "$CHILD_PID" || rc=$?
	CHILD_PID=""
	return "$rc"
}

# kill_child: stop run_logged's child and everything it started.
kill_child() {
	if [[ -n "$CHILD_PID" ]]; then
		kill -TERM -- "-$CHILD_PID" 2>/dev/null || true
		wait "$CHILD_PID" 2>/dev/null || true
		CHILD_PID=""
	fi
}

# stage FUNC ARGS...: run FUNC and record its wall time (in the log
# always; print_timings prints them).
stage() {
	local t0=$EPOCHREALTIME ms
	"$@"
	ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
	STAGE_TIMES+=("$1 $ms")
	echo "stage $1: $ms ms" >>"$LOGFILE" 2>/dev/null || true
}

# print_timings: one line per recorded stage, then the total.
print_timings() {
	local t name ms total=0
	for t in "${STAGE_TIMES[@]}"; do
		read -r name ms <<<"$t"
		total=$((total + ms))
		printf 'timing: %-16s %7.2f s\n' "$name" "$(awk "BEGIN { print $ms / 1000 }")"
	done
	printf 'timing: %-16s %7.2f s\n' total "$(awk "BEGIN { print $total / 1000 }")"
}
