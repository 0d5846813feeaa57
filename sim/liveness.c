// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the liveness detectors: the deadlock detector (no
 * task can run and no event is pending while some task is blocked), the
 * livelock detector (every task is blocked or polling, and only the
 * pollers' own wake-ups are pending), and the hung-task detector (a task
 * blocked for more than 120 virtual seconds while time still moves). They
 * report in the kernel's hung-task format, because that is how a deadlock
 * shows itself on a real machine, followed by the wait-for cycle the
 * simulator can see and the kernel cannot.
 *
 * It sits between the scheduler loop (sim/sched.c), which calls it, the
 * shim, which feeds it evidence (sim__liveness_note_signal) and shows it
 * the workqueues (sim/kapi/wq_graph.c), and the report layer.
 *
 * The wait-for graph, built only when liveness is lost. Nodes are the
 * stuck tasks (blocked, or polling) and the pool_workqueues whose items
 * wait behind busy workers. Edges, with a weight that says how sure they
 * are:
 *   0  a lock waiter -> the lock's owner (mutex, spinlock, RTNL);
 *      flush_work / flush_workqueue -> the worker running the item, or the
 *      queue still holding it; a queue -> its busy workers ("queued behind
 *      a blocked worker");
 *   1  a waiter on a completion or wait queue -> a stuck task that
 *      signalled that very object earlier in this execution;
 *   2  such a waiter, or a polling task -> every queue of waiting items;
 *   3  such a waiter, or a polling task -> every other stuck task (except
 *      tasks waiting on the same object).
 * The kernel cannot know who will signal a completion; weights 2 and 3
 * over-approximate, and the report says so. The cycle reported is, among
 * the elementary cycles, the one that goes through a polling task when
 * there is one (a livelock is found because of it), then the one with the
 * fewest assumed edges (weight 2 or 3), then the one with most tasks (it
 * explains more of what is stuck), then the lightest, then the first in
 * task-id order.
 *
 * Polling loops, without annotations. At each point where the clock is
 * about to move because no task can run, every task is sampled. A task
 * sleeping (msleep, usleep_range, schedule_timeout) at the same call site
 * (same waiting function, same sleep call) as at its previous sleep is
 * polling. Progress is a scheduling event by a task that is not polling:
 * its wake count or state changed since the last sample, or a task was
 * created. The clock alone is not progress, and neither are the pollers'
 * own wake-ups. When every task is done, idle, blocked or polling (each
 * poller having slept SIM_POLL_MIN_ITERATIONS times), at least one is
 * blocked, the only pending events are the pollers' wake-ups, and there
 * has been no progress for SIM_POLL_WINDOW of virtual time, nothing but
 * the pollers can ever run again and they only look: a deadlock, reported
 * at once. A task polling with nobody blocked (a periodic kthread looks
 * the same) is left to the time limit.
 */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "sim/liveness.h"
#include "sim/lockdep.h"
#include "sim/report.h"
#include "sim/sched.h"
#include "sim/world.h"
#include "sim/kapi/kapi.h"

#define SIG_RING	4		/* objects remembered per task */
#define MAX_CYCLE	64
#define SEARCH_BUDGET	200000
#define MAX_TARGETS	32

/* What the detector remembers of one task during an execution. */
typedef struct {
	uint64_t seen_token;		/* wait_token at the last sample */
	uint8_t seen_state;		/* state at the last sample */
	unsigned int iters;		/* consecutive sleeps at one site */
	const char *poll_func;		/* that site */
	const char *poll_name;
	SimTime poll_since;		/* when the first of them began */
	SimTime last_since;		/* when the last one counted began */
	SimTime period;
	const void *signalled[SIG_RING];	/* last objects it signalled */
	unsigned int sig_next;
} LiveTask;

struct SimLiveState {
	SimTime window;			/* configuration, kept */
	unsigned int min_iters;

	uint64_t run_serial;		/* the execution the rest belongs to */
	GArray *tasks;			/* LiveTask, by task id - 1 */
	uint32_t ntasks_seen;
	SimTime progress_at;
	SimTime next_sample;
};

/*
 * Samples at most every window / SAMPLE_DIVISOR of virtual time. Sparse
 * samples lose nothing: a wake count only grows, so any progress between
 * two samples shows at the second; a poller still shows a new sleep at
 * each. They only make detection up to that much later, and keep the
 * scan off the hot path of executions that move the clock often.
 */
#define SAMPLE_DIVISOR	64

/* ------------------------------------------------------------ the record -- */

static void ext_free(void *p)
{
	SimLivenessExt *x = p;

	sim__lockdep_free(x->lockdep);
	sim__live_free(x->live);
	g_free(x);
}

static void *ext_make(SimWorld *w)
{
	SimLivenessExt *x = g_new0(SimLivenessExt, 1);

	x->lockdep = sim__lockdep_new();
	x->live = sim__live_new();
	return x;
}

SimLivenessExt *sim__liveness_ext_make(SimWorld *w)
{
	return sim_world_ext(w, SIM_EXT_LIVENESS, ext_make, ext_free);
}

SimLiveState *sim__live_new(void)
{
	SimLiveState *ls = g_new0(SimLiveState, 1);

	ls->window = SIM_POLL_WINDOW;
	ls->min_iters = SIM_POLL_MIN_ITERATIONS;
	/* Cleared on growth: a task's record starts zeroed. */
	ls->tasks = g_array_new(FALSE, TRUE, sizeof(LiveTask));
	return ls;
}

void sim__live_free(SimLiveState *ls)
{
	if (!ls)
		return;
	g_array_free(ls->tasks, TRUE);
	g_free(ls);
}

static void live_reset(SimLiveState *ls, SimWorld *w)
{
	g_array_set_size(ls->tasks, 0);
	ls->ntasks_seen = 0;
	ls->progress_at = 0;
	ls->next_sample = 0;
	ls->run_serial = w->run_serial;
}

static inline SimLiveState *live_of(SimWorld *w)
{
	SimLiveState *ls = sim__liveness_ext(w)->live;

	if (G_UNLIKELY(ls->run_serial != w->run_serial))
		live_reset(ls, w);
	return ls;
}

static inline LiveTask *live_task(SimLiveState *ls, uint32_t id)
{
	if (G_UNLIKELY(ls->tasks->len < id))
		g_array_set_size(ls->tasks, id);
	return &g_array_index(ls->tasks, LiveTask, id - 1);
}

void sim_liveness_set_poll_window(SimWorld *w, SimTime window,
				  unsigned int min_iterations)
{
	SimLiveState *ls = sim__liveness_ext(w)->live;

	if (window)
		ls->window = window;
	if (min_iterations)
		ls->min_iters = MAX(min_iterations, 2u);
}

void sim__liveness_note_signal(SimWorld *w, const SimTask *t, const void *obj)
{
	LiveTask *lt = live_task(live_of(w), t->id);

	lt->signalled[lt->sig_next++ % SIG_RING] = obj;
}

static bool signalled(SimLiveState *ls, const SimTask *t, const void *obj)
{
	const LiveTask *lt;
	int i;

	if (t->id > ls->tasks->len)
		return false;
	lt = &g_array_index(ls->tasks, LiveTask, t->id - 1);
	for (i = 0; i < SIG_RING; i++)
		if (lt->signalled[i] == obj)
			return true;
	return false;
}

/* Is @t polling now (sleeping at the site of its previous sleeps, at least
 * @min times)? */
static bool polling(SimLiveState *ls, const SimTask *t, unsigned int min)
{
	const LiveTask *lt;

	if (t->state != SIM_TASK_SLEEPING || t->id > ls->tasks->len)
		return false;
	lt = &g_array_index(ls->tasks, LiveTask, t->id - 1);
	return lt->iters >= min && lt->poll_func == t->wait_func &&
	       lt->poll_name == t->wait_name;
}

/* --------------------------------------------------------- formatting -- */

static void append_time(GString *s, SimTime t)
{
	g_string_append_printf(s, "%" PRIu64 ".%06" PRIu64 "s", t / SIM_SEC,
			       (t % SIM_SEC) / SIM_USEC);
}

static void append_period(GString *s, SimTime p)
{
	if (p && p % SIM_MSEC == 0)
		g_string_append_printf(s, "%" PRIu64 " ms", p / SIM_MSEC);
	else if (p && p % SIM_USEC == 0)
		g_string_append_printf(s, "%" PRIu64 " us", p / SIM_USEC);
	else
		g_string_append_printf(s, "%" PRIu64 " ns", p);
}

static const char *wait_kind_word(SimWaitKind k)
{
	switch (k) {
	case SIM_WAIT_MUTEX:
		return "a mutex";
	case SIM_WAIT_SPIN:
		return "a spinlock";
	case SIM_WAIT_COMPLETION:
		return "a completion";
	case SIM_WAIT_EVENT:
		return "a wait queue";
	case SIM_WAIT_WORK:
		return "a work item";
	default:
		return "an event";
	}
}

/* The object of a wait, as the cycle lines name it. */
static const char *wait_object_word(SimWaitKind k)
{
	switch (k) {
	case SIM_WAIT_MUTEX:
		return "mutex";
	case SIM_WAIT_SPIN:
		return "spinlock";
	case SIM_WAIT_COMPLETION:
		return "completion";
	case SIM_WAIT_EVENT:
		return "wait queue";
	case SIM_WAIT_WORK:
		return "flush of";
	default:
		return "wait on";
	}
}

/* The task holding the lock @t waits for, or NULL. */
static SimTask *lock_owner(SimWorld *w, const SimTask *t)
{
	guint i;
	int j;

	if (t->wait_kind != SIM_WAIT_MUTEX && t->wait_kind != SIM_WAIT_SPIN)
		return NULL;
	for (i = 0; i < w->tasks->len; i++) {
		SimTask *o = g_ptr_array_index(w->tasks, i);

		if (o->state == SIM_TASK_DONE)
			continue;
		for (j = 0; j < o->nheld; j++)
			if (o->held[j].lock == t->wait_obj)
				return o;
	}
	return NULL;
}

/* ------------------------------------------------------ wait-for graph -- */

typedef enum {
	E_LOCK,		/* lock waiter -> owner */
	E_FLUSH,	/* flusher -> worker running it / queue holding it */
	E_QUEUED,	/* queue -> busy worker */
	E_SEEN,		/* waiter -> task that signalled the object before */
	E_MAYBE,	/* waiter -> a possible signaller (assumed) */
	E_POLL,		/* poller -> a possible ender of the poll (assumed) */
} EdgeKind;

typedef struct {
	int from, to;
	int weight;
	EdgeKind kind;
} LvEdge;

typedef struct {
	SimTask *task;			/* NULL for a queue node */
	int queue;			/* index into Graph.queues, or -1 */
	bool poller;
	bool blocked;
	int first, nedges;		/* slice of Graph.edges */
} LvNode;

typedef struct {
	SimWorld *w;
	SimLiveState *ls;
	GArray *nodes;			/* LvNode */
	GArray *edges;			/* LvEdge, grouped by source */
	GArray *queues;			/* SimStuckQueue */
	int *task_node;			/* task id - 1 -> node, or -1 */
	bool has_poller;
} Graph;

typedef struct {
	int node[MAX_CYCLE];
	int edge[MAX_CYCLE];		/* edge[i]: node[i] -> node[i+1 mod len] */
	int len;
	int weight;
	int assumed;			/* edges of weight 2 or more */
	int ntasks;
	bool poller;
} Cycle;

static LvNode *node(Graph *g, int i)
{
	return &g_array_index(g->nodes, LvNode, i);
}

static LvEdge *edge(Graph *g, int i)
{
	return &g_array_index(g->edges, LvEdge, i);
}

static int queue_node(Graph *g, const void *key)
{
	guint i;

	for (i = 0; i < g->queues->len; i++)
		if (g_array_index(g->queues, SimStuckQueue, i).key == key)
			return (int)(g->nodes->len - g->queues->len + i);
	return -1;
}

static void add_edge(Graph *g, int from, int to, int weight, EdgeKind kind)
{
	LvEdge e = { from, to, weight, kind };
	guint i;

	if (to < 0 || to == from)
		return;
	/* One edge per pair: the surest. */
	for (i = node(g, from)->first; i < g->edges->len; i++) {
		LvEdge *o = edge(g, i);

		if (o->to == to) {
			if (weight < o->weight) {
				o->weight = weight;
				o->kind = kind;
			}
			return;
		}
	}
	g_array_append_val(g->edges, e);
	node(g, from)->nedges++;
}

static int cmp_edge(gconstpointer a, gconstpointer b)
{
	const LvEdge *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight - y->weight;
	return x->to - y->to;
}

/* Every stuck node other than @self, as a possible signaller of @obj. */
static void add_assumed(Graph *g, int self, const void *obj, EdgeKind kind)
{
	guint i;

	for (i = 0; i < g->nodes->len; i++) {
		LvNode *n = node(g, i);

		if ((int)i == self)
			continue;
		if (n->task) {
			if (obj && n->task->state == SIM_TASK_BLOCKED &&
			    n->task->wait_obj == obj)
				continue;	/* a co-waiter signals nothing */
			if (obj && signalled(g->ls, n->task, obj))
				add_edge(g, self, i, 1, E_SEEN);
			else
				add_edge(g, self, i, 3, kind);
		} else {
			add_edge(g, self, i, 2, kind);
		}
	}
}

/*
 * Build the graph over the stuck tasks: every blocked task, and every
 * task polling (@min sleeps at one site).
 */
static void graph_build(Graph *g, SimWorld *w, unsigned int min)
{
	guint i;

	memset(g, 0, sizeof(*g));
	g->w = w;
	g->ls = live_of(w);
	g->nodes = g_array_new(FALSE, TRUE, sizeof(LvNode));
	g->edges = g_array_new(FALSE, TRUE, sizeof(LvEdge));
	g->queues = g_array_new(FALSE, TRUE, sizeof(SimStuckQueue));
	g->task_node = g_new(int, w->tasks->len + 1);
	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);
		LvNode n = { .task = t, .queue = -1 };

		g->task_node[i] = -1;
		n.blocked = t->state == SIM_TASK_BLOCKED;
		n.poller = polling(g->ls, t, min);
		if (!n.blocked && !n.poller)
			continue;
		g->has_poller |= n.poller;
		g->task_node[i] = g->nodes->len;
		g_array_append_val(g->nodes, n);
	}
	sim__kapi_stuck_queues(w, g->queues);
	for (i = 0; i < g->queues->len; i++) {
		LvNode n = { .task = NULL, .queue = (int)i };

		g_array_append_val(g->nodes, n);
	}
	/* Edges grouped by source, each group sorted by (weight, target):
	 * the search tries the surest edges first. */
	for (i = 0; i < g->nodes->len; i++) {
		LvNode *n = node(g, i);
		guint start = g->edges->len;

		n->first = start;
		n->nedges = 0;
		if (!n->task) {
			const SimStuckQueue *q = &g_array_index(g->queues,
				SimStuckQueue, n->queue);
			int k;

			for (k = 0; k < q->nbusy; k++)
				add_edge(g, i, g->task_node[q->busy[k]->id - 1],
					 0, E_QUEUED);
		} else if (n->poller) {
			add_assumed(g, i, NULL, E_POLL);
		} else {
			SimTask *t = n->task, *tasks[MAX_TARGETS];
			const void *queues[MAX_TARGETS];
			int nt, nq, k;

			if (t->wait_kind == SIM_WAIT_MUTEX ||
			    t->wait_kind == SIM_WAIT_SPIN) {
				SimTask *o = lock_owner(w, t);

				if (o)
					add_edge(g, i, g->task_node[o->id - 1],
						 0, E_LOCK);
			} else if (t->wait_kind == SIM_WAIT_WORK &&
				   sim__kapi_flush_targets(w, t->wait_obj, tasks,
							   &nt, queues, &nq,
							   MAX_TARGETS)) {
				for (k = 0; k < nt; k++)
					add_edge(g, i,
						 g->task_node[tasks[k]->id - 1],
						 0, E_FLUSH);
				for (k = 0; k < nq; k++)
					add_edge(g, i, queue_node(g, queues[k]),
						 0, E_FLUSH);
			} else {
				add_assumed(g, i, t->wait_obj, E_MAYBE);
			}
		}
		qsort(g->edges->data + (gsize)start * sizeof(LvEdge),
		      g->edges->len - start, sizeof(LvEdge), cmp_edge);
	}
}

