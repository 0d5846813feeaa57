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
 *
 * Descriptors are memory, as with the kernel's sparse IRQs: a line above
 * the legacy ones gets a struct irq_desc kzalloc()ed on the simulated
 * heap by __irq_alloc_descs() (alloc_desc) and kfree()d by
 * irq_free_descs() (free_desc), so both have the heap's alloc and free
 * stacks; the legacy lines' descriptors are static and never freed. A
 * caller keeps the pointer irq_to_desc() gave it, as the kernel does, so
 * a task that slept after its lookup (request_threaded_irq in kzalloc
 * and on desc->request_mutex, free_irq on the mutex and while it waits
 * for handlers and threads, synchronize_irq, an IRQ thread in its
 * handler) and resumes after another task's irq_free_descs() touches
 * freed memory, never the descriptor a later __irq_alloc_descs() put on
 * the same number. The shim is not instrumented, so the IRQ core checks
 * its own accesses to a descriptor through the heap's KASAN check
 * (desc_access()), with the field's size and the kernel-named function
 * that makes it: the report is KASAN's "use-after-free in __setup_irq"
 * (or __free_irq, ...) with the descriptor's allocation stack through
 * __irq_alloc_descs and its free stack through irq_free_descs. The
 * request_mutex lives in the descriptor, so mutex_lock() and
 * mutex_unlock() on a freed one are caught by the mutex shim's own check.
 *
 * The kernel frees the descriptor after an RCU grace period (call_rcu in
 * free_desc). hvsim has no RCU model and frees it in irq_free_descs()
 * itself. The difference only matters for a task that touches the
 * descriptor after the free without having passed a scheduling point
 * since: none can here, as another task runs only at a scheduling point,
 * and the tasks above hold no RCU read lock across theirs (a sleep, or a
 * preemption in a PREEMPT kernel), so the grace period may have ended by
 * the time they resume: a use after free in the kernel too, only rarer
 * than here. The one reader that RCU does protect is the hardirq: the
 * handlers of an interrupt run in an RCU read-side section (interrupts
 * off), so the grace period waits for them. The hardirq task therefore
 * looks the descriptor up afresh at every interrupt (the kernel's vector
 * to descriptor lookup) and its accesses up to the end of that interrupt
 * are not checked: freed memory is never reused within an execution, so
 * they read and write the old object harmlessly, as the kernel's would.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "sim/heap_priv.h"
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

/* The kernel's bits for the two states the shim models. */
#define IRQD_IRQ_INPROGRESS	(1U << 18)	/* irq_common_data */
#define IRQS_PENDING		0x00000200U	/* istate */

/*
 * An action and what the IRQ core keeps beside it: the descriptor its
 * thread works for (the kernel's irq_thread() looks it up once, when it
 * starts, and keeps the pointer for its life).
 */
struct irqaction_priv {
	struct irqaction action;	/* first: the action is the object */
	struct irq_desc *desc;
};

static struct irq_desc **action_desc(struct irqaction *action)
{
	return &((struct irqaction_priv *)action)->desc;
}

/* ---------------------------------------------------- checked access -- */

/*
 * desc_access - the IRQ core is about to read or write @field of @desc.
 * The shim is not compiled with KASAN, so it checks its own accesses the
 * way the compiler's hooks check a driver's: the field's address and
 * size against the heap's shadow. A descriptor irq_free_descs() freed is
 * reported ("BUG: KASAN: slab-use-after-free in <func>", with the
 * descriptor's allocation and free stacks) and the execution ends there;
 * a legacy descriptor is not heap memory and always passes. The
 * kernel-named function that uses it makes the access: its name is the
 * report's title and its frame the top of the call trace (a macro, so no
 * helper frame of ours shows).
 */
#define desc_access(w, desc, field, write)				\
	sim__heap_check_at((w), (uintptr_t)&(desc)->field,		\
			   sizeof((desc)->field), (write),		\
			   (uintptr_t)__builtin_return_address(0), __func__)

static bool irqd_irq_inprogress(const struct irq_desc *desc)
{
	return desc->irq_common_data.state_use_accessors & IRQD_IRQ_INPROGRESS;
}

