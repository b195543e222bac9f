# Jump labels whose key lives in a module are refused; vmlinux keys are kept
# as livepatch relocations (applied while the livepatch module loads).

begin module-key
cat > "$D/orig/foo.c" <<'C'
struct my_key { int enabled; };
static struct my_key mykey;
struct my_key *keep_key(void) { return &mykey; }
int foo(int x)
{
	asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n\t"
		 ".pushsection __jump_table, \"aw\"\n\t"
		 ".balign 8\n\t"
		 ".long 1b - ., %l[l_yes] - .\n\t"
		 ".quad %c0 - .\n\t"
		 ".popsection" : : "i" (&mykey) : : l_yes);
	return x + 1;
l_yes:
	return x + 2;
}
C
sed 's/return x + 1;/return x + 3;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo some_mod
expect_rc 2
if grep -q 'jump label or static call .* key mykey of module some_mod' "$D/stderr"; then
	pass "refusal names the key and the module"
else
	fail "refusal message"
fi
expect_no_file out.o
cdo foo vmlinux
expect_rc 0
expect_line dump '^klp-reloc vmlinux mykey 0 __jump_table\+0x8 R_X86_64_PC64'
