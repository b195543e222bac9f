# Issue 17: classes of kpatch's object corpus and of real kernels.

# strip_parent VERMAGIC: the parent as Debian installs a module without
# its -dbg package: strip --strip-debug (no STT_FILE symbols) and a
# .modinfo with the kernel's vermagic.
strip_parent() {
	printf 'license=GPL\0vermagic=%s SMP preempt mod_unload modversions \0' "$1" > "$D/modinfo"
	objcopy --add-section .modinfo="$D/modinfo" --set-section-flags .modinfo=alloc,readonly \
		--strip-debug "$D/parent.o" "$D/parent.stripped.o"
	mv "$D/parent.stripped.o" "$D/parent.o"
}

# A stripped module parent: a static symbol cannot be placed; the error
# says the parent is stripped and names the -dbg package of its release.
begin stripped-parent-static-ref
cat > "$D/orig/foo.c" <<'C'
static __attribute__((noinline)) int helper(int x) { return x * 3; }
int foo(int x) { return helper(x) + 1; }
C
sed 's/+ 1/+ 2/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && strip_parent 6.1.0-99-amd64 && cdo foo mymod
expect_rc 1
expect_line stderr 'local symbol helper; .*parent\.o: the parent is stripped: its symbol table has no STT_FILE symbols'
expect_line stderr 'install linux-image-6\.1\.0-99-amd64-dbg and use /usr/lib/debug/lib/modules/6\.1\.0-99-amd64/\.\.\./parent\.o'
expect_no_line stderr 'no symbols of that source file|matches the running kernel'
expect_no_file out.o

# A changed static function of a stripped module parent: the same error.
begin stripped-parent-static-func
cat > "$D/orig/foo.c" <<'C'
static __attribute__((noinline, used)) int helper(int x) { return x * 3; }
int foo(int x) { return helper(x) + 1; }
C
sed 's/x \* 3/x * 5/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && strip_parent 6.1.0-99-amd64 && cdo foo mymod
expect_rc 1
expect_line stderr 'changed function helper is local; .*the parent is stripped'
expect_line stderr 'linux-image-6\.1\.0-99-amd64-dbg'
expect_no_file out.o

# Only global symbols are needed: a stripped parent is enough.
begin stripped-parent-globals
cat > "$D/orig/foo.c" <<'C'
int helper(int x) { return x * 3; }
int foo(int x) { return helper(x) + 1; }
C
sed 's/+ 1/+ 2/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && strip_parent 6.1.0-99-amd64 && cdo foo mymod
expect_rc 0
expect_line stdout '^foo.o: changed function: foo$'

# NL_SET_ERR_MSG's `__msg` are read-only static locals.  A KPATCH_PRINTK
# (printk is __cold) changes GCC's inlining in the patched function, and
# the helper that sets a message is no longer inlined into it: the
# original `__msg.0` used by the changed function is, in the patched
# object, used only by the helper (a new function).  Same contents, no
# state: the patched code may use its own copy; not refused.
begin static-msg-moved
cat > "$D/orig/foo.c" <<'C'
struct ack { const char *msg; };
static inline __attribute__((always_inline)) int check(struct ack *a, int x)
{
	if (x > 3) {
		static const char __msg[] = "value is too large";
		a->msg = __msg;
		return -22;
	}
	return 0;
}
int foo(struct ack *a, int x)
{
	static const char __msg[] = "value is negative";
	if (x < 0) { a->msg = __msg; return -22; }
	return check(a, x);
}
C
sed -e 's/always_inline/noinline/' -e 's/return check(a, x);/printk("foo %d\\n", x); return check(a, x);/' \
	-e 's/^struct ack/extern int printk(const char *, ...) __attribute__((cold));\nstruct ack/' \
	"$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: foo$'
expect_line stdout '^foo.o: new function: check'
expect_no_line stderr 'cannot be found in the patched object'
expect_linkable

# The same with the message reworded: a new read-only string, nothing of
# the old one's to keep (a writable static local would still be refused).
begin static-msg-moved-reworded
cp "$WORK/static-msg-moved/orig/foo.c" "$D/orig/foo.c"
sed 's/value is too large/value is above 3/' "$WORK/static-msg-moved/patched/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: foo$'
expect_line dump '^symbol \.rodata\.__msg\.[0-9]+ __msg\.[0-9]+ LOCAL OBJECT$'
expect_no_line stderr 'cannot be found in the patched object'

