#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kpatch-build --deb: the package's control data and files (dpkg-deb -I/-c),
# lintian without errors, and an install + purge with dpkg --root into a
# scratch tree (its status names the packages the livepatch depends on).
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_user_tree
cache="$TEST_ROOT/cache"
make_patch "$WORK/cmdline.patch"
krel="$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$KBUILD/include/generated/utsrelease.h")"
deb="$WORK/livepatch-deb-test_2.1_amd64.deb"

rc=0
kb "$cache" -o "$WORK" -n livepatch-deb_test --deb --deb-version 2.1 "$WORK/cmdline.patch" >"$WORK/log" 2>&1 || rc=$?
if [[ $rc -eq 0 && -f "$deb" && -f "$WORK/livepatch-deb_test.ko" ]]; then
	pass "deb: built $(basename "$deb") next to the module"
else
	fail "deb: no package (rc=$rc)"; tail -n 8 "$WORK/log" | sed 's/^/    | /'
	finish; exit
fi

info="$(dpkg-deb -I "$deb")"
field() { dpkg-deb -f "$deb" "$1"; }
[[ "$(field Package)" == livepatch-deb-test && "$(field Version)" == 2.1 && "$(field Architecture)" == amd64 ]] &&
	pass "deb: Package/Version/Architecture livepatch-deb-test 2.1 amd64" ||
	fail "deb: control: $(field Package) $(field Version) $(field Architecture)"
dep="$(field Depends)"
[[ "$dep" == *"kpatch-lts | kpatch"* && "$dep" == *"linux-image-$krel"* && "$dep" == *"linux-image-$krel-unsigned"* ]] &&
	pass "deb: Depends on the kpatch command and the kernel image: $dep" ||
	fail "deb: Depends: $dep"
missing=""
for s in postinst prerm postrm; do
	grep -qE "^ +[0-9]+ bytes, +[0-9]+ lines +\* +$s " <<<"$info" || missing+=" $s"
done
[[ -z "$missing" ]] && pass "deb: postinst, prerm, postrm present and executable" ||
	fail "deb: maintainer scripts missing or not executable:$missing"
contents="$(dpkg-deb -c "$deb")"
grep -q "\./var/lib/kpatch/$krel/livepatch-deb_test.ko$" <<<"$contents" &&
	pass "deb: module at /var/lib/kpatch/$krel/livepatch-deb_test.ko" ||
	{ fail "deb: module path"; echo "$contents" | sed 's/^/    | /'; }
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./var/lib/kpatch/$krel/livepatch-deb_test.ko" | cmp -s - "$WORK/livepatch-deb_test.ko" &&
	pass "deb: the packaged module is the built module" || fail "deb: packaged module differs"
ctl="$WORK/ctl"
dpkg-deb -e "$deb" "$ctl"
grep -q "uname -r)\" != \"$krel\"" "$ctl/postinst" && grep -q 'kpatch load' "$ctl/postinst" &&
	grep -q "is built for Linux $krel, but the running kernel is" "$ctl/postinst" &&
	grep -q "kpatch unload livepatch_deb_test" "$ctl/prerm" && grep -q 'purge' "$ctl/postrm" &&
	pass "deb: postinst loads on $krel (says why not on another kernel), prerm unloads livepatch_deb_test, postrm handles purge" ||
	fail "deb: maintainer scripts"

if command -v lintian >/dev/null; then
	lout="$(lintian --allow-root "$deb" 2>&1)"
	if ! grep -q '^E:' <<<"$lout"; then
		pass "deb: lintian reports no errors ($(grep -c '^W:' <<<"$lout") warnings)"
	else
		fail "deb: lintian errors"; grep '^E:' <<<"$lout" | sed 's/^/    | /'
	fi
else
	skip "deb: lintian is not installed (apt-get install lintian)"
fi

# dpkg --root: a scratch system whose dpkg database has what it depends on.
sys="$WORK/sys"
mkdir -p "$sys/var/lib/dpkg/info" "$sys/var/lib/dpkg/updates" "$sys/var/lib/dpkg/triggers"
: >"$sys/var/lib/dpkg/available"
for p in kpatch-lts "linux-image-$krel-unsigned"; do
	printf 'Package: %s\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: 1\nMaintainer: test <test@example.org>\nDescription: fake\n\n' "$p"
done >"$sys/var/lib/dpkg/status"
ddpkg() { dpkg --root="$sys" --force-script-chrootless --force-not-root --log=/dev/null "$@"; }
if ddpkg -i "$deb" >"$WORK/dpkg.log" 2>&1 && [[ -f "$sys/var/lib/kpatch/$krel/livepatch-deb_test.ko" ]] &&
   [[ "$(dpkg-query --admindir="$sys/var/lib/dpkg" -W -f='${Status}' livepatch-deb-test)" == "install ok installed" ]]; then
	pass "deb: dpkg --root installs it (module in the scratch /var/lib/kpatch/$krel)"
else
	fail "deb: dpkg --root -i"; sed 's/^/    | /' "$WORK/dpkg.log"
fi
if ddpkg --purge livepatch-deb-test >"$WORK/dpkg.log" 2>&1 && [[ ! -e "$sys/var/lib/kpatch/$krel" ]] &&
   [[ -z "$(dpkg-query --admindir="$sys/var/lib/dpkg" -W -f='${Status}' livepatch-deb-test 2>/dev/null)" ]]; then
	pass "deb: dpkg --root --purge removes it and its /var/lib/kpatch/$krel"
else
	fail "deb: dpkg --root --purge"; sed 's/^/    | /' "$WORK/dpkg.log"; find "$sys/var/lib/kpatch" 2>/dev/null | sed 's/^/    | /'
fi
# Without the kernel image in the database, dpkg refuses it.
sed -i "/^Package: linux-image-/,/^$/d" "$sys/var/lib/dpkg/status"
if ! ddpkg -i "$deb" >"$WORK/dpkg.log" 2>&1 && grep -q "depends on linux-image-$krel" "$WORK/dpkg.log"; then
	pass "deb: refused by dpkg without the kernel image package"
else
	fail "deb: installed without its kernel image"; sed 's/^/    | /' "$WORK/dpkg.log"
fi
finish
