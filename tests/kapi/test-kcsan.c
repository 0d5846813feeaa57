// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the data-race detector (sim/kcsan.c) through the
 * driver-side accessors of <hvsim/kcsan.h> and the shim's synchronisation:
 * an annotated counter two kthreads bump without a lock races, and stays
 * quiet under a mutex, a spinlock, a completion, a work item and its
 * flush, a wait queue, a tasklet, fully ordered atomics and bit
 * operations, the join of kthread_stop(), and a host event; marked
 * accesses never race with each other but a plain write races with a
 * marked read. It checks the report's KCSAN format line by line, the
 * names in its title, and that a seed always gives the same report.
 *
 * It sits between the detector and the engine's public API, compiled
 * against the shim headers like a driver.
 */
#include "sync-test.h"

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <hvsim/kcsan.h>

#include "sim/kcsan.h"

#define LOOPS	10

enum { LOCK_NONE, LOCK_MUTEX, LOCK_SPIN };
enum { ORDERED, UNORDERED };

typedef struct {
	struct mutex lock;
	spinlock_t spin;
	struct completion done;
	wait_queue_head_t wq;
	struct work_struct work;
	struct tasklet_struct tl;
	atomic_t flag;
	unsigned long bits;
	int ready;		/* a wait_event condition, not annotated */
	int *n;			/* the annotated field, on the simulated heap */
	int local;		/* an annotated field outside the heap */
	int mode;		/* the variant the tasks run */
	int seen;		/* what the last reader read */
	bool race_late;		/* the variant that writes after the edge */
} Ctx;

static Ctx *ctx_new(int mode)
{
	Ctx *c = g_new0(Ctx, 1);

	c->mode = mode;
	return c;
}

static void ctx_free(Ctx *c)
{
	g_free(c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ctx, ctx_free)

static SimWorld *world(void)
{
	return sim_current_world();
}

/* The start of every execution's init task: fresh objects, a fresh field. */
static void ctx_init(Ctx *c)
{
	mutex_init(&c->lock);
	spin_lock_init(&c->spin);
	init_completion(&c->done);
	init_waitqueue_head(&c->wq);
	atomic_set(&c->flag, 0);
	c->bits = 0;
	c->ready = 0;
	c->local = 0;
	c->seen = -1;
	c->n = kzalloc(sizeof(*c->n), GFP_KERNEL);
}

/* The formatted report's lines that are not stack frames. */
static GPtrArray *report_skeleton(const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	int i;

	for (i = 0; lines[i]; i++)
		if (lines[i][0] != ' ' && !(lines[i][0] == '\0' && !lines[i + 1]))
			g_ptr_array_add(out, g_strdup(lines[i]));
	return out;
}

static bool line_matches(const char *line, const char *pattern)
{
	return g_regex_match_simple(pattern, line, G_REGEX_ANCHORED, 0);
}

#define ck_assert_data_race(w, end)					\
	do {								\
		g_autofree char *__t = report_text(w);			\
		ck_assert_msg((end) == SIM_END_BUG && (w)->bug &&	\
			      (w)->bug->kind == SIM_BUG_DATA_RACE,	\
			      "expected a data race, got end %d:\n%s",	\
			      (end), __t);				\
	} while (0)

/* ------------------------------------------------------------ counters -- */

/* dev->count++ under the variant's lock; a helper as drivers write them. */
static __always_inline void count_loop(Ctx *c)
{
	int i;

	for (i = 0; i < LOOPS; i++) {
		if (c->mode == LOCK_MUTEX)
			mutex_lock(&c->lock);
		else if (c->mode == LOCK_SPIN)
			spin_lock(&c->spin);
		hvsim_shared_inc(*c->n);
		if (c->mode == LOCK_MUTEX)
			mutex_unlock(&c->lock);
		else if (c->mode == LOCK_SPIN)
			spin_unlock(&c->spin);
		cond_resched();
	}
}

/* Two bodies that differ, or the compiler folds them into one symbol. */
static int counter_a(void *arg)
{
	count_loop(arg);
	return 1;
}

static int counter_b(void *arg)
{
	count_loop(arg);
	return 2;
}

static void counters_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	struct task_struct *ka, *kb;

	ctx_init(c);
	ka = kthread_run(counter_a, c, "count-a");
	kb = kthread_create(counter_b, c, "count-b");
	kthread_bind(kb, 1);
	wake_up_process(kb);
	/* Not an edge: the engine's wait, so that the joins below are what
	 * orders the read after the counters. */
	sim_world_wait_quiescent(w);
	kthread_stop(ka);
	kthread_stop(kb);
	c->seen = hvsim_shared_read(*c->n);
	kfree(c->n);
}

