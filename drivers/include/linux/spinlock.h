/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/spinlock.h>. Copies the semantics of a kernel built with
 * CONFIG_DEBUG_SPINLOCK and CONFIG_PROVE_LOCKING: the lock word and its
 * debug owner (owner task, owner CPU, magic) are checked the way
 * kernel/locking/spinlock_debug.c checks them, after lockdep's own checks:
 *
 *  - taking a spinlock the task already holds: lockdep's "WARNING: possible
 *    recursive locking detected";
 *  - unlocking one the task does not hold: "WARNING: bad unlock balance
 *    detected!";
 *  - spin_lock_init() on a lock the task itself holds: "WARNING: held lock
 *    freed!" (lockdep's debug_check_no_locks_freed);
 *  - spin_lock_init() on a lock ANOTHER task holds is silent in the kernel
 *    too; it resets the lock word, so when the holder unlocks, the debug
 *    checks fire: "BUG: spinlock already unlocked on CPU#n, comm/pid" (or
 *    "wrong owner" if someone else took the re-initialised lock meanwhile).
 *    race: az-blob-spinlock-reinit.
 *
 * Each is a finding that ends the execution.
 *
 * Atomic context: taking a spinlock adds 1 to the task's preempt_count
 * (_bh adds SOFTIRQ_LOCK_OFFSET, 0x201, as the kernel does); _irq and
 * _irqsave also disable interrupts, and _irqrestore puts back the saved
 * state. A task in that state that calls anything that sleeps is reported.
 *
 * Customised for the harness: lock, trylock, unlock and spin_lock_init are
 * scheduling points (just before their effect). A contended spin_lock
 * blocks the task with SIM_WAIT_SPIN: it models spinning, so it is allowed
 * in atomic context; the unlock wakes every spinner to contend again.
 */
#ifndef _LINUX_SPINLOCK_H
#define _LINUX_SPINLOCK_H

#include <linux/compiler.h>
#include <linux/lockdep.h>
#include <linux/types.h>

#define SPINLOCK_MAGIC		0xdead4eadU

typedef struct spinlock {
	struct lockdep_map dep_map;	/* first: held records point here */
	unsigned int locked;		/* the lock word */
	unsigned int magic;		/* SPINLOCK_MAGIC once initialised */
	struct SimTask *owner;		/* debug owner; NULL: nobody */
	int owner_cpu;			/* debug owner's CPU; -1: nobody */
	/* Who last re-initialised the lock while another task held it (for
	 * the simulator's note under the report); 0 if nobody did. */
	uint32_t __sim_reinit_pid;
	const char *__sim_reinit_func;
} spinlock_t;

/* The simulator has one kind of spinning lock. */
typedef spinlock_t raw_spinlock_t;

#define __SPIN_LOCK_UNLOCKED(lockname)					\
	{ .dep_map = SIM_DEP_MAP_INIT(#lockname, SIM_LOCK_SPIN),	\
	  .magic = SPINLOCK_MAGIC, .owner_cpu = -1 }
#define __RAW_SPIN_LOCK_UNLOCKED(lockname) __SPIN_LOCK_UNLOCKED(lockname)

#define DEFINE_SPINLOCK(x)	spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define DEFINE_RAW_SPINLOCK(x)	raw_spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

enum sim_spin_mode {
	SIM_SPIN_PLAIN,
	SIM_SPIN_BH,
	SIM_SPIN_IRQ,
	SIM_SPIN_IRQSAVE,
};

void sim_kapi_spin_lock_init(spinlock_t *lock, const struct sim_kapi_site *site);
/* Returns the saved interrupt state (for _irqsave). */
unsigned long sim_kapi_spin_lock(spinlock_t *lock, enum sim_spin_mode mode,
				 const struct sim_kapi_site *site);
/* Returns 1 and the saved state in *@flags when it took the lock. */
int sim_kapi_spin_trylock(spinlock_t *lock, enum sim_spin_mode mode,
			  unsigned long *flags, const struct sim_kapi_site *site);
void sim_kapi_spin_unlock(spinlock_t *lock, enum sim_spin_mode mode,
			  unsigned long flags, const struct sim_kapi_site *site);

#define spin_lock_init(lock)	sim_kapi_spin_lock_init((lock), SIM_KAPI_SITE(#lock))
#define raw_spin_lock_init(lock) spin_lock_init(lock)

#define spin_lock(lock)							\
	((void)sim_kapi_spin_lock((lock), SIM_SPIN_PLAIN, SIM_KAPI_SITE(#lock)))
#define spin_lock_bh(lock)						\
	((void)sim_kapi_spin_lock((lock), SIM_SPIN_BH, SIM_KAPI_SITE(#lock)))
#define spin_lock_irq(lock)						\
	((void)sim_kapi_spin_lock((lock), SIM_SPIN_IRQ, SIM_KAPI_SITE(#lock)))
#define spin_lock_irqsave(lock, flags)					\
	do {								\
		(flags) = sim_kapi_spin_lock((lock), SIM_SPIN_IRQSAVE,	\
					     SIM_KAPI_SITE(#lock));	\
	} while (0)
#define spin_lock_nested(lock, subclass)	spin_lock(lock)
#define spin_lock_irqsave_nested(lock, flags, subclass) \
	spin_lock_irqsave(lock, flags)

#define spin_unlock(lock)						\
	sim_kapi_spin_unlock((lock), SIM_SPIN_PLAIN, 0, SIM_KAPI_SITE(#lock))
#define spin_unlock_bh(lock)						\
	sim_kapi_spin_unlock((lock), SIM_SPIN_BH, 0, SIM_KAPI_SITE(#lock))
#define spin_unlock_irq(lock)						\
	sim_kapi_spin_unlock((lock), SIM_SPIN_IRQ, 0, SIM_KAPI_SITE(#lock))
#define spin_unlock_irqrestore(lock, flags)				\
	sim_kapi_spin_unlock((lock), SIM_SPIN_IRQSAVE, (flags),		\
			     SIM_KAPI_SITE(#lock))

#define spin_trylock(lock)						\
	({ unsigned long __sim_f;					\
	   sim_kapi_spin_trylock((lock), SIM_SPIN_PLAIN, &__sim_f,	\
				 SIM_KAPI_SITE(#lock)); })
#define spin_trylock_bh(lock)						\
	({ unsigned long __sim_f;					\
	   sim_kapi_spin_trylock((lock), SIM_SPIN_BH, &__sim_f,		\
				 SIM_KAPI_SITE(#lock)); })
#define spin_trylock_irqsave(lock, flags)				\
	sim_kapi_spin_trylock((lock), SIM_SPIN_IRQSAVE, &(flags),	\
			      SIM_KAPI_SITE(#lock))

#define raw_spin_lock(lock)			spin_lock(lock)
#define raw_spin_unlock(lock)			spin_unlock(lock)
#define raw_spin_lock_irqsave(lock, flags)	spin_lock_irqsave(lock, flags)
#define raw_spin_unlock_irqrestore(lock, flags)	spin_unlock_irqrestore(lock, flags)

/* Reads of the lock word; not scheduling points. */
static inline int spin_is_locked(const spinlock_t *lock)
{
	return READ_ONCE(lock->locked) != 0;
}

#define assert_spin_locked(lock)	BUG_ON(!spin_is_locked(lock))

#endif /* _LINUX_SPINLOCK_H */
