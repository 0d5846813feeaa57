// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements tasklets, each on a task of its own that runs the
 * function in softirq context once per schedule, and the bottom-half and
 * context queries (local_bh_disable, in_interrupt, in_atomic). It sits
 * between drivers (<linux/interrupt.h>) and the engine's tasks.
 *
 * The task of a tasklet is created SIM_CTX_PROCESS and switches to
 * SIM_CTX_SOFTIRQ only while the function runs, as a kernel task enters
 * softirq context through its preempt count: between runs it waits idle,
 * which is not a sleep in atomic context.
 */
#include <string.h>

#include <glib.h>

#include "sim/heap.h"
#include "sim/trace.h"
#include "sim/world.h"
#include "sim/kapi/exec.h"
#include "sim/kapi/kapi.h"
#include "sim/kcsan.h"

#include <linux/interrupt.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
#define SCHED_BIT	(1UL << TASKLET_STATE_SCHED)
#define RUN_BIT		(1UL << TASKLET_STATE_RUN)

/* Run @t once: the kernel's tasklet_action_common() for one tasklet. */
static noinline void tasklet_action_common(SimWorld *w, SimTask *self,
					   struct tasklet_struct *t)
{
	sim_heap_check(w, (uintptr_t)t, sizeof(*t), true,
		       (uintptr_t)__builtin_return_address(0));
	t->state |= RUN_BIT;
	t->state &= ~SCHED_BIT;
	sim_kcsan_acquire(w, t);
	self->ctx = SIM_CTX_SOFTIRQ;
	if (t->use_callback)
		t->callback(t);
	else
		t->func(t->data);
	self->ctx = SIM_CTX_PROCESS;
	sim_kcsan_release(w, t);
	/* tasklet_unlock(): the function may have freed its tasklet. */
	sim_heap_check(w, (uintptr_t)&t->state, sizeof(t->state), true,
		       (uintptr_t)__builtin_return_address(0));
	t->state &= ~RUN_BIT;
	sim_wake_all(w, &t->state);
}

static noinline void tasklet_thread(void *arg)
{
	struct tasklet_struct *t = arg;
	SimTask *self = sim_current();
	SimWorld *w = self->world;

	for (;;) {
		if (!(t->state & SCHED_BIT) || t->count.counter != 0) {
			sim_block(w, SIM_TASK_IDLE, SIM_WAIT_NONE, t,
				  t->sim_name ? t->sim_name : "tasklet",
				  "tasklet_thread", 0);
			continue;
		}
		tasklet_action_common(w, self, t);
		/* End of the softirq: a scheduling point, which also bounds
		 * a tasklet that reschedules itself by the step limit. */
		sim_yield(w);
	}
}

/* @t's task in this execution, or NULL. */
static SimTask *tasklet_task(SimWorld *w, struct tasklet_struct *t)
{
	SimTask *task;

	if (t->sim_serial != w->run_serial || !t->sim_task)
		return NULL;
	task = t->sim_task;
	/* Stale bytes that happen to carry this run_serial must still
	 * name our task: check it against the task table. */
	if (sim_task_by_id(w, task->id) != task || task->arg != t ||
	    task->fn != tasklet_thread)
		return NULL;
	return task;
}

SIM_KAPI_INLINE void tasklet_init_common(struct tasklet_struct *t, const char *name)
{
	SimWorld *w = sim_current_world();
	SimTask *keep = NULL;

	if (w && sim_current()) {
		sim_heap_check(w, (uintptr_t)t, sizeof(*t), true,
			       (uintptr_t)__builtin_return_address(0));
		keep = tasklet_task(w, t);
	}
	memset(t, 0, sizeof(*t));
	t->sim_name = name;
	if (keep) {
		/* Re-initialised in the same execution: same task. */
		t->sim_task = keep;
		t->sim_serial = w->run_serial;
	}
	if (w)
		t->sim_id = sim_obj_id(w);
}

void sim_kapi_tasklet_init(struct tasklet_struct *t,
			   void (*func)(unsigned long data), unsigned long data,
			   const char *name)
{
	tasklet_init_common(t, name);
	t->func = func;
	t->data = data;
}

void sim_kapi_tasklet_setup(struct tasklet_struct *t,
			    void (*callback)(struct tasklet_struct *t),
			    const char *name)
{
	tasklet_init_common(t, name);
	t->use_callback = true;
	t->callback = callback;
}

