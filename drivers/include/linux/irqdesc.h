/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/irqdesc.h>: the allocation of interrupt descriptors and
 * the lock-free "has this line a handler" test, implemented by the IRQ
 * core (sim/kapi/irq.c). Copies kernel semantics: irq_alloc_descs() takes
 * sparse_irq_lock (a scheduling point) and returns the first of @cnt free
 * consecutive IRQ numbers at or above @from (and above the legacy lines);
 * irq_free_descs() frees them. irq_has_action() reads desc->action
 * without a lock and is not a scheduling point: it sees an action from
 * the moment request_threaded_irq() links it until free_irq() unlinks it.
 *
 * Customised for the harness: there is no struct irq_desc for drivers to
 * see (irq_set_chip_and_data() attaches a chip to a line); the machine has SIM_IRQ_NR (256) lines, the first 24 of which are
 * the legacy GSIs, always present.
 */
#ifndef _LINUX_IRQDESC_H
#define _LINUX_IRQDESC_H

#include <linux/types.h>

struct module;
struct irq_affinity_desc;

#define NR_IRQS			256
#define NR_IRQS_LEGACY		16

bool irq_has_action(unsigned int irq);

/*
 * The interrupt controller behind a line, reduced to what the IRQ core
 * needs: the line is unmasked when its first handler is requested
 * (irq_startup) and masked when its last handler is freed (irq_shutdown).
 * The MSI core sets one on every vector it allocates. Customised: the
 * kernel's callbacks take a struct irq_data.
 */
struct irq_chip {
	const char *name;
	void (*irq_mask)(unsigned int irq, void *chip_data);
	void (*irq_unmask)(unsigned int irq, void *chip_data);
};

int irq_set_chip_and_data(unsigned int irq, const struct irq_chip *chip,
			  void *data);

int __irq_alloc_descs(int irq, unsigned int from, unsigned int cnt, int node,
		      struct module *owner,
		      const struct irq_affinity_desc *affinity);
void irq_free_descs(unsigned int irq, unsigned int cnt);

#define irq_alloc_descs(irq, from, cnt, node)				\
	__irq_alloc_descs(irq, from, cnt, node, NULL, NULL)
#define irq_alloc_desc(node)		irq_alloc_descs(-1, 0, 1, node)
#define irq_free_desc(irq)		irq_free_descs(irq, 1)

#endif /* _LINUX_IRQDESC_H */
