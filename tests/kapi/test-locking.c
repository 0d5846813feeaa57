// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the shim's locks, <linux/mutex.h> and <linux/spinlock.h>,
 * and their misuse detectors: mutual exclusion under random schedules,
 * blocking and waking on contention, trylock, atomic-context accounting,
 * and for each detector (bad unlock balance, recursive locking, sleeping in
 * atomic context, spinlock re-initialised while held, held lock freed,
 * lockdep_assert_held) one execution that triggers it, with the kernel's
 * exact lines, and one that stays quiet.
 *
 * Tasks keep their observations in the test's context and the assertions
 * run after the execution: a failed libcheck assertion inside a task would
 * leave the engine mid-execution.
 */
#include "sync-test.h"

#include <linux/completion.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

typedef struct {
	struct mutex m, m2;
	spinlock_t s;
	struct completion go;
	GString *log;
	int line;
	int inside, violations, entries;
	bool use_mutex, use_spin;
	bool bad_state;
	SimTaskState b_state;
	SimWaitKind b_wait;
	const char *b_wait_name;
	int trylock_results[4];
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

/* Every execution starts from fresh locks: the context is test memory,
 * which the engine does not restore. */
static void init_locks(Ctx *c)
{
	mutex_init(&c->m);
	mutex_init(&c->m2);
	spin_lock_init(&c->s);
	init_completion(&c->go);
	g_string_truncate(c->log, 0);
}

static char *addr_of(const struct lockdep_map *map)
{
	return g_strdup_printf("%016" G_GINT64_MODIFIER "x",
			       sim_report_obj_addr(map->__sim_id));
}

/* ------------------------------------------------------ mutual exclusion -- */

static void excl_worker(void *arg)
{
	Ctx *c = arg;
	SimTask *t = sim_current();
	unsigned long flags = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (c->use_spin)
			spin_lock_irqsave(&c->s, flags);
		else if (c->use_mutex)
			mutex_lock(&c->m);
		if (c->inside++ != 0)
			c->violations++;
		c->entries++;
		/* A decision point inside the critical section. */
		sim_yield(t->world);
		if (c->use_spin && (t->preempt_count != 1 || !t->irq_disabled))
			c->bad_state = true;
		c->inside--;
		if (c->use_spin)
			spin_unlock_irqrestore(&c->s, flags);
		else if (c->use_mutex)
			mutex_unlock(&c->m);
		if (t->preempt_count != 0 || t->irq_disabled || t->nheld != 0)
			c->bad_state = true;
	}
}

static void excl_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	int i;

	init_locks(c);
	c->inside = c->violations = c->entries = 0;
	c->bad_state = false;
	for (i = 0; i < 3; i++)
		sim_task_create(w, "worker", SIM_CTX_PROCESS, i % 2,
				excl_worker, c);
}

/* Runs 300 seeds; returns the total number of contended acquisitions. */
static int run_exclusion(Ctx *c, int *violating_runs)
{
	g_autoptr(SimWorld) w = sim_world_new();
	int contended = 0;
	uint64_t seed;

	*violating_runs = 0;
	for (seed = 1; seed <= 300; seed++) {
		ck_assert_int_eq(run_random(w, seed, excl_init, c), SIM_END_CLEAN);
		ck_assert_int_eq(c->entries, 12);
		ck_assert(!c->bad_state);
		if (c->violations)
			(*violating_runs)++;
		contended += trace_count(w, SIM_TR_LOCK_CONTEND, NULL);
	}
	return contended;
}

