// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the scheduler loop of one execution: run the task the
 * strategy picks until its next scheduling point, fire host events when no
 * task can run, move virtual time, and decide how the execution ends
 * (clean, a finding, a deadlock, a hung task, a limit). It also implements
 * named points and the scripted ordering constraints between them.
 *
 * It sits between sim_world_run() (sim/world.c) and the tasks
 * (sim/task.c); the loop runs on the caller's stack, each task on its own.
 * When a task gives up the CPU while another task is runnable, the loop's
 * next iteration runs on that task's stack instead and switches straight
 * to the task picked (switch_in_place), which saves the round trip through
 * the loop's stack and changes nothing else.
 */
#include <string.h>

#include <glib.h>

#include "sim/context.h"
#include "sim/footprint.h"
#include "sim/liveness.h"
#include "sim/kcsan.h"
#include "sim/report.h"
#include "sim/sched.h"
#include "sim/trace.h"
#include "sim/world.h"

/* sim_trace(), inline on this file's hot paths (sim/world.h). */
#define sim_trace(...)	sim__trace_fast(__VA_ARGS__)

/*
 * Hot paths (docs/performance.md): no frame pointer (unwinders use the
 * CFI) and calls through the GOT rather than PLT stubs.
 */
#pragma GCC optimize("omit-frame-pointer", "no-plt")

static inline __attribute__((always_inline)) bool
switch_in_place(SimWorld *w, SimTask *t);

static bool advance_time(SimWorld *w);
static inline const SimEvent *peek_event(SimEventQueue *q);

/*
 * The running task @t gives up the CPU with no task runnable: run the
 * loop's next iterations here, on @t's stack, as they would run on the
 * scheduler's: while nothing is runnable and events are pending, fire
 * them (advance_time(), in engine context: sim__current NULL). Then the
 * caller picks the next task in place, as after a yield; the round trip
 * through the scheduler's stack (two switches) is saved. What the loop
 * does otherwise (no event left: the end checks; a stop) it still does:
 * the caller switches to it, with sim__current back to @t as the loop
 * expects, and w->sched_break set when advance_time() ended the
 * execution.
 */
static __attribute__((noinline)) void events_in_place(SimWorld *w,
						      SimTask *t)
{
	sim__current = NULL;
	while (w->nrunnable == 0 && !w->stop && peek_event(&w->events)) {
		if (!advance_time(w)) {
			w->sched_break = true;
			break;
		}
	}
	sim__current = t;
}

/* sim__sched_switch_out(), for this file's callers without a trip through
 * the PLT. */
static inline __attribute__((always_inline)) void switch_out(SimWorld *w)
{
	SimTask *t = sim__current;

	if (!w->nrunnable && !w->footprint && !w->stop)
		events_in_place(w, t);
	if (w->nrunnable && !w->sched_break && switch_in_place(w, t))
		return;
	sim__ctx_switch(&t->ctx_sp, w->sched_sp);
	/* Picked again: the scheduler has set sim__current back to us. */
}

void sim__sched_switch_out(SimWorld *w)
{
	switch_out(w);
}

/* ------------------------------------------------------------ blocking -- */

/*
 * sim_block() and sim_task_exit() (declared in sim/sim.h; sim_wake() is in
 * sim/task.c) live here so that their switch_out() is inline: a task that
 * resumes returns through one frame fewer, and each frame costs a
 * mispredicted return after a switch of stacks.
 */
static void timeout_fire(SimWorld *w, void *arg, uint64_t token);

bool sim__event_stale(const SimEvent *e)
{
	const SimTask *t = e->arg;

	return e->fn == timeout_fire && t->wait_token != e->arg2;
}

static void timeout_fire(SimWorld *w, void *arg, uint64_t token)
{
	SimTask *t = arg;

	if (t->wait_token != token)
		return;		/* woken before the timeout */
	if (t->state != SIM_TASK_BLOCKED && t->state != SIM_TASK_SLEEPING &&
	    t->state != SIM_TASK_IDLE)
		return;
	t->timed_out = true;
	t->wait_token++;
	sim__task_state_set(w, t, SIM_TASK_RUNNABLE);
	sim_trace(w, SIM_TR_TIMEOUT, 0, t->wait_name, t->wait_func, 0, t->id);
}

