// SPDX-License-Identifier: GPL-2.0
/*
 * oot_hello.c - a tiny out-of-tree module for the integration tests:
 * creates /proc/oot_hello, which reads "hello v1". oot-hello.patch (paths
 * relative to this directory) turns it into "hello v2" as a live patch.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

static int oot_hello_show(struct seq_file *m, void *v)
{
	seq_puts(m, "hello v1\n");
	return 0;
}

static int __init oot_hello_init(void)
{
	if (!proc_create_single("oot_hello", 0444, NULL, oot_hello_show))
		return -ENOMEM;
	return 0;
}

static void __exit oot_hello_exit(void)
{
	remove_proc_entry("oot_hello", NULL);
}

module_init(oot_hello_init);
module_exit(oot_hello_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kpatch integration test: out-of-tree module");
