// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests <linux/wait.h>: wait_event() sleeps until a wake_up()
 * finds its condition true (a spurious wake-up puts it back to sleep),
 * evaluates the condition only when the waiter runs, never blocks on a
 * condition already true, wakes every waiter of the head, and the
 * wait_event_timeout() return values and virtual-time behaviour.
 */
#include "sync-test.h"

#include <linux/wait.h>

typedef struct {
	wait_queue_head_t wq, other;
	int flag;
	int evals;
	GString *log;
	long ret[4];
	SimTime t0, t1;
	bool active;
} Ctx;

static Ctx *ctx_new(void)
{
	Ctx *c = g_new0(Ctx, 1);

	c->log = g_string_new(NULL);
	return c;
}

static void ctx_free(Ctx *c)
{
	g_string_free(c->log, TRUE);
	g_free(c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ctx, ctx_free)

static void init_ctx(Ctx *c)
{
	init_waitqueue_head(&c->wq);
	init_waitqueue_head(&c->other);
	c->flag = 0;
	c->evals = 0;
	c->active = false;
	g_string_truncate(c->log, 0);
	memset(c->ret, 0, sizeof(c->ret));
}

/* The condition, counting its evaluations. */
static bool flag_set(Ctx *c)
{
	c->evals++;
	return c->flag != 0;
}

static void waiter(void *arg)
{
	Ctx *c = arg;

	g_string_append(c->log, "w");
	wait_event(c->wq, flag_set(c));
	g_string_append(c->log, "W");
}

static void setter(void *arg)
{
	Ctx *c = arg;

	c->active = waitqueue_active(&c->wq);
	g_string_append(c->log, "s");
	wake_up(&c->wq);		/* spurious: the flag is still 0 */
	cpu_relax();			/* a decision point before setting it */
	g_string_append(c->log, "1");
	c->flag = 1;
	wake_up(&c->wq);
	g_string_append(c->log, "2");
}

static void wake_init(SimWorld *w, void *arg)
{
	init_ctx(arg);
	sim_task_create(w, "waiter", SIM_CTX_PROCESS, 0, waiter, arg);
	sim_task_create(w, "setter", SIM_CTX_PROCESS, 1, setter, arg);
}

START_TEST(test_wait_event_wakes_when_condition_becomes_true)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	const SimTraceEvent *ev;

	/* "first" strategy: the setter runs to its end before the waiter
	 * runs again, so the spurious wake-up is only seen as such if the
	 * waiter re-blocks; run it under random schedules too, below. */
	ck_assert_int_eq(run_first(w, wake_init, c), SIM_END_CLEAN);
	ck_assert_str_eq(c->log->str, "ws12W");
	ck_assert(c->active);
	ev = trace_find(w, SIM_TR_WAKE_UP, "&c->wq");
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->task, 3);
	ck_assert_uint_eq(ev->peer, 2);
	ck_assert_int_eq(ev->arg, 1);
	/* Once before blocking, once after the (merged) wake-ups. */
	ck_assert_int_eq(c->evals, 2);
}
END_TEST

START_TEST(test_wait_event_spurious_wakeup_sleeps_again)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	bool saw_spurious = false;
	uint64_t seed;

	for (seed = 1; seed <= 100; seed++) {
		ck_assert_int_eq(run_random(w, seed, wake_init, c), SIM_END_CLEAN);
		/* The waiter always ends, after the flag was set. */
		ck_assert_ptr_nonnull(strstr(c->log->str, "1"));
		ck_assert(strchr(c->log->str, 'W') > strchr(c->log->str, '1'));
		/* Woken by the first wake_up before the flag: it evaluated
		 * the condition a third time and slept again. */
		if (c->evals == 3)
			saw_spurious = true;
	}
	ck_assert(saw_spurious);
}
END_TEST

static void already_true_task(void *arg)
{
	Ctx *c = arg;

	c->flag = 1;
	wait_event(c->wq, flag_set(c));
	g_string_append(c->log, "done");
}

static void already_init(SimWorld *w, void *arg)
{
	init_ctx(arg);
	sim_task_create(w, "quick", SIM_CTX_PROCESS, 0, already_true_task, arg);
}

START_TEST(test_wait_event_true_condition_does_not_block)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_first(w, already_init, c), SIM_END_CLEAN);
	ck_assert_str_eq(c->log->str, "done");
	ck_assert_int_eq(c->evals, 1);
	ck_assert_int_eq(trace_count(w, SIM_TR_BLOCK, NULL), 0);
}
END_TEST

/* wake_up() on one head wakes all its waiters and nobody else. */
static void multi_waiter(void *arg)
{
	Ctx *c = arg;

	wait_event(c->wq, READ_ONCE(c->flag) != 0);
	g_string_append(c->log, "W");
}

