// SPDX-License-Identifier: GPL-2.0
/*
 * kpatch-patch-hook.c - the livepatch module template.
 *
 * create-diff-object leaves one struct kpatch_patch_func per changed
 * function in .kpatch.funcs and the callbacks in .kpatch.callbacks.*.
 * The linker script kpatch.lds brackets those sections with symbols; at
 * init time this file turns the records into the klp_patch / klp_object /
 * klp_func arrays the livepatch core wants and enables the patch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/livepatch.h>
#include "kpatch-patch.h"

#ifdef KPATCH_NON_REPLACE
#define KPATCH_REPLACE false
#define KPATCH_REPLACE_INFO "N"
#else
#define KPATCH_REPLACE true
#define KPATCH_REPLACE_INFO "Y"
#endif

/* Defined by kpatch.lds around the sections create-diff-object fills. */
extern struct kpatch_patch_func __kpatch_funcs[], __kpatch_funcs_end[];
extern struct kpatch_pre_patch_callback __kpatch_callbacks_pre_patch[],
	__kpatch_callbacks_pre_patch_end[];
extern struct kpatch_post_patch_callback __kpatch_callbacks_post_patch[],
	__kpatch_callbacks_post_patch_end[];
extern struct kpatch_pre_unpatch_callback __kpatch_callbacks_pre_unpatch[],
	__kpatch_callbacks_pre_unpatch_end[];
extern struct kpatch_post_unpatch_callback __kpatch_callbacks_post_unpatch[],
	__kpatch_callbacks_post_unpatch_end[];

/*
 * A zero-sized, 8-byte aligned anchor in each record section gives the
 * section its "aw" flags and alignment even when the patch has no record
 * of that kind, so modpost and the module loader see a normal data section.
 */
#define KPATCH_SECTION_ANCHOR(name, sec) \
	static unsigned long name[0] __section(sec) __used

KPATCH_SECTION_ANCHOR(__kpatch_funcs_anchor, ".kpatch.funcs");
KPATCH_SECTION_ANCHOR(__kpatch_pre_patch_anchor, ".kpatch.callbacks.pre_patch");
KPATCH_SECTION_ANCHOR(__kpatch_post_patch_anchor, ".kpatch.callbacks.post_patch");
KPATCH_SECTION_ANCHOR(__kpatch_pre_unpatch_anchor, ".kpatch.callbacks.pre_unpatch");
KPATCH_SECTION_ANCHOR(__kpatch_post_unpatch_anchor, ".kpatch.callbacks.post_unpatch");

#define for_each_record(rec, start, end) \
	for (rec = start; rec < end; rec++)

static struct klp_patch kpatch_klp_patch;

/* The objects (vmlinux, modules) this patch touches, in first-seen order. */
static const char **kpatch_objnames;
static unsigned int kpatch_nr_objs;

static const char *kpatch_record_objname(const char *objname)
{
	return objname ? objname : "vmlinux";
}

static int kpatch_object_index(const char *objname)
{
	unsigned int i;

	objname = kpatch_record_objname(objname);
	for (i = 0; i < kpatch_nr_objs; i++)
		if (!strcmp(kpatch_objnames[i], objname))
			return i;
	return -1;
}

static void kpatch_note_object(const char *objname)
{
	if (kpatch_object_index(objname) < 0)
		kpatch_objnames[kpatch_nr_objs++] = kpatch_record_objname(objname);
}

static unsigned long kpatch_nr_records(void)
{
	return (__kpatch_funcs_end - __kpatch_funcs) +
	       (__kpatch_callbacks_pre_patch_end - __kpatch_callbacks_pre_patch) +
	       (__kpatch_callbacks_post_patch_end - __kpatch_callbacks_post_patch) +
	       (__kpatch_callbacks_pre_unpatch_end - __kpatch_callbacks_pre_unpatch) +
	       (__kpatch_callbacks_post_unpatch_end - __kpatch_callbacks_post_unpatch);
}

static void kpatch_free_objects(struct klp_object *objs)
{
	struct klp_object *obj;

	if (objs) {
		for (obj = objs; obj->funcs; obj++)
			kfree(obj->funcs);
		kfree(objs);
	}
	kfree(kpatch_objnames);
	kpatch_objnames = NULL;
	kpatch_nr_objs = 0;
}

/*
 * Input sections of different alignment may leave zero-filled gaps between
 * records after `ld -r`; such all-zero records are not records.
 */
static bool kpatch_func_is_padding(const struct kpatch_patch_func *rec)
{
	return !rec->new_addr && !rec->sympos && !rec->name && !rec->objname;
}

static int kpatch_fill_funcs(struct klp_object *obj, const char *objname)
{
	struct kpatch_patch_func *rec;
	struct klp_func *func;
	unsigned int nr = 0;

	for_each_record(rec, __kpatch_funcs, __kpatch_funcs_end)
		if (!kpatch_func_is_padding(rec) &&
		    !strcmp(kpatch_record_objname(rec->objname), objname))
			nr++;

	/* Always an array, even for an object that has callbacks only. */
	obj->funcs = kcalloc(nr + 1, sizeof(*obj->funcs), GFP_KERNEL);
	if (!obj->funcs)
		return -ENOMEM;

	func = obj->funcs;
	for_each_record(rec, __kpatch_funcs, __kpatch_funcs_end) {
		if (kpatch_func_is_padding(rec) ||
		    strcmp(kpatch_record_objname(rec->objname), objname))
			continue;
		if (!rec->name || !rec->new_addr) {
			pr_err("bad .kpatch.funcs record for object %s\n", objname);
			return -EINVAL;
		}
		func->old_name = rec->name;
		func->new_func = (void *)rec->new_addr;
		func->old_sympos = rec->sympos;
		func++;
	}
	return 0;
}

