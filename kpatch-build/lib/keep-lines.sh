#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# keep-lines.sh ORIG PATCHED - make the patched copy of a C file keep the
# original line numbers of every line outside the patch's hunks.
#
# A patch that adds or removes lines moves the __LINE__ of everything below
# it: WARN/BUG line fields in __bug_table, dynamic-debug descriptors,
# printk index entries and line immediates passed to __might_sleep(),
# __warn_printk(), btrfs/ext4 error helpers...  To the differ these look like
# changes in functions the patch never touched.  This rewrites PATCHED (in
# place) with a `#line N` directive (no file name, so __FILE__ stays the
# same) before the first unchanged line after each hunk, so that every
# unchanged line has the number it has in ORIG.  Lines inside the hunks keep
# whatever number follows from the directive before them.
#
# A directive is only put where a line can start a preprocessing directive:
# not after a line ending in a backslash (macro or string continuation) and
# not inside a block comment; otherwise it goes before the next unchanged
# line where it is safe.  Only .c files are rewritten: a header is included
# from many places, the differ's heuristics cover it.
#
# Exit status: 0 (also when nothing needed to change), 1 on error (PATCHED
# is then left as it was).

set -o errexit -o nounset -o pipefail

die() { echo "keep-lines: error: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: keep-lines.sh ORIG PATCHED"
orig="$1"
patched="$2"
[[ -f "$orig" ]] || die "$orig: no such file (the unpatched copy)"
[[ -f "$patched" ]] || die "$patched: no such file (the patched copy)"
case "$patched" in *.c) ;; *) exit 0 ;; esac

tmp="$(mktemp "$patched.keep-lines.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

# diff -U0 gives the hunks of the files as they really are (the patch itself
# may have applied with an offset or fuzz); exit 1 means "they differ".
rc=0
diff -U0 -- "$orig" "$patched" >"$tmp.diff" 2>"$tmp.err" || rc=$?
trap 'rm -f "$tmp" "$tmp.diff" "$tmp.err"' EXIT
[[ $rc -le 1 ]] || die "diff $orig $patched failed: $(head -n1 "$tmp.err")"
[[ $rc -eq 1 ]] || exit 0

awk -v diff="$tmp.diff" -v squote="'" '
# Read the hunks: unchanged[n] = original line number of new line n, for the
# new lines right after a hunk (those lines need a directive); changed[n] for
# the lines a hunk added.
BEGIN {
	delta = 0
	while ((getline l < diff) > 0) {
		if (l !~ /^@@ /)
			continue
		split(l, f, " ")
		split(substr(f[2], 2), o, ",")
		split(substr(f[3], 2), p, ",")
		olen = (2 in o) ? o[2] + 0 : 1
		plen = (2 in p) ? p[2] + 0 : 1
		ostart = o[1] + 0
		pstart = p[1] + 0
		# The first unchanged line after the hunk: new line pnext is
		# original line onext.
		pnext = plen ? pstart + plen : pstart + 1
		onext = olen ? ostart + olen : ostart + 1
		want[pnext] = onext
		for (i = pstart; i < pstart + plen; i++)
			added[i] = 1
	}
	close(diff)
	in_comment = 0
	continued = 0
	cur = 1		# the line number the compiler gives the next line
	pending = 0
}

# Scan one line for block comments, string and character literals.
function scan(s,    i, c, n, q) {
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (in_comment) {
			if (c == "*" && substr(s, i + 1, 1) == "/") {
				in_comment = 0
				i++
			}
			continue
		}
		if (c == "/" && substr(s, i + 1, 1) == "*") {
			in_comment = 1
			i++
			continue
		}
		if (c == "/" && substr(s, i + 1, 1) == "/")
			break
		if (c == "\"" || c == squote) {
			q = c
			for (i++; i <= n; i++) {
				c = substr(s, i, 1)
				if (c == "\\") {
					i++
					continue
				}
				if (c == q)
					break
			}
		}
	}
	continued = (s ~ /\\$/)
}

{
	if (NR in want)
		pending = want[NR]
	if (pending && !(NR in added) && !in_comment && !continued) {
		if (cur != pending)
			print "#line " pending
		cur = pending
		pending = 0
	} else if (pending && !(NR in added)) {
		pending++	# this unchanged line is not safe; try the next
	}
	print
	cur++
	scan($0)
}
' "$patched" >"$tmp" || die "rewriting $patched failed"

# Keep the file (not a new inode name) so that hard-link aware callers see
# the same file; mode and times follow the patched copy.
cat "$tmp" >"$patched"
