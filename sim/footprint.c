// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements step footprints (what one step read and wrote) and
 * the step boundaries the runaway guard and the exhaustive search share:
 * the recorder a search attaches to a world, the slow path the KASAN hooks
 * take when a step is recorded or its access budget ran out, the freezing
 * of a step's set into a sorted, comparable SimFp, and the conflict test.
 * It sits between the scheduler loop and tasks (sim/sched.c, sim/task.c),
 * the KASAN hooks (sim/kasan.c) and the search (sim/dfs.c). The locations
 * and the rules that make a footprint sound are in sim/footprint.h.
 *
 * While a step is recorded every access lands in an open-addressing set of
 * location keys (an 8-byte granule, or a tagged id); accesses wider than
 * FP_MAX_GRANULES granules are kept as ranges instead. Freezing renames
 * stack addresses, folds in what the step's trace events and the engine's
 * counters say (objects allocated and freed, shim objects, queued events,
 * tasks blocked and woken), and sorts. Comparing two frozen footprints is
 * a merge of two sorted arrays plus a binary search per range.
 */
#define _GNU_SOURCE
#include <link.h>
#include <string.h>

#include <glib.h>

#include "sim/footprint.h"
#include "sim/report.h"
#include "sim/trace.h"
#include "sim/world.h"

/* Location keys: a tag in bits 58-59 over the location. */
#define TAG_MEM		(0ULL << 58)	/* address >> 3 */
#define TAG_STACK	(1ULL << 58)	/* task id << 32 | stack offset >> 3 */
#define TAG_OBJ		(2ULL << 58)	/* a shim object id */
#define TAG_PSEUDO	(3ULL << 58)	/* engine state, below */
#define TAG_MASK	(3ULL << 58)

/* Engine state no address names. */
enum {
	PSEUDO_EVENTS = 1,	/* the event queue: order of equal times */
	PSEUDO_HEAP,		/* the allocators' bump pointers */
	PSEUDO_SHIM,		/* the shim's internal state and task table */
	PSEUDO_UNSTABLE,	/* memory at no stable address (malloc) */
};

/* Access flags, in the low two bits of a frozen key. */
#define FP_R	1u
#define FP_W	2u

/* Wider accesses than this many granules are recorded as ranges. */
#define FP_MAX_GRANULES	32

typedef struct {
	uint64_t lo, hi;	/* location keys, inclusive */
	uint8_t flags;
} FpRange;

struct SimFp {
	bool all;		/* conflicts with every step */
	uint32_t n, nranges;
	uint64_t *keys;		/* key << 2 | flags, sorted */
	FpRange *ranges;	/* sorted by lo */
};

struct SimFootprint {
	SimFootprintBeginFn step_begin;
	SimFootprintStepFn step_end;
	void *arg;
	bool want_next;		/* record the next step that begins */
	bool recording;		/* the running step is recorded */
	bool all;		/* the running step lost something */
	uint64_t accesses;	/* in the running step, since its last point */

	/* The running step's set: raw keys and their flags. */
	uint64_t *slots;
	uint8_t *sflags;
	size_t cap, used;
	GArray *ranges;		/* FpRange, raw */

	/* Engine state when the step began. */
	size_t trace0;
	uint64_t seq0;
	size_t ncancel0;

