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
expect_line stderr 'rename one of the two in the module'"'"'s source'
expect_no_line stderr 'inlined or renamed'
expect_no_file out.o

# create-klp-module: a record whose destination wraps around, or whose
# relocation type is unknown, is corrupt (exit 1), never applied.
begin klp-record-corrupt
cat > "$D/orig/foo.c" <<'C'
static int counter;
int foo(int x) { counter++; return x + counter; }
C
sed 's/x + counter/x * counter/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
ld -r -o "$D/mod.o" "$D/out.o"
# MODE IN OUT: addend (dest relocation addend -2) or type (type 0x7777)
klp_record_damage() {
	python3 - "$@" <<'PY'
import struct, sys
mode, src, dst = sys.argv[1:4]
b = bytearray(open(src, 'rb').read())
shoff, = struct.unpack_from('<Q', b, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', b, 0x3a)
hdrs = [struct.unpack_from('<IIQQQQIIQQ', b, shoff + i * shentsize) for i in range(shnum)]
strs = hdrs[shstrndx][4]
def name(h):
    s = strs + h[0]
    return bytes(b[s:b.index(0, s)]).decode()
for h in hdrs:
    if mode == 'addend' and name(h) == '.rela.kpatch.klp_relocs':
        for off in range(h[4], h[4] + h[5], 24):
            if struct.unpack_from('<Q', b, off)[0] == 0:
                struct.pack_into('<q', b, off + 16, -2)
    if mode == 'type' and name(h) == '.kpatch.klp_relocs':
        struct.pack_into('<I', b, h[4] + 8, 0x7777)
open(dst, 'wb').write(b)
PY
}
for mode in addend type; do
	klp_record_damage $mode "$D/mod.o" "$D/bad-$mode.o"
	rm -f "$D/bad-klp.o"
	set +e
	$VALGRIND "$BIN/create-klp-module" "$D/bad-$mode.o" "$D/bad-klp.o" > "$D/stdout" 2> "$D/stderr"; RC=$?
	set -e
	expect_rc 1
	expect_no_file bad-klp.o
done
expect_line stderr 'record 0: unknown relocation type 30583 for \.text\.foo'
klp_record_damage addend "$D/mod.o" "$D/bad-addend.o"
set +e
"$BIN/create-klp-module" "$D/bad-addend.o" "$D/bad-klp.o" > "$D/stdout" 2> "$D/stderr"
set -e
expect_line stderr 'kpatch\.klp_relocs record 0: destination \.text\.foo\+0x[0-9a-f]+ \(4 bytes\) is outside the section'

# A reference into a section with a zero-size alias after the function that
# covers the target reaches that function, not the bare section.
begin symbol-containing-alias
cat > "$D/orig/foo.c" <<'C'
asm(".section .text.multi,\"ax\",@progbits\n"
    ".globl f1\n.type f1,@function\nf1: call __fentry__\n.fill 11,1,0x90\nret\n.size f1,.-f1\n"
    ".globl f2\n.type f2,@function\nf2: call __fentry__\n.fill 11,1,0x90\nret\n.size f2,.-f2\n"
    ".globl f2_alias\n.type f2_alias,@function\n.set f2_alias,f2\n.size f2_alias,0\n.previous");
int bar(int x) { asm volatile("call .text.multi+0x15"); return x + 1; }
C
sed 's/x + 1/x + 2/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: bar$'
expect_line dump '^klp-reloc vmlinux f2 0 \.text\.bar\+0x[0-9a-f]+ R_X86_64_PC32 0$'

# KPATCH_SPECIAL_SIZES naming a section that does not exist is an error.
begin special-sizes-typo
cat > "$D/orig/foo.c" <<'C'
int foo(int x) { return x + 1; }
C
sed 's/x + 1/x + 2/' "$D/orig/foo.c" > "$D/patched/foo.c"
build
export KPATCH_SPECIAL_SIZES="__bug_table=12,__jump_tabel=16"
cdo foo
unset KPATCH_SPECIAL_SIZES
expect_rc 1
expect_line stderr "KPATCH_SPECIAL_SIZES: unknown section '__jump_tabel'; valid names: __bug_table, __jump_table, .*__mcount_loc"
expect_no_file out.o
export KPATCH_SPECIAL_SIZES="__bug_table=12,.altinstructions=12"
cdo foo
unset KPATCH_SPECIAL_SIZES
expect_rc 0

# A changed module function that uses the module's init code is refused.
begin module-init-reference
cat > "$D/other/bar.c" <<'C'
__attribute__((section(".init.text"), noinline, used)) int init_helper(int x) { return x * 7; }
C
cat > "$D/orig/foo.c" <<'C'
int init_helper(int x);
int foo(int x) { return init_helper(x) + 1; }
C
sed 's/+ 1/+ 2/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo mymod
expect_rc 2
expect_line stderr 'init_helper .*it is in an init section .*after its init: avoid the reference'
expect_no_file out.o
