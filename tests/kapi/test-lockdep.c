// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests lock-order prediction (sim/lockdep.c) through the lock
 * shims: an ABBA order in one execution is the execution's verdict in
 * lockdep's format, with its section headings and an unsafe scenario drawn
 * from the real tasks; a consistent order stays quiet; a three-lock chain
 * prints "Chain exists of:"; flushing a work item whose function takes a
 * held mutex is found through the "(work_completion)" pseudo-lock (as a
 * warning when it does not deadlock, and as a note on the deadlock when it
 * does); an order split over two executions is a prediction and never a
 * verdict; the verdict does not depend on earlier executions; and
 * sim_lockdep_reset() forgets everything.
 */
#include "sync-test.h"

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "sim/lockdep.h"

typedef enum {
	P_AB_THEN_BA,		/* a: m1 -> m2, then b: m2 -> m1 */
	P_CONSISTENT,		/* a and b: m1 -> m2, in any interleaving */
	P_SPLIT,		/* execution 0: m1 -> m2; others: m2 -> m1 */
	P_CHAIN3,		/* m1 -> m2, m2 -> m3, m3 -> m1 */
	P_SPIN_AB_BA,		/* the ABBA order with spinlocks */
	P_FLUSH_LATE,		/* the item takes m1; later, flush under m1 */
	P_FLUSH_DEADLOCK,	/* flush under m1 while the item wants m1 */
} Program;

typedef struct {
	Program prog;
	struct mutex m1, m2, m3;
	spinlock_t s1, s2;
	struct work_struct work;
} Ctx;

static void lock2(struct mutex *x, struct mutex *y)
{
	mutex_lock(x);
	mutex_lock(y);
	mutex_unlock(y);
	mutex_unlock(x);
}

static void task_a(void *arg)
{
	Ctx *c = arg;

	switch (c->prog) {
	case P_SPLIT:
		if (sim_current_world()->execution == 0)
			lock2(&c->m1, &c->m2);
		else
			lock2(&c->m2, &c->m1);
		break;
	case P_SPIN_AB_BA:
		spin_lock(&c->s1);
		spin_lock(&c->s2);
		spin_unlock(&c->s2);
		spin_unlock(&c->s1);
		break;
	default:
		lock2(&c->m1, &c->m2);
		break;
	}
}

static void task_b(void *arg)
{
	Ctx *c = arg;

	switch (c->prog) {
	case P_AB_THEN_BA:
		lock2(&c->m2, &c->m1);
		break;
	case P_CONSISTENT:
		lock2(&c->m1, &c->m2);
		break;
	case P_CHAIN3:
		lock2(&c->m2, &c->m3);
		break;
	case P_SPIN_AB_BA:
		spin_lock(&c->s2);
		spin_lock(&c->s1);
		spin_unlock(&c->s1);
		spin_unlock(&c->s2);
		break;
	default:
		break;
	}
}

static void task_c(void *arg)
{
	Ctx *c = arg;

	lock2(&c->m3, &c->m1);
}

static void work_fn(struct work_struct *work)
{
	Ctx *c = container_of(work, Ctx, work);

	mutex_lock(&c->m1);
	mutex_unlock(&c->m1);
}

static void flusher(void *arg)
{
	Ctx *c = arg;

	if (c->prog == P_FLUSH_LATE) {
		/* The item runs alone first: (work_completion) -> m1. */
		schedule_work(&c->work);
		flush_work(&c->work);
		/* Then a flush under m1, with nothing to wait for. */
		mutex_lock(&c->m1);
		flush_work(&c->work);
		mutex_unlock(&c->m1);
		return;
	}
	mutex_lock(&c->m1);
	schedule_work(&c->work);
	flush_work(&c->work);
	mutex_unlock(&c->m1);
}

