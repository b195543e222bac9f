#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make-seeds.sh - (re)build the seed objects in seeds/.
#
#   tiny-a.o, tiny-b.o   gcc -ffunction-sections -pg -mfentry -mrecord-mcount;
#                        b changes one function of a
#   diff.o               create-diff-object tiny-a.o tiny-b.o (.kpatch.funcs,
#                        .kpatch.klp_relocs, callbacks, .kpatch.strings)
#   klp.ko               create-klp-module diff.o (.klp.rela.*, .klp.sym.*)
#   k-*.o                small real kernel objects from $KBUILD, debug info
#                        stripped (skipped when the test kernel is not built)
#
# The committed seeds are the output of this script; rerunning it is only
# needed when the object formats change.
set -o errexit -o nounset -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
cdo_dir=$(dirname "$here")
seeds=$here/seeds
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$seeds"

cflags="-O2 -c -fno-pie -fno-pic -mcmodel=kernel -mno-red-zone -ffunction-sections -fdata-sections -pg -mfentry -mrecord-mcount -fno-asynchronous-unwind-tables"

cat > "$tmp/tiny.c" <<'C'
extern int printk(const char *fmt, ...);
static int counter;
struct kpatch_pre_patch_callback { int (*fn)(void *); char *objname; };
static int pre_patch(void *obj) { return counter; }
static struct kpatch_pre_patch_callback kpatch_pre_patch_data
	__attribute__((section(".kpatch.callbacks.pre_patch"), used)) = {
	.fn = pre_patch, .objname = 0,
};
int tiny_helper(int x)
{
	return x * 3 + counter;
}
int tiny_main(int x)
{
#ifdef PATCHED
	printk("patched %d\n", x);
	counter += 2;
#endif
	counter++;
	return tiny_helper(x) + 1;
}
C
gcc $cflags -o "$seeds/tiny-a.o" "$tmp/tiny.c"
gcc $cflags -DPATCHED -o "$seeds/tiny-b.o" "$tmp/tiny.c"

printf '0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n' > "$tmp/Module.symvers"
if [ -x "$cdo_dir/create-diff-object" ]; then
	status=0
	"$cdo_dir/create-diff-object" "$seeds/tiny-a.o" "$seeds/tiny-b.o" \
		vmlinux "$seeds/tiny-a.o" "$tmp/Module.symvers" livepatch_seed \
		"$seeds/diff.o" > /dev/null || status=$?
	[ "$status" = 0 ] || echo "make-seeds: create-diff-object exited $status (no diff.o)" >&2
	if [ -f "$seeds/diff.o" ] && [ -x "$cdo_dir/create-klp-module" ]; then
		"$cdo_dir/create-klp-module" "$seeds/diff.o" "$seeds/klp.ko" \
			> /dev/null || echo "make-seeds: create-klp-module failed" >&2
	fi
fi

# the project's own test objects with .kpatch.* sections, when present
for t in callbacks klp-module; do
	for f in out.o mod-klp.o; do
		src=$cdo_dir/tests/work/$t/$f
		[ -f "$src" ] && cp "$src" "$seeds/t-$t-$f"
	done
done

kbuild=${KBUILD:-}
if [ -z "$kbuild" ] && [ -f "$cdo_dir/../test/kernel/build-kernel.sh" ]; then
	kbuild=$(bash "$cdo_dir/../test/kernel/build-kernel.sh" --print-env 2>/dev/null |
		 sed -n 's/^KBUILD=//p' | tr -d "'\"") || kbuild=
fi
for obj in fs/proc/cmdline.o kernel/range.o; do
	if [ -n "$kbuild" ] && [ -f "$kbuild/$obj" ]; then
		name=k-$(echo "$obj" | tr / -)
		objcopy --strip-debug "$kbuild/$obj" "$seeds/$name"
	fi
done
ls -l "$seeds"
