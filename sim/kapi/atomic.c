// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements atomic_t operations and the atomic bit operations
 * for the simulated kernel: each is a scheduling point just before its
 * access and one SIM_TR_ATOMIC trace event (see <linux/atomic.h> and
 * <linux/bitops.h> for the contract). It sits between driver code,
 * through the macros of those headers, and the engine's scheduler and
 * trace.
 *
 * Arithmetic wraps as two's complement, as the kernel's does (it builds
 * with -fno-strict-overflow); it is done in unsigned to stay defined C.
 */
#include "sim/kapi/kapi.h"
#include "sim/kcsan.h"

#include <linux/atomic.h>
#include <linux/bitops.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
/* An id for traces. Memory the engine did not reset may hold a stale or
 * garbage id; one that no object of this execution has is replaced. */
SIM_KAPI_INLINE uint32_t atomic_id(SimWorld *w, atomic_t *v)
{
	if (v->__sim_id == 0 || v->__sim_id > w->next_obj)
		v->__sim_id = sim_obj_id(w);
	return v->__sim_id;
}

SIM_KAPI_INLINE int wrap_add(int a, int b)
{
	return (int)((unsigned int)a + (unsigned int)b);
}

int sim_kapi_atomic(atomic_t *v, enum sim_atomic_op op, int a, int b,
		    const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("atomic");
	SimWorld *w = t->world;
	int old, ret;

	sim_yield(w);
	SIM_KAPI_CHECK(w, v, op != SIM_ATOMIC_READ);
	old = v->counter;
	switch (op) {
	case SIM_ATOMIC_READ:
		ret = old;
		break;
	case SIM_ATOMIC_SET:
		v->counter = a;
		ret = a;
		break;
	case SIM_ATOMIC_ADD:
		v->counter = wrap_add(old, a);
		ret = v->counter;
		break;
	case SIM_ATOMIC_FETCH_ADD:
		v->counter = wrap_add(old, a);
		ret = old;
		break;
	case SIM_ATOMIC_XCHG:
		v->counter = a;
		ret = old;
		break;
	case SIM_ATOMIC_CMPXCHG:
		if (old == a)
			v->counter = b;
		ret = old;
		break;
	case SIM_ATOMIC_ADD_UNLESS:
		ret = old != b;
		if (ret)
			v->counter = wrap_add(old, a);
		break;
	default:
		g_assert_not_reached();
	}
	sim_kcsan_atomic(w, v, site->expr);
	sim_trace(w, SIM_TR_ATOMIC, atomic_id(w, v), site->expr, site->func,
		  v->counter, 0);
	return ret;
}

int sim_kapi_bitop(unsigned long nr, volatile unsigned long *addr,
		   enum sim_bit_op op, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("bitop");
	SimWorld *w = t->world;
	volatile unsigned long *word = addr + BIT_WORD(nr);
	unsigned long mask = BIT_MASK(nr);
	int old;

	sim_yield(w);
	SIM_KAPI_CHECK(w, word, true);
	old = (*word & mask) != 0;
	switch (op) {
	case SIM_BIT_SET:
		*word |= mask;
		break;
	case SIM_BIT_CLEAR:
		*word &= ~mask;
		break;
	case SIM_BIT_CHANGE:
		*word ^= mask;
		break;
	default:
		g_assert_not_reached();
	}
	sim_kcsan_atomic(w, (const void *)word, site->expr);
	sim_trace(w, SIM_TR_ATOMIC, 0, site->expr, site->func, old, 0);
	return old;
}
