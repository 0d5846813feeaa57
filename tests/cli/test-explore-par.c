// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests parallel and sharded exploration and what comes with
 * it: the worker pool (sim/pool.c) and the crash handler (sim/crash.c)
 * directly, with tasks that crash for real in code compiled like a driver
 * (tests/cli/crash-helper.c); and, through the built executable
 * (HVSIM_EXE), explore --jobs and --shard, results files and hvsim merge,
 * schedules that replay byte for byte, hvsim minimize, and the bad
 * options and files that must exit 2 with nothing written.
 *
 * The properties: --jobs 2 finds the same signatures, counts and first
 * executions as --jobs 1; shards 1/2 and 2/2 merged print what the
 * unsharded run prints (but for the timing line); a crash in driver code
 * is that execution's oops and a worker that dies costs one execution,
 * nothing more.
 */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "sim/pool.h"
#include "sim/report.h"
#include "sim/results.h"
#include "sim/world.h"

#include "cli-test.h"
#include "crash-helper.h"

/* ------------------------------------------------- crashing in a task -- */

/* Execution i: a NULL dereference when i % 7 == 3, a divide error when
 * i % 13 == 12, and the process dies (abort) when i % 11 == 5; else clean. */
static void crashy_task(void *arg)
{
	SimWorld *w = sim_current_world();
	uint64_t i = w->execution;

	sim_yield(w);
	if (i % 7 == 3)
		crash_helper_read(NULL);
	if (i % 13 == 12)
		crash_helper_divide(1, 0);
	if (i % 11 == 5 && arg)
		abort();
	sim_yield(w);
}

static void other_task(void *arg)
{
	SimWorld *w = sim_current_world();

	for (int k = 0; k < 3; k++)
		sim_yield(w);
}

/* @arg non-NULL: abort() is allowed (only in pool workers). */
static void crashy_init(SimWorld *w, void *arg)
{
	sim_task_create(w, "crashy", SIM_CTX_PROCESS, 0, crashy_task, arg);
	sim_task_create(w, "other", SIM_CTX_PROCESS, 1, other_task, NULL);
}

static SimWorld *crashy_world(void)
{
	SimWorld *w = sim_world_new();

	w->trace_on = false;
	w->want_stacks = false;
	return w;
}

static char *report_text(SimWorld *w)
{
	GString *out = g_string_new(NULL);

	sim_report_format(w, out);
	return g_string_free(out, FALSE);
}

START_TEST(test_explore_par_null_dereference_is_an_oops_and_the_next_runs)
{
	g_autoptr(SimWorld) w = crashy_world();
	SimStrategy *st = sim_strategy_random();
	g_autofree char *r1 = NULL, *r2 = NULL, *sig = NULL;
	SimEnd end;

	end = sim_world_run(w, st, 1, 3, crashy_init, NULL);
	ck_assert_int_eq(end, SIM_END_BUG);
	sig = sim_report_signature(w);
	ck_assert_str_eq(sig, "page-fault:crash_helper_read");
	r1 = report_text(w);
	ck_assert_msg(g_str_has_prefix(r1, "BUG: kernel NULL pointer "
				       "dereference, address: "
				       "0000000000000008\n"), "%s", r1);
	ck_assert_msg(strstr(r1, "#PF: supervisor read access in kernel mode"),
		      "%s", r1);
	ck_assert_msg(strstr(r1, "Oops: 0000 [#1] PREEMPT SMP KASAN NOPTI"),
		      "%s", r1);
	ck_assert_msg(strstr(r1, "Comm: crashy"), "%s", r1);
	ck_assert_msg(strstr(r1, "RIP: 0010:crash_helper_read\n"), "%s", r1);
	ck_assert_msg(strstr(r1, " crash_helper_read+0x"), "%s", r1);
	ck_assert_msg(strstr(r1, " crashy_task+0x"), "%s", r1);
	ck_assert_msg(strstr(r1, "CR2: 0000000000000008\n"), "%s", r1);
	ck_assert_msg(g_str_has_suffix(r1, "---[ end trace 0000000000000000 "
				       "]---\n"), "%s", r1);

	/* The process goes on: the next execution is clean, and the same
	 * one again crashes the same way. */
	ck_assert_int_eq(sim_world_run(w, st, 1, 4, crashy_init, NULL),
			 SIM_END_CLEAN);
	ck_assert_int_eq(sim_world_run(w, st, 1, 3, crashy_init, NULL),
			 SIM_END_BUG);
	r2 = report_text(w);
	ck_assert_str_eq(r1, r2);
	sim_strategy_free(st);
}
END_TEST

