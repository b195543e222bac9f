# SPDX-License-Identifier: GPL-2.0
# gen-many-sections.py N IMM: assembly with N data sections (extended ELF
# section numbering when N > 65280) and a function foo returning IMM + d7.
import sys
n, imm = int(sys.argv[1]), int(sys.argv[2])
print('\t.file "big.c"')
print('\t.section .text.foo,"ax",@progbits\n\t.globl foo\n\t.type foo, @function\nfoo:')
print('\tcall __fentry__\n\tmovl $%d, %%eax\n\taddl d7(%%rip), %%eax\n\tret\n\t.size foo, .-foo' % imm)
print('\t.section __mcount_loc,"a",@progbits\n\t.quad foo')
for i in range(n):
    print('\t.section .data.d%d,"aw"\n\t.type d%d, @object\n\t.size d%d, 4\nd%d:\n\t.long %d' % (i, i, i, i, i))