static void graph_free(Graph *g)
{
	g_array_free(g->nodes, TRUE);
	g_array_free(g->edges, TRUE);
	g_array_free(g->queues, TRUE);
	g_free(g->task_node);
}

/* Is @a a better cycle to report than @b? */
static bool better(const Graph *g, const Cycle *a, const Cycle *b)
{
	int i;

	if (g->has_poller && a->poller != b->poller)
		return a->poller;
	if (a->assumed != b->assumed)
		return a->assumed < b->assumed;
	if (a->ntasks != b->ntasks)
		return a->ntasks > b->ntasks;
	if (a->weight != b->weight)
		return a->weight < b->weight;
	for (i = 0; i < a->len && i < b->len; i++)
		if (a->node[i] != b->node[i])
			return a->node[i] < b->node[i];
	return a->len < b->len;
}

typedef struct {
	Graph *g;
	Cycle cur, best;
	bool have;
	bool *on;
	long budget;
	int start;
} Search;

/*
 * Elementary cycles whose smallest node is s->start, depth first, surest
 * edges first; a path with more assumed edges than the best cycle is cut
 * once the best has what outranks that (a poller, when there is one).
 */
static void search(Search *s, int u)
{
	Graph *g = s->g;
	LvNode *n = node(g, u);
	int k;

	for (k = 0; k < n->nedges; k++) {
		int ei = n->first + k;
		LvEdge *e = edge(g, ei);
		int v = e->to;

		if (--s->budget < 0)
			return;
		if (s->have && (!g->has_poller || s->best.poller) &&
		    s->cur.assumed + (e->weight >= 2) > s->best.assumed)
			continue;
		if (v == s->start) {
			Cycle c = s->cur;

			c.edge[c.len - 1] = ei;
			c.weight += e->weight;
			c.assumed += e->weight >= 2;
			if (!s->have || better(g, &c, &s->best)) {
				s->best = c;
				s->have = true;
			}
			continue;
		}
		if (v < s->start || s->on[v] || s->cur.len >= MAX_CYCLE)
			continue;
		s->cur.edge[s->cur.len - 1] = ei;
		s->cur.node[s->cur.len] = v;
		s->cur.len++;
		s->cur.weight += e->weight;
		s->cur.assumed += e->weight >= 2;
		s->cur.ntasks += node(g, v)->task ? 1 : 0;
		{
			bool had = s->cur.poller;

			s->cur.poller |= node(g, v)->poller;
			s->on[v] = true;
			search(s, v);
			s->on[v] = false;
			s->cur.poller = had;
		}
		s->cur.len--;
		s->cur.weight -= e->weight;
		s->cur.assumed -= e->weight >= 2;
		s->cur.ntasks -= node(g, v)->task ? 1 : 0;
	}
}

