# SPDX-License-Identifier: GPL-2.0
# mirror.sh - the source mirror, the O= object dir and the files a patch
# touches. Sourced by kpatch-build and test/unit/run.sh (bash; no global state: every
# function takes the directories it works on as arguments).
#
# A mirror is a hard-link copy of a source tree. Hard links share the file
# with the user's tree, so nothing may ever write into a mirror file in
# place: a file to be patched is first replaced by a private copy
# (kp_mirror_break) and put back as a link (kp_mirror_restore) afterwards.
# A journal file lists the replaced files, so that a run that was killed is
# repaired by the next one.
#
# Functions return non-zero on failure and print why on stderr; they never
# exit.

# kp_patch_paths PATCH...: the files -p1 patches touch (created, changed or
# deleted), relative to the tree, sorted, one per line.
kp_patch_paths() {
	awk '
		/^--- / { old = $2; sub(/\t.*/, "", old); getline;
			  if ($0 !~ /^\+\+\+ /) next;
			  new = $2; sub(/\t.*/, "", new);
			  if (old != "/dev/null") { sub(/^[^\/]*\//, "", old); print old }
			  if (new != "/dev/null") { sub(/^[^\/]*\//, "", new); print new } }
	' "$@" | sort -u
}

# kp_patch_creates PATCH FILE: does PATCH create FILE (--- /dev/null)?
kp_patch_creates() {
	grep -B1 -E "^\+\+\+ [^/]*/$2([[:space:]]|$)" "$1" | grep -q '^--- /dev/null'
}

# kp_mirror_link ORIGIN MIRROR: make MIRROR a link farm of ORIGIN (without
# .git). Prints "link", or "copy" when hard links are impossible (another
# file system) and a full copy was made instead.
kp_mirror_link() {
	local origin="$1" mirror="$2" entry e
	rm -rf "$mirror"
	mkdir -p "$mirror" || return 1
	for entry in "$origin"/* "$origin"/.[!.]* "$origin"/..?*; do
		[[ -e "$entry" ]] || continue
		[[ "$(basename "$entry")" == .git ]] && continue
		cp -al "$entry" "$mirror/" 2>/dev/null && continue
		rm -rf "$mirror"
		mkdir -p "$mirror" || return 1
		for e in "$origin"/* "$origin"/.[!.]* "$origin"/..?*; do
			[[ -e "$e" ]] || continue
			[[ "$(basename "$e")" == .git ]] && continue
			cp -a "$e" "$mirror/" || return 1
		done
		echo copy
		return 0
	done
	echo link
}

# kp_tree_fingerprint ORIGIN: one line that changes when any entry of
# ORIGIN (without .git) is added, removed, replaced by another file (a new
# inode: rsync, cp -a, git checkout, a restored cache) or modified (mtime).
# Timestamps alone miss a tree replaced by copies that keep their old
# mtimes; inodes alone miss an edit in place.
kp_tree_fingerprint() {
	local origin="$1"
	find "$origin" -path "$origin/.git" -prune -o -printf '%P %i %T@\n' | md5sum | cut -d' ' -f1
}

# kp_mirror_is_current ORIGIN MIRROR: MIRROR was made from ORIGIN
# (MIRROR.origin) and ORIGIN's fingerprint is the one taken when MIRROR was
# made (MIRROR.fingerprint).
kp_mirror_is_current() {
	local origin="$1" mirror="$2"
	[[ -d "$mirror" && -f "$mirror.fingerprint" &&
	   "$(cat "$mirror.origin" 2>/dev/null)" == "$origin" ]] || return 1
	[[ "$(kp_tree_fingerprint "$origin")" == "$(cat "$mirror.fingerprint")" ]]
}

# kp_mirror_break MIRROR JOURNAL FILE...: note each file in JOURNAL, then
# replace its hard link by a private copy (files the patch creates do not
# exist yet and are only noted).
kp_mirror_break() {
	local mirror="$1" journal="$2" f
	shift 2
	for f in "$@"; do
		echo "$f" >>"$journal" || return 1
		[[ -e "$mirror/$f" ]] || continue
		cp -p "$mirror/$f" "$mirror/$f.kpatch-tmp" &&
			mv -f "$mirror/$f.kpatch-tmp" "$mirror/$f" || return 1
	done
}

# kp_mirror_restore MIRROR ORIGIN JOURNAL: every file in JOURNAL becomes a
# hard link of ORIGIN's file again (or disappears if the patch created it);
# JOURNAL is removed.
kp_mirror_restore() {
	local mirror="$1" origin="$2" journal="$3" f
	[[ -f "$journal" ]] || return 0
	while IFS= read -r f; do
		[[ -n "$f" ]] || continue
		rm -f "$mirror/$f.kpatch-tmp" "$mirror/$f.orig" "$mirror/$f.rej"
		if [[ -e "$origin/$f" ]]; then
			mkdir -p "$(dirname "$mirror/$f")"
			ln -f "$origin/$f" "$mirror/$f" 2>/dev/null ||
				cp -p "$origin/$f" "$mirror/$f" || return 1
		else
			rm -f "$mirror/$f"
		fi
	done <"$journal"
	rm -f "$journal"
}

# kp_patch_apply DIR PATCH: apply a -p1 patch in DIR (output on stdout).
# The single place where a patch is applied, for every caller.
kp_patch_apply() {
	patch -d "$1" -p1 --forward --no-backup-if-mismatch -r - -s <"$2"
}

# kp_mirror_apply MIRROR JOURNAL PATCH: break the links of the files PATCH
# touches, then apply it. A file it names must exist unless it creates it.
kp_mirror_apply() {
	local mirror="$1" journal="$2" patch="$3" f files=()
	mapfile -t files < <(kp_patch_paths "$patch")
	for f in "${files[@]}"; do
		if [[ ! -e "$mirror/$f" ]] && ! kp_patch_creates "$patch" "$f"; then
			echo "$patch names $f, which is not in the source tree $mirror" >&2
			return 1
		fi
	done
	kp_mirror_break "$mirror" "$journal" "${files[@]}" || return 1
	kp_patch_apply "$mirror" "$patch"
}

# ------------------------------------------------------------ object dir

# kp_cmd_file_of OBJECT: kbuild's command file of an object (.NAME.o.cmd).
kp_cmd_file_of() {
	echo "$(dirname "$1")/.$(basename "$1").cmd"
}

# kp_obj_prepare MIRROR OBJDIR CONFIG KEY MAKE...: make OBJDIR an O= object
# dir of MIRROR for CONFIG (olddefconfig modules_prepare), unless
# OBJDIR/.kpatch-prepared already holds KEY. MAKE... is the command that
# runs make (e.g. "make -s -j2", or a logging wrapper and its arguments).
# Returns 0 when it was already prepared, 10 when it prepared it now, 1 on
# failure.
kp_obj_prepare() {
	local mirror="$1" obj="$2" config="$3" key="$4"
	shift 4
	if [[ -f "$obj/.kpatch-prepared" && "$(cat "$obj/.kpatch-prepared")" == "$key" ]]; then
		return 0
	fi
	rm -rf "$obj"
	mkdir -p "$obj" || return 1
	cp "$config" "$obj/.config" || return 1
	"$@" -C "$mirror" O="$obj" ARCH=x86_64 olddefconfig || return 1
	"$@" -C "$mirror" O="$obj" ARCH=x86_64 modules_prepare || return 1
	echo "$key" >"$obj/.kpatch-prepared"
	return 10
}

# kp_prepared_make MIRROR OBJDIR: the make arguments that build single
# targets (objects, kpatch-objs.lst) in an object dir kp_obj_prepare has
# prepared, without kbuild's prelude: make runs in OBJDIR with the
# mirror's Makefile (what the O= wrapper re-runs) and "-o prepare" takes
# the prepare target (syncconfig, objtool, resolve_btfids, checksyscalls:
# seconds on every make) as done. The objects and .cmd files are the same
# byte for byte as with the prelude. One word per line (for mapfile).
kp_prepared_make() {
	printf '%s\n' -C "$2" -f "$1/Makefile" -o prepare
}

# kp_objects_depending_on BASE PREFIX FILE...: the objects under the build
# dir BASE whose .cmd file names PREFIXFILE as its source ("source_X := ...")
# or in its dependency list (fixdep writes "  path \" lines). PREFIX is the
# source tree with a trailing slash for an O= build, empty for an in-tree
# build (relative paths).
kp_objects_depending_on() {
	local base="$1" prefix="$2" f
	shift 2
	local args=()
	for f in "$@"; do args+=(-e " $prefix$f \\" -e ":= $prefix$f"); done
	grep -rlF --include='.*.o.cmd' "${args[@]}" "$base" 2>/dev/null |
		sed -e "s|^$base/||" -e 's|\(.*/\)\{0,1\}\.\([^/]*\.o\)\.cmd$|\1\2|' | sort -u
}

# kp_built_objects MIRROR OBJDIR MAKE... -- OBJECT...: ask kbuild (with the
# config of the prepared OBJDIR) how each object is built: prints "OBJECT y" (into
# vmlinux), "OBJECT m" (into a module) or "OBJECT n" (not at all: its
# directory is not visited or does not list it). A compiled single object
# would be built whatever the config says, so this is the only test of
# what a full build would build.
kp_built_objects() {
	local mirror="$1" obj="$2" libdir o d goals=() dirs=() out
	shift 2
	local make_cmd=()
	while [[ $# -gt 0 && "$1" != -- ]]; do make_cmd+=("$1"); shift; done
	shift
	libdir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	for o in "$@"; do
		d="$(dirname "$o")"
		[[ " ${dirs[*]} " == *" $d "* ]] && continue
		dirs+=("$d")
		goals+=("$d/kpatch-objs.lst")
	done
	local pre
	mapfile -t pre < <(kp_prepared_make "$mirror" "$obj")
	out="$(MAKEFILES="$libdir/kbuild-objs.mk" "${make_cmd[@]}" -s "${pre[@]}" \
		ARCH=x86_64 "${goals[@]}" 2>&1)" || { echo "$out" >&2; return 1; }
	local -A how=()
	local tag dir kind rest w
	while read -r tag dir kind rest; do
		[[ "$tag" == kpatch-objs ]] || continue
		for w in $rest; do
			w="${w#./}"
			[[ "${how[$w]:-}" == y ]] || how[$w]="${kind%:}"
		done
	done <<<"$out"
	for o in "$@"; do
		echo "$o ${how[$o]:-n}"
	done
}

# kp_keep_lines MIRROR ORIGIN FILE...: after the patches are applied, the
# patched .c files of MIRROR keep ORIGIN's line numbers outside the hunks
# (keep-lines.sh puts #line directives after each hunk), so that moved
# __LINE__ values never reach the differ.
kp_keep_lines() {
	local mirror="$1" origin="$2" f
	local tool="${BASH_SOURCE[0]%/*}/keep-lines.sh"
	shift 2
	for f in "$@"; do
		[[ -f "$origin/$f" && -f "$mirror/$f" ]] || continue
		bash "$tool" "$origin/$f" "$mirror/$f" || return 1
	done
}
