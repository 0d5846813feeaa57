// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements `hvsim explore`: executions 0..N-1 of one scenario
 * variant with a random or PCT schedule each, ignoring the scenario's
 * ordering constraints, run by --jobs worker processes (sim/pool.c), of
 * which --shard K/N takes every N-th. Each distinct signature is reported
 * once: its first execution is run again here with stacks and the full
 * trace (the same inputs give the same execution, which is checked) for
 * the kernel-style report, and its schedule is saved for `hvsim replay`.
 * It sits between the command line (sim/cli.c) and the engine and pool.
 *
 * Same output for any --jobs. The pool hands the workers' ranges over in
 * execution order, so findings are met, counted and reported in the order
 * one process would meet them: the set of signatures, their counts and
 * first executions, and the reports printed, are those of --jobs 1 for the
 * same --runs. With --time the number of executions depends on the
 * machine, but they are always executions 0..N-1 of the shard (every range
 * handed out is finished), so the findings are those of --runs N.
 *
 * A crash of simulated code is an oops of that execution (sim/crash.c); a
 * worker that dies anyway costs one execution, reported as "crash:SIGNAL"
 * with the decisions it had made, and the others go on. Executions always
 * run in a worker, --jobs 1 included, so nothing they do can kill this
 * process; it only runs again executions that ended normally.
 *
 * This is the one place hvsim reads the wall clock: for --time, to decide
 * when to stop handing out executions, and for the rate and the progress
 * line it prints. It never changes what an execution does.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "sim/cli.h"
#include "sim/cli_private.h"
#include "sim/crash.h"
#include "sim/dfs.h"
#include "sim/pool.h"
#include "sim/report.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/schedule.h"
#include "sim/world.h"

/* Executions when neither --runs nor --time is given. */
#define DEFAULT_RUNS	1000

/* Redraws of the progress line, at most one per this many microseconds. */
#define PROGRESS_USEC	250000

typedef struct {
	const SimScenario *s;
	SimWorld *w;
	SimStrategy *strat;
	const char *strat_name;
	uint64_t seed;
	const char *save_dir;
	gboolean json;
	SimResults *res;

	/* Wall clock: --time, the rate, the progress line. */
	uint64_t secs;
	uint64_t slots;		/* of this shard; UINT64_MAX with --time */
	uint64_t jobs;
	uint64_t done;		/* slots run, as the pool last said */
	gint64 t0, deadline, drawn;
	gboolean progress;	/* stdout is a terminal and not --json */
	gboolean line_shown;
} Explorer;

/* Wall-clock microseconds, for --time, the rate and progress only. */
static gint64 wall_usec(void)
{
	return g_get_monotonic_time(); /* tidy: allow: explore --time budget and progress */
}

/* ----------------------------------------------------------- progress -- */

static void progress_clear(Explorer *x)
{
	if (!x->line_shown)
		return;
	fputs("\r\033[K", stdout);
	fflush(stdout);
	x->line_shown = FALSE;
}

static void progress_draw(Explorer *x, uint64_t done, gint64 now)
{
	double el = (now - x->t0) / (double)G_USEC_PER_SEC;
	unsigned nbugs = x->res->findings->len;
	g_autoptr(GString) line = g_string_new("\r\033[Khvsim: ");

	g_string_append_printf(line, "%" PRIu64, done);
	if (x->slots != UINT64_MAX)
		g_string_append_printf(line, "/%" PRIu64, x->slots);
	g_string_append_printf(line, " executions, %u distinct bug%s, "
			       "%.0f executions/s, %.1fs", nbugs,
			       nbugs == 1 ? "" : "s", el > 0 ? done / el : 0,
			       el);
	if (x->secs)
		g_string_append_printf(line, " of %" PRIu64 "s", x->secs);
	fputs(line->str, stdout);
	fflush(stdout);
	x->line_shown = TRUE;
	x->drawn = now;
}

/* Called by the pool while it waits: redraw, and say when time is up. */
static gboolean explore_tick(void *arg, uint64_t done)
{
	Explorer *x = arg;
	gint64 now = wall_usec();

	x->done = done;

	if (x->progress && now - x->drawn >= PROGRESS_USEC)
		progress_draw(x, done, now);
	return x->secs && now >= x->deadline;
}