bool sim_block(SimWorld *w, SimTaskState state, SimWaitKind kind,
	       const void *obj, const char *obj_name, const char *func,
	       SimTime timeout)
{
	SimTask *t = sim__current;

	g_assert(t && t->world == w);
	g_assert(state == SIM_TASK_BLOCKED || state == SIM_TASK_IDLE ||
		 state == SIM_TASK_SLEEPING);
	t->wait_kind = kind;
	t->wait_obj = obj;
	if (t->id <= 64)
		w->wait_objs[t->id - 1] = obj;
	t->wait_name = obj_name;
	t->wait_func = func;
	t->wait_since = w->now;
	t->timed_out = false;
	t->hung_reported = false;
	if (state == SIM_TASK_BLOCKED && w->want_stacks)
		sim_stack_capture(t->block_stack, 1);
	sim__task_state_set(w, t, state);
	if (state == SIM_TASK_SLEEPING)
		sim_trace(w, SIM_TR_SLEEP, 0, obj_name, func,
			  (int64_t)timeout, 0);
	else if (state == SIM_TASK_BLOCKED)
		sim_trace(w, SIM_TR_BLOCK, 0, obj_name, func, kind, 0);
	if (timeout)
		sim_event_after(w, timeout, timeout_fire, t, t->wait_token);
	w->steps++;
	switch_out(w);
	t->wait_kind = SIM_WAIT_NONE;
	t->wait_obj = NULL;
	return !t->timed_out;
}

_Noreturn void sim_task_exit(SimWorld *w)
{
	SimTask *t = sim__current;

	sim_trace(w, SIM_TR_TASK_EXIT, 0, NULL, NULL, 0, 0);
	sim__task_state_set(w, t, SIM_TASK_DONE);
	switch_out(w);
	g_assert_not_reached();
}

_Noreturn void sim__sched_abort(SimWorld *w)
{
	SimTask *t = sim__current;

	w->stop = true;
	sim__ctx_switch(&t->ctx_sp, w->sched_sp);
	g_assert_not_reached();
}

/* ------------------------------------------------------------- points -- */

/* Is some constraint "before < name" still waiting for "before"? */
static const SimOrder *unmet_order_for(SimWorld *w, const char *name)
{
	guint i;

	for (i = 0; i < w->orders->len; i++) {
		const SimOrder *o = &g_array_index(w->orders, SimOrder, i);

		if (strcmp(o->after, name) == 0 &&
		    !g_hash_table_contains(w->points_passed, o->before))
			return o;
	}
	return NULL;
}

static bool point_is_constrained(SimWorld *w, const char *name)
{
	guint i;

	for (i = 0; i < w->orders->len; i++) {
		const SimOrder *o = &g_array_index(w->orders, SimOrder, i);

		if (strcmp(o->after, name) == 0 || strcmp(o->before, name) == 0)
			return true;
	}
	return false;
}

/* Release the held tasks whose constraints are all met now. */
static void release_held(SimWorld *w)
{
	guint i;

	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);

		if (t->state == SIM_TASK_HELD &&
		    !unmet_order_for(w, t->wait_name))
			sim__task_set_state(w, t, SIM_TASK_RUNNABLE);
	}
}

/* sim_yield() as a tail call: see sim_yield(). */
__attribute__((optimize("optimize-sibling-calls")))
void sim__point(const SimPointDesc *p)
{
	SimTask *t = sim__current;
	SimWorld *w = t->world;

	if (w->respect_order && w->orders->len &&
	    point_is_constrained(w, p->name)) {
		while (unmet_order_for(w, p->name)) {
			t->wait_kind = SIM_WAIT_OTHER;
			t->wait_name = p->name;
			t->wait_func = p->func;
			t->wait_since = w->now;
			sim__task_set_state(w, t, SIM_TASK_HELD);
			sim__sched_switch_out(w);
		}
		t->wait_kind = SIM_WAIT_NONE;
		if (!g_hash_table_contains(w->points_passed, p->name)) {
			g_hash_table_add(w->points_passed, (gpointer)p->name);
			release_held(w);
		}
	}
	sim_trace(w, SIM_TR_POINT, 0, p->name, p->func, 0, 0);
	sim_yield(w);
}

