/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the PCI model: the platform's PCI Express topology
 * (one root complex, and for every device function a hot-plug capable
 * root port with the function behind it on a bus of its own), the
 * configuration space of those functions, their BARs, their MSI-X tables
 * and INTx pins, and surprise removal. It sits between the guest's PCI
 * core (drivers/pci/), which reaches it through the platform's config
 * mechanism raw_pci_read()/raw_pci_write() and through MMIO windows
 * (sim/kapi/hw.h), and the device models that live behind a function
 * (models/nvme_ctrl.c), which plug in with a PciFuncConfig.
 *
 * What a guest sees:
 *  - bus 0 holds root port N at device N+1 (vendor 1b36 device 000c, a
 *    type 1 header with a PCIe capability whose slot has Hot-Plug Capable
 *    set and a Slot Status with Presence Detect State and Presence Detect
 *    Changed; its INTx line is the port's hot-plug interrupt, raised when
 *    Presence Detect Changed is set while Hot-Plug Interrupt Enable and
 *    Presence Detect Changed Enable are set in Slot Control);
 *  - bus N+1 holds the function at devfn 0, with the vendor, device and
 *    class of its PciFuncConfig, a 64-bit BAR0 served by the device
 *    model, a 64-bit BAR4 holding the MSI-X table (offset 0) and PBA
 *    (offset 0x800), a PCIe capability and an MSI-X capability whose
 *    Table Size is msix_vectors (no MSI capability), and INTA routed to
 *    intx_line.
 *
 * Interrupts: pci_func_interrupt() signals vector N as the hardware does:
 * with MSI-X enabled, the MSI-X table entry N's message, unless the
 * function or the entry is masked (then its pending bit is set and the
 * message goes out when the mask clears), and only with Bus Master
 * Enable (an MSI is a memory write); with MSI-X disabled, the INTx line
 * unless Interrupt Disable is set. A message's data is the IRQ number the
 * guest's MSI core programmed (sim/kapi/hw.h delivers it).
 *
 * Surprise removal: pci_func_surprise_remove() powers the function off.
 * From then on its configuration space and BARs read all-ones and writes
 * are dropped, it raises nothing, and the root port reports Presence
 * Detect State clear with Presence Detect Changed, which starts pciehp in
 * the guest (the remover). The device model's power_off callback runs
 * first, so it can drop its pending work.
 *
 * The model never trusts the guest: bad offsets and sizes read all-ones
 * and are recorded as SIM_TR_HOST_NOTE trace events. All state is per
 * world (the host's priv); topology and BAR addresses are fixed when the
 * function is added, the rest is reset at every execution.
 */
#ifndef HVSIM_MODELS_PCI_H
#define HVSIM_MODELS_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/kapi/hw.h"
#include "sim/sim.h"

typedef struct PciHost PciHost;
typedef struct PciFunc PciFunc;

/* What a device model puts behind a function. */
typedef struct {
	const char *name;		/* static, e.g. the [device] name */
	uint16_t vendor, device;
	uint32_t class_code;		/* base, sub, prog-if */
	uint64_t bar0_size;		/* a power of two, >= 4096 */
	const SimMmioOps *bar0_ops;	/* the device's registers */
	void *priv;			/* for bar0_ops and the callbacks */
	unsigned int msix_vectors;	/* 0: no MSI-X capability */
	uint8_t intx_line;		/* IRQ INTA is routed to (< 20) */
	/* Optional, engine context: the execution starts (reset), the
	 * function lost power. */
	void (*start)(void *priv);
	void (*power_off)(void *priv);
} PciFuncConfig;

/* The world's PCI host, attached on first use (it starts, i.e. resets,
 * before the device models attached after it). Never NULL. */
PciHost *pci_host_attach(SimWorld *w);
SimWorld *pci_host_world(const PciHost *h);

/* Add a function behind a new root port; NULL when the world has 4
 * already. Engine context, at model creation; @cfg is copied. */
PciFunc *pci_host_add_function(PciHost *h, const PciFuncConfig *cfg);

/* Device side, engine context. */
void pci_func_interrupt(PciFunc *f, unsigned int vector);
void pci_func_surprise_remove(PciFunc *f);
/* Power the function off inside the guest's @nth config write that
 * enables MSI-X (counted from power-on; 0 disarms). Engine context. */
void pci_func_power_off_at_msix_enable(PciFunc *f, unsigned int nth);
bool pci_func_present(const PciFunc *f);
bool pci_func_bus_master(const PciFunc *f);
SimWorld *pci_func_world(const PciFunc *f);
/* The function's address, as the guest names it ("0000:01:00.0"). */
const char *pci_func_name(const PciFunc *f);

/* Introspection for tests: interrupts dropped because of masks, missing
 * Bus Master Enable or a bad message, in this execution. */
unsigned int pci_func_dropped_interrupts(const PciFunc *f);

#endif /* HVSIM_MODELS_PCI_H */
