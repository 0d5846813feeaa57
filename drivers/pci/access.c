// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements configuration space access for the PCI core and
 * drivers: the pci_bus_{read,write}_config_* family over the platform's
 * raw_pci_read()/raw_pci_write() (the PCI model, models/pci.c), the
 * pci_{read,write}_config_* wrappers, the PCIe capability accessors and
 * the capability-list walk. It sits between the users of <linux/pci.h>
 * and the config mechanism, as the kernel's drivers/pci/access.c does.
 *
 * A read of a function that is gone returns all-ones, which is how
 * pci_device_is_present() and pciehp see a surprise removal. Neither reads
 * nor writes are scheduling points: the kernel does them under pci_lock, a
 * raw spinlock, so nothing interleaves with one; writes are traced.
 */
#include <linux/kernel.h>
#include <linux/pci.h>

#include "pci.h"

#define PCI_OP_READ(size, type, len)					\
int pci_bus_read_config_##size(struct pci_bus *bus, unsigned int devfn,	\
			       int pos, type *value)			\
{									\
	u32 data = 0;							\
	int res;							\
									\
	res = raw_pci_read(pci_domain_nr(bus), bus->number, devfn, pos,	\
			   len, &data);					\
	*value = (type)data;						\
	return res;							\
}

#define PCI_OP_WRITE(size, type, len)					\
int pci_bus_write_config_##size(struct pci_bus *bus, unsigned int devfn,	\
				int pos, type value)			\
{									\
	return raw_pci_write(pci_domain_nr(bus), bus->number, devfn,	\
			     pos, len, value);				\
}

PCI_OP_READ(byte, u8, 1)
PCI_OP_READ(word, u16, 2)
PCI_OP_READ(dword, u32, 4)
PCI_OP_WRITE(byte, u8, 1)
PCI_OP_WRITE(word, u16, 2)
PCI_OP_WRITE(dword, u32, 4)

/* A device marked disconnected is not asked: all-ones, as in the kernel. */
int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *val)
{
	if (pci_dev_is_disconnected(dev)) {
		*val = ~0;
		return -ENODEV;
	}
	return pci_bus_read_config_byte(dev->bus, dev->devfn, where, val);
}

int pci_read_config_word(const struct pci_dev *dev, int where, u16 *val)
{
	if (pci_dev_is_disconnected(dev)) {
		*val = ~0;
		return -ENODEV;
	}
	return pci_bus_read_config_word(dev->bus, dev->devfn, where, val);
}

int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *val)
{
	if (pci_dev_is_disconnected(dev)) {
		*val = ~0;
		return -ENODEV;
	}
	return pci_bus_read_config_dword(dev->bus, dev->devfn, where, val);
}

int pci_write_config_byte(const struct pci_dev *dev, int where, u8 val)
{
	if (pci_dev_is_disconnected(dev))
		return -ENODEV;
	return pci_bus_write_config_byte(dev->bus, dev->devfn, where, val);
}

int pci_write_config_word(const struct pci_dev *dev, int where, u16 val)
{
	if (pci_dev_is_disconnected(dev))
		return -ENODEV;
	return pci_bus_write_config_word(dev->bus, dev->devfn, where, val);
}

int pci_write_config_dword(const struct pci_dev *dev, int where, u32 val)
{
	if (pci_dev_is_disconnected(dev))
		return -ENODEV;
	return pci_bus_write_config_dword(dev->bus, dev->devfn, where, val);
}

int pcie_capability_read_word(struct pci_dev *dev, int pos, u16 *val)
{
	*val = 0;
	if (!dev->pcie_cap)
		return -EINVAL;
	return pci_read_config_word(dev, dev->pcie_cap + pos, val);
}

int pcie_capability_write_word(struct pci_dev *dev, int pos, u16 val)
{
	if (!dev->pcie_cap)
		return -EINVAL;
	return pci_write_config_word(dev, dev->pcie_cap + pos, val);
}

/* Walk the capability list from PCI_CAPABILITY_LIST (drivers/pci/pci.c). */
u8 pci_find_capability(struct pci_dev *dev, int cap)
{
	int ttl = 48;
	u16 status;
	u8 pos, id;

	pci_read_config_word(dev, PCI_STATUS, &status);
	if (!(status & PCI_STATUS_CAP_LIST) || status == 0xffff)
		return 0;
	pci_read_config_byte(dev, PCI_CAPABILITY_LIST, &pos);
	while (ttl-- && pos >= 0x40) {
		pos &= ~3;
		pci_read_config_byte(dev, pos + PCI_CAP_LIST_ID, &id);
		if (id == 0xff)
			break;
		if (id == cap)
			return pos;
		pci_read_config_byte(dev, pos + PCI_CAP_LIST_NEXT, &pos);
	}
	return 0;
}
