#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: kpatch-lts_VERSION_amd64.deb (the runtime: kpatch, kpatch-dump,
# kpatch.service) and kpatch-lts-build_VERSION_amd64.deb (kpatch-build and
# the rest of the tools) (needs no kernel).
# - their control data (Package, Version = kpatch-build --version, Depends:
#   the tools' shared libraries from dpkg-shlibdeps; kpatch-lts nothing of
#   a build host, kpatch-lts-build kpatch-lts (= VERSION) and the build
#   tools) and their files (dpkg-deb -I/-c), the C tools stripped and
#   hardened;
# - lintian: no errors, no warnings (each one fixed or overridden in
#   packaging/lintian-overrides{,.build} with a reason comment);
# - dpkg --root: both install into a scratch root, where kpatch-build and
#   kpatch run and kpatch.service runs /usr/sbin/kpatch; a livepatch package
#   made by kpatch-build/lib/deb.sh (its package_deb, the code of --deb,
#   with a stand-in module) installs there with Depends: kpatch-lts | kpatch
#   met by it; kpatch-lts cannot be removed under it; purge leaves nothing.
# pass and fail return 0, so `COND && pass || fail` is an if/else; output is
# indented with sed 's/^/    | /' as in the other driver tests.
# shellcheck disable=SC2015,SC2001
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out="$WORK/out"
rc=0
make -C "$TOP" -s deb DEBOUT="$out" >"$WORK/make.log" 2>&1 || rc=$?
version="$("$TOP/kpatch-build/kpatch-build" --version | awk '{ print $NF }')"
deb="$out/kpatch-lts_${version}_amd64.deb"
bdeb="$out/kpatch-lts-build_${version}_amd64.deb"
if [[ $rc -eq 0 && -f "$deb" && -f "$bdeb" ]]; then
	pass "tools-deb: make deb built $(basename "$deb") and $(basename "$bdeb")"
else
	fail "tools-deb: make deb (rc=$rc) did not build $deb and $bdeb"; tail -n 15 "$WORK/make.log" | sed 's/^/    | /'
	finish; exit
fi

field() { dpkg-deb -f "$deb" "$1"; }
bfield() { dpkg-deb -f "$bdeb" "$1"; }
[[ "$(field Package) $(field Version) $(field Architecture)" == "kpatch-lts $version amd64" &&
   "$(bfield Package) $(bfield Version) $(bfield Architecture)" == "kpatch-lts-build $version amd64" ]] &&
	pass "tools-deb: Package/Version/Architecture kpatch-lts and kpatch-lts-build $version amd64" ||
	fail "tools-deb: control: $(field Package) $(field Version) $(field Architecture); $(bfield Package) $(bfield Version)"
dep="$(field Depends)"
bdep="$(bfield Depends)"
missing=""
for d in "kpatch-lts (= $version)" 'libc6 (>= ' 'libelf1 (>= ' 'libcapstone4 (>= ' gcc make binutils libelf-dev bc flex bison libssl-dev kmod patch xz-utils; do
	[[ ", $bdep" == *", $d"* ]] || missing+=" '$d'"
done
[[ -z "$missing" ]] && pass "tools-deb: kpatch-lts-build Depends: $bdep" || fail "tools-deb: kpatch-lts-build Depends lacks$missing: $bdep"
# The runtime package: its libraries and kmod, nothing of a build host.
extra=""
while read -r d; do
	case "$d" in libc6|libelf1|libcapstone4|kmod|'') ;; *) extra+=" $d" ;; esac
done < <(sed 's/([^)]*)//g; s/[,|]/\n/g' <<<"$dep" | tr -d ' ')
[[ -z "$extra" && ", $dep" == *", kmod"* && ", $dep" == *", libc6 (>= "* ]] &&
	pass "tools-deb: kpatch-lts Depends only on what runs a patch: $dep" ||
	fail "tools-deb: kpatch-lts Depends:$extra ($dep)"
# The shared libraries are the ones ldd names for create-diff-object.
libs="$(ldd "$TOP/create-diff-object/create-diff-object" | awk '$1 ~ /^lib(elf|capstone)/ { print $1 }' | sort | tr '\n' ' ')"
[[ "$libs" == *libcapstone* && "$libs" == *libelf* ]] &&
	pass "tools-deb: ldd agrees: the tools link $libs" || fail "tools-deb: ldd says: $libs"
