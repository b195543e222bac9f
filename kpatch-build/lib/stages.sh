# SPDX-License-Identifier: GPL-2.0
# stages.sh - kpatch-build's stages, in the order main() runs them:
#
#   setup_cache       CACHEDIR, lock, build.log, traps
#   locate_target     the kernel (lib/kernel.sh, lib/debian.sh), checks, names
#   setup_workspace   scratch dirs, which tree is patched, repair a killed run
#   read_patches      PATCH_FILES; every patch must apply
#   prepare_trees     the mirror and the prepared object dir
#   choose_objects    PLAN_*: which objects, or a full build
#   build_original    ORIG/<obj>
#   build_patched     PATCHED/<obj>; the mirror and obj dir are restored
#   diff_objects      create-diff-object per object -> DIFF_OUTPUTS, PARENT_NAMES
#   build_module      OUTDIR/NAME.ko
#
# The build plan (set by choose_objects, read by the build stages):
#   PLAN_FULL      1: full build of TARGETS, objects found by make
#   PLAN_OBJECTS   the objects to compile (for a full build: found after it)
#   PLAN_COBJECTS  the objects of the touched .c files
#   PLAN_HEADERS   the touched headers

setup_cache() {
	CACHEDIR="${CACHEDIR:-$HOME/.kpatch}"
	mkdir -p "$CACHEDIR"
	CACHEDIR="$(readlink -f "$CACHEDIR")"
	take_lock
	LOGFILE="$CACHEDIR/build.log"
	: >"$LOGFILE"
	echo "$PROG $VERSION: $*" >>"$LOGFILE"
	trap cleanup EXIT
	trap 'on_signal 130' INT
	trap 'on_signal 143' TERM
}

locate_target() {
	locate_kernel
	check_config
	check_compiler

	[[ -n "$NAME" ]] || NAME="$(module_name_from "${PATCHES[0]}")"
	NAME="$(sanitize_name "$NAME")"
	[[ -n "$NAME" ]] || die "empty module name"
	case "$NAME" in
	kpatch-patch-hook|kpatch-patch-objs) die "module name '$NAME' is reserved" ;;
	esac
	MODNAME="$(kernel_modname "$NAME")"
	mkdir -p "$OUTDIR" || die "cannot create output directory $OUTDIR"
	OUTDIR="$(readlink -f "$OUTDIR")"
}