static bool best_cycle(Graph *g, Cycle *out)
{
	Search s = { .g = g, .budget = SEARCH_BUDGET };
	guint i;

	s.on = g_new0(bool, g->nodes->len);
	for (i = 0; i < g->nodes->len && s.budget > 0; i++) {
		LvNode *n = node(g, i);

		s.start = (int)i;
		s.cur.len = 1;
		s.cur.node[0] = (int)i;
		s.cur.weight = 0;
		s.cur.assumed = 0;
		s.cur.ntasks = n->task ? 1 : 0;
		s.cur.poller = n->poller;
		s.on[i] = true;
		search(&s, (int)i);
		s.on[i] = false;
	}
	g_free(s.on);
	if (s.have)
		*out = s.best;
	return s.have;
}

/* A path from @start along the surest edges, until it repeats a node or
 * ends: what to print when there is no cycle. */
static void chain_from(Graph *g, int start, Cycle *out)
{
	bool *seen = g_new0(bool, g->nodes->len);
	int u = start;

	memset(out, 0, sizeof(*out));
	out->node[0] = start;
	out->len = 1;
	seen[start] = true;
	for (;;) {
		LvNode *n = node(g, u);

		out->edge[out->len - 1] = -1;
		if (!n->nedges || out->len >= MAX_CYCLE)
			break;
		out->edge[out->len - 1] = n->first;
		u = edge(g, n->first)->to;
		if (seen[u])
			break;
		seen[u] = true;
		out->node[out->len++] = u;
	}
	g_free(seen);
}

