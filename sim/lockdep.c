// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements lock-order prediction as the kernel's lockdep does
 * it: lock classes by name, a dependency graph of "held A while acquiring
 * B" edges recorded at each acquisition attempt, a cycle check on every new
 * edge, and lockdep's "WARNING: possible circular locking dependency
 * detected" report, with the unsafe scenario drawn from the real tasks. It
 * sits between the lock shims (sim/kapi/mutex.c, spinlock.c and the
 * workqueues' pseudo-locks), which call its hooks, and the verdict of an
 * execution (see sim/lockdep.h for the policy).
 *
 * Cost. The hooks run on every contended or nested acquisition, so the hot
 * path is a few loads: a class is a small integer, cached per lock object
 * id (an array indexed by the world-local id, valid for one execution);
 * the graph is three bit matrices over classes: the direct dependencies
 * learned in this world, their transitive closure, and the dependencies
 * seen in the current execution. A dependency already seen in this
 * execution costs one bit test. Only a dependency new to the execution
 * touches anything else, and only one that closes a cycle in the world's
 * closure runs a search. Nothing is allocated per acquisition after the
 * first executions; strings are compared only the first time a lock object
 * is seen in an execution (by pointer first, then by text).
 *
 * What is learned across executions (classes, dependencies, where each was
 * first seen, predictions) never decides a verdict: the verdict report is
 * built from this execution's dependencies only, so it is the same
 * whatever ran before in the world.
 */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "sim/liveness.h"
#include "sim/lockdep.h"
#include "sim/report.h"
#include "sim/world.h"
#include "sim/kapi/kapi.h"

/* lockdep's MAX_LOCKDEP_KEYS is 8191; half of it is plenty here. */
#define LD_MAX_CLASSES	4096
#define LD_INITIAL_CAP	64
#define LD_NONE		0xffffu

typedef struct {
	const char *name;		/* lives as long as the world */
	uint8_t kind;			/* enum sim_lock_kind */
} LdClass;

/* One dependency from -> to, as first seen in the current execution
 * (small: one is appended per new dependency of every execution). */
typedef struct {
	uint16_t from, to;
	uint32_t pid;			/* the task that took @to */
	const char *func;		/* where it was taking @to */
	uint8_t usage[2];		/* of @to's map before: lockdep_map's bits */
	/* The taker's context then, folded into the usage when printed
	 * (cheaper than folding it on every new dependency). */
	uint8_t ctx, irq_disabled;
	uint16_t preempt_count;
	int stack;			/* index into the stack array, or -1 */
} LdDep;

/* The same, as first seen in the world: the task is gone by the time a
 * prediction prints it, so its name is kept. */
typedef struct {
	LdDep d;
	char comm[SIM_TASK_NAME_LEN];
	uint64_t execution;
} LdWorldDep;

/* A dependency as a report prints it. */
typedef struct {
	const LdDep *d;
	const char *comm;
	uint64_t execution;
	const SimStack *stack;
} DepView;

/* Class by name pointer, before the hash tables: a small direct-mapped
 * table (lookup only, so its layout never shows in any output). */
#define LD_PTR_SLOTS	256

typedef struct {
	const char *name;
	uint16_t cls;
} LdPtrSlot;

typedef struct {
	uint32_t serial;		/* low bits of the run_serial */
	uint16_t cls;
} LdCacheEntry;

/* The pseudo-lock maps of one worker task. Engine memory: a work item's
 * function may free its work_struct while the worker "holds" it. */
typedef struct {
	struct lockdep_map wq, work;
} LdWorkMaps;

struct SimLockdep {
	/* ------------------------------------------------ world lifetime -- */
	GArray *classes;		/* LdClass, by class id */
	GHashTable *by_ptr;		/* name pointer -> class id + 1 */
	GHashTable *by_name;		/* name text -> class id + 1 */
	unsigned int cap;		/* matrix dimension, a multiple of 64 */
	unsigned int words;		/* cap / 64 */
	uint64_t *dep;			/* direct dependencies learned */
	uint64_t *reach;		/* their transitive closure */
	uint64_t *cur;			/* dependencies of this execution */
	GArray *deps;			/* LdWorldDep, first sight in the world */
	GArray *dep_stacks;		/* SimStack */
	GHashTable *dep_index;		/* from << 16 | to -> index + 1 */
	GPtrArray *predictions;		/* SimLockdepPrediction* */
	GHashTable *predicted;		/* from << 16 | to of a prediction */
	GPtrArray *work_maps;		/* LdWorkMaps*, by task id - 1 */
	LdPtrSlot ptr_slots[LD_PTR_SLOTS];
	bool off;			/* out of classes: lockdep turned off */

	/* Search scratch, reused. */
	GArray *bfs_parent;		/* uint16_t per class */
	GArray *bfs_queue;		/* uint16_t */

	/* ------------------------------------------------- per execution -- */
	uint64_t run_serial;
	/* LdDep, first sight in this execution: a plain array, appended to
	 * on the hot path, kept across executions. */
	LdDep *cur_deps;
	guint ncur, cur_cap;
	GArray *cur_stacks;		/* SimStack */
	LdCacheEntry *cache;		/* by lock object id */
	size_t cache_len;
	SimReport *warning;		/* this execution's, until raised */
	bool warned;
	char *summary;
	uint64_t warning_step;
};

/* ------------------------------------------------------------ the record -- */

static void prediction_free(gpointer p)
{
	SimLockdepPrediction *pr = p;

	g_free(pr->summary);
	sim_report_free(pr->report);
	g_free(pr);
}

SimLockdep *sim__lockdep_new(void)
{
	SimLockdep *ld = g_new0(SimLockdep, 1);

	ld->classes = g_array_new(FALSE, FALSE, sizeof(LdClass));
	ld->by_ptr = g_hash_table_new(g_direct_hash, g_direct_equal);
	ld->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	ld->cap = LD_INITIAL_CAP;
	ld->words = ld->cap / 64;
	ld->dep = g_new0(uint64_t, (gsize)ld->cap * ld->words);
	ld->reach = g_new0(uint64_t, (gsize)ld->cap * ld->words);
	ld->cur = g_new0(uint64_t, (gsize)ld->cap * ld->words);
	ld->deps = g_array_new(FALSE, FALSE, sizeof(LdWorldDep));
	ld->dep_stacks = g_array_new(FALSE, FALSE, sizeof(SimStack));
	ld->dep_index = g_hash_table_new(g_direct_hash, g_direct_equal);
	ld->predictions = g_ptr_array_new_with_free_func(prediction_free);
	ld->predicted = g_hash_table_new(g_direct_hash, g_direct_equal);
	ld->work_maps = g_ptr_array_new_with_free_func(g_free);
	ld->bfs_parent = g_array_new(FALSE, FALSE, sizeof(uint16_t));
	ld->bfs_queue = g_array_new(FALSE, FALSE, sizeof(uint16_t));
	ld->cur_stacks = g_array_new(FALSE, FALSE, sizeof(SimStack));
	return ld;
}

void sim__lockdep_free(SimLockdep *ld)
{
	if (!ld)
		return;
	g_array_free(ld->classes, TRUE);
	g_hash_table_destroy(ld->by_ptr);
	g_hash_table_destroy(ld->by_name);
	g_free(ld->dep);
	g_free(ld->reach);
	g_free(ld->cur);
	g_array_free(ld->deps, TRUE);
	g_array_free(ld->dep_stacks, TRUE);
	g_hash_table_destroy(ld->dep_index);
	g_ptr_array_free(ld->predictions, TRUE);
	g_hash_table_destroy(ld->predicted);
	g_ptr_array_free(ld->work_maps, TRUE);
	g_array_free(ld->bfs_parent, TRUE);
	g_array_free(ld->bfs_queue, TRUE);
	g_free(ld->cur_deps);
	g_array_free(ld->cur_stacks, TRUE);
	g_free(ld->cache);
	if (ld->warning)
		sim_report_free(ld->warning);
	g_free(ld->summary);
	g_free(ld);
}

static inline bool bit(const uint64_t *m, unsigned int words, unsigned int r,
		       unsigned int c)
{
	return (m[(gsize)r * words + c / 64] >> (c % 64)) & 1;
}

static inline void bit_set(uint64_t *m, unsigned int words, unsigned int r,
			   unsigned int c)
{
	m[(gsize)r * words + c / 64] |= (uint64_t)1 << (c % 64);
}

static inline void bit_clear(uint64_t *m, unsigned int words, unsigned int r,
			     unsigned int c)
{
	m[(gsize)r * words + c / 64] &= ~((uint64_t)1 << (c % 64));
}

/* Start of a new execution: forget its dependencies and its warning. */
static void exec_reset(SimLockdep *ld, SimWorld *w)
{
	guint i;

	for (i = 0; i < ld->ncur; i++) {
		const LdDep *d = &ld->cur_deps[i];

		bit_clear(ld->cur, ld->words, d->from, d->to);
	}
	ld->ncur = 0;
	g_array_set_size(ld->cur_stacks, 0);
	if (ld->warning) {
		sim_report_free(ld->warning);
		ld->warning = NULL;
	}
	ld->warned = false;
	g_clear_pointer(&ld->summary, g_free);
	ld->run_serial = w->run_serial;
}

static inline SimLockdep *lockdep_of(SimWorld *w)
{
	SimLockdep *ld = sim__liveness_ext(w)->lockdep;

	if (G_UNLIKELY(ld->run_serial != w->run_serial))
		exec_reset(ld, w);
	return ld;
}

/* ---------------------------------------------------------------- classes -- */

static void grow(SimLockdep *ld)
{
	unsigned int cap = ld->cap * 2, words = cap / 64, r;
	uint64_t **m[] = { &ld->dep, &ld->reach, &ld->cur };
	unsigned int k;

	for (k = 0; k < G_N_ELEMENTS(m); k++) {
		uint64_t *n = g_new0(uint64_t, (gsize)cap * words);

		for (r = 0; r < ld->cap; r++)
			memcpy(n + (gsize)r * words, *m[k] + (gsize)r * ld->words,
			       ld->words * sizeof(uint64_t));
		g_free(*m[k]);
		*m[k] = n;
	}
	ld->cap = cap;
	ld->words = words;
}

static unsigned int class_slow(SimLockdep *ld, SimWorld *w,
			       const struct lockdep_map *map)
{
	const char *name = map->name ? map->name : "(null)";
	LdPtrSlot *slot = &ld->ptr_slots[((uintptr_t)name >> 3) * 2654435761u %
					 LD_PTR_SLOTS];
	gpointer v;
	unsigned int cls;
	uint32_t id;

	if (slot->name == name) {
		cls = slot->cls;
	} else if ((v = g_hash_table_lookup(ld->by_ptr, name))) {
		cls = GPOINTER_TO_UINT(v) - 1;
	} else if ((v = g_hash_table_lookup(ld->by_name, name))) {
		cls = GPOINTER_TO_UINT(v) - 1;
		g_hash_table_insert(ld->by_ptr, (gpointer)name, v);
	} else {
		LdClass c = { name, map->__sim_kind };

		if (ld->classes->len >= LD_MAX_CLASSES) {
			/* The kernel prints "BUG: MAX_LOCKDEP_KEYS too low!"
			 * and turns itself off; so does this. */
			ld->off = true;
			return LD_NONE;
		}
		cls = ld->classes->len;
		g_array_append_val(ld->classes, c);
		if (cls >= ld->cap)
			grow(ld);
		g_hash_table_insert(ld->by_ptr, (gpointer)name,
				    GUINT_TO_POINTER(cls + 1));
		g_hash_table_insert(ld->by_name, (gpointer)name,
				    GUINT_TO_POINTER(cls + 1));
	}
	slot->name = name;
	slot->cls = (uint16_t)cls;
	id = map->__sim_id;
	if (id) {
		if (id >= ld->cache_len) {
			size_t n = MAX((size_t)id + 1, ld->cache_len * 2);

			ld->cache = g_renew(LdCacheEntry, ld->cache, n);
			memset(ld->cache + ld->cache_len, 0,
			       (n - ld->cache_len) * sizeof(LdCacheEntry));
			ld->cache_len = n;
		}
		ld->cache[id].serial = (uint32_t)w->run_serial;
		ld->cache[id].cls = (uint16_t)cls;
	}
	return cls;
}

static inline unsigned int class_of(SimLockdep *ld, SimWorld *w,
				    const struct lockdep_map *map)
{
	uint32_t id = map->__sim_id;

	if (G_LIKELY(id && id < ld->cache_len &&
		     ld->cache[id].serial == (uint32_t)w->run_serial))
		return ld->cache[id].cls;
	return class_slow(ld, w, map);
}

static const char *class_name(const SimLockdep *ld, unsigned int cls)
{
	return g_array_index(ld->classes, LdClass, cls).name;
}

void sim__lockdep_map_renamed(SimWorld *w, const struct lockdep_map *map)
{
	SimLockdep *ld = lockdep_of(w);
	uint32_t id = map->__sim_id;

	if (id && id < ld->cache_len)
		ld->cache[id].serial = 0;
}

/* ---------------------------------------------------------------- search -- */

/*
 * Shortest path @src ~> @dst over the dependencies of @m (breadth first,
 * successors in class order, so the same graph gives the same path).
 * Fills @path with src .. dst and returns its length, 0 when none.
 */
static int find_path(SimLockdep *ld, const uint64_t *m, unsigned int src,
		     unsigned int dst, uint16_t *path, int max)
{
	unsigned int n = ld->classes->len, head = 0, u, v, k;
	uint16_t *parent, *queue;
	int len = 0;

	g_array_set_size(ld->bfs_parent, n);
	g_array_set_size(ld->bfs_queue, n);
	parent = (uint16_t *)ld->bfs_parent->data;
	queue = (uint16_t *)ld->bfs_queue->data;
	for (u = 0; u < n; u++)
		parent[u] = LD_NONE;
	parent[src] = (uint16_t)src;
	queue[0] = (uint16_t)src;
	k = 1;
	while (head < k) {
		u = queue[head++];
		if (u == dst)
			break;
		for (v = 0; v < n; v++) {
			if (parent[v] != LD_NONE || !bit(m, ld->words, u, v))
				continue;
			parent[v] = (uint16_t)u;
			queue[k++] = (uint16_t)v;
		}
	}
	if (parent[dst] == LD_NONE)
		return 0;
	/* Walk back from dst, then reverse. */
	for (u = dst;; u = parent[u]) {
		if (len == max)
			return 0;
		path[len++] = (uint16_t)u;
		if (u == src)
			break;
	}
	for (k = 0; k < (unsigned int)len / 2; k++) {
		uint16_t x = path[k];

		path[k] = path[len - 1 - k];
		path[len - 1 - k] = x;
	}
	return len;
}

/* The dependency from -> to, in this execution or in the world. */
static bool dep_view(SimLockdep *ld, SimWorld *w, bool current,
		     unsigned int from, unsigned int to, DepView *v)
{
	const LdDep *d = NULL;
	guint i;

	memset(v, 0, sizeof(*v));
	if (current) {
		for (i = 0; i < ld->ncur && !d; i++) {
			const LdDep *c = &ld->cur_deps[i];

			if (c->from == from && c->to == to)
				d = c;
		}
		if (!d)
			return false;
		v->comm = sim_task_by_id(w, d->pid) ?
			  sim_task_by_id(w, d->pid)->name : "?";
		v->execution = w->execution;
		if (d->stack >= 0)
			v->stack = &g_array_index(ld->cur_stacks, SimStack,
						  d->stack);
	} else {
		const LdWorldDep *wd;

		i = GPOINTER_TO_UINT(g_hash_table_lookup(ld->dep_index,
				GUINT_TO_POINTER(from << 16 | to)));
		if (!i)
			return false;
		wd = &g_array_index(ld->deps, LdWorldDep, i - 1);
		d = &wd->d;
		v->comm = wd->comm;
		v->execution = wd->execution;
		if (d->stack >= 0)
			v->stack = &g_array_index(ld->dep_stacks, SimStack,
						  d->stack);
	}
	v->d = d;
	return true;
}

/* "{+.+.}-{4:4}" of the class @to of dependency @d, as it was then. */
static void dep_usage(const SimLockdep *ld, const LdDep *d, char out[24])
{
	struct lockdep_map m = { 0 };
	SimTask then = { 0 };

	m.__sim_kind = g_array_index(ld->classes, LdClass, d->to).kind;
	m.__sim_usage[0] = d->usage[0];
	m.__sim_usage[1] = d->usage[1];
	then.ctx = d->ctx;
	then.irq_disabled = d->irq_disabled;
	then.preempt_count = d->preempt_count;
	sim__kapi_lock_usage(&m, &then, out);
}


/* ---------------------------------------------------------------- reports -- */

#define LD_MAX_CHAIN	48

/* One column of the unsafe scenario per actor, kernel spacing for two. */
static void scenario_lines(SimReport *r, char **labels, int ncols,
			   const char **cls, int k)
{
	size_t width = 29, maxlab = 0;
	GString *s = g_string_new(NULL);
	int i, row, nrows = 2 + 2 * k;

	for (i = 0; i < ncols; i++)
		maxlab = MAX(maxlab, strlen(labels[i]));
	if (maxlab + 6 > width)
		width = maxlab + 6;

	/* Header and underline: the first label where lockdep prints "CPU0". */
	for (row = 0; row < 2; row++) {
		g_string_truncate(s, 0);
		for (i = 0; i < ncols; i++) {
			size_t at = i == 0 ? 7 : 2 + width * (size_t)i;
			size_t len = strlen(labels[i]), j;

			while (s->len < at)
				g_string_append_c(s, ' ');
			if (row == 0)
				g_string_append(s, labels[i]);
			else
				for (j = 0; j < len; j++)
					g_string_append_c(s, '-');
			g_string_append_c(s, ' ');
		}
		g_strchomp(s->str);
		sim_report_line(r, "%s", s->str);
	}
	/*
	 * Rows: the current task holds the last class; each actor i holds
	 * class i-1 and then wants class i; finally the current task wants
	 * the first one. With one actor this is lockdep's own table.
	 */
	for (row = 0; row < nrows; row++) {
		int col;
		const char *name;

		if (row == 0) {
			col = 0;
			name = cls[k];
		} else if (row <= k) {
			col = row;
			name = cls[row - 1];
		} else if (row <= 2 * k) {
			col = row - k;
			name = cls[row - k];
		} else {
			col = 0;
			name = cls[0];
		}
		g_string_truncate(s, 0);
		while (s->len < (col == 0 ? 2 : 2 + width * (size_t)col))
			g_string_append_c(s, ' ');
		g_string_append_printf(s, "lock(%s);", name);
		sim_report_line(r, "%s", s->str);
	}
	g_string_free(s, TRUE);
}

/*
 * Build lockdep's report for @t acquiring @next (class path[0]) while
 * holding t->held[@held] (class path[@len - 1]); @path is the existing
 * chain path[0] -> ... -> path[len-1], from this execution's dependencies
 * (@current) or the world's. @now is the stack of this acquisition, or
 * NULL when none was captured.
 */
static SimReport *build_report(SimLockdep *ld, SimWorld *w, SimTask *t,
			       int held, const struct lockdep_map *next,
			       const char *func, const uint16_t *path, int len,
			       bool current, const SimStack *now,
			       char **summary)
{
	static const char title[] =
		"WARNING: possible circular locking dependency detected";
	SimReport *r = sim_report_new(w, SIM_BUG_LOCK_ORDER, func, "%s", title);
	const struct lockdep_map *prev = t->held[held].lock;
	const char *names[LD_MAX_CHAIN];
	char *labels[LD_MAX_CHAIN];
	g_autofree char *nline = NULL;
	g_autofree char *pline = sim__kapi_lock_line(prev, t->held[held].func);
	GString *sum = g_string_new(NULL);
	char usage[24];
	int i, k = len - 1;

	for (i = 0; i < len; i++)
		names[i] = class_name(ld, path[i]);
	/* The new lock's usage counts this acquisition, as lockdep marks it
	 * before it validates the chain. */
	sim__kapi_lock_usage(next, t, usage);
	nline = g_strdup_printf("%016" G_GINT64_MODIFIER "x (%s)%s, at: %s",
				sim_report_obj_addr(next->__sim_id), names[0],
				usage, func);

	sim_report_line(r, "%s/%u is trying to acquire lock:", t->name, t->id);
	sim_report_line(r, "%s", nline);
	sim__kapi_blank(r);
	sim_report_line(r, "but task is already holding lock:");
	sim_report_line(r, "%s", pline);
	sim__kapi_blank(r);
	sim_report_line(r, "which lock already depends on the new lock.");
	sim__kapi_blank(r);
	sim_report_line(r, "the existing dependency chain (in reverse order) is:");

	/* #k .. #1: each class with where the dependency into it was seen. */
	for (i = k; i >= 1; i--) {
		DepView v;
		bool have = dep_view(ld, w, current, path[i - 1], path[i], &v);
		char du[24] = "{....}-{0:0}";

		if (have)
			dep_usage(ld, v.d, du);
		sim__kapi_blank(r);
		sim_report_line(r, "-> #%d (%s)%s:", i, names[i], du);
		if (v.stack && v.stack->n) {
			sim_report_stack_indented(r, v.stack, 6);
		} else if (have) {
			if (current)
				sim_report_line(r, "       hvsim: %s/%u took it in %s "
						"while holding %s; no call trace "
						"recorded (replay with stacks to "
						"see it)", v.comm, v.d->pid,
						v.d->func ? v.d->func : "?",
						names[i - 1]);
			else
				sim_report_line(r, "       hvsim: %s/%u took it in %s "
						"while holding %s in execution %"
						PRIu64 "; no call trace recorded",
						v.comm, v.d->pid,
						v.d->func ? v.d->func : "?",
						names[i - 1], v.execution);
		}
	}
	sim__kapi_blank(r);
	sim_report_line(r, "-> #0 (%s)%s:", names[0], usage);
	if (now && now->n)
		sim_report_stack_indented(r, now, 6);
	else
		sim_report_line(r, "       hvsim: %s/%u is taking it in %s; no "
				"call trace recorded (replay with stacks to see "
				"it)", t->name, t->id, func);

	sim__kapi_blank(r);
	sim_report_line(r, "other info that might help us debug this:");
	sim__kapi_blank(r);
	if (k >= 2) {
		sim_report_line(r, "Chain exists of:");
		sim_report_line(r, "  %s --> %s --> %s", names[0], names[k - 1],
				names[k]);
		sim__kapi_blank(r);
	}
	sim_report_line(r, " Possible unsafe locking scenario:");
	sim__kapi_blank(r);
	labels[0] = g_strdup_printf("%s/%u", t->name, t->id);
	for (i = 1; i <= k; i++) {
		DepView v;

		labels[i] = dep_view(ld, w, current, path[i - 1], path[i], &v) ?
			    g_strdup_printf("%s/%u", v.comm, v.d->pid) :
			    g_strdup("?");
	}
	scenario_lines(r, labels, k + 1, names, k);
	for (i = 0; i <= k; i++)
		g_free(labels[i]);
	sim__kapi_blank(r);
	sim_report_line(r, " *** DEADLOCK ***");
	sim__kapi_blank(r);
	sim__kapi_report_held_locks(r, t);
	if (!current)
		sim_report_line(r, "hvsim: a prediction: the chain above was "
				"learned in earlier executions of this world; "
				"this execution's verdict does not depend on it");
	sim__kapi_blank(r);
	sim_report_line(r, "stack backtrace:");
	sim_report_identity(r, w, t);
	if (now && now->n)
		sim_report_stack(r, now, TRUE);
	else
		sim_report_line(r, "hvsim: no call trace recorded (replay with "
				"stacks to see it)");

	for (i = 0; i < len; i++)
		g_string_append_printf(sum, "%s --> ", names[i]);
	g_string_append(sum, names[0]);
	*summary = g_string_free(sum, FALSE);
	return r;
}

/* The cycle path[0] -> .. -> path[len-1] -> path[0] was just closed. */
static void cycle_found(SimLockdep *ld, SimWorld *w, SimTask *t, int held,
			const struct lockdep_map *next, const char *func,
			unsigned int cp, unsigned int cn)
{
	uint16_t path[LD_MAX_CHAIN];
	SimStack now = { .n = 0 };
	char *summary = NULL;
	int len;

	len = find_path(ld, ld->cur, cn, cp, path, LD_MAX_CHAIN);
	if (len) {
		/* A verdict candidate: the first one of the execution only,
		 * as lockdep turns itself off after its first report. */
		if (ld->warned)
			return;
		sim_stack_capture(&now, 0);
		ld->warning = build_report(ld, w, t, held, next, func, path,
					   len, true, &now, &summary);
		ld->warned = true;
		ld->summary = summary;
		ld->warning_step = w->steps;
		return;
	}
	/* Needs the dependencies of earlier executions: a prediction. */
	if (g_hash_table_contains(ld->predicted,
				  GUINT_TO_POINTER(cp << 16 | cn)))
		return;
	len = find_path(ld, ld->dep, cn, cp, path, LD_MAX_CHAIN);
	if (!len)
		return;
	{
		SimLockdepPrediction *p = g_new0(SimLockdepPrediction, 1);

		if (sim_world_wants_stacks(w))
			sim_stack_capture(&now, 0);
		p->execution = w->execution;
		p->seed = w->seed;
		p->report = build_report(ld, w, t, held, next, func, path, len,
					 false, &now, &p->summary);
		g_hash_table_add(ld->predicted, GUINT_TO_POINTER(cp << 16 | cn));
		g_ptr_array_add(ld->predictions, p);
	}
}

/* ---------------------------------------------------------- dependencies -- */

static void add_world_dep(SimLockdep *ld, SimWorld *w, const SimTask *t,
			  const LdDep *cur, const SimStack *s)
{
	unsigned int n = ld->classes->len, x, j;
	unsigned int cp = cur->from, cn = cur->to;
	LdWorldDep d = { .d = *cur };

	bit_set(ld->dep, ld->words, cp, cn);
	g_strlcpy(d.comm, t->name, sizeof(d.comm));
	d.execution = w->execution;
	d.d.stack = -1;
	if (s) {
		d.d.stack = ld->dep_stacks->len;
		g_array_append_val(ld->dep_stacks, *s);
	}
	g_array_append_val(ld->deps, d);
	g_hash_table_insert(ld->dep_index, GUINT_TO_POINTER(cp << 16 | cn),
			    GUINT_TO_POINTER(ld->deps->len));
	/* Closure: whoever reaches cp (and cp itself) now reaches cn and
	 * everything cn reaches. */
	for (x = 0; x < n; x++) {
		uint64_t *row = ld->reach + (gsize)x * ld->words;
		const uint64_t *from = ld->reach + (gsize)cn * ld->words;

		if (x != cp && !bit(ld->reach, ld->words, x, cp))
			continue;
		if (x != cn)
			for (j = 0; j < ld->words; j++)
				row[j] |= from[j];
		bit_set(ld->reach, ld->words, x, cn);
	}
}

/* First sight of cp -> cn in this execution. */
static void new_dep(SimLockdep *ld, SimWorld *w, SimTask *t, int held,
		    unsigned int cp, unsigned int cn,
		    const struct lockdep_map *next, const char *func)
{
	LdDep d = {
		.from = (uint16_t)cp, .to = (uint16_t)cn, .pid = t->id,
		.func = func,
		.usage = { next->__sim_usage[0], next->__sim_usage[1] },
		.ctx = (uint8_t)t->ctx, .irq_disabled = (uint8_t)t->irq_disabled,
		.preempt_count = (uint16_t)t->preempt_count, .stack = -1,
	};
	SimStack s;
	bool stacks = sim_world_wants_stacks(w);

	bit_set(ld->cur, ld->words, cp, cn);
	if (stacks) {
		sim_stack_capture(&s, 0);
		d.stack = ld->cur_stacks->len;
		g_array_append_val(ld->cur_stacks, s);
	}
	if (G_UNLIKELY(ld->ncur == ld->cur_cap)) {
		ld->cur_cap = MAX(64u, ld->cur_cap * 2);
		ld->cur_deps = g_renew(LdDep, ld->cur_deps, ld->cur_cap);
	}
	ld->cur_deps[ld->ncur++] = d;
	if (!bit(ld->dep, ld->words, cp, cn))
		add_world_dep(ld, w, t, &d, stacks ? &s : NULL);
	/* Can cn reach cp at all? One bit: the common case ends here. */
	if (bit(ld->reach, ld->words, cn, cp))
		cycle_found(ld, w, t, held, next, func, cp, cn);
}

void sim__lockdep_acquire_held(SimWorld *w, SimTask *t,
			       const struct lockdep_map *next,
			       const char *func)
{
	SimLockdep *ld = lockdep_of(w);
	unsigned int cn, cp;
	int i;

	if (G_UNLIKELY(ld->off))
		return;
	cn = class_of(ld, w, next);
	if (G_UNLIKELY(cn == LD_NONE))
		return;
	/*
	 * A dependency from every lock held, not only the last one as the
	 * kernel records: the reachability is the same (the kernel gets the
	 * others transitively), and a trylock'ed lock below needs no
	 * special case.
	 */
	for (i = 0; i < t->nheld; i++) {
		cp = class_of(ld, w, t->held[i].lock);
		/* Two instances of one class (nested channel locks): the
		 * kernel wants a _nested annotation the shim does not keep,
		 * so same-class nesting is not a dependency here. */
		if (cp == cn || cp == LD_NONE)
			continue;
		if (G_LIKELY(bit(ld->cur, ld->words, cp, cn)))
			continue;
		new_dep(ld, w, t, i, cp, cn, next, func);
		if (ld->off)
			return;
	}
}

static void pseudo_map(struct lockdep_map *m, SimWorld *w, const char *name,
		       uint32_t id)
{
	m->name = name;
	m->__sim_magic = SIM_LOCKDEP_MAGIC;
	m->__sim_kind = SIM_LOCK_OTHER;
	m->__sim_usage[0] = m->__sim_usage[1] = 0;
	/* The work's or workqueue's own id: no new object id, so traces
	 * keep their numbering. */
	m->__sim_id = id;
	m->__sim_serial = w->run_serial;
}

void sim__lockdep_acquire_release(SimWorld *w, SimTask *t, const char *name,
				  uint32_t id, const char *func)
{
	struct lockdep_map m;

	if (!t->nheld || !name)
		return;
	pseudo_map(&m, w, name, id);
	sim__lockdep_acquire_held(w, t, &m, func);
}

static LdWorkMaps *work_maps(SimLockdep *ld, uint32_t id)
{
	if (ld->work_maps->len < id)
		g_ptr_array_set_size(ld->work_maps, id);
	if (!g_ptr_array_index(ld->work_maps, id - 1))
		g_ptr_array_index(ld->work_maps, id - 1) = g_new0(LdWorkMaps, 1);
	return g_ptr_array_index(ld->work_maps, id - 1);
}

void sim__lockdep_work_begin(SimWorld *w, SimTask *t, const char *wq_name,
			     uint32_t wq_id, const char *work_name,
			     uint32_t work_id, const char *func)
{
	SimLockdep *ld = lockdep_of(w);
	LdWorkMaps *m = work_maps(ld, t->id);

	pseudo_map(&m->wq, w, wq_name, wq_id);
	sim__lockdep_acquire(w, t, &m->wq, func);
	sim__kapi_held_push(w, t, &m->wq, func);
	if (!work_name)
		return;
	pseudo_map(&m->work, w, work_name, work_id);
	sim__lockdep_acquire(w, t, &m->work, func);
	sim__kapi_held_push(w, t, &m->work, func);
}

void sim__lockdep_work_end(SimWorld *w, SimTask *t)
{
	SimLockdep *ld = lockdep_of(w);
	LdWorkMaps *m = work_maps(ld, t->id);
	int i;

	if ((i = sim__kapi_held_find(t, &m->work)) >= 0)
		sim__kapi_held_remove(t, i);
	if ((i = sim__kapi_held_find(t, &m->wq)) >= 0)
		sim__kapi_held_remove(t, i);
}

/* --------------------------------------------------------------- verdict -- */

void sim__lockdep_end(SimWorld *w)
{
	SimLivenessExt *x = w->ext[SIM_EXT_LIVENESS];
	SimLockdep *ld = x ? x->lockdep : NULL;
	SimReport *r;

	if (!ld || ld->run_serial != w->run_serial || !ld->warning || w->bug)
		return;
	if (w->end != SIM_END_CLEAN && w->end != SIM_END_STEP_LIMIT &&
	    w->end != SIM_END_TIME_LIMIT)
		return;
	r = ld->warning;
	ld->warning = NULL;
	sim_report_raise(w, r);
}

void sim__lockdep_note(SimWorld *w, SimReport *r)
{
	SimLivenessExt *x = w->ext[SIM_EXT_LIVENESS];
	SimLockdep *ld = x ? x->lockdep : NULL;

	if (!ld || ld->run_serial != w->run_serial || !ld->warned)
		return;
	sim_report_line(r, "hvsim: lockdep warned at step %" PRIu64 ", before "
			"this: possible circular locking dependency %s",
			ld->warning_step, ld->summary);
}

/* ---------------------------------------------------------------- public -- */

const GPtrArray *sim_lockdep_predictions(SimWorld *w)
{
	return sim__liveness_ext(w)->lockdep->predictions;
}

gboolean sim_lockdep_warned(SimWorld *w, const char **summary)
{
	SimLockdep *ld = sim__liveness_ext(w)->lockdep;
	bool warned = ld->run_serial == w->run_serial && ld->warned;

	if (summary)
		*summary = warned ? ld->summary : NULL;
	return warned;
}

void sim_lockdep_reset(SimWorld *w)
{
	SimLivenessExt *x = sim__liveness_ext(w);

	g_assert(!sim_current());
	sim__lockdep_free(x->lockdep);
	x->lockdep = sim__lockdep_new();
}

void sim_lockdep_stats(SimWorld *w, unsigned int *nclasses,
		       unsigned int *ndeps)
{
	SimLockdep *ld = sim__liveness_ext(w)->lockdep;

	if (nclasses)
		*nclasses = ld->classes->len;
	if (ndeps)
		*ndeps = ld->deps->len;
}

void sim_lockdep_prediction_format(const SimLockdepPrediction *p,
				   GString *out)
{
	const SimReport *r = p->report;
	size_t n = strlen(r->title), i;
	guint k;

	/* lockdep's framing, as sim/report.c gives a verdict's report. */
	g_string_append_c(out, '\n');
	for (i = 0; i < n; i++)
		g_string_append_c(out, '=');
	g_string_append_printf(out, "\n%s\nhvsim-" HVSIM_VERSION
			       " Not tainted\n", r->title);
	for (i = 0; i < n; i++)
		g_string_append_c(out, '-');
	g_string_append_c(out, '\n');
	for (k = 0; k < r->items->len; k++) {
		const SimReportItem *it = g_ptr_array_index(r->items, k);

		if (it->line)
			g_string_append_printf(out, "%s\n", it->line);
		else
			sim_stack_format(out, it->stack);
	}
}
