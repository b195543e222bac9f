# Changes a livepatch cannot carry: exit 2 with a message naming the symbol.

begin refuse-data
cat > "$D/orig/foo.c" <<'C'
int val = 1;
int foo(int x) { return x + val; }
C
sed 's/val = 1/val = 2/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 2
expect_line stderr 'foo.o: section \.data\.val: data val changed'
expect_no_file out.o

begin refuse-read-mostly
cat > "$D/orig/foo.c" <<'C'
__attribute__((section(".data..read_mostly"))) int rm = 1;
int foo(int x) { return x + rm; }
C
sed 's/rm = 1/rm = 5/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 2
expect_line stderr '__read_mostly'

begin refuse-init
cat > "$D/orig/foo.c" <<'C'
int exported_fn(int);
__attribute__((section(".init.text"))) int init_fn(void) { return exported_fn(1); }
C
sed 's/exported_fn(1)/exported_fn(2)/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 2
expect_line stderr 'section \.init\.text: __init/__exit function init_fn changed'

begin refuse-notrace
cat > "$D/orig/foo.c" <<'C'
__attribute__((no_instrument_function)) int foo(int x) { return x + 1; }
C
sed 's/x + 1/x + 2/' "$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
expect_rc 2
expect_line stderr 'changed function foo has no ftrace entry'

begin refuse-static-local-removed
cat > "$D/orig/foo.c" <<'C'
int foo(int x) { static int count; count += x; return count; }
C
cat > "$D/patched/foo.c" <<'C'
int foo(int x) { return x * 2; }
C
build && cdo foo
expect_rc 2
expect_line stderr 'static local variable count\.[0-9]+ used by foo'

begin refuse-missing-in-parent
cat > "$D/orig/foo.c" <<'C'
int foo(int x) { return x + 1; }
C
sed 's/x + 1/x + 3/' "$D/orig/foo.c" > "$D/patched/foo.c"
build
echo 'int unrelated(void) { return 0; }' > "$D/other/u.c" && cc_obj "$D/other/u.c" && ld -r -o "$D/parent.o" "$D/other/u.o"
cdo foo
expect_rc 2
expect_line stderr 'function foo not found in vmlinux'