/*
 * Slots per range: ~RANGE_USEC of work at the rate so far (a few while
 * none is known), at most MAX_RANGE, and small enough to spread a --runs
 * budget over the workers. Only how the work is cut: never what is found.
 */
#define RANGE_USEC	20000
#define MAX_RANGE	256

static uint64_t explore_range_size(void *arg)
{
	Explorer *x = arg;
	gint64 el = wall_usec() - x->t0;
	uint64_t n = 4;

	if (x->done && el > 0)
		n = (uint64_t)((double)x->done * RANGE_USEC / el);
	if (x->slots != UINT64_MAX)
		n = MIN(n, x->slots / (x->jobs * 4));
	return CLAMP(n, 1, MAX_RANGE);
}

/* ----------------------------------------------------------- findings -- */

/* Where a signature is saved. */
static char *schedule_file(const Explorer *x, const char *sig)
{
	return sim_results_schedule_path(x->save_dir, x->s->basename,
					 x->w->variant, sig);
}

/*
 * A new signature at execution @i: run it again with stacks and the full
 * trace for the report (the run is a function of its inputs, so it ends the
 * same way, which is checked), save its schedule, print the report.
 */
static int new_finding(Explorer *x, uint64_t i, SimFinding *f)
{
	SimWorld *w = x->w;
	g_autofree char *sig = NULL, *cmd = NULL;
	const uint32_t *d;
	size_t n;
	SimEnd end;

	w->trace_on = w->want_stacks = true;
	end = sim_world_run(w, x->strat, x->seed, i, sim_scenario_init,
			    (void *)x->s);
	w->trace_on = w->want_stacks = false;
	sig = sim_report_signature(w);
	if (strcmp(sig, f->sig) != 0 || end == SIM_END_UNMET_ORDER) {
		progress_clear(x);
		fprintf(stderr, "hvsim explore: internal error: execution %"
			PRIu64 " ended with %s, then with %s when run again\n",
			i, f->sig, sig);
		return SIM_EXIT_INTERNAL;
	}
	f->expected = w->bug && sim_expect_matches(
		sim_scenario_expect(x->s, w->variant), w->bug->kind,
		w->bug->func);
	d = sim_world_schedule(w, &n);
	f->decisions = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), n);
	g_array_append_vals(f->decisions, d, n);
	if (x->save_dir) {
		f->schedule = schedule_file(x, sig);
		if (!sim__cli_save_schedule("explore", w, x->s, x->strat_name,
					    f->schedule))
			return SIM_EXIT_USAGE;
		g_autofree char *q = sim__cli_shell_word(f->schedule);
		cmd = g_strdup_printf("hvsim replay %s", q);
	}
	if (x->json)
		return SIM_EXIT_CLEAN;
	progress_clear(x);
	printf("hvsim: new bug at execution %" PRIu64 ": %s\n", i, sig);
	fflush(stdout);
	sim__cli_print_outcome(x->s, w, end, cmd, FALSE);
	return SIM_EXIT_CLEAN;
}

/* "crash:SIGABRT", or "crash:exit-1" for a worker that exited. */
static char *crash_signature(const SimPoolCrash *c)
{
	char buf[16];

	if (c->sig)
		return g_strdup_printf("crash:%s", sim_crash_signal_name(
					       c->sig, buf, sizeof(buf)));
	return g_strdup_printf("crash:exit-%d", c->exit_status);
}

/*
 * A worker died in execution @c->execution: nothing can run it again in
 * this process, so the report is what the worker's fatal hook left (its
 * stack, its decisions so far); it is kept in the finding, for results
 * files and `hvsim merge` to print as it is.
 */