/* ---------------------------------------------------------- the report -- */

static void node_label(Graph *g, int i, GString *s)
{
	LvNode *n = node(g, i);

	if (n->task) {
		g_string_append_printf(s, "%s/%u", n->task->name, n->task->id);
	} else {
		const SimStuckQueue *q = &g_array_index(g->queues, SimStuckQueue,
							 n->queue);

		g_string_append_printf(s, "work %s", q->func ? q->func : "?");
		if (q->queued > 1)
			g_string_append_printf(s, " (and %u more)", q->queued - 1);
	}
}

/* "<from> -> <what> -> <to> (<why>)" for edge @ei. */
static void edge_line(Graph *g, int ei, GString *s)
{
	LvEdge *e = edge(g, ei);
	LvNode *f = node(g, e->from), *to = node(g, e->to);
	const SimTask *t = f->task;

	node_label(g, e->from, s);
	g_string_append(s, " -> ");
	switch (e->kind) {
	case E_QUEUED: {
		const SimStuckQueue *q = &g_array_index(g->queues, SimStuckQueue,
							 f->queue);

		g_string_append_printf(s, "workqueue %s -> ", q->wq_name);
		node_label(g, e->to, s);
		g_string_append(s, " (queued behind a blocked worker)");
		return;
	}
	case E_POLL:
		g_string_append_printf(s, "polled condition in %s -> ",
				       t->wait_func ? t->wait_func : "?");
		node_label(g, e->to, s);
		g_string_append(s, to->task ? " (assumed: could end the poll)"
				: " (assumed: could end the poll once it runs)");
		return;
	default:
		break;
	}
	g_string_append_printf(s, "%s %s -> ", wait_object_word(t->wait_kind),
			       t->wait_name ? t->wait_name : "?");
	node_label(g, e->to, s);
	switch (e->kind) {
	case E_LOCK:
		g_string_append(s, " (its owner)");
		break;
	case E_FLUSH:
		g_string_append(s, to->task ? " (running it)"
				: " (still queued)");
		break;
	case E_SEEN:
		g_string_append(s, " (signalled it before)");
		break;
	default:
		g_string_append(s, to->task ? " (assumed: could signal it)"
				: " (assumed: could signal it once it runs)");
		break;
	}
}

