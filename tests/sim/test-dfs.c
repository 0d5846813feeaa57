// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the exhaustive search (sim/dfs.c), the step footprints
 * it compares (sim/footprint.c) and the runaway guard in the KASAN hooks
 * (sim/kasan.c). Tiny programs run in a bare world: an init task starts
 * two tasks whose loads and stores go through tests/sim/dfs-helper.c,
 * compiled like a driver. The scenarios (canary, storvsc) run as the
 * other scenario tests run them.
 *
 * The interleaving counts are worked out by hand. Two tasks of three
 * steps each (two yields, then exit) interleave in C(6,3) = 20 ways. A
 * schedule with r runs of consecutive steps switches r - 1 times, and the
 * last switch comes after a task exited, which is free: it has r - 2
 * preemptions. Starting with either task, r runs split into ceil(r/2)
 * and floor(r/2) runs of three steps, C(2, k-1) ways for k runs:
 *   r = 2: 2 schedules (0 preemptions)   r = 3: 4 (1)   r = 4: 8 (2)
 *   r = 5: 4 (3)                         r = 6: 2 (4)
 * so bounds 0, 1, 2, 3, 4 allow 2, 6, 14, 18 and 20 schedules.
 */
#include <check.h>
#include <string.h>

#include <glib.h>

#include "sim/dfs.h"
#include "sim/footprint.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/world.h"

#include "dfs-helper.h"

/* ------------------------------------------------------ tiny programs -- */

typedef enum {
	PROG_PRIVATE,	/* each task writes its own cells */
	PROG_COUNTER,	/* each task increments a shared counter, racily */
	PROG_SPIN,	/* one task walks a circular list: a runaway */
	PROG_LOOP,	/* one task loops with cond_resched() */
	PROG_COPY,	/* each task memcpy()s a shared buffer into its cells */
} ProgKind;

typedef struct {
	ProgKind kind;
	unsigned long cell[2][3];
	unsigned long counter;
	unsigned long flag;
	unsigned long shared[3];
	struct dfs_helper_node ring[2];
	unsigned long loop_cells[1024];
	unsigned long loop_n, loop_every, loop_sum;
	/* Outcomes seen: final counter value 1 or 2. */
	unsigned outcomes[3];
} Prog;

typedef struct {
	Prog *p;
	int idx;
} TaskArg;

static TaskArg task_args[2];

/*
 * The program's memory is a global, like a driver's: its address is the
 * same in every execution (memory at no stable address, such as the test
 * thread's stack, is one "unstable" location to footprints).
 */
static Prog the_prog;

static Prog *prog(ProgKind kind)
{
	memset(&the_prog, 0, sizeof(the_prog));
	the_prog.kind = kind;
	return &the_prog;
}

static void prog_task(void *arg)
{
	TaskArg *a = arg;
	Prog *p = a->p;
	SimWorld *w = sim_current_world();
	unsigned long t;
	int s;

	switch (p->kind) {
	case PROG_PRIVATE:
		for (s = 0; s < 2; s++) {
			dfs_helper_write(&p->cell[a->idx][s], 1);
			sim_yield(w);
		}
		dfs_helper_write(&p->cell[a->idx][2], 1);
		break;
	case PROG_COUNTER:
		t = dfs_helper_read(&p->counter);
		sim_yield(w);
		dfs_helper_write(&p->counter, t + 1);
		break;
	case PROG_SPIN:
		dfs_helper_walk(&p->ring[0]);
		break;
	case PROG_LOOP:
		p->loop_sum = dfs_helper_loop(p->loop_cells, p->loop_n,
					      p->loop_every);
		break;
	case PROG_COPY:
		dfs_helper_copy(p->cell[a->idx], p->shared, sizeof(p->shared));
		break;
	}
}

