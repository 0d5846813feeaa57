// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the engine core: the event queue's (time, sequence)
 * order, the PRNG's streams, task switching, blocking with and without
 * timeouts, the scheduling strategies, scripted ordering constraints, the
 * step and time limits, and the deadlock and hung-task detectors, using
 * sim_block()/sim_wake() directly (no shim).
 */
#include <check.h>
#include <string.h>

#include "sim/event_queue.h"
#include "sim/prng.h"
#include "sim/world.h"

/* ------------------------------------------------------- event queue -- */

static void noop_event(SimWorld *w, void *arg, uint64_t arg2) { }

START_TEST(test_engine_event_queue_orders_by_time_then_sequence)
{
	SimEventQueue q;
	SimEvent e;
	uint64_t times[] = { 50, 10, 50, 0, 10, 50 };
	uint64_t want_time[] = { 0, 10, 10, 50, 50, 50 };
	uint64_t want_arg[] = { 3, 1, 4, 0, 2, 5 };
	unsigned i;

	sim_event_queue_init(&q);
	for (i = 0; i < G_N_ELEMENTS(times); i++)
		sim_event_queue_push(&q, times[i], noop_event, NULL, i);
	for (i = 0; i < G_N_ELEMENTS(times); i++) {
		ck_assert(sim_event_queue_pop(&q, &e));
		ck_assert_uint_eq(e.time, want_time[i]);
		ck_assert_uint_eq(e.arg2, want_arg[i]);
	}
	ck_assert(!sim_event_queue_pop(&q, &e));
	sim_event_queue_destroy(&q);
}
END_TEST

START_TEST(test_engine_event_queue_drops_cancelled_events)
{
	SimEventQueue q;
	SimEvent e;
	uint64_t a, b, c;

	sim_event_queue_init(&q);
	a = sim_event_queue_push(&q, 10, noop_event, NULL, 1);
	b = sim_event_queue_push(&q, 20, noop_event, NULL, 2);
	c = sim_event_queue_push(&q, 30, noop_event, NULL, 3);
	sim_event_queue_cancel(&q, b);
	sim_event_queue_cancel(&q, c);
	ck_assert(sim_event_queue_pop(&q, &e));
	ck_assert_uint_eq(e.arg2, 1);
	/* Only cancelled events are left: the queue reads as empty. */
	ck_assert(sim_event_queue_empty(&q));
	ck_assert(!sim_event_queue_pop(&q, &e));
	/* Cancelling what already ran is harmless. */
	sim_event_queue_cancel(&q, a);
	ck_assert_uint_eq(q.ncancelled, 0);
	sim_event_queue_destroy(&q);
}
END_TEST

/* -------------------------------------------------------------- prng -- */

START_TEST(test_engine_prng_streams_are_reproducible_and_distinct)
{
	SimPrng a, b, c;
	int i, same = 0;

	sim_prng_seed(&a, 42, 0);
	sim_prng_seed(&b, 42, 0);
	sim_prng_seed(&c, 42, 1);
	for (i = 0; i < 100; i++) {
		uint64_t x = sim_prng_next(&a);

		ck_assert_uint_eq(x, sim_prng_next(&b));
		same += x == sim_prng_next(&c);
	}
	ck_assert_int_eq(same, 0);
	for (i = 0; i < 1000; i++)
		ck_assert_uint_lt(sim_prng_below(&a, 7), 7);
}
END_TEST

/* ------------------------------------------------------------- tasks -- */

typedef struct {
	GString *log;
	SimTask *waiter;
	int flag;
	bool woke;
} Ctx;

static void log_step(const char *what)
{
	Ctx *c = sim_current()->arg;

	g_string_append(c->log, what);
}

static void ping(void *arg)
{
	SimWorld *w = sim_current_world();
	int i;

	for (i = 0; i < 3; i++) {
		log_step("a");
		sim_yield(w);
	}
}

