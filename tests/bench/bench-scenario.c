// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file measures whole executions of a scenario in one process, the
 * way exploration runs them: one world, reset between executions, no fork,
 * no trace kept beyond the tail, no stacks. It prints executions per second
 * for each variant (median of several batches) and the peak resident set
 * size after a warm-up batch and after the whole run, so the figures are
 * ratios within one process on a noisy shared machine. A benchmark, not a
 * test: it asserts nothing about time.
 *
 * Usage: bench-scenario SCENARIO [EXECUTIONS-PER-BATCH] [BATCHES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <glib.h>

#include "sim/scenario.h"
#include "sim/world.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int bench_variant(SimScenario *scn, const char *variant,
			 unsigned batch, unsigned batches)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_random();
	double *rate = g_new(double, batches);
	unsigned b, i, bugs = 0;
	uint64_t exec = 0;
	long rss_warm;

	if (!sim_scenario_apply(scn, w, variant, &error)) {
		fprintf(stderr, "bench: %s\n", error->message);
		return 2;
	}
	w->trace_on = false;
	w->want_stacks = false;
	w->respect_order = false;
	/* Warm-up: grows the pools, tables and stacks to their working size. */
	for (i = 0; i < batch; i++)
		sim_world_run(w, s, 1, exec++, sim_scenario_init, scn);
	rss_warm = peak_rss_kib();
	for (b = 0; b < batches; b++) {
		double t0 = now_s();

		for (i = 0; i < batch; i++)
			bugs += sim_world_run(w, s, 1, exec++, sim_scenario_init,
					      scn) == SIM_END_BUG;
		rate[b] = batch / (now_s() - t0);
	}
	qsort(rate, batches, sizeof(*rate), cmp_double);
	printf("%s %s: %.0f executions/s (median of %u batches of %u; "
	       "min %.0f, max %.0f); %u of %u executions found a bug\n",
	       scn->basename, variant, rate[batches / 2], batches, batch,
	       rate[0], rate[batches - 1], bugs, batches * batch);
	printf("%s %s: peak RSS %ld KiB after %u executions, %ld KiB after "
	       "%" G_GUINT64_FORMAT " (ratio %.3f)\n", scn->basename, variant,
	       rss_warm, batch, peak_rss_kib(), exec,
	       (double)peak_rss_kib() / rss_warm);
	g_free(rate);
	sim_strategy_free(s);
	return 0;
}

int main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SimScenario) scn = NULL;
	unsigned batch = argc > 2 ? atoi(argv[2]) : 2000;
	unsigned batches = argc > 3 ? atoi(argv[3]) : 9;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SCENARIO [BATCH] [BATCHES]\n", argv[0]);
		return 2;
	}
	scn = sim_scenario_load(argv[1], &error);
	if (!scn) {
		fprintf(stderr, "bench: %s\n", error->message);
		return 2;
	}
	rc = bench_variant(scn, "pre-fix", batch, batches);
	if (!rc)
		rc = bench_variant(scn, "post-fix", batch, batches);
	return rc;
}
