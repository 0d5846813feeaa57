/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/kernel.h> (with container_of.h, minmax.h, math.h and the
 * might_sleep() of sched.h). Copies kernel semantics for the helpers,
 * including min()/max() complaining (a compiler warning) about mixed types.
 *
 * Customised: might_sleep() is the real check of the simulator (reports
 * "BUG: sleeping function called from invalid context" when the running
 * task is atomic: a tasklet or IRQ handler, a spinlock held, or interrupts
 * disabled), and cpu_relax() is a scheduling point, so a busy-wait loop
 * lets the task it waits for run.
 */
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

#include <limits.h>
#include <stdarg.h>

#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/printk.h>
#include <linux/types.h>
#include <sim/sim.h>

#define U8_MAX		((u8)~0U)
#define S8_MAX		((s8)(U8_MAX >> 1))
#define S8_MIN		((s8)(-S8_MAX - 1))
#define U16_MAX		((u16)~0U)
#define S16_MAX		((s16)(U16_MAX >> 1))
#define S16_MIN		((s16)(-S16_MAX - 1))
#define U32_MAX		((u32)~0U)
#define S32_MAX		((s32)(U32_MAX >> 1))
#define S32_MIN		((s32)(-S32_MAX - 1))
#define U64_MAX		((u64)~0ULL)
#define S64_MAX		((s64)(U64_MAX >> 1))
#define S64_MIN		((s64)(-S64_MAX - 1))

#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)

#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]))

#define container_of(ptr, type, member)					\
	({								\
		char *__mptr = (char *)(ptr);				\
		((type *)(__mptr - offsetof(type, member)));		\
	})

#define container_of_const(ptr, type, member)	container_of(ptr, type, member)

#define typeof_member(T, m)	typeof(((T *)0)->m)
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))

/* ---------------------------------------------------------------- minmax -- */

/* The pointer comparison makes the compiler warn about mixed types. */
#define __sim_cmp(x, y, op)						\
	({								\
		typeof(x) __x = (x);					\
		typeof(y) __y = (y);					\
		(void)(&__x == &__y);					\
		__x op __y ? __x : __y;					\
	})

#define min(x, y)		__sim_cmp(x, y, <)
#define max(x, y)		__sim_cmp(x, y, >)
#define min3(x, y, z)		min((typeof(x))min(x, y), z)
#define max3(x, y, z)		max((typeof(x))max(x, y), z)

#define min_t(type, x, y)						\
	({ type __mx = (x); type __my = (y); __mx < __my ? __mx : __my; })
#define max_t(type, x, y)						\
	({ type __mx = (x); type __my = (y); __mx > __my ? __mx : __my; })

#define clamp(val, lo, hi)	min((typeof(val))max(val, lo), hi)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)
#define clamp_val(val, lo, hi)	clamp_t(typeof(val), val, lo, hi)

#define swap(a, b)							\
	do { typeof(a) __tmp = (a); (a) = (b); (b) = __tmp; } while (0)

/* ------------------------------------------------------------------ math -- */

#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define DIV_ROUND_UP_ULL(ll, d)	((unsigned long long)DIV_ROUND_UP((unsigned long long)(ll), (d)))
#define DIV_ROUND_CLOSEST(x, d)	(((x) + ((d) / 2)) / (d))
#define roundup(x, y)		((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y)		((x) - ((x) % (y)))
#define __round_mask(x, y)	((__typeof__(x))((y) - 1))
#define round_up(x, y)		((((x) - 1) | __round_mask(x, y)) + 1)
#define round_down(x, y)	((x) & ~__round_mask(x, y))
#define ALIGN(x, a)		(((x) + ((typeof(x))(a) - 1)) & ~((typeof(x))(a) - 1))
#define ALIGN_DOWN(x, a)	ALIGN((x) - ((a) - 1), (a))
#define PTR_ALIGN(p, a)		((typeof(p))ALIGN((unsigned long)(p), (a)))
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#define upper_32_bits(n)	((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))

/* ------------------------------------------------------------ scheduling -- */

/*
 * sim_might_sleep - the check behind might_sleep(): when the running task
 * is atomic, report "BUG: sleeping function called from invalid context at
 * <file>:<line>" (kind "sleep-in-atomic") and end the execution. @file is
 * __FILE__ of the driver's call site; it is printed relative to the source
 * tree. A no-op when @w is NULL (engine context). Not a scheduling point.
 */
void sim_might_sleep(SimWorld *w, const char *func, const char *file, int line);

#define might_sleep()							\
	sim_might_sleep(sim_current_world(), __func__, __FILE__, __LINE__)
#define might_sleep_if(cond)						\
	do { if (cond) might_sleep(); } while (0)
#define might_resched()		do { } while (0)

/* A scheduling point with no effect: busy-wait loops must call it. */
void sim_kapi_cpu_relax(void);
#define cpu_relax()		sim_kapi_cpu_relax()

#endif /* _LINUX_KERNEL_H */
