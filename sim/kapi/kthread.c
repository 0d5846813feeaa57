// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the task side of the kernel-API shim: the
 * task_struct shadow of each simulated task (current), the task states
 * with schedule(), schedule_timeout() and wake_up_process(), and kthreads
 * (kthread_create, kthread_run, kthread_stop, kthread_should_stop). It sits
 * between drivers (<linux/sched.h>, <linux/kthread.h>) and the engine's
 * tasks (sim_task_create, sim_block, sim_wake).
 *
 * A shadow is created on first use for a task and kept, in engine memory,
 * until the end of the execution (indexed by task id, so looking one up
 * never depends on a pointer value).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <glib.h>

#include "sim/trace.h"
#include "sim/world.h"
#include "sim/kapi/exec.h"
#include "sim/kapi/kapi.h"
#include "sim/kcsan.h"

#include <linux/kthread.h>
#include <linux/sched.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
/* ------------------------------------------------------------ shadows -- */

struct task_struct *sim__kapi_task_struct(SimKapiExec *ex, SimTask *t)
{
	guint idx = t->id - 1;
	struct task_struct *ts;

	if (idx >= ex->task_structs->len)
		g_ptr_array_set_size(ex->task_structs, idx + 1);
	ts = g_ptr_array_index(ex->task_structs, idx);
	if (!ts) {
		ts = g_new0(struct task_struct, 1);
		ts->sim_task = t;
		ts->pid = (int)t->id;
		ts->tgid = (int)t->id;
		g_strlcpy(ts->comm, t->name, sizeof(ts->comm));
		ts->__state = TASK_RUNNING;
		g_ptr_array_index(ex->task_structs, idx) = ts;
	}
	return ts;
}

void sim__kapi_tasks_reset(SimKapiExec *ex)
{
	guint i;

	for (i = 0; i < ex->task_structs->len; i++)
		g_free(g_ptr_array_index(ex->task_structs, i));
	g_ptr_array_set_size(ex->task_structs, 0);
}

struct task_struct *sim_kapi_current(void)
{
	SimTask *t = sim__kapi_task("current");

	return sim__kapi_task_struct(sim__kapi_exec(t->world), t);
}

void sim_kapi_set_current_state(unsigned int state)
{
	sim_kapi_current()->__state = state;
}

/* ---------------------------------------------------------- sleeping -- */

/* How a sleep without timeout in @state shows to the liveness checks. */
static SimTaskState untimed_state(unsigned int state)
{
	if ((state & TASK_UNINTERRUPTIBLE) && !(state & TASK_NOLOAD))
		return SIM_TASK_BLOCKED;
	return SIM_TASK_IDLE;
}

void sim_kapi_schedule(const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("schedule");
	SimWorld *w = t->world;
	struct task_struct *ts = sim__kapi_task_struct(sim__kapi_exec(w), t);
	SimTaskState st;

	if (ts->__state == TASK_RUNNING) {
		sim_yield(w);
		return;
	}
	sim_might_sleep(w, site->func, site->file, site->line);
	st = untimed_state(ts->__state);
	while (ts->__state != TASK_RUNNING)
		sim_block(w, st, SIM_WAIT_OTHER, ts, "schedule", site->func, 0);
	sim_kcsan_acquire(w, ts);
}

/* Jiffies left until @deadline, rounded up. */
static long jiffies_left(SimWorld *w, SimTime deadline)
{
	SimTime now = sim_now(w);

	if (now >= deadline)
		return 0;
	return (long)((deadline - now + SIM_KAPI_NSEC_PER_JIFFY - 1) /
		      SIM_KAPI_NSEC_PER_JIFFY);
}

long sim_kapi_schedule_timeout(long timeout, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("schedule_timeout");
	SimWorld *w = t->world;
	struct task_struct *ts = sim__kapi_task_struct(sim__kapi_exec(w), t);
	SimTime deadline;

	if (timeout == MAX_SCHEDULE_TIMEOUT) {
		sim_kapi_schedule(site);
		return MAX_SCHEDULE_TIMEOUT;
	}
	if (timeout < 0) {
		/* The kernel prints "schedule_timeout: wrong timeout value"
		 * and returns at once. */
		ts->__state = TASK_RUNNING;
		return 0;
	}
	if (ts->__state == TASK_RUNNING) {
		sim_yield(w);
		return timeout;
	}
	sim_might_sleep(w, site->func, site->file, site->line);
	deadline = sim_now(w) + sim__kapi_jiffies_to_ns((unsigned long)timeout);
	while (ts->__state != TASK_RUNNING && sim_now(w) < deadline)
		sim_block(w, SIM_TASK_SLEEPING, SIM_WAIT_OTHER, ts,
			  "schedule_timeout", site->func, deadline - sim_now(w));
	ts->__state = TASK_RUNNING;
	sim_kcsan_acquire(w, ts);
	return jiffies_left(w, deadline);
}

