// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the PCI MSI core as of v5.13 (before the 5.14-rc
 * MSI masking fixes and the 5.17 rework): enabling MSI-X with a range of
 * vectors, the MSI descriptors on the device's msi_list, the MSI-X table,
 * the vectors' IRQs and their lookup (pci_irq_vector), and the teardown
 * through pci_free_irq_vectors() -> pci_disable_msix() ->
 * pci_msix_shutdown() + free_msi_irqs(). It sits between drivers
 * (<linux/pci.h>; drivers/nvme/host/pci.c) and the IRQ core
 * (sim/kapi/irq.c), whose IRQs the vectors are.
 *
 * What makes the nvme races (race: nvme-*) crash here, as in the kernel:
 *  - free_msi_irqs() BUG()s when any vector still has an IRQ action, so
 *    a free_irq() in flight or a request_irq() that slipped in ends the
 *    teardown with "kernel BUG at drivers/pci/msi.c:<line>!";
 *  - pci_disable_msix() tests dev->msix_enabled without a lock and clears
 *    it only at the end of pci_msix_shutdown(), so two callers can both
 *    pass the test and walk, unlink and free the same msi_list entries;
 *  - msix_enabled is set only at the very end of msix_capability_init(),
 *    after the entries are on msi_list and their IRQs allocated.
 * Nothing here takes a lock; the scheduling points are the allocator,
 * kfree(), ioremap()/iounmap(), MMIO writes and the IRQ core's
 * sparse_irq_lock (config accesses are not: see access.c).
 *
 * Customised for the harness: the IRQ domain hierarchy is reduced to one
 * irq_alloc_descs() per descriptor with a chip that masks and unmasks the
 * MSI-X entry; an MSI message is (0xfee00000, irq); affinity spreading
 * only calls the driver's calc_sets; no sysfs "msi_irqs" directory; plain
 * MSI is supported only as far as "the device has no MSI capability".
 */
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/kernel.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "pci.h"

static int pci_msi_enable = 1;

/*
 * hvsim: a named point in the teardown that the nvme reset worker and the
 * remover can both run at once (race: nvme-a3-vs-b3). Named for the kind
 * of task it runs in, because a scenario must be able to hold one of the
 * two there and not the other, and points are not per task: "<name>.wq"
 * in a workqueue worker (the reset worker), "<name>" elsewhere (pciehp's
 * IRQ thread).
 */
#define msi_race_point(name)						\
do {									\
	if (current_work())						\
		sim_point(name ".wq");					\
	else								\
		sim_point(name);					\
} while (0)

/* ------------------------------------------------------- descriptors -- */

static struct msi_desc *alloc_msi_entry(struct device *dev, int nvec)
{
	struct msi_desc *desc;

	desc = kzalloc(sizeof(*desc), GFP_KERNEL);
	if (!desc)
		return NULL;
	INIT_LIST_HEAD(&desc->list);
	desc->dev = dev;
	desc->nvec_used = nvec;
	return desc;
}

static void free_msi_entry(struct msi_desc *entry)
{
	kfree(entry->affinity);
	kfree(entry);
}

static void __iomem *pci_msix_desc_addr(struct msi_desc *desc)
{
	return desc->mask_base +
		desc->msi_attrib.entry_nr * PCI_MSIX_ENTRY_SIZE;
}

/* Mask or unmask one MSI-X vector; returns the new vector control. */
static u32 __pci_msix_desc_mask_irq(struct msi_desc *desc, u32 flag)
{
	void __iomem *desc_addr = pci_msix_desc_addr(desc);
	u32 mask_bits = desc->masked;

	mask_bits &= ~PCI_MSIX_ENTRY_CTRL_MASKBIT;
	if (flag & PCI_MSIX_ENTRY_CTRL_MASKBIT)
		mask_bits |= PCI_MSIX_ENTRY_CTRL_MASKBIT;
	writel(mask_bits, desc_addr + PCI_MSIX_ENTRY_VECTOR_CTRL);
	return mask_bits;
}

