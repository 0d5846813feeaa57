/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the exhaustive search: a stateless depth-first search
 * over the schedules of one scenario variant with at most K preemptions,
 * each execution replaying a prefix of decisions from the start, with
 * sleep sets (Godefroid) over the step footprints of sim/footprint.h to
 * skip schedules equivalent to one already explored. It sits between the
 * command line (sim/cli_dfs.c, `hvsim explore --strategy dfs`) and tests
 * above, and the world, scheduler and footprint recorder below.
 *
 * Decisions. A decision point is a scheduling point with more than one
 * runnable task. Choosing a task other than the one that just ran, while
 * that one is still runnable, is a preemption; a choice after it blocked
 * or exited is free. Beyond the replayed prefix every choice is the
 * non-preemptive default (the running task goes on, else the lowest id:
 * sim_strategy_first), so execution 0 is the "first" schedule. After each
 * execution the search backtracks to the deepest decision with an untried
 * alternative within the bound, alternatives in task id order. Execution
 * i is therefore the i-th schedule in a fixed order, and the whole search
 * a function of (scenario, variant, seed, K, POR on or off). Every
 * execution runs with the world's execution index SIM_DFS_WORLD_EXECUTION,
 * so nothing the world derives from that index can differ between two
 * replays of the same prefix.
 *
 * Sleep sets. At a decision, once the subtree of choice t is explored,
 * t goes to sleep for the later choices u at that decision; going down
 * u's branch t stays asleep while every step taken is independent of t's
 * step (their footprints do not conflict), and an asleep task is not
 * chosen: any schedule that would run it there is equivalent to one that
 * ran it at the decision where it fell asleep. An asleep task stays
 * runnable (in this engine only a task's own step makes it block or exit,
 * which the search checks), so while one sleeps every scheduling point is
 * a decision, except when it is the only task left: then, as at a
 * decision where every choice left is asleep, the execution is abandoned
 * (it is "sleep-blocked").
 *
 * Sleep sets and the preemption bound. The equivalent schedule that
 * justifies skipping t may need more preemptions than the skipped one,
 * and then lie outside the bound and never be explored (Coons, Musuvathi
 * and McKinley, "Bounded partial-order reduction", OOPSLA 2013). This
 * search keeps only the sleep entries for which that cannot happen: t,
 * explored at decision n, may sleep in u's subtree only if
 *   cost_n(t) + [t still runnable after its step] <= cost_n(u),
 * cost_n(x) being 1 when choosing x at n is a preemption. Moving t's step
 * back to n then adds at most as many preemptions as it removes, for any
 * continuation, so every schedule within the bound keeps an explored
 * equivalent within the bound: the reduction is sound under the bound,
 * not a heuristic. (Without a bound every entry is kept: classic sleep
 * sets.) DPOR is not implemented: under a preemption bound its backtrack
 * points need Coons et al.'s extra conservative branches to stay sound.
 *
 * What "pruned" counts: choices within the bound that were never run
 * because their task was asleep, at a decision or as the one runnable
 * task of a step that follows no decision. A sleep-blocked execution is
 * still run up to the point where it is abandoned, and counted in
 * executions.
 */
#ifndef HVSIM_DFS_H
#define HVSIM_DFS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "sim/world.h"

/* No preemption bound. */
#define SIM_DFS_UNBOUNDED	UINT32_MAX

/* The world execution index of every DFS execution (see above). */
#define SIM_DFS_WORLD_EXECUTION	0

typedef struct {
	uint64_t executions;	/* executions run, sleep-blocked ones included */
	uint64_t sleep_blocked;	/* abandoned: every choice left was asleep */
	uint64_t pruned;	/* choices within the bound never run: asleep */
	uint64_t anomalies;	/* sleep entries found not runnable (a missed
				 * dependency; dropped); 0 when footprints are
				 * sound */
	uint32_t max_depth;	/* most decisions in one execution */
	bool complete;		/* every schedule within the bound covered */
} SimDfsStats;

typedef struct SimDfs SimDfs;

/*
 * sim_dfs_new - a search over the schedules of @w with at most
 * @preemptions preemptions (SIM_DFS_UNBOUNDED for none), with sleep sets
 * when @por. The world must stay the same (scenario, variant, fixes) for
 * the search's life.
 */
SimDfs *sim_dfs_new(SimWorld *w, uint32_t preemptions, bool por);
void sim_dfs_free(SimDfs *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimDfs, sim_dfs_free)

/*
 * sim_dfs_next - run the next execution of the search, with @seed and the
 * program @init(@arg). Returns FALSE when there is none left (the search
 * is complete) or the search failed (sim_dfs_error()); nothing ran then.
 * Else *@end is how it ended and *@blocked is TRUE for a sleep-blocked
 * execution: abandoned as redundant, with no verdict (*@end is then
 * SIM_END_STEP_LIMIT unless a detector fired before the abandon).
 * The schedule of a finished execution is sim_world_schedule(@w); it
 * replays with sim_strategy_replay() at SIM_DFS_WORLD_EXECUTION.
 */
gboolean sim_dfs_next(SimDfs *d, uint64_t seed, SimInitFn init, void *arg,
		      SimEnd *end, gboolean *blocked);

const SimDfsStats *sim_dfs_stats(const SimDfs *d);

/* Why the search stopped early: an execution did not replay its prefix
 * (the engine is not deterministic); NULL if it did not. */
const char *sim_dfs_error(const SimDfs *d);

/* `hvsim explore --strategy dfs` (sim/cli_dfs.c). */
gboolean sim__cli_wants_dfs(GStrv args);
int sim__cli_explore_dfs(GStrv args);

#endif /* HVSIM_DFS_H */