START_TEST(test_kcsan_unlocked_counter_races)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(LOCK_NONE);
	SimEnd end = run_first(w, counters_init, c);

	ck_assert_data_race(w, end);
	ck_assert_str_eq(bug_title(w),
			 "BUG: KCSAN: data-race in counter_a / counter_b");
	ck_assert_str_eq(w->bug->func, "counter_a / counter_b");
	ck_assert_int_eq(c->seen, -1);	/* never got there */
}
END_TEST

/* Whatever the interleaving, the unlocked counters race. */
START_TEST(test_kcsan_unlocked_counter_races_under_every_seed)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(LOCK_NONE);
	uint64_t seed;

	for (seed = 1; seed <= 20; seed++) {
		SimEnd end = run_random(w, seed, counters_init, c);

		ck_assert_data_race(w, end);
		ck_assert_str_eq(bug_title(w),
				 "BUG: KCSAN: data-race in counter_a / counter_b");
	}
}
END_TEST

/* The counters of two kthreads under @lock: clean in every schedule. */
static void assert_counters_quiet_under(int lock)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(lock);
	uint64_t seed;

	ck_assert_clean(w, run_first(w, counters_init, c));
	ck_assert_int_eq(c->seen, 2 * LOOPS);
	for (seed = 1; seed <= 20; seed++) {
		ck_assert_clean(w, run_random(w, seed, counters_init, c));
		ck_assert_int_eq(c->seen, 2 * LOOPS);
	}
}

START_TEST(test_kcsan_counter_under_mutex_is_quiet)
{
	assert_counters_quiet_under(LOCK_MUTEX);
}
END_TEST

START_TEST(test_kcsan_counter_under_spinlock_is_quiet)
{
	assert_counters_quiet_under(LOCK_SPIN);
}
END_TEST

/* --------------------------------------------------------- the report -- */

START_TEST(test_kcsan_report_format)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(LOCK_NONE);
	g_autofree char *text = NULL;
	g_autoptr(GPtrArray) sk = NULL;
	static const char *const expect[] = {
		"={66}$",
		"BUG: KCSAN: data-race in counter_a / counter_b$",
		"$",
		"read-write to 0xffff888[0-9a-f]{9} of 4 bytes by task 2 on cpu 0:$",
		"hvsim: only the accessing frame of this earlier access was "
			"recorded \\(this run keeps no stacks\\)$",
		"$",
		"read-write to 0xffff888[0-9a-f]{9} of 4 bytes by task 3 on cpu 1:$",
		"$",
		"value changed: 0x0000000a -> 0x0000000b$",
		"$",
		"Reported by hvsim race detector \\(happens-before\\) on:$",
		"CPU: 1 PID: 3 Comm: count-b Not tainted hvsim-.*$",
		"Hardware name: hvsim$",
		"hvsim: annotated field \\*c->n, accessed at "
			"tests/kapi/test-kcsan.c:[0-9]+ and "
			"tests/kapi/test-kcsan.c:[0-9]+$",
		"={66}$",
	};
	guint i;

	ck_assert_data_race(w, run_first(w, counters_init, c));
	text = report_text(w);
	sk = report_skeleton(text);
	ck_assert_msg(sk->len == G_N_ELEMENTS(expect), "%u lines:\n%s",
		      sk->len, text);
	for (i = 0; i < sk->len; i++)
		ck_assert_msg(line_matches(g_ptr_array_index(sk, i), expect[i]),
			      "line %u \"%s\" is not /%s/ in:\n%s", i,
			      (char *)g_ptr_array_index(sk, i), expect[i], text);
	/* Both addresses are the same field. */
	{
		g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
		const char *a1 = NULL, *a2 = NULL;

		for (i = 0; lines[i]; i++)
			if (g_str_has_prefix(lines[i], "read-write to "))
				*(a1 ? &a2 : &a1) = lines[i] + 14;
		ck_assert_ptr_nonnull(a2);
		ck_assert_int_eq(strncmp(a1, a2, 18), 0);
	}
	/* The stacks: the helper inline, the kthread function, the shim's
	 * kthread() below it, nothing of the engine. */
	ck_assert_msg(strstr(text, " count_loop tests/kapi/test-kcsan.c:") &&
		      strstr(text, " [inline]\n counter_b+0x") &&
		      strstr(text, " counter_a+0x") &&
		      strstr(text, " kthread+0x"), "stacks:\n%s", text);
	ck_assert_msg(!strstr(text, "sim_kcsan") && !strstr(text, "task_main"),
		      "engine frames in:\n%s", text);
}
END_TEST