/* Sets one callback of one object, refusing a second one of the same kind. */
#define kpatch_set_callback(objs, kind, start, end)			\
({									\
	typeof(&start[0]) __rec;					\
	int __ret = 0;							\
									\
	for_each_record(__rec, start, end) {				\
		struct klp_object *__obj;				\
									\
		if (!__rec->callback && !__rec->objname)		\
			continue;	/* padding */			\
		__obj = &objs[kpatch_object_index(__rec->objname)];	\
		if (__obj->callbacks.kind) {				\
			pr_err("more than one " #kind " callback for object %s\n", \
			       kpatch_record_objname(__rec->objname));	\
			__ret = -EINVAL;				\
			break;						\
		}							\
		__obj->callbacks.kind = __rec->callback;		\
	}								\
	__ret;								\
})

static struct klp_object *kpatch_build_objects(void)
{
	struct kpatch_patch_func *func;
	struct kpatch_pre_patch_callback *pre_patch;
	struct kpatch_post_patch_callback *post_patch;
	struct kpatch_pre_unpatch_callback *pre_unpatch;
	struct kpatch_post_unpatch_callback *post_unpatch;
	struct klp_object *objs;
	unsigned int i;
	int ret;

	kpatch_objnames = kcalloc(kpatch_nr_records() + 1,
				  sizeof(*kpatch_objnames), GFP_KERNEL);
	if (!kpatch_objnames)
		return ERR_PTR(-ENOMEM);

	for_each_record(func, __kpatch_funcs, __kpatch_funcs_end)
		if (!kpatch_func_is_padding(func))
			kpatch_note_object(func->objname);
	for_each_record(pre_patch, __kpatch_callbacks_pre_patch,
			__kpatch_callbacks_pre_patch_end)
		if (pre_patch->callback || pre_patch->objname)
			kpatch_note_object(pre_patch->objname);
	for_each_record(post_patch, __kpatch_callbacks_post_patch,
			__kpatch_callbacks_post_patch_end)
		if (post_patch->callback || post_patch->objname)
			kpatch_note_object(post_patch->objname);
	for_each_record(pre_unpatch, __kpatch_callbacks_pre_unpatch,
			__kpatch_callbacks_pre_unpatch_end)
		if (pre_unpatch->callback || pre_unpatch->objname)
			kpatch_note_object(pre_unpatch->objname);
	for_each_record(post_unpatch, __kpatch_callbacks_post_unpatch,
			__kpatch_callbacks_post_unpatch_end)
		if (post_unpatch->callback || post_unpatch->objname)
			kpatch_note_object(post_unpatch->objname);

	if (!kpatch_nr_objs) {
		pr_err("the module holds no patched functions and no callbacks\n");
		kpatch_free_objects(NULL);
		return ERR_PTR(-EINVAL);
	}

	/* One more, zeroed, to terminate the array. */
	objs = kcalloc(kpatch_nr_objs + 1, sizeof(*objs), GFP_KERNEL);
	if (!objs) {
		kpatch_free_objects(NULL);
		return ERR_PTR(-ENOMEM);
	}

	for (i = 0; i < kpatch_nr_objs; i++) {
		if (strcmp(kpatch_objnames[i], "vmlinux"))
			objs[i].name = kpatch_objnames[i];
		ret = kpatch_fill_funcs(&objs[i], kpatch_objnames[i]);
		if (ret)
			goto err;
	}

	ret = kpatch_set_callback(objs, pre_patch, __kpatch_callbacks_pre_patch,
				  __kpatch_callbacks_pre_patch_end);
	if (!ret)
		ret = kpatch_set_callback(objs, post_patch,
					  __kpatch_callbacks_post_patch,
					  __kpatch_callbacks_post_patch_end);
	if (!ret)
		ret = kpatch_set_callback(objs, pre_unpatch,
					  __kpatch_callbacks_pre_unpatch,
					  __kpatch_callbacks_pre_unpatch_end);
	if (!ret)
		ret = kpatch_set_callback(objs, post_unpatch,
					  __kpatch_callbacks_post_unpatch,
					  __kpatch_callbacks_post_unpatch_end);
	if (ret)
		goto err;

	return objs;
err:
	kpatch_free_objects(objs);
	return ERR_PTR(ret);
}

static int __init kpatch_patch_init(void)
{
	struct klp_object *objs;
	int ret;

	objs = kpatch_build_objects();
	if (IS_ERR(objs))
		return PTR_ERR(objs);

	kpatch_klp_patch.mod = THIS_MODULE;
	kpatch_klp_patch.objs = objs;
	kpatch_klp_patch.replace = KPATCH_REPLACE;

	ret = klp_enable_patch(&kpatch_klp_patch);
	if (ret) {
		kpatch_free_objects(objs);
		kpatch_klp_patch.objs = NULL;
	}
	return ret;
}

/*
 * The module can only be removed once the livepatch core has disabled the
 * patch and dropped its references, so the arrays are free to go.
 */
static void __exit kpatch_patch_exit(void)
{
	kpatch_free_objects(kpatch_klp_patch.objs);
	kpatch_klp_patch.objs = NULL;
}

module_init(kpatch_patch_init);
module_exit(kpatch_patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
MODULE_INFO(kpatch_replace, KPATCH_REPLACE_INFO);
