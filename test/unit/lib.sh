# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - the .expect file format of the create-diff-object unit tests:
# parse_expect (setup directives) and check_expect (assertions).
# Sourced by run.sh; the format is described in test/unit/README.md.

# --------------------------------------------------------------- parsing --

# kernel_line LINE: a line "[V] rest" applies only to test kernel V
# ($TEST_KERNEL, default 6.1): prints "rest" for that kernel, nothing (status
# 1) for another; any other line is printed as it is.
kernel_line() {
	if [[ "$1" =~ ^[[:space:]]*\[([0-9.]+)\][[:space:]]+(.*)$ ]]; then
		[[ "${BASH_REMATCH[1]}" == "${TEST_KERNEL:-6.1}" ]] || return 1
		printf '%s\n' "${BASH_REMATCH[2]}"
		return 0
	fi
	printf '%s\n' "$1"
}

# parse_expect EXPECT PATCH: sets OBJECTS, PARENTS, EXTRA_KCFLAGS, CDO_ARGS,
# CDO_ENV, SKIP_REASON; PARSE_ERROR and status 1 on a malformed file.
parse_expect() {
	local expect="$1" patch="$2" lineno=0 line kw rest f
	local -a words
	OBJECTS=()
	declare -g -A PARENTS=()
	EXTRA_KCFLAGS=""
	CDO_ARGS=()
	CDO_ENV=()
	SKIP_REASON=""
	PARSE_ERROR=""

	while IFS= read -r line || [[ -n "$line" ]]; do
		lineno=$((lineno + 1))
		line="${line%%$'\r'}"
		[[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
		line="$(kernel_line "$line")" || continue
		read -r kw rest <<<"$line"
		read -r -a words <<<"$rest"
		case "$kw" in
		kernels)
			[[ " $rest " == *" ${TEST_KERNEL:-6.1} "* || -n "$SKIP_REASON" ]] ||
				SKIP_REASON="written for Linux $rest only (this run: ${TEST_KERNEL:-6.1})"
			;;
		object)
			[[ ${#words[@]} -ge 1 && ${#words[@]} -le 2 && "${words[0]}" == *.o ]] ||
				{ PARSE_ERROR="line $lineno: object PATH.o [PARENT]"; return 1; }
			OBJECTS+=("${words[0]}")
			PARENTS["${words[0]}"]="${words[1]:-vmlinux}"
			;;
		kcflags)
			EXTRA_KCFLAGS="${EXTRA_KCFLAGS:+$EXTRA_KCFLAGS }${rest//@TOP@/$TOP}"
			;;
		cdo-args)
			CDO_ARGS+=("${words[@]}")
			;;
		cdo-env)
			[[ ${#words[@]} -eq 1 && "${words[0]}" == [A-Z_]*=* ]] ||
				{ PARSE_ERROR="line $lineno: cdo-env NAME=VALUE"; return 1; }
			CDO_ENV+=("${words[0]}")
			;;
		requires-file)
			f="${rest//@TOP@/$TOP}"
			[[ "$f" == /* ]] || f="$TOP/$f"
			[[ -e "$f" || -n "$SKIP_REASON" ]] ||
				SKIP_REASON="$f does not exist yet (needed by this case)"
			;;
		esac
	done <"$expect"

	if [[ ${#OBJECTS[@]} -eq 0 ]]; then
		while IFS= read -r f; do
			[[ "$f" == *.c ]] || continue
			OBJECTS+=("${f%.c}.o")
			PARENTS["${f%.c}.o"]=vmlinux
		done < <(patch_files "$patch")
	fi
	[[ ${#OBJECTS[@]} -gt 0 ]] ||
		{ PARSE_ERROR="no object: add an 'object PATH.o [PARENT]' line"; return 1; }
	return 0
}

# ------------------------------------------------------------ assertions --

# Helpers over the result files of the current object ($R = result prefix).

out_funcs() { awk '$1 == "func" { print $3 }' "$R.dump" 2>/dev/null | sort; }
out_changed() { sed -n 's/^[^:]*: changed function: //p' "$R.stdout" | sort; }
out_new() { sed -n 's/^[^:]*: new function: //p' "$R.stdout" | sort; }
section_size() {
	awk -v n="$2" '$1 == "section" && $2 == n { print $3; found = 1; exit } END { if (!found) print -1 }' "$1"
}
# Defined symbols (kpatch-dump `symbol SECTION NAME BIND TYPE`).
dump_symbols() { awk '$1 == "symbol" { print $3, $5 }' "$1" 2>/dev/null; }

# has_symbol DUMP GLOB TYPE: a defined symbol matches (TYPE empty = any).
has_symbol() {
	local n v
	while read -r n v; do
		# shellcheck disable=SC2053
		if [[ "$n" == $2 && ( -z "$3" || "$v" == "$3" ) ]]; then
			return 0
		fi
	done < <(dump_symbols "$1")
	return 1
}

# eval_expr EXPR: integer arithmetic over FUNCS / FUNCSYMS / NEWFUNCS and
# ALT (the test kernel's struct alt_instr size: 12 on 6.1, 14 on 6.12,
# from KPATCH_SPECIAL_SIZES).
eval_expr() {
	local expr="$1"
	[[ "$expr" =~ ^[-+*/()0-9A-Z_\ ]+$ ]] || { echo "bad-expression"; return 1; }
	local FUNCS FUNCSYMS ALT
	FUNCS="$(out_funcs | wc -l)"
	FUNCSYMS="$(dump_symbols "$R.dump" | awk '$2 == "FUNC"' | wc -l)"
	ALT="$(sed -n 's/.*\.altinstructions=\([0-9]*\).*/\1/p' <<<"${KPATCH_SPECIAL_SIZES:-}")"
	# not probed: the table's size (Linux 6.1)
	[[ -n "$ALT" ]] ||
		ALT="$("$DUMP" --special-table | awk '$1 == "special" && $2 == ".altinstructions" { print $3 }')"
	echo $((expr))
}

# With --objtool-link (IBT kernels) objtool's sections never reach OUTPUT.o:
# an assertion about one of them checks that it is absent. Which sections
# objtool writes comes from create-diff-object's table of special sections
# (`kpatch-dump --special-table`, flag objtool), read once.
OBJTOOL_SECTIONS=""
# objtool_link: the case ran create-diff-object with --objtool-link (the
# last of --objtool-link / --no-objtool-link in its arguments counts)
objtool_link() {
	local a on=0
	for a in "${CDO_ARGS[@]}"; do
		case "$a" in
		--objtool-link) on=1 ;;
		--no-objtool-link) on=0 ;;
		esac
	done
	[[ $on -eq 1 ]]
}
objtool_link_section() {
	objtool_link || return 1
	[[ -n "$OBJTOOL_SECTIONS" ]] ||
		OBJTOOL_SECTIONS=" $("$DUMP" --special-table |
			awk '$1 == "special" && $14 ~ /(^|,)objtool(,|$)/ { print $2 }' | paste -sd' ' -) "
	[[ "$OBJTOOL_SECTIONS" == *" $1 "* ]]
}
# is_placeholder NAME: with --objtool-link, NAME is the placeholder of a
# livepatch relocation (an undefined symbol that create-klp-module removes)
is_placeholder() {
	objtool_link &&
		awk -v n="${1#__kpatch_placeholder.}" '$1 == "klp-reloc" && $3 == n { f = 1 } END { exit !f }' "$R.dump"
}

