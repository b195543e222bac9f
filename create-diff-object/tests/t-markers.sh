# kpatch-macros.h marker sections: ignore, force, callbacks.

begin ignore-function
cat > "$D/orig/foo.c" <<'C'
int foo(int x) { return x + 1; }
int bar(int x) { return x + 10; }
C
cat > "$D/patched/foo.c" <<'C'
int foo(int x) { return x + 2; }
int bar(int x) { return x + 10; }
static void *__kpatch_ignore_func_foo __attribute__((section(".kpatch.ignore.functions"), used)) = foo;
C
build && cdo foo
expect_rc 3

begin ignore-section
cat > "$D/orig/foo.c" <<'C'
int val = 1;
int foo(int x) { return x + val; }
C
cat > "$D/patched/foo.c" <<'C'
int val = 2;
int foo(int x) { return x + val; }
static char *__kpatch_ignore_sec __attribute__((section(".kpatch.ignore.sections"), used)) = ".data.val";
C
build && cdo foo
expect_rc 3

begin callbacks
cat > "$D/orig/foo.c" <<'C'
int exported_fn(int);
int foo(int x) { return exported_fn(x) + 1; }
C
cat > "$D/patched/foo.c" <<'C'
int exported_fn(int);
int foo(int x) { return exported_fn(x) + 2; }
struct cb { void *fn; const char *objname; };
static int my_pre_patch(void *obj) { return exported_fn(7); }
static void my_post_unpatch(void *obj) { exported_fn(8); }
static struct cb __kpatch_pre __attribute__((section(".kpatch.callbacks.pre_patch"), used)) = { my_pre_patch, 0 };
static struct cb __kpatch_post __attribute__((section(".kpatch.callbacks.post_unpatch"), used)) = { my_post_unpatch, 0 };
C
build && cdo foo mymod
expect_rc 0
expect_line dump '^callback pre_patch mymod my_pre_patch$'
expect_line dump '^callback post_unpatch mymod my_post_unpatch$'
expect_line dump '^symbol \.text\.my_pre_patch my_pre_patch LOCAL FUNC$'
expect_line dump '^func mymod foo 0$'
expect_no_line dump '^func .* my_pre_patch'
expect_linkable