static void init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	mutex_init(&c->m1);
	mutex_init(&c->m2);
	mutex_init(&c->m3);
	spin_lock_init(&c->s1);
	spin_lock_init(&c->s2);
	INIT_WORK(&c->work, work_fn);
	switch (c->prog) {
	case P_FLUSH_LATE:
	case P_FLUSH_DEADLOCK:
		sim_task_create(w, "t", SIM_CTX_PROCESS, 0, flusher, c);
		return;
	default:
		break;
	}
	sim_task_create(w, "a", SIM_CTX_PROCESS, 0, task_a, c);
	if (c->prog != P_SPLIT)
		sim_task_create(w, "b", SIM_CTX_PROCESS, 1, task_b, c);
	if (c->prog == P_CHAIN3)
		sim_task_create(w, "c", SIM_CTX_PROCESS, 1, task_c, c);
}

static SimEnd run_exec(SimWorld *w, Ctx *c, uint64_t execution)
{
	SimStrategy *s = sim_strategy_first();
	SimEnd end = sim_world_run(w, s, 1, execution, init, c);

	sim_strategy_free(s);
	return end;
}

/* ------------------------------------------------------- same execution -- */

START_TEST(test_lockdep_abba_in_one_execution_is_the_verdict)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .prog = P_AB_THEN_BA };
	g_autofree char *text = NULL;
	const char *summary = NULL;

	/* Non-preemptive: a finishes before b starts, nothing deadlocks. */
	ck_assert_int_eq(run_exec(w, &c, 0), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_LOCK_ORDER);
	ck_assert_str_eq(w->bug->title,
			 "WARNING: possible circular locking dependency detected");
	ck_assert_str_eq(w->bug->func, "lock2");
	text = report_text(w);
	ck_assert_has_line(text, "======================================================");
	ck_assert_has_line(text, "hvsim-" HVSIM_VERSION " Not tainted");
	ck_assert_has_line(text, "b/3 is trying to acquire lock:");
	ck_assert(strstr(text, "\nbut task is already holding lock:\n"));
	ck_assert(strstr(text, " (&c->m2){+.+.}-{4:4}, at: lock2\n\nwhich lock "
			 "already depends on the new lock.\n"));
	ck_assert_has_line(text, "the existing dependency chain (in reverse order) is:");
	ck_assert_has_line(text, "-> #1 (&c->m2){+.+.}-{4:4}:");
	ck_assert_has_line(text, "-> #0 (&c->m1){+.+.}-{4:4}:");
	/* No stacks in this world: it says so, naming who took what. */
	ck_assert_has_line(text, "       hvsim: a/2 took it in lock2 while "
			   "holding &c->m1; no call trace recorded (replay "
			   "with stacks to see it)");
	ck_assert_has_line(text, "other info that might help us debug this:");
	ck_assert_has_line(text, " Possible unsafe locking scenario:");
	ck_assert_has_line(text, "       b/3                     a/2");
	ck_assert_has_line(text, "       ---                     ---");
	ck_assert_has_line(text, "  lock(&c->m2);");
	ck_assert_has_line(text, "                               lock(&c->m1);");
	ck_assert_has_line(text, "                               lock(&c->m2);");
	ck_assert_has_line(text, "  lock(&c->m1);");
	ck_assert_has_line(text, " *** DEADLOCK ***");
	ck_assert_has_line(text, "1 lock held by b/3:");
	ck_assert_has_line(text, "stack backtrace:");
	ck_assert_has_line(text, "CPU: 1 PID: 3 Comm: b Not tainted hvsim-"
			   HVSIM_VERSION);
	ck_assert(!strstr(text, "Chain exists of:"));
	ck_assert(sim_lockdep_warned(w, &summary));
	ck_assert_str_eq(summary, "&c->m1 --> &c->m2 --> &c->m1");
	/* In this execution: not a prediction. */
	ck_assert_uint_eq(sim_lockdep_predictions(w)->len, 0);
}
END_TEST

START_TEST(test_lockdep_records_edge_stacks_when_the_world_wants_them)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .prog = P_AB_THEN_BA };
	g_autofree char *text = NULL;

	w->want_stacks = true;
	ck_assert_int_eq(run_exec(w, &c, 0), SIM_END_BUG);
	text = report_text(w);
	/* The edge's own stack: a took m2 in lock2, called by task_a. */
	ck_assert(strstr(text, "-> #1 (&c->m2){+.+.}-{4:4}:\n       lock2"));
	ck_assert(strstr(text, "\n       task_a+"));
	ck_assert(!strstr(text, "no call trace recorded"));
}
END_TEST

