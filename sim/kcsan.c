// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements hvsim's data-race detector: a happens-before
 * detector in the FastTrack family over the shim's synchronisation, for the
 * plain shared fields drivers annotate, reporting in KCSAN's format. It
 * sits between the shim's synchronisation points (the files of sim/kapi/
 * call the hooks of sim/kcsan.h), the engine's events, the driver-side
 * accessors (drivers/include/hvsim/kcsan.h) and the reports
 * (sim/report.h).
 *
 * Clocks. Every task has a vector clock (indexed by task id), started at
 * {self: 1}, or from its creator's clock for a fork edge. Index 0 is the
 * engine (a model, or an interrupt handler it runs): one pseudo-thread whose
 * own entry ticks on its releases; its accesses never race with each
 * other, as the interrupts of one line do not. Every synchronisation object
 * (a lock's dep_map, a completion, a wait queue head, a work item, a
 * workqueue, a tasklet, an atomic, a bitmap word) has a clock, keyed by its
 * address and never dereferenced. A release joins the releaser's clock
 * into the object's and then ticks the releaser's own entry, so accesses
 * after the release are not covered by it; an acquire joins the object's
 * clock into the acquirer's. The engine, running an event, has the clock
 * its queuer had when it called sim_event_at() (when the engine hooks are
 * in; otherwise the join of every task's clock, which can hide a race but
 * never invents one).
 *
 * Accesses. An annotated field (by address) keeps, for every task, its
 * last plain read, marked read, plain write and marked write (a
 * read-modify-write counts as a write), each as the task's own clock entry
 * at the access (an epoch), where, and with which value. The last access of
 * each kind per task is enough: if an earlier access of task u is not
 * ordered before the new access, its later accesses are not either. A new
 * access by task t conflicts with the other tasks' entries of the kinds it
 * races with (write: every kind, or the plain ones when marked; read: the
 * writes, or the plain write when marked) and races with an entry of
 * epoch e by task u when t's clock has not reached e for u. Of the racing
 * entries, the most recent is reported.
 *
 * Allocation. The state lives in a world slot for the life of the world;
 * clocks, tables and shadows are pooled and cleared by bumping
 * generations, so once an execution has warmed them up, later executions
 * allocate nothing per access or per synchronisation.
 *
 * Determinism. The tables are open-addressed on addresses but are only
 * ever looked up, never iterated; everything printed comes from task ids,
 * clocks, heap offsets and symbolised return addresses.
 */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "sim/heap.h"
#include "sim/kapi/kapi.h"
#include "sim/kcsan.h"
#include "sim/report.h"
#include "sim/world.h"

#include <hvsim/kcsan.h>

#define KCSAN_MAGIC		0x6b637361U	/* "kcsa" */

/* Non-heap fields (driver globals, test memory) print in the module area,
 * as a module's data would: one line of 64 bytes per field. */
#define KCSAN_GLOBAL_BASE	0xffffffffc1000000ULL
#define KCSAN_GLOBAL_STRIDE	0x40ULL

/* ----------------------------------------------------- vector clocks -- */

typedef struct {
	uint32_t *c;		/* entries past n are zero */
	uint32_t n, cap;
} VClock;

static void vc_reserve(VClock *v, uint32_t n)
{
	uint32_t cap;

	if (n <= v->cap)
		return;
	cap = MAX(MAX(n, 2 * v->cap), 16u);
	v->c = g_renew(uint32_t, v->c, cap);
	v->cap = cap;
}

static inline uint32_t vc_get(const VClock *v, uint32_t i)
{
	return i < v->n ? v->c[i] : 0;
}

static void vc_extend(VClock *v, uint32_t n)
{
	if (n <= v->n)
		return;
	vc_reserve(v, n);
	memset(v->c + v->n, 0, (n - v->n) * sizeof(*v->c));
	v->n = n;
}

static void vc_join(VClock *dst, const VClock *src)
{
	uint32_t i;

	vc_extend(dst, src->n);
	for (i = 0; i < src->n; i++)
		if (src->c[i] > dst->c[i])
			dst->c[i] = src->c[i];
}

static void vc_copy(VClock *dst, const VClock *src)
{
	dst->n = 0;
	vc_join(dst, src);
}

/* --------------------------------------------------- address tables -- */

