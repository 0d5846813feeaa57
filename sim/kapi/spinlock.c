// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements spinlock_t for the simulated kernel, as a kernel
 * with CONFIG_DEBUG_SPINLOCK and CONFIG_PROVE_LOCKING runs it: lockdep's
 * checks on the held-lock records first, then the debug checks on the lock
 * word and its debug owner (kernel/locking/spinlock_debug.c), then the
 * preempt and interrupt state (see <linux/spinlock.h> for the contract).
 * It sits between driver code, through the macros of
 * drivers/include/linux/spinlock.h, and the engine's blocking calls and
 * the shared lock checks (sim/kapi/lockcheck.c).
 *
 * Keeping the two views apart is what makes a re-initialised lock visible
 * the way it is on a real machine. race: az-blob-spinlock-reinit. The
 * holder's record survives spin_lock_init() (lockdep does not look at other
 * tasks' locks there), while the lock word is reset; the holder's unlock
 * then passes lockdep and trips "already unlocked" (or "wrong owner" when
 * a third task took the re-initialised lock in between).
 */
#include "sim/kapi/kapi.h"
#include "sim/lockdep.h"
#include "sim/kcsan.h"

#include <linux/spinlock.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
SIM_KAPI_INLINE void spin_reset(spinlock_t *lock)
{
	lock->locked = 0;
	lock->magic = SPINLOCK_MAGIC;
	lock->owner = NULL;
	lock->owner_cpu = -1;
	lock->__sim_reinit_pid = 0;
	lock->__sim_reinit_func = NULL;
}

SIM_KAPI_INLINE void spin_prepare(SimWorld *w, spinlock_t *lock,
				  const struct sim_kapi_site *site)
{
	if (sim__kapi_map_prepare(w, &lock->dep_map, SIM_LOCK_SPIN,
				  site->expr))
		spin_reset(lock);
}

/* spin_bug(): "BUG: spinlock <msg> on CPU#n, comm/pid" and spin_dump(). */
static _Noreturn void sim__kapi_spin_bug(SimWorld *w, SimTask *t,
					 spinlock_t *lock, const char *msg,
					 const struct sim_kapi_site *site)
{
	SimReport *r = sim_report_new(w, SIM_KAPI_BUG_LOCK_REINIT, site->func,
				      "BUG: spinlock %s on CPU#%d, %s/%u", msg,
				      t->cpu, t->name, t->id);
	SimStack s;

	sim__kapi_capture(&s);
	/* %pS of an address that is no symbol prints the bare address. */
	sim_report_line(r, " lock: 0x%016" G_GINT64_MODIFIER "x, .magic: %08x, "
			".owner: %s/%d, .owner_cpu: %d",
			sim_report_obj_addr(lock->dep_map.__sim_id), lock->magic,
			lock->owner ? lock->owner->name : "<none>",
			lock->owner ? (int)lock->owner->id : -1,
			lock->owner_cpu);
	sim_report_identity(r, w, t);
	sim_report_stack(r, &s, TRUE);
	if (lock->__sim_reinit_pid) {
		SimTask *by = sim_task_by_id(w, lock->__sim_reinit_pid);

		sim_report_line(r, "hvsim: spin_lock_init() in %s by %s/%u "
				"re-initialised this lock while %s/%u held it",
				lock->__sim_reinit_func ? lock->__sim_reinit_func : "?",
				by ? by->name : "?", lock->__sim_reinit_pid,
				t->name, t->id);
	}
	sim_report_raise_task(w, r);
}

void sim_kapi_spin_lock_init(spinlock_t *lock, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("spin_lock_init");
	SimWorld *w = t->world;
	bool held_by_other;

	sim_yield(w);
	SIM_KAPI_CHECK(w, lock, true);
	/* lockdep: re-initialising a lock the task itself holds. */
	sim__kapi_check_no_locks_freed(w, lock, sizeof(*lock), site->func);
	held_by_other = lock->dep_map.__sim_magic == SIM_LOCKDEP_MAGIC &&
			lock->dep_map.__sim_serial == w->run_serial &&
			lock->magic == SPINLOCK_MAGIC && lock->locked &&
			lock->owner && lock->owner != t;
	sim__kapi_map_init(w, &lock->dep_map, SIM_LOCK_SPIN, site->expr);
	spin_reset(lock);
	sim_trace(w, SIM_TR_LOCK_INIT, lock->dep_map.__sim_id,
		  lock->dep_map.name, site->func, held_by_other, 0);
	if (held_by_other) {
		/* Silent now, as in the kernel; remembered for the note
		 * under the report the holder's unlock will raise. */
		lock->__sim_reinit_pid = t->id;
		lock->__sim_reinit_func = site->func;
	}
	/* A CPU spinning on the lock sees the unlocked word and takes it. */
	sim_wake_all(w, &lock->dep_map);
}

/* The state changes spin_lock_<mode> makes before it spins. */
SIM_KAPI_INLINE unsigned long enter_atomic(SimTask *t, enum sim_spin_mode mode)
{
	unsigned long flags = (unsigned long)t->irq_disabled;

	switch (mode) {
	case SIM_SPIN_BH:
		t->preempt_count += SIM_SOFTIRQ_LOCK_OFFSET;
		break;
	case SIM_SPIN_IRQ:
	case SIM_SPIN_IRQSAVE:
		t->irq_disabled = 1;
		t->preempt_count += 1;
		break;
	default:
		t->preempt_count += 1;
		break;
	}
	return flags;
}