START_TEST(test_explore_par_divide_error_is_an_oops)
{
	g_autoptr(SimWorld) w = crashy_world();
	SimStrategy *st = sim_strategy_random();
	g_autofree char *r = NULL, *sig = NULL;

	ck_assert_int_eq(sim_world_run(w, st, 1, 12, crashy_init, NULL),
			 SIM_END_BUG);
	sig = sim_report_signature(w);
	ck_assert_str_eq(sig, "trap:crash_helper_divide");
	r = report_text(w);
	ck_assert_msg(g_str_has_prefix(r, "Oops: divide error: 0000 [#1] "
				       "PREEMPT SMP KASAN NOPTI\n"), "%s", r);
	ck_assert_msg(strstr(r, "RIP: 0010:crash_helper_divide\n"), "%s", r);
	sim_strategy_free(st);
}
END_TEST

/* --------------------------------------------------------- the pool -- */

typedef struct {
	SimResults *res;
	guint crashes;
	guint chunks;
	uint64_t next;		/* the slot the next chunk must start at */
	gboolean in_order;
	gboolean crash_has_decisions;
} Collect;

static int collect(void *arg, const SimPoolChunk *c)
{
	Collect *k = arg;
	gboolean is_new;

	k->chunks++;
	if (c->start != k->next)
		k->in_order = FALSE;
	k->next = c->end;
	if (c->crash) {
		k->crashes++;
		ck_assert_uint_eq(c->end - c->start, 1);
		if (c->crash->have_stack && c->crash->decisions &&
		    c->crash->decisions->len)
			k->crash_has_decisions = TRUE;
		ck_assert_int_eq(c->crash->sig, SIGABRT);
		sim_results_add(k->res, "crash:SIGABRT", 1,
				c->crash->execution, &is_new);
		return 0;
	}
	for (guint i = 0; i < c->hits->len; i++) {
		const SimPoolHit *h = c->hits->pdata[i];

		sim_results_add(k->res, h->sig, h->count, h->first, &is_new);
	}
	return 0;
}

/* Slots 0..99 of shard @k of @n in @jobs workers. */
static SimResults *pool_run(unsigned jobs, uint64_t k, uint64_t n,
			    uint64_t slots, Collect *c)
{
	g_autoptr(SimWorld) w = crashy_world();
	SimStrategy *st = sim_strategy_random();
	g_autoptr(GError) err = NULL;
	SimPoolConfig cfg = {
		.w = w, .strategy = st, .init = crashy_init,
		.init_arg = (void *)"abort", .seed = 1, .jobs = jobs,
		.shard_k = k, .shard_n = n, .slots = slots, .chunk = 7,
		.commit = collect, .arg = c,
	};
	uint64_t done = 0;
	int rc;

	*c = (Collect){ .res = sim_results_new(), .in_order = TRUE };
	rc = sim_pool_run(&cfg, &done, &err);
	ck_assert_msg(rc == 0, "pool: %d %s", rc, err ? err->message : "");
	ck_assert_uint_eq(done, slots);
	sim_strategy_free(st);
	return c->res;
}

static void assert_finding(const SimResults *r, const char *sig,
			   uint64_t count, uint64_t first)
{
	const SimFinding *f = sim_results_lookup(r, sig);

	ck_assert_msg(f, "no finding %s", sig);
	ck_assert_uint_eq(f->count, count);
	ck_assert_uint_eq(f->first, first);
}

START_TEST(test_explore_par_worker_crash_is_reported_and_exploration_goes_on)
{
	Collect c1, c2;
	g_autoptr(SimResults) r1 = pool_run(1, 0, 1, 100, &c1);
	g_autoptr(SimResults) r2 = pool_run(2, 0, 1, 100, &c2);
	uint64_t aborts = 0, nulls = 0, divs = 0;

	/* What each execution does, in the order crashy_task checks. */
	for (uint64_t i = 0; i < 100; i++) {
		if (i % 7 == 3)
			nulls++;
		else if (i % 13 == 12)
			divs++;
		else if (i % 11 == 5)
			aborts++;
	}
	assert_finding(r1, "page-fault:crash_helper_read", nulls, 3);
	assert_finding(r1, "trap:crash_helper_divide", divs, 12);
	assert_finding(r1, "crash:SIGABRT", aborts, 5);
	ck_assert_uint_eq(r1->findings->len, 3);
	ck_assert_uint_eq(c1.crashes, aborts);
	ck_assert(c1.in_order);
	ck_assert(c1.crash_has_decisions);
	/* Two workers: the same, in the same order. */
	ck_assert_uint_eq(r2->findings->len, 3);
	for (guint i = 0; i < 3; i++) {
		const SimFinding *a = r1->findings->pdata[i];
		const SimFinding *b = r2->findings->pdata[i];

		ck_assert_str_eq(a->sig, b->sig);
		ck_assert_uint_eq(a->count, b->count);
		ck_assert_uint_eq(a->first, b->first);
	}
	ck_assert(c2.in_order);
}
END_TEST