# premise_broken MESSAGE: a premise (orig-*) does not hold. The cases are
# written for 6.1: there it is a failure (update the case); on another test
# kernel the compiler made other code and the case does not apply (SKIP).
premise_broken() {
	if [[ "${TEST_KERNEL:-6.1}" == 6.1 ]]; then
		fail_msg "$1"
	else
		PREMISE_SKIPS+=("$1")
	fi
}

# set_difference A B: words in A not in B (both newline lists).
words_equal() {
	[[ "$(printf '%s\n' $1 | sort -u | grep -v '^$' || true)" == \
	   "$(printf '%s\n' $2 | sort -u | grep -v '^$' || true)" ]]
}

fail_msg() { FAILS+=("$*"); }

# error_messages STDERR: the messages of create-diff-object's ERROR lines
# ("PROG: ERROR: [unsupported change: ]MESSAGE" -> MESSAGE), one a line.
error_messages() {
	sed -n -e 's/^[^ :]*: ERROR: unsupported change: //p; t' -e 's/^[^ :]*: ERROR: //p' "$1" 2>/dev/null
}

# consistency_checks OBJ: facts every OUTPUT.o must satisfy.
consistency_checks() {
	local o="$1" n defined undefs
	defined="$(dump_symbols "$R.dump" | awk '{ print $1 }' | sort -u)"
	# every .kpatch.funcs entry is a function defined in OUTPUT.o
	for n in $(out_funcs); do
		grep -qxF "$n" <<<"$defined" ||
			fail_msg "$o: .kpatch.funcs names $n, which OUTPUT.o does not define"
	done
	# a klp relocation never targets something OUTPUT.o defines itself
	for n in $(awk '$1 == "klp-reloc" { print $3 }' "$R.dump" | sort -u); do
		grep -qxF "$n" <<<"$defined" &&
			fail_msg "$o: klp-reloc to $n, which OUTPUT.o defines itself"
	done
	# every reported changed function gets a .kpatch.funcs entry
	for n in $(out_changed); do
		out_funcs | grep -qxF "$n" ||
			fail_msg "$o: $n is reported changed but has no .kpatch.funcs entry"
	done
	# a plain undefined symbol must be exported (Module.symvers) or be
	# defined by another object of the same patch (resolved by ld -r)
	undefs="$(awk '$7 == "UND" && NF >= 8 { print $8 }' "$R.readelf-s" | sort -u)"
	for n in $undefs; do
		grep -qF "	$n	" "$KBUILD/Module.symvers" && continue
		grep -qsx "$n" "$WORK/defined-globals" && continue
		is_placeholder "$n" && continue
		fail_msg "$o: $n is a plain undefined symbol of OUTPUT.o but nothing exports it (must be a klp relocation)"
	done
	return 0
}

