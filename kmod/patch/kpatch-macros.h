/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-macros.h - macros a patch author can use inside a patched kernel
 * source file.  The names and their meaning follow kpatch, so patches
 * written for kpatch build unchanged.
 *
 * Every macro emits a static, __used entry in a section that
 * create-diff-object recognises (see doc/design.md):
 *
 *   KPATCH_IGNORE_SECTION(".sec")   ignore changes in section .sec
 *   KPATCH_IGNORE_FUNCTION(fn)      ignore changes in function fn
 *   KPATCH_FORCE_UNSAFE(fn)         patch fn even when it looks unsafe
 *   KPATCH_{PRE,POST}_{PATCH,UNPATCH}_CALLBACK(fn)
 *                                   run fn around (un)patching of the
 *                                   object the patched file belongs to
 *   KPATCH_PRINTK(fmt, ...)         printk from patched code
 */
#ifndef _KPATCH_MACROS_H_
#define _KPATCH_MACROS_H_

#include <linux/compiler.h>
#include <linux/printk.h>
#include <linux/livepatch.h>
#include "kpatch-patch.h"

typedef struct klp_object patch_object;

/* Changes in the named section are ignored by create-diff-object. */
#define KPATCH_IGNORE_SECTION(_sec)					\
	static char *__UNIQUE_ID(kpatch_ignore_section_)		\
	__section(".kpatch.ignore.sections") __used = (_sec)

/* Changes in function _fn are ignored by create-diff-object. */
#define KPATCH_IGNORE_FUNCTION(_fn)					\
	static void *__kpatch_ignore_func_##_fn				\
	__section(".kpatch.ignore.functions") __used = (_fn)

/* _fn is patched even where create-diff-object would refuse. */
#define KPATCH_FORCE_UNSAFE(_fn)					\
	static void *__kpatch_force_func_##_fn				\
	__section(".kpatch.force") __used = (_fn)

/*
 * Callbacks.  create-diff-object fills in objname with the object (vmlinux
 * or the module) the patched file belongs to; the module template hands
 * the callbacks to the livepatch core through klp_object.callbacks.
 * A callback receives the klp_object being (un)patched; the pre-patch
 * callback returns 0 or a negative errno that makes the patch fail.
 */
#define __KPATCH_CALLBACK_TYPE_CHECK(_fn, _ret, _kind)			\
	_Static_assert(__builtin_types_compatible_p(typeof(&_fn),	\
				_ret (*)(patch_object *)),		\
		       #_kind " callback " #_fn " must be declared as "	\
		       #_ret " " #_fn "(patch_object *obj)")

#define KPATCH_PRE_PATCH_CALLBACK(_fn)					\
	__KPATCH_CALLBACK_TYPE_CHECK(_fn, int, pre-patch);		\
	static struct kpatch_pre_patch_callback				\
	__kpatch_pre_patch_callback_##_fn				\
	__section(".kpatch.callbacks.pre_patch") __used = {		\
		.callback = _fn,					\
		.objname = NULL,					\
	}

#define KPATCH_POST_PATCH_CALLBACK(_fn)					\
	__KPATCH_CALLBACK_TYPE_CHECK(_fn, void, post-patch);		\
	static struct kpatch_post_patch_callback			\
	__kpatch_post_patch_callback_##_fn				\
	__section(".kpatch.callbacks.post_patch") __used = {		\
		.callback = _fn,					\
		.objname = NULL,					\
	}

#define KPATCH_PRE_UNPATCH_CALLBACK(_fn)				\
	__KPATCH_CALLBACK_TYPE_CHECK(_fn, void, pre-unpatch);		\
	static struct kpatch_pre_unpatch_callback			\
	__kpatch_pre_unpatch_callback_##_fn				\
	__section(".kpatch.callbacks.pre_unpatch") __used = {		\
		.callback = _fn,					\
		.objname = NULL,					\
	}

#define KPATCH_POST_UNPATCH_CALLBACK(_fn)				\
	__KPATCH_CALLBACK_TYPE_CHECK(_fn, void, post-unpatch);		\
	static struct kpatch_post_unpatch_callback			\
	__kpatch_post_unpatch_callback_##_fn				\
	__section(".kpatch.callbacks.post_unpatch") __used = {		\
		.callback = _fn,					\
		.objname = NULL,					\
	}

#define KPATCH_PRINTK(_fmt, ...) printk(_fmt, ##__VA_ARGS__)

#endif /* _KPATCH_MACROS_H_ */
