/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/mutex.h>. Copies kernel semantics (a sleeping lock with an
 * owner; trylock never sleeps; no signals exist in the simulator, so the
 * _interruptible and _killable variants always get the lock and return 0),
 * with the checks of a CONFIG_PROVE_LOCKING + CONFIG_DEBUG_MUTEXES kernel:
 *
 *  - mutex_lock() from atomic context: "BUG: sleeping function called from
 *    invalid context" (checked even when the mutex is free);
 *  - taking a mutex the task already holds: lockdep's "WARNING: possible
 *    recursive locking detected";
 *  - unlocking a mutex the task does not hold: "WARNING: bad unlock balance
 *    detected!";
 *  - mutex_init() of a mutex the task itself holds: "WARNING: held lock
 *    freed!".
 *
 * Each is a finding that ends the execution. Customised for the harness:
 * mutex_lock, mutex_trylock and mutex_unlock are scheduling points (just
 * before their effect); a contended mutex_lock blocks (SIM_WAIT_MUTEX),
 * and mutex_unlock wakes every waiter to contend again, so the scheduler
 * decides who wins.
 *
 * struct mutex is plain data: the lockdep map first (the held-lock records
 * and the wait object point at it), then the owner task.
 */
#ifndef _LINUX_MUTEX_H
#define _LINUX_MUTEX_H

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/types.h>

struct mutex {
	struct lockdep_map dep_map;	/* first: see the comment above */
	struct SimTask *owner;		/* NULL when free */
};

#define __MUTEX_INITIALIZER(lockname)					\
	{ .dep_map = SIM_DEP_MAP_INIT(#lockname, SIM_LOCK_MUTEX) }

#define DEFINE_MUTEX(mutexname)						\
	struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)

void sim_kapi_mutex_init(struct mutex *lock, const struct sim_kapi_site *site);
void sim_kapi_mutex_lock(struct mutex *lock, const struct sim_kapi_site *site);
int sim_kapi_mutex_trylock(struct mutex *lock, const struct sim_kapi_site *site);
void sim_kapi_mutex_unlock(struct mutex *lock, const struct sim_kapi_site *site);

#define mutex_init(lock)	sim_kapi_mutex_init((lock), SIM_KAPI_SITE(#lock))
#define __mutex_init(lock, name, key) sim_kapi_mutex_init((lock), SIM_KAPI_SITE(name))
#define mutex_destroy(lock)	do { (void)(lock); } while (0)

#define mutex_lock(lock)	sim_kapi_mutex_lock((lock), SIM_KAPI_SITE(#lock))
#define mutex_lock_nested(lock, subclass) mutex_lock(lock)
#define mutex_lock_interruptible(lock)					\
	({ mutex_lock(lock); 0; })
#define mutex_lock_killable(lock)					\
	({ mutex_lock(lock); 0; })
#define mutex_lock_io(lock)	mutex_lock(lock)
#define mutex_trylock(lock)	sim_kapi_mutex_trylock((lock), SIM_KAPI_SITE(#lock))
#define mutex_unlock(lock)	sim_kapi_mutex_unlock((lock), SIM_KAPI_SITE(#lock))

/* A read of the owner; not a scheduling point. */
static inline bool mutex_is_locked(const struct mutex *lock)
{
	return READ_ONCE(lock->owner) != NULL;
}

#endif /* _LINUX_MUTEX_H */
