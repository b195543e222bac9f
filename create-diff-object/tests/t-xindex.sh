# More than 65280 sections: SHN_XINDEX, .symtab_shndx, e_shnum = 0.

begin many-sections
python3 "$HERE/gen-many-sections.py" 66000 1 > "$D/orig/big.s"
python3 "$HERE/gen-many-sections.py" 66000 2 > "$D/patched/big.s"
as -o "$D/orig/big.o" "$D/orig/big.s" && as -o "$D/patched/big.o" "$D/patched/big.s"
cp "$D/orig/big.o" "$D/parent.o"
if readelf -h "$D/orig/big.o" | grep -q 'Number of section headers: *0 (66012)'; then pass "input uses extended numbering"; else fail "input is not extended"; fi
VALGRIND_SAVED=$VALGRIND; VALGRIND=""	# too slow under valgrind
cdo big
VALGRIND=$VALGRIND_SAVED
expect_rc 0
expect_line stdout '^big.o: changed function: foo$'
expect_line dump '^klp-reloc vmlinux d7 0 \.text\.foo\+0xc R_X86_64_PC32 -4$'
expect_linkable
