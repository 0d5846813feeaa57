/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the scenario loader's internal entry points, shared
 * by sim/scenario.c, sim/scenario_run.c and the scenarios test suite. It
 * sits between the loader and tests that need device types of their own,
 * which the linked-in table (models/models.c) does not carry.
 */
#ifndef HVSIM_SCENARIO_PRIVATE_H
#define HVSIM_SCENARIO_PRIVATE_H

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

#endif /* HVSIM_SCENARIO_PRIVATE_H */
