/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the world: one simulation with its clock, event queue,
 * tasks, heap, trace and verdict, and the calls that run one execution of a
 * scenario in it. It sits between the CLI and explorers above and the task
 * engine, shim and models below.
 *
 * Life of a world: sim_world_new() once per (scenario, variant); then any
 * number of sim_world_run() calls, each a complete execution that first
 * resets every piece of state (clock, queue, tasks, heap, trace, the
 * drivers' globals, the models) so execution i depends only on its inputs.
 */
#ifndef HVSIM_WORLD_H
#define HVSIM_WORLD_H

#include <glib.h>

#include "sim/event_queue.h"
#include "sim/heap.h"
#include "sim/prng.h"
#include "sim/report.h"
#include "sim/sim.h"
#include "sim/trace.h"

/* A host or device model attached to the world (models/). */
typedef struct SimModel {
	const char *name;
	void *priv;
	/* Called at the start of every execution, after the reset. */
	void (*start)(SimWorld *w, struct SimModel *m);
	/* Called when the execution ends cleanly (teardown checks). */
	void (*finish)(SimWorld *w, struct SimModel *m);
	void (*free)(struct SimModel *m);
} SimModel;

/* Limits that end a runaway execution with a clear verdict. */
typedef struct {
	uint64_t max_steps;
	SimTime max_time;
	/* Instrumented accesses in one step before it is a runaway (a soft
	 * lockup); 0 means SIM_MAX_STEP_ACCESSES (sim/footprint.h). */
	uint64_t max_step_accesses;
} SimLimits;

/*
 * Strategy: who runs at a decision point. A decision point is a scheduling
 * point with more than one runnable task; @tasks are in id order.
 */
struct SimStrategy {
	const char *name;
	void (*begin)(SimStrategy *s, SimWorld *w, uint64_t execution);
	/* Returns an index into @tasks. @cur is the task that just yielded,
	 * or NULL. */
	uint32_t (*pick)(SimStrategy *s, SimWorld *w, SimTask *const *tasks,
			 uint32_t n, SimTask *cur);
	void (*free)(SimStrategy *s);
	void *priv;
};

SimStrategy *sim_strategy_first(void);		/* non-preemptive, lowest id */
SimStrategy *sim_strategy_random(void);		/* uniform, world's sched stream */
/*
 * PCT of depth @depth (1..16; 1 = no preemption beyond blocking), change
 * points drawn among the first @step_bound steps. Execution i depends only
 * on (scenario, variant, seed, depth, step_bound, i).
 */
SimStrategy *sim_strategy_pct(unsigned depth, uint64_t step_bound);
/* Replays @decisions (task ids); past their end behaves like "first". A
 * decision naming a task that is not runnable is a divergence: the run goes
 * on with "first" and w->divergence says where. */
SimStrategy *sim_strategy_replay(const uint32_t *decisions, size_t n);
void sim_strategy_free(SimStrategy *s);

/* One ordering constraint: point @before happens before point @after. */
typedef struct {
	const char *before;
	const char *after;
} SimOrder;

/* Slots for per-world state of shim families (see SimWorld.ext). */
typedef enum {
	SIM_EXT_KAPI_SYNC,
	SIM_EXT_KAPI_EXEC,
	SIM_EXT_KAPI_MM,
	SIM_EXT_REPORT,
	SIM_EXT_KCSAN,			/* race detector (sim/kcsan.c) */
	SIM_EXT_LIVENESS,		/* progress record (sim/liveness.c) */
	SIM_EXT_KAPI_NET,		/* RTNL (sim/kapi/rtnl.c) */
	SIM_EXT_KAPI_HW,		/* IRQ core, MMIO (sim/kapi/irq.c, io.c) */
	SIM_EXT_SPARE1,
	SIM_EXT_SPARE2,
	SIM_EXT__COUNT
} SimExtSlot;

/*
 * sim_world_ext - the state of @slot, created with @make(w) on first use
 * and freed with @free_fn at sim_world_free().
 */
void *sim_world_ext(SimWorld *w, SimExtSlot slot, void *(*make)(SimWorld *w),
		    void (*free_fn)(void *));

/* Number of most recent events kept when the full trace is off. */
#define SIM_TRACE_TAIL	64

struct SimWorld {
	/* Clock and events. */
	SimTime now;
	SimEventQueue events;

	/* Tasks, in id order (index = id - 1). */
	GPtrArray *tasks;
	GPtrArray *task_pool;		/* stacks kept across executions */
	void *sched_sp;			/* scheduler's saved stack pointer */
	SimTask *runnable_buf[256];

	/* Scheduling. */
	SimStrategy *strategy;
	uint64_t steps;
	GArray *schedule;		/* uint32_t task id per decision */
	SimPrng sched_prng;
	SimLimits limits;
	uint64_t seed;
	uint64_t execution;

	/* Scripted ordering constraints and which points have been passed. */
	GArray *orders;			/* SimOrder */
	GHashTable *points_passed;	/* point name -> count; lookup only */
	bool respect_order;

	/* Fix switches of this variant. */
	bool fixes[SIM_FIX__COUNT];
	const char *variant;		/* "pre-fix" / "post-fix" */

	/* Memory, trace, verdict. */
	SimHeap *heap;
	/*
	 * Accesses the running step may still make before the KASAN hooks
	 * take their slow path; refilled at every scheduling point. And the
	 * footprint recorder of an exhaustive search, NULL otherwise. Next
	 * to the heap: the hooks read all three. See sim/footprint.h.
	 */
	int64_t step_budget;
	struct SimFootprint *footprint;
	SimTrace trace;
	bool trace_on;			/* record every event (else a tail) */
	bool want_stacks;		/* capture alloc/free stacks */
	SimReport *bug;
	SimEnd end;
	char *divergence;
	bool check_leaks;
	bool stop;			/* set by a report raised in engine context */

	/* Object ids for shim objects. */
	uint32_t next_obj;

	/* Machine. */
	int ncpus;

	/* Scheduler bookkeeping. */
	uint32_t nrunnable;		/* tasks in SIM_TASK_RUNNABLE */
	uint64_t decisions;		/* decision points so far */
	uint64_t run_serial;		/* bumped by every sim_world_run() */

	/*
	 * Per-world state of the shim families and models, created lazily on
	 * first use. A family compares its own saved run_serial with the
	 * world's to know that a new execution started and it must reset.
	 */
	void *ext[SIM_EXT__COUNT];
	void (*ext_free[SIM_EXT__COUNT])(void *);

	/* Models, in attach order. */
	GPtrArray *models;		/* SimModel* */

	/* Scenario (borrowed) and what the CLI wants printed. */
	const SimScenario *scenario;
	const char *title;		/* "Hardware name:" line */
};

SimWorld *sim_world_new(void);
void sim_world_free(SimWorld *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimWorld, sim_world_free)

void sim_world_add_model(SimWorld *w, SimModel *m);
void sim_world_set_fix(SimWorld *w, SimFix fix, bool on);
void sim_world_add_order(SimWorld *w, const char *before, const char *after);

/*
 * The program of an execution: run in a first task ("swapper/0" style init
 * task) created at time 0, after the models have started. It loads the
 * scenario's modules, for instance.
 */
typedef void (*SimInitFn)(SimWorld *w, void *arg);

/*
 * sim_world_run - one complete execution with @strategy and @seed (the
 * world's streams are derived from (seed, execution)). Returns how it ended;
 * the finding, if any, is in w->bug and the trace in w->trace.
 */
SimEnd sim_world_run(SimWorld *w, SimStrategy *strategy, uint64_t seed,
		     uint64_t execution, SimInitFn init, void *init_arg);

static inline bool sim_world_wants_stacks(const SimWorld *w)
{
	return w->want_stacks;
}

/*
 * sim_world_wait_quiescent - block the running task until no other task is
 * runnable and no event is pending (every other task idle, sleeping or
 * done). Used by the init task before unloading modules.
 */
void sim_world_wait_quiescent(SimWorld *w);

/* The list of decisions of the last execution (task ids). */
const uint32_t *sim_world_schedule(const SimWorld *w, size_t *n);

#endif /* HVSIM_WORLD_H */