info="$(dpkg-deb -I "$deb")"
grep -qE "^ +[0-9]+ bytes, +[0-9]+ lines +\* +postinst " <<<"$info" && grep -qE "^ +[0-9]+ bytes, +[0-9]+ lines +\* +postrm " <<<"$info" &&
	pass "tools-deb: postinst and postrm (kpatch.service enable/purge) are executable" ||
	{ fail "tools-deb: maintainer scripts"; echo "$info" | sed 's/^/    | /'; }

contents="$(dpkg-deb -c "$deb" | awk '{ print $1, $6 }')"
bcontents="$(dpkg-deb -c "$bdeb" | awk '{ print $1, $6 }')"
missing=""
for f in '-rwxr-xr-x ./usr/sbin/kpatch' '-rwxr-xr-x ./usr/libexec/kpatch/kpatch-dump' \
	 '-rw-r--r-- ./usr/share/man/man1/kpatch.1.gz' '-rw-r--r-- ./lib/systemd/system/kpatch.service' \
	 '-rw-r--r-- ./usr/share/doc/kpatch-lts/copyright' '-rw-r--r-- ./usr/share/doc/kpatch-lts/changelog.gz' \
	 '-rw-r--r-- ./usr/share/lintian/overrides/kpatch-lts'; do
	grep -qxF -- "$f" <<<"$contents" || missing+=" ${f#* }"
done
for f in '-rwxr-xr-x ./usr/bin/kpatch-build' \
	 '-rwxr-xr-x ./usr/libexec/kpatch/create-diff-object' '-rwxr-xr-x ./usr/libexec/kpatch/create-klp-module' \
	 '-rw-r--r-- ./usr/share/kpatch/lib/stages.sh' \
	 '-rw-r--r-- ./usr/share/kpatch/lib/debpkg.sh' '-rw-r--r-- ./usr/share/kpatch/lib/sign.sh' \
	 '-rw-r--r-- ./usr/share/kpatch/lib/kbuild-objs.mk' '-rwxr-xr-x ./usr/share/kpatch/lib/keep-lines.sh' \
	 '-rw-r--r-- ./usr/share/kpatch/patch/kpatch-patch-hook.c' '-rw-r--r-- ./usr/share/kpatch/patch/kpatch-macros.h' \
	 '-rw-r--r-- ./usr/share/kpatch/patch/kpatch.lds' '-rw-r--r-- ./usr/share/kpatch/probe/kpatch-sizes.c' \
	 '-rw-r--r-- ./usr/share/man/man1/kpatch-build.1.gz' '-rw-r--r-- ./usr/share/doc/kpatch-lts-build/copyright' \
	 '-rw-r--r-- ./usr/share/lintian/overrides/kpatch-lts-build'; do
	grep -qxF -- "$f" <<<"$bcontents" || missing+=" ${f#* }"
done
# The runtime package has no build tool.
grep -qE 'kpatch-build|create-diff-object|create-klp-module|share/kpatch/' <<<"$contents" &&
	missing+=" (kpatch-lts holds build tools: $(grep -E 'kpatch-build|create-diff-object|create-klp-module|share/kpatch/' <<<"$contents" | head -n1))"
n="$(grep -c . <<<"$contents")"
bn="$(grep -c . <<<"$bcontents")"
[[ -z "$missing" ]] && pass "tools-deb: the 22 expected files (of $n + $bn entries) with their modes, in their package" ||
	{ fail "tools-deb: missing or wrong mode:$missing"; echo "$contents" "$bcontents" | sed 's/^/    | /'; }

