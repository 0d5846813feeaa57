// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests <linux/workqueue.h>: FIFO order and mutual exclusion on a
 * per-CPU max_active 1 queue over many random schedules (and that an
 * unbound max_active 4 queue does run items at once, so the check can
 * fail); concurrency management on system_wq; flush_work, flush_workqueue
 * (only earlier items), queue_work on a pending item, cancel, delayed
 * work, self-requeueing, the kworker names and "Workqueue:" report line,
 * and destroy_workqueue.
 */
#include "sync-test.h"

#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#define NITEMS	8

typedef struct Ctx Ctx;

typedef struct {
	struct work_struct work;
	int idx;
	Ctx *c;
} Item;

struct Ctx {
	struct workqueue_struct *wq;
	Item items[NITEMS];
	struct delayed_work dwork;
	struct completion done;
	atomic_t ticks;
	int running, max_running;
	int qlog[NITEMS], nq;
	int rlog[NITEMS], nr;
	int runs;
	bool flag, ret[4];
	SimTime t[4];
	char comm[TASK_COMM_LEN];
	const char *wq_name, *work_func;
	unsigned int flags;
	int max_active;
	SimTask *worker;
};

static void ctx_reset(Ctx *c)
{
	memset(c, 0, sizeof(*c));
}

static SimWorld *world(void)
{
	return sim_current_world();
}

/* ------------------------------------------------- order and exclusion -- */

static void item_fn(struct work_struct *work)
{
	Item *it = container_of(work, Item, work);
	Ctx *c = it->c;

	c->running++;
	if (c->running > c->max_running)
		c->max_running = c->running;
	c->rlog[c->nr++] = it->idx;
	/* Scheduling points inside the item. */
	atomic_inc(&c->ticks);
	cond_resched();
	atomic_inc(&c->ticks);
	c->running--;
}

static void producer(void *arg)
{
	Ctx *c = arg;
	int start = sim_current()->id % 2 ? 0 : NITEMS / 2;
	int i;

	for (i = start; i < start + NITEMS / 2; i++) {
		/* Logged right before the queueing, with no scheduling
		 * point in between: the log is the queue order. */
		c->qlog[c->nq++] = i;
		queue_work_on(0, c->wq, &c->items[i].work);
	}
}

static void order_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	int i;

	c->wq = c->flags == ~0u ? create_workqueue("hv_vmbus_con") :
		alloc_workqueue("test_wq", c->flags, c->max_active);
	for (i = 0; i < NITEMS; i++) {
		INIT_WORK(&c->items[i].work, item_fn);
		c->items[i].idx = i;
		c->items[i].c = c;
	}
	sim_task_create(w, "producer", SIM_CTX_PROCESS, 0, producer, c);
	sim_task_create(w, "producer", SIM_CTX_PROCESS, 1, producer, c);
}

START_TEST(test_workqueue_percpu_max_active_1_runs_in_order)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;
	uint64_t seed;

	for (seed = 1; seed <= 300; seed++) {
		ctx_reset(&c);
		c.flags = ~0u;	/* create_workqueue() */
		ck_assert_clean(w, run_random(w, seed, order_init, &c));
		ck_assert_int_eq(c.nr, NITEMS);
		ck_assert_int_eq(c.max_running, 1);
		/* modprobe, two producers and a single worker. */
		ck_assert_uint_eq(sim_task_count(w), 4);
		ck_assert_msg(memcmp(c.qlog, c.rlog, sizeof(c.qlog)) == 0,
			      "seed %" G_GUINT64_FORMAT ": run order differs "
			      "from queue order", seed);
	}
}
END_TEST

/* The same check fails on a queue that allows several items at once. */
START_TEST(test_workqueue_unbound_max_active_4_runs_items_at_once)
{
	g_autoptr(SimWorld) w = sim_world_new();
	int most = 0;
	Ctx c;
	uint64_t seed;

	for (seed = 1; seed <= 100; seed++) {
		ctx_reset(&c);
		c.flags = WQ_UNBOUND;
		c.max_active = 4;
		ck_assert_clean(w, run_random(w, seed, order_init, &c));
		ck_assert_int_eq(c.nr, NITEMS);
		ck_assert_int_le(c.max_running, 4);
		most = MAX(most, c.max_running);
	}
	ck_assert_int_gt(most, 1);
}
END_TEST