static void pong(void *arg)
{
	SimWorld *w = sim_current_world();
	int i;

	for (i = 0; i < 3; i++) {
		log_step("b");
		sim_yield(w);
	}
}

static Ctx two_ctx;

static void init_two(SimWorld *w, void *arg)
{
	sim_task_create(w, "ping", SIM_CTX_PROCESS, 0, ping, arg);
	sim_task_create(w, "pong", SIM_CTX_PROCESS, 1, pong, arg);
}

START_TEST(test_engine_first_strategy_is_non_preemptive)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	Ctx c = { g_string_new(NULL) };

	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_two, &c), SIM_END_CLEAN);
	ck_assert_str_eq(c.log->str, "aaabbb");
	g_string_free(c.log, TRUE);
	sim_strategy_free(s);
}
END_TEST

START_TEST(test_engine_random_strategy_is_deterministic_per_seed)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_random();
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
						 g_free, NULL);
	uint64_t seed;

	for (seed = 0; seed < 64; seed++) {
		Ctx c1 = { g_string_new(NULL) }, c2 = { g_string_new(NULL) };

		sim_world_run(w, s, seed, 0, init_two, &c1);
		sim_world_run(w, s, seed, 0, init_two, &c2);
		ck_assert_str_eq(c1.log->str, c2.log->str);
		ck_assert_uint_eq(strlen(c1.log->str), 6);
		g_hash_table_add(seen, g_string_free(c1.log, FALSE));
		g_string_free(c2.log, TRUE);
	}
	/* Different seeds explore different interleavings. */
	ck_assert_uint_gt(g_hash_table_size(seen), 4);
	g_hash_table_destroy(seen);
	sim_strategy_free(s);
	(void)two_ctx;
}
END_TEST

START_TEST(test_engine_replay_reproduces_a_random_schedule)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *rnd = sim_strategy_random(), *rep;
	Ctx c1 = { g_string_new(NULL) }, c2 = { g_string_new(NULL) };
	const uint32_t *d;
	size_t n;

	sim_world_run(w, rnd, 99, 3, init_two, &c1);
	d = sim_world_schedule(w, &n);
	ck_assert_uint_gt(n, 0);
	rep = sim_strategy_replay(d, n);
	sim_world_run(w, rep, 0, 0, init_two, &c2);
	ck_assert_str_eq(c1.log->str, c2.log->str);
	ck_assert_ptr_null(w->divergence);
	g_string_free(c1.log, TRUE);
	g_string_free(c2.log, TRUE);
	sim_strategy_free(rnd);
	sim_strategy_free(rep);
}
END_TEST

START_TEST(test_engine_pct_is_a_function_of_seed_and_execution)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *a = sim_strategy_pct(3, 12), *b = sim_strategy_pct(3, 12);
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
						 g_free, NULL);
	uint64_t i;

	for (i = 0; i < 64; i++) {
		Ctx c1 = { g_string_new(NULL) }, c2 = { g_string_new(NULL) };

		/* Two strategy objects, same inputs: the same execution. */
		sim_world_run(w, a, 5, i, init_two, &c1);
		sim_world_run(w, b, 5, i, init_two, &c2);
		ck_assert_str_eq(c1.log->str, c2.log->str);
		g_hash_table_add(seen, g_string_free(c1.log, FALSE));
		g_string_free(c2.log, TRUE);
	}
	/* Change points at random steps give more than the two orders a
	 * priority draw alone would. */
	ck_assert_uint_gt(g_hash_table_size(seen), 2);
	g_hash_table_destroy(seen);
	sim_strategy_free(a);
	sim_strategy_free(b);
}
END_TEST

