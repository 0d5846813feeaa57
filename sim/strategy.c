// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the scheduling strategies: "first" (non-preemptive:
 * the running task goes on while it can, else the lowest id; the base of
 * scripted runs, whose ordering constraints add the preemptions), "random"
 * (uniform over the runnable tasks, from the world's scheduler stream),
 * "pct" (probabilistic concurrency testing, Burckhardt et al., ASPLOS 2010)
 * and "replay" (a saved list of decisions). It sits
 * between the scheduler loop (sim/sched.c) and the CLI and explorers that
 * choose a strategy.
 */
#include <string.h>

#include <glib.h>

#include "sim/world.h"

/*
 * Hot paths (docs/performance.md): no frame pointer (unwinders use the
 * CFI) and calls through the GOT rather than PLT stubs.
 */
#pragma GCC optimize("omit-frame-pointer", "no-plt")

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

/* random_pick() over the set bits of @mask: the same draw, the same
 * index among the runnable tasks in id order. */
static uint32_t random_pick_mask(SimStrategy *s, SimWorld *w, uint64_t mask,
				 SimTask *cur)
{
	uint64_t m = mask;
	uint32_t n = 0, idx;

	while (m) {
		n++;
		m &= m - 1;
	}
	idx = (uint32_t)sim_prng_below(&w->sched_prng, n);
	while (idx--)
		mask &= mask - 1;
	return (uint32_t)__builtin_ctzll(mask) + 1;
}

SimStrategy *sim_strategy_random(void)
{
	SimStrategy *s = sim_strategy_first();

	s->name = "random";
	s->pick = random_pick;
	s->pick_mask = random_pick_mask;
	return s;
}

/*
 * PCT with depth d: every task gets a random priority of its own, above d,
 * when the strategy first sees it; d-1 change points are drawn uniformly
 * among the first k steps. The runnable task with the highest priority
 * runs; when the execution passes change point j, the task that was
 * running drops to priority j, below every initial priority. A bug of
 * depth d (d ordering constraints) is then found with probability at least
 * 1/(n k^(d-1)) per execution, n the number of tasks.
 *
 * Everything is drawn from a stream of (seed, execution), so execution i
 * is a function of the scenario, variant, seed, d, k and i alone.
 */
#define PCT_MAX_DEPTH	16

typedef struct {
	unsigned depth;
	uint64_t bound;			/* k: steps the change points fall in */
	SimPrng prng;
	uint64_t change[PCT_MAX_DEPTH];	/* sorted step numbers */
	unsigned nchange, next_change;
	uint64_t *prio;			/* per task id - 1; 0 = unset */
	uint32_t nprio;			/* ids seen this execution */
	uint32_t prio_cap;
	/*
	 * The last answer of pct_pick_mask(): for the same set of runnable
	 * tasks, with no change point passed since (the only thing that
	 * changes a priority once set), the answer is the same. 0: none.
	 */
	uint64_t last_mask;
	uint32_t last_id;
} PctState;

static void pct_begin(SimStrategy *s, SimWorld *w, uint64_t execution)
{
	PctState *p = s->priv;
	unsigned i, j;

	sim_prng_seed(&p->prng, w->seed, 0x9c7ULL ^ (execution << 8));
	p->nchange = p->depth ? p->depth - 1 : 0;
	for (i = 0; i < p->nchange; i++) {
		uint64_t c = 1 + sim_prng_below(&p->prng, p->bound);

		/* Insertion into the sorted list. */
		for (j = i; j > 0 && p->change[j - 1] > c; j--)
			p->change[j] = p->change[j - 1];
		p->change[j] = c;
	}
	p->next_change = 0;
	p->nprio = 0;
	p->last_mask = 0;
	p->last_id = 0;
}

/* Make room for task ids up to @id; the new ones are unset. */
static __attribute__((noinline)) void pct_grow(PctState *p, uint32_t id)
{
	if (id > p->prio_cap) {
		p->prio_cap = MAX(id, 2 * p->prio_cap);
		p->prio = g_renew(uint64_t, p->prio, p->prio_cap);
	}
	memset(p->prio + p->nprio, 0, (id - p->nprio) * sizeof(*p->prio));
	p->nprio = id;
}

static inline uint64_t *pct_prio(PctState *p, const SimTask *t)
{
	uint64_t *v;

	if (G_UNLIKELY(p->nprio < t->id))
		pct_grow(p, t->id);
	v = &p->prio[t->id - 1];
	/* Initial priorities are above every change-point priority. */
	if (!*v)
		*v = p->depth + 1 + (sim_prng_next(&p->prng) >> 1);
	return v;
}

/* pct_pick() in full: change points, then priorities drawn as tasks are
 * first seen, in id order. */
static __attribute__((noinline)) uint32_t
pct_pick_slow(PctState *p, SimWorld *w, SimTask *const *tasks, uint32_t n,
	      SimTask *cur)
{
	uint32_t i, best = 0;
	uint64_t best_prio = 0;

	/* Change points passed since the last decision lower the task that
	 * was running when they passed. */
	while (p->next_change < p->nchange &&
	       p->change[p->next_change] <= w->steps) {
		if (cur)
			*pct_prio(p, cur) = p->next_change + 1;
		p->next_change++;
		p->last_id = 0;
	}
	for (i = 0; i < n; i++) {
		uint64_t v = *pct_prio(p, tasks[i]);

		if (v > best_prio) {
			best_prio = v;
			best = i;
		}
	}
	return best;
}

/*
 * The common decision: no change point due and every task already has its
 * priority. That reads and changes nothing, so when it does not hold the
 * slow path starts over and makes the same draws in the same order.
 */
static uint32_t pct_pick(SimStrategy *s, SimWorld *w, SimTask *const *tasks,
			 uint32_t n, SimTask *cur)
{
	PctState *p = s->priv;
	uint32_t i, best = 0;
	uint64_t best_prio = 0;

	if (p->next_change < p->nchange &&
	    p->change[p->next_change] <= w->steps)
		return pct_pick_slow(p, w, tasks, n, cur);
	for (i = 0; i < n; i++) {
		uint32_t id = tasks[i]->id;
		uint64_t v;

		if (id > p->nprio || !(v = p->prio[id - 1]))
			return pct_pick_slow(p, w, tasks, n, cur);
		if (v > best_prio) {
			best_prio = v;
			best = i;
		}
	}
	return best;
}

/* pct_pick()'s common decision over the set bits of @mask; 0 when it
 * does not hold (nothing was changed: pct_pick() then starts over). */
static uint32_t pct_pick_mask(SimStrategy *s, SimWorld *w, uint64_t mask,
			      SimTask *cur)
{
	PctState *p = s->priv;
	uint32_t best = 0;
	uint64_t best_prio = 0;

	uint64_t m = mask;

	if (p->next_change < p->nchange &&
	    p->change[p->next_change] <= w->steps)
		return 0;
	if (!p->last_id || mask != p->last_mask) {
		while (m) {
			uint32_t id = (uint32_t)__builtin_ctzll(m) + 1;
			uint64_t v;

			m &= m - 1;
			if (id > p->nprio || !(v = p->prio[id - 1]))
				return 0;
			if (v > best_prio) {
				best_prio = v;
				best = id;
			}
		}
		p->last_mask = mask;
		p->last_id = best;
	}
	/* The same answer for this set until the next change point. */
	w->pick_hint_mask = mask;
	w->pick_hint_id = p->last_id;
	w->pick_hint_until = p->next_change < p->nchange ?
			     p->change[p->next_change] : UINT64_MAX;
	return p->last_id;
}

static void pct_free(SimStrategy *s)
{
	PctState *p = s->priv;

	g_free(p->prio);
	g_free(p);
	g_free(s);
}

SimStrategy *sim_strategy_pct(unsigned depth, uint64_t step_bound)
{
	SimStrategy *s = g_new0(SimStrategy, 1);
	PctState *p = g_new0(PctState, 1);

	g_assert(depth >= 1 && depth <= PCT_MAX_DEPTH);
	p->depth = depth;
	p->bound = step_bound ? step_bound : 1;
	s->name = "pct";
	s->begin = pct_begin;
	s->pick = pct_pick;
	s->pick_mask = pct_pick_mask;
	s->free = pct_free;
	s->priv = p;
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
