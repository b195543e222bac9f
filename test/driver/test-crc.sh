#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Header patch + MODVERSIONS: a patch that changes the prototype of the
# exported bsearch() (include/linux/bsearch.h and lib/bsearch.c) builds only
# the objects that include the header (no full build) and is refused
# because the symbol's CRC changes. The user tree stays untouched.
set -o nounset -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_user_tree
setup_fakebin

cache="$TEST_ROOT/cache"
cat >"$WORK/bsearch-crc.patch" <<'EOT'
--- a/include/linux/bsearch.h
+++ b/include/linux/bsearch.h
@@ -27,6 +27,6 @@
 	return NULL;
 }
 
-extern void *bsearch(const void *key, const void *base, size_t num, size_t size, cmp_func_t cmp);
+extern void *bsearch(const void *key, const void *base, unsigned int num, size_t size, cmp_func_t cmp);
 
 #endif /* _LINUX_BSEARCH_H */
--- a/lib/bsearch.c
+++ b/lib/bsearch.c
@@ -28,7 +28,7 @@
  * the key and elements in the array are of the same type, you can use
  * the same comparison function for both sort() and bsearch().
  */
-void *bsearch(const void *key, const void *base, size_t num, size_t size, cmp_func_t cmp)
+void *bsearch(const void *key, const void *base, unsigned int num, size_t size, cmp_func_t cmp)
 {
 	return __inline_bsearch(key, base, num, size, cmp);
 }
EOT
files=(include/linux/bsearch.h lib/bsearch.c)
before="$(tree_state "${files[@]}")"
touch "$WORK/stamp"
sleep 1
rc=0
KPATCH_CDO="$FAKEBIN/fake-cdo" kb "$cache" -o "$WORK" "$WORK/bsearch-crc.patch" >"$WORK/log" 2>&1 || rc=$?
if grep -q "Headers include/linux/bsearch.h are used by [0-9]* object" "$WORK/log" &&
   ! grep -q "Full build" "$WORK/log"; then
	pass "crc: header change builds only its users: $(grep -o 'used by [0-9]* object(s)' "$WORK/log")"
else
	fail "crc: header objects"; tail -n 20 "$WORK/log"
fi
if [[ $rc -ne 0 ]] && grep -q "changes the symbol version .* of the exported symbol 'bsearch'" "$WORK/log"; then
	pass "crc: refused: $(grep ERROR "$WORK/log" | cut -c1-110)"
else
	fail "crc: not refused (rc=$rc)"; tail -n 20 "$WORK/log"
fi
[[ "$(tree_state "${files[@]}")" == "$before" ]] && tree_untouched_since "$WORK/stamp" &&
	pass "crc: user tree untouched" || fail "crc: user tree changed"
[[ "$(stat -c %i "$cache/src/include/linux/bsearch.h")" == "$(stat -c %i "$USER_TREE/include/linux/bsearch.h")" ]] &&
	! grep -q "unsigned int num" "$cache/src/lib/bsearch.c" &&
	pass "crc: mirror restored" || fail "crc: mirror not restored"
[[ ! -e "$cache/obj.dirty" ]] && cmp -s "$cache/obj/lib/bsearch.o" "$cache/orig/lib/bsearch.o" &&
	pass "crc: object dir holds the original objects again" || fail "crc: object dir not restored"
finish
