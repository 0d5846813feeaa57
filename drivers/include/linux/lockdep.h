/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/lockdep.h> (and lockdep_types.h). Customised for the
 * harness: struct lockdep_map is the simulator's per-lock bookkeeping,
 * embedded first in every struct mutex and spinlock_t, and
 * lockdep_assert_held() is a real check: a WARNING at the driver's line
 * when the running task does not hold the lock (as lockdep reports it).
 *
 * Lock classes are named after the initialising expression, as lockdep
 * names them: spin_lock_init(&channel->lock) is "&channel->lock",
 * DEFINE_MUTEX(vmbus_lock) is "vmbus_lock". lockdep_set_class() renames the
 * class after the key, as the kernel does. The dependency graph between
 * classes and the circular-dependency report live in the engine
 * (sim/lockdep.c), fed by the lock shims.
 *
 * The map is plain data in driver memory: a name (a string literal), a
 * world-local id assigned on first use in each execution, and usage bits.
 */
#ifndef _LINUX_LOCKDEP_H
#define _LINUX_LOCKDEP_H

#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/types.h>

struct lock_class_key {
	int __sim_unused;
};

/* What a map belongs to; decides lockdep's printed wait type. */
enum sim_lock_kind {
	SIM_LOCK_NONE,		/* never initialised (zeroed memory) */
	SIM_LOCK_MUTEX,		/* sleeping lock: -{4:4} */
	SIM_LOCK_SPIN,		/* spinlock_t: -{3:3} */
	SIM_LOCK_OTHER,		/* pseudo-lock (work, workqueue): -{0:0} */
};

/* Set by initialisers: the name can be trusted (not stale heap bytes). */
#define SIM_LOCKDEP_MAGIC	0x6c6f636bU

struct lockdep_map {
	const char *name;		/* class name (string literal) */
	uint64_t __sim_serial;		/* world run_serial of __sim_id */
	uint32_t __sim_id;		/* world-local object id, 0: none yet */
	uint32_t __sim_magic;		/* SIM_LOCKDEP_MAGIC once initialised */
	uint8_t __sim_kind;		/* enum sim_lock_kind */
	uint8_t __sim_usage[2];		/* hardirq, softirq usage bits */
};

#define SIM_DEP_MAP_INIT(lockname, kind)				\
	{ .name = (lockname), .__sim_magic = SIM_LOCKDEP_MAGIC,		\
	  .__sim_kind = (kind) }

/*
 * sim_kapi_lock_is_held - does the running task hold the lock of @map?
 * False from engine context. Not a scheduling point.
 */
bool sim_kapi_lock_is_held(const struct lockdep_map *map);
/* Rename the class of @map (lockdep_set_class and friends). */
void sim_kapi_lockdep_set_name(struct lockdep_map *map, const char *name);
/* Are interrupts disabled for the running task (a hardirq handler or
 * local_irq_save / spin_lock_irq*)? */
bool sim_kapi_irqs_disabled(void);

#define lockdep_is_held(lock)	sim_kapi_lock_is_held(&(lock)->dep_map)

#define lockdep_assert_held(l)		do { WARN_ON(!lockdep_is_held(l)); } while (0)
#define lockdep_assert_held_write(l)	lockdep_assert_held(l)
#define lockdep_assert_held_read(l)	lockdep_assert_held(l)
#define lockdep_assert_held_once(l)	do { WARN_ON_ONCE(!lockdep_is_held(l)); } while (0)
#define lockdep_assert_not_held(l)	do { WARN_ON(lockdep_is_held(l)); } while (0)
#define lockdep_assert_none_held_once()	do { } while (0)
#define lockdep_assert_irqs_disabled()	do { WARN_ON_ONCE(!sim_kapi_irqs_disabled()); } while (0)
#define lockdep_assert_irqs_enabled()	do { WARN_ON_ONCE(sim_kapi_irqs_disabled()); } while (0)

#define lockdep_set_class(lock, key)					\
	sim_kapi_lockdep_set_name(&(lock)->dep_map, #key)
#define lockdep_set_class_and_name(lock, key, name)			\
	sim_kapi_lockdep_set_name(&(lock)->dep_map, (name))
#define lockdep_set_subclass(lock, sub)		do { } while (0)
#define lockdep_set_novalidate_class(lock)	do { } while (0)
#define lockdep_register_key(key)		do { } while (0)
#define lockdep_unregister_key(key)		do { } while (0)
#define lockdep_off()				do { } while (0)
#define lockdep_on()				do { } while (0)

#define SINGLE_DEPTH_NESTING	1

#endif /* _LINUX_LOCKDEP_H */
