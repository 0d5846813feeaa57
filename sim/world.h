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

/*
 * The engine's hot cross-file calls, bound through the GOT rather than a
 * PLT stub (GCC's noplt attribute): one indirect call instead of a call
 * and a jump, in every file that includes this header. The declarations
 * are those of sim/sim.h, sim/heap.h and sim/trace.h, repeated with the
 * attribute.
 */
#define SIM__NOPLT	__attribute__((noplt))
SIM__NOPLT void sim_yield(SimWorld *w);
SIM__NOPLT bool sim_block(SimWorld *w, SimTaskState state, SimWaitKind kind,
			  const void *obj, const char *obj_name,
			  const char *func, SimTime timeout);
SIM__NOPLT void sim_wake(SimWorld *w, SimTask *t);
SIM__NOPLT int sim_wake_all(SimWorld *w, const void *obj);
SIM__NOPLT SimTask *sim_task_by_id(SimWorld *w, uint32_t id);
SIM__NOPLT uint32_t sim_task_count(SimWorld *w);
SIM__NOPLT uint64_t sim_event_at(SimWorld *w, SimTime when, SimEventFn fn,
				 void *arg, uint64_t arg2);
SIM__NOPLT SimTime sim_now(const SimWorld *w);
SIM__NOPLT bool sim_fix_enabled(const SimWorld *w, SimFix fix);
SIM__NOPLT void *sim_kmalloc(SimWorld *w, size_t size, bool zero,
			     const char *func);
SIM__NOPLT void sim_kfree(SimWorld *w, const void *p, const char *func);
SIM__NOPLT void sim_heap_check(SimWorld *w, uintptr_t addr, size_t size,
			       bool write, uintptr_t ret_ip);
SIM__NOPLT bool sim_heap_accessible(SimWorld *w, const void *addr,
				    size_t size);
SIM__NOPLT void *sim_heap_guest_range(SimWorld *w, uint64_t pfn, size_t in,
				      size_t len);
SIM__NOPLT void sim_trace(SimWorld *w, SimTraceKind kind, uint32_t obj,
			  const char *name, const char *func, int64_t arg,
			  uint32_t peer);

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
	/*
	 * Optional, for worlds of at most 64 tasks: the choice pick() would
	 * make, among the runnable tasks whose ids are the set bits of @mask
	 * (bit id - 1, at least two), returned as a task id, without the
	 * array of tasks; or 0, having changed nothing, to have pick() called
	 * instead. The scheduler's hot path (sim/sched.c).
	 */
	uint32_t (*pick_mask)(SimStrategy *s, SimWorld *w, uint64_t mask,
			      SimTask *cur);
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
 * and freed with @free_fn at sim_world_free(). Inline below (the shim asks
 * on most calls); the creation is sim__world_ext_make().
 */
static inline void *sim_world_ext(SimWorld *w, SimExtSlot slot,
				  void *(*make)(SimWorld *w),
				  void (*free_fn)(void *));
void *sim__world_ext_make(SimWorld *w, SimExtSlot slot,
			  void *(*make)(SimWorld *w), void (*free_fn)(void *));

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
	/*
	 * The heap's reservation [heap_lo, heap_lo + heap_span) and its
	 * shadow, copied here from w->heap when the world is made (they never
	 * move) so the hooks' fast path reads one structure (sim/kasan.c).
	 */
	uintptr_t heap_lo;
	size_t heap_span;
	const uint8_t *heap_shadow;
	size_t heap_direct;		/* bytes of the direct map (pfns) */
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
	/*
	 * The runnable tasks among ids 1..64, bit id - 1, kept with
	 * nrunnable by sim__task_set_state(): the scheduler's pick walks the
	 * set bits (id order, as the scan it replaces) without loading a
	 * task. With more than 64 tasks the pick scans the table.
	 */
	uint64_t runnable_mask;
	/* Likewise the tasks BLOCKED or IDLE, which sim_wake_all() scans. */
	uint64_t waiting_mask;
	/* Elements w->schedule can hold without growing (sim/sched.c). */
	guint schedule_cap;
	/*
	 * A strategy's standing answer (SimStrategy.pick_mask): while the
	 * runnable set is pick_hint_mask and w->steps < pick_hint_until, its
	 * choice is task pick_hint_id without being asked. Set by the
	 * strategy after a choice, cleared by every sim_world_run(); the
	 * scheduler uses it to let a yielding task go on without a call.
	 */
	uint64_t pick_hint_mask;
	uint64_t pick_hint_until;
	uint32_t pick_hint_id;
	/* The clock could not move (a limit, a hung task, a livelock) while
	 * a task ran the events in place: the loop ends (sim/sched.c). */
	bool sched_break;
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
	/* The VMBus host among them, for vmbus_host_of() on every hypercall
	 * (models/vmbus_host.c sets it when it attaches). */
	void *vmbus_host;

	/* Scenario (borrowed) and what the CLI wants printed. */
	const SimScenario *scenario;
	const char *title;		/* "Hardware name:" line */

	/*
	 * SimTask.wait_obj of tasks 1..64 as sim_block() set it, one cache
	 * line per eight tasks: the waiting tasks' objects (waiting_mask),
	 * compared by sim_wake_all() without loading every task.
	 */
	const void *wait_objs[64];

	/* The runnable tasks of a decision, for the strategy's pick(); last,
	 * so that the fields above share fewer cache lines. */
	SimTask *runnable_buf[256];
};

