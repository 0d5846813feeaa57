// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests time and CPUs as drivers see them: msleep() and
 * usleep_range() advance virtual time by exactly what they ask, jiffies is
 * virtual milliseconds from 0, the jiffies conversions and wrap-safe
 * comparisons, busy-wait delays that cost no virtual time, sleeping with a
 * spinlock held reported as sleep-in-atomic (and not without it), and the
 * CPU count, smp_processor_id() and cpumask operations on a 4-CPU machine.
 */
#include "sync-test.h"

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/topology.h>

typedef struct {
	unsigned long j[4];
	SimTime t[4];
	int cpu[4];
	unsigned int n[8];
	bool flags[8];
	spinlock_t lock;
} Ctx;

static void ctx_reset(Ctx *c)
{
	memset(c, 0, sizeof(*c));
}

/* ----------------------------------------------------------------- sleeps -- */

static void sleep_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->j[0] = jiffies;
	msleep(7);
	c->t[0] = sim_now(w);
	c->j[1] = jiffies;
	usleep_range(250, 500);
	c->t[1] = sim_now(w);
	udelay(100);
	mdelay(3);
	c->t[2] = sim_now(w);
	ssleep(2);
	c->t[3] = sim_now(w);
	c->j[2] = jiffies;
	c->j[3] = get_jiffies_64();
}

START_TEST(test_time_msleep_advances_virtual_time_exactly)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, sleep_init, &c));
	ck_assert_uint_eq(c.j[0], 0);
	ck_assert_uint_eq(c.t[0], 7 * SIM_MSEC);
	ck_assert_uint_eq(c.j[1], 7);
	ck_assert_uint_eq(c.t[1], 7 * SIM_MSEC + 250 * SIM_USEC);
	ck_assert_uint_eq(c.t[2], c.t[1]);		/* busy waits: no time */
	ck_assert_uint_eq(c.t[3], c.t[2] + 2 * SIM_SEC);
	ck_assert_uint_eq(c.j[2], 2007);
	ck_assert_uint_eq(c.j[3], 2007);
	ck_assert_int_eq(trace_count(w, SIM_TR_SLEEP, "msleep"), 2);
}
END_TEST

/* Two sleepers interleave on the clock. */
static void nap(void *arg)
{
	Ctx *c = arg;
	int me = sim_current()->id - 2;

	msleep(me ? 3 : 5);
	c->t[me] = sim_now(sim_current_world());
	msleep(me ? 3 : 5);
	c->t[me + 2] = sim_now(sim_current_world());
}

static void naps_init(SimWorld *w, void *arg)
{
	sim_task_create(w, "nap-a", SIM_CTX_PROCESS, 0, nap, arg);
	sim_task_create(w, "nap-b", SIM_CTX_PROCESS, 1, nap, arg);
}

START_TEST(test_time_sleepers_wake_at_their_own_times)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, naps_init, &c));
	ck_assert_uint_eq(c.t[0], 5 * SIM_MSEC);
	ck_assert_uint_eq(c.t[2], 10 * SIM_MSEC);
	ck_assert_uint_eq(c.t[1], 3 * SIM_MSEC);
	ck_assert_uint_eq(c.t[3], 6 * SIM_MSEC);
}
END_TEST

/* ------------------------------------------------------------ conversions -- */

START_TEST(test_time_jiffies_conversions_follow_hz_1000)
{
	ck_assert_int_eq(HZ, 1000);
	ck_assert_uint_eq(msecs_to_jiffies(1000), HZ);
	ck_assert_uint_eq(msecs_to_jiffies(5), 5);
	ck_assert_uint_eq(msecs_to_jiffies((unsigned int)-1), MAX_JIFFY_OFFSET);
	ck_assert_uint_eq(jiffies_to_msecs(HZ * 10), 10000);
	ck_assert_uint_eq(usecs_to_jiffies(1), 1);
	ck_assert_uint_eq(usecs_to_jiffies(1000), 1);
	ck_assert_uint_eq(usecs_to_jiffies(1001), 2);
	ck_assert_uint_eq(jiffies_to_usecs(3), 3000);
	ck_assert_uint_eq(nsecs_to_jiffies(2500000), 2);
	ck_assert_uint_eq(jiffies_to_nsecs(4), 4000000);
	/* Wrap-safe comparisons. */
	ck_assert(time_after(10UL, 5UL));
	ck_assert(!time_after(5UL, 10UL));
	ck_assert(time_before(5UL, 10UL));
	ck_assert(time_after(3UL, (unsigned long)-3));	/* across the wrap */
	ck_assert(time_after_eq(7UL, 7UL));
	ck_assert(time_before_eq(7UL, 7UL));
	ck_assert(time_in_range(5UL, 1UL, 9UL));
}
END_TEST

