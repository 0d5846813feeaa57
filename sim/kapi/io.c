// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements MMIO for the simulated kernel: ioremap() and
 * iounmap() of physical ranges that device models serve, and the
 * readl()/writel() family that reaches the model's registers through a
 * mapping. It sits between drivers (<linux/io.h>) and the models, which
 * register their register windows with sim_kapi_mmio_register()
 * (sim/kapi/hw.h).
 *
 * A mapping is named by a cookie, an address in a range nothing else uses
 * (SIM_IOMEM_BASE + slot * SIM_IOMEM_SLOT), never by a host pointer: the
 * driver only ever hands it back to the accessors, and printed addresses
 * stay the same from run to run. An access through a mapping that was
 * iounmap()ed, or outside any mapping, is the kernel's page fault oops
 * ("BUG: unable to handle page fault for address: ..."), which is what a
 * driver that reads registers through a stale dev->bar gets. A mapping of
 * a range no model serves reads all-ones and drops writes, as an
 * unclaimed bus region does.
 *
 * writel() and friends are scheduling points (a doorbell write starts the
 * device); reads are not, like the kernel's, whose interleavings come from
 * the locks around them.
 */
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "sim/kapi/exec.h"
#include "sim/kapi/hw_priv.h"
#include "sim/kapi/kapi.h"
#include "sim/report.h"
#include "sim/trace.h"
#include "sim/world.h"

#include <linux/io.h>

#define NO_WINDOW	G_MAXUINT

void sim__kapi_io_reset(SimKapiHw *hw)
{
	g_array_set_size(hw->maps, 0);
}

void sim_kapi_mmio_register(SimWorld *w, uint64_t base, uint64_t size,
			    const SimMmioOps *ops, void *priv,
			    const char *name)
{
	SimKapiHw *hw = sim__kapi_hw(w);
	SimMmioWindow win = { base, size, ops, priv, name };
	guint i;

	for (i = 0; i < hw->windows->len; i++) {
		const SimMmioWindow *o = &g_array_index(hw->windows,
							SimMmioWindow, i);

		g_assert(base + size <= o->base || o->base + o->size <= base);
	}
	g_array_append_val(hw->windows, win);
}

static guint window_of(SimKapiHw *hw, uint64_t phys, uint64_t size)
{
	guint i;

	for (i = 0; i < hw->windows->len; i++) {
		const SimMmioWindow *o = &g_array_index(hw->windows,
							SimMmioWindow, i);

		if (phys >= o->base && phys + size <= o->base + o->size)
			return i;
	}
	return NO_WINDOW;
}

void __iomem *sim_kapi_ioremap(phys_addr_t phys, size_t size,
			       const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("ioremap");
	SimKapiHw *hw = sim__kapi_hw(w);
	SimMmioMap map = { phys, size, window_of(hw, phys, size), true, 0 };
	uintptr_t cookie;

	/* get_vm_area() and the page tables: GFP_KERNEL allocations. */
	sim_might_sleep(w, site->func, site->file, site->line);
	sim_yield(w);
	if (!size || size > SIM_IOMEM_SLOT ||
	    hw->maps->len >= SIM_IOMEM_SLOTS)
		return NULL;
	map.id = sim_obj_id(w);
	g_array_append_val(hw->maps, map);
	cookie = SIM_IOMEM_BASE + (uintptr_t)(hw->maps->len - 1) *
		 SIM_IOMEM_SLOT;
	sim_trace(w, SIM_TR_VMAP, map.id, "ioremap", site->func,
		  (int64_t)phys, 0);
	return (void __iomem *)cookie;
}

void sim_kapi_iounmap(volatile void __iomem *addr,
		      const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("iounmap");
	SimKapiHw *hw = sim__kapi_hw(w);
	uintptr_t a = (uintptr_t)addr;
	SimMmioMap *map = NULL;
	guint slot;

	sim_might_sleep(w, site->func, site->file, site->line);
	sim_yield(w);
	if (!addr)
		return;
	slot = (guint)((a - SIM_IOMEM_BASE) / SIM_IOMEM_SLOT);
	if (a >= SIM_IOMEM_BASE && (a - SIM_IOMEM_BASE) % SIM_IOMEM_SLOT == 0 &&
	    slot < hw->maps->len)
		map = &g_array_index(hw->maps, SimMmioMap, slot);
	if (!map || !map->live) {
		sim__kapi_warn(w, site, "iounmap: bad address %016" PRIxPTR, a);
		return;
	}
	map->live = false;
	sim_trace(w, SIM_TR_VUNMAP, map->id, "iounmap", site->func,
		  (int64_t)map->phys, 0);
}