/* With stacks on, the earlier access has its whole stack. */
START_TEST(test_kcsan_report_keeps_earlier_stack_when_asked)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(LOCK_NONE);
	g_autofree char *text = NULL;
	g_autofree char *after = NULL;

	w->want_stacks = true;
	ck_assert_data_race(w, run_first(w, counters_init, c));
	text = report_text(w);
	ck_assert_msg(!strstr(text, "hvsim: only the accessing frame"), "%s",
		      text);
	/* The first block: helper, counter_a, then kthread. */
	after = g_strdup(strstr(text, "by task 2 on cpu 0:\n"));
	ck_assert_ptr_nonnull(after);
	ck_assert_msg(strstr(after, " counter_a+0x") &&
		      strstr(after, " counter_a+0x") < strstr(after, " kthread+0x"),
		      "%s", text);
}
END_TEST

/* The same seed gives the same report, in the same world or a new one. */
START_TEST(test_kcsan_report_is_deterministic)
{
	g_autoptr(SimWorld) w1 = sim_world_new();
	g_autoptr(SimWorld) w2 = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(LOCK_NONE);
	g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL;

	ck_assert_data_race(w1, run_random(w1, 7, counters_init, c));
	t1 = report_text(w1);
	ck_assert_data_race(w1, run_random(w1, 7, counters_init, c));
	t2 = report_text(w1);
	ck_assert_data_race(w2, run_random(w2, 7, counters_init, c));
	t3 = report_text(w2);
	ck_assert_str_eq(t1, t2);
	ck_assert_str_eq(t1, t3);
}
END_TEST

/* A field outside the simulated heap prints in the module area. */
static int local_writer(void *arg)
{
	Ctx *c = arg;

	hvsim_shared_write(c->local, 1);
	return 0;
}

static int local_reader(void *arg)
{
	Ctx *c = arg;

	c->seen = hvsim_shared_read(c->local);
	return 0;
}

static void local_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	ctx_init(c);
	kthread_run(local_writer, c, "writer");
	kthread_run(local_reader, c, "reader");
}

START_TEST(test_kcsan_global_field_address)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(0);
	g_autofree char *text = NULL;

	ck_assert_data_race(w, run_first(w, local_init, c));
	text = report_text(w);
	ck_assert_str_eq(bug_title(w),
			 "BUG: KCSAN: data-race in local_reader / local_writer");
	ck_assert_msg(strstr(text, "write to 0xffffffffc1000040 of 4 bytes by task 2") &&
		      strstr(text, "read to 0xffffffffc1000040 of 4 bytes by task 3"),
		      "%s", text);
	/* A read does not change the value: no "value changed" line. */
	ck_assert_msg(!strstr(text, "value changed"), "%s", text);
}
END_TEST

/* ------------------------------------------------------- completions -- */

static void producer(void *arg)
{
	Ctx *c = arg;

	if (c->race_late)
		complete(&c->done);
	hvsim_shared_write(*c->n, 42);
	if (!c->race_late)
		complete(&c->done);
}

static void consumer(void *arg)
{
	Ctx *c = arg;

	wait_for_completion(&c->done);
	c->seen = hvsim_shared_read(*c->n);
}

static void completion_init(SimWorld *w, void *arg)
{
	ctx_init(arg);
	sim_task_create(w, "consumer", SIM_CTX_PROCESS, 0, consumer, arg);
	sim_task_create(w, "producer", SIM_CTX_PROCESS, 1, producer, arg);
}

