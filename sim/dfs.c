// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the exhaustive search declared in sim/dfs.h: the
 * path of decision nodes of the current execution, the strategy that
 * replays its prefix and extends it with default choices, the backtrack
 * that picks the next schedule, and the sleep sets. It sits between the
 * command line and tests above and the world, the scheduler loop and the
 * footprint recorder (sim/footprint.c) below.
 *
 * A node is one decision of the current path: the runnable tasks there (in
 * id order, as the scheduler passes them), the task that ran before it and
 * whether that one was still runnable (what makes a choice a preemption),
 * the preemptions spent above it, the choice taken, and per choice whether
 * it is explored, asleep or untried, with the footprint and the after-state
 * of its step once it ran. Footprints are recorded only for the step that
 * follows a decision, the only steps a sleep set is ever compared with:
 * while some task sleeps, two tasks are runnable at every scheduling
 * point, so each step is a decision's step (checked; see "anomalies").
 */
#include <string.h>

#include <glib.h>

#include "sim/dfs.h"
#include "sim/footprint.h"
#include "sim/world.h"

enum { UNTRIED, EXPLORED, ASLEEP };

typedef struct {
	uint32_t task;		/* task id */
	const SimFp *fp;	/* its step from the origin node (owned there) */
} SleepEntry;

typedef struct {
	uint32_t n;		/* runnable tasks */
	uint32_t *ids;		/* their ids, ascending */
	uint32_t cur;		/* the task that ran last, 0 if none */
	bool cur_runnable;	/* still runnable when it switched out */
	uint32_t preempt;	/* preemptions above this node */
	uint32_t chosen;	/* index into ids */
	uint8_t *state;		/* per index: UNTRIED, EXPLORED, ASLEEP */
	SimFp **fps;		/* per index: its step's footprint */
	uint8_t *after;		/* per index: runnable after its step */
	GArray *sleep;		/* SleepEntry, on entering this node */
} DfsNode;

struct SimDfs {
	SimWorld *w;
	uint32_t bound;
	bool por;
	SimStrategy strat;
	SimFootprint *rec;
	GPtrArray *path;	/* DfsNode*, root first */
	SimDfsStats stats;
	bool started, finished;
	char *error;

	/* The running execution. */
	uint32_t pos;		/* next decision index */
	uint32_t preempt;	/* preemptions so far */
	int taken;		/* node whose chosen step runs next, or -1 */
	uint32_t last_task;	/* the task of the last step */
	bool last_runnable;	/* ... runnable when it switched out */
	GArray *sleep;		/* SleepEntry: the sleep set now */
	bool blocked;
};

static void node_free(DfsNode *n)
{
	uint32_t i;

	for (i = 0; i < n->n; i++)
		sim_fp_free(n->fps[i]);
	g_free(n->ids);
	g_free(n->state);
	g_free(n->fps);
	g_free(n->after);
	g_array_free(n->sleep, TRUE);
	g_free(n);
}

/* Is choosing index @j at @n a preemption? */
static uint32_t cost(const DfsNode *n, uint32_t j)
{
	return n->cur_runnable && n->ids[j] != n->cur;
}

static bool within_bound(const SimDfs *d, const DfsNode *n, uint32_t j)
{
	return d->bound == SIM_DFS_UNBOUNDED ||
	       n->preempt + cost(n, j) <= d->bound;
}

static void fail(SimDfs *d, char *msg)
{
	if (!d->error)
		d->error = msg;
	else
		g_free(msg);
	/* End this execution at once; sim_dfs_next() reports the error. */
	d->w->stop = true;
	d->w->end = SIM_END_STEP_LIMIT;
}

/* ----------------------------------------------------------- sleep sets -- */

static bool in_sleep(const GArray *sleep, uint32_t task)
{
	guint i;

	for (i = 0; i < sleep->len; i++)
		if (g_array_index(sleep, SleepEntry, i).task == task)
			return true;
	return false;
}

/*
 * The sleep set on entering the node after @parent's chosen step: the
 * parent's entries and its choices explored before the chosen one, each
 * kept when its step is independent of the chosen step (and, under a
 * bound, when moving it back to its origin costs no extra preemption:
 * see sim/dfs.h).
 */
static void child_sleep(SimDfs *d, const DfsNode *parent, GArray *out)
{
	uint32_t u = parent->chosen, j;
	const SimFp *fpu = parent->fps[u];
	guint i;

	if (!d->por || !fpu)
		return;
	for (i = 0; i < parent->sleep->len; i++) {
		SleepEntry e = g_array_index(parent->sleep, SleepEntry, i);

		if (!sim_fp_conflict(e.fp, fpu))
			g_array_append_val(out, e);
	}
	for (j = 0; j < parent->n; j++) {
		SleepEntry e = { parent->ids[j], parent->fps[j] };

		if (j == u || parent->state[j] != EXPLORED || !e.fp)
			continue;
		if (d->bound != SIM_DFS_UNBOUNDED &&
		    cost(parent, j) + parent->after[j] > cost(parent, u))
			continue;
		if (!sim_fp_conflict(e.fp, fpu))
			g_array_append_val(out, e);
	}
}

