// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the IRQ core of the simulated kernel: interrupt
 * descriptors and their allocation, handler registration and removal
 * (request_threaded_irq, free_irq) with the kernel's action lists keyed
 * by dev_id, IRQ threads, disable/enable/synchronize, and the delivery of
 * an interrupt a device model raises to its handlers in hardirq context.
 * It sits between drivers (<linux/interrupt.h>, <linux/irqdesc.h>, used by
 * drivers/pci/irq.c and drivers/pci/msi.c) and the device models, which
 * raise lines through sim/kapi/hw.h.
 *
 * Why here and not as driver code: the kernel's IRQ core is
 * kernel/irq/manage.c, and drivers/ must hold only drivers (a
 * "drivers/kernel-irq/" file would print a path no kernel has). The shim
 * is the simulator's kernel, so its WARNs name this file. The functions
 * keep the kernel's names and call structure (free_irq -> __free_irq,
 * request_threaded_irq -> __setup_irq, handle_edge_irq ->
 * handle_irq_event -> __handle_irq_event_percpu, irq_thread ->
 * irq_thread_fn), and none is a sim_ function, so call traces read like
 * the kernel's.
 *
 * The window that matters for the nvme races: free_irq() takes
 * desc->request_mutex (a scheduling point) before it finds and unlinks
 * the action, so between entering free_irq() and the unlink another task
 * (free_msi_irqs() in nvme_dev_disable) sees irq_has_action() true.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "sim/kapi/exec.h"
#include "sim/kapi/hw_priv.h"
#include "sim/kapi/kapi.h"
#include "sim/kcsan.h"
#include "sim/trace.h"
#include "sim/world.h"

#include <linux/interrupt.h>
#include <linux/irqdesc.h>
#include <linux/mutex.h>

/* Kernel-named functions stay whole frames in call traces: no inlining,
 * and no ".isra"/".constprop" clones with other names. */
#define __irq_frame	__attribute__((__noipa__))

/* ------------------------------------------------------------ record -- */

static void hw_free(void *p)
{
	SimKapiHw *hw = p;
	guint i;

	for (i = 0; i < hw->actions->len; i++)
		g_free(g_ptr_array_index(hw->actions, i));
	g_ptr_array_free(hw->actions, TRUE);
	g_array_free(hw->windows, TRUE);
	g_array_free(hw->maps, TRUE);
	g_hash_table_destroy(hw->strings);
	g_free(hw);
}

const char *sim__kapi_hw_intern(SimKapiHw *hw, const char *s)
{
	char *v = g_hash_table_lookup(hw->strings, s);

	if (!v) {
		v = g_strdup(s);
		g_hash_table_add(hw->strings, v);
	}
	return v;
}

/* A new execution: every line free of handlers, no task, no mapping. */
static void hw_reset(SimKapiHw *hw)
{
	guint i;

	for (i = 0; i < hw->actions->len; i++)
		g_free(g_ptr_array_index(hw->actions, i));
	g_ptr_array_set_size(hw->actions, 0);
	memset(hw->descs, 0, sizeof(hw->descs));
	for (i = 0; i < SIM_IRQ_NR; i++) {
		hw->descs[i].irq = i;
		hw->descs[i].allocated = i < SIM_IRQ_NR_LEGACY;
	}
	/* Zeroed locks: the mutex shim names and initialises them at their
	 * first use, as a static DEFINE_MUTEX would be. */
	memset(&hw->sparse_irq_lock, 0, sizeof(hw->sparse_irq_lock));
	sim__kapi_io_reset(hw);
	hw->run_serial = hw->w->run_serial;
}

static void *hw_make(SimWorld *w)
{
	SimKapiHw *hw = g_new0(SimKapiHw, 1);

	hw->w = w;
	hw->actions = g_ptr_array_new();
	hw->windows = g_array_new(FALSE, TRUE, sizeof(SimMmioWindow));
	hw->maps = g_array_new(FALSE, TRUE, sizeof(SimMmioMap));
	hw->strings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    NULL);
	hw->run_serial = UINT64_MAX;
	return hw;
}

SimKapiHw *sim__kapi_hw(SimWorld *w)
{
	SimKapiHw *hw = sim_world_ext(w, SIM_EXT_KAPI_HW, hw_make, hw_free);

	if (hw->run_serial != w->run_serial)
		hw_reset(hw);
	return hw;
}