void sim__orders_reset(SimWorld *w)
{
	g_hash_table_remove_all(w->points_passed);
}

void sim_world_add_order(SimWorld *w, const char *before, const char *after)
{
	SimOrder o = { g_intern_string(before), g_intern_string(after) };

	g_array_append_val(w->orders, o);
}

static void describe_unmet(SimWorld *w)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);
		const SimOrder *o;

		if (t->state != SIM_TASK_HELD)
			continue;
		o = unmet_order_for(w, t->wait_name);
		g_string_append_printf(s,
			"%sordering constraint '%s < %s' cannot be met: "
			"task %s/%u reached %s but %s never happened",
			s->len ? "; " : "", o ? o->before : "?",
			t->wait_name, t->name, t->id, t->wait_name,
			o ? o->before : "?");
	}
	g_free(w->divergence);
	w->divergence = g_string_free(s, FALSE);
}

/* ------------------------------------------------------ quiescence -- */

void sim_world_wait_quiescent(SimWorld *w)
{
	SimTask *t = sim__current;

	t->quiescent_wait = true;
	sim_block(w, SIM_TASK_IDLE, SIM_WAIT_OTHER, &w->ncpus,
		  "quiescence", __func__, 0);
	t->quiescent_wait = false;
}

/* Wake the tasks waiting for quiescence; false if there were none. */
static bool wake_quiescent(SimWorld *w)
{
	bool any = false;
	guint i;

	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);

		if (t->quiescent_wait && t->state == SIM_TASK_IDLE) {
			sim_wake(w, t);
			any = true;
		}
	}
	return any;
}

static bool any_in_state(SimWorld *w, SimTaskState s)
{
	guint i;

	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);

		if (t->state == s)
			return true;
	}
	return false;
}

/* ---------------------------------------------------------- the loop -- */

/*
 * sim_event_queue_peek() without the call while no event is cancelled:
 * then it only reads the front of the heap.
 */
static inline const SimEvent *peek_event(SimEventQueue *q)
{
	if (G_LIKELY(!q->ncancelled))
		return q->len ? &q->heap[0] : NULL;
	return sim_event_queue_peek(q);
}

/* Fire every event due at the earliest pending time, moving the clock.
 * Returns false when the time limit or a hung task ends the execution. */
static bool advance_time(SimWorld *w)
{
	const SimEvent *next;
	SimTime hung, when;
	SimEvent ev;

	/* A timeout whose task was woken in time must not move the clock:
	 * otherwise an execution would end at its last stale timer, and a
	 * deadlock could pass for a hung task. */
	while ((next = peek_event(&w->events)) &&
	       sim__event_stale(next))
		sim_event_queue_pop(&w->events, &ev);
	if (!next)
		return true;
	/* Nothing can run: polling loops and progress are sampled here, and
	 * a livelock ends the execution at once. */
	if (sim__liveness_sample(w))
		return false;
	hung = sim__liveness_next_hung(w);
	when = next->time;

	if (hung <= when) {
		if (hung > w->limits.max_time) {
			w->end = SIM_END_TIME_LIMIT;
			return false;
		}
		w->now = hung;
		sim__liveness_hung(w);
		return false;
	}
	if (when > w->limits.max_time) {
		w->end = SIM_END_TIME_LIMIT;
		return false;
	}
	if (when > w->now)
		w->now = when;
	while ((next = peek_event(&w->events)) &&
	       next->time <= w->now && !w->stop) {
		sim_event_queue_pop(&w->events, &ev);
		sim__engine_world = w;
		sim_kcsan_event_begin(w, ev.seq);
		ev.fn(w, ev.arg, ev.arg2);
		sim_kcsan_event_end(w);
		sim__engine_world = NULL;
	}
	return !w->stop;
}