START_TEST(test_lockdep_consistent_order_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .prog = P_CONSISTENT };
	unsigned int seed, nclasses = 0, ndeps = 0;

	for (seed = 1; seed <= 50; seed++)
		ck_assert_clean(w, run_random(w, seed, init, &c));
	ck_assert(!sim_lockdep_warned(w, NULL));
	ck_assert_uint_eq(sim_lockdep_predictions(w)->len, 0);
	sim_lockdep_stats(w, &nclasses, &ndeps);
	ck_assert_uint_eq(ndeps, 1);		/* m1 -> m2 */
	ck_assert_uint_ge(nclasses, 2);
}
END_TEST

START_TEST(test_lockdep_three_lock_chain)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .prog = P_CHAIN3 };
	g_autofree char *text = NULL;

	ck_assert_int_eq(run_exec(w, &c, 0), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_LOCK_ORDER);
	text = report_text(w);
	ck_assert_has_line(text, "c/4 is trying to acquire lock:");
	ck_assert_has_line(text, "-> #2 (&c->m3){+.+.}-{4:4}:");
	ck_assert_has_line(text, "-> #1 (&c->m2){+.+.}-{4:4}:");
	ck_assert_has_line(text, "-> #0 (&c->m1){+.+.}-{4:4}:");
	ck_assert_has_line(text, "Chain exists of:");
	ck_assert_has_line(text, "  &c->m1 --> &c->m2 --> &c->m3");
	/* One column per actor: c, then a (m1 -> m2), then b (m2 -> m3). */
	ck_assert_has_line(text, "       c/4                     a/2                          b/3");
	ck_assert_has_line(text, "  lock(&c->m3);");
	ck_assert_has_line(text, "                                                            lock(&c->m2);");
	ck_assert_has_line(text, "                                                            lock(&c->m3);");
}
END_TEST

START_TEST(test_lockdep_spinlock_order)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .prog = P_SPIN_AB_BA };
	g_autofree char *text = NULL;

	ck_assert_int_eq(run_exec(w, &c, 0), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_LOCK_ORDER);
	text = report_text(w);
	ck_assert_has_line(text, "-> #1 (&c->s2){+.+.}-{3:3}:");
	ck_assert_has_line(text, "-> #0 (&c->s1){+.+.}-{3:3}:");
}
END_TEST

/* ---------------------------------------------------------- work flushes -- */

START_TEST(test_lockdep_flush_of_work_taking_held_mutex)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .prog = P_FLUSH_LATE };
	g_autofree char *text = NULL;

	ck_assert_int_eq(run_exec(w, &c, 0), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_LOCK_ORDER);
	ck_assert_str_eq(w->bug->func, "flusher");
	text = report_text(w);
	ck_assert_has_line(text, "t/2 is trying to acquire lock:");
	ck_assert(strstr(text, " ((work_completion)(&c->work)){+.+.}-{0:0}, "
			 "at: flusher\n"));
	ck_assert(strstr(text, " (&c->m1){+.+.}-{4:4}, at: flusher\n"));
	ck_assert_has_line(text, "-> #1 (&c->m1){+.+.}-{4:4}:");
	ck_assert_has_line(text, "-> #0 ((work_completion)(&c->work)){+.+.}-{0:0}:");
	ck_assert_has_line(text, "       t/2                     kworker/0:1/3");
	ck_assert_has_line(text, "  lock(&c->m1);");
	ck_assert_has_line(text, "                               lock((work_completion)(&c->work));");
	ck_assert_has_line(text, "  lock((work_completion)(&c->work));");
}
END_TEST

START_TEST(test_lockdep_flush_deadlock_is_a_deadlock_with_a_lockdep_note)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .prog = P_FLUSH_DEADLOCK };
	g_autofree char *text = NULL;
	const char *summary = NULL;

	/* It really deadlocks: that is the verdict; lockdep's warning is a
	 * line of it. */
	ck_assert_int_eq(run_exec(w, &c, 0), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	text = report_text(w);
	ck_assert_has_line(text, "hvsim:   t/2 -> flush of (work_completion)"
			   "(&c->work) -> kworker/0:1/3 (running it)");
	ck_assert_has_line(text, "hvsim:   kworker/0:1/3 -> mutex &c->m1 -> t/2 "
			   "(its owner)");
	ck_assert(sim_lockdep_warned(w, &summary));
	ck_assert_str_eq(summary, "&c->m1 --> (work_completion)(&c->work) --> "
			 "&c->m1");
	ck_assert(strstr(text, "\nhvsim: lockdep warned at step "));
}
END_TEST

