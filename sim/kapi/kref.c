// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements refcount_t (and so kref): the counter operations as
 * atomic operations of the shim, with the kernel's saturation checks and
 * their warnings. It sits between drivers (<linux/refcount.h>,
 * <linux/kref.h>, get_device/put_device in sim/kapi/device.c) and the
 * atomic and WARN machinery of sim/kapi/atomic.c and bug.c.
 */
#include <glib.h>

#include "sim/heap.h"
#include "sim/kapi/exec.h"
#include "sim/kapi/kapi.h"

#include <linux/refcount.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
/* The kernel's refcount_warn_saturate(): warn, then saturate. */
SIM_KAPI_INLINE void refcount_warn_saturate(SimWorld *w, refcount_t *r,
					    const char *what,
					    const struct sim_kapi_site *site)
{
	r->refs.counter = REFCOUNT_SATURATED;
	sim__kapi_warn(w, site, "refcount_t: %s", what);
}

int sim_kapi_refcount(refcount_t *r, enum sim_refcount_op op, int n,
		      const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("refcount");
	SimWorld *w = t->world;
	int old;

	sim_heap_check(w, (uintptr_t)r, sizeof(*r), true,
		       (uintptr_t)__builtin_return_address(0));
	switch (op) {
	case SIM_REFCOUNT_ADD:
		old = sim_kapi_atomic(&r->refs, SIM_ATOMIC_FETCH_ADD, n, 0, site);
		if (old == 0)
			refcount_warn_saturate(w, r, "addition on 0; use-after-free.",
					       site);
		else if (old < 0 || old + n < 0)
			refcount_warn_saturate(w, r, "saturated; leaking memory.",
					       site);
		return 0;
	case SIM_REFCOUNT_ADD_NOT_ZERO:
		old = sim_kapi_atomic(&r->refs, SIM_ATOMIC_FETCH_ADD, 0, 0, site);
		if (old == 0)
			return 0;
		r->refs.counter = old + n;
		if (old < 0 || old + n < 0)
			refcount_warn_saturate(w, r, "saturated; leaking memory.",
					       site);
		return 1;
	case SIM_REFCOUNT_SUB:
		old = sim_kapi_atomic(&r->refs, SIM_ATOMIC_FETCH_ADD, -n, 0, site);
		if (old == n)
			refcount_warn_saturate(w, r,
					       "decrement hit 0; leaking memory.",
					       site);
		else if (old < n)
			refcount_warn_saturate(w, r, "underflow; use-after-free.",
					       site);
		return 0;
	case SIM_REFCOUNT_SUB_AND_TEST:
		old = sim_kapi_atomic(&r->refs, SIM_ATOMIC_FETCH_ADD, -n, 0, site);
		if (old == n)
			return 1;
		if (old < n)
			refcount_warn_saturate(w, r, "underflow; use-after-free.",
					       site);
		return 0;
	}
	g_assert_not_reached();
}
