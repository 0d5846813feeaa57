/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/msi.h>: the MSI descriptor the PCI MSI core
 * (drivers/pci/msi.c) keeps per vector block on the device's msi_list,
 * and the message it writes into the MSI-X table. Copies the v5.13
 * layout for what drivers/pci/msi.c uses; customised in that a message's
 * data is the IRQ number itself (the simulated platform delivers an MSI
 * write straight to that IRQ, sim/kapi/hw.h), and the list hangs off
 * struct pci_dev.
 */
#ifndef _LINUX_MSI_H
#define _LINUX_MSI_H

#include <linux/list.h>
#include <linux/pci.h>
#include <linux/types.h>

struct msi_msg {
	u32 address_lo;
	u32 address_hi;
	u32 data;
};

struct msi_desc {
	struct list_head list;		/* on pci_dev.msi_list */
	unsigned int irq;		/* first IRQ of the block, 0: none */
	unsigned int nvec_used;
	struct device *dev;
	struct msi_msg msg;
	struct irq_affinity_desc *affinity;
	u32 masked;			/* MSI-X: vector control shadow */
	struct {
		u8 is_msix : 1;
		u8 multiple : 3;
		u8 multi_cap : 3;
		u8 maskbit : 1;
		u8 is_64 : 1;
		u8 is_virtual : 1;
		u16 entry_nr;
		unsigned int default_irq;
	} msi_attrib;
	void __iomem *mask_base;	/* MSI-X: the mapped table */
};

#define dev_to_msi_list(dev)		(&to_pci_dev((dev))->msi_list)
#define first_msi_entry(dev)						\
	list_first_entry(dev_to_msi_list((dev)), struct msi_desc, list)
#define for_each_msi_entry(desc, dev)					\
	list_for_each_entry((desc), dev_to_msi_list((dev)), list)
#define for_each_msi_entry_safe(desc, tmp, dev)				\
	list_for_each_entry_safe((desc), (tmp), dev_to_msi_list((dev)), list)

#define first_pci_msi_entry(pdev)	first_msi_entry(&(pdev)->dev)
#define for_each_pci_msi_entry(desc, pdev)				\
	for_each_msi_entry((desc), &(pdev)->dev)

#endif /* _LINUX_MSI_H */
