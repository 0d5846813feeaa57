// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the liveness detectors: the deadlock detector (no
 * runnable task and no pending event while some task is blocked) and the
 * hung-task detector (a task blocked for more than 120 virtual seconds while
 * time still moves). Both report in the kernel's hung-task format, because
 * that is how a deadlock shows itself on a real machine, followed by the
 * wait-for cycle the simulator can see and the kernel cannot.
 *
 * It sits between the scheduler loop (sim/sched.c), which calls it, and
 * the report layer (sim/report.h).
 */
#include <glib.h>

#include "sim/report.h"
#include "sim/sched.h"
#include "sim/world.h"

static const char *wait_kind_word(SimWaitKind k)
{
	switch (k) {
	case SIM_WAIT_MUTEX:
		return "a mutex";
	case SIM_WAIT_SPIN:
		return "a spinlock";
	case SIM_WAIT_COMPLETION:
		return "a completion";
	case SIM_WAIT_EVENT:
		return "a wait queue";
	case SIM_WAIT_WORK:
		return "a work item";
	default:
		return "an event";
	}
}

/* The task holding the lock @t waits for, or NULL. */
static SimTask *lock_owner(SimWorld *w, const SimTask *t)
{
	guint i;
	int j;

	if (t->wait_kind != SIM_WAIT_MUTEX && t->wait_kind != SIM_WAIT_SPIN)
		return NULL;
	for (i = 0; i < w->tasks->len; i++) {
		SimTask *o = g_ptr_array_index(w->tasks, i);

		for (j = 0; j < o->nheld; j++)
			if (o->held[j].lock == t->wait_obj)
				return o;
	}
	return NULL;
}

static void report_locks_held(SimReport *r, SimWorld *w)
{
	guint i;
	int j;

	sim_report_line(r, "");
	sim_report_line(r, "Showing all locks held in the system:");
	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);

		if (!t->nheld)
			continue;
		sim_report_line(r, "%d lock%s held by %s/%u:", t->nheld,
				t->nheld == 1 ? "" : "s", t->name, t->id);
		for (j = 0; j < t->nheld; j++)
			sim_report_line(r, " #%d: %016" G_GINT64_MODIFIER "x "
					"(%s){+.+.}-{4:4}, at: %s", j,
					sim_report_obj_addr(t->held[j].id),
					t->held[j].name,
					t->held[j].func ? t->held[j].func : "?");
	}
	sim_report_line(r, "");
	sim_report_line(r, "=============================================");
	sim_report_line(r, "");
}

/* Everything of a hung-task block after its "INFO: task ... blocked" line. */
static void task_block_body(SimReport *r, SimTask *t)
{
	sim_report_line(r, "      Not tainted hvsim-" HVSIM_VERSION);
	sim_report_line(r, "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" "
			"disables this message.");
	sim_report_line(r, "task:%-15s state:D stack:0     pid:%-5u tgid:%-5u "
			"ppid:2      flags:0x00004000", t->name, t->id, t->id);
	if (t->wq_name)
		sim_report_line(r, "Workqueue: %s %s", t->wq_name,
				t->work_func ? t->work_func : "");
	if (t->block_stack->n)
		sim_report_stack(r, t->block_stack, TRUE);
	else
		sim_report_line(r, "hvsim: no call trace recorded for %s/%u "
				"(replay with stacks to see it); it waits on "
				"%s in %s", t->name, t->id,
				t->wait_name ? t->wait_name : "?",
				t->wait_func ? t->wait_func : "?");
}

static void report_task_block(SimReport *r, SimTask *t, SimTime blocked_for)
{
	sim_report_line(r, "INFO: task %s:%u blocked for more than %" G_GUINT64_FORMAT
			" seconds.", t->name, t->id, blocked_for / SIM_SEC);
	task_block_body(r, t);
}

static void report_blocker(SimReport *r, SimWorld *w, SimTask *t)
{
	SimTask *owner = lock_owner(w, t);

	if (owner)
		sim_report_line(r, "INFO: task %s:%u is blocked on %s likely "
				"owned by task %s:%u.", t->name, t->id,
				wait_kind_word(t->wait_kind), owner->name,
				owner->id);
	else if (t->wait_kind != SIM_WAIT_MUTEX && t->wait_kind != SIM_WAIT_SPIN)
		sim_report_line(r, "INFO: task %s:%u is waiting on %s that no "
				"runnable thread can complete.", t->name, t->id,
				wait_kind_word(t->wait_kind));
}

