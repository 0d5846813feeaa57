/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/cpumask.h>. Kernel semantics on a fixed 64-bit mask
 * (NR_CPUS 64, the most a scenario's [machine] cpus may ask for); the CPUs
 * that exist are those of the scenario machine (SimWorld.ncpus), all of
 * them online, present and possible. Customised for the harness:
 * nr_cpu_ids and cpu_online_mask read the running task's world, and
 * cpumask_var_t is always the on-stack form, so alloc_cpumask_var()
 * allocates nothing and cannot fail (CONFIG_CPUMASK_OFFSTACK=n).
 *
 * No NUMA: one node (0) holding every CPU.
 */
#ifndef _LINUX_CPUMASK_H
#define _LINUX_CPUMASK_H

#include <stdbool.h>

#define NR_CPUS		64

struct cpumask {
	unsigned long bits[1];
};
typedef struct cpumask cpumask_t;
typedef struct cpumask cpumask_var_t[1];

/* The machine's CPU count and masks (sim/kapi/smp.c). */
unsigned int sim_kapi_nr_cpu_ids(void);
const struct cpumask *sim_kapi_cpu_online_mask(void);
/* cpumask_of(cpu): constant single-CPU masks. */
extern const struct cpumask sim_kapi_cpu_bit_masks[NR_CPUS];

#define nr_cpu_ids		sim_kapi_nr_cpu_ids()
#define cpu_online_mask		sim_kapi_cpu_online_mask()
#define cpu_possible_mask	sim_kapi_cpu_online_mask()
#define cpu_present_mask	sim_kapi_cpu_online_mask()
#define cpu_active_mask		sim_kapi_cpu_online_mask()

#define cpumask_bits(maskp)	((maskp)->bits)
#define cpumask_of(cpu)		(&sim_kapi_cpu_bit_masks[(cpu) & (NR_CPUS - 1)])

static inline unsigned long __sim_cpu_bit(unsigned int cpu)
{
	return cpu < NR_CPUS ? 1UL << cpu : 0;
}

static inline unsigned long __sim_cpu_all(void)
{
	unsigned int n = nr_cpu_ids;

	return n >= NR_CPUS ? ~0UL : (1UL << n) - 1;
}

static inline void cpumask_set_cpu(unsigned int cpu, struct cpumask *m)
{
	m->bits[0] |= __sim_cpu_bit(cpu);
}

static inline void cpumask_clear_cpu(int cpu, struct cpumask *m)
{
	m->bits[0] &= ~__sim_cpu_bit(cpu);
}

static inline bool cpumask_test_cpu(int cpu, const struct cpumask *m)
{
	return (m->bits[0] & __sim_cpu_bit(cpu)) != 0;
}

static inline bool cpumask_test_and_set_cpu(int cpu, struct cpumask *m)
{
	bool old = cpumask_test_cpu(cpu, m);

	cpumask_set_cpu(cpu, m);
	return old;
}

static inline bool cpumask_test_and_clear_cpu(int cpu, struct cpumask *m)
{
	bool old = cpumask_test_cpu(cpu, m);

	cpumask_clear_cpu(cpu, m);
	return old;
}

static inline void cpumask_clear(struct cpumask *m)
{
	m->bits[0] = 0;
}

static inline void cpumask_setall(struct cpumask *m)
{
	m->bits[0] = __sim_cpu_all();
}

static inline void cpumask_copy(struct cpumask *dst, const struct cpumask *src)
{
	dst->bits[0] = src->bits[0];
}

static inline bool cpumask_and(struct cpumask *dst, const struct cpumask *a,
			       const struct cpumask *b)
{
	dst->bits[0] = a->bits[0] & b->bits[0];
	return dst->bits[0] != 0;
}

static inline void cpumask_or(struct cpumask *dst, const struct cpumask *a,
			      const struct cpumask *b)
{
	dst->bits[0] = a->bits[0] | b->bits[0];
}

static inline bool cpumask_andnot(struct cpumask *dst, const struct cpumask *a,
				  const struct cpumask *b)
{
	dst->bits[0] = a->bits[0] & ~b->bits[0];
	return dst->bits[0] != 0;
}

static inline void cpumask_complement(struct cpumask *dst,
				      const struct cpumask *src)
{
	dst->bits[0] = ~src->bits[0] & __sim_cpu_all();
}

static inline bool cpumask_equal(const struct cpumask *a, const struct cpumask *b)
{
	return a->bits[0] == b->bits[0];
}

static inline bool cpumask_intersects(const struct cpumask *a,
				      const struct cpumask *b)
{
	return (a->bits[0] & b->bits[0]) != 0;
}

static inline bool cpumask_subset(const struct cpumask *a, const struct cpumask *b)
{
	return (a->bits[0] & ~b->bits[0]) == 0;
}

static inline bool cpumask_empty(const struct cpumask *m)
{
	return m->bits[0] == 0;
}

static inline unsigned int cpumask_weight(const struct cpumask *m)
{
	return (unsigned int)__builtin_popcountl(m->bits[0]);
}

/* The first CPU of @m after @n (n = -1 starts at 0), or nr_cpu_ids. */
static inline unsigned int cpumask_next(int n, const struct cpumask *m)
{
	unsigned int start = (unsigned int)(n + 1);
	unsigned long rest;

	if (start >= NR_CPUS)
		return nr_cpu_ids;
	rest = m->bits[0] & (~0UL << start);
	if (!rest)
		return nr_cpu_ids;
	return (unsigned int)__builtin_ctzl(rest);
}

static inline unsigned int cpumask_first(const struct cpumask *m)
{
	return cpumask_next(-1, m);
}

static inline unsigned int cpumask_last(const struct cpumask *m)
{
	if (!m->bits[0])
		return nr_cpu_ids;
	return (unsigned int)(63 - __builtin_clzl(m->bits[0]));
}

static inline unsigned int cpumask_next_and(int n, const struct cpumask *a,
					    const struct cpumask *b)
{
	struct cpumask both = { { a->bits[0] & b->bits[0] } };

	return cpumask_next(n, &both);
}

static inline unsigned int cpumask_first_and(const struct cpumask *a,
					     const struct cpumask *b)
{
	return cpumask_next_and(-1, a, b);
}

#define cpumask_any(m)		cpumask_first(m)

#define for_each_cpu(cpu, mask)						\
	for ((cpu) = -1; (cpu) = cpumask_next((cpu), (mask)),		\
	     (unsigned int)(cpu) < nr_cpu_ids;)

#define for_each_cpu_and(cpu, a, b)					\
	for ((cpu) = -1; (cpu) = cpumask_next_and((cpu), (a), (b)),	\
	     (unsigned int)(cpu) < nr_cpu_ids;)

#define for_each_online_cpu(cpu)	for_each_cpu((cpu), cpu_online_mask)
#define for_each_possible_cpu(cpu)	for_each_cpu((cpu), cpu_possible_mask)
#define for_each_present_cpu(cpu)	for_each_cpu((cpu), cpu_present_mask)

#define num_online_cpus()	cpumask_weight(cpu_online_mask)
#define num_possible_cpus()	cpumask_weight(cpu_possible_mask)
#define num_present_cpus()	cpumask_weight(cpu_present_mask)
#define cpu_online(cpu)		cpumask_test_cpu((cpu), cpu_online_mask)
#define cpu_possible(cpu)	cpumask_test_cpu((cpu), cpu_possible_mask)
#define cpu_present(cpu)	cpumask_test_cpu((cpu), cpu_present_mask)

/* On-stack cpumask_var_t: nothing to allocate, never fails. */
#define alloc_cpumask_var(maskp, gfp)	({ (void)(gfp); (void)(maskp); true; })
#define zalloc_cpumask_var(maskp, gfp)	\
	({ (void)(gfp); cpumask_clear(*(maskp)); true; })
#define free_cpumask_var(mask)		((void)(mask))

/* One NUMA node holding every CPU. */
#define cpumask_of_node(node)	((void)(node), cpu_online_mask)

#endif /* _LINUX_CPUMASK_H */