static void tasklet_schedule_common(SimWorld *w, struct tasklet_struct *t,
				    const char *func)
{
	SimTask *task = tasklet_task(w, t);
	SimTask *cur = sim_current();

	if (!t->func) {
		/* Never initialised: the kernel would oops in the softirq. */
		static const struct sim_kapi_site site = {
			"tasklet_schedule", __FILE__, __LINE__, NULL
		};

		sim__kapi_warn(w, &site, "tasklet %016" G_GINT64_MODIFIER
			       "x scheduled without a function",
			       sim_heap_sim_addr(w, t));
		return;
	}
	if (!task) {
		char name[SIM_TASK_NAME_LEN];

		sim__kapi_snprintf(name, sizeof(name), "tasklet/%s",
			   t->sim_name ? t->sim_name : "?");
		task = sim_task_create(w, name, SIM_CTX_PROCESS,
				       cur ? cur->cpu : 0, tasklet_thread, t);
		t->sim_task = task;
		t->sim_serial = w->run_serial;
	}
	if (!t->sim_id)
		t->sim_id = sim_obj_id(w);
	sim_kcsan_release(w, t);
	if (!(t->state & SCHED_BIT)) {
		t->state |= SCHED_BIT;
		if (task->wait_obj == t && t->count.counter == 0)
			sim_wake(w, task);
	}
	sim_trace(w, SIM_TR_TASKLET, t->sim_id, t->sim_name, func, 0, task->id);
}

void sim_kapi_tasklet_schedule(struct tasklet_struct *t,
			       const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("tasklet_schedule");

	sim_heap_check(w, (uintptr_t)t, sizeof(*t), true,
		       (uintptr_t)__builtin_return_address(0));
	tasklet_schedule_common(w, t, site->func);
	sim_yield(w);
}

void sim_kapi_tasklet_schedule_world(SimWorld *w, struct tasklet_struct *t)
{
	tasklet_schedule_common(w, t, NULL);
	if (sim_current())
		sim_yield(w);
}

/* Wait until none of @bits is set in @t->state. */
SIM_KAPI_INLINE void tasklet_wait(SimWorld *w, struct tasklet_struct *t,
				  unsigned long bits, bool spin,
				  const struct sim_kapi_site *site)
{
	while (t->state & bits) {
		if (spin)
			sim_yield(w);
		else
			sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_OTHER,
				  &t->state, t->sim_name ? t->sim_name :
				  "tasklet", site->func, 0);
	}
	sim_kcsan_acquire(w, t);
}

void sim_kapi_tasklet_kill(struct tasklet_struct *t,
			   const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("tasklet_kill");

	sim_might_sleep(w, site->func, site->file, site->line);
	sim_heap_check(w, (uintptr_t)t, sizeof(*t), false,
		       (uintptr_t)__builtin_return_address(0));
	tasklet_wait(w, t, SCHED_BIT | RUN_BIT, false, site);
	sim_yield(w);
}

void sim_kapi_tasklet_disable(struct tasklet_struct *t,
			      enum sim_tasklet_wait how,
			      const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("tasklet_disable");
	SimTask *cur = sim_current();

	/* In the v4.19-era kernels the drivers model, tasklet_unlock_wait()
	 * spins, so tasklet_disable() is allowed in atomic context: spin
	 * there, block elsewhere (where a wait that never ends is then a
	 * deadlock the engine can report). */
	if (how == SIM_TASKLET_SLEEP && (sim__kapi_preempt_count(cur) ||
					 sim__kapi_irqs_disabled(cur)))
		how = SIM_TASKLET_SPIN;
	sim_heap_check(w, (uintptr_t)t, sizeof(*t), true,
		       (uintptr_t)__builtin_return_address(0));
	t->count.counter++;
	if (how != SIM_TASKLET_NOWAIT)
		tasklet_wait(w, t, RUN_BIT, how == SIM_TASKLET_SPIN, site);
	sim_yield(w);
}

void sim_kapi_tasklet_enable(struct tasklet_struct *t,
			     const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("tasklet_enable");
	SimTask *task;

	sim_heap_check(w, (uintptr_t)t, sizeof(*t), true,
		       (uintptr_t)__builtin_return_address(0));
	if (t->count.counter <= 0) {
		sim__kapi_warn(w, site,
			       "tasklet_enable: unbalanced enable of %s",
			       t->sim_name ? t->sim_name : "?");
		return;
	}
	t->count.counter--;
	task = tasklet_task(w, t);
	if (!t->count.counter && (t->state & SCHED_BIT) && task &&
	    task->wait_obj == t)
		sim_wake(w, task);
	sim_yield(w);
}

/* ----------------------------------------------------------- contexts -- */

unsigned int sim_kapi_ctx_preempt_count(void)
{
	SimTask *t = sim_current();

	return t ? sim__kapi_preempt_count(t) : 0;
}

void sim_kapi_local_bh_disable(void)
{
	SimTask *t = sim__kapi_task("local_bh_disable");

	t->preempt_count += SIM_SOFTIRQ_DISABLE_OFFSET;
}

void sim_kapi_local_bh_enable(const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("local_bh_enable");

	if (t->preempt_count < SIM_SOFTIRQ_DISABLE_OFFSET) {
		sim__kapi_warn(t->world, site,
			       "local_bh_enable() without local_bh_disable()");
		return;
	}
	t->preempt_count -= SIM_SOFTIRQ_DISABLE_OFFSET;
	/* The kernel runs pending softirqs here: a scheduling point. */
	sim_yield(t->world);
}
