// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the driver-side half of tests/cli/test-explore-par.c:
 * functions written and compiled like driver code (KASAN instrumentation,
 * the shim headers first), which crash for real: a NULL dereference the
 * KASAN hooks let through (the address is outside the simulated heap), a
 * division by zero. It sits between that test, which runs them in
 * simulated tasks inside explorer workers, and the crash handler
 * (sim/crash.c) that must turn them into oopses.
 */
#include <linux/compiler.h>
#include <linux/types.h>

#include "crash-helper.h"

struct crash_helper_obj {
	long a;
	long b;
};

noinline long crash_helper_read(struct crash_helper_obj *o)
{
	return READ_ONCE(o->b);
}

noinline int crash_helper_divide(int a, int b)
{
	volatile int x = a, y = b;

	return x / y;
}
