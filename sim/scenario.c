// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the scenario loader: it reads a scenario file,
 * checks every group, key and value against a schema (the loader's own
 * groups, the device types of models/, the modules and named points the
 * drivers declare), into a SimScenario. It sits between the CLI, which
 * loads scenarios, and the models and drivers, whose keys and names it
 * checks against.
 *
 * GKeyFile parses the syntax but reports no line numbers, so the loader
 * first scans the text itself: every group and key is recorded with its
 * line, and anything GKeyFile would reject is reported here with the line it
 * is on (sim/keyfile.c). Every error reads "FILE:LINE: [group] key:
 * expected ..., found '...'", and the first one ends the load: a scenario
 * runs completely checked or not at all. Running a loaded scenario is in
 * sim/scenario_run.c.
 */
#include <stdarg.h>
#include <string.h>

#include <glib.h>

#include <hvsim/driver.h>

#include "sim/keyfile.h"
#include "sim/scenario.h"
#include "sim/scenario_private.h"

/*
 * libhvsim-drivers.so links against this library (drivers call the shim),
 * so this library cannot link against it in turn. Its registry is reached
 * through weak references instead, which the dynamic linker binds when the
 * program (hvsim, a test) links the drivers; a program that does not gets
 * a clear error from the loader rather than a crash.
 */
#pragma weak hvsim_module_names

G_DEFINE_QUARK(sim-scenario-error-quark, sim_scenario_error)

/* ------------------------------------------------------------ schemas -- */

static const char *const variant_names[] = { "pre-fix", "post-fix", NULL };
static const char *const strategy_names[] = { "scripted", "random", NULL };
static const char *const explore_strategy_names[] = { "random", "pct", NULL };

static const SimKeySpec scenario_keys[] = {
	{ "title", SIM_KEY_STRING, true, NULL, 0, 0, NULL,
	  "a one-line title" },
	{ "upstream", SIM_KEY_STRING, true, NULL, 0, 0, NULL,
	  "the subject of the upstream commit" },
	{ "commit", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "an upstream commit id" },
	{ "exposed-by", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "the commit that exposed the race" },
	{ "fix", SIM_KEY_STRING, true, NULL, 0, 0, NULL,
	  "a fix switch from sim/fixes.def or \"none\"" },
	{ "base-fixes", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "fix switches on in both variants, separated by ';'" },
	{ "variant", SIM_KEY_ENUM, false, "pre-fix", 0, 0, variant_names,
	  "the variant run by default" },
	{ "description", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "free text" },
	{ NULL }
};

static const SimKeySpec machine_keys[] = {
	{ "cpus", SIM_KEY_INT, false, "2", 1, 64, NULL,
	  "the number of CPUs" },
	{ "modules", SIM_KEY_STRING, true, NULL, 0, 0, NULL,
	  "the modules to load in order, e.g. hv_vmbus;hv_storvsc" },
	{ "check-leaks", SIM_KEY_BOOL, false, "false", 0, 0, NULL,
	  "report objects still live at the end" },
	{ "unload", SIM_KEY_BOOL, false, "false", 0, 0, NULL,
	  "run the modules' exit calls at the end" },
	{ "kcsan", SIM_KEY_BOOL, false, "true", 0, 0, NULL,
	  "check annotated shared fields for data races (off: a kernel "
	  "built without CONFIG_KCSAN, as crash-replay kernels are)" },
	{ NULL }
};

static const SimKeySpec schedule_keys[] = {
	{ "strategy", SIM_KEY_ENUM, true, NULL, 0, 0, strategy_names,
	  "how tasks are scheduled" },
	{ "order", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "ordering constraints, e.g. a.x < b.y < c.z; d.u < e.v" },
	{ "seed", SIM_KEY_INT, false, "1", 0, INT64_MAX, NULL,
	  "the default seed" },
	{ "explore-runs", SIM_KEY_INT, false, "0", 0, 10000000, NULL,
	  "executions `hvsim check` explores per variant, with no script" },
	{ "explore-strategy", SIM_KEY_ENUM, false, "pct", 0, 0,
	  explore_strategy_names, "how `hvsim check` explores" },
	{ "explore-depth", SIM_KEY_INT, false, "3", 1, 16, NULL,
	  "PCT depth for `hvsim check`" },
	{ NULL }
};

