/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/dma-mapping.h>: coherent DMA memory as whole zeroed
 * pages of the simulated heap, whose bus address is their physical
 * address (no IOMMU), so a device model reaches them by page frame
 * number. Masks always fit. A copy of kernel semantics for what drivers
 * see; customised in that there is no IOMMU, no bounce buffering and no
 * streaming mappings.
 */
#ifndef _LINUX_DMA_MAPPING_H
#define _LINUX_DMA_MAPPING_H

#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/types.h>

#define DMA_BIT_MASK(n)	(((n) == 64) ? ~0ULL : ((1ULL << (n)) - 1))

static inline int dma_set_mask_and_coherent(struct device *dev, u64 mask)
{
	return 0;
}

static inline int dma_set_max_seg_size(struct device *dev, unsigned int size)
{
	return 0;
}

#define dma_alloc_coherent(dev, size, dma_handle, gfp)			\
({									\
	void *__va = (void *)__get_free_pages((gfp) | __GFP_ZERO,	\
					      get_order(size));		\
	*(dma_handle) = __va ? (dma_addr_t)virt_to_phys(__va) : 0;	\
	__va;								\
})

#define dma_free_coherent(dev, size, cpu_addr, dma_handle)		\
	free_pages((unsigned long)(cpu_addr), get_order(size))

#endif /* _LINUX_DMA_MAPPING_H */