# generic_checks OBJ: contract checks that hold for every run.
generic_checks() {
	local o="$1" rc
	rc="$(cat "$R.rc")"
	if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|== ERROR SUMMARY: [1-9]|definitely lost: [1-9]' \
		"$R.stderr" 2>/dev/null; then
		fail_msg "$o: sanitizer/valgrind report: $(grep -m1 -E 'ERROR:|runtime error:|ERROR SUMMARY|definitely lost' "$R.stderr")"
	fi
	if [[ "$rc" -ge 97 ]]; then
		fail_msg "$o: create-diff-object exit $rc (crash, signal or sanitizer): $(tail -n1 "$R.stderr")"
		return
	fi
	if [[ "$rc" == 0 ]]; then
		if [[ ! -f "$R.out.o" ]]; then
			fail_msg "$o: exit 0 but no OUTPUT.o"
			return
		fi
		if [[ -s "$R.dump.err" ]]; then
			fail_msg "$o: kpatch-dump: $(head -n1 "$R.dump.err")"
		fi
		if readelf -aW "$R.out.o" 2>&1 >/dev/null | grep -qiE 'error|warning'; then
			fail_msg "$o: readelf complains about OUTPUT.o: $(readelf -aW "$R.out.o" 2>&1 >/dev/null | head -n1)"
		fi
		if ! ld -m elf_x86_64 -r -o "$R.ld-r.o" "$R.out.o" >"$R.ld-r.log" 2>&1; then
			fail_msg "$o: ld -r rejects OUTPUT.o: $(head -n1 "$R.ld-r.log")"
		fi
		rm -f "$R.ld-r.o"
		consistency_checks "$o"
	else
		if compgen -G "$R.out.o*" >/dev/null; then
			fail_msg "$o: exit $rc but an output file was left: $(compgen -G "$R.out.o*" | head -n1)"
		fi
		if [[ "$rc" == 1 || "$rc" == 2 ]] && [[ ! -s "$R.stderr" ]]; then
			fail_msg "$o: exit $rc without a message on stderr"
		fi
	fi
}