/* ------------------------------------------------------------ system_wq -- */

static void sleeper_fn(struct work_struct *work)
{
	Ctx *c = container_of(work, Item, work)->c;

	/* Sleeps until the next item has run. */
	wait_for_completion(&c->done);
	c->flag = true;
}

static void waker_fn(struct work_struct *work)
{
	Ctx *c = container_of(work, Item, work)->c;

	complete(&c->done);
}

static void cm_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	init_completion(&c->done);
	INIT_WORK(&c->items[0].work, sleeper_fn);
	INIT_WORK(&c->items[1].work, waker_fn);
	c->items[0].c = c->items[1].c = c;
	if (c->max_active) {
		c->wq = alloc_ordered_workqueue("ordered", 0);
		queue_work(c->wq, &c->items[0].work);
		queue_work(c->wq, &c->items[1].work);
	} else {
		schedule_work(&c->items[0].work);
		schedule_work(&c->items[1].work);
	}
}

START_TEST(test_workqueue_system_wq_runs_next_item_while_first_sleeps)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, cm_init, &c));
	ck_assert(c.flag);
	/* Two workers of CPU 0's pool ran them. */
	ck_assert_str_eq(sim_task_by_id(w, 2)->name, "kworker/0:1");
	ck_assert_str_eq(sim_task_by_id(w, 3)->name, "kworker/0:2");
}
END_TEST

/* On an ordered queue the second item waits behind the sleeping first:
 * the engine reports the deadlock. */
START_TEST(test_workqueue_ordered_queue_blocks_behind_sleeping_item)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	c.max_active = 1;
	ck_assert_int_eq(run_first(w, cm_init, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert(!c.flag);
}
END_TEST

/* ---------------------------------------------------------------- flush -- */

static void slow_fn(struct work_struct *work)
{
	Item *it = container_of(work, Item, work);

	msleep(5 + 5 * it->idx);
	it->c->runs++;
}

static void flush_work_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	INIT_WORK(&c->items[0].work, slow_fn);
	c->items[0].c = c;
	c->ret[0] = flush_work(&c->items[0].work);	/* idle: false */
	schedule_work(&c->items[0].work);
	c->ret[1] = flush_work(&c->items[0].work);
	c->t[0] = sim_now(w);
	c->flag = c->runs == 1;
}

START_TEST(test_workqueue_flush_work_waits_for_the_item)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, flush_work_init, &c));
	ck_assert(!c.ret[0]);
	ck_assert(c.ret[1]);
	ck_assert(c.flag);
	ck_assert_uint_eq(c.t[0], 5 * SIM_MSEC);
	ck_assert_int_ge(trace_count(w, SIM_TR_FLUSH,
				     "(work_completion)(&c->items[0].work)"), 2);
}
END_TEST

static void late_queuer(void *arg)
{
	Ctx *c = arg;

	msleep(1);
	queue_work(c->wq, &c->items[1].work);	/* after the flush began */
}

static void flusher(void *arg)
{
	Ctx *c = arg;

	flush_workqueue(c->wq);
	c->t[0] = sim_now(world());
	c->ret[0] = c->runs == 1;
}

static void flush_wq_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	int i;

	c->wq = alloc_workqueue("flushme", WQ_UNBOUND, 4);
	for (i = 0; i < 2; i++) {
		INIT_WORK(&c->items[i].work, slow_fn);
		c->items[i].idx = i ? 20 : 1;	/* 10 ms, then 105 ms */
		c->items[i].c = c;
	}
	queue_work(c->wq, &c->items[0].work);
	sim_task_create(w, "flusher", SIM_CTX_PROCESS, 0, flusher, c);
	sim_task_create(w, "late", SIM_CTX_PROCESS, 1, late_queuer, c);
}