/*
 * Open addressing with linear probing; a slot is live when its generation
 * is the table's, so emptying the table for a new execution is one
 * increment.
 */
typedef struct {
	uintptr_t key;
	uint32_t gen;
	uint32_t val;
} TSlot;

typedef struct {
	TSlot *s;
	uint32_t mask;
	uint32_t count;
	uint32_t gen;
} Table;

static void table_init(Table *t, uint32_t cap)
{
	t->s = g_new0(TSlot, cap);
	t->mask = cap - 1;
	t->count = 0;
	t->gen = 1;
}

static inline uint32_t table_hash(uintptr_t key)
{
	return (uint32_t)(((uint64_t)key * 0x9e3779b97f4a7c15ULL) >> 32);
}

static uint32_t *table_find(Table *t, uintptr_t key)
{
	uint32_t i = table_hash(key) & t->mask;

	for (;;) {
		TSlot *s = &t->s[i];

		if (s->gen != t->gen)
			return NULL;
		if (s->key == key)
			return &s->val;
		i = (i + 1) & t->mask;
	}
}

static void table_put(Table *t, uintptr_t key, uint32_t val)
{
	uint32_t i = table_hash(key) & t->mask;

	while (t->s[i].gen == t->gen)
		i = (i + 1) & t->mask;
	t->s[i] = (TSlot){ key, t->gen, val };
	t->count++;
}

static void table_grow(Table *t)
{
	TSlot *old = t->s;
	uint32_t oldcap = t->mask + 1, oldgen = t->gen, i;

	table_init(t, 2 * oldcap);
	for (i = 0; i < oldcap; i++)
		if (old[i].gen == oldgen)
			table_put(t, old[i].key, old[i].val);
	g_free(old);
}

/* Add @key, known to be absent, with value @val. */
static void table_add(Table *t, uintptr_t key, uint32_t val)
{
	if ((t->count + 1) * 2 > t->mask + 1)
		table_grow(t);
	table_put(t, key, val);
}

static void table_reset(Table *t)
{
	t->count = 0;
	if (++t->gen == 0) {
		memset(t->s, 0, (t->mask + 1) * sizeof(*t->s));
		t->gen = 1;
	}
}

/* ------------------------------------------------------------ state -- */

/* Kinds of access kept per task and field. */
enum {
	SLOT_READ,
	SLOT_READ_MARKED,
	SLOT_WRITE,
	SLOT_WRITE_MARKED,
	NSLOTS
};

typedef struct {
	uint64_t seq;		/* order in the execution; 0: no access */
	uint64_t value;		/* read, or written */
	uintptr_t pc;		/* return address into the accessing code */
	const struct sim_kapi_site *site;
	uint32_t clk;		/* the task's own clock entry at the access */
	uint32_t tid;
	int32_t cpu;
	uint8_t type;		/* HVSIM_KCSAN_* */
	bool interrupt;		/* softirq or hardirq context */
	bool stacked;		/* its stack is in Shadow.stacks */
} Access;

/* One annotated field. */
typedef struct {
	uintptr_t addr;
	uint32_t size;
	uint32_t id;		/* creation order in the execution, 1-based */
	uint32_t ntids;		/* acc holds tasks below this id */
	uint32_t cap;		/* tasks acc has room for */
	Access *acc;		/* [tid * NSLOTS + slot] */
	SimStack *stacks;	/* parallel to acc when stacks are wanted */
	uint32_t stacks_cap;
} Shadow;

typedef struct {
	VClock vc;
	uint64_t gen;		/* valid in the execution of this generation */
} KTask;

typedef struct {
	SimKcsanHot hot;	/* first: read by sim_kcsan_on() */
	uint32_t magic;
	uint64_t gen;		/* bumped per execution, from 1 */
	bool events_hooked;	/* the engine's event hooks ran (world life) */
	bool disabled;		/* sim_kcsan_set_enabled(w, false) */

	/* ------------------------------------------- per execution -- */
	GArray *tasks;		/* KTask by task id (0 unused) */
	VClock host;		/* the engine's clock while it runs an event */
	uint32_t host_epoch;	/* the engine's own entry, host.c[0] */
	bool in_event;

	VClock *vcs;		/* clocks of objects and queued events */
	uint32_t nvcs, vcs_cap;
	GArray *vc_free;	/* uint32_t: event clocks handed back */
	Table syncs;		/* object address -> index in vcs */
	GArray *events;		/* uint32_t by event seq: index in vcs + 1 */

	Table fields;		/* field address -> index in shadows */
	Shadow *shadows;
	uint32_t nshadows, shadows_cap;
	uint64_t access_seq;
} SimKcsan;