START_TEST(test_locking_mutex_excludes_under_random_schedules)
{
	g_autoptr(Ctx) c = ctx_new();
	int bad;

	c->use_mutex = true;
	ck_assert_int_gt(run_exclusion(c, &bad), 0);
	ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(test_locking_spinlock_excludes_under_random_schedules)
{
	g_autoptr(Ctx) c = ctx_new();
	int bad;

	c->use_spin = true;
	ck_assert_int_gt(run_exclusion(c, &bad), 0);
	ck_assert_int_eq(bad, 0);
}
END_TEST

/* The control: without the lock the same schedules do break exclusion,
 * so the two tests above could fail. */
START_TEST(test_locking_no_lock_lets_random_schedules_interleave)
{
	g_autoptr(Ctx) c = ctx_new();
	int bad;

	ck_assert_int_eq(run_exclusion(c, &bad), 0);
	ck_assert_int_gt(bad, 0);
}
END_TEST

/* ----------------------------------------------------------- contention -- */

static void co_a(void *arg)
{
	Ctx *c = arg;

	mutex_lock(&c->m);
	g_string_append(c->log, "A+");
	wait_for_completion(&c->go);	/* sleeps holding the mutex */
	g_string_append(c->log, "A-");
	mutex_unlock(&c->m);
}

static void co_b(void *arg)
{
	Ctx *c = arg;

	g_string_append(c->log, "B?");
	mutex_lock(&c->m);
	g_string_append(c->log, "B+");
	mutex_unlock(&c->m);
}

static void co_c(void *arg)
{
	Ctx *c = arg;
	SimTask *b = sim_task_by_id(sim_current_world(), 3);

	c->b_state = b->state;
	c->b_wait = b->wait_kind;
	c->b_wait_name = b->wait_name;
	g_string_append(c->log, "C");
	complete(&c->go);
}

static void co_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	init_locks(c);
	sim_task_create(w, "a", SIM_CTX_PROCESS, 0, co_a, c);	/* pid 2 */
	sim_task_create(w, "b", SIM_CTX_PROCESS, 1, co_b, c);	/* pid 3 */
	sim_task_create(w, "c", SIM_CTX_PROCESS, 0, co_c, c);	/* pid 4 */
}

START_TEST(test_locking_contended_mutex_blocks_and_wakes)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	const SimTraceEvent *ev;

	ck_assert_int_eq(run_first(w, co_init, c), SIM_END_CLEAN);
	ck_assert_str_eq(c->log->str, "A+B?CA-B+");
	ck_assert_int_eq(c->b_state, SIM_TASK_BLOCKED);
	ck_assert_int_eq(c->b_wait, SIM_WAIT_MUTEX);
	ck_assert_str_eq(c->b_wait_name, "&c->m");
	ev = trace_find(w, SIM_TR_LOCK_CONTEND, "&c->m");
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->task, 3);
	ck_assert_uint_eq(ev->peer, 2);		/* the owner */
	ck_assert_uint_eq(ev->obj, c->m.dep_map.__sim_id);
	ck_assert_int_eq(trace_count(w, SIM_TR_LOCK, "&c->m"), 2);
	ck_assert_int_eq(trace_count(w, SIM_TR_UNLOCK, "&c->m"), 2);
}
END_TEST

static void trylock_task(void *arg)
{
	Ctx *c = arg;
	unsigned long flags;

	c->trylock_results[0] = mutex_trylock(&c->m);
	c->trylock_results[1] = mutex_trylock(&c->m);	/* held: fails */
	mutex_unlock(&c->m);
	c->trylock_results[2] = spin_trylock_irqsave(&c->s, flags);
	c->trylock_results[3] = spin_trylock(&c->s);	/* held: fails */
	if (sim_current()->preempt_count != 1)
		c->bad_state = true;
	spin_unlock_irqrestore(&c->s, flags);
}

static void trylock_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	init_locks(c);
	c->bad_state = false;
	sim_task_create(w, "try", SIM_CTX_PROCESS, 0, trylock_task, c);
}

START_TEST(test_locking_trylock_fails_on_a_held_lock_without_report)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_first(w, trylock_init, c), SIM_END_CLEAN);
	ck_assert_int_eq(c->trylock_results[0], 1);
	ck_assert_int_eq(c->trylock_results[1], 0);
	ck_assert_int_eq(c->trylock_results[2], 1);
	ck_assert_int_eq(c->trylock_results[3], 0);
	ck_assert(!c->bad_state);
	ck_assert_int_eq(trace_count(w, SIM_TR_TRYLOCK_FAIL, NULL), 2);
}
END_TEST

/* -------------------------------------------------- bad unlock balance -- */

static void bad_unlock_task(void *arg)
{
	Ctx *c = arg;

	mutex_unlock(&c->m);
	/* Not reached. Also keeps the call out of tail position: a sibling
	 * call would leave no frame of this function to print. */
	c->bad_state = true;
}

static void good_unlock_task(void *arg)
{
	Ctx *c = arg;

	mutex_lock(&c->m);
	mutex_unlock(&c->m);
	spin_lock(&c->s);
	spin_unlock(&c->s);
}

static void bad_spin_unlock_task(void *arg)
{
	Ctx *c = arg;

	spin_lock(&c->s);
	spin_unlock(&c->s);
	spin_unlock(&c->s);
}

