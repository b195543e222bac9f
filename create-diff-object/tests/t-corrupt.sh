# Corrupt or wrong input: exit 1 with a message, never a crash, no output.

begin corrupt
cat > "$D/orig/foo.c" <<'C'
int exported_fn(int);
int foo(int x) { return exported_fn(x) + 1; }
C
sed 's/+ 1/+ 2/' "$D/orig/foo.c" > "$D/patched/foo.c"
build
good="$D/orig/foo.o"
echo "this is not an ELF file" > "$D/notelf.o"
head -c $(( $(stat -c %s "$good") * 6 / 10 )) "$good" > "$D/truncated.o"
for mode in symshndx symsize relasym reloffset shstrndx shoff relalink relainfo relaself; do
	python3 "$HERE/corrupt.py" $mode "$good" "$D/$mode.o"
done
: > "$D/empty.o"
for bad in notelf truncated empty symshndx symsize relasym reloffset shstrndx shoff relalink relainfo relaself; do
	for side in orig patched; do
		rm -f "$D/out.o"
		if [ $side = orig ]; then a="$D/$bad.o"; b="$D/patched/foo.o"; else a="$good"; b="$D/$bad.o"; fi
		set +e
		$VALGRIND "$BIN/create-diff-object" "$a" "$b" vmlinux "$D/parent.o" "$D/Module.symvers" \
			test_patch "$D/out.o" > "$D/stdout" 2> "$D/stderr"
		RC=$?
		set -e
		if [ $RC = 1 ] && grep -q 'ERROR' "$D/stderr" && [ ! -e "$D/out.o" ] && [ ! -e "$D/out.o.tmp" ]; then
			pass "$bad as $side: exit 1, message, no output"
		else
			fail "$bad as $side: exit $RC"; cat "$D/stderr"
		fi
	done
	set +e
	$VALGRIND "$BIN/kpatch-dump" "$D/$bad.o" > /dev/null 2> "$D/stderr"; RC=$?
	set -e
	if [ $RC = 1 ]; then pass "kpatch-dump $bad: exit 1"; else fail "kpatch-dump $bad: exit $RC"; fi
done
# a corrupt parent or missing Module.symvers
set +e
"$BIN/create-diff-object" "$good" "$D/patched/foo.o" vmlinux "$D/notelf.o" "$D/Module.symvers" test_patch "$D/out.o" > /dev/null 2> "$D/stderr"; RC=$?
set -e
if [ $RC = 1 ] && [ ! -e "$D/out.o" ]; then pass "bad parent: exit 1"; else fail "bad parent: exit $RC"; fi
set +e
"$BIN/create-diff-object" "$good" "$D/patched/foo.o" vmlinux "$D/parent.o" "$D/nonexistent" test_patch "$D/out.o" > /dev/null 2> "$D/stderr"; RC=$?
set -e
if [ $RC = 1 ] && [ ! -e "$D/out.o" ]; then pass "missing symvers: exit 1"; else fail "missing symvers: exit $RC"; fi
set +e
"$BIN/create-diff-object" "$good" > /dev/null 2>&1; RC=$?
set -e
if [ $RC = 1 ]; then pass "usage error: exit 1"; else fail "usage error: exit $RC"; fi
