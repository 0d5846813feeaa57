/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/pci.h> (with the parts of pci_regs.h, mod_devicetable.h
 * and ioport.h that drivers use): the PCI core's devices, buses and
 * drivers, configuration space access, resources, enabling, MSI/MSI-X
 * vectors and their IRQs. Unlike most shim headers, the code behind it is
 * driver code, the PCI core of drivers/pci/ (module "pci"), written like
 * the v5.13 files it models, because the races it serves live in it: the
 * BUG_ON(irq_has_action()) of free_msi_irqs() must be "kernel BUG at
 * drivers/pci/msi.c:<line>!".
 *
 * Kernel semantics kept (v5.13): pci_alloc_irq_vectors_affinity() tries
 * MSI-X, then MSI, then the legacy INTx line (only if min_vecs == 1) and
 * sets msix_enabled last; pci_free_irq_vectors() = pci_disable_msix() +
 * pci_disable_msi(), each an unlocked check of msix_enabled/msi_enabled
 * then the teardown (pci_msix_shutdown(), free_msi_irqs()), so two callers
 * can both pass the check; free_msi_irqs() BUG()s if any vector still has
 * an IRQ action; pci_irq_vector() maps vector @nr to its IRQ, or to
 * dev->irq + nr without MSI (WARN_ON_ONCE(nr > 0) and -EINVAL then);
 * pci_device_is_present() reads the vendor ID (all-ones when the device
 * is gone); pci_dev_set_disconnected() makes the MSI-X shutdown skip the
 * hardware.
 *
 * Customised for the harness: one PCI domain; configuration space is
 * reached through raw_pci_read()/raw_pci_write(), which the PCI model
 * (models/pci.h) implements as the platform's config mechanism; the
 * msi_list hangs off struct pci_dev (the kernel keeps it in struct
 * device); no sysfs, no power management beyond current_state, no
 * resource tree (a BAR is what firmware assigned).
 */
#ifndef _LINUX_PCI_H
#define _LINUX_PCI_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/errno.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irqdesc.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/types.h>

/* ------------------------------------------------------ pci_regs.h -- */

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define  PCI_COMMAND_IO		0x1
#define  PCI_COMMAND_MEMORY	0x2
#define  PCI_COMMAND_MASTER	0x4
#define  PCI_COMMAND_SERR	0x100
#define  PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS		0x06
#define  PCI_STATUS_CAP_LIST	0x10
#define PCI_CLASS_REVISION	0x08
#define PCI_HEADER_TYPE		0x0e
#define  PCI_HEADER_TYPE_MASK	0x7f
#define  PCI_HEADER_TYPE_NORMAL	0
#define  PCI_HEADER_TYPE_BRIDGE	1
#define PCI_BASE_ADDRESS_0	0x10
#define  PCI_BASE_ADDRESS_SPACE_IO 0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_64 0x04
#define  PCI_BASE_ADDRESS_MEM_MASK (~0x0fUL)
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_PRIMARY_BUS		0x18
#define PCI_SECONDARY_BUS	0x19
#define PCI_SUBORDINATE_BUS	0x1a

#define PCI_CAP_LIST_ID		0
#define PCI_CAP_LIST_NEXT	1
#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_EXP		0x10
#define PCI_CAP_ID_MSIX		0x11

#define PCI_MSIX_FLAGS		2
#define  PCI_MSIX_FLAGS_QSIZE	0x07ff
#define  PCI_MSIX_FLAGS_MASKALL	0x4000
#define  PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_TABLE		4
#define  PCI_MSIX_TABLE_BIR	0x00000007
#define  PCI_MSIX_TABLE_OFFSET	0xfffffff8
#define PCI_MSIX_PBA		8
#define PCI_MSIX_ENTRY_SIZE		16
#define PCI_MSIX_ENTRY_LOWER_ADDR	0
#define PCI_MSIX_ENTRY_UPPER_ADDR	4
#define PCI_MSIX_ENTRY_DATA		8
#define PCI_MSIX_ENTRY_VECTOR_CTRL	12
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT	0x00000001

