// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the slot state machine of pciehp: a presence or
 * link change on a slot that is on turns it off, which removes the
 * devices behind it (a surprise removal when the card is gone). It sits
 * between the IRQ thread (pciehp_hpc.c) and device removal
 * (pciehp_pci.c), as the kernel's drivers/pci/hotplug/pciehp_ctrl.c.
 */
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/pci.h>

#include "pciehp.h"

static void remove_board(struct controller *ctrl, bool safe_removal)
{
	pciehp_unconfigure_device(ctrl, safe_removal);
}

static int __pciehp_disable_slot(struct controller *ctrl, bool safe_removal)
{
	remove_board(ctrl, safe_removal);
	return 0;
}

static int pciehp_disable_slot(struct controller *ctrl, bool safe_removal)
{
	int ret;

	ret = __pciehp_disable_slot(ctrl, safe_removal);

	mutex_lock(&ctrl->state_lock);
	ctrl->state = OFF_STATE;
	mutex_unlock(&ctrl->state_lock);

	return ret;
}

void pciehp_handle_presence_or_link_change(struct controller *ctrl, u32 events)
{
	int present;

	/*
	 * If the slot is on and presence or link has changed, turn it off.
	 * Even if it's occupied again, we cannot assume the card is the same.
	 */
	mutex_lock(&ctrl->state_lock);
	switch (ctrl->state) {
	case ON_STATE:
		ctrl->state = POWEROFF_STATE;
		mutex_unlock(&ctrl->state_lock);
		if (events & PCI_EXP_SLTSTA_DLLSC)
			ctrl_info(ctrl, "Slot(%s): Link Down\n",
				  slot_name(ctrl));
		if (events & PCI_EXP_SLTSTA_PDC)
			ctrl_info(ctrl, "Slot(%s): Card not present\n",
				  slot_name(ctrl));
		pciehp_disable_slot(ctrl, SURPRISE_REMOVAL);
		break;
	default:
		mutex_unlock(&ctrl->state_lock);
		break;
	}

	/* Turn the slot on if it's occupied: hvsim models no re-insertion. */
	mutex_lock(&ctrl->state_lock);
	present = pciehp_card_present(ctrl);
	if (present > 0)
		ctrl_info(ctrl, "Slot(%s): Card present\n", slot_name(ctrl));
	mutex_unlock(&ctrl->state_lock);
}
