/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the scenario: a GKeyFile text file that says which
 * race to replay, on what machine, with which host events, under which
 * schedule, and what each variant must show. It sits between the CLI, which
 * loads and runs scenarios, and the models, which declare the keys their
 * devices and host events accept (SimDeviceType).
 *
 * File format (every key below is checked; an unknown group or key is an
 * error naming the file, the line, the key and what was expected):
 *
 *   [scenario]
 *   title = storvsc: two openers of one sub-channel free a live ring
 *   upstream = scsi: storvsc: Fix a race in sub-channel creation that can cause panic
 *   commit = c967590457ca           (optional)
 *   exposed-by = ae6935ed7d42       (optional)
 *   fix = storvsc-subchannel-race   (a name from sim/fixes.def, or "none")
 *   base-fixes = nvme-merge-a1-a2   (optional: switches on in both variants,
 *                                    ';'-separated; an earlier step of the
 *                                    fix that the race needs)
 *   variant = pre-fix               (default variant: pre-fix | post-fix)
 *   description = ...               (optional)
 *
 *   [machine]
 *   cpus = 2                        (1..64)
 *   modules = hv_vmbus;hv_storvsc   (KBUILD_MODNAMEs, loaded in this order)
 *   check-leaks = false             (report live objects at the end)
 *   unload = false                  (run the modules' exit calls at the end)
 *   kcsan = true                    (data-race detector on annotated fields)
 *
 *   [device storvsc0]               (one group per host device)
 *   type = storvsc                  (a SimDeviceType name)
 *   ...                             (keys of that type)
 *
 *   [event rescind-sc1]             (one group per host timeline event)
 *   at = 5ms                        (virtual time: 0, 10ns, 10us, 5ms, 2s)
 *   device = storvsc0
 *   action = rescind                (an action of that device's type)
 *   ...                             (keys of that action)
 *
 *   [schedule]
 *   strategy = scripted             (scripted | random)
 *   order = a.x < b.y < c.z; d.u < e.v   (named points; scripted only)
 *   seed = 1                        (default seed, optional)
 *   explore-runs = 500              (`hvsim check`: executions explored per
 *                                    variant with no script; default 0)
 *   explore-strategy = pct          (random | pct; default pct)
 *   explore-depth = 3               (PCT depth, 1..16; default 3)
 *
 *   [limits]                        (optional)
 *   max-steps = 1000000
 *   max-time = 600s
 *
 *   [expect]
 *   pre-fix = page-fault in hv_ringbuffer_write | use-after-free in hv_ringbuffer_*
 *   post-fix = clean
 *
 * An expectation is "clean" or alternatives "KIND in FUNC" separated by
 * "|", KIND from sim/bugs.def, FUNC a function name or glob.
 */
#ifndef HVSIM_SCENARIO_H
#define HVSIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "sim/sim.h"
#include "sim/world.h"

#define SIM_SCENARIO_ERROR (sim_scenario_error_quark())
GQuark sim_scenario_error_quark(void);

typedef enum {
	SIM_SCENARIO_ERROR_IO,		/* cannot read the file */
	SIM_SCENARIO_ERROR_SYNTAX,	/* not a key file */
	SIM_SCENARIO_ERROR_UNKNOWN,	/* unknown group or key */
	SIM_SCENARIO_ERROR_MISSING,	/* required group or key absent */
	SIM_SCENARIO_ERROR_VALUE,	/* wrong type or out of range */
} SimScenarioError;

/* ------------------------------------------------- model-declared schema -- */

typedef enum {
	SIM_KEY_INT,
	SIM_KEY_TIME,		/* "0", "10ns", "10us", "5ms", "2s" */
	SIM_KEY_STRING,
	SIM_KEY_BOOL,
	SIM_KEY_ENUM,		/* one of enum_values */
} SimKeyType;

typedef struct {
	const char *key;
	SimKeyType type;
	bool required;
	const char *def;		/* default, as text; NULL if required */
	int64_t min, max;		/* INT: inclusive range (0, 0: any) */
	const char *const *enum_values;	/* ENUM: NULL-terminated */
	const char *help;
} SimKeySpec;

/* One parsed key of a device or event group. */
typedef struct {
	const SimKeySpec *spec;
	int line;			/* 0 when the default was used */
	const char *text;		/* as written, or the default */
	int64_t i;			/* INT, ENUM (index), BOOL (0/1) */
	SimTime t;			/* TIME */
} SimKeyValue;

typedef struct {
	char *name;			/* "storvsc0" from [device storvsc0] */
	const struct SimDeviceType *type;
	int line;
	SimKeyValue *values;		/* one per key of type->keys, same order */
} SimDeviceConfig;

typedef struct {
	const char *name;
	const SimKeySpec *keys;		/* terminated by { NULL } */
	const char *help;
} SimActionSpec;

typedef struct {
	char *name;			/* from [event NAME] */
	int line;
	SimTime at;
	const SimDeviceConfig *device;
	const SimActionSpec *action;
	SimKeyValue *values;		/* one per key of action->keys */
} SimEventConfig;

/*
 * A device type a model provides. @create attaches a model for one
 * [device] group to the world; it receives that device's events, in file
 * order, and schedules them itself when the model starts.
 */
typedef struct SimDeviceType {
	const char *name;
	const char *help;
	const SimKeySpec *keys;		/* terminated by { NULL } */
	const SimActionSpec *actions;	/* terminated by { NULL } */
	SimModel *(*create)(SimWorld *w, const SimDeviceConfig *dev,
			    const SimEventConfig *const *events, size_t nevents);
} SimDeviceType;

/* The device types linked in (models/models.c), NULL-terminated. */
extern const SimDeviceType *const sim_device_types[];

/* Value of key @key of a device or event; aborts if the key is not in the
 * schema (a programming error, not bad input). */
const SimKeyValue *sim_key_value(const SimKeySpec *keys,
				 const SimKeyValue *values, const char *key);

/* ------------------------------------------------------------- scenario -- */

typedef struct {
	SimBugKind kind;		/* SIM_BUG_NONE for "clean" */
	char *func;			/* glob; NULL for clean */
} SimExpectAlt;

typedef struct {
	GArray *alts;			/* SimExpectAlt */
	int line;
	char *text;
} SimExpect;

typedef enum {
	SIM_SCHED_SCRIPTED,
	SIM_SCHED_RANDOM,
} SimSchedKind;

struct SimScenario {
	char *path;			/* as given on the command line */
	char *basename;			/* "storvsc-subchannel-race" */

	/* [scenario] */
	char *title;
	char *upstream;
	char *commit;
	char *exposed_by;
	int fix;			/* SimFix, or -1 for "none" */
	bool base_fixes[SIM_FIX__COUNT];	/* on in both variants */
	char *default_variant;
	char *description;

	/* [machine] */
	int cpus;
	GPtrArray *modules;		/* char* */
	bool check_leaks;
	bool kcsan;			/* data-race detector on */
	bool unload;

	/* [device ...] and [event ...], in file order */
	GPtrArray *devices;		/* SimDeviceConfig* */
	GPtrArray *events;		/* SimEventConfig*, sorted by (at, file order) */

	/* [schedule] */
	SimSchedKind strategy;
	GArray *orders;			/* SimOrder, strings owned by the scenario */
	int orders_line;
	uint64_t seed;
	uint64_t explore_runs;		/* `hvsim check`'s budget per variant */
	bool explore_pct;		/* PCT (else random) */
	unsigned explore_depth;

	/* [limits] */
	SimLimits limits;

	/* [expect] */
	SimExpect expect_pre;
	SimExpect expect_post;
};

/*
 * sim_scenario_load - parse and check @path completely. On any error returns
 * NULL with @error set to a message of the form
 *   "FILE:LINE: [group] key: what was expected, what was found"
 * (LINE omitted when the file could not be read). Ordering constraints are
 * checked against the named points the drivers declare, and modules against
 * the modules they contain.
 */
SimScenario *sim_scenario_load(const char *path, GError **error);
void sim_scenario_free(SimScenario *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimScenario, sim_scenario_free)

/* Expectation for "pre-fix" / "post-fix", or NULL for another name. */
const SimExpect *sim_scenario_expect(const SimScenario *s, const char *variant);

/* Does the outcome (@kind, @func; SIM_BUG_NONE for clean) meet @e? */
bool sim_expect_matches(const SimExpect *e, SimBugKind kind, const char *func);

/* Parse "10us" and friends; FALSE if malformed. */
gboolean sim_parse_time(const char *text, SimTime *out);

/*
 * sim_scenario_apply - configure @w for one variant of @s: fix switches,
 * ordering constraints (scripted only), limits, leak checking, and one
 * model per [device] group. Call once after sim_world_new().
 */
gboolean sim_scenario_apply(const SimScenario *s, SimWorld *w,
			    const char *variant, GError **error);

/*
 * sim_scenario_init - the SimInitFn of a scenario: in the init task, call
 * each module's init in order; at the end, when asked, the exit calls in
 * reverse order. @arg is the SimScenario.
 */
void sim_scenario_init(SimWorld *w, void *arg);

#endif /* HVSIM_SCENARIO_H */
