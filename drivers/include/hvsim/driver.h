/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file is what a driver file sees of the simulator besides the kernel
 * API: named program points for scripted schedules, and the fix switches
 * that choose pre-fix or post-fix logic. It sits between drivers/ and the
 * engine (sim/sim.h).
 */
#ifndef HVSIM_DRIVER_H
#define HVSIM_DRIVER_H

#include "sim/sim.h"

/*
 * hvsim_fixed(storvsc_subchannel_race) - is the upstream fix of that name
 * (sim/fixes.def) switched on in this execution? Driver code keeps both
 * sides of the upstream diff in place behind it.
 */
#define hvsim_fixed(id) sim_fix_enabled(sim_current_world(), SIM_FIX_##id)

/* A module of the drivers shared object, found by its KBUILD_MODNAME. */
struct hvsim_initcall {
	const char *modname;
	int (*fn)(void);
};

struct hvsim_exitcall {
	const char *modname;
	void (*fn)(void);
};

/* Lookups over every module linked into libhvsim-drivers.so. */
const struct hvsim_initcall *hvsim_module_init_lookup(const char *modname);
const struct hvsim_exitcall *hvsim_module_exit_lookup(const char *modname);
/* Every module name, in link order; returns the count. */
size_t hvsim_module_names(const char **names, size_t max);
/* Every named point the drivers declare; returns the count. */
size_t hvsim_point_descs(const SimPointDesc **descs, size_t max);

#endif /* HVSIM_DRIVER_H */