static inline void *sim_world_ext(SimWorld *w, SimExtSlot slot,
				  void *(*make)(SimWorld *w),
				  void (*free_fn)(void *))
{
	if (__builtin_expect(w->ext[slot] != NULL, 1))
		return w->ext[slot];
	return sim__world_ext_make(w, slot, make, free_fn);
}

/* Append one event stamped with the world's step, time and running task;
 * the caller made room (sim/trace.c's recorder and sim__trace_fast). */
static inline __attribute__((always_inline)) void
sim__trace_put(SimWorld *w, SimTraceKind kind, uint32_t obj,
	       const char *name, const char *func, int64_t arg, uint32_t peer)
{
	SimTrace *t = &w->trace;
	SimTask *cur = sim__current;
	SimTraceEvent *ev = &t->ev[t->len++];

	ev->step = w->steps;
	ev->time = w->now;
	ev->task = cur ? cur->id : 0;
	ev->obj = obj;
	ev->kind = (uint16_t)kind;
	ev->name = name;
	ev->func = func;
	ev->arg = arg;
	ev->peer = peer;
}

/*
 * sim__trace_fast - sim_trace() for the engine's and the shim's hot paths:
 * the same event, recorded inline when the buffer has room (full trace
 * below its capacity, or a tail below 2 * SIM_TRACE_TAIL events, the
 * recorder's rule in sim/trace.c), else by sim_trace() itself.
 */
static inline void sim__trace_fast(SimWorld *w, SimTraceKind kind,
				   uint32_t obj, const char *name,
				   const char *func, int64_t arg,
				   uint32_t peer)
{
	SimTrace *t = &w->trace;

	if (__builtin_expect(t->len >= t->cap ||
			     (!w->trace_on && t->len >= 2 * SIM_TRACE_TAIL),
			     0)) {
		sim_trace(w, kind, obj, name, func, arg, peer);
		return;
	}
	sim__trace_put(w, kind, obj, name, func, arg, peer);
}

/*
 * sim__heap_range_ok - the common case of sim_heap_check(), inline for the
 * shim's hot paths: no footprint recorder, and [addr, addr+size) outside
 * the heap or within at most eight fully accessible shadow granules (the
 * last one may be partial and cover the end). True means sim_heap_check()
 * would return at once; false means call it (it decides, from scratch).
 * The shadow is stored XOR SIM__SHADOW_OK_BYTE, so an accessible granule
 * reads that byte (sim/heap_priv.h; sim/kasan.c checks they agree).
 */
#define SIM__SHADOW_OK_BYTE	0xfe

static inline bool sim__heap_range_ok(const SimWorld *w, uintptr_t addr,
				      size_t size)
{
	size_t off = addr - w->heap_lo, ng, e;
	uint64_t word, d, v;

	if (__builtin_expect(w->footprint != NULL, 0))
		return false;
	if (off >= w->heap_span)
		return true;
	if (!size || size > w->heap_span - off)
		return false;
	ng = ((off + size - 1) >> 3) - (off >> 3) + 1;
	if (ng > 8)
		return false;
	e = ((off + size - 1) & 7) + 1;
	__builtin_memcpy(&word, w->heap_shadow + (off >> 3), sizeof(word));
	d = (word ^ (0x0101010101010101ULL * SIM__SHADOW_OK_BYTE)) &
	    (~0ULL >> (64 - 8 * ng));
	if (__builtin_expect(d == 0, 1))
		return true;
	v = d >> (8 * (ng - 1));
	d &= (1ULL << (8 * (ng - 1))) - 1;
	return d == 0 && v < 8 && e <= v;
}

/*
 * sim__heap_guest_bytes - sim_heap_guest_range() with its common case
 * inline (the host models' ring copies): the frame in range and the bytes
 * accessible by sim__heap_range_ok(). Otherwise the call, which decides.
 */
static inline void *sim__heap_guest_bytes(SimWorld *w, uint64_t pfn,
					  size_t in, size_t len)
{
	if (pfn < w->heap_direct >> 12) {
		uintptr_t a = w->heap_lo + (pfn << 12) + in;

		if (sim__heap_range_ok(w, a, len))
			return (void *)a;
	}
	return sim_heap_guest_range(w, pfn, in, len);
}

/*
 * sim__task_set_state() (sim/sched.h), inline for sim/task.c and
 * sim/sched.c: the runnable count and the task sets of the scheduler.
 */
static inline __attribute__((always_inline)) void
sim__task_state_set(SimWorld *w, SimTask *t, SimTaskState s)
{
	/* Bit id - 1 of the runnable set; ids past 64 have none (pick scans
	 * the table then). */
	uint64_t bit = t->id <= 64 ? 1ULL << (t->id - 1) : 0;

	if (t->state == SIM_TASK_RUNNABLE) {
		w->nrunnable--;
		w->runnable_mask &= ~bit;
	}
	if (s == SIM_TASK_RUNNABLE) {
		w->nrunnable++;
		w->runnable_mask |= bit;
	}
	if (s == SIM_TASK_BLOCKED || s == SIM_TASK_IDLE)
		w->waiting_mask |= bit;
	else
		w->waiting_mask &= ~bit;
	t->state = s;
}

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
