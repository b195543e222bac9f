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

# The fuzzers' reproducers (fuzz/crashes/): every tool exits 1 with a message,
# never a signal and never a runaway output file.
for repro in "$HERE"/../fuzz/crashes/F*.o "$HERE"/../fuzz/crashes/F*.ko; do
	[ -f "$repro" ] || continue
	name=$(basename "$repro")
	rm -f "$D/out.o" "$D/out.ko"
	set +e
	( ulimit -f 65536; $VALGRIND "$BIN/create-diff-object" "$repro" "$repro" vmlinux "$D/parent.o" \
		"$D/Module.symvers" test_patch "$D/out.o" ) > "$D/stdout" 2> "$D/stderr"
	RC=$?
	( ulimit -f 65536; $VALGRIND "$BIN/create-klp-module" "$repro" "$D/out.ko" ) > /dev/null 2>> "$D/stderr"
	RC2=$?
	( ulimit -f 65536; $VALGRIND "$BIN/kpatch-dump" "$repro" ) > /dev/null 2>> "$D/stderr"
	RC3=$?
	set -e
	if [ $RC -le 3 ] && [ $RC2 -le 1 ] && [ $RC3 -le 1 ]; then
		pass "fuzz reproducer $name: create-diff-object $RC, create-klp-module $RC2, kpatch-dump $RC3"
	else
		fail "fuzz reproducer $name: create-diff-object $RC, create-klp-module $RC2, kpatch-dump $RC3"
	fi
done
