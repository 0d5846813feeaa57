/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares what the kernel-API shim's files (the .c files of sim/kapi/) share:
 * the running-task accessor, the held-lock bookkeeping every lock type uses
 * (and the lockdep-format lines that print it), the lock-misuse reports,
 * the might_sleep() check, the console log and the jiffies conversion. It
 * sits between the shim's implementation files and the engine (sim/sim.h,
 * sim/report.h, sim/trace.h).
 *
 * Naming: functions the driver headers call are sim_kapi_* (declared in
 * drivers/include/linux/); helpers shared between shim files are
 * sim__kapi_*. Both prefixes matter beyond style: sim_stack_capture() drops
 * every frame whose function starts with "sim_", so a report's call trace
 * starts at the driver function. A static helper that can be on the stack
 * when a report is raised must therefore be always_inline (SIM_KAPI_INLINE)
 * or carry a sim_ prefix.
 *
 * Rules for lock types (mutex, spinlock, and any other engineer's lock,
 * e.g. device_lock, rtnl_lock, workqueue pseudo-locks):
 *  - embed a struct lockdep_map and record holds with sim__kapi_held_push()
 *    and sim__kapi_held_pop(); SimTask.held[i].lock then points at the map,
 *    and the lock's waiters must sim_block() on that same map address so
 *    the deadlock report can find the owner;
 *  - call sim__kapi_map_prepare() first in every operation: it gives the
 *    map its world-local id (lazily, for zeroed or stale memory) and says
 *    whether the lock's own state is from an earlier execution.
 */
#ifndef HVSIM_KAPI_H
#define HVSIM_KAPI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "sim/heap.h"
#include "sim/report.h"
#include "sim/sim.h"
#include "sim/trace.h"
#include "sim/world.h"

#include <linux/compiler.h>
#include <linux/lockdep.h>

#define SIM_KAPI_INLINE	static inline __attribute__((always_inline))

/* sim_obj_id() (sim/world.c) without the call: the shim asks for an id on
 * every first use of an object in an execution. The same counter. */
static inline uint32_t sim__kapi_obj_id(SimWorld *w)
{
	return ++w->next_obj;
}
#define sim_obj_id(w)	sim__kapi_obj_id(w)

/* Trace events from the shim: sim_trace(), inline (sim/world.h). */
#define sim_trace(...)	sim__trace_fast(__VA_ARGS__)

/*
 * The kind of finding for a lock re-initialised while held ("held lock
 * freed!" at the init, or the spinlock debug checks at the holder's
 * unlock).
 */
#define SIM_KAPI_BUG_LOCK_REINIT	SIM_BUG_LOCK_REINIT

/* preempt_count offsets, as in <linux/preempt.h>. */
#define SIM_SOFTIRQ_OFFSET		0x100
#define SIM_SOFTIRQ_DISABLE_OFFSET	0x200
#define SIM_SOFTIRQ_LOCK_OFFSET		(SIM_SOFTIRQ_DISABLE_OFFSET + 1)
#define SIM_HARDIRQ_OFFSET		0x10000

/* HZ of the simulated kernel: 1 jiffy = 1 ms of virtual time. */
#define SIM_KAPI_HZ			1000
#define SIM_KAPI_NSEC_PER_JIFFY		(SIM_SEC / SIM_KAPI_HZ)

/*
 * SIM_KAPI_CHECK - the shim's access to a driver object (a lock, a
 * completion, a wait queue head, an atomic) goes through KASAN's check like
 * the driver's own accesses: a lock in freed memory is reported as the
 * kernel reports it ("BUG: KASAN: slab-use-after-free in <driver func>").
 * Use it directly in the sim_kapi_* entry function: the return address
 * names the driver's call site.
 */
#define SIM_KAPI_CHECK(w, p, write)					\
	sim_heap_check((w), (uintptr_t)(p), sizeof(*(p)), (write),	\
		       (uintptr_t)__builtin_return_address(0))

/*
 * sim_heap_check() for the shim's files: its common case inline
 * (sim__heap_range_ok(), sim/world.h), the call otherwise, which decides
 * from scratch. The same checks and reports.
 */
