// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests <linux/kthread.h>, the task states of <linux/sched.h> and
 * <linux/async.h>: kthread_run names and starts a task, kthread_create
 * waits for wake_up_process, kthread_stop stops a thread sleeping in
 * schedule() and returns its result (or -EINTR before it started); an
 * uninterruptible sleep nobody ends is a deadlock while an interruptible
 * one is idle; a wake-up between set_current_state() and schedule() is not
 * lost; async functions run in kworker tasks and async_synchronize_full
 * waits for all of them.
 */
#include "sync-test.h"

#include <errno.h>

#include <linux/async.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>

typedef struct {
	struct task_struct *k;
	int runs, loops, ret;
	bool flags[8];
	char comm[TASK_COMM_LEN];
	int pid;
	unsigned int state;
	SimTime t;
	uint32_t task_ids[4];
	int done;
} Ctx;

static void ctx_reset(Ctx *c)
{
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------- kthread_run -- */

static int named_thread(void *data)
{
	Ctx *c = data;

	g_strlcpy(c->comm, current->comm, sizeof(c->comm));
	c->pid = current->pid;
	c->flags[0] = (current->flags & PF_KTHREAD) != 0;
	c->runs++;
	return 7;
}

static void run_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->k = kthread_run(named_thread, c, "hv_balloon/%d", 3);
	c->flags[1] = !IS_ERR(c->k);
}

START_TEST(test_kthread_run_starts_a_named_task)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, run_init, &c));
	ck_assert(c.flags[0] && c.flags[1]);
	ck_assert_int_eq(c.runs, 1);
	ck_assert_str_eq(c.comm, "hv_balloon/3");
	ck_assert_int_eq(c.pid, 2);
	ck_assert_str_eq(sim_task_by_id(w, 2)->name, "hv_balloon/3");
}
END_TEST

/* ----------------------------------------------------- create and wake -- */

static void create_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->k = kthread_create(named_thread, c, "later");
	msleep(10);
	c->flags[2] = c->runs == 0;		/* not started by itself */
	wake_up_process(c->k);
	msleep(1);
	c->flags[3] = c->runs == 1;
}

START_TEST(test_kthread_create_waits_for_wake_up_process)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, create_init, &c));
	ck_assert(c.flags[2]);
	ck_assert(c.flags[3]);
}
END_TEST

/* ---------------------------------------------------------------- stop -- */

static int loop_thread(void *data)
{
	Ctx *c = data;

	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
		c->loops++;
	}
	return 42;
}

static void stop_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->k = kthread_run(loop_thread, c, "looper");
	msleep(5);
	/* An extra wake-up makes it go round once more. */
	wake_up_process(c->k);
	msleep(5);
	c->ret = kthread_stop(c->k);
	c->flags[0] = sim_task_by_id(w, 2)->state == SIM_TASK_DONE;
}

START_TEST(test_kthread_stop_wakes_and_returns_the_result)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, stop_init, &c));
	ck_assert_int_eq(c.ret, 42);
	ck_assert_int_eq(c.loops, 2);
	ck_assert(c.flags[0]);
}
END_TEST

static void stop_early_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->k = kthread_create(named_thread, c, "never");
	c->ret = kthread_stop(c->k);
}

START_TEST(test_kthread_stop_before_start_returns_eintr)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, stop_early_init, &c));
	ck_assert_int_eq(c.ret, -EINTR);
	ck_assert_int_eq(c.runs, 0);
}
END_TEST

/* ------------------------------------------------------------ states -- */

static int sleeper_thread(void *data)
{
	Ctx *c = data;

	set_current_state(c->state);
	schedule();
	c->runs++;
	return 0;
}

static void sleep_state_init(SimWorld *w, void *arg)
{
	kthread_run(sleeper_thread, arg, "sleeper");
}

START_TEST(test_kthread_uninterruptible_sleep_nobody_ends_is_a_deadlock)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	c.state = TASK_UNINTERRUPTIBLE;
	ck_assert_int_eq(run_first(w, sleep_state_init, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert_str_eq(w->bug->func, "sleeper_thread");
}
END_TEST

START_TEST(test_kthread_interruptible_sleep_is_idle)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	c.state = TASK_INTERRUPTIBLE;
	ck_assert_clean(w, run_first(w, sleep_state_init, &c));
	ck_assert_int_eq(c.runs, 0);
	ck_assert_int_eq(sim_task_by_id(w, 2)->state, SIM_TASK_IDLE);
}
END_TEST

