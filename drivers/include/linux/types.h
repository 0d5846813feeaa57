/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/types.h>. Copies kernel semantics: the fixed-width integer
 * names, the endian-annotated names (plain integers here: the simulated
 * guest and the host are both little-endian), bitmap declarations and the
 * list heads. Customised in one place: atomic_t carries a world-local
 * object id after its counter, so traces can name it (see <linux/atomic.h>).
 */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int8_t __s8;
typedef int16_t __s16;
typedef int32_t __s32;
typedef int64_t __s64;

typedef uint16_t __le16;
typedef uint32_t __le32;
typedef uint64_t __le64;
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef uint64_t __be64;

typedef unsigned int gfp_t;
typedef uint64_t phys_addr_t;
typedef uint64_t dma_addr_t;
typedef uint64_t resource_size_t;
typedef unsigned long irq_hw_number_t;

#ifndef BITS_PER_LONG
#define BITS_PER_LONG		64
#endif
#define BITS_PER_BYTE		8
#define BITS_TO_LONGS(nr)	(((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits)	unsigned long name[BITS_TO_LONGS(bits)]

/*
 * atomic_t: the counter first, as in the kernel, so ATOMIC_INIT(i) and
 * v->counter keep working. __sim_id is assigned on first use in each
 * execution and only ever printed in traces.
 */
typedef struct {
	int counter;
	unsigned int __sim_id;
} atomic_t;

typedef struct {
	s64 counter;
	unsigned int __sim_id;
} atomic64_t;

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#endif /* _LINUX_TYPES_H */