static void msix_mask_irq(struct msi_desc *desc, u32 flag)
{
	desc->masked = __pci_msix_desc_mask_irq(desc, flag);
}

/* The chip of every MSI-X vector: mask/unmask its table entry. */
static void pci_msi_mask_irq(unsigned int irq, void *chip_data)
{
	msix_mask_irq(chip_data, 1);
}

static void pci_msi_unmask_irq(unsigned int irq, void *chip_data)
{
	msix_mask_irq(chip_data, 0);
}

static const struct irq_chip pci_msi_chip = {
	.name		= "PCI-MSI",
	.irq_mask	= pci_msi_mask_irq,
	.irq_unmask	= pci_msi_unmask_irq,
};

static void __pci_write_msi_msg(struct msi_desc *entry, struct msi_msg *msg)
{
	void __iomem *base = pci_msix_desc_addr(entry);

	writel(msg->address_lo, base + PCI_MSIX_ENTRY_LOWER_ADDR);
	writel(msg->address_hi, base + PCI_MSIX_ENTRY_UPPER_ADDR);
	writel(msg->data, base + PCI_MSIX_ENTRY_DATA);
	entry->msg = *msg;
}

static void pci_msix_clear_and_set_ctrl(struct pci_dev *dev, u16 clear, u16 set)
{
	u16 ctrl;

	pci_read_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, &ctrl);
	ctrl &= ~clear;
	ctrl |= set;
	pci_write_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, ctrl);
}

static void pci_intx_for_msi(struct pci_dev *dev, int enable)
{
	pci_intx(dev, enable);
}

/* ---------------------------------------------------- the IRQ domain -- */

/*
 * One IRQ per descriptor, from the IRQ core's allocator, and its MSI
 * message (arch/x86 composes (0xfee00000 | dest, vector); the simulated
 * platform delivers by IRQ number).
 */
static int pci_msi_setup_msi_irqs(struct pci_dev *dev, int nvec, int type)
{
	struct msi_desc *entry;
	int irq;

	for_each_pci_msi_entry(entry, dev) {
		struct msi_msg msg;

		irq = irq_alloc_descs(-1, 0, entry->nvec_used,
				      dev_to_node(&dev->dev));
		if (irq < 0)
			return irq;
		entry->irq = irq;
		irq_set_chip_and_data(irq, &pci_msi_chip, entry);
		msg.address_lo = 0xfee00000;
		msg.address_hi = 0;
		msg.data = irq;
		__pci_write_msi_msg(entry, &msg);
	}
	return 0;
}

static void pci_msi_teardown_msi_irqs(struct pci_dev *dev)
{
	struct msi_desc *entry;

	for_each_pci_msi_entry(entry, dev) {
		if (entry->irq) {
			irq_free_descs(entry->irq, entry->nvec_used);
			entry->irq = 0;
		}
	}
}

/* kernel/irq/affinity.c, reduced to what drivers see: the set sizes. */
static void irq_create_affinity_masks(unsigned int nvecs,
				      struct irq_affinity *affd)
{
	unsigned int resv = affd->pre_vectors + affd->post_vectors;
	unsigned int affvecs = nvecs > resv ? nvecs - resv : 0;

	if (affd->calc_sets) {
		affd->calc_sets(affd, affvecs);
	} else {
		affd->nr_sets = 1;
		affd->set_size[0] = affvecs;
	}
}

static unsigned int irq_calc_affinity_vectors(unsigned int minvec,
					      unsigned int maxvec,
					      const struct irq_affinity *affd)
{
	unsigned int resv = affd->pre_vectors + affd->post_vectors;
	unsigned int set_vecs;

	if (resv > minvec)
		return 0;
	if (affd->calc_sets)
		set_vecs = maxvec - resv;
	else
		set_vecs = num_possible_cpus();
	return resv + min(set_vecs, maxvec - resv);
}