# The patched object's own MODULE_IMPORT_NS lines are carried into OUTPUT.o
# (kpatch's import-ns: the module object imports 4 namespaces), with the
# Module.symvers namespaces of the exports it uses, each once; a built-in
# object's "modname.import_ns=NS" becomes "import_ns=NS".
begin import-ns-own
cat > "$D/orig/foo.c" <<'C'
#define IMPORT(id, s) static const char id[] __attribute__((section(".modinfo"), used, aligned(1))) = s
IMPORT(imp1, "import_ns=CXL");
IMPORT(imp2, "import_ns=USB_STORAGE");
IMPORT(lic, "license=GPL");
IMPORT(imp3, "foo.import_ns=IOMMUFD");
extern int mod_fn(int);
int foo(int x) { return x + 1; }
C
sed 's/x + 1/mod_fn(x) + 2/' "$D/orig/foo.c" > "$D/patched/foo.c"
printf '0x00000000\tmod_fn\tdrivers/foo/some-mod\tEXPORT_SYMBOL_GPL\tCXL\n0x00000000\t__fentry__\tvmlinux\tEXPORT_SYMBOL\t\n' > "$D/Module.symvers"
build && cdo foo
expect_rc 0
readelf -p .modinfo "$D/out.o" > "$D/modinfo" 2>&1 || true
expect_line modinfo '\] *import_ns=CXL$'
expect_line modinfo '\] *import_ns=USB_STORAGE$'
expect_line modinfo '\] *import_ns=IOMMUFD$'
expect_no_line modinfo 'license|foo\.import_ns'
if [ "$(grep -c 'import_ns=CXL' "$D/modinfo")" = 1 ]; then pass "import_ns=CXL once"; else fail "import_ns=CXL not exactly once"; fi

# kpatch's convert-global-local: a changed global function is LOCAL in
# OUTPUT.o (other objects of the patch module reach the kernel's function,
# redirected, not this copy); a new global function stays GLOBAL.
begin convert-global-local
cat > "$D/orig/foo.c" <<'C'
extern void *bar(unsigned long);
__attribute__((noinline)) void *__kmalloc(unsigned long s, int f) { return bar(s + f); }
C
sed 's/s + f/s * f/' "$D/orig/foo.c" > "$D/patched/foo.c"
echo 'int newglob(int x) { return x + 1; }' >> "$D/patched/foo.c"
printf '0x00000000\tbar\tvmlinux\tEXPORT_SYMBOL\t\n0x00000000\t__fentry__\tvmlinux\tEXPORT_SYMBOL\t\n' > "$D/Module.symvers"
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: __kmalloc$'
expect_line dump '^symbol \.text\.__kmalloc __kmalloc LOCAL FUNC$'
expect_line dump '^symbol \.text\.newglob newglob GLOBAL FUNC$'
expect_line dump '^func vmlinux __kmalloc 0$'
expect_linkable

# kpatch's multifile-pr-1204: an object linked from several source files
# (ld -r: one STT_FILE block each).  A static function of the second file
# is looked up in the parent's block of that file, not of the first one.
begin multifile
mkdir -p "$D/src"
cat > "$D/src/version.c" <<'C'
static __attribute__((noinline)) int show(int x) { return x + 11; }
int version_proc(int x) { return show(x); }
C
cat > "$D/src/cmdline.c" <<'C'
static __attribute__((noinline)) int cmdline_proc_show(int x) { return x * 3; }
int cmdline_proc(int x) { return cmdline_proc_show(x); }
C
sed 's/x \* 3/x * 5/' "$D/src/cmdline.c" > "$D/src/cmdline-patched.c"
cat > "$D/other/show.c" <<'C'
static __attribute__((noinline, used)) int cmdline_proc_show(int x) { return x - 1; }
int other(int x) { return cmdline_proc_show(x); }
C
for f in version cmdline cmdline-patched; do cc_obj "$D/src/$f.c"; done
ld -r -o "$D/orig/both.o" "$D/src/version.o" "$D/src/cmdline.o"
cp "$D/src/cmdline-patched.c" "$D/src/cmdline.c" && cc_obj "$D/src/cmdline.c"
ld -r -o "$D/patched/both.o" "$D/src/version.o" "$D/src/cmdline.o"
cc_obj "$D/other/show.c"
ld -r -o "$D/parent.o" "$D/other/show.o" "$D/orig/both.o"
cdo both
expect_rc 0
expect_line stdout '^both.o: changed function: cmdline_proc_show$'
expect_line dump '^func vmlinux cmdline_proc_show 2$'
expect_no_line stderr 'not found in'

# Older kernels' code shapes (kpatch's data-read-mostly: napi_disable,
# netif_napi_del, free_netdev): might_sleep() as ___might_sleep(__FILE__,
# __LINE__, 0) with the frame set-up (push) between the line immediate and
# the call; WARN() as warn_slowpath_null(__FILE__, __LINE__).  Only the
# line numbers differ: no functional change (exit 3).
old_shape_asm() {
	cat <<EOS
	.section .rodata.str1.1,"aMS",@progbits,1
.LCfile:
	.string "net/core/dev.c"
	.section .text.napi_disable,"ax",@progbits
	.globl napi_disable
	.type napi_disable,@function
napi_disable:
	call __fentry__
	push %rbp
	mov \$$1, %esi
	mov \$.LCfile, %rdi
	mov %rsp, %rbp
	push %rbx
	mov %rdi, %rbx
	xor %edx, %edx
	call ___might_sleep
	pop %rbx
	pop %rbp
	ret
	.size napi_disable, .-napi_disable
	.section .text.free_netdev,"ax",@progbits
	.globl free_netdev
	.type free_netdev,@function
free_netdev:
	call __fentry__
	push %rbp
	mov %rsp, %rbp
	push %r12
	mov \$$2, %esi
	mov \$.LCfile, %rdi
	call warn_slowpath_null
	pop %r12
	pop %rbp
	ret
	.size free_netdev, .-free_netdev
EOS
}
begin old-line-shapes
old_shape_asm 9876 700 > "$D/orig/dev.s"
old_shape_asm 9881 705 > "$D/patched/dev.s"
if gcc -c -o "$D/orig/dev.o" "$D/orig/dev.s" && gcc -c -o "$D/patched/dev.o" "$D/patched/dev.s" &&
   ld -r -o "$D/parent.o" "$D/orig/dev.o"; then
	cdo dev
	expect_rc 3
	expect_no_line stdout 'changed function'