/* --------------------------------------------------------- the strategy -- */

static void dfs_begin(SimStrategy *s, SimWorld *w, uint64_t execution)
{
	SimDfs *d = s->priv;

	d->pos = 0;
	d->preempt = 0;
	d->taken = -1;
	d->last_task = 0;
	d->last_runnable = false;
	g_array_set_size(d->sleep, 0);
	d->blocked = false;
}

/* Abandon the execution before its next step: it is redundant. */
static void block(SimDfs *d)
{
	d->blocked = true;
	d->stats.sleep_blocked++;
	d->w->stop = true;
	d->w->end = SIM_END_STEP_LIMIT;
}

/*
 * The recorder's start-of-step callback. A step that follows no decision
 * runs the only runnable task: if that task is asleep, every way on is
 * equivalent to one explored. Otherwise the sleep set is empty from here
 * to the next decision (only runnable tasks sleep, and it is alone).
 */
static void dfs_step_begin(void *arg, SimTask *t)
{
	SimDfs *d = arg;

	if (d->taken >= 0 || d->error)
		return;
	if (in_sleep(d->sleep, t->id)) {
		d->stats.pruned++;
		block(d);
	}
	g_array_set_size(d->sleep, 0);
}

/*
 * The recorder's end-of-step callback: every step of every execution. At
 * the end of a decision's step that is the last of the path, the sleep
 * set of the decision to come is computed; its tasks must be runnable
 * (a step whose footprint is independent of theirs cannot block them):
 * one that is not shows a dependency the footprints missed, and is
 * dropped and counted.
 */
static void dfs_step_end(void *arg, SimTask *t, SimFp *fp)
{
	SimDfs *d = arg;
	DfsNode *n;
	guint i;

	d->last_task = t->id;
	d->last_runnable = t->state == SIM_TASK_RUNNABLE;
	if (d->taken < 0) {
		sim_fp_free(fp);
		return;
	}
	n = g_ptr_array_index(d->path, d->taken);
	if (fp && !n->fps[n->chosen]) {
		n->fps[n->chosen] = fp;
		fp = NULL;
	}
	sim_fp_free(fp);
	n->after[n->chosen] = d->last_runnable;
	g_array_set_size(d->sleep, 0);
	if (d->por && (guint)d->taken + 1 == d->path->len)
		child_sleep(d, n, d->sleep);
	for (i = 0; i < d->sleep->len;) {
		SimTask *s = sim_task_by_id(d->w,
			g_array_index(d->sleep, SleepEntry, i).task);

		if (s && s->state == SIM_TASK_RUNNABLE) {
			i++;
			continue;
		}
		d->stats.anomalies++;
		g_array_remove_index(d->sleep, i);
	}
	d->taken = -1;
}

/* Take the chosen task of node @depth: account, and record its step. */
static uint32_t take(SimDfs *d, DfsNode *n, uint32_t depth)
{
	d->preempt = n->preempt + cost(n, n->chosen);
	d->taken = (int)depth;
	if (d->por && !n->fps[n->chosen])
		sim_footprint_record_next(d->rec);
	return n->chosen;
}

static uint32_t replay_pick(SimDfs *d, SimTask *const *tasks, uint32_t n,
			    uint32_t depth, uint32_t cur, bool cur_runnable)
{
	DfsNode *node = g_ptr_array_index(d->path, depth);
	uint32_t i;
	bool same = node->n == n && node->cur == cur &&
		    node->cur_runnable == cur_runnable &&
		    node->preempt == d->preempt;

	for (i = 0; same && i < n; i++)
		same = node->ids[i] == tasks[i]->id;
	if (!same) {
		fail(d, g_strdup_printf("decision %u did not replay: the "
					"prefix leads elsewhere (the engine "
					"is not deterministic)", depth));
		return 0;
	}
	return take(d, node, depth);
}

