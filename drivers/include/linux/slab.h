/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/slab.h>. Copies kernel semantics as a driver sees them:
 * the kmalloc-<n> size classes, ZERO_SIZE_PTR for a zero-byte request,
 * kfree(NULL) and kfree(ZERO_SIZE_PTR) doing nothing, kmalloc_array() and
 * kcalloc() failing on overflow, ksize() returning the whole slot, and an
 * allocation whose flags allow blocking (GFP_KERNEL) running might_sleep(),
 * so one made in atomic context is reported as "BUG: sleeping function
 * called from invalid context".
 *
 * Customised for the harness: every call goes to the simulated heap
 * (sim/heap.h) with the driver's call site, so KASAN reports and traces
 * name the driver function; memory is filled with 0xbe unless zeroed; a
 * freed object is never reused within an execution (an unbounded
 * quarantine), so every use after free is caught; kvmalloc() is always
 * kmalloc(). There are no kmem_caches. Because these are function-like
 * macros, kfree cannot be taken as a function pointer.
 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/string.h>
#include <linux/types.h>
#include <sim/kapi/mm.h>

#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

#define KMALLOC_MAX_CACHE_SIZE	8192UL
#define KMALLOC_MAX_SIZE	(1UL << 22)
#define ARCH_KMALLOC_MINALIGN	8

#define kmalloc(size, flags)						\
	sim_kapi_kmalloc((size), (flags), SIM_KAPI_SITE(NULL))
#define kzalloc(size, flags)						\
	sim_kapi_kmalloc((size), (flags) | __GFP_ZERO, SIM_KAPI_SITE(NULL))
#define kmalloc_array(n, size, flags)					\
	sim_kapi_kmalloc_array((n), (size), (flags), SIM_KAPI_SITE(NULL))
#define kcalloc(n, size, flags)						\
	sim_kapi_kmalloc_array((n), (size), (flags) | __GFP_ZERO,	\
			       SIM_KAPI_SITE(NULL))
#define krealloc(p, new_size, flags)					\
	sim_kapi_krealloc((p), (new_size), (flags), SIM_KAPI_SITE(NULL))
#define kfree(objp)		sim_kapi_kfree((objp), SIM_KAPI_SITE(NULL))
#define kfree_sensitive(objp)						\
	sim_kapi_kfree_sensitive((objp), SIM_KAPI_SITE(NULL))
#define kzfree(objp)		kfree_sensitive(objp)
#define ksize(objp)		sim_kapi_ksize(objp)

/* One NUMA node: the node is evaluated, unused. */
#define kmalloc_node(size, flags, node)	((void)(node), kmalloc(size, flags))
#define kzalloc_node(size, flags, node)	((void)(node), kzalloc(size, flags))
#define kcalloc_node(n, size, flags, node)				\
	((void)(node), kcalloc(n, size, flags))
#define kmalloc_array_node(n, size, flags, node)			\
	((void)(node), kmalloc_array(n, size, flags))

#define kvmalloc(size, flags)		kmalloc(size, flags)
#define kvzalloc(size, flags)		kzalloc(size, flags)
#define kvmalloc_array(n, size, flags)	kmalloc_array(n, size, flags)
#define kvcalloc(n, size, flags)	kcalloc(n, size, flags)
#define kvmalloc_node(size, flags, node) kmalloc_node(size, flags, node)
#define kvzalloc_node(size, flags, node) kzalloc_node(size, flags, node)
#define kvfree(addr)		sim_kapi_kvfree((addr), SIM_KAPI_SITE(NULL))

#endif /* _LINUX_SLAB_H */