static void prog_init(SimWorld *w, void *arg)
{
	Prog *p = arg;
	int ntasks = p->kind == PROG_SPIN || p->kind == PROG_LOOP ? 1 : 2;
	unsigned long c;
	int i;

	memset(p->cell, 0, sizeof(p->cell));
	memset(p->loop_cells, 0, sizeof(p->loop_cells));
	p->counter = 0;
	p->flag = 0;
	p->ring[0] = (struct dfs_helper_node){ &p->ring[1], 1 };
	p->ring[1] = (struct dfs_helper_node){ &p->ring[0], 2 };
	for (i = 0; i < ntasks; i++) {
		task_args[i] = (TaskArg){ p, i };
		sim_task_create(w, p->kind == PROG_SPIN ? "spinner" :
				i ? "b" : "a", SIM_CTX_PROCESS, i, prog_task,
				&task_args[i]);
	}
	if (p->kind != PROG_COUNTER)
		return;
	sim_world_wait_quiescent(w);
	/* Read through the instrumented helper, like a driver would. */
	c = dfs_helper_read(&p->counter);
	p->outcomes[c <= 2 ? c : 0]++;
	if (c != 2)
		sim_report_raise_task(w, sim_report_new(w, SIM_BUG_BUG,
			"prog_init", "BUG: lost update (counter %lu)", c));
}

/* Totals of one whole search. */
typedef struct {
	uint64_t executions, complete_runs, bugs, blocked;
	SimDfsStats stats;
} Search;

static Search search(SimWorld *w, Prog *p, uint32_t bound, bool por,
		     SimInitFn init, void *arg)
{
	g_autoptr(SimDfs) d = sim_dfs_new(w, bound, por);
	Search r = { 0 };
	gboolean blocked;
	SimEnd end;

	if (p)
		memset(p->outcomes, 0, sizeof(p->outcomes));
	while (sim_dfs_next(d, 1, init, arg, &end, &blocked)) {
		r.executions++;
		if (blocked) {
			r.blocked++;
			continue;
		}
		r.complete_runs++;
		r.bugs += end == SIM_END_BUG;
	}
	ck_assert_msg(!sim_dfs_error(d), "%s", sim_dfs_error(d));
	r.stats = *sim_dfs_stats(d);
	ck_assert(r.stats.complete);
	ck_assert_uint_eq(r.stats.executions, r.executions);
	ck_assert_uint_eq(r.stats.anomalies, 0);
	return r;
}

static SimWorld *bare_world(void)
{
	SimWorld *w = sim_world_new();

	w->trace_on = false;
	return w;
}

/* ------------------------------------------------------------- counting -- */

START_TEST(test_dfs_counts_interleavings_by_bound)
{
	static const uint64_t expect[] = { 2, 6, 14, 18, 20 };
	g_autoptr(SimWorld) w = bare_world();
	Prog *p = prog(PROG_PRIVATE);
	uint32_t k;

	for (k = 0; k < G_N_ELEMENTS(expect); k++) {
		Search s = search(w, p, k, false, prog_init, p);

		ck_assert_msg(s.executions == expect[k], "bound %u: %" G_GUINT64_FORMAT
			      " executions, expected %" G_GUINT64_FORMAT, k,
			      s.executions, expect[k]);
		ck_assert_uint_eq(s.blocked, 0);
		ck_assert_uint_eq(s.stats.pruned, 0);
	}
	ck_assert_uint_eq(search(w, p, SIM_DFS_UNBOUNDED, false, prog_init,
				 p).executions, 20);
}
END_TEST

START_TEST(test_dfs_execution_zero_is_the_first_schedule)
{
	g_autoptr(SimWorld) w = bare_world();
	g_autoptr(SimDfs) d = sim_dfs_new(w, 2, true);
	g_autoptr(GArray) first = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	SimStrategy *s = sim_strategy_first();
	Prog *p = prog(PROG_PRIVATE);
	const uint32_t *dec;
	gboolean blocked;
	SimEnd end;
	size_t n, m;

	sim_world_run(w, s, 1, SIM_DFS_WORLD_EXECUTION, prog_init, p);
	dec = sim_world_schedule(w, &n);
	g_array_append_vals(first, dec, n);
	ck_assert(sim_dfs_next(d, 1, prog_init, p, &end, &blocked));
	dec = sim_world_schedule(w, &m);
	ck_assert_uint_eq(m, n);
	ck_assert(memcmp(dec, first->data, n * sizeof(*dec)) == 0);
	sim_strategy_free(s);
}
END_TEST

/* ------------------------------------------------------------ sleep sets -- */

