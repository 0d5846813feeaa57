// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the simulated heap: the arenas behind kmalloc,
 * alloc_pages and vmap, the table of objects with their alloc and free
 * records, the shadow bytes the KASAN hooks check, and the kmemleak-style
 * leak report. It sits between the kernel-API shim (sim/kapi/mm.c), which
 * calls it for the driver, and the KASAN hooks and reports (sim/kasan.c).
 *
 * Why bump allocation: nothing freed is handed out again within an
 * execution, so every use after free hits poisoned shadow (a quarantine of
 * unbounded size), and addresses depend only on the sequence of requests,
 * never on earlier executions. The reset puts the bump pointers back and
 * clears the shadow the execution used: its cost follows what the execution
 * allocated, not the size of the arenas.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/heap_priv.h"
#include "sim/trace.h"
#include "sim/world.h"

/* sim_trace(), inline on this file's hot paths (sim/world.h). */
#define sim_trace(...)	sim__trace_fast(__VA_ARGS__)

/*
 * Hot paths (docs/performance.md): no frame pointer (unwinders use the
 * CFI) and calls through the GOT rather than PLT stubs.
 */
#pragma GCC optimize("omit-frame-pointer", "no-plt")

/* Largest page order the buddy allocator hands out (orders 0..10). */
#define SIM_MAX_ORDER		10
#define SIM_KMALLOC_MAX_SIZE	(SIM_PAGE_SIZE << SIM_MAX_ORDER)

/* Fill of new memory that is not zeroed: stable across runs and visible
 * in hex dumps, like slub_debug's poison. */
#define SIM_HEAP_FILL		0xbe

/* kmemleak prints jiffies; the kernel starts them 5 minutes before the
 * 32-bit wrap so wrap bugs show early. HZ as the shim's (sim/kapi/kapi.h:
 * one jiffy per virtual millisecond). */
#define SIM_HEAP_HZ		((uint64_t)1000)
#define SIM_INITIAL_JIFFIES	((uint64_t)(uint32_t)(-300 * (int)SIM_HEAP_HZ))

#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((size_t)(a) - 1))

/* ------------------------------------------------------------ buckets -- */

/* The bucket and name functions below are inline here (every kmalloc and
 * kfree asks) and exported for sim/kasan.c. */
static inline size_t kmalloc_bucket(size_t size)
{
	/* The kmalloc-<n> caches 8, 16, 32, 64, 96, 128, 192 and 256, by
	 * arithmetic; then powers of two from 512 (past kmalloc-8k the
	 * kernel hands out 2^order pages). */
	if (size <= 8)
		return 8;
	if (size > 64 && size <= 256) {
		if (size <= 96)
			return 96;
		if (size <= 128)
			return 128;
		return size <= 192 ? 192 : 256;
	}
	if (size > 256 && size <= 512)
		return 512;
	return (size_t)1 << (64 - __builtin_clzll((unsigned long long)size - 1));
}

size_t sim__kmalloc_bucket(size_t size)
{
	return kmalloc_bucket(size);
}

static inline const char *kmalloc_cache_name(size_t bucket)
{
	switch (bucket) {
	case 8:		return "kmalloc-8";
	case 16:	return "kmalloc-16";
	case 32:	return "kmalloc-32";
	case 64:	return "kmalloc-64";
	case 96:	return "kmalloc-96";
	case 128:	return "kmalloc-128";
	case 192:	return "kmalloc-192";
	case 256:	return "kmalloc-256";
	case 512:	return "kmalloc-512";
	case 1024:	return "kmalloc-1k";
	case 2048:	return "kmalloc-2k";
	case 4096:	return "kmalloc-4k";
	case 8192:	return "kmalloc-8k";
	default:	return "kmalloc-large";
	}
}

const char *sim__kmalloc_cache_name(size_t bucket)
{
	return kmalloc_cache_name(bucket);
}

static inline size_t obj_span(const SimObj *o)
{
	return o->type == SIM_OBJ_SLAB ? kmalloc_bucket(o->size) : o->size;
}

size_t sim__obj_span(const SimObj *o)
{
	return obj_span(o);
}

/* --------------------------------------------------------- the arenas -- */

static void *map_or_die(void *addr, size_t len, int prot, int flags, int fd)
{
	void *p = mmap(addr, len, prot, flags | MAP_NORESERVE, fd, 0);

	if (p == MAP_FAILED)
		g_error("hvsim: heap: mmap of %zu bytes failed: %s", len,
			g_strerror(errno));
	return p;
}

