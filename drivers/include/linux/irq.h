/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/irq.h>: what drivers use of the IRQ core's descriptors
 * (<linux/irqdesc.h>) plus the handler registration of
 * <linux/interrupt.h>. Implemented in sim/kapi/irq.c; see those headers
 * for the semantics. No chips, domains or affinity: the simulated
 * platform delivers an interrupt straight to its IRQ number.
 */
#ifndef _LINUX_IRQ_H
#define _LINUX_IRQ_H

#include <linux/interrupt.h>
#include <linux/irqdesc.h>

#define IRQ_NOTCONNECTED	(1U << 31)

#endif /* _LINUX_IRQ_H */