/* The descriptor of @irq if the line exists, else NULL (irq_to_desc). */
static SimIrqDesc *irq_to_desc(SimKapiHw *hw, unsigned int irq)
{
	if (irq >= SIM_IRQ_NR || !hw->descs[irq].allocated)
		return NULL;
	return &hw->descs[irq];
}

static uint32_t desc_id(SimWorld *w, SimIrqDesc *desc)
{
	if (!desc->id)
		desc->id = sim_obj_id(w);
	return desc->id;
}

/* ------------------------------------------------------ hardirq side -- */

/* Run every handler of the line once; the kernel's flow for MSI (edge). */
static __irq_frame irqreturn_t __handle_irq_event_percpu(SimWorld *w,
						      SimIrqDesc *desc)
{
	irqreturn_t retval = IRQ_NONE;
	struct irqaction *action;

	for (action = desc->action; action; action = action->next) {
		irqreturn_t res = action->handler((int)desc->irq,
						  action->dev_id);

		if (res == IRQ_WAKE_THREAD) {
			/* __irq_wake_thread(): a thread that was asked to
			 * stop is not woken again. */
			if (action->sim_thread && !action->sim_stop) {
				action->thread_flags |= 1UL << IRQTF_RUNTHREAD;
				desc->threads_active++;
				sim_kcsan_release(w, action);
				sim_wake(w, action->sim_thread);
			}
			res = IRQ_HANDLED;
		}
		retval |= res;
	}
	return retval;
}

static __irq_frame void handle_irq_event(SimWorld *w, SimTask *self,
				      SimIrqDesc *desc)
{
	desc->pending = false;
	desc->in_progress = true;
	sim_kcsan_acquire(w, desc);
	self->ctx = SIM_CTX_HARDIRQ;
	if (__handle_irq_event_percpu(w, desc) == IRQ_NONE)
		desc->spurious++;
	self->ctx = SIM_CTX_PROCESS;
	desc->handled++;
	desc->in_progress = false;
	sim_kcsan_release(w, &desc->in_progress);
	sim_wake_all(w, &desc->in_progress);
}

static __irq_frame void handle_edge_irq(SimWorld *w, SimTask *self,
				     SimIrqDesc *desc)
{
	/* Interrupts raised while the handlers run are replayed (the
	 * kernel's IRQS_PENDING loop). */
	do {
		handle_irq_event(w, self, desc);
	} while (desc->pending && desc->action && !desc->depth);
}

/*
 * The task of one line. Created SIM_CTX_PROCESS and switched to
 * SIM_CTX_HARDIRQ only while handlers run, so waiting for the next
 * interrupt is not a sleep in atomic context (sim/kapi/tasklet.c does the
 * same for softirqs).
 */
static __irq_frame void common_interrupt(void *arg)
{
	SimIrqDesc *desc = arg;
	SimTask *self = sim_current();
	SimWorld *w = self->world;

	for (;;) {
		if (!desc->pending || !desc->action || desc->depth ||
		    desc->task != self) {
			sim_block(w, SIM_TASK_IDLE, SIM_WAIT_NONE, desc,
				  "irq", "common_interrupt", 0);
			continue;
		}
		handle_edge_irq(w, self, desc);
		/* The end of the interrupt: a scheduling point, which also
		 * bounds an interrupt storm by the step limit. */
		sim_yield(w);
	}
}

static void desc_wake_task(SimKapiHw *hw, SimIrqDesc *desc)
{
	SimWorld *w = hw->w;

	if (!desc->task) {
		char name[SIM_TASK_NAME_LEN];

		g_snprintf(name, sizeof(name), "hardirq/%u", desc->irq);
		desc->task = sim_task_create(w, name, SIM_CTX_PROCESS, 0,
					     common_interrupt, desc);
		return;
	}
	if (desc->task->state == SIM_TASK_IDLE && desc->task->wait_obj == desc)
		sim_wake(w, desc->task);
}

void sim_kapi_irq_raise(SimWorld *w, unsigned int irq)
{
	SimKapiHw *hw = sim__kapi_hw(w);
	SimIrqDesc *desc = irq_to_desc(hw, irq);

	if (!desc) {
		sim_trace(w, SIM_TR_IRQ, 0, "irq (no such line)", NULL, irq, 0);
		return;
	}
	sim_kcsan_release(w, desc);
	desc->pending = true;
	if (!desc->action || desc->depth) {
		/* A disabled line keeps it pending for enable_irq(); a line
		 * without handler drops it, as a masked, unrequested MSI. */
		if (!desc->action) {
			desc->pending = false;
			desc->spurious++;
		}
		sim_trace(w, SIM_TR_IRQ, desc_id(w, desc), "irq (no handler)",
			  NULL, irq, 0);
		return;
	}
	desc_wake_task(hw, desc);
	sim_trace(w, SIM_TR_IRQ, desc_id(w, desc), "irq", NULL, irq,
		  desc->task->id);
}

