// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the RTNL shim, <linux/rtnetlink.h> (sim/kapi/rtnl.c):
 * one "rtnl_mutex" per world that rtnl_lock/rtnl_trylock/rtnl_unlock take
 * and release through the mutex shim, rtnl_is_locked and ASSERT_RTNL, the
 * virtual-time cost of a failed trylock in process context, and the
 * detectors it inherits (bad unlock balance, recursive locking, a task
 * blocked on RTNL in a deadlock report), each with one execution that
 * triggers it and one that stays quiet. The lock must be free again at the
 * start of every execution and separate in every world.
 *
 * Tasks keep their observations in the test's context and the assertions
 * run after the execution.
 */
#include "sync-test.h"

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/rtnetlink.h>

typedef struct {
	struct completion never;
	int locked_inside, locked_after, held_inside;
	int try_results[2];
	int spins;
	SimTime got_at, released_at;
	bool done;
} Ctx;

static Ctx *ctx_new(void)
{
	return g_new0(Ctx, 1);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ctx, g_free)

/* ---------------------------------------------------------- lock, unlock -- */

static void lock_unlock_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	rtnl_lock();
	c->locked_inside = rtnl_is_locked();
	c->held_inside = lockdep_rtnl_is_held();
	ASSERT_RTNL();
	rtnl_unlock();
	c->locked_after = rtnl_is_locked();
}

START_TEST(test_rtnl_lock_unlock_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_clean(w, run_first(w, lock_unlock_init, c));
	ck_assert_int_eq(c->locked_inside, 1);
	ck_assert_int_eq(c->held_inside, 1);
	ck_assert_int_eq(c->locked_after, 0);
	ck_assert_int_eq(trace_count(w, SIM_TR_LOCK, "rtnl_mutex"), 1);
	ck_assert_int_eq(trace_count(w, SIM_TR_UNLOCK, "rtnl_mutex"), 1);
}
END_TEST

/* ------------------------------------------------------- bad unlock -- */

static void bad_unlock_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	rtnl_unlock();
	c->done = true;		/* not reached */
}

START_TEST(test_rtnl_bad_unlock_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;
	g_autofree char *at = NULL;

	ck_assert_int_eq(run_first(w, bad_unlock_init, c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_BAD_UNLOCK);
	ck_assert_str_eq(w->bug->func, "bad_unlock_init");
	ck_assert_str_eq(bug_title(w), "WARNING: bad unlock balance detected!");
	text = report_text(w);
	ck_assert_has_line(text,
		"modprobe/1 is trying to release lock (rtnl_mutex) at:");
	at = line_after(text,
		"modprobe/1 is trying to release lock (rtnl_mutex) at:");
	ck_assert_msg(g_str_has_prefix(at, " bad_unlock_init+0x"),
		      "call site line: \"%s\"", at);
	ck_assert(!c->done);
}
END_TEST

/* --------------------------------------------------------- recursion -- */

static void recursive_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	rtnl_lock();
	rtnl_lock();
	c->done = true;		/* not reached */
}

START_TEST(test_rtnl_recursive_lock_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;

	ck_assert_int_eq(run_first(w, recursive_init, c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_RECURSIVE_LOCK);
	text = report_text(w);
	ck_assert_msg(strstr(text, "(rtnl_mutex)"), "%s", text);
	ck_assert(!c->done);
}
END_TEST

/* --------------------------------------------------------- assertion -- */

static void assert_unlocked_init(SimWorld *w, void *arg)
{
	ASSERT_RTNL();
}

START_TEST(test_rtnl_assert_warns_when_nobody_holds_it)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;

	ck_assert_int_eq(run_first(w, assert_unlocked_init, c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_WARNING);
	text = report_text(w);
	ck_assert_msg(strstr(text, "RTNL: assertion failed at "), "%s", text);
}
END_TEST

/* ----------------------------------------------------- trylock, spin -- */

/* Holds RTNL across 5 ms of sleep, as a probe waiting for its host does. */
static void holder_task(void *arg)
{
	Ctx *c = arg;
	SimWorld *w = sim_current_world();

	rtnl_lock();
	msleep(5);
	c->released_at = sim_now(w);
	rtnl_unlock();
}

/* Retries the trylock at once, as netvsc_subchan_work requeues itself. */
static void spinner_task(void *arg)
{
	Ctx *c = arg;
	SimWorld *w = sim_current_world();

	for (;;) {
		int got = rtnl_trylock();

		if (c->spins < 2)
			c->try_results[c->spins] = got;
		if (got)
			break;
		c->spins++;
	}
	c->got_at = sim_now(w);
	rtnl_unlock();
}

static void spin_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	memset(c, 0, sizeof(*c));
	sim_task_create(w, "holder", SIM_CTX_PROCESS, 0, holder_task, c);
	sim_task_create(w, "spinner", SIM_CTX_PROCESS, 1, spinner_task, c);
}

