# IBT kernels (ibt.c, klp_ibt.c, insn_fentry_site): every fentry form, __pfx_
# symbols, --objtool-link, sealed ENDBR.

# fentry_asm NAME ENTRY VALUE: function NAME whose entry is ENTRY (assembler
# lines) returning VALUE, with 16 bytes of padding and a __pfx_ symbol.
fentry_asm() {
	cat <<EOS
	.section .text.$1,"ax",@progbits
	.p2align 4
	.type __pfx_$1,@function
__pfx_$1:
	.fill 16,1,0x90
	.size __pfx_$1, 16
	.globl $1
	.type $1,@function
$1:
$2
	movl \$$3, %eax
	jmp __x86_return_thunk
	.size $1, .-$1
EOS
}

ENDBR_CALL=$'\tendbr64\n\tcall __fentry__'
NOP5_NONE=$'\t.reloc .+1, R_X86_64_NONE, __fentry__\n\t.byte 0x0f, 0x1f, 0x44, 0x00, 0x00'
ENDBR_NOP5=$'\tendbr64\n'"$NOP5_NONE"
NO_FENTRY=$'\tendbr64\n\tnop'

# fentry_case NAME ENTRY RC: a changed function with this entry exits RC
fentry_case() {
	begin "$1"
	fentry_asm foo "$2" 1 > "$D/orig/foo.s"
	fentry_asm foo "$2" 2 > "$D/patched/foo.s"
	if gcc -c -o "$D/orig/foo.o" "$D/orig/foo.s" &&
	   gcc -c -o "$D/patched/foo.o" "$D/patched/foo.s" &&
	   ld -r -o "$D/parent.o" "$D/orig/foo.o"; then
		cdo foo
		expect_rc "$3"
	else
		fail "cannot assemble $1"
	fi
}
fentry_case fentry-endbr-call "$ENDBR_CALL" 0
expect_line stdout '^foo.o: changed function: foo$'
expect_line dump '^func vmlinux foo 0$'
fentry_case fentry-nop5-none "$NOP5_NONE" 0
expect_line stdout '^foo.o: changed function: foo$'
fentry_case fentry-endbr-nop5-none "$ENDBR_NOP5" 0
expect_line stdout '^foo.o: changed function: foo$'
fentry_case fentry-none "$NO_FENTRY" 2
expect_line stderr 'changed function foo has no ftrace entry'

# Without --objtool-link (objtool ran on the object), __pfx_foo travels with
# foo and is never a changed function of its own.
fentry_case pfx-travels "$ENDBR_CALL" 0
expect_line dump '^symbol \.text\.foo __pfx_foo LOCAL FUNC$'
expect_line dump '^symbol \.text\.foo foo LOCAL FUNC$'
expect_no_line stdout '__pfx_'
expect_no_line dump '^func .*__pfx_'
# 16 bytes of padding, endbr64 (4), call (5), mov (5), jmp (5)
expect_line dump '^section \.text\.foo 35$'
expect_linkable