static void other_waiter(void *arg)
{
	Ctx *c = arg;

	wait_event_timeout(c->other, READ_ONCE(c->flag) == 2, 1000);
	g_string_append(c->log, "O");
}

static void multi_setter(void *arg)
{
	Ctx *c = arg;

	c->flag = 1;
	wake_up_all(&c->wq);
	g_string_append(c->log, "S");
}

static void multi_init(SimWorld *w, void *arg)
{
	init_ctx(arg);
	sim_task_create(w, "w1", SIM_CTX_PROCESS, 0, multi_waiter, arg);
	sim_task_create(w, "w2", SIM_CTX_PROCESS, 1, multi_waiter, arg);
	sim_task_create(w, "o", SIM_CTX_PROCESS, 0, other_waiter, arg);
	sim_task_create(w, "set", SIM_CTX_PROCESS, 1, multi_setter, arg);
}

START_TEST(test_wait_wake_up_wakes_every_waiter_of_the_head)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_first(w, multi_init, c), SIM_END_CLEAN);
	/* The other head's waiter only leaves at its timeout, 1 s later. */
	ck_assert_str_eq(c->log->str, "SWWO");
	ck_assert_uint_eq(sim_now(w), SIM_SEC);
	ck_assert_int_eq(trace_find(w, SIM_TR_WAKE_UP, "&c->wq")->arg, 2);
}
END_TEST

/* ------------------------------------------------------------ timeouts -- */

static void timeout_task(void *arg)
{
	Ctx *c = arg;
	SimWorld *w = sim_current_world();

	c->t0 = sim_now(w);
	c->ret[0] = wait_event_timeout(c->wq, c->flag != 0, 30);
	c->t1 = sim_now(w);
	c->ret[1] = wait_event_timeout(c->wq, c->flag != 0, 0);
	c->flag = 1;
	c->ret[2] = wait_event_timeout(c->wq, c->flag != 0, 0);
	c->ret[3] = wait_event_timeout(c->wq, c->flag != 0, 25);
}

static void timeout_init(SimWorld *w, void *arg)
{
	init_ctx(arg);
	sim_task_create(w, "sleeper", SIM_CTX_PROCESS, 0, timeout_task, arg);
}

START_TEST(test_wait_event_timeout_return_values)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_first(w, timeout_init, c), SIM_END_CLEAN);
	ck_assert_int_eq(c->ret[0], 0);			/* false at the end */
	ck_assert_uint_eq(c->t1 - c->t0, 30 * SIM_MSEC);	/* exactly */
	ck_assert_int_eq(c->ret[1], 0);			/* zero timeout */
	ck_assert_int_eq(c->ret[2], 1);			/* true, no time */
	ck_assert_int_eq(c->ret[3], 25);		/* true at once */
}
END_TEST

static void early_waiter(void *arg)
{
	Ctx *c = arg;
	SimWorld *w = sim_current_world();

	c->t0 = sim_now(w);
	c->ret[0] = wait_event_timeout(c->wq, READ_ONCE(c->flag) != 0, 100);
	c->t1 = sim_now(w);
}

/* Sets the flag 40 ms in, using a timed-out wait on another head as a
 * timer. */
static void late_setter(void *arg)
{
	Ctx *c = arg;

	c->ret[1] = wait_event_timeout(c->other, false, 40);
	WRITE_ONCE(c->flag, 1);
	wake_up(&c->wq);
}

static void early_init(SimWorld *w, void *arg)
{
	init_ctx(arg);
	sim_task_create(w, "waiter", SIM_CTX_PROCESS, 0, early_waiter, arg);
	sim_task_create(w, "late", SIM_CTX_PROCESS, 1, late_setter, arg);
}

START_TEST(test_wait_event_timeout_woken_early_returns_jiffies_left)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_first(w, early_init, c), SIM_END_CLEAN);
	ck_assert_int_eq(c->ret[1], 0);
	ck_assert_int_eq(c->ret[0], 60);
	ck_assert_uint_eq(c->t1 - c->t0, 40 * SIM_MSEC);
}
END_TEST

static Suite *wait_suite(void)
{
	Suite *s = suite_create("wait");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_wait_event_wakes_when_condition_becomes_true);
	tcase_add_test(tc, test_wait_event_spurious_wakeup_sleeps_again);
	tcase_add_test(tc, test_wait_event_true_condition_does_not_block);
	tcase_add_test(tc, test_wait_wake_up_wakes_every_waiter_of_the_head);
	tcase_add_test(tc, test_wait_event_timeout_return_values);
	tcase_add_test(tc, test_wait_event_timeout_woken_early_returns_jiffies_left);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(wait_suite());
}
