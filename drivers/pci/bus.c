// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the PCI core's walks over buses: registering every
 * device of a bus with the driver core (which probes drivers for them)
 * and pci_walk_bus(). It sits between enumeration (probe.c), hot-plug
 * (hotplug/) and the driver core, as the kernel's drivers/pci/bus.c.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/pci.h>

#include "pci.h"

static void pci_bus_add_device(struct pci_dev *dev)
{
	int retval;

	retval = device_add(&dev->dev);
	if (retval)
		pci_warn(dev, "device attach failed (%d)\n", retval);
}

/* Devices of @bus first, then the buses below it. */
void pci_bus_add_devices(const struct pci_bus *bus)
{
	struct pci_dev *dev;
	struct pci_bus *child;

	list_for_each_entry(dev, &bus->devices, bus_list)
		pci_bus_add_device(dev);
	list_for_each_entry(child, &bus->children, node)
		pci_bus_add_devices(child);
}

/* Call @cb for every device at and below @top; stop when it returns 1. */
void pci_walk_bus(struct pci_bus *top, int (*cb)(struct pci_dev *, void *),
		  void *userdata)
{
	struct pci_dev *dev;

	list_for_each_entry(dev, &top->devices, bus_list) {
		if (cb(dev, userdata))
			return;
		if (dev->subordinate)
			pci_walk_bus(dev->subordinate, cb, userdata);
	}
}