static inline __attribute__((always_inline)) void
sim__kapi_heap_check(SimWorld *w, uintptr_t addr, size_t size, bool write,
		     uintptr_t ret_ip)
{
	if (!sim__heap_range_ok(w, addr, size))
		(sim_heap_check)(w, addr, size, write, ret_ip);
}
#ifndef SIM_KAPI_NO_WRAPPERS
#define sim_heap_check(...)	sim__kapi_heap_check(__VA_ARGS__)
#endif

/* ------------------------------------------------------------ the task -- */

/* sim__kapi_task()'s abort, out of line (sim/kapi/lockcheck.c). */
_Noreturn void sim__kapi_no_task(const char *what);

/*
 * The running task; aborts with a clear message when a shim call that
 * needs one is made from engine context (a model or an event callback).
 * Inline, like the two below: every shim call asks.
 */
static inline SimTask *sim__kapi_task(const char *what)
{
	SimTask *t = sim_current();

	if (G_UNLIKELY(!t))
		sim__kapi_no_task(what);
	return t;
}

/* The kernel's preempt_count() of @t, with the context's irq offsets. */
static inline unsigned int sim__kapi_preempt_count(const SimTask *t)
{
	unsigned int pc = (unsigned int)t->preempt_count;

	if (t->ctx == SIM_CTX_SOFTIRQ)
		pc += SIM_SOFTIRQ_OFFSET;
	else if (t->ctx == SIM_CTX_HARDIRQ)
		pc += SIM_HARDIRQ_OFFSET;
	return pc;
}

static inline bool sim__kapi_irqs_disabled(const SimTask *t)
{
	return t->irq_disabled || t->ctx == SIM_CTX_HARDIRQ;
}

/*
 * sim_might_sleep - might_sleep(): when the running task is atomic (a
 * softirq or hardirq context, preempt_count > 0, or interrupts disabled),
 * report "BUG: sleeping function called from invalid context at
 * <file>:<line>" and end the execution. @func, @file, @line are the
 * driver's call site (__FILE__ as compiled; printed relative to the source
 * tree). A no-op when @w is NULL or no task runs. Not a scheduling point.
 * Also declared in <linux/kernel.h>.
 */
void sim_might_sleep(SimWorld *w, const char *func, const char *file, int line);

/* sim_might_sleep()'s common case inline for the shim's callers: a task
 * that may sleep returns at once; any other goes to the real call, which
 * decides and reports from its own frame as before. */
static inline void sim__kapi_might_sleep(SimWorld *w, const char *func,
					 const char *file, int line);
#ifndef SIM_KAPI_NO_WRAPPERS
#define sim_might_sleep(...)	sim__kapi_might_sleep(__VA_ARGS__)
#endif

/* A file name as reports print it: relative to the source tree. */
const char *sim__kapi_relpath(const char *file);

/* Virtual nanoseconds in @j jiffies (saturating). */
SimTime sim__kapi_jiffies_to_ns(unsigned long j);

/* ------------------------------------------------------- per-world state -- */

typedef struct {
	uint64_t run_serial;		/* execution the fields below belong to */
	GPtrArray *warned_sites;	/* WARN_ONCE sites that fired (lookup only) */
	GString *console;		/* formatted printk lines */
	bool console_full;
	bool warn_nonfatal;		/* configuration: kept across executions */
} SimKapiSync;

/* The world's sync-family state, reset when a new execution started. */
SimKapiSync *sim__kapi_sync(SimWorld *w);

/*
 * sim_kapi_set_warn_fatal - whether a WARN ends the execution (the
 * default) or is only logged to the console and the trace.
 */
void sim_kapi_set_warn_fatal(SimWorld *w, bool fatal);

/*
 * sim_kapi_console - the console log of the last (or current) execution:
 * every printk/pr_* line and every non-fatal WARN, "[seconds.micros] text"
 * per line, at most 256 KiB. Kept only while the world records the full
 * trace (w->trace_on): empty in an explorer's executions, which need
 * neither. Owned by the world; never NULL.
 */
const char *sim_kapi_console(SimWorld *w);

