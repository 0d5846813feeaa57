// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests <linux/interrupt.h>: a tasklet runs once per schedule,
 * never concurrently with itself (over many random schedules), in softirq
 * context in a task named after its function; sleeping inside it is
 * reported as sleep-in-atomic (and the same sleep in a kthread is not);
 * tasklet_kill() waits for it; a disabled tasklet waits for
 * tasklet_enable(); local_bh_disable() makes the caller atomic.
 */
#include "sync-test.h"

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/sched.h>

typedef struct {
	struct tasklet_struct tl;
	atomic_t ticks;
	int running, max_running, runs, scheds;
	bool flags[8];
	unsigned int pc;
	SimTime t;
	const char *name;
} Ctx;

static void ctx_reset(Ctx *c)
{
	memset(c, 0, sizeof(*c));
}

/* ---------------------------------------------------- self-exclusion -- */

static void excl_fn(struct tasklet_struct *t)
{
	Ctx *c = from_tasklet(c, t, tl);

	c->running++;
	if (c->running > c->max_running)
		c->max_running = c->running;
	c->runs++;
	c->flags[0] |= !in_softirq() || !in_interrupt() || !in_atomic();
	/* Scheduling points inside the softirq: others may run. */
	atomic_inc(&c->ticks);
	atomic_inc(&c->ticks);
	c->running--;
}

static void scheduler_task(void *arg)
{
	Ctx *c = arg;
	int i;

	for (i = 0; i < 4; i++) {
		c->scheds++;
		tasklet_schedule(&c->tl);
		atomic_inc(&c->ticks);
	}
}

static void excl_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	tasklet_setup(&c->tl, excl_fn);
	sim_task_create(w, "sched-a", SIM_CTX_PROCESS, 0, scheduler_task, c);
	sim_task_create(w, "sched-b", SIM_CTX_HARDIRQ, 1, scheduler_task, c);
}

START_TEST(test_tasklet_never_runs_concurrently_with_itself)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;
	uint64_t seed;
	int fewest = 8;

	for (seed = 1; seed <= 300; seed++) {
		ctx_reset(&c);
		ck_assert_clean(w, run_random(w, seed, excl_init, &c));
		ck_assert_int_eq(c.max_running, 1);
		ck_assert(!c.flags[0]);
		/* Once per schedule that found it unscheduled: between 1
		 * and 8 runs, never more. */
		ck_assert_int_ge(c.runs, 1);
		ck_assert_int_le(c.runs, c.scheds);
		fewest = MIN(fewest, c.runs);
		ck_assert_int_eq(trace_count(w, SIM_TR_TASKLET, "excl_fn"), 8);
	}
	/* Schedules that found it still scheduled were merged. */
	ck_assert_int_lt(fewest, 8);
}
END_TEST

/* ----------------------------------------------------- context, name -- */

static void ctx_fn(unsigned long data)
{
	Ctx *c = (Ctx *)data;

	c->runs++;
	c->pc = sim_kapi_ctx_preempt_count();
	c->name = sim_current()->name;
	c->flags[1] = sim_current()->ctx == SIM_CTX_SOFTIRQ;
}

static void ctx_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	tasklet_init(&c->tl, ctx_fn, (unsigned long)c);
	c->flags[0] = in_task() && !in_atomic();
	tasklet_schedule(&c->tl);
	tasklet_kill(&c->tl);		/* waits for the run */
	c->flags[2] = c->runs == 1;
	/* The task is back in process context, idle. */
	c->flags[3] = c->tl.sim_task->ctx == SIM_CTX_PROCESS &&
		      c->tl.sim_task->state == SIM_TASK_IDLE;
}

START_TEST(test_tasklet_runs_in_softirq_context_in_its_own_task)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, ctx_init, &c));
	ck_assert(c.flags[0]);
	ck_assert(c.flags[1]);
	ck_assert(c.flags[2]);
	ck_assert(c.flags[3]);
	ck_assert_uint_eq(c.pc, 0x100);		/* SOFTIRQ_OFFSET */
	ck_assert_str_eq(c.name, "tasklet/ctx_fn");
	ck_assert_uint_eq(sim_task_by_id(w, 2)->cpu, 0);
}
END_TEST

/* ------------------------------------------------------ sleep in atomic -- */

static void sleepy_fn(struct tasklet_struct *t)
{
	msleep(1);
}

static int sleepy_thread(void *data)
{
	sleepy_fn(NULL);
	return 0;
}