# assert OBJ KW ARGS...: one assertion line.
assert_line() {
	local o="$1" kw="$2" rc n v min
	shift 2
	local -a a=("$@")
	rc="$(cat "$R.rc")"
	case "$kw" in
	exit)
		if [[ "$rc" != "${a[0]}" ]]; then
			fail_msg "$o: exit $rc, expected ${a[0]}: $(grep -v '^$' "$R.stderr" | head -n2 | tr '\n' ' ')"
			return 1	# the other assertions would only add noise
		fi
		;;
	changed)
		out_changed | grep -qxF "${a[0]}" || fail_msg "$o: '${a[0]}' not reported as changed (changed: $(out_changed | tr '\n' ' '))" ;;
	not-changed)
		out_changed | grep -qxF "${a[0]}" && fail_msg "$o: '${a[0]}' reported as changed" ;;
	changed-exactly)
		words_equal "${a[*]}" "$(out_changed)" ||
			fail_msg "$o: changed functions are [$(out_changed | tr '\n' ' ')], expected [${a[*]}]" ;;
	new)
		out_new | grep -qxF "${a[0]}" || fail_msg "$o: '${a[0]}' not reported as new (new: $(out_new | tr '\n' ' '))" ;;
	new-exactly)
		words_equal "${a[*]}" "$(out_new)" ||
			fail_msg "$o: new functions are [$(out_new | tr '\n' ' ')], expected [${a[*]}]" ;;
	func)
		grep -qxF "func ${a[*]}" "$R.dump" 2>/dev/null ||
			fail_msg "$o: no 'func ${a[*]}' (have: $(grep '^func ' "$R.dump" 2>/dev/null | cut -d' ' -f2- | tr '\n' ';'))" ;;
	no-func)
		out_funcs | grep -qxF "${a[0]}" && fail_msg "$o: '${a[0]}' is in .kpatch.funcs but must not be" ;;
	funcs-exactly)
		words_equal "${a[*]}" "$(out_funcs)" ||
			fail_msg "$o: .kpatch.funcs has [$(out_funcs | tr '\n' ' ')], expected [${a[*]}]" ;;
	klp-reloc)
		awk -v o="${a[0]}" -v n="${a[1]}" -v p="${a[2]}" \
			'$1 == "klp-reloc" && $2 == o && $3 == n && $4 == p { f = 1 } END { exit !f }' "$R.dump" 2>/dev/null ||
			fail_msg "$o: no klp-reloc ${a[*]} (have: $(awk '$1 == "klp-reloc" && $3 == n { print $2, $3, $4 }' n="${a[1]}" "$R.dump" 2>/dev/null | sort -u | tr '\n' ';'))" ;;
	no-klp-reloc)
		awk -v n="${a[0]}" '$1 == "klp-reloc" && $3 == n { f = 1 } END { exit !f }' "$R.dump" 2>/dev/null &&
			fail_msg "$o: '${a[0]}' must not be a klp-reloc" ;;
	undef)
		awk -v n="${a[0]}" '$7 == "UND" && $5 == "GLOBAL" && $8 == n { f = 1 } END { exit !f }' "$R.readelf-s" 2>/dev/null ||
			fail_msg "$o: '${a[0]}' is not an undefined global symbol of OUTPUT.o" ;;
	no-undef)
		is_placeholder "${a[0]}" && return 0
		awk -v n="${a[0]}" '$7 == "UND" && $8 == n { f = 1 } END { exit !f }' "$R.readelf-s" 2>/dev/null &&
			fail_msg "$o: '${a[0]}' must not be an undefined symbol of OUTPUT.o" ;;
	symbol)
		# symbol GLOB [TYPE]: a defined symbol of OUTPUT.o
		has_symbol "$R.dump" "${a[0]}" "${a[1]:-}" ||
			fail_msg "$o: no defined symbol '${a[0]}'${a[1]:+ of type ${a[1]}} in OUTPUT.o" ;;
	no-symbol)
		has_symbol "$R.dump" "${a[0]}" "" &&
			fail_msg "$o: '${a[0]}' must not be defined in OUTPUT.o" ;;
	symbol-offset)
		# symbol-offset NAME N: OUTPUT.o defines NAME at offset N of its section
		awk -v n="${a[0]}" -v v="${a[1]}" '$7 != "UND" && $8 == n && strtonum("0x" $2) == v { f = 1 } END { exit !f }' "$R.readelf-s" 2>/dev/null ||
			fail_msg "$o: '${a[0]}' is not defined at offset ${a[1]} of its section (have: $(awk -v n="${a[0]}" '$8 == n { print "0x" $2 }' "$R.readelf-s" | tr '\n' ' '))" ;;
	orig-symbol)
		# premise: the ORIGINAL object defines a symbol matching GLOB
		has_symbol "$R.orig-dump" "${a[0]}" "${a[1]:-}" ||
			premise_broken "$o: premise broken: the original object has no symbol '${a[0]}' (update the case)" ;;
	section-present|section-size|section-min|section-max)
		if objtool_link_section "${a[0]}"; then
			[[ "$(section_size "$R.dump" "${a[0]}")" -lt 0 ]] ||
				fail_msg "$o: section ${a[0]} must not be in OUTPUT.o with --objtool-link (objtool makes it for the module)"
			return 0
		fi
		if [[ "$kw" == section-present ]]; then
			[[ "$(section_size "$R.dump" "${a[0]}")" -ge 0 ]] || fail_msg "$o: no section ${a[0]} in OUTPUT.o"
			return 0
		fi
		assert_sizes "$o" "$kw" "${a[@]}" ;;
	orig-section-min)
		objtool_link_section "${a[0]}" && return 0	# not in the objects
		assert_sizes "$o" "$kw" "${a[@]}" ;;
	section-absent)
		[[ "$(section_size "$R.dump" "${a[0]}")" -lt 0 ]] || fail_msg "$o: section ${a[0]} must not be in OUTPUT.o" ;;
	section-same-count)
		# section-same-count A ENTSIZE_A B ENTSIZE_B: as many entries in A as in B
		local sa sb
		sa="$(section_size "$R.dump" "${a[0]}")"
		sb="$(section_size "$R.dump" "${a[2]}")"
		if objtool_link_section "${a[0]}" && objtool_link_section "${a[2]}"; then
			[[ "$sa" -lt 0 && "$sb" -lt 0 ]] ||
				fail_msg "$o: ${a[0]} and ${a[2]} must not be in OUTPUT.o with --objtool-link"
			return 0
		fi
		if [[ "$sa" -lt 0 || "$sb" -lt 0 || $((sa % a[1])) -ne 0 || $((sb % a[3])) -ne 0 ||
		      $((sa / a[1])) -ne $((sb / a[3])) ]]; then
			fail_msg "$o: ${a[0]} ($sa bytes / ${a[1]}) and ${a[2]} ($sb bytes / ${a[3]}) do not have the same number of entries"
		fi ;;
	string|no-string)
		# string TEXT: OUTPUT.o contains the bytes TEXT (e.g. a string literal)
		if grep -qaF -- "${*}" "$R.out.o" 2>/dev/null; then
			[[ "$kw" == no-string ]] && fail_msg "$o: OUTPUT.o contains the string '${*}'"
		else
			[[ "$kw" == string ]] && fail_msg "$o: OUTPUT.o lacks the string '${*}'"
		fi ;;
	callback)
		grep -qxF "callback ${a[*]}" "$R.dump" 2>/dev/null ||
			fail_msg "$o: no 'callback ${a[*]}' (have: $(grep '^callback ' "$R.dump" 2>/dev/null | tr '\n' ';'))" ;;
	reason)
		# reason REGEX: the message of create-diff-object's ERROR line
		# (after "ERROR: " and, for a refusal, "unsupported change: ")
		# matches the extended regular expression REGEX
		local msgs
		msgs="$(error_messages "$R.stderr")"
		if [[ -z "$msgs" ]]; then
			fail_msg "$o: no ERROR line on stderr, expected a reason matching /${*}/"
		elif ! grep -qE -- "${*}" <<<"$msgs"; then
			fail_msg "$o: the reason does not match /${*}/: $(head -n1 <<<"$msgs" | cut -c1-300)"
		fi ;;
	stdout-contains|stdout-lacks|stderr-contains|stderr-lacks|dump-contains|dump-lacks)
		local text="${*}" f="$R.stdout"
		[[ "$kw" == stderr-* ]] && f="$R.stderr"
		[[ "$kw" == dump-* ]] && f="$R.dump"
		if [[ "$kw" == *-contains ]]; then
			grep -qF -- "$text" "$f" 2>/dev/null ||
				fail_msg "$o: ${kw%-contains} lacks '$text'$([[ "$kw" == stderr-* ]] && echo " (stderr: $(head -c 300 "$f" | tr '\n' ' '))")"
		else
			grep -qF -- "$text" "$f" 2>/dev/null && fail_msg "$o: ${kw%-lacks} contains '$text'"
		fi ;;
	*)
		fail_msg "unknown assertion '$kw'" ;;
	esac
	return 0
}

