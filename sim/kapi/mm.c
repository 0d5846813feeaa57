// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the memory part of the kernel-API shim: kmalloc and
 * friends, the page allocator, vmap and vmalloc, the pfn helpers and the
 * checked string functions. It sits between the shim headers
 * (<linux/slab.h>, <linux/mm.h>, <linux/vmalloc.h>, <linux/string.h>),
 * whose macros call it with the driver's call site, and the simulated heap
 * (sim/heap.c), which it calls for the running task's world.
 *
 * Each allocation, free, vmap and vunmap is a scheduling point taken after
 * the operation (its trace event is recorded by the heap), so another task
 * can run between a free and whatever the freeing task does next. Calls
 * that may sleep check might_sleep() first, with the driver's site.
 *
 * Stacks: the heap captures alloc/free stacks and the KASAN reports
 * capture theirs below these functions; the unwinder drops every sim_*
 * frame, so this file must not call into the heap from a static helper
 * that could stay a frame of its own (the checks are always_inline).
 */
#define SIM_KAPI_NO_STRING_CHECKS	/* this file calls the C library */

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "sim/heap_priv.h"
#include "sim/kapi/mm.h"
#include "sim/world.h"

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
/* The world of the running task: every call here is driver code. */
static inline __attribute__((always_inline)) SimWorld *mm_world(void)
{
	g_assert(sim_current() && "memory shim called outside a task");
	return sim_current_world();
}

static inline __attribute__((always_inline)) void
mm_might_sleep(SimWorld *w, unsigned int gfp, const struct sim_kapi_site *site)
{
	if (gfp & __GFP_DIRECT_RECLAIM)
		sim_might_sleep(w, site->func, site->file, site->line);
}

/* ----------------------------------------------------------------- slab -- */

void *sim_kapi_kmalloc(size_t size, unsigned int gfp,
		       const struct sim_kapi_site *site)
{
	SimWorld *w = mm_world();
	void *p;

	mm_might_sleep(w, gfp, site);
	p = sim_kmalloc(w, size, gfp & __GFP_ZERO, site->func);
	sim_yield(w);
	return p;
}

void *sim_kapi_kmalloc_array(size_t n, size_t size, unsigned int gfp,
			     const struct sim_kapi_site *site)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return sim_kapi_kmalloc(bytes, gfp, site);
}

void *sim_kapi_krealloc(const void *p, size_t size, unsigned int gfp,
			const struct sim_kapi_site *site)
{
	SimWorld *w = mm_world();
	SimHeap *h = w->heap;
	size_t off = (uintptr_t)p - h->lo, old;
	SimObj *o;
	void *q;

	if ((uintptr_t)p <= 16)
		return sim_kapi_kmalloc(size, gfp, site);
	if (!size) {
		sim_kapi_kfree(p, site);
		return (void *)16;	/* ZERO_SIZE_PTR */
	}
	o = sim__heap_in_slab(h, off) ? sim__heap_find_slab(h, off) : NULL;
	if (!o || o->offset != off || o->state != SIM_OBJ_LIVE) {
		sim_kapi_kfree(p, site);	/* reports the bad pointer */
		return NULL;
	}
	if (size <= sim__obj_span(o)) {
		/* The same slot, as the kernel: only the new size is valid. */
		sim__shadow_fill(h, off, sim__obj_span(o), SH_SLAB_REDZONE);
		sim__shadow_unpoison(h, off, size);
		o->size = size;
		return (void *)p;
	}
	old = o->size;		/* o may move: the table grows as we allocate */
	q = sim_kapi_kmalloc(size, gfp & ~__GFP_ZERO, site);
	if (q) {
		memcpy(q, p, old);
		if (gfp & __GFP_ZERO)
			memset((char *)q + old, 0, size - old);
		sim_kapi_kfree(p, site);
	}
	return q;
}

void sim_kapi_kfree(const void *p, const struct sim_kapi_site *site)
{
	SimWorld *w = mm_world();

	if ((uintptr_t)p <= 16)
		return;
	sim_kfree(w, p, site->func);
	sim_yield(w);
}

