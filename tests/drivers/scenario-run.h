/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file is the harness the driver suites share: load a scenario from
 * scenarios/, configure a world for one variant, run executions of it, and
 * describe how one ended for a failure message. It sits between the tests
 * in tests/drivers/ and the scenario loader and engine.
 */
#ifndef HVSIM_TESTS_DRIVERS_SCENARIO_RUN_H
#define HVSIM_TESTS_DRIVERS_SCENARIO_RUN_H

#include <check.h>

#include <glib.h>

#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/world.h"

/* scenarios/@name.scn under the source tree (newly allocated). */
static inline char *scenario_path(const char *name)
{
	const char *root = g_getenv("HVSIM_SOURCE_ROOT");

	ck_assert_msg(root, "HVSIM_SOURCE_ROOT is not set");
	return g_strdup_printf("%s/scenarios/%s.scn", root, name);
}

/* A scenario and a world configured for one of its variants. */
typedef struct {
	SimScenario *scn;
	SimWorld *w;
} Run;

static inline void run_open_path(Run *r, const char *path,
				 const char *variant)
{
	g_autoptr(GError) err = NULL;

	r->scn = sim_scenario_load(path, &err);
	ck_assert_msg(r->scn, "load: %s", err ? err->message : "?");
	r->w = sim_world_new();
	ck_assert_msg(sim_scenario_apply(r->scn, r->w, variant, &err),
		      "apply: %s", err ? err->message : "?");
}

static inline void run_open(Run *r, const char *name, const char *variant)
{
	g_autofree char *path = scenario_path(name);

	run_open_path(r, path, variant);
}

static inline void run_close(Run *r)
{
	sim_world_free(r->w);
	sim_scenario_free(r->scn);
}

static inline SimEnd run_once(Run *r, SimStrategy *s, uint64_t seed)
{
	return sim_world_run(r->w, s, seed, 0, sim_scenario_init, r->scn);
}

/* How the last execution ended, for failure messages. */
static inline char *verdict(const Run *r, SimEnd end)
{
	static const char *const names[] = {
		"clean", "bug", "step-limit", "time-limit", "unmet-order",
	};
	const char *e = end < G_N_ELEMENTS(names) ? names[end] : "?";

	if (end == SIM_END_BUG && r->w->bug)
		return g_strdup_printf("%s: %s in %s", e, r->w->bug->title,
				       r->w->bug->func ? r->w->bug->func : "?");
	return g_strdup_printf("%s%s%s", e, r->w->divergence ? ": " : "",
			       r->w->divergence ? r->w->divergence : "");
}

/* The formatted report of the last execution's finding. */
static inline char *report_text(SimWorld *w)
{
	GString *out = g_string_new(NULL);

	sim_report_format(w, out);
	return g_string_free(out, FALSE);
}

/* The text trace of one random, unscripted execution with @seed. */
static inline char *trace_of_run(Run *r, uint64_t seed)
{
	SimStrategy *s = sim_strategy_random();
	GString *out = g_string_new(NULL);

	r->w->respect_order = false;
	run_once(r, s, seed);
	sim_trace_export_text(r->w, out);
	sim_strategy_free(s);
	return g_string_free(out, FALSE);
}

#endif /* HVSIM_TESTS_DRIVERS_SCENARIO_RUN_H */
