/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the engine: one simulated world, its tasks, its virtual
 * clock and event queue, its scheduler and the verdict of an execution. It
 * sits between the kernel-API shim (sim/kapi/), the host models (models/) and
 * the command line (sim/cli.c).
 *
 * Determinism contract: everything that decides or prints is a function of
 * (scenario, variant, seed, execution index) and of the schedule's decisions.
 * Nothing here reads the wall clock, libc randomness, thread ids or pointer
 * values.
 *
 * The only ambient state is the task now running (sim_current()), because
 * kernel code calls mutex_lock(&m) without a context argument. Every other
 * call takes the world explicitly.
 */
#ifndef HVSIM_SIM_H
#define HVSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/prng.h"

typedef struct SimWorld SimWorld;
typedef struct SimTask SimTask;
typedef struct SimScenario SimScenario;
typedef struct SimStrategy SimStrategy;

/* Virtual time, in nanoseconds since the start of the execution. */
typedef uint64_t SimTime;

#define SIM_NSEC	((SimTime)1)
#define SIM_USEC	((SimTime)1000)
#define SIM_MSEC	((SimTime)1000000)
#define SIM_SEC		((SimTime)1000000000)

/* Hung-task threshold, kernel default of hung_task_timeout_secs. */
#define SIM_HUNG_TASK_TIMEOUT	(120 * SIM_SEC)

/* ---------------------------------------------------------------- tasks -- */

typedef enum {
	SIM_CTX_PROCESS,	/* kthread, worker, user process: may sleep */
	SIM_CTX_SOFTIRQ,	/* tasklet: atomic */
	SIM_CTX_HARDIRQ,	/* interrupt handler: atomic */
} SimContextKind;

typedef enum {
	SIM_TASK_RUNNABLE,
	SIM_TASK_BLOCKED,	/* uninterruptible wait on an object (state D) */
	SIM_TASK_SLEEPING,	/* timed sleep (msleep), wakes by itself */
	SIM_TASK_IDLE,		/* worker or tasklet with nothing to do */
	SIM_TASK_HELD,		/* held back by a scripted ordering constraint */
	SIM_TASK_DONE,
} SimTaskState;

/* What a blocked task waits for; used by the deadlock and hung-task reports. */
typedef enum {
	SIM_WAIT_NONE,
	SIM_WAIT_MUTEX,
	SIM_WAIT_SPIN,
	SIM_WAIT_COMPLETION,
	SIM_WAIT_EVENT,		/* wait_event on a wait_queue_head */
	SIM_WAIT_WORK,		/* flush_work / flush_workqueue */
	SIM_WAIT_OTHER,
} SimWaitKind;

#define SIM_MAX_HELD_LOCKS	16
#define SIM_TASK_NAME_LEN	32

typedef struct {
	const void *lock;	/* identity only; never ordered or printed */
	const char *name;	/* lock class name, e.g. "&channel->lock" */
	const char *func;	/* function that acquired it */
	uint32_t id;		/* world-local object id, printed as address */
} SimHeldLock;

typedef void (*SimTaskFn)(void *arg);

/*
 * A simulated execution context. Fields below the line are the engine's;
 * the shim reads the public ones and changes them only through sim_* calls.
 */
struct SimTask {
	SimWorld *world;
	uint32_t id;			/* creation order, 1-based; printed as PID */
	char name[SIM_TASK_NAME_LEN];	/* comm, e.g. "kworker/u4:1" */
	SimContextKind ctx;
	int cpu;
	SimTaskState state;

	/* Atomic-context accounting (spinlocks held, irqs disabled). */
	int preempt_count;
	int irq_disabled;

	/* Wait description while BLOCKED, IDLE or SLEEPING. */
	SimWaitKind wait_kind;
	const void *wait_obj;
	const char *wait_name;		/* e.g. "&init_request.wait_event" */
	const char *wait_func;		/* function that started the wait */
	SimTime wait_since;
	uint64_t wait_token;		/* bumped on every wake: stale timers ignore it */
	bool timed_out;
	bool hung_reported;

	SimHeldLock held[SIM_MAX_HELD_LOCKS];
	int nheld;

	/* "Workqueue: <wq> <fn>" line of reports, when running a work item. */
	const char *wq_name;
	const char *work_func;

	/* ------------------------------------------------ engine private -- */
	SimTaskFn fn;
	void *arg;
	void *ctx_sp;			/* saved stack pointer (sim/context.h) */
	void *stack;
	size_t stack_size;
	uint64_t last_step;
	bool quiescent_wait;
	struct SimStack *block_stack;  /* where it blocked, when wanted */
};

/*
 * What runs now: a task, or the engine of a world (an event callback, a
 * model starting or finishing: then sim__current is NULL and
 * sim__engine_world names the world). This is the one ambient value, kept
 * in these two variables because kernel code calls mutex_lock(&m) or an
 * ISR tests hvsim_fixed() without a context argument.
 */
extern SimTask *sim__current;
extern SimWorld *sim__engine_world;
static inline SimTask *sim_current(void) { return sim__current; }
static inline SimWorld *sim_current_world(void)
{
	return sim__current ? sim__current->world : sim__engine_world;
}