START_TEST(test_dfs_sleep_sets_prune_independent_steps)
{
	g_autoptr(SimWorld) w = bare_world();
	Prog *p = prog(PROG_PRIVATE);
	uint32_t k;

	/* Without a bound every schedule of disjoint writes is one: a
	 * single execution runs to the end, the others stop asleep. */
	{
		Search full = search(w, p, SIM_DFS_UNBOUNDED, false,
				     prog_init, p);
		Search por = search(w, p, SIM_DFS_UNBOUNDED, true, prog_init,
				    p);

		ck_assert_uint_eq(por.complete_runs, 1);
		ck_assert_uint_lt(por.executions, full.executions);
		ck_assert_uint_gt(por.stats.pruned, 0);
		ck_assert_uint_eq(por.bugs, full.bugs);
		ck_assert_uint_eq(por.bugs, 0);
	}
	/* Under a bound, fewer schedules than without reduction, and
	 * never more. */
	for (k = 1; k <= 4; k++) {
		Search full = search(w, p, k, false, prog_init, p);
		Search por = search(w, p, k, true, prog_init, p);

		ck_assert_uint_lt(por.complete_runs, full.complete_runs);
		ck_assert_uint_ge(por.complete_runs, 1);
		ck_assert_uint_eq(por.bugs, 0);
	}
}
END_TEST

START_TEST(test_dfs_sleep_sets_keep_dependent_race)
{
	g_autoptr(SimWorld) w = bare_world();
	Prog *p = prog(PROG_COUNTER);
	uint32_t bounds[] = { 1, 2, SIM_DFS_UNBOUNDED };
	unsigned i;

	for (i = 0; i < G_N_ELEMENTS(bounds); i++) {
		Search full = search(w, p, bounds[i], false, prog_init, p);
		unsigned lost_full = p->outcomes[1], ok_full = p->outcomes[2];
		Search por = search(w, p, bounds[i], true, prog_init, p);

		/* The lost update needs read, read, write, write: found by
		 * both, and both outcomes are reached with reduction. */
		ck_assert_uint_gt(lost_full, 0);
		ck_assert_uint_gt(ok_full, 0);
		ck_assert_uint_gt(p->outcomes[1], 0);
		ck_assert_uint_gt(p->outcomes[2], 0);
		ck_assert_uint_gt(full.bugs, 0);
		ck_assert_uint_gt(por.bugs, 0);
		ck_assert_uint_le(por.executions, full.executions);
	}
	/* Bound 0 runs one task to its end, then the other: no race. */
	ck_assert_uint_eq(search(w, p, 0, true, prog_init, p).bugs, 0);
}
END_TEST

START_TEST(test_dfs_search_is_repeatable)
{
	g_autoptr(SimWorld) w = bare_world();
	Prog *p = prog(PROG_COUNTER);
	Search a = search(w, p, 2, true, prog_init, p);
	Search b = search(w, p, 2, true, prog_init, p);

	ck_assert_uint_eq(a.executions, b.executions);
	ck_assert_uint_eq(a.blocked, b.blocked);
	ck_assert_uint_eq(a.stats.pruned, b.stats.pruned);
	ck_assert_uint_eq(a.bugs, b.bugs);
}
END_TEST

/* ------------------------------------------------------------ footprints -- */

typedef struct {
	SimFp *fp[4][4];	/* [task id][step], first steps only */
	unsigned nsteps[4];
} Steps;

static void record_all(void *arg, SimTask *t)
{
	SimFootprint **f = arg;

	sim_footprint_record_next(*f);
}

static Steps *steps_of;

static void keep_step(void *arg, SimTask *t, SimFp *fp)
{
	Steps *s = steps_of;

	if (t->id < 4 && s->nsteps[t->id] < 4)
		s->fp[t->id][s->nsteps[t->id]++] = fp;
	else
		sim_fp_free(fp);
}

/*
 * Run @p once with @decisions (task ids at the decision points; past
 * them, non-preemptively), recording every step's footprint.
 */
static void record_steps(Prog *p, Steps *s, const uint32_t *decisions,
			 size_t n)
{
	g_autoptr(SimWorld) w = bare_world();
	SimStrategy *first = sim_strategy_replay(decisions, n);
	SimFootprint *f = NULL;

	memset(s, 0, sizeof(*s));
	steps_of = s;
	f = sim_footprint_new(record_all, keep_step, &f);
	w->trace_on = true;
	sim_footprint_attach(w, f);
	sim_world_run(w, first, 1, 0, prog_init, p);
	sim_footprint_attach(w, NULL);
	sim_footprint_free(f);
	sim_strategy_free(first);
}

