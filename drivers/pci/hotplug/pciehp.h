/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the PCI Express hot-plug driver's controller and
 * what its files share, as the kernel's drivers/pci/hotplug/pciehp.h. It
 * sits between pciehp_core.c (the port service probe), pciehp_hpc.c (the
 * slot registers and the interrupt), pciehp_ctrl.c (the slot state
 * machine) and pciehp_pci.c (adding and removing the devices).
 */
#ifndef _PCIEHP_H
#define _PCIEHP_H

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/pci.h>

#define OFF_STATE			0
#define BLINKINGON_STATE		1
#define BLINKINGOFF_STATE		2
#define POWERON_STATE			3
#define POWEROFF_STATE			4
#define ON_STATE			5

/* atomic_or(), which the atomic shim lacks, from atomic_cmpxchg(). */
#ifndef atomic_or
#define atomic_or(i, v)							\
do {									\
	int __old;							\
	do {								\
		__old = atomic_read(v);					\
	} while (atomic_cmpxchg((v), __old, __old | (i)) != __old);	\
} while (0)
#endif

#define SAFE_REMOVAL	 true
#define SURPRISE_REMOVAL false

struct controller {
	struct pci_dev *port;		/* the hot-plug capable port */
	u16 slot_ctrl;
	struct mutex state_lock;
	u8 state;
	atomic_t pending_events;	/* from the ISR to the IRQ thread */
	bool ist_running;
	char name[16];
};

#define ctrl_info(ctrl, fmt, ...)					\
	pci_info((ctrl)->port, fmt, ##__VA_ARGS__)
#define ctrl_dbg(ctrl, fmt, ...)					\
	pci_dbg((ctrl)->port, fmt, ##__VA_ARGS__)
#define ctrl_err(ctrl, fmt, ...)					\
	pci_err((ctrl)->port, fmt, ##__VA_ARGS__)

static inline const char *slot_name(struct controller *ctrl)
{
	return ctrl->name;
}

/* pciehp_hpc.c */
struct controller *pcie_init(struct pci_dev *port);
int pcie_init_notification(struct controller *ctrl);
int pciehp_card_present(struct controller *ctrl);

/* pciehp_ctrl.c */
void pciehp_handle_presence_or_link_change(struct controller *ctrl,
					   u32 events);

/* pciehp_pci.c */
void pciehp_unconfigure_device(struct controller *ctrl, bool presence);

#endif /* _PCIEHP_H */
