// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the name tables of the fix switches and the kinds of
 * finding, generated from sim/fixes.def and sim/bugs.def so the enums and
 * the names cannot drift apart.
 */
#include <string.h>

#include "sim/sim.h"

static const char *const fix_names[] = {
#define SIM_FIX(id, name, scenario) name,
#include "sim/fixes.def"
#undef SIM_FIX
};

static const char *const bug_names[] = {
	"clean",
#define SIM_BUG(id, name) name,
#include "sim/bugs.def"
#undef SIM_BUG
};

const char *sim_fix_name(SimFix fix)
{
	return fix < SIM_FIX__COUNT ? fix_names[fix] : "?";
}

int sim_fix_lookup(const char *name)
{
	int i;

	for (i = 0; i < SIM_FIX__COUNT; i++)
		if (strcmp(fix_names[i], name) == 0)
			return i;
	return -1;
}

const char *sim_bug_kind_name(SimBugKind k)
{
	return k < SIM_BUG__COUNT ? bug_names[k] : "?";
}

int sim_bug_kind_lookup(const char *name)
{
	int i;

	for (i = 0; i < SIM_BUG__COUNT; i++)
		if (strcmp(bug_names[i], name) == 0)
			return i;
	return -1;
}