/*
 * The shadow mapping holds span / 8 bytes, a spare page the hooks may read
 * past its end, and then one page that fork() hands to the child zeroed
 * (MADV_WIPEONFORK), whose first byte says whether this process mapped
 * the page arena: FORK_MARK_OWN; 0 in a child; FORK_MARK_GETPID when the
 * kernel lacks the advice and the reset must ask getpid() as before. So
 * the reset of every execution makes no system call.
 */
#define FORK_MARK_OWN		1
#define FORK_MARK_GETPID	2

static size_t shadow_map_bytes(const SimHeap *h)
{
	return ALIGN_UP(h->span / 8, SIM_PAGE_SIZE) + 2 * SIM_PAGE_SIZE;
}

static uint8_t *fork_mark(const SimHeap *h)
{
	return h->shadow + shadow_map_bytes(h) - SIM_PAGE_SIZE;
}

/* Is the page arena this process's own mapping? */
static bool page_arena_ours(const SimHeap *h)
{
	uint8_t m = *fork_mark(h);

	if (m == FORK_MARK_GETPID)
		return h->pid == getpid();
	return m == FORK_MARK_OWN;
}

/*
 * Back the page arena and its vmalloc alias with one new memfd. Called at
 * creation, and again in a child process after fork(): a shared mapping
 * inherited from the parent would let two processes write the same pages.
 */
static void map_page_arena(SimHeap *h)
{
	int fd = memfd_create("hvsim-pages", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, (off_t)h->page_bytes) < 0)
		g_error("hvsim: heap: memfd of %zu bytes: %s", h->page_bytes,
			g_strerror(errno));
	map_or_die(h->pages, h->page_bytes, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED, fd);
	map_or_die(h->alias, h->page_bytes, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_FIXED, fd);
	/* The mappings hold the file; the descriptor is not needed. */
	close(fd);
	h->pid = getpid();
	if (*fork_mark(h) != FORK_MARK_GETPID)
		*fork_mark(h) = FORK_MARK_OWN;
}

/*
 * The object arrays are given room for this many elements when the heap is
 * made (GLib never shrinks an array), so an execution with fewer objects,
 * which is every one we know, appends without calling GLib (array_push()).
 */
#define HEAP_ARRAY_RESERVE	1024

static void array_reserve(GArray *a)
{
	g_array_set_size(a, HEAP_ARRAY_RESERVE);
	g_array_set_size(a, 0);
}

SimHeap *sim_heap_new(size_t slab_bytes, size_t page_bytes)
{
	SimHeap *h = g_new0(SimHeap, 1);
	uint8_t *base;

	g_assert(slab_bytes && slab_bytes % SIM_PAGE_SIZE == 0);
	g_assert(page_bytes && page_bytes % SIM_PAGE_SIZE == 0);
	h->slab_bytes = slab_bytes;
	h->page_bytes = page_bytes;
	h->span = slab_bytes + 2 * page_bytes;

	/* One reservation, so the hot path is a single range check. */
	base = map_or_die(NULL, h->span, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1);
	h->lo = (uintptr_t)base;
	h->slab = base;
	h->pages = base + slab_bytes;
	h->alias = base + slab_bytes + page_bytes;
	map_or_die(h->slab, slab_bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1);
	/* Fresh zero pages decode as "unallocated": nothing to write. One
	 * spare page, so the hooks may read the granule after an access at
	 * the very end without a bounds check; then the fork mark's page. */
	h->shadow = map_or_die(NULL, shadow_map_bytes(h),
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1);
	if (madvise(fork_mark(h), SIM_PAGE_SIZE, MADV_WIPEONFORK) != 0)
		*fork_mark(h) = FORK_MARK_GETPID;
	map_page_arena(h);

	h->objs = g_array_new(FALSE, FALSE, sizeof(SimObj));
	h->alloc_time = g_array_new(FALSE, FALSE, sizeof(SimTime));
	h->slab_ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	h->page_ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	h->vmap_ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	h->live = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	array_reserve(h->objs);
	array_reserve(h->alloc_time);
	array_reserve(h->slab_ids);
	array_reserve(h->page_ids);
	array_reserve(h->vmap_ids);
	h->stack_pool = g_ptr_array_new_with_free_func(g_free);
	return h;
}

