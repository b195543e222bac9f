# Static locals, special statics, clones, __LINE__ immediates.

begin static-locals
cat > "$D/orig/foo.c" <<'C'
int a(void) { static int count; return ++count; }
int b(void) { static int count; return count += 2; }
C
cat > "$D/patched/foo.c" <<'C'
int z(void) { static int count; return count += 5; }
int a(void) { static int count; return ++count; }
int b(void) { static int count; return count += 3; }
C
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: b$'
expect_line stdout '^foo.o: new function: z$'
expect_no_line stdout 'function: a$'
bcount=$(readelf -rW "$D/orig/foo.o" | awk '/section .\.rela\.text\.b./{f=1} f && /count\./{print $5; exit}')
bcount=${bcount#.bss.}
expect_line dump "^klp-reloc vmlinux ${bcount//./\\.} 0 \\.text\\.b\\+"
expect_line dump '^symbol \.bss\.count\.[0-9]+ count\.[0-9]+ LOCAL OBJECT$'
expect_linkable

begin line-numbers
cat > "$D/orig/foo.c" <<'C'
void __might_sleep(const char *file, int line);
int foo(int x) { __might_sleep("foo.c", __LINE__); return x + 1; }
C
{ echo; echo; echo; cat "$D/orig/foo.c"; } > "$D/patched/foo.c"
build && cdo foo
expect_rc 3

begin line-numbers-and-change
cat > "$D/orig/foo.c" <<'C'
void __might_sleep(const char *file, int line);
int foo(int x) { __might_sleep("foo.c", __LINE__); return x + 1; }
int bar(int x) { __might_sleep("foo.c", __LINE__); return x + 5; }
C
{ echo; echo; sed 's/x + 5/x + 6/' "$D/orig/foo.c"; } > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: bar$'
expect_no_line stdout 'function: foo$'

begin clones
cat > "$D/orig/foo.c" <<'C'
int exported_fn(int);
__attribute__((noinline)) static int helper(int *p, int unused) { return exported_fn(*p * 3); }
int foo(int x) { return helper(&x, 0) + 1; }
int foo2(int x) { return helper(&x, 1) + 2; }
C
sed 's/\*p \* 3/*p * 4/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
clone=$(readelf -sW "$D/orig/foo.o" | awk '$8 ~ /^helper/ {print $8; exit}')
expect_line stdout "^foo.o: changed function: ${clone//./\\.}$"
expect_no_line stdout 'function: foo2?$'
sed 's/+ 1;/+ 9;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: foo$'
expect_line dump "^klp-reloc vmlinux ${clone//./\\.} 0 "

begin special-statics
cat > "$D/orig/foo.c" <<'C'
int exported_fn(int);
int foo(int x) { static int __warned __attribute__((section(".data.once"))); if (!__warned) { __warned = 1; exported_fn(x); } return x + 1; }
C
sed 's/x + 1/x + 4/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line dump '^symbol \.data\.once __warned\.[0-9]+ LOCAL OBJECT$'
expect_no_line dump 'klp-reloc .* __warned'

begin dyndbg-partial
cat > "$D/orig/foo.c" <<'C'
struct ddebug { const char *modname, *function, *format; unsigned int line; };
void dyn_print(struct ddebug *d, const char *fmt);
#define pr_dbg(fmt) do { static struct ddebug __UNIQUE_ID_ddebug1 \
	__attribute__((section("__dyndbg"), used, aligned(8))) = { "mod", __func__, fmt, __LINE__ }; \
	dyn_print(&__UNIQUE_ID_ddebug1, fmt); } while (0)
int foo(int x) { pr_dbg("foo %d\n"); return x + 1; }
int bar(int x) { pr_dbg("bar %d\n"); return x + 2; }
int baz(int x) { pr_dbg("baz %d\n"); return x + 3; }
C
sed 's/x + 2;/x + 20;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: bar$'
expect_line dump '^section __dyndbg 32$'
expect_line dump '^symbol __dyndbg __UNIQUE_ID_ddebug1\.[0-9]+ LOCAL OBJECT$'
expect_linkable
if readelf -rW "$D/out.o" | awk '/section .\.rela__dyndbg/{f=1;next} /^$/{f=0} f' | grep -q 'bar'; then pass "descriptor points at bar's strings"; else fail "descriptor relocations"; readelf -rW "$D/out.o" | grep -A6 dyndbg; fi

begin multi-function-section
cat > "$D/orig/foo.c" <<'C'
int exported_fn(int);
__attribute__((section(".sched.text"), noinline)) static int inner(int x) { return exported_fn(x) * 2; }
__attribute__((section(".sched.text"))) int outer(int x) { return inner(x) + 1; }
__attribute__((section(".sched.text"))) int other(int x) { return x - 1; }
C
sed 's/inner(x) + 1/inner(x) + 5/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: outer$'
expect_no_line stdout 'function: (inner|other)$'
expect_line dump '^func vmlinux outer 0$'
size=$("$BIN/kpatch-dump" "$D/patched/foo.o" | awk '$1 == "section" && $2 == ".sched.text" {print $3}')
expect_line dump "^section \.sched\.text $size\$"
expect_line dump '^section __mcount_loc 24$'
expect_linkable

begin multi-function-section-shift
# growing one function of .sched.text moves the others: calls between
# them carry no relocation, their rel32 changes but not their target
cat > "$D/orig/foo.c" <<'C'
int exported_fn(int);
__attribute__((section(".sched.text"), noinline)) static int a1(int x) { return exported_fn(x) + 1; }
__attribute__((section(".sched.text"), noinline)) int grow(int x) { return exported_fn(x * 3); }
__attribute__((section(".sched.text"), noinline)) int c1(int x) { return a1(x) * 5 + a1(x + 1); }
C
sed 's/return exported_fn(x \* 3);/return exported_fn(x * 3) + exported_fn(x + 7) * 11;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 0
expect_line stdout '^foo.o: changed function: grow$'
expect_no_line stdout 'function: (a1|c1)$'
if objdump -dr "$D/orig/foo.o" | awk '/<c1>:/{f=1} f' | grep -q 'call .*<a1>'; then pass "c1 calls a1 without a relocation"; else fail "test setup: c1 does not call a1 directly"; fi