/* Append decision @id to w->schedule: in place while the array has room
 * (w->schedule_cap), else through GLib, reserving room for more. */
static __attribute__((noinline)) void schedule_grow(SimWorld *w)
{
	GArray *s = w->schedule;
	guint len = s->len;

	/* Grow, note how far, and put the length back. */
	g_array_set_size(s, MAX(2 * len, 1024));
	w->schedule_cap = s->len;
	g_array_set_size(s, len);
}

static inline __attribute__((always_inline)) void
schedule_append(SimWorld *w, uint32_t id)
{
	GArray *s = w->schedule;

	if (G_UNLIKELY(s->len >= w->schedule_cap))
		schedule_grow(w);
	((uint32_t *)(void *)s->data)[s->len] = id;
	s->len++;
}

/*
 * The runnable tasks in id order into w->runnable_buf; returns how many.
 * With at most 64 tasks they are the set bits of w->runnable_mask, which
 * spares loading every task's state.
 */
static inline uint32_t collect_runnable(SimWorld *w, SimTask **tasks,
					guint len)
{
	SimTask **buf = w->runnable_buf;
	uint32_t n = 0;
	guint i;

	if (G_LIKELY(len <= 64)) {
		uint64_t m = w->runnable_mask;

		while (m) {
			buf[n++] = tasks[__builtin_ctzll(m)];
			m &= m - 1;
		}
		return n;
	}
	for (i = 0; i < len; i++) {
		SimTask *t = tasks[i];

		if (t->state == SIM_TASK_RUNNABLE) {
			g_assert(n < G_N_ELEMENTS(w->runnable_buf));
			buf[n++] = t;
		}
	}
	return n;
}

static inline __attribute__((always_inline)) SimTask *
pick(SimWorld *w, SimTask *prev)
{
	/* Loaded once: the stores to the buffer could otherwise alias them. */
	SimTask **tasks = (SimTask **)w->tasks->pdata;
	guint len = w->tasks->len;
	uint64_t m = w->runnable_mask;
	SimTask **buf = w->runnable_buf;
	uint32_t n, idx;

	if (G_LIKELY(len <= 64)) {
		uint32_t id;

		/* One runnable task: no decision. */
		if (m && !(m & (m - 1))) {
			g_assert(w->nrunnable == 1);
			return tasks[__builtin_ctzll(m)];
		}
		/* The strategy's choice straight from the set of ids. */
		if (w->strategy->pick_mask &&
		    (id = w->strategy->pick_mask(w->strategy, w, m, prev))) {
			g_assert(id <= 64 && (m >> (id - 1) & 1));
			w->decisions++;
			schedule_append(w, id);
			return tasks[id - 1];
		}
	}
	n = collect_runnable(w, tasks, len);
	g_assert(n == w->nrunnable);
	if (n == 1)
		return buf[0];
	idx = w->strategy->pick(w->strategy, w, buf, n, prev);
	g_assert(idx < n);
	w->decisions++;
	schedule_append(w, buf[idx]->id);
	return buf[idx];
}

/*
 * The running task @t gives up the CPU (a scheduling point, a block, an
 * exit) while some task is runnable: run the scheduler's next iteration
 * here, on @t's stack, and switch straight to the task picked. With no
 * footprint the loop would do exactly this (step_end is empty; events and
 * the clock wait until nothing is runnable), in the same order and with
 * sim__current NULL as there; what is saved is the round trip through the
 * scheduler's stack: both switches when a yielding @t is picked again, as
 * it often is, and one otherwise. Returns false when the loop must take
 * over; true once @t runs again.
 */