START_TEST(test_explore_par_pool_shards_cover_the_executions_once)
{
	Collect whole, s0, s1, s2;
	g_autoptr(SimResults) all = pool_run(2, 0, 1, 90, &whole);
	g_autoptr(SimResults) a = pool_run(1, 0, 3, 30, &s0);
	g_autoptr(SimResults) b = pool_run(2, 1, 3, 30, &s1);
	g_autoptr(SimResults) c = pool_run(1, 2, 3, 30, &s2);
	g_autoptr(SimResults) merged = sim_results_new();
	SimResults *parts[] = { a, b, c };

	for (guint p = 0; p < 3; p++)
		for (guint i = 0; i < parts[p]->findings->len; i++) {
			const SimFinding *f = parts[p]->findings->pdata[i];
			gboolean is_new;

			ck_assert_uint_eq(f->first % 3, p);
			sim_results_add(merged, f->sig, f->count, f->first,
					&is_new);
		}
	ck_assert_uint_eq(merged->findings->len, all->findings->len);
	for (guint i = 0; i < all->findings->len; i++) {
		const SimFinding *x = all->findings->pdata[i];
		const SimFinding *y = merged->findings->pdata[i];

		ck_assert_str_eq(x->sig, y->sig);
		ck_assert_uint_eq(x->count, y->count);
		ck_assert_uint_eq(x->first, y->first);
	}
}
END_TEST

/* ------------------------------------------------------- results files -- */

static char *tmp_file(const char *dir, const char *name, const char *text)
{
	char *p = g_build_filename(dir, name, NULL);

	ck_assert(g_file_set_contents(p, text, -1, NULL));
	return p;
}

START_TEST(test_explore_par_results_file_round_trip_and_errors)
{
	g_autofree char *dir = g_dir_make_tmp("hvsim-res-XXXXXX", NULL);
	g_autoptr(SimResults) r = sim_results_new();
	g_autoptr(SimResults) back = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *path = g_build_filename(dir, "r.results", NULL);
	g_autofree char *text1 = NULL, *text2 = NULL;
	gboolean is_new;
	SimFinding *f;
	uint32_t d[] = { 1, 3, 3, 2 };

	r->scenario = g_strdup("scenarios/x.scn");
	r->variant = g_strdup("pre-fix");
	r->seed = 7;
	r->strategy = g_strdup("pct");
	r->depth = 3;
	r->shard_k = 2;
	r->shard_n = 3;
	r->runs = 100;
	r->executions = 33;
	r->elapsed = 0.25;
	f = sim_results_add(r, "crash:SIGABRT", 2, 7, &is_new);
	f->decisions = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	f->report = g_strdup("hvsim: line one\n\tline \"two\"\n");
	f = sim_results_add(r, "deadlock:f", 5, 1, &is_new);
	f->expected = TRUE;
	f->decisions = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_array_append_vals(f->decisions, d, 4);
	ck_assert(sim_results_save(r, path, NULL));
	back = sim_results_load(path, &err);
	ck_assert_msg(back, "%s", err ? err->message : "");
	text1 = sim_results_to_string(r);
	text2 = sim_results_to_string(back);
	ck_assert_str_eq(text1, text2);
	ck_assert_str_eq(((SimFinding *)back->findings->pdata[1])->report,
			 "hvsim: line one\n\tline \"two\"\n");

	static const struct {
		const char *text;
		const char *msg;
	} bad[] = {
		{ "# hvsim results v2\n", ":1: expected '# hvsim results v1'" },
		{ "# hvsim results v1\nscenario = x\nvariant = pre-fix\n"
		  "seed = 1\nstrategy = random\ndepth = 0\nshard = 3/2\n",
		  ":7: shard: expected K/N with 1 <= K <= N <= 1000000, found "
		  "'3/2'" },
		{ "# hvsim results v1\nscenario = x\nbug = a 1 0 expected\n",
		  ":3: variant: missing required key" },
		{ "# hvsim results v1\nscenario = x\nvariant = pre-fix\n"
		  "seed = 1\nstrategy = random\ndepth = 0\nshard = 1/1\n"
		  "budget = runs 10\nexecutions = 10\nelapsed = 1\n"
		  "pruned = 0\nbug = a:b 1 3 expected\nbug = c:d 1 4 "
		  "expected\n",
		  ":13: decisions: missing for the bug on line 12" },
		{ "# hvsim results v1\nscenario = x\nvariant = pre-fix\n"
		  "seed = 1\nstrategy = random\ndepth = 0\nshard = 1/1\n"
		  "budget = runs 10\nexecutions = 9\nelapsed = 1\n"
		  "pruned = 0\n",
		  ":9: executions: expected 10" },
		{ "# hvsim results v1\nscenario = x\nvariant = pre-fix\n"
		  "seed = 1\nstrategy = random\ndepth = 0\nshard = 1/2\n"
		  "budget = runs 10\nexecutions = 5\nelapsed = 1\n"
		  "pruned = 0\nbug = a:b 1 3 expected\ndecisions = 1\n",
		  ":12: bug: expected a first execution" },
		{ "# hvsim results v1\nscenario = x\nfoo = 1\n",
		  ":3: foo: unknown key" },
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *name = g_strdup_printf("bad%u.results", i);
		g_autofree char *p = tmp_file(dir, name, bad[i].text);
		g_autoptr(GError) e = NULL;
		g_autoptr(SimResults) x = sim_results_load(p, &e);

		ck_assert_msg(!x, "bad[%u] loaded", i);
		ck_assert_msg(strstr(e->message, bad[i].msg), "bad[%u]: %s",
			      i, e->message);
		g_unlink(p);
	}
	g_unlink(path);
	g_rmdir(dir);
}
END_TEST

