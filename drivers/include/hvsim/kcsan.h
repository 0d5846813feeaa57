/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file is the driver side of hvsim's data-race detector: accessors
 * that declare a plain shared field, so that every read and write of it is
 * checked against the happens-before order of the shim's synchronisation
 * (locks, completions, wait queues, work items, tasklets, kthreads, atomics
 * and host events; see sim/kcsan.h). It sits between driver code and the
 * detector (sim/kcsan.c).
 *
 * Only the accesses made through these macros are checked: the kernel's
 * KCSAN instruments every plain access, hvsim checks the fields a scenario
 * is about. Two checked accesses to the same address race when they
 * conflict (at least one writes, and they are not both marked) and neither
 * happens before the other. A race ends the execution with KCSAN's report:
 *
 *   BUG: KCSAN: data-race in nvme_init_queue / nvme_suspend_queue
 *
 *   read-write to 0xffff888000012a40 of 4 bytes by task 9 on cpu 1:
 *    ...
 *
 * Use. Keep the driver readable: wrap the field's accesses in small helpers
 * defined once at the top of the driver file, written as the kernel line
 * they stand for, and put the accessor inside, e.g.
 *
 *   // dev->online_queues++
 *   static __always_inline void nvme_online_queues_inc(struct nvme_dev *dev)
 *   {
 *           hvsim_shared_inc(dev->online_queues);
 *   }
 *
 * Mark the helpers __always_inline: the title then names the function
 * that calls the helper, the one the kernel line is in (the helper still
 * shows as an [inline] frame in the stacks). The title's names are the
 * innermost source-level functions of the two accesses, inlined ones
 * included, ordered as KCSAN orders them.
 *
 * The accessors (@x an lvalue of a scalar type: integer, enum, bool or
 * pointer; not a bit-field; evaluated more than once, so no side effects):
 *
 *   hvsim_shared_read(x)           plain read; the value of x
 *   hvsim_shared_write(x, v)       plain write: x = v
 *   hvsim_shared_add(x, d)         plain x += d as one read-modify-write
 *                                  access ("read-write"); the new value
 *   hvsim_shared_inc(x), hvsim_shared_dec(x)   x++, x-- (the same)
 *   hvsim_shared_read_once(x)      READ_ONCE(x), a marked read
 *   hvsim_shared_write_once(x, v)  WRITE_ONCE(x, v), a marked write
 *
 * As with KCSAN's defaults, marked accesses never race with each other,
 * but a plain write races with a concurrent marked read (and a marked
 * write with a concurrent plain access). None of these is a scheduling
 * point: put a sim_point() next to one where a scenario must be able to
 * interleave (for instance between the read and the write of a lost
 * update written as hvsim_shared_read() then hvsim_shared_write()).
 */
#ifndef HVSIM_KCSAN_DRIVER_H
#define HVSIM_KCSAN_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include <linux/compiler.h>

/* Access types, as KCSAN names them in reports. */
#define HVSIM_KCSAN_READ	0x0	/* "read" */
#define HVSIM_KCSAN_WRITE	0x1	/* "write" */
#define HVSIM_KCSAN_COMPOUND	0x2	/* with WRITE: "read-write" */
#define HVSIM_KCSAN_MARKED	0x4	/* " (marked)" */

/*
 * sim_kcsan_access - check one access of @size bytes at @addr of type
 * @type (HVSIM_KCSAN_*) made by the driver line @site, @value being the
 * value read (a read) or written (a write), for the "value changed:" line.
 * Reports a race and ends the execution, or records the access. Called
 * by the macros below. From engine context (an interrupt handler a device
 * model runs) the access is the engine's, printed "by interrupt".
 */
void sim_kcsan_access(const volatile void *addr, size_t size,
		      unsigned int type, uint64_t value,
		      const struct sim_kapi_site *site);

#define __hvsim_kcsan(x, type, val)					\
	sim_kcsan_access(&(x), sizeof(x), (type),			\
			 (uint64_t)(uintptr_t)(val), SIM_KAPI_SITE(#x))

#define hvsim_shared_read(x)						\
({									\
	__typeof__(x) __hvsim_r = (x);					\
	__hvsim_kcsan(x, HVSIM_KCSAN_READ, __hvsim_r);			\
	__hvsim_r;							\
})

#define hvsim_shared_write(x, v)					\
do {									\
	__typeof__(x) __hvsim_w = (v);					\
	__hvsim_kcsan(x, HVSIM_KCSAN_WRITE, __hvsim_w);			\
	(x) = __hvsim_w;						\
} while (0)

#define hvsim_shared_add(x, d)						\
({									\
	__typeof__(x) __hvsim_n = (x) + (d);				\
	__hvsim_kcsan(x, HVSIM_KCSAN_WRITE | HVSIM_KCSAN_COMPOUND,	\
		      __hvsim_n);					\
	(x) = __hvsim_n;						\
	__hvsim_n;							\
})

#define hvsim_shared_inc(x)	((void)hvsim_shared_add(x, 1))
#define hvsim_shared_dec(x)	((void)hvsim_shared_add(x, -1))

#define hvsim_shared_read_once(x)					\
({									\
	__typeof__(x) __hvsim_r = READ_ONCE(x);				\
	__hvsim_kcsan(x, HVSIM_KCSAN_READ | HVSIM_KCSAN_MARKED,		\
		      __hvsim_r);					\
	__hvsim_r;							\
})

#define hvsim_shared_write_once(x, v)					\
do {									\
	__typeof__(x) __hvsim_w = (v);					\
	__hvsim_kcsan(x, HVSIM_KCSAN_WRITE | HVSIM_KCSAN_MARKED,	\
		      __hvsim_w);					\
	WRITE_ONCE(x, __hvsim_w);					\
} while (0)

#endif /* HVSIM_KCSAN_DRIVER_H */
