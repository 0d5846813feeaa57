// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the removal of PCI devices: unbinding the driver
 * (pci_stop_bus_device, which ends in the driver's ->remove() on the
 * calling task, e.g. nvme_remove() in pciehp's IRQ thread), then taking
 * the device off its bus and dropping the bus's reference. It sits
 * between hot-plug (hotplug/pciehp_pci.c) and the driver core, as the
 * kernel's drivers/pci/remove.c.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/pci.h>

#include "pci.h"

static void pci_stop_dev(struct pci_dev *dev)
{
	if (device_is_registered(&dev->dev))
		device_release_driver(&dev->dev);
}

static void pci_destroy_dev(struct pci_dev *dev)
{
	device_del(&dev->dev);
	list_del(&dev->bus_list);
	put_device(&dev->dev);
}

static void pci_stop_bus_device(struct pci_dev *dev)
{
	struct pci_bus *bus = dev->subordinate;
	struct pci_dev *child, *tmp;

	/* Children first, the last added first (the kernel's order). */
	if (bus)
		list_for_each_entry_safe_reverse(child, tmp, &bus->devices,
						 bus_list)
			pci_stop_bus_device(child);
	pci_stop_dev(dev);
}

void pci_remove_bus_device(struct pci_dev *dev)
{
	struct pci_bus *bus = dev->subordinate;
	struct pci_dev *child, *tmp;

	if (bus) {
		list_for_each_entry_safe(child, tmp, &bus->devices, bus_list)
			pci_remove_bus_device(child);
	}
	pci_destroy_dev(dev);
}

void pci_stop_and_remove_bus_device(struct pci_dev *dev)
{
	pci_stop_bus_device(dev);
	pci_remove_bus_device(dev);
}
