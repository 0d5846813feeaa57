/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the driver-side half of tests/cli/test-explore-par.c
 * (tests/cli/crash-helper.c): code compiled like a driver that really
 * crashes. It sits between that test and the crash handler.
 */
#ifndef HVSIM_TEST_CRASH_HELPER_H
#define HVSIM_TEST_CRASH_HELPER_H

struct crash_helper_obj;

/* Reads o->b: with o NULL, a fault at address 8. */
long crash_helper_read(struct crash_helper_obj *o);
/* a / b: with b 0, a divide error. */
int crash_helper_divide(int a, int b);

#endif /* HVSIM_TEST_CRASH_HELPER_H */
