// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the liveness detectors (sim/liveness.c) through the
 * shim: the wait-for cycle of a lock deadlock, a completion whose only
 * signaller is blocked (with and without evidence that it signals it), a
 * polling loop that can never end (a livelock, reported as a deadlock
 * without waiting for the step limit) and one that ends, a flush of a work
 * item queued behind a blocked worker, a lock cycle found when the hung
 * task fires while time still moves, and a poller with nobody blocked
 * (left to the time limit). Each detector has a case that triggers it and
 * one that stays quiet.
 */
#include "kapi/sync-test.h"

#include <linux/compiler.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "sim/liveness.h"

typedef struct {
	struct mutex m, m2;
	struct completion c, d;
	struct workqueue_struct *wq;
	struct work_struct a, b;
	wait_queue_head_t wqh;
	int flag;
	unsigned int setter_delay_ms;	/* 0: nobody sets the flag */
	bool signal_first;
} Ctx;

static char *run_text(SimWorld *w, SimEnd *end, SimInitFn init, Ctx *c)
{
	*end = run_first(w, init, c);
	return report_text(w);
}

#define ck_assert_no_line_prefix(text, prefix)				\
	ck_assert_msg(!strstr((text), (prefix)),			\
		      "unexpected \"%s\" in:\n%s", (prefix), (text))

/* ------------------------------------------------------------ lock cycle -- */

static void abba_a(void *arg)
{
	Ctx *c = arg;

	mutex_lock(&c->m);
	msleep(1);
	mutex_lock(&c->m2);
	mutex_unlock(&c->m2);
	mutex_unlock(&c->m);
}

static void abba_b(void *arg)
{
	Ctx *c = arg;

	mutex_lock(&c->m2);
	msleep(1);
	mutex_lock(&c->m);
	mutex_unlock(&c->m);
	mutex_unlock(&c->m2);
}

static void init_abba(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	mutex_init(&c->m);
	mutex_init(&c->m2);
	sim_task_create(w, "a", SIM_CTX_PROCESS, 0, abba_a, c);
	sim_task_create(w, "b", SIM_CTX_PROCESS, 1, abba_b, c);
}

START_TEST(test_liveness_lock_cycle_names_every_edge)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	SimEnd end;
	g_autofree char *text = run_text(w, &end, init_abba, &c);

	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert_str_eq(w->bug->title,
			 "INFO: task a:2 blocked for more than 120 seconds.");
	ck_assert_has_line(text, "INFO: task a:2 is blocked on a mutex likely "
			   "owned by task b:3.");
	ck_assert_has_line(text, "INFO: task b:3 is blocked on a mutex likely "
			   "owned by task a:2.");
	ck_assert_has_line(text, "Showing all locks held in the system:");
	ck_assert_has_line(text, "=============================================");
	ck_assert_has_line(text, "hvsim: deadlock: no task can run and no "
			   "event is pending");
	ck_assert_has_line(text, "hvsim: wait-for cycle:");
	ck_assert_has_line(text, "hvsim:   a/2 -> mutex &c->m2 -> b/3 (its owner)");
	ck_assert_has_line(text, "hvsim:   b/3 -> mutex &c->m -> a/2 (its owner)");
	/* Locks only: nothing was assumed. */
	ck_assert_no_line_prefix(text, "hvsim: assumed edges");
	/* The hung-task clock: 120 s after the first wait. */
	ck_assert_uint_eq(sim_now(w), SIM_HUNG_TASK_TIMEOUT + SIM_MSEC);
}
END_TEST

/* --------------------------------------- completion with a blocked signaller -- */

static void waiter_a(void *arg)
{
	Ctx *c = arg;

	if (c->signal_first)
		wait_for_completion(&c->c);	/* b's first complete() */
	mutex_lock(&c->m);
	wait_for_completion(&c->c);		/* only b could complete it */
	mutex_unlock(&c->m);
}

static void signaller_b(void *arg)
{
	Ctx *c = arg;

	if (c->signal_first)
		complete(&c->c);
	msleep(1);
	mutex_lock(&c->m);
	mutex_unlock(&c->m);
	complete(&c->c);
}

static void init_signaller(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	mutex_init(&c->m);
	init_completion(&c->c);
	sim_task_create(w, "a", SIM_CTX_PROCESS, 0, waiter_a, c);
	sim_task_create(w, "b", SIM_CTX_PROCESS, 1, signaller_b, c);
}

