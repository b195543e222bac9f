#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - kpatch-fleet without a kernel build: a fake kpatch-build
# (fake-kpatch-build: prints what the real one prints for each verdict,
# writes a dummy .ko), small fake source trees, fake linux-source .debs
# (dpkg-deb) and a fake apt (apt-cache madison/pkgnames, apt-get download)
# first in PATH. Checks every verdict with its evidence, the cumulative
# module and its version, report.json (parsed by python3) and report.md,
# the exit status, --only + --merge and -J 2 against a single run, series
# and git format-patch inputs, --debian-updates (the source diff of each
# update, named from its changelog), --plan with Debian kernels, CC=.
# Ends with "N passed, N failed, N skipped".

# shellcheck disable=SC2119 # report_summary's optional argument is a prefix
set -o nounset -o pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOP="$(cd "$DIR/../.." && pwd)"
# shellcheck source=SCRIPTDIR/../lib/report.sh
. "$TOP/test/lib/report.sh"
FLEET="$TOP/kpatch-build/kpatch-fleet"
T="$(mktemp -d /tmp/fleet-test.XXXXXX)"
trap 'rm -rf "$T"' EXIT
export KPATCH_BUILD="$DIR/fake-kpatch-build"
export KPATCH_FLEET_CACHE="$T/cache"
export FAKE_KB_LOG="$T/kb.log"
unset CC

for t in jq python3 dpkg-deb patch; do
	command -v "$t" >/dev/null || { fail "fleet: '$t' is not installed"; report_summary; exit; }
done

# ------------------------------------------------------------ fixtures

# cfile NAME VALUE: a tiny C file whose function NAME returns VALUE.
cfile() {
	printf '/* %s */\n#include <linux/kernel.h>\n\nint %s(void)\n{\n\treturn %s;\n}\n' "$1" "$1" "$2"
}

# mktree DIR RELEASE A B C: a fake kernel: source, .config, vmlinux banner.
mktree() {
	local d="$1" rel="$2" f
	mkdir -p "$d/kernel" "$d/drivers"
	cfile a "$3" >"$d/kernel/a.c"
	cfile b "$4" >"$d/kernel/b.c"
	cfile c "$5" >"$d/kernel/c.c"
	for f in e f; do cfile "$f" 0 >"$d/kernel/$f.c"; done
	cfile d 0 >"$d/drivers/d.c"
	echo "CONFIG_LIVEPATCH=y" >"$d/.config"
	printf '\177ELF junk\0Linux version %s (fake@example) (gcc 12) #1 SMP\0more' "$rel" >"$d/vmlinux"
}

