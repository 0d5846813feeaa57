/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/delay.h>, implemented in sim/kapi/time.c, on the virtual
 * clock.
 *
 *  - msleep(ms) sleeps exactly ms of virtual time (the kernel sleeps at
 *    least one jiffy more: msecs_to_jiffies(ms) + 1); msleep(0) is only a
 *    scheduling point. A sleeping task is not a deadlock participant: a
 *    task that sleeps and polls forever keeps the clock moving until the
 *    scenario's time limit. msleep() checks might_sleep().
 *  - msleep_interruptible() is msleep() (no signals) and returns 0;
 *    ssleep(s) sleeps s seconds.
 *  - usleep_range(min, max) and fsleep(us) sleep exactly min (us)
 *    microseconds: the slack the kernel's hrtimer may take is not modelled.
 *  - udelay(), ndelay(), mdelay() busy-wait in the kernel. Here they advance
 *    NOTHING: virtual time moves only when no task can run, so a busy-wait
 *    costs no virtual time. Each is a scheduling point (other CPUs run
 *    meanwhile) and does not sleep, so it is allowed in atomic context.
 */
#ifndef _LINUX_DELAY_H
#define _LINUX_DELAY_H

#include <linux/compiler.h>
#include <linux/jiffies.h>

void sim_kapi_msleep(unsigned int msecs, const struct sim_kapi_site *site);
void sim_kapi_usleep(unsigned long usecs, const struct sim_kapi_site *site);
void sim_kapi_busy_delay(const struct sim_kapi_site *site);

#define msleep(ms)		sim_kapi_msleep((ms), SIM_KAPI_SITE(NULL))
#define msleep_interruptible(ms)					\
	({ sim_kapi_msleep((ms), SIM_KAPI_SITE(NULL)); 0UL; })
#define ssleep(s)		sim_kapi_msleep((s) * 1000U, SIM_KAPI_SITE(NULL))
#define usleep_range(min, max)						\
	({ (void)(max); sim_kapi_usleep((min), SIM_KAPI_SITE(NULL)); })
#define usleep_range_state(min, max, state)				\
	({ (void)(max); (void)(state);					\
	   sim_kapi_usleep((min), SIM_KAPI_SITE(NULL)); })
#define usleep_idle_range(min, max)	usleep_range(min, max)
#define fsleep(us)		sim_kapi_usleep((us), SIM_KAPI_SITE(NULL))

#define udelay(us)	({ (void)(us); sim_kapi_busy_delay(SIM_KAPI_SITE(NULL)); })
#define ndelay(ns)	({ (void)(ns); sim_kapi_busy_delay(SIM_KAPI_SITE(NULL)); })
#define mdelay(ms)	({ (void)(ms); sim_kapi_busy_delay(SIM_KAPI_SITE(NULL)); })

#endif /* _LINUX_DELAY_H */