setup_workspace() {
	KCFLAGS="$KCFLAGS_BASE -I$CACHEDIR/include"
	OBJ="$CACHEDIR/obj"
	OBJ_DIRTY="$CACHEDIR/obj.dirty"
	ORIG="$CACHEDIR/orig"
	PATCHED="$CACHEDIR/patched"
	OUTPUT="$CACHEDIR/output"
	TMPDIR_KP="$CACHEDIR/tmp"
	KMIRROR="$CACHEDIR/src"
	rm -rf "$TMPDIR_KP" "$ORIG" "$PATCHED" "$OUTPUT"
	mkdir -p "$TMPDIR_KP" "$ORIG" "$PATCHED" "$OUTPUT" "$CACHEDIR/include"
	# The patch-author headers, at a fixed place so KCFLAGS never change.
	local h
	for h in "$KMODDIR"/*.h; do
		cmp -s "$h" "$CACHEDIR/include/$(basename "$h")" || cp "$h" "$CACHEDIR/include/"
	done

	# The tree the patches are applied to: the kernel mirror, or a private
	# copy of the out-of-tree module's source.
	if [[ -n "$OOT_MODULE" ]]; then
		OOT_MIRROR="$CACHEDIR/oot-src"
		PATCH_ORIGIN="$OOT_MODULE_SRC"
		PATCH_MIRROR="$OOT_MIRROR"
		PATCH_JOURNAL="$CACHEDIR/oot-src.touched"
		OBJBASE="$OOT_MIRROR"
	else
		PATCH_ORIGIN="$SRCDIR"
		PATCH_MIRROR="$KMIRROR"
		PATCH_JOURNAL="$CACHEDIR/src.touched"
		OBJBASE="$OBJ"
	fi
	# A previous run that was killed may have left the mirror patched.
	if [[ -f "$CACHEDIR/src.touched" ]]; then
		if [[ "$(cat "$KMIRROR.origin" 2>/dev/null)" == "$SRCDIR" ]]; then
			kp_mirror_restore "$KMIRROR" "$SRCDIR" "$CACHEDIR/src.touched" ||
				die "could not repair the mirror $KMIRROR after an interrupted run; remove it"
		fi
		rm -f "$CACHEDIR/src.touched"
	fi
	rm -f "$CACHEDIR/oot-src.touched"
	repair_obj
}

read_patches() {
	mapfile -t PATCH_FILES < <(kp_patch_paths "${PATCHES[@]}")
	[[ ${#PATCH_FILES[@]} -gt 0 ]] || die "no file changes found in ${PATCHES[*]}"
	say "Testing patch file(s)"
	check_patches
}

# Every patch must apply, in order, before anything is built: try them on
# private copies of the files they touch.
check_patches() {
	local dir="$TMPDIR_KP/patch-test" f p
	mkdir -p "$dir"
	for f in "${PATCH_FILES[@]}"; do
		if [[ -e "$PATCH_ORIGIN/$f" ]]; then
			mkdir -p "$dir/$(dirname "$f")"
			cp "$PATCH_ORIGIN/$f" "$dir/$f"
		fi
	done
	for p in "${PATCHES[@]}"; do
		if ! kp_patch_apply "$dir" "$p" >"$TMPDIR_KP/patch-test.log" 2>&1; then
			sed 's/^/    | /' "$TMPDIR_KP/patch-test.log" >&2
			cat "$TMPDIR_KP/patch-test.log" >>"$LOGFILE"
			die "patch $(basename "$p") does not apply to $PATCH_ORIGIN (patch -p1 --dry-run failed; is it for this kernel version?)"
		fi
		# A livepatch module exports nothing: the export tables are not
		# carried over, so a new EXPORT_SYMBOL would silently do nothing.
		if grep -qE '^\+.*EXPORT_SYMBOL' "$p"; then
			warn "$(basename "$p") adds an EXPORT_SYMBOL: a livepatch does not export symbols, other modules will not see it"
		fi
	done
	rm -rf "$dir"
}

# The mirror of the source tree (made again when the tree changed, and
# then the cached objects go too) and the prepared object dir.
prepare_trees() {
	local recreated=0
	if kp_mirror_is_current "$SRCDIR" "$KMIRROR"; then
		echo "mirror $KMIRROR of $SRCDIR is current" >>"$LOGFILE"
	else
		say "Creating source mirror $KMIRROR"
		# Cached objects may be older than sources that changed with
		# old timestamps (tar, cp -p).
		[[ -d "$KMIRROR" ]] && recreated=1
		rm -f "$KMIRROR.origin" "$KMIRROR.stamp" "$KMIRROR.fingerprint" "$KMIRROR.mode"
		# (taken before linking: a file changed meanwhile makes the
		# next run link again, never the reverse)
		local mode fingerprint
		fingerprint="$(kp_tree_fingerprint "$SRCDIR")"
		mode="$(kp_mirror_link "$SRCDIR" "$KMIRROR")" || die "cannot copy $SRCDIR into $KMIRROR"
		[[ "$mode" == link ]] ||
			warn "cannot hard-link $SRCDIR into $KMIRROR (another file system?); made a full copy instead (slower)"
		echo "$mode" >"$KMIRROR.mode"
		# An in-tree build (.config, include/config) makes the tree
		# unusable as the source of an O= build; clean the mirror
		# (unlinking is harmless).
		if [[ -f "$KMIRROR/.config" || -d "$KMIRROR/include/config" ]]; then
			say "Cleaning the mirror of in-tree build files (make mrproper)"
			run_logged make -C "$KMIRROR" mrproper ||
				die "make mrproper failed in the mirror $KMIRROR"
		fi
		echo "$SRCDIR" >"$KMIRROR.origin"
		echo "$fingerprint" >"$KMIRROR.fingerprint"
	fi
	if [[ -n "$OOT_MODULE" ]]; then
		rm -rf "$OOT_MIRROR"
		cp -a "$OOT_MODULE_SRC" "$OOT_MIRROR"
	fi
	prepare_obj
	if [[ $recreated -eq 1 && -d "$OBJ" ]]; then
		echo "source tree changed: dropping the cached objects of $OBJ" >>"$LOGFILE"
		find "$OBJ" -name '*.o' -not -path "$OBJ/scripts/*" -not -path '*/tools/*' -delete
		rm -f "$OBJ/.kpatch-full-build" "$OBJ/.kpatch-built-objs"
	fi
}

# Which objects to build: the touched .c files' objects that the target
# config builds (kbuild says so, with the target's config), and for
# touched headers the objects that include them (from the kernel build
# dir's dependency lists). Anything else, or -t, needs a full build of the
# original and the patched tree.
choose_objects() {
	local f o how
	local cfiles=() others=()
	PLAN_FULL=0
	PLAN_OBJECTS=()
	PLAN_COBJECTS=()
	PLAN_HEADERS=()
	[[ ${#TARGETS[@]} -gt 0 ]] && PLAN_FULL=1
	for f in "${PATCH_FILES[@]}"; do
		case "$f" in
		*.c) cfiles+=("$f") ;;
		*.h) PLAN_HEADERS+=("$f") ;;
		Documentation/*|tools/*|*.rst|*.txt|*.md|MAINTAINERS|CREDITS|README)
			echo "$f does not take part in the kernel build" >>"$LOGFILE" ;;
		*) others+=("$f"); PLAN_FULL=1 ;;
		esac
	done
	if [[ -n "$OOT_MODULE" ]]; then
		[[ $PLAN_FULL -eq 0 && ${#PLAN_HEADERS[@]} -eq 0 ]] ||
			die "out-of-tree module patches may change .c files only (touched: ${PATCH_FILES[*]})"
		for f in "${cfiles[@]}"; do PLAN_OBJECTS+=("${f%.c}.o"); done
		PLAN_COBJECTS=("${PLAN_OBJECTS[@]}")
		return 0
	fi
	if [[ ${#cfiles[@]} -gt 0 ]]; then
		local objs=() skipped=()
		for f in "${cfiles[@]}"; do objs+=("${f%.c}.o"); done
		local built hint
		built="$(built_objects "${objs[@]}")" ||
			{ log_tail; die "asking kbuild which objects the config builds failed (see $LOGFILE)"; }
		while read -r o how; do
			if [[ "$how" == n ]]; then
				hint="$(config_hint "$o")"
				warn "${o%.o}.c: not built with this config${hint:+ ($hint)}; leaving it out"
				skipped+=("${o%.o}.c")
			else
				PLAN_COBJECTS+=("$o")
			fi
		done <<<"$built"
		if [[ ${#PLAN_COBJECTS[@]} -eq 0 && ${#PLAN_HEADERS[@]} -eq 0 && $PLAN_FULL -eq 0 ]]; then
			die "nothing to build: every file the patch changes is not built with this config (${skipped[*]})"
		fi
	fi
	PLAN_OBJECTS=("${PLAN_COBJECTS[@]}")
	[[ $PLAN_FULL -eq 1 ]] && return 0
	if [[ ${#PLAN_HEADERS[@]} -gt 0 ]]; then
		local deps
		if deps="$(header_dependents "${PLAN_HEADERS[@]}")"; then
			mapfile -t PLAN_OBJECTS < <(printf '%s\n' "${PLAN_OBJECTS[@]}" $deps | sed '/^$/d' | sort -u)
			say "Headers ${PLAN_HEADERS[*]} are used by ${#PLAN_OBJECTS[@]} object(s) of the running kernel"
		else
			say "No dependency lists in $KBUILD for ${PLAN_HEADERS[*]}: full build"
			PLAN_FULL=1
		fi
	fi
	return 0
}

build_original() {
	say "Building original source"
	if [[ $PLAN_FULL -eq 0 ]]; then
		[[ ${#PLAN_OBJECTS[@]} -gt 0 ]] ||
			die "nothing to compare: no object of this kernel is built from the patched files (${PATCH_FILES[*]})"
		if original_objects_current "${PLAN_OBJECTS[@]}"; then
			echo "original objects are current in $OBJBASE: no make needed" >>"$LOGFILE"
			save_objects "$ORIG" "${PLAN_OBJECTS[@]}"
			return 0
		fi
		compile_objects "$ORIG" "${PLAN_OBJECTS[@]}" ||
			{ log_tail; die "building the original objects failed (see $LOGFILE)"; }
		return 0
	fi
	[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(vmlinux modules)
	local fullkey="$OBJ_KEY ${TARGETS[*]}"
	if [[ "$(cat "$OBJ/.kpatch-full-build" 2>/dev/null)" != "$fullkey" ]]; then
		say "Full build of ${TARGETS[*]} (cached for later runs)"
		rm -f "$OBJ/.kpatch-full-build"
		kernel_make "${TARGETS[@]}" || { log_tail; die "the full build of the original source failed"; }
		echo "$fullkey" >"$OBJ/.kpatch-full-build"
	fi
	mapfile -t PLAN_OBJECTS < <(kp_objects_depending_on "$OBJ" "$KMIRROR/" "${PATCH_FILES[@]}")
	save_objects "$ORIG" "${PLAN_OBJECTS[@]}"
}

build_patched() {
	say "Building patched source"
	MIRROR_DIRTY=1
	kp_mirror_break "$PATCH_MIRROR" "$PATCH_JOURNAL" "${PATCH_FILES[@]}" ||
		die "cannot replace the mirror's links of ${PATCH_FILES[*]} by copies"
	local p
	for p in "${PATCHES[@]}"; do
		echo "+ patch -p1 < $p" >>"$LOGFILE"
		kp_patch_apply "$PATCH_MIRROR" "$p" >>"$LOGFILE" 2>&1 ||
			die "patch $(basename "$p") failed to apply in the mirror"
	done
	kp_keep_lines "$PATCH_MIRROR" "$PATCH_ORIGIN" "${PATCH_FILES[@]}" >>"$LOGFILE" 2>&1 ||
		die "keeping the original line numbers of ${PATCH_FILES[*]} failed (see $LOGFILE)"
	touch "$OBJ_DIRTY"
	if [[ $PLAN_FULL -eq 0 ]]; then
		build_patched_objects
	else
		build_patched_full
	fi
	kp_mirror_restore "$PATCH_MIRROR" "$PATCH_ORIGIN" "$PATCH_JOURNAL" ||
		die "could not restore the mirror $PATCH_MIRROR; remove it"
	MIRROR_DIRTY=0
	restore_obj
	check_crcs "${PLAN_OBJECTS[@]}"
}

build_patched_objects() {
	local rest=("${PLAN_OBJECTS[@]}")
	if [[ ${#PLAN_HEADERS[@]} -gt 0 && ${#PLAN_COBJECTS[@]} -gt 0 ]]; then
		# The touched .c files first: an exported interface change
		# (CRC) is refused before the header's other users are built.
		compile_objects "$PATCHED" "${PLAN_COBJECTS[@]}" ||
			{ log_tail; die "building the patched objects failed; does the patched source compile? (see $LOGFILE)"; }
		check_crcs "${PLAN_COBJECTS[@]}"
		mapfile -t rest < <(printf '%s\n' "${PLAN_OBJECTS[@]}" | grep -vxF -f <(printf '%s\n' "${PLAN_COBJECTS[@]}"))
	fi
	if [[ ${#rest[@]} -gt 0 ]]; then
		compile_objects "$PATCHED" "${rest[@]}" ||
			{ log_tail; die "building the patched objects failed; does the patched source compile? (see $LOGFILE)"; }
	fi
}

build_patched_full() {
	local path
	kernel_make "${TARGETS[@]}" || { log_tail; die "the build of the patched source failed"; }
	PLAN_OBJECTS=()
	while IFS= read -r path; do
		path="${path#"$OBJ"/}"
		is_compiled_object "$OBJ" "$path" || continue
		if [[ ! -f "$ORIG/$path" ]]; then
			warn "$path was rebuilt but has no original copy (a new file?); skipping it"
			continue
		fi
		PLAN_OBJECTS+=("$path")
	done < <(find "$OBJ" -name '*.o' -newer "$OBJ_DIRTY" | sort)
	save_objects "$PATCHED" "${PLAN_OBJECTS[@]}"
	[[ ${#PLAN_OBJECTS[@]} -gt 0 ]] || die "nothing to compare: the build of the patched source rebuilt no object"
}

# create-diff-object per object; sets DIFF_OUTPUTS and PARENT_NAMES.
diff_objects() {
	say "Extracting new and modified ELF sections"
	probe_special_sizes
	local o rc parent pname pelf cdo_opts=()
	local -A seen=()
	[[ $DEBUG -ge 1 ]] && cdo_opts+=(-d)
	[[ ${OBJTOOL_LINK:-0} -eq 1 ]] && cdo_opts+=(--objtool-link)
	DIFF_OUTPUTS=()
	PARENT_NAMES=()
	for o in "${PLAN_OBJECTS[@]}"; do
		parent="$(find_parent "$o")" || exit 1
		read -r pname pelf <<<"$parent"
		mkdir -p "$OUTPUT/$(dirname "$o")"
		echo "+ $CDO ${cdo_opts[*]} $ORIG/$o $PATCHED/$o $pname $pelf $SYMVERS $MODNAME $OUTPUT/$o" >>"$LOGFILE"
		rc=0
		"$CDO" "${cdo_opts[@]}" "$ORIG/$o" "$PATCHED/$o" "$pname" "$pelf" "$SYMVERS" \
			"$MODNAME" "$OUTPUT/$o" >"$TMPDIR_KP/cdo.out" 2>"$TMPDIR_KP/cdo.err" || rc=$?
		cat "$TMPDIR_KP/cdo.out" "$TMPDIR_KP/cdo.err" >>"$LOGFILE"
		case "$rc" in
		0)
			grep -E ': (changed|new) function: ' "$TMPDIR_KP/cdo.out" || true
			[[ -f "$OUTPUT/$o" ]] || die "create-diff-object succeeded on $o but wrote no $OUTPUT/$o"
			DIFF_OUTPUTS+=("$OUTPUT/$o")
			if [[ -z "${seen[$pname]:-}" ]]; then
				seen[$pname]=1
				PARENT_NAMES+=("$pname")
			fi
			;;
		3)
			echo "$o: no functional changes" >>"$LOGFILE"
			;;
		2)
			sed 's/^/    /' "$TMPDIR_KP/cdo.err" >&2
			die "$o: create-diff-object refused the change (see above); the patch cannot be livepatched as it is"
			;;
		*)
			sed 's/^/    /' "$TMPDIR_KP/cdo.err" >&2
			die "$o: create-diff-object failed (exit $rc)"
			;;
		esac
	done
	[[ ${#DIFF_OUTPUTS[@]} -gt 0 ]] || die "no functional changes found: create-diff-object found none in the ${#PLAN_OBJECTS[@]} compiled object(s)"
	say "Patched objects: ${PARENT_NAMES[*]}"
}

# With IBT, objtool validates the linked patch module and writes its ORC,
# return, call and retpoline sites. Linux 6.12's objtool does not fail the
# build on errors and stops writing those sections at the first one, so any
# objtool message about the module is fatal here.
check_objtool() {
	local from="$1" lines
	[[ ${OBJTOOL_LINK:-0} -eq 1 ]] || return 0
	lines="$(tail -n +"$from" "$LOGFILE" | grep -E 'objtool' | grep -vE '^\+ |^  (LD|CC|MODPOST|OBJTOOL)' || true)"
	[[ -z "$lines" ]] && return 0
	echo "$lines" | sed 's/^/    | /' >&2
	die "objtool reported problems in the patch module $NAME.ko (above); its unwind and mitigation tables would be incomplete. Please report this with the patch and $LOGFILE"
}

build_module() {
	say "Building patch module: $NAME.ko"
	local kdir="$TMPDIR_KP/kmod" vermagic
	mkdir -p "$kdir"
	cp "$KMODDIR"/* "$kdir/"
	echo "+ ld -r -o $kdir/kpatch-patch-objs.o ${DIFF_OUTPUTS[*]}" >>"$LOGFILE"
	ld -m elf_x86_64 -r -o "$kdir/kpatch-patch-objs.o" "${DIFF_OUTPUTS[@]}" >>"$LOGFILE" 2>&1 ||
		{ log_tail; die "linking the create-diff-object outputs failed"; }
	# modpost reads symbol versions from every object's .cmd file.
	echo >"$kdir/.kpatch-patch-objs.o.cmd"
	local kmake=(make -C "$KBUILD" M="$kdir" KPATCH_NAME="$NAME" KBUILD_MODPOST_WARN=1 -j"$JOBS")
	[[ $NON_REPLACE -eq 1 ]] && kmake+=(KPATCH_NON_REPLACE=1)
	local logstart
	logstart=$(($(wc -l <"$LOGFILE") + 1))
	run_logged "${kmake[@]}" || { log_tail; die "building the patch module $NAME.ko failed"; }
	[[ -f "$kdir/$NAME.ko" ]] || die "kbuild did not produce $kdir/$NAME.ko"
	check_objtool "$logstart"

	echo "+ $CKM $kdir/$NAME.ko $kdir/$NAME.klp.ko" >>"$LOGFILE"
	"$CKM" "$kdir/$NAME.ko" "$kdir/$NAME.klp.ko" >>"$LOGFILE" 2>&1 ||
		{ log_tail; die "create-klp-module failed on $NAME.ko"; }
	check_exports "$kdir/$NAME.klp.ko"
	# The module is for the target kernel, whatever the source tree says.
	vermagic="$(modinfo -F vermagic "$kdir/$NAME.klp.ko" 2>/dev/null || true)"
	[[ "${vermagic%% *}" == "$KREL" ]] ||
		die "$NAME.ko has vermagic '$vermagic', not the target release $KREL; is $KBUILD the build dir of that kernel?"

	cp "$kdir/$NAME.klp.ko" "$OUTDIR/$NAME.ko.tmp"
	mv -f "$OUTDIR/$NAME.ko.tmp" "$OUTDIR/$NAME.ko"
}