/* ------------------------------------------------- through the CLI -- */

static char *storvsc(void)
{
	return source_path("scenarios/storvsc-subchannel-race.scn");
}

/* The JSON object without its two timing figures. */
static char *untimed(const char *json)
{
	g_autoptr(GRegex) re = g_regex_new(
		"\"(executions_per_second|elapsed_seconds)\": [0-9.]+", 0, 0,
		NULL);

	return g_regex_replace_literal(re, json, -1, 0, "\"\\1\": T", 0,
				       NULL);
}

/* The text output without its "explored ... in Xs (R executions/s)". */
static char *untimed_text(const char *text)
{
	g_autoptr(GRegex) re = g_regex_new(
		" in [0-9.]+s \\([0-9]+ executions/s\\)", 0, 0, NULL);

	return g_regex_replace_literal(re, text, -1, 0, " in T", 0, NULL);
}

START_TEST(test_explore_par_jobs_2_finds_what_jobs_1_finds)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = storvsc(), *can = canary();
	const char *const scns[] = { scn, can };

	for (guint k = 0; k < G_N_ELEMENTS(scns); k++) {
		g_auto(Result) a = hvsim(dir, "explore", scns[k], "--variant",
					 "pre-fix", "--runs", "1500", "--seed",
					 "3", "--json", NULL);
		g_auto(Result) b = hvsim(dir, "explore", scns[k], "--variant",
					 "pre-fix", "--runs", "1500", "--seed",
					 "3", "--json", "--jobs", "2", NULL);
		g_auto(Result) c = hvsim(dir, "explore", scns[k], "--variant",
					 "pre-fix", "--runs", "1500", "--seed",
					 "3", "--json", "-j", "3", "--strategy",
					 "pct", NULL);
		g_auto(Result) d = hvsim(dir, "explore", scns[k], "--variant",
					 "pre-fix", "--runs", "1500", "--seed",
					 "3", "--json", "--strategy", "pct",
					 NULL);
		g_autofree char *ua = untimed(a.out), *ub = untimed(b.out);
		g_autofree char *uc = untimed(c.out), *ud = untimed(d.out);

		ck_assert_int_eq(a.status, 1);
		ck_assert_int_eq(b.status, 1);
		assert_contains(a.out, "\"executions\": 1500,");
		ck_assert_str_eq(ua, ub);
		ck_assert_str_eq(uc, ud);
	}
	/* The text output too, reports and all, but for the rate. */
	{
		g_auto(Result) a = hvsim(dir, "explore", scn, "--variant",
					 "pre-fix", "--runs", "800", "--seed",
					 "1", NULL);
		g_auto(Result) b = hvsim(dir, "explore", scn, "--variant",
					 "pre-fix", "--runs", "800", "--seed",
					 "1", "--jobs", "2", NULL);
		g_autofree char *ua = untimed_text(a.out);
		g_autofree char *ub = untimed_text(b.out);

		ck_assert_str_eq(ua, ub);
		assert_contains(a.out, "hvsim: new bug at execution ");
		/* Not a terminal: no progress line. */
		ck_assert_msg(!strchr(a.out, '\r'), "progress in a pipe");
	}
	rmtree(dir);
}
END_TEST