SIM_KAPI_INLINE void leave_atomic(SimTask *t, enum sim_spin_mode mode,
				  unsigned long flags)
{
	switch (mode) {
	case SIM_SPIN_BH:
		t->preempt_count -= SIM_SOFTIRQ_LOCK_OFFSET;
		break;
	case SIM_SPIN_IRQ:
		t->irq_disabled = 0;
		t->preempt_count -= 1;
		break;
	case SIM_SPIN_IRQSAVE:
		t->irq_disabled = flags ? 1 : 0;
		t->preempt_count -= 1;
		break;
	default:
		t->preempt_count -= 1;
		break;
	}
}

SIM_KAPI_INLINE void take(SimWorld *w, SimTask *t, spinlock_t *lock,
			  const struct sim_kapi_site *site, int trylock)
{
	lock->locked = 1;
	lock->owner = t;
	lock->owner_cpu = t->cpu;
	sim__kapi_held_push(w, t, &lock->dep_map, site->func);
	sim_kcsan_acquire(w, &lock->dep_map);
	sim_trace(w, SIM_TR_LOCK, lock->dep_map.__sim_id, lock->dep_map.name,
		  site->func, trylock, 0);
}

unsigned long sim_kapi_spin_lock(spinlock_t *lock, enum sim_spin_mode mode,
				 const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("spin_lock");
	SimWorld *w = t->world;
	unsigned long flags;
	int idx;

	sim_yield(w);
	SIM_KAPI_CHECK(w, lock, true);
	spin_prepare(w, lock, site);
	flags = enter_atomic(t, mode);
	idx = sim__kapi_held_find(t, &lock->dep_map);
	if (G_UNLIKELY(idx >= 0))
		sim__kapi_report_recursive(w, t, &lock->dep_map, idx, site);
	/* lockdep: the dependency exists at the attempt, taken or not. */
	sim__lockdep_acquire(w, t, &lock->dep_map, site->func);
	/* Spinning: blocked, although atomic, until the holder unlocks. */
	while (lock->locked) {
		sim_trace(w, SIM_TR_LOCK_CONTEND, lock->dep_map.__sim_id,
			  lock->dep_map.name, site->func, 0,
			  lock->owner ? lock->owner->id : 0);
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_SPIN, &lock->dep_map,
			  lock->dep_map.name, site->func, 0);
		/* Woken: the lock may have been freed meanwhile. */
		SIM_KAPI_CHECK(w, lock, true);
	}
	take(w, t, lock, site, 0);
	return flags;
}

int sim_kapi_spin_trylock(spinlock_t *lock, enum sim_spin_mode mode,
			  unsigned long *flags, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("spin_trylock");
	SimWorld *w = t->world;

	sim_yield(w);
	SIM_KAPI_CHECK(w, lock, true);
	spin_prepare(w, lock, site);
	*flags = enter_atomic(t, mode);
	if (lock->locked) {
		leave_atomic(t, mode, *flags);
		sim_trace(w, SIM_TR_TRYLOCK_FAIL, lock->dep_map.__sim_id,
			  lock->dep_map.name, site->func, 0,
			  lock->owner ? lock->owner->id : 0);
		return 0;
	}
	take(w, t, lock, site, 1);
	return 1;
}

void sim_kapi_spin_unlock(spinlock_t *lock, enum sim_spin_mode mode,
			  unsigned long flags, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("spin_unlock");
	SimWorld *w = t->world;
	int idx;

	sim_yield(w);
	SIM_KAPI_CHECK(w, lock, true);
	spin_prepare(w, lock, site);
	/* lockdep's lock_release() first ... */
	idx = sim__kapi_held_find(t, &lock->dep_map);
	if (G_UNLIKELY(idx < 0))
		sim__kapi_report_bad_unlock(w, t, &lock->dep_map, site,
					    (uintptr_t)__builtin_return_address(0));
	sim__kapi_held_remove(t, idx);
	/* ... then do_raw_spin_unlock()'s debug checks, in their order. */
	if (G_UNLIKELY(lock->magic != SPINLOCK_MAGIC))
		sim__kapi_spin_bug(w, t, lock, "bad magic", site);
	if (G_UNLIKELY(!lock->locked))
		sim__kapi_spin_bug(w, t, lock, "already unlocked", site);
	if (G_UNLIKELY(lock->owner != t))
		sim__kapi_spin_bug(w, t, lock, "wrong owner", site);
	if (G_UNLIKELY(lock->owner_cpu != t->cpu))
		sim__kapi_spin_bug(w, t, lock, "wrong CPU", site);
	lock->locked = 0;
	lock->owner = NULL;
	lock->owner_cpu = -1;
	sim_kcsan_release(w, &lock->dep_map);
	leave_atomic(t, mode, flags);
	sim_trace(w, SIM_TR_UNLOCK, lock->dep_map.__sim_id, lock->dep_map.name,
		  site->func, 0, 0);
	sim_wake_all(w, &lock->dep_map);
}
