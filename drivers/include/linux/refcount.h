/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/refcount.h>, implemented in sim/kapi/kref.c. Kernel
 * semantics, checks included (CONFIG_REFCOUNT_FULL): an increment from 0
 * warns "refcount_t: addition on 0; use-after-free.", a decrement below 0
 * "refcount_t: underflow; use-after-free.", refcount_dec() reaching 0
 * "refcount_t: decrement hit 0; leaking memory."; after a warning the
 * counter is saturated (REFCOUNT_SATURATED) and stays there, as in the
 * kernel. A warning is a WARN at the driver's call site: a finding that
 * ends the execution unless the world made WARNs non-fatal.
 *
 * Customised for the harness: every operation but refcount_set() and
 * refcount_read() is an atomic operation of the shim (a scheduling point
 * and a SIM_TR_ATOMIC trace event named after the call), and checks that
 * the counter's memory is live (KASAN).
 */
#ifndef _LINUX_REFCOUNT_H
#define _LINUX_REFCOUNT_H

#include <limits.h>

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/types.h>

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

#define REFCOUNT_INIT(n)	{ .refs = ATOMIC_INIT(n) }
#define REFCOUNT_MAX		INT_MAX
#define REFCOUNT_SATURATED	(INT_MIN / 2)

enum sim_refcount_op {
	SIM_REFCOUNT_ADD,		/* refcount_add/inc: no result */
	SIM_REFCOUNT_ADD_NOT_ZERO,	/* returns whether it added */
	SIM_REFCOUNT_SUB,		/* refcount_dec: no result */
	SIM_REFCOUNT_SUB_AND_TEST,	/* returns whether it reached 0 */
};

int sim_kapi_refcount(refcount_t *r, enum sim_refcount_op op, int n,
		      const struct sim_kapi_site *site);

static inline void refcount_set(refcount_t *r, int n)
{
	r->refs.counter = n;
}

static inline unsigned int refcount_read(const refcount_t *r)
{
	return (unsigned int)READ_ONCE(r->refs.counter);
}

#define __SIM_REFCOUNT(name, r, op, n)					\
	sim_kapi_refcount((r), (op), (n), SIM_KAPI_SITE(#name "(" #r ")"))

#define refcount_add(i, r)	((void)__SIM_REFCOUNT(refcount_add, r, SIM_REFCOUNT_ADD, (i)))
#define refcount_inc(r)		((void)__SIM_REFCOUNT(refcount_inc, r, SIM_REFCOUNT_ADD, 1))
#define refcount_add_not_zero(i, r) \
	((bool)__SIM_REFCOUNT(refcount_add_not_zero, r, SIM_REFCOUNT_ADD_NOT_ZERO, (i)))
#define refcount_inc_not_zero(r) \
	((bool)__SIM_REFCOUNT(refcount_inc_not_zero, r, SIM_REFCOUNT_ADD_NOT_ZERO, 1))
#define refcount_dec(r)		((void)__SIM_REFCOUNT(refcount_dec, r, SIM_REFCOUNT_SUB, 1))
#define refcount_sub_and_test(i, r) \
	((bool)__SIM_REFCOUNT(refcount_sub_and_test, r, SIM_REFCOUNT_SUB_AND_TEST, (i)))
#define refcount_dec_and_test(r) \
	((bool)__SIM_REFCOUNT(refcount_dec_and_test, r, SIM_REFCOUNT_SUB_AND_TEST, 1))

#endif /* _LINUX_REFCOUNT_H */