/* ------------------------------------------------------ freeing them -- */

static void free_msi_irqs(struct pci_dev *dev)
{
	struct list_head *msi_list = dev_to_msi_list(&dev->dev);
	struct msi_desc *entry, *tmp;
	int i;

	for_each_pci_msi_entry(entry, dev)
		if (entry->irq)
			for (i = 0; i < entry->nvec_used; i++)
				BUG_ON(irq_has_action(entry->irq + i));

	pci_msi_teardown_msi_irqs(dev);

	list_for_each_entry_safe(entry, tmp, msi_list, list) {
		/* race: nvme-a3-vs-b3 */
		msi_race_point("pci.free_msi_entry");
		if (entry->msi_attrib.is_msix) {
			if (list_is_last(&entry->list, msi_list))
				iounmap(entry->mask_base);
		}

		list_del(&entry->list);
		free_msi_entry(entry);
	}
}

static void pci_msi_shutdown(struct pci_dev *dev)
{
	if (!pci_msi_enable || !dev || !dev->msi_enabled)
		return;
	pci_intx_for_msi(dev, 1);
	dev->msi_enabled = 0;
}

void pci_disable_msi(struct pci_dev *dev)
{
	if (!pci_msi_enable || !dev || !dev->msi_enabled)
		return;

	pci_msi_shutdown(dev);
	free_msi_irqs(dev);
}

static void pci_msix_shutdown(struct pci_dev *dev)
{
	struct msi_desc *entry;

	if (!pci_msi_enable || !dev || !dev->msix_enabled)
		return;

	if (pci_dev_is_disconnected(dev)) {
		dev->msix_enabled = 0;
		return;
	}

	/* Return the device with MSI-X masked as initial states */
	for_each_pci_msi_entry(entry, dev)
		__pci_msix_desc_mask_irq(entry, 1);

	pci_msix_clear_and_set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE, 0);
	pci_intx_for_msi(dev, 1);
	dev->msix_enabled = 0;
}

void pci_disable_msix(struct pci_dev *dev)
{
	/* The unlocked check-then-act (race: nvme-a3-vs-b3). */
	if (!pci_msi_enable || !dev || !dev->msix_enabled)
		return;
	sim_point("pci.msix_checked");

	pci_msix_shutdown(dev);
	free_msi_irqs(dev);
}

void pci_free_irq_vectors(struct pci_dev *dev)
{
	pci_disable_msix(dev);
	pci_disable_msi(dev);
}

/* ---------------------------------------------------- enabling MSI-X -- */

static int pci_msi_supported(struct pci_dev *dev, int nvec)
{
	if (!pci_msi_enable)
		return 0;
	if (!dev || nvec < 1)
		return 0;
	return 1;
}

int pci_msix_vec_count(struct pci_dev *dev)
{
	u16 control;

	if (!dev->msix_cap)
		return -EINVAL;

	pci_read_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, &control);
	return (control & PCI_MSIX_FLAGS_QSIZE) + 1;
}

static void __iomem *msix_map_region(struct pci_dev *dev,
				     unsigned int nr_entries)
{
	resource_size_t phys_addr;
	u32 table_offset;
	unsigned long flags;
	u8 bir;

	pci_read_config_dword(dev, dev->msix_cap + PCI_MSIX_TABLE,
			      &table_offset);
	bir = (u8)(table_offset & PCI_MSIX_TABLE_BIR);
	flags = pci_resource_flags(dev, bir);
	if (!flags || (flags & IORESOURCE_UNSET))
		return NULL;

	table_offset &= PCI_MSIX_TABLE_OFFSET;
	phys_addr = pci_resource_start(dev, bir) + table_offset;

	return ioremap(phys_addr, nr_entries * PCI_MSIX_ENTRY_SIZE);
}