static void *kcsan_make(SimWorld *w)
{
	SimKcsan *k = g_new0(SimKcsan, 1);

	k->magic = KCSAN_MAGIC;
	k->tasks = g_array_new(FALSE, TRUE, sizeof(KTask));
	k->vc_free = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	k->events = g_array_new(FALSE, TRUE, sizeof(uint32_t));
	table_init(&k->syncs, 256);
	table_init(&k->fields, 64);
	return k;
}

static void kcsan_free(void *p)
{
	SimKcsan *k = p;
	guint i;

	for (i = 0; i < k->tasks->len; i++)
		g_free(g_array_index(k->tasks, KTask, i).vc.c);
	g_array_free(k->tasks, TRUE);
	g_free(k->host.c);
	for (i = 0; i < k->vcs_cap; i++)
		g_free(k->vcs[i].c);
	g_free(k->vcs);
	g_array_free(k->vc_free, TRUE);
	g_array_free(k->events, TRUE);
	g_free(k->syncs.s);
	g_free(k->fields.s);
	for (i = 0; i < k->shadows_cap; i++) {
		g_free(k->shadows[i].acc);
		g_free(k->shadows[i].stacks);
	}
	g_free(k->shadows);
	g_free(k);
}

/* The state of @w, which the inline checks found on. */
static SimKcsan *kcsan_get(SimWorld *w)
{
	SimKcsan *k = w->ext[SIM_KCSAN_EXT_SLOT];

	g_assert(k && k->magic == KCSAN_MAGIC);
	return k;
}

/* Forget the previous execution: its tasks, objects, events and fields. */
static void kcsan_reset(SimKcsan *k)
{
	k->gen++;
	k->host.n = 0;
	k->host_epoch = 1;
	k->in_event = false;
	k->nvcs = 0;
	g_array_set_size(k->vc_free, 0);
	table_reset(&k->syncs);
	g_array_set_size(k->events, 0);
	table_reset(&k->fields);
	k->nshadows = 0;
	k->access_seq = 0;
}

/* The state of @w, made if need be (asleep). */
static SimKcsan *kcsan_state(SimWorld *w)
{
	SimKcsan *k = sim_world_ext(w, SIM_KCSAN_EXT_SLOT, kcsan_make,
				    kcsan_free);

	g_assert(k->magic == KCSAN_MAGIC);
	return k;
}

/* The state of @w, switched on for the running execution; NULL when the
 * world runs without the detector. */
static SimKcsan *kcsan_activate(SimWorld *w)
{
	SimKcsan *k = kcsan_state(w);

	if (G_UNLIKELY(k->disabled))
		return NULL;
	if (G_UNLIKELY(k->hot.active_serial != w->run_serial)) {
		kcsan_reset(k);
		k->hot.active_serial = w->run_serial;
	}
	return k;
}

/* --------------------------------------------------------- contexts -- */

/* The clock of task @tid, started at {tid: 1} on first use. The pointer
 * is valid until the task table grows. */
static VClock *task_clock(SimKcsan *k, uint32_t tid)
{
	KTask *kt;

	if (tid >= k->tasks->len)
		g_array_set_size(k->tasks, tid + 1);
	kt = &g_array_index(k->tasks, KTask, tid);
	if (kt->gen != k->gen) {
		kt->gen = k->gen;
		kt->vc.n = 0;
		vc_extend(&kt->vc, tid + 1);
		kt->vc.c[tid] = 1;
	}
	return &kt->vc;
}

/* Without the engine's event hooks the engine is after every task. */
static void host_join_all(SimKcsan *k)
{
	guint i;

	for (i = 1; i < k->tasks->len; i++) {
		KTask *kt = &g_array_index(k->tasks, KTask, i);

		if (kt->gen == k->gen)
			vc_join(&k->host, &kt->vc);
	}
}

/* The clock of the running context; *@tidp is its task id, 0 for the
 * engine. */