/* A wake-up between set_current_state() and schedule() is not lost. */
static int early_wake_thread(void *data)
{
	Ctx *c = data;

	set_current_state(TASK_UNINTERRUPTIBLE);
	c->flags[0] = true;
	cond_resched();			/* a scheduling point before schedule() */
	schedule();
	c->runs++;
	return 0;
}

static void early_wake_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->k = kthread_run(early_wake_thread, c, "early");
	while (!c->flags[0])
		cond_resched();
	wake_up_process(c->k);
}

START_TEST(test_kthread_wake_before_schedule_is_not_lost)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;
	uint64_t seed;

	for (seed = 1; seed <= 50; seed++) {
		ctx_reset(&c);
		ck_assert_clean(w, run_random(w, seed, early_wake_init, &c));
		ck_assert_int_eq(c.runs, 1);
	}
}
END_TEST

static void timeout_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->ret = schedule_timeout_uninterruptible(msecs_to_jiffies(25));
	c->t = sim_now(w);
	c->flags[0] = schedule_timeout(5) == 5;	/* TASK_RUNNING: at once */
}

START_TEST(test_kthread_schedule_timeout_sleeps_the_timeout)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, timeout_init, &c));
	ck_assert_int_eq(c.ret, 0);
	ck_assert_uint_eq(c.t, 25 * SIM_MSEC);
	ck_assert(c.flags[0]);
}
END_TEST

/* --------------------------------------------------------------- async -- */

static void async_fn(void *data, async_cookie_t cookie)
{
	Ctx *c = data;

	c->task_ids[cookie - 1] = sim_current()->id;
	c->flags[cookie] = strcmp(sim_current()->wq_name, "events_unbound") == 0 &&
			   strcmp(sim_current()->work_func,
				  "async_run_entry_fn") == 0;
	msleep(10 * cookie);
	c->done++;
}

static void async_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->ret = (int)async_schedule(async_fn, c);
	async_schedule(async_fn, c);
	async_schedule(async_fn, c);
	async_synchronize_full();
	c->t = sim_now(w);
	c->flags[0] = c->done == 3;
}

START_TEST(test_kthread_async_runs_in_workers_and_synchronizes)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, async_init, &c));
	ck_assert_int_eq(c.ret, 1);
	ck_assert(c.flags[0] && c.flags[1] && c.flags[2] && c.flags[3]);
	/* Three workers at once: the longest (30 ms) bounds the wait. */
	ck_assert_uint_eq(c.t, 30 * SIM_MSEC);
	ck_assert_uint_ne(c.task_ids[0], 1);
	ck_assert_uint_ne(c.task_ids[0], c.task_ids[1]);
	ck_assert_str_eq(sim_task_by_id(w, c.task_ids[0])->name, "kworker/u4:1");
	ck_assert_int_eq(trace_count(w, SIM_TR_QUEUE_WORK, "async_fn"), 3);
}
END_TEST

static Suite *kthread_suite(void)
{
	Suite *s = suite_create("kthread");
	TCase *tc = tcase_create("kthread");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_kthread_run_starts_a_named_task);
	tcase_add_test(tc, test_kthread_create_waits_for_wake_up_process);
	tcase_add_test(tc, test_kthread_stop_wakes_and_returns_the_result);
	tcase_add_test(tc, test_kthread_stop_before_start_returns_eintr);
	tcase_add_test(tc, test_kthread_uninterruptible_sleep_nobody_ends_is_a_deadlock);
	tcase_add_test(tc, test_kthread_interruptible_sleep_is_idle);
	tcase_add_test(tc, test_kthread_wake_before_schedule_is_not_lost);
	tcase_add_test(tc, test_kthread_schedule_timeout_sleeps_the_timeout);
	tcase_add_test(tc, test_kthread_async_runs_in_workers_and_synchronizes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(kthread_suite());
}
