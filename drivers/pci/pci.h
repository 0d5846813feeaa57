/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares what the files of the PCI core (drivers/pci/, module
 * "pci") share and drivers do not see, as the kernel's drivers/pci/pci.h
 * does. It sits between probe.c, bus.c, remove.c, pci-driver.c, pci.c,
 * access.c, irq.c, msi.c and the hot-plug driver in hotplug/.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <linux/pci.h>

/* pci-driver.c */
int pci_driver_init(void);
const struct pci_device_id *pci_match_id(const struct pci_device_id *ids,
					 struct pci_dev *dev);

/* probe.c */
extern struct list_head pci_root_buses;
struct pci_dev *pci_alloc_dev(struct pci_bus *bus);
void pci_device_add(struct pci_dev *dev, struct pci_bus *bus);

/* bus.c */
void pci_bus_add_devices(const struct pci_bus *bus);

/* remove.c */
void pci_remove_bus_device(struct pci_dev *dev);

/* msi.c: called at device add (pci_device_add), MSI and MSI-X off. */
void pci_msi_init(struct pci_dev *dev);

/* hotplug/pciehp_core.c: the port service driver's init. */
int pcied_init(void);

#endif /* DRIVERS_PCI_H */