static VClock *ctx_clock(SimKcsan *k, uint32_t *tidp)
{
	SimTask *t = sim_current();

	if (t) {
		*tidp = t->id;
		return task_clock(k, t->id);
	}
	*tidp = 0;
	if (!k->in_event)
		host_join_all(k);
	vc_extend(&k->host, 1);
	k->host.c[0] = k->host_epoch;
	return &k->host;
}

/* After a release, the releaser's next accesses are a new epoch. */
static inline void tick(SimKcsan *k, VClock *c, uint32_t tid)
{
	if (tid)
		c->c[tid]++;
	else
		c->c[0] = ++k->host_epoch;
}

/* A cleared clock from the pool, by index. */
static uint32_t vc_alloc(SimKcsan *k)
{
	uint32_t idx;

	if (k->vc_free->len) {
		idx = g_array_index(k->vc_free, uint32_t, k->vc_free->len - 1);
		g_array_set_size(k->vc_free, k->vc_free->len - 1);
	} else {
		if (k->nvcs == k->vcs_cap) {
			uint32_t cap = MAX(2 * k->vcs_cap, 64u);

			k->vcs = g_renew(VClock, k->vcs, cap);
			memset(k->vcs + k->vcs_cap, 0,
			       (cap - k->vcs_cap) * sizeof(*k->vcs));
			k->vcs_cap = cap;
		}
		idx = k->nvcs++;
	}
	k->vcs[idx].n = 0;
	return idx;
}

/* The index of @obj's clock, created empty on first use. */
static uint32_t sync_clock(SimKcsan *k, const void *obj)
{
	uint32_t *v = table_find(&k->syncs, (uintptr_t)obj);
	uint32_t idx;

	if (v)
		return *v;
	idx = vc_alloc(k);
	table_add(&k->syncs, (uintptr_t)obj, idx);
	return idx;
}

/* ------------------------------------------------------------ hooks -- */

void sim__kcsan_release(SimWorld *w, const void *obj)
{
	SimKcsan *k = kcsan_get(w);
	uint32_t idx = sync_clock(k, obj), tid;
	VClock *c = ctx_clock(k, &tid);

	vc_join(&k->vcs[idx], c);
	tick(k, c, tid);
}

void sim__kcsan_acquire(SimWorld *w, const void *obj)
{
	SimKcsan *k = kcsan_get(w);
	uint32_t *idx = table_find(&k->syncs, (uintptr_t)obj);
	uint32_t tid;

	if (idx)
		vc_join(ctx_clock(k, &tid), &k->vcs[*idx]);
}

/*
 * The LKMM's unordered atomics: reads and sets, the void arithmetic, the
 * non-returning bit operations. Every other operation returns a value and
 * is fully ordered. (A failed cmpxchg or add_unless is unordered in the
 * LKMM; treating it as ordered can only hide a race, never invent one.)
 */
static bool atomic_ordered(const char *expr)
{
	static const char *const unordered[] = {
		"atomic_read(", "atomic_set(", "atomic_add(", "atomic_sub(",
		"atomic_inc(", "atomic_dec(", "set_bit(", "clear_bit(",
		"change_bit(",
	};
	size_t i;

	if (!expr)
		return true;
	for (i = 0; i < G_N_ELEMENTS(unordered); i++)
		if (g_str_has_prefix(expr, unordered[i]))
			return false;
	return true;
}

void sim__kcsan_atomic(SimWorld *w, const void *obj, const char *expr)
{
	if (!atomic_ordered(expr))
		return;
	sim__kcsan_acquire(w, obj);
	sim__kcsan_release(w, obj);
}

void sim__kcsan_fork(SimWorld *w, SimTask *child)
{
	SimKcsan *k = kcsan_get(w);
	uint32_t tid;
	VClock *parent;

	task_clock(k, child->id);	/* grow the table first */
	parent = ctx_clock(k, &tid);
	vc_join(task_clock(k, child->id), parent);
	/* ctx_clock() did not grow the table: @parent is still valid. */
	tick(k, parent, tid);
}

void sim__kcsan_work_end(SimWorld *w, const void *work, const void *wq)
{
	SimKcsan *k = kcsan_get(w);
	uint32_t a = sync_clock(k, work), b = sync_clock(k, wq), tid;
	VClock *c = ctx_clock(k, &tid);

	vc_join(&k->vcs[a], c);
	vc_join(&k->vcs[b], c);
	tick(k, c, tid);
}

