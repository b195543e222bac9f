# SPDX-License-Identifier: GPL-2.0
# kernel.sh - kpatch-build: where the target kernel's pieces are (source,
# config, vmlinux, build dir with Module.symvers, parent modules), its
# release, and the checks of its config and compiler. Sourced by
# kpatch-build; uses its die/warn/say.
#
# Sets, once, in locate_kernel: SRCDIR CONFIGFILE VMLINUX KBUILD SYMVERS
# KREL (the target's release: utsrelease.h / the vmlinux banner, never the
# source Makefile) and MODULE_DIRS (where the parents' .ko files are).

# kbuild_release DIR: UTS_RELEASE of a kernel build dir, empty if unknown.
kbuild_release() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$1/include/generated/utsrelease.h" 2>/dev/null
}

# vmlinux_banner VMLINUX: the kernel's "Linux version ..." banner.
vmlinux_banner() {
	LC_ALL=C grep -a -m1 -oE 'Linux version [0-9][ -~]*' "$1" 2>/dev/null | head -n1
}

# banner_release BANNER: the release in a banner ("Linux version REL (...").
banner_release() {
	local b="${1#Linux version }"
	echo "${b%% *}"
}

# A tree with the kernel's sources (not a headers-only build dir).
is_source_tree() {
	[[ -f "$1/Makefile" && -d "$1/kernel" && -d "$1/scripts" && -f "$1/kernel/fork.c" ]]
}

# Locate everything from -s/-c/-v (a kernel built from a source tree), or,
# without -s, on a Debian system for -a KVER / the running kernel
# (lib/debian.sh).
locate_kernel() {
	local kver="${ARCHVERSION:-$(uname -r)}"
	if [[ -z "$SRCDIR" ]] && ! is_source_tree "$KPATCH_ROOT/lib/modules/$kver/build"; then
		debian_locate "$kver"
	else
		[[ -n "$SRCDIR" ]] || SRCDIR="$KPATCH_ROOT/lib/modules/$kver/build"
		locate_built_tree
	fi
	kernel_release
	local d
	MODULE_DIRS=()
	for d in "$KBUILD" "$KPATCH_ROOT/usr/lib/debug/lib/modules/$KREL" \
		 "$KPATCH_ROOT/lib/modules/$KREL/kernel" "$KPATCH_ROOT/lib/modules/$KREL/updates" \
		 "$KPATCH_ROOT/lib/modules/$KREL/extra"; do
		[[ -d "$d" ]] && MODULE_DIRS+=("$d")
	done
	return 0
}

# A kernel built from a source tree (in-tree or O=): -s, -c, -v.
locate_built_tree() {
	[[ -d "$SRCDIR" ]] || die "kernel source directory '$SRCDIR' not found; use -s/--sourcedir"
	SRCDIR="$(readlink -f "$SRCDIR")"
	is_source_tree "$SRCDIR" ||
		die "'$SRCDIR' is not a kernel source tree (no Makefile, kernel/, scripts/); use -s/--sourcedir"

	[[ -n "$CONFIGFILE" ]] || CONFIGFILE="$SRCDIR/.config"
	[[ -f "$CONFIGFILE" ]] || die "kernel config '$CONFIGFILE' not found; use -c/--config"
	CONFIGFILE="$(readlink -f "$CONFIGFILE")"

	if [[ -z "$VMLINUX" ]]; then
		VMLINUX="$(dirname "$CONFIGFILE")/vmlinux"
		[[ -f "$VMLINUX" ]] ||
			die "no vmlinux next to $CONFIGFILE; use -v/--vmlinux with the running kernel's vmlinux"
	fi
	[[ -f "$VMLINUX" ]] || die "vmlinux '$VMLINUX' not found"
	VMLINUX="$(readlink -f "$VMLINUX")"

	local d
	KBUILD=""
	for d in "$(dirname "$CONFIGFILE")" "$(dirname "$VMLINUX")" "$SRCDIR" \
		 "$KPATCH_ROOT/lib/modules/${ARCHVERSION:-$(uname -r)}/build"; do
		if [[ -f "$d/Module.symvers" ]]; then
			KBUILD="$(readlink -f "$d")"
			break
		fi
	done
	[[ -n "$KBUILD" ]] ||
		die "no Module.symvers next to the config, the vmlinux or in the source tree; build the kernel (make modules) first"
	SYMVERS="$KBUILD/Module.symvers"
	[[ -f "$KBUILD/Makefile" ]] ||
		die "kernel build directory $KBUILD has no Makefile; it cannot build modules"
}

