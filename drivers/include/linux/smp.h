/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/smp.h>. Customised for the harness: a simulated task runs
 * on one fixed CPU for its whole life (SimTask.cpu: a per-CPU worker on its
 * CPU, a tasklet on the CPU that first scheduled it, other tasks where they
 * were created), so smp_processor_id() is that CPU. get_cpu() and
 * put_cpu() disable and enable preemption like the kernel's, which makes
 * the section atomic context for the sleep-in-atomic check. There is no
 * cross-CPU call: smp_call_function() and friends are not provided.
 */
#ifndef _LINUX_SMP_H
#define _LINUX_SMP_H

#include <linux/compiler.h>
#include <linux/cpumask.h>

int sim_kapi_smp_processor_id(void);
int sim_kapi_get_cpu(void);
void sim_kapi_put_cpu(const struct sim_kapi_site *site);

#define smp_processor_id()	sim_kapi_smp_processor_id()
#define raw_smp_processor_id()	sim_kapi_smp_processor_id()
#define get_cpu()		sim_kapi_get_cpu()
#define put_cpu()		sim_kapi_put_cpu(SIM_KAPI_SITE(NULL))

#endif /* _LINUX_SMP_H */
