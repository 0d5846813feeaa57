/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the private state of the execution-context part of
 * the kernel-API shim: the per-world record (SIM_EXT_KAPI_EXEC) that holds
 * the workqueues, their workers, the async domain, the task_struct shadows
 * and the CPU masks of one execution. It sits between the shim files that
 * implement <linux/workqueue.h>, <linux/interrupt.h>, <linux/kthread.h>,
 * <linux/async.h>, <linux/delay.h>, <linux/device.h> (files of sim/kapi/) and the
 * engine (sim/world.h). Nothing outside sim/kapi/ includes it.
 *
 * Lifetime: the record lives as long as the world. Its per-execution part
 * is thrown away lazily, by the first shim call of a new execution (the
 * record compares its saved run_serial with the world's), so an execution
 * never sees a workqueue, worker or task_struct of the previous one.
 * Strings that traces and reports point to (workqueue names, lock class
 * names) are interned for the life of the world, because a trace is
 * exported after its execution ended.
 */
#ifndef HVSIM_KAPI_EXEC_H
#define HVSIM_KAPI_EXEC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "sim/world.h"
#include "sim/kapi/kapi.h"

#include <linux/workqueue.h>
#include <linux/cpumask.h>

/* Upper bound of workers one pool_workqueue creates; see workqueue.c. */
#define SIM_KAPI_MAX_WORKERS	32

typedef struct SimKapiExec SimKapiExec;
typedef struct SimWorker SimWorker;
typedef struct SimPwq SimPwq;

/* A FIFO of work items linked through work_struct.sim_prev/sim_next. */
typedef struct {
	struct work_struct *head, *tail;
	unsigned int len;
} SimWorkList;

typedef enum {
	SIM_WORKER_AVAILABLE,	/* created or woken, will look for work */
	SIM_WORKER_BUSY,	/* running a work item */
	SIM_WORKER_IDLE,	/* blocked in worker_thread with nothing to do */
	SIM_WORKER_DEAD,	/* its task ended (workqueue destroyed) */
} SimWorkerState;

struct SimWorker {
	SimPwq *pwq;
	SimTask *task;
	int id;				/* the N of kworker/0:N */
	SimWorkerState state;
	/* The instance it runs; the work_struct may be freed by its own
	 * function, so it is only ever compared, never dereferenced after
	 * the function returned. */
	struct work_struct *current_work;
	work_func_t current_func;
	uint64_t current_seq;
};

/*
 * One workqueue on one pool: the kernel's pool_workqueue with its own
 * workers. A per-CPU workqueue has one per CPU; an unbound one has one.
 */
struct SimPwq {
	struct workqueue_struct *wq;	/* may be freed memory: use sd */
	struct SimWq *sd;
	SimKapiExec *ex;
	int cpu;			/* -1: unbound */
	int max_active;
	int nr_active;			/* on worklist + running */
	SimWorkList worklist;		/* active, waiting for a worker */
	SimWorkList inactive;		/* over max_active, FIFO */
	GPtrArray *workers;		/* SimWorker*, creation order */
	int nr_available;
};

/* Engine-side part of a workqueue_struct; lives until the reset. */
typedef struct SimWq {
	struct workqueue_struct *wq;
	const char *name;		/* interned */
	const char *lock_name;		/* "(wq_completion)<name>", interned */
	unsigned int flags;
	bool unbound;
	bool draining;			/* drain_workqueue() or destroy */
	bool destroyed;
	bool heap;			/* the workqueue_struct is on the sim heap */
	uint32_t id;			/* world-local object id */
	SimPwq **pwqs;			/* ncpus entries, or one when unbound */
	int npwqs;
	uint64_t queue_seq;		/* last sequence number handed out */
	GArray *inflight;		/* uint64_t seqs queued or running, ascending */
	int nr_flushers;		/* tasks in flush_workqueue */
	int nr_work_flushers;		/* tasks in flush_work on one of its items */
} SimWq;

/* One async_schedule() call, run as a work item on system_unbound_wq. */
typedef struct {
	struct work_struct work;
	void (*func)(void *data, uint64_t cookie);
	void *data;
	uint64_t cookie;
	const char *func_name;
} SimAsyncEntry;

struct SimKapiExec {
	SimWorld *w;
	uint64_t run_serial;

	/* World lifetime: interned strings (lookup only, never iterated). */
	GHashTable *strings;

	/* ------------------------------------------- per execution -- */
	int ncpus;
	GPtrArray *wqs;			/* SimWq*, creation order */
	struct workqueue_struct *system_wqs[SIM_KAPI_SYSTEM_WQ__COUNT];
	/* Next worker id per kernel pool: [cpu * 2 + highpri] for per-CPU
	 * pools, [2 * ncpus + highpri] for the unbound ones. */
	int *next_worker_id;
	/* struct task_struct shadows, indexed by task id - 1 (or NULL). */
	GPtrArray *task_structs;
	/* async domain */
	GPtrArray *async_pending;	/* SimAsyncEntry*, cookie order */
	uint64_t async_next_cookie;
	int async_waiters;
	struct cpumask online_mask;
};

/*
 * sim__kapi_exec - the record of @w, reset when a new execution started.
 * @w must not be NULL.
 */
SimKapiExec *sim__kapi_exec(SimWorld *w);

/* The world of the running task; aborts from engine context, where no
 * driver code runs. */
SimWorld *sim__kapi_world(const char *api);

/* A copy of @s that lives as long as the world. */
const char *sim__kapi_intern(SimKapiExec *ex, const char *s);

/* A scheduling point when called from a task; nothing in engine context. */
static inline void sim__kapi_point(SimWorld *w)
{
	if (sim_current())
		sim_yield(w);
}

/*
 * sim__kapi_warn - a WARN() at the driver's call site @site with @fmt's
 * message, as sim/kapi/bug.c reports it (it ends the execution unless the
 * world made WARNs non-fatal, in which case the call returns). From engine
 * context (a delayed-work timer) the report is raised and the call returns.
 */
void sim__kapi_warn(SimWorld *w, const struct sim_kapi_site *site,
		    const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Workqueue internals shared by workqueue.c and workqueue_wait.c. */
SimWq *sim__kapi_wq_lookup(SimWorld *w, struct workqueue_struct *wq,
			   const char *api);
SimTask *sim__kapi_queue_work(SimWorld *w, int req_cpu,
			      struct workqueue_struct *wq,
			      struct work_struct *work,
			      const struct sim_kapi_site *site);
int sim__kapi_wq_resolve_cpu(SimKapiExec *ex, int cpu);
SimPwq *sim__kapi_live_pwq_of(SimKapiExec *ex, const struct work_struct *work);
SimWorker *sim__kapi_any_worker_executing(SimKapiExec *ex,
					  const struct work_struct *work);
void sim__kapi_pwq_activate(SimPwq *pwq);
void sim__kapi_instance_done(SimWorld *w, SimWq *sd,
			     const struct work_struct *work, uint64_t seq);

/* Per-task shadow (kthread.c). */
struct task_struct *sim__kapi_task_struct(SimKapiExec *ex, SimTask *t);

/* Workqueue internals other files use. */
SimWq *sim__kapi_wq(struct workqueue_struct *wq);
void sim__kapi_exec_reset_wqs(SimKapiExec *ex);
void sim__kapi_async_reset(SimKapiExec *ex);
void sim__kapi_tasks_reset(SimKapiExec *ex);


/* ------------------------------------------------- work lists, in-flight -- */

static inline void wl_append(SimWorkList *l, struct work_struct *work)
{
	work->sim_next = NULL;
	work->sim_prev = l->tail;
	if (l->tail)
		l->tail->sim_next = work;
	else
		l->head = work;
	l->tail = work;
	l->len++;
}

static inline void wl_remove(SimWorkList *l, struct work_struct *work)
{
	if (work->sim_prev)
		work->sim_prev->sim_next = work->sim_next;
	else
		l->head = work->sim_next;
	if (work->sim_next)
		work->sim_next->sim_prev = work->sim_prev;
	else
		l->tail = work->sim_prev;
	work->sim_prev = work->sim_next = NULL;
	l->len--;
}

static inline bool wl_contains(const SimWorkList *l, const struct work_struct *work)
{
	const struct work_struct *it;

	for (it = l->head; it; it = it->sim_next)
		if (it == work)
			return true;
	return false;
}

static inline void inflight_add(SimWq *sd, uint64_t seq)
{
	g_array_append_val(sd->inflight, seq);
}

static inline void inflight_remove(SimWq *sd, uint64_t seq)
{
	guint i;

	for (i = 0; i < sd->inflight->len; i++) {
		if (g_array_index(sd->inflight, uint64_t, i) == seq) {
			g_array_remove_index(sd->inflight, i);
			return;
		}
	}
}

static inline bool inflight_has(const SimWq *sd, uint64_t seq)
{
	guint i;

	for (i = 0; i < sd->inflight->len; i++)
		if (g_array_index(sd->inflight, uint64_t, i) == seq)
			return true;
	return false;
}

/* Is anything queued at or before @target still queued or running? */
static inline bool inflight_upto(const SimWq *sd, uint64_t target)
{
	/* Sequence numbers are appended in increasing order and removed
	 * from anywhere, so the array stays sorted. */
	return sd->inflight->len &&
	       g_array_index(sd->inflight, uint64_t, 0) <= target;
}

#endif /* HVSIM_KAPI_EXEC_H */
