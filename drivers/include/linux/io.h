/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/io.h> (and asm/io.h, io-64-nonatomic-lo-hi.h): MMIO
 * mappings and accessors, implemented in sim/kapi/io.c on top of the
 * register windows device models serve (sim/kapi/hw.h).
 *
 * Copies kernel semantics: ioremap() maps a physical range and may sleep;
 * iounmap() of an address that is not a live mapping WARNs; an access
 * through an unmapped address is the kernel's page fault oops, "BUG:
 * unable to handle page fault for address"; a range no device claims
 * reads all-ones; lo_hi_readq()/lo_hi_writeq() are two 32-bit accesses,
 * low half first.
 *
 * Customised for the harness: an __iomem cookie is a number in a range of
 * its own, never a host pointer, so a driver that dereferences it instead
 * of using the accessors faults; the accessors take the call site so a
 * fault names the driver line. writel() and the other writes are
 * scheduling points, reads are not.
 */
#ifndef _LINUX_IO_H
#define _LINUX_IO_H

#include <linux/compiler.h>
#include <linux/types.h>

/* Where cookies live: one 16 MiB slot per ioremap() of an execution. */
#define SIM_IOMEM_BASE		((uintptr_t)0xffffc90100000000ULL)
#define SIM_IOMEM_SLOT		((uintptr_t)0x1000000)
#define SIM_IOMEM_SLOTS		4096

void __iomem *sim_kapi_ioremap(phys_addr_t phys, size_t size,
			       const struct sim_kapi_site *site);
void sim_kapi_iounmap(volatile void __iomem *addr,
		      const struct sim_kapi_site *site);
uint64_t sim_kapi_mmio_read(const volatile void __iomem *addr,
			    unsigned int size,
			    const struct sim_kapi_site *site);
void sim_kapi_mmio_write(volatile void __iomem *addr, unsigned int size,
			 uint64_t val, const struct sim_kapi_site *site);

#define ioremap(phys, size)						\
	sim_kapi_ioremap((phys), (size), SIM_KAPI_SITE(NULL))
#define ioremap_wc(phys, size)		ioremap(phys, size)
#define ioremap_uc(phys, size)		ioremap(phys, size)
#define iounmap(addr)		sim_kapi_iounmap((addr), SIM_KAPI_SITE(NULL))

#define readb(addr)							\
	((u8)sim_kapi_mmio_read((addr), 1, SIM_KAPI_SITE(NULL)))
#define readw(addr)							\
	((u16)sim_kapi_mmio_read((addr), 2, SIM_KAPI_SITE(NULL)))
#define readl(addr)							\
	((u32)sim_kapi_mmio_read((addr), 4, SIM_KAPI_SITE(NULL)))
#define readq(addr)							\
	((u64)sim_kapi_mmio_read((addr), 8, SIM_KAPI_SITE(NULL)))
#define writeb(val, addr)						\
	sim_kapi_mmio_write((addr), 1, (u8)(val), SIM_KAPI_SITE(NULL))
#define writew(val, addr)						\
	sim_kapi_mmio_write((addr), 2, (u16)(val), SIM_KAPI_SITE(NULL))
#define writel(val, addr)						\
	sim_kapi_mmio_write((addr), 4, (u32)(val), SIM_KAPI_SITE(NULL))
#define writeq(val, addr)						\
	sim_kapi_mmio_write((addr), 8, (u64)(val), SIM_KAPI_SITE(NULL))

#define readl_relaxed(addr)		readl(addr)
#define writel_relaxed(val, addr)	writel(val, addr)

/* io-64-nonatomic-lo-hi.h: two 32-bit accesses, the low half first. */
#define lo_hi_readq(addr)						\
({									\
	const volatile void __iomem *__a = (addr);			\
	u64 __lo = readl(__a);						\
	u64 __hi = readl((const volatile u8 __iomem *)__a + 4);		\
	__lo | (__hi << 32);						\
})

#define lo_hi_writeq(val, addr)						\
do {									\
	volatile void __iomem *__a = (addr);				\
	u64 __v = (val);						\
	writel((u32)__v, __a);						\
	writel((u32)(__v >> 32), (volatile u8 __iomem *)__a + 4);	\
} while (0)

#endif /* _LINUX_IO_H */
