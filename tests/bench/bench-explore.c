// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file measures exploration as users run it, through the built
 * executable (hvsim explore ... --json), plus the memory of one long
 * exploration in-process. It prints figures and asserts nothing about
 * time: these machines are shared and noisy, so each figure says how it
 * was taken (medians, alternated repetitions, ratios within one run).
 *
 * Usage:
 *   bench-explore rates HVSIM DIR        executions/s per strategy (random,
 *                                        pct, dfs when it exists), every
 *                                        scenario of DIR, both variants
 *   bench-explore jobs HVSIM SCENARIO    --jobs 1 against --jobs 2
 *   bench-explore first-bug HVSIM DIR    executions to the first bug,
 *                                        median over 20 seeds, PCT and
 *                                        random, every scenario whose
 *                                        pre-fix variant expects a bug
 *   bench-explore inproc SCENARIO        executions/s (wall clock and CPU)
 *                                        of both variants in one process
 *   bench-explore memory SCENARIO [N]    peak RSS after 10,000 and after N
 *                                        (default 1,000,000) executions
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include <glib.h>

#include "sim/scenario.h"
#include "sim/world.h"

#define SEEDS		20
#define RATE_TIME	"3"
#define JOBS_RUNS	"200000"
#define JOBS_REPEAT	3

/* ------------------------------------------------------------ helpers -- */

typedef struct {
	int status;
	char *out, *err;
	double cpu;		/* user + system seconds, workers included */
} Run;

static void run_clear(Run *r)
{
	g_free(r->out);
	g_free(r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, run_clear)

/* CPU seconds of the waited-for descendants: hvsim waits for its
 * workers, so theirs are in it. */
static double children_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static Run hvsim(const char *exe, const char *const *args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) err = NULL;
	Run r = { .status = -1 };
	double cpu0 = children_cpu();
	int wait;

	g_ptr_array_add(argv, (char *)exe);
	for (; *args; args++)
		g_ptr_array_add(argv, (char *)*args);
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT,
			  NULL, NULL, &r.out, &r.err, &wait, &err)) {
		r.err = g_strdup(err->message);
		return r;
	}
	r.status = WIFEXITED(wait) ? WEXITSTATUS(wait) : 128;
	r.cpu = children_cpu() - cpu0;
	return r;
}