/*
 * vsnprintf(), snprintf(), g_strdup_vprintf() and g_strdup_printf() with
 * the same output, faster for the simple formats of task, workqueue and
 * device names (sim/kapi/printk.c).
 */
int sim__kapi_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int sim__kapi_snprintf(char *buf, size_t size, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
char *sim__kapi_strdup_vprintf(const char *fmt, va_list ap);
char *sim__kapi_strdup_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Append one formatted line to the console (no trace event). */
void sim__kapi_console_vprintf(SimWorld *w, const char *fmt, va_list ap);
void sim__kapi_console_printf(SimWorld *w, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);

/*
 * The WARN machinery with a chosen kind of finding (sim/kapi/bug.c): the
 * "WARNING: CPU: n PID: p at file:line func" report at @site, @fmt the
 * message printed under it (may be NULL). Returns only when WARNs are
 * non-fatal in this world (or a _ONCE site already fired).
 */
void sim__kapi_warn_v(SimBugKind kind, const struct sim_kapi_site *site,
		      bool once, const char *fmt, va_list ap);
void sim__kapi_warn_kind(SimBugKind kind, const struct sim_kapi_site *site,
			 const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* ------------------------------------------------------ held locks -- */

/*
 * Prepare @map for use in this execution. Gives it an id when it has none
 * yet in this execution, and a kind and a name (from @expr) when it was
 * never initialised. Returns true when the map (and so the lock state
 * around it) is from an earlier execution or was never initialised: the
 * caller then resets its lock state to "free".
 */
bool sim__kapi_map_prepare(SimWorld *w, struct lockdep_map *map,
			   enum sim_lock_kind kind, const char *expr);

/* (Re)initialise @map as a fresh lock of @kind named @name. Keeps its id
 * when it already has one in this execution (same memory, same address). */
void sim__kapi_map_init(SimWorld *w, struct lockdep_map *map,
			enum sim_lock_kind kind, const char *name);

/* Index of @map in @t's held locks, or -1. */
static inline int sim__kapi_held_find(const SimTask *t,
				      const struct lockdep_map *map)
{
	int i;

	for (i = t->nheld - 1; i >= 0; i--)
		if (t->held[i].lock == map)
			return i;
	return -1;
}

/*
 * Record that @t now holds @map, acquired in @func; updates the map's usage
 * bits from @t's context. Reports "BUG: MAX_LOCK_DEPTH too low!" when @t
 * already holds SIM_MAX_HELD_LOCKS locks.
 */
void sim__kapi_held_push(SimWorld *w, SimTask *t, struct lockdep_map *map,
			 const char *func);

/* Forget hold @idx of @t (any position, order kept). */
void sim__kapi_held_remove(SimTask *t, int idx);

/* ---------------------------------------- inline forms of the above -- */

/*
 * The common cases of sim__kapi_map_prepare(), sim__kapi_held_push(),
 * sim__kapi_held_remove() and sim_might_sleep() inline: each shim lock,
 * unlock and wait calls them. The same effects; the other cases call the
 * functions of sim/kapi/lockcheck.c.
 */
#define SIM__KAPI_USAGE_ENABLED	1
#define SIM__KAPI_USAGE_USED_IN	2

/* lockdep's usage bits of @map from @t's context (lockcheck.c). */
static inline __attribute__((always_inline)) void
sim__kapi_map_note_usage(struct lockdep_map *map, const SimTask *t)
{
	unsigned int pc = sim__kapi_preempt_count(t);
	bool hard_off = sim__kapi_irqs_disabled(t);
	bool soft_off = hard_off || (pc & 0xff00);

	if (t->ctx == SIM_CTX_HARDIRQ)
		map->__sim_usage[0] |= SIM__KAPI_USAGE_USED_IN;
	else if (!hard_off)
		map->__sim_usage[0] |= SIM__KAPI_USAGE_ENABLED;
	if (t->ctx == SIM_CTX_SOFTIRQ)
		map->__sim_usage[1] |= SIM__KAPI_USAGE_USED_IN;
	else if (!soft_off)
		map->__sim_usage[1] |= SIM__KAPI_USAGE_ENABLED;
}

static inline bool sim__kapi_map_prepare_fast(SimWorld *w,
					      struct lockdep_map *map,
					      enum sim_lock_kind kind,
					      const char *expr)
{
	/* Initialised, and used already in this execution: nothing to do. */
	if (map->__sim_magic == SIM_LOCKDEP_MAGIC && map->__sim_id != 0 &&
	    map->__sim_serial == w->run_serial)
		return false;
	return sim__kapi_map_prepare(w, map, kind, expr);
}

static inline void sim__kapi_held_push_fast(SimWorld *w, SimTask *t,
					    struct lockdep_map *map,
					    const char *func)
{
	SimHeldLock *h;

	if (G_UNLIKELY(t->nheld >= SIM_MAX_HELD_LOCKS)) {
		sim__kapi_held_push(w, t, map, func);	/* reports */
		return;
	}
	sim__kapi_map_note_usage(map, t);
	h = &t->held[t->nheld++];
	h->lock = map;
	h->name = map->name;
	h->func = func;
	h->id = map->__sim_id;
}

static inline void sim__kapi_held_remove_fast(SimTask *t, int idx)
{
	/* The last hold, as most unlocks are: nothing to move. */
	if (G_LIKELY(idx >= 0 && idx == t->nheld - 1))
		t->nheld--;
	else
		sim__kapi_held_remove(t, idx);
}

static inline void sim__kapi_might_sleep(SimWorld *w, const char *func,
					 const char *file, int line)
{
	SimTask *t = sim_current();

	if (!w || !t || (sim__kapi_preempt_count(t) == 0 &&
			 !sim__kapi_irqs_disabled(t)))
		return;
	(sim_might_sleep)(w, func, file, line);
}

#ifndef SIM_KAPI_NO_WRAPPERS
#define sim__kapi_map_prepare(...)	sim__kapi_map_prepare_fast(__VA_ARGS__)
#define sim__kapi_held_push(...)	sim__kapi_held_push_fast(__VA_ARGS__)
#define sim__kapi_held_remove(...)	sim__kapi_held_remove_fast(__VA_ARGS__)
#endif

/* Is @map held by the running task? (lockdep_is_held) */
bool sim__kapi_held_by_current(const struct lockdep_map *map);

/* --------------------------------------------------------- reports -- */

/*
 * Lines in lockdep's formats. _lock_line: "<addr> (<class>){usage}-{w:w}"
 * followed by ", at: <func>" when @func is set. _held_locks: "no locks held
 * by comm/pid." or "N locks held by comm/pid:" and " #i: <lock line>".
 */
char *sim__kapi_lock_line(const struct lockdep_map *map, const char *func);
void sim__kapi_report_held_locks(SimReport *r, const SimTask *t);
/* The stack of the running task, from the driver frame down. */
void sim__kapi_capture(SimStack *s);

/* @ip: the driver's return address from the unlock call (the "at:" line). */
_Noreturn void sim__kapi_report_bad_unlock(SimWorld *w, SimTask *t,
					   const struct lockdep_map *map,
					   const struct sim_kapi_site *site,
					   uintptr_t ip);
_Noreturn void sim__kapi_report_recursive(SimWorld *w, SimTask *t,
					  const struct lockdep_map *map,
					  int held_idx,
					  const struct sim_kapi_site *site);

/*
 * sim__kapi_check_no_locks_freed - lockdep's debug_check_no_locks_freed():
 * if the running task holds a lock whose map lies in [@mem, @mem+@len),
 * report "WARNING: held lock freed!" and end the execution. Called by
 * spin_lock_init() and mutex_init() on their own lock, and meant for
 * kfree() and friends as well. A no-op from engine context.
 */
void sim__kapi_check_no_locks_freed(SimWorld *w, const void *mem, size_t len,
				    const char *func);

/* The kernel's plural of "lock". */
static inline const char *sim__kapi_plural(int n)
{
	return n == 1 ? "" : "s";
}

/* An empty report line (a zero-length format string would warn). */
static inline void sim__kapi_blank(SimReport *r)
{
	sim_report_line(r, "%s", "");
}

#endif /* HVSIM_KAPI_H */
