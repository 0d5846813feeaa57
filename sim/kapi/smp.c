// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the CPUs of the simulated machine as drivers see
 * them: nr_cpu_ids and cpu_online_mask from the scenario machine
 * (SimWorld.ncpus), smp_processor_id() as the running task's CPU, and
 * get_cpu()/put_cpu(). It sits between drivers (<linux/smp.h>,
 * <linux/cpumask.h>) and the engine's task table.
 */
#include <glib.h>

#include "sim/world.h"
#include "sim/kapi/exec.h"
#include "sim/kapi/kapi.h"

#include <linux/cpumask.h>
#include <linux/smp.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
/* Constant data, not state: cpumask_of(cpu) points here. */
const struct cpumask sim_kapi_cpu_bit_masks[NR_CPUS] = {
	[0] = { { 1UL << 0 } },
	[1] = { { 1UL << 1 } },
	[2] = { { 1UL << 2 } },
	[3] = { { 1UL << 3 } },
	[4] = { { 1UL << 4 } },
	[5] = { { 1UL << 5 } },
	[6] = { { 1UL << 6 } },
	[7] = { { 1UL << 7 } },
	[8] = { { 1UL << 8 } },
	[9] = { { 1UL << 9 } },
	[10] = { { 1UL << 10 } },
	[11] = { { 1UL << 11 } },
	[12] = { { 1UL << 12 } },
	[13] = { { 1UL << 13 } },
	[14] = { { 1UL << 14 } },
	[15] = { { 1UL << 15 } },
	[16] = { { 1UL << 16 } },
	[17] = { { 1UL << 17 } },
	[18] = { { 1UL << 18 } },
	[19] = { { 1UL << 19 } },
	[20] = { { 1UL << 20 } },
	[21] = { { 1UL << 21 } },
	[22] = { { 1UL << 22 } },
	[23] = { { 1UL << 23 } },
	[24] = { { 1UL << 24 } },
	[25] = { { 1UL << 25 } },
	[26] = { { 1UL << 26 } },
	[27] = { { 1UL << 27 } },
	[28] = { { 1UL << 28 } },
	[29] = { { 1UL << 29 } },
	[30] = { { 1UL << 30 } },
	[31] = { { 1UL << 31 } },
	[32] = { { 1UL << 32 } },
	[33] = { { 1UL << 33 } },
	[34] = { { 1UL << 34 } },
	[35] = { { 1UL << 35 } },
	[36] = { { 1UL << 36 } },
	[37] = { { 1UL << 37 } },
	[38] = { { 1UL << 38 } },
	[39] = { { 1UL << 39 } },
	[40] = { { 1UL << 40 } },
	[41] = { { 1UL << 41 } },
	[42] = { { 1UL << 42 } },
	[43] = { { 1UL << 43 } },
	[44] = { { 1UL << 44 } },
	[45] = { { 1UL << 45 } },
	[46] = { { 1UL << 46 } },
	[47] = { { 1UL << 47 } },
	[48] = { { 1UL << 48 } },
	[49] = { { 1UL << 49 } },
	[50] = { { 1UL << 50 } },
	[51] = { { 1UL << 51 } },
	[52] = { { 1UL << 52 } },
	[53] = { { 1UL << 53 } },
	[54] = { { 1UL << 54 } },
	[55] = { { 1UL << 55 } },
	[56] = { { 1UL << 56 } },
	[57] = { { 1UL << 57 } },
	[58] = { { 1UL << 58 } },
	[59] = { { 1UL << 59 } },
	[60] = { { 1UL << 60 } },
	[61] = { { 1UL << 61 } },
	[62] = { { 1UL << 62 } },
	[63] = { { 1UL << 63 } }
};

unsigned int sim_kapi_nr_cpu_ids(void)
{
	SimWorld *w = sim_current_world();

	/* Engine context (a model) sees the machine through its world;
	 * without one there is a single CPU. */
	return w ? (unsigned int)sim__kapi_exec(w)->ncpus : 1;
}

const struct cpumask *sim_kapi_cpu_online_mask(void)
{
	SimWorld *w = sim_current_world();

	return w ? &sim__kapi_exec(w)->online_mask : &sim_kapi_cpu_bit_masks[0];
}

int sim_kapi_smp_processor_id(void)
{
	return sim__kapi_task("smp_processor_id")->cpu;
}

int sim_kapi_get_cpu(void)
{
	SimTask *t = sim__kapi_task("get_cpu");

	/* preempt_disable(): atomic context until put_cpu(). */
	t->preempt_count++;
	return t->cpu;
}

void sim_kapi_put_cpu(const struct sim_kapi_site *site)
{
	SimTask *t = sim__kapi_task("put_cpu");

	if (t->preempt_count <= 0) {
		/* CONFIG_DEBUG_PREEMPT's complaint, as a WARN. */
		sim__kapi_warn(t->world, site,
			       "DEBUG_LOCKS_WARN_ON(val > preempt_count())");
		return;
	}
	t->preempt_count--;
}
