/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/rtnetlink.h>: the RTNL lock, implemented in
 * sim/kapi/rtnl.c. Copies kernel semantics: one global mutex,
 * "rtnl_mutex", that rtnl_lock() takes (sleeping), rtnl_trylock() tries
 * (never blocking; 1 when taken), rtnl_unlock() releases, and
 * rtnl_is_locked() reads (anyone holds it). It is a struct mutex of the
 * mutex shim, so the mutex checks apply (rtnl_lock from atomic context,
 * recursive rtnl_lock, rtnl_unlock by a task that does not hold it), its
 * owner is tracked, and a task waiting for it blocks on its lockdep map
 * with SIM_WAIT_MUTEX, as every sleeping lock does. ASSERT_RTNL() is the
 * kernel's: a WARN_ONCE when nobody holds RTNL (not "when the running
 * task does not": that is lockdep_rtnl_is_held()).
 *
 * Customised for the harness in two ways:
 *  - "global" means one per world, reset at every execution (the mutex
 *    lives in the world, not in driver memory);
 *  - a failed rtnl_trylock() from a task that may sleep costs one
 *    microsecond of virtual time before it returns 0. A caller that retries
 *    at once (netvsc_subchan_work requeues itself) spins on a real CPU and
 *    lets real time pass while the holder waits for its device; in the
 *    simulator virtual time moves only when no task can run, so without
 *    this cost such a spinner would freeze the clock and the holder's
 *    device answers would never come. The spinner sleeps on the RTNL
 *    lockdep map (SIM_WAIT_MUTEX, "rtnl_mutex") and rtnl_unlock() wakes it
 *    at once, so it still competes for the lock the moment it is free.
 *    From atomic context the failed trylock returns at once, as in the
 *    kernel.
 */
#ifndef _LINUX_RTNETLINK_H
#define _LINUX_RTNETLINK_H

#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/mutex.h>

void sim_kapi_rtnl_lock(const struct sim_kapi_site *site);
int sim_kapi_rtnl_trylock(const struct sim_kapi_site *site);
void sim_kapi_rtnl_unlock(const struct sim_kapi_site *site);
int sim_kapi_rtnl_is_locked(void);
bool sim_kapi_lockdep_rtnl_is_held(void);

#define rtnl_lock()		sim_kapi_rtnl_lock(SIM_KAPI_SITE("rtnl_mutex"))
#define rtnl_lock_killable()	({ rtnl_lock(); 0; })
#define rtnl_trylock()		sim_kapi_rtnl_trylock(SIM_KAPI_SITE("rtnl_mutex"))
#define rtnl_unlock()		sim_kapi_rtnl_unlock(SIM_KAPI_SITE("rtnl_mutex"))
#define rtnl_is_locked()	sim_kapi_rtnl_is_locked()
#define lockdep_rtnl_is_held()	sim_kapi_lockdep_rtnl_is_held()

#define ASSERT_RTNL()							\
	WARN_ONCE(!rtnl_is_locked(),					\
		  "RTNL: assertion failed at %s (%d)\n", __FILE__, __LINE__)

/* No RCU in the simulator: an RTNL-protected pointer is a plain load. */
#define rtnl_dereference(p)	(p)

#endif /* _LINUX_RTNETLINK_H */
