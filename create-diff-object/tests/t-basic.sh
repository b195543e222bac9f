# Plain function changes, no change, new functions.

begin plain-change
cat > "$D/orig/foo.c" <<'C'
int exported_fn(const char *s);
int foo(int x) { return exported_fn("hello") + x; }
int bar(int x) { return x * 3; }
C
cat > "$D/patched/foo.c" <<'C'
int exported_fn(const char *s);
int foo(int x) { return exported_fn("hello, world") + x; }
int bar(int x) { return x * 3; }
C
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: foo$'
expect_no_line stdout 'bar'
expect_line dump '^func vmlinux foo 0$'
# a patched function is local in OUTPUT.o (kpatch's convert-global-local)
expect_line dump '^symbol \.text\.foo foo LOCAL FUNC$'
expect_no_line dump '^symbol .* bar '
expect_no_line dump '^klp-reloc .* exported_fn '
expect_linkable
if readelf -sW "$D/out.o" | grep -q ' UND exported_fn'; then pass "exported_fn is an undefined symbol"; else fail "exported_fn not undefined"; fi
if readelf -p .rodata.foo.str1.1 "$D/out.o" 2>/dev/null | grep -q 'hello, world'; then pass "new string included"; else fail "string missing"; fi

begin no-change
cat > "$D/orig/foo.c" <<'C'
int foo(int x) { return x + 1; }
C
cat > "$D/patched/foo.c" <<'C'
/* only a comment differs */
int foo(int x) { return x + 1; }
C
build && cdo foo
expect_rc 3
expect_line stdout '^foo.o: no functional changes$'
expect_no_file out.o
expect_no_file out.o.tmp

begin new-function
cat > "$D/orig/foo.c" <<'C'
int foo(int x) { return x + 1; }
C
cat > "$D/patched/foo.c" <<'C'
__attribute__((noinline)) int helper_new(int x) { return x * 7 + 3; }
int foo(int x) { return helper_new(x) + 1; }
C
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: foo$'
expect_line stdout '^foo.o: new function: helper_new$'
expect_line dump '^symbol \.text\.helper_new helper_new GLOBAL FUNC$'
expect_no_line dump '^func vmlinux helper_new'
expect_linkable