long sim_kapi_schedule_timeout_state(long timeout, unsigned int state,
				     const struct sim_kapi_site *site)
{
	sim_kapi_current()->__state = state;
	return sim_kapi_schedule_timeout(timeout, site);
}

/* Does @t wait where wake_up_process() may end the wait? */
static bool wakeable(const SimTask *t, const struct task_struct *ts)
{
	if (t->state != SIM_TASK_BLOCKED && t->state != SIM_TASK_IDLE &&
	    t->state != SIM_TASK_SLEEPING)
		return false;
	/* schedule(), schedule_timeout() and an unstarted kthread wait on
	 * the shadow; wait_event*() re-checks its condition when woken. */
	return t->wait_obj == ts || t->wait_kind == SIM_WAIT_EVENT;
}

int sim_kapi_wake_up_process(struct task_struct *p)
{
	SimTask *t = p->sim_task;
	SimWorld *w = t->world;
	bool woke = false;

	if (p->sim_kthread && !p->sim_started)
		p->sim_started = true;
	p->__state = TASK_RUNNING;
	sim_kcsan_release(w, p);
	if (wakeable(t, p)) {
		sim_wake(w, t);
		woke = true;
	}
	sim__kapi_point(w);
	return woke;
}

void sim_kapi_cond_resched(void)
{
	SimTask *t = sim__kapi_task("cond_resched");

	sim_yield(t->world);
}

/* ------------------------------------------------------------ kthreads -- */

/* The body of every kthread, named like the kernel's. */
static noinline void kthread(void *arg)
{
	SimKapiExec *ex = arg;
	SimTask *t = sim_current();
	struct task_struct *ts = sim__kapi_task_struct(ex, t);
	SimWorld *w = t->world;

	while (!ts->sim_started && !ts->sim_should_stop)
		sim_block(w, SIM_TASK_IDLE, SIM_WAIT_OTHER, ts, "kthread",
			  "kthread", 0);
	sim_kcsan_acquire(w, ts);
	if (!ts->sim_should_stop)
		ts->sim_result = ts->sim_threadfn(ts->sim_data);
	else
		ts->sim_result = -EINTR;
	sim_kcsan_release(w, &ts->sim_result);
	ts->sim_exited = true;
	sim_wake_all(w, &ts->sim_result);
}

struct task_struct *sim_kapi_kthread_create(int (*threadfn)(void *data),
					    void *data,
					    const struct sim_kapi_site *site,
					    const char *namefmt, ...)
{
	SimTask *cur = sim__kapi_task("kthread_create");
	SimWorld *w = cur->world;
	SimKapiExec *ex = sim__kapi_exec(w);
	struct task_struct *ts;
	SimTask *t;
	va_list ap;
	char *name;

	sim_might_sleep(w, site->func, site->file, site->line);
	va_start(ap, namefmt);
	name = sim__kapi_strdup_vprintf(namefmt, ap);
	va_end(ap);
	t = sim_task_create(w, name, SIM_CTX_PROCESS, cur->cpu, kthread, ex);
	sim_kcsan_fork(w, t);
	g_free(name);
	ts = sim__kapi_task_struct(ex, t);
	ts->flags |= PF_KTHREAD;
	ts->sim_kthread = true;
	ts->sim_threadfn = threadfn;
	ts->sim_data = data;
	sim_yield(w);
	return ts;
}

bool sim_kapi_kthread_should_stop(void)
{
	struct task_struct *ts = sim_kapi_current();

	return ts->sim_kthread && ts->sim_should_stop;
}

int sim_kapi_kthread_stop(struct task_struct *k,
			  const struct sim_kapi_site *site)
{
	SimTask *cur = sim__kapi_task("kthread_stop");
	SimWorld *w = cur->world;

	sim_might_sleep(w, site->func, site->file, site->line);
	k->sim_should_stop = true;
	sim_kapi_wake_up_process(k);
	while (!k->sim_exited)
		sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_COMPLETION,
			  &k->sim_result, "&kthread->exited", site->func, 0);
	sim_kcsan_acquire(w, &k->sim_result);
	return k->sim_result;
}

void sim_kapi_kthread_bind(struct task_struct *k, unsigned int cpu)
{
	SimTask *t = k->sim_task;
	SimKapiExec *ex = sim__kapi_exec(t->world);

	/* Only before it starts, as in the kernel (it WARNs otherwise). */
	if (!k->sim_started)
		t->cpu = (int)(cpu % (unsigned int)ex->ncpus);
}