void sim_kapi_kfree_sensitive(const void *p, const struct sim_kapi_site *site)
{
	SimWorld *w = mm_world();

	if ((uintptr_t)p <= 16)
		return;
	if (sim_heap_accessible(w, p, 1)) {
		size_t n = sim_ksize(w, p);

		memset((void *)p, 0, n);
	}
	sim_kapi_kfree(p, site);
}

void sim_kapi_kvfree(const void *p, const struct sim_kapi_site *site)
{
	if (sim_kapi_is_vmalloc_addr(p))
		sim_kapi_vfree(p, site);
	else
		sim_kapi_kfree(p, site);
}

size_t sim_kapi_ksize(const void *p)
{
	return sim_ksize(mm_world(), p);
}

/* ------------------------------------------------------ checked ranges -- */

/*
 * Check [p, p+n) for the driver call @site: @ip is the driver's return
 * address. Inlined, so the stack a report captures has no frame of ours
 * that the unwinder would keep.
 */
static inline __attribute__((always_inline)) void
mm_check_at(const void *p, size_t n, bool write, uintptr_t ip,
	    const struct sim_kapi_site *site)
{
	/* Only driver code in a task is checked (a report needs a task). */
	if (sim_current() && n &&
	    !sim__heap_range_ok(sim_current_world(), (uintptr_t)p, n))
		sim__heap_check_at(sim_current_world(), (uintptr_t)p, n, write,
				   ip, site->func);
}

#define RET_IP	((uintptr_t)__builtin_return_address(0))
/* Every caller has its driver call site in scope as @site. */
#define mm_check(p, n, write, ip)	mm_check_at((p), (n), (write), (ip), site)

void *sim_kapi_kmemdup(const void *src, size_t len, unsigned int gfp,
		       const struct sim_kapi_site *site)
{
	void *p;

	mm_check(src, len, false, RET_IP);
	p = sim_kapi_kmalloc(len, gfp, site);
	if ((uintptr_t)p > 16)
		memcpy(p, src, len);
	return p;
}

void *sim_kapi_kmemdup_nul(const char *s, size_t len, unsigned int gfp,
			   const struct sim_kapi_site *site)
{
	char *p;

	if (!s)
		return NULL;
	mm_check(s, len, false, RET_IP);
	p = sim_kapi_kmalloc(len + 1, gfp, site);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *sim_kapi_kstrdup(const char *s, unsigned int gfp,
		       const struct sim_kapi_site *site)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	mm_check(s, len, false, RET_IP);
	p = sim_kapi_kmalloc(len, gfp, site);
	if (p)
		memcpy(p, s, len);
	return p;
}

char *sim_kapi_kstrndup(const char *s, size_t max, unsigned int gfp,
			const struct sim_kapi_site *site)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strnlen(s, max);
	mm_check(s, len < max ? len + 1 : len, false, RET_IP);
	p = sim_kapi_kmalloc(len + 1, gfp, site);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* ---------------------------------------------------------------- pages -- */

struct page *sim_kapi_alloc_pages(unsigned int gfp, unsigned int order,
				  const struct sim_kapi_site *site)
{
	SimWorld *w = mm_world();
	void *p;

	mm_might_sleep(w, gfp, site);
	p = sim_alloc_pages(w, order, gfp & __GFP_ZERO, site->func);
	sim_yield(w);
	return p;
}

unsigned long sim_kapi_get_free_pages(unsigned int gfp, unsigned int order,
				      const struct sim_kapi_site *site)
{
	return (unsigned long)sim_kapi_alloc_pages(gfp, order, site);
}

void sim_kapi_free_pages(const void *addr, unsigned int order,
			 const struct sim_kapi_site *site)
{
	SimWorld *w = mm_world();

	if (!addr)
		return;
	sim_free_pages(w, addr, order, site->func);
	sim_yield(w);
}

unsigned long sim_kapi_page_to_pfn(const struct page *page)
{
	int64_t pfn = sim_heap_pfn(mm_world(), page);

	return pfn < 0 ? ~0UL : (unsigned long)pfn;
}

struct page *sim_kapi_pfn_to_page(unsigned long pfn)
{
	return sim_heap_pfn_to_virt(mm_world(), pfn);
}

