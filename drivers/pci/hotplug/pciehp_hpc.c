// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the hot-plug controller side of pciehp: the slot
 * registers of the port's PCIe capability, the hot-plug interrupt and its
 * two halves, as the kernel's drivers/pci/hotplug/pciehp_hpc.c.
 * pciehp_isr() runs in hardirq context: it acknowledges the Slot Status
 * events, saves them and wakes the IRQ thread; pciehp_ist() runs in the
 * thread "irq/<irq>-pciehp" and acts on them. On a surprise removal that
 * thread is the task that removes the device and runs its driver's
 * ->remove() (the remover R of race: nvme-*).
 */
#include <stdio.h>

#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "pciehp.h"

int pciehp_card_present(struct controller *ctrl)
{
	struct pci_dev *pdev = ctrl->port;
	u16 slot_status;
	int ret;

	ret = pcie_capability_read_word(pdev, PCI_EXP_SLTSTA, &slot_status);
	if (ret || slot_status == (u16)~0)
		return -ENODEV;
	return !!(slot_status & PCI_EXP_SLTSTA_PDS);
}

static irqreturn_t pciehp_isr(int irq, void *dev_id)
{
	struct controller *ctrl = (struct controller *)dev_id;
	struct pci_dev *pdev = ctrl->port;
	u16 status;

	/* Interrupts cannot originate from a controller that's asleep */
	if (pdev->current_state == PCI_D3cold)
		return IRQ_NONE;

	pcie_capability_read_word(pdev, PCI_EXP_SLTSTA, &status);
	if (PCI_POSSIBLE_ERROR(status))
		return IRQ_NONE;

	/*
	 * Slot Status contains plain status bits as well as event
	 * notification bits; right now we only want the event bits.
	 */
	status &= PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PFD |
		  PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_CC |
		  PCI_EXP_SLTSTA_DLLSC;
	if (!status)
		return IRQ_NONE;

	pcie_capability_write_word(pdev, PCI_EXP_SLTSTA, status);

	/* Save pending events for consumption by IRQ thread. */
	atomic_or(status, &ctrl->pending_events);
	return IRQ_WAKE_THREAD;
}

static irqreturn_t pciehp_ist(int irq, void *dev_id)
{
	struct controller *ctrl = (struct controller *)dev_id;
	irqreturn_t ret;
	u32 events;

	ctrl->ist_running = true;
	events = atomic_xchg(&ctrl->pending_events, 0);
	if (!events) {
		ret = IRQ_NONE;
		goto out;
	}

	/* Check Presence Detect Changed or Data Link Layer State Changed */
	if (events & (PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC))
		pciehp_handle_presence_or_link_change(ctrl, events);
	ret = IRQ_HANDLED;
out:
	ctrl->ist_running = false;
	return ret;
}

static void pcie_write_cmd(struct controller *ctrl, u16 cmd, u16 mask)
{
	struct pci_dev *pdev = ctrl->port;
	u16 slot_ctrl;

	pcie_capability_read_word(pdev, PCI_EXP_SLTCTL, &slot_ctrl);
	slot_ctrl &= ~mask;
	slot_ctrl |= (cmd & mask);
	pcie_capability_write_word(pdev, PCI_EXP_SLTCTL, slot_ctrl);
	ctrl->slot_ctrl = slot_ctrl;
}

static void pcie_enable_notification(struct controller *ctrl)
{
	u16 cmd, mask;

	cmd = PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_HPIE;
	mask = PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_HPIE;
	pcie_write_cmd(ctrl, cmd, mask);
}

int pcie_init_notification(struct controller *ctrl)
{
	struct pci_dev *pdev = ctrl->port;
	int retval;

	/* Installs the interrupt handler */
	retval = request_threaded_irq(pdev->irq, pciehp_isr, pciehp_ist,
				      IRQF_SHARED, "pciehp", ctrl);
	if (retval) {
		ctrl_err(ctrl, "Cannot get irq %d for the hotplug controller\n",
			 pdev->irq);
		return retval;
	}
	pcie_enable_notification(ctrl);
	return 0;
}

struct controller *pcie_init(struct pci_dev *port)
{
	struct controller *ctrl;
	u16 slot_status;

	ctrl = kzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl)
		return NULL;
	ctrl->port = port;
	mutex_init(&ctrl->state_lock);
	atomic_set(&ctrl->pending_events, 0);
	snprintf(ctrl->name, sizeof(ctrl->name), "%u",
		 port->subordinate ? port->subordinate->number : 0);

	/* Clear all remaining event bits in Slot Status register. */
	pcie_capability_read_word(port, PCI_EXP_SLTSTA, &slot_status);
	pcie_capability_write_word(port, PCI_EXP_SLTSTA,
				   PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PFD |
				   PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_CC |
				   PCI_EXP_SLTSTA_DLLSC);
	return ctrl;
}
