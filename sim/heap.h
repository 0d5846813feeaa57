/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the simulated heap: slab objects (kmalloc), pages
 * (alloc_pages) and vmap mappings, with a shadow byte per 8 bytes that the
 * compiler's KASAN hooks (sim/kasan.c) check on every load and store that
 * driver code makes. It sits between the kernel-API shim (slab, page and
 * vmalloc calls) and the detectors' reports.
 *
 * Layout, created once per world and reused by every execution:
 *  - a slab arena: bump allocation with redzones; freed objects are never
 *    reused within an execution (quarantine), so every use after free is
 *    caught;
 *  - a page arena backed by a memfd, mapped twice: the "direct map" that
 *    page_address() returns, and a "vmalloc" alias at the same offsets.
 *    vmap() of contiguous pages returns the alias, so a mapping and its
 *    pages share memory without a system call per vmap. vunmap() poisons
 *    the alias range: a later access is the kernel's page fault.
 *
 * Printed addresses are kernel-looking and derived from arena offsets
 * (0xffff888000000000 + offset for slab and pages, 0xffffc90000000000 +
 * offset for vmalloc), so they never depend on where the arenas landed.
 *
 * Contents are deterministic: kmalloc fills new objects with 0xbe, page
 * allocations with 0xbe unless zeroed; the shadow and bump pointers are
 * reset between executions.
 */
#ifndef HVSIM_HEAP_H
#define HVSIM_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/report.h"
#include "sim/sim.h"

#define SIM_PAGE_SIZE	4096UL

typedef enum {
	SIM_OBJ_SLAB,
	SIM_OBJ_PAGES,
	SIM_OBJ_VMAP,
} SimObjType;

typedef enum {
	SIM_OBJ_LIVE,
	SIM_OBJ_FREED,
} SimObjState;

/* One allocation, indexed by id; ids grow with addresses (bump allocation). */
typedef struct {
	uint32_t id;
	uint8_t type;		/* SimObjType */
	uint8_t state;		/* SimObjState */
	uint32_t order;		/* pages: allocation order */
	size_t offset;		/* within its arena */
	size_t size;
	uint32_t alloc_task, free_task;
	uint64_t alloc_step, free_step;
	const char *alloc_func, *free_func;
	SimStack *alloc_stack;	/* only when the world wants stacks */
	SimStack *free_stack;
} SimObj;

typedef struct SimHeap SimHeap;

/* Created by sim_world_new(), reset by every execution. */
SimHeap *sim_heap_new(size_t slab_bytes, size_t page_bytes);
void sim_heap_free(SimHeap *h);
void sim_heap_reset(SimHeap *h);
/* Copy where w->heap lies into the world, for the KASAN hooks
 * (SimWorld.heap_lo; sim/kasan.c). Called once, by sim_world_new(). */
void sim__heap_bind(SimWorld *w);

/*
 * Allocation calls, made by the shim on behalf of the running task. @func is
 * the calling driver function. Each records a trace event. On exhaustion of
 * the arena they return NULL (the driver sees -ENOMEM, as in the kernel).
 */
void *sim_kmalloc(SimWorld *w, size_t size, bool zero, const char *func);
/* Reports double-free or invalid-free and ends the execution. NULL is a no-op. */
void sim_kfree(SimWorld *w, const void *p, const char *func);
size_t sim_ksize(SimWorld *w, const void *p);

/* Returns the direct-map address of 2^order contiguous pages. */
void *sim_alloc_pages(SimWorld *w, unsigned int order, bool zero,
		      const char *func);

void sim_free_pages(SimWorld *w, const void *addr, unsigned int order,
		    const char *func);

/*
 * sim_vmap - map @count pages given by their direct-map addresses. They must
 * be contiguous and live (a WARN otherwise, and NULL). Returns the vmalloc
 * alias of the first page.
 */
void *sim_vmap(SimWorld *w, void *const *pages, unsigned int count,
	       const char *func);
/* Unmapping an address that is not a live mapping is the kernel's
 * "Trying to vfree() nonexistent vm area" WARN. */
void sim_vunmap(SimWorld *w, const void *addr, const char *func);

/*
 * sim_heap_check - called by the KASAN hooks for an access of @size bytes at
 * @addr by driver code. Returns quickly for addresses outside the arenas. On
 * a bad access it builds the report (KASAN use-after-free / out-of-bounds,
 * or the page-fault oops for an unmapped vmalloc address) and ends the
 * execution.
 */
void sim_heap_check(SimWorld *w, uintptr_t addr, size_t size, bool write,
		    uintptr_t ret_ip);

/* Is [addr, addr+size) live memory? For host models reading guest memory
 * (they are not instrumented and must never crash on driver input). */
bool sim_heap_accessible(SimWorld *w, const void *addr, size_t size);

/*
 * sim_heap_guest_range - where a host model's access to @len bytes at
 * offset @in of guest page frame @pfn lands: the direct-map address of the
 * bytes, or NULL when the frame is out of range or the bytes are not live
 * memory. sim_heap_pfn_to_virt() then sim_heap_accessible(), in one call.
 */
void *sim_heap_guest_range(SimWorld *w, uint64_t pfn, size_t in, size_t len);

/* Page frame number of a direct-map page address, for GPADLs; -1 if none. */
int64_t sim_heap_pfn(SimWorld *w, const void *addr);
/* Direct-map address of a page frame, or NULL if out of range. */
void *sim_heap_pfn_to_virt(SimWorld *w, uint64_t pfn);