static int msix_setup_entries(struct pci_dev *dev, void __iomem *base,
			      int nvec, struct irq_affinity *affd)
{
	struct msi_desc *entry;
	int i;

	if (affd)
		irq_create_affinity_masks(nvec, affd);

	for (i = 0; i < nvec; i++) {
		entry = alloc_msi_entry(&dev->dev, 1);
		if (!entry)
			return -ENOMEM;

		entry->msi_attrib.is_msix	= 1;
		entry->msi_attrib.is_64		= 1;
		entry->msi_attrib.entry_nr	= i;
		entry->msi_attrib.default_irq	= dev->irq;
		entry->mask_base		= base;
		entry->masked = readl(pci_msix_desc_addr(entry) +
				      PCI_MSIX_ENTRY_VECTOR_CTRL);

		list_add_tail(&entry->list, dev_to_msi_list(&dev->dev));
	}
	return 0;
}

static void msix_program_entries(struct pci_dev *dev)
{
	struct msi_desc *entry;

	for_each_pci_msi_entry(entry, dev)
		msix_mask_irq(entry, 1);
}

/*
 * Set up the MSI-X capability: map the table, create the descriptors,
 * allocate their IRQs, program and mask the entries, and only then set
 * dev->msix_enabled (race: nvme-a4-vs-b3).
 */
static int msix_capability_init(struct pci_dev *dev, int nvec,
				struct irq_affinity *affd)
{
	void __iomem *base;
	int ret;
	u16 control;

	/* Ensure MSI-X is disabled while it is set up */
	pci_msix_clear_and_set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE, 0);

	pci_read_config_word(dev, dev->msix_cap + PCI_MSIX_FLAGS, &control);
	/* Request & Map MSI-X table region */
	base = msix_map_region(dev, (control & PCI_MSIX_FLAGS_QSIZE) + 1);
	if (!base)
		return -ENOMEM;

	ret = msix_setup_entries(dev, base, nvec, affd);
	if (ret)
		goto out_free;

	ret = pci_msi_setup_msi_irqs(dev, nvec, PCI_CAP_ID_MSIX);
	if (ret)
		goto out_free;

	/*
	 * Some devices require MSI-X to be enabled before we can touch the
	 * MSI-X registers. Mask all the vectors to prevent interrupts
	 * coming in before they're fully set up.
	 */
	pci_msix_clear_and_set_ctrl(dev, 0,
				    PCI_MSIX_FLAGS_MASKALL | PCI_MSIX_FLAGS_ENABLE);

	msix_program_entries(dev);

	/* Set MSI-X enabled bits and unmask the function */
	pci_intx_for_msi(dev, 0);
	dev->msix_enabled = 1;
	pci_msix_clear_and_set_ctrl(dev, PCI_MSIX_FLAGS_MASKALL, 0);
	return 0;

out_free:
	if (list_empty(dev_to_msi_list(&dev->dev)))
		iounmap(base);
	free_msi_irqs(dev);
	return ret;
}

static int __pci_enable_msix(struct pci_dev *dev, int nvec,
			     struct irq_affinity *affd, int flags)
{
	int nr_entries;

	if (!pci_msi_supported(dev, nvec) || dev->current_state != PCI_D0)
		return -EINVAL;

	nr_entries = pci_msix_vec_count(dev);
	if (nr_entries < 0)
		return nr_entries;
	if (nvec > nr_entries)
		return nr_entries;

	/* Check whether driver already requested for MSI IRQ */
	if (dev->msi_enabled) {
		pci_info(dev, "can't enable MSI-X (MSI IRQ already assigned)\n");
		return -EINVAL;
	}
	return msix_capability_init(dev, nvec, affd);
}

static int __pci_enable_msix_range(struct pci_dev *dev, int minvec,
				   int maxvec, struct irq_affinity *affd,
				   int flags)
{
	int rc, nvec = maxvec;

	if (maxvec < minvec)
		return -ERANGE;

	if (WARN_ON_ONCE(dev->msix_enabled))
		return -EINVAL;

	for (;;) {
		if (affd) {
			nvec = irq_calc_affinity_vectors(minvec, nvec, affd);
			if (nvec < minvec)
				return -ENOSPC;
		}

		rc = __pci_enable_msix(dev, nvec, affd, flags);
		if (rc == 0)
			return nvec;

		if (rc < 0)
			return rc;
		if (rc < minvec)
			return -ENOSPC;

		nvec = rc;
	}
}