START_TEST(test_liveness_completion_signaller_blocked_is_a_cycle)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .signal_first = true };
	SimEnd end;
	g_autofree char *text = run_text(w, &end, init_signaller, &c);

	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert_has_line(text, "INFO: task a:2 is waiting on a completion "
			   "that no runnable thread can complete.");
	ck_assert_has_line(text, "hvsim: wait-for cycle:");
	/* b completed &c->c before: evidence, not an assumption. */
	ck_assert_has_line(text, "hvsim:   a/2 -> completion &c->c -> b/3 "
			   "(signalled it before)");
	ck_assert_has_line(text, "hvsim:   b/3 -> mutex &c->m -> a/2 (its owner)");
	ck_assert_no_line_prefix(text, "hvsim: assumed edges");
}
END_TEST

START_TEST(test_liveness_completion_without_evidence_is_assumed)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .signal_first = false };
	SimEnd end;
	g_autofree char *text = run_text(w, &end, init_signaller, &c);

	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert_has_line(text, "hvsim:   a/2 -> completion &c->c -> b/3 "
			   "(assumed: could signal it)");
	ck_assert_has_line(text, "hvsim:   b/3 -> mutex &c->m -> a/2 (its owner)");
	ck_assert(strstr(text, "hvsim: assumed edges: the kernel cannot know"));
}
END_TEST

static void lone_waiter(void *arg)
{
	Ctx *c = arg;

	wait_for_completion(&c->c);
}

static void init_lone(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	init_completion(&c->c);
	sim_task_create(w, "lone", SIM_CTX_PROCESS, 0, lone_waiter, c);
}

START_TEST(test_liveness_no_signaller_is_a_chain_not_a_cycle)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	SimEnd end;
	g_autofree char *text = run_text(w, &end, init_lone, &c);

	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert_has_line(text, "hvsim: wait-for chain (no cycle):");
	ck_assert_has_line(text, "hvsim:   lone/2 -> completion &c->c -> no "
			   "task can signal it");
	ck_assert_no_line_prefix(text, "hvsim: wait-for cycle:");
}
END_TEST

/* Quiet: the signaller is not stuck, the waiter gets its completion. */
static void init_signalled(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	mutex_init(&c->m);
	init_completion(&c->c);
	sim_task_create(w, "b", SIM_CTX_PROCESS, 1, signaller_b, c);
	sim_task_create(w, "lone", SIM_CTX_PROCESS, 0, lone_waiter, c);
}

START_TEST(test_liveness_completion_signalled_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .signal_first = false };

	ck_assert_clean(w, run_first(w, init_signalled, &c));
}
END_TEST

/* --------------------------------------------------------- polling loops -- */

/* Sets the flag only once its completion comes: never, here. */
static void blocked_setter(void *arg)
{
	Ctx *c = arg;

	wait_for_completion(&c->c);
	WRITE_ONCE(c->flag, 1);
}

static void poller(void *arg)
{
	Ctx *c = arg;

	while (!READ_ONCE(c->flag))
		msleep(1);
	complete(&c->d);
}

static void late_setter(void *arg)
{
	Ctx *c = arg;

	msleep(c->setter_delay_ms);
	WRITE_ONCE(c->flag, 1);
	complete(&c->c);
}

static void init_poll(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	init_completion(&c->c);
	init_completion(&c->d);
	c->flag = 0;
	sim_task_create(w, "setter", SIM_CTX_PROCESS, 0, blocked_setter, c);
	sim_task_create(w, "poller", SIM_CTX_PROCESS, 1, poller, c);
	if (c->setter_delay_ms)
		sim_task_create(w, "late", SIM_CTX_PROCESS, 0, late_setter, c);
}

START_TEST(test_liveness_polling_livelock_is_a_deadlock)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	SimEnd end;
	g_autofree char *text = run_text(w, &end, init_poll, &c);

	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert_str_eq(w->bug->title,
			 "INFO: task setter:2 blocked for more than 120 seconds.");
	ck_assert(strstr(text, "\nhvsim: livelock: every task is blocked or "
			 "polling and only the pollers' own wake-ups are "
			 "pending; no progress seen since 0.000000s\n"));
	ck_assert_has_line(text, "hvsim: poller/3 polls poller (msleep) every "
			   "1 ms since 0.000000s");
	ck_assert_has_line(text, "hvsim: wait-for cycle:");
	ck_assert_has_line(text, "hvsim:   setter/2 -> completion &c->c -> "
			   "poller/3 (assumed: could signal it)");
	ck_assert_has_line(text, "hvsim:   poller/3 -> polled condition in "
			   "poller -> setter/2 (assumed: could end the poll)");
	ck_assert(strstr(text, "hvsim: assumed edges:"));
	/* Found after the window, long before the step limit. */
	ck_assert_uint_lt(w->steps, 100000);
	ck_assert_uint_eq(sim_now(w), SIM_HUNG_TASK_TIMEOUT);
}
END_TEST