x="$WORK/x"
dpkg-deb -x "$deb" "$x"
dpkg-deb -x "$bdeb" "$x"
bad=""
for b in "$x"/usr/libexec/kpatch/*; do
	# (variables, not pipes into grep -q: with pipefail a reader that stops
	# early fails the pipe)
	sections="$(readelf -SW "$b")" header="$(readelf -h "$b")" segments="$(readelf -lW "$b")"
	dynamic="$(readelf -dW "$b")" dynsyms="$(readelf --dyn-syms -W "$b")"
	[[ "$sections" != *.debug_info* && "$sections" != *.symtab* ]] || bad+=" $(basename "$b"):not-stripped"
	[[ "$header" =~ Type:[[:space:]]+DYN ]] || bad+=" $(basename "$b"):not-PIE"
	[[ "$segments" == *GNU_RELRO* ]] || bad+=" $(basename "$b"):no-RELRO"
	[[ "$dynamic" == *BIND_NOW* || "$dynamic" =~ FLAGS.*NOW ]] || bad+=" $(basename "$b"):no-BIND_NOW"
	[[ "$dynsyms" =~ __[a-z]+_chk@ ]] || bad+=" $(basename "$b"):no-FORTIFY"
done
[[ -z "$bad" ]] && pass "tools-deb: create-diff-object, create-klp-module, kpatch-dump stripped, PIE, RELRO+BIND_NOW, FORTIFY" ||
	fail "tools-deb: C tools:$bad"
grep -qx 'ExecStart=/usr/sbin/kpatch load --all' "$x/lib/systemd/system/kpatch.service" &&
	pass "tools-deb: kpatch.service runs /usr/sbin/kpatch load --all" ||
	fail "tools-deb: kpatch.service: $(grep ExecStart "$x/lib/systemd/system/kpatch.service")"

if command -v lintian >/dev/null; then
	lout="$(lintian --allow-root "$deb" "$bdeb" 2>&1)"
	if ! grep -q '^[EW]:' <<<"$lout"; then
		pass "tools-deb: lintian: no errors, no warnings ($(grep -c '^[EW]:' <<<"$lout") lines)"
	else
		fail "tools-deb: lintian"; grep '^[EW]:' <<<"$lout" | sed 's/^/    | /'
	fi
else
	skip "tools-deb: lintian is not installed (apt-get install lintian)"
fi
# Every override is explained by the comment above it.
unexplained="$(awk '/^#/ { c = 1; next } /^$/ { c = 0; next } !c { print }' "$TOP/packaging/lintian-overrides" "$TOP/packaging/lintian-overrides.build")"
[[ -z "$unexplained" ]] && pass "tools-deb: every lintian override has a reason comment ($(cat "$TOP"/packaging/lintian-overrides{,.build} | grep -c '^kpatch-lts[a-z-]*:') overrides)" ||
	fail "tools-deb: overrides without a comment: $unexplained"

# ---------------------------------------------------------------- dpkg --root
sys="$WORK/sys"
mkdir -p "$sys/var/lib/dpkg/info" "$sys/var/lib/dpkg/updates" "$sys/var/lib/dpkg/triggers"
: >"$sys/var/lib/dpkg/available"
fake_pkgs() {
	local p
	for p in "$@"; do
		printf 'Package: %s\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: 999\nMaintainer: test <test@example.org>\nDescription: fake\n\n' "$p"
	done
}
# Everything kpatch-lts and kpatch-lts-build depend on (but kpatch-lts),
# as installed packages (version 999).
# shellcheck disable=SC2046 # one package name per word
fake_pkgs $(sed 's/([^)]*)//g; s/,/ /g' <<<"$dep, $bdep" | tr ' ' '\n' | grep -vx 'kpatch-lts' | sort -u) >"$sys/var/lib/dpkg/status"
ddpkg() { dpkg --root="$sys" --force-script-chrootless --force-not-root --log=/dev/null "$@"; }
if ddpkg -i "$deb" "$bdeb" >"$WORK/dpkg.log" 2>&1 &&
   [[ "$(dpkg-query --admindir="$sys/var/lib/dpkg" -W -f='${Status}' kpatch-lts kpatch-lts-build)" == "install ok installedinstall ok installed" ]]; then
	pass "tools-deb: dpkg --root installs both"
else
	fail "tools-deb: dpkg --root -i"; sed 's/^/    | /' "$WORK/dpkg.log"
fi
v1="$("$sys/usr/bin/kpatch-build" --version 2>&1)"
v2="$(dash "$sys/usr/sbin/kpatch" version 2>&1)"
kbh="$("$sys/usr/bin/kpatch-build" --help 2>&1)"
[[ "$v1" == "kpatch-build (kpatch-lts) $version" && "$v2" == "kpatch $version" && "$kbh" == *--sign-key* ]] &&
	pass "tools-deb: the installed kpatch-build (its lib/ from /usr/share/kpatch) and kpatch run: $v1; $v2" ||
	fail "tools-deb: installed tools: '$v1' '$v2'"
# The installed kpatch finds the installed kpatch-dump (../libexec/kpatch)
# and runs it on a module (an object with a livepatch .modinfo).
echo 'int kpatch_tools_deb_test;' >"$WORK/m.c"
gcc -c "$WORK/m.c" -o "$WORK/m.o"
printf '%s\0' name=tools_test livepatch=Y license=GPL "vermagic=9.9.9-fake SMP mod_unload " >"$WORK/modinfo.bin"
objcopy --add-section .modinfo="$WORK/modinfo.bin" --set-section-flags .modinfo=alloc,readonly "$WORK/m.o" "$WORK/tools-test.ko"
iout="$(env -u KPATCH_DUMP PATH=/usr/bin:/bin dash "$sys/usr/sbin/kpatch" info "$WORK/tools-test.ko" 2>&1)"
if grep -q '^Name: *tools_test' <<<"$iout" && grep -q '^Patched functions: 0' <<<"$iout" &&
   ! grep -q 'kpatch-dump not found' <<<"$iout"; then
	pass "tools-deb: the installed kpatch runs the installed kpatch-dump (kpatch info)"
else
	fail "tools-deb: kpatch info with the installed tools"; sed 's/^/    | /' <<<"$iout"
fi

# A livepatch package made by deb.sh's package_deb (what --deb runs), with
# a stand-in module: its Depends: kpatch-lts | kpatch is met by kpatch-lts.
krel=6.1.0-99-kpatchtest-amd64
lp="$WORK/lp"
mkdir -p "$lp/tmp"
echo "stand-in module" >"$lp/livepatch-tools-test.ko"
echo "--- a/x.c" >"$lp/x.patch"
(
	set -o errexit
	say() { echo "$*"; }
	die() { echo "ERROR: $*" >&2; exit 1; }
	log_tail() { :; }
	# shellcheck source=../../kpatch-build/lib/debian.sh
	. "$TOP/kpatch-build/lib/debian.sh"
	# shellcheck source=../../kpatch-build/lib/debpkg.sh
	. "$TOP/kpatch-build/lib/debpkg.sh"
	# shellcheck source=../../kpatch-build/lib/deb.sh
	. "$TOP/kpatch-build/lib/deb.sh"
	# shellcheck disable=SC2034 # package_deb's inputs
	{
		NAME=livepatch-tools-test MODNAME=livepatch_tools_test OUTDIR="$lp" TMPDIR_KP="$lp/tmp"
		DEB_VERSION=1 KREL="$krel" VERSION="$version" LOGFILE="$lp/log" PATCHES=("$lp/x.patch")
		KBANNER="Linux version $krel (debian-kernel@lists.debian.org) #1 SMP Debian 6.1.192-3 (2026-11-26)"
	}
	package_deb
) >"$WORK/lp.log" 2>&1
lpdeb="$lp/livepatch-tools-test_1_amd64.deb"
if [[ -f "$lpdeb" && "$(dpkg-deb -f "$lpdeb" Depends)" == "kpatch-lts | kpatch, linux-image-$krel (= 6.1.192-3) | "* ]]; then
	pass "tools-deb: deb.sh + debpkg.sh package a livepatch: Depends: $(dpkg-deb -f "$lpdeb" Depends)"
else
	fail "tools-deb: livepatch package from deb.sh"; sed 's/^/    | /' "$WORK/lp.log"
fi
fake_pkgs "linux-image-$krel-unsigned" | sed 's/^Version: 999$/Version: 6.1.192-3/' >>"$sys/var/lib/dpkg/status"
if ddpkg -i "$lpdeb" >"$WORK/dpkg.log" 2>&1 && [[ -f "$sys/var/lib/kpatch/$krel/livepatch-tools-test.ko" ]]; then
	pass "tools-deb: the livepatch package installs on top of kpatch-lts (its Depends met)"
else
	fail "tools-deb: livepatch package on kpatch-lts"; sed 's/^/    | /' "$WORK/dpkg.log"
fi
if ! ddpkg -r kpatch-lts >"$WORK/dpkg.log" 2>&1 && grep -q "livepatch-tools-test depends on kpatch-lts" "$WORK/dpkg.log"; then
	pass "tools-deb: dpkg refuses to remove kpatch-lts under the livepatch package"
else
	fail "tools-deb: kpatch-lts removed under its dependent"; sed 's/^/    | /' "$WORK/dpkg.log"
fi
if ddpkg --purge livepatch-tools-test kpatch-lts-build kpatch-lts >"$WORK/dpkg.log" 2>&1 &&
   [[ -z "$(find "$sys" -path "$sys/var/lib/dpkg" -prune -o -type f -print)" ]]; then
	pass "tools-deb: dpkg --root --purge of all three leaves no file behind"
else
	fail "tools-deb: purge"; sed 's/^/    | /' "$WORK/dpkg.log"
	find "$sys" -path "$sys/var/lib/dpkg" -prune -o -type f -print | head | sed 's/^/    | /'
fi
finish
