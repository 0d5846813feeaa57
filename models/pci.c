// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the PCI model: configuration space of the root
 * ports and device functions, BAR decoding, the MSI-X table and its
 * delivery, INTx, and surprise removal with the root port's hot-plug
 * interrupt. It sits between the guest's PCI core (drivers/pci/), which
 * calls raw_pci_read()/raw_pci_write() and maps the BARs, and the device
 * models behind the functions (models/nvme_ctrl.c). See models/pci.h for
 * what the guest sees.
 *
 * Configuration space is a 256-byte image per function with a write mask:
 * a guest write changes only the writable bits, RW1C bits (Presence
 * Detect Changed) clear when written with 1, and BAR writes follow the
 * sizing protocol (all-ones reads back the size mask). Everything the
 * guest reaches is bounds-checked; nothing it does makes the model abort.
 *
 * A device model can arm a surprise removal on the guest's n-th MSI-X
 * enable (pci_func_power_off_at_msix_enable()): the power goes inside
 * that config write, so the remover becomes runnable while the driver is
 * between allocating its vectors and requesting its IRQs, a window no
 * timeline event can reach (race: nvme-a5a6-after-b1b2).
 */
#include <string.h>

#include <glib.h>

#include "models/pci.h"
#include "sim/kapi/hw.h"
#include "sim/trace.h"
#include "sim/world.h"

#include <linux/pci.h>

#define PCI_HOST_MAX_FUNCS	4
#define CFG_SIZE		256

/* Firmware's address map: BARs of function i at PCI_MMIO_BASE + i * 1M. */
#define PCI_MMIO_BASE		0xfe000000ULL
#define PCI_MMIO_STRIDE		0x100000ULL
#define MSIX_BAR		4
#define MSIX_BAR_SIZE		0x1000ULL
#define MSIX_PBA_OFFSET		0x800
#define MSIX_MAX_VECTORS	128

/* Where the capabilities sit. */
#define CAP_EXP			0x40	/* PCIe capability, 0x3c bytes */
#define CAP_MSIX		0x80

/* The root ports' hot-plug interrupt lines: 20..23. */
#define PORT_INTX_BASE		20

typedef struct {
	uint8_t cfg[CFG_SIZE];
	uint8_t wmask[CFG_SIZE];	/* writable bits */
	uint8_t w1c[CFG_SIZE];		/* write-1-to-clear bits */
	uint64_t bar_size[PCI_STD_NUM_BARS];	/* 0: no BAR */
	bool bar_hi[PCI_STD_NUM_BARS];	/* upper half of a 64-bit BAR */
} CfgSpace;

typedef struct {
	uint32_t addr_lo, addr_hi, data, ctrl;
} MsixEntry;

struct PciFunc {
	PciHost *host;
	PciFuncConfig cfg;
	unsigned int index;
	char name[16];			/* "0000:01:00.0" */
	uint64_t bar0_base, bar4_base;

	/* Per execution. */
	bool present;
	CfgSpace fn;			/* the function */
	CfgSpace port;			/* its root port */
	MsixEntry msix[MSIX_MAX_VECTORS];
	bool msix_pending[MSIX_MAX_VECTORS];
	unsigned int dropped;
	unsigned int msix_enables;	/* guest writes that enabled MSI-X */
	unsigned int remove_at_enable;	/* power off at that one; 0: no */
};

struct PciHost {
	SimModel model;
	SimWorld *w;
	PciFunc *funcs[PCI_HOST_MAX_FUNCS];
	unsigned int nfuncs;
};

/* ---------------------------------------------------- config images -- */