#define PCI_EXP_FLAGS		2
#define  PCI_EXP_FLAGS_SLOT	0x0100
#define PCI_EXP_SLTCAP		0x14
#define  PCI_EXP_SLTCAP_HPC	0x00000040
#define PCI_EXP_SLTCTL		0x18
#define  PCI_EXP_SLTCTL_PDCE	0x0008
#define  PCI_EXP_SLTCTL_HPIE	0x0020
#define PCI_EXP_SLTSTA		0x1a
#define  PCI_EXP_SLTSTA_ABP	0x0001
#define  PCI_EXP_SLTSTA_PFD	0x0002
#define  PCI_EXP_SLTSTA_PDC	0x0008
#define  PCI_EXP_SLTSTA_CC	0x0010
#define  PCI_EXP_SLTSTA_PDS	0x0040
#define  PCI_EXP_SLTSTA_DLLSC	0x0100

#define PCI_CLASS_BRIDGE_PCI		0x0604
#define PCI_CLASS_STORAGE_EXPRESS	0x010802

#define PCI_DEVFN(slot, func)	((((slot) & 0x1f) << 3) | ((func) & 0x07))
#define PCI_SLOT(devfn)		(((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)		((devfn) & 0x07)

/* ------------------------------------------------------------ types -- */

#define PCI_ANY_ID	(~0U)

struct pci_device_id {
	u32 vendor, device;
	u32 subvendor, subdevice;
	u32 class, class_mask;
	unsigned long driver_data;
};

#define PCI_DEVICE(vend, dev)						\
	.vendor = (vend), .device = (dev),				\
	.subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID
#define PCI_DEVICE_CLASS(dev_class, dev_class_mask)			\
	.class = (dev_class), .class_mask = (dev_class_mask),		\
	.vendor = PCI_ANY_ID, .device = PCI_ANY_ID,			\
	.subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID

#define IORESOURCE_MEM		0x00000200
#define IORESOURCE_MEM_64	0x00100000
#define IORESOURCE_UNSET	0x20000000

struct resource {
	resource_size_t start;
	resource_size_t end;
	const char *name;
	unsigned long flags;
};

#define PCI_STD_NUM_BARS	6
#define PCI_NUM_RESOURCES	17

typedef int pci_power_t;
#define PCI_D0		((pci_power_t)0)
#define PCI_D3hot	((pci_power_t)3)
#define PCI_D3cold	((pci_power_t)4)

typedef unsigned int pci_channel_state_t;
enum pci_channel_state {
	pci_channel_io_normal = 1,
	pci_channel_io_frozen = 2,
	pci_channel_io_perm_failure = 3,
};

struct pci_dev;
struct pci_driver;

struct pci_bus {
	struct list_head node;		/* on the parent's children */
	struct pci_bus *parent;
	struct list_head children;
	struct list_head devices;	/* struct pci_dev.bus_list */
	struct pci_dev *self;		/* the bridge leading here */
	unsigned char number;
	unsigned char primary;
};

struct pci_dev {
	struct list_head bus_list;	/* on bus->devices */
	struct pci_bus *bus;
	struct pci_bus *subordinate;	/* a bridge's secondary bus */
	unsigned int devfn;
	unsigned short vendor;
	unsigned short device;
	unsigned short subsystem_vendor;
	unsigned short subsystem_device;
	unsigned int class;		/* 3 bytes: (base, sub, prog-if) */
	u8 revision;
	u8 hdr_type;
	u8 pin;
	u8 pcie_cap;
	u8 msi_cap;
	u8 msix_cap;
	struct pci_driver *driver;
	pci_power_t current_state;
	pci_channel_state_t error_state;
	struct device dev;
	unsigned int irq;		/* the INTx line's IRQ */
	struct resource resource[PCI_NUM_RESOURCES];
	unsigned int msi_enabled:1;
	unsigned int msix_enabled:1;
	unsigned int is_busmaster:1;
	unsigned int is_hotplug_bridge:1;
	atomic_t enable_cnt;		/* pci_enable_device has been called */
	/* hvsim: the kernel keeps the list in struct device (dev->msi_list). */
	struct list_head msi_list;	/* struct msi_desc.list */
};