void sim__kcsan_event_queued(SimWorld *w, uint64_t seq)
{
	SimKcsan *k = kcsan_get(w);
	uint32_t idx = vc_alloc(k), tid;
	VClock *c = ctx_clock(k, &tid);

	k->events_hooked = true;
	vc_copy(&k->vcs[idx], c);
	tick(k, c, tid);
	if (seq >= k->events->len)
		g_array_set_size(k->events, (guint)seq + 1);
	g_array_index(k->events, uint32_t, seq) = idx + 1;
}

void sim__kcsan_event_begin(SimWorld *w, uint64_t seq)
{
	SimKcsan *k = kcsan_get(w);
	uint32_t *slot;

	k->events_hooked = true;
	k->in_event = true;
	k->host.n = 0;
	if (seq >= k->events->len)
		return;		/* queued before the detector woke up */
	slot = &g_array_index(k->events, uint32_t, seq);
	if (*slot) {
		vc_copy(&k->host, &k->vcs[*slot - 1]);
		g_array_append_val(k->vc_free, (uint32_t){ *slot - 1 });
		*slot = 0;
	}
}

void sim__kcsan_event_end(SimWorld *w)
{
	SimKcsan *k = kcsan_get(w);

	k->in_event = false;
	k->host.n = 0;
}

void sim_kcsan_set_enabled(SimWorld *w, bool on)
{
	SimKcsan *k = kcsan_state(w);

	k->disabled = !on;
	if (!on)
		k->hot.active_serial = 0;	/* the hooks sleep at once */
}

bool sim_kcsan_events_precise(SimWorld *w)
{
	SimKcsan *k = w->ext[SIM_KCSAN_EXT_SLOT];

	return k && k->magic == KCSAN_MAGIC && k->events_hooked;
}

/* ------------------------------------------------------------ fields -- */

static Shadow *shadow_get(SimKcsan *k, uintptr_t addr, size_t size)
{
	uint32_t *v = table_find(&k->fields, addr);
	Shadow *s;
	uint32_t idx;

	if (v) {
		s = &k->shadows[*v];
		s->size = (uint32_t)size;
		return s;
	}
	if (k->nshadows == k->shadows_cap) {
		uint32_t cap = MAX(2 * k->shadows_cap, 8u);

		k->shadows = g_renew(Shadow, k->shadows, cap);
		memset(k->shadows + k->shadows_cap, 0,
		       (cap - k->shadows_cap) * sizeof(*k->shadows));
		k->shadows_cap = cap;
	}
	idx = k->nshadows++;
	s = &k->shadows[idx];
	s->addr = addr;
	s->size = (uint32_t)size;
	s->id = idx + 1;
	s->ntids = 0;
	table_add(&k->fields, addr, idx);
	return s;
}

/* Make @s hold entries for task @tid (and stacks when wanted). */
static void shadow_cover(Shadow *s, uint32_t tid, bool stacks)
{
	uint32_t n = tid + 1;

	if (n > s->cap) {
		uint32_t cap = MAX(MAX(n, 2 * s->cap), 8u);

		s->acc = g_renew(Access, s->acc, (gsize)cap * NSLOTS);
		s->cap = cap;
	}
	if (n > s->ntids) {
		memset(&s->acc[s->ntids * NSLOTS], 0,
		       (gsize)(n - s->ntids) * NSLOTS * sizeof(Access));
		s->ntids = n;
	}
	if (stacks && s->stacks_cap < s->cap) {
		s->stacks = g_renew(SimStack, s->stacks, (gsize)s->cap * NSLOTS);
		s->stacks_cap = s->cap;
	}
}

/* Bit i: the access races with entries of slot i. */
static unsigned conflicts(unsigned type)
{
	bool write = type & (HVSIM_KCSAN_WRITE | HVSIM_KCSAN_COMPOUND);
	bool marked = type & HVSIM_KCSAN_MARKED;

	if (write)
		return marked ? (1u << SLOT_READ) | (1u << SLOT_WRITE) :
				(1u << NSLOTS) - 1;
	return marked ? 1u << SLOT_WRITE :
			(1u << SLOT_WRITE) | (1u << SLOT_WRITE_MARKED);
}