static int crash_finding(Explorer *x, const SimPoolCrash *c)
{
	g_autofree char *sig = crash_signature(c), *cmd = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	gboolean is_new;
	SimFinding *f = sim_results_add(x->res, sig, 1, c->execution,
					&is_new);

	if (!is_new)
		return SIM_EXIT_CLEAN;
	f->expected = FALSE;
	if (c->decisions)
		f->decisions = g_array_ref(c->decisions);
	if (x->save_dir && c->decisions) {
		g_autoptr(GError) err = NULL;
		g_autoptr(SimSchedule) sched = sim_schedule_new();

		f->schedule = schedule_file(x, sig);
		sched->scenario = g_strdup(x->s->path);
		sched->variant = g_strdup(x->w->variant);
		sched->seed = x->seed;
		sched->strategy = g_strdup(x->strat_name);
		sched->execution = c->execution;
		sched->signature = g_strdup(sig);
		g_array_append_vals(sched->decisions, c->decisions->data,
				    c->decisions->len);
		if (!sim_schedule_save(sched, f->schedule, &err)) {
			progress_clear(x);
			fprintf(stderr, "hvsim explore: %s\n", err->message);
			return SIM_EXIT_USAGE;
		}
		g_autofree char *q = sim__cli_shell_word(f->schedule);
		cmd = g_strdup_printf("hvsim replay %s", q);
	}
	g_string_append_printf(out, "hvsim: the worker process running "
			       "execution %" PRIu64 " died", c->execution);
	if (c->sig)
		g_string_append_printf(out, " of %s", sig + strlen("crash:"));
	else
		g_string_append_printf(out, ", exit status %d",
				       c->exit_status);
	if (c->sig == SIGKILL || c->sig == SIGTERM || c->sig == SIGINT)
		g_string_append(out, ": killed from outside (the OOM killer, "
				"a user), not by the simulated kernel\n");
	else
		g_string_append(out, ": hvsim itself failed there (an "
				"assertion, or a fault outside simulated "
				"code), not the simulated kernel\n");
	if (c->have_stack) {
		g_autoptr(GString) frames = g_string_new(NULL);

		sim_stack_format(frames, &c->stack);
		g_string_append_printf(out, "hvsim: where it died%s:\n%s",
				       frames->len ? "" : ": no frame outside "
				       "the engine", frames->str);
	}
	g_string_append_printf(out, "hvsim: signature: %s\n", sig);
	g_string_append_printf(out, "hvsim: scenario %s variant %s seed %"
			       PRIu64 " execution %" PRIu64 "\n",
			       x->s->basename, x->w->variant, x->seed,
			       c->execution);
	if (c->decisions)
		g_string_append_printf(out, "hvsim: %u decisions made before "
				       "it died%s\n", c->decisions->len,
				       c->truncated ? " (the first ones only)" :
				       "");
	if (cmd)
		g_string_append_printf(out, "hvsim: replay: %s\n", cmd);
	f->report = g_strdup(out->str);
	if (x->json)
		return SIM_EXIT_CLEAN;
	progress_clear(x);
	printf("hvsim: new bug at execution %" PRIu64 ": %s\n", c->execution,
	       sig);
	fputs(out->str, stdout);
	fflush(stdout);
	return SIM_EXIT_CLEAN;
}

/* The pool's ranges, in execution order. */
static int explore_commit(void *arg, const SimPoolChunk *c)
{
	Explorer *x = arg;

	if (c->crash)
		return crash_finding(x, c->crash);
	for (guint k = 0; k < c->hits->len; k++) {
		const SimPoolHit *h = c->hits->pdata[k];
		gboolean is_new;
		SimFinding *f;
		int rc;

		if (!strcmp(h->sig, "unmet-order")) {
			progress_clear(x);
			fprintf(stderr, "hvsim explore: internal error: "
				"ordering constraints held tasks while "
				"exploring\n");
			return SIM_EXIT_INTERNAL;
		}
		f = sim_results_add(x->res, h->sig, h->count, h->first,
				    &is_new);
		if (is_new && (rc = new_finding(x, h->first, f)))
			return rc;
	}
	return SIM_EXIT_CLEAN;
}

/* ------------------------------------------------------------ options -- */

typedef struct {
	char *strategy, *runs, *time, *seed, *variant, *save, *depth;
	char *jobs, *shard, *results;
	gboolean json;
} ExploreOptions;

static void explore_options_clear(ExploreOptions *o)
{
	g_free(o->strategy);
	g_free(o->runs);
	g_free(o->time);
	g_free(o->seed);
	g_free(o->variant);
	g_free(o->save);
	g_free(o->depth);
	g_free(o->jobs);
	g_free(o->shard);
	g_free(o->results);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ExploreOptions, explore_options_clear)

