// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the PCI bus type of the driver core: matching a
 * device against a driver's ID table, probing and removing through the
 * driver's pci_driver callbacks, and driver registration. It sits between
 * PCI drivers (pci_register_driver, e.g. drivers/nvme/host/pci.c) and the
 * driver core (<linux/device.h>), as the kernel's drivers/pci/pci-driver.c.
 *
 * Removal reaches a driver through pci_device_remove(), called by the
 * driver core with the device lock held, on the task that unbinds: for a
 * surprise removal that is pciehp's IRQ thread.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "pci.h"

static const struct pci_device_id *
pci_match_one_device(const struct pci_device_id *id, const struct pci_dev *dev)
{
	if ((id->vendor == PCI_ANY_ID || id->vendor == dev->vendor) &&
	    (id->device == PCI_ANY_ID || id->device == dev->device) &&
	    (id->subvendor == PCI_ANY_ID ||
	     id->subvendor == dev->subsystem_vendor) &&
	    (id->subdevice == PCI_ANY_ID ||
	     id->subdevice == dev->subsystem_device) &&
	    !((id->class ^ dev->class) & id->class_mask))
		return id;
	return NULL;
}

const struct pci_device_id *pci_match_id(const struct pci_device_id *ids,
					 struct pci_dev *dev)
{
	if (ids) {
		while (ids->vendor || ids->subvendor || ids->class_mask) {
			if (pci_match_one_device(ids, dev))
				return ids;
			ids++;
		}
	}
	return NULL;
}

static int pci_bus_match(struct device *dev, struct device_driver *drv)
{
	struct pci_dev *pci_dev = to_pci_dev(dev);
	struct pci_driver *pci_drv = to_pci_driver(drv);

	return pci_match_id(pci_drv->id_table, pci_dev) != NULL;
}

static noinline int local_pci_probe(struct pci_driver *pci_drv,
				    struct pci_dev *pci_dev,
				    const struct pci_device_id *id)
{
	int rc;

	pci_dev->driver = pci_drv;
	rc = pci_drv->probe(pci_dev, id);
	if (!rc)
		return rc;
	pci_dev->driver = NULL;
	return rc;
}

static int pci_device_probe(struct device *dev)
{
	struct pci_dev *pci_dev = to_pci_dev(dev);
	struct pci_driver *drv = to_pci_driver(dev->driver);
	const struct pci_device_id *id;
	int error;

	id = pci_match_id(drv->id_table, pci_dev);
	if (!id || !drv->probe)
		return -ENODEV;
	pci_dev_get(pci_dev);
	error = local_pci_probe(drv, pci_dev, id);
	if (error)
		pci_dev_put(pci_dev);
	return error;
}

static int pci_device_remove(struct device *dev)
{
	struct pci_dev *pci_dev = to_pci_dev(dev);
	struct pci_driver *drv = pci_dev->driver;

	if (drv && drv->remove)
		drv->remove(pci_dev);
	pci_dev->driver = NULL;
	pci_dev_put(pci_dev);
	return 0;
}

struct bus_type pci_bus_type = {
	.name = "pci",
	.match = pci_bus_match,
	.probe = pci_device_probe,
	.remove = pci_device_remove,
};

int __pci_register_driver(struct pci_driver *drv, struct module *owner,
			  const char *mod_name)
{
	drv->driver.name = drv->name;
	drv->driver.bus = &pci_bus_type;
	drv->driver.owner = owner;
	drv->driver.mod_name = mod_name;
	return driver_register(&drv->driver);
}

void pci_unregister_driver(struct pci_driver *drv)
{
	driver_unregister(&drv->driver);
}

int pci_driver_init(void)
{
	return bus_register(&pci_bus_type);
}