static void steps_free(Steps *s)
{
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			sim_fp_free(s->fp[i][j]);
}

START_TEST(test_footprint_sees_driver_loads_and_stores)
{
	static const uint32_t read_read_write[] = { 2, 3, 2 };
	Prog *p = prog(PROG_COUNTER);
	Steps s;

	/* a (task 2) reads, b (3) reads, a writes and exits, b writes: step
	 * 0 of each loads the counter, step 1 stores it. A load by driver
	 * code counts as a write (the compiler may have folded the check of
	 * a store to the same address into it): no two of them commute. */
	record_steps(p, &s, read_read_write, 3);
	ck_assert(sim_fp_has(s.fp[2][0], &p->counter, true));
	ck_assert(sim_fp_has(s.fp[2][1], &p->counter, true));
	ck_assert(!sim_fp_has(s.fp[2][0], &p->flag, false));
	ck_assert(!sim_fp_has(s.fp[2][0], &p->flag, true));
	ck_assert(sim_fp_conflict(s.fp[2][0], s.fp[3][0]));
	ck_assert(sim_fp_conflict(s.fp[2][0], s.fp[3][1]));
	ck_assert(sim_fp_conflict(s.fp[2][1], s.fp[3][1]));
	steps_free(&s);

	/* memcpy() from one buffer into two: the shim's checked read is a
	 * plain read, and two of them commute. */
	p->kind = PROG_COPY;
	record_steps(p, &s, NULL, 0);
	ck_assert(sim_fp_has(s.fp[2][0], &p->shared[1], false));
	ck_assert(!sim_fp_has(s.fp[2][0], &p->shared[1], true));
	ck_assert(sim_fp_has(s.fp[2][0], &p->cell[0][2], true));
	ck_assert(sim_fp_has(s.fp[3][0], &p->cell[1][2], true));
	ck_assert(!sim_fp_conflict(s.fp[2][0], s.fp[3][0]));
	steps_free(&s);

	/* Non-preemptive: a runs its three steps, then b, alone, runs
	 * through its yields in one step. */
	p->kind = PROG_PRIVATE;
	record_steps(p, &s, NULL, 0);
	ck_assert_uint_eq(s.nsteps[2], 3);
	ck_assert_uint_eq(s.nsteps[3], 1);
	ck_assert(sim_fp_has(s.fp[2][0], &p->cell[0][0], true));
	ck_assert(sim_fp_has(s.fp[3][0], &p->cell[1][2], true));
	/* Disjoint cells, and each task's stack renamed apart. */
	for (int i = 0; i < 3; i++)
		ck_assert_msg(!sim_fp_conflict(s.fp[2][i], s.fp[3][0]),
			      "step %d of a vs b", i);
	steps_free(&s);
}
END_TEST

/* --------------------------------------------------------------- runaway -- */

static void assert_soft_lockup(SimWorld *w, SimEnd end, uint64_t accesses)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *note = g_strdup_printf(
		"hvsim: runaway: task spinner/2 executed %" G_GUINT64_FORMAT
		" memory accesses without a scheduling point", accesses);

	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_SOFT_LOCKUP);
	ck_assert_str_eq(w->bug->title,
			 "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! "
			 "[spinner:2]");
	ck_assert_str_eq(w->bug->func, "dfs_helper_walk");
	sim_report_format(w, out);
	ck_assert_msg(strstr(out->str, note), "%s", out->str);
	ck_assert_msg(strstr(out->str, "RIP: 0010:dfs_helper_walk"), "%s",
		      out->str);
	ck_assert_msg(strstr(out->str, " dfs_helper_walk+0x"), "%s", out->str);
}

START_TEST(test_runaway_is_a_soft_lockup_in_every_strategy)
{
	g_autoptr(SimWorld) w = bare_world();
	Prog *p = prog(PROG_SPIN);
	SimStrategy *st[] = { sim_strategy_first(), sim_strategy_random(),
			      sim_strategy_pct(2, 10) };
	gboolean blocked;
	SimEnd end;
	unsigned i;

	w->limits.max_step_accesses = 100000;
	for (i = 0; i < G_N_ELEMENTS(st); i++) {
		end = sim_world_run(w, st[i], 1, i, prog_init, p);
		assert_soft_lockup(w, end, 100001);
		sim_strategy_free(st[i]);
	}
	{
		g_autoptr(SimDfs) d = sim_dfs_new(w, 2, true);

		ck_assert(sim_dfs_next(d, 1, prog_init, p, &end, &blocked));
		ck_assert(!blocked);
		assert_soft_lockup(w, end, 100001);
	}
}
END_TEST

