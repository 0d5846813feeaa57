/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the per-world record of the simulated platform that
 * the IRQ core (sim/kapi/irq.c) and the MMIO part of the shim
 * (sim/kapi/io.c) share: the interrupt descriptors, the MMIO windows the
 * models serve and the mappings drivers made. It sits between those two
 * files; nothing else includes it.
 *
 * The record lives in the world's SIM_EXT_KAPI_HW slot and resets itself
 * when w->run_serial changes.
 */
#ifndef HVSIM_KAPI_HW_PRIV_H
#define HVSIM_KAPI_HW_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "sim/world.h"
#include "sim/kapi/hw.h"

#include <linux/interrupt.h>
#include <linux/irqdesc.h>
#include <linux/mutex.h>

/* One interrupt line: the kernel's struct irq_desc, reduced. */
typedef struct SimIrqDesc {
	unsigned int irq;
	bool allocated;			/* legacy, or by irq_alloc_descs() */
	struct irqaction *action;	/* the handlers, in request order */
	struct mutex request_mutex;	/* request_threaded_irq / free_irq */
	unsigned int depth;		/* disable_irq() nesting */
	bool pending;			/* raised, handlers not run yet */
	bool in_progress;		/* handlers running (IRQD_IRQ_INPROGRESS) */
	unsigned int threads_active;	/* irq threads woken, not done */
	uint64_t handled, spurious;
	const struct irq_chip *chip;	/* masks and unmasks the line */
	void *chip_data;
	SimTask *task;			/* "hardirq/<irq>", this execution */
	uint32_t id;			/* world-local object id, 0: none yet */
} SimIrqDesc;

/* A window of physical address space a model serves. */
typedef struct {
	uint64_t base, size;
	const SimMmioOps *ops;
	void *priv;
	const char *name;
} SimMmioWindow;

/* One ioremap() of this execution. */
typedef struct {
	uint64_t phys, size;
	guint window;			/* index into windows */
	bool live;			/* not iounmap()ed yet */
	uint32_t id;
} SimMmioMap;

typedef struct {
	SimWorld *w;
	uint64_t run_serial;		/* execution the fields below are for */

	/* IRQ core, per execution. */
	SimIrqDesc descs[SIM_IRQ_NR];
	struct mutex sparse_irq_lock;	/* irq_alloc_descs / irq_free_descs */
	GPtrArray *actions;		/* every struct irqaction alive */

	/* MMIO: windows for the world's life, mappings per execution. */
	GArray *windows;		/* SimMmioWindow */
	GArray *maps;			/* SimMmioMap, index = cookie slot */

	/* Task names, interned for the life of the world (traces point
	 * at them after the execution). */
	GHashTable *strings;
} SimKapiHw;

/* The record of @w, attached on first use and reset when a new execution
 * started. Engine or task context. */
SimKapiHw *sim__kapi_hw(SimWorld *w);

/* A copy of @s that lives as long as the world. */
const char *sim__kapi_hw_intern(SimKapiHw *hw, const char *s);

/* Per-execution reset of the MMIO part (sim/kapi/io.c). */
void sim__kapi_io_reset(SimKapiHw *hw);

#endif /* HVSIM_KAPI_HW_PRIV_H */