/* ------------------------------------------------------- irq threads -- */

static __irq_frame void irq_thread_fn(SimIrqDesc *desc, struct irqaction *action)
{
	action->thread_fn((int)desc->irq, action->dev_id);
}

/* The IRQ thread of @action ("irq/<irq>-<name>"), as kernel/irq/manage.c. */
static __irq_frame void irq_thread(void *arg)
{
	struct irqaction *action = arg;
	SimTask *self = sim_current();
	SimWorld *w = self->world;
	SimKapiHw *hw = sim__kapi_hw(w);
	SimIrqDesc *desc = &hw->descs[action->irq];

	for (;;) {
		/* irq_wait_for_interrupt() */
		while (!(action->thread_flags & (1UL << IRQTF_RUNTHREAD)) &&
		       !action->sim_stop)
			sim_block(w, SIM_TASK_IDLE, SIM_WAIT_NONE, action,
				  "irq_thread", "irq_wait_for_interrupt", 0);
		if (!(action->thread_flags & (1UL << IRQTF_RUNTHREAD)))
			break;
		action->thread_flags &= ~(1UL << IRQTF_RUNTHREAD);
		sim_kcsan_acquire(w, action);
		irq_thread_fn(desc, action);
		sim_kcsan_release(w, &desc->threads_active);
		if (--desc->threads_active == 0)
			sim_wake_all(w, &desc->threads_active);
		sim_yield(w);
	}
	/* kthread_stop() returns once we are gone; touch nothing after. */
	action->sim_thread_done = true;
	sim_kcsan_release(w, &action->sim_thread_done);
	sim_wake_all(w, &action->sim_thread_done);
	sim_task_exit(w);
}

static void setup_irq_thread(SimKapiHw *hw, struct irqaction *action,
			     unsigned int irq)
{
	SimWorld *w = hw->w;
	SimTask *cur = sim_current();
	char name[SIM_TASK_NAME_LEN];

	/* The kernel names it "irq/%d-%s", truncated to TASK_COMM_LEN. */
	g_snprintf(name, 16, "irq/%u-%s", irq, action->name ?
		   action->name : "");
	action->sim_thread = sim_task_create(w, name, SIM_CTX_PROCESS,
					     cur ? cur->cpu : 0, irq_thread,
					     action);
	sim_kcsan_fork(w, action->sim_thread);
}

/* kthread_stop() of the action's thread: wake it and wait until it ends. */
static void stop_irq_thread(SimWorld *w, struct irqaction *action)
{
	if (!action->sim_thread)
		return;
	action->sim_stop = true;
	if (action->sim_thread->state == SIM_TASK_IDLE)
		sim_wake(w, action->sim_thread);
	while (!action->sim_thread_done)
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_OTHER,
			  &action->sim_thread_done, "irq_thread",
			  "kthread_stop", 0);
	sim_kcsan_acquire(w, &action->sim_thread_done);
}

/* The default primary handler of a threaded interrupt. */
static irqreturn_t irq_default_primary_handler(int irq, void *dev_id)
{
	return IRQ_WAKE_THREAD;
}

/* ------------------------------------------------------ registration -- */

#define IRQ_LOCK(w, desc)						\
	sim_kapi_mutex_lock(&(desc)->request_mutex,			\
			    SIM_KAPI_SITE("&desc->request_mutex"))
#define IRQ_UNLOCK(w, desc)						\
	sim_kapi_mutex_unlock(&(desc)->request_mutex,			\
			      SIM_KAPI_SITE("&desc->request_mutex"))