# mkpatch OUT FILE NAME OLD NEW [HEADER...]: a -p1 patch of FILE changing
# NAME's return value OLD to NEW, the header lines first.
mkpatch() {
	local out="$1" file="$2" name="$3" old="$4" new="$5"
	shift 5
	{
		[[ $# -gt 0 ]] && printf '%s\n' "$@"
		diff -u --label "a/$file" --label "b/$file" <(cfile "$name" "$old") <(cfile "$name" "$new")
	} >"$out"
}

mktree "$T/k1" 6.1.900-fleet1 1 2 33
mktree "$T/k2" 6.1.900-fleet2 11 5 3
P="$T/patches"
mkdir -p "$P"
mkpatch "$P/a.patch" kernel/a.c a 1 11 "# fake-function: vmlinux a"
mkpatch "$P/c.patch" kernel/c.c c 3 33 "# fake-function: vmlinux c"
mkpatch "$P/b.patch" kernel/b.c b 2 22 "# fake-function: vmlinux b"
mkpatch "$P/d.patch" drivers/d.c d 0 1 "# fake: not-built drivers/d.c"
mkpatch "$P/e.patch" kernel/e.c e 0 1 "# fake: refused"
mkpatch "$P/f.patch" kernel/f.c f 0 1 "# fake: error"
K1=(-s "$T/k1" -c "$T/k1/.config" -v "$T/k1/vmlinux")
K2=(-s "$T/k2")		# -c and -v default to SRC/.config and its vmlinux
FIXES=("$P/a.patch" "$P/c.patch" "$P/b.patch" "$P/d.patch" "$P/e.patch" "$P/f.patch")

# jqr FILE FILTER: jq -r.
jqr() { jq -r "$2" "$1"; }
# strip FILE: the report without the times (they differ between runs).
strip() { jq -S 'del(.. | .seconds?)' "$1"; }

# ------------------------------------------------------------ every verdict

rc=0
"$FLEET" -o "$T/out" "${K1[@]}" "${K2[@]}" "${FIXES[@]}" >"$T/run.log" 2>&1 || rc=$?
R="$T/out/report.json"
if [[ $rc -eq 1 ]]; then
	pass "fleet: exit status 1 when a fix was refused or errored"
else
	fail "fleet: exit status $rc, not 1"; tail -n 20 "$T/run.log" | sed 's/^/    | /'
fi
if [[ -f "$R" ]] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$R" 2>"$T/py.err"; then
	pass "fleet: report.json is JSON (python3 json.load)"
else
	fail "fleet: report.json missing or not JSON"; sed 's/^/    | /' "$T/py.err" 2>/dev/null
fi
if python3 - "$R" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert isinstance(r["kernels"], list) and len(r["kernels"]) == 2
for k in r["kernels"]:
    for key in ("release", "source_version", "module", "fixes"):
        assert key in k, key
    assert len(k["fixes"]) == 6
    for f in k["fixes"]:
        assert isinstance(f["name"], str) and isinstance(f["verdict"], str)
        assert isinstance(f["reason"], str) and isinstance(f["functions"], list)
        assert isinstance(f["seconds"], int)
assert [f["name"] for f in r["fixes"]] == ["a", "c", "b", "d", "e", "f"]
EOF
then pass "fleet: report.json shape: kernels[].{release,source_version,module,fixes[].{name,verdict,reason,functions,seconds}}"
else fail "fleet: report.json shape"; fi

want1="livepatched already-applied livepatched not-built refused error"
want2="already-applied livepatched does-not-apply not-built refused error"
got1="$(jqr "$R" '.kernels[0].fixes | map(.verdict) | join(" ")')"
got2="$(jqr "$R" '.kernels[1].fixes | map(.verdict) | join(" ")')"
if [[ "$got1" == "$want1" ]]; then pass "fleet: 6.1.900-fleet1 verdicts: $got1"
else fail "fleet: fleet1 verdicts '$got1', want '$want1'"; fi
if [[ "$got2" == "$want2" ]]; then pass "fleet: 6.1.900-fleet2 verdicts: $got2"
else fail "fleet: fleet2 verdicts '$got2', want '$want2'"; fi
if [[ "$(jqr "$R" '.kernels | map(.release) | join(" ")')" == "6.1.900-fleet1 6.1.900-fleet2" ]]; then
	pass "fleet: kernel releases read from the vmlinux banners, in the order given"
else fail "fleet: releases $(jqr "$R" '.kernels | map(.release) | join(" ")')"; fi

# evidence: kernel, fix id, verdict, a pattern its reason/functions must match
check_evidence() {
	local k="$1" id="$2" what="$3" pat="$4" v
	v="$(jq -r --argjson k "$k" --arg id "$id" '.kernels[$k].fixes[] | select(.id == $id) | .reason + " | " + (.functions | join(","))' "$R")"
	v="${v//$'\n'/ \\n }"
	if grep -qE -- "$pat" <<<"$v"; then pass "fleet: $what: ${v:0:110}"
	else fail "fleet: $what: '$v' does not match /$pat/"; fi
}
check_evidence 0 01-a "livepatched shows the changed functions" 'vmlinux: changed function: a \| a$'
check_evidence 0 02-c "already-applied: the fix reverse-applies" 'reverse-applies.*-R --dry-run'
check_evidence 1 03-b "does-not-apply names the failing hunk" '^kernel/b\.c: Hunk #1 FAILED at 3\.'
check_evidence 0 04-d "not-built: kpatch-build's reason" '^nothing to build: .*drivers/d\.c'
check_evidence 0 05-e "refused: create-diff-object's reason" '^kernel/fake\.o: section \.data: data fake_count changed'
check_evidence 0 06-f "error: the compiler output's tail" '^kernel/fake.c: In function.*error: expected ";".*ERROR: building the patched objects failed'

# the cumulative modules: livepatched fixes only, in order, versioned
if grep -qx 'livepatch-fleet 0+klp2 01-a.patch 03-b.patch' "$T/kb.log" &&
   grep -qx 'livepatch-fleet 0+klp1 02-c.patch' "$T/kb.log"; then
	pass "fleet: one cumulative module per kernel of its livepatched fixes, in order (0+klp2: a b; 0+klp1: c)"
else
	fail "fleet: cumulative builds:"; grep '^livepatch-fleet' "$T/kb.log" | sed 's/^/    | /'
fi
m="$(jqr "$R" '.kernels[0].module')"
d="$(jqr "$R" '.kernels[0].deb')"
if [[ "$m" == kernels/6.1.900-fleet1/module/livepatch-fleet.ko && -f "$T/out/$m" &&
      -f "$T/out/$d" && "$(jqr "$R" '.kernels[0].module_version')" == 0+klp2 ]]; then
	pass "fleet: module $m and $(basename "$d") in the report, relative to the output dir"
else
	fail "fleet: module '$m', deb '$d', version $(jqr "$R" '.kernels[0].module_version')"
fi
if grep -q '^kpatch-fleet: 6.1.900-fleet1: e: refused' "$T/run.log" &&
   grep -q '^kpatch-fleet: 6.1.900-fleet2: cumulative module kernels/6.1.900-fleet2/module/livepatch-fleet.ko' "$T/run.log"; then
	pass "fleet: a progress line as each fix and kernel finishes"
else
	fail "fleet: progress lines"; sed 's/^/    | /' "$T/run.log" | head -n 30
fi

# report.md: the matrix
M="$T/out/report.md"
if grep -qxF '| fix | 6.1.900-fleet1 | 6.1.900-fleet2 |' "$M" &&
   grep -qxF '| a | livepatched (1) | already-applied |' "$M" &&
   grep -qxF '| b | livepatched (1) | does-not-apply |' "$M" &&
   grep -qxF '| e | refused | refused |' "$M"; then
	pass "fleet: report.md has the fixes x kernels matrix"
else
	fail "fleet: report.md matrix"; sed 's/^/    | /' "$M" | head -n 20
fi

# ------------------------------------------------------------ --only, --merge, -J

rc1=0 rc2=0 rcm=0
"$FLEET" -o "$T/split" --only 6.1.900-fleet2 "${K1[@]}" "${K2[@]}" "${FIXES[@]}" >"$T/only2.log" 2>&1 || rc2=$?
"$FLEET" -o "$T/split" --only 6.1.900-fleet1 "${K1[@]}" "${K2[@]}" "${FIXES[@]}" >"$T/only1.log" 2>&1 || rc1=$?
if [[ -f "$T/split/parts/6.1.900-fleet1.json" && -f "$T/split/parts/6.1.900-fleet2.json" &&
      ! -f "$T/split/report.json" && $rc1 -eq 1 && $rc2 -eq 1 ]]; then
	pass "fleet: --only KVER writes parts/KVER.json only (exit 1: its refusals)"
else
	fail "fleet: --only: exit $rc1/$rc2"; find "$T/split" | head | sed 's/^/    | /'
fi
"$FLEET" --merge "$T/split" >"$T/merge.log" 2>&1 || rcm=$?
if [[ $rcm -eq 1 ]] && diff <(strip "$R") <(strip "$T/split/report.json") >"$T/merge.diff" &&
   diff "$M" "$T/split/report.md" >>"$T/merge.diff"; then
	pass "fleet: --only (second kernel first) + --merge gives the single run's report.json and report.md (exit 1)"
else
	fail "fleet: --merge: exit $rcm, differences:"; head -n 20 "$T/merge.diff" | sed 's/^/    | /'
fi
rc=0
"$FLEET" -J 2 -o "$T/par" "${K1[@]}" "${K2[@]}" "${FIXES[@]}" >"$T/par.log" 2>&1 || rc=$?
if [[ $rc -eq 1 ]] && diff <(strip "$R") <(strip "$T/par/report.json") >/dev/null; then
	pass "fleet: -J 2 (kernels side by side) gives the same report"
else
	fail "fleet: -J 2: exit $rc"; tail -n 10 "$T/par.log" | sed 's/^/    | /'
fi

# exit 0 when nothing is refused or errored
rc=0
"$FLEET" -o "$T/ok" "${K1[@]}" "$P/a.patch" "$P/c.patch" "$P/d.patch" >"$T/ok.log" 2>&1 || rc=$?
if [[ $rc -eq 0 ]]; then pass "fleet: exit status 0 with livepatched, already-applied and not-built fixes"
else fail "fleet: exit status $rc, not 0"; tail -n 10 "$T/ok.log" | sed 's/^/    | /'; fi
rc=0
"$FLEET" -o "$T/bad" "${K1[@]}" "$T/nonexistent.patch" >"$T/bad.log" 2>&1 || rc=$?
if [[ $rc -eq 2 ]] && grep -q "is no file or directory" "$T/bad.log"; then
	pass "fleet: a missing fix is a usage error (exit 2)"
else fail "fleet: missing fix: exit $rc"; fi

# ------------------------------------------------------------ series, format-patch

mkdir -p "$T/quilt" "$T/fp" "$T/quilt2"
cp "$P/a.patch" "$T/quilt/first.patch"
cp "$P/b.patch" "$T/quilt/second.diff"
printf '# quilt series\nfirst.patch -p1\n\nsecond.diff\n' >"$T/quilt/series"
mkpatch "$T/e5.patch" kernel/e.c e 0 5
mkpatch "$T/f6.patch" kernel/f.c f 0 6
for n in 1 2; do
	{
		printf 'From 0123456789abcdef Mon Sep 17 00:00:00 2001\nFrom: A U Thor <a@example.org>\n'
		if [[ $n -eq 1 ]]; then printf 'Subject: [PATCH 1/2] kernel/e: return five\n'
		else printf 'Subject: [PATCH 2/2] kernel/f: return six, a subject\n that goes on\n'; fi
		printf '\nWhy.\n\nSigned-off-by: A U Thor <a@example.org>\n'
		if [[ $n -eq 1 ]]; then cat "$T/e5.patch"; else cat "$T/f6.patch"; fi
	} >"$T/fp/000$n-kernel-$n.patch"
done
mkpatch "$T/quilt2/d7.patch" drivers/d.c d 0 7
printf 'd7.patch\n' >"$T/quilt2/series"
rc=0
"$FLEET" -o "$T/inputs" "${K1[@]}" "$T/quilt/series" "$T/fp" "$T/quilt2" >"$T/inputs.log" 2>&1 || rc=$?
names="$(jqr "$T/inputs/report.json" '.fixes | map(.name) | join("|")' 2>/dev/null)"
want="first|second|kernel/e: return five|kernel/f: return six, a subject that goes on|d7"
if [[ $rc -eq 0 && "$names" == "$want" ]]; then
	pass "fleet: a quilt series file, a format-patch directory (named by Subject) and a directory with a series: 5 fixes in order"
else
	fail "fleet: series/format-patch inputs: exit $rc, names '$names'"; tail -n 5 "$T/inputs.log" | sed 's/^/    | /'
fi
v="$(jqr "$T/inputs/report.json" '.kernels[0].fixes | map(.verdict) | join(" ")' 2>/dev/null)"
if [[ "$v" == "livepatched livepatched livepatched livepatched livepatched" ]] &&
   grep -qx 'livepatch-fleet 0+klp5 01-first.patch 02-second.patch 03-kernel-e-return-five.patch 04-kernel-f-return-six-a-subject-that-goes-.patch 05-d7.patch' "$T/kb.log"; then
	pass "fleet: each fix of a series is tried alone, then all together (0+klp5)"
else
	fail "fleet: series verdicts '$v'"; grep '^livepatch-fleet' "$T/kb.log" | tail -n 1 | sed 's/^/    | /'
fi

# ------------------------------------------------------------ fake archive

A="$T/apt"
mkdir -p "$A/debs" "$A/bin"
: >"$A/madison"
: >"$A/pkgnames"
# srcdeb VERSION CHANGELOG-ENTRY A B C: linux-source-6.1 at VERSION (tree
# as mktree's), its changelog: this entry, then the older ones.
srcdeb() {
	local ver="$1" entry="$2" r="$T/debroot-$1"
	mkdir -p "$r/DEBIAN" "$r/usr/share/doc/linux-source-6.1" "$r/usr/src" "$T/tree-$ver"
	mktree "$T/tree-$ver/linux-source-6.1" x "$3" "$4" "$5"
	rm "$T/tree-$ver/linux-source-6.1/vmlinux" "$T/tree-$ver/linux-source-6.1/.config"
	[[ "$ver" == 6.1.500-[34] ]] && echo "new file" >"$T/tree-$ver/linux-source-6.1/kernel/new.txt"
	tar -C "$T/tree-$ver" -cJf "$r/usr/src/linux-source-6.1.tar.xz" linux-source-6.1
	{ printf '%s\n' "$entry"; cat "$T/changelog" 2>/dev/null; } >"$T/changelog.new"
	mv "$T/changelog.new" "$T/changelog"
	gzip -9nc "$T/changelog" >"$r/usr/share/doc/linux-source-6.1/changelog.Debian.gz"
	printf 'Package: linux-source-6.1\nVersion: %s\nArchitecture: all\nMaintainer: x <x@example.org>\nDescription: fake\n' \
		"$ver" >"$r/DEBIAN/control"
	dpkg-deb --root-owner-group -Zxz -b "$r" "$A/debs/linux-source-6.1_${ver}_all.deb" >/dev/null
	echo "linux-source-6.1 | $ver | http://fake bookworm-security/main amd64 Packages" >>"$A/madison"
}
entry() {
	printf 'linux (%s) bookworm-security; urgency=high\n\n' "$1"
	shift
	printf '%s\n' "$@"
	printf '\n -- Fake Maintainer <fake@example.org>  Thu, 26 Nov 2026 18:12:56 +0100\n\n'
}
srcdeb 6.1.500-1 "$(entry 6.1.500-1 '  * New upstream stable update')" 1 2 3
srcdeb 6.1.500-2 "$(entry 6.1.500-2 '  * kernel/a: return eleven (CVE-2026-00001)')" 11 2 3
srcdeb 6.1.500-3 "$(entry 6.1.500-3 '  * kernel/b: return twenty-two with a long' '    description (CVE-2026-00002)' '  * kernel/c: return 33')" 11 22 33
srcdeb 6.1.500-4 "$(entry 6.1.500-4 '  * Rebuild, no source change')" 11 22 33
for k in 6.1.0-70 6.1.0-71; do
	for p in linux-image-$k-cloud-amd64-unsigned linux-image-$k-cloud-amd64-dbg linux-headers-$k-cloud-amd64; do
		echo "$p" >>"$A/pkgnames"
		v=6.1.500-1; [[ $k == 6.1.0-71 ]] && v=6.1.500-3
		echo "$p | $v | http://fake bookworm-security/main amd64 Packages" >>"$A/madison"
	done
done
echo "linux-image-6.1.0-69-cloud-amd64-unsigned" >>"$A/pkgnames"	# no -dbg: gone
cat >"$A/bin/apt-cache" <<EOF
#!/bin/bash
case "\$1" in
madison) grep "^\$2 |" "$A/madison" ;;
pkgnames) grep "^\$2" "$A/pkgnames" ;;
*) exit 1 ;;
esac
EOF
cat >"$A/bin/apt-get" <<EOF
#!/bin/bash
[[ "\$1" == download ]] || exit 1
shift
for s in "\$@"; do
	[[ "\$s" == -* ]] && continue
	cp "$A/debs/\${s%%=*}_\${s#*=}_"*.deb . || exit 1
	echo "\$s" >>"$A/downloads"