START_TEST(test_runaway_default_budget_is_ten_million_accesses)
{
	g_autoptr(SimWorld) w = bare_world();
	SimStrategy *s = sim_strategy_first();
	Prog *p = prog(PROG_SPIN);
	SimEnd end = sim_world_run(w, s, 1, 0, prog_init, p);

	assert_soft_lockup(w, end, SIM_MAX_STEP_ACCESSES + 1);
	sim_strategy_free(s);
}
END_TEST

START_TEST(test_runaway_quiet_when_the_loop_reaches_scheduling_points)
{
	g_autoptr(SimWorld) w = bare_world();
	SimStrategy *s = sim_strategy_first();
	Prog *p = prog(PROG_LOOP);

	p->loop_n = 300000;
	p->loop_every = 1000;

	/* 300,000 checked accesses (the store's check is folded into the
	 * load's), a scheduling point every 1,000: far past the limit in
	 * total, never in one step. */
	w->limits.max_step_accesses = 100000;
	ck_assert_int_eq(sim_world_run(w, s, 1, 0, prog_init, p),
			 SIM_END_CLEAN);
	ck_assert_uint_eq(p->loop_sum, 300000);
	/* The same loop without the points is a runaway. */
	p->loop_every = 0;
	ck_assert_int_eq(sim_world_run(w, s, 1, 1, prog_init, p),
			 SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_SOFT_LOCKUP);
	sim_strategy_free(s);
}
END_TEST

/* ------------------------------------------------------------- scenarios -- */

static SimScenario *load_scenario(const char *name)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *path = g_build_filename(g_getenv("HVSIM_SOURCE_ROOT"),
						 "scenarios", name, NULL);
	SimScenario *s = sim_scenario_load(path, &err);

	ck_assert_msg(s, "load: %s", err ? err->message : "?");
	return s;
}

static SimWorld *scenario_world(const SimScenario *scn, const char *variant)
{
	SimWorld *w = sim_world_new();

	ck_assert(sim_scenario_apply(scn, w, variant, NULL));
	w->respect_order = false;
	w->trace_on = false;
	w->want_stacks = false;
	return w;
}

/* A whole search of @scn; counts executions ending with a bug of @kind. */
static Search search_scenario(SimWorld *w, const SimScenario *scn,
			      uint32_t bound, bool por, SimBugKind kind,
			      uint64_t *found)
{
	g_autoptr(SimDfs) d = sim_dfs_new(w, bound, por);
	Search r = { 0 };
	gboolean blocked;
	SimEnd end;

	*found = 0;
	while (sim_dfs_next(d, scn->seed, sim_scenario_init, (void *)scn,
			    &end, &blocked)) {
		r.executions++;
		if (blocked)
			continue;
		r.complete_runs++;
		r.bugs += end == SIM_END_BUG;
		*found += end == SIM_END_BUG && w->bug->kind == kind;
	}
	ck_assert_msg(!sim_dfs_error(d), "%s", sim_dfs_error(d));
	r.stats = *sim_dfs_stats(d);
	ck_assert(r.stats.complete);
	ck_assert_uint_eq(r.stats.anomalies, 0);
	return r;
}

START_TEST(test_dfs_finds_the_canary_deadlock)
{
	g_autoptr(SimScenario) scn = load_scenario("canary-abba-deadlock.scn");
	g_autoptr(SimWorld) w = scenario_world(scn, "pre-fix");
	uint64_t found, found_full;
	Search por = search_scenario(w, scn, 1, true, SIM_BUG_DEADLOCK,
				     &found);
	Search full = search_scenario(w, scn, 1, false, SIM_BUG_DEADLOCK,
				      &found_full);

	/* One preemption, after the first lock, deadlocks it. */
	ck_assert_uint_gt(found, 0);
	ck_assert_uint_gt(found_full, 0);
	ck_assert_uint_lt(por.complete_runs, full.complete_runs);
}
END_TEST