static bool desc_pending(const struct irq_desc *desc)
{
	return desc->istate & IRQS_PENDING;
}

static void desc_set_pending(struct irq_desc *desc, bool on)
{
	if (on)
		desc->istate |= IRQS_PENDING;
	else
		desc->istate &= ~IRQS_PENDING;
}

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

/*
 * A new execution: every line free of handlers, no task, no mapping; the
 * legacy lines have their static descriptors, the others none (the
 * heap's reset dropped the last execution's).
 */
static void hw_reset(SimKapiHw *hw)
{
	guint i;

	for (i = 0; i < hw->actions->len; i++)
		g_free(g_ptr_array_index(hw->actions, i));
	g_ptr_array_set_size(hw->actions, 0);
	memset(hw->descs, 0, sizeof(hw->descs));
	/* Zeroed locks: the mutex shim names and initialises them at their
	 * first use, as a static DEFINE_MUTEX would be. */
	memset(hw->legacy, 0, sizeof(hw->legacy));
	for (i = 0; i < SIM_IRQ_NR; i++) {
		hw->descs[i].irq = i;
		if (i < SIM_IRQ_NR_LEGACY) {
			hw->legacy[i].irq_data.irq = i;
			hw->descs[i].desc = &hw->legacy[i];
		}
	}
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

/*
 * The descriptor of @irq if the line exists, else NULL (irq_to_desc, a
 * lookup in the sparse IRQ tree). The caller keeps the pointer: it is
 * the descriptor it saw, whatever happens to the number later.
 */
static struct irq_desc *irq_to_desc(SimKapiHw *hw, unsigned int irq)
{
	return irq < SIM_IRQ_NR ? hw->descs[irq].desc : NULL;
}

/* The slot of @desc's number; it may hold another descriptor by now. */
static SimIrqDesc *desc_slot(SimKapiHw *hw, const struct irq_desc *desc)
{
	return &hw->descs[desc->irq_data.irq];
}

static uint32_t desc_id(SimWorld *w, SimIrqDesc *slot)
{
	if (!slot->id)
		slot->id = sim_obj_id(w);
	return slot->id;
}

/* ------------------------------------------------------ hardirq side -- */

/* Run every handler of the line once; the kernel's flow for MSI (edge). */
static __irq_frame irqreturn_t __handle_irq_event_percpu(SimWorld *w,
						      struct irq_desc *desc)
{
	irqreturn_t retval = IRQ_NONE;
	struct irqaction *action;

	for (action = desc->action; action; action = action->next) {
		irqreturn_t res = action->handler((int)desc->irq_data.irq,
						  action->dev_id);

		if (res == IRQ_WAKE_THREAD) {
			/* __irq_wake_thread(): a thread that was asked to
			 * stop is not woken again, and one already told to
			 * run is not counted twice (threads_active drops
			 * once per run). */
			if (action->sim_thread && !action->sim_stop &&
			    !(action->thread_flags & (1UL << IRQTF_RUNTHREAD))) {
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

/*
 * The handlers of one interrupt. Everything here is the hardirq's RCU
 * read-side section: the descriptor may be irq_free_descs()ed while a
 * handler sits at a scheduling point, and the kernel would keep it alive
 * until we are done, so nothing here is checked. The line's counters are
 * the new descriptor's if the number was reallocated meanwhile: they are
 * left alone then.
 */
static __irq_frame void handle_irq_event(SimWorld *w, SimTask *self,
				      SimIrqDesc *slot, struct irq_desc *desc)
{
	irqreturn_t ret;

	desc_set_pending(desc, false);
	desc->irq_common_data.state_use_accessors |= IRQD_IRQ_INPROGRESS;
	sim_kcsan_acquire(w, desc);
	self->ctx = SIM_CTX_HARDIRQ;
	ret = __handle_irq_event_percpu(w, desc);
	self->ctx = SIM_CTX_PROCESS;
	if (slot->desc == desc) {
		if (ret == IRQ_NONE)
			slot->spurious++;
		slot->handled++;
	}
	desc->irq_common_data.state_use_accessors &= ~IRQD_IRQ_INPROGRESS;
	sim_kcsan_release(w, &desc->irq_common_data.state_use_accessors);
	sim_wake_all(w, &desc->irq_common_data.state_use_accessors);
}

static __irq_frame void handle_edge_irq(SimWorld *w, SimTask *self,
				     SimIrqDesc *slot, struct irq_desc *desc)
{
	/* The lookup of this interrupt has just been made: the first
	 * access, checked like every other. */
	desc_access(w, desc, istate, false);
	/* Interrupts raised while the handlers run are replayed (the
	 * kernel's IRQS_PENDING loop). */
	do {
		handle_irq_event(w, self, slot, desc);
	} while (desc_pending(desc) && desc->action && !desc->depth);
}

/*
 * The task of one line (@arg is its slot, which outlives descriptors).
 * Created SIM_CTX_PROCESS and switched to SIM_CTX_HARDIRQ only while
 * handlers run, so waiting for the next interrupt is not a sleep in
 * atomic context (sim/kapi/tasklet.c does the same for softirqs).
 */
static __irq_frame void common_interrupt(void *arg)
{
	SimIrqDesc *slot = arg;
	SimTask *self = sim_current();
	SimWorld *w = self->world;

	for (;;) {
		/* Each interrupt finds the line's current descriptor. */
		struct irq_desc *desc = slot->desc;

		if (!desc || !desc_pending(desc) || !desc->action ||
		    desc->depth || slot->task != self) {
			sim_block(w, SIM_TASK_IDLE, SIM_WAIT_NONE, slot,
				  "irq", "common_interrupt", 0);
			continue;
		}
		handle_edge_irq(w, self, slot, desc);
		/* The end of the interrupt: a scheduling point, which also
		 * bounds an interrupt storm by the step limit. */
		sim_yield(w);
	}
}

static void desc_wake_task(SimKapiHw *hw, SimIrqDesc *slot)
{
	SimWorld *w = hw->w;

	if (!slot->task) {
		char name[SIM_TASK_NAME_LEN];

		g_snprintf(name, sizeof(name), "hardirq/%u", slot->irq);
		slot->task = sim_task_create(w, name, SIM_CTX_PROCESS, 0,
					     common_interrupt, slot);
		return;
	}
	if (slot->task->state == SIM_TASK_IDLE && slot->task->wait_obj == slot)
		sim_wake(w, slot->task);
}

void sim_kapi_irq_raise(SimWorld *w, unsigned int irq)
{
	SimKapiHw *hw = sim__kapi_hw(w);
	struct irq_desc *desc = irq_to_desc(hw, irq);
	SimIrqDesc *slot;

	if (!desc) {
		sim_trace(w, SIM_TR_IRQ, 0, "irq (no such line)", NULL, irq, 0);
		return;
	}
	slot = &hw->descs[irq];
	sim_kcsan_release(w, desc);
	desc_set_pending(desc, true);
	if (!desc->action || desc->depth) {
		/* A disabled line keeps it pending for enable_irq(); a line
		 * without handler drops it, as a masked, unrequested MSI. */
		if (!desc->action) {
			desc_set_pending(desc, false);
			slot->spurious++;
		}
		sim_trace(w, SIM_TR_IRQ, desc_id(w, slot), "irq (no handler)",
			  NULL, irq, 0);
		return;
	}
	desc_wake_task(hw, slot);
	sim_trace(w, SIM_TR_IRQ, desc_id(w, slot), "irq", NULL, irq,
		  slot->task->id);
}

/* ------------------------------------------------------- irq threads -- */

/*
 * The threaded handler, then irq_finalize_oneshot()'s look at the
 * descriptor: the handler may have slept for as long as it liked, and
 * the descriptor may be gone.
 */
static __irq_frame void irq_thread_fn(SimWorld *w, struct irq_desc *desc,
				   struct irqaction *action)
{
	action->thread_fn((int)action->irq, action->dev_id);
	desc_access(w, desc, istate, false);
}

/* The IRQ thread of @action ("irq/<irq>-<name>"), as kernel/irq/manage.c. */
static __irq_frame void irq_thread(void *arg)
{
	struct irqaction *action = arg;
	SimTask *self = sim_current();
	SimWorld *w = self->world;
	struct irq_desc *desc = *action_desc(action);

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
		irq_thread_fn(w, desc, action);
		/* wake_threads_waitq() */
		desc_access(w, desc, threads_active, true);
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
			     struct irq_desc *desc, unsigned int irq)
{
	SimWorld *w = hw->w;
	SimTask *cur = sim_current();
	char name[SIM_TASK_NAME_LEN];

	*action_desc(action) = desc;
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

/* The mutex lives in the descriptor: the mutex shim's own KASAN check
 * catches a lock or unlock of a freed one, in the caller's name. */
#define IRQ_LOCK(w, desc)						\
	sim_kapi_mutex_lock(&(desc)->request_mutex,			\
			    SIM_KAPI_SITE("&desc->request_mutex"))
#define IRQ_UNLOCK(w, desc)						\
	sim_kapi_mutex_unlock(&(desc)->request_mutex,			\
			      SIM_KAPI_SITE("&desc->request_mutex"))

static __irq_frame int __setup_irq(SimKapiHw *hw, unsigned int irq,
				struct irq_desc *desc, struct irqaction *new)
{
	SimWorld *w = hw->w;
	SimIrqDesc *slot;
	struct irqaction *old, **old_ptr;
	bool first;

	/* The kernel's first look at the descriptor, desc->irq_data.chip,
	 * comes after request_threaded_irq()'s kzalloc(GFP_KERNEL). */
	desc_access(w, desc, irq_data.chip, false);
	if (new->thread_fn)
		setup_irq_thread(hw, new, desc, irq);

	IRQ_LOCK(w, desc);
	desc_access(w, desc, action, false);
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
	if (first)
		desc_access(w, desc, action, true);
	*old_ptr = new;
	/* irq_startup(): the first handler unmasks the line. */
	if (first && desc->irq_data.chip && desc->irq_data.chip->irq_unmask)
		desc->irq_data.chip->irq_unmask(irq, desc->irq_data.chip_data);
	slot = desc_slot(hw, desc);
	sim_trace(w, SIM_TR_IRQ, desc_id(w, slot),
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
	struct irq_desc *desc;
	int retval;

	if (irq == (1U << 31))		/* IRQ_NOTCONNECTED */
		return -ENOTCONN;
	/* Shared interrupts must pass a real dev_id, or free_irq() could
	 * not tell the actions apart. */
	if ((irqflags & IRQF_SHARED) && !dev_id)
		return -EINVAL;
	/* An IRQ never allocated, or already freed: no descriptor. */
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
	action = g_malloc0(sizeof(struct irqaction_priv));
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

/*
 * Wait until no handler of the line runs (the kernel spins; we block).
 * Each look at the descriptor after a wait is checked: @desc may have
 * been freed while we waited.
 */
static __irq_frame bool __synchronize_hardirq(SimKapiHw *hw,
					   struct irq_desc *desc)
{
	SimWorld *w = hw->w;

	desc_access(w, desc, irq_common_data.state_use_accessors, false);
	while (irqd_irq_inprogress(desc) &&
	       desc_slot(hw, desc)->task != sim_current()) {
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_OTHER,
			  &desc->irq_common_data.state_use_accessors,
			  "irq_desc", "synchronize_hardirq", 0);
		desc_access(w, desc, irq_common_data.state_use_accessors,
			    false);
	}
	sim_kcsan_acquire(w, &desc->irq_common_data.state_use_accessors);
	return true;
}

/* Wait for the line's IRQ threads to finish what they were woken for. */
static __irq_frame void __synchronize_irq_threads(SimKapiHw *hw,
					       struct irq_desc *desc)
{
	SimWorld *w = hw->w;

	desc_access(w, desc, threads_active, false);
	while (desc->threads_active) {
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_EVENT,
			  &desc->threads_active, "&desc->wait_for_threads",
			  "synchronize_irq", 0);
		desc_access(w, desc, threads_active, false);
	}
	sim_kcsan_acquire(w, &desc->threads_active);
}

static __irq_frame struct irqaction *__free_irq(SimKapiHw *hw,
					     struct irq_desc *desc,
					     void *dev_id)
{
	SimWorld *w = hw->w;
	unsigned int irq = desc->irq_data.irq;
	struct irqaction *action, **action_ptr;

	if (in_interrupt())
		sim__kapi_warn(w, SIM_KAPI_SITE(NULL),
			       "Trying to free IRQ %u from IRQ context!", irq);

	/* The window: the action is still linked while we wait here. */
	IRQ_LOCK(w, desc);

	/* There can be several actions per line: find ours by dev_id. */
	desc_access(w, desc, action, false);
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
	if (action_ptr == &desc->action)
		desc_access(w, desc, action, true);
	*action_ptr = action->next;
	/* irq_shutdown(): the last handler gone masks the line. */
	if (!desc->action && desc->irq_data.chip &&
	    desc->irq_data.chip->irq_mask)
		desc->irq_data.chip->irq_mask(irq, desc->irq_data.chip_data);
	sim_trace(w, SIM_TR_IRQ, desc_id(w, desc_slot(hw, desc)),
		  sim__kapi_hw_intern(hw, action->name ? action->name : "?"),
		  "free_irq", irq, 0);

	/* Make sure no handler runs it on another CPU any more. */
	__synchronize_hardirq(hw, desc);
	if (action->sim_thread) {
		__synchronize_irq_threads(hw, desc);
		stop_irq_thread(w, action);
		/* The last action releases the line's resources. */
		desc_access(w, desc, action, false);
	}
	IRQ_UNLOCK(w, desc);
	return action;
}

const void *free_irq(unsigned int irq, void *dev_id)
{
	SimWorld *w = sim__kapi_world("free_irq");
	SimKapiHw *hw = sim__kapi_hw(w);
	struct irq_desc *desc = irq_to_desc(hw, irq);
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
	SimKapiHw *hw = sim__kapi_hw(w);
	struct irq_desc *desc = irq_to_desc(hw, irq);
	bool res = false;

	if (desc) {
		desc_access(w, desc, action, false);
		res = desc->action != NULL;
	}
	/* Recorded (as a change of shim state, conservatively) so that an
	 * exhaustive search sees it conflict with the unlink in free_irq. */
	sim_trace(w, SIM_TR_IRQ, desc ? desc_id(w, &hw->descs[irq]) : 0,
		  res ? "irq_has_action: true" : "irq_has_action: false", NULL,
		  irq, 0);
	return res;
}

/* -------------------------------------------------- enable / disable -- */

bool synchronize_hardirq(unsigned int irq)
{
	SimWorld *w = sim__kapi_world("synchronize_hardirq");
	SimKapiHw *hw = sim__kapi_hw(w);
	struct irq_desc *desc = irq_to_desc(hw, irq);

	return desc ? __synchronize_hardirq(hw, desc) : true;
}

void synchronize_irq(unsigned int irq)
{
	SimWorld *w = sim__kapi_world("synchronize_irq");
	SimKapiHw *hw = sim__kapi_hw(w);
	struct irq_desc *desc = irq_to_desc(hw, irq);

	if (!desc)
		return;
	sim_might_sleep(w, "synchronize_irq", __FILE__, __LINE__);
	__synchronize_hardirq(hw, desc);
	__synchronize_irq_threads(hw, desc);
}

void disable_irq_nosync(unsigned int irq)
{
	SimWorld *w = sim__kapi_world("disable_irq_nosync");
	struct irq_desc *desc = irq_to_desc(sim__kapi_hw(w), irq);

	if (desc) {
		desc_access(w, desc, depth, true);
		desc->depth++;
	}
	sim_yield(w);
}

void disable_irq(unsigned int irq)
{
	SimWorld *w = sim__kapi_world("disable_irq");
	struct irq_desc *desc = irq_to_desc(sim__kapi_hw(w), irq);

	if (!desc)
		return;
	desc_access(w, desc, depth, true);
	desc->depth++;
	sim_yield(w);
	/* A new lookup, as the kernel's synchronize_irq(irq) makes. */
	synchronize_irq(irq);
}

void enable_irq(unsigned int irq)
{
	SimWorld *w = sim__kapi_world("enable_irq");
	SimKapiHw *hw = sim__kapi_hw(w);
	struct irq_desc *desc = irq_to_desc(hw, irq);

	if (!desc)
		return;
	desc_access(w, desc, depth, true);
	if (!desc->depth) {
		sim__kapi_warn(w, SIM_KAPI_SITE(NULL),
			       "Unbalanced enable for IRQ %u", irq);
		return;
	}
	/* An interrupt that came while disabled is replayed now. */
	if (--desc->depth == 0 && desc_pending(desc) && desc->action)
		desc_wake_task(hw, &hw->descs[irq]);
	sim_yield(w);
}

/* ------------------------------------------------------- descriptors -- */

#define SPARSE_LOCK(hw)							\
	sim_kapi_mutex_lock(&(hw)->sparse_irq_lock,			\
			    SIM_KAPI_SITE("sparse_irq_lock"))
#define SPARSE_UNLOCK(hw)						\
	sim_kapi_mutex_unlock(&(hw)->sparse_irq_lock,			\
			      SIM_KAPI_SITE("sparse_irq_lock"))

/*
 * A new descriptor for @irq: kzalloc()ed on the simulated heap, so it has
 * the heap's allocation record and stack (through __irq_alloc_descs).
 * Not a scheduling point (the caller holds sparse_irq_lock anyway). NULL
 * when the heap is exhausted.
 */
static __irq_frame struct irq_desc *alloc_desc(SimWorld *w, unsigned int irq)
{
	struct irq_desc *desc = sim_kmalloc(w, sizeof(*desc), true,
					    "alloc_desc");

	if (desc)
		desc->irq_data.irq = irq;
	return desc;
}

/*
 * Take the descriptor of @slot out of the tree and free it. The kernel
 * frees it after an RCU grace period; hvsim frees it now (see the top of
 * the file). An action still linked is lost with it, as in the kernel
 * (free_msi_irqs() BUG()s before that happens).
 */
static __irq_frame void free_desc(SimWorld *w, SimIrqDesc *slot)
{
	struct irq_desc *desc = slot->desc;

	if (!desc)
		return;
	slot->desc = NULL;
	sim_kfree(w, desc, "free_desc");
}

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
			if (hw->descs[start + i].desc)
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
		SimIrqDesc *slot = &hw->descs[start + i];
		struct irq_desc *desc = alloc_desc(w, start + i);

		if (!desc) {
			while (i--)
				free_desc(w, &hw->descs[start + i]);
			ret = -ENOMEM;
			goto unlock;
		}
		/* A new descriptor: new counters and trace id; the line's
		 * task, if it ever had one in this execution, is kept (it
		 * is idle, and finds the new descriptor at its next
		 * interrupt). */
		slot->desc = desc;
		slot->handled = slot->spurious = 0;
		slot->id = 0;
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
		/* The legacy descriptors are static: never freed. */
		if (from + i < SIM_IRQ_NR_LEGACY)
			continue;
		free_desc(w, &hw->descs[from + i]);
	}
	sim_trace(w, SIM_TR_IRQ, 0, "irq_free_descs", NULL, from, cnt);
	SPARSE_UNLOCK(hw);
}

int irq_set_chip_and_data(unsigned int irq, const struct irq_chip *chip,
			  void *data)
{
	SimWorld *w = sim__kapi_world("irq_set_chip_and_data");
	struct irq_desc *desc = irq_to_desc(sim__kapi_hw(w), irq);

	if (!desc)
		return -EINVAL;
	desc_access(w, desc, irq_data.chip, true);
	desc->irq_data.chip = chip;
	desc->irq_data.chip_data = data;
	return 0;
}

/* ---------------------------------------------------- introspection -- */

bool sim_kapi_irq_exists(SimWorld *w, unsigned int irq)
{
	return irq_to_desc(sim__kapi_hw(w), irq) != NULL;
}

unsigned int sim_kapi_irq_nr_actions(SimWorld *w, unsigned int irq)
{
	struct irq_desc *desc = irq_to_desc(sim__kapi_hw(w), irq);
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