/* Kernel-looking address of a heap pointer, for reports and traces. */
uint64_t sim_heap_sim_addr(SimWorld *w, const void *p);

/* The object containing @p (live or freed), or NULL. */
const SimObj *sim_heap_lookup(SimWorld *w, const void *p);

/* Objects still live, in id order; for the leak detector. */
size_t sim_heap_nobjs(SimWorld *w);
const SimObj *sim_heap_obj(SimWorld *w, size_t i);

/*
 * sim_heap_report_leaks - at the end of a scenario, report every live slab
 * object and page block in kmemleak's format ("unreferenced object 0x...
 * (size N):"). Returns the number of leaks; raises a SIM_BUG_LEAK report
 * when there is at least one.
 */
size_t sim_heap_report_leaks(SimWorld *w);

/*
 * sim__copy_small - memmove() of @n bytes, @n at most 64, inline: every
 * byte is loaded before the first store, so overlap is handled as
 * memmove() does. For the shim's and the host models' many short copies
 * of guest memory, where a call into the C library costs more than the
 * copy. Larger sizes are the caller's (memcpy()).
 */
static inline __attribute__((always_inline)) void
sim__copy_small(void *dst, const void *src, size_t n)
{
	const uint8_t *s = (const uint8_t *)src;
	uint8_t *d = (uint8_t *)dst;
	uint64_t a0, a1, a2, a3, b0, b1, b2, b3;

	if (n > 32) {
		__builtin_memcpy(&a0, s, 8);
		__builtin_memcpy(&a1, s + 8, 8);
		__builtin_memcpy(&a2, s + 16, 8);
		__builtin_memcpy(&a3, s + 24, 8);
		__builtin_memcpy(&b0, s + n - 32, 8);
		__builtin_memcpy(&b1, s + n - 24, 8);
		__builtin_memcpy(&b2, s + n - 16, 8);
		__builtin_memcpy(&b3, s + n - 8, 8);
		__builtin_memcpy(d, &a0, 8);
		__builtin_memcpy(d + 8, &a1, 8);
		__builtin_memcpy(d + 16, &a2, 8);
		__builtin_memcpy(d + 24, &a3, 8);
		__builtin_memcpy(d + n - 32, &b0, 8);
		__builtin_memcpy(d + n - 24, &b1, 8);
		__builtin_memcpy(d + n - 16, &b2, 8);
		__builtin_memcpy(d + n - 8, &b3, 8);
	} else if (n > 16) {
		__builtin_memcpy(&a0, s, 8);
		__builtin_memcpy(&a1, s + 8, 8);
		__builtin_memcpy(&b0, s + n - 16, 8);
		__builtin_memcpy(&b1, s + n - 8, 8);
		__builtin_memcpy(d, &a0, 8);
		__builtin_memcpy(d + 8, &a1, 8);
		__builtin_memcpy(d + n - 16, &b0, 8);
		__builtin_memcpy(d + n - 8, &b1, 8);
	} else if (n >= 8) {
		__builtin_memcpy(&a0, s, 8);
		__builtin_memcpy(&b0, s + n - 8, 8);
		__builtin_memcpy(d, &a0, 8);
		__builtin_memcpy(d + n - 8, &b0, 8);
	} else if (n >= 4) {
		uint32_t x, y;

		__builtin_memcpy(&x, s, 4);
		__builtin_memcpy(&y, s + n - 4, 4);
		__builtin_memcpy(d, &x, 4);
		__builtin_memcpy(d + n - 4, &y, 4);
	} else if (n) {
		uint8_t x = s[0], y = s[n / 2], z = s[n - 1];

		d[0] = x;
		d[n / 2] = y;
		d[n - 1] = z;
	}
}

/* sim__fill_small - memset() of @n bytes, @n at most 64, inline:
 * overlapping stores, the same bytes. */
static inline __attribute__((always_inline)) void
sim__fill_small(void *dst, int c, size_t n)
{
	uint8_t *d = (uint8_t *)dst;
	uint64_t v = 0x0101010101010101ULL * (uint8_t)c;

	if (n > 32) {
		__builtin_memcpy(d, &v, 8);
		__builtin_memcpy(d + 8, &v, 8);
		__builtin_memcpy(d + 16, &v, 8);
		__builtin_memcpy(d + 24, &v, 8);
		__builtin_memcpy(d + n - 32, &v, 8);
		__builtin_memcpy(d + n - 24, &v, 8);
		__builtin_memcpy(d + n - 16, &v, 8);
		__builtin_memcpy(d + n - 8, &v, 8);
	} else if (n > 16) {
		__builtin_memcpy(d, &v, 8);
		__builtin_memcpy(d + 8, &v, 8);
		__builtin_memcpy(d + n - 16, &v, 8);
		__builtin_memcpy(d + n - 8, &v, 8);
	} else if (n >= 8) {
		__builtin_memcpy(d, &v, 8);
		__builtin_memcpy(d + n - 8, &v, 8);
	} else if (n >= 4) {
		uint32_t x = (uint32_t)v;

		__builtin_memcpy(d, &x, 4);
		__builtin_memcpy(d + n - 4, &x, 4);
	} else if (n) {
		d[0] = (uint8_t)c;
		d[n / 2] = (uint8_t)c;
		d[n - 1] = (uint8_t)c;
	}
}

#endif /* HVSIM_HEAP_H */
