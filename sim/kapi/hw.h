/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the simulated platform as the kernel-API shim sees
 * it: the interrupt lines that device models raise into the IRQ core
 * (sim/kapi/irq.c) and the physical MMIO address space that ioremap()
 * maps (sim/kapi/io.c). It sits between the device models (models/),
 * which raise interrupts and register their register windows from engine
 * context, and the shim files that implement <linux/interrupt.h>,
 * <linux/irq.h> and <linux/io.h> for drivers.
 *
 * Interrupts. An interrupt line is an IRQ number of the IRQ core: lines
 * 0..SIM_IRQ_NR_LEGACY-1 always exist (the legacy GSIs an INTx pin is
 * routed to), the others are allocated by irq_alloc_descs() (the MSI
 * core's vectors). sim_kapi_irq_raise() is the CPU taking the interrupt:
 * the line's handlers run in a task of their own in hardirq context, named
 * "hardirq/<irq>", created at the first interrupt (the kernel runs them on
 * whatever task the CPU interrupted; a task of their own lets the handler
 * interleave at its scheduling points like a second CPU, and makes reports
 * name it). An interrupt raised while the handlers run runs them once more
 * afterwards (edge semantics); one raised on a line with no handler, or on
 * a line that does not exist, is counted as spurious and dropped.
 *
 * MMIO. A model registers a window of physical address space with read
 * and write callbacks; ioremap() of a range inside a window returns a
 * cookie that readl()/writel() resolve back to the window. The callbacks
 * run synchronously in the context of the driver task that made the
 * access (they must not block; they may queue events). Windows live as
 * long as the world; mappings are per execution.
 *
 * All state is per world, reset lazily at the first use in a new
 * execution. Customised for the harness; no kernel counterpart.
 */
#ifndef HVSIM_KAPI_HW_H
#define HVSIM_KAPI_HW_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim.h"

/* The IRQ numbers of the simulated machine. */
#define SIM_IRQ_NR		256
#define SIM_IRQ_NR_LEGACY	24

/*
 * sim_kapi_irq_raise - the interrupt on line @irq reaches the CPU. Engine
 * or task context; never blocks, never a scheduling point (the handler
 * task becomes runnable and runs at the scheduler's choice).
 */
void sim_kapi_irq_raise(SimWorld *w, unsigned int irq);

/* Introspection for models and tests; none of these changes anything. */
bool sim_kapi_irq_exists(SimWorld *w, unsigned int irq);
unsigned int sim_kapi_irq_nr_actions(SimWorld *w, unsigned int irq);
/* Interrupts dropped on @irq in this execution (no handler, no line). */
uint64_t sim_kapi_irq_spurious(SimWorld *w, unsigned int irq);
/* Times the handlers of @irq ran in this execution. */
uint64_t sim_kapi_irq_handled(SimWorld *w, unsigned int irq);

/* A window of MMIO registers, served by a model. */
typedef struct {
	/* @off from the window's base; @size 1, 2, 4 or 8. */
	uint64_t (*read)(void *priv, uint64_t off, unsigned int size);
	void (*write)(void *priv, uint64_t off, unsigned int size,
		      uint64_t val);
} SimMmioOps;

/*
 * sim_kapi_mmio_register - serve [@base, @base + @size) with @ops. @name
 * (static) names the window in traces. Windows must not overlap. Engine
 * context, typically a model's create function; lives with the world.
 */
void sim_kapi_mmio_register(SimWorld *w, uint64_t base, uint64_t size,
			    const SimMmioOps *ops, void *priv,
			    const char *name);

#endif /* HVSIM_KAPI_HW_H */