static unsigned slot_of(unsigned type)
{
	bool write = type & (HVSIM_KCSAN_WRITE | HVSIM_KCSAN_COMPOUND);

	return (write ? SLOT_WRITE : SLOT_READ) +
	       ((type & HVSIM_KCSAN_MARKED) ? 1 : 0);
}

/* ------------------------------------------------------------ report -- */

static const char *type_name(unsigned type)
{
	bool marked = type & HVSIM_KCSAN_MARKED;

	if (type & HVSIM_KCSAN_COMPOUND)
		return marked ? "read-write (marked)" : "read-write";
	if (type & HVSIM_KCSAN_WRITE)
		return marked ? "write (marked)" : "write";
	return marked ? "read (marked)" : "read";
}

/*
 * The function an access is in, for the title: the innermost source-level
 * function of the access's frame (an inlined callee counts, as in hvsim's
 * KASAN titles, so the name does not depend on the compiler's inlining),
 * except that the function holding the accessor (@accessor, the macro's
 * __func__) is skipped when it was inlined into a caller: an accessor
 * helper marked __always_inline is transparent, and the title names the
 * function whose line the helper stands for. A compiler clone suffix
 * (".isra.0", ".constprop.0") is dropped. Read off the symbolised stack,
 * so it is a name the report prints.
 */
static void access_func(const SimStack *st, const char *accessor, char *buf,
			size_t len)
{
	g_autoptr(GString) g = g_string_new(NULL);
	char names[2][128];
	int n = 0;
	const char *p;

	sim_stack_format(g, st);
	/* The first frame: its inline lines, then its real function's. */
	for (p = g->str; *p && n < 2; ) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) : strlen(p);
		bool inl = l >= 9 && memcmp(p + l - 9, " [inline]", 9) == 0;
		const char *q = p;
		size_t m;

		while (*q == ' ')
			q++;
		m = strcspn(q, "+. \n");
		if (!m || q[0] == '?' || g_str_has_prefix(q, "0x"))
			break;
		g_strlcpy(names[n], q, MIN(sizeof(names[n]), m + 1));
		n++;
		if (!inl)
			break;		/* the real function ends the frame */
		p += l + (eol ? 1 : 0);
	}
	if (n == 0) {
		g_strlcpy(buf, accessor ? accessor : "?", len);
		return;
	}
	g_strlcpy(buf, n > 1 && accessor && strcmp(names[0], accessor) == 0 ?
		  names[1] : names[0], len);
}

static uint64_t field_addr(SimWorld *w, const Shadow *s)
{
	uint64_t a = sim_heap_sim_addr(w, (const void *)s->addr);

	return a ? a : KCSAN_GLOBAL_BASE + (uint64_t)s->id * KCSAN_GLOBAL_STRIDE;
}

static void access_header(SimReport *r, uint64_t addr, uint32_t size,
			  unsigned type, bool interrupt, uint32_t tid, int cpu)
{
	char who[32];

	if (interrupt)
		g_strlcpy(who, "interrupt", sizeof(who));
	else
		g_snprintf(who, sizeof(who), "task %u", tid);
	sim_report_line(r, "%s to 0x%016" PRIx64 " of %u bytes by %s on cpu %d:",
			type_name(type), addr, size, who, cpu);
}