/*
 * sim_task_create - make a new runnable task running @fn(@arg).
 * The name is copied. Returns the task, owned by the world until the end of
 * the execution. May be called from a task or from engine context.
 */
SimTask *sim_task_create(SimWorld *w, const char *name, SimContextKind ctx,
			 int cpu, SimTaskFn fn, void *arg);

/*
 * sim_yield - a scheduling point. Records nothing by itself; the caller has
 * recorded its trace event. Returns when the scheduler picks this task again.
 * Must be called from a task.
 */
void sim_yield(SimWorld *w);

/*
 * sim_block - stop the running task until sim_wake() names it or, when
 * @timeout is non-zero, until that much virtual time has passed.
 * @state is SIM_TASK_BLOCKED, SIM_TASK_IDLE or SIM_TASK_SLEEPING.
 * Returns true if woken by sim_wake(), false on timeout.
 * It does not check the task's context: the shim calls sim_might_sleep()
 * first where the kernel call may sleep (a spinning waiter blocks here too,
 * and must not be reported).
 */
bool sim_block(SimWorld *w, SimTaskState state, SimWaitKind kind,
	       const void *obj, const char *obj_name, const char *func,
	       SimTime timeout);

/* Make a blocked, idle or sleeping task runnable. No-op for other states. */
void sim_wake(SimWorld *w, SimTask *t);

/*
 * Wake every task waiting on @obj, in task id order. Returns how many.
 */
int sim_wake_all(SimWorld *w, const void *obj);

/* End the running task. Does not return. */
_Noreturn void sim_task_exit(SimWorld *w);

/* Task by 1-based id, or NULL. */
SimTask *sim_task_by_id(SimWorld *w, uint32_t id);
uint32_t sim_task_count(SimWorld *w);

/* --------------------------------------------------------- named points -- */

/*
 * A named program point, e.g. "storvsc.sc_present". Declared with
 * sim_point("name") in driver code; each use creates one static descriptor
 * in the "hvsim_points" section so the scenario loader can list and check
 * every point the drivers know.
 */
typedef struct {
	const char *name;
	const char *func;
	const char *file;
	int line;
} SimPointDesc;

void sim__point(const SimPointDesc *p);

#define sim_point(pname) do {						\
	static const SimPointDesc __sim_pt				\
	__attribute__((section("hvsim_points"), used, aligned(8))) =	\
		{ (pname), __func__, __FILE__, __LINE__ };		\
	static const SimPointDesc *const __sim_ptp			\
	__attribute__((section("hvsim_point_ptrs"), used)) = &__sim_pt;	\
	(void)__sim_ptp;						\
	sim__point(&__sim_pt);						\
} while (0)

/* -------------------------------------------------------------- events -- */

typedef void (*SimEventFn)(SimWorld *w, void *arg, uint64_t arg2);

/*
 * sim_event_at - run @fn(w, arg, arg2) in engine context at virtual time
 * @when (clamped to now). Events at equal times run in insertion order.
 * Returns the event's sequence number.
 */
uint64_t sim_event_at(SimWorld *w, SimTime when, SimEventFn fn, void *arg,
		      uint64_t arg2);

/* Cancel a pending event by the number sim_event_at() returned: it will not
 * run and will not move the clock. Harmless if it already ran. */
void sim_event_cancel(SimWorld *w, uint64_t seq);

SimTime sim_now(const SimWorld *w);

static inline uint64_t sim_event_after(SimWorld *w, SimTime delay,
				       SimEventFn fn, void *arg, uint64_t arg2)
{
	return sim_event_at(w, sim_now(w) + delay, fn, arg, arg2);
}

/* ------------------------------------------------------------- objects -- */

/*
 * A world-local id for a shim object (lock, completion, work item). Printed
 * in place of its address, so output never depends on pointer values.
 */
uint32_t sim_obj_id(SimWorld *w);

/* ---------------------------------------------------------- fix switches -- */

/* Declared once in sim/fixes.def; the enum and the names cannot drift. */
typedef enum {
#define SIM_FIX(id, name, scenario) SIM_FIX_##id,
#include "sim/fixes.def"
#undef SIM_FIX
	SIM_FIX__COUNT
} SimFix;

bool sim_fix_enabled(const SimWorld *w, SimFix fix);
/* Fix id by its switch name ("storvsc-subchannel-race"), or -1. */
int sim_fix_lookup(const char *name);
const char *sim_fix_name(SimFix fix);

/* ------------------------------------------------------------- verdict -- */

typedef enum {
	SIM_BUG_NONE = 0,
#define SIM_BUG(id, name) SIM_BUG_##id,
#include "sim/bugs.def"
#undef SIM_BUG
	SIM_BUG__COUNT
} SimBugKind;

const char *sim_bug_kind_name(SimBugKind k);
int sim_bug_kind_lookup(const char *name);

/* The end of one execution. */
typedef enum {
	SIM_END_CLEAN,		/* every task done or idle, no event pending */
	SIM_END_BUG,		/* a detector fired; see SimWorld.bug */
	SIM_END_STEP_LIMIT,	/* runaway: max steps reached */
	SIM_END_TIME_LIMIT,	/* runaway: max virtual time reached */
	SIM_END_UNMET_ORDER,	/* a scripted ordering constraint could not be met */
} SimEnd;

#endif /* HVSIM_SIM_H */
