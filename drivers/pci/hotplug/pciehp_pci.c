// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the removal of the devices behind a hot-plug slot:
 * on a surprise removal they are first marked disconnected (so the MSI
 * core and config accessors stop touching the hardware), then stopped
 * (their drivers' ->remove()) and removed, last added first. It sits
 * between the slot state machine (pciehp_ctrl.c) and the PCI core's
 * removal (remove.c), as the kernel's drivers/pci/hotplug/pciehp_pci.c.
 */
#include <linux/kernel.h>
#include <linux/pci.h>

#include "pciehp.h"

void pciehp_unconfigure_device(struct controller *ctrl, bool presence)
{
	struct pci_dev *dev, *temp;
	struct pci_bus *parent = ctrl->port->subordinate;
	u16 command;

	if (!parent)
		return;
	ctrl_dbg(ctrl, "%s: domain:bus:dev = %04x:%02x:00\n", __func__,
		 pci_domain_nr(parent), parent->number);

	if (!presence)
		pci_walk_bus(parent, pci_dev_set_disconnected, NULL);

	pci_lock_rescan_remove();

	/*
	 * Stopping an SR-IOV PF device removes all the associated VFs,
	 * which will update the bus->devices list and confuse the
	 * iterator. Therefore, iterate in reverse so we remove the VFs
	 * first, then the PF.
	 */
	list_for_each_entry_safe_reverse(dev, temp, &parent->devices,
					 bus_list) {
		pci_dev_get(dev);

		pci_stop_and_remove_bus_device(dev);
		/*
		 * Ensure that no new Requests will be generated from
		 * the device.
		 */
		if (presence) {
			pci_read_config_word(dev, PCI_COMMAND, &command);
			command &= ~(PCI_COMMAND_MASTER | PCI_COMMAND_SERR);
			command |= PCI_COMMAND_INTX_DISABLE;
			pci_write_config_word(dev, PCI_COMMAND, command);
		}
		pci_dev_put(dev);
	}

	pci_unlock_rescan_remove();
}