START_TEST(test_kcsan_completion_orders)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(0);
	uint64_t seed;

	for (seed = 1; seed <= 20; seed++) {
		ck_assert_clean(w, run_random(w, seed, completion_init, c));
		ck_assert_int_eq(c->seen, 42);
	}
	/* Written after complete(): a race whichever access comes first. */
	c->race_late = true;
	for (seed = 1; seed <= 20; seed++) {
		SimEnd end = run_random(w, seed, completion_init, c);

		ck_assert_data_race(w, end);
		ck_assert_str_eq(bug_title(w),
				 "BUG: KCSAN: data-race in consumer / producer");
	}
}
END_TEST

/* -------------------------------------------------------- work items -- */

static void work_fn(struct work_struct *work)
{
	Ctx *c = container_of(work, Ctx, work);

	hvsim_shared_inc(*c->n);
}

static void work_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	ctx_init(c);
	hvsim_shared_write(*c->n, 5);
	INIT_WORK(&c->work, work_fn);
	queue_work(system_wq, &c->work);
	if (c->race_late)
		hvsim_shared_write(*c->n, 7);
	flush_work(&c->work);
	c->seen = hvsim_shared_read(*c->n);
	kfree(c->n);
}

START_TEST(test_kcsan_work_and_flush_order)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(0);
	uint64_t seed;

	ck_assert_clean(w, run_first(w, work_init, c));
	ck_assert_int_eq(c->seen, 6);
	for (seed = 1; seed <= 20; seed++) {
		ck_assert_clean(w, run_random(w, seed, work_init, c));
		ck_assert_int_eq(c->seen, 6);
	}
	/* Written after queue_work, before the flush: the work races. */
	c->race_late = true;
	ck_assert_data_race(w, run_first(w, work_init, c));
	ck_assert_str_eq(bug_title(w),
			 "BUG: KCSAN: data-race in work_fn / work_init");
}
END_TEST

/* ------------------------------------------------------- wait queues -- */

static void event_waiter(void *arg)
{
	Ctx *c = arg;

	wait_event(c->wq, READ_ONCE(c->ready));
	c->seen = hvsim_shared_read(*c->n);
}

static void event_waker(void *arg)
{
	Ctx *c = arg;

	hvsim_shared_write(*c->n, 9);
	WRITE_ONCE(c->ready, 1);
	wake_up(&c->wq);
}

static void waitq_init(SimWorld *w, void *arg)
{
	ctx_init(arg);
	sim_task_create(w, "waiter", SIM_CTX_PROCESS, 0, event_waiter, arg);
	sim_task_create(w, "waker", SIM_CTX_PROCESS, 1, event_waker, arg);
}

/* The waiter sleeps first (lowest id): woken by wake_up(), it is ordered
 * after the waker's write. */
START_TEST(test_kcsan_wake_up_orders_the_woken_waiter)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(0);

	ck_assert_clean(w, run_first(w, waitq_init, c));
	ck_assert_int_eq(c->seen, 9);
	ck_assert_int_eq(trace_count(w, SIM_TR_BLOCK, NULL), 1);
}
END_TEST

/* ---------------------------------------------------------- tasklets -- */

static void tasklet_fn(struct tasklet_struct *t)
{
	Ctx *c = from_tasklet(c, t, tl);

	c->seen = hvsim_shared_read(*c->n);
}

static void scheduler_task(void *arg)
{
	Ctx *c = arg;

	if (!c->race_late)
		hvsim_shared_write(*c->n, 3);
	tasklet_schedule(&c->tl);
	if (c->race_late)
		hvsim_shared_write(*c->n, 3);
}

static void tasklet_test_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	ctx_init(c);
	tasklet_setup(&c->tl, tasklet_fn);
	sim_task_create(w, "scheduler", SIM_CTX_PROCESS, 0, scheduler_task, c);
}