#define to_pci_dev(n)	container_of(n, struct pci_dev, dev)

struct pci_driver {
	const char *name;
	const struct pci_device_id *id_table;
	int (*probe)(struct pci_dev *dev, const struct pci_device_id *id);
	void (*remove)(struct pci_dev *dev);
	void (*shutdown)(struct pci_dev *dev);
	struct device_driver driver;
};

#define to_pci_driver(drv)	container_of(drv, struct pci_driver, driver)

extern struct bus_type pci_bus_type;

int __pci_register_driver(struct pci_driver *drv, struct module *owner,
			  const char *mod_name);
#define pci_register_driver(drv)					\
	__pci_register_driver(drv, THIS_MODULE, KBUILD_MODNAME)
void pci_unregister_driver(struct pci_driver *drv);

/* ----------------------------------------------- configuration space -- */

/*
 * The platform's configuration mechanism (arch/x86/pci/common.c in the
 * kernel), implemented by the PCI model: a read of a function that does
 * not answer gives all-ones. Never a scheduling point by itself.
 */
int raw_pci_read(unsigned int domain, unsigned int bus, unsigned int devfn,
		 int reg, int len, u32 *val);
int raw_pci_write(unsigned int domain, unsigned int bus, unsigned int devfn,
		  int reg, int len, u32 val);

int pci_bus_read_config_byte(struct pci_bus *bus, unsigned int devfn,
			     int where, u8 *val);
int pci_bus_read_config_word(struct pci_bus *bus, unsigned int devfn,
			     int where, u16 *val);
int pci_bus_read_config_dword(struct pci_bus *bus, unsigned int devfn,
			      int where, u32 *val);
int pci_bus_write_config_byte(struct pci_bus *bus, unsigned int devfn,
			      int where, u8 val);
int pci_bus_write_config_word(struct pci_bus *bus, unsigned int devfn,
			      int where, u16 val);
int pci_bus_write_config_dword(struct pci_bus *bus, unsigned int devfn,
			       int where, u32 val);

int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *val);
int pci_read_config_word(const struct pci_dev *dev, int where, u16 *val);
int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *val);
int pci_write_config_byte(const struct pci_dev *dev, int where, u8 val);
int pci_write_config_word(const struct pci_dev *dev, int where, u16 val);
int pci_write_config_dword(const struct pci_dev *dev, int where, u32 val);

int pcie_capability_read_word(struct pci_dev *dev, int pos, u16 *val);
int pcie_capability_write_word(struct pci_dev *dev, int pos, u16 val);

u8 pci_find_capability(struct pci_dev *dev, int cap);

#define PCI_POSSIBLE_ERROR(val)	((val) == ((typeof(val))~0))

/* -------------------------------------------------------- the device -- */

static inline void *pci_get_drvdata(struct pci_dev *pdev)
{
	return dev_get_drvdata(&pdev->dev);
}

static inline void pci_set_drvdata(struct pci_dev *pdev, void *data)
{
	dev_set_drvdata(&pdev->dev, data);
}

static inline const char *pci_name(const struct pci_dev *pdev)
{
	return dev_name(&pdev->dev);
}

static inline int pci_domain_nr(struct pci_bus *bus)
{
	return 0;
}

#define pci_resource_start(dev, bar)	((dev)->resource[(bar)].start)
#define pci_resource_end(dev, bar)	((dev)->resource[(bar)].end)
#define pci_resource_flags(dev, bar)	((dev)->resource[(bar)].flags)
#define pci_resource_len(dev, bar)					\
	((pci_resource_end((dev), (bar)) == 0) ? 0 :			\
	 (pci_resource_end((dev), (bar)) -				\
	  pci_resource_start((dev), (bar)) + 1))

static inline int pci_is_enabled(struct pci_dev *pdev)
{
	return (atomic_read(&pdev->enable_cnt) > 0);
}