static int __pci_enable_msi_range(struct pci_dev *dev, int minvec, int maxvec,
				  struct irq_affinity *affd)
{
	if (!pci_msi_supported(dev, minvec) || dev->current_state != PCI_D0)
		return -EINVAL;

	/* Check whether driver already requested MSI-X IRQs */
	if (dev->msix_enabled) {
		pci_info(dev, "can't enable MSI (MSI-X already enabled)\n");
		return -EINVAL;
	}

	if (maxvec < minvec)
		return -ERANGE;

	if (WARN_ON_ONCE(dev->msi_enabled))
		return -EINVAL;

	/* hvsim: the devices modelled have no MSI capability. */
	if (!dev->msi_cap)
		return -EINVAL;
	return -ENOSPC;
}

int pci_alloc_irq_vectors_affinity(struct pci_dev *dev, unsigned int min_vecs,
				   unsigned int max_vecs, unsigned int flags,
				   struct irq_affinity *affd)
{
	struct irq_affinity msi_default_affd = {0};
	int nvecs = -ENOSPC;

	if (flags & PCI_IRQ_AFFINITY) {
		if (!affd)
			affd = &msi_default_affd;
	} else {
		if (WARN_ON(affd))
			affd = NULL;
	}

	if (flags & PCI_IRQ_MSIX) {
		nvecs = __pci_enable_msix_range(dev, min_vecs, max_vecs,
						affd, flags);
		if (nvecs > 0)
			return nvecs;
	}

	if (flags & PCI_IRQ_MSI) {
		nvecs = __pci_enable_msi_range(dev, min_vecs, max_vecs, affd);
		if (nvecs > 0)
			return nvecs;
	}

	/* use legacy IRQ if allowed */
	if (flags & PCI_IRQ_LEGACY) {
		if (min_vecs == 1 && dev->irq) {
			/*
			 * Invoke the affinity spreading logic to ensure that
			 * the device driver can adjust queue configuration
			 * for the single interrupt case.
			 */
			if (affd)
				irq_create_affinity_masks(1, affd);
			pci_intx(dev, 1);
			return 1;
		}
	}

	return nvecs;
}

/*
 * The IRQ of vector @nr: with MSI-X the nr-th descriptor's; without
 * MSI(-X) the legacy line, where any @nr but 0 is a driver bug.
 */
int pci_irq_vector(struct pci_dev *dev, unsigned int nr)
{
	if (dev->msix_enabled) {
		struct msi_desc *entry;
		int i = 0;

		for_each_pci_msi_entry(entry, dev) {
			if (i == nr)
				return entry->irq;
			i++;
		}
		WARN_ON_ONCE(1);
		return -EINVAL;
	}

	if (dev->msi_enabled) {
		struct msi_desc *entry = first_pci_msi_entry(dev);

		if (WARN_ON_ONCE(nr >= entry->nvec_used))
			return -EINVAL;
	} else {
		if (WARN_ON_ONCE(nr > 0))
			return -EINVAL;
	}

	return dev->irq + nr;
}

/* At device add (pci_msi_setup_pci_dev): find the capabilities, MSI-X off. */
void pci_msi_init(struct pci_dev *dev)
{
	INIT_LIST_HEAD(&dev->msi_list);
	dev->msi_cap = pci_find_capability(dev, PCI_CAP_ID_MSI);
	dev->msix_cap = pci_find_capability(dev, PCI_CAP_ID_MSIX);
	if (dev->msix_cap)
		pci_msix_clear_and_set_ctrl(dev, PCI_MSIX_FLAGS_ENABLE, 0);
}
