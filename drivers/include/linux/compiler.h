/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/compiler.h> (with the parts of compiler_types.h and
 * compiler_attributes.h that drivers use). Copies kernel semantics:
 * READ_ONCE()/WRITE_ONCE() are single volatile accesses, barrier() is a
 * compiler barrier, the sparse annotations expand to nothing.
 *
 * READ_ONCE()/WRITE_ONCE() are deliberately NOT scheduling points: a driver
 * that wants a marked access to be a decision point says so with a named
 * sim_point() next to it. data_race() evaluates its expression unchanged.
 *
 * Customised: struct sim_kapi_site and SIM_KAPI_SITE(), the static
 * description of a call site (function, file, line, expression text) that
 * every shim macro hands to the shim, so a report can name the driver's
 * line and a lock can be named after the expression that initialised it,
 * as lockdep does.
 */
#ifndef _LINUX_COMPILER_H
#define _LINUX_COMPILER_H

#include <linux/types.h>

/* ------------------------------------------------------------ attributes -- */

#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define noinline		__attribute__((__noinline__))
#define __noreturn		__attribute__((__noreturn__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __used			__attribute__((__used__))
#define __packed		__attribute__((__packed__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __cold			__attribute__((__cold__))
#define __pure			__attribute__((__pure__))
#define __weak			__attribute__((__weak__))
#define __section(s)		__attribute__((__section__(s)))
#define __must_check		__attribute__((__warn_unused_result__))
#define __counted_by(m)
#define noinstr
#define notrace
#define __visible
#define fallthrough		__attribute__((__fallthrough__))

/* sparse annotations */
#define __user
#define __kernel
#define __iomem
#define __force
#define __rcu
#define __percpu
#define __bitwise
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define __cacheline_aligned
#define ____cacheline_aligned
#define __read_mostly

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#define barrier()		__asm__ __volatile__("" ::: "memory")
#define unreachable()		__builtin_unreachable()

#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))

#define ___PASTE(a, b)		a##b
#define __PASTE(a, b)		___PASTE(a, b)
#define __UNIQUE_ID(prefix)	__PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

/* ------------------------------------------------------- marked access -- */

#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, val)						\
do {									\
	*(volatile typeof(x) *)&(x) = (val);				\
} while (0)

/* A race the author accepts: evaluated as is (no detector looks inside). */
#define data_race(expr)		(expr)

/* -------------------------------------------------------- shim call site -- */

/*
 * Where a shim call was made. One static, read-only instance per call site,
 * so its address is also a stable key for "once per site" (WARN_ON_ONCE).
 * @expr is the stringified argument (e.g. "&channel->lock"); it names lock
 * classes and wait objects and must be a string literal.
 */
struct sim_kapi_site {
	const char *func;
	const char *file;	/* __FILE__ as the compiler saw it */
	int line;
	const char *expr;
};

#define SIM_KAPI_SITE(exprtext)						\
	({								\
		static const struct sim_kapi_site __sim_site = {	\
			__func__, __FILE__, __LINE__, (exprtext)	\
		};							\
		&__sim_site;						\
	})

#endif /* _LINUX_COMPILER_H */
