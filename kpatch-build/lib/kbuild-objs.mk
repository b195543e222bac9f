# SPDX-License-Identifier: GPL-2.0
# kbuild-objs.mk - ask kbuild which objects a directory builds with the
# current config. Read by every make of a kernel build through the MAKEFILES
# environment variable (kp_built_objects in mirror.sh); it only adds the
# explicit target $(obj)/kpatch-objs.lst, whose recipe runs after
# scripts/Makefile.build has read the directory's Makefile and
# scripts/Makefile.lib has expanded the composite objects. A directory the
# config does not descend into is never reached and prints nothing.

# A directory below one that does not descend into it: nothing to say.
%/kpatch-objs.lst:
	@:

ifneq ($(obj),)
$(obj)/kpatch-objs.lst:
	@echo 'kpatch-objs $(obj) y: $(real-obj-y) $(lib-y)'
	@echo 'kpatch-objs $(obj) m: $(real-obj-m)'
endif