# With --objtool-link the padding travels, __pfx_ goes (objtool names it
# again), objtool's sections go, its annotations of included code stay.
ol_asm() {
	fentry_asm foo "$ENDBR_CALL
	call local_helper
	call __SCT__tp_func_x
	call __SCT__exported_sc
1:	call *%rax
	.pushsection .discard.retpoline_safe
	.long 1b
	.popsection
	.pushsection .return_sites,\"a\"
	.long 1b - .
	.popsection" "$1"
	fentry_asm bar "$ENDBR_CALL
2:	nop
	.pushsection .discard.retpoline_safe
	.long 2b
	.popsection" 7
	cat <<EOS
	.file "foo.c"
	.section .text.local_helper,"ax",@progbits
	.type local_helper,@function
local_helper:
	ret
	.size local_helper, .-local_helper
EOS
}
begin objtool-link
ol_asm 1 > "$D/orig/foo.s"
printf '\t.globl __SCT__tp_func_x\n__SCT__tp_func_x:\n\tret\n' > "$D/other/tramp.s"
gcc -c -o "$D/other/tramp.o" "$D/other/tramp.s"
ol_asm 2 > "$D/patched/foo.s"
printf '0x0\t__SCT__exported_sc\tvmlinux\tEXPORT_SYMBOL\t\n0x0\t__SCK__exported_sc\tvmlinux\tEXPORT_SYMBOL\t\n0x0\t__x86_return_thunk\tvmlinux\tEXPORT_SYMBOL\t\n' >> "$D/Module.symvers"
if gcc -c -o "$D/orig/foo.o" "$D/orig/foo.s" &&
   gcc -c -o "$D/patched/foo.o" "$D/patched/foo.s" &&
   ld -r -o "$D/parent.o" "$D/other/tramp.o" "$D/orig/foo.o"; then
	CDO_OPTS=--objtool-link cdo foo
	expect_rc 0
	expect_line stdout '^foo.o: changed function: foo$'
	expect_no_line stdout 'bar'
	expect_no_line dump ' __pfx_'
	# padding 16, endbr64 4, 4 calls 20, call *%rax 2, mov 5, jmp 5
	expect_line dump '^section \.text\.foo 52$'
	expect_no_line dump '^section \.return_sites '
	expect_line dump '^section \.discard\.retpoline_safe 4$'
	expect_line dump '^klp-reloc vmlinux local_helper 0 \.text\.foo\+0x[0-9a-f]+ R_X86_64_P(LT|C)32 -4$'
	expect_line dump '^klp-reloc vmlinux __SCT__tp_func_x 0 '
	readelf -rW "$D/out.o" > "$D/relocs"
	readelf -sW "$D/out.o" > "$D/syms"
	expect_line relocs 'R_X86_64_P(LT|C)32 +0+ local_helper - 4$'
	expect_line relocs '__kpatch_placeholder\.__SCT__tp_func_x - 4$'
	expect_line relocs 'R_X86_64_PLT32 +0+ __SCT__exported_sc - 4$'
	# objtool reads its annotations as section symbol + offset only:
	# call *%rax is at 16 + 4 + 4 * 5 = 0x28
	expect_line relocs 'R_X86_64_32 +0+ \.text\.foo \+ 28$'
	expect_line syms 'UND __SCK__exported_sc$'
	expect_linkable
	# create-klp-module takes the placeholders out again
	ld -r -o "$D/mod.ko" "$D/out.o"
	if "$BIN/create-klp-module" "$D/mod.ko" "$D/klp.ko" > "$D/ckm.out" 2>&1; then
		pass "create-klp-module accepts the placeholders"
		readelf -rW "$D/klp.ko" > "$D/klp-relocs"
		readelf -sW "$D/klp.ko" > "$D/klp-syms"
		expect_no_line klp-syms ' local_helper$'
		expect_no_line klp-syms 'placeholder'
		expect_line klp-syms '\.klp\.sym\.vmlinux\.local_helper,0$'
		expect_line klp-syms '\.klp\.sym\.vmlinux\.__SCT__tp_func_x,0$'
		expect_line klp-syms 'UND __SCT__exported_sc$'
		expect_no_line klp-relocs '^[0-9a-f]+ +[0-9a-f]+ R_X86_64_P(LT|C)32 +0+ local_helper'
	else
		fail "create-klp-module refused the placeholders: $(cat "$D/ckm.out")"
	fi
else
	fail "cannot assemble the objtool-link objects"
fi

# Sealed ENDBR: the parent's .ibt_endbr_seal lists sealed_fn (never
# address-taken); taking its address in changed code is refused, calling
# it is not, taking open_fn's address is not.
seal_parent_asm() {
	cat <<'EOS'
	.section .text.sealed_fn,"ax",@progbits
	.type sealed_fn,@function
sealed_fn:
	endbr64
	ret
	.size sealed_fn, .-sealed_fn
	.section .text.open_fn,"ax",@progbits
	.type open_fn,@function
open_fn:
	endbr64
	ret
	.size open_fn, .-open_fn
	.section .ibt_endbr_seal,"a"
	.long sealed_fn - .
EOS
}
seal_case() {
	begin "$1"
	seal_parent_asm > "$D/other/seal.s"
	fentry_asm foo "$ENDBR_CALL" 1 > "$D/orig/foo.s"
	fentry_asm foo "$ENDBR_CALL
	$2" 2 > "$D/patched/foo.s"
	if gcc -c -o "$D/other/seal.o" "$D/other/seal.s" &&
	   gcc -c -o "$D/orig/foo.o" "$D/orig/foo.s" &&
	   gcc -c -o "$D/patched/foo.o" "$D/patched/foo.s" &&
	   build_exec_parent; then
		CDO_OPTS=--objtool-link cdo foo
		expect_rc "$3"
	else
		fail "cannot assemble $1"
	fi
}
seal_case sealed-address 'leaq sealed_fn(%rip), %rax' 2
expect_line stderr 'takes the address of sealed_fn, a function of vmlinux whose endbr64 the kernel seals at boot'
expect_no_file out.o
seal_case sealed-address-abs 'movq $sealed_fn, %rax' 2
expect_line stderr 'address of sealed_fn'
seal_case sealed-call 'call sealed_fn' 0
seal_case open-address 'leaq open_fn(%rip), %rax' 0