START_TEST(test_kcsan_tasklet_after_write_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(0);
	uint64_t seed;
	g_autofree char *text = NULL;

	ck_assert_clean(w, run_first(w, tasklet_test_init, c));
	ck_assert_int_eq(c->seen, 3);
	for (seed = 1; seed <= 20; seed++)
		ck_assert_clean(w, run_random(w, seed, tasklet_test_init, c));
	/* Written after the schedule: the tasklet (an interrupt) races. */
	c->race_late = true;
	ck_assert_data_race(w, run_first(w, tasklet_test_init, c));
	ck_assert_str_eq(bug_title(w),
			 "BUG: KCSAN: data-race in scheduler_task / tasklet_fn");
	text = report_text(w);
	ck_assert_msg(strstr(text, "write to 0x") &&
		      strstr(text, "of 4 bytes by interrupt on cpu 0:"), "%s",
		      text);
}
END_TEST

/* --------------------------------------------------- marked accesses -- */

static void marked_writer(void *arg)
{
	Ctx *c = arg;

	if (c->mode == ORDERED)		/* here: both sides marked */
		hvsim_shared_write_once(*c->n, 1);
	else
		hvsim_shared_write(*c->n, 1);
}

static void marked_reader(void *arg)
{
	Ctx *c = arg;

	c->seen = hvsim_shared_read_once(*c->n);
}

static void marked_init(SimWorld *w, void *arg)
{
	ctx_init(arg);
	sim_task_create(w, "writer", SIM_CTX_PROCESS, 0, marked_writer, arg);
	sim_task_create(w, "reader", SIM_CTX_PROCESS, 1, marked_reader, arg);
}

START_TEST(test_kcsan_marked_accesses_do_not_race)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(ORDERED);
	uint64_t seed;

	for (seed = 1; seed <= 20; seed++)
		ck_assert_clean(w, run_random(w, seed, marked_init, c));
}
END_TEST

START_TEST(test_kcsan_plain_write_races_marked_read)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(UNORDERED);
	g_autofree char *text = NULL;

	ck_assert_data_race(w, run_first(w, marked_init, c));
	ck_assert_str_eq(bug_title(w),
			 "BUG: KCSAN: data-race in marked_reader / marked_writer");
	text = report_text(w);
	ck_assert_msg(strstr(text, "\nwrite to 0x") &&
		      strstr(text, "\nread (marked) to 0x"), "%s", text);
}
END_TEST

/* ----------------------------------------------------------- atomics -- */

static void publisher(void *arg)
{
	Ctx *c = arg;

	hvsim_shared_write(*c->n, 4);
	if (c->mode == ORDERED)
		(void)atomic_inc_return(&c->flag);	/* fully ordered */
	else
		atomic_inc(&c->flag);			/* unordered */
}

static void subscriber(void *arg)
{
	Ctx *c = arg;

	if (c->mode == ORDERED)
		while (!atomic_add_return(0, &c->flag))
			;
	else
		while (!atomic_read(&c->flag))
			;
	c->seen = hvsim_shared_read(*c->n);
}

static void atomic_init_fn(SimWorld *w, void *arg)
{
	ctx_init(arg);
	sim_task_create(w, "subscriber", SIM_CTX_PROCESS, 0, subscriber, arg);
	sim_task_create(w, "publisher", SIM_CTX_PROCESS, 1, publisher, arg);
}

START_TEST(test_kcsan_value_returning_atomics_order)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(ORDERED);
	uint64_t seed;

	for (seed = 1; seed <= 20; seed++) {
		ck_assert_clean(w, run_random(w, seed, atomic_init_fn, c));
		ck_assert_int_eq(c->seen, 4);
	}
	c->mode = UNORDERED;
	for (seed = 1; seed <= 20; seed++) {
		SimEnd end = run_random(w, seed, atomic_init_fn, c);

		ck_assert_data_race(w, end);
		ck_assert_str_eq(bug_title(w),
				 "BUG: KCSAN: data-race in publisher / subscriber");
	}
}
END_TEST

static void bit_publisher(void *arg)
{
	Ctx *c = arg;

	hvsim_shared_write(*c->n, 8);
	if (c->mode == ORDERED)
		(void)test_and_set_bit(0, &c->bits);	/* fully ordered */
	else
		set_bit(0, &c->bits);			/* unordered */
}

static void bit_subscriber(void *arg)
{
	Ctx *c = arg;

	while (!test_and_clear_bit(0, &c->bits))
		;
	c->seen = hvsim_shared_read(*c->n);
}

