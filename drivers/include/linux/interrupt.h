/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/interrupt.h>: tasklets, bottom-half disabling and the
 * context queries (in_interrupt() and friends), implemented in
 * sim/kapi/tasklet.c; IRQ handler registration (request_irq and friends,
 * at the end of this file) is sim/kapi/irq.c.
 *
 * Tasklets keep the kernel's guarantees that decide which races exist:
 * tasklet_schedule() sets TASKLET_STATE_SCHED if it was clear and makes
 * the tasklet runnable; the function runs once per schedule, never
 * concurrently with itself, in softirq context (atomic: sleeping in it is
 * "BUG: sleeping function called from invalid context"); a schedule while
 * it runs makes it run again afterwards; a disabled tasklet stays
 * scheduled until tasklet_enable(); tasklet_kill() waits until it is
 * neither scheduled nor running.
 *
 * Customised for the harness: the kernel runs tasklets in the softirq of
 * whatever task the CPU interrupted, or in ksoftirqd/<cpu>. Here each
 * tasklet gets its own task, created at its first schedule on the
 * scheduling task's CPU and named after its function ("tasklet/" +
 * function, e.g. "tasklet/vmbus_on_msg_dpc", truncated to 31 characters),
 * so reports and traces say which tasklet ran. Consequence: two different
 * tasklets of one CPU may interleave at scheduling points (in the kernel
 * softirqs of one CPU run one after another); a tasklet never interleaves
 * with itself. Between runs the task is idle (not a deadlock participant).
 * tasklet_disable() waits for a running tasklet by spinning when called in
 * atomic context (as v4.19's tasklet_unlock_wait() does) and by blocking
 * otherwise; tasklet_kill() may sleep (might_sleep()).
 * local_bh_disable() marks the caller atomic (preempt_count +
 * SOFTIRQ_DISABLE_OFFSET) but does not hold back tasklets, which run in
 * their own tasks.
 */
#ifndef _LINUX_INTERRUPT_H
#define _LINUX_INTERRUPT_H

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/types.h>
#include <sim/sim.h>

typedef enum irqreturn {
	IRQ_NONE		= 0,
	IRQ_HANDLED		= 1,
	IRQ_WAKE_THREAD		= 2,
} irqreturn_t;

#define IRQ_RETVAL(x)	((x) ? IRQ_HANDLED : IRQ_NONE)

typedef irqreturn_t (*irq_handler_t)(int irq, void *dev_id);

/* ------------------------------------------------------------ tasklets -- */

struct tasklet_struct {
	struct tasklet_struct *next;
	unsigned long state;
	atomic_t count;			/* disable depth */
	bool use_callback;
	union {
		void (*func)(unsigned long data);
		void (*callback)(struct tasklet_struct *t);
	};
	unsigned long data;
	/* hvsim: private to sim/kapi/tasklet.c. */
	const char *sim_name;		/* the function's name */
	struct SimTask *sim_task;	/* its task, valid only in the */
	uint64_t sim_serial;		/* execution of this run_serial */
	uint32_t sim_id;
};

enum {
	TASKLET_STATE_SCHED,		/* scheduled for execution */
	TASKLET_STATE_RUN,		/* running */
};

#define DECLARE_TASKLET(name, _callback)				\
struct tasklet_struct name = {						\
	.count = { .counter = 0 },					\
	.use_callback = true,						\
	.callback = _callback,						\
	.sim_name = #_callback,						\
}

#define DECLARE_TASKLET_DISABLED(name, _callback)			\
struct tasklet_struct name = {						\
	.count = { .counter = 1 },					\
	.use_callback = true,						\
	.callback = _callback,						\
	.sim_name = #_callback,						\
}

#define DECLARE_TASKLET_OLD(name, _func)				\
struct tasklet_struct name = {						\
	.count = { .counter = 0 },					\
	.func = _func,							\
	.sim_name = #_func,						\
}

void sim_kapi_tasklet_init(struct tasklet_struct *t,
			   void (*func)(unsigned long data), unsigned long data,
			   const char *name);
void sim_kapi_tasklet_setup(struct tasklet_struct *t,
			    void (*callback)(struct tasklet_struct *t),
			    const char *name);
void sim_kapi_tasklet_schedule(struct tasklet_struct *t,
			       const struct sim_kapi_site *site);
/* Harness hook: schedule @t from engine context (a host model). */
void sim_kapi_tasklet_schedule_world(SimWorld *w, struct tasklet_struct *t);
void sim_kapi_tasklet_kill(struct tasklet_struct *t,
			   const struct sim_kapi_site *site);

enum sim_tasklet_wait {
	SIM_TASKLET_NOWAIT,		/* tasklet_disable_nosync */
	SIM_TASKLET_SLEEP,		/* tasklet_disable: blocks (spins if atomic) */
	SIM_TASKLET_SPIN,		/* tasklet_disable_in_atomic */
};
void sim_kapi_tasklet_disable(struct tasklet_struct *t,
			      enum sim_tasklet_wait how,
			      const struct sim_kapi_site *site);
void sim_kapi_tasklet_enable(struct tasklet_struct *t,
			     const struct sim_kapi_site *site);

#define tasklet_init(t, func, data)					\
	sim_kapi_tasklet_init((t), (func), (data), #func)
#define tasklet_setup(t, callback)					\
	sim_kapi_tasklet_setup((t), (callback), #callback)
#define from_tasklet(var, callback_tasklet, tasklet_fieldname)		\
	container_of(callback_tasklet, typeof(*var), tasklet_fieldname)

#define tasklet_schedule(t)						\
	sim_kapi_tasklet_schedule((t), SIM_KAPI_SITE(#t))
#define tasklet_hi_schedule(t)		tasklet_schedule(t)
#define tasklet_kill(t)		sim_kapi_tasklet_kill((t), SIM_KAPI_SITE(#t))
#define tasklet_disable_nosync(t)					\
	sim_kapi_tasklet_disable((t), SIM_TASKLET_NOWAIT, SIM_KAPI_SITE(#t))
#define tasklet_disable(t)						\
	sim_kapi_tasklet_disable((t), SIM_TASKLET_SLEEP, SIM_KAPI_SITE(#t))
#define tasklet_disable_in_atomic(t)					\
	sim_kapi_tasklet_disable((t), SIM_TASKLET_SPIN, SIM_KAPI_SITE(#t))
#define tasklet_enable(t)						\
	sim_kapi_tasklet_enable((t), SIM_KAPI_SITE(#t))

/* ---------------------------------------------------------- contexts -- */

/* The kernel's preempt_count() of the running task (0 in engine context). */
unsigned int sim_kapi_ctx_preempt_count(void);
void sim_kapi_local_bh_disable(void);
void sim_kapi_local_bh_enable(const struct sim_kapi_site *site);

#define __SIM_SOFTIRQ_MASK	0x0000ff00U
#define __SIM_HARDIRQ_MASK	0x000f0000U
#define __SIM_NMI_MASK		0x00f00000U
#define __SIM_SOFTIRQ_OFFSET	0x00000100U

#ifndef local_bh_disable
#define local_bh_disable()	sim_kapi_local_bh_disable()
#define local_bh_enable()	sim_kapi_local_bh_enable(SIM_KAPI_SITE(NULL))
#define local_bh_enable_ip(ip)	sim_kapi_local_bh_enable(SIM_KAPI_SITE(NULL))
#endif

#ifndef in_interrupt
#define in_interrupt()							\
	(sim_kapi_ctx_preempt_count() &					\
	 (__SIM_NMI_MASK | __SIM_HARDIRQ_MASK | __SIM_SOFTIRQ_MASK))
#define in_softirq()	(sim_kapi_ctx_preempt_count() & __SIM_SOFTIRQ_MASK)
#define in_serving_softirq()						\
	(sim_kapi_ctx_preempt_count() & __SIM_SOFTIRQ_OFFSET)
#define in_hardirq()	(sim_kapi_ctx_preempt_count() & __SIM_HARDIRQ_MASK)
#define in_irq()	in_hardirq()
#define in_nmi()	(sim_kapi_ctx_preempt_count() & __SIM_NMI_MASK)
#define in_task()							\
	(!(sim_kapi_ctx_preempt_count() &				\
	   (__SIM_NMI_MASK | __SIM_HARDIRQ_MASK | __SIM_SOFTIRQ_OFFSET)))
#endif

#ifndef in_atomic
#define in_atomic()	(sim_kapi_ctx_preempt_count() != 0)
#endif

/* ------------------------------------------------ IRQ handlers -- */

/*
 * Appended by the IRQ core (sim/kapi/irq.c; the simulated platform is
 * sim/kapi/hw.h). Copies kernel semantics:
 *
 *  - request_threaded_irq() links a struct irqaction at the end of the
 *    line's action list under desc->request_mutex (a scheduling point);
 *    sharing needs IRQF_SHARED on every action and a dev_id; a thread_fn
 *    gets an IRQ thread, "irq/<irq>-<name>", woken when the primary
 *    handler returns IRQ_WAKE_THREAD (a NULL handler always wakes it).
 *  - free_irq() takes desc->request_mutex before it looks for the action
 *    of @dev_id, so a task entering free_irq() can be preempted while the
 *    action is still linked (irq_has_action() still true). No action of
 *    @dev_id: WARN "Trying to free already-free IRQ %d", NULL. Found: it
 *    unlinks it, waits for a handler of the line that is running
 *    (synchronize_hardirq) and stops the action's thread, and returns the
 *    devname passed at request time (pci_free_irq() kfree()s it).
 *  - irq_has_action() is a lock-free read, not a scheduling point.
 *  - disable_irq() waits for running handlers; enable_irq() replays an
 *    interrupt raised while disabled.
 *
 * Customised for the harness: handlers run in a task of their own per
 * line ("hardirq/<irq>", SIM_CTX_HARDIRQ while they run); see
 * sim/kapi/hw.h for how a device raises a line.
 */
#define IRQF_TRIGGER_NONE	0x00000000
#define IRQF_SHARED		0x00000080
#define IRQF_PROBE_SHARED	0x00000100
#define IRQF_NO_SUSPEND		0x00004000
#define IRQF_ONESHOT		0x00002000
#define IRQF_NO_THREAD		0x00010000

/* irqaction.thread_flags */
#define IRQTF_RUNTHREAD		0

struct irqaction {
	irq_handler_t handler;
	void *dev_id;
	struct irqaction *next;
	irq_handler_t thread_fn;
	unsigned int irq;
	unsigned int flags;
	unsigned long thread_flags;
	const char *name;
	/* hvsim: private to sim/kapi/irq.c. */
	struct SimTask *sim_thread;	/* the IRQ thread, if thread_fn */
	bool sim_stop;			/* kthread_stop() asked */
	bool sim_thread_done;		/* the thread ended */
};

/*
 * Interrupt affinity spreading, as pci_alloc_irq_vectors_affinity() takes
 * it: @pre_vectors/@post_vectors are excluded from spreading; @calc_sets
 * (may be NULL) is called with the number of vectors to spread and fills
 * @nr_sets/@set_size. hvsim spreads nothing: affinity is not modelled.
 */
#define IRQ_AFFINITY_MAX_SETS	4

struct irq_affinity {
	unsigned int pre_vectors;
	unsigned int post_vectors;
	unsigned int nr_sets;
	unsigned int set_size[IRQ_AFFINITY_MAX_SETS];
	void (*calc_sets)(struct irq_affinity *, unsigned int nvecs);
	void *priv;
};

struct irq_affinity_desc {
	unsigned int is_managed : 1;
};

int request_threaded_irq(unsigned int irq, irq_handler_t handler,
			 irq_handler_t thread_fn, unsigned long flags,
			 const char *name, void *dev);

static inline int request_irq(unsigned int irq, irq_handler_t handler,
			      unsigned long flags, const char *name, void *dev)
{
	return request_threaded_irq(irq, handler, NULL, flags, name, dev);
}

const void *free_irq(unsigned int irq, void *dev_id);
void disable_irq(unsigned int irq);
void disable_irq_nosync(unsigned int irq);
void enable_irq(unsigned int irq);
void synchronize_irq(unsigned int irq);
bool synchronize_hardirq(unsigned int irq);

#endif /* _LINUX_INTERRUPT_H */