START_TEST(test_rtnl_trylock_fails_while_held_and_spinner_lets_time_move)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	const SimTraceEvent *e;

	/* Without the spin cost this would end at the step limit: the clock
	 * could not reach the holder's wake-up. */
	ck_assert_clean(w, run_first(w, spin_init, c));
	ck_assert_int_eq(c->try_results[0], 0);
	ck_assert_int_gt(c->spins, 1000);	/* ~ one per microsecond */
	ck_assert_int_lt(c->spins, 10000);
	ck_assert_uint_eq(c->released_at, 5 * SIM_MSEC);
	/* rtnl_unlock() wakes the spinner at once: no extra microsecond. */
	ck_assert_uint_eq(c->got_at, c->released_at);
	e = trace_find(w, SIM_TR_TRYLOCK_FAIL, "rtnl_mutex");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(trace_count(w, SIM_TR_LOCK, "rtnl_mutex"), 2);
}
END_TEST

static void trylock_free_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->try_results[0] = rtnl_trylock();
	c->try_results[1] = rtnl_trylock();	/* the holder itself: fails */
	rtnl_unlock();
	c->got_at = sim_now(w);
}

START_TEST(test_rtnl_trylock_of_free_lock_succeeds)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_clean(w, run_first(w, trylock_free_init, c));
	ck_assert_int_eq(c->try_results[0], 1);
	ck_assert_int_eq(c->try_results[1], 0);
	ck_assert_int_eq(trace_count(w, SIM_TR_TRYLOCK_FAIL, "rtnl_mutex"), 1);
	/* The failed trylock of the holder costs its microsecond too. */
	ck_assert_uint_eq(c->got_at, SIM_USEC);
}
END_TEST

/* ---------------------------------------------------------- deadlock -- */

static void holder_forever_task(void *arg)
{
	Ctx *c = arg;

	rtnl_lock();
	wait_for_completion(&c->never);
}

static void waiter_task(void *arg)
{
	rtnl_lock();
	rtnl_unlock();
}

static void deadlock_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	init_completion(&c->never);
	sim_task_create(w, "holder", SIM_CTX_PROCESS, 0, holder_forever_task,
			c);
	sim_task_create(w, "waiter", SIM_CTX_PROCESS, 1, waiter_task, c);
}

START_TEST(test_rtnl_waiter_shows_in_deadlock_report)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;
	SimTask *waiter;

	ck_assert_int_eq(run_first(w, deadlock_init, c), SIM_END_BUG);
	ck_assert(w->bug->kind == SIM_BUG_DEADLOCK ||
		  w->bug->kind == SIM_BUG_HUNG_TASK);
	waiter = sim_task_by_id(w, 3);
	ck_assert_str_eq(waiter->name, "waiter");
	ck_assert_int_eq(waiter->state, SIM_TASK_BLOCKED);
	ck_assert_int_eq(waiter->wait_kind, SIM_WAIT_MUTEX);
	ck_assert_str_eq(waiter->wait_name, "rtnl_mutex");
	text = report_text(w);
	ck_assert_msg(strstr(text, "(rtnl_mutex){"), "%s", text);
	ck_assert_msg(strstr(text, "waiter:3 is blocked on a mutex likely "
				   "owned by task holder:2"), "%s", text);
}
END_TEST

/* ---------------------------------------- per execution and per world -- */

static void leave_locked_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	/* Ends the execution holding RTNL. */
	c->try_results[0] = rtnl_trylock();
}

START_TEST(test_rtnl_free_again_in_next_execution_and_other_world)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(SimWorld) w2 = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_clean(w, run_first(w, leave_locked_init, c));
	ck_assert_int_eq(c->try_results[0], 1);
	/* Another world meanwhile: its own lock, free. */
	c->try_results[0] = -1;
	ck_assert_clean(w2, run_first(w2, leave_locked_init, c));
	ck_assert_int_eq(c->try_results[0], 1);
	/* The next execution of the first world: free again. */
	c->try_results[0] = -1;
	ck_assert_clean(w, run_first(w, leave_locked_init, c));
	ck_assert_int_eq(c->try_results[0], 1);
}
END_TEST

static Suite *rtnl_suite(void)
{
	Suite *s = suite_create("rtnl");
	TCase *tc = tcase_create("rtnl");

	tcase_add_test(tc, test_rtnl_lock_unlock_quiet);
	tcase_add_test(tc, test_rtnl_bad_unlock_reported);
	tcase_add_test(tc, test_rtnl_recursive_lock_reported);
	tcase_add_test(tc, test_rtnl_assert_warns_when_nobody_holds_it);
	tcase_add_test(tc,
		test_rtnl_trylock_fails_while_held_and_spinner_lets_time_move);
	tcase_add_test(tc, test_rtnl_trylock_of_free_lock_succeeds);
	tcase_add_test(tc, test_rtnl_waiter_shows_in_deadlock_report);
	tcase_add_test(tc, test_rtnl_free_again_in_next_execution_and_other_world);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(rtnl_suite());
}