static void report_path(SimReport *r, Graph *g, const Cycle *c, bool cycle,
			bool *assumed)
{
	GString *s = g_string_new(NULL);
	int i, n = c->len;

	sim_report_line(r, cycle ? "hvsim: wait-for cycle:"
			: "hvsim: wait-for chain (no cycle):");
	for (i = 0; i < n; i++) {
		int ei = c->edge[i];

		g_string_truncate(s, 0);
		if (ei < 0) {
			LvNode *last = node(g, c->node[i]);

			node_label(g, c->node[i], s);
			if (last->task && last->task->wait_kind != SIM_WAIT_NONE &&
			    !last->poller)
				g_string_append_printf(s, " -> %s %s -> no task "
					"can signal it",
					wait_object_word(last->task->wait_kind),
					last->task->wait_name ?
					last->task->wait_name : "?");
			else
				g_string_append(s, " -> nothing stuck can "
						"release it");
			sim_report_line(r, "hvsim:   %s", s->str);
			break;
		}
		if (edge(g, ei)->weight >= 2)
			*assumed = true;
		edge_line(g, ei, s);
		sim_report_line(r, "hvsim:   %s", s->str);
	}
	g_string_free(s, TRUE);
}

/* How long @t sleeps each time: its pending wake-up's distance. */
static SimTime poll_period(SimWorld *w, const SimTask *t, const LiveTask *lt)
{
	const SimEventQueue *q = &w->events;
	size_t i;

	for (i = 0; i < q->len; i++) {
		const SimEvent *e = &q->heap[i];

		if (e->arg == (const void *)t && e->arg2 == t->wait_token &&
		    e->time > t->wait_since)
			return e->time - t->wait_since;
	}
	return lt->period;
}

