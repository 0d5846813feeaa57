// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the canary: a textbook ABBA deadlock between two
 * kthreads that is never fixed. Thread A takes lock_a then lock_b, thread B
 * takes lock_b then lock_a. If a scenario built on it ever passes, a
 * detector is broken.
 *
 * race: canary-abba-deadlock
 */
#include <linux/init.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>

static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);
static int canary_rounds = 1;

/*
 * How many times this module was initialised in the current execution: one,
 * unless the drivers' globals were not restored between executions. A test
 * reads it (tests/drivers/test-canary.c).
 */
int canary_init_count;

static int canary_thread_a(void *data)
{
	int i;

	for (i = 0; i < canary_rounds; i++) {
		mutex_lock(&lock_a);
		sim_point("canary.a_locked");
		sim_point("canary.a_wants_b");
		mutex_lock(&lock_b);
		mutex_unlock(&lock_b);
		mutex_unlock(&lock_a);
	}
	return 0;
}

static int canary_thread_b(void *data)
{
	int i;

	for (i = 0; i < canary_rounds; i++) {
		mutex_lock(&lock_b);
		sim_point("canary.b_locked");
		sim_point("canary.b_wants_a");
		mutex_lock(&lock_a);
		mutex_unlock(&lock_a);
		mutex_unlock(&lock_b);
	}
	return 0;
}

static int __init canary_init(void)
{
	canary_init_count++;
	kthread_run(canary_thread_a, NULL, "canary_a");
	kthread_run(canary_thread_b, NULL, "canary_b");
	return 0;
}

module_init(canary_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvsim canary: an ABBA deadlock that is never fixed");