uint64_t sim_kapi_virt_to_phys(const volatile void *addr)
{
	int64_t pfn = sim_heap_pfn(mm_world(), (const void *)addr);

	if (pfn < 0)
		return ~(uint64_t)0;
	return ((uint64_t)pfn << 12) | ((uintptr_t)addr & (SIM_PAGE_SIZE - 1));
}

void *sim_kapi_phys_to_virt(uint64_t phys)
{
	uint8_t *page = sim_heap_pfn_to_virt(mm_world(), phys >> 12);

	return page ? page + (phys & (SIM_PAGE_SIZE - 1)) : NULL;
}

/* ------------------------------------------------------------- vmalloc -- */

void *sim_kapi_vmap(struct page **pages, unsigned int count,
		    unsigned long flags, const struct sim_kapi_site *site)
{
	SimWorld *w = mm_world();
	void *p;

	sim_might_sleep(w, site->func, site->file, site->line);
	p = sim_vmap(w, (void *const *)pages, count, site->func);
	sim_yield(w);
	return p;
}

void sim_kapi_vunmap(const void *addr, const struct sim_kapi_site *site)
{
	SimWorld *w = mm_world();

	sim_might_sleep(w, site->func, site->file, site->line);
	if (!addr)
		return;
	sim_vunmap(w, addr, site->func);
	sim_yield(w);
}

void *sim_kapi_vmalloc(unsigned long size, unsigned int gfp,
		       const struct sim_kapi_site *site)
{
	SimWorld *w = mm_world();
	void *p;

	sim_might_sleep(w, site->func, site->file, site->line);
	p = sim__heap_vmalloc(w, size, gfp & __GFP_ZERO, site->func);
	sim_yield(w);
	return p;
}

void sim_kapi_vfree(const void *addr, const struct sim_kapi_site *site)
{
	SimWorld *w = mm_world();

	if (!addr)
		return;
	sim__heap_vfree(w, addr, site->func);
	sim_yield(w);
}

bool sim_kapi_is_vmalloc_addr(const void *addr)
{
	SimHeap *h = mm_world()->heap;

	return sim__heap_in_alias(h, (uintptr_t)addr - h->lo);
}

struct page *sim_kapi_vmalloc_to_page(const void *addr)
{
	SimHeap *h = mm_world()->heap;
	size_t off = (uintptr_t)addr - h->lo;
	size_t aoff = off - h->slab_bytes - h->page_bytes;
	const SimObj *o;

	if (!sim__heap_in_alias(h, off))
		return NULL;
	o = sim__heap_find_vmap(h, aoff);
	if (!o || o->state != SIM_OBJ_LIVE)
		return NULL;
	return (struct page *)(h->pages + (aoff & ~(SIM_PAGE_SIZE - 1)));
}

/* ------------------------------------------------------ checked strings -- */

void *sim_kapi_memcpy(void *dst, const void *src, size_t n,
		      const struct sim_kapi_site *site)
{
	mm_check(src, n, false, RET_IP);
	mm_check(dst, n, true, RET_IP);
	/* Short copies inline: less than the call (sim/heap.h). */
	if (n <= 64) {
		sim__copy_small(dst, src, n);
		return dst;
	}
	return memcpy(dst, src, n);
}

void *sim_kapi_memmove(void *dst, const void *src, size_t n,
		       const struct sim_kapi_site *site)
{
	mm_check(src, n, false, RET_IP);
	mm_check(dst, n, true, RET_IP);
	return memmove(dst, src, n);
}

void *sim_kapi_memset(void *dst, int c, size_t n,
		      const struct sim_kapi_site *site)
{
	mm_check(dst, n, true, RET_IP);
	/* Short fills inline: less than the call (sim/heap.h). */
	if (n <= 64) {
		sim__fill_small(dst, c, n);
		return dst;
	}
	return memset(dst, c, n);
}

int sim_kapi_memcmp(const void *a, const void *b, size_t n,
		    const struct sim_kapi_site *site)
{
	mm_check(a, n, false, RET_IP);
	mm_check(b, n, false, RET_IP);
	return memcmp(a, b, n);
}

void *sim_kapi_memchr(const void *s, int c, size_t n,
		      const struct sim_kapi_site *site)
{
	const unsigned char *p = memchr(s, c, n);

	mm_check(s, p ? (size_t)(p - (const unsigned char *)s) + 1 : n, false,
		 RET_IP);
	return (void *)p;
}