START_TEST(test_liveness_poll_that_ends_is_quiet)
{
	/* 5 s and 30 s: within and beyond the 10 s window, since the
	 * sleeping setter is not polling. */
	unsigned int delays[] = { 5000, 30000 };
	unsigned int i;

	for (i = 0; i < G_N_ELEMENTS(delays); i++) {
		g_autoptr(SimWorld) w = sim_world_new();
		Ctx c = { .setter_delay_ms = delays[i] };

		ck_assert_clean(w, run_first(w, init_poll, &c));
		ck_assert_uint_ge(sim_now(w), (SimTime)delays[i] * SIM_MSEC);
	}
}
END_TEST

static void init_lone_poller(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->flag = 0;
	init_completion(&c->d);
	sim_task_create(w, "poller", SIM_CTX_PROCESS, 1, poller, c);
}

START_TEST(test_liveness_poller_with_nobody_blocked_is_not_a_deadlock)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };

	/* A periodic kthread looks the same: left to the time limit. */
	w->limits.max_time = 30 * SIM_SEC;
	ck_assert_int_eq(run_first(w, init_lone_poller, &c), SIM_END_TIME_LIMIT);
	ck_assert_ptr_null(w->bug);
}
END_TEST

START_TEST(test_liveness_poll_window_is_configurable)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };

	sim_liveness_set_poll_window(w, 100 * SIM_MSEC, 0);
	ck_assert_int_eq(run_first(w, init_poll, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	/* ~100 polls instead of ~10000. */
	ck_assert_uint_lt(w->steps, 2000);
}
END_TEST

/* ---------------------------------------- queued behind a blocked worker -- */

static void item_a(struct work_struct *work)
{
	Ctx *c = container_of(work, Ctx, a);

	wait_for_completion(&c->c);
}

static void item_b(struct work_struct *work)
{
}

static void flusher(void *arg)
{
	Ctx *c = arg;

	queue_work(c->wq, &c->a);
	queue_work(c->wq, &c->b);
	flush_work(&c->b);
	complete(&c->c);
}

static void init_queue(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	init_completion(&c->c);
	c->wq = alloc_ordered_workqueue("test_wq", 0);
	INIT_WORK(&c->a, item_a);
	INIT_WORK(&c->b, item_b);
	sim_task_create(w, "flusher", SIM_CTX_PROCESS, 0, flusher, c);
}

START_TEST(test_liveness_work_queued_behind_blocked_worker)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	SimEnd end;
	g_autofree char *text = run_text(w, &end, init_queue, &c);

	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert_has_line(text, "hvsim: wait-for cycle:");
	ck_assert_has_line(text, "hvsim:   flusher/2 -> flush of "
			   "(work_completion)(&c->b) -> work item_b (still queued)");
	ck_assert_has_line(text, "hvsim:   work item_b -> workqueue test_wq -> "
			   "kworker/u4:1/3 (queued behind a blocked worker)");
	ck_assert_has_line(text, "hvsim:   kworker/u4:1/3 -> completion &c->c -> "
			   "flusher/2 (assumed: could signal it)");
	/* The worker's pseudo-locks, as the kernel lists them. */
	ck_assert(strstr(text, "((wq_completion)test_wq){+.+.}-{0:0}, at: "
			 "process_one_work"));
	ck_assert(strstr(text, "((work_completion)(&c->a)){+.+.}-{0:0}, at: "
			 "process_one_work"));
}
END_TEST

/*
 * The multi-NIC shape: the holder of a global mutex waits on a wait queue
 * that only an item queued behind a worker would wake, and that worker
 * waits for the mutex.
 */
static void item_takes_m(struct work_struct *work)
{
	Ctx *c = container_of(work, Ctx, a);

	mutex_lock(&c->m);
	mutex_unlock(&c->m);
}

static void item_wakes(struct work_struct *work)
{
	Ctx *c = container_of(work, Ctx, b);

	WRITE_ONCE(c->flag, 1);
	wake_up(&c->wqh);
}

static void holder(void *arg)
{
	Ctx *c = arg;

	mutex_lock(&c->m);
	queue_work(c->wq, &c->a);
	queue_work(c->wq, &c->b);
	wait_event(c->wqh, READ_ONCE(c->flag));
	mutex_unlock(&c->m);
}