static void cfg_put(CfgSpace *c, int off, int len, uint32_t v)
{
	for (int i = 0; i < len; i++)
		c->cfg[off + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t cfg_get(const CfgSpace *c, int off, int len)
{
	uint32_t v = 0;

	for (int i = 0; i < len; i++)
		v |= (uint32_t)c->cfg[off + i] << (8 * i);
	return v;
}

static void cfg_wmask(CfgSpace *c, int off, int len, uint32_t m)
{
	for (int i = 0; i < len; i++)
		c->wmask[off + i] = (uint8_t)(m >> (8 * i));
}

static void cfg_w1c(CfgSpace *c, int off, int len, uint32_t m)
{
	for (int i = 0; i < len; i++)
		c->w1c[off + i] = (uint8_t)(m >> (8 * i));
}

static void cfg_bar64(CfgSpace *c, int bar, uint64_t base, uint64_t size)
{
	int off = PCI_BASE_ADDRESS_0 + 4 * bar;

	c->bar_size[bar] = size;
	c->bar_hi[bar + 1] = true;
	cfg_put(c, off, 4, (uint32_t)base | PCI_BASE_ADDRESS_MEM_TYPE_64);
	cfg_put(c, off + 4, 4, (uint32_t)(base >> 32));
}

/* A type 1 header: the root port of function @f. */
static void port_image(PciFunc *f)
{
	CfgSpace *c = &f->port;
	unsigned int sec = f->index + 1;

	memset(c, 0, sizeof(*c));
	cfg_put(c, PCI_VENDOR_ID, 2, 0x1b36);
	cfg_put(c, PCI_DEVICE_ID, 2, 0x000c);
	cfg_put(c, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	cfg_put(c, PCI_CLASS_REVISION, 4, (uint32_t)PCI_CLASS_BRIDGE_PCI << 16);
	cfg_put(c, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_BRIDGE);
	cfg_put(c, PCI_PRIMARY_BUS, 1, 0);
	cfg_put(c, PCI_SECONDARY_BUS, 1, sec);
	cfg_put(c, PCI_SUBORDINATE_BUS, 1, sec);
	cfg_put(c, PCI_CAPABILITY_LIST, 1, CAP_EXP);
	cfg_put(c, PCI_INTERRUPT_LINE, 1, PORT_INTX_BASE + f->index);
	cfg_put(c, PCI_INTERRUPT_PIN, 1, 1);
	cfg_wmask(c, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		  PCI_COMMAND_INTX_DISABLE);
	/* PCIe capability, root port (type 4), with a slot. */
	cfg_put(c, CAP_EXP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_EXP);
	cfg_put(c, CAP_EXP + PCI_EXP_FLAGS, 2, 0x0002 | (4 << 4) |
		PCI_EXP_FLAGS_SLOT);
	cfg_put(c, CAP_EXP + PCI_EXP_SLTCAP, 4, PCI_EXP_SLTCAP_HPC |
		(sec << 19));
	cfg_wmask(c, CAP_EXP + PCI_EXP_SLTCTL, 2, 0x1fff);
	cfg_put(c, CAP_EXP + PCI_EXP_SLTSTA, 2, PCI_EXP_SLTSTA_PDS);
	cfg_w1c(c, CAP_EXP + PCI_EXP_SLTSTA, 2, PCI_EXP_SLTSTA_ABP |
		PCI_EXP_SLTSTA_PFD | PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_CC |
		PCI_EXP_SLTSTA_DLLSC);
}

/* A type 0 header: the function itself. */
static void func_image(PciFunc *f)
{
	CfgSpace *c = &f->fn;
	unsigned int n = f->cfg.msix_vectors;

	memset(c, 0, sizeof(*c));
	cfg_put(c, PCI_VENDOR_ID, 2, f->cfg.vendor);
	cfg_put(c, PCI_DEVICE_ID, 2, f->cfg.device);
	cfg_put(c, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	cfg_put(c, PCI_CLASS_REVISION, 4, f->cfg.class_code << 8 | 0x02);
	cfg_put(c, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL);
	cfg_put(c, PCI_SUBSYSTEM_VENDOR_ID, 2, 0x1af4);
	cfg_put(c, PCI_SUBSYSTEM_ID, 2, 0x1100);
	cfg_put(c, PCI_CAPABILITY_LIST, 1, CAP_EXP);
	cfg_put(c, PCI_INTERRUPT_LINE, 1, f->cfg.intx_line);
	cfg_put(c, PCI_INTERRUPT_PIN, 1, 1);
	cfg_wmask(c, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		  PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	if (f->cfg.bar0_size)
		cfg_bar64(c, 0, f->bar0_base, f->cfg.bar0_size);
	cfg_put(c, CAP_EXP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_EXP);
	cfg_put(c, CAP_EXP + PCI_CAP_LIST_NEXT, 1, n ? CAP_MSIX : 0);
	cfg_put(c, CAP_EXP + PCI_EXP_FLAGS, 2, 0x0002);
	if (n) {
		cfg_bar64(c, MSIX_BAR, f->bar4_base, MSIX_BAR_SIZE);
		cfg_put(c, CAP_MSIX + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSIX);
		cfg_put(c, CAP_MSIX + PCI_MSIX_FLAGS, 2, n - 1);
		cfg_wmask(c, CAP_MSIX + PCI_MSIX_FLAGS, 2,
			  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
		cfg_put(c, CAP_MSIX + PCI_MSIX_TABLE, 4, 0 | MSIX_BAR);
		cfg_put(c, CAP_MSIX + PCI_MSIX_PBA, 4, MSIX_PBA_OFFSET |
			MSIX_BAR);
	}
}

/* ------------------------------------------------------- MSI-X table -- */

static bool msix_on(const PciFunc *f, bool *func_masked)
{
	uint32_t ctl = cfg_get(&f->fn, CAP_MSIX + PCI_MSIX_FLAGS, 2);

	*func_masked = ctl & PCI_MSIX_FLAGS_MASKALL;
	return f->cfg.msix_vectors && (ctl & PCI_MSIX_FLAGS_ENABLE);
}

static uint16_t command(const PciFunc *f)
{
	return (uint16_t)cfg_get(&f->fn, PCI_COMMAND, 2);
}

/* The memory write of vector @v's message. */
static void msix_send(PciFunc *f, unsigned int v)
{
	SimWorld *w = f->host->w;
	const MsixEntry *e = &f->msix[v];

	if (!(command(f) & PCI_COMMAND_MASTER) ||
	    (e->addr_lo & 0xfff00000u) != 0xfee00000u) {
		/* No bus mastering, or a message nobody programmed: the
		 * write goes nowhere an interrupt comes from. */
		f->dropped++;
		sim_trace(w, SIM_TR_HOST_NOTE, 0, "MSI-X message dropped",
			  f->cfg.name, v, 0);
		return;
	}
	sim_kapi_irq_raise(w, e->data);
}

/* Send the messages whose pending bit can go out now. */
static void msix_flush_pending(PciFunc *f)
{
	bool fmask;

	if (!f->present || !msix_on(f, &fmask) || fmask)
		return;
	for (unsigned int v = 0; v < f->cfg.msix_vectors; v++) {
		if (f->msix_pending[v] &&
		    !(f->msix[v].ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
			f->msix_pending[v] = false;
			msix_send(f, v);
		}
	}
}

static uint64_t msix_read(void *priv, uint64_t off, unsigned int size)
{
	PciFunc *f = priv;
	uint64_t v = 0;

	if (!f->present || !(command(f) & PCI_COMMAND_MEMORY) || size != 4)
		return ~(uint64_t)0;
	if (off < (uint64_t)f->cfg.msix_vectors * PCI_MSIX_ENTRY_SIZE) {
		const MsixEntry *e = &f->msix[off / PCI_MSIX_ENTRY_SIZE];
		const uint32_t words[4] = {
			e->addr_lo, e->addr_hi, e->data, e->ctrl
		};

		v = words[(off % PCI_MSIX_ENTRY_SIZE) / 4];
	} else if (off >= MSIX_PBA_OFFSET &&
		   off < MSIX_PBA_OFFSET + MSIX_MAX_VECTORS / 8) {
		unsigned int first = (unsigned int)(off - MSIX_PBA_OFFSET) * 8;

		for (unsigned int i = 0; i < 32 && first + i < MSIX_MAX_VECTORS; i++)
			if (f->msix_pending[first + i])
				v |= 1u << i;
	}
	return v;
}

static void msix_write(void *priv, uint64_t off, unsigned int size,
		       uint64_t val)
{
	PciFunc *f = priv;
	MsixEntry *e;

	if (!f->present || !(command(f) & PCI_COMMAND_MEMORY))
		return;
	if (size != 4 ||
	    off >= (uint64_t)f->cfg.msix_vectors * PCI_MSIX_ENTRY_SIZE) {
		sim_trace(f->host->w, SIM_TR_HOST_NOTE, 0,
			  "bad MSI-X table write", f->cfg.name, (int64_t)off, 0);
		return;
	}
	e = &f->msix[off / PCI_MSIX_ENTRY_SIZE];
	switch (off % PCI_MSIX_ENTRY_SIZE) {
	case PCI_MSIX_ENTRY_LOWER_ADDR:
		e->addr_lo = (uint32_t)val;
		break;
	case PCI_MSIX_ENTRY_UPPER_ADDR:
		e->addr_hi = (uint32_t)val;
		break;
	case PCI_MSIX_ENTRY_DATA:
		e->data = (uint32_t)val;
		break;
	default:
		e->ctrl = (uint32_t)val & PCI_MSIX_ENTRY_CTRL_MASKBIT;
		msix_flush_pending(f);
		break;
	}
}

static const SimMmioOps msix_ops = { msix_read, msix_write };

/* BAR0: the device's registers, behind the function's decoding. */
static uint64_t bar0_read(void *priv, uint64_t off, unsigned int size)
{
	PciFunc *f = priv;

	if (!f->present || !(command(f) & PCI_COMMAND_MEMORY))
		return ~(uint64_t)0;
	return f->cfg.bar0_ops->read(f->cfg.priv, off, size);
}

static void bar0_write(void *priv, uint64_t off, unsigned int size,
		       uint64_t val)
{
	PciFunc *f = priv;

	if (!f->present || !(command(f) & PCI_COMMAND_MEMORY))
		return;
	f->cfg.bar0_ops->write(f->cfg.priv, off, size, val);
}

static const SimMmioOps bar0_ops = { bar0_read, bar0_write };

/* ---------------------------------------------------- the device side -- */

void pci_func_interrupt(PciFunc *f, unsigned int vector)
{
	SimWorld *w = f->host->w;
	bool fmask;

	if (!f->present)
		return;
	if (msix_on(f, &fmask)) {
		if (vector >= f->cfg.msix_vectors) {
			f->dropped++;
			sim_trace(w, SIM_TR_HOST_NOTE, 0, "no such MSI-X vector",
				  f->cfg.name, vector, 0);
			return;
		}
		if (fmask || (f->msix[vector].ctrl &
			      PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
			f->msix_pending[vector] = true;
			return;
		}
		msix_send(f, vector);
		return;
	}
	if (!(command(f) & PCI_COMMAND_INTX_DISABLE))
		sim_kapi_irq_raise(w, f->cfg.intx_line);
	else
		f->dropped++;
}

void pci_func_surprise_remove(PciFunc *f)
{
	SimWorld *w = f->host->w;
	CfgSpace *p = &f->port;
	uint16_t ctl, sta;

	if (!f->present)
		return;
	if (f->cfg.power_off)
		f->cfg.power_off(f->cfg.priv);
	f->present = false;
	sim_trace(w, SIM_TR_HOST_NOTE, 0, "surprise removal", f->cfg.name,
		  f->index, 0);
	sta = (uint16_t)cfg_get(p, CAP_EXP + PCI_EXP_SLTSTA, 2);
	sta = (sta & ~PCI_EXP_SLTSTA_PDS) | PCI_EXP_SLTSTA_PDC;
	cfg_put(p, CAP_EXP + PCI_EXP_SLTSTA, 2, sta);
	ctl = (uint16_t)cfg_get(p, CAP_EXP + PCI_EXP_SLTCTL, 2);
	if ((ctl & PCI_EXP_SLTCTL_HPIE) && (ctl & PCI_EXP_SLTCTL_PDCE) &&
	    !(cfg_get(p, PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE))
		sim_kapi_irq_raise(w, PORT_INTX_BASE + f->index);
}

/*
 * Arm a surprise removal on the guest's @nth write that enables MSI-X on
 * the function, counted from power-on (0 disarms): the power goes in
 * that config write, right after it took effect, so the remover starts
 * while the driver is still inside the code that enabled MSI-X. A
 * timeline event cannot land there: guest code between two device waits
 * takes no virtual time. Engine context (a model's timeline event).
 */

void pci_func_power_off_at_msix_enable(PciFunc *f, unsigned int nth)
{
	f->remove_at_enable = nth > f->msix_enables ? nth : 0;
}

bool pci_func_present(const PciFunc *f)
{
	return f->present;
}

bool pci_func_bus_master(const PciFunc *f)
{
	return f->present && (command(f) & PCI_COMMAND_MASTER);
}

SimWorld *pci_func_world(const PciFunc *f)
{
	return f->host->w;
}

const char *pci_func_name(const PciFunc *f)
{
	return f->name;
}

unsigned int pci_func_dropped_interrupts(const PciFunc *f)
{
	return f->dropped;
}

/* -------------------------------------------- the config mechanism -- */

static PciHost *host_of(SimWorld *w)
{
	if (!w)
		return NULL;
	for (guint i = 0; i < w->models->len; i++) {
		SimModel *m = g_ptr_array_index(w->models, i);

		if (m->name && strcmp(m->name, "pci-host") == 0)
			return m->priv;
	}
	return NULL;
}

/* The image @bus/@devfn decodes to, and its function; NULL if none. */
static CfgSpace *decode(PciHost *h, unsigned int bus, unsigned int devfn,
			PciFunc **fp)
{
	PciFunc *f;

	if (bus == 0) {
		if (PCI_FUNC(devfn) || PCI_SLOT(devfn) < 1 ||
		    PCI_SLOT(devfn) > h->nfuncs)
			return NULL;
		f = h->funcs[PCI_SLOT(devfn) - 1];
		*fp = f;
		return &f->port;
	}
	if (bus > h->nfuncs || devfn != 0)
		return NULL;
	f = h->funcs[bus - 1];
	*fp = f;
	return f->present ? &f->fn : NULL;
}

static bool bad_access(int reg, int len)
{
	return (len != 1 && len != 2 && len != 4) || reg < 0 ||
	       reg + len > CFG_SIZE || (reg & (len - 1));
}

int raw_pci_read(unsigned int domain, unsigned int bus, unsigned int devfn,
		 int reg, int len, u32 *val)
{
	PciHost *h = host_of(sim_current_world());
	PciFunc *f = NULL;
	CfgSpace *c;

	*val = len == 4 ? ~0u : (1u << (8 * len)) - 1;
	if (!h || domain || bad_access(reg, len))
		return 0;
	c = decode(h, bus, devfn, &f);
	if (!c)
		return 0;
	*val = cfg_get(c, reg, len);
	return 0;
}

/* A write to a BAR register: the sizing protocol, else the new base. */
static void bar_write(CfgSpace *c, int reg, int len, uint32_t v)
{
	int bar = (reg - PCI_BASE_ADDRESS_0) / 4;
	int base_bar = c->bar_hi[bar] ? bar - 1 : bar;
	uint64_t size = c->bar_size[base_bar];
	uint32_t flags = PCI_BASE_ADDRESS_MEM_TYPE_64;

	if (len != 4 || !size)
		return;
	if (c->bar_hi[bar])
		cfg_put(c, reg, 4, v & (uint32_t)(~(size - 1) >> 32));
	else
		cfg_put(c, reg, 4, (v & (uint32_t)~(size - 1) &
				    (uint32_t)PCI_BASE_ADDRESS_MEM_MASK) | flags);
}

int raw_pci_write(unsigned int domain, unsigned int bus, unsigned int devfn,
		  int reg, int len, u32 val)
{
	SimWorld *w = sim_current_world();
	PciHost *h = host_of(w);
	PciFunc *f = NULL;
	CfgSpace *c;
	bool fmask, was_on;

	if (!h || domain || bad_access(reg, len))
		return 0;
	c = decode(h, bus, devfn, &f);
	if (!c)
		return 0;
	sim_trace(w, SIM_TR_GUEST_TX, 0, "pci config write", f->cfg.name,
		  reg, 0);
	if (reg >= PCI_BASE_ADDRESS_0 && reg < PCI_BASE_ADDRESS_0 + 24) {
		bar_write(c, reg, len, val);
		return 0;
	}
	was_on = c == &f->fn && msix_on(f, &fmask);
	for (int i = 0; i < len; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i));
		uint8_t m = c->wmask[reg + i], k = c->w1c[reg + i];

		c->cfg[reg + i] = (uint8_t)((c->cfg[reg + i] & ~m) | (b & m));
		c->cfg[reg + i] &= (uint8_t)~(b & k);
	}
	/* Unmasking MSI-X, or enabling it, lets pending messages out. */
	if (c == &f->fn && msix_on(f, &fmask) && !fmask)
		msix_flush_pending(f);
	/* A power-off armed on this MSI-X enable: the guest's write took
	 * effect, and the power goes before its next instruction (race:
	 * nvme-a5a6-after-b1b2). */
	if (c == &f->fn && f->present && !was_on && msix_on(f, &fmask) &&
	    ++f->msix_enables == f->remove_at_enable) {
		f->remove_at_enable = 0;
		pci_func_surprise_remove(f);
	}
	return 0;
}

/* ---------------------------------------------------------- the host -- */

static void host_start(SimWorld *w, SimModel *m)
{
	PciHost *h = m->priv;

	for (unsigned int i = 0; i < h->nfuncs; i++) {
		PciFunc *f = h->funcs[i];

		f->present = true;
		f->dropped = 0;
		f->msix_enables = 0;
		f->remove_at_enable = 0;
		memset(f->msix, 0, sizeof(f->msix));
		memset(f->msix_pending, 0, sizeof(f->msix_pending));
		/* Entries come out of reset masked. */
		for (unsigned int v = 0; v < MSIX_MAX_VECTORS; v++)
			f->msix[v].ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT;
		port_image(f);
		func_image(f);
		if (f->cfg.start)
			f->cfg.start(f->cfg.priv);
	}
}

static void host_free(SimModel *m)
{
	PciHost *h = m->priv;

	for (unsigned int i = 0; i < h->nfuncs; i++)
		g_free(h->funcs[i]);
	g_free(h);
}

PciHost *pci_host_attach(SimWorld *w)
{
	PciHost *h = host_of(w);

	if (h)
		return h;
	h = g_new0(PciHost, 1);
	h->w = w;
	h->model.name = "pci-host";
	h->model.priv = h;
	h->model.start = host_start;
	h->model.free = host_free;
	sim_world_add_model(w, &h->model);
	return h;
}

SimWorld *pci_host_world(const PciHost *h)
{
	return h->w;
}

PciFunc *pci_host_add_function(PciHost *h, const PciFuncConfig *cfg)
{
	PciFunc *f;

	if (h->nfuncs == PCI_HOST_MAX_FUNCS)
		return NULL;
	g_assert(cfg->msix_vectors <= MSIX_MAX_VECTORS);
	g_assert(!cfg->bar0_size || (cfg->bar0_size >= 4096 &&
				     !(cfg->bar0_size & (cfg->bar0_size - 1)) &&
				     cfg->bar0_size <= PCI_MMIO_STRIDE / 2));
	f = g_new0(PciFunc, 1);
	f->host = h;
	f->cfg = *cfg;
	f->index = h->nfuncs;
	f->bar0_base = PCI_MMIO_BASE + f->index * PCI_MMIO_STRIDE;
	f->bar4_base = f->bar0_base + PCI_MMIO_STRIDE / 2;
	g_snprintf(f->name, sizeof(f->name), "0000:%02x:00.0", f->index + 1);
	h->funcs[h->nfuncs++] = f;
	if (cfg->bar0_size)
		sim_kapi_mmio_register(h->w, f->bar0_base, cfg->bar0_size,
				       &bar0_ops, f, cfg->name);
	if (cfg->msix_vectors)
		sim_kapi_mmio_register(h->w, f->bar4_base, MSIX_BAR_SIZE,
				       &msix_ops, f, "msix-table");
	return f;
}