static __irq_frame int __setup_irq(SimKapiHw *hw, unsigned int irq,
				SimIrqDesc *desc, struct irqaction *new)
{
	SimWorld *w = hw->w;
	struct irqaction *old, **old_ptr;
	bool first;

	if (new->thread_fn)
		setup_irq_thread(hw, new, irq);

	IRQ_LOCK(w, desc);
	old_ptr = &desc->action;
	old = *old_ptr;
	first = !old;
	if (old) {
		/* Sharing needs both to agree to it, with the same
		 * oneshot-ness. */
		if (!((old->flags & new->flags) & IRQF_SHARED) ||
		    ((old->flags ^ new->flags) & IRQF_ONESHOT)) {
			if (!(new->flags & IRQF_PROBE_SHARED))
				sim_kapi_printk(w, LOGLEVEL_ERR, "__setup_irq",
						"genirq: Flags mismatch irq %u. "
						"%08x (%s) vs. %08x (%s)\n",
						irq, new->flags, new->name,
						old->flags, old->name);
			IRQ_UNLOCK(w, desc);
			stop_irq_thread(w, new);
			return -EBUSY;
		}
		while (old) {
			old_ptr = &old->next;
			old = *old_ptr;
		}
	}
	new->irq = irq;
	*old_ptr = new;
	/* irq_startup(): the first handler unmasks the line. */
	if (first && desc->chip && desc->chip->irq_unmask)
		desc->chip->irq_unmask(irq, desc->chip_data);
	sim_trace(w, SIM_TR_IRQ, desc_id(w, desc),
		  sim__kapi_hw_intern(hw, new->name ? new->name : "?"),
		  "request_threaded_irq", irq, 0);
	IRQ_UNLOCK(w, desc);
	return 0;
}

int request_threaded_irq(unsigned int irq, irq_handler_t handler,
			 irq_handler_t thread_fn, unsigned long irqflags,
			 const char *devname, void *dev_id)
{
	SimWorld *w = sim__kapi_world("request_threaded_irq");
	SimKapiHw *hw = sim__kapi_hw(w);
	struct irqaction *action;
	SimIrqDesc *desc;
	int retval;

	if (irq == (1U << 31))		/* IRQ_NOTCONNECTED */
		return -ENOTCONN;
	/* Shared interrupts must pass a real dev_id, or free_irq() could
	 * not tell the actions apart. */
	if ((irqflags & IRQF_SHARED) && !dev_id)
		return -EINVAL;
	desc = irq_to_desc(hw, irq);
	if (!desc)
		return -EINVAL;
	if (!handler) {
		if (!thread_fn)
			return -EINVAL;
		handler = irq_default_primary_handler;
	}
	/* kzalloc(GFP_KERNEL) */
	sim_might_sleep(w, "request_threaded_irq", __FILE__, __LINE__);
	action = g_new0(struct irqaction, 1);
	g_ptr_array_add(hw->actions, action);
	action->handler = handler;
	action->thread_fn = thread_fn;
	action->flags = (unsigned int)irqflags;
	action->name = devname;
	action->dev_id = dev_id;
	action->irq = irq;		/* before its thread can run */
	retval = __setup_irq(hw, irq, desc, action);
	if (retval) {
		g_ptr_array_remove_fast(hw->actions, action);
		g_free(action);
	}
	return retval;
}

/* Wait until no handler of the line runs (the kernel spins; we block). */
static bool __synchronize_hardirq(SimWorld *w, SimIrqDesc *desc)
{
	while (desc->in_progress && desc->task != sim_current())
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_OTHER,
			  &desc->in_progress, "irq_desc", "synchronize_hardirq",
			  0);
	sim_kcsan_acquire(w, &desc->in_progress);
	return true;
}

/* Wait for the line's IRQ threads to finish what they were woken for. */
static void __synchronize_irq_threads(SimWorld *w, SimIrqDesc *desc)
{
	while (desc->threads_active)
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_EVENT,
			  &desc->threads_active, "&desc->wait_for_threads",
			  "synchronize_irq", 0);
	sim_kcsan_acquire(w, &desc->threads_active);
}