static void report_pollers(SimReport *r, Graph *g)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < g->nodes->len; i++) {
		LvNode *n = node(g, i);
		const LiveTask *lt;

		if (!n->poller)
			continue;
		lt = &g_array_index(g->ls->tasks, LiveTask, n->task->id - 1);
		g_string_truncate(s, 0);
		g_string_append_printf(s, "hvsim: %s/%u polls %s (%s) every ",
				       n->task->name, n->task->id,
				       n->task->wait_func ? n->task->wait_func : "?",
				       n->task->wait_name ? n->task->wait_name : "?");
		append_period(s, poll_period(g->w, n->task, lt));
		g_string_append(s, " since ");
		append_time(s, lt->poll_since);
		sim_report_line(r, "%s", s->str);
	}
	g_string_free(s, TRUE);
}

static void report_locks_held(SimReport *r, SimWorld *w)
{
	guint i;

	sim_report_line(r, "%s", "");
	sim_report_line(r, "Showing all locks held in the system:");
	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);

		if (t->nheld && t->state != SIM_TASK_DONE)
			sim__kapi_report_held_locks(r, t);
	}
	sim_report_line(r, "%s", "");
	sim_report_line(r, "=============================================");
	sim_report_line(r, "%s", "");
}

/* Everything of a hung-task block after its "INFO: task ... blocked" line. */
static void task_block_body(SimReport *r, SimTask *t)
{
	sim_report_line(r, "      Not tainted hvsim-" HVSIM_VERSION);
	sim_report_line(r, "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" "
			"disables this message.");
	sim_report_line(r, "task:%-15s state:D stack:0     pid:%-5u tgid:%-5u "
			"ppid:2      flags:0x00004000", t->name, t->id, t->id);
	if (t->wq_name)
		sim_report_line(r, "Workqueue: %s %s", t->wq_name,
				t->work_func ? t->work_func : "");
	if (t->block_stack->n)
		sim_report_stack(r, t->block_stack, TRUE);
	else
		sim_report_line(r, "hvsim: no call trace recorded for %s/%u "
				"(replay with stacks to see it); it waits on "
				"%s in %s", t->name, t->id,
				t->wait_name ? t->wait_name : "?",
				t->wait_func ? t->wait_func : "?");
}

static void report_task_block(SimReport *r, SimTask *t, SimTime blocked_for)
{
	sim_report_line(r, "INFO: task %s:%u blocked for more than %" G_GUINT64_FORMAT
			" seconds.", t->name, t->id, blocked_for / SIM_SEC);
	task_block_body(r, t);
}

static void report_blocker(SimReport *r, SimWorld *w, SimTask *t)
{
	SimTask *owner = lock_owner(w, t);

	if (owner)
		sim_report_line(r, "INFO: task %s:%u is blocked on %s likely "
				"owned by task %s:%u.", t->name, t->id,
				wait_kind_word(t->wait_kind), owner->name,
				owner->id);
	else if (t->wait_kind != SIM_WAIT_MUTEX && t->wait_kind != SIM_WAIT_SPIN)
		sim_report_line(r, "INFO: task %s:%u is waiting on %s that no "
				"runnable thread can complete.", t->name, t->id,
				wait_kind_word(t->wait_kind));
}

static const char assumed_note[] =
	"hvsim: assumed edges: the kernel cannot know who will signal a "
	"completion, a wait queue or a polled condition; a waiter is taken to "
	"depend on the stuck tasks that signalled that object before, else on "
	"every work item queued behind a blocked worker and every other stuck "
	"task (an over-approximation; the cycle shown has the fewest "
	"assumptions)";

/* The blocked task a report starts with: the first on @c, else the first
 * blocked one. */