done
EOF
chmod +x "$A/bin/apt-cache" "$A/bin/apt-get"
FAKEPATH="$A/bin:$PATH"

# --plan: fixes named from the changelogs, Debian kernels with versions
rc=0
PATH="$FAKEPATH" "$FLEET" -o "$T/plan" --plan --debian-updates 6.1.500-1..6.1.500-3 \
	--debian-kernels 6.1/cloud-amd64 -a 6.1.0-71-cloud-amd64 >"$T/plan.log" 2>&1 || rc=$?
if [[ $rc -eq 0 ]] &&
   grep -qxF '  01-6-1-500-2-kernel-a-return-eleven-cve-202  6.1.500-2: kernel/a: return eleven (CVE-2026-00001)' "$T/plan.log" &&
   grep -qxF '  02-6-1-500-3-kernel-b-return-twenty-two-wit  6.1.500-3: kernel/b: return twenty-two with a long description (CVE-2026-00002) (+1 more)' "$T/plan.log"; then
	pass "fleet: --plan --debian-updates: one fix per update, named from its changelog entries"
else
	fail "fleet: --plan fixes: exit $rc"; sed 's/^/    | /' "$T/plan.log"
fi
if grep -qxF '  6.1.0-70-cloud-amd64  6.1.500-1  (Debian: linux-image-6.1.0-70-cloud-amd64-unsigned 6.1.500-1)' "$T/plan.log" &&
   grep -qxF '  6.1.0-71-cloud-amd64  6.1.500-3  (Debian: linux-image-6.1.0-71-cloud-amd64-unsigned 6.1.500-3)' "$T/plan.log" &&
   [[ "$(grep -c 'cloud-amd64  6.1' "$T/plan.log")" -eq 2 ]] && ! grep -q '6.1.0-69' "$T/plan.log"; then
	pass "fleet: --plan --debian-kernels 6.1/cloud-amd64: every ABI with image, -dbg and headers (once with -a)"