START_TEST(test_workqueue_flush_workqueue_waits_only_for_earlier_items)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, flush_wq_init, &c));
	ck_assert_uint_eq(c.t[0], 10 * SIM_MSEC);	/* not 106 ms */
	ck_assert(c.ret[0]);
	ck_assert_int_eq(c.runs, 2);
	ck_assert_uint_eq(sim_now(w), 106 * SIM_MSEC);
}
END_TEST

/* ------------------------------------------------------------- pending -- */

static void count_fn(struct work_struct *work)
{
	container_of(work, Item, work)->c->runs++;
}

static void pending_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->wq = create_singlethread_workqueue("single");
	INIT_WORK(&c->items[0].work, count_fn);
	c->items[0].c = c;
	c->ret[0] = queue_work(c->wq, &c->items[0].work);
	c->flag = work_pending(&c->items[0].work);
	c->ret[1] = queue_work(c->wq, &c->items[0].work);
	flush_workqueue(c->wq);
	c->ret[2] = queue_work(c->wq, &c->items[0].work);
	flush_workqueue(c->wq);
	destroy_workqueue(c->wq);
}

START_TEST(test_workqueue_queue_work_on_pending_item_returns_false)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, pending_init, &c));
	ck_assert(c.ret[0]);
	ck_assert(c.flag);
	ck_assert(!c.ret[1]);
	ck_assert(c.ret[2]);
	ck_assert_int_eq(c.runs, 2);
	/* Queued twice, refused once: three queue-work events. */
	ck_assert_int_eq(trace_count(w, SIM_TR_QUEUE_WORK, "count_fn"), 3);
	ck_assert_int_eq(trace_count(w, SIM_TR_WORK_START, "count_fn"), 2);
}
END_TEST

/* A work item may requeue itself: PENDING is clear when it runs. */
static void requeue_fn(struct work_struct *work)
{
	Ctx *c = container_of(work, Item, work)->c;

	if (++c->runs < 4)
		c->ret[c->runs - 1] = queue_work(c->wq, work);
}

static void requeue_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->wq = create_workqueue("requeue");
	INIT_WORK(&c->items[0].work, requeue_fn);
	c->items[0].c = c;
	queue_work(c->wq, &c->items[0].work);
}

START_TEST(test_workqueue_item_may_requeue_itself)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, requeue_init, &c));
	ck_assert_int_eq(c.runs, 4);
	ck_assert(c.ret[0] && c.ret[1] && c.ret[2]);
}
END_TEST

/* ------------------------------------------------------------- cancel -- */

static void cancel_running(void *arg)
{
	Ctx *c = arg;

	msleep(1);		/* the item is running (sleeping) now */
	c->ret[1] = cancel_work_sync(&c->items[1].work);
	c->t[0] = sim_now(world());
	c->flag = c->runs == 1;
}

static void cancel_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->wq = alloc_workqueue("cancel", WQ_UNBOUND, 2);
	INIT_WORK(&c->items[0].work, count_fn);
	INIT_WORK(&c->items[1].work, slow_fn);
	c->items[0].c = c->items[1].c = c;
	c->items[1].idx = 1;		/* 10 ms */
	/* Cancelled before it ran: never runs. */
	queue_work(c->wq, &c->items[0].work);
	c->ret[0] = cancel_work(&c->items[0].work);
	c->ret[2] = cancel_work(&c->items[0].work);	/* not pending */
	queue_work(c->wq, &c->items[1].work);
	sim_task_create(w, "canceller", SIM_CTX_PROCESS, 1, cancel_running, c);
}

START_TEST(test_workqueue_cancel_dequeues_or_waits)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, cancel_init, &c));
	ck_assert(c.ret[0]);
	ck_assert(!c.ret[2]);
	ck_assert(!c.ret[1]);		/* it was running, not pending */
	ck_assert(c.flag);		/* ... and cancel_work_sync waited */
	ck_assert_uint_eq(c.t[0], 10 * SIM_MSEC);
	ck_assert_int_eq(trace_count(w, SIM_TR_WORK_START, "count_fn"), 0);
}
END_TEST

