# Issue 9: readelf-text parents, symbol namespaces, special-section sizes.

begin parent-readelf-text
# same static name in two files: sympos from readelf -s --wide text equals
# sympos from the ELF parent
cat > "$D/other/aaa.c" <<'C'
__attribute__((noinline)) static int helper(int x) { return x - 1; }
int aaa_fn(int x) { return helper(x) + 1; }
C
cat > "$D/orig/foo.c" <<'C'
__attribute__((noinline)) static int helper(int x) { return x * 9; }
int foo(int x) { return helper(x) + 1; }
int bar(int x) { return helper(x) + 3; }
C
sed 's/+ 1;/+ 2;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && build_exec_parent && cdo foo
expect_rc 0
cp "$D/dump" "$D/dump.elf"
readelf -s --wide "$D/parent.o" > "$D/parent.txt" && mv "$D/parent.txt" "$D/parent.o"
cdo foo
expect_rc 0
if cmp -s "$D/dump" "$D/dump.elf"; then pass "same output with a readelf -s text parent"; else fail "output differs with a readelf -s text parent"; fi
expect_line dump '^klp-reloc vmlinux helper 2 '
printf 'not a symbol table\n' > "$D/parent.o"
cdo foo
expect_rc 1
expect_line stderr 'no symbols'
expect_no_file out.o

begin import-namespace
cat > "$D/orig/foo.c" <<'C'
int ns_fn(int);
int foo(int x) { return x + 1; }
C
sed 's/return x + 1;/return ns_fn(x) + 1;/' "$D/orig/foo.c" > "$D/patched/foo.c"
printf '0x00000000\tns_fn\tvmlinux\tEXPORT_SYMBOL_GPL\tMY_NS\n' >> "$D/Module.symvers"
build && cdo foo
expect_rc 0
if readelf -p .modinfo "$D/out.o" 2>/dev/null | grep -q 'import_ns=MY_NS'; then
	pass "import_ns=MY_NS in .modinfo"; else fail "no import_ns=MY_NS in .modinfo"; fi
expect_linkable

begin no-namespace-no-modinfo
cat > "$D/orig/foo.c" <<'C'
int exported_fn(int);
int foo(int x) { return x + 1; }
C
sed 's/return x + 1;/return exported_fn(x) + 1;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
if readelf -S "$D/out.o" | grep -q '\.modinfo'; then fail "a .modinfo without any namespace"; else pass "no .modinfo"; fi

begin special-size-env
# a jump label in bar() only; foo() changes
cat > "$D/orig/foo.c" <<'C'
struct key { int enabled; };
struct key k;
int foo(int x) { return x + 1; }
int bar(int x)
{
	asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n"
		 ".pushsection __jump_table, \"aw\"\n"
		 ".long 1b - ., %l[yes] - .\n .quad k - .\n"
		 ".popsection" : : : : yes);
	return x;
yes:
	return -x;
}
C
sed 's/return x + 1;/return x + 2;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build
JUMP_STRUCT_SIZE=13 cdo foo
expect_rc 0
expect_line stderr 'WARNING: .*__jump_table.*not a multiple'
expect_no_line dump '__jump_table'
sed 's/return -x;/return -x - 1;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build
JUMP_STRUCT_SIZE=13 cdo foo
expect_rc 1
expect_line stderr '__jump_table.*JUMP_STRUCT_SIZE'
expect_no_file out.o
JUMP_STRUCT_SIZE=0x10 cdo foo
expect_rc 0
BUG_STRUCT_SIZE=abc cdo foo
expect_rc 1
expect_line stderr 'BUG_STRUCT_SIZE'

begin line-argument
# report(__func__, __LINE__, err): only the line immediate differs -> no
# change; a different error code next to it is a change
cat > "$D/orig/foo.c" <<'C'
void report(const char *func, int line, int err);
int foo(int x)
{
	if (x > 3)
		report(__func__, 120, -5);
	return x;
}
C
sed 's/120/135/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 3
sed 's/-5);/-12);/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line stdout 'changed function: foo'