START_TEST(test_explore_par_shards_merged_equal_the_unsharded_run)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = storvsc();
	g_auto(Result) s1 = hvsim(dir, "explore", scn, "--variant", "pre-fix",
				  "--runs", "1200", "--seed", "2", "--shard",
				  "1/2", "--results", "r1.results", "--json",
				  NULL);
	g_auto(Result) s2 = hvsim(dir, "explore", scn, "--variant", "pre-fix",
				  "--runs", "1200", "--seed", "2", "--shard",
				  "2/2", "--results", "r2.results", "--json",
				  "--jobs", "2", NULL);
	g_auto(Result) whole = hvsim(dir, "explore", scn, "--variant",
				     "pre-fix", "--runs", "1200", "--seed",
				     "2", "--json", NULL);
	g_auto(Result) merged = hvsim(dir, "merge", "r1.results",
				      "r2.results", "--json", NULL);
	g_auto(Result) merged_rev = hvsim(dir, "merge", "r2.results",
					  "r1.results", "--json", NULL);
	g_auto(Result) whole_text = hvsim(dir, "explore", scn, "--variant",
					  "pre-fix", "--runs", "1200", "--seed",
					  "2", NULL);
	g_auto(Result) merged_text = hvsim(dir, "merge", "r1.results",
					   "r2.results", NULL);
	g_autofree char *uw = untimed(whole.out), *um = untimed(merged.out);
	g_autofree char *ur = untimed(merged_rev.out);
	g_autofree char *tw = untimed_text(whole_text.out);
	g_autofree char *tm = untimed_text(merged_text.out);

	ck_assert_msg(s1.status == 1 && s2.status == 1, "%s %s", s1.err,
		      s2.err);
	assert_contains(s1.out, "\"executions\": 600,");
	ck_assert_int_eq(merged.status, 1);
	ck_assert_str_eq(uw, um);
	ck_assert_str_eq(uw, ur);
	ck_assert_str_eq(tw, tm);
	ck_assert_str_eq(merged_text.err, "");
	rmtree(dir);
}
END_TEST

/* The lines of explore's output for the bug whose report starts after
 * "new bug at execution N: SIG\n", up to the expectation line. */
static char *report_of(const char *out, const char *sig)
{
	g_autofree char *head = g_strdup_printf(": %s\n", sig);
	const char *p = strstr(out, head), *e;

	ck_assert_msg(p, "no report of %s in %s", sig, one_line(out));
	p += strlen(head);
	e = strstr(p, "hvsim: expectation ");
	ck_assert_ptr_nonnull(e);
	e = strchr(e, '\n');
	return g_strndup(p, e + 1 - p);
}

START_TEST(test_explore_par_saved_schedule_replays_the_same_report)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = storvsc();
	g_auto(Result) x = hvsim(dir, "explore", scn, "--variant", "pre-fix",
				 "--runs", "300", "--seed", "1", "--save",
				 "sv", "--jobs", "2", NULL);
	const char *sig = "page-fault:hv_ringbuffer_write";
	g_autofree char *file = g_strdup_printf(
		"sv/storvsc-subchannel-race.pre-fix.%s.schedule",
		"page-fault-hv_ringbuffer_write");
	g_auto(Result) r1 = hvsim(dir, "replay", file, "--trace", "t1.txt",
				  NULL);
	g_auto(Result) r2 = hvsim(dir, "replay", file, "--trace", "t2.txt",
				  NULL);
	g_autofree char *t1 = NULL, *t2 = NULL, *p1 = NULL, *p2 = NULL;
	g_autofree char *rx = NULL, *rr = NULL;
	const char *nl;

	ck_assert_int_eq(x.status, 1);
	ck_assert_int_eq(r1.status, 1);
	ck_assert_int_eq(r2.status, 1);
	p1 = g_build_filename(dir, "t1.txt", NULL);
	p2 = g_build_filename(dir, "t2.txt", NULL);
	ck_assert(g_file_get_contents(p1, &t1, NULL, NULL));
	ck_assert(g_file_get_contents(p2, &t2, NULL, NULL));
	ck_assert_str_eq(t1, t2);
	ck_assert_str_eq(r1.out, r2.out);
	/* Explore's report of that execution is the replay's report. */
	rx = report_of(x.out, sig);
	nl = strchr(r1.out, '\n');	/* after replay's header line */
	ck_assert_ptr_nonnull(nl);
	rr = g_strndup(nl + 1, strlen(rx));
	ck_assert_str_eq(rx, rr);
	assert_contains(r1.out, "hvsim: replay reproduced page-fault:");
	rmtree(dir);
}
END_TEST