static void bit_init(SimWorld *w, void *arg)
{
	ctx_init(arg);
	sim_task_create(w, "bit-sub", SIM_CTX_PROCESS, 0, bit_subscriber, arg);
	sim_task_create(w, "bit-pub", SIM_CTX_PROCESS, 1, bit_publisher, arg);
}

START_TEST(test_kcsan_bitops_order_as_the_lkmm_says)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(ORDERED);
	uint64_t seed;

	for (seed = 1; seed <= 20; seed++) {
		ck_assert_clean(w, run_random(w, seed, bit_init, c));
		ck_assert_int_eq(c->seen, 8);
	}
	/* set_bit() releases nothing, even to a test_and_clear_bit(). */
	c->mode = UNORDERED;
	for (seed = 1; seed <= 20; seed++)
		ck_assert_data_race(w, run_random(w, seed, bit_init, c));
}
END_TEST

/* -------------------------------------------------------- host events -- */

static void host_event(SimWorld *w, void *arg, uint64_t unused)
{
	Ctx *c = arg;

	sim_kapi_tasklet_schedule_world(w, &c->tl);
}

static void event_writer(void *arg)
{
	Ctx *c = arg;

	hvsim_shared_write(*c->n, 3);
	if (!c->race_late)
		sim_event_after(world(), 10 * SIM_USEC, host_event, c, 0);
}

static void host_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	ctx_init(c);
	tasklet_setup(&c->tl, tasklet_fn);
	/* The late variant: the event is queued before the writer exists,
	 * by a task that wrote nothing (a scenario's timeline event). */
	if (c->race_late)
		sim_event_after(w, 10 * SIM_USEC, host_event, c, 0);
	sim_task_create(w, "writer", SIM_CTX_PROCESS, 0, event_writer, c);
}

/* An interrupt the host raises in answer to a task is ordered after it. */
START_TEST(test_kcsan_host_event_carries_its_queuer)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(0);

	ck_assert_clean(w, run_first(w, host_init, c));
	ck_assert_int_eq(c->seen, 3);
	ck_assert_uint_eq(sim_now(w), 10 * SIM_USEC);
}
END_TEST

/*
 * An event nobody's write led to is ordered after nothing: with the
 * engine's event hooks the tasklet it schedules races with the writer.
 * Without them the engine stands after every task, which hides the race
 * (never invents one).
 */
START_TEST(test_kcsan_unrelated_host_event_races)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(0);
	SimEnd end;

	c->race_late = true;
	end = run_first(w, host_init, c);
	if (sim_kcsan_events_precise(w)) {
		ck_assert_data_race(w, end);
		ck_assert_str_eq(bug_title(w),
				 "BUG: KCSAN: data-race in event_writer / tasklet_fn");
	} else {
		ck_assert_clean(w, end);
		ck_assert_int_eq(c->seen, 3);
	}
}
END_TEST

/*
 * An interrupt handler a device model runs in engine context (as vmbus_isr
 * is): its accesses are the engine's, "by interrupt". What it schedules is
 * ordered after them; a task that synchronises with nothing races.
 */
static void isr_write(SimWorld *w, void *arg, uint64_t unused)
{
	Ctx *c = arg;

	hvsim_shared_write(*c->n, 3);
	sim_kapi_tasklet_schedule_world(w, &c->tl);
}

static void late_reader(void *arg)
{
	Ctx *c = arg;

	msleep(1);
	c->seen = hvsim_shared_read(*c->n);
}

static void isr_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	ctx_init(c);
	tasklet_setup(&c->tl, tasklet_fn);
	sim_event_after(w, 10 * SIM_USEC, isr_write, c, 0);
	if (c->race_late)
		sim_task_create(w, "reader", SIM_CTX_PROCESS, 1, late_reader, c);
}

