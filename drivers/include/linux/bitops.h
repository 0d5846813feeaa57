/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/bitops.h> (with linux/bits.h and the find_bit helpers).
 * Copies kernel semantics for the values. Customised for the harness: the
 * atomic bit operations (set_bit, clear_bit, change_bit, test_and_set_bit,
 * test_and_clear_bit) are scheduling points taken just before the access
 * and record a SIM_TR_ATOMIC trace event ("set_bit(0, &dev->flags)", the
 * argument being the bit's old value). The non-atomic ones (__set_bit,
 * __clear_bit), test_bit() and the find_*_bit() walks are plain accesses,
 * as in the kernel.
 */
#ifndef _LINUX_BITOPS_H
#define _LINUX_BITOPS_H

#include <linux/compiler.h>
#include <linux/types.h>

#define BIT(nr)			(1UL << (nr))
#define BIT_ULL(nr)		(1ULL << (nr))
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define GENMASK(h, l)		(((~0UL) << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l)	(((~0ULL) << (l)) & (~0ULL >> (63 - (h))))

enum sim_bit_op {
	SIM_BIT_SET,
	SIM_BIT_CLEAR,
	SIM_BIT_CHANGE,
};

/*
 * sim_kapi_bitop - atomically apply @op to bit @nr of the bitmap at @addr
 * for the driver call @site. Returns the bit's old value (0 or 1). A
 * scheduling point. Must be called from a task.
 */
int sim_kapi_bitop(unsigned long nr, volatile unsigned long *addr,
		   enum sim_bit_op op, const struct sim_kapi_site *site);

#define __SIM_BITOP(name, nr, addr, op)					\
	sim_kapi_bitop((nr), (addr), (op),				\
		       SIM_KAPI_SITE(#name "(" #nr ", " #addr ")"))

#define set_bit(nr, addr)	((void)__SIM_BITOP(set_bit, nr, addr, SIM_BIT_SET))
#define clear_bit(nr, addr)	((void)__SIM_BITOP(clear_bit, nr, addr, SIM_BIT_CLEAR))
#define change_bit(nr, addr)	((void)__SIM_BITOP(change_bit, nr, addr, SIM_BIT_CHANGE))
#define test_and_set_bit(nr, addr) \
	__SIM_BITOP(test_and_set_bit, nr, addr, SIM_BIT_SET)
#define test_and_clear_bit(nr, addr) \
	__SIM_BITOP(test_and_clear_bit, nr, addr, SIM_BIT_CLEAR)
#define test_and_change_bit(nr, addr) \
	__SIM_BITOP(test_and_change_bit, nr, addr, SIM_BIT_CHANGE)
#define clear_bit_unlock(nr, addr)	clear_bit(nr, addr)
#define test_and_set_bit_lock(nr, addr)	test_and_set_bit(nr, addr)

static inline void __set_bit(unsigned long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(unsigned long nr, volatile unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline bool test_bit(unsigned long nr, const volatile unsigned long *addr)
{
	return (addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG)) & 1UL;
}

static inline unsigned long __ffs(unsigned long word)
{
	return (unsigned long)__builtin_ctzl(word);
}

static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static inline int hweight_long(unsigned long w)
{
	return __builtin_popcountl(w);
}

/* Index of the first set bit at or after @offset, or @size if none. */
static inline unsigned long find_next_bit(const unsigned long *addr,
					  unsigned long size,
					  unsigned long offset)
{
	unsigned long word;

	if (offset >= size)
		return size;
	word = addr[BIT_WORD(offset)] & (~0UL << (offset % BITS_PER_LONG));
	for (;;) {
		if (word) {
			offset = (offset & ~(unsigned long)(BITS_PER_LONG - 1)) +
				 __ffs(word);
			return offset < size ? offset : size;
		}
		offset = (offset | (BITS_PER_LONG - 1)) + 1;
		if (offset >= size)
			return size;
		word = addr[BIT_WORD(offset)];
	}
}

static inline unsigned long find_next_zero_bit(const unsigned long *addr,
					       unsigned long size,
					       unsigned long offset)
{
	unsigned long word;

	if (offset >= size)
		return size;
	word = ~addr[BIT_WORD(offset)] & (~0UL << (offset % BITS_PER_LONG));
	for (;;) {
		if (word) {
			offset = (offset & ~(unsigned long)(BITS_PER_LONG - 1)) +
				 __ffs(word);
			return offset < size ? offset : size;
		}
		offset = (offset | (BITS_PER_LONG - 1)) + 1;
		if (offset >= size)
			return size;
		word = ~addr[BIT_WORD(offset)];
	}
}

#define find_first_bit(addr, size)	find_next_bit((addr), (size), 0)
#define find_first_zero_bit(addr, size)	find_next_zero_bit((addr), (size), 0)

#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = find_first_bit((addr), (size));			\
	     (bit) < (size);						\
	     (bit) = find_next_bit((addr), (size), (bit) + 1))

#define for_each_clear_bit(bit, addr, size)				\
	for ((bit) = find_first_zero_bit((addr), (size));		\
	     (bit) < (size);						\
	     (bit) = find_next_zero_bit((addr), (size), (bit) + 1))

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = 0;
}

#endif /* _LINUX_BITOPS_H */