/* The oops of an access through no live mapping. Does not return.
 * Inlined, like resolve(), so the call trace starts at the driver. */
SIM_KAPI_INLINE _Noreturn void iomem_fault(SimWorld *w, uintptr_t a, bool write,
				  const struct sim_kapi_site *site,
				  const SimMmioMap *map)
{
	SimTask *t = sim__kapi_task("readl");
	SimReport *r;
	SimStack s;

	sim__kapi_capture(&s);
	r = sim_report_new(w, SIM_BUG_PAGE_FAULT, site->func,
			   "BUG: unable to handle page fault for address: "
			   "%016" PRIxPTR, a);
	sim_report_line(r, "#PF: supervisor %s access in kernel mode",
			write ? "write" : "read");
	sim_report_line(r, "#PF: error_code(0x%04x) - not-present page",
			write ? 2 : 0);
	sim_report_line(r, "Oops: %04x [#1] PREEMPT SMP KASAN NOPTI",
			write ? 2 : 0);
	sim_report_identity(r, w, t);
	sim_report_line(r, "RIP: 0010:%s", site->func);
	sim_report_stack(r, &s, TRUE);
	sim_report_modules(r, w);
	sim_report_line(r, "CR2: %016" PRIxPTR, a);
	if (map)
		sim_report_line(r, "hvsim: %016" PRIxPTR " is in an ioremap() "
				"of %#" PRIx64 " that was iounmap()ed", a,
				map->phys);
	else
		sim_report_line(r, "hvsim: %016" PRIxPTR " is in no ioremap() "
				"of this execution", a);
	sim_report_raise_task(w, r);
}

/* The window and offset an access of @size at cookie @a reaches. */
SIM_KAPI_INLINE const SimMmioWindow *resolve(SimWorld *w, SimKapiHw *hw, uintptr_t a,
				    unsigned int size, bool write,
				    const struct sim_kapi_site *site,
				    uint64_t *off, uint32_t *id)
{
	uintptr_t rel = a - SIM_IOMEM_BASE;
	SimMmioMap *map = NULL;
	guint slot = (guint)(rel / SIM_IOMEM_SLOT);

	if (a >= SIM_IOMEM_BASE && slot < hw->maps->len)
		map = &g_array_index(hw->maps, SimMmioMap, slot);
	if (!map || !map->live || rel % SIM_IOMEM_SLOT + size > map->size)
		iomem_fault(w, a, write, site, map && !map->live ? map : NULL);
	*id = map->id;
	if (map->window == NO_WINDOW)
		return NULL;
	{
		const SimMmioWindow *win = &g_array_index(hw->windows,
							  SimMmioWindow,
							  map->window);

		*off = map->phys - win->base + rel % SIM_IOMEM_SLOT;
		return win;
	}
}

uint64_t sim_kapi_mmio_read(const volatile void __iomem *addr,
			    unsigned int size,
			    const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("readl");
	SimKapiHw *hw = sim__kapi_hw(w);
	const SimMmioWindow *win;
	uint64_t off = 0, val;
	uint32_t id = 0;

	win = resolve(w, hw, (uintptr_t)addr, size, false, site, &off, &id);
	if (!win)
		return size == 8 ? ~(uint64_t)0 : (((uint64_t)1 << (8 * size)) - 1);
	val = win->ops->read(win->priv, off, size);
	if (size < 8)
		val &= ((uint64_t)1 << (8 * size)) - 1;
	return val;
}

void sim_kapi_mmio_write(volatile void __iomem *addr, unsigned int size,
			 uint64_t val, const struct sim_kapi_site *site)
{
	SimWorld *w = sim__kapi_world("writel");
	SimKapiHw *hw = sim__kapi_hw(w);
	const SimMmioWindow *win;
	uint64_t off = 0;
	uint32_t id = 0;

	sim_yield(w);
	win = resolve(w, hw, (uintptr_t)addr, size, true, site, &off, &id);
	sim_trace(w, SIM_TR_GUEST_TX, id, win ? win->name : "mmio",
		  site->func, (int64_t)off, 0);
	if (win)
		win->ops->write(win->priv, off, size, val);
}
