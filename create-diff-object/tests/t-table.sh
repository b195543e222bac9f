# The table of special sections (special_table.c): kpatch-dump prints it,
# create-diff-object reads the sizes it names, the size probe's output is
# turned into KPATCH_SPECIAL_SIZES through it.

begin special-table
"$BIN/kpatch-dump" --special-table > "$D/table" 2> "$D/stderr" && RC=0 || RC=$?
expect_rc 0
expect_line table '^special __bug_table 12 probe BUG_STRUCT_SIZE __bug_table 0 - - - - 8 code keep,compared$'
expect_line table '^special \.altinstructions 12 probe ALT_STRUCT_SIZE altinstructions 0 4 \.altinstr_replacement 11 - - code keep,compared$'
expect_line table '^special \.static_call_sites 8 probe STATIC_CALL_STRUCT_SIZE static_call_sites 0 - - - 4 - code keep,compared,objtool,key$'
expect_line table '^special \.orc_unwind 6 probe ORC_STRUCT_SIZE orc_unwind - - - - - - orc_ip keep,objtool$'
if awk 'NF != 14 || $1 != "special" { bad = 1 } END { exit bad }' "$D/table"; then
	pass "every row has 14 fields"; else fail "a row without 14 fields"; fi

# every size variable the table names is the one create-diff-object reads
cat > "$D/orig/foo.c" <<'C'
int foo(int x) { return x + 1; }
C
sed 's/+ 1;/+ 2;/' "$D/orig/foo.c" > "$D/patched/foo.c"
build
bad=""
for v in $(awk '$5 != "-" { print $5 }' "$D/table"); do
	rc=0
	env "$v=abc" "$BIN/create-diff-object" "$D/orig/foo.o" "$D/patched/foo.o" vmlinux \
		"$D/parent.o" "$D/Module.symvers" test_patch "$D/out.o" > /dev/null 2> "$D/stderr.$v" || rc=$?
	[ $rc = 1 ] && grep -q "^create-diff-object: ERROR: $v: bad size 'abc'" "$D/stderr.$v" || bad="$bad $v"
done
if [ -z "$bad" ]; then pass "create-diff-object reads every ENV of the table"; else fail "not read:$bad"; fi
# KPATCH_SPECIAL_SIZES takes every kept row at its table size
sizes=$(awk '$14 ~ /keep/ { printf "%s%s=%s", n++ ? "," : "", $2, $3 }' "$D/table")
KPATCH_SPECIAL_SIZES="$sizes" cdo foo
expect_rc 0
expect_line stdout 'changed function: foo$'

begin special-sizes
# the probe's assembly (kmod/probe/kpatch-sizes.c), Linux 6.1 and 6.12
cat > "$D/6.1.s" <<'S'
	.file	"kpatch-sizes.c"
.ascii "->__bug_table $12 sizeof(struct bug_entry)"	#
.ascii "->__jump_table $16 sizeof(struct jump_entry)"	#
.ascii "->__ex_table $12 sizeof(struct exception_table_entry)"	#
.ascii "->altinstructions $12 sizeof(struct alt_instr)"	#
.ascii "->parainstructions $16 sizeof(struct paravirt_patch_site)"	#
.ascii "->static_call_sites $8 sizeof(struct static_call_site)"	#
.ascii "->orc_unwind $6 sizeof(struct orc_entry)"	#
.ascii "->__mcount_loc $8 sizeof(unsigned long)"	#
S
"$BIN/kpatch-dump" --special-sizes "$D/6.1.s" > "$D/sizes" 2> "$D/stderr" && RC=0 || RC=$?
expect_rc 0
expect_line sizes '^__bug_table=12,__jump_table=16,__ex_table=12,\.altinstructions=12,\.parainstructions=16,\.static_call_sites=8,\.orc_unwind=6,__mcount_loc=8$'
sed -e '/parainstructions/d' -e 's/altinstructions \$12/altinstructions $14/' "$D/6.1.s" > "$D/6.12.s"
"$BIN/kpatch-dump" --special-sizes "$D/6.12.s" > "$D/sizes" 2> "$D/stderr" && RC=0 || RC=$?
expect_rc 0
expect_line sizes '^__bug_table=12,__jump_table=16,__ex_table=12,\.altinstructions=14,\.static_call_sites=8,\.orc_unwind=6,__mcount_loc=8$'
printf '.ascii "->no_such_table $4 sizeof(int)"\n' >> "$D/6.12.s"
"$BIN/kpatch-dump" --special-sizes "$D/6.12.s" > "$D/sizes" 2> "$D/stderr" && RC=0 || RC=$?
expect_rc 1
expect_line stderr "6\.12\.s: line 9: the size probe printed 'no_such_table', which the special-section table .* does not know"
