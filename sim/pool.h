/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the explorer's worker pool: N forked processes, each
 * running whole executions in its own copy of the world, fed ranges of
 * "slots" by the parent and reporting, per range, each outcome other than
 * clean with its count and first execution. The parent hands the ranges
 * to the caller in slot order, whichever worker ran them, so what the
 * caller sees does not depend on the number of workers or on their speed.
 * It sits between the explore command (sim/cli_explore.c) and the engine
 * (sim_world_run()).
 *
 * Slots and executions: slot j of shard k of n (k 0-based) is execution
 * k + n*j, so the n shards of a budget cover its executions without
 * overlap, and shard 0 of 1 runs execution j in slot j.
 *
 * A worker that dies (an assertion, a fault the oops handler could not
 * take, a signal) costs one execution: the parent reports it to the
 * caller as a range of one slot with a SimPoolCrash, runs the rest of the
 * worker's ranges again in a new worker, and goes on. A fault in driver
 * code does not kill a worker at all: sim/crash.c turns it into an oops,
 * an ordinary finding of that execution.
 */
#ifndef HVSIM_POOL_H
#define HVSIM_POOL_H

#include <stdint.h>
#include <glib.h>

#include "sim/report.h"
#include "sim/world.h"

#define SIM_POOL_ERROR (sim_pool_error_quark())
GQuark sim_pool_error_quark(void);

/* Most worker processes a pool runs. */
#define SIM_POOL_MAX_JOBS	256

/* One signature seen in a range: how often, and first where. */
typedef struct {
	char *sig;
	uint64_t count;
	uint64_t first;		/* execution index */
} SimPoolHit;

/* A worker that died during one execution. */
typedef struct {
	uint64_t execution;
	int sig;		/* the signal it died of, or 0 */
	int exit_status;	/* when it exited instead */
	int code;		/* si_code, when the fatal hook ran */
	uint64_t addr;		/* si_addr, when the fatal hook ran */
	gboolean have_stack;	/* the fatal hook ran: stack and decisions */
	SimStack stack;		/* where it died, raw (same layout as ours) */
	GArray *decisions;	/* uint32_t: the execution's decisions so far */
	gboolean truncated;	/* more decisions than the worker could pass */
} SimPoolCrash;

/* The outcomes of slots [start, end), handed over in slot order. */
typedef struct {
	uint64_t start, end;
	GPtrArray *hits;	/* SimPoolHit*, ascending first execution */
	SimPoolCrash *crash;	/* set for the one-slot range of a dead worker */
} SimPoolChunk;

typedef struct {
	/* The execution: the workers inherit all of it through fork(). */
	SimWorld *w;
	SimStrategy *strategy;
	SimInitFn init;
	void *init_arg;
	uint64_t seed;

	unsigned jobs;			/* worker processes, 1..SIM_POOL_MAX_JOBS */
	uint64_t shard_k, shard_n;	/* this shard, k in 0..n-1 */
	uint64_t slots;			/* slots to run; UINT64_MAX: until
					 * tick() says stop */
	uint64_t chunk;			/* slots per range; 0: chosen */

	/*
	 * Called in the parent for every range, in slot order. A non-zero
	 * return stops the pool (workers killed) and is returned.
	 */
	int (*commit)(void *arg, const SimPoolChunk *c);
	/*
	 * Called in the parent at least every 50 ms of waiting, with the
	 * slots run so far (committed or not). TRUE: hand out no new slots
	 * (ranges already handed out, and those of a dead worker, still run,
	 * so the slots run are always 0..N-1 for some N).
	 */
	gboolean (*tick)(void *arg, uint64_t done);
	/*
	 * Optional: the number of slots of the next range handed out (at
	 * least 1; less when fewer are left), e.g. ~20 ms of work at the
	 * rate seen so far, so that a slow scenario still stops soon after
	 * --time. Range sizes change which worker runs what, never what is
	 * found. NULL: cfg->chunk.
	 */
	uint64_t (*range_size)(void *arg);
	void *arg;
} SimPoolConfig;

static inline uint64_t sim_pool_execution(const SimPoolConfig *c,
					  uint64_t slot)
{
	return c->shard_k + c->shard_n * slot;
}

/*
 * sim_pool_run - run slots 0..cfg->slots-1 (or until tick() stops it) in
 * cfg->jobs workers. Sets @slots_run to the number of slots run, all of
 * them committed. Returns 0, a commit's non-zero return, or -1 with
 * @error set when workers cannot be started or keep dying without running
 * anything.
 */
int sim_pool_run(const SimPoolConfig *cfg, uint64_t *slots_run,
		 GError **error);

#endif /* HVSIM_POOL_H */
