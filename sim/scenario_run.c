// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements what a loaded scenario does to a world: the fix
 * switches, ordering constraints, limits and device models of one variant
 * (sim_scenario_apply), the init task that loads and unloads the modules
 * (sim_scenario_init), and the comparison of an outcome with the
 * scenario's expectation. It sits between the scenario loader
 * (sim/scenario.c) and the engine, models and drivers it sets up.
 */
#include <string.h>

#include <glib.h>

#include <hvsim/driver.h>

#include "sim/kcsan.h"
#include "sim/scenario.h"
#include "sim/scenario_private.h"
#include "sim/world.h"

#include <linux/printk.h>

/* See sim/scenario.c: the drivers' registry is reached by weak reference. */
#pragma weak hvsim_module_init_lookup
#pragma weak hvsim_module_exit_lookup

const SimExpect *sim_scenario_expect(const SimScenario *s,
				     const char *variant)
{
	if (strcmp(variant, "pre-fix") == 0)
		return &s->expect_pre;
	if (strcmp(variant, "post-fix") == 0)
		return &s->expect_post;
	return NULL;
}

bool sim_expect_matches(const SimExpect *e, SimBugKind kind,
			const char *func)
{
	for (guint i = 0; i < e->alts->len; i++) {
		const SimExpectAlt *a;

		a = &g_array_index(e->alts, SimExpectAlt, i);

		if (a->kind != kind)
			continue;
		if (kind == SIM_BUG_NONE ||
		    (func && g_pattern_match_simple(a->func, func)))
			return true;
	}
	return false;
}

/* File order: the order the header promises a model its events. */
static gint event_line_cmp(gconstpointer a, gconstpointer b)
{
	const SimEventConfig *x = *(SimEventConfig *const *)a;
	const SimEventConfig *y = *(SimEventConfig *const *)b;

	return (x->line > y->line) - (x->line < y->line);
}

static gboolean attach_models(const SimScenario *s, SimWorld *w,
			      GError **error)
{
	g_autoptr(GPtrArray) evs = g_ptr_array_new();

	for (guint i = 0; i < s->devices->len; i++) {
		const SimDeviceConfig *d = s->devices->pdata[i];
		SimModel *m;

		/* The model gets its own events in file order. */
		g_ptr_array_set_size(evs, 0);
		for (guint j = 0; j < s->events->len; j++) {
			const SimEventConfig *e = s->events->pdata[j];

			if (e->device == d)
				g_ptr_array_add(evs, (gpointer)e);
		}
		g_ptr_array_sort(evs, event_line_cmp);
		m = d->type->create(w, d,
				    (const SimEventConfig *const *)evs->pdata,
				    evs->len);
		if (!m) {
			g_set_error(error, SIM_SCENARIO_ERROR,
				    SIM_SCENARIO_ERROR_VALUE, "%s:%d: [device "
				    "%s]: the %s model rejected this "
				    "configuration", s->path, d->line, d->name,
				    d->type->name);
			return FALSE;
		}
		sim_world_add_model(w, m);
	}
	return TRUE;
}

gboolean sim_scenario_apply(const SimScenario *s, SimWorld *w,
			    const char *variant, GError **error)
{
	bool post;

	if (!variant)
		variant = s->default_variant;
	if (strcmp(variant, "pre-fix") == 0) {
		post = false;
		w->variant = "pre-fix";
	} else if (strcmp(variant, "post-fix") == 0) {
		post = true;
		w->variant = "post-fix";
	} else {
		g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_VALUE,
			    "%s: variant: expected pre-fix or post-fix, found "
			    "'%s'", s->path, variant);
		return FALSE;
	}

	/*
	 * A scenario with fix = none runs both variants with every fix off
	 * but its base fixes.
	 */
	for (int f = 0; f < SIM_FIX__COUNT; f++)
		sim_world_set_fix(w, (SimFix)f,
				  s->base_fixes[f] || (post && f == s->fix));

	for (guint i = 0; s->strategy == SIM_SCHED_SCRIPTED &&
			 i < s->orders->len; i++) {
		const SimOrder *o = &g_array_index(s->orders, SimOrder, i);

		sim_world_add_order(w, o->before, o->after);
	}
	w->respect_order = s->strategy == SIM_SCHED_SCRIPTED;
	w->limits = s->limits;
	w->ncpus = s->cpus;
	w->check_leaks = s->check_leaks;
	sim_kcsan_set_enabled(w, s->kcsan);
	w->scenario = s;
	w->title = s->title;
	return attach_models(s, w, error);
}

void sim_scenario_init(SimWorld *w, void *arg)
{
	const SimScenario *s = arg;
	bool loaded[SIM_SCENARIO_MAX_MODULES] = { false };
	guint n = s->modules->len;

	g_assert(n <= SIM_SCENARIO_MAX_MODULES);
	for (guint i = 0; i < n; i++) {
		const char *name = s->modules->pdata[i];
		const struct hvsim_initcall *c = hvsim_module_init_lookup(name);
		int ret;

		g_assert(c);	/* the loader checked every name */
		ret = c->fn();
		loaded[i] = ret == 0;
		/* On the console and in the trace, as a kernel line. */
		if (ret)
			sim_kapi_printk(w, LOGLEVEL_ERR, "do_init_module",
					"%s: module init failed with error %d\n",
					name, ret);
	}
	if (!s->unload)
		return;

	sim_world_wait_quiescent(w);
	for (guint i = n; i-- > 0;) {
		const struct hvsim_exitcall *e;

		if (!loaded[i])
			continue;
		e = hvsim_module_exit_lookup(s->modules->pdata[i]);
		if (e)
			e->fn();
	}
}
