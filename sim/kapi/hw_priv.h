/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the per-world record of the simulated platform that
 * the IRQ core (sim/kapi/irq.c) and the MMIO part of the shim
 * (sim/kapi/io.c) share: the interrupt descriptors, the MMIO windows the
 * models serve and the mappings drivers made. It sits between those two
 * files; nothing else includes it but the IRQ core's tests
 * (tests/kapi/test-irq.c), for the descriptor's layout.
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

/*
 * The kernel's struct irq_desc, reduced to what the IRQ core of the shim
 * uses, with the kernel's field names in the kernel's order (v5.13,
 * x86-64, no lockdep) so that a KASAN report's access sizes and offsets
 * read like the kernel's (close to its offsets, not equal to them).
 * Fields the shim never touches are kept where they shape the layout.
 *
 * Lifetime, as with sparse IRQs: a legacy line's descriptor is static
 * (SimKapiHw.legacy, the kernel's early irq_desc allocation that is never
 * freed); every other one is kzalloc()ed on the simulated heap by
 * __irq_alloc_descs() and kfree()d by irq_free_descs(). A task that
 * looked a descriptor up and touches it after irq_free_descs() is doing
 * a use after free: the IRQ core checks its own accesses (sim/kapi/irq.c).
 */
struct irq_desc {
	struct {				/* struct irq_common_data */
		unsigned int state_use_accessors; /* IRQD_IRQ_INPROGRESS */
		unsigned int node;
		void *handler_data;
		void *msi_desc;
	} irq_common_data;
	struct {				/* struct irq_data */
		uint32_t mask;
		unsigned int irq;
		unsigned long hwirq;
		void *common;
		const struct irq_chip *chip;	/* masks and unmasks the line */
		void *domain;
		void *parent_data;
		void *chip_data;
	} irq_data;
	unsigned int *kstat_irqs;
	void *handle_irq;
	struct irqaction *action;	/* the handlers, in request order */
	unsigned int status_use_accessors;
	unsigned int istate;		/* IRQS_PENDING: raised, not handled */
	unsigned int depth;		/* disable_irq() nesting */
	unsigned int wake_depth;
	unsigned int tot_count;
	unsigned int irq_count;
	unsigned long last_unhandled;
	unsigned int irqs_unhandled;
	int threads_handled;
	int threads_handled_last;
	unsigned int lock;		/* raw_spinlock_t: not modelled */
	unsigned long threads_oneshot;
	int threads_active;		/* irq threads woken, not done */
	struct {			/* wait_queue_head_t wait_for_threads */
		unsigned int lock;
		void *next, *prev;
	} wait_for_threads;
	unsigned int nr_actions;
	void *dir;
	struct {			/* struct rcu_head rcu */
		void *next, *func;
	} rcu;
	struct mutex request_mutex;	/* request_threaded_irq / free_irq */
	int parent_irq;
	void *owner;
	const char *name;
};

/*
 * One IRQ number: the kernel's radix tree slot (irq_to_desc()) and what
 * the simulator keeps per line across descriptors.
 */
typedef struct SimIrqDesc {
	unsigned int irq;
	struct irq_desc *desc;		/* NULL: no descriptor (not allocated) */
	uint64_t handled, spurious;	/* of the current descriptor */
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
	struct irq_desc legacy[SIM_IRQ_NR_LEGACY]; /* static descriptors */
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
