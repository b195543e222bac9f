# SPDX-License-Identifier: GPL-2.0
# build.sh - kpatch-build: compiling objects in the cached object dir,
# the checks between the builds (CRCs, exports) and the special-section
# size probe. Sourced by kpatch-build; uses its die/warn/say/run_logged.

kernel_make() {
	run_logged make -C "$KMIRROR" O="$OBJ" -j"$JOBS" KERNELRELEASE="$KREL" KCFLAGS="$KCFLAGS" "$@"
}

# kernel_make_objects TARGET...: build single targets (objects) in the
# prepared $OBJ without kbuild's prelude (kp_prepared_make).
kernel_make_objects() {
	local pre
	mapfile -t pre < <(kp_prepared_make "$KMIRROR" "$OBJ")
	run_logged make "${pre[@]}" -j"$JOBS" KERNELRELEASE="$KREL" KCFLAGS="$KCFLAGS" "$@"
}

# The key of a prepared object dir: source, release, config, compiler.
obj_key() {
	{
		echo "recipe $RECIPE"
		echo "src $SRCDIR"
		echo "release $KREL"
		sed -n '1,6p' "$SRCDIR/Makefile"
		sha256sum <"$CONFIGFILE"
		echo "$COMPILER"
		echo "$KCFLAGS"
	} | sha256sum | cut -c1-16
}

prepare_obj() {
	local rc=0
	OBJ_KEY="$(obj_key)"
	[[ -f "$OBJ/.kpatch-prepared" && "$(cat "$OBJ/.kpatch-prepared")" == "$OBJ_KEY" ]] ||
		say "Preparing the object directory $OBJ (cached for later runs)"
	kp_obj_prepare "$KMIRROR" "$OBJ" "$CONFIGFILE" "$OBJ_KEY" \
		run_logged make -j"$JOBS" KERNELRELEASE="$KREL" KCFLAGS="$KCFLAGS" || rc=$?
	case $rc in
	0) echo "object dir $OBJ is prepared (key $OBJ_KEY)" >>"$LOGFILE" ;;
	10) ;;
	*) rm -f "$OBJ/.kpatch-prepared"; log_tail
	   die "preparing $OBJ (make olddefconfig modules_prepare) failed" ;;
	esac
	local mine
	mine="$(kbuild_release "$OBJ")"
	[[ "$mine" == "$KREL" ]] ||
		die "the object dir $OBJ was prepared for release '$mine', not the target's $KREL"
}

# A killed run may have left patched objects in $OBJ: drop them so that
# make rebuilds them from the original sources.
repair_obj() {
	[[ -f "$OBJ_DIRTY" ]] || return 0
	say "Repairing $OBJ after an interrupted run"
	if [[ -d "$OBJ" ]]; then
		find "$OBJ" -name '*.o' -newer "$OBJ_DIRTY" -delete 2>/dev/null || true
		rm -f "$OBJ/.kpatch-full-build"
	fi
	rm -f "$OBJ_DIRTY"
}