/* The number after "@key": in a JSON object; -1 for null or absent. */
static double json_number(const char *json, const char *key)
{
	g_autofree char *pat = g_strdup_printf("\"%s\": ", key);
	const char *p = json ? strstr(json, pat) : NULL;

	if (!p || !strncmp(p + strlen(pat), "null", 4))
		return -1;
	return g_ascii_strtod(p + strlen(pat), NULL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .scn files of @dir, sorted. */
static GPtrArray *scenarios(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	while (d && (name = g_dir_read_name(d)))
		if (g_str_has_suffix(name, ".scn"))
			g_ptr_array_add(paths, g_build_filename(dir, name,
								NULL));
	g_ptr_array_sort(paths, cmp_str);
	return paths;
}

/* ------------------------------------------------------------- rates -- */

static void rate_one(const char *exe, const char *scn, const char *base,
		     const char *variant, const char *strategy)
{
	gboolean dfs = !strcmp(strategy, "dfs");
	const char *args[] = { "explore", scn, "--variant", variant,
			       "--strategy", strategy, "--time", RATE_TIME,
			       "--seed", "1", "--json",
			       dfs ? "--preemptions" : NULL, "2", NULL };
	g_auto(Run) r = hvsim(exe, args);

	if (r.status != 0 && r.status != 1) {
		printf("%-32s %-8s %-6s: skipped (exit %d: %s)\n", base,
		       variant, strategy, r.status,
		       g_strstrip(r.err ? r.err : ""));
		return;
	}
	printf("%-32s %-8s %-6s: %8.0f executions/s (%.0f executions in "
	       "%.2fs; %.0f per CPU-second of the whole process; %.0f "
	       "distinct bugs, pruned %.0f)\n", base, variant, strategy,
	       json_number(r.out, "executions_per_second"),
	       json_number(r.out, "executions"),
	       json_number(r.out, "elapsed_seconds"),
	       r.cpu > 0 ? json_number(r.out, "executions") / r.cpu : 0,
	       json_number(r.out, "distinct_bugs"),
	       json_number(r.out, "pruned"));
	fflush(stdout);
}

static int bench_rates(const char *exe, const char *dir)
{
	g_autoptr(GPtrArray) paths = scenarios(dir);
	static const char *const strategies[] = { "random", "pct", "dfs" };
	static const char *const variants[] = { "pre-fix", "post-fix" };

	printf("hvsim explore SCENARIO --variant V --strategy S --time "
	       RATE_TIME " --seed 1 --json (dfs: --preemptions 2, until done "
	       "or the time is up)\n");
	for (guint i = 0; i < paths->len; i++) {
		g_autofree char *base = g_path_get_basename(paths->pdata[i]);

		base[strlen(base) - 4] = '\0';
		for (guint v = 0; v < 2; v++)
			for (guint s = 0; s < 3; s++)
				rate_one(exe, paths->pdata[i], base,
					 variants[v], strategies[s]);
	}
	return 0;
}

/* -------------------------------------------------------------- jobs -- */

/* Wall-clock rate (explore's own figure) and executions per CPU-second
 * of the whole process tree (parent and workers). */
static void jobs_rate(const char *exe, const char *scn, const char *jobs,
		      double *wall, double *per_cpu)
{
	const char *args[] = { "explore", scn, "--variant", "post-fix",
			       "--runs", JOBS_RUNS, "--seed", "1", "--json",
			       "--jobs", jobs, NULL };
	g_auto(Run) r = hvsim(exe, args);

	*wall = json_number(r.out, "executions_per_second");
	*per_cpu = r.cpu > 0 ? json_number(r.out, "executions") / r.cpu : 0;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return v[n / 2];
}

/*
 * The wall-clock ratio is what the target is about, and needs two idle
 * cores; on a shared machine the per-CPU-second figures say whether the
 * pool costs anything: equal figures mean that two idle cores would give
 * twice the rate of one.
 */
static int bench_jobs(const char *exe, const char *scn)
{
	double w1[JOBS_REPEAT], w2[JOBS_REPEAT], c1[JOBS_REPEAT],
	       c2[JOBS_REPEAT];
	double mw1, mw2, mc1, mc2;

	printf("hvsim explore %s --variant post-fix --runs " JOBS_RUNS
	       " --seed 1 --json --jobs N, N = 1 and 2 alternated %d times\n",
	       scn, JOBS_REPEAT);
	for (int k = 0; k < JOBS_REPEAT; k++) {
		jobs_rate(exe, scn, "1", &w1[k], &c1[k]);
		jobs_rate(exe, scn, "2", &w2[k], &c2[k]);
		printf("  repetition %d: --jobs 1 %.0f executions/s (%.0f per "
		       "CPU-second), --jobs 2 %.0f executions/s (%.0f per "
		       "CPU-second)\n", k + 1, w1[k], c1[k], w2[k], c2[k]);
		fflush(stdout);
	}
	mw1 = median(w1, JOBS_REPEAT);
	mw2 = median(w2, JOBS_REPEAT);
	mc1 = median(c1, JOBS_REPEAT);
	mc2 = median(c2, JOBS_REPEAT);
	printf("--jobs 1: median %.0f executions/s; --jobs 2: median %.0f "
	       "executions/s; wall-clock ratio %.2fx (target >= 1.8x; %d "
	       "cores online)\n", mw1, mw2, mw2 / mw1,
	       (int)g_get_num_processors());
	printf("per CPU-second: --jobs 1 %.0f, --jobs 2 %.0f: parallel "
	       "efficiency %.2f, so %.2fx on two idle cores\n", mc1, mc2,
	       mc2 / mc1, 2 * mc2 / mc1);
	return 0;
}

/* ---------------------------------------------------------- first bug -- */

/* Executions before the first bug of @seed (0-based index + 1), trying
 * larger budgets while none is found; -1 beyond the last. */
static double first_bug(const char *exe, const char *scn,
			const char *strategy, unsigned seed)
{
	static const char *const budgets[] = { "100", "1000", "10000" };
	g_autofree char *s = g_strdup_printf("%u", seed);

	for (guint b = 0; b < G_N_ELEMENTS(budgets); b++) {
		const char *args[] = { "explore", scn, "--variant", "pre-fix",
				       "--strategy", strategy, "--runs",
				       budgets[b], "--seed", s, "--json",
				       NULL };
		g_auto(Run) r = hvsim(exe, args);
		double f = json_number(r.out, "first_bug_execution");

		if (f >= 0)
			return f + 1;
	}
	return -1;
}

static gboolean expects_a_bug(const SimExpect *e)
{
	for (guint i = 0; i < e->alts->len; i++)
		if (g_array_index(e->alts, SimExpectAlt, i).kind !=
		    SIM_BUG_NONE)
			return TRUE;
	return FALSE;
}

static int bench_first_bug(const char *exe, const char *dir)
{
	g_autoptr(GPtrArray) paths = scenarios(dir);
	static const char *const strategies[] = { "pct", "random" };

	printf("executions to the first bug (first_bug_execution + 1) of "
	       "hvsim explore SCENARIO --variant pre-fix --strategy S --seed "
	       "1..%d --json, budgets 100, 1000, 10000 until found\n",
	       SEEDS);
	for (guint i = 0; i < paths->len; i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(SimScenario) s = sim_scenario_load(paths->pdata[i],
							     &err);

		if (!s) {
			printf("%s: skipped: %s\n", (char *)paths->pdata[i],
			       err->message);
			continue;
		}
		if (!expects_a_bug(sim_scenario_expect(s, "pre-fix")))
			continue;
		for (guint k = 0; k < G_N_ELEMENTS(strategies); k++) {
			double v[SEEDS];
			g_autoptr(GString) all = g_string_new(NULL);
			unsigned missed = 0;

			for (unsigned seed = 1; seed <= SEEDS; seed++) {
				v[seed - 1] = first_bug(exe, paths->pdata[i],
							strategies[k], seed);
				if (v[seed - 1] < 0) {
					missed++;
					v[seed - 1] = G_MAXDOUBLE;
					g_string_append(all, " -");
				} else {
					g_string_append_printf(all, " %.0f",
							       v[seed - 1]);
				}
			}
			qsort(v, SEEDS, sizeof(double), cmp_double);
			if (missed >= SEEDS / 2)
				printf("%-32s %-6s: median: not found (median "
				       "of %d seeds; %u not found in 10000)\n"
				       "   per seed:%s\n", s->basename,
				       strategies[k], SEEDS, missed, all->str);
			else
				printf("%-32s %-6s: median %.0f executions to "
				       "the first bug (median of %d seeds; %u "
				       "not found in 10000)\n   per seed:%s\n",
				       s->basename, strategies[k],
				       (v[SEEDS / 2 - 1] + v[SEEDS / 2]) / 2,
				       SEEDS, missed, all->str);
			fflush(stdout);
		}
	}
	return 0;
}

/* ------------------------------------------------------------- memory -- */

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static double now_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bench_memory(const char *path, uint64_t total)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) s = sim_scenario_load(path, &err);
	g_autoptr(SimWorld) w = NULL;
	SimStrategy *st = sim_strategy_random();
	uint64_t i, bugs = 0;
	long rss10k = 0;
	double t0, c0;

	if (!s) {
		fprintf(stderr, "bench: %s\n", err->message);
		return 2;
	}
	w = sim_world_new();
	if (!sim_scenario_apply(s, w, "pre-fix", &err)) {
		fprintf(stderr, "bench: %s\n", err->message);
		return 2;
	}
	w->trace_on = w->want_stacks = false;
	w->respect_order = false;
	t0 = now_s(CLOCK_MONOTONIC);
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < total; i++) {
		bugs += sim_world_run(w, st, 1, i, sim_scenario_init, s) ==
			SIM_END_BUG;
		if (i + 1 == 10000)
			rss10k = peak_rss_kib();
	}
	printf("%s pre-fix, random, one world in one process: peak RSS %ld "
	       "KiB after 10000 executions, %ld KiB after %" PRIu64 " "
	       "(ratio %.3f); %" PRIu64 " bugs; %.0f executions/s, %.0f per "
	       "CPU-second\n", s->basename, rss10k, peak_rss_kib(), total,
	       (double)peak_rss_kib() / rss10k, bugs,
	       total / (now_s(CLOCK_MONOTONIC) - t0),
	       total / (now_s(CLOCK_PROCESS_CPUTIME_ID) - c0));
	sim_strategy_free(st);
	return 0;
}