static inline bool pci_dev_is_disconnected(const struct pci_dev *dev)
{
	return dev->error_state == pci_channel_io_perm_failure;
}

static inline int pci_channel_offline(struct pci_dev *pdev)
{
	return (pdev->error_state != pci_channel_io_normal);
}

struct pci_dev *pci_dev_get(struct pci_dev *dev);
void pci_dev_put(struct pci_dev *dev);

int pci_enable_device_mem(struct pci_dev *dev);
void pci_disable_device(struct pci_dev *dev);
void pci_set_master(struct pci_dev *dev);
void pci_clear_master(struct pci_dev *dev);
bool pci_device_is_present(struct pci_dev *pdev);
int pci_dev_set_disconnected(struct pci_dev *dev, void *unused);
int pci_request_mem_regions(struct pci_dev *pdev, const char *name);
void pci_release_mem_regions(struct pci_dev *pdev);
void pci_intx(struct pci_dev *dev, int enable);

static inline int pci_save_state(struct pci_dev *dev)
{
	return 0;
}

static inline int pci_enable_pcie_error_reporting(struct pci_dev *dev)
{
	return 0;
}

static inline int pci_disable_pcie_error_reporting(struct pci_dev *dev)
{
	return 0;
}

/* Bus walks, enumeration and removal. */
void pci_walk_bus(struct pci_bus *top, int (*cb)(struct pci_dev *, void *),
		  void *userdata);
void pci_lock_rescan_remove(void);
void pci_unlock_rescan_remove(void);
void pci_stop_and_remove_bus_device(struct pci_dev *dev);
struct pci_bus *pci_scan_root_bus(int bus);
struct pci_dev *pci_get_domain_bus_and_slot(int domain, unsigned int bus,
					    unsigned int devfn);

/* -------------------------------------------------------- MSI / IRQs -- */

#define PCI_IRQ_LEGACY		(1 << 0)
#define PCI_IRQ_MSI		(1 << 1)
#define PCI_IRQ_MSIX		(1 << 2)
#define PCI_IRQ_AFFINITY	(1 << 3)
#define PCI_IRQ_ALL_TYPES	(PCI_IRQ_LEGACY | PCI_IRQ_MSI | PCI_IRQ_MSIX)

int pci_alloc_irq_vectors_affinity(struct pci_dev *dev, unsigned int min_vecs,
				   unsigned int max_vecs, unsigned int flags,
				   struct irq_affinity *affd);

static inline int pci_alloc_irq_vectors(struct pci_dev *dev,
					unsigned int min_vecs,
					unsigned int max_vecs,
					unsigned int flags)
{
	return pci_alloc_irq_vectors_affinity(dev, min_vecs, max_vecs, flags,
					      NULL);
}

void pci_free_irq_vectors(struct pci_dev *dev);
int pci_irq_vector(struct pci_dev *dev, unsigned int nr);
void pci_disable_msix(struct pci_dev *dev);
void pci_disable_msi(struct pci_dev *dev);
int pci_msix_vec_count(struct pci_dev *dev);

int pci_request_irq(struct pci_dev *dev, unsigned int nr,
		    irq_handler_t handler, irq_handler_t thread_fn,
		    void *dev_id, const char *fmt, ...) __printf(6, 7);
void pci_free_irq(struct pci_dev *dev, unsigned int nr, void *dev_id);

/* ----------------------------------------------------------- messages -- */

#define pci_err(pdev, fmt, ...)		dev_err(&(pdev)->dev, fmt, ##__VA_ARGS__)
#define pci_warn(pdev, fmt, ...)	dev_warn(&(pdev)->dev, fmt, ##__VA_ARGS__)
#define pci_info(pdev, fmt, ...)	dev_info(&(pdev)->dev, fmt, ##__VA_ARGS__)
#define pci_dbg(pdev, fmt, ...)		dev_dbg(&(pdev)->dev, fmt, ##__VA_ARGS__)

#endif /* _LINUX_PCI_H */