# is_compiled_object BASE OBJECT: only objects compiled from source are
# candidates (no link products, nothing that cannot be livepatched).
is_compiled_object() {
	local base="$1" o="$2" cmd
	case "$o" in
	*.mod.o|vmlinux.o|.tmp_*|*/.tmp_*|init/version.o|scripts/*|tools/*|usr/*|\
	arch/x86/boot/*|arch/x86/realmode/*|arch/x86/entry/vdso/*|arch/x86/purgatory/*)
		return 1 ;;
	esac
	cmd="$base/$(kp_cmd_file_of "$o")"
	[[ -f "$cmd" ]] || return 1
	head -n1 "$cmd" | grep -q -- ' -c -o '
}

# The prefix of source paths in the kernel build dir's .cmd files: the
# absolute source tree and a slash for an O= build, nothing for a kernel
# built in its source tree.
kbuild_src_prefix() {
	if [[ -L "$KBUILD/source" ]]; then
		echo "$(readlink -f "$KBUILD/source")/"
	elif [[ "$KBUILD" == "$SRCDIR" || -f "$KBUILD/kernel/fork.c" ]]; then
		echo ""
	else
		return 1
	fi
}

# Objects of the running kernel that include one of the given headers,
# from the dependency lists of the kernel build dir: these are the only
# objects a header change can affect, so no full build is needed.
header_dependents() {
	local prefix o
	prefix="$(kbuild_src_prefix)" || return 1
	[[ -n "$(find "$KBUILD" -maxdepth 2 -name '.*.o.cmd' -print -quit)" ]] || return 1
	while IFS= read -r o; do
		is_compiled_object "$KBUILD" "$o" && echo "$o"
	done < <(kp_objects_depending_on "$KBUILD" "$prefix" "$@")
	return 0
}

# save_objects DIR OBJECT...: copy objects (and their .cmd) from $OBJBASE.
save_objects() {
	local dir="$1" o
	shift
	for o in "$@"; do
		[[ -f "$OBJBASE/$o" ]] || continue
		mkdir -p "$dir/$(dirname "$o")"
		cp -p "$OBJBASE/$o" "$dir/$o"
		cp -p "$OBJBASE/$(kp_cmd_file_of "$o")" "$dir/$o.cmd" 2>/dev/null || : >"$dir/$o.cmd"
	done
}

# Put the original objects back into $OBJ (older than their sources once
# the mirror is restored, so make keeps them), drop other patched objects.
restore_obj() {
	[[ -f "$OBJ_DIRTY" ]] || return 0
	local o
	while IFS= read -r o; do
		o="${o#"$OBJBASE"/}"
		if [[ -f "$ORIG/$o" ]]; then
			cp -p "$ORIG/$o" "$OBJBASE/$o"
			cp -p "$ORIG/$o.cmd" "$OBJBASE/$(kp_cmd_file_of "$o")" 2>/dev/null || true
		else
			rm -f "$OBJBASE/$o"
		fi
	done < <(find "$OBJBASE" -name '*.o' -newer "$OBJ_DIRTY" 2>/dev/null)
	rm -f "$OBJ_DIRTY"
}

# compile_objects DEST OBJECT...: compile the objects in $OBJBASE and copy
# them with their .cmd files to DEST. For the patched build the objects are
# deleted first so that make really rebuilds them. The original build
# lets make decide: $OBJBASE only ever holds objects of the original
# sources between runs (restore_obj, repair_obj), so an object that is up
# to date there is reused (a header change affects many objects).
compile_objects() {
	local dest="$1" o
	shift
	if [[ "$dest" == "$PATCHED" ]]; then
		for o in "$@"; do rm -f "$OBJBASE/$o"; done
	fi
	if [[ -n "$OOT_MODULE" ]]; then
		run_logged make -C "$OBJ" M="$OOT_MIRROR" -j"$JOBS" KCFLAGS="$KCFLAGS" "$@" ||
			return 1
	else
		kernel_make_objects "$@" || return 1
	fi
	for o in "$@"; do
		[[ -f "$OBJBASE/$o" ]] || { echo "make did not produce $o" >>"$LOGFILE"; return 1; }
	done
	save_objects "$dest" "$@"
}

# built_objects OBJECT...: kp_built_objects for the target's config, each
# answer cached in $OBJ/.kpatch-built-objs ("OBJECT y|m|n"; the object dir
# and so the cache go when the source, config or compiler change), so a
# rerun asks kbuild (a make with its whole prelude) only about new objects.
built_objects() {
	local cache="$OBJ/.kpatch-built-objs" o how ask=()
	local -A known=()
	if [[ -f "$cache" ]]; then
		while read -r o how; do known[$o]="$how"; done <"$cache"
	fi
	for o in "$@"; do [[ -n ${known[$o]:-} ]] || ask+=("$o"); done
	if [[ ${#ask[@]} -gt 0 ]]; then
		local answer
		answer="$(kp_built_objects "$KMIRROR" "$OBJ" make -j"$JOBS" KERNELRELEASE="$KREL" \
			KCFLAGS="$KCFLAGS" -- "${ask[@]}" 2>>"$LOGFILE")" || return 1
		while read -r o how; do
			[[ -n $o ]] || continue
			known[$o]="$how"
			echo "$o $how" >>"$cache"
		done <<<"$answer"
	else
		echo "kbuild's answer for $* is cached in $cache" >>"$LOGFILE"
	fi
	for o in "$@"; do echo "$o ${known[$o]}"; done
}

# original_objects_current OBJECT...: status 0 when every object is in the
# kernel object dir from an earlier run, newer than its source, with its
# .cmd, and the dir holds no patched object: make would rebuild nothing, so
# its prelude (syncconfig, objtool, ...: seconds) is not needed. Out-of-tree
# module builds always run make (their tree is a fresh copy).
original_objects_current() {
	local o src
	[[ -z "$OOT_MODULE" && ! -f "$OBJ_DIRTY" ]] || return 1
	for o in "$@"; do
		src="$KMIRROR/${o%.o}.c"
		[[ -f "$OBJ/$o" && -f "$OBJ/$(kp_cmd_file_of "$o")" ]] || return 1
		[[ ! -f "$src" || "$OBJ/$o" -nt "$src" ]] || return 1
	done
}

# config_hint OBJECT: the CONFIG_ option that the object's directory (or an
# ancestor) lists it under, for the "not built" message; empty if unsure.
config_hint() {
	local o="$1" dir name mk opt
	dir="$(dirname "$o")"
	name="$(basename "$o")"
	while [[ "$dir" != . && -n "$dir" ]]; do
		for mk in "$KMIRROR/$dir/Kbuild" "$KMIRROR/$dir/Makefile"; do
			[[ -f "$mk" ]] || continue
			opt="$(grep -oE "^obj-\\\$\((CONFIG_[A-Za-z0-9_]+)\)[[:space:]]*[+:]?=.*(^|[[:space:]])${name//./\\.}([[:space:]]|$)" "$mk" |
				sed -n 's/^obj-\$(\(CONFIG_[A-Za-z0-9_]*\)).*/\1/p' | head -n1)"
			if [[ -n "$opt" && "$(config_value "$opt")" != y && "$(config_value "$opt")" != m ]]; then
				echo "$opt is not set"
				return 0
			fi
			break
		done
		name="$(basename "$dir")/"
		dir="$(dirname "$dir")"
	done
}

