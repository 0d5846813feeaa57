/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the driver-side half of tests/sim/test-dfs.c: tiny
 * functions compiled like drivers (KASAN outline hooks, shim headers), so
 * their loads and stores reach the hooks that feed step footprints and the
 * runaway guard. It sits between that test and tests/sim/dfs-helper.c.
 */
#ifndef HVSIM_TEST_DFS_HELPER_H
#define HVSIM_TEST_DFS_HELPER_H

void dfs_helper_write(unsigned long *p, unsigned long v);
unsigned long dfs_helper_read(const unsigned long *p);
/* memcpy(), which the shim checks: an exact read of @src. */
void dfs_helper_copy(void *dst, const void *src, unsigned long n);
/* A list node, for a walk that never ends. */
struct dfs_helper_node {
	struct dfs_helper_node *next;
	unsigned long val;
};

/*
 * Sums the list from @n until it ends, with no scheduling point: on a
 * circular list, a runaway. (A loop that re-reads one address with no
 * call in it is not one: the compiler checks that address once, before
 * the loop, and the hooks never see the rest.)
 */
unsigned long dfs_helper_walk(const struct dfs_helper_node *n);
/* @n increments spread over @cells[0..1023], with cond_resched() after
 * every @every of them (never when 0). */
unsigned long dfs_helper_loop(unsigned long *cells, unsigned long n,
			      unsigned long every);

#endif /* HVSIM_TEST_DFS_HELPER_H */