START_TEST(test_engine_pct_depth_1_never_preempts)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_pct(1, 12);
	uint64_t i;

	/* Without change points the higher-priority task runs to its end:
	 * one of the two serial orders, never an interleaving. */
	for (i = 0; i < 32; i++) {
		Ctx c = { g_string_new(NULL) };

		sim_world_run(w, s, 9, i, init_two, &c);
		ck_assert_msg(!strcmp(c.log->str, "aaabbb") ||
			      !strcmp(c.log->str, "bbbaaa"), "%s", c.log->str);
		g_string_free(c.log, TRUE);
	}
	sim_strategy_free(s);
}
END_TEST

/* -------------------------------------------------- blocking, timeouts -- */

static void sleeper(void *arg)
{
	SimWorld *w = sim_current_world();
	Ctx *c = arg;

	c->woke = sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_COMPLETION, &c->flag,
			    "&c->flag", __func__, 0);
	log_step(c->flag ? "woken-with-flag" : "woken-without-flag");
}

static void waker(void *arg)
{
	SimWorld *w = sim_current_world();
	Ctx *c = arg;

	c->flag = 1;
	ck_assert_int_eq(sim_wake_all(w, &c->flag), 1);
}

static void init_sleep_wake(SimWorld *w, void *arg)
{
	sim_task_create(w, "sleeper", SIM_CTX_PROCESS, 0, sleeper, arg);
	sim_task_create(w, "waker", SIM_CTX_PROCESS, 1, waker, arg);
}

START_TEST(test_engine_block_then_wake)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	Ctx c = { g_string_new(NULL) };

	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_sleep_wake, &c),
			 SIM_END_CLEAN);
	ck_assert(c.woke);
	ck_assert_str_eq(c.log->str, "woken-with-flag");
	ck_assert_uint_eq(sim_now(w), 0);
	g_string_free(c.log, TRUE);
	sim_strategy_free(s);
}
END_TEST

static void timed(void *arg)
{
	SimWorld *w = sim_current_world();
	Ctx *c = arg;

	c->woke = sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_COMPLETION, &c->flag,
			    "&c->flag", __func__, 5 * SIM_MSEC);
}

static void init_timed(SimWorld *w, void *arg)
{
	sim_task_create(w, "timed", SIM_CTX_PROCESS, 0, timed, arg);
}

START_TEST(test_engine_block_timeout_moves_virtual_time_exactly)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	Ctx c = { g_string_new(NULL) };

	c.woke = true;
	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_timed, &c),
			 SIM_END_CLEAN);
	ck_assert(!c.woke);
	ck_assert_uint_eq(sim_now(w), 5 * SIM_MSEC);
	g_string_free(c.log, TRUE);
	sim_strategy_free(s);
}
END_TEST

static void note_world(SimWorld *w, void *arg, uint64_t n)
{
	SimWorld **seen = arg;

	/* An ISR or a model runs here, with no task: it still sees the
	 * world, so hvsim_fixed() and jiffies work in it. */
	*seen = sim_current() ? NULL : sim_current_world();
}

static void init_event(SimWorld *w, void *arg)
{
	sim_event_after(w, SIM_MSEC, note_world, arg, 0);
}

START_TEST(test_engine_event_callbacks_see_their_world)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	SimWorld *seen = NULL;

	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_event, &seen),
			 SIM_END_CLEAN);
	ck_assert_ptr_eq(seen, w);
	/* Outside any execution there is no world. */
	ck_assert_ptr_null(sim_current_world());
	sim_strategy_free(s);
}
END_TEST

/* ---------------------------------------------------- liveness, limits -- */

static void stuck(void *arg)
{
	SimWorld *w = sim_current_world();
	Ctx *c = arg;

	sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_COMPLETION, &c->flag,
		  "&c->flag", __func__, 0);
}

static void init_stuck(SimWorld *w, void *arg)
{
	sim_task_create(w, "stuck", SIM_CTX_PROCESS, 0, stuck, arg);
}