START_TEST(test_explore_par_minimize_keeps_the_failure_and_shrinks)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = storvsc();
	g_auto(Result) x = hvsim(dir, "explore", scn, "--variant", "pre-fix",
				 "--runs", "300", "--seed", "1", "--save",
				 "sv", "--json", NULL);
	const char *in = "sv/storvsc-subchannel-race.pre-fix."
			 "page-fault-hv_ringbuffer_write.schedule";
	g_auto(Result) m = hvsim(dir, "minimize", in, "-o", "min.schedule",
				 NULL);
	g_auto(Result) m2 = hvsim(dir, "minimize", in, "-o", "min2.schedule",
				  NULL);
	g_auto(Result) r = hvsim(dir, "replay", "min.schedule", "-q", NULL);
	g_autofree char *pin = g_build_filename(dir, in, NULL);
	g_autofree char *pout = g_build_filename(dir, "min.schedule", NULL);
	g_autofree char *tin = NULL, *tout = NULL;
	g_auto(GStrv) lin = NULL, lout = NULL;
	guint nin = 0, nout = 0;

	ck_assert_int_eq(x.status, 1);
	ck_assert_msg(m.status == 0, "%s", m.err);
	/* The same input minimises to the same schedule. */
	{
		g_autofree char *p2 = g_build_filename(dir, "min2.schedule",
						       NULL);
		g_autofree char *t2 = NULL;
		g_auto(GStrv) parts = g_strsplit(m2.out, "min2.schedule", -1);
		g_autofree char *o2 = g_strjoinv("min.schedule", parts);

		ck_assert_str_eq(m.out, o2);
		ck_assert(g_file_get_contents(p2, &t2, NULL, NULL));
		ck_assert(g_file_get_contents(pout, &tout, NULL, NULL));
		ck_assert_str_eq(tout, t2);
		g_clear_pointer(&tout, g_free);
	}
	assert_contains(m.out, "preemption");
	assert_contains(m.out, "| scsi_scan_0/6");
	assert_contains(m.out, "BUG: page-fault in hv_ringbuffer_write");
	ck_assert_msg(r.status == 1, "%s", r.err);
	assert_contains(r.out, "hvsim: replay reproduced "
			"page-fault:hv_ringbuffer_write");
	ck_assert(g_file_get_contents(pin, &tin, NULL, NULL));
	ck_assert(g_file_get_contents(pout, &tout, NULL, NULL));
	lin = g_strsplit(strstr(tin, "decisions =") + 11, " ", -1);
	lout = g_strsplit(strstr(tout, "decisions =") + 11, " ", -1);
	for (guint i = 0; lin[i]; i++)
		nin += *lin[i] != '\0';
	for (guint i = 0; lout[i]; i++)
		nout += *lout[i] != '\0';
	ck_assert_msg(nout <= nin, "%u decisions, was %u", nout, nin);
	assert_contains(tout, "signature = page-fault:hv_ringbuffer_write\n");
	rmtree(dir);
}
END_TEST

START_TEST(test_explore_par_time_budget_runs_a_prefix)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = storvsc();
	g_auto(Result) t = hvsim(dir, "explore", scn, "--variant", "pre-fix",
				 "--time", "1", "--seed", "4", "--json",
				 "--jobs", "2", NULL);
	g_autoptr(GRegex) re = g_regex_new("\"executions\": ([0-9]+)", 0, 0,
					   NULL);
	g_autoptr(GMatchInfo) mi = NULL;
	g_autofree char *n = NULL, *ut = NULL, *ur = NULL;

	ck_assert_msg(t.status == 1 || t.status == 0, "%s", t.err);
	ck_assert(g_regex_match(re, t.out, 0, &mi));
	n = g_match_info_fetch(mi, 1);
	{
		g_auto(Result) r = hvsim(dir, "explore", scn, "--variant",
					 "pre-fix", "--runs", n, "--seed", "4",
					 "--json", NULL);

		ut = untimed(t.out);
		ur = untimed(r.out);
		ck_assert_str_eq(ut, ur);
	}
	rmtree(dir);
}
END_TEST

