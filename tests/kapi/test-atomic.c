// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests <linux/atomic.h> and the atomic bit operations of
 * <linux/bitops.h>: the kernel's return values, one SIM_TR_ATOMIC trace
 * event per operation (named after the call, with the value it left), and
 * that every operation is a scheduling point: concurrent increments never
 * lose an update, while a read-then-set made of two atomic calls does
 * under some random schedule.
 */
#include "sync-test.h"

#include <linux/atomic.h>
#include <linux/bitops.h>

typedef struct {
	atomic_t v;
	unsigned long bits[2];
	int ret[16];
	bool split;
} Ctx;

static SimTaskFn task_fn;

static void init_one(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	memset(c->ret, 0, sizeof(c->ret));
	sim_task_create(w, "atomics", SIM_CTX_PROCESS, 0, task_fn, arg);
}

static void ops_task(void *arg)
{
	Ctx *c = arg;
	int i = 0;

	atomic_set(&c->v, 5);
	c->ret[i++] = atomic_read(&c->v);		/* 5 */
	atomic_inc(&c->v);				/* 6 */
	atomic_add(4, &c->v);				/* 10 */
	atomic_sub(3, &c->v);				/* 7 */
	atomic_dec(&c->v);				/* 6 */
	c->ret[i++] = atomic_inc_return(&c->v);		/* 7 */
	c->ret[i++] = atomic_dec_return(&c->v);		/* 6 */
	c->ret[i++] = atomic_fetch_add(2, &c->v);	/* 6, now 8 */
	c->ret[i++] = atomic_cmpxchg(&c->v, 8, 1);	/* 8, now 1 */
	c->ret[i++] = atomic_cmpxchg(&c->v, 8, 2);	/* 1, stays 1 */
	c->ret[i++] = atomic_dec_and_test(&c->v);	/* true, now 0 */
	c->ret[i++] = atomic_inc_not_zero(&c->v);	/* false, stays 0 */
	c->ret[i++] = atomic_add_unless(&c->v, 1, 5);	/* true, now 1 */
	c->ret[i++] = atomic_xchg(&c->v, 9);		/* 1, now 9 */
	c->ret[i++] = atomic_read(&c->v);		/* 9 */
}

START_TEST(test_atomic_ops_return_kernel_values)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	const int want[] = { 5, 7, 6, 6, 8, 1, 1, 0, 1, 1, 9 };
	unsigned i;

	task_fn = ops_task;
	ck_assert_int_eq(run_first(w, init_one, &c), SIM_END_CLEAN);
	for (i = 0; i < G_N_ELEMENTS(want); i++)
		ck_assert_msg(c.ret[i] == want[i], "op %u returned %d, want %d",
			      i, c.ret[i], want[i]);
}
END_TEST

START_TEST(test_atomic_ops_record_trace_events)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	const SimTraceEvent *ev;

	task_fn = ops_task;
	ck_assert_int_eq(run_first(w, init_one, &c), SIM_END_CLEAN);
	/* 16 operations, each one event and one step. */
	ck_assert_int_eq(trace_count(w, SIM_TR_ATOMIC, NULL), 16);
	ck_assert_uint_eq(w->steps, 16);
	ev = trace_find(w, SIM_TR_ATOMIC, "atomic_dec_and_test(&c->v)");
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->arg, 0);			/* the value left */
	ck_assert_str_eq(ev->func, "ops_task");
	ck_assert_uint_eq(ev->task, 2);
	ck_assert_uint_ne(ev->obj, 0);
	ck_assert_uint_eq(ev->obj, c.v.__sim_id);
	ck_assert_int_eq(trace_find(w, SIM_TR_ATOMIC, "atomic_add(&c->v)")->arg, 10);
	ck_assert_int_eq(trace_find(w, SIM_TR_ATOMIC, "atomic_xchg(&c->v)")->arg, 9);
}
END_TEST

static void bits_task(void *arg)
{
	Ctx *c = arg;
	unsigned long bit;
	int i = 0;

	c->bits[0] = c->bits[1] = 0;
	set_bit(3, c->bits);
	set_bit(70, c->bits);
	c->ret[i++] = test_bit(3, c->bits);
	c->ret[i++] = test_and_set_bit(3, c->bits);	/* 1 */
	c->ret[i++] = test_and_clear_bit(3, c->bits);	/* 1 */
	c->ret[i++] = test_and_clear_bit(3, c->bits);	/* 0 */
	c->ret[i++] = (int)find_first_bit(c->bits, 128);	/* 70 */
	clear_bit(70, c->bits);
	c->ret[i++] = (int)find_first_bit(c->bits, 128);	/* 128 */
	__set_bit(1, c->bits);
	__set_bit(65, c->bits);
	for_each_set_bit(bit, c->bits, 128)
		c->ret[i++] = (int)bit;				/* 1, 65 */
}

START_TEST(test_atomic_bitops_values_and_trace)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	const int want[] = { 1, 1, 1, 0, 70, 128, 1, 65 };
	unsigned i;

	task_fn = bits_task;
	ck_assert_int_eq(run_first(w, init_one, &c), SIM_END_CLEAN);
	for (i = 0; i < G_N_ELEMENTS(want); i++)
		ck_assert_msg(c.ret[i] == want[i], "bit op %u gave %d, want %d",
			      i, c.ret[i], want[i]);
	/* Only the atomic ones are events: 2 set, 3 test_and, 1 clear. */
	ck_assert_int_eq(trace_count(w, SIM_TR_ATOMIC, NULL), 6);
	ck_assert_int_eq(trace_find(w, SIM_TR_ATOMIC,
				    "test_and_set_bit(3, c->bits)")->arg, 1);
}
END_TEST

/* -------------------------------------------------- scheduling points -- */

static void incr_task(void *arg)
{
	Ctx *c = arg;
	int i;

	for (i = 0; i < 20; i++) {
		if (c->split)
			atomic_set(&c->v, atomic_read(&c->v) + 1);
		else
			atomic_inc(&c->v);
	}
}

static void incr_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	atomic_set(&c->v, 0);
	sim_task_create(w, "inc1", SIM_CTX_PROCESS, 0, incr_task, c);
	sim_task_create(w, "inc2", SIM_CTX_PROCESS, 1, incr_task, c);
}

/* Returns how many of 100 random schedules lost an update. */
static int lost_updates(Ctx *c)
{
	g_autoptr(SimWorld) w = sim_world_new();
	uint64_t seed;
	int lost = 0;

	for (seed = 1; seed <= 100; seed++) {
		ck_assert_int_eq(run_random(w, seed, incr_init, c), SIM_END_CLEAN);
		if (c->v.counter != 40)
			lost++;
	}
	return lost;
}

START_TEST(test_atomic_increments_never_lose_updates)
{
	Ctx c = { 0 };

	ck_assert_int_eq(lost_updates(&c), 0);
}
END_TEST

START_TEST(test_atomic_read_then_set_loses_updates_between_points)
{
	Ctx c = { .split = true };

	ck_assert_int_gt(lost_updates(&c), 0);
}
END_TEST

static Suite *atomic_suite(void)
{
	Suite *s = suite_create("atomic");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_atomic_ops_return_kernel_values);
	tcase_add_test(tc, test_atomic_ops_record_trace_events);
	tcase_add_test(tc, test_atomic_bitops_values_and_trace);
	tcase_add_test(tc, test_atomic_increments_never_lose_updates);
	tcase_add_test(tc, test_atomic_read_then_set_loses_updates_between_points);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(atomic_suite());
}