START_TEST(test_engine_deadlock_when_nothing_can_happen)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	Ctx c = { g_string_new(NULL) };
	g_autofree char *sig = NULL;

	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_stuck, &c),
			 SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert_str_eq(w->bug->title,
			 "INFO: task stuck:2 blocked for more than 120 seconds.");
	sig = sim_report_signature(w);
	ck_assert_str_eq(sig, "deadlock:stuck");
	g_string_free(c.log, TRUE);
	sim_strategy_free(s);
}
END_TEST

static void poller_tick(SimWorld *w, void *arg, uint64_t n)
{
	/* A host that keeps sending something every second: time moves. */
	if (n < 1000)
		sim_event_after(w, SIM_SEC, poller_tick, arg, n + 1);
}

static void init_stuck_with_ticks(SimWorld *w, void *arg)
{
	sim_event_after(w, SIM_SEC, poller_tick, NULL, 0);
	sim_task_create(w, "stuck", SIM_CTX_PROCESS, 0, stuck, arg);
}

START_TEST(test_engine_hung_task_after_120_virtual_seconds)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	Ctx c = { g_string_new(NULL) };

	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_stuck_with_ticks, &c),
			 SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_HUNG_TASK);
	ck_assert_uint_gt(sim_now(w), SIM_HUNG_TASK_TIMEOUT);
	ck_assert_uint_le(sim_now(w), SIM_HUNG_TASK_TIMEOUT + SIM_SEC);
	g_string_free(c.log, TRUE);
	sim_strategy_free(s);
}
END_TEST

START_TEST(test_engine_no_hung_task_when_woken_in_time)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	Ctx c = { g_string_new(NULL) };

	/* Quiet case: a 5 ms timeout is far below the threshold. */
	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_timed, &c),
			 SIM_END_CLEAN);
	ck_assert_ptr_null(w->bug);
	g_string_free(c.log, TRUE);
	sim_strategy_free(s);
}
END_TEST

static void spinner(void *arg)
{
	SimWorld *w = sim_current_world();

	for (;;)
		sim_yield(w);
}

static void init_spinner(SimWorld *w, void *arg)
{
	sim_task_create(w, "spinner", SIM_CTX_PROCESS, 0, spinner, arg);
}

START_TEST(test_engine_step_limit_ends_a_runaway)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();

	w->limits.max_steps = 1000;
	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_spinner, NULL),
			 SIM_END_STEP_LIMIT);
	ck_assert_uint_eq(w->steps, 1000);
	/* The world is reusable after an aborted execution. */
	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_timed,
				       &(Ctx){ NULL }), SIM_END_CLEAN);
	sim_strategy_free(s);
}
END_TEST

START_TEST(test_engine_time_limit_ends_a_runaway)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();

	w->limits.max_time = 10 * SIM_SEC;
	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_stuck_with_ticks,
				       &(Ctx){ NULL }), SIM_END_TIME_LIMIT);
	sim_strategy_free(s);
}
END_TEST

static void long_waiter(void *arg)
{
	SimWorld *w = sim_current_world();
	Ctx *c = arg;

	/* A 500 s timeout, but the waker answers at once. */
	c->woke = sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_COMPLETION, &c->flag,
			    "&c->flag", __func__, 500 * SIM_SEC);
}

static void waker_then_stuck(void *arg)
{
	SimWorld *w = sim_current_world();
	Ctx *c = arg;

	sim_wake_all(w, &c->flag);
	sim_block(w, SIM_TASK_BLOCKED, SIM_WAIT_COMPLETION, &c->waiter,
		  "&c->waiter", __func__, 0);
}

static void init_stale_timer(SimWorld *w, void *arg)
{
	sim_task_create(w, "long_waiter", SIM_CTX_PROCESS, 0, long_waiter, arg);
	sim_task_create(w, "stuck", SIM_CTX_PROCESS, 1, waker_then_stuck, arg);
}