static const SimKeySpec limits_keys[] = {
	{ "max-steps", SIM_KEY_INT, false, "1000000", 1, INT64_MAX, NULL,
	  "the scheduling steps after which an execution is a runaway" },
	{ "max-time", SIM_KEY_TIME, false, "600s", 0, 0, NULL,
	  "the virtual time after which an execution is a runaway" },
	{ NULL }
};

static const SimKeySpec expect_keys[] = {
	{ "pre-fix", SIM_KEY_STRING, true, NULL, 0, 0, NULL,
	  "the outcome of the pre-fix variant" },
	{ "post-fix", SIM_KEY_STRING, true, NULL, 0, 0, NULL,
	  "the outcome of the post-fix variant" },
	{ NULL }
};

static const SimKeySpec device_keys[] = {
	{ "type", SIM_KEY_STRING, true, NULL, 0, 0, NULL, "a device type" },
	{ NULL }
};

static const SimKeySpec event_keys[] = {
	{ "at", SIM_KEY_TIME, true, NULL, 0, 0, NULL,
	  "the virtual time of the event" },
	{ "device", SIM_KEY_STRING, true, NULL, 0, 0, NULL,
	  "the NAME of a [device NAME] group" },
	{ "action", SIM_KEY_STRING, true, NULL, 0, 0, NULL,
	  "an action of the device's type" },
	{ NULL }
};

/* Indexes into the value arrays of the schemas above. */
enum { SC_TITLE, SC_UPSTREAM, SC_COMMIT, SC_EXPOSED_BY, SC_FIX,
       SC_BASE_FIXES, SC_VARIANT, SC_DESCRIPTION, SC__N };
enum { MA_CPUS, MA_MODULES, MA_CHECK_LEAKS, MA_UNLOAD, MA_KCSAN, MA__N };
enum { SCH_STRATEGY, SCH_ORDER, SCH_SEED, SCH_EXPLORE_RUNS,
       SCH_EXPLORE_STRATEGY, SCH_EXPLORE_DEPTH, SCH__N };
enum { LIM_MAX_STEPS, LIM_MAX_TIME, LIM__N };
enum { EV_AT, EV_DEVICE, EV_ACTION, EV__N };

static const char accepted_groups[] =
	"[scenario], [machine], [device NAME], [event NAME], [schedule], "
	"[limits], [expect]";

typedef enum {
	GK_SCENARIO, GK_MACHINE, GK_DEVICE, GK_EVENT, GK_SCHEDULE, GK_LIMITS,
	GK_EXPECT,
} GroupKind;

/* -------------------------------------------------------- the loader -- */

typedef struct {
	SimKf *kf;
	const SimDeviceType *const *types;
	SimScenario *s;
} Loader;

/* sim__kf_fail() for the file being loaded. */
static gboolean G_GNUC_PRINTF(7, 8)
fail(const Loader *L, GError **error, SimScenarioError code, int line,
     const char *group, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim__kf_failv(L->kf, error, code, line, group, key, fmt, ap);
	va_end(ap);
	return FALSE;
}

/* [device NAME] and [event NAME]: NAME is one word of these characters. */
static gboolean valid_name(const char *s)
{
	if (!*s)
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && !strchr("_-.", *s))
			return FALSE;
	return TRUE;
}