/* Unlocks a mutex another task holds. */
static void owner_task(void *arg)
{
	Ctx *c = arg;

	mutex_lock(&c->m2);
	mutex_lock(&c->m);
	wait_for_completion(&c->go);
}

static void thief_task(void *arg)
{
	Ctx *c = arg;

	mutex_unlock(&c->m);
}

static SimTaskFn one_task_fn;
static const char *one_task_name;
static SimContextKind one_task_ctx;

static void one_task_init(SimWorld *w, void *arg)
{
	init_locks(arg);
	sim_task_create(w, one_task_name, one_task_ctx, 0, one_task_fn, arg);
}

/* Run @fn as task "@name"/2 under the first strategy. */
static SimEnd run_one(SimWorld *w, Ctx *c, const char *name, SimTaskFn fn)
{
	one_task_fn = fn;
	one_task_name = name;
	one_task_ctx = SIM_CTX_PROCESS;
	return run_first(w, one_task_init, c);
}

START_TEST(test_locking_bad_unlock_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;
	g_autofree char *at = NULL;

	ck_assert_int_eq(run_one(w, c, "unlocker", bad_unlock_task), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_BAD_UNLOCK);
	ck_assert_str_eq(w->bug->func, "bad_unlock_task");
	ck_assert_str_eq(bug_title(w), "WARNING: bad unlock balance detected!");
	text = report_text(w);
	/* lockdep's header: '=' and '-' rulers as long as the title. */
	ck_assert_has_line(text, "=====================================");
	ck_assert_has_line(text, "-------------------------------------");
	ck_assert_has_line(text, "unlocker/2 is trying to release lock (&c->m) at:");
	at = line_after(text, "unlocker/2 is trying to release lock (&c->m) at:");
	ck_assert_msg(g_str_has_prefix(at, " bad_unlock_task+0x"),
		      "call site line: \"%s\"", at);
	ck_assert_has_line(text, "but there are no more locks to release!");
	ck_assert_has_line(text, "other info that might help us debug this:");
	ck_assert_has_line(text, "no locks held by unlocker/2.");
	ck_assert_has_line(text, "stack backtrace:");
	ck_assert_has_line(text, "Call Trace:");
}
END_TEST

START_TEST(test_locking_balanced_unlock_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_one(w, c, "unlocker", good_unlock_task), SIM_END_CLEAN);
	ck_assert_ptr_null(w->bug);
}
END_TEST

START_TEST(test_locking_spin_bad_unlock_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;

	ck_assert_int_eq(run_one(w, c, "spinner", bad_spin_unlock_task), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_BAD_UNLOCK);
	text = report_text(w);
	ck_assert_has_line(text, "spinner/2 is trying to release lock (&c->s) at:");
}
END_TEST

static void thief_init(SimWorld *w, void *arg)
{
	init_locks(arg);
	sim_task_create(w, "owner", SIM_CTX_PROCESS, 0, owner_task, arg);
	sim_task_create(w, "thief", SIM_CTX_PROCESS, 1, thief_task, arg);
}