START_TEST(test_kcsan_interrupt_handler_in_engine_context)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(0);
	g_autofree char *text = NULL;

	ck_assert_clean(w, run_first(w, isr_init, c));
	ck_assert_int_eq(c->seen, 3);
	c->race_late = true;
	ck_assert_data_race(w, run_first(w, isr_init, c));
	ck_assert_str_eq(bug_title(w),
			 "BUG: KCSAN: data-race in isr_write / late_reader");
	text = report_text(w);
	ck_assert_msg(strstr(text, "\nwrite to 0x") &&
		      strstr(text, " bytes by interrupt on cpu 0:\n isr_write+0x") &&
		      strstr(text, "\nread to 0x") &&
		      strstr(text, " bytes by task 2 on cpu 1:\n late_reader+0x"),
		      "%s", text);
}
END_TEST

/* ------------------------------------------------------------- cost -- */

/* Locks and completions alone never wake the detector up. */
static void no_field_task(void *arg)
{
	Ctx *c = arg;
	int i;

	for (i = 0; i < LOOPS; i++) {
		mutex_lock(&c->lock);
		c->seen = i;
		mutex_unlock(&c->lock);
	}
	complete(&c->done);
}

static void no_field_init(SimWorld *w, void *arg)
{
	ctx_init(arg);
	sim_task_create(w, "a", SIM_CTX_PROCESS, 0, no_field_task, arg);
	sim_task_create(w, "b", SIM_CTX_PROCESS, 1, no_field_task, arg);
}

START_TEST(test_kcsan_sleeps_without_annotated_fields)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(0);

	ck_assert_clean(w, run_first(w, no_field_init, c));
	ck_assert_ptr_null(w->ext[SIM_KCSAN_EXT_SLOT]);
	ck_assert(!sim_kcsan_on(w));
	/* Woken by a field in one execution, asleep again in the next. */
	ck_assert_clean(w, run_first(w, work_init, c));
	ck_assert_ptr_nonnull(w->ext[SIM_KCSAN_EXT_SLOT]);
	ck_assert_clean(w, run_first(w, no_field_init, c));
	ck_assert(!sim_kcsan_on(w));
}
END_TEST

/* A world without the detector: the race goes unreported, and back on. */
START_TEST(test_kcsan_can_be_switched_off)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(Ctx) c = ctx_new(LOCK_NONE);

	sim_kcsan_set_enabled(w, false);
	ck_assert_clean(w, run_first(w, counters_init, c));
	ck_assert_int_eq(c->seen, 2 * LOOPS);
	ck_assert(!sim_kcsan_on(w));
	sim_kcsan_set_enabled(w, true);
	ck_assert_data_race(w, run_first(w, counters_init, c));
}
END_TEST

static Suite *kcsan_suite(void)
{
	Suite *s = suite_create("kcsan");
	TCase *tc = tcase_create("kcsan");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_kcsan_unlocked_counter_races);
	tcase_add_test(tc, test_kcsan_unlocked_counter_races_under_every_seed);
	tcase_add_test(tc, test_kcsan_counter_under_mutex_is_quiet);
	tcase_add_test(tc, test_kcsan_counter_under_spinlock_is_quiet);
	tcase_add_test(tc, test_kcsan_report_format);
	tcase_add_test(tc, test_kcsan_report_keeps_earlier_stack_when_asked);
	tcase_add_test(tc, test_kcsan_report_is_deterministic);
	tcase_add_test(tc, test_kcsan_global_field_address);
	tcase_add_test(tc, test_kcsan_completion_orders);
	tcase_add_test(tc, test_kcsan_work_and_flush_order);
	tcase_add_test(tc, test_kcsan_wake_up_orders_the_woken_waiter);
	tcase_add_test(tc, test_kcsan_tasklet_after_write_is_quiet);
	tcase_add_test(tc, test_kcsan_marked_accesses_do_not_race);
	tcase_add_test(tc, test_kcsan_plain_write_races_marked_read);
	tcase_add_test(tc, test_kcsan_value_returning_atomics_order);
	tcase_add_test(tc, test_kcsan_bitops_order_as_the_lkmm_says);
	tcase_add_test(tc, test_kcsan_host_event_carries_its_queuer);
	tcase_add_test(tc, test_kcsan_unrelated_host_event_races);
	tcase_add_test(tc, test_kcsan_interrupt_handler_in_engine_context);
	tcase_add_test(tc, test_kcsan_sleeps_without_annotated_fields);
	tcase_add_test(tc, test_kcsan_can_be_switched_off);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(kcsan_suite());
}
