/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/workqueue.h>. Kernel semantics for what decides which
 * races are possible, implemented in sim/kapi/workqueue.c:
 *
 *  - queue_work() returns false when the item is already pending; else it
 *    sets PENDING and appends the item, FIFO, to the pool_workqueue of the
 *    chosen CPU (the caller's CPU for WORK_CPU_UNBOUND on a per-CPU
 *    workqueue). The worker clears PENDING before calling the function, so
 *    an item may requeue itself. An item never runs concurrently with
 *    itself: one queued while it runs goes to the pool where it runs and
 *    waits for that run to end.
 *  - max_active is per pool_workqueue: create_workqueue() gives one item at
 *    a time per CPU, in queueing order; alloc_ordered_workqueue() and
 *    create_singlethread_workqueue() one at a time in all; max_active 0
 *    means WQ_DFL_ACTIVE (256).
 *  - Concurrency management: when every worker of a pool_workqueue is busy
 *    and an item is ready, a new worker task is created (up to 32), so a
 *    sleeping item occupies its worker but does not stop later items of
 *    system_wq. This is a superset of the kernel's rule (which starts
 *    another worker only when the running one sleeps): two ready items of
 *    one CPU may interleave at scheduling points.
 *  - flush_work() waits for the instance pending or running when it was
 *    called; flush_workqueue() for every item queued before the call;
 *    cancel_work_sync() dequeues and waits for a running instance;
 *    destroy_workqueue() drains, then ends the workqueue's workers.
 *  - Delayed work: the timer is an engine event on the virtual clock.
 *
 * Customised for the harness: workers are per workqueue (the kernel shares
 * per-CPU pools between workqueues); they are still named like the
 * kernel's, "kworker/<cpu>:<n>" per CPU ("H" suffix for WQ_HIGHPRI) and
 * "kworker/u<pool>:<n>" unbound, with <pool> = 2 * ncpus (+1 highpri), and
 * while an item runs its task reports "Workqueue: <wq> <function>".
 * INIT_WORK records the function's name and the lockdep class name
 * "(work_completion)(<expr>)" for traces and reports. There is no rescuer
 * thread (WQ_MEM_RECLAIM is accepted and ignored). The calls that can
 * sleep or touch shared state are scheduling points and record a trace
 * event (queue-work, work-start, work-end, flush).
 */
#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/compiler.h>
#include <linux/cpumask.h>

struct work_struct;
struct workqueue_struct;
typedef void (*work_func_t)(struct work_struct *work);

enum {
	WORK_STRUCT_PENDING_BIT	= 0,
	WORK_STRUCT_PENDING	= 1UL << WORK_STRUCT_PENDING_BIT,
	WORK_CPU_UNBOUND	= NR_CPUS,
};

struct work_struct {
	unsigned long data;		/* WORK_STRUCT_PENDING */
	work_func_t func;
	/* hvsim: names recorded by INIT_WORK, for traces and reports. */
	const char *sim_func_name;
	const char *sim_lock_name;
	const char *sim_report_func;	/* "Workqueue:" override, or NULL */
	/* hvsim: queue state, private to sim/kapi/workqueue.c. */
	struct work_struct *sim_prev, *sim_next;
	void *sim_pwq;			/* pool_workqueue it is queued on */
	uint64_t sim_seq;		/* flush sequence of the queued instance */
	uint32_t sim_id;		/* world-local object id */
	bool sim_inactive;		/* on the inactive (over max_active) list */
};

struct delayed_work {
	struct work_struct work;
	struct workqueue_struct *wq;
	int cpu;
	/* hvsim: the timer is an engine event, cancelled by its number when
	 * the work is cancelled or flushed; a stale one also compares seq. */
	bool sim_timer_armed;
	uint64_t sim_timer_seq;
	uint64_t sim_timer_event;
};

static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return (struct delayed_work *)(void *)
		((char *)work - offsetof(struct delayed_work, work));
}

/* Workqueue flags, kernel values. */
enum {
	WQ_UNBOUND		= 1 << 1,
	WQ_FREEZABLE		= 1 << 2,
	WQ_MEM_RECLAIM		= 1 << 3,
	WQ_HIGHPRI		= 1 << 4,
	WQ_CPU_INTENSIVE	= 1 << 5,
	WQ_SYSFS		= 1 << 6,
	WQ_POWER_EFFICIENT	= 1 << 7,
	__WQ_ORDERED		= 1 << 17,
	__WQ_LEGACY		= 1 << 18,

	WQ_MAX_ACTIVE		= 512,
	WQ_UNBOUND_MAX_ACTIVE	= WQ_MAX_ACTIVE,
	WQ_DFL_ACTIVE		= WQ_MAX_ACTIVE / 2,
};

/* ------------------------------------------------------ implementation -- */

