// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the RTNL lock of the simulated kernel
 * (<linux/rtnetlink.h>): one struct mutex per world named "rtnl_mutex",
 * taken, tried and released through the mutex shim, so its owner, its
 * waiters and its misuse are tracked like any mutex's. It sits between
 * drivers that take RTNL (netvsc) and sim/kapi/mutex.c.
 *
 * The kernel's rtnl_mutex is a static mutex of net/core/rtnetlink.c; here
 * it lives in the world (see rtnl_state()) and is reset at the first RTNL
 * call of every execution, so no execution sees another's owner.
 *
 * One customisation, documented in <linux/rtnetlink.h>: a failed
 * rtnl_trylock() from process context costs a microsecond of virtual time
 * (a sleep on the RTNL map that rtnl_unlock() cuts short), so a task that
 * retries the trylock in a loop lets the clock move.
 */
#include <string.h>

#include "sim/kapi/kapi.h"

#include <linux/mutex.h>
#include <linux/rtnetlink.h>

/* What one failed trylock of a spinning caller costs. */
#define RTNL_TRYLOCK_SPIN_COST	SIM_USEC

/* The per-world RTNL state, in the world's SIM_EXT_KAPI_NET slot. */
typedef struct {
	uint64_t run_serial;
	struct mutex rtnl_mutex;
} SimKapiRtnl;

static void *rtnl_state_make(SimWorld *w)
{
	SimKapiRtnl *r = g_new0(SimKapiRtnl, 1);

	/* Never a valid serial: the first use resets the mutex. */
	r->run_serial = UINT64_MAX;
	return r;
}

static SimKapiRtnl *rtnl_state(SimWorld *w)
{
	return sim_world_ext(w, SIM_EXT_KAPI_NET, rtnl_state_make, g_free);
}

/* The world's RTNL mutex, free again at the start of every execution. */
SIM_KAPI_INLINE struct mutex *rtnl_of(SimWorld *w)
{
	SimKapiRtnl *r = rtnl_state(w);

	if (r->run_serial != w->run_serial) {
		r->run_serial = w->run_serial;
		memset(&r->rtnl_mutex, 0, sizeof(r->rtnl_mutex));
		r->rtnl_mutex.dep_map = (struct lockdep_map)
			SIM_DEP_MAP_INIT("rtnl_mutex", SIM_LOCK_MUTEX);
	}
	return &r->rtnl_mutex;
}

void sim_kapi_rtnl_lock(const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("rtnl_lock");

	sim_kapi_mutex_lock(rtnl_of(t->world), site);
}

int sim_kapi_rtnl_trylock(const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("rtnl_trylock");
	SimWorld *w = t->world;
	struct mutex *m = rtnl_of(w);

	if (sim_kapi_mutex_trylock(m, site))
		return 1;
	/* The caller will most likely try again: let the clock move. */
	if (t->ctx == SIM_CTX_PROCESS && sim__kapi_preempt_count(t) == 0 &&
	    !sim__kapi_irqs_disabled(t))
		sim_block(w, SIM_TASK_SLEEPING, SIM_WAIT_MUTEX, &m->dep_map,
			  m->dep_map.name, site->func, RTNL_TRYLOCK_SPIN_COST);
	return 0;
}

void sim_kapi_rtnl_unlock(const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("rtnl_unlock");
	SimWorld *w = t->world;
	struct mutex *m = rtnl_of(w);
	guint i;

	/* Checked here so that "at:" names the driver's call. */
	if (G_UNLIKELY(sim__kapi_held_find(t, &m->dep_map) < 0))
		sim__kapi_report_bad_unlock(w, t, &m->dep_map, site,
				(uintptr_t)__builtin_return_address(0));
	sim_kapi_mutex_unlock(m, site);
	/* Spinners of rtnl_trylock() retry at once, as on a real CPU. */
	for (i = 0; i < w->tasks->len; i++) {
		SimTask *o = g_ptr_array_index(w->tasks, i);

		if (o->state == SIM_TASK_SLEEPING && o->wait_obj == &m->dep_map)
			sim_wake(w, o);
	}
}

int sim_kapi_rtnl_is_locked(void)
{
	SimWorld *w = sim_current_world();

	return w && mutex_is_locked(rtnl_of(w));
}

bool sim_kapi_lockdep_rtnl_is_held(void)
{
	SimWorld *w = sim_current_world();

	return w && sim__kapi_held_by_current(&rtnl_of(w)->dep_map);
}