# Compare the MODVERSIONS CRCs (#SYMVER lines of the .cmd files) of the
# original and patched objects: a changed CRC means a changed exported ABI.
check_crcs() {
	local o sym crc old
	[[ $MODVERSIONS -eq 1 ]] || return 0
	for o in "$@"; do
		while read -r _ sym crc; do
			old="$(sed -n "s/^#SYMVER $sym //p" "$ORIG/$o.cmd" | head -n1)"
			if [[ -n "$old" && "$old" != "$crc" ]]; then
				die "$o: the patch changes the symbol version (CRC $old -> $crc) of the exported symbol '$sym' (its prototype or a type it uses changed); modules built against it would break, so it cannot be livepatched. Keep the exported interface unchanged."
			fi
		done < <(grep '^#SYMVER ' "$PATCHED/$o.cmd" 2>/dev/null || true)
	done
}

# Every undefined symbol of the final module must be exported by the
# running kernel: vmlinux, or (with a warning) a module the patch patches.
check_exports() {
	local ko="$1" sym owner bad=0
	declare -A exports=()
	while IFS=$'\t' read -r _ sym owner _; do
		exports[$sym]="$owner"
	done <"$SYMVERS"
	while read -r sym; do
		case "$sym" in
		.klp.sym.*) continue ;;
		esac
		owner="${exports[$sym]:-}"
		if [[ -z "$owner" ]]; then
			echo "ERROR: $(basename "$ko"): undefined symbol '$sym' is not exported by the running kernel ($SYMVERS); it must be reached through a livepatch relocation" >&2
			bad=1
		elif [[ "$owner" != vmlinux ]]; then
			if [[ " ${PARENT_NAMES[*]} " == *" $(kernel_modname "${owner##*/}") "* ]]; then
				warn "$(basename "$ko") uses '$sym' exported by module ${owner##*/}; the patch module will depend on it"
			else
				echo "ERROR: $(basename "$ko"): symbol '$sym' comes from module ${owner##*/}, which the patch does not patch; the patch module would depend on it" >&2
				bad=1
			fi
		fi
	done < <(nm -u "$ko" | awk '{ print $2 }')
	[[ $bad -eq 0 ]] || die "the patch module $(basename "$ko") references symbols the running kernel does not export"
}

# Entry sizes of the special sections, from the target kernel's own headers:
# kmod/probe/kpatch-sizes.c compiled to assembly against the kernel build
# tree prints "->NAME SIZE" lines, which `kpatch-dump --special-sizes`
# turns into section=size pairs through create-diff-object's table of
# special sections; create-diff-object reads them from KPATCH_SPECIAL_SIZES.
# The answer is cached in $CACHEDIR/sizes/, keyed by the build dir, its
# Module.symvers and .config, the probe's source and the table: it changes
# only with the kernel.
probe_special_sizes() {
	local pdir="$TMPDIR_KP/probe" sizes key cached
	key="$( { echo "$KBUILD"; cat "$KMODDIR/../probe/"*; "$KDUMP" --special-table
		  cat "$KBUILD/.config" "$KBUILD/include/generated/utsrelease.h" 2>/dev/null
		  stat -c '%s %Y' "$SYMVERS"; } | sha256sum | cut -c1-16)"
	cached="$CACHEDIR/sizes/$key"
	if [[ -s "$cached" ]]; then
		KPATCH_SPECIAL_SIZES="$(cat "$cached")"
		export KPATCH_SPECIAL_SIZES
		echo "special section entry sizes (cached, $cached): $KPATCH_SPECIAL_SIZES" >>"$LOGFILE"
		return 0
	fi
	mkdir -p "$pdir"
	cp "$KMODDIR/../probe/"* "$pdir/" ||
		die "the size probe (kmod/probe/kpatch-sizes.c) is missing next to $KMODDIR"
	run_logged make -C "$KBUILD" M="$pdir" kpatch-sizes.s ||
		{ log_tail; die "compiling the special-section size probe against $KBUILD failed; is the kernel build tree complete (make modules_prepare)?"; }
	sizes="$("$KDUMP" --special-sizes "$pdir/kpatch-sizes.s")" ||
		die "reading the special-section size probe's output ($pdir/kpatch-sizes.s) failed"
	[[ "$sizes" == *__ex_table=* ]] ||
		die "the special-section size probe printed no sizes (see $pdir/kpatch-sizes.s)"
	export KPATCH_SPECIAL_SIZES="$sizes"
	echo "special section entry sizes (from the kernel headers): $sizes" >>"$LOGFILE"
	mkdir -p "$CACHEDIR/sizes" && echo "$sizes" >"$cached.tmp" && mv "$cached.tmp" "$cached"
}
