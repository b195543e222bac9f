/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-syscall.h - define (patch) a system call from a livepatch on
 * x86_64 Linux 6.1.
 *
 * KPATCH_SYSCALL_DEFINEn(name, type1, arg1, ...) is used exactly like
 * SYSCALL_DEFINEn and produces the same functions (__x64_sys_NAME, the
 * __ia32_sys_NAME stub when IA32 emulation is configured, __se_sys_NAME and
 * __do_sys_NAME), so the patched syscall keeps its names.  What it leaves
 * out is what a livepatch module cannot carry: the syscall trace metadata
 * (__syscalls_metadata, the syscall tracepoint events) and the
 * error-injection list entry.
 */
#ifndef _KPATCH_SYSCALL_H_
#define _KPATCH_SYSCALL_H_

#include <linux/syscalls.h>

#ifndef CONFIG_X86_64
#error "kpatch-syscall.h supports x86_64 only"
#endif

/* The stub decoding struct pt_regs for one ABI, without error injection. */
#define __KPATCH_SYS_STUBx(abi, name, ...)				\
	long __##abi##_##name(const struct pt_regs *regs);		\
	long __##abi##_##name(const struct pt_regs *regs)		\
	{								\
		return __se_##name(__VA_ARGS__);			\
	}

#define __KPATCH_SYS_STUB0(abi, name)					\
	long __##abi##_##name(const struct pt_regs *regs);		\
	long __##abi##_##name(const struct pt_regs *regs)		\
		__alias(__do_##name);

#define __KPATCH_X64_SYS_STUBx(x, name, ...)				\
	__KPATCH_SYS_STUBx(x64, sys##name,				\
			   SC_X86_64_REGS_TO_ARGS(x, __VA_ARGS__))
#define __KPATCH_X64_SYS_STUB0(name)					\
	__KPATCH_SYS_STUB0(x64, sys_##name)

#ifdef CONFIG_IA32_EMULATION
#define __KPATCH_IA32_SYS_STUBx(x, name, ...)				\
	__KPATCH_SYS_STUBx(ia32, sys##name,				\
			   SC_IA32_REGS_TO_ARGS(x, __VA_ARGS__))
#define __KPATCH_IA32_SYS_STUB0(name)					\
	__KPATCH_SYS_STUB0(ia32, sys_##name)
#else
#define __KPATCH_IA32_SYS_STUBx(x, name, ...)
#define __KPATCH_IA32_SYS_STUB0(name)
#endif

/*
 * __se_sys: sign-extends the register-sized arguments and checks that no
 * argument is wider than a long; __do_sys: the body written by the author.
 *
 * Both are __always_inline, so the whole syscall ends up in the
 * __x64_sys_NAME stub. In the running kernel __do_sys_NAME is a plain
 * "static inline" function, which the kernel marks notrace; when gcc keeps
 * it out of line it cannot be redirected by ftrace, so a change to the body
 * must show up in the traceable stub, which is what gets patched.
 */
#define __KPATCH_SYSCALL_DEFINEx(x, name, ...)				\
	static __always_inline long					\
	__se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__));		\
	static __always_inline long					\
	__do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__));		\
	__KPATCH_X64_SYS_STUBx(x, name, __VA_ARGS__)			\
	__KPATCH_IA32_SYS_STUBx(x, name, __VA_ARGS__)			\
	static __always_inline long					\
	__se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__))		\
	{								\
		long ret = __do_sys##name(__MAP(x, __SC_CAST, __VA_ARGS__)); \
		__MAP(x, __SC_TEST, __VA_ARGS__);			\
		__PROTECT(x, ret, __MAP(x, __SC_ARGS, __VA_ARGS__));	\
		return ret;						\
	}								\
	static __always_inline long					\
	__do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))

#define KPATCH_SYSCALL_DEFINE0(sname)					\
	static long __do_sys_##sname(const struct pt_regs *__unused);	\
	__KPATCH_X64_SYS_STUB0(sname)					\
	__KPATCH_IA32_SYS_STUB0(sname)					\
	static long __do_sys_##sname(const struct pt_regs *__unused)

#define KPATCH_SYSCALL_DEFINEx(x, sname, ...)				\
	__KPATCH_SYSCALL_DEFINEx(x, sname, __VA_ARGS__)

#define KPATCH_SYSCALL_DEFINE1(name, ...) KPATCH_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE2(name, ...) KPATCH_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE3(name, ...) KPATCH_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE4(name, ...) KPATCH_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE5(name, ...) KPATCH_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE6(name, ...) KPATCH_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#endif /* _KPATCH_SYSCALL_H_ */