START_TEST(test_dfs_finds_the_storvsc_race_pre_fix)
{
	g_autoptr(SimScenario) scn =
		load_scenario("storvsc-subchannel-race.scn");
	g_autoptr(SimWorld) w = scenario_world(scn, "pre-fix");
	uint64_t found;
	Search s = search_scenario(w, scn, 1, true, SIM_BUG_PAGE_FAULT,
				   &found);

	ck_assert_uint_gt(found, 0);
	ck_assert_uint_gt(s.stats.pruned, 0);
}
END_TEST

START_TEST(test_dfs_storvsc_post_fix_clean_at_bound_2_twice_alike)
{
	g_autoptr(SimScenario) scn =
		load_scenario("storvsc-subchannel-race.scn");
	g_autoptr(SimWorld) w = scenario_world(scn, "post-fix");
	uint64_t found;
	Search a = search_scenario(w, scn, 2, true, SIM_BUG_NONE, &found);
	Search b = search_scenario(w, scn, 2, true, SIM_BUG_NONE, &found);

	ck_assert_uint_eq(a.bugs, 0);
	ck_assert_uint_eq(b.bugs, 0);
	ck_assert_uint_eq(a.executions, b.executions);
	ck_assert_uint_eq(a.stats.pruned, b.stats.pruned);
	ck_assert_uint_eq(a.stats.sleep_blocked, b.stats.sleep_blocked);
	ck_assert_uint_gt(a.stats.pruned, 0);
}
END_TEST

START_TEST(test_dfs_schedule_replays_to_the_same_bug)
{
	g_autoptr(SimScenario) scn =
		load_scenario("storvsc-subchannel-race.scn");
	g_autoptr(SimWorld) w = scenario_world(scn, "pre-fix");
	g_autoptr(SimDfs) d = sim_dfs_new(w, 1, true);
	g_autofree char *sig = NULL, *again = NULL;
	gboolean blocked;
	SimEnd end = SIM_END_CLEAN;
	const uint32_t *dec;
	SimStrategy *r;
	size_t n;

	while (sim_dfs_next(d, scn->seed, sim_scenario_init, (void *)scn,
			    &end, &blocked))
		if (!blocked && end == SIM_END_BUG)
			break;
	ck_assert_int_eq(end, SIM_END_BUG);
	sig = sim_report_signature(w);
	dec = sim_world_schedule(w, &n);
	r = sim_strategy_replay(dec, n);
	w->trace_on = w->want_stacks = true;
	ck_assert_int_eq(sim_world_run(w, r, scn->seed, SIM_DFS_WORLD_EXECUTION,
				       sim_scenario_init, (void *)scn),
			 SIM_END_BUG);
	ck_assert_ptr_null(w->divergence);
	again = sim_report_signature(w);
	ck_assert_str_eq(again, sig);
	sim_strategy_free(r);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("dfs");
	TCase *tc = tcase_create("search");
	TCase *tf = tcase_create("footprint");
	TCase *tr = tcase_create("runaway");
	TCase *ts = tcase_create("scenarios");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_dfs_counts_interleavings_by_bound);
	tcase_add_test(tc, test_dfs_execution_zero_is_the_first_schedule);
	tcase_add_test(tc, test_dfs_sleep_sets_prune_independent_steps);
	tcase_add_test(tc, test_dfs_sleep_sets_keep_dependent_race);
	tcase_add_test(tc, test_dfs_search_is_repeatable);
	suite_add_tcase(su, tc);
	tcase_add_test(tf, test_footprint_sees_driver_loads_and_stores);
	suite_add_tcase(su, tf);
	tcase_add_test(tr, test_runaway_is_a_soft_lockup_in_every_strategy);
	tcase_add_test(tr, test_runaway_default_budget_is_ten_million_accesses);
	tcase_add_test(tr, test_runaway_quiet_when_the_loop_reaches_scheduling_points);
	suite_add_tcase(su, tr);
	tcase_add_test(ts, test_dfs_finds_the_canary_deadlock);
	tcase_add_test(ts, test_dfs_finds_the_storvsc_race_pre_fix);
	tcase_add_test(ts, test_dfs_storvsc_post_fix_clean_at_bound_2_twice_alike);
	tcase_add_test(ts, test_dfs_schedule_replays_to_the_same_bug);
	tcase_set_timeout(ts, 120);
	suite_add_tcase(su, ts);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
