// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the PCI Express hot-plug driver's probe: for every
 * hot-plug capable port found by enumeration, set up the controller and
 * its slot interrupt. It sits between the PCI core's init (probe.c) and
 * the rest of pciehp, as the kernel's drivers/pci/hotplug/pciehp_core.c
 * with the port service driver it binds to (drivers/pci/pcie/portdrv) cut
 * away: the port's INTx line is the slot interrupt.
 */
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "../pci.h"
#include "pciehp.h"

static int pciehp_probe(struct pci_dev *port)
{
	struct controller *ctrl;
	int rc;

	ctrl = pcie_init(port);
	if (!ctrl) {
		pci_err(port, "Controller initialization failed\n");
		return -ENODEV;
	}
	rc = pcie_init_notification(ctrl);
	if (rc) {
		ctrl_err(ctrl, "Notification initialization failed (%d)\n", rc);
		kfree(ctrl);
		return rc;
	}
	ctrl->state = pciehp_card_present(ctrl) > 0 ? ON_STATE : OFF_STATE;
	return 0;
}

static int pciehp_probe_bus(struct pci_dev *dev, void *unused)
{
	if (dev->is_hotplug_bridge)
		pciehp_probe(dev);
	return 0;
}

int pcied_init(void)
{
	struct pci_bus *bus;

	list_for_each_entry(bus, &pci_root_buses, node)
		pci_walk_bus(bus, pciehp_probe_bus, NULL);
	return 0;
}