static void deadline_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	unsigned long timeout = jiffies + msecs_to_jiffies(20);

	c->flags[0] = time_is_after_jiffies(timeout);
	while (time_before(jiffies, timeout))
		msleep(3);
	c->flags[1] = time_is_before_eq_jiffies(timeout);
	c->t[0] = sim_now(w);
}

START_TEST(test_time_polling_loop_on_jiffies_reaches_its_deadline)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, deadline_init, &c));
	ck_assert(c.flags[0] && c.flags[1]);
	ck_assert_uint_eq(c.t[0], 21 * SIM_MSEC);	/* 7 sleeps of 3 ms */
}
END_TEST

/* --------------------------------------------------------- sleep in atomic -- */

static void locked_sleep_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	spin_lock_init(&c->lock);
	if (c->flags[7])
		spin_lock(&c->lock);
	msleep(1);
	if (c->flags[7])
		spin_unlock(&c->lock);
}

START_TEST(test_time_msleep_under_spinlock_is_sleep_in_atomic)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, locked_sleep_init, &c));

	ctx_reset(&c);
	c.flags[7] = true;
	ck_assert_int_eq(run_first(w, locked_sleep_init, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_SLEEP_IN_ATOMIC);
	ck_assert_str_eq(w->bug->func, "locked_sleep_init");
}
END_TEST

/* ------------------------------------------------------------------ CPUs -- */

static void cpu_task(void *arg)
{
	Ctx *c = arg;
	int me = sim_current()->id - 2;

	c->cpu[me] = smp_processor_id();
	c->n[4 + me] = get_cpu();
	c->flags[4 + me] = sim_current()->preempt_count == 1;
	put_cpu();
}

static void cpus_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	cpumask_var_t mask;
	int cpu;

	c->n[0] = num_online_cpus();
	c->n[1] = nr_cpu_ids;
	c->n[2] = 0;
	for_each_online_cpu(cpu)
		c->n[2] += 1U << cpu;
	ck_assert(zalloc_cpumask_var(&mask, 0));
	cpumask_set_cpu(3, mask);
	cpumask_set_cpu(1, mask);
	c->flags[0] = cpumask_test_cpu(3, mask) && !cpumask_test_cpu(2, mask);
	c->flags[1] = cpumask_first(mask) == 1 && cpumask_next(1, mask) == 3 &&
		      cpumask_next(3, mask) == nr_cpu_ids;
	c->flags[2] = cpumask_weight(mask) == 2;
	cpumask_clear_cpu(1, mask);
	c->flags[3] = cpumask_equal(mask, cpumask_of(3)) &&
		      cpumask_weight(cpumask_of_node(0)) == 4 &&
		      cpu_to_node(2) == 0;
	free_cpumask_var(mask);
	sim_task_create(w, "on-cpu-2", SIM_CTX_PROCESS, 2, cpu_task, c);
	sim_task_create(w, "on-cpu-3", SIM_CTX_PROCESS, 3, cpu_task, c);
}

START_TEST(test_time_cpus_come_from_the_machine)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	w->ncpus = 4;
	ck_assert_clean(w, run_first(w, cpus_init, &c));
	ck_assert_uint_eq(c.n[0], 4);
	ck_assert_uint_eq(c.n[1], 4);
	ck_assert_uint_eq(c.n[2], 0xf);
	ck_assert(c.flags[0] && c.flags[1] && c.flags[2] && c.flags[3]);
	ck_assert_int_eq(c.cpu[0], 2);
	ck_assert_int_eq(c.cpu[1], 3);
	ck_assert_uint_eq(c.n[4], 2);
	ck_assert(c.flags[4] && c.flags[5]);
}
END_TEST

static Suite *time_suite(void)
{
	Suite *s = suite_create("time");
	TCase *tc = tcase_create("time");

	tcase_add_test(tc, test_time_msleep_advances_virtual_time_exactly);
	tcase_add_test(tc, test_time_sleepers_wake_at_their_own_times);
	tcase_add_test(tc, test_time_jiffies_conversions_follow_hz_1000);
	tcase_add_test(tc, test_time_polling_loop_on_jiffies_reaches_its_deadline);
	tcase_add_test(tc, test_time_msleep_under_spinlock_is_sleep_in_atomic);
	tcase_add_test(tc, test_time_cpus_come_from_the_machine);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(time_suite());
}
