/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the inside of the simulated heap, shared by the
 * allocator (sim/heap.c), the KASAN hooks and reports (sim/kasan.c) and
 * the memory shim (sim/kapi/mm.c, for vmalloc). Nothing else includes it.
 *
 * One virtual reservation holds three regions back to back, so the hot
 * path of every instrumented load and store is a single range check:
 *
 *   lo                 lo+slab_bytes          lo+slab_bytes+page_bytes
 *   | slab arena       | page arena (memfd)   | vmalloc alias (same memfd)|
 *
 * A "heap offset" is an address minus lo. The first two regions are the
 * simulated direct map: printed as 0xffff888000000000 + offset, so a
 * physical address is the offset itself and a pfn is offset >> 12. The
 * alias is printed as 0xffffc90000000000 + (offset in the page arena).
 *
 * Shadow: one byte per 8 bytes of the whole reservation, KASAN-generic
 * meaning (0 accessible, 1..7 the first k bytes accessible, negative
 * poisoned), but stored XOR SHADOW_XOR. A fresh anonymous page reads 0,
 * which decodes to SH_UNALLOCATED, so the shadow of memory never handed
 * out is poisoned without ever being written: creating a world touches no
 * shadow, and the reset only clears what the execution used.
 */
#ifndef HVSIM_HEAP_PRIV_H
#define HVSIM_HEAP_PRIV_H

#include <string.h>

#include <glib.h>

#include "sim/heap.h"

#define SIM_HEAP_DIRECT_BASE	((uint64_t)0xffff888000000000ULL)
#define SIM_HEAP_VMALLOC_BASE	((uint64_t)0xffffc90000000000ULL)

/* Shadow values, decoded. The poisoned ones name why, for the report. */
#define SH_OK			0x00
#define SH_PAGE_FREE		0xff	/* freed pages, or a freed large kmalloc */
#define SH_UNALLOCATED		0xfe	/* not handed out in this execution */
#define SH_PAGE_REDZONE		0xfd	/* tail of a large kmalloc */
#define SH_SLAB_REDZONE		0xfc	/* slab redzone or unused bucket tail */
#define SH_SLAB_FREE		0xfb	/* freed slab object (quarantined) */
#define SH_VMALLOC_INVALID	0xf8	/* vmalloc alias after vunmap */

#define SHADOW_XOR		SH_UNALLOCATED

/* Largest kmalloc served by a kmalloc-<n> cache; beyond it the kernel
 * takes whole pages (kmalloc_large) and reports name the page. */
#define SIM_KMALLOC_MAX_CACHE	8192UL

/* Bytes of redzone at least between two slab objects. */
#define SIM_SLAB_REDZONE	16UL

struct SimHeap {
	/* Read by every instrumented access: keep first, together. */
	uintptr_t lo;
	size_t span;			/* slab + pages + alias */
	uint8_t *shadow;		/* span / 8 bytes, XOR-encoded */

	size_t slab_bytes, page_bytes;
	uint8_t *slab, *pages, *alias;	/* the three regions */
	int pid;			/* process that mapped the memfd */

	/* Bump pointers of this execution; nothing below them is reused. */
	size_t slab_used, page_used;

	GArray *objs;			/* SimObj, index = id - 1 */
	GArray *alloc_time;		/* SimTime per object, for kmemleak */
	GArray *slab_ids;		/* uint32 ids in offset order */
	GArray *page_ids;		/* uint32 ids in offset order */
	GArray *vmap_ids;		/* uint32 ids in creation order */
	GArray *live;			/* uint32 ids of live objects */
	bool live_dirty;

	/* Stacks, kept across executions so warm runs allocate nothing. */
	GPtrArray *stack_pool;		/* SimStack* */
	guint stacks_used;
};

static inline uint8_t sim__shadow_get(const SimHeap *h, size_t off)
{
	return h->shadow[off >> 3] ^ SHADOW_XOR;
}

/* Set the shadow of [off, off+len), both multiples of 8, to @v. */
static inline void sim__shadow_fill(SimHeap *h, size_t off, size_t len,
				    uint8_t v)
{
	memset(h->shadow + (off >> 3), v ^ SHADOW_XOR, len >> 3);
}

/*
 * Make [off, off+len) accessible; @off is a multiple of 8. A partial last
 * granule gets the count of its accessible bytes.
 */
static inline void sim__shadow_unpoison(SimHeap *h, size_t off, size_t len)
{
	sim__shadow_fill(h, off, len & ~7UL, SH_OK);
	if (len & 7)
		h->shadow[(off + len) >> 3] = (uint8_t)(len & 7) ^ SHADOW_XOR;
}

static inline bool sim__heap_in_slab(const SimHeap *h, size_t off)
{
	return off < h->slab_bytes;
}

static inline bool sim__heap_in_pages(const SimHeap *h, size_t off)
{
	return off >= h->slab_bytes && off < h->slab_bytes + h->page_bytes;
}

static inline bool sim__heap_in_alias(const SimHeap *h, size_t off)
{
	return off >= h->slab_bytes + h->page_bytes && off < h->span;
}

/* The kmalloc-<n> bucket a request of @size bytes lands in. */
size_t sim__kmalloc_bucket(size_t size);
/* The cache name of a bucket ("kmalloc-64"), a static string. */
const char *sim__kmalloc_cache_name(size_t bucket);
/* Bytes an object occupies in its arena (bucket for slab objects). */
size_t sim__obj_span(const SimObj *o);

/* Object lookups by heap offset; NULL if none. */
SimObj *sim__heap_find_slab(SimHeap *h, size_t off);
SimObj *sim__heap_find_pages(SimHeap *h, size_t off);
/* The most recent vmap covering @alias_off (offset within the alias),
 * live ones first. */
SimObj *sim__heap_find_vmap(SimHeap *h, size_t alias_off);
/* The slab object nearest to a redzone byte, for out-of-bounds reports. */
SimObj *sim__heap_nearest_slab(SimHeap *h, size_t off);

/*
 * vmalloc(): a block of 2^order pages mapped through its alias; the
 * mapping owns the pages (SimObj.order of a VMAP object is 1 + their order,
 * 0 for a plain vmap()), and vfree() unmaps and frees both.
 */
void *sim__heap_vmalloc(SimWorld *w, size_t size, bool zero, const char *func);
void sim__heap_vfree(SimWorld *w, const void *addr, const char *func);

/* Printed address of a heap offset. */
uint64_t sim__heap_off_addr(const SimHeap *h, size_t off);
uint64_t sim__obj_addr(const SimHeap *h, const SimObj *o);

/*
 * Reports (sim/kasan.c). Each builds the kernel's report from the stack
 * @st captured where the driver entered the simulator, raises it, and
 * returns only in engine context (no running task).
 */
/* sim_heap_check() for a caller that knows the driver function. */
void sim__heap_check_at(SimWorld *w, uintptr_t addr, size_t size, bool write,
			uintptr_t ret_ip, const char *func);

/* Record @r as the execution's finding and, from a task, end it there. */
void sim__heap_raise(SimWorld *w, SimReport *r);
void sim__kasan_report_free(SimWorld *w, const SimStack *st, SimBugKind kind,
			    const void *p, const SimObj *o, const char *func,
			    const char *why);
void sim__heap_warn(SimWorld *w, const SimStack *st, const char *func,
		    const char *where, const char *fmt, ...) G_GNUC_PRINTF(5, 6);

#endif /* HVSIM_HEAP_PRIV_H */