START_TEST(test_locking_unlock_of_another_tasks_mutex_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;

	ck_assert_int_eq(run_first(w, thief_init, c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_BAD_UNLOCK);
	text = report_text(w);
	ck_assert_has_line(text, "thief/3 is trying to release lock (&c->m) at:");
	ck_assert_has_line(text, "no locks held by thief/3.");
}
END_TEST

/* ---------------------------------------------------- recursive locking -- */

static void recursive_mutex_task(void *arg)
{
	Ctx *c = arg;

	mutex_lock(&c->m);
	mutex_lock(&c->m);
}

static void recursive_spin_task(void *arg)
{
	Ctx *c = arg;
	unsigned long flags;

	spin_lock_irqsave(&c->s, flags);
	spin_lock(&c->s);
	spin_unlock_irqrestore(&c->s, flags);	/* not reached */
}

static void nested_task(void *arg)
{
	Ctx *c = arg;
	unsigned long flags;

	mutex_lock(&c->m);
	mutex_lock(&c->m2);
	spin_lock_irqsave(&c->s, flags);
	spin_unlock_irqrestore(&c->s, flags);
	mutex_unlock(&c->m2);
	mutex_unlock(&c->m);
}

START_TEST(test_locking_recursive_mutex_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;
	g_autofree char *addr = NULL;
	g_autofree char *want = NULL;
	g_autofree char *held = NULL;

	ck_assert_int_eq(run_one(w, c, "rec", recursive_mutex_task), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_RECURSIVE_LOCK);
	ck_assert_str_eq(bug_title(w), "WARNING: possible recursive locking detected");
	ck_assert_str_eq(w->bug->func, "recursive_mutex_task");
	text = report_text(w);
	addr = addr_of(&c->m.dep_map);
	want = g_strdup_printf("%s (&c->m){+.+.}-{4:4}, at: recursive_mutex_task", addr);
	held = g_strdup_printf(" #0: %s", want);
	ck_assert_has_line(text, "============================================");
	ck_assert_has_line(text, "rec/2 is trying to acquire lock:");
	ck_assert_has_line(text, want);
	ck_assert_has_line(text, "but task is already holding lock:");
	ck_assert_has_line(text, " Possible unsafe locking scenario:");
	ck_assert_has_line(text, "       CPU0");
	ck_assert_has_line(text, "       ----");
	ck_assert_has_line(text, "  lock(&c->m);");
	ck_assert_has_line(text, " *** DEADLOCK ***");
	ck_assert_has_line(text, " May be due to missing lock nesting notation");
	ck_assert_has_line(text, "1 lock held by rec/2:");
	ck_assert_has_line(text, held);
	ck_assert_has_line(text, "stack backtrace:");
	/* Nothing was taken twice: the task still holds one lock. */
	ck_assert_int_eq(sim_task_by_id(w, 2)->nheld, 1);
}
END_TEST

START_TEST(test_locking_recursive_spinlock_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;
	g_autofree char *addr = NULL;
	g_autofree char *held = NULL;

	ck_assert_int_eq(run_one(w, c, "rec", recursive_spin_task), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_RECURSIVE_LOCK);
	text = report_text(w);
	addr = addr_of(&c->s.dep_map);
	/* Taken with interrupts disabled: lockdep's usage is "{....}". */
	held = g_strdup_printf(" #0: %s (&c->s){....}-{3:3}, at: recursive_spin_task",
			       addr);
	ck_assert_has_line(text, "  lock(&c->s);");
	ck_assert_has_line(text, held);
}
END_TEST

START_TEST(test_locking_nested_distinct_locks_are_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_one(w, c, "nest", nested_task), SIM_END_CLEAN);
}
END_TEST

/* ---------------------------------------------------- sleep in atomic -- */

static void sleep_under_spin_task(void *arg)
{
	Ctx *c = arg;

	spin_lock(&c->s);
	c->line = __LINE__; mutex_lock(&c->m);
}

static void sleep_irqs_off_task(void *arg)
{
	Ctx *c = arg;
	unsigned long flags;

	spin_lock_irqsave(&c->s, flags);
	c->line = __LINE__; wait_for_completion(&c->go);
	spin_unlock_irqrestore(&c->s, flags);	/* not reached */
}

static void sleep_in_softirq_task(void *arg)
{
	Ctx *c = arg;

	c->line = __LINE__; mutex_lock(&c->m);
}

static void sleep_after_unlock_task(void *arg)
{
	Ctx *c = arg;
	unsigned long flags;

	spin_lock_irqsave(&c->s, flags);
	spin_unlock_irqrestore(&c->s, flags);
	spin_lock_bh(&c->s);
	spin_unlock_bh(&c->s);
	mutex_lock(&c->m);
	mutex_unlock(&c->m);
}

START_TEST(test_locking_mutex_under_spinlock_is_sleep_in_atomic)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;
	g_autofree char *title = NULL;
	g_autofree char *held = NULL;
	g_autofree char *addr = NULL;

	ck_assert_int_eq(run_one(w, c, "sia", sleep_under_spin_task), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_SLEEP_IN_ATOMIC);
	ck_assert_str_eq(w->bug->func, "sleep_under_spin_task");
	title = g_strdup_printf("BUG: sleeping function called from invalid "
				"context at tests/kapi/test-locking.c:%d", c->line);
	ck_assert_str_eq(bug_title(w), title);
	text = report_text(w);
	addr = addr_of(&c->s.dep_map);
	held = g_strdup_printf(" #0: %s (&c->s){+.+.}-{3:3}, at: sleep_under_spin_task",
			       addr);
	ck_assert_has_line(text, "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, "
			   "pid: 2, name: sia");
	ck_assert_has_line(text, "preempt_count: 1, expected: 0");
	ck_assert_has_line(text, "RCU nest depth: 0, expected: 0");
	ck_assert_has_line(text, "1 lock held by sia/2:");
	ck_assert_has_line(text, held);
	ck_assert_has_line(text, "Call Trace:");
	/* Reported before anything was taken. */
	ck_assert_ptr_null(c->m.owner);
}
END_TEST

