// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests <linux/completion.h>: a waiter woken by complete() (and
 * the trace edge from completer to waiter), the done count, complete_all(),
 * the try and done queries, and the timeouts on the virtual clock (virtual
 * time advances by exactly the timeout; an early completion returns the
 * jiffies left), plus the hung waiter the engine reports when nobody ever
 * completes.
 */
#include "sync-test.h"

#include <limits.h>

#include <linux/completion.h>

typedef struct {
	struct completion done, timer, never;
	GString *log;
	long ret[4];
	SimTime t0, t1;
	bool flags[8];
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
	init_completion(&c->done);
	init_completion(&c->timer);
	init_completion(&c->never);
	g_string_truncate(c->log, 0);
	memset(c->ret, 0, sizeof(c->ret));
	memset(c->flags, 0, sizeof(c->flags));
}

static SimWorld *world(void)
{
	return sim_current_world();
}

/* ------------------------------------------------------------- wakeup -- */

static void waiter(void *arg)
{
	Ctx *c = arg;

	g_string_append(c->log, "w");
	wait_for_completion(&c->done);
	g_string_append(c->log, "W");
}

static void completer(void *arg)
{
	Ctx *c = arg;

	g_string_append(c->log, "c");
	complete(&c->done);
	g_string_append(c->log, "C");
}

static void wake_init(SimWorld *w, void *arg)
{
	init_ctx(arg);
	sim_task_create(w, "waiter", SIM_CTX_PROCESS, 0, waiter, arg);
	sim_task_create(w, "completer", SIM_CTX_SOFTIRQ, 1, completer, arg);
}

START_TEST(test_completion_complete_wakes_the_waiter)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	const SimTraceEvent *ev;

	ck_assert_int_eq(run_first(w, wake_init, c), SIM_END_CLEAN);
	ck_assert_str_eq(c->log->str, "wcCW");
	ev = trace_find(w, SIM_TR_COMPLETE, "&c->done");
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->task, 3);
	ck_assert_uint_eq(ev->peer, 2);		/* the woken waiter */
	ck_assert_int_eq(c->done.done, 0);	/* the waiter took the count */
	ck_assert_uint_eq(sim_now(w), 0);
}
END_TEST

/* complete() before the wait: the count is kept and the wait passes. */
static void counts_task(void *arg)
{
	Ctx *c = arg;

	complete(&c->done);
	complete(&c->done);
	c->flags[0] = completion_done(&c->done);
	wait_for_completion(&c->done);
	c->flags[1] = try_wait_for_completion(&c->done);
	c->flags[2] = try_wait_for_completion(&c->done);	/* none left */
	c->flags[3] = completion_done(&c->done);
	complete_all(&c->done);
	c->flags[4] = try_wait_for_completion(&c->done);
	c->flags[5] = try_wait_for_completion(&c->done);	/* saturated */
	reinit_completion(&c->done);
	c->flags[6] = completion_done(&c->done);
}

static void counts_init(SimWorld *w, void *arg)
{
	init_ctx(arg);
	sim_task_create(w, "counter", SIM_CTX_PROCESS, 0, counts_task, arg);
}

START_TEST(test_completion_counts_completions)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_first(w, counts_init, c), SIM_END_CLEAN);
	ck_assert(c->flags[0]);
	ck_assert(c->flags[1]);
	ck_assert(!c->flags[2]);
	ck_assert(!c->flags[3]);
	ck_assert(c->flags[4]);
	ck_assert(c->flags[5]);
	ck_assert(!c->flags[6]);
	ck_assert_int_eq(trace_count(w, SIM_TR_BLOCK, NULL), 0);
}
END_TEST

/* complete_all() releases every waiter, now and later. */
static void all_waiter(void *arg)
{
	Ctx *c = arg;

	wait_for_completion(&c->done);
	g_string_append(c->log, "W");
}

static void all_completer(void *arg)
{
	Ctx *c = arg;

	complete_all(&c->done);
	wait_for_completion(&c->done);		/* passes: saturated */
	g_string_append(c->log, "C");
	c->flags[0] = completion_done(&c->done);
}

static void all_init(SimWorld *w, void *arg)
{
	init_ctx(arg);
	sim_task_create(w, "w1", SIM_CTX_PROCESS, 0, all_waiter, arg);
	sim_task_create(w, "w2", SIM_CTX_PROCESS, 1, all_waiter, arg);
	sim_task_create(w, "w3", SIM_CTX_PROCESS, 0, all_waiter, arg);
	sim_task_create(w, "all", SIM_CTX_PROCESS, 1, all_completer, arg);
}

START_TEST(test_completion_complete_all_releases_everyone)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_first(w, all_init, c), SIM_END_CLEAN);
	ck_assert_str_eq(c->log->str, "CWWW");
	ck_assert(c->flags[0]);
	ck_assert_uint_eq(c->done.done, UINT_MAX);
	ck_assert_int_eq(trace_count(w, SIM_TR_WAKE, NULL), 3);
}
END_TEST

/* ------------------------------------------------------------ timeouts -- */

static void timeout_task(void *arg)
{
	Ctx *c = arg;

	c->t0 = sim_now(world());
	c->ret[0] = wait_for_completion_timeout(&c->never, 50);
	c->t1 = sim_now(world());
	/* A zero timeout on a done completion still reports success (1). */
	complete(&c->done);
	c->ret[1] = wait_for_completion_timeout(&c->done, 0);
	c->ret[2] = wait_for_completion_timeout(&c->never, 0);
}