static SimTask *first_blocked(Graph *g, const Cycle *c, bool have)
{
	SimTask *best = NULL;
	guint i;
	int k;

	if (have)
		for (k = 0; k < c->len; k++) {
			LvNode *n = node(g, c->node[k]);

			if (n->task && n->blocked &&
			    (!best || n->task->id < best->id))
				best = n->task;
		}
	if (best)
		return best;
	for (i = 0; i < g->w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(g->w->tasks, i);

		if (t->state == SIM_TASK_BLOCKED)
			return t;
	}
	return NULL;
}

/* Rotate @c so that it starts at the node of @t. */
static void rotate_to(Graph *g, Cycle *c, const SimTask *t)
{
	Cycle r = *c;
	int k, at = 0;

	for (k = 0; k < c->len; k++)
		if (node(g, c->node[k])->task == t)
			at = k;
	for (k = 0; k < c->len; k++) {
		r.node[k] = c->node[(k + at) % c->len];
		r.edge[k] = c->edge[(k + at) % c->len];
	}
	*c = r;
}

/*
 * The deadlock report: hung-task blocks for every blocked task (the one
 * on the cycle first), the locks held, @why, the cycle (or the chain),
 * the pollers, and what was assumed.
 */
static void report_deadlock(Graph *g, const char *why)
{
	SimWorld *w = g->w;
	Cycle c;
	bool have = best_cycle(g, &c), assumed = false;
	SimTask *start = first_blocked(g, &c, have);
	SimReport *r;
	SimTime hung_at;
	guint i;

	g_assert(start);
	/* Nothing will ever happen again: a real kernel would print this once
	 * the hung-task threshold passed, so the clock moves there. */
	hung_at = start->wait_since + SIM_HUNG_TASK_TIMEOUT;
	if (hung_at > w->now)
		w->now = hung_at;
	r = sim_report_new(w, SIM_BUG_DEADLOCK,
			   start->wait_func ? start->wait_func : "?",
			   "INFO: task %s:%u blocked for more than %u seconds.",
			   start->name, start->id,
			   (unsigned)(SIM_HUNG_TASK_TIMEOUT / SIM_SEC));
	r->task = start->id;
	task_block_body(r, start);
	report_blocker(r, w, start);
	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);

		if (t == start || t->state != SIM_TASK_BLOCKED)
			continue;
		report_task_block(r, t, w->now - t->wait_since);
		report_blocker(r, w, t);
	}
	report_locks_held(r, w);
	sim_report_line(r, "%s", why);
	if (have) {
		rotate_to(g, &c, start);
		report_path(r, g, &c, true, &assumed);
	} else {
		int sn = g->task_node[start->id - 1];

		chain_from(g, sn, &c);
		report_path(r, g, &c, false, &assumed);
	}
	report_pollers(r, g);
	if (assumed)
		sim_report_line(r, "%s", assumed_note);
	sim__lockdep_note(w, r);
	sim_report_raise(w, r);
}

void sim__liveness_deadlock(SimWorld *w)
{
	Graph g;

	graph_build(&g, w, live_of(w)->min_iters);
	report_deadlock(&g, "hvsim: deadlock: no task can run and no event is "
			"pending");
	graph_free(&g);
}

/* ------------------------------------------------------------- livelock -- */

static bool cancelled(const SimEventQueue *q, uint64_t seq)
{
	size_t i;

	for (i = 0; i < q->ncancelled; i++)
		if (q->cancelled[i] == seq)
			return true;
	return false;
}

/* Is every pending event the wake-up of a polling task? */
static bool only_poll_wakeups(SimWorld *w, SimLiveState *ls)
{
	const SimEventQueue *q = &w->events;
	size_t i;
	guint k;

	for (i = 0; i < q->len; i++) {
		const SimEvent *e = &q->heap[i];
		bool mine = false;

		if (cancelled(q, e->seq) || sim__event_stale(e))
			continue;
		/* A sleep's timeout carries its task and wake count. */
		for (k = 0; k < w->tasks->len && !mine; k++) {
			SimTask *t = g_ptr_array_index(w->tasks, k);

			mine = e->arg == (void *)t && e->arg2 == t->wait_token &&
			       polling(ls, t, ls->min_iters);
		}
		if (!mine)
			return false;
	}
	return true;
}