/* Append the wait-for chain starting at @start as hvsim: lines. */
static void report_cycle(SimReport *r, SimWorld *w, SimTask *start)
{
	GString *s = g_string_new(NULL);
	SimTask *t = start;
	guint steps = 0;

	g_string_append_printf(s, "%s/%u", t->name, t->id);
	while (t && steps++ <= w->tasks->len) {
		SimTask *owner = lock_owner(w, t);

		g_string_append_printf(s, " -> waits for %s (%s in %s)",
				       t->wait_name ? t->wait_name : "?",
				       wait_kind_word(t->wait_kind),
				       t->wait_func ? t->wait_func : "?");
		if (!owner) {
			g_string_append(s, " -> no task can signal it");
			break;
		}
		g_string_append_printf(s, " held by %s/%u", owner->name,
				       owner->id);
		if (owner == start) {
			g_string_append(s, " (cycle)");
			break;
		}
		t = owner;
	}
	sim_report_line(r, "hvsim: wait-for: %s", s->str);
	g_string_free(s, TRUE);
}

/* A blocked task that lies on a lock cycle, else the first blocked one. */
static SimTask *cycle_start(SimWorld *w)
{
	SimTask *first = NULL;
	guint i;

	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i), *o = t;
		guint steps = 0;

		if (t->state != SIM_TASK_BLOCKED)
			continue;
		if (!first)
			first = t;
		while ((o = lock_owner(w, o)) && steps++ <= w->tasks->len)
			if (o == t)
				return t;
	}
	return first;
}

void sim__liveness_deadlock(SimWorld *w)
{
	SimTask *start = cycle_start(w);
	SimTime since = start->wait_since;
	SimReport *r;
	guint i;

	/* Nothing can ever happen again: a real kernel would print this once
	 * the hung-task threshold passed, so the clock jumps there. */
	w->now = since + SIM_HUNG_TASK_TIMEOUT;
	r = sim_report_new(w, SIM_BUG_DEADLOCK,
			   start->wait_func ? start->wait_func : "?",
			   "INFO: task %s:%u blocked for more than %u seconds.",
			   start->name, start->id,
			   (unsigned)(SIM_HUNG_TASK_TIMEOUT / SIM_SEC));
	r->task = start->id;
	task_block_body(r, start);
	report_blocker(r, w, start);
	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);

		if (t == start || t->state != SIM_TASK_BLOCKED)
			continue;
		report_task_block(r, t, w->now - t->wait_since);
		report_blocker(r, w, t);
	}
	report_locks_held(r, w);
	sim_report_line(r, "hvsim: deadlock: no task can run and no event is "
			"pending");
	report_cycle(r, w, start);
	sim_report_raise(w, r);
}

SimTime sim__liveness_next_hung(SimWorld *w)
{
	SimTime next = UINT64_MAX;
	guint i;

	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);
		SimTime at;

		if (t->state != SIM_TASK_BLOCKED || t->hung_reported)
			continue;
		at = t->wait_since + SIM_HUNG_TASK_TIMEOUT + 1;
		if (at < next)
			next = at;
	}
	return next;
}

void sim__liveness_hung(SimWorld *w)
{
	SimReport *r = NULL;
	guint i;

	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);

		if (t->state != SIM_TASK_BLOCKED || t->hung_reported ||
		    w->now - t->wait_since <= SIM_HUNG_TASK_TIMEOUT)
			continue;
		t->hung_reported = true;
		if (!r) {
			r = sim_report_new(w, SIM_BUG_HUNG_TASK,
					   t->wait_func ? t->wait_func : "?",
					   "INFO: task %s:%u blocked for more "
					   "than %u seconds.", t->name, t->id,
					   (unsigned)(SIM_HUNG_TASK_TIMEOUT /
						      SIM_SEC));
			r->task = t->id;
			task_block_body(r, t);
		} else {
			report_task_block(r, t, w->now - t->wait_since);
		}
		report_blocker(r, w, t);
	}
	if (!r)
		return;
	report_locks_held(r, w);
	sim_report_raise(w, r);
}