static gboolean classify_groups(Loader *L, GError **error)
{
	static const struct {
		const char *name;
		GroupKind kind;
	} singles[] = {
		{ "scenario", GK_SCENARIO }, { "machine", GK_MACHINE },
		{ "schedule", GK_SCHEDULE }, { "limits", GK_LIMITS },
		{ "expect", GK_EXPECT },
	};

	for (guint i = 0; i < L->kf->groups->len; i++) {
		SimKfGroup *g = L->kf->groups->pdata[i];
		gboolean known = FALSE;

		for (size_t j = 0; j < G_N_ELEMENTS(singles); j++) {
			if (strcmp(g->name, singles[j].name) == 0) {
				g->kind = singles[j].kind;
				known = TRUE;
			}
		}
		if (g_str_has_prefix(g->name, "device ")) {
			g->kind = GK_DEVICE;
			g->instance = g->name + strlen("device ");
			known = TRUE;
		} else if (g_str_has_prefix(g->name, "event ")) {
			g->kind = GK_EVENT;
			g->instance = g->name + strlen("event ");
			known = TRUE;
		}
		if (!known)
			return fail(L, error, SIM_SCENARIO_ERROR_UNKNOWN,
				    g->line, g->name, NULL, "unknown group; "
				    "expected one of %s", accepted_groups);
		if (g->instance && !valid_name(g->instance))
			return fail(L, error, SIM_SCENARIO_ERROR_VALUE,
				    g->line, g->name, NULL, "expected a NAME "
				    "of letters, digits, '_', '-' and '.', "
				    "found '%s'", g->instance);
	}
	return TRUE;
}

/* ---------------------------------------------------- [scenario] group -- */

static char *fix_names(gboolean with_none)
{
	const char *names[SIM_FIX__COUNT + 1];

	for (int f = 0; f < SIM_FIX__COUNT; f++)
		names[f] = sim_fix_name((SimFix)f);
	names[SIM_FIX__COUNT] = "none";
	return sim__kf_join(names, SIM_FIX__COUNT + (with_none ? 1 : 0));
}

/*
 * base-fixes: switches on in both variants. A race can need an earlier step
 * of its fix to be reachable at all (the commit message of e4b9852a0f4a
 * states A3-vs-B2 against the code with A1 and A2 already merged); the
 * variants then differ by the scenario's own fix only.
 */
static gboolean load_base_fixes(Loader *L, const SimKeyValue *v,
				GError **error)
{
	g_auto(GStrv) parts = g_strsplit(v->text, ";", -1);
	SimScenario *s = L->s;

	for (size_t i = 0; parts[i]; i++) {
		char *name = g_strstrip(parts[i]);
		int f;

		/* Empty value, or a trailing ';' in GKeyFile list style. */
		if (!*name && !parts[i + 1])
			break;
		f = *name ? sim_fix_lookup(name) : -1;
		if (f < 0) {
			g_autofree char *list = fix_names(FALSE);
			g_autofree char *q = sim__kf_quote(name);

			return fail(L, error, SIM_SCENARIO_ERROR_VALUE, v->line,
				    "scenario", "base-fixes", "expected fix "
				    "switches from sim/fixes.def separated by "
				    "';' (%s), found '%s'", list, q);
		}
		if (f == s->fix)
			return fail(L, error, SIM_SCENARIO_ERROR_VALUE, v->line,
				    "scenario", "base-fixes", "expected "
				    "switches other than the scenario's fix "
				    "'%s', which only post-fix turns on", name);
		s->base_fixes[f] = true;
	}
	return TRUE;
}