void sim_heap_free(SimHeap *h)
{
	if (!h)
		return;
	munmap((void *)h->lo, h->span);
	munmap(h->shadow, shadow_map_bytes(h));
	g_array_free(h->objs, TRUE);
	g_array_free(h->alloc_time, TRUE);
	g_array_free(h->slab_ids, TRUE);
	g_array_free(h->page_ids, TRUE);
	g_array_free(h->vmap_ids, TRUE);
	g_array_free(h->live, TRUE);
	g_ptr_array_free(h->stack_pool, TRUE);
	g_free(h);
}

void sim_heap_reset(SimHeap *h)
{
	size_t pages_sh = h->slab_bytes >> 3;
	size_t alias_sh = (h->slab_bytes + h->page_bytes) >> 3;

	if (!page_arena_ours(h))
		map_page_arena(h);
	/* Only the shadow this execution wrote: back to "unallocated". */
	memset(h->shadow, 0, ALIGN_UP(h->slab_used, 8) >> 3);
	memset(h->shadow + pages_sh, 0, h->page_used >> 3);
	memset(h->shadow + alias_sh, 0, h->page_used >> 3);
	h->slab_used = 0;
	h->page_used = 0;
	g_array_set_size(h->objs, 0);
	g_array_set_size(h->alloc_time, 0);
	g_array_set_size(h->slab_ids, 0);
	g_array_set_size(h->page_ids, 0);
	g_array_set_size(h->vmap_ids, 0);
	g_array_set_size(h->live, 0);
	h->live_dirty = false;
	h->stacks_used = 0;
}

/* ----------------------------------------------------- small helpers -- */

/*
 * memset() of @n bytes, inline for the short fills of the hot paths (a
 * slab object, the shadow of one): a call into the C library costs more
 * than the few stores. Overlapping 8-byte stores; the same bytes.
 */
static inline __attribute__((always_inline)) void
fill_bytes(uint8_t *p, int c, size_t n)
{
	if (n <= 64)
		sim__fill_small(p, c, n);
	else
		memset(p, c, n);
}

/* sim__shadow_fill() and sim__shadow_unpoison() (sim/heap_priv.h) with
 * fill_bytes(). */
static inline void shadow_fill(SimHeap *h, size_t off, size_t len, uint8_t v)
{
	fill_bytes(h->shadow + (off >> 3), v ^ SHADOW_XOR, len >> 3);
}

static inline void shadow_unpoison(SimHeap *h, size_t off, size_t len)
{
	shadow_fill(h, off, len & ~7UL, SH_OK);
	if (len & 7)
		h->shadow[(off + len) >> 3] = (uint8_t)(len & 7) ^ SHADOW_XOR;
}

/* Grow @a by one element; return it for the caller to fill in. */
static inline void *array_push(GArray *a, size_t elt)
{
	if (G_LIKELY(a->len < HEAP_ARRAY_RESERVE))
		a->len++;	/* room reserved: what g_array_set_size() does */
	else
		g_array_set_size(a, a->len + 1);
	return a->data + (size_t)(a->len - 1) * elt;
}

#define ARRAY_PUSH(a, type)	((type *)array_push((a), sizeof(type)))

/* ------------------------------------------------------------ objects -- */

static inline SimStack *stack_keep(SimHeap *h, const SimStack *st)
{
	SimStack *s;

	if (!st)
		return NULL;
	if (h->stacks_used == h->stack_pool->len)
		g_ptr_array_add(h->stack_pool, g_new(SimStack, 1));
	s = g_ptr_array_index(h->stack_pool, h->stacks_used++);
	*s = *st;
	return s;
}

static SimObj *obj_new(SimWorld *w, SimObjType type, size_t offset,
		       size_t size, unsigned int order, const char *func,
		       const SimStack *st)
{
	SimHeap *h = w->heap;
	SimTask *t = sim_current();
	SimObj o = {
		.id = h->objs->len + 1,
		.type = type,
		.state = SIM_OBJ_LIVE,
		.order = order,
		.offset = offset,
		.size = size,
		.alloc_task = t ? t->id : 0,
		.alloc_step = w->steps,
		.alloc_func = func,
		.alloc_stack = stack_keep(h, st),
	};

	*ARRAY_PUSH(h->objs, SimObj) = o;
	*ARRAY_PUSH(h->alloc_time, SimTime) = w->now;
	h->live_dirty = true;
	return &g_array_index(h->objs, SimObj, o.id - 1);
}