void sim_kapi_init_work(struct work_struct *work, work_func_t func,
			const char *func_name, const char *lock_name,
			const struct sim_kapi_site *site);
void sim_kapi_init_delayed_work(struct delayed_work *dwork, work_func_t func,
				const char *func_name, const char *lock_name,
				const struct sim_kapi_site *site);

struct workqueue_struct *sim_kapi_alloc_workqueue(const struct sim_kapi_site *site,
						  unsigned int flags,
						  int max_active,
						  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void sim_kapi_destroy_workqueue(struct workqueue_struct *wq,
				const struct sim_kapi_site *site);

bool sim_kapi_queue_work_on(int cpu, struct workqueue_struct *wq,
			    struct work_struct *work, const struct sim_kapi_site *site);
bool sim_kapi_queue_delayed_work_on(int cpu, struct workqueue_struct *wq,
				    struct delayed_work *dwork,
				    unsigned long delay, const struct sim_kapi_site *site);
bool sim_kapi_mod_delayed_work_on(int cpu, struct workqueue_struct *wq,
				  struct delayed_work *dwork,
				  unsigned long delay, const struct sim_kapi_site *site);

bool sim_kapi_flush_work(struct work_struct *work, const struct sim_kapi_site *site);
bool sim_kapi_flush_delayed_work(struct delayed_work *dwork,
				 const struct sim_kapi_site *site);
void sim_kapi_flush_workqueue(struct workqueue_struct *wq, const struct sim_kapi_site *site);
void sim_kapi_drain_workqueue(struct workqueue_struct *wq, const struct sim_kapi_site *site);

bool sim_kapi_cancel_work(struct work_struct *work, bool sync,
			  const struct sim_kapi_site *site);
bool sim_kapi_cancel_delayed_work(struct delayed_work *dwork, bool sync,
				  const struct sim_kapi_site *site);

/* Is the running task a worker executing @work right now? */
struct work_struct *sim_kapi_current_work(void);

/* The kernel's system workqueues, one set per execution. */
enum {
	SIM_KAPI_SYSTEM_WQ,
	SIM_KAPI_SYSTEM_HIGHPRI_WQ,
	SIM_KAPI_SYSTEM_LONG_WQ,
	SIM_KAPI_SYSTEM_UNBOUND_WQ,
	SIM_KAPI_SYSTEM_FREEZABLE_WQ,
	SIM_KAPI_SYSTEM_POWER_EFFICIENT_WQ,
	SIM_KAPI_SYSTEM_WQ__COUNT
};
struct workqueue_struct *sim_kapi_system_wq(int which);

#define system_wq			sim_kapi_system_wq(SIM_KAPI_SYSTEM_WQ)
#define system_highpri_wq		sim_kapi_system_wq(SIM_KAPI_SYSTEM_HIGHPRI_WQ)
#define system_long_wq			sim_kapi_system_wq(SIM_KAPI_SYSTEM_LONG_WQ)
#define system_unbound_wq		sim_kapi_system_wq(SIM_KAPI_SYSTEM_UNBOUND_WQ)
#define system_freezable_wq		sim_kapi_system_wq(SIM_KAPI_SYSTEM_FREEZABLE_WQ)
#define system_power_efficient_wq	sim_kapi_system_wq(SIM_KAPI_SYSTEM_POWER_EFFICIENT_WQ)

/* ----------------------------------------------------------- the API -- */

#define __WORK_INITIALIZER(n, f) {					\
	.data = 0,							\
	.func = (f),							\
	.sim_func_name = #f,						\
	.sim_lock_name = "(work_completion)" #n,			\
}

#define __DELAYED_WORK_INITIALIZER(n, f, tflags) {			\
	.work = __WORK_INITIALIZER((n).work, f),			\
	.cpu = WORK_CPU_UNBOUND,					\
}

#define DECLARE_WORK(n, f)						\
	struct work_struct n = __WORK_INITIALIZER(n, f)
#define DECLARE_DELAYED_WORK(n, f)					\
	struct delayed_work n = __DELAYED_WORK_INITIALIZER(n, f, 0)