/*
 * Executions of both variants in one world in this process, as a worker
 * runs them: per variant, the median over @batches batches of @batch of
 * executions per second of wall-clock time and per second of this
 * process's CPU time (which other processes on the machine disturb
 * less).
 */
static int bench_inproc(const char *path, unsigned batch, unsigned batches)
{
	static const char *const variants[] = { "pre-fix", "post-fix" };
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) s = sim_scenario_load(path, &err);

	if (!s) {
		fprintf(stderr, "bench: %s\n", err->message);
		return 2;
	}
	for (guint v = 0; v < 2; v++) {
		g_autoptr(SimWorld) w = sim_world_new();
		SimStrategy *st = sim_strategy_random();
		g_autofree double *wall = g_new(double, batches);
		g_autofree double *cpu = g_new(double, batches);
		uint64_t exec = 0;

		if (!sim_scenario_apply(s, w, variants[v], &err)) {
			fprintf(stderr, "bench: %s\n", err->message);
			return 2;
		}
		w->trace_on = w->want_stacks = false;
		w->respect_order = false;
		for (unsigned i = 0; i < batch; i++)	/* warm-up */
			sim_world_run(w, st, 1, exec++, sim_scenario_init, s);
		for (unsigned b = 0; b < batches; b++) {
			double t0 = now_s(CLOCK_MONOTONIC);
			double c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);

			for (unsigned i = 0; i < batch; i++)
				sim_world_run(w, st, 1, exec++,
					      sim_scenario_init, s);
			wall[b] = batch / (now_s(CLOCK_MONOTONIC) - t0);
			cpu[b] = batch / (now_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
		}
		printf("%s %s: %.0f executions/s, %.0f per CPU-second (medians "
		       "of %u batches of %u)\n", s->basename, variants[v],
		       median(wall, batches), median(cpu, batches), batches,
		       batch);
		sim_strategy_free(st);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "rates"))
		return bench_rates(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "jobs"))
		return bench_jobs(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "first-bug"))
		return bench_first_bug(argv[2], argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "inproc"))
		return bench_inproc(argv[2], argc > 3 ? atoi(argv[3]) : 2000,
				    argc > 4 ? atoi(argv[4]) : 9);
	if (argc >= 3 && !strcmp(argv[1], "memory"))
		return bench_memory(argv[2], argc > 3 ?
				    g_ascii_strtoull(argv[3], NULL, 10) :
				    1000000);
	fprintf(stderr, "usage: %s rates|jobs|first-bug HVSIM DIR|SCENARIO, "
		"inproc SCENARIO [BATCH] [BATCHES], or memory SCENARIO [N]\n",
		argv[0]);
	return 2;
}
