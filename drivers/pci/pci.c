// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the PCI core's device operations that drivers
 * call: enabling and disabling a device (an enable count, the Memory
 * Space and Bus Master bits), the presence test a surprise removal turns
 * false, marking a device disconnected, INTx control, memory regions and
 * device references. It sits between drivers (<linux/pci.h>) and the
 * configuration space accessors (access.c), as the kernel's
 * drivers/pci/pci.c does for the same functions.
 */
#include <linux/kernel.h>
#include <linux/pci.h>

#include "pci.h"

struct pci_dev *pci_dev_get(struct pci_dev *dev)
{
	if (dev)
		get_device(&dev->dev);
	return dev;
}

void pci_dev_put(struct pci_dev *dev)
{
	if (dev)
		put_device(&dev->dev);
}

static void pci_enable_bridge_regions(struct pci_dev *dev, u16 bits)
{
	u16 cmd;

	pci_read_config_word(dev, PCI_COMMAND, &cmd);
	if ((cmd & bits) != bits)
		pci_write_config_word(dev, PCI_COMMAND, cmd | bits);
}

/* Enable memory decoding; the first caller does the work. */
int pci_enable_device_mem(struct pci_dev *dev)
{
	if (atomic_inc_return(&dev->enable_cnt) > 1)
		return 0;		/* already enabled */
	if (dev->bus->self)
		pci_enable_bridge_regions(dev->bus->self,
					  PCI_COMMAND_MEMORY |
					  PCI_COMMAND_MASTER);
	pci_enable_bridge_regions(dev, PCI_COMMAND_MEMORY);
	return 0;
}

static void __pci_set_master(struct pci_dev *dev, bool enable)
{
	u16 old_cmd, cmd;

	pci_read_config_word(dev, PCI_COMMAND, &old_cmd);
	if (enable)
		cmd = old_cmd | PCI_COMMAND_MASTER;
	else
		cmd = old_cmd & ~PCI_COMMAND_MASTER;
	if (cmd != old_cmd)
		pci_write_config_word(dev, PCI_COMMAND, cmd);
	dev->is_busmaster = enable;
}

void pci_set_master(struct pci_dev *dev)
{
	__pci_set_master(dev, true);
}

void pci_clear_master(struct pci_dev *dev)
{
	__pci_set_master(dev, false);
}

/* The last pci_disable_device() stops bus mastering (do_pci_disable_device). */
void pci_disable_device(struct pci_dev *dev)
{
	WARN_ONCE(atomic_read(&dev->enable_cnt) <= 0,
		  "disabling already-disabled device");
	if (atomic_dec_return(&dev->enable_cnt) != 0)
		return;
	__pci_set_master(dev, false);
}

/* Is the device still there? Its vendor ID reads all-ones once gone. */
bool pci_device_is_present(struct pci_dev *pdev)
{
	u32 v;

	if (pci_dev_is_disconnected(pdev))
		return false;
	pci_bus_read_config_dword(pdev->bus, pdev->devfn, PCI_VENDOR_ID, &v);
	return v != 0xffffffff && v != 0 && v != 0x0000ffff &&
	       v != 0xffff0000;
}

/* pciehp marks every device of a removed slot before removing them. */
int pci_dev_set_disconnected(struct pci_dev *dev, void *unused)
{
	dev->error_state = pci_channel_io_perm_failure;
	return 0;
}

void pci_intx(struct pci_dev *pdev, int enable)
{
	u16 pci_command, new;

	pci_read_config_word(pdev, PCI_COMMAND, &pci_command);
	if (enable)
		new = pci_command & ~PCI_COMMAND_INTX_DISABLE;
	else
		new = pci_command | PCI_COMMAND_INTX_DISABLE;
	if (new != pci_command)
		pci_write_config_word(pdev, PCI_COMMAND, new);
}

/* hvsim: there is no resource tree to claim the BARs in. */
int pci_request_mem_regions(struct pci_dev *pdev, const char *name)
{
	return 0;
}

void pci_release_mem_regions(struct pci_dev *pdev)
{
}