bool sim__liveness_sample(SimWorld *w)
{
	SimLiveState *ls = live_of(w);
	uint32_t n = w->tasks->len, i;
	bool progress = n != ls->ntasks_seen, other = false;
	unsigned int npollers = 0, nblocked = 0;
	SimTime window;

	if (w->now < ls->next_sample)
		return false;
	ls->next_sample = w->now + MAX(ls->window / SAMPLE_DIVISOR, 1);
	if (n > ls->tasks->len)
		g_array_set_size(ls->tasks, n);
	for (i = 0; i < n; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);
		LiveTask *lt = &g_array_index(ls->tasks, LiveTask, i);
		bool poller = false;

		if (t->state == SIM_TASK_SLEEPING) {
			if (lt->iters && lt->poll_func == t->wait_func &&
			    lt->poll_name == t->wait_name) {
				if (t->wait_since != lt->last_since) {
					lt->period = t->wait_since - lt->last_since;
					lt->last_since = t->wait_since;
					lt->iters++;
				}
			} else {
				lt->poll_func = t->wait_func;
				lt->poll_name = t->wait_name;
				lt->iters = 1;
				lt->poll_since = lt->last_since = t->wait_since;
				lt->period = 0;
			}
			poller = lt->iters >= 2;
		} else {
			lt->iters = 0;
		}
		if (!poller && (lt->seen_token != t->wait_token ||
				lt->seen_state != t->state))
			progress = true;
		lt->seen_token = t->wait_token;
		lt->seen_state = (uint8_t)t->state;
		switch (t->state) {
		case SIM_TASK_DONE:
		case SIM_TASK_IDLE:
			break;
		case SIM_TASK_BLOCKED:
			nblocked++;
			break;
		case SIM_TASK_SLEEPING:
			if (lt->iters >= ls->min_iters) {
				npollers++;
				break;
			}
			other = true;
			break;
		default:
			other = true;
			break;
		}
	}
	ls->ntasks_seen = n;
	if (progress) {
		ls->progress_at = w->now;
		return false;
	}
	window = ls->window;
	if (other || !npollers || !nblocked || w->now - ls->progress_at < window)
		return false;
	if (!only_poll_wakeups(w, ls))
		return false;
	{
		Graph g;
		GString *why = g_string_new(NULL);

		g_string_append(why, "hvsim: livelock: every task is blocked or "
				"polling and only the pollers' own wake-ups are "
				"pending; no progress seen since ");
		append_time(why, ls->progress_at);
		graph_build(&g, w, ls->min_iters);
		report_deadlock(&g, why->str);
		graph_free(&g);
		g_string_free(why, TRUE);
	}
	return true;
}

/* ------------------------------------------------------------ hung task -- */

SimTime sim__liveness_next_hung(SimWorld *w)
{
	SimTime next = UINT64_MAX;
	guint i;

	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);
		SimTime at;

		if (t->state != SIM_TASK_BLOCKED || t->hung_reported)
			continue;
		at = t->wait_since + SIM_HUNG_TASK_TIMEOUT + 1;
		if (at < next)
			next = at;
	}
	return next;
}

static bool hung(const SimWorld *w, const SimTask *t)
{
	return t->state == SIM_TASK_BLOCKED &&
	       w->now - t->wait_since > SIM_HUNG_TASK_TIMEOUT;
}

/*
 * Time still moves, so a hung task is not yet a deadlock. It is one when
 * it lies on a cycle that is sure (locks, flushes, queues only) or that
 * goes through a polling task: then the cycle report wins.
 */
static bool hung_is_deadlock(Graph *g)
{
	Cycle c;
	bool sure = true, any_hung = false;
	int k;

	if (!best_cycle(g, &c))
		return false;
	for (k = 0; k < c.len; k++) {
		LvNode *n = node(g, c.node[k]);

		if (edge(g, c.edge[k])->weight > 0)
			sure = false;
		if (n->task && hung(g->w, n->task))
			any_hung = true;
	}
	return any_hung && (sure || c.poller);
}

void sim__liveness_hung(SimWorld *w)
{
	SimReport *r = NULL;
	Graph g;
	guint i;

	graph_build(&g, w, live_of(w)->min_iters);
	if (hung_is_deadlock(&g)) {
		for (i = 0; i < w->tasks->len; i++) {
			SimTask *t = g_ptr_array_index(w->tasks, i);

			if (hung(w, t))
				t->hung_reported = true;
		}
		report_deadlock(&g, "hvsim: deadlock: time still moves, but the "
				"tasks of the cycle below wait for each other");
		graph_free(&g);
		return;
	}
	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);

		if (t->hung_reported || !hung(w, t))
			continue;
		t->hung_reported = true;
		if (!r) {
			r = sim_report_new(w, SIM_BUG_HUNG_TASK,
					   t->wait_func ? t->wait_func : "?",
					   "INFO: task %s:%u blocked for more "
					   "than %u seconds.", t->name, t->id,
					   (unsigned)(SIM_HUNG_TASK_TIMEOUT /
						      SIM_SEC));
			r->task = t->id;
			task_block_body(r, t);
		} else {
			report_task_block(r, t, w->now - t->wait_since);
		}
		report_blocker(r, w, t);
	}
	if (r) {
		bool assumed = false;
		Cycle c;

		report_locks_held(r, w);
		chain_from(&g, g.task_node[r->task - 1], &c);
		report_path(r, &g, &c, false, &assumed);
		report_pollers(r, &g);
		if (assumed)
			sim_report_line(r, "%s", assumed_note);
		sim__lockdep_note(w, r);
		sim_report_raise(w, r);
	}
	graph_free(&g);
}