START_TEST(test_locking_wait_with_irqs_off_is_sleep_in_atomic)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;

	ck_assert_int_eq(run_one(w, c, "sia", sleep_irqs_off_task), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_SLEEP_IN_ATOMIC);
	text = report_text(w);
	ck_assert_has_line(text, "in_atomic(): 1, irqs_disabled(): 1, non_block: 0, "
			   "pid: 2, name: sia");
}
END_TEST

START_TEST(test_locking_mutex_in_softirq_is_sleep_in_atomic)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;

	one_task_fn = sleep_in_softirq_task;
	one_task_name = "tasklet";
	one_task_ctx = SIM_CTX_SOFTIRQ;
	ck_assert_int_eq(run_first(w, one_task_init, c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_SLEEP_IN_ATOMIC);
	text = report_text(w);
	ck_assert_has_line(text, "preempt_count: 100, expected: 0");
	ck_assert_has_line(text, "no locks held by tasklet/2.");
}
END_TEST

START_TEST(test_locking_sleep_outside_atomic_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_one(w, c, "ok", sleep_after_unlock_task), SIM_END_CLEAN);
	ck_assert_int_eq(sim_task_by_id(w, 2)->preempt_count, 0);
	ck_assert_int_eq(sim_task_by_id(w, 2)->irq_disabled, 0);
}
END_TEST

/* A hardirq handler spinning on a lock a process holds: allowed (it
 * models spinning), not a sleep in atomic context. */
static void spin_holder(void *arg)
{
	Ctx *c = arg;

	spin_lock(&c->s);
	sim_point("test.holder_locked");
	sim_point("test.holder_unlock");
	spin_unlock(&c->s);
}

static void irq_spinner(void *arg)
{
	Ctx *c = arg;

	sim_point("test.irq_try");
	spin_lock(&c->s);
	g_string_append(c->log, "irq got it");
	spin_unlock(&c->s);
}

static void irq_spin_init(SimWorld *w, void *arg)
{
	init_locks(arg);
	sim_task_create(w, "holder", SIM_CTX_PROCESS, 0, spin_holder, arg);
	sim_task_create(w, "irq/9", SIM_CTX_HARDIRQ, 1, irq_spinner, arg);
}

START_TEST(test_locking_spin_waiter_in_hardirq_may_block)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	const SimTraceEvent *ev;

	w->respect_order = true;
	sim_world_add_order(w, "test.holder_locked", "test.irq_try");
	sim_world_add_order(w, "test.irq_try", "test.holder_unlock");
	ck_assert_int_eq(run_first(w, irq_spin_init, c), SIM_END_CLEAN);
	ck_assert_str_eq(c->log->str, "irq got it");
	ev = trace_find(w, SIM_TR_LOCK_CONTEND, "&c->s");
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->task, 3);
	ck_assert_uint_eq(ev->peer, 2);
}
END_TEST

/* --------------------------------------------------------- reinit -- */

/* race: az-blob-spinlock-reinit, in miniature. */
static void reinit_holder(void *arg)
{
	Ctx *c = arg;
	unsigned long flags;

	spin_lock_irqsave(&c->s, flags);
	sim_point("test.held");
	sim_point("test.unlock");
	c->line = __LINE__; spin_unlock_irqrestore(&c->s, flags);
}

static void reinit_prober(void *arg)
{
	Ctx *c = arg;

	sim_point("test.reinit");
	spin_lock_init(&c->s);
	sim_point("test.reinit_done");
}

static void reinit_and_take_prober(void *arg)
{
	Ctx *c = arg;

	sim_point("test.reinit");
	spin_lock_init(&c->s);
	spin_lock(&c->s);		/* the re-initialised lock looks free */
	sim_point("test.reinit_done");
	sim_point("test.after_unlock");
	spin_unlock(&c->s);
}

static void reinit_init(SimWorld *w, void *arg)
{
	init_locks(arg);
	sim_task_create(w, "holder", SIM_CTX_PROCESS, 0, reinit_holder, arg);
	sim_task_create(w, "prober", SIM_CTX_PROCESS, 1, reinit_prober, arg);
}