static void init_holder(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	mutex_init(&c->m);
	init_waitqueue_head(&c->wqh);
	c->flag = 0;
	c->wq = alloc_ordered_workqueue("con", 0);
	INIT_WORK(&c->a, item_takes_m);
	INIT_WORK(&c->b, item_wakes);
	sim_task_create(w, "holder", SIM_CTX_PROCESS, 0, holder, c);
}

START_TEST(test_liveness_cycle_goes_through_the_queue)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	SimEnd end;
	g_autofree char *text = run_text(w, &end, init_holder, &c);

	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	/* The queued item, not the worker itself, is the assumed waker:
	 * the cycle names the mutex, the wait queue and the workqueue. */
	ck_assert_has_line(text, "hvsim:   holder/2 -> wait queue &c->wqh -> "
			   "work item_wakes (assumed: could signal it once it "
			   "runs)");
	ck_assert_has_line(text, "hvsim:   work item_wakes -> workqueue con -> "
			   "kworker/u4:1/3 (queued behind a blocked worker)");
	ck_assert_has_line(text, "hvsim:   kworker/u4:1/3 -> mutex &c->m -> "
			   "holder/2 (its owner)");
}
END_TEST

/* ----------------------------------------------- hung task vs. the cycle -- */

static void tick(SimWorld *w, void *arg, uint64_t n)
{
	/* A host that keeps sending something every second: time moves. */
	if (n < 1000)
		sim_event_after(w, SIM_SEC, tick, arg, n + 1);
}

static void init_abba_ticking(SimWorld *w, void *arg)
{
	sim_event_after(w, SIM_SEC, tick, NULL, 0);
	init_abba(w, arg);
}

START_TEST(test_liveness_hung_task_prefers_a_sure_cycle)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	SimEnd end;
	g_autofree char *text = run_text(w, &end, init_abba_ticking, &c);

	/* Time moves, so only the hung-task detector can see it, at 120 s;
	 * the lock cycle makes it a deadlock. */
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert_uint_gt(sim_now(w), SIM_HUNG_TASK_TIMEOUT);
	ck_assert_has_line(text, "hvsim: deadlock: time still moves, but the "
			   "tasks of the cycle below wait for each other");
	ck_assert_has_line(text, "hvsim:   a/2 -> mutex &c->m2 -> b/3 (its owner)");
}
END_TEST

static void init_lone_ticking(SimWorld *w, void *arg)
{
	sim_event_after(w, SIM_SEC, tick, NULL, 0);
	init_lone(w, arg);
}

START_TEST(test_liveness_hung_task_without_cycle_stays_hung_task)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	SimEnd end;
	g_autofree char *text = run_text(w, &end, init_lone_ticking, &c);

	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_HUNG_TASK);
	ck_assert_str_eq(w->bug->title,
			 "INFO: task lone:2 blocked for more than 120 seconds.");
	ck_assert_uint_gt(sim_now(w), SIM_HUNG_TASK_TIMEOUT);
	ck_assert_uint_le(sim_now(w), SIM_HUNG_TASK_TIMEOUT + SIM_SEC);
	ck_assert_has_line(text, "\"echo 0 > /proc/sys/kernel/"
			   "hung_task_timeout_secs\" disables this message.");
	ck_assert_has_line(text, "hvsim:   lone/2 -> completion &c->c -> no "
			   "task can signal it");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("liveness");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_liveness_lock_cycle_names_every_edge);
	tcase_add_test(tc, test_liveness_completion_signaller_blocked_is_a_cycle);
	tcase_add_test(tc, test_liveness_completion_without_evidence_is_assumed);
	tcase_add_test(tc, test_liveness_no_signaller_is_a_chain_not_a_cycle);
	tcase_add_test(tc, test_liveness_completion_signalled_is_quiet);
	tcase_add_test(tc, test_liveness_polling_livelock_is_a_deadlock);
	tcase_add_test(tc, test_liveness_poll_that_ends_is_quiet);
	tcase_add_test(tc, test_liveness_poller_with_nobody_blocked_is_not_a_deadlock);
	tcase_add_test(tc, test_liveness_poll_window_is_configurable);
	tcase_add_test(tc, test_liveness_work_queued_behind_blocked_worker);
	tcase_add_test(tc, test_liveness_cycle_goes_through_the_queue);
	tcase_add_test(tc, test_liveness_hung_task_prefers_a_sure_cycle);
	tcase_add_test(tc, test_liveness_hung_task_without_cycle_stays_hung_task);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
