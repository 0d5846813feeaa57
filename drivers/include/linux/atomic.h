/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/atomic.h> for atomic_t. Copies kernel semantics for the
 * values (fully ordered read-modify-write, returning what the kernel's
 * returns); customised for the harness: every operation, atomic_read() and
 * atomic_set() included, is a scheduling point taken just before the
 * access, and records a SIM_TR_ATOMIC trace event named after the call
 * ("atomic_dec_and_test(&dev->ref)") whose argument is the value the
 * operation left in the counter.
 *
 * atomic64_t is declared in <linux/types.h> but has no operations yet.
 */
#ifndef _LINUX_ATOMIC_H
#define _LINUX_ATOMIC_H

#include <linux/compiler.h>
#include <linux/types.h>

#define ATOMIC_INIT(i)	{ .counter = (i) }

enum sim_atomic_op {
	SIM_ATOMIC_READ,	/* returns the value */
	SIM_ATOMIC_SET,		/* counter = a; returns a */
	SIM_ATOMIC_ADD,		/* counter += a; returns the new value */
	SIM_ATOMIC_FETCH_ADD,	/* counter += a; returns the old value */
	SIM_ATOMIC_XCHG,	/* counter = a; returns the old value */
	SIM_ATOMIC_CMPXCHG,	/* if (counter == a) counter = b; returns old */
	SIM_ATOMIC_ADD_UNLESS,	/* if (counter != b) counter += a; returns
				 * whether it added */
};

/*
 * sim_kapi_atomic - one atomic operation @op on @v with operands @a, @b,
 * on behalf of the driver call described by @site (whose expr is the
 * whole call, e.g. "atomic_inc(&x->n)"). A scheduling point. Must be
 * called from a task.
 */
int sim_kapi_atomic(atomic_t *v, enum sim_atomic_op op, int a, int b,
		    const struct sim_kapi_site *site);

#define __SIM_ATOMIC(name, v, op, a, b)					\
	sim_kapi_atomic((v), (op), (a), (b),				\
			SIM_KAPI_SITE(#name "(" #v ")"))

#define atomic_read(v)		__SIM_ATOMIC(atomic_read, v, SIM_ATOMIC_READ, 0, 0)
#define atomic_set(v, i)	((void)__SIM_ATOMIC(atomic_set, v, SIM_ATOMIC_SET, (i), 0))

#define atomic_add(i, v)	((void)__SIM_ATOMIC(atomic_add, v, SIM_ATOMIC_ADD, (i), 0))
#define atomic_sub(i, v)	((void)__SIM_ATOMIC(atomic_sub, v, SIM_ATOMIC_ADD, -(i), 0))
#define atomic_inc(v)		((void)__SIM_ATOMIC(atomic_inc, v, SIM_ATOMIC_ADD, 1, 0))
#define atomic_dec(v)		((void)__SIM_ATOMIC(atomic_dec, v, SIM_ATOMIC_ADD, -1, 0))

#define atomic_add_return(i, v)	__SIM_ATOMIC(atomic_add_return, v, SIM_ATOMIC_ADD, (i), 0)
#define atomic_sub_return(i, v)	__SIM_ATOMIC(atomic_sub_return, v, SIM_ATOMIC_ADD, -(i), 0)
#define atomic_inc_return(v)	__SIM_ATOMIC(atomic_inc_return, v, SIM_ATOMIC_ADD, 1, 0)
#define atomic_dec_return(v)	__SIM_ATOMIC(atomic_dec_return, v, SIM_ATOMIC_ADD, -1, 0)

#define atomic_fetch_add(i, v)	__SIM_ATOMIC(atomic_fetch_add, v, SIM_ATOMIC_FETCH_ADD, (i), 0)
#define atomic_fetch_sub(i, v)	__SIM_ATOMIC(atomic_fetch_sub, v, SIM_ATOMIC_FETCH_ADD, -(i), 0)
#define atomic_fetch_inc(v)	__SIM_ATOMIC(atomic_fetch_inc, v, SIM_ATOMIC_FETCH_ADD, 1, 0)
#define atomic_fetch_dec(v)	__SIM_ATOMIC(atomic_fetch_dec, v, SIM_ATOMIC_FETCH_ADD, -1, 0)

#define atomic_dec_and_test(v)	(__SIM_ATOMIC(atomic_dec_and_test, v, SIM_ATOMIC_ADD, -1, 0) == 0)
#define atomic_inc_and_test(v)	(__SIM_ATOMIC(atomic_inc_and_test, v, SIM_ATOMIC_ADD, 1, 0) == 0)
#define atomic_sub_and_test(i, v) (__SIM_ATOMIC(atomic_sub_and_test, v, SIM_ATOMIC_ADD, -(i), 0) == 0)
#define atomic_add_negative(i, v) (__SIM_ATOMIC(atomic_add_negative, v, SIM_ATOMIC_ADD, (i), 0) < 0)

#define atomic_xchg(v, new)	__SIM_ATOMIC(atomic_xchg, v, SIM_ATOMIC_XCHG, (new), 0)
#define atomic_cmpxchg(v, old, new) \
	__SIM_ATOMIC(atomic_cmpxchg, v, SIM_ATOMIC_CMPXCHG, (old), (new))
#define atomic_add_unless(v, a, u) \
	__SIM_ATOMIC(atomic_add_unless, v, SIM_ATOMIC_ADD_UNLESS, (a), (u))
#define atomic_inc_not_zero(v) \
	__SIM_ATOMIC(atomic_inc_not_zero, v, SIM_ATOMIC_ADD_UNLESS, 1, 0)

/* The kernel's ordering variants are the fully ordered ones here. */
#define atomic_read_acquire(v)		atomic_read(v)
#define atomic_set_release(v, i)	atomic_set(v, i)
#define atomic_inc_return_relaxed(v)	atomic_inc_return(v)
#define atomic_dec_return_relaxed(v)	atomic_dec_return(v)

/*
 * Every access above is already fully ordered; the simulator runs one task
 * at a time, so the barriers only need to stop the compiler. Guarded,
 * because <asm/barrier.h>-style headers may define them too.
 */
#ifndef smp_mb
#define smp_mb()		barrier()
#define smp_rmb()		barrier()
#define smp_wmb()		barrier()
#endif
#ifndef smp_mb__before_atomic
#define smp_mb__before_atomic()	barrier()
#define smp_mb__after_atomic()	barrier()
#endif
#ifndef smp_store_release
#define smp_store_release(p, v)	WRITE_ONCE(*(p), (v))
#define smp_load_acquire(p)	READ_ONCE(*(p))
#endif

#endif /* _LINUX_ATOMIC_H */
