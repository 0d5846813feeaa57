/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/mm.h> (with the page allocator calls of <linux/gfp.h>,
 * the PAGE_* and pfn helpers of asm/page.h and linux/pfn.h, and
 * get_order()). Copies kernel semantics for sizes, orders and pfn
 * arithmetic.
 *
 * Customised for the harness: struct page is not a descriptor. A struct
 * page pointer is the page's address in the simulated direct map, and
 * sizeof(struct page) is PAGE_SIZE, so "page + i", nth_page() and
 * page_address() are plain address arithmetic and a driver can never read
 * a page flag that the simulator does not model. Pages come from the
 * simulated heap (sim/heap.h): allocations are checked by KASAN, frames
 * number the simulated direct map (virt_to_phys() of a kmalloc buffer
 * works, as drivers that hand buffers to the host expect), and there is no
 * page refcount (no get_page()/put_page()).
 */
#ifndef _LINUX_MM_H
#define _LINUX_MM_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/topology.h>
#include <linux/types.h>
#include <sim/kapi/mm.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(addr)	(((addr) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGNED(addr)	((((unsigned long)(addr)) & (PAGE_SIZE - 1)) == 0)
#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)

/* Orders 0 .. MAX_ORDER - 1, as in v5.x. */
#define MAX_ORDER		11

/* Address arithmetic only; see the header comment. */
struct page {
	unsigned char __sim_bytes[PAGE_SIZE];
};

/* Page protections, for vmap(); the simulator maps everything RW. */
typedef struct {
	unsigned long pgprot;
} pgprot_t;
#define __pgprot(x)		((pgprot_t){ (x) })
#define pgprot_val(x)		((x).pgprot)
#define PAGE_KERNEL		__pgprot(0x8000000000000163UL)

/* ------------------------------------------------------------ get_order -- */

static inline int __get_order(unsigned long size)
{
	int order = 0;

	size = (size - 1) >> PAGE_SHIFT;
	while (size) {
		order++;
		size >>= 1;
	}
	return order;
}

/*
 * The smallest order whose block holds @size bytes. Usable in constant
 * expressions for a constant @size; get_order(0) is undefined, as in the
 * kernel (it yields BITS_PER_LONG - PAGE_SHIFT).
 */
#define get_order(n)							\
	(__builtin_constant_p(n) ?					\
	 ((n) == 0UL ? BITS_PER_LONG - PAGE_SHIFT :			\
	  (n) <= PAGE_SIZE ? 0 :					\
	  (int)(BITS_PER_LONG - __builtin_clzl((unsigned long)(n) - 1) -	\
		PAGE_SHIFT)) :						\
	 __get_order(n))

/* ------------------------------------------------------- page allocator -- */

#define alloc_pages(gfp_mask, order)					\
	sim_kapi_alloc_pages((gfp_mask), (order), SIM_KAPI_SITE(NULL))
#define alloc_page(gfp_mask)		alloc_pages(gfp_mask, 0)
/* One NUMA node (see <linux/topology.h>): the node is evaluated, unused. */
#define alloc_pages_node(nid, gfp_mask, order)				\
	((void)(nid), alloc_pages(gfp_mask, order))
#define __get_free_pages(gfp_mask, order)				\
	sim_kapi_get_free_pages((gfp_mask), (order), SIM_KAPI_SITE(NULL))
#define __get_free_page(gfp_mask)	__get_free_pages(gfp_mask, 0)
#define get_zeroed_page(gfp_mask)	__get_free_pages((gfp_mask) | __GFP_ZERO, 0)

#define __free_pages(page, order)					\
	sim_kapi_free_pages((page), (order), SIM_KAPI_SITE(NULL))
#define __free_page(page)		__free_pages(page, 0)
/* free_pages(0, order) is a no-op, as in the kernel. */
#define free_pages(addr, order)						\
	sim_kapi_free_pages((const void *)(unsigned long)(addr), (order),	\
			    SIM_KAPI_SITE(NULL))
#define free_page(addr)			free_pages(addr, 0)

/* -------------------------------------------------------- address maps -- */

static inline void *page_address(const struct page *page)
{
	return (void *)page;
}
#define lowmem_page_address(page)	page_address(page)
#define page_to_virt(page)		page_address(page)

static inline struct page *virt_to_page(const volatile void *addr)
{
	return (struct page *)((unsigned long)addr & PAGE_MASK);
}
#define virt_to_head_page(addr)		virt_to_page(addr)

#define nth_page(page, n)		((page) + (n))

#define page_to_pfn(page)		sim_kapi_page_to_pfn(page)
#define pfn_to_page(pfn)		sim_kapi_pfn_to_page(pfn)

static inline phys_addr_t virt_to_phys(const volatile void *address)
{
	return sim_kapi_virt_to_phys(address);
}

static inline void *phys_to_virt(phys_addr_t address)
{
	return sim_kapi_phys_to_virt(address);
}

#define __pa(x)			virt_to_phys((const volatile void *)(x))
#define __va(x)			phys_to_virt((phys_addr_t)(x))

#define PFN_ALIGN(x)		(((unsigned long)(x) + (PAGE_SIZE - 1)) & PAGE_MASK)
#define PFN_UP(x)		(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)		((x) >> PAGE_SHIFT)
#define PFN_PHYS(x)		((phys_addr_t)(x) << PAGE_SHIFT)
#define PHYS_PFN(x)		((unsigned long)((x) >> PAGE_SHIFT))
#define page_to_phys(page)	PFN_PHYS(page_to_pfn(page))
#define phys_to_page(phys)	pfn_to_page(PHYS_PFN(phys))
#define virt_to_pfn(kaddr)	PHYS_PFN(virt_to_phys(kaddr))

/* ---------------------------------------------------------- vmalloc'd -- */

static inline bool is_vmalloc_addr(const void *x)
{
	return sim_kapi_is_vmalloc_addr(x);
}

static inline struct page *vmalloc_to_page(const void *addr)
{
	return sim_kapi_vmalloc_to_page(addr);
}

static inline unsigned long vmalloc_to_pfn(const void *addr)
{
	return page_to_pfn(vmalloc_to_page(addr));
}

#endif /* _LINUX_MM_H */