/* ---------------------------------------------------------- delayed work -- */

static void delayed_fn(struct work_struct *work)
{
	Ctx *c = container_of(to_delayed_work(work), Ctx, dwork);

	c->runs++;
	c->t[c->runs - 1] = sim_now(world());
}

static void delayed_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	INIT_DELAYED_WORK(&c->dwork, delayed_fn);
	c->ret[0] = schedule_delayed_work(&c->dwork, msecs_to_jiffies(20));
	c->ret[1] = schedule_delayed_work(&c->dwork, msecs_to_jiffies(5));
	msleep(30);
	/* Armed, then cancelled: never runs. */
	schedule_delayed_work(&c->dwork, msecs_to_jiffies(10));
	c->ret[2] = cancel_delayed_work_sync(&c->dwork);
	msleep(30);
	/* flush_delayed_work fires a pending timer at once. */
	schedule_delayed_work(&c->dwork, msecs_to_jiffies(1000));
	c->ret[3] = flush_delayed_work(&c->dwork);
}

START_TEST(test_workqueue_delayed_work_runs_after_its_delay)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, delayed_init, &c));
	ck_assert(c.ret[0]);
	ck_assert(!c.ret[1]);
	ck_assert(c.ret[2]);
	ck_assert(c.ret[3]);
	ck_assert_int_eq(c.runs, 2);
	ck_assert_uint_eq(c.t[0], 20 * SIM_MSEC);
	ck_assert_uint_eq(c.t[1], 60 * SIM_MSEC);
	/* The flushed 1000 ms timer was cancelled: it does not move the
	 * clock after the last real event. */
	ck_assert_uint_eq(sim_now(w), 60 * SIM_MSEC);
}
END_TEST

/* -------------------------------------------------- names and reports -- */

static void named_fn(struct work_struct *work)
{
	Ctx *c = container_of(work, Item, work)->c;

	g_strlcpy(c->comm, current->comm, sizeof(c->comm));
	c->wq_name = sim_current()->wq_name;
	c->work_func = sim_current()->work_func;
	c->worker = sim_current();
	c->flag = current_work() == work;
	WARN_ON(c->runs);		/* the second item warns */
	c->runs++;
}

static void names_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->wq = create_workqueue("hv_vmbus_con");
	INIT_WORK(&c->items[0].work, named_fn);
	c->items[0].c = c;
	queue_work_on(1, c->wq, &c->items[0].work);
	flush_work(&c->items[0].work);
	c->ret[0] = c->flag;
	c->ret[1] = strcmp(c->comm, "kworker/1:1") == 0;
	c->ret[2] = c->work_func && strcmp(c->work_func, "named_fn") == 0;
	c->ret[3] = c->worker->cpu == 1 && !c->worker->wq_name;
	queue_work(system_unbound_wq, &c->items[0].work);
}

START_TEST(test_workqueue_workers_are_named_and_reported_like_kworkers)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autofree char *text = NULL;
	Ctx c;

	ctx_reset(&c);
	w->ncpus = 2;
	ck_assert_int_eq(run_first(w, names_init, &c), SIM_END_BUG);
	ck_assert(c.ret[0] && c.ret[1] && c.ret[2] && c.ret[3]);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_WARNING);
	text = report_text(w);
	if (g_getenv("HVSIM_TEST_VERBOSE"))
		g_print("%s", text);
	/* The second run was on system_unbound_wq: pool u4 with 2 CPUs. */
	ck_assert_str_eq(c.comm, "kworker/u4:1");
	ck_assert_ptr_nonnull(strstr(text, "Comm: kworker/u4:1 "));
	ck_assert_has_line(text, "Workqueue: events_unbound named_fn");
	ck_assert_ptr_nonnull(strstr(text, " process_one_work+"));
	ck_assert_ptr_nonnull(strstr(text, " worker_thread+"));
}
END_TEST

