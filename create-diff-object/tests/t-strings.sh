# String literals in mergeable string sections (.rodata[.<func>].str1.N).
# GCC names such a section after the first function that uses it, so a
# changed string can move the unchanged strings of other functions (and of
# static tables of string pointers) to a section named after another
# function, or to another offset of .rodata.str1.1: only their text counts
# (Debian 6.1: loop_attr_do_show_*, xfs_stats.c xstats[]).

begin string-section-renamed-code
# "%s\n", "1", "0": .rodata.show_a.str1.1 -> .rodata.show_b.str1.1
cat > "$D/orig/foo.c" <<'C'
int emit(char *buf, const char *fmt, const char *s);
int show_a(char *b, int x) { return emit(b, "%s\n", x ? "1" : "0"); }
int show_b(char *b, int x) { return emit(b, "%s\n", x ? "1" : "0"); }
int show_c(char *b, int x) { return emit(b, "%s\n", x ? "1" : "0"); }
C
sed 's/show_a(char \*b, int x) { return emit(b, "%s\\n"/show_a(char *b, int x) { return emit(b, "%s kpatch\\n"/' \
	"$D/orig/foo.c" > "$D/patched/foo.c"
build && cdo foo
if readelf -SW "$D/orig/foo.o" | grep -q '\.rodata\.show_a\.str1\.1' &&
   readelf -SW "$D/patched/foo.o" | grep -q '\.rodata\.show_b\.str1\.1'; then
	pass "premise: the shared strings moved to .rodata.show_b.str1.1"
else
	fail "premise: gcc did not move the shared strings (string sections changed?)"
fi
expect_rc 0
expect_line stdout ': changed function: show_a$'
expect_no_line stdout ': changed function: show_[bc]$'
expect_no_line stderr 'show_[bc] changed'

begin string-section-renamed-table
# a table of pointers to strings: "qm" moves from .rodata.show_qm.str1.1+0
# to .rodata.str1.1+7; the table (.rodata.table.0) did not change
cat > "$D/orig/bar.c" <<'C'
int emit(char *buf, const char *fmt, const char *s);
int show_qm(char *b) { return emit(b, "qm", 0); }
int fmt(char *b, int i)
{
	static const struct entry { const char *desc; int end; } table[] = {
		{ "extent", 1 }, { "qm", 2 },
	};
	return emit(b, "%s", table[i].desc);
}
C
sed 's/"qm", 0/"qm kpatch", 0/' "$D/orig/bar.c" > "$D/patched/bar.c"
build && cdo bar
if readelf -rW "$D/orig/bar.o" | grep -q 'R_X86_64_64.*\.rodata\.show_qm\.str1\.1 + 0' &&
   readelf -rW "$D/patched/bar.o" | grep -q 'R_X86_64_64.*\.rodata\.str1\.1 + [1-9]'; then
	pass "premise: the table's \"qm\" moved to another section and offset"
else
	fail "premise: gcc did not move the table's \"qm\""
fi
expect_rc 0
expect_line stdout ': changed function: show_qm$'
expect_no_line stdout ': changed function: fmt$'
expect_no_line stderr 'table'

begin string-table-changed
# control: a changed string of the table is a data change (refused)
sed 's/{ "qm", 2 }/{ "qn", 2 }/' "$D/../string-section-renamed-table/orig/bar.c" > "$D/orig/bar.c"
sed 's/"qm", 0/"qm kpatch", 0/' "$D/../string-section-renamed-table/orig/bar.c" > "$D/patched/bar.c"
build && cdo bar
expect_rc 2
expect_line stderr 'table\.0 changed .*original "qn" .*patched "qm"'
expect_no_file out.o
