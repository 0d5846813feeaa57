// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements PCI enumeration: scanning the root bus and the
 * buses behind bridges for functions, sizing their BARs, finding their
 * capabilities and INTx line, and adding them to the driver core; plus
 * the rescan/remove lock and the initcall of the PCI core (module "pci").
 * It sits between the platform's config mechanism (access.c, the PCI
 * model) and the driver core, as the kernel's drivers/pci/probe.c.
 *
 * Customised for the harness: only function 0 of each slot is scanned;
 * bridge windows are not programmed (firmware's BAR addresses are kept);
 * the PCI core's initcalls (pci_driver_init, the root bus scan of
 * pci_subsys_init, pcied_init of the hot-plug port driver) run in that
 * order in one module init.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "pci.h"

LIST_HEAD(pci_root_buses);

static DEFINE_MUTEX(pci_rescan_remove_lock);

void pci_lock_rescan_remove(void)
{
	mutex_lock(&pci_rescan_remove_lock);
}

void pci_unlock_rescan_remove(void)
{
	mutex_unlock(&pci_rescan_remove_lock);
}

static struct pci_bus *pci_alloc_bus(struct pci_bus *parent)
{
	struct pci_bus *b;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return NULL;
	INIT_LIST_HEAD(&b->node);
	INIT_LIST_HEAD(&b->children);
	INIT_LIST_HEAD(&b->devices);
	b->parent = parent;
	return b;
}

static void pci_release_dev(struct device *dev)
{
	struct pci_dev *pci_dev = to_pci_dev(dev);

	kfree(pci_dev);
}

struct pci_dev *pci_alloc_dev(struct pci_bus *bus)
{
	struct pci_dev *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return NULL;
	INIT_LIST_HEAD(&dev->bus_list);
	INIT_LIST_HEAD(&dev->msi_list);
	dev->bus = bus;
	return dev;
}

/* Size one memory BAR the classic way: write all-ones, read the mask. */
static int __pci_read_base(struct pci_dev *dev, struct resource *res, int pos)
{
	u32 l, sz, l2 = 0, sz2 = 0;
	u64 base, mask;
	bool is64;

	pci_read_config_dword(dev, pos, &l);
	pci_write_config_dword(dev, pos, ~0);
	pci_read_config_dword(dev, pos, &sz);
	pci_write_config_dword(dev, pos, l);
	if (!sz || sz == 0xffffffff || (l & PCI_BASE_ADDRESS_SPACE_IO))
		return 0;
	is64 = l & PCI_BASE_ADDRESS_MEM_TYPE_64;
	if (is64) {
		pci_read_config_dword(dev, pos + 4, &l2);
		pci_write_config_dword(dev, pos + 4, ~0);
		pci_read_config_dword(dev, pos + 4, &sz2);
		pci_write_config_dword(dev, pos + 4, l2);
	}
	base = ((u64)l2 << 32) | (l & PCI_BASE_ADDRESS_MEM_MASK);
	mask = ((u64)sz2 << 32) | (sz & PCI_BASE_ADDRESS_MEM_MASK);
	if (!is64)
		mask |= ~0xffffffffULL;
	res->start = base;
	res->end = base + ~mask;
	res->flags = IORESOURCE_MEM | (is64 ? IORESOURCE_MEM_64 : 0);
	res->name = pci_name(dev);
	return is64 ? 1 : 0;
}

static void pci_read_bases(struct pci_dev *dev, unsigned int howmany)
{
	unsigned int pos;

	for (pos = 0; pos < howmany; pos++)
		pos += __pci_read_base(dev, &dev->resource[pos],
				       PCI_BASE_ADDRESS_0 + (pos << 2));
}

static int pci_setup_device(struct pci_dev *dev)
{
	u32 class;
	u8 hdr_type;
	u16 flags;
	u32 sltcap;

	pci_read_config_byte(dev, PCI_HEADER_TYPE, &hdr_type);
	dev->hdr_type = hdr_type & PCI_HEADER_TYPE_MASK;
	dev->dev.parent = dev->bus->self ? &dev->bus->self->dev : NULL;
	dev->dev.bus = &pci_bus_type;
	dev->dev.release = pci_release_dev;
	dev_set_name(&dev->dev, "%04x:%02x:%02x.%d", pci_domain_nr(dev->bus),
		     dev->bus->number, PCI_SLOT(dev->devfn),
		     PCI_FUNC(dev->devfn));

	pci_read_config_dword(dev, PCI_CLASS_REVISION, &class);
	dev->revision = class & 0xff;
	dev->class = class >> 8;
	dev->current_state = PCI_D0;
	dev->error_state = pci_channel_io_normal;

	pci_read_config_byte(dev, PCI_INTERRUPT_PIN, &dev->pin);
	if (dev->pin) {
		u8 line;

		pci_read_config_byte(dev, PCI_INTERRUPT_LINE, &line);
		dev->irq = line;
	}

	switch (dev->hdr_type) {
	case PCI_HEADER_TYPE_NORMAL:
		pci_read_bases(dev, PCI_STD_NUM_BARS);
		pci_read_config_word(dev, PCI_SUBSYSTEM_VENDOR_ID,
				     &dev->subsystem_vendor);
		pci_read_config_word(dev, PCI_SUBSYSTEM_ID,
				     &dev->subsystem_device);
		break;
	case PCI_HEADER_TYPE_BRIDGE:
		break;
	default:
		pci_err(dev, "unknown header type %02x, ignoring device\n",
			dev->hdr_type);
		return -EIO;
	}

	dev->pcie_cap = pci_find_capability(dev, PCI_CAP_ID_EXP);
	if (dev->pcie_cap) {
		pci_read_config_word(dev, dev->pcie_cap + PCI_EXP_FLAGS,
				     &flags);
		pci_read_config_dword(dev, dev->pcie_cap + PCI_EXP_SLTCAP,
				      &sltcap);
		if ((flags & PCI_EXP_FLAGS_SLOT) && (sltcap & PCI_EXP_SLTCAP_HPC))
			dev->is_hotplug_bridge = 1;
	}
	return 0;
}