START_TEST(test_workqueue_names_its_highpri_workers)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	c.flags = WQ_HIGHPRI;
	c.max_active = 1;
	ck_assert_clean(w, run_first(w, order_init, &c));
	ck_assert_str_eq(sim_task_by_id(w, 2)->name, "producer");
	ck_assert_str_eq(sim_task_by_id(w, 4)->name, "kworker/0:1H");
}
END_TEST

/* ------------------------------------------------------------ destroy -- */

static void destroy_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->wq = alloc_workqueue("doomed", 0, 0);
	INIT_WORK(&c->items[0].work, slow_fn);
	c->items[0].c = c;
	queue_work(c->wq, &c->items[0].work);
	destroy_workqueue(c->wq);		/* drains first */
	c->ret[0] = c->runs == 1;
	c->t[0] = sim_now(w);
	if (c->flag)
		queue_work(c->wq, &c->items[0].work);	/* use after free */
}

START_TEST(test_workqueue_destroy_drains_and_ends_workers)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;
	guint i;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, destroy_init, &c));
	ck_assert(c.ret[0]);
	ck_assert_uint_eq(c.t[0], 5 * SIM_MSEC);
	for (i = 1; i <= sim_task_count(w); i++)
		ck_assert_int_eq(sim_task_by_id(w, i)->state, SIM_TASK_DONE);
}
END_TEST

START_TEST(test_workqueue_queue_on_destroyed_workqueue_is_use_after_free)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	c.flag = true;
	ck_assert_int_eq(run_first(w, destroy_init, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_USE_AFTER_FREE);
}
END_TEST

/* Deterministic: the same seed gives the same schedule and trace length. */
START_TEST(test_workqueue_same_seed_same_execution)
{
	g_autoptr(SimWorld) w = sim_world_new();
	size_t n1, n2, len1;
	Ctx c;

	ctx_reset(&c);
	c.flags = WQ_UNBOUND;
	c.max_active = 4;
	run_random(w, 42, order_init, &c);
	sim_world_schedule(w, &n1);
	len1 = sim_world_trace(w)->len;
	ctx_reset(&c);
	c.flags = WQ_UNBOUND;
	c.max_active = 4;
	run_random(w, 42, order_init, &c);
	sim_world_schedule(w, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_uint_eq(len1, sim_world_trace(w)->len);
}
END_TEST

static Suite *workqueue_suite(void)
{
	Suite *s = suite_create("workqueue");
	TCase *tc = tcase_create("workqueue");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_workqueue_percpu_max_active_1_runs_in_order);
	tcase_add_test(tc, test_workqueue_unbound_max_active_4_runs_items_at_once);
	tcase_add_test(tc, test_workqueue_system_wq_runs_next_item_while_first_sleeps);
	tcase_add_test(tc, test_workqueue_ordered_queue_blocks_behind_sleeping_item);
	tcase_add_test(tc, test_workqueue_flush_work_waits_for_the_item);
	tcase_add_test(tc, test_workqueue_flush_workqueue_waits_only_for_earlier_items);
	tcase_add_test(tc, test_workqueue_queue_work_on_pending_item_returns_false);
	tcase_add_test(tc, test_workqueue_item_may_requeue_itself);
	tcase_add_test(tc, test_workqueue_cancel_dequeues_or_waits);
	tcase_add_test(tc, test_workqueue_delayed_work_runs_after_its_delay);
	tcase_add_test(tc, test_workqueue_workers_are_named_and_reported_like_kworkers);
	tcase_add_test(tc, test_workqueue_names_its_highpri_workers);
	tcase_add_test(tc, test_workqueue_destroy_drains_and_ends_workers);
	tcase_add_test(tc, test_workqueue_queue_on_destroyed_workqueue_is_use_after_free);
	tcase_add_test(tc, test_workqueue_same_seed_same_execution);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(workqueue_suite());
}
