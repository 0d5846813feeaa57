// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the driver-side half of tests/kapi/test-mm.c: small
 * functions in kernel style, compiled like the drivers (the KASAN outline
 * instrumentation and the shim headers first on the include path), so the
 * test exercises the real __asan_* hooks and shim macros. It sits between
 * that test, which runs each function in a simulated task, and the memory
 * shim (sim/kapi/mm.c) and heap (sim/heap.c).
 *
 * Each buggy function does one thing wrong and names it; the accesses that
 * must be checked go through READ_ONCE()/WRITE_ONCE() so the compiler keeps
 * them even where they are plainly undefined.
 */
#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/vmalloc.h>

#include "test-mm-helper.h"

noinline int mm_helper_uaf_read(void)
{
	int *p = kmalloc(4 * sizeof(int), GFP_KERNEL);

	if (!p)
		return -1;
	p[1] = 7;
	kfree(p);
	return READ_ONCE(p[1]);
}

noinline void mm_helper_oob_write(void)
{
	char *p = kmalloc(40, GFP_KERNEL);

	if (!p)
		return;
	WRITE_ONCE(p[40], 1);
	kfree(p);
}

noinline void mm_helper_double_free(void)
{
	void *p = kzalloc(32, GFP_KERNEL);

	kfree(p);
	kfree(p);
	/* Not a tail call: keep this frame on the stack the report shows. */
	barrier();
}

noinline void mm_helper_invalid_free(void)
{
	char *p = kzalloc(32, GFP_KERNEL);

	kfree(p + 8);
}

/* Two pages mapped, unmapped, then written: race 1's fault, alone. */
noinline void mm_helper_write_after_vunmap(void)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 1);
	struct page *pages[2];
	u32 *ring;

	if (!page)
		return;
	pages[0] = page;
	pages[1] = nth_page(page, 1);
	ring = vmap(pages, 2, VM_MAP, PAGE_KERNEL);
	if (!ring)
		return;
	ring[0] = 1;
	vunmap(ring);
	WRITE_ONCE(ring[1024 + 3], 2);
}

noinline void mm_helper_double_vunmap(void)
{
	struct page *page = alloc_page(GFP_KERNEL);
	void *v = vmap(&page, 1, VM_MAP, PAGE_KERNEL);

	vunmap(v);
	vunmap(v);
}

noinline void mm_helper_vmap_not_contiguous(void)
{
	struct page *a = alloc_page(GFP_KERNEL);
	struct page *b = alloc_page(GFP_KERNEL);
	struct page *pages[2] = { b, a };
	void *v = vmap(pages, 2, VM_MAP, PAGE_KERNEL);

	(void)v;
}

noinline int mm_helper_page_uaf_read(void)
{
	struct page *page = alloc_page(GFP_KERNEL);
	u8 *va = page_address(page);

	__free_page(page);
	return READ_ONCE(va[100]);
}

noinline void mm_helper_memcpy_from_freed(void)
{
	char buf[16];
	char *p = kzalloc(sizeof(buf), GFP_KERNEL);

	kfree(p);
	memcpy(buf, p, sizeof(buf));
}

noinline void mm_helper_strlen_past_end(void)
{
	char *p = kmalloc(8, GFP_KERNEL);

	/* No terminator inside the object: strlen() walks past it. */
	memset(p, 'x', 8);
	/* A tail call: the report still names this function (call site). */
	(void)strlen(p);
}

/*
 * Everything done right: must stay quiet. Returns a checksum so the test
 * can tell the work happened.
 */
noinline uint64_t mm_helper_quiet(void)
{
	u64 sum = 0;
	char *s, *d, *big;
	struct page *page, *pages[4];
	unsigned long addr;
	u32 *ring, *vm;
	size_t i;

	s = kmalloc(40, GFP_KERNEL);
	for (i = 0; i < 40; i++)
		s[i] = (char)i;
	for (i = 0; i < 40; i++)
		sum += (u8)s[i];
	d = kmemdup(s, 40, GFP_KERNEL);
	sum += memcmp(s, d, 40) == 0;
	memmove(d + 1, d, 39);
	memset(d, 0, 40);
	/* ksize() grants the whole slot. */
	sum += ksize(s);
	s[63] = 1;
	kfree(d);
	kfree(s);

	d = kstrdup("storvsc", GFP_KERNEL);
	sum += strlen(d) + (strcmp(d, "storvsc") == 0);
	s = kzalloc(8, GFP_KERNEL);
	sum += strscpy(s, d, 8) == 7;
	sum += strscpy(s, "too long for it", 8) < 0;
	sum += strchr(d, 'v') - d;
	kfree(s);
	d = krealloc(d, 100, GFP_KERNEL);
	d[99] = 0;
	sum += strlen(d);
	kfree(d);

	big = kcalloc(3000, 4, GFP_KERNEL);	/* kmalloc_large */
	big[3000 * 4 - 1] = 1;
	sum += big[0] == 0;
	kvfree(big);

	page = alloc_pages(GFP_KERNEL, 2);
	for (i = 0; i < 4; i++)
		pages[i] = nth_page(page, i);
	ring = vmap(pages, 4, VM_MAP, PAGE_KERNEL);
	ring[4 * 1024 - 1] = 3;
	sum += ((u32 *)page_address(page))[4 * 1024 - 1];
	sum += page_to_pfn(nth_page(page, 1)) - page_to_pfn(page);
	sum += phys_to_virt(virt_to_phys(ring)) == NULL;
	sum += phys_to_virt(virt_to_phys(page_address(page) + 5)) ==
		(void *)((char *)page_address(page) + 5);
	sum += is_vmalloc_addr(ring) && !is_vmalloc_addr(page);
	sum += vmalloc_to_page((char *)ring + PAGE_SIZE) == nth_page(page, 1);
	vunmap(ring);
	__free_pages(page, 2);

	addr = get_zeroed_page(GFP_KERNEL);
	sum += ((u8 *)addr)[4095] == 0;
	free_page(addr);

	vm = vzalloc(3 * PAGE_SIZE);
	vm[3 * 1024 - 1] = 9;
	sum += vm[3 * 1024 - 1];
	vfree(vm);

	/* Freed, and never touched again. */
	kfree(kmalloc(16, GFP_ATOMIC));
	return sum;
}

noinline void mm_helper_leak(void)
{
	char *p = kmalloc(24, GFP_KERNEL);

	p[0] = 'l';
}

noinline void mm_helper_alloc_kernel(void)
{
	kfree(kmalloc(16, GFP_KERNEL));
}

noinline void mm_helper_alloc_atomic(void)
{
	kfree(kmalloc(16, GFP_ATOMIC));
}

noinline uint64_t mm_helper_read_loop(const uint64_t *p, unsigned long n)
{
	uint64_t sum = 0;
	unsigned long i;

	for (i = 0; i < n; i++)
		sum += READ_ONCE(*p);
	return sum;
}