static struct pci_dev *pci_scan_device(struct pci_bus *bus, int devfn)
{
	struct pci_dev *dev;
	u32 l;

	pci_bus_read_config_dword(bus, devfn, PCI_VENDOR_ID, &l);
	if (l == 0xffffffff || l == 0x00000000 || l == 0x0000ffff ||
	    l == 0xffff0000)
		return NULL;

	dev = pci_alloc_dev(bus);
	if (!dev)
		return NULL;
	dev->devfn = devfn;
	dev->vendor = l & 0xffff;
	dev->device = (l >> 16) & 0xffff;
	if (pci_setup_device(dev)) {
		kfree(dev);
		return NULL;
	}
	return dev;
}

void pci_device_add(struct pci_dev *dev, struct pci_bus *bus)
{
	device_initialize(&dev->dev);
	pci_msi_init(dev);
	list_add_tail(&dev->bus_list, &bus->devices);
}

static struct pci_dev *pci_scan_single_device(struct pci_bus *bus, int devfn)
{
	struct pci_dev *dev;

	dev = pci_scan_device(bus, devfn);
	if (!dev)
		return NULL;
	pci_device_add(dev, bus);
	return dev;
}

static unsigned int pci_scan_child_bus(struct pci_bus *bus);

static void pci_scan_bridge(struct pci_bus *bus, struct pci_dev *dev)
{
	struct pci_bus *child;
	u8 secondary;

	pci_read_config_byte(dev, PCI_SECONDARY_BUS, &secondary);
	if (!secondary || secondary == 0xff)
		return;
	child = pci_alloc_bus(bus);
	if (!child)
		return;
	child->number = secondary;
	child->primary = bus->number;
	child->self = dev;
	dev->subordinate = child;
	list_add_tail(&child->node, &bus->children);
	pci_scan_child_bus(child);
}

static unsigned int pci_scan_child_bus(struct pci_bus *bus)
{
	struct pci_dev *dev;
	unsigned int devfn, n = 0;

	for (devfn = 0; devfn < 0x100; devfn += 8)
		if (pci_scan_single_device(bus, devfn))
			n++;
	list_for_each_entry(dev, &bus->devices, bus_list)
		if (dev->hdr_type == PCI_HEADER_TYPE_BRIDGE)
			pci_scan_bridge(bus, dev);
	return n;
}

struct pci_bus *pci_scan_root_bus(int busnr)
{
	struct pci_bus *b;

	b = pci_alloc_bus(NULL);
	if (!b)
		return NULL;
	b->number = busnr;
	list_add_tail(&b->node, &pci_root_buses);
	pci_scan_child_bus(b);
	pci_bus_add_devices(b);
	return b;
}

static struct pci_dev *pci_bus_find(struct pci_bus *bus, unsigned int busnr,
				    unsigned int devfn)
{
	struct pci_dev *dev, *found;

	list_for_each_entry(dev, &bus->devices, bus_list) {
		if (bus->number == busnr && dev->devfn == devfn)
			return dev;
		if (dev->subordinate) {
			found = pci_bus_find(dev->subordinate, busnr, devfn);
			if (found)
				return found;
		}
	}
	return NULL;
}

/* A reference to the device at @bus/@devfn, or NULL (drivers/pci/search.c). */
struct pci_dev *pci_get_domain_bus_and_slot(int domain, unsigned int bus,
					    unsigned int devfn)
{
	struct pci_bus *b;
	struct pci_dev *dev;

	list_for_each_entry(b, &pci_root_buses, node) {
		dev = pci_bus_find(b, bus, devfn);
		if (dev)
			return pci_dev_get(dev);
	}
	return NULL;
}

static int __init pci_init(void)
{
	int ret;

	ret = pci_driver_init();
	if (ret)
		return ret;
	if (!pci_scan_root_bus(0))
		return -ENOMEM;
	return pcied_init();
}
module_init(pci_init);