static gboolean load_scenario_group(Loader *L, GError **error)
{
	SimKeyValue v[SC__N] = { 0 };
	SimScenario *s = L->s;
	gboolean ok = sim__kf_load_group(L->kf, "scenario", TRUE, scenario_keys,
					 v, error);

	if (ok) {
		s->title = g_strdup(v[SC_TITLE].text);
		s->upstream = g_strdup(v[SC_UPSTREAM].text);
		s->commit = g_strdup(v[SC_COMMIT].text);
		s->exposed_by = g_strdup(v[SC_EXPOSED_BY].text);
		s->default_variant = g_strdup(v[SC_VARIANT].text);
		s->description = g_strdup(v[SC_DESCRIPTION].text);
		s->fix = strcmp(v[SC_FIX].text, "none") == 0 ?
			 -1 : sim_fix_lookup(v[SC_FIX].text);
		if (s->fix < 0 && strcmp(v[SC_FIX].text, "none") != 0) {
			g_autofree char *list = fix_names(TRUE);
			g_autofree char *q = sim__kf_quote(v[SC_FIX].text);
			ok = fail(L, error, SIM_SCENARIO_ERROR_VALUE,
				  v[SC_FIX].line, "scenario", "fix",
				  "expected a fix switch from sim/fixes.def "
				  "(%s), found '%s'", list, q);
		}
	}
	if (ok)
		ok = load_base_fixes(L, &v[SC_BASE_FIXES], error);
	sim__kf_values_clear(v, SC__N);
	return ok;
}

/* ----------------------------------------------------- [machine] group -- */

/* The modules the drivers shared object holds, in link order. */
static GPtrArray *driver_modules(void)
{
	GPtrArray *a = g_ptr_array_new();

	if (hvsim_module_names) {
		size_t n = hvsim_module_names(NULL, 0);

		g_ptr_array_set_size(a, n);
		hvsim_module_names((const char **)a->pdata, n);
	}
	return a;
}

static gboolean check_module(Loader *L, const SimKeyValue *v,
			     GPtrArray *known, const char *name,
			     GError **error)
{
	gboolean linked = FALSE;

	for (guint i = 0; i < known->len; i++)
		if (strcmp(known->pdata[i], name) == 0)
			linked = TRUE;
	if (!linked) {
		g_autofree char *list = sim__kf_join(
			(const char *const *)known->pdata, known->len);
		g_autofree char *q = sim__kf_quote(name);
		return fail(L, error, SIM_SCENARIO_ERROR_VALUE, v->line,
			    "machine", "modules", "expected a module of the "
			    "drivers (%s), found '%s'",
			    known->len ? list : "none are linked in", q);
	}
	for (guint i = 0; i < L->s->modules->len; i++)
		if (strcmp(L->s->modules->pdata[i], name) == 0)
			return fail(L, error, SIM_SCENARIO_ERROR_VALUE,
				    v->line, "machine", "modules", "expected "
				    "each module once, found '%s' twice", name);
	return TRUE;
}

static gboolean load_modules(Loader *L, const SimKeyValue *v, GError **error)
{
	g_autoptr(GPtrArray) known = driver_modules();
	g_auto(GStrv) parts = g_strsplit(v->text, ";", -1);

	for (size_t i = 0; parts[i]; i++) {
		char *name = g_strstrip(parts[i]);

		/* A trailing ';' is GKeyFile list style: allow it. */
		if (!*name && !parts[i + 1])
			break;
		if (!*name || strpbrk(name, " \t")) {
			g_autofree char *q = sim__kf_quote(v->text);
			return fail(L, error, SIM_SCENARIO_ERROR_VALUE, v->line,
				    "machine", "modules", "expected module "
				    "names separated by ';', found '%s'", q);
		}
		if (!check_module(L, v, known, name, error))
			return FALSE;
		if (L->s->modules->len == SIM_SCENARIO_MAX_MODULES)
			return fail(L, error, SIM_SCENARIO_ERROR_VALUE, v->line,
				    "machine", "modules", "expected at most %d "
				    "modules, found more",
				    SIM_SCENARIO_MAX_MODULES);
		g_ptr_array_add(L->s->modules, g_strdup(name));
	}
	return TRUE;
}

static gboolean load_machine_group(Loader *L, GError **error)
{
	SimKeyValue v[MA__N] = { 0 };
	SimScenario *s = L->s;
	gboolean ok = sim__kf_load_group(L->kf, "machine", TRUE, machine_keys,
					 v, error);

	if (ok) {
		s->cpus = (int)v[MA_CPUS].i;
		s->check_leaks = v[MA_CHECK_LEAKS].i;
		s->unload = v[MA_UNLOAD].i;
		s->kcsan = v[MA_KCSAN].i;
		ok = load_modules(L, &v[MA_MODULES], error);
	}
	sim__kf_values_clear(v, MA__N);
	return ok;
}

