/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/kref.h>. Kernel semantics on top of refcount_t
 * (<linux/refcount.h>): kref_put() of the last reference calls the release
 * function, from the caller's frame, and returns 1; a kref_put() on a
 * counter already at 0 warns "refcount_t: underflow; use-after-free." and
 * releases nothing; a kref_get() on 0 warns "refcount_t: addition on 0;
 * use-after-free.". kref_get() and kref_put() are scheduling points and
 * trace events named after the call ("kref_put(&dev->kref)").
 */
#ifndef _LINUX_KREF_H
#define _LINUX_KREF_H

#include <linux/compiler.h>
#include <linux/refcount.h>

struct kref {
	refcount_t refcount;
};

#define KREF_INIT(n)	{ .refcount = REFCOUNT_INIT(n) }

static inline void kref_init(struct kref *kref)
{
	refcount_set(&kref->refcount, 1);
}

static inline unsigned int kref_read(const struct kref *kref)
{
	return refcount_read(&kref->refcount);
}

#define kref_get(_kref)							\
	((void)sim_kapi_refcount(&(_kref)->refcount, SIM_REFCOUNT_ADD, 1,	\
				 SIM_KAPI_SITE("kref_get(" #_kref ")")))

#define kref_get_unless_zero(_kref)					\
	sim_kapi_refcount(&(_kref)->refcount, SIM_REFCOUNT_ADD_NOT_ZERO, 1, \
			  SIM_KAPI_SITE("kref_get_unless_zero(" #_kref ")"))

/* The release runs in the caller's frame, so call traces show the driver
 * function that dropped the last reference. */
#define kref_put(_kref, _release)					\
({									\
	struct kref *__sim_kref = (_kref);				\
	int __sim_last = sim_kapi_refcount(&__sim_kref->refcount,	\
					   SIM_REFCOUNT_SUB_AND_TEST, 1, \
					   SIM_KAPI_SITE("kref_put(" #_kref ")")); \
	if (__sim_last)							\
		(_release)(__sim_kref);					\
	__sim_last;							\
})

#endif /* _LINUX_KREF_H */