	/* Loaded images (granule keys, inclusive; sorted): their data sit
	 * at one address for the process's life. */
	GArray *images;		/* FpRange, flags unused */
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_range(const void *a, const void *b)
{
	const FpRange *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* ---------------------------------------------------------- the set -- */

static inline size_t slot_of(const SimFootprint *f, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & (f->cap - 1);
}

static void set_grow(SimFootprint *f)
{
	uint64_t *old = f->slots;
	uint8_t *oldf = f->sflags;
	size_t oldcap = f->cap, i;

	f->cap = oldcap ? oldcap * 2 : 256;
	f->slots = g_new0(uint64_t, f->cap);
	f->sflags = g_new0(uint8_t, f->cap);
	for (i = 0; i < oldcap; i++) {
		size_t s;

		if (!old[i])
			continue;
		for (s = slot_of(f, old[i]); f->slots[s];
		     s = (s + 1) & (f->cap - 1))
			;
		f->slots[s] = old[i];
		f->sflags[s] = oldf[i];
	}
	g_free(old);
	g_free(oldf);
}

static void set_add(SimFootprint *f, uint64_t key, uint8_t flags)
{
	size_t s;

	if (G_UNLIKELY(2 * (f->used + 1) > f->cap))
		set_grow(f);
	for (s = slot_of(f, key); f->slots[s]; s = (s + 1) & (f->cap - 1)) {
		if (f->slots[s] == key) {
			f->sflags[s] |= flags;
			return;
		}
	}
	f->slots[s] = key;
	f->sflags[s] = flags;
	f->used++;
}

static uint8_t set_get(const SimFootprint *f, uint64_t key)
{
	size_t s;

	if (!f->cap)
		return 0;
	for (s = slot_of(f, key); f->slots[s]; s = (s + 1) & (f->cap - 1))
		if (f->slots[s] == key)
			return f->sflags[s];
	return 0;
}

static void set_clear(SimFootprint *f)
{
	if (f->used) {
		memset(f->slots, 0, f->cap * sizeof(*f->slots));
		f->used = 0;
	}
	g_array_set_size(f->ranges, 0);
	f->all = false;
}

static void record_mem(SimFootprint *f, uintptr_t addr, size_t size,
		       bool write)
{
	uint64_t first, last, g;
	uint8_t flags = write ? FP_W : FP_R;

	if (!size)
		return;
	first = (uint64_t)addr >> 3;
	last = ((uint64_t)addr + size - 1) >> 3;
	if (last - first < FP_MAX_GRANULES) {
		for (g = first; g <= last; g++)
			set_add(f, TAG_MEM | g, flags);
	} else {
		FpRange r = { TAG_MEM | first, TAG_MEM | last, flags };

		g_array_append_val(f->ranges, r);
	}
}

/* Did the running step write the granule of @p? */
static bool wrote(const SimFootprint *f, const void *p)
{
	uint64_t g = TAG_MEM | ((uint64_t)(uintptr_t)p >> 3);
	guint i;

	if (set_get(f, g) & FP_W)
		return true;
	for (i = 0; i < f->ranges->len; i++) {
		const FpRange *r = &g_array_index(f->ranges, FpRange, i);

		if ((r->flags & FP_W) && r->lo <= g && g <= r->hi)
			return true;
	}
	return false;
}

/* --------------------------------------------------- step boundaries -- */

static int add_image(struct dl_phdr_info *info, size_t size, void *data)
{
	GArray *images = data;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t lo;
		FpRange r;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		lo = (uint64_t)(info->dlpi_addr + ph->p_vaddr);
		r = (FpRange){ lo >> 3, (lo + ph->p_memsz - 1) >> 3, 0 };
		g_array_append_val(images, r);
	}
	return 0;
}

SimFootprint *sim_footprint_new(SimFootprintBeginFn step_begin,
				SimFootprintStepFn step_end, void *arg)
{
	SimFootprint *f = g_new0(SimFootprint, 1);

	f->step_begin = step_begin;
	f->step_end = step_end;
	f->arg = arg;
	f->ranges = g_array_new(FALSE, FALSE, sizeof(FpRange));
	f->images = g_array_new(FALSE, FALSE, sizeof(FpRange));
	dl_iterate_phdr(add_image, f->images);
	g_array_sort(f->images, cmp_range);
	return f;
}

void sim_footprint_free(SimFootprint *f)
{
	if (!f)
		return;
	g_free(f->slots);
	g_free(f->sflags);
	g_array_free(f->ranges, TRUE);
	g_array_free(f->images, TRUE);
	g_free(f);
}

void sim_footprint_attach(SimWorld *w, SimFootprint *f)
{
	w->footprint = f;
	if (f) {
		f->want_next = f->recording = false;
		f->accesses = 0;
	}
}

void sim_footprint_record_next(SimFootprint *f)
{
	f->want_next = true;
}

void sim__footprint_step_begin(SimWorld *w, SimTask *t)
{
	SimFootprint *f = w->footprint;

	if (f->step_begin)
		f->step_begin(f->arg, t);
	f->accesses = 0;
	f->recording = f->want_next && !w->stop;
	f->want_next = false;
	if (!f->recording) {
		w->step_budget = sim__step_access_limit(w);
		return;
	}
	set_clear(f);
	/* Only the full trace is append-only; the tail moves under us. */
	f->all = !w->trace_on;
	f->trace0 = w->trace.len;
	f->seq0 = w->events.next_seq;
	f->ncancel0 = w->events.ncancelled;
	/* Every access takes the slow path and is recorded. */
	w->step_budget = -1;
}

void sim__footprint_point(SimWorld *w)
{
	SimFootprint *f = w->footprint;

	f->accesses = 0;
	if (!f->recording)
		w->step_budget = sim__step_access_limit(w);
}

void sim__footprint_access(SimWorld *w, uintptr_t addr, size_t size,
			   bool write)
{
	SimFootprint *f = w->footprint;
	int64_t limit = sim__step_access_limit(w);

	if (f && f->recording) {
		w->step_budget = -1;
		record_mem(f, addr, size, write);
		if (G_LIKELY(++f->accesses <= (uint64_t)limit))
			return;
		sim__kasan_report_runaway(w, f->accesses);
	}
	/* The budget ran out: the step made limit + 1 accesses. */
	sim__kasan_report_runaway(w, (uint64_t)limit + 1);
}

void sim__footprint_touch(SimWorld *w, uintptr_t addr, size_t size,
			  bool write)
{
	SimFootprint *f = w ? w->footprint : NULL;

	if (f && f->recording && sim_current())
		record_mem(f, addr, size, write);
}

/* ------------------------------------------------------------ freezing -- */

/* Fold the step's trace events into its set. */
static void fold_trace(SimFootprint *f, SimWorld *w)
{
	const SimTrace *tr = &w->trace;
	size_t i;

	if (tr->len < f->trace0) {
		f->all = true;
		return;
	}
	for (i = f->trace0; i < tr->len; i++) {
		const SimTraceEvent *ev = &tr->ev[i];
		uintptr_t lo;
		size_t len;
		SimTask *p;

		switch ((SimTraceKind)ev->kind) {
		case SIM_TR_ALLOC:
		case SIM_TR_PAGE_ALLOC:
		case SIM_TR_VMAP:
			/* Bump allocation: the order of two allocations
			 * decides their addresses. */
			set_add(f, TAG_PSEUDO | PSEUDO_HEAP, FP_W);
			/* fall through */
		case SIM_TR_FREE:
		case SIM_TR_PAGE_FREE:
		case SIM_TR_VUNMAP:
			/* The object's memory changes state under any
			 * access to it: a write to all of it. */
			if (sim__heap_obj_range(w, ev->obj, &lo, &len))
				record_mem(f, lo, len, true);
			else
				f->all = true;
			break;
		case SIM_TR_LOCK_INIT:
		case SIM_TR_LOCK:
		case SIM_TR_LOCK_CONTEND:
		case SIM_TR_UNLOCK:
		case SIM_TR_TRYLOCK_FAIL:
		case SIM_TR_COMPLETE:
		case SIM_TR_WAKE_UP:
		case SIM_TR_ATOMIC:
			if (ev->obj)
				set_add(f, TAG_OBJ | ev->obj, FP_W);
			break;
		case SIM_TR_TASK_CREATE:
		case SIM_TR_QUEUE_WORK:
		case SIM_TR_WORK_START:
		case SIM_TR_WORK_END:
		case SIM_TR_FLUSH:
		case SIM_TR_TASKLET:
		case SIM_TR_PROBE:
		case SIM_TR_IRQ:
		case SIM_TR_HOST_TX:
		case SIM_TR_GUEST_TX:
		case SIM_TR_HOST_NOTE:
			/* Internal state of the shim or a host model (pools,
			 * lists, queues, the task table). */
			if (ev->obj)
				set_add(f, TAG_OBJ | ev->obj, FP_W);
			set_add(f, TAG_PSEUDO | PSEUDO_SHIM, FP_W);
			break;
		case SIM_TR_WAKE:
			/* A wake through an object the step touched is that
			 * object's conflict; any other wake (a kicked
			 * worker, wake_up_process, a flush) goes through
			 * state the shim keeps to itself. */
			p = sim_task_by_id(w, ev->peer);
			if (!p || p->wait_kind == SIM_WAIT_NONE ||
			    p->wait_kind == SIM_WAIT_OTHER ||
			    p->wait_kind == SIM_WAIT_WORK || !p->wait_obj ||
			    !wrote(f, p->wait_obj))
				set_add(f, TAG_PSEUDO | PSEUDO_SHIM, FP_W);
			break;
		default:
			/* Switches, points, blocks (below), sleeps and
			 * timeouts (the event queue), printk and BUG lines:
			 * nothing another step reads. */
			break;
		}
	}
}

/* Fold what the engine's own state says about the step of @t. */
static void fold_engine(SimFootprint *f, SimWorld *w, SimTask *t)
{
	if (w->events.next_seq != f->seq0 ||
	    w->events.ncancelled > f->ncancel0)
		set_add(f, TAG_PSEUDO | PSEUDO_EVENTS, FP_W);
	if (t->state == SIM_TASK_RUNNABLE || t->state == SIM_TASK_DONE)
		return;
	/* It blocked: on an object it touched (a lock, a completion, a
	 * wait queue head, checked by the shim in this step), or on state
	 * the shim keeps to itself (a worker's pool, schedule(), a flush, a
	 * kthread, quiescence, a timed sleep). */
	if ((t->wait_kind == SIM_WAIT_MUTEX || t->wait_kind == SIM_WAIT_SPIN ||
	     t->wait_kind == SIM_WAIT_COMPLETION ||
	     t->wait_kind == SIM_WAIT_EVENT) &&
	    t->wait_obj && wrote(f, t->wait_obj))
		return;
	set_add(f, TAG_PSEUDO | PSEUDO_SHIM, FP_W);
}

typedef struct {
	uint64_t lo, hi;	/* granule keys of the stack, inclusive */
	uint32_t id;
} StackSpan;

typedef struct {
	StackSpan *st;
	guint nst;
	uint64_t heap_lo, alias_lo, heap_hi, alias_delta;	/* granules */
	const GArray *images;
} Canon;

static bool in_image(const GArray *images, uint64_t key)
{
	guint lo = 0, hi = images->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		const FpRange *r = &g_array_index(images, FpRange, mid);

		if (key < r->lo)
			hi = mid;
		else if (key > r->hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/*
 * A memory key as footprints compare it: in the heap, itself (the vmalloc
 * alias as the direct-map page it shows); on some task's stack, renamed
 * (task id, offset); in a loaded image, itself; anywhere else, the one
 * "unstable" location.
 */
static uint64_t canon(uint64_t key, const Canon *c)
{
	const StackSpan *st = c->st;
	guint nst = c->nst, i;

	if ((key & TAG_MASK) != TAG_MEM)
		return key;
	if (key >= c->heap_lo && key < c->heap_hi)
		return key >= c->alias_lo ? key - c->alias_delta : key;
	for (i = 0; i < nst; i++)
		if (key >= st[i].lo && key <= st[i].hi)
			return TAG_STACK | ((uint64_t)st[i].id << 32) |
			       (key - st[i].lo);
	if (in_image(c->images, key))
		return key;
	return TAG_PSEUDO | PSEUDO_UNSTABLE;
}

static SimFp *freeze(SimFootprint *f, SimWorld *w)
{
	SimFp *fp = g_new0(SimFp, 1);
	StackSpan *st = g_new(StackSpan, w->tasks->len + 1);
	uintptr_t hlo, alo, hhi;
	size_t s, n = 0, delta;
	guint nst = 0, i;
	Canon c;

	for (i = 0; i < w->tasks->len; i++) {
		SimTask *t = g_ptr_array_index(w->tasks, i);
		uint64_t lo = (uint64_t)(uintptr_t)t->stack >> 3;

		st[nst++] = (StackSpan){ lo, lo + (t->stack_size >> 3) - 1,
					 t->id };
	}
	sim__heap_bounds(w, &hlo, &alo, &hhi, &delta);
	c = (Canon){ st, nst, hlo >> 3, alo >> 3, hhi >> 3, delta >> 3,
		     f->images };
	fp->all = f->all;
	fp->keys = g_new(uint64_t, f->used ? f->used : 1);
	for (s = 0; s < f->cap; s++)
		if (f->slots[s])
			fp->keys[n++] = canon(f->slots[s], &c) << 2 |
					f->sflags[s];
	qsort(fp->keys, n, sizeof(*fp->keys), cmp_u64);
	/* Unstable addresses fold into one key: merge its duplicates. */
	if (n) {
		size_t k = 0;

		for (s = 1; s < n; s++) {
			if ((fp->keys[s] >> 2) == (fp->keys[k] >> 2))
				fp->keys[k] |= fp->keys[s] & 3;
			else
				fp->keys[++k] = fp->keys[s];
		}
		n = k + 1;
	}
	fp->n = (uint32_t)n;
	fp->nranges = f->ranges->len;
	fp->ranges = g_new(FpRange, fp->nranges ? fp->nranges : 1);
	for (i = 0; i < f->ranges->len; i++) {
		FpRange r = g_array_index(f->ranges, FpRange, i);
		uint64_t lo = canon(r.lo, &c);

		/* A range lies in one region: renamed as a whole. */
		if ((lo & TAG_MASK) == TAG_PSEUDO)
			r.hi = lo;
		else
			r.hi = lo + (r.hi - r.lo);
		r.lo = lo;
		fp->ranges[i] = r;
	}
	qsort(fp->ranges, fp->nranges, sizeof(*fp->ranges), cmp_range);
	g_free(st);
	return fp;
}

void sim__footprint_step_end(SimWorld *w, SimTask *t)
{
	SimFootprint *f = w->footprint;
	SimFp *fp = NULL;

	if (f->recording) {
		fold_trace(f, w);
		fold_engine(f, w, t);
		fp = freeze(f, w);
		f->recording = false;
	}
	w->step_budget = sim__step_access_limit(w);
	if (f->step_end)
		f->step_end(f->arg, t, fp);
	else
		sim_fp_free(fp);
}

/* ------------------------------------------------------------ compare -- */

void sim_fp_free(SimFp *fp)
{
	if (!fp)
		return;
	g_free(fp->keys);
	g_free(fp->ranges);
	g_free(fp);
}

size_t sim_fp_size(const SimFp *fp)
{
	return fp->n + fp->nranges;
}

/* First index of @fp->keys whose location is >= @loc. */
static uint32_t lower_bound(const SimFp *fp, uint64_t loc)
{
	uint32_t lo = 0, hi = fp->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if ((fp->keys[mid] >> 2) < loc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does range @r conflict with a key of @fp? */
static bool range_vs_keys(const FpRange *r, const SimFp *fp)
{
	uint32_t i;

	for (i = lower_bound(fp, r->lo);
	     i < fp->n && (fp->keys[i] >> 2) <= r->hi; i++)
		if ((r->flags | (fp->keys[i] & 3)) & FP_W)
			return true;
	return false;
}

bool sim_fp_conflict(const SimFp *a, const SimFp *b)
{
	uint32_t i = 0, j = 0;

	if (a->all || b->all)
		return true;
	while (i < a->n && j < b->n) {
		uint64_t x = a->keys[i] >> 2, y = b->keys[j] >> 2;

		if (x < y) {
			i++;
		} else if (x > y) {
			j++;
		} else {
			if (((a->keys[i] | b->keys[j]) & 3) & FP_W)
				return true;
			i++;
			j++;
		}
	}
	for (i = 0; i < a->nranges; i++)
		if (range_vs_keys(&a->ranges[i], b))
			return true;
	for (j = 0; j < b->nranges; j++)
		if (range_vs_keys(&b->ranges[j], a))
			return true;
	for (i = 0; i < a->nranges; i++)
		for (j = 0; j < b->nranges; j++) {
			const FpRange *x = &a->ranges[i], *y = &b->ranges[j];

			if (x->lo <= y->hi && y->lo <= x->hi &&
			    ((x->flags | y->flags) & FP_W))
				return true;
		}
	return false;
}

bool sim_fp_has(const SimFp *fp, const void *p, bool write)
{
	uint64_t loc = TAG_MEM | ((uint64_t)(uintptr_t)p >> 3);
	uint8_t want = write ? FP_W : FP_R;
	uint32_t i = lower_bound(fp, loc);

	if (i < fp->n && (fp->keys[i] >> 2) == loc && (fp->keys[i] & want))
		return true;
	for (i = 0; i < fp->nranges; i++)
		if (fp->ranges[i].lo <= loc && loc <= fp->ranges[i].hi &&
		    (fp->ranges[i].flags & want))
			return true;
	return false;
}