static uint32_t dfs_pick(SimStrategy *s, SimWorld *w, SimTask *const *tasks,
			 uint32_t n, SimTask *cur_task)
{
	SimDfs *d = s->priv;
	uint32_t depth = d->pos++, cur = cur_task ? cur_task->id : 0, i;
	bool cur_runnable = cur && d->last_task == cur && d->last_runnable;
	DfsNode *node;
	int pick = -1;

	if (d->error)
		return 0;
	if (depth + 1 > d->stats.max_depth)
		d->stats.max_depth = depth + 1;
	if (depth < d->path->len)
		return replay_pick(d, tasks, n, depth, cur, cur_runnable);

	node = g_new0(DfsNode, 1);
	node->n = n;
	node->ids = g_new(uint32_t, n);
	node->state = g_new0(uint8_t, n);
	node->fps = g_new0(SimFp *, n);
	node->after = g_new0(uint8_t, n);
	node->sleep = g_array_new(FALSE, FALSE, sizeof(SleepEntry));
	node->cur = cur;
	node->cur_runnable = cur_runnable;
	node->preempt = d->preempt;
	for (i = 0; i < n; i++)
		node->ids[i] = tasks[i]->id;

	/* The sleep set after the last step (runnable tasks only). */
	g_array_append_vals(node->sleep, d->sleep->data, d->sleep->len);
	g_array_set_size(d->sleep, 0);
	for (i = 0; i < n; i++) {
		if (!in_sleep(node->sleep, node->ids[i]))
			continue;
		node->state[i] = ASLEEP;
		if (within_bound(d, node, i))
			d->stats.pruned++;
	}
	/* The default: the running task goes on, else the lowest id. */
	for (i = 0; i < n; i++)
		if (node->ids[i] == cur && node->state[i] == UNTRIED)
			pick = (int)i;
	for (i = 0; pick < 0 && i < n; i++)
		if (node->state[i] == UNTRIED && within_bound(d, node, i))
			pick = (int)i;
	if (pick < 0) {
		/* Every choice left is asleep (or over the bound): any
		 * continuation is equivalent to one explored. */
		node_free(node);
		block(d);
		return 0;
	}
	node->chosen = (uint32_t)pick;
	node->state[pick] = EXPLORED;
	g_ptr_array_add(d->path, node);
	return take(d, node, depth);
}

/* ------------------------------------------------------------ backtrack -- */

/* Move the path to the next schedule; FALSE when there is none. */
static bool backtrack(SimDfs *d)
{
	while (d->path->len) {
		DfsNode *n = g_ptr_array_index(d->path, d->path->len - 1);
		uint32_t j;

		for (j = 0; j < n->n; j++) {
			if (n->state[j] != UNTRIED || !within_bound(d, n, j))
				continue;
			n->state[j] = EXPLORED;
			n->chosen = j;
			return true;
		}
		node_free(g_ptr_array_steal_index(d->path, d->path->len - 1));
	}
	return false;
}

/* --------------------------------------------------------------- public -- */

SimDfs *sim_dfs_new(SimWorld *w, uint32_t preemptions, bool por)
{
	SimDfs *d = g_new0(SimDfs, 1);

	d->w = w;
	d->bound = preemptions;
	d->por = por;
	d->strat.name = "dfs";
	d->strat.begin = dfs_begin;
	d->strat.pick = dfs_pick;
	d->strat.priv = d;
	d->rec = sim_footprint_new(dfs_step_begin, dfs_step_end, d);
	d->path = g_ptr_array_new();
	d->sleep = g_array_new(FALSE, FALSE, sizeof(SleepEntry));
	d->taken = -1;
	return d;
}

void sim_dfs_free(SimDfs *d)
{
	if (!d)
		return;
	while (d->path->len)
		node_free(g_ptr_array_steal_index(d->path, d->path->len - 1));
	g_ptr_array_free(d->path, TRUE);
	g_array_free(d->sleep, TRUE);
	sim_footprint_free(d->rec);
	g_free(d->error);
	g_free(d);
}

gboolean sim_dfs_next(SimDfs *d, uint64_t seed, SimInitFn init, void *arg,
		      SimEnd *end, gboolean *blocked)
{
	SimWorld *w = d->w;
	bool trace_on = w->trace_on;

	if (d->finished || d->error)
		return FALSE;
	if (d->started && !backtrack(d)) {
		d->finished = true;
		d->stats.complete = true;
		return FALSE;
	}
	d->started = true;
	/* Footprints read the step's trace events: keep all of them. */
	if (d->por)
		w->trace_on = true;
	sim_footprint_attach(w, d->rec);
	*end = sim_world_run(w, &d->strat, seed, SIM_DFS_WORLD_EXECUTION,
			     init, arg);
	sim_footprint_attach(w, NULL);
	w->trace_on = trace_on;
	d->stats.executions++;
	if (!d->error && !d->blocked && d->pos < d->path->len)
		d->error = g_strdup_printf("execution ended after %u of the "
					   "%u decisions it replays (the "
					   "engine is not deterministic)",
					   d->pos, d->path->len);
	if (d->error)
		return FALSE;
	*blocked = d->blocked;
	return TRUE;
}

const SimDfsStats *sim_dfs_stats(const SimDfs *d)
{
	return &d->stats;
}

const char *sim_dfs_error(const SimDfs *d)
{
	return d->error;
}