static void reinit_take_init(SimWorld *w, void *arg)
{
	init_locks(arg);
	sim_task_create(w, "holder", SIM_CTX_PROCESS, 0, reinit_holder, arg);
	sim_task_create(w, "prober", SIM_CTX_PROCESS, 1,
			reinit_and_take_prober, arg);
}

START_TEST(test_locking_spinlock_reinit_while_held_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;
	g_autofree char *lock = NULL;

	w->respect_order = true;
	sim_world_add_order(w, "test.held", "test.reinit");
	sim_world_add_order(w, "test.reinit_done", "test.unlock");
	ck_assert_int_eq(run_first(w, reinit_init, c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_LOCK_REINIT);
	ck_assert_str_eq(w->bug->func, "reinit_holder");
	ck_assert_str_eq(bug_title(w), "BUG: spinlock already unlocked on CPU#0, holder/2");
	text = report_text(w);
	lock = g_strdup_printf(" lock: 0x%016" G_GINT64_MODIFIER "x, .magic: dead4ead, "
			       ".owner: <none>/-1, .owner_cpu: -1",
			       sim_report_obj_addr(c->s.dep_map.__sim_id));
	ck_assert_has_line(text, lock);
	ck_assert_has_line(text, "Call Trace:");
	ck_assert_has_line(text, "hvsim: spin_lock_init() in reinit_prober by prober/3 "
			   "re-initialised this lock while holder/2 held it");
}
END_TEST

START_TEST(test_locking_spinlock_reinit_then_taken_is_wrong_owner)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;
	g_autofree char *lock = NULL;

	w->respect_order = true;
	sim_world_add_order(w, "test.held", "test.reinit");
	sim_world_add_order(w, "test.reinit_done", "test.unlock");
	sim_world_add_order(w, "test.unlock", "test.after_unlock");
	ck_assert_int_eq(run_first(w, reinit_take_init, c), SIM_END_BUG);
	ck_assert_str_eq(bug_title(w), "BUG: spinlock wrong owner on CPU#0, holder/2");
	text = report_text(w);
	lock = g_strdup_printf(" lock: 0x%016" G_GINT64_MODIFIER "x, .magic: dead4ead, "
			       ".owner: prober/3, .owner_cpu: 1",
			       sim_report_obj_addr(c->s.dep_map.__sim_id));
	ck_assert_has_line(text, lock);
}
END_TEST

START_TEST(test_locking_spinlock_reinit_when_free_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	/* Same tasks, but the re-initialisation waits for the unlock. */
	w->respect_order = true;
	sim_world_add_order(w, "test.unlock", "test.reinit");
	ck_assert_int_eq(run_first(w, reinit_init, c), SIM_END_CLEAN);
	ck_assert_ptr_null(w->bug);
}
END_TEST

static void self_reinit_task(void *arg)
{
	Ctx *c = arg;

	spin_lock(&c->s);
	spin_lock_init(&c->s);
}

START_TEST(test_locking_reinit_of_own_held_lock_is_held_lock_freed)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *text = NULL;
	g_autofree char *addr = NULL;
	g_autofree char *freeing = NULL;

	ck_assert_int_eq(run_one(w, c, "selfinit", self_reinit_task), SIM_END_BUG);
	ck_assert_str_eq(bug_title(w), "WARNING: held lock freed!");
	text = report_text(w);
	addr = addr_of(&c->s.dep_map);
	freeing = g_strdup_printf("selfinit/2 is freeing memory %s-%016"
				  G_GINT64_MODIFIER "x, with a lock still held there!",
				  addr, sim_report_obj_addr(c->s.dep_map.__sim_id) +
				  sizeof(spinlock_t) - 1);
	ck_assert_has_line(text, "=========================");
	ck_assert_has_line(text, freeing);
	ck_assert_has_line(text, "1 lock held by selfinit/2:");
}
END_TEST

/* ------------------------------------------------- lockdep_assert_held -- */

static void assert_unheld_task(void *arg)
{
	Ctx *c = arg;

	c->line = __LINE__; lockdep_assert_held(&c->m);
}

static void assert_held_task(void *arg)
{
	Ctx *c = arg;

	mutex_lock(&c->m);
	lockdep_assert_held(&c->m);
	mutex_unlock(&c->m);
	lockdep_assert_not_held(&c->m);
}

