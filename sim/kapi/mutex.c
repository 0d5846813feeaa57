// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements struct mutex for the simulated kernel: a sleeping
 * lock with an owner, with lockdep's and DEBUG_MUTEXES' checks (see
 * <linux/mutex.h> for the contract). It sits between driver code, through
 * the macros of drivers/include/linux/mutex.h, and the engine's blocking
 * calls and the shared lock checks (sim/kapi/lockcheck.c).
 *
 * Fairness is left to the scheduler on purpose: an unlock wakes every
 * waiter and each re-checks the owner when it runs, so which waiter gets
 * the mutex (or whether a newcomer barges in first) is a decision the
 * exploration strategies can vary.
 */
#include "sim/kapi/kapi.h"
#include "sim/lockdep.h"
#include "sim/kcsan.h"

#include <linux/mutex.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
/* Reset a mutex found in memory from an earlier execution. */
SIM_KAPI_INLINE void mutex_prepare(SimWorld *w, struct mutex *lock,
				   const struct sim_kapi_site *site)
{
	if (sim__kapi_map_prepare(w, &lock->dep_map, SIM_LOCK_MUTEX,
				  site->expr))
		lock->owner = NULL;
}

void sim_kapi_mutex_init(struct mutex *lock, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("mutex_init");
	SimWorld *w = t->world;

	sim_yield(w);
	SIM_KAPI_CHECK(w, lock, true);
	/* DEBUG_MUTEXES: re-initialising a mutex the task holds. */
	sim__kapi_check_no_locks_freed(w, lock, sizeof(*lock), site->func);
	sim__kapi_map_init(w, &lock->dep_map, SIM_LOCK_MUTEX, site->expr);
	lock->owner = NULL;
}

void sim_kapi_mutex_lock(struct mutex *lock, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("mutex_lock");
	SimWorld *w = t->world;
	int idx;

	sim_might_sleep(w, site->func, site->file, site->line);
	sim_yield(w);
	SIM_KAPI_CHECK(w, lock, true);
	mutex_prepare(w, lock, site);
	idx = sim__kapi_held_find(t, &lock->dep_map);
	if (G_UNLIKELY(idx >= 0))
		sim__kapi_report_recursive(w, t, &lock->dep_map, idx, site);
	/* lockdep: the dependency exists at the attempt, taken or not. */
	sim__lockdep_acquire(w, t, &lock->dep_map, site->func);
	while (lock->owner) {
		sim_trace(w, SIM_TR_LOCK_CONTEND, lock->dep_map.__sim_id,
			  lock->dep_map.name, site->func, 0, lock->owner->id);
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_MUTEX, &lock->dep_map,
			  lock->dep_map.name, site->func, 0);
		/* Woken: the lock may have been freed meanwhile. */
		SIM_KAPI_CHECK(w, lock, true);
	}
	lock->owner = t;
	sim__kapi_held_push(w, t, &lock->dep_map, site->func);
	sim_kcsan_acquire(w, &lock->dep_map);
	sim_trace(w, SIM_TR_LOCK, lock->dep_map.__sim_id, lock->dep_map.name,
		  site->func, 0, 0);
}

int sim_kapi_mutex_trylock(struct mutex *lock, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("mutex_trylock");
	SimWorld *w = t->world;

	sim_yield(w);
	SIM_KAPI_CHECK(w, lock, true);
	mutex_prepare(w, lock, site);
	if (lock->owner) {
		sim_trace(w, SIM_TR_TRYLOCK_FAIL, lock->dep_map.__sim_id,
			  lock->dep_map.name, site->func, 0, lock->owner->id);
		return 0;
	}
	lock->owner = t;
	sim__kapi_held_push(w, t, &lock->dep_map, site->func);
	sim_kcsan_acquire(w, &lock->dep_map);
	sim_trace(w, SIM_TR_LOCK, lock->dep_map.__sim_id, lock->dep_map.name,
		  site->func, 1, 0);
	return 1;
}

void sim_kapi_mutex_unlock(struct mutex *lock, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("mutex_unlock");
	SimWorld *w = t->world;
	int idx;

	sim_yield(w);
	SIM_KAPI_CHECK(w, lock, true);
	mutex_prepare(w, lock, site);
	/* lockdep's lock_release() runs first in the kernel too. */
	idx = sim__kapi_held_find(t, &lock->dep_map);
	if (G_UNLIKELY(idx < 0))
		sim__kapi_report_bad_unlock(w, t, &lock->dep_map, site,
					    (uintptr_t)__builtin_return_address(0));
	sim__kapi_held_remove(t, idx);
	if (G_UNLIKELY(lock->owner != t)) {
		/* Held in lockdep's view, but someone re-initialised (and
		 * maybe re-took) the mutex: DEBUG_MUTEXES' owner check. */
		sim__kapi_warn_kind(SIM_KAPI_BUG_LOCK_REINIT, site,
				    "DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current)");
	}
	lock->owner = NULL;
	sim_trace(w, SIM_TR_UNLOCK, lock->dep_map.__sim_id, lock->dep_map.name,
		  site->func, 0, 0);
	sim_kcsan_release(w, &lock->dep_map);
	sim_wake_all(w, &lock->dep_map);
}