# A call whose target only another module's livepatch relocation resolves
# loses its .call_sites entry (call depth tracking would patch it while it
# still points nowhere); the __fentry__ call keeps its entry. The section
# data is the input file's: create-klp-module must write a copy.
begin objtool-link-module-calls
ol_asm 1 > "$D/orig/foo.s"
ol_asm 2 > "$D/patched/foo.s"
printf '\t.globl __SCT__tp_func_x\n__SCT__tp_func_x:\n\tret\n' > "$D/other/tramp.s"
# foo is at 16 (padding); endbr64 (4) then call __fentry__ at foo+4, call
# local_helper at foo+9
printf '\t.section .call_sites,"a"\n\t.long foo + 4 - .\n\t.long foo + 9 - .\n' > "$D/cs.s"
if gcc -c -o "$D/orig/foo.o" "$D/orig/foo.s" &&
   gcc -c -o "$D/patched/foo.o" "$D/patched/foo.s" &&
   gcc -c -o "$D/other/tramp.o" "$D/other/tramp.s" &&
   gcc -c -o "$D/cs.o" "$D/cs.s" &&
   ld -r -o "$D/parent.o" "$D/other/tramp.o" "$D/orig/foo.o"; then
	CDO_OPTS=--objtool-link cdo foo mymod
	expect_rc 0
	expect_line dump '^klp-reloc mymod local_helper 0 '
	# objtool writes .call_sites into the linked module itself, where the
	# (local) patched foo is at hand; linked from cs.o here, foo must be
	# global for ld to resolve it
	objcopy --globalize-symbol=foo "$D/out.o" "$D/out-global.o"
	ld -r -o "$D/mod.ko" "$D/out-global.o" "$D/cs.o"
	if "$BIN/create-klp-module" "$D/mod.ko" "$D/klp.ko" > "$D/ckm.out" 2>&1; then
		pass "create-klp-module filters .call_sites"
		expect_line ckm.out '1 call site left to the livepatch relocations of other modules'
		readelf -SW "$D/klp.ko" > "$D/klp-sections"
		expect_line klp-sections '\.call_sites +PROGBITS +0+ [0-9a-f]+ 000004 '
		readelf -rW "$D/klp.ko" > "$D/klp-relocs"
		expect_line klp-relocs 'foo \+ 4$'
		expect_no_line klp-relocs 'foo \+ 9$'
	else
		fail "create-klp-module failed: $(head -c 300 "$D/ckm.out")"
	fi
else
	fail "cannot assemble the module call-site objects"
fi

# The same with a module parent (ET_REL): its .ibt_endbr_seal entries are
# relocations, applied when the module loads.
begin sealed-address-module
seal_parent_asm > "$D/other/seal.s"
fentry_asm foo "$ENDBR_CALL" 1 > "$D/orig/foo.s"
fentry_asm foo "$ENDBR_CALL
	leaq sealed_fn(%rip), %rax" 2 > "$D/patched/foo.s"
if gcc -c -o "$D/other/seal.o" "$D/other/seal.s" &&
   gcc -c -o "$D/orig/foo.o" "$D/orig/foo.s" &&
   gcc -c -o "$D/patched/foo.o" "$D/patched/foo.s" &&
   ld -r -o "$D/parent.o" "$D/other/seal.o" "$D/orig/foo.o"; then
	CDO_OPTS=--objtool-link cdo foo mymod
	expect_rc 2
	expect_line stderr 'takes the address of sealed_fn, a function of mymod whose endbr64'
else
	fail "cannot assemble sealed-address-module"
fi