START_TEST(test_locking_lockdep_assert_held_warns_when_not_held)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();
	g_autofree char *title = NULL;

	ck_assert_int_eq(run_one(w, c, "checker", assert_unheld_task), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_WARNING);
	title = g_strdup_printf("WARNING: CPU: 0 PID: 2 at tests/kapi/test-locking.c:%d "
				"assert_unheld_task", c->line);
	ck_assert_str_eq(bug_title(w), title);
}
END_TEST

START_TEST(test_locking_lockdep_assert_held_quiet_when_held)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_int_eq(run_one(w, c, "checker", assert_held_task), SIM_END_CLEAN);
}
END_TEST

/* ------------------------------------------------------- zeroed locks -- */

static DEFINE_MUTEX(static_mutex);
static DEFINE_SPINLOCK(static_spin);

static void static_lock_task(void *arg)
{
	Ctx *c = arg;
	SimTask *t = sim_current();

	mutex_lock(&static_mutex);
	/* Never initialised (zeroed): adopted on first use. */
	mutex_lock(&c->m2);
	spin_lock(&static_spin);
	if (t->nheld != 3 || strcmp(t->held[0].name, "static_mutex") != 0 ||
	    strcmp(t->held[1].name, "&c->m2") != 0 ||
	    strcmp(t->held[2].name, "static_spin") != 0)
		c->bad_state = true;
	spin_unlock(&static_spin);
	mutex_unlock(&c->m2);
	mutex_unlock(&static_mutex);
}

static void static_lock_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	memset(&c->m2, 0, sizeof(c->m2));
	c->bad_state = false;
	sim_task_create(w, "static", SIM_CTX_PROCESS, 0, static_lock_task, c);
}

START_TEST(test_locking_static_and_zeroed_locks_are_named_and_work)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new();

	ck_assert_clean(w, run_first(w, static_lock_init, c));
	ck_assert(!c->bad_state);
	ck_assert_int_eq(trace_count(w, SIM_TR_LOCK, "static_mutex"), 1);
	/* A second execution in the same world starts from free locks. */
	ck_assert_clean(w, run_first(w, static_lock_init, c));
	ck_assert(!c->bad_state);
}
END_TEST

static Suite *locking_suite(void)
{
	Suite *s = suite_create("locking");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_locking_mutex_excludes_under_random_schedules);
	tcase_add_test(tc, test_locking_spinlock_excludes_under_random_schedules);
	tcase_add_test(tc, test_locking_no_lock_lets_random_schedules_interleave);
	tcase_add_test(tc, test_locking_contended_mutex_blocks_and_wakes);
	tcase_add_test(tc, test_locking_trylock_fails_on_a_held_lock_without_report);
	tcase_add_test(tc, test_locking_bad_unlock_reported);
	tcase_add_test(tc, test_locking_balanced_unlock_is_quiet);
	tcase_add_test(tc, test_locking_spin_bad_unlock_reported);
	tcase_add_test(tc, test_locking_unlock_of_another_tasks_mutex_reported);
	tcase_add_test(tc, test_locking_recursive_mutex_reported);
	tcase_add_test(tc, test_locking_recursive_spinlock_reported);
	tcase_add_test(tc, test_locking_nested_distinct_locks_are_quiet);
	tcase_add_test(tc, test_locking_mutex_under_spinlock_is_sleep_in_atomic);
	tcase_add_test(tc, test_locking_wait_with_irqs_off_is_sleep_in_atomic);
	tcase_add_test(tc, test_locking_mutex_in_softirq_is_sleep_in_atomic);
	tcase_add_test(tc, test_locking_sleep_outside_atomic_is_quiet);
	tcase_add_test(tc, test_locking_spin_waiter_in_hardirq_may_block);
	tcase_add_test(tc, test_locking_spinlock_reinit_while_held_reported);
	tcase_add_test(tc, test_locking_spinlock_reinit_then_taken_is_wrong_owner);
	tcase_add_test(tc, test_locking_spinlock_reinit_when_free_is_quiet);
	tcase_add_test(tc, test_locking_reinit_of_own_held_lock_is_held_lock_freed);
	tcase_add_test(tc, test_locking_lockdep_assert_held_warns_when_not_held);
	tcase_add_test(tc, test_locking_lockdep_assert_held_quiet_when_held);
	tcase_add_test(tc, test_locking_static_and_zeroed_locks_are_named_and_work);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(locking_suite());
}
