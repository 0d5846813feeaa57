// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the scheduling strategies of this release: "first"
 * (non-preemptive: the running task goes on while it can, else the lowest
 * id; the base of scripted runs, whose ordering constraints add the
 * preemptions), "random" (uniform over the runnable tasks, from the world's
 * scheduler stream), and "replay" (a saved list of decisions). It sits
 * between the scheduler loop (sim/sched.c) and the CLI and explorers that
 * choose a strategy.
 */
#include <glib.h>

#include "sim/world.h"

static uint32_t first_pick(SimStrategy *s, SimWorld *w, SimTask *const *tasks,
			   uint32_t n, SimTask *cur)
{
	uint32_t i;

	for (i = 0; cur && i < n; i++)
		if (tasks[i] == cur)
			return i;
	return 0;
}

static void plain_free(SimStrategy *s)
{
	g_free(s);
}

SimStrategy *sim_strategy_first(void)
{
	SimStrategy *s = g_new0(SimStrategy, 1);

	s->name = "first";
	s->pick = first_pick;
	s->free = plain_free;
	return s;
}

static uint32_t random_pick(SimStrategy *s, SimWorld *w, SimTask *const *tasks,
			    uint32_t n, SimTask *cur)
{
	return (uint32_t)sim_prng_below(&w->sched_prng, n);
}

SimStrategy *sim_strategy_random(void)
{
	SimStrategy *s = sim_strategy_first();

	s->name = "random";
	s->pick = random_pick;
	return s;
}

typedef struct {
	uint32_t *decisions;
	size_t n, pos;
} ReplayState;

static void replay_begin(SimStrategy *s, SimWorld *w, uint64_t execution)
{
	ReplayState *r = s->priv;

	r->pos = 0;
}

static uint32_t replay_pick(SimStrategy *s, SimWorld *w, SimTask *const *tasks,
			    uint32_t n, SimTask *cur)
{
	ReplayState *r = s->priv;
	uint32_t want, i;

	if (r->pos >= r->n)
		return first_pick(s, w, tasks, n, cur);
	want = r->decisions[r->pos++];
	for (i = 0; i < n; i++)
		if (tasks[i]->id == want)
			return i;
	/* The schedule does not fit this execution: say where, and go on
	 * with the default so the run still ends. */
	if (!w->divergence)
		w->divergence = g_strdup_printf(
			"schedule diverged at decision %zu: task %u is not "
			"runnable", r->pos - 1, want);
	return first_pick(s, w, tasks, n, cur);
}

static void replay_free(SimStrategy *s)
{
	ReplayState *r = s->priv;

	g_free(r->decisions);
	g_free(r);
	g_free(s);
}

SimStrategy *sim_strategy_replay(const uint32_t *decisions, size_t n)
{
	SimStrategy *s = g_new0(SimStrategy, 1);
	ReplayState *r = g_new0(ReplayState, 1);

	r->decisions = g_memdup2(decisions, n * sizeof(*decisions));
	r->n = n;
	s->name = "replay";
	s->begin = replay_begin;
	s->pick = replay_pick;
	s->free = replay_free;
	s->priv = r;
	return s;
}

void sim_strategy_free(SimStrategy *s)
{
	if (s)
		s->free(s);
}
