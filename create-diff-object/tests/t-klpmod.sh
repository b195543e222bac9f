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
if ld -r -o "$D/relinked.o" "$D/mod-klp.o" 2> "$D/ld.err" || grep -q 'unknown' "$D/ld.err"; then pass "ld reads the result"; else fail "ld rejects the result"; cat "$D/ld.err"; fi
set +e
"$BIN/create-klp-module" "$D/nonexistent.ko" "$D/x.ko" > /dev/null 2>&1; RC=$?
set -e
expect_rc 1
