// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the driver-side half of tests/sim/test-dfs.c:
 * loads, stores and loops written like driver code and compiled like the
 * drivers, so every access goes through the KASAN hooks (and so into step
 * footprints and the per-step access budget). It sits between that test,
 * which runs these functions in simulated tasks, and sim/kasan.c.
 */
#include <linux/compiler.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "dfs-helper.h"

noinline void dfs_helper_write(unsigned long *p, unsigned long v)
{
	WRITE_ONCE(*p, v);
}

noinline unsigned long dfs_helper_read(const unsigned long *p)
{
	return READ_ONCE(*p);
}

noinline void dfs_helper_copy(void *dst, const void *src, unsigned long n)
{
	memcpy(dst, src, n);
}

noinline unsigned long dfs_helper_walk(const struct dfs_helper_node *n)
{
	unsigned long sum = 0;

	while (n) {
		sum += READ_ONCE(n->val);
		n = READ_ONCE(n->next);
	}
	return sum;
}

noinline unsigned long dfs_helper_loop(unsigned long *cells, unsigned long n,
				       unsigned long every)
{
	unsigned long i, sum = 0;

	for (i = 0; i < n; i++) {
		unsigned long *c = &cells[i & 1023];

		WRITE_ONCE(*c, READ_ONCE(*c) + 1);
		if (every && (i + 1) % every == 0)
			cond_resched();
	}
	for (i = 0; i < 1024; i++)
		sum += READ_ONCE(cells[i]);
	return sum;
}
