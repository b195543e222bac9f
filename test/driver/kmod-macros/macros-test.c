// SPDX-License-Identifier: GPL-2.0
/*
 * Compile test for kmod/patch/kpatch-macros.h and kpatch-syscall.h: every
 * macro, as a patch author would use it in a kernel source file.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/uaccess.h>
#include "kpatch-macros.h"
#include "kpatch-syscall.h"

static int macros_test_helper(int x)
{
	KPATCH_PRINTK("kpatch-macros-test: %d\n", x);
	KPATCH_PRINTK("kpatch-macros-test: no arguments\n");
	return x + 1;
}
KPATCH_IGNORE_FUNCTION(macros_test_helper);
KPATCH_FORCE_UNSAFE(macros_test_helper);
KPATCH_IGNORE_SECTION(".text.unlikely");
KPATCH_IGNORE_SECTION(".rodata.kpatch_test");

static int macros_test_pre_patch(patch_object *obj)
{
	return obj ? 0 : -EINVAL;
}
KPATCH_PRE_PATCH_CALLBACK(macros_test_pre_patch);

static void macros_test_post_patch(patch_object *obj)
{
}
KPATCH_POST_PATCH_CALLBACK(macros_test_post_patch);

static void macros_test_pre_unpatch(patch_object *obj)
{
}
KPATCH_PRE_UNPATCH_CALLBACK(macros_test_pre_unpatch);

static void macros_test_post_unpatch(patch_object *obj)
{
}
KPATCH_POST_UNPATCH_CALLBACK(macros_test_post_unpatch);

KPATCH_SYSCALL_DEFINE0(kpatch_test0)
{
	return macros_test_helper(0);
}

KPATCH_SYSCALL_DEFINE1(kpatch_test1, int, a)
{
	return a;
}

KPATCH_SYSCALL_DEFINE3(kpatch_test3, unsigned int, fd, char __user *, buf, size_t, count)
{
	return fd + count + (buf ? 1 : 0);
}

KPATCH_SYSCALL_DEFINE6(kpatch_test6, long, a, unsigned long, b, int, c, unsigned int, d,
		       loff_t, e, const char __user *, f)
{
	return a + b + c + d + e + (f ? 1 : 0);
}

MODULE_LICENSE("GPL");