/* The first worker of explorer @pid, or 0. */
static pid_t first_child(GPid pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/task/%d/children",
						(int)pid, (int)pid);
	g_autofree char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	return (pid_t)g_ascii_strtoll(text, NULL, 10);
}

/*
 * A worker killed from outside (SIGKILL: nothing of it runs) while it runs
 * an execution costs that execution: it is reported as crash:SIGKILL, a
 * new worker takes the rest, and the exploration ends normally.
 */
START_TEST(test_explore_par_killed_worker_is_reported_and_replaced)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = storvsc();
	g_autofree char *out = NULL;
	g_autofree char *outp = g_build_filename(dir, "out.txt", NULL);
	const char *argv[] = { "/bin/sh", "-c", "exec \"$0\" explore \"$1\" "
			       "--variant post-fix --time 3 --jobs 2 > out.txt",
			       g_getenv("HVSIM_EXE"), scn, NULL };
	g_autoptr(GError) err = NULL;
	GPid pid;
	int status;

	ck_assert(g_spawn_async(dir, (char **)argv, NULL,
				G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
				&err));
	/* Three tries, so that one lands inside an execution (they take
	 * nearly all of a worker's time). */
	for (int k = 0; k < 3; k++) {
		pid_t c;

		g_usleep(300000);
		c = first_child(pid);
		if (c > 0)
			kill(c, SIGKILL);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert(g_file_get_contents(outp, &out, NULL, NULL));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	assert_contains(out, ": crash:SIGKILL\nhvsim: the worker process "
			"running execution ");
	assert_contains(out, " died of SIGKILL");
	assert_contains(out, "hvsim:   crash:SIGKILL: ");
	assert_contains(out, "hvsim: explored ");
	rmtree(dir);
}
END_TEST

/* ------------------------------------------------------------ bad input -- */

START_TEST(test_explore_par_bad_options_exit_2_and_write_nothing)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = storvsc();
	static const struct {
		const char *args[4];
		const char *msg;
	} bad[] = {
		{ { "--jobs", "0" }, "--jobs: expected an integer >= 1, found "
				     "'0'" },
		{ { "--jobs", "x" }, "--jobs: expected an integer >= 1" },
		{ { "--jobs", "1000" }, "--jobs: expected 1 to 256" },
		{ { "--shard", "3/2" }, "--shard: expected K/N with 1 <= K <= "
					"N <= 1000000 (shard K of N), found "
					"'3/2'" },
		{ { "--shard", "1/2000000" }, "--shard: expected K/N" },
		{ { "--shard", "x" }, "--shard: expected K/N" },
		{ { "--shard", "0/2" }, "--shard: expected K/N" },
		{ { "--shard", "1/2/3" }, "--shard: expected K/N" },
		{ { "--results", "no/such/dir/r" }, "--results no/such/dir/r: "
						    "expected a file in an "
						    "existing directory" },
		{ { "--results", "." }, "--results .: expected a file name" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		const char *argv[] = { "explore", scn, "--runs", "3",
				       "--save", "sv", bad[i].args[0],
				       bad[i].args[1], NULL };
		g_auto(Result) r = hvsim_argv(dir, argv);

		ck_assert_msg(r.status == 2, "%s %s: exit %d", bad[i].args[0],
			      bad[i].args[1], r.status);
		assert_contains(r.err, bad[i].msg);
		ck_assert_str_eq(r.out, "");
		ck_assert_uint_eq(count_files(dir), 0);
	}
	rmtree(dir);
}
END_TEST

