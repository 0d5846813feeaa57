// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the PCI helpers that request and free the IRQ of
 * one of a device's vectors by vector number, as the kernel's
 * drivers/pci/irq.c: pci_request_irq() names the handler from a format
 * and requests pci_irq_vector()'s IRQ shared (oneshot for a threaded one
 * without a primary handler); pci_free_irq() frees it and the name. They
 * sit between drivers (drivers/nvme/host/pci.c) and the IRQ core
 * (sim/kapi/irq.c) with the MSI core's vector lookup (msi.c).
 */
#include <stdarg.h>
#include <stdio.h>

#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "pci.h"

/* kvasprintf(GFP_KERNEL, ...) */
static char *pci_irq_name(const char *fmt, va_list ap)
{
	char buf[64];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	return kstrdup(buf, GFP_KERNEL);
}

int pci_request_irq(struct pci_dev *dev, unsigned int nr,
		    irq_handler_t handler, irq_handler_t thread_fn,
		    void *dev_id, const char *fmt, ...)
{
	va_list ap;
	int ret;
	char *devname;
	unsigned long irqflags = IRQF_SHARED;

	if (!handler)
		irqflags |= IRQF_ONESHOT;

	va_start(ap, fmt);
	devname = pci_irq_name(fmt, ap);
	va_end(ap);
	if (!devname)
		return -ENOMEM;

	ret = request_threaded_irq(pci_irq_vector(dev, nr), handler, thread_fn,
				   irqflags, devname, dev_id);
	if (ret)
		kfree(devname);
	return ret;
}

void pci_free_irq(struct pci_dev *dev, unsigned int nr, void *dev_id)
{
	int irq = pci_irq_vector(dev, nr);

	/*
	 * hvsim: a task here is inside the step that frees the IRQ, its
	 * action still linked (race: nvme-a2-vs-b3): free_irq() only unlinks
	 * it after desc->request_mutex.
	 */
	sim_point("pci.free_irq");
	kfree(free_irq(irq, dev_id));
}
