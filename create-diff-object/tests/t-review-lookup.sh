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
