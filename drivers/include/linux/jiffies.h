/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/jiffies.h>. Copies kernel semantics for the conversions
 * and the wrap-safe comparisons (time_after() and friends), with HZ 1000.
 *
 * Customised for the harness: jiffies is not a variable but a macro that
 * reads the virtual clock of the running task's world, jiffies =
 * virtual nanoseconds / 1,000,000, so it starts at 0 in every execution
 * (there is no INITIAL_JIFFIES offset, which in the kernel makes jiffies
 * wrap five minutes after boot). Virtual time moves only when no task can
 * run, so a loop polling jiffies without sleeping never sees it change;
 * msleep() or schedule_timeout() lets it move. Reading jiffies is not a
 * scheduling point. In engine context (no running task) it reads 0.
 */
#ifndef _LINUX_JIFFIES_H
#define _LINUX_JIFFIES_H

#include <limits.h>
#include <stdint.h>

#define HZ		1000
#define USER_HZ		100

#ifndef MSEC_PER_SEC
#define MSEC_PER_SEC	1000L
#define USEC_PER_MSEC	1000L
#define NSEC_PER_USEC	1000L
#define NSEC_PER_MSEC	1000000L
#define USEC_PER_SEC	1000000L
#define NSEC_PER_SEC	1000000000L
#endif

#define INITIAL_JIFFIES		0UL
#define MAX_JIFFY_OFFSET	((LONG_MAX >> 1) - 1)

unsigned long sim_kapi_jiffies(void);

#define jiffies			sim_kapi_jiffies()
#define jiffies_64		((uint64_t)sim_kapi_jiffies())

static inline uint64_t get_jiffies_64(void)
{
	return sim_kapi_jiffies();
}

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)
#define time_before_eq(a, b)	time_after_eq(b, a)
#define time_in_range(a, b, c)	(time_after_eq(a, b) && time_before_eq(a, c))
#define time_in_range_open(a, b, c) (time_after_eq(a, b) && time_before(a, c))
#define time_after64(a, b)	((int64_t)((b) - (a)) < 0)
#define time_before64(a, b)	time_after64(b, a)
#define time_after_eq64(a, b)	((int64_t)((a) - (b)) >= 0)
#define time_before_eq64(a, b)	time_after_eq64(b, a)

#define time_is_before_jiffies(a)	time_after(jiffies, a)
#define time_is_after_jiffies(a)	time_before(jiffies, a)
#define time_is_before_eq_jiffies(a)	time_after_eq(jiffies, a)
#define time_is_after_eq_jiffies(a)	time_before_eq(jiffies, a)

static inline unsigned int jiffies_to_msecs(const unsigned long j)
{
	return (unsigned int)(j * (MSEC_PER_SEC / HZ));
}

static inline unsigned int jiffies_to_usecs(const unsigned long j)
{
	return (unsigned int)(j * (USEC_PER_SEC / HZ));
}

static inline uint64_t jiffies_to_nsecs(const unsigned long j)
{
	return (uint64_t)j * (NSEC_PER_SEC / HZ);
}

static inline uint64_t jiffies64_to_nsecs(uint64_t j)
{
	return j * (NSEC_PER_SEC / HZ);
}

static inline unsigned long msecs_to_jiffies(const unsigned int m)
{
	/* Negative as int means "infinite", as in the kernel. */
	if ((int)m < 0)
		return MAX_JIFFY_OFFSET;
	return (unsigned long)m * HZ / MSEC_PER_SEC;
}

static inline unsigned long usecs_to_jiffies(const unsigned int u)
{
	return ((unsigned long)u + (USEC_PER_SEC / HZ) - 1) / (USEC_PER_SEC / HZ);
}

static inline unsigned long nsecs_to_jiffies(uint64_t n)
{
	return (unsigned long)(n / (NSEC_PER_SEC / HZ));
}

#define secs_to_jiffies(s)		((unsigned long)(s) * HZ)
#define round_jiffies(j)		(j)
#define round_jiffies_relative(j)	(j)
#define round_jiffies_up(j)		(j)
#define round_jiffies_up_relative(j)	(j)

#endif /* _LINUX_JIFFIES_H */