static inline __attribute__((always_inline)) bool
switch_in_place(SimWorld *w, SimTask *t)
{
	SimTask *next;

	if (w->footprint || w->stop)
		return false;
	sim__current = NULL;
	next = pick(w, t);
	sim__step_begin(w, next);
	if (w->stop) {
		/* A search ended the execution before the step
		 * (sim/dfs.c): the loop sees w->stop and ends. */
		sim__current = t;
		return false;
	}
	if (next != t)
		sim_trace(w, SIM_TR_SWITCH, 0, NULL, NULL, 0, next->id);
	sim__current = next;
	if (next != t)
		sim__ctx_switch(&t->ctx_sp, next->ctx_sp);
	/* Running again: whoever switched to us set sim__current. */
	return true;
}

/* sim_yield()'s switch, out of line: the common point with nobody else
 * runnable then saves no register. */
static __attribute__((noinline)) void yield_switch_out(SimWorld *w)
{
	switch_out(w);
}

/*
 * The switch is a tail call (sibling calls are off project-wide, to keep
 * driver frames in call traces; this frame is the engine's, which traces
 * drop): a task that resumes returns through one frame fewer, each of
 * which costs a mispredicted return after a switch of stacks.
 */
__attribute__((optimize("optimize-sibling-calls")))
void sim_yield(SimWorld *w)
{
	SimTask *t = sim__current;

	g_assert(t && t->world == w);
	sim__step_point(w);
	w->steps++;
	if (G_UNLIKELY(w->steps >= w->limits.max_steps)) {
		w->end = SIM_END_STEP_LIMIT;
		sim__sched_abort(w);
	}
	if (t->state == SIM_TASK_RUNNABLE) {
		/* Nobody else could run, so there is no decision to make
		 * and virtual time cannot move while this task is
		 * runnable. */
		if (w->nrunnable == 1)
			return;
		/*
		 * The strategy's standing answer for this runnable set is
		 * this task: the decision switch_in_place() would record,
		 * without asking (see SimWorld.pick_hint_mask).
		 */
		if (w->runnable_mask == w->pick_hint_mask &&
		    w->pick_hint_id == t->id && w->steps < w->pick_hint_until &&
		    !w->footprint && !w->stop && w->tasks->len <= 64) {
			w->decisions++;
			schedule_append(w, t->id);
			/* sim__step_begin(), which without a footprint
			 * refills the budget sim__step_point() refilled
			 * above: nothing to do. */
			return;
		}
	}
	yield_switch_out(w);
}

SimEnd sim__sched_loop(SimWorld *w)
{
	SimTask *prev = NULL;

	for (;;) {
		SimTask *t;

		if (w->stop)
			break;
		if (w->nrunnable == 0) {
			if (peek_event(&w->events)) {
				if (!advance_time(w))
					break;
				continue;
			}
			if (any_in_state(w, SIM_TASK_HELD)) {
				describe_unmet(w);
				w->end = SIM_END_UNMET_ORDER;
				break;
			}
			if (any_in_state(w, SIM_TASK_BLOCKED)) {
				sim__liveness_deadlock(w);
				break;
			}
			if (wake_quiescent(w))
				continue;
			w->end = SIM_END_CLEAN;
			break;
		}
		t = pick(w, prev);
		/* A search may end the execution before a step, when every
		 * choice left is redundant (sim/dfs.c). */
		sim__step_begin(w, t);
		if (w->stop)
			break;
		if (t != prev)
			sim_trace(w, SIM_TR_SWITCH, 0, NULL, NULL, 0, t->id);
		sim__current = t;
		sim__ctx_switch(&w->sched_sp, t->ctx_sp);
		/* The task that switched out: another than t when tasks
		 * switched straight to each other (switch_in_place). */
		prev = sim__current;
		sim__current = NULL;
		sim__step_end(w, prev);
		if (w->sched_break) {
			/* advance_time() ended it, run in place. */
			w->sched_break = false;
			break;
		}
	}
	/* A lock-order warning of this execution is its verdict when
	 * nothing else was found. */
	sim__lockdep_end(w);
	if (w->bug)
		w->end = SIM_END_BUG;
	return w->end;
}
