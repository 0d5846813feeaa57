/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the scenario loader's internal entry points, shared
 * by sim/scenario*.c and the scenarios test suite. It
 * sits between the loader and tests that need device types of their own,
 * which the linked-in table (models/models.c) does not carry.
 */
#ifndef HVSIM_SCENARIO_PRIVATE_H
#define HVSIM_SCENARIO_PRIVATE_H

#include "sim/keyfile.h"
#include "sim/scenario.h"

/* At most this many modules per scenario: the init task keeps their
 * state on its own stack, since an execution may end inside it. */
#define SIM_SCENARIO_MAX_MODULES	32

/*
 * sim__scenario_load_types - sim_scenario_load() against the device types
 * @types (NULL-terminated) instead of sim_device_types.
 */
SimScenario *sim__scenario_load_types(const char *path,
				      const SimDeviceType *const *types,
				      GError **error);

/*
 * sim__scenario_load_orders - parse the [schedule] order value @v ("a < b <
 * c; d < e") into SimOrder pairs (a,b), (b,c), (d,e) appended to @orders,
 * the strings newly allocated. Every point must be one the drivers declare.
 * Errors name @v's line in @kf.
 */
gboolean sim__scenario_load_orders(const SimKf *kf, const SimKeyValue *v,
				   GArray *orders, GError **error);

#endif /* HVSIM_SCENARIO_PRIVATE_H */