/* ---------------------------------------------- [device] and [event] -- */

static void device_free(gpointer p)
{
	SimDeviceConfig *d = p;

	sim__kf_values_clear(d->values, sim__kf_nkeys(d->type->keys));
	g_free(d->values);
	g_free(d->name);
	g_free(d);
}

static void event_free(gpointer p)
{
	SimEventConfig *e = p;

	sim__kf_values_clear(e->values, sim__kf_nkeys(e->action->keys));
	g_free(e->values);
	g_free(e->name);
	g_free(e);
}

static char *type_names(Loader *L)
{
	g_autoptr(GString) s = g_string_new(NULL);

	for (size_t i = 0; L->types[i]; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "",
				       L->types[i]->name);
	if (!s->len)
		g_string_append(s, "none are linked in");
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static gboolean load_device(Loader *L, const SimKfGroup *g, GError **error)
{
	SimKeyValue tv[1] = { 0 };
	const SimDeviceType *type = NULL;

	if (!sim__kf_parse_schema(L->kf, g, g->name, device_keys, tv, error))
		return FALSE;
	for (size_t i = 0; L->types[i] && !type; i++)
		if (strcmp(L->types[i]->name, tv[0].text) == 0)
			type = L->types[i];
	if (!type) {
		g_autofree char *list = type_names(L);
		g_autofree char *q = sim__kf_quote(tv[0].text);
		fail(L, error, SIM_SCENARIO_ERROR_VALUE, tv[0].line, g->name,
		     "type", "expected a device type (%s), found '%s'", list,
		     q);
		sim__kf_values_clear(tv, 1);
		return FALSE;
	}
	sim__kf_values_clear(tv, 1);

	const SimKeySpec *const schemas[] = { device_keys, type->keys };
	if (!sim__kf_check_keys(L->kf, g, schemas, 2, error))
		return FALSE;

	SimDeviceConfig *d = g_new0(SimDeviceConfig, 1);
	d->name = g_strdup(g->instance);
	d->type = type;
	d->line = g->line;
	d->values = g_new0(SimKeyValue, sim__kf_nkeys(type->keys) + 1);
	g_ptr_array_add(L->s->devices, d);
	return sim__kf_parse_schema(L->kf, g, g->name, type->keys, d->values,
				    error);
}

static const SimDeviceConfig *find_device(Loader *L, const char *name)
{
	for (guint i = 0; i < L->s->devices->len; i++) {
		const SimDeviceConfig *d = L->s->devices->pdata[i];

		if (strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

static gboolean resolve_event(Loader *L, const SimKfGroup *g,
			      const SimKeyValue *v, SimEventConfig *ev,
			      GError **error)
{
	ev->device = find_device(L, v[EV_DEVICE].text);
	if (!ev->device) {
		g_autoptr(GString) list = g_string_new(NULL);

		for (guint i = 0; i < L->s->devices->len; i++) {
			const SimDeviceConfig *d = L->s->devices->pdata[i];

			g_string_append_printf(list, "%s%s", i ? ", " : "",
					       d->name);
		}
		g_autofree char *q = sim__kf_quote(v[EV_DEVICE].text);
		return fail(L, error, SIM_SCENARIO_ERROR_VALUE,
			    v[EV_DEVICE].line, g->name, "device", "expected "
			    "the NAME of a [device NAME] group (%s), found "
			    "'%s'", list->len ? list->str : "there are none",
			    q);
	}

	const SimDeviceType *type = ev->device->type;
	for (size_t i = 0; type->actions && type->actions[i].name; i++)
		if (strcmp(type->actions[i].name, v[EV_ACTION].text) == 0)
			ev->action = &type->actions[i];
	if (!ev->action) {
		g_autoptr(GString) list = g_string_new(NULL);
		for (size_t i = 0; type->actions && type->actions[i].name; i++)
			g_string_append_printf(list, "%s%s", i ? ", " : "",
					       type->actions[i].name);
		g_autofree char *q = sim__kf_quote(v[EV_ACTION].text);
		return fail(L, error, SIM_SCENARIO_ERROR_VALUE,
			    v[EV_ACTION].line, g->name, "action", "expected an "
			    "action of device type %s (%s), found '%s'",
			    type->name, list->len ? list->str : "it has none",
			    q);
	}
	return TRUE;
}

static gboolean load_event(Loader *L, const SimKfGroup *g, GError **error)
{
	SimKeyValue v[EV__N] = { 0 };
	SimEventConfig tmp = { 0 };
	gboolean ok = sim__kf_parse_schema(L->kf, g, g->name, event_keys, v,
					   error) &&
		      resolve_event(L, g, v, &tmp, error);

	if (ok) {
		const SimKeySpec *const schemas[] = { event_keys,
						      tmp.action->keys };
		ok = sim__kf_check_keys(L->kf, g, schemas, 2, error);
	}
	if (ok) {
		SimEventConfig *ev = g_new0(SimEventConfig, 1);

		*ev = tmp;
		ev->name = g_strdup(g->instance);
		ev->line = g->line;
		ev->at = v[EV_AT].t;
		ev->values = g_new0(SimKeyValue,
				    sim__kf_nkeys(tmp.action->keys) + 1);
		g_ptr_array_add(L->s->events, ev);
		ok = sim__kf_parse_schema(L->kf, g, g->name, tmp.action->keys,
					  ev->values, error);
	}
	sim__kf_values_clear(v, EV__N);
	return ok;
}

/* Events run by virtual time; at equal times in file order. */
static gint event_cmp(gconstpointer a, gconstpointer b)
{
	const SimEventConfig *x = *(SimEventConfig *const *)a;
	const SimEventConfig *y = *(SimEventConfig *const *)b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

static gboolean load_devices_and_events(Loader *L, GError **error)
{
	/* Devices first: an event may name a device written after it. */
	for (guint i = 0; i < L->kf->groups->len; i++) {
		const SimKfGroup *g = L->kf->groups->pdata[i];

		if (g->kind == GK_DEVICE && !load_device(L, g, error))
			return FALSE;
	}
	for (guint i = 0; i < L->kf->groups->len; i++) {
		const SimKfGroup *g = L->kf->groups->pdata[i];

		if (g->kind == GK_EVENT && !load_event(L, g, error))
			return FALSE;
	}
	g_ptr_array_sort(L->s->events, event_cmp);
	return TRUE;
}

/* ---------------------------------------------------- [schedule] group -- */

static void order_clear(gpointer p)
{
	SimOrder *o = p;

	g_free((char *)o->before);
	g_free((char *)o->after);
}

static gboolean load_schedule_group(Loader *L, GError **error)
{
	SimKeyValue v[SCH__N] = { 0 };
	SimScenario *s = L->s;
	gboolean ok = sim__kf_load_group(L->kf, "schedule", TRUE, schedule_keys,
					 v, error);

	if (ok) {
		s->strategy = v[SCH_STRATEGY].i == 0 ? SIM_SCHED_SCRIPTED :
						       SIM_SCHED_RANDOM;
		s->seed = (uint64_t)v[SCH_SEED].i;
		s->explore_runs = (uint64_t)v[SCH_EXPLORE_RUNS].i;
		s->explore_pct = v[SCH_EXPLORE_STRATEGY].i == 1;
		s->explore_depth = (unsigned)v[SCH_EXPLORE_DEPTH].i;
		if (*v[SCH_ORDER].text && s->strategy != SIM_SCHED_SCRIPTED) {
			g_autofree char *q = sim__kf_quote(v[SCH_ORDER].text);
			ok = fail(L, error, SIM_SCENARIO_ERROR_VALUE,
				  v[SCH_ORDER].line, "schedule", "order",
				  "expected no order with strategy = random "
				  "(orders script the scripted strategy), "
				  "found '%s'", q);
		} else if (*v[SCH_ORDER].text) {
			s->orders_line = v[SCH_ORDER].line;
			ok = sim__scenario_load_orders(L->kf, &v[SCH_ORDER],
						       s->orders, error);
		}
	}
	sim__kf_values_clear(v, SCH__N);
	return ok;
}

/* ------------------------------------------------------ [limits] group -- */

static gboolean load_limits_group(Loader *L, GError **error)
{
	SimKeyValue v[LIM__N] = { 0 };
	gboolean ok = sim__kf_load_group(L->kf, "limits", FALSE, limits_keys, v,
					 error);

	if (ok && v[LIM_MAX_TIME].t == 0)
		ok = fail(L, error, SIM_SCENARIO_ERROR_VALUE,
			  v[LIM_MAX_TIME].line, "limits", "max-time",
			  "expected a time greater than 0, found '%s'",
			  v[LIM_MAX_TIME].text);
	if (ok) {
		L->s->limits.max_steps = (uint64_t)v[LIM_MAX_STEPS].i;
		L->s->limits.max_time = v[LIM_MAX_TIME].t;
	}
	sim__kf_values_clear(v, LIM__N);
	return ok;
}

/* ------------------------------------------------------ [expect] group -- */

static void alt_clear(gpointer p)
{
	g_free(((SimExpectAlt *)p)->func);
}

static char *bug_kind_names(void)
{
	const char *names[SIM_BUG__COUNT];

	for (int k = 1; k < SIM_BUG__COUNT; k++)
		names[k - 1] = sim_bug_kind_name((SimBugKind)k);
	return sim__kf_join(names, SIM_BUG__COUNT - 1);
}

static gboolean parse_alt(const char *text, SimExpectAlt *alt)
{
	const char *in = strstr(text, " in ");

	if (strcmp(text, "clean") == 0) {
		alt->kind = SIM_BUG_NONE;
		alt->func = NULL;
		return TRUE;
	}
	if (!in)
		return FALSE;

	g_autofree char *kind = g_strstrip(g_strndup(text, in - text));
	g_autofree char *func = g_strstrip(g_strdup(in + 4));
	int k = sim_bug_kind_lookup(kind);

	if (k <= SIM_BUG_NONE || k >= SIM_BUG__COUNT || !*func ||
	    strpbrk(func, " \t"))
		return FALSE;
	alt->kind = (SimBugKind)k;
	alt->func = g_steal_pointer(&func);
	return TRUE;
}

static gboolean load_expect(Loader *L, const SimKeyValue *v,
			    const char *key, SimExpect *e, GError **error)
{
	g_auto(GStrv) alts = g_strsplit(v->text, "|", -1);

	e->line = v->line;
	e->text = g_strdup(v->text);
	for (size_t i = 0; alts[i]; i++) {
		SimExpectAlt alt;

		if (parse_alt(g_strstrip(alts[i]), &alt)) {
			g_array_append_val(e->alts, alt);
			continue;
		}
		g_autofree char *kinds = bug_kind_names();
		g_autofree char *q = sim__kf_quote(alts[i]);
		return fail(L, error, SIM_SCENARIO_ERROR_VALUE, v->line,
			    "expect", key, "expected 'clean' or 'KIND in FUNC' "
			    "alternatives separated by '|', KIND one of %s; "
			    "found '%s'", kinds, q);
	}
	return TRUE;
}

static gboolean load_expect_group(Loader *L, GError **error)
{
	SimKeyValue v[2] = { 0 };
	gboolean ok = sim__kf_load_group(L->kf, "expect", TRUE, expect_keys, v,
					 error) &&
		      load_expect(L, &v[0], "pre-fix", &L->s->expect_pre,
				  error) &&
		      load_expect(L, &v[1], "post-fix", &L->s->expect_post,
				  error);

	sim__kf_values_clear(v, 2);
	return ok;
}

/* --------------------------------------------------------- public API -- */

gboolean sim_parse_time(const char *text, SimTime *out)
{
	static const struct {
		const char *unit;
		SimTime scale;
	} units[] = {
		{ "ns", SIM_NSEC }, { "us", SIM_USEC }, { "ms", SIM_MSEC },
		{ "s", SIM_SEC },
	};
	const char *p = text;
	uint64_t v = 0;

	if (!g_ascii_isdigit(*p))
		return FALSE;
	for (; g_ascii_isdigit(*p); p++) {
		unsigned d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return FALSE;
		v = v * 10 + d;
	}
	/* A bare number is ambiguous, except zero. */
	if (!*p) {
		if (v)
			return FALSE;
		*out = 0;
		return TRUE;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
		if (strcmp(p, units[i].unit) != 0)
			continue;
		if (v > UINT64_MAX / units[i].scale)
			return FALSE;
		*out = v * units[i].scale;
		return TRUE;
	}
	return FALSE;
}

const SimKeyValue *sim_key_value(const SimKeySpec *keys,
				 const SimKeyValue *values, const char *key)
{
	for (size_t i = 0; keys && keys[i].key; i++)
		if (strcmp(keys[i].key, key) == 0)
			return &values[i];
	g_error("sim_key_value: no key '%s' in this schema", key);
}

static void expect_init(SimExpect *e)
{
	e->alts = g_array_new(FALSE, TRUE, sizeof(SimExpectAlt));
	g_array_set_clear_func(e->alts, alt_clear);
}

static void expect_clear(SimExpect *e)
{
	if (e->alts)
		g_array_unref(e->alts);
	g_free(e->text);
}

static SimScenario *scenario_new(const char *path)
{
	SimScenario *s = g_new0(SimScenario, 1);
	g_autofree char *base = g_path_get_basename(path);

	if (g_str_has_suffix(base, ".scn"))
		base[strlen(base) - 4] = '\0';
	s->path = g_strdup(path);
	s->basename = g_steal_pointer(&base);
	s->modules = g_ptr_array_new_with_free_func(g_free);
	s->devices = g_ptr_array_new_with_free_func(device_free);
	s->events = g_ptr_array_new_with_free_func(event_free);
	s->orders = g_array_new(FALSE, TRUE, sizeof(SimOrder));
	g_array_set_clear_func(s->orders, order_clear);
	expect_init(&s->expect_pre);
	expect_init(&s->expect_post);
	return s;
}

void sim_scenario_free(SimScenario *s)
{
	if (!s)
		return;
	g_free(s->path);
	g_free(s->basename);
	g_free(s->title);
	g_free(s->upstream);
	g_free(s->commit);
	g_free(s->exposed_by);
	g_free(s->default_variant);
	g_free(s->description);
	/* Events point at devices: free them first. */
	g_ptr_array_unref(s->events);
	g_ptr_array_unref(s->devices);
	g_ptr_array_unref(s->modules);
	g_array_unref(s->orders);
	expect_clear(&s->expect_pre);
	expect_clear(&s->expect_post);
	g_free(s);
}

SimScenario *sim__scenario_load_types(const char *path,
				      const SimDeviceType *const *types,
				      GError **error)
{
	g_autoptr(SimKf) kf = sim__kf_load(path, error);
	Loader L = { .kf = kf, .types = types };
	gboolean ok;

	if (!kf)
		return NULL;
	L.s = scenario_new(path);
	ok = classify_groups(&L, error) &&
	     load_scenario_group(&L, error) &&
	     load_machine_group(&L, error) &&
	     load_devices_and_events(&L, error) &&
	     load_schedule_group(&L, error) &&
	     load_limits_group(&L, error) &&
	     load_expect_group(&L, error);
	if (!ok) {
		sim_scenario_free(L.s);
		return NULL;
	}
	return L.s;
}

SimScenario *sim_scenario_load(const char *path, GError **error)
{
	return sim__scenario_load_types(path, sim_device_types, error);
}