START_TEST(test_explore_par_bad_merge_and_minimize_input_exit_2)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = storvsc();

	/* Two shards and a clean schedule to spoil. */
	{
		g_auto(Result) a = hvsim(dir, "explore", scn, "--variant",
					 "pre-fix", "--runs", "40", "--shard",
					 "1/2", "--results", "a.results",
					 "--json", NULL);
		g_auto(Result) b = hvsim(dir, "explore", scn, "--variant",
					 "pre-fix", "--runs", "40", "--shard",
					 "2/2", "--results", "b.results",
					 "--seed", "9", "--json", NULL);
		g_auto(Result) c = hvsim(dir, "explore", scn, "--variant",
					 "pre-fix", "--runs", "40", "--shard",
					 "1/3", "--results", "c.results",
					 "--json", NULL);
		g_auto(Result) s = hvsim(dir, "run", scn, "--variant",
					 "post-fix", "--save-schedule",
					 "clean.schedule", "-q", NULL);
		g_autofree char *p = g_build_filename(dir, "garbled.results",
						      NULL);
		g_autofree char *t = NULL;

		ck_assert_msg(a.status <= 1 && b.status <= 1 && c.status <= 1,
			      "%s", a.err);
		ck_assert_int_eq(s.status, 0);
		ck_assert(g_file_get_contents(
			g_build_filename(dir, "a.results", NULL), &t, NULL,
			NULL));
		/* Line 9: executions. */
		{
			g_autofree char *bad = NULL;
			char *e = strstr(t, "executions = ");

			ck_assert_ptr_nonnull(e);
			bad = g_strdup_printf("%.*sexecutions = many%s",
					      (int)(e - t), t,
					      strchr(e, '\n'));
			ck_assert(g_file_set_contents(p, bad, -1, NULL));
		}
	}
	static const struct {
		const char *args[4];
		const char *msg;
	} bad[] = {
		{ { "merge", "no-such.results" }, "no-such.results: cannot "
						  "read the results" },
		{ { "merge", "garbled.results" }, "garbled.results:9: "
						  "executions: expected an "
						  "integer >= 0, found 'many'" },
		{ { "merge", "a.results", "b.results" }, "b.results: seed: "
							 "expected 1, found 9" },
		{ { "merge", "a.results", "a.results" }, "shard 1/2: expected "
							 "each shard once" },
		{ { "merge", "a.results", "c.results" }, "shard: expected K/2, "
							 "found 1/3" },
		{ { "merge" }, "expected one or more results FILEs" },
		{ { "minimize", "clean.schedule" }, "clean.schedule: expected a "
						    "schedule that fails with "
						    "its recorded signature "
						    "clean" },
		{ { "minimize", "no-such.schedule" }, "no-such.schedule: cannot "
						      "read the schedule" },
		{ { "minimize", "clean.schedule", "-o", "no/dir/x" },
		  "-o no/dir/x: expected a file in an existing directory" },
	};
	guint before = count_files(dir);

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		const char *argv[] = { bad[i].args[0], bad[i].args[1],
				       bad[i].args[2], bad[i].args[3], NULL };
		g_auto(Result) r = hvsim_argv(dir, argv);

		ck_assert_msg(r.status == 2, "%s %s: exit %d: %s",
			      bad[i].args[0], bad[i].args[1], r.status,
			      r.err);
		assert_contains(r.err, bad[i].msg);
		ck_assert_str_eq(r.out, "");
		ck_assert_uint_eq(count_files(dir), before);
	}
	rmtree(dir);
}
END_TEST

static Suite *explore_par_suite(void)
{
	Suite *s = suite_create("explore-par");
	TCase *unit = tcase_create("pool");
	TCase *cli = tcase_create("cli");

	tcase_add_test(unit,
		       test_explore_par_null_dereference_is_an_oops_and_the_next_runs);
	tcase_add_test(unit, test_explore_par_divide_error_is_an_oops);
	tcase_add_test(unit,
		       test_explore_par_worker_crash_is_reported_and_exploration_goes_on);
	tcase_add_test(unit,
		       test_explore_par_pool_shards_cover_the_executions_once);
	tcase_add_test(unit,
		       test_explore_par_results_file_round_trip_and_errors);
	suite_add_tcase(s, unit);

	/* Each case spawns hvsim a few times, a few thousand executions. */
	tcase_set_timeout(cli, 240);
	tcase_add_test(cli, test_explore_par_jobs_2_finds_what_jobs_1_finds);
	tcase_add_test(cli,
		       test_explore_par_shards_merged_equal_the_unsharded_run);
	tcase_add_test(cli,
		       test_explore_par_saved_schedule_replays_the_same_report);
	tcase_add_test(cli,
		       test_explore_par_minimize_keeps_the_failure_and_shrinks);
	tcase_add_test(cli, test_explore_par_time_budget_runs_a_prefix);
	tcase_add_test(cli,
		       test_explore_par_killed_worker_is_reported_and_replaced);
	tcase_add_test(cli,
		       test_explore_par_bad_options_exit_2_and_write_nothing);
	tcase_add_test(cli,
		       test_explore_par_bad_merge_and_minimize_input_exit_2);
	suite_add_tcase(s, cli);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(explore_par_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