gboolean sim__cli_explore_setup(const char *path, const char *seed_text,
				const char *variant, const char *save,
				SimScenario **s, SimWorld **w, uint64_t *seed)
{
	*s = sim__cli_load_scenario("explore", path);
	if (!*s)
		return FALSE;
	*seed = (*s)->seed;
	if (seed_text && !sim__cli_parse_u64("explore", "--seed", seed_text, 0,
					     seed))
		return FALSE;
	*w = sim__cli_make_world("explore", *s, variant ? variant :
				 (*s)->default_variant, FALSE);
	if (!*w)
		return FALSE;
	(*w)->respect_order = false;
	if (save && g_mkdir_with_parents(save, 0777) != 0) {
		sim__cli_usage_error("explore", "--save %s: cannot create the "
				     "directory: %s", save, g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

gboolean sim__cli_check_budget(const char *runs_text, const char *time_text,
			       const char *save, const char *variant,
			       uint64_t default_runs, uint64_t *runs,
			       uint64_t *secs)
{
	if (runs_text && time_text) {
		sim__cli_usage_error("explore", "--runs and --time: expected "
				     "one of them, found both");
		return FALSE;
	}
	*runs = default_runs;
	*secs = 0;
	if (runs_text && !sim__cli_parse_u64("explore", "--runs", runs_text, 1,
					     runs))
		return FALSE;
	if (time_text && !sim__cli_parse_u64("explore", "--time", time_text, 1,
					     secs))
		return FALSE;
	if (save && g_file_test(save, G_FILE_TEST_EXISTS) &&
	    !g_file_test(save, G_FILE_TEST_IS_DIR)) {
		sim__cli_usage_error("explore", "--save %s: expected a "
				     "directory, found a file", save);
		return FALSE;
	}
	return sim__cli_check_variant("explore", variant);
}

static gboolean check_explore(ExploreOptions *o, uint64_t *runs,
			      uint64_t *secs, uint64_t *depth)
{
	const char *st = o->strategy ? o->strategy : "random";

	if (!strcmp(st, "dfs")) {
		sim__cli_usage_error("explore", "--strategy dfs: not "
				     "implemented yet; use random or pct");
		return FALSE;
	}
	if (strcmp(st, "random") != 0 && strcmp(st, "pct") != 0) {
		sim__cli_usage_error("explore", "--strategy: expected random "
				     "or pct (dfs is planned), found '%s'",
				     st);
		return FALSE;
	}
	*depth = 3;
	if (o->depth && strcmp(st, "pct") != 0) {
		sim__cli_usage_error("explore", "--depth: only with --strategy "
				     "pct, found --strategy %s", st);
		return FALSE;
	}
	if (o->depth && !sim__cli_parse_u64("explore", "--depth", o->depth, 1,
					    depth))
		return FALSE;
	if (*depth > 16) {
		sim__cli_usage_error("explore", "--depth: expected 1 to 16, "
				     "found %" PRIu64, *depth);
		return FALSE;
	}
	return sim__cli_check_budget(o->runs, o->time, o->save, o->variant,
				     DEFAULT_RUNS, runs, secs);
}

/*
 * PCT's step bound k, learned from calibration executions: random
 * schedules of the same scenario, variant and seed, at execution indices
 * no exploration uses. A function of those inputs alone, so every worker
 * or shard computes the same k.
 */
#define PCT_CALIBRATION_RUNS	8

static uint64_t pct_step_bound(SimWorld *w, const SimScenario *s,
			       uint64_t seed)
{
	SimStrategy *r = sim_strategy_random();
	uint64_t k = 1;
	unsigned i;

	for (i = 0; i < PCT_CALIBRATION_RUNS; i++) {
		sim_world_run(w, r, seed, UINT64_MAX - i, sim_scenario_init,
			      (void *)s);
		k = MAX(k, w->steps);
	}
	sim_strategy_free(r);
	return k;
}

SimStrategy *sim__cli_explore_strategy(SimWorld *w, const SimScenario *s,
				       uint64_t seed, gboolean pct,
				       unsigned depth)
{
	if (!pct)
		return sim_strategy_random();
	return sim_strategy_pct(depth, pct_step_bound(w, s, seed));
}

/* --jobs, --shard K/N and --results FILE. */
static gboolean check_parallel(const ExploreOptions *o, uint64_t *jobs,
			       uint64_t *shard_k, uint64_t *shard_n)
{
	*jobs = 1;
	*shard_k = *shard_n = 1;
	if (o->jobs && !sim__cli_parse_u64("explore", "--jobs", o->jobs, 1,
					   jobs))
		return FALSE;
	if (*jobs > SIM_POOL_MAX_JOBS) {
		sim__cli_usage_error("explore", "--jobs: expected 1 to %d, "
				     "found %" PRIu64, SIM_POOL_MAX_JOBS,
				     *jobs);
		return FALSE;
	}
	if (o->shard) {
		g_auto(GStrv) kn = g_strsplit(o->shard, "/", -1);
		guint64 k, n;

		if (g_strv_length(kn) != 2 ||
		    !g_ascii_string_to_unsigned(kn[0], 10, 1, G_MAXUINT64, &k,
						NULL) ||
		    !g_ascii_string_to_unsigned(kn[1], 10, 1,
						SIM_RESULTS_MAX_SHARDS, &n,
						NULL) || k > n) {
			sim__cli_usage_error("explore", "--shard: expected K/N "
					     "with 1 <= K <= N <= %d (shard K "
					     "of N), found '%s'",
					     SIM_RESULTS_MAX_SHARDS, o->shard);
			return FALSE;
		}
		*shard_k = k;
		*shard_n = n;
	}
	if (o->results) {
		g_autofree char *dir = g_path_get_dirname(o->results);

		if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
			sim__cli_usage_error("explore", "--results %s: expected "
					     "a file in an existing directory, "
					     "found no directory '%s'",
					     o->results, dir);
			return FALSE;
		}
		if (g_file_test(o->results, G_FILE_TEST_IS_DIR)) {
			sim__cli_usage_error("explore", "--results %s: expected "
					     "a file name, found a directory",
					     o->results);
			return FALSE;
		}
	}
	return TRUE;
}

/* Executions of shard @k (1-based) of @n below @runs. */
static uint64_t shard_slots(uint64_t runs, uint64_t k, uint64_t n)
{
	return runs > k - 1 ? (runs - (k - 1) + n - 1) / n : 0;
}

static int explore_run(Explorer *x, uint64_t runs, uint64_t jobs)
{
	SimResults *r = x->res;
	g_autoptr(GError) err = NULL;
	SimPoolConfig cfg = {
		.w = x->w, .strategy = x->strat, .init = sim_scenario_init,
		.init_arg = (void *)x->s, .seed = x->seed,
		.jobs = (unsigned)jobs, .shard_k = r->shard_k - 1,
		.shard_n = r->shard_n, .commit = explore_commit,
		.tick = explore_tick, .range_size = explore_range_size,
		.arg = x,
	};
	uint64_t done = 0;
	g_autoptr(GString) out = g_string_new(NULL);
	int rc;

	x->slots = cfg.slots = x->secs ? UINT64_MAX :
			       shard_slots(runs, r->shard_k, r->shard_n);
	x->jobs = jobs;
	x->t0 = x->drawn = wall_usec();
	x->deadline = x->t0 + (gint64)x->secs * G_USEC_PER_SEC;
	rc = sim_pool_run(&cfg, &done, &err);
	progress_clear(x);
	if (rc < 0) {
		fprintf(stderr, "hvsim explore: internal error: %s\n",
			err->message);
		return SIM_EXIT_INTERNAL;
	}
	if (rc)
		return rc;
	r->executions = done;
	r->elapsed = (wall_usec() - x->t0) / (double)G_USEC_PER_SEC;
	r->rate = r->elapsed > 0 ? done / r->elapsed : 0;
	if (x->json)
		sim_results_json(r, out);
	else
		sim_results_summary(r, out);
	fputs(out->str, stdout);
	fflush(stdout);
	return r->findings->len ? SIM_EXIT_BUG : SIM_EXIT_CLEAN;
}

static const char explore_summary[] =
	"Run many executions of SCENARIO, each with a random or PCT\n"
	"schedule, ignoring its ordering constraints, and report each\n"
	"distinct bug once. Execution i depends only on (scenario, variant,\n"
	"strategy, seed, i); PCT's step bound comes from calibration runs\n"
	"of the same inputs.\n"
	"\n"
	"Executions run in --jobs worker processes; the findings, their\n"
	"counts and first executions do not depend on how many. A crash in\n"
	"driver code is that execution's oops; a worker that dies anyway\n"
	"is reported (crash:SIGNAL) and replaced. --shard K/N runs the\n"
	"executions i with i mod N = K-1 of the budget, so N machines cover\n"
	"it without overlap; `hvsim merge` combines their --results files.\n"
	"--time reads the wall clock only to decide when to stop handing\n"
	"out executions: the executions run are still 0..N-1 of the shard,\n"
	"with the findings of --runs N for the N printed.";

int sim__cli_explore(GStrv args)
{
	g_auto(ExploreOptions) o = { 0 };
	const GOptionEntry entries[] = {
		{ "strategy", 0, 0, G_OPTION_ARG_STRING, &o.strategy,
		  "random (default) or pct; dfs, the exhaustive search, has "
		  "options of its own (--strategy dfs --help)", "S" },
		{ "depth", 0, 0, G_OPTION_ARG_STRING, &o.depth,
		  "PCT depth: preemptions it aims for plus one (default 3)",
		  "D" },
		{ "runs", 0, 0, G_OPTION_ARG_STRING, &o.runs,
		  "run executions 0..N-1 (default 1000)", "N" },
		{ "time", 0, 0, G_OPTION_ARG_STRING, &o.time,
		  "run executions for SEC seconds of wall-clock time", "SEC" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &o.seed,
		  "seed (default: the scenario's)", "N" },
		{ "variant", 0, 0, G_OPTION_ARG_STRING, &o.variant,
		  "pre-fix or post-fix (default: the scenario's)", "V" },
		{ "jobs", 'j', 0, G_OPTION_ARG_STRING, &o.jobs,
		  "worker processes (default 1)", "N" },
		{ "shard", 0, 0, G_OPTION_ARG_STRING, &o.shard,
		  "run shard K of N: executions i with i mod N = K-1", "K/N" },
		{ "save", 0, 0, G_OPTION_ARG_FILENAME, &o.save,
		  "save a schedule per distinct bug into DIR", "DIR" },
		{ "results", 0, 0, G_OPTION_ARG_FILENAME, &o.results,
		  "write the results (every finding, its schedule, the "
		  "totals) for hvsim merge", "FILE" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &o.json,
		  "print one JSON object with the figures, nothing else",
		  NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx =
		sim__cli_new_context("explore", "SCENARIO",
				     explore_summary, entries);
	g_autoptr(SimScenario) s = NULL;
	g_autoptr(SimWorld) w = NULL;
	g_autoptr(SimResults) res = sim_results_new();
	uint64_t runs, secs, seed, depth, jobs, shard_k, shard_n;
	Explorer x;
	int rc;

	/* The exhaustive search has options of its own (sim/cli_dfs.c). */
	if (sim__cli_wants_dfs(args))
		return sim__cli_explore_dfs(args);
	if (!sim__cli_parse_options(ctx, "explore", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) != 2)
		return sim__cli_usage_error("explore", "expected one SCENARIO, "
					    "found %u arguments (try 'hvsim "
					    "explore --help')",
					    g_strv_length(args) - 1);
	if (!check_explore(&o, &runs, &secs, &depth) ||
	    !check_parallel(&o, &jobs, &shard_k, &shard_n))
		return SIM_EXIT_USAGE;
	if (!sim__cli_explore_setup(args[1], o.seed, o.variant, o.save, &s, &w,
				    &seed))
		return SIM_EXIT_USAGE;

	x = (Explorer){ .s = s, .w = w, .seed = seed, .save_dir = o.save,
			.json = o.json, .res = res, .secs = secs };
	x.progress = !o.json && isatty(STDOUT_FILENO);
	x.strat_name = o.strategy && !strcmp(o.strategy, "pct") ? "pct" :
								 "random";
	x.strat = sim__cli_explore_strategy(w, s, seed,
					    !strcmp(x.strat_name, "pct"),
					    (unsigned)depth);
	res->scenario = g_strdup(s->path);
	res->variant = g_strdup(w->variant);
	res->seed = seed;
	res->strategy = g_strdup(x.strat_name);
	res->depth = !strcmp(x.strat_name, "pct") ? (unsigned)depth : 0;
	res->shard_k = shard_k;
	res->shard_n = shard_n;
	res->runs = secs ? 0 : runs;
	res->time = secs;
	rc = explore_run(&x, runs, jobs);
	sim_strategy_free(x.strat);
	if (rc != SIM_EXIT_CLEAN && rc != SIM_EXIT_BUG)
		return rc;
	if (o.results) {
		g_autoptr(GError) err = NULL;

		if (!sim_results_save(res, o.results, &err)) {
			fprintf(stderr, "hvsim explore: --results: %s\n",
				err->message);
			return SIM_EXIT_USAGE;
		}
	}
	return rc;
}
