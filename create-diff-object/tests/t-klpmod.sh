# create-klp-module on a linked object.

begin klp-module
cat > "$D/orig/foo.c" <<'C'
static int counter;
int exported_fn(int);
__attribute__((noinline)) static int helper(int x) { counter += x; return counter * 5; }
int foo(int x) { counter++; return helper(x) + exported_fn(x); }
C
sed 's/return helper(x) +/return helper(x) * 2 +/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
ld -r -o "$D/mod.o" "$D/out.o"
set +e
$VALGRIND "$BIN/create-klp-module" "$D/mod.o" "$D/mod-klp.o" > "$D/stdout" 2> "$D/stderr"; RC=$?
set -e
expect_rc 0
"$BIN/kpatch-dump" "$D/mod-klp.o" > "$D/dump2"
expect_line dump2 '^klp-reloc vmlinux helper 0 \.text\.foo\+0x[0-9a-f]+ R_X86_64_PC32 -4$'
expect_line dump2 '^klp-reloc vmlinux counter 0 \.text\.foo\+'
expect_no_line dump2 '^section \.kpatch\.klp_relocs'
expect_line dump2 '^func vmlinux foo 0$'
readelf -SW "$D/mod-klp.o" > "$D/sections"
expect_line sections '\.klp\.rela\.vmlinux\.\.text\.foo +RELA .* AIo '
readelf -sW "$D/mod-klp.o" > "$D/symbols"
expect_line symbols 'NOTYPE +GLOBAL +DEFAULT +OS \[0xff20\] \.klp\.sym\.vmlinux\.helper,0$'
# ld -r must read the result without an error or warning (it keeps the
# .klp.sym symbols; their SHN_LIVEPATCH index is OS-specific to ld).
if ld -r -o "$D/relinked.o" "$D/mod-klp.o" 2> "$D/ld.err" && [ ! -s "$D/ld.err" ]; then
	pass "ld -r reads the result"
else
	fail "ld -r rejects the result or warns"; cat "$D/ld.err"
fi
readelf -sW "$D/relinked.o" > "$D/relinked-symbols" 2>&1 || true
expect_line relinked-symbols ' \.klp\.sym\.vmlinux\.helper,0$'
set +e
"$BIN/create-klp-module" "$D/nonexistent.ko" "$D/x.ko" > /dev/null 2>&1; RC=$?
set -e
expect_rc 1