static uint64_t value_mask(uint32_t size)
{
	return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

/*
 * The report of @cur racing with @old on field @s, found by task @t (NULL:
 * the engine). From a task it ends the execution and does not return;
 * from the engine it ends the execution after the running event.
 */
static void report_race(SimWorld *w, SimTask *t, const Shadow *s,
			const Access *old, const SimStack *old_stack,
			const Access *cur)
{
	SimStack cur_stack, one = { .n = 0 };
	const SimStack *os = old_stack;
	char fo[128], fc[128];
	const char *f1, *f2;
	uint64_t addr = field_addr(w, s), mask = value_mask(s->size);
	SimReport *r;
	g_autofree char *sig = NULL;

	sim_stack_capture(&cur_stack, 0);
	if (!os) {
		one.pc[0] = old->pc;
		one.n = 1;
		os = &one;
	}
	access_func(os, old->site ? old->site->func : NULL, fo, sizeof(fo));
	access_func(&cur_stack, cur->site ? cur->site->func : NULL, fc,
		    sizeof(fc));
	/* Ordered "for consistent bug titles", as KCSAN does. */
	if (strcmp(fo, fc) <= 0) {
		f1 = fo;
		f2 = fc;
	} else {
		f1 = fc;
		f2 = fo;
	}
	sig = g_strdup_printf("%s / %s", f1, f2);
	r = sim_report_new(w, SIM_BUG_DATA_RACE, sig,
			   "BUG: KCSAN: data-race in %s / %s", f1, f2);
	sim_report_line(r, "%s", "");
	access_header(r, addr, s->size, old->type, old->interrupt, old->tid,
		      old->cpu);
	sim_report_stack(r, os, FALSE);
	if (!old_stack)
		sim_report_line(r, "hvsim: only the accessing frame of this "
				"earlier access was recorded (this run keeps "
				"no stacks)");
	sim_report_line(r, "%s", "");
	access_header(r, addr, s->size, cur->type, cur->interrupt, cur->tid,
		      cur->cpu);
	sim_report_stack(r, &cur_stack, FALSE);
	if (s->size <= 8 && ((old->value ^ cur->value) & mask)) {
		int digits = (int)s->size * 2;

		sim_report_line(r, "%s", "");
		sim_report_line(r, "value changed: 0x%0*" PRIx64 " -> 0x%0*"
				PRIx64, digits, old->value & mask, digits,
				cur->value & mask);
	}
	sim_report_line(r, "%s", "");
	sim_report_line(r, "Reported by hvsim race detector (happens-before) "
			"on:");
	sim_report_identity(r, w, t);
	if (old->site && cur->site)
		sim_report_line(r, "hvsim: annotated field %s, accessed at "
				"%s:%d and %s:%d", cur->site->expr,
				sim__kapi_relpath(old->site->file),
				old->site->line,
				sim__kapi_relpath(cur->site->file),
				cur->site->line);
	if (t)
		sim_report_raise_task(w, r);
	sim_report_raise(w, r);
}

void sim_kcsan_access(const volatile void *addr, size_t size,
		      unsigned int type, uint64_t value,
		      const struct sim_kapi_site *site)
{
	SimTask *t = sim_current();
	SimWorld *w = sim_current_world();
	uintptr_t pc = (uintptr_t)__builtin_return_address(0);
	SimKcsan *k;
	Shadow *s;
	VClock *c;
	const Access *race = NULL;
	Access *a;
	unsigned mask = conflicts(type);
	uint32_t tid, u, sl, idx;
	int cpu = t ? t->cpu : 0;
	bool interrupt = !t || t->ctx != SIM_CTX_PROCESS;
	bool stacks;

	if (!w || w->stop)
		return;		/* no world; or a finding already ends it */
	k = kcsan_activate(w);
	if (!k)
		return;
	stacks = sim_world_wants_stacks(w);
	c = ctx_clock(k, &tid);
	s = shadow_get(k, (uintptr_t)addr, size);
	shadow_cover(s, tid, stacks);

	for (u = 0; u < s->ntids; u++) {
		uint32_t seen = vc_get(c, u);

		if (u == tid)
			continue;
		for (sl = 0; sl < NSLOTS; sl++) {
			const Access *o = &s->acc[u * NSLOTS + sl];

			if (!(mask & (1u << sl)) || !o->seq || o->clk <= seen)
				continue;
			if (!race || o->seq > race->seq)
				race = o;
		}
	}

	idx = tid * NSLOTS + slot_of(type);
	if (G_UNLIKELY(race)) {
		Access cur = {
			.value = value, .pc = pc, .site = site, .tid = tid,
			.cpu = cpu, .type = (uint8_t)type,
			.interrupt = interrupt,
		};
		uint32_t ridx = (uint32_t)(race - s->acc);

		report_race(w, t, s, race,
			    race->stacked ? &s->stacks[ridx] : NULL, &cur);
		return;
	}
	a = &s->acc[idx];
	a->seq = ++k->access_seq;
	a->value = value;
	a->pc = pc;
	a->site = site;
	a->clk = vc_get(c, tid);
	a->tid = tid;
	a->cpu = cpu;
	a->type = (uint8_t)type;
	a->interrupt = interrupt;
	a->stacked = stacks;
	if (stacks)
		sim_stack_capture(&s->stacks[idx], 0);
}
