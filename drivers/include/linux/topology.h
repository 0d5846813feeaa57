/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/topology.h>. Customised for the harness: the simulated
 * machine has one NUMA node (0) that holds every CPU, so node lookups are
 * constants and cpumask_of_node() is the online mask (<linux/cpumask.h>).
 */
#ifndef _LINUX_TOPOLOGY_H
#define _LINUX_TOPOLOGY_H

#include <linux/cpumask.h>
#include <linux/smp.h>

#define NUMA_NO_NODE		(-1)
#define MAX_NUMNODES		1
#define nr_node_ids		1U
#define numa_node_id()		0
#define cpu_to_node(cpu)	((void)(cpu), 0)
#define node_online(node)	((node) == 0)
#define for_each_online_node(node) for ((node) = 0; (node) < 1; (node)++)

#endif /* _LINUX_TOPOLOGY_H */