START_TEST(test_engine_stale_timeout_does_not_move_the_clock)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	Ctx c = { NULL };

	/* The woken waiter's 500 s timer is stale: the blocked task is a
	 * deadlock found with nothing pending, not a task hung while the
	 * clock runs to the stale timer. */
	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_stale_timer, &c),
			 SIM_END_BUG);
	ck_assert(c.woke);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert_uint_eq(sim_now(w), SIM_HUNG_TASK_TIMEOUT);
	sim_strategy_free(s);
}
END_TEST

/* ------------------------------------------------- ordering constraints -- */

static void ordered_a(void *arg)
{
	/* A step is logged once its point has been passed. */
	sim_point("test.a1");
	log_step("a1 ");
	sim_point("test.a2");
	log_step("a2 ");
}

static void ordered_b(void *arg)
{
	sim_point("test.b1");
	log_step("b1 ");
	log_step("b2 ");
}

static void init_ordered(SimWorld *w, void *arg)
{
	sim_task_create(w, "a", SIM_CTX_PROCESS, 0, ordered_a, arg);
	sim_task_create(w, "b", SIM_CTX_PROCESS, 1, ordered_b, arg);
}

START_TEST(test_engine_ordering_constraint_preempts)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	Ctx c = { g_string_new(NULL) };

	/* Without constraints "first" runs a to the end, then b. */
	sim_world_run(w, s, 1, 0, init_ordered, &c);
	ck_assert_str_eq(c.log->str, "a1 a2 b1 b2 ");
	g_string_truncate(c.log, 0);
	sim_world_add_order(w, "test.b1", "test.a2");
	w->respect_order = true;
	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_ordered, &c),
			 SIM_END_CLEAN);
	ck_assert_str_eq(c.log->str, "a1 b1 b2 a2 ");
	g_string_free(c.log, TRUE);
	sim_strategy_free(s);
}
END_TEST

START_TEST(test_engine_unmet_ordering_constraint_is_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	Ctx c = { g_string_new(NULL) };

	sim_world_add_order(w, "test.never", "test.a2");
	w->respect_order = true;
	ck_assert_int_eq(sim_world_run(w, s, 1, 0, init_ordered, &c),
			 SIM_END_UNMET_ORDER);
	ck_assert_ptr_nonnull(strstr(w->divergence, "test.never < test.a2"));
	g_string_free(c.log, TRUE);
	sim_strategy_free(s);
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_engine_event_queue_orders_by_time_then_sequence);
	tcase_add_test(tc, test_engine_event_queue_drops_cancelled_events);
	tcase_add_test(tc, test_engine_prng_streams_are_reproducible_and_distinct);
	tcase_add_test(tc, test_engine_first_strategy_is_non_preemptive);
	tcase_add_test(tc, test_engine_random_strategy_is_deterministic_per_seed);
	tcase_add_test(tc, test_engine_replay_reproduces_a_random_schedule);
	tcase_add_test(tc, test_engine_pct_is_a_function_of_seed_and_execution);
	tcase_add_test(tc, test_engine_pct_depth_1_never_preempts);
	tcase_add_test(tc, test_engine_block_then_wake);
	tcase_add_test(tc, test_engine_event_callbacks_see_their_world);
	tcase_add_test(tc, test_engine_block_timeout_moves_virtual_time_exactly);
	tcase_add_test(tc, test_engine_deadlock_when_nothing_can_happen);
	tcase_add_test(tc, test_engine_hung_task_after_120_virtual_seconds);
	tcase_add_test(tc, test_engine_no_hung_task_when_woken_in_time);
	tcase_add_test(tc, test_engine_stale_timeout_does_not_move_the_clock);
	tcase_add_test(tc, test_engine_step_limit_ends_a_runaway);
	tcase_add_test(tc, test_engine_time_limit_ends_a_runaway);
	tcase_add_test(tc, test_engine_ordering_constraint_preempts);
	tcase_add_test(tc, test_engine_unmet_ordering_constraint_is_reported);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(engine_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
