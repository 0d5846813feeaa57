/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/vmalloc.h>. Copies kernel semantics for vmap(), vunmap(),
 * vmalloc(), vzalloc() and vfree() as a driver sees them: all but vfree()
 * may sleep (might_sleep() is checked); vfree() may be called from any
 * context, as the kernel allows; vunmap(NULL) and vfree(NULL) do nothing, and
 * unmapping an area that is not mapped is the kernel's WARN.
 *
 * Customised for the harness: vmap() only maps pages that are contiguous
 * in the simulated direct map (the simulated heap returns their vmalloc
 * alias: no page-table work, see sim/heap.h) and WARNs otherwise; an access
 * to an address after vunmap() is the kernel's page-fault oops. vmalloc()
 * takes one block of 2^order pages and maps it the same way. The @prot of
 * vmap() is evaluated and ignored: every mapping is read-write.
 */
#ifndef _LINUX_VMALLOC_H
#define _LINUX_VMALLOC_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/types.h>
#include <sim/kapi/mm.h>

/* vm_struct flags; only VM_MAP matters to drivers that call vmap(). */
#define VM_IOREMAP		0x00000001
#define VM_ALLOC		0x00000002
#define VM_MAP			0x00000004
#define VM_USERMAP		0x00000008

#define vmap(pages, count, flags, prot)					\
	((void)(prot), sim_kapi_vmap((pages), (count), (flags),		\
				     SIM_KAPI_SITE(NULL)))
#define vunmap(addr)		sim_kapi_vunmap((addr), SIM_KAPI_SITE(NULL))

#define vmalloc(size)							\
	sim_kapi_vmalloc((size), GFP_KERNEL, SIM_KAPI_SITE(NULL))
#define vzalloc(size)							\
	sim_kapi_vmalloc((size), GFP_KERNEL | __GFP_ZERO, SIM_KAPI_SITE(NULL))
#define vmalloc_node(size, node)	((void)(node), vmalloc(size))
#define vzalloc_node(size, node)	((void)(node), vzalloc(size))
#define vfree(addr)		sim_kapi_vfree((addr), SIM_KAPI_SITE(NULL))

#endif /* _LINUX_VMALLOC_H */