static __irq_frame struct irqaction *__free_irq(SimKapiHw *hw, SimIrqDesc *desc,
					     void *dev_id)
{
	SimWorld *w = hw->w;
	unsigned int irq = desc->irq;
	struct irqaction *action, **action_ptr;

	if (in_interrupt())
		sim__kapi_warn(w, SIM_KAPI_SITE(NULL),
			       "Trying to free IRQ %u from IRQ context!", irq);

	/* The window: the action is still linked while we wait here. */
	IRQ_LOCK(w, desc);

	/* There can be several actions per line: find ours by dev_id. */
	action_ptr = &desc->action;
	for (;;) {
		action = *action_ptr;
		if (!action) {
			sim__kapi_warn(w, SIM_KAPI_SITE(NULL),
				       "Trying to free already-free IRQ %u",
				       irq);
			IRQ_UNLOCK(w, desc);
			return NULL;
		}
		if (action->dev_id == dev_id)
			break;
		action_ptr = &action->next;
	}
	/* Found it: unlink. From here irq_has_action() may be false. */
	*action_ptr = action->next;
	/* irq_shutdown(): the last handler gone masks the line. */
	if (!desc->action && desc->chip && desc->chip->irq_mask)
		desc->chip->irq_mask(irq, desc->chip_data);
	sim_trace(w, SIM_TR_IRQ, desc_id(w, desc),
		  sim__kapi_hw_intern(hw, action->name ? action->name : "?"),
		  "free_irq", irq, 0);

	/* Make sure no handler runs it on another CPU any more. */
	__synchronize_hardirq(w, desc);
	if (action->sim_thread) {
		__synchronize_irq_threads(w, desc);
		stop_irq_thread(w, action);
	}
	IRQ_UNLOCK(w, desc);
	return action;
}

const void *free_irq(unsigned int irq, void *dev_id)
{
	SimWorld *w = sim__kapi_world("free_irq");
	SimKapiHw *hw = sim__kapi_hw(w);
	SimIrqDesc *desc = irq_to_desc(hw, irq);
	struct irqaction *action;
	const char *devname;

	if (!desc)
		return NULL;
	action = __free_irq(hw, desc, dev_id);
	if (!action)
		return NULL;
	devname = action->name;
	g_ptr_array_remove_fast(hw->actions, action);
	g_free(action);
	return devname;
}

bool irq_has_action(unsigned int irq)
{
	SimWorld *w = sim__kapi_world("irq_has_action");
	SimIrqDesc *desc = irq_to_desc(sim__kapi_hw(w), irq);
	bool res = desc && desc->action;

	/* Recorded (as a change of shim state, conservatively) so that an
	 * exhaustive search sees it conflict with the unlink in free_irq. */
	sim_trace(w, SIM_TR_IRQ, desc ? desc_id(w, desc) : 0,
		  res ? "irq_has_action: true" : "irq_has_action: false", NULL,
		  irq, 0);
	return res;
}

/* -------------------------------------------------- enable / disable -- */

bool synchronize_hardirq(unsigned int irq)
{
	SimWorld *w = sim__kapi_world("synchronize_hardirq");
	SimIrqDesc *desc = irq_to_desc(sim__kapi_hw(w), irq);

	return desc ? __synchronize_hardirq(w, desc) : true;
}

void synchronize_irq(unsigned int irq)
{
	SimWorld *w = sim__kapi_world("synchronize_irq");
	SimIrqDesc *desc = irq_to_desc(sim__kapi_hw(w), irq);

	if (!desc)
		return;
	sim_might_sleep(w, "synchronize_irq", __FILE__, __LINE__);
	__synchronize_hardirq(w, desc);
	__synchronize_irq_threads(w, desc);
}

void disable_irq_nosync(unsigned int irq)
{
	SimWorld *w = sim__kapi_world("disable_irq_nosync");
	SimIrqDesc *desc = irq_to_desc(sim__kapi_hw(w), irq);

	if (desc)
		desc->depth++;
	sim_yield(w);
}

void disable_irq(unsigned int irq)
{
	SimWorld *w = sim__kapi_world("disable_irq");
	SimIrqDesc *desc = irq_to_desc(sim__kapi_hw(w), irq);

	if (!desc)
		return;
	desc->depth++;
	sim_yield(w);
	synchronize_irq(irq);
}

void enable_irq(unsigned int irq)
{
	SimWorld *w = sim__kapi_world("enable_irq");
	SimKapiHw *hw = sim__kapi_hw(w);
	SimIrqDesc *desc = irq_to_desc(hw, irq);

	if (!desc)
		return;
	if (!desc->depth) {
		sim__kapi_warn(w, SIM_KAPI_SITE(NULL),
			       "Unbalanced enable for IRQ %u", irq);
		return;
	}
	/* An interrupt that came while disabled is replayed now. */
	if (--desc->depth == 0 && desc->pending && desc->action)
		desc_wake_task(hw, desc);
	sim_yield(w);
}

/* ------------------------------------------------------- descriptors -- */

#define SPARSE_LOCK(hw)							\
	sim_kapi_mutex_lock(&(hw)->sparse_irq_lock,			\
			    SIM_KAPI_SITE("sparse_irq_lock"))
