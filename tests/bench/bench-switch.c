// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file measures the engine's task switch: the raw coroutine switch
 * (sim__ctx_switch, one direction), and a full scheduling point at which
 * the random strategy picks between two runnable tasks (yield, pick, switch
 * back). It prints medians over repeated batches, as ratios too, so the
 * figure is comparable on a noisy shared machine. A benchmark, not a test:
 * it asserts nothing about time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>

#include "sim/context.h"
#include "sim/world.h"

#define BATCH	2000000
#define REPEAT	15

static void *main_sp, *co_sp;

static void co_entry(void *arg)
{
	for (;;)
		sim__ctx_switch(&co_sp, main_sp);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static double raw_switch_ns(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	double v[REPEAT];
	int r, i;

	co_sp = sim__ctx_make(stack, sizeof(stack), co_entry, NULL);
	for (r = 0; r < REPEAT; r++) {
		double t0 = now_ns();

		for (i = 0; i < BATCH; i++)
			sim__ctx_switch(&main_sp, co_sp);
		v[r] = (now_ns() - t0) / (2.0 * BATCH);
	}
	return median(v, REPEAT);
}

static void yielder(void *arg)
{
	SimWorld *w = sim_current_world();
	int i;

	for (i = 0; i < BATCH / 10; i++)
		sim_yield(w);
}

static void init_yielders(SimWorld *w, void *arg)
{
	sim_task_create(w, "y0", SIM_CTX_PROCESS, 0, yielder, NULL);
	sim_task_create(w, "y1", SIM_CTX_PROCESS, 1, yielder, NULL);
}

static double sched_point_ns(void)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_random();
	double v[REPEAT];
	int r;

	w->trace_on = false;
	w->limits.max_steps = UINT64_MAX;
	for (r = 0; r < REPEAT; r++) {
		double t0 = now_ns();

		sim_world_run(w, s, r, 0, init_yielders, NULL);
		v[r] = (now_ns() - t0) / (double)w->steps;
	}
	sim_strategy_free(s);
	return median(v, REPEAT);
}

int main(void)
{
	double sw = raw_switch_ns();
	double sp = sched_point_ns();

	printf("task switch (sim__ctx_switch, one way): median %.1f ns "
	       "(target <= 20 ns)\n", sw);
	printf("scheduling point with a random decision between 2 tasks: "
	       "median %.1f ns per step (%.1fx a raw switch)\n", sp, sp / sw);
	return 0;
}