# KREL: the target kernel's release, from its build dir (utsrelease.h) and
# its vmlinux banner, which must agree. The source tree's Makefile says
# nothing about it (Debian: 6.1.192 there, 6.1.0-57-cloud-amd64 running).
kernel_release() {
	local ver banner brel
	ver="$(kbuild_release "$KBUILD")"
	banner="$(vmlinux_banner "$VMLINUX")"
	brel="$(banner_release "$banner")"
	[[ -n "$ver" || -n "$brel" ]] ||
		die "cannot tell the kernel release: $KBUILD/include/generated/utsrelease.h is missing and $VMLINUX has no 'Linux version' banner"
	if [[ -n "$ver" && -n "$brel" && "$ver" != "$brel" ]]; then
		die "$VMLINUX is release $brel but the build dir $KBUILD is $ver; use the vmlinux and headers of the same kernel"
	fi
	KREL="${ver:-$brel}"
	KBANNER="$banner"
	if [[ -n "$ARCHVERSION" && "$ARCHVERSION" != "$KREL" ]]; then
		die "-a $ARCHVERSION was asked for, but $KBUILD and $VMLINUX are release $KREL"
	fi
	echo "target kernel release $KREL ($banner)" >>"$LOGFILE"
}

config_value() {
	sed -n "s/^$1=//p" "$CONFIGFILE" | head -n1
}

check_config() {
	[[ "$(config_value CONFIG_LIVEPATCH)" == y ]] ||
		die "$CONFIGFILE: CONFIG_LIVEPATCH is not enabled; livepatch modules need CONFIG_LIVEPATCH=y"
	[[ "$(config_value CONFIG_DEBUG_INFO)" == y || "$(config_value CONFIG_DEBUG_INFO_BTF)" == y ]] ||
		die "$CONFIGFILE: CONFIG_DEBUG_INFO is not enabled; the kernel must be built with debug info"
	[[ "$(config_value CONFIG_KALLSYMS_ALL)" == y ]] ||
		die "$CONFIGFILE: CONFIG_KALLSYMS_ALL is not enabled; livepatch symbol lookup needs it"
	[[ "$(config_value CONFIG_LTO_CLANG)" != y ]] ||
		die "$CONFIGFILE: CONFIG_LTO_CLANG=y is not supported by $PROG: with Clang LTO the objects are LLVM bitcode until the vmlinux link, so there is no machine code to compare; use a kernel built without LTO"
	[[ "$(config_value CONFIG_CFI_CLANG)" != y ]] ||
		die "$CONFIGFILE: CONFIG_CFI_CLANG=y is not supported by $PROG: Clang kCFI type hashes (__cfi_ prefixes, .kcfi_traps) are not handled; use a kernel built without CFI_CLANG"
	# With IBT (6.2+), objtool runs on vmlinux.o and on linked module
	# objects, not on each object: the compared objects carry none of its
	# sections, and objtool runs over the patch module when kbuild links it.
	OBJTOOL_LINK=0
	[[ "$(config_value CONFIG_X86_KERNEL_IBT)" == y ]] && OBJTOOL_LINK=1
	# kbuild runs pahole on every module of such a kernel (Debian's 6.12)
	if [[ "$(config_value CONFIG_DEBUG_INFO_BTF_MODULES)" == y ]] && ! command -v pahole >/dev/null; then
		die "$CONFIGFILE: CONFIG_DEBUG_INFO_BTF_MODULES=y: kbuild needs pahole to build modules for this kernel; install it (Debian: apt-get install dwarves)"
	fi
	if [[ -n "$(config_value CONFIG_MODVERSIONS)" ]]; then MODVERSIONS=1; else MODVERSIONS=0; fi
}

# The version string of the compiler that built the kernel.
kernel_compiler() {
	local s
	s="$(readelf -p .comment "$VMLINUX" 2>/dev/null | sed -n 's/^ *\[ *[0-9a-f]*\] *GCC: *//p' | head -n1)"
	if [[ -n "$s" ]]; then
		echo "gcc $s"
		return
	fi
	if [[ -f "$KBUILD/include/generated/compile.h" ]]; then
		s="$(sed -n 's/^#define LINUX_COMPILER *"\(.*\)"/\1/p' "$KBUILD/include/generated/compile.h")"
		if [[ -n "$s" ]]; then
			echo "${s%%,*}"
			return
		fi
	fi
	echo "GCC_VERSION $(config_value CONFIG_GCC_VERSION)"
}