else
	fail "fleet: --plan kernels"; sed 's/^/    | /' "$T/plan.log"
fi
if [[ -z "$(compgen -G "$T/cache/debian/fleet/*.patch")" && -f "$T/cache/debian/debs/6.1.500-3/linux-source-6.1_6.1.500-3_all.deb" ]] &&
   ! grep -q '6.1.500-1' "$A/downloads"; then
	pass "fleet: --plan fetched only the newer versions' linux-source (for their changelogs), diffed nothing"
else
	fail "fleet: --plan downloads: $(paste -sd ' ' "$A/downloads")"
fi

# --debian-updates: the source diffs, on an old kernel and on a current one
mktree "$T/k500" 6.1.500-fleet 1 2 3
mktree "$T/k503" 6.1.503-fleet 11 22 33
echo "new file" >"$T/k503/kernel/new.txt"
rc=0
PATH="$FAKEPATH" "$FLEET" -o "$T/upd" --debian-updates 6.1.500-1..6.1.500-3 -s "$T/k500" -s "$T/k503" \
	>"$T/upd.log" 2>&1 || rc=$?
U="$T/upd/report.json"
p2="$T/upd/$(jqr "$U" '.fixes[1].file' 2>/dev/null)"
if [[ $rc -eq 0 && -f "$p2" ]] &&
   [[ "$(grep -E '^(\+\+\+|---) ' "$p2" | paste -sd ' ')" == "--- a/kernel/b.c +++ b/kernel/b.c --- a/kernel/c.c +++ b/kernel/c.c --- /dev/null +++ b/kernel/new.txt" ]] &&
   grep -qx '+	return 22;' "$p2"; then
	pass "fleet: --debian-updates: each update's source diff holds exactly the changed files (a new file from /dev/null)"
else
	fail "fleet: --debian-updates diff: exit $rc"; head -n 30 "$p2" 2>/dev/null | sed 's/^/    | /'; tail -n 5 "$T/upd.log" | sed 's/^/    | /'
fi
v="$(jqr "$U" '[.kernels[] | .fixes | map(.verdict) | join(" ")] | join(" / ")' 2>/dev/null)"
if [[ "$v" == "livepatched livepatched / already-applied already-applied" ]] &&
   [[ "$(jqr "$U" '.kernels[0].module_version')" == 6.1.500-3+klp2 ]] &&
   [[ "$(jqr "$U" '.fixes[0].debian_version')" == 6.1.500-2 ]] &&
   jq -e '.fixes[1].description | test("^linux \\(6.1.500-3\\)")' "$U" >/dev/null; then
	pass "fleet: --debian-updates: updates livepatched on 6.1.500, already applied on a current tree; package 6.1.500-3+klp2"
else
	fail "fleet: --debian-updates verdicts '$v', version $(jqr "$U" '.kernels[0].module_version')"
fi
rc=0
PATH="$FAKEPATH" "$FLEET" -o "$T/upd2" --counter 7 --debian-updates 6.1.500-2..6.1.500-3 -s "$T/k2" -s "$T/k500" \
	>"$T/upd2.log" 2>&1 || rc=$?
v="$(jqr "$T/upd2/report.json" '[.kernels[] | .fixes[0].verdict + " " + (.module_version // "none")] | join(", ")' 2>/dev/null)"
if [[ "$v" == "does-not-apply none, livepatched 6.1.500-3+klp7" ]]; then
	pass "fleet: --debian-updates 6.1.500-2..6.1.500-3: $v (--counter 7)"
else fail "fleet: narrower range: '$v'"; fi
rc=0
PATH="$FAKEPATH" "$FLEET" -o "$T/upd4" --debian-updates 6.1.500-3..6.1.500-4 -s "$T/k500" >"$T/upd4.log" 2>&1 || rc=$?
v="$(jqr "$T/upd4/report.json" '.kernels[0].fixes[0] | .name + ": " + .verdict + ": " + .reason' 2>/dev/null)"
if [[ $rc -eq 0 && "$v" == "6.1.500-4: Rebuild, no source change: already-applied: the fix changes no file" &&
      "$(jqr "$T/upd4/report.json" '.kernels[0].module')" == null ]]; then
	pass "fleet: an update without source change: $v; no module"
else fail "fleet: an update without source change: exit $rc, '$v'"; fi
rc=0
PATH="$FAKEPATH" "$FLEET" -o "$T/upd3" --debian-updates 6.1.500-3..6.1.500-9 -s "$T/k500" >"$T/upd3.log" 2>&1 || rc=$?
if [[ $rc -eq 2 ]] && grep -q 'apt has no linux-source-6.1 6.1.500-9' "$T/upd3.log"; then
	pass "fleet: --debian-updates with a version apt does not know: exit 2, naming it"
else fail "fleet: unknown version: exit $rc"; tail -n 3 "$T/upd3.log" | sed 's/^/    | /'; fi

# Debian kernels (-a): the set fetched by debfetch_root from the fake
# archive, the source unpacked once, kpatch-build run with KPATCH_ROOT
# kerneldebs KVER VERSION: its image, -dbg and headers packages.
kerneldebs() {
	local k="$1" v="$2" p r
	for p in "linux-image-$k-unsigned" "linux-image-$k-dbg" "linux-headers-$k"; do
		r="$T/kdeb/$p"
		mkdir -p "$r/DEBIAN"
		case "$p" in
		*-unsigned) mkdir -p "$r/boot" "$r/lib/modules/$k/kernel"; echo vmlinuz >"$r/boot/vmlinuz-$k"
			    echo >"$r/lib/modules/$k/modules.order" ;;
		*-dbg) mkdir -p "$r/usr/lib/debug/boot"
		       printf 'Linux version %s (fake@example) (gcc 12) #1 SMP Debian %s (2026-11-26)\0' "$k" "$v" \
			       >"$r/usr/lib/debug/boot/vmlinux-$k" ;;
		*) mkdir -p "$r/usr/src/linux-headers-$k"; echo CONFIG_LIVEPATCH=y >"$r/usr/src/linux-headers-$k/.config"
		   : >"$r/usr/src/linux-headers-$k/Module.symvers" ;;
		esac
		printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: x <x@example.org>\nDescription: fake\n' \
			"$p" "$v" >"$r/DEBIAN/control"
		dpkg-deb --root-owner-group -Zxz -b "$r" "$A/debs/${p}_${v}_amd64.deb" >/dev/null
	done
}
kerneldebs 6.1.0-70-cloud-amd64 6.1.500-1
kerneldebs 6.1.0-71-cloud-amd64 6.1.500-3
: >"$T/kb.log"
rc=0
PATH="$FAKEPATH" "$FLEET" -o "$T/deb" --debian-updates 6.1.500-1..6.1.500-3 --debian-kernels 6.1/cloud-amd64 \
	>"$T/deb.log" 2>&1 || rc=$?
D="$T/deb/report.json"
v="$(jqr "$D" '[.kernels[] | .release + " " + .source_version + ": " + (.fixes | map(.verdict) | join(" ")) + " " + (.module_version // "none")] | join(", ")' 2>/dev/null)"
if [[ $rc -eq 0 && "$v" == "6.1.0-70-cloud-amd64 6.1.500-1: livepatched livepatched 6.1.500-3+klp2, 6.1.0-71-cloud-amd64 6.1.500-3: already-applied already-applied none" ]]; then
	pass "fleet: Debian kernels: $v"
else
	fail "fleet: Debian kernels: exit $rc, '$v'"; tail -n 8 "$T/deb.log" | sed 's/^/    | /'
fi
if grep -qx "root $T/cache/debian/root/6.1.0-70-cloud-amd64_6.1.500-1 cachedir $T/cache/fleet/kpatch-build-6.1.0-70-cloud-amd64" "$T/kb.log" &&
   [[ -f "$T/cache/src/linux-source-6.1-6.1.500-3/.kpatch-unpacked" && -f "$T/cache/debian/root/6.1.0-71-cloud-amd64_6.1.500-3/.debfetch-ready" ]]; then
	pass "fleet: Debian kernels: debfetch's root as KPATCH_ROOT, one CACHEDIR per kernel, the source unpacked once where kpatch-build looks"
else
	fail "fleet: Debian kernels: roots and caches"; grep '^root' "$T/kb.log" | sed 's/^/    | /'
fi

# ------------------------------------------------------------ CC=

: >"$T/kb.log"
rc=0
CC="ccache gcc" "$FLEET" -o "$T/cc" "${K1[@]}" "$P/a.patch" >"$T/cc.log" 2>&1 || rc=$?
if [[ $rc -eq 0 ]] && grep -qx "gcc $T/cc/.cc/gcc" "$T/kb.log" && grep -q '^exec ccache /' "$T/cc/.cc/gcc"; then
	pass "fleet: CC=\"ccache gcc\" reaches kbuild as its gcc (a wrapper first in PATH)"
else
	fail "fleet: CC: exit $rc"; sed 's/^/    | /' "$T/kb.log" | head -n 4
fi

report_summary