/* ------------------------------------------------------ across executions -- */

START_TEST(test_lockdep_cross_execution_cycle_is_a_prediction)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .prog = P_SPLIT };
	const GPtrArray *preds;
	const SimLockdepPrediction *p;
	g_autoptr(GString) out = g_string_new(NULL);

	/* Each execution alone takes one order only: both are clean. */
	ck_assert_clean(w, run_exec(w, &c, 0));
	ck_assert_uint_eq(sim_lockdep_predictions(w)->len, 0);
	ck_assert_clean(w, run_exec(w, &c, 1));
	ck_assert(!sim_lockdep_warned(w, NULL));
	preds = sim_lockdep_predictions(w);
	ck_assert_uint_eq(preds->len, 1);
	p = g_ptr_array_index(preds, 0);
	ck_assert_uint_eq(p->execution, 1);
	ck_assert_str_eq(p->summary, "&c->m1 --> &c->m2 --> &c->m1");
	sim_lockdep_prediction_format(p, out);
	ck_assert(g_str_has_prefix(out->str, "\n======================================================\n"
				   "WARNING: possible circular locking dependency detected\n"));
	ck_assert_has_line(out->str, "a/2 is trying to acquire lock:");
	ck_assert_has_line(out->str, "       hvsim: a/2 took it in lock2 while "
			   "holding &c->m1 in execution 0; no call trace recorded");
	ck_assert(strstr(out->str, "\nhvsim: a prediction: the chain above was "
			 "learned in earlier executions"));

	/* Once per world: running it again predicts nothing new. */
	ck_assert_clean(w, run_exec(w, &c, 1));
	ck_assert_uint_eq(sim_lockdep_predictions(w)->len, 1);

	/* A fresh start forgets it all. */
	sim_lockdep_reset(w);
	ck_assert_uint_eq(sim_lockdep_predictions(w)->len, 0);
	ck_assert_clean(w, run_exec(w, &c, 1));
	ck_assert_uint_eq(sim_lockdep_predictions(w)->len, 0);
}
END_TEST

START_TEST(test_lockdep_verdict_does_not_depend_on_earlier_executions)
{
	g_autoptr(SimWorld) fresh = sim_world_new();
	g_autoptr(SimWorld) used = sim_world_new();
	Ctx c = { .prog = P_AB_THEN_BA };
	Ctx split = { .prog = P_SPLIT };
	g_autofree char *a = NULL, *b = NULL;

	/* The used world learned both orders before, in other executions. */
	ck_assert_clean(used, run_exec(used, &split, 0));
	ck_assert_clean(used, run_exec(used, &split, 1));
	ck_assert_uint_eq(sim_lockdep_predictions(used)->len, 1);

	ck_assert_int_eq(run_exec(fresh, &c, 5), SIM_END_BUG);
	ck_assert_int_eq(run_exec(used, &c, 5), SIM_END_BUG);
	a = report_text(fresh);
	b = report_text(used);
	ck_assert_str_eq(a, b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lockdep");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lockdep_abba_in_one_execution_is_the_verdict);
	tcase_add_test(tc, test_lockdep_records_edge_stacks_when_the_world_wants_them);
	tcase_add_test(tc, test_lockdep_consistent_order_is_quiet);
	tcase_add_test(tc, test_lockdep_three_lock_chain);
	tcase_add_test(tc, test_lockdep_spinlock_order);
	tcase_add_test(tc, test_lockdep_flush_of_work_taking_held_mutex);
	tcase_add_test(tc, test_lockdep_flush_deadlock_is_a_deadlock_with_a_lockdep_note);
	tcase_add_test(tc, test_lockdep_cross_execution_cycle_is_a_prediction);
	tcase_add_test(tc, test_lockdep_verdict_does_not_depend_on_earlier_executions);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