/* The extra parentheses give the kernel's lockdep names. */
#define __INIT_WORK(_work, _func, _onstack)				\
	sim_kapi_init_work((_work), (_func), #_func,			\
			   "(work_completion)" #_work, SIM_KAPI_SITE(NULL))
#define INIT_WORK(_work, _func)		__INIT_WORK((_work), _func, 0)
#define INIT_WORK_ONSTACK(_work, _func)	__INIT_WORK((_work), _func, 1)
#define destroy_work_on_stack(work)	((void)(work))

#define __INIT_DELAYED_WORK(_work, _func, _tflags)			\
	sim_kapi_init_delayed_work((_work), (_func), #_func,		\
				   "(work_completion)(&(" #_work ")->work)", \
				   SIM_KAPI_SITE(NULL))
#define INIT_DELAYED_WORK(_work, _func)	__INIT_DELAYED_WORK(_work, _func, 0)
#define INIT_DEFERRABLE_WORK(_work, _func) __INIT_DELAYED_WORK(_work, _func, 0)
#define destroy_delayed_work_on_stack(work) ((void)(work))

#define work_pending(work)						\
	(((work)->data & WORK_STRUCT_PENDING) != 0)
#define delayed_work_pending(w)		work_pending(&(w)->work)

#define alloc_workqueue(fmt, flags, max_active, ...)			\
	sim_kapi_alloc_workqueue(SIM_KAPI_SITE(NULL), (flags), (max_active), fmt,	\
				 ##__VA_ARGS__)
#define alloc_ordered_workqueue(fmt, flags, ...)			\
	alloc_workqueue(fmt, WQ_UNBOUND | __WQ_ORDERED | (flags), 1,	\
			##__VA_ARGS__)
#define create_workqueue(name)						\
	alloc_workqueue("%s", __WQ_LEGACY | WQ_MEM_RECLAIM, 1, (name))
#define create_freezable_workqueue(name)				\
	alloc_workqueue("%s", __WQ_LEGACY | WQ_FREEZABLE | WQ_UNBOUND |	\
			WQ_MEM_RECLAIM, 1, (name))
#define create_singlethread_workqueue(name)				\
	alloc_ordered_workqueue("%s", __WQ_LEGACY | WQ_MEM_RECLAIM, (name))
#define destroy_workqueue(wq)	sim_kapi_destroy_workqueue((wq), SIM_KAPI_SITE(NULL))

#define queue_work_on(cpu, wq, work)					\
	sim_kapi_queue_work_on((cpu), (wq), (work), SIM_KAPI_SITE(NULL))
#define queue_work(wq, work)						\
	sim_kapi_queue_work_on(WORK_CPU_UNBOUND, (wq), (work), SIM_KAPI_SITE(NULL))
#define queue_delayed_work_on(cpu, wq, dwork, delay)			\
	sim_kapi_queue_delayed_work_on((cpu), (wq), (dwork), (delay), SIM_KAPI_SITE(NULL))
#define queue_delayed_work(wq, dwork, delay)				\
	sim_kapi_queue_delayed_work_on(WORK_CPU_UNBOUND, (wq), (dwork),	\
				       (delay), SIM_KAPI_SITE(NULL))
#define mod_delayed_work_on(cpu, wq, dwork, delay)			\
	sim_kapi_mod_delayed_work_on((cpu), (wq), (dwork), (delay), SIM_KAPI_SITE(NULL))
#define mod_delayed_work(wq, dwork, delay)				\
	sim_kapi_mod_delayed_work_on(WORK_CPU_UNBOUND, (wq), (dwork),	\
				     (delay), SIM_KAPI_SITE(NULL))

#define schedule_work(work)						\
	sim_kapi_queue_work_on(WORK_CPU_UNBOUND, system_wq, (work), SIM_KAPI_SITE(NULL))
#define schedule_work_on(cpu, work)					\
	sim_kapi_queue_work_on((cpu), system_wq, (work), SIM_KAPI_SITE(NULL))
#define schedule_delayed_work(dwork, delay)				\
	sim_kapi_queue_delayed_work_on(WORK_CPU_UNBOUND, system_wq,	\
				       (dwork), (delay), SIM_KAPI_SITE(NULL))
#define schedule_delayed_work_on(cpu, dwork, delay)			\
	sim_kapi_queue_delayed_work_on((cpu), system_wq, (dwork),	\
				       (delay), SIM_KAPI_SITE(NULL))

#define flush_work(work)	sim_kapi_flush_work((work), SIM_KAPI_SITE(NULL))
#define flush_delayed_work(dwork) sim_kapi_flush_delayed_work((dwork), SIM_KAPI_SITE(NULL))
#define flush_workqueue(wq)	sim_kapi_flush_workqueue((wq), SIM_KAPI_SITE(NULL))
#define drain_workqueue(wq)	sim_kapi_drain_workqueue((wq), SIM_KAPI_SITE(NULL))
#define flush_scheduled_work()	sim_kapi_flush_workqueue(system_wq, SIM_KAPI_SITE(NULL))

#define cancel_work(work)	sim_kapi_cancel_work((work), false, SIM_KAPI_SITE(NULL))
#define cancel_work_sync(work)	sim_kapi_cancel_work((work), true, SIM_KAPI_SITE(NULL))
#define cancel_delayed_work(dwork)					\
	sim_kapi_cancel_delayed_work((dwork), false, SIM_KAPI_SITE(NULL))
#define cancel_delayed_work_sync(dwork)					\
	sim_kapi_cancel_delayed_work((dwork), true, SIM_KAPI_SITE(NULL))

#define current_work()		sim_kapi_current_work()

#endif /* _LINUX_WORKQUEUE_H */