else
	fail "cannot assemble the old code shapes"
fi

# A real argument next to them still counts: the third argument of
# ___might_sleep (preempt offset) changed.
begin old-line-shapes-real
old_shape_asm 9876 700 > "$D/orig/dev.s"
old_shape_asm 9876 700 | sed 's/xor %edx, %edx/mov $1, %edx/' > "$D/patched/dev.s"
if gcc -c -o "$D/orig/dev.o" "$D/orig/dev.s" && gcc -c -o "$D/patched/dev.o" "$D/patched/dev.s" &&
   ld -r -o "$D/parent.o" "$D/orig/dev.o"; then
	cdo dev
	expect_rc 0
	expect_line stdout '^dev.o: changed function: napi_disable$'
	expect_no_line stdout 'free_netdev'
else
	fail "cannot assemble the old code shapes"
fi

# kpatch's warn-detect: a blank line before a WARN() of an older kernel
# (warn_slowpath_null(__FILE__, __LINE__), the frame set-up scheduled
# between the line and the file name): nothing to patch, exit 3, which
# kpatch-build refuses to build.
begin warn-detect
warn_asm() {
	cat <<EOS
	.section .rodata.str1.1,"aMS",@progbits,1
.LCfile:
	.string "arch/x86/kvm/x86.c"
	.section .text.kvm_arch_init,"ax",@progbits
	.globl kvm_arch_init
	.type kvm_arch_init,@function
kvm_arch_init:
	call __fentry__
	test %edi, %edi
	jne 1f
	mov \$$1, %esi
	push %rbp
	mov \$.LCfile, %rdi
	mov %rsp, %rbp
	call warn_slowpath_null
	pop %rbp
1:	xor %eax, %eax
	ret
	.size kvm_arch_init, .-kvm_arch_init
EOS
}
warn_asm 5432 > "$D/orig/x86.s"
warn_asm 5433 > "$D/patched/x86.s"
if gcc -c -o "$D/orig/x86.o" "$D/orig/x86.s" && gcc -c -o "$D/patched/x86.o" "$D/patched/x86.s" &&
   ld -r -o "$D/parent.o" "$D/orig/x86.o"; then
	cdo x86
	expect_rc 3
	expect_no_line stdout 'changed function'
	expect_no_file out.o
else
	fail "cannot assemble the WARN shape"
fi

# kpatch's unique-id-pr-1314 (arch/x86/kvm/cpuid.o diffed against vmlinux):
# a static call whose key (__SCK__kvm_x86_*, of kvm.ko) is neither
# exported nor in the parent is defined in a module: refused, naming it
# (was kept as an undefined reference the module could not load with).
begin unknown-static-call-key
cat > "$D/orig/foo.c" <<'C'
extern struct static_call_key { void *func; } __SCK__kvm_x86_op;
extern int __SCT__kvm_x86_op(int);
int foo(int x)
{
	asm volatile("1: call __SCT__kvm_x86_op\n\t"
		     ".pushsection .static_call_sites, \"a\"\n\t"
		     ".long 1b - ., __SCK__kvm_x86_op - .\n\t"
		     ".popsection" : : : "memory");
	return x + 1;
}
C
sed 's/return x + 1;/return x + 3;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 2
expect_line stderr 'section \.static_call_sites: a static call of an included function uses key __SCK__kvm_x86_op, which vmlinux neither exports nor defines: it is defined in a module'
expect_no_file out.o

# The same for a jump label whose key is unknown.
begin unknown-jump-label-key
cat > "$D/orig/foo.c" <<'C'
extern struct my_key { int enabled; } modkey;
int foo(int x)
{
	asm goto("1: .byte 0x0f,0x1f,0x44,0x00,0x00\n\t"
		 ".pushsection __jump_table, \"aw\"\n\t"
		 ".balign 8\n\t"
		 ".long 1b - ., %l[l_yes] - .\n\t"
		 ".quad %c0 - .\n\t"
		 ".popsection" : : "i" (&modkey) : : l_yes);
	return x + 1;
l_yes:
	return x + 2;
}
C
sed 's/return x + 1;/return x + 3;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 2
expect_line stderr 'section __jump_table: a jump label of an included function uses key modkey, which vmlinux neither exports nor defines.*static_key_enabled'
expect_no_file out.o