check_compiler() {
	local mine theirs
	mine="$(gcc --version | head -n1)"
	theirs="$(kernel_compiler)"
	COMPILER="$mine"
	[[ $SKIP_COMPILER_CHECK -eq 1 ]] && return 0
	if [[ "$theirs" == "GCC_VERSION "* ]]; then
		local v maj min pat
		v="$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)"
		IFS=. read -r maj min pat <<<"$v.0.0"
		[[ "${theirs#GCC_VERSION }" == "$((maj * 10000 + min * 100 + pat))" ]] && return 0
	elif [[ "$theirs" == "$mine" ]]; then
		return 0
	fi
	die "compiler mismatch: the kernel was built with '$theirs', this gcc is '$mine'; install the same compiler or use --skip-compiler-check"
}

# find_parent OBJECT: prints "NAME ELF", the kernel's name of the object's
# parent (vmlinux, or the module it is linked into: kbuild compiles module
# objects with -DMODULE and KBUILD_MODNAME) and the ELF file to read it
# from. Run it in a subshell; it dies (exits the subshell) when the module
# is nowhere to be found.
find_parent() {
	local o="$1" cmd modname ko b
	if [[ -n "$OOT_MODULE" ]]; then
		modname="$(modinfo -F name "$OOT_MODULE" 2>/dev/null || true)"
		[[ -n "$modname" ]] || modname="$(kernel_modname "$(basename "$OOT_MODULE" .ko)")"
		echo "$modname $OOT_MODULE"
		return 0
	fi
	cmd="$ORIG/$o.cmd"
	if ! grep -q -- '-DMODULE\b' "$cmd" 2>/dev/null; then
		echo "vmlinux $VMLINUX"
		return 0
	fi
	modname="$(sed -n "s/.*-DKBUILD_MODNAME='\"\([^\"]*\)\"'.*/\1/p" "$cmd" | head -n1)"
	[[ -n "$modname" ]] || die "$o is part of a module but its command line has no KBUILD_MODNAME"
	if [[ ! -f "$TMPDIR_KP/ko-list" ]]; then
		# In MODULE_DIRS order: the build dir, the -dbg copies, /lib/modules.
		for b in "${MODULE_DIRS[@]}"; do
			find "$b" -name '*.ko*' -not -path '*/.tmp*' 2>/dev/null
		done >"$TMPDIR_KP/ko-list"
	fi
	# The first copy with STT_FILE symbols: /lib/modules has stripped ones
	# (strip --strip-debug), where create-diff-object cannot place a
	# static symbol.
	local stripped=""
	while IFS= read -r ko; do
		b="$(basename "$ko")"
		b="${b%%.ko*}"
		[[ "$(kernel_modname "$b")" == "$modname" ]] || continue
		ko="$(uncompressed_ko "$ko")"
		if has_file_symbols "$ko"; then
			echo "$modname $ko"
			return 0
		fi
		[[ -n "$stripped" ]] || stripped="$ko"
	done <"$TMPDIR_KP/ko-list"
	if [[ -n "$stripped" ]]; then
		warn "$stripped is stripped (no STT_FILE symbols): static functions and data of $modname cannot be located in it; install the kernel's debug symbols (Debian: apt-get install linux-image-$KREL-dbg, for /usr/lib/debug/lib/modules/$KREL) or give the kernel build with its .ko files"
		echo "$modname $stripped"
		return 0
	fi
	die "$o belongs to module $modname but no $modname.ko was found for release $KREL (searched: ${MODULE_DIRS[*]}); install the kernel's modules (or its -dbg package)"
}

# has_file_symbols ELF: its .symtab has STT_FILE symbols (not stripped).
has_file_symbols() {
	LC_ALL=C readelf -sW "$1" 2>/dev/null | awk '$4 == "FILE" { found = 1; exit } END { exit !found }'
}

uncompressed_ko() {
	local ko="$1" out
	case "$ko" in
	*.ko) echo "$ko"; return ;;
	esac
	out="$TMPDIR_KP/parents/$(basename "${ko%.*}")"
	mkdir -p "$TMPDIR_KP/parents"
	case "$ko" in
	*.xz) xz -dc "$ko" >"$out" ;;
	*.zst) zstd -dcq "$ko" >"$out" ;;
	*.gz) gzip -dc "$ko" >"$out" ;;
	*) die "cannot read module $ko" ;;
	esac
	echo "$out"
}
