# SPDX-License-Identifier: GPL-2.0
# Changes seen only in special sections, __LINE__ immediates that are real
# arguments, and changes deep in a .part.N.cold chain.

# special_case NAME ORIG_C SED_EXPR RC: foo.c from ORIG_C, patched by SED_EXPR
special_case() {
	begin "$1"
	printf '%s\n' "$2" > "$D/orig/foo.c"
	sed "$3" "$D/orig/foo.c" > "$D/patched/foo.c"
	if cmp -s "$D/orig/foo.c" "$D/patched/foo.c"; then
		fail "the sed expression changed nothing"
		return 0
	fi
	build && cdo foo
	expect_rc "$4"
	if [ "$4" = 0 ]; then
		expect_line stdout 'changed function: foo$'
		if [ "$RC" = 0 ]; then expect_linkable; fi
	else
		expect_no_file out.o
		expect_no_line stdout 'changed function'
	fi
}

ALT_C='void foo(void)
{
	asm volatile("1: .byte 0x90,0x90,0x90\n2:\n"
		     ".pushsection .altinstr_replacement,\"ax\"\n"
		     "3: lfence\n4:\n"
		     ".popsection\n"
		     ".pushsection .altinstructions,\"a\"\n"
		     ".long 1b - .\n.long 3b - .\n"
		     ".word 100\n"
		     ".byte 2b - 1b\n.byte 4b - 3b\n"
		     ".popsection\n");
}'
special_case alt-cpuid "$ALT_C" 's/\.word 100/.word 101/' 0
expect_line stderr 'foo changed: its \.altinstructions entry changed'
special_case alt-replacement "$ALT_C" 's/3: lfence/3: mfence/' 0
expect_line stderr 'foo changed: its \.altinstructions entry changed: replacement code'

BUG_C='void foo(void)
{
	asm volatile("1: ud2\n"
		     ".pushsection __bug_table,\"aw\"\n"
		     "2: .long 1b - .\n.long %c0 - .\n"
		     ".word %c1\n.word %c2\n.org 2b + 12\n"
		     ".popsection\n"
		     : : "i" ("foo.c"), "i" (10), "i" (1));
	asm volatile("nop");
}'
special_case bug-flags "$BUG_C" 's/"i" (1)/"i" (3)/' 0
expect_line stderr 'foo changed: its __bug_table entry changed'
special_case bug-line-only "$BUG_C" 's/"i" (10)/"i" (20)/' 3
special_case bug-file "$BUG_C" 's/"foo\.c"/"bar.c"/' 0

JUMP_C='struct static_key { int enabled; };
struct static_key key_a, key_b;
int foo(int x)
{
	asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n\t"
		 ".pushsection __jump_table, \"aw\"\n\t"
		 ".balign 8\n\t"
		 ".long 1b - ., %l[l_yes] - .\n\t"
		 ".quad %c0 - .\n\t"
		 ".popsection" : : "i" (&key_a) : : l_yes);
	return x + 1;
l_yes:
	return x + 2;
}'
special_case jump-key "$JUMP_C" 's/"i" (&key_a)/"i" (\&key_b)/' 0
expect_line stderr 'foo changed: its __jump_table entry changed'

EX_C='int foo(int *p)
{
	int v = 0;

	asm volatile("1: movl (%1), %0\n2:\n"
		     ".pushsection __ex_table,\"a\"\n"
		     ".balign 4\n.long 1b - .\n.long 2b - .\n.long 3\n"
		     ".popsection\n" : "+r" (v) : "r" (p));
	return v;
}'
special_case ex-type "$EX_C" 's/\.long 3\\n/.long 4\\n/' 0
expect_line stderr 'foo changed: its __ex_table entry changed'

# __warn_printk(fmt, ...) has no line argument: %esi is a real argument
WARN_C='extern void __warn_printk(const char *fmt, ...);
extern void other(void);
void foo(void)
{
	__warn_printk("x=%d", 5);
	other();
}'
special_case warn-printk-arg "$WARN_C" 's/, 5)/, 6)/' 0

SLEEP_C='extern void __might_sleep(const char *file, int line);
extern void __might_resched(const char *file, int line, unsigned int offsets);
extern void other(void);
void foo(void)
{
	__might_sleep("foo.c", 10);
	other();
	__might_resched("foo.c", 30, 0);
	other();
}'
special_case might-sleep-line "$SLEEP_C" 's/, 10)/, 20)/' 3
special_case might-resched-line "$SLEEP_C" 's/, 30, 0)/, 40, 0)/' 3
special_case might-resched-offsets "$SLEEP_C" 's/, 30, 0)/, 30, 1)/' 0

# a change in bar.part.0.cold changes bar (two levels up)
cold_asm() {
	cat <<EOS
	.section .text.bar.part.0,"ax",@progbits
	.type bar.part.0,@function
bar.part.0:
	call __fentry__
	testl %edi, %edi
	jne bar.part.0.cold
	ret
	.size bar.part.0, .-bar.part.0
	.section .text.unlikely.bar.part.0,"ax",@progbits
	.type bar.part.0.cold,@function
bar.part.0.cold:
	movl \$$1, %eax
	ret
	.size bar.part.0.cold, .-bar.part.0.cold
	.section .text.bar,"ax",@progbits
	.globl bar
	.type bar,@function
bar:
	call __fentry__
	call bar.part.0
	ret
	.size bar, .-bar
EOS
}
begin cold-part-chain
cold_asm 5 > "$D/orig/foo.s"
cold_asm 6 > "$D/patched/foo.s"
if gcc -c -o "$D/orig/foo.o" "$D/orig/foo.s" &&
   gcc -c -o "$D/patched/foo.o" "$D/patched/foo.s" &&
   ld -r -o "$D/parent.o" "$D/orig/foo.o"; then
	cdo foo
	expect_rc 0
	expect_line stdout 'changed function: bar$'
	expect_no_line stdout 'bar\.part'
	expect_line stderr 'bar changed: its part bar\.part\.0 changed: its part bar\.part\.0\.cold changed'
else
	fail "cannot assemble the .part/.cold objects"
fi