#define SPARSE_UNLOCK(hw)						\
	sim_kapi_mutex_unlock(&(hw)->sparse_irq_lock,			\
			      SIM_KAPI_SITE("sparse_irq_lock"))

int __irq_alloc_descs(int irq, unsigned int from, unsigned int cnt, int node,
		      struct module *owner,
		      const struct irq_affinity_desc *affinity)
{
	SimWorld *w = sim__kapi_world("irq_alloc_descs");
	SimKapiHw *hw = sim__kapi_hw(w);
	unsigned int start, i;
	int ret = -ENOMEM;

	if (!cnt)
		return -EINVAL;
	if (irq >= 0) {
		if (from > (unsigned int)irq)
			return -EINVAL;
		from = (unsigned int)irq;
	} else if (from < SIM_IRQ_NR_LEGACY) {
		/* arch_dynirq_lower_bound(): above the GSIs. */
		from = SIM_IRQ_NR_LEGACY;
	}
	SPARSE_LOCK(hw);
	for (start = from; start + cnt <= SIM_IRQ_NR; start++) {
		for (i = 0; i < cnt; i++)
			if (hw->descs[start + i].allocated)
				break;
		if (i == cnt)
			break;
	}
	if (start + cnt > SIM_IRQ_NR)
		goto unlock;
	ret = -EEXIST;
	if (irq >= 0 && start != (unsigned int)irq)
		goto unlock;
	for (i = 0; i < cnt; i++) {
		SimIrqDesc *desc = &hw->descs[start + i];
		SimTask *task = desc->task;

		/* A fresh descriptor; the line's task, if it ever had one in
		 * this execution, is kept (it is idle). */
		memset(desc, 0, sizeof(*desc));
		desc->irq = start + i;
		desc->allocated = true;
		desc->task = task;
	}
	sim_trace(w, SIM_TR_IRQ, 0, "irq_alloc_descs", NULL, start, cnt);
	ret = (int)start;
unlock:
	SPARSE_UNLOCK(hw);
	return ret;
}

void irq_free_descs(unsigned int from, unsigned int cnt)
{
	SimWorld *w = sim__kapi_world("irq_free_descs");
	SimKapiHw *hw = sim__kapi_hw(w);
	unsigned int i;

	if (from >= SIM_IRQ_NR || from + cnt > SIM_IRQ_NR)
		return;
	SPARSE_LOCK(hw);
	for (i = 0; i < cnt; i++) {
		SimIrqDesc *desc = &hw->descs[from + i];

		if (desc->irq < SIM_IRQ_NR_LEGACY)
			continue;
		/* An action still linked is lost with its descriptor, as in
		 * the kernel (free_msi_irqs() BUG()s before that happens). */
		desc->allocated = false;
		desc->action = NULL;
		desc->pending = false;
		desc->chip = NULL;
		desc->chip_data = NULL;
	}
	sim_trace(w, SIM_TR_IRQ, 0, "irq_free_descs", NULL, from, cnt);
	SPARSE_UNLOCK(hw);
}

int irq_set_chip_and_data(unsigned int irq, const struct irq_chip *chip,
			  void *data)
{
	SimWorld *w = sim__kapi_world("irq_set_chip_and_data");
	SimIrqDesc *desc = irq_to_desc(sim__kapi_hw(w), irq);

	if (!desc)
		return -EINVAL;
	desc->chip = chip;
	desc->chip_data = data;
	return 0;
}

/* ---------------------------------------------------- introspection -- */

bool sim_kapi_irq_exists(SimWorld *w, unsigned int irq)
{
	return irq_to_desc(sim__kapi_hw(w), irq) != NULL;
}

unsigned int sim_kapi_irq_nr_actions(SimWorld *w, unsigned int irq)
{
	SimIrqDesc *desc = irq_to_desc(sim__kapi_hw(w), irq);
	struct irqaction *a;
	unsigned int n = 0;

	for (a = desc ? desc->action : NULL; a; a = a->next)
		n++;
	return n;
}

uint64_t sim_kapi_irq_spurious(SimWorld *w, unsigned int irq)
{
	SimKapiHw *hw = sim__kapi_hw(w);

	return irq < SIM_IRQ_NR ? hw->descs[irq].spurious : 0;
}

uint64_t sim_kapi_irq_handled(SimWorld *w, unsigned int irq)
{
	SimKapiHw *hw = sim__kapi_hw(w);

	return irq < SIM_IRQ_NR ? hw->descs[irq].handled : 0;
}