static void obj_retire(SimWorld *w, SimObj *o, const char *func,
		       const SimStack *st)
{
	SimTask *t = sim_current();

	o->state = SIM_OBJ_FREED;
	o->free_task = t ? t->id : 0;
	o->free_step = w->steps;
	o->free_func = func;
	o->free_stack = stack_keep(w->heap, st);
	w->heap->live_dirty = true;
}

static SimObj *obj_by_id(SimHeap *h, uint32_t id)
{
	return &g_array_index(h->objs, SimObj, id - 1);
}

/* How many objects of @ids (offset order) start at or before @off. */
static guint count_before(SimHeap *h, GArray *ids, size_t off)
{
	guint lo = 0, hi = ids->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;

		if (obj_by_id(h, g_array_index(ids, uint32_t, mid))->offset
		    <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The last object of @ids starting at or before @off, or NULL. Objects of
 * one arena never overlap, so it is the only one that can contain @off.
 */
static SimObj *find_before(SimHeap *h, GArray *ids, size_t off)
{
	guint n = count_before(h, ids, off);

	return n ? obj_by_id(h, g_array_index(ids, uint32_t, n - 1)) : NULL;
}

SimObj *sim__heap_find_slab(SimHeap *h, size_t off)
{
	SimObj *o = find_before(h, h->slab_ids, off);

	return o && off < o->offset + obj_span(o) ? o : NULL;
}

SimObj *sim__heap_find_pages(SimHeap *h, size_t off)
{
	SimObj *o;

	if (!sim__heap_in_pages(h, off))
		return NULL;
	o = find_before(h, h->page_ids, off - h->slab_bytes);
	return o && off - h->slab_bytes < o->offset + o->size ? o : NULL;
}

SimObj *sim__heap_find_vmap(SimHeap *h, size_t alias_off)
{
	SimObj *dead = NULL;
	guint i;

	for (i = h->vmap_ids->len; i-- > 0;) {
		SimObj *o = obj_by_id(h, g_array_index(h->vmap_ids,
							uint32_t, i));

		if (alias_off < o->offset || alias_off >= o->offset + o->size)
			continue;
		if (o->state == SIM_OBJ_LIVE)
			return o;
		if (!dead)
			dead = o;
	}
	return dead;
}

SimObj *sim__heap_nearest_slab(SimHeap *h, size_t off)
{
	guint n = count_before(h, h->slab_ids, off);
	SimObj *prev = NULL, *next = NULL;

	if (n)
		prev = obj_by_id(h, g_array_index(h->slab_ids, uint32_t, n - 1));
	if (n < h->slab_ids->len)
		next = obj_by_id(h, g_array_index(h->slab_ids, uint32_t, n));
	if (!prev || !next)
		return prev ? prev : next;
	/* The closer one; a tie goes to the left, as an overflow is likelier
	 * than an underflow. */
	return off - (prev->offset + prev->size) <= next->offset - off ?
		prev : next;
}

uint64_t sim__heap_off_addr(const SimHeap *h, size_t off)
{
	size_t direct = h->slab_bytes + h->page_bytes;

	return off < direct ? SIM_HEAP_DIRECT_BASE + off :
		SIM_HEAP_VMALLOC_BASE + (off - direct);
}

uint64_t sim__obj_addr(const SimHeap *h, const SimObj *o)
{
	switch (o->type) {
	case SIM_OBJ_SLAB:
		return SIM_HEAP_DIRECT_BASE + o->offset;
	case SIM_OBJ_PAGES:
		return SIM_HEAP_DIRECT_BASE + h->slab_bytes + o->offset;
	default:
		return SIM_HEAP_VMALLOC_BASE + o->offset;
	}
}

/* ---------------------------------------------------------------- slab -- */

void *sim_kmalloc(SimWorld *w, size_t size, bool zero, const char *func)
{
	SimHeap *h = w->heap;
	SimStack st, *stp = NULL;
	size_t bucket, align, start;
	SimObj *o;

	if (size == 0)
		return (void *)16;	/* ZERO_SIZE_PTR, as the kernel */
	if (size > SIM_KMALLOC_MAX_SIZE)
		return NULL;
	bucket = kmalloc_bucket(size);
	/* Objects of a kmalloc-<n> slab sit at multiples of n in their
	 * page: keep the same alignment, capped at a page. */
	align = MIN(bucket & -bucket, SIM_PAGE_SIZE);
	align = MAX(align, 8);
	start = ALIGN_UP(h->slab_used + SIM_SLAB_REDZONE, align);
	if (start + bucket + SIM_SLAB_REDZONE > h->slab_bytes)
		return NULL;
	/* The gap before the object and its bucket tail keep the fresh
	 * "unallocated" shadow: both are redzones. */
	shadow_unpoison(h, start, size);
	fill_bytes(h->slab + start, zero ? 0 : SIM_HEAP_FILL, bucket);
	h->slab_used = start + bucket;

	if (sim_world_wants_stacks(w)) {
		sim_stack_capture(&st, 0);
		stp = &st;
	}
	o = obj_new(w, SIM_OBJ_SLAB, start, size,
		    bucket > SIM_KMALLOC_MAX_CACHE ?
			(unsigned int)g_bit_storage(bucket / SIM_PAGE_SIZE - 1) : 0,
		    func, stp);
	*ARRAY_PUSH(h->slab_ids, uint32_t) = o->id;
	sim_trace(w, SIM_TR_ALLOC, o->id, kmalloc_cache_name(bucket),
		  func, (int64_t)size, 0);
	return h->slab + start;
}

void sim_kfree(SimWorld *w, const void *p, const char *func)
{
	SimHeap *h = w->heap;
	size_t off = (uintptr_t)p - h->lo;
	SimObj *o = NULL;
	SimStack st;

	if ((uintptr_t)p <= 16)		/* ZERO_OR_NULL_PTR */
		return;
	if (sim__heap_in_slab(h, off))
		o = sim__heap_find_slab(h, off);
	if (o && o->offset == off && o->state == SIM_OBJ_LIVE) {
		size_t span = obj_span(o);

		if (sim_world_wants_stacks(w))
			sim_stack_capture(&st, 0);
		obj_retire(w, o, func, sim_world_wants_stacks(w) ? &st : NULL);
		shadow_fill(h, off, span, span > SIM_KMALLOC_MAX_CACHE ?
				 SH_PAGE_FREE : SH_SLAB_FREE);
		sim_trace(w, SIM_TR_FREE, o->id,
			  kmalloc_cache_name(span), func,
			  (int64_t)o->size, 0);
		return;
	}
	sim_stack_capture(&st, 0);
	sim__kasan_report_free(w, &st,
			       o && o->offset == off ? SIM_BUG_DOUBLE_FREE :
			       SIM_BUG_INVALID_FREE,
			       p, o, func, NULL);
}

size_t sim_ksize(SimWorld *w, const void *p)
{
	SimHeap *h = w->heap;
	size_t off = (uintptr_t)p - h->lo, span;
	SimObj *o;

	if ((uintptr_t)p <= 16 || !sim__heap_in_slab(h, off))
		return 0;
	o = sim__heap_find_slab(h, off);
	if (!o || o->offset != off || o->state != SIM_OBJ_LIVE)
		return 0;
	/* As the kernel: whoever asks for ksize() may use all of it. */
	span = obj_span(o);
	sim__shadow_unpoison(h, off, span);
	return span;
}

/* --------------------------------------------------------------- pages -- */

void *sim_alloc_pages(SimWorld *w, unsigned int order, bool zero,
		      const char *func)
{
	SimHeap *h = w->heap;
	SimStack st, *stp = NULL;
	size_t n, start;
	SimObj *o;

	if (order > SIM_MAX_ORDER)
		return NULL;
	n = SIM_PAGE_SIZE << order;
	/* Buddy blocks are aligned to their size; so are ours. */
	start = ALIGN_UP(h->page_used, n);
	if (start + n > h->page_bytes)
		return NULL;
	sim__shadow_fill(h, h->slab_bytes + start, n, SH_OK);
	memset(h->pages + start, zero ? 0 : SIM_HEAP_FILL, n);
	h->page_used = start + n;

	if (sim_world_wants_stacks(w)) {
		sim_stack_capture(&st, 0);
		stp = &st;
	}
	o = obj_new(w, SIM_OBJ_PAGES, start, n, order, func, stp);
	*ARRAY_PUSH(h->page_ids, uint32_t) = o->id;
	sim_trace(w, SIM_TR_PAGE_ALLOC, o->id, NULL, func, (int64_t)n, 0);
	return h->pages + start;
}


void sim_free_pages(SimWorld *w, const void *addr, unsigned int order,
		    const char *func)
{
	SimHeap *h = w->heap;
	size_t off = (uintptr_t)addr - h->lo;
	SimObj *o;
	SimStack st;
	char *why = NULL;
	SimBugKind kind = SIM_BUG_INVALID_FREE;

	if (!addr)
		return;
	o = sim__heap_find_pages(h, off);
	if (o && o->offset == off - h->slab_bytes && o->order == order &&
	    o->state == SIM_OBJ_LIVE) {
		if (sim_world_wants_stacks(w))
			sim_stack_capture(&st, 0);
		obj_retire(w, o, func, sim_world_wants_stacks(w) ? &st : NULL);
		sim__shadow_fill(h, off, o->size, SH_PAGE_FREE);
		sim_trace(w, SIM_TR_PAGE_FREE, o->id, NULL, func,
			  (int64_t)o->size, 0);
		return;
	}
	sim_stack_capture(&st, 0);
	if (o && o->offset == off - h->slab_bytes) {
		if (o->state == SIM_OBJ_FREED)
			kind = SIM_BUG_DOUBLE_FREE;
		else
			why = g_strdup_printf("hvsim: freed with order %u, allocated with order %u",
					      order, o->order);
	}
	sim__kasan_report_free(w, &st, kind, addr, o, func, why);
	g_free(why);
}

/* ---------------------------------------------------------------- vmap -- */

/*
 * Map @count pages at page-arena offset @poff through their alias.
 * @owner is 0 for vmap(), or 1 + the order of the block a vmalloc() owns
 * and vfree() must free (kept in SimObj.order of the mapping).
 */
static void *vmap_range(SimWorld *w, size_t poff, unsigned int count,
			unsigned int owner, const char *func,
			const SimStack *st)
{
	SimHeap *h = w->heap;
	SimObj *o;

	sim__shadow_fill(h, h->slab_bytes + h->page_bytes + poff,
			 (size_t)count * SIM_PAGE_SIZE, SH_OK);
	o = obj_new(w, SIM_OBJ_VMAP, poff, (size_t)count * SIM_PAGE_SIZE,
		    owner, func, st);
	*ARRAY_PUSH(h->vmap_ids, uint32_t) = o->id;
	sim_trace(w, SIM_TR_VMAP, o->id, NULL, func, (int64_t)o->size, 0);
	return h->alias + poff;
}

void *sim_vmap(SimWorld *w, void *const *pages, unsigned int count,
	       const char *func)
{
	SimHeap *h = w->heap;
	SimStack st;
	size_t first, i;

	if (!count || !pages)
		return NULL;
	first = (uintptr_t)pages[0] - h->lo;
	for (i = 0; i < count; i++) {
		size_t off = (uintptr_t)pages[i] - h->lo;
		SimObj *blk = sim__heap_find_pages(h, off);

		if (off != first + i * SIM_PAGE_SIZE ||
		    (off & (SIM_PAGE_SIZE - 1))) {
			sim_stack_capture(&st, 0);
			sim__heap_warn(w, &st, func, "mm/vmalloc.c vmap",
				       "hvsim: vmap() of %u pages: page %zu is not contiguous with page 0 (only contiguous pages can be mapped)",
				       count, i);
			return NULL;
		}
		if (!blk || blk->state != SIM_OBJ_LIVE) {
			sim_stack_capture(&st, 0);
			sim__heap_warn(w, &st, func, "mm/vmalloc.c vmap",
				       "hvsim: vmap() of %u pages: page %zu (pfn %#zx) is %s",
				       count, i, off >> 12,
				       blk ? "freed" : "not allocated");
			return NULL;
		}
	}
	if (sim_world_wants_stacks(w))
		sim_stack_capture(&st, 0);
	return vmap_range(w, first - h->slab_bytes, count, 0, func,
			  sim_world_wants_stacks(w) ? &st : NULL);
}

void *sim__heap_vmalloc(SimWorld *w, size_t size, bool zero, const char *func)
{
	SimHeap *h = w->heap;
	unsigned int order = 0;
	SimStack st;
	uint8_t *p;

	if (!size || size > SIM_KMALLOC_MAX_SIZE)
		return NULL;
	while ((SIM_PAGE_SIZE << order) < size)
		order++;
	p = sim_alloc_pages(w, order, zero, func);
	if (!p)
		return NULL;
	if (sim_world_wants_stacks(w))
		sim_stack_capture(&st, 0);
	return vmap_range(w, p - h->pages,
			  (unsigned int)(ALIGN_UP(size, SIM_PAGE_SIZE) /
					 SIM_PAGE_SIZE),
			  order + 1, func,
			  sim_world_wants_stacks(w) ? &st : NULL);
}

void sim__heap_vfree(SimWorld *w, const void *addr, const char *func)
{
	SimHeap *h = w->heap;
	size_t off = (uintptr_t)addr - h->lo;
	SimObj *o = NULL;

	if (!addr)
		return;
	if (sim__heap_in_alias(h, off))
		o = sim__heap_find_vmap(h, off - h->slab_bytes - h->page_bytes);
	if (o && o->state == SIM_OBJ_LIVE && o->order &&
	    h->alias + o->offset == addr) {
		uint8_t *pages = h->pages + o->offset;
		unsigned int order = o->order - 1;

		sim_vunmap(w, addr, func);
		sim_free_pages(w, pages, order, func);
		return;
	}
	/* A vmap()ed area only loses its mapping, as in the kernel; anything
	 * else is the nonexistent-area WARN. */
	sim_vunmap(w, addr, func);
}

void sim_vunmap(SimWorld *w, const void *addr, const char *func)
{
	SimHeap *h = w->heap;
	size_t off = (uintptr_t)addr - h->lo;
	size_t aoff = off - h->slab_bytes - h->page_bytes;
	size_t abase = h->slab_bytes + h->page_bytes;
	SimObj *o = NULL;
	SimStack st;
	guint i;

	if (!addr)
		return;
	if (sim__heap_in_alias(h, off)) {
		o = sim__heap_find_vmap(h, aoff);
		if (o && (o->state != SIM_OBJ_LIVE || o->offset != aoff))
			o = NULL;
	}
	if (!o) {
		sim_stack_capture(&st, 0);
		sim__heap_warn(w, &st, func, "mm/vmalloc.c __vunmap",
			       "Trying to vfree() nonexistent vm area (%016" PRIx64 ")",
			       sim_heap_sim_addr(w, addr));
		return;
	}
	if (sim_world_wants_stacks(w))
		sim_stack_capture(&st, 0);
	obj_retire(w, o, func, sim_world_wants_stacks(w) ? &st : NULL);
	sim__shadow_fill(h, abase + o->offset, o->size, SH_VMALLOC_INVALID);
	/* Pages another live mapping still covers stay mapped. */
	for (i = 0; i < h->vmap_ids->len; i++) {
		SimObj *v = obj_by_id(h, g_array_index(h->vmap_ids, uint32_t, i));
		size_t s, e;

		if (v->state != SIM_OBJ_LIVE)
			continue;
		s = MAX(v->offset, o->offset);
		e = MIN(v->offset + v->size, o->offset + o->size);
		if (s < e)
			sim__shadow_fill(h, abase + s, e - s, SH_OK);
	}
	sim_trace(w, SIM_TR_VUNMAP, o->id, NULL, func, (int64_t)o->size, 0);
}

/* ------------------------------------------------------------- queries -- */

int64_t sim_heap_pfn(SimWorld *w, const void *addr)
{
	SimHeap *h = w->heap;
	size_t off = (uintptr_t)addr - h->lo;

	/* The whole direct map has frames: kmalloc memory too, as drivers
	 * hand kzalloc'd buffers to the host by pfn. */
	if (off >= h->slab_bytes + h->page_bytes)
		return -1;
	return (int64_t)(off >> 12);
}

void *sim_heap_pfn_to_virt(SimWorld *w, uint64_t pfn)
{
	SimHeap *h = w->heap;

	if (pfn >= (h->slab_bytes + h->page_bytes) >> 12)
		return NULL;
	return (void *)(h->lo + (pfn << 12));
}

uint64_t sim_heap_sim_addr(SimWorld *w, const void *p)
{
	SimHeap *h = w->heap;
	size_t off = (uintptr_t)p - h->lo;

	if (off < h->span)
		return sim__heap_off_addr(h, off);
	/* NULL, ZERO_SIZE_PTR and other small values print as they are. */
	if ((uintptr_t)p < SIM_PAGE_SIZE)
		return (uintptr_t)p;
	/* Anything else would print a host pointer: never. */
	return 0;
}

const SimObj *sim_heap_lookup(SimWorld *w, const void *p)
{
	SimHeap *h = w->heap;
	size_t off = (uintptr_t)p - h->lo;

	if (sim__heap_in_slab(h, off))
		return sim__heap_find_slab(h, off);
	if (sim__heap_in_pages(h, off))
		return sim__heap_find_pages(h, off);
	if (sim__heap_in_alias(h, off))
		return sim__heap_find_vmap(h, off - h->slab_bytes -
					   h->page_bytes);
	return NULL;
}

static void live_refresh(SimHeap *h)
{
	guint i;

	if (!h->live_dirty)
		return;
	g_array_set_size(h->live, 0);
	for (i = 0; i < h->objs->len; i++) {
		SimObj *o = &g_array_index(h->objs, SimObj, i);

		if (o->state == SIM_OBJ_LIVE)
			g_array_append_val(h->live, o->id);
	}
	h->live_dirty = false;
}

size_t sim_heap_nobjs(SimWorld *w)
{
	live_refresh(w->heap);
	return w->heap->live->len;
}

const SimObj *sim_heap_obj(SimWorld *w, size_t i)
{
	SimHeap *h = w->heap;

	live_refresh(h);
	g_assert(i < h->live->len);
	return obj_by_id(h, g_array_index(h->live, uint32_t, i));
}

/* --------------------------------------------------------------- leaks -- */

static void leak_hex_dump(SimReport *r, const uint8_t *p, size_t n)
{
	size_t i, row;

	sim_report_line(r, "  hex dump (first %zu bytes):", n);
	for (row = 0; row < n; row += 16) {
		char hex[16 * 3 + 1] = "", asc[17] = "";
		size_t len = MIN(16, n - row);

		for (i = 0; i < len; i++) {
			uint8_t c = p[row + i];

			g_snprintf(hex + 3 * i, 4, "%02x ", c);
			asc[i] = g_ascii_isprint(c) ? (char)c : '.';
		}
		asc[len] = '\0';
		hex[3 * len - 1] = '\0';
		/* Short rows keep the ASCII column where full ones have it. */
		sim_report_line(r, "    %-47s  %s", hex, asc);
	}
}

static void leak_block(SimReport *r, SimWorld *w, const SimObj *o)
{
	SimHeap *h = w->heap;
	const SimTask *t = o->alloc_task ? sim_task_by_id(w, o->alloc_task) :
		NULL;
	SimTime at = g_array_index(h->alloc_time, SimTime, o->id - 1);
	const uint8_t *mem = o->type == SIM_OBJ_SLAB ? h->slab + o->offset :
		h->pages + o->offset;

	sim_report_line(r, "unreferenced object 0x%016" PRIx64 " (size %zu):",
			sim__obj_addr(h, o), o->size);
	sim_report_line(r, "  comm \"%s\", pid %u, jiffies %" PRIu64,
			t ? t->name : "swapper/0", o->alloc_task,
			SIM_INITIAL_JIFFIES + at / (SIM_SEC / SIM_HEAP_HZ));
	leak_hex_dump(r, mem, MIN(o->size, (size_t)32));
	sim_report_line(r, "  backtrace (crc 0):");
	if (o->alloc_stack)
		sim_report_stack(r, o->alloc_stack, FALSE);
	else
		sim_report_line(r, "    hvsim: allocation stack not recorded: rerun with stacks (allocated in %s)",
				o->alloc_func ? o->alloc_func : "?");
}

size_t sim_heap_report_leaks(SimWorld *w)
{
	SimHeap *h = w->heap;
	const SimObj *first = NULL;
	SimReport *r;
	size_t n = 0;
	guint i;

	for (i = 0; i < h->objs->len; i++) {
		const SimObj *o = &g_array_index(h->objs, SimObj, i);

		/* A live vmap is not memory of its own: its pages leak. */
		if (o->state != SIM_OBJ_LIVE || o->type == SIM_OBJ_VMAP)
			continue;
		if (!first)
			first = o;
		n++;
	}
	if (!n)
		return 0;
	r = sim_report_new(w, SIM_BUG_LEAK,
			   first->alloc_func ? first->alloc_func : "?",
			   "kmemleak: %zu new suspected memory leaks (see /sys/kernel/debug/kmemleak)",
			   n);
	for (i = 0; i < h->objs->len; i++) {
		const SimObj *o = &g_array_index(h->objs, SimObj, i);

		if (o->state == SIM_OBJ_LIVE && o->type != SIM_OBJ_VMAP)
			leak_block(r, w, o);
	}
	sim__heap_raise(w, r);
	return n;
}
