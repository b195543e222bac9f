#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make-pair.sh DIR NAME ORIG.o PATCHED.o PARENT [fail]
#
# Write a pair of kpatch's object-pair format into DIR: NAME.ORIG.o and
# NAME.PATCHED.o (NAME.PATCHED.FAIL.o with "fail"), both without debugging
# sections (create-diff-object does not read them), and NAME.symtab: the
# `readelf -s --wide` text of PARENT (vmlinux or a .ko) cut down to the
# symbols whose names occur in either object, with the STT_FILE entries of
# the blocks they are in, so that static symbols and sympos resolve as with
# the whole parent.  NAME.test / NAME.env are written by hand.

set -o errexit -o nounset -o pipefail

[[ $# -ge 5 ]] || { echo "usage: make-pair.sh DIR NAME ORIG.o PATCHED.o PARENT [fail]" >&2; exit 1; }
dir="$1" name="$2" orig="$3" patched="$4" parent="$5" kind="${6:-}"
mkdir -p "$dir"
suffix=PATCHED.o
[[ "$kind" == fail ]] && suffix=PATCHED.FAIL.o

objcopy --wildcard -R '.debug_*' -R '.rela.debug_*' "$orig" "$dir/$name.ORIG.o"
objcopy --wildcard -R '.debug_*' -R '.rela.debug_*' "$patched" "$dir/$name.$suffix"

names="$(mktemp)"
trap 'rm -f "$names"' EXIT
{ nm "$orig"; nm "$patched"; } 2>/dev/null | awk '{ print $NF }' | sort -u >"$names"

# Same-named symbols of other files stay (sympos counts them); a FILE line is
# printed before the first kept local symbol of its block.
readelf -s --wide "$parent" | awk -v names="$names" '
	BEGIN { while ((getline n < names) > 0) want[n] = 1 }
	/^Symbol table / { intab = ($3 == "\x27.symtab\x27"); if (intab) print; next }
	!intab { next }
	$2 == "Num:" { print; next }
	$4 == "FILE" { file = $0; file_printed = 0; next }
	NF >= 8 && ($8 in want) && $7 != "UND" {
		if ($5 == "LOCAL" && !file_printed && file != "") {
			print file
			file_printed = 1
		}
		print
	}
' >"$dir/$name.symtab"
echo "$dir/$name.{ORIG.o,$suffix,symtab}: $(du -cb "$dir/$name".* | tail -n1 | cut -f1) bytes"
