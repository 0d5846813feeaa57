/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/bug.h> (and asm-generic/bug.h). Customised for the
 * harness: every BUG and every WARN is a finding.
 *
 *  - BUG()/BUG_ON() report "kernel BUG at <file>:<line>!" in the kernel's
 *    oops format (kind "bug") and end the execution.
 *  - WARN_ON()/WARN() report "WARNING: CPU: <cpu> PID: <pid> at
 *    <file>:<line> <func>" (kind "warning"). By default a WARN also ends
 *    the execution with that verdict, because a WARN that fires in a race
 *    is exactly what the simulator is looking for; a world can make WARNs
 *    non-fatal with sim_kapi_set_warn_fatal() (they are then logged to the
 *    console and the trace, and the execution goes on).
 *  - WARN_ON_ONCE()/WARN_ONCE() fire once per call site per execution.
 *
 * Like the kernel's, the WARN macros evaluate to the truth value of their
 * condition, so "if (WARN_ON(x)) return -EINVAL;" works. None of these is a
 * scheduling point.
 */
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H

#include <linux/compiler.h>
#include <linux/printk.h>

/* Report "kernel BUG at ..." and end the execution. */
__noreturn void sim_kapi_bug(const struct sim_kapi_site *site);

/*
 * Report a WARNING at @site; @fmt (may be NULL) is the WARN() message.
 * Ends the execution unless WARNs are non-fatal in this world. @once makes
 * the site fire at most once per execution.
 */
void sim_kapi_warn(const struct sim_kapi_site *site, bool once,
		   const char *fmt, ...) __printf(3, 4);

#define BUG()		sim_kapi_bug(SIM_KAPI_SITE(NULL))

#define BUG_ON(condition)						\
do {									\
	if (unlikely(condition))					\
		BUG();							\
} while (0)

#define __SIM_WARN(condition, once, ...)				\
	({								\
		int __ret_warn_on = !!(condition);			\
		if (unlikely(__ret_warn_on))				\
			sim_kapi_warn(SIM_KAPI_SITE(NULL), (once),	\
				      __VA_ARGS__);			\
		unlikely(__ret_warn_on);				\
	})

#define WARN_ON(condition)		__SIM_WARN(condition, false, NULL)
#define WARN_ON_ONCE(condition)		__SIM_WARN(condition, true, NULL)
#define WARN(condition, fmt...)		__SIM_WARN(condition, false, fmt)
#define WARN_ONCE(condition, fmt...)	__SIM_WARN(condition, true, fmt)

/* Compile-time checks. */
#define BUILD_BUG_ON(condition)	_Static_assert(!(condition), "BUILD_BUG_ON: " #condition)
#define BUILD_BUG_ON_MSG(condition, msg) _Static_assert(!(condition), msg)
#define BUILD_BUG_ON_ZERO(e)	((int)(sizeof(struct { int:(-!!(e)); })))
#define BUILD_BUG()		BUILD_BUG_ON(1)

#endif /* _LINUX_BUG_H */