size_t sim_kapi_strlen(const char *s, const struct sim_kapi_site *site)
{
	size_t len = strlen(s);

	mm_check(s, len + 1, false, RET_IP);
	return len;
}

size_t sim_kapi_strnlen(const char *s, size_t max,
			const struct sim_kapi_site *site)
{
	size_t len = strnlen(s, max);

	mm_check(s, len < max ? len + 1 : len, false, RET_IP);
	return len;
}

/* Bytes strncmp() reads from each string: up to the first difference or
 * terminator, at most @n. */
static size_t cmp_span(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i] || !a[i])
			return i + 1;
	return n;
}

int sim_kapi_strcmp(const char *a, const char *b,
		    const struct sim_kapi_site *site)
{
	size_t n = cmp_span(a, b, SIZE_MAX);

	mm_check(a, n, false, RET_IP);
	mm_check(b, n, false, RET_IP);
	return strcmp(a, b);
}

int sim_kapi_strncmp(const char *a, const char *b, size_t n,
		     const struct sim_kapi_site *site)
{
	size_t span = cmp_span(a, b, n);

	mm_check(a, span, false, RET_IP);
	mm_check(b, span, false, RET_IP);
	return strncmp(a, b, n);
}

char *sim_kapi_strcpy(char *dst, const char *src,
		      const struct sim_kapi_site *site)
{
	size_t len = strlen(src) + 1;

	mm_check(src, len, false, RET_IP);
	mm_check(dst, len, true, RET_IP);
	return memcpy(dst, src, len);
}

char *sim_kapi_strncpy(char *dst, const char *src, size_t n,
		       const struct sim_kapi_site *site)
{
	size_t len = strnlen(src, n);

	mm_check(src, len < n ? len + 1 : len, false, RET_IP);
	mm_check(dst, n, true, RET_IP);
	return strncpy(dst, src, n);
}

char *sim_kapi_strcat(char *dst, const char *src,
		      const struct sim_kapi_site *site)
{
	size_t dlen = strlen(dst), slen = strlen(src) + 1;

	mm_check(dst, dlen, false, RET_IP);
	mm_check(src, slen, false, RET_IP);
	mm_check(dst + dlen, slen, true, RET_IP);
	memcpy(dst + dlen, src, slen);
	return dst;
}

long sim_kapi_strscpy(char *dst, const char *src, size_t count,
		      const struct sim_kapi_site *site)
{
	size_t len;

	if (!count)
		return -E2BIG;
	len = strnlen(src, count);
	mm_check(src, len < count ? len + 1 : len, false, RET_IP);
	if (len == count) {
		/* Truncated: count - 1 bytes and the terminator. */
		mm_check(dst, count, true, RET_IP);
		memcpy(dst, src, count - 1);
		dst[count - 1] = '\0';
		return -E2BIG;
	}
	mm_check(dst, len + 1, true, RET_IP);
	memcpy(dst, src, len + 1);
	return (long)len;
}

size_t sim_kapi_strlcpy(char *dst, const char *src, size_t size,
			const struct sim_kapi_site *site)
{
	size_t len = strlen(src);

	mm_check(src, len + 1, false, RET_IP);
	if (size) {
		size_t n = len >= size ? size - 1 : len;

		mm_check(dst, n + 1, true, RET_IP);
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

char *sim_kapi_strchr(const char *s, int c, const struct sim_kapi_site *site)
{
	const char *p = strchr(s, c);

	mm_check(s, p ? (size_t)(p - s) + 1 : strlen(s) + 1, false, RET_IP);
	return (char *)p;
}

char *sim_kapi_strrchr(const char *s, int c, const struct sim_kapi_site *site)
{
	mm_check(s, strlen(s) + 1, false, RET_IP);
	return strrchr(s, c);
}

char *sim_kapi_strstr(const char *haystack, const char *needle,
		      const struct sim_kapi_site *site)
{
	mm_check(haystack, strlen(haystack) + 1, false, RET_IP);
	mm_check(needle, strlen(needle) + 1, false, RET_IP);
	return strstr(haystack, needle);
}