static void timeout_init(SimWorld *w, void *arg)
{
	init_ctx(arg);
	sim_task_create(w, "sleeper", SIM_CTX_PROCESS, 0, timeout_task, arg);
}

START_TEST(test_completion_timeout_advances_virtual_time_exactly)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_first(w, timeout_init, c), SIM_END_CLEAN);
	ck_assert_int_eq(c->ret[0], 0);
	ck_assert_uint_eq(c->t1 - c->t0, 50 * SIM_MSEC);	/* 50 jiffies, HZ=1000 */
	ck_assert_int_eq(c->ret[1], 1);
	ck_assert_int_eq(c->ret[2], 0);
	ck_assert_int_eq(trace_count(w, SIM_TR_TIMEOUT, "&c->never"), 1);
}
END_TEST

static void early_waiter(void *arg)
{
	Ctx *c = arg;

	c->t0 = sim_now(world());
	c->ret[0] = wait_for_completion_timeout(&c->done, 50);
	c->t1 = sim_now(world());
}

/* Completes after 10 ms of virtual time (a timed-out wait as a timer). */
static void late_completer(void *arg)
{
	Ctx *c = arg;

	c->ret[1] = wait_for_completion_timeout(&c->timer, 10);
	complete(&c->done);
}

static void early_init(SimWorld *w, void *arg)
{
	init_ctx(arg);
	sim_task_create(w, "waiter", SIM_CTX_PROCESS, 0, early_waiter, arg);
	sim_task_create(w, "late", SIM_CTX_PROCESS, 1, late_completer, arg);
}

START_TEST(test_completion_early_complete_returns_jiffies_left)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_first(w, early_init, c), SIM_END_CLEAN);
	ck_assert_int_eq(c->ret[1], 0);
	ck_assert_int_eq(c->ret[0], 40);
	ck_assert_uint_eq(c->t1 - c->t0, 10 * SIM_MSEC);
}
END_TEST

/* ------------------------------------------------------------- nobody -- */

static void forever_task(void *arg)
{
	Ctx *c = arg;

	wait_for_completion(&c->never);
}

static void forever_init(SimWorld *w, void *arg)
{
	init_ctx(arg);
	sim_task_create(w, "stuck", SIM_CTX_PROCESS, 0, forever_task, arg);
}

START_TEST(test_completion_never_completed_is_a_deadlock)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	SimTask *t;

	ck_assert_int_eq(run_first(w, forever_init, c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	t = sim_task_by_id(w, 2);
	ck_assert_int_eq(t->wait_kind, SIM_WAIT_COMPLETION);
	ck_assert_str_eq(t->wait_name, "&c->never");
}
END_TEST

/* ------------------------------------------------- freed completions -- */

struct request {
	int status;
	struct completion wait;
};

typedef struct {
	struct request *req;
	bool completer_frees;
} UafCtx;

static void uaf_waiter(void *arg)
{
	UafCtx *u = arg;
	struct request *req = u->req;

	wait_for_completion(&req->wait);
	if (!u->completer_frees)
		sim_kfree(world(), req, __func__);
}

static void uaf_completer(void *arg)
{
	UafCtx *u = arg;
	struct request *req = u->req;

	req->status = 1;
	complete(&req->wait);
	if (u->completer_frees)
		sim_kfree(world(), req, __func__);	/* the waiter still uses it */
}

static void uaf_init(SimWorld *w, void *arg)
{
	UafCtx *u = arg;

	u->req = sim_kmalloc(w, sizeof(*u->req), true, __func__);
	init_completion(&u->req->wait);
	sim_task_create(w, "waiter", SIM_CTX_PROCESS, 0, uaf_waiter, u);
	sim_task_create(w, "completer", SIM_CTX_SOFTIRQ, 1, uaf_completer, u);
}

START_TEST(test_completion_wait_on_freed_completion_is_use_after_free)
{
	g_autoptr(SimWorld) w = sim_world_new();
	UafCtx u = { .completer_frees = true };

	ck_assert_int_eq(run_first(w, uaf_init, &u), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_USE_AFTER_FREE);
	ck_assert_str_eq(w->bug->func, "uaf_waiter");
	ck_assert_msg(g_str_has_prefix(bug_title(w),
				       "BUG: KASAN: slab-use-after-free in uaf_waiter"),
		      "title: %s", bug_title(w));
}
END_TEST

START_TEST(test_completion_freed_after_the_wait_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	UafCtx u = { .completer_frees = false };

	ck_assert_clean(w, run_first(w, uaf_init, &u));
}
END_TEST

static Suite *completion_suite(void)
{
	Suite *s = suite_create("completion");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_completion_complete_wakes_the_waiter);
	tcase_add_test(tc, test_completion_counts_completions);
	tcase_add_test(tc, test_completion_complete_all_releases_everyone);
	tcase_add_test(tc, test_completion_timeout_advances_virtual_time_exactly);
	tcase_add_test(tc, test_completion_early_complete_returns_jiffies_left);
	tcase_add_test(tc, test_completion_never_completed_is_a_deadlock);
	tcase_add_test(tc, test_completion_wait_on_freed_completion_is_use_after_free);
	tcase_add_test(tc, test_completion_freed_after_the_wait_is_quiet);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(completion_suite());
}
