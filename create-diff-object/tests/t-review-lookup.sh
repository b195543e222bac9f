# Review findings: static locals moved between functions, module sympos,
# corrupt records, special-section size overrides.

# A static local dropped by foo and added by bar is not foo's variable.
begin static-local-moved
cat > "$D/orig/foo.c" <<'C'
int foo(void) { static int count; return ++count; }
int bar(void) { return 7; }
C
cat > "$D/patched/foo.c" <<'C'
int foo(void) { return 1; }
int bar(void) { static int count; return ++count + 7; }
C
build && cdo foo
expect_rc 2
expect_line stderr 'static local variable count\.[0-9]+ used by foo cannot be found'
expect_no_file out.o

# foo deleted: bar's new counter is new data, not foo's kernel variable.
begin static-local-moved-new
cat > "$D/orig/foo.c" <<'C'
int foo(void) { static int count; return ++count; }
int bar(void) { return 7; }
C
cat > "$D/patched/foo.c" <<'C'
int bar(void) { static int count; return ++count + 7; }
C
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: bar$'
expect_no_line dump 'klp-reloc .* count\.'
expect_line dump '^symbol \.bss\.count\.[0-9]+ count\.[0-9]+ LOCAL OBJECT$'
expect_linkable

# Module sympos counts what the module's kallsyms lists: not a same-named
# symbol of a non-SHF_ALLOC section; a same-named one in .init* is refused.
begin module-sympos-nonalloc
cat > "$D/other/a.c" <<'C'
asm(".section .discard.note,\"\",@progbits\n.type helper,@object\nhelper: .byte 0\n.size helper,1\n.previous");
C
cat > "$D/other/bar.c" <<'C'
static __attribute__((noinline, used)) int helper(int x) { return x * 7; }
int bar(int x) { return helper(x) + 1; }
C
cat > "$D/orig/foo.c" <<'C'
static __attribute__((noinline)) int helper(int x) { return x * 3; }
int foo(int x) { return helper(x) + 1; }
C
sed 's/+ 1/+ 2/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo mymod
expect_rc 0
expect_line dump '^klp-reloc mymod helper 2 \.text\.foo\+'

begin module-sympos-init
cat > "$D/other/bar.c" <<'C'
__attribute__((section(".init.text"), noinline, used)) static int helper(int x) { return x * 7; }
int bar(int x) { return x + 1; }
C
cat > "$D/orig/foo.c" <<'C'
static __attribute__((noinline)) int helper(int x) { return x * 3; }
int foo(int x) { return helper(x) + 1; }
C
sed 's/+ 1/+ 2/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo mymod
expect_rc 2
expect_line stderr 'helper .*init section'
expect_no_file out.o