# assert_sizes OBJ KW NAME EXPR: section-size/-min/-max, orig-section-min.
assert_sizes() {
	local o="$1" kw="$2" file="$R.dump" want have
	shift 2
	local -a a=("$@")
	[[ "$kw" == orig-section-min ]] && file="$R.orig-dump"
	want="$(eval_expr "${a[*]:1}")" || { fail_msg "$o: bad expression '${a[*]:1}'"; return 0; }
	have="$(section_size "$file" "${a[0]}")"
	case "$kw" in
	section-size) [[ "$have" -eq "$want" ]] ;;
	section-max) [[ "$have" -le "$want" ]] ;;
	*) [[ "$have" -ge "$want" ]] ;;
	esac && return 0
	if [[ "$kw" == orig-* ]]; then
		premise_broken "$o: premise broken: $kw ${a[0]} ${a[*]:1} (= $want): size is $have"
	else
		fail_msg "$o: $kw ${a[0]} ${a[*]:1} (= $want): size is $have"
	fi
}

# link_outputs: like kpatch-build, `ld -r` all outputs of the case together
# (duplicate definitions between the objects' outputs fail here).
link_outputs() {
	local o outs=()
	for o in "${OBJECTS[@]}"; do
		[[ -f "$WORK/res/$o.out.o" ]] && outs+=("$WORK/res/$o.out.o")
	done
	[[ ${#outs[@]} -gt 1 ]] || return 0
	if ! ld -m elf_x86_64 -r -o "$WORK/res/combined.o" "${outs[@]}" >"$WORK/res/combined.log" 2>&1; then
		FAILS+=("ld -r of all outputs fails: $(head -n1 "$WORK/res/combined.log")")
	fi
	rm -f "$WORK/res/combined.o"
}

# check_expect EXPECT: run every assertion; CHECK_ERROR and status 1 on
# failure, status 2 when a premise does not hold on a test kernel other
# than 6.1 (the case does not apply there).
check_expect() {
	local expect="$1" line kw rest cur="" o skip_obj="" has_exit
	local -a words
	FAILS=()
	PREMISE_SKIPS=()
	declare -A EXIT_SEEN=() EXIT_WANT=() REASON_SEEN=()

	# globals defined by any output of this patch (ld -r resolves them)
	for o in "${OBJECTS[@]}"; do
		awk '$7 != "UND" && $5 == "GLOBAL" && NF >= 8 { print $8 }' \
			"$WORK/res/$o.readelf-s" 2>/dev/null
	done | sort -u >"$WORK/defined-globals"
	for o in "${OBJECTS[@]}"; do
		R="$WORK/res/$o"
		generic_checks "$o"
	done
	[[ ${#OBJECTS[@]} -eq 1 ]] && cur="${OBJECTS[0]}"
	link_outputs


	while IFS= read -r line || [[ -n "$line" ]]; do
		line="${line%%$'\r'}"
		[[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
		line="$(kernel_line "$line")" || continue
		read -r kw rest <<<"$line"
		read -r -a words <<<"$rest"
		case "$kw" in
		object) cur="${words[0]}"; skip_obj=""; continue ;;
		kcflags|cdo-args|cdo-env|requires-file|kernels) continue ;;
		esac
		if [[ -z "$cur" ]]; then
			FAILS+=("assertion '$line' before any 'object' line")
			continue
		fi
		# (recorded even when the object's exit assertion failed)
		[[ "$kw" == exit ]] && EXIT_WANT["$cur"]="${words[0]:-}"
		[[ "$kw" == reason ]] && REASON_SEEN["$cur"]=1
		[[ "$skip_obj" == "$cur" ]] && continue
		R="$WORK/res/$cur"
		[[ "$kw" == exit ]] && EXIT_SEEN["$cur"]=1
		case "$kw" in
		stdout-*|stderr-*|dump-*|string|no-string|reason) assert_line "$cur" "$kw" "$rest" || skip_obj="$cur" ;;
		*) assert_line "$cur" "$kw" "${words[@]}" || skip_obj="$cur" ;;
		esac
	done <"$expect"

	# Without an `exit` line the object must succeed.
	for o in "${OBJECTS[@]}"; do
		R="$WORK/res/$o"
		has_exit="${EXIT_SEEN[$o]:-}"
		[[ -n "$has_exit" ]] || assert_line "$o" exit 0 || true
		# A refusal (exit 2) or an error (exit 1) must say which one:
		# the exit code alone cannot tell the reasons apart.
		case "${EXIT_WANT[$o]:-0}" in
		1|2)
			[[ -n "${REASON_SEEN[$o]:-}" ]] ||
				fail_msg "$o: exit ${EXIT_WANT[$o]} is expected but no 'reason REGEX' line says why (the message create-diff-object must print)" ;;
		esac
	done

	if [[ ${#PREMISE_SKIPS[@]} -gt 0 ]]; then
		CHECK_ERROR="on $TEST_KERNEL, ${PREMISE_SKIPS[0]#*: }"
		return 2
	fi
	if [[ ${#FAILS[@]} -gt 0 ]]; then
		CHECK_ERROR="${FAILS[0]}"
		[[ ${#FAILS[@]} -gt 1 ]] && CHECK_ERROR+=" (+$((${#FAILS[@]} - 1)) more: ${FAILS[1]})"
		printf '%s\n' "${FAILS[@]}" >"$WORK/failures.txt"
		return 1
	fi
	return 0
}
