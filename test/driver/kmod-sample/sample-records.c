// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written stand-in for create-diff-object's output, used to test the
 * module template alone: one replacement function for cmdline_proc_show()
 * with its .kpatch.funcs record, a vmlinux pre-patch/post-unpatch callback
 * pair through kpatch-macros.h (objname left NULL, as create-diff-object
 * would fill it) and a callback-only object for the dummy module.
 */
#include <linux/seq_file.h>
#include <linux/printk.h>
#include "kpatch-macros.h"

static int sample_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "this has been live patched by the template");
	return 0;
}

static struct kpatch_patch_func sample_func __section(".kpatch.funcs") __used = {
	.new_addr = (unsigned long)sample_cmdline_proc_show,
	.sympos = 0,
	.name = "cmdline_proc_show",
	.objname = "vmlinux",
};

static int sample_pre_patch(patch_object *obj)
{
	pr_info("kpatch-sample: pre_patch %s\n", obj->name ? obj->name : "vmlinux");
	return 0;
}
KPATCH_PRE_PATCH_CALLBACK(sample_pre_patch);

static void sample_post_unpatch(patch_object *obj)
{
	pr_info("kpatch-sample: post_unpatch %s\n", obj->name ? obj->name : "vmlinux");
}
KPATCH_POST_UNPATCH_CALLBACK(sample_post_unpatch);

static void sample_dummy_post_patch(patch_object *obj)
{
	pr_info("kpatch-sample: post_patch %s\n", obj->name);
}

static struct kpatch_post_patch_callback sample_dummy_cb
__section(".kpatch.callbacks.post_patch") __used = {
	.callback = sample_dummy_post_patch,
	.objname = "dummy",
};