static void sleep_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	if (c->flags[7]) {
		kthread_run(sleepy_thread, c, "sleeper");
		return;
	}
	tasklet_setup(&c->tl, sleepy_fn);
	tasklet_schedule(&c->tl);
}

START_TEST(test_tasklet_sleeping_inside_is_sleep_in_atomic)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autofree char *text = NULL;
	Ctx c;

	ctx_reset(&c);
	ck_assert_int_eq(run_first(w, sleep_init, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_SLEEP_IN_ATOMIC);
	text = report_text(w);
	if (g_getenv("HVSIM_TEST_VERBOSE"))
		g_print("%s", text);
	ck_assert_ptr_nonnull(strstr(text, "BUG: sleeping function called "
				     "from invalid context"));
	ck_assert_ptr_nonnull(strstr(text, "name: tasklet/sleepy_fn"));
	ck_assert_ptr_nonnull(strstr(text, " tasklet_action_common+"));
}
END_TEST

START_TEST(test_tasklet_same_sleep_in_a_kthread_is_fine)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	c.flags[7] = true;
	ck_assert_clean(w, run_first(w, sleep_init, &c));
	ck_assert_uint_eq(sim_now(w), SIM_MSEC);
}
END_TEST

/* ---------------------------------------------------- disable / enable -- */

static void count_fn(struct tasklet_struct *t)
{
	Ctx *c = from_tasklet(c, t, tl);

	c->runs++;
}

static void disable_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	tasklet_setup(&c->tl, count_fn);
	tasklet_disable(&c->tl);
	tasklet_schedule(&c->tl);
	msleep(5);				/* lets it run, if it could */
	c->flags[0] = c->runs == 0;
	tasklet_enable(&c->tl);
	msleep(5);
	c->flags[1] = c->runs == 1;
	tasklet_schedule(&c->tl);
	tasklet_kill(&c->tl);
	c->flags[2] = c->runs == 2;
}

START_TEST(test_tasklet_disabled_tasklet_waits_for_enable)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, disable_init, &c));
	ck_assert(c.flags[0]);
	ck_assert(c.flags[1]);
	ck_assert(c.flags[2]);
}
END_TEST

/* A tasklet disabled for good and then killed: tasklet_kill() waits
 * forever, which the engine reports. */
static void stuck_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	tasklet_setup(&c->tl, count_fn);
	tasklet_disable_nosync(&c->tl);
	tasklet_schedule(&c->tl);
	tasklet_kill(&c->tl);
}

START_TEST(test_tasklet_kill_of_disabled_scheduled_tasklet_hangs)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_int_eq(run_first(w, stuck_init, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert_int_eq(c.runs, 0);
}
END_TEST

/* ------------------------------------------------------------ bottom half -- */

static void bh_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	local_bh_disable();
	c->flags[0] = in_softirq() && !in_serving_softirq();
	c->flags[1] = in_atomic();
	c->pc = sim_kapi_ctx_preempt_count();
	if (c->flags[7])
		msleep(1);		/* sleeping with bottom halves off */
	local_bh_enable();
	c->flags[2] = !in_atomic();
}

START_TEST(test_tasklet_local_bh_disable_makes_the_caller_atomic)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, bh_init, &c));
	ck_assert(c.flags[0]);
	ck_assert(c.flags[1]);
	ck_assert(c.flags[2]);
	ck_assert_uint_eq(c.pc, 0x200);		/* SOFTIRQ_DISABLE_OFFSET */

	ctx_reset(&c);
	c.flags[7] = true;
	ck_assert_int_eq(run_first(w, bh_init, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_SLEEP_IN_ATOMIC);
}
END_TEST

static Suite *tasklet_suite(void)
{
	Suite *s = suite_create("tasklet");
	TCase *tc = tcase_create("tasklet");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tasklet_never_runs_concurrently_with_itself);
	tcase_add_test(tc, test_tasklet_runs_in_softirq_context_in_its_own_task);
	tcase_add_test(tc, test_tasklet_sleeping_inside_is_sleep_in_atomic);
	tcase_add_test(tc, test_tasklet_same_sleep_in_a_kthread_is_fine);
	tcase_add_test(tc, test_tasklet_disabled_tasklet_waits_for_enable);
	tcase_add_test(tc, test_tasklet_kill_of_disabled_scheduled_tasklet_hangs);
	tcase_add_test(tc, test_tasklet_local_bh_disable_makes_the_caller_atomic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(tasklet_suite());
}
