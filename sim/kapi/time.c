// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements time as drivers see it: jiffies read from the
 * virtual clock (HZ 1000, starting at 0), msleep() and usleep_range() as
 * timed sleeps of exactly the asked duration, and the busy-wait delays as
 * scheduling points that cost no virtual time. It sits between drivers
 * (<linux/jiffies.h>, <linux/delay.h>) and the engine's clock and
 * sim_block().
 */
#include <glib.h>

#include "sim/world.h"
#include "sim/kapi/exec.h"
#include "sim/kapi/kapi.h"

#include <linux/delay.h>
#include <linux/jiffies.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
unsigned long sim_kapi_jiffies(void)
{
	SimWorld *w = sim_current_world();

	return w ? (unsigned long)(sim_now(w) / SIM_KAPI_NSEC_PER_JIFFY) : 0;
}

/* Sleep @d of virtual time; spurious wake-ups sleep again. */
SIM_KAPI_INLINE void sleep_for(SimWorld *w, SimTime d, const char *what,
			       const struct sim_kapi_site *site)
{
	SimTime deadline = sim_now(w) + d;

	sim_might_sleep(w, site->func, site->file, site->line);
	if (!d) {
		sim_yield(w);
		return;
	}
	while (sim_now(w) < deadline)
		sim_block(w, SIM_TASK_SLEEPING, SIM_WAIT_OTHER, NULL, what,
			  site->func, deadline - sim_now(w));
}

void sim_kapi_msleep(unsigned int msecs, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("msleep");

	sleep_for(t->world, (SimTime)msecs * SIM_MSEC, "msleep", site);
}

void sim_kapi_usleep(unsigned long usecs, const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("usleep_range");

	sleep_for(t->world, (SimTime)usecs * SIM_USEC, "usleep_range", site);
}

void sim_kapi_busy_delay(const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("udelay");

	sim_yield(t->world);
}
