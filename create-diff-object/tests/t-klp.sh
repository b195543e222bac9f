# References to the running kernel: exports, klp relocations, sympos.

begin klp-static
cat > "$D/orig/foo.c" <<'C'
static int counter;
int exported_fn(int);
int internal_fn(int);
int mod_fn(int);
__attribute__((noinline)) static int helper(int x) { counter += x; return counter * 5; }
int foo(int x) { counter++; return helper(x) + exported_fn(x) + internal_fn(x) + mod_fn(x); }
int use_helper(int x) { return helper(x + 1); }
C
sed 's/return helper(x) +/return helper(x) * 2 +/' "$D/orig/foo.c" > "$D/patched/foo.c"
cat > "$D/other/bar.c" <<'C'
__attribute__((noinline)) static int helper(int x) { return x - 1; }
int internal_fn(int x) { return helper(x) + 1; }
C
build && cdo foo
expect_rc 0
expect_line dump '^func vmlinux foo 0$'
expect_line dump '^klp-reloc vmlinux helper 2 \.text\.foo\+0x[0-9a-f]+ R_X86_64_(PLT32|PC32) -4$'
expect_line dump '^klp-reloc vmlinux counter 0 '
expect_line dump '^klp-reloc vmlinux internal_fn 0 '
expect_line dump '^klp-reloc some_mod mod_fn 0 '
expect_no_line dump '^klp-reloc .* exported_fn '
expect_no_line dump '^symbol .* helper '
expect_linkable

begin klp-sympos-file
# same static name in two files: the original object's file decides
cat > "$D/other/aaa.c" <<'C'
__attribute__((noinline)) static int helper(int x) { return x - 1; }
int aaa_fn(int x) { return helper(x) + 1; }
C
cat > "$D/orig/foo.c" <<'C'
__attribute__((noinline)) static int helper(int x) { return x * 9; }
int foo(int x) { return helper(x) + 1; }
C
sed 's/+ 1;/+ 2;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line dump '^klp-reloc vmlinux helper 2 '
build_exec_parent && cdo foo
expect_rc 0
expect_line dump '^klp-reloc vmlinux helper 2 '

begin module-parent
cat > "$D/orig/foo.c" <<'C'
int exported_fn(int);
int sibling_fn(int);
int foo(int x) { return exported_fn(x) + sibling_fn(x); }
C
sed 's/exported_fn(x) +/exported_fn(x) -/' "$D/orig/foo.c" > "$D/patched/foo.c"
cat > "$D/other/sib.c" <<'C'
int sibling_fn(int x) { return x; }
C
build && cdo foo mymod
expect_rc 0
expect_line dump '^func mymod foo 0$'
expect_line dump '^klp-reloc mymod sibling_fn 0 '
expect_no_line dump 'klp-reloc .* exported_fn'

begin rip-relative-immediate
# cmpl $imm32, var(%rip): the addend is offset - 8, not offset - 4
cat > "$D/orig/foo.c" <<'C'
__attribute__((section(".data..read_mostly"))) static int a_var = 1;
__attribute__((section(".data..read_mostly"))) static int b_var = 2;
__attribute__((section(".data..read_mostly"))) static int c_var = 3;
void set_vars(int v) { a_var = v; b_var = v + 1; c_var = v + 2; }
int foo(void) { return c_var == 0x12345678; }
C
sed 's/== 0x12345678;/== 0x12345678 ? 5 : 7;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line dump '^klp-reloc vmlinux c_var 0 \.text\.foo\+0x[0-9a-f]+ R_X86_64_PC32 -8$'
expect_no_line dump 'klp-reloc .* (a_var|b_var) '

begin rip-relative-imm8
cat > "$D/orig/foo.c" <<'C'
__attribute__((section(".data..read_mostly"))) static int a_var = 1;
__attribute__((section(".data..read_mostly"))) static int b_var = 2;
void set_vars(int v) { a_var = v; b_var = v + 1; }
int foo(void) { return b_var == 1; }
C
sed 's/b_var == 1;/b_var == 1 ? 3 : 4;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line dump '^klp-reloc vmlinux b_var 0 \.text\.foo\+0x[0-9a-f]+ R_X86_64_PC32 -5$'
expect_no_line dump 'klp-reloc .* a_var '

begin merged-constants
# .rodata.cst8 constants reached through .LC labels: compared by value
cat > "$D/orig/foo.c" <<'C'
double foo(double x) { return x * 3.14159; }
double bar(double x) { return x * 1.5 + 2.25; }
C
cat > "$D/patched/foo.c" <<'C'
double foo(double x) { return x * 2.71828 + 0.125; }
double bar(double x) { return x * 1.5 + 2.25; }
C
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: foo$'
expect_no_line stdout 'function: bar$'
expect_line dump '^section \.rodata\.cst8 '
expect_no_line dump '^klp-reloc '
expect_linkable

begin weak-overridden
cat > "$D/orig/foo.c" <<'C'
__attribute__((weak)) int hook(int x) { return x; }
int foo(int x) { return hook(x) + 1; }
C
sed 's/return x; }/return x + 1; }/' "$D/orig/foo.c" > "$D/patched/foo.c"
cat > "$D/other/strong.c" <<'C'
int hook(int x) { return x * 2; }
C
build
cc_obj "$D/orig/foo.c" && ld -r -o "$D/parent.o" "$D/other/strong.o" "$D/orig/foo.o" 2>/dev/null || true
build_exec_parent
cdo foo
expect_rc 2
expect_line stderr 'changed function hook is __weak here'

begin weak-used
cat > "$D/orig/foo.c" <<'C'
__attribute__((weak)) int hook(int x) { return x; }
int foo(int x) { return hook(x) + 1; }
C
sed 's/return x; }/return x + 1; }/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line dump '^func vmlinux hook 0$'
