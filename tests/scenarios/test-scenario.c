// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the scenario loader: one case per kind of bad input,
 * each checking that the error names the file, the right line, the group
 * and key, and what was found; a good minimal scenario with its defaults;
 * device and event groups against a test device type; the time parser;
 * expectation matching; and what sim_scenario_apply() and
 * sim_scenario_init() do to a world.
 *
 * The fixtures are in tests/scenarios/fixtures/ (the CLI suite uses them
 * too); cases that need a variation of their own write it to a temporary
 * directory.
 */
#include <check.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <hvsim/driver.h>

#include "sim/scenario.h"
#include "sim/scenario_private.h"
#include "sim/world.h"

/* ------------------------------------------------------------ helpers -- */

static char *fixture(const char *name)
{
	const char *root = g_getenv("HVSIM_SOURCE_ROOT");

	ck_assert_msg(root, "HVSIM_SOURCE_ROOT is not set");
	return g_build_filename(root, "tests", "scenarios", "fixtures", name,
				NULL);
}

/* A scenario file in a fresh temporary directory; free with drop_tmp(). */
static char *write_tmp(const char *text)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *dir = g_dir_make_tmp("hvsim-scn-XXXXXX", &err);
	char *path;

	ck_assert_msg(dir, "tmp dir: %s", err ? err->message : "?");
	path = g_build_filename(dir, "t.scn", NULL);
	ck_assert(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static void drop_tmp(char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);

	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
}

/*
 * Load @path (with @types, or the linked-in ones when NULL) expecting an
 * error that starts "PATH:LINE: WHERE" and contains @what.
 */
static void expect_error_types(const char *path,
			       const SimDeviceType *const *types, int line,
			       const char *where, const char *what)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) s = types ?
		sim__scenario_load_types(path, types, &err) :
		sim_scenario_load(path, &err);
	g_autofree char *prefix = g_strdup_printf("%s:%d: %s", path, line,
						  where);

	ck_assert_msg(!s, "%s loaded, but it should not", path);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(g_str_has_prefix(err->message, prefix),
		      "error \"%s\" does not start with \"%s\"", err->message,
		      prefix);
	ck_assert_msg(strstr(err->message, what),
		      "error \"%s\" does not contain \"%s\"", err->message,
		      what);
}

static void expect_fixture_error(const char *name, int line,
				 const char *where, const char *what)
{
	g_autofree char *path = fixture(name);

	expect_error_types(path, NULL, line, where, what);
}

static void expect_text_error(const char *text, int line, const char *where,
			      const char *what)
{
	char *path = write_tmp(text);

	expect_error_types(path, NULL, line, where, what);
	drop_tmp(path);
}

/* A good scenario around one replaceable part, for the inline cases. */
#define GOOD_HEAD							\
	"[scenario]\n"			/* 1 */				\
	"title = t\n"			/* 2 */				\
	"upstream = u\n"		/* 3 */				\
	"fix = none\n"			/* 4 */				\
	"[machine]\n"			/* 5 */				\
	"modules = canary_abba\n"	/* 6 */				\
	"[expect]\n"			/* 7 */				\
	"pre-fix = deadlock in *\n"	/* 8 */				\
	"post-fix = clean\n"		/* 9 */
#define GOOD_SCHEDULE							\
	"[schedule]\n"			/* 10 */			\
	"strategy = random\n"		/* 11 */

/* ------------------------------------------------------ preconditions -- */

/* The fixtures name the canary's module and points: they must exist. */
START_TEST(test_scenario_drivers_declare_the_canary)
{
	const SimPointDesc *d[256];
	size_t n = hvsim_point_descs(d, G_N_ELEMENTS(d));
	bool a = false, b = false;

	ck_assert_uint_le(n, G_N_ELEMENTS(d));
	for (size_t i = 0; i < n; i++) {
		a |= strcmp(d[i]->name, "canary.a_locked") == 0;
		b |= strcmp(d[i]->name, "canary.b_locked") == 0;
	}
	ck_assert(a && b);
	ck_assert_ptr_nonnull(hvsim_module_init_lookup("canary_abba"));
}
END_TEST

/* ------------------------------------------------------ bad fixtures -- */

START_TEST(test_scenario_malformed_line)
{
	expect_fixture_error("bad-malformed-line.scn", 10, "expected 'key = "
			     "value'", "found 'this line is not a key value "
			     "pair'");
}
END_TEST

START_TEST(test_scenario_unknown_group)
{
	expect_fixture_error("bad-unknown-group.scn", 7, "[machin]: unknown "
			     "group", "expected one of [scenario], [machine]");
}
END_TEST

START_TEST(test_scenario_unknown_key)
{
	expect_fixture_error("bad-unknown-key.scn", 8, "[machine] cpu: "
			     "unknown key", "expected one of cpus, modules, "
			     "check-leaks, unload");
}
END_TEST

START_TEST(test_scenario_missing_required_key)
{
	expect_fixture_error("bad-missing-key.scn", 2, "[scenario] fix: "
			     "missing required key", "sim/fixes.def");
}
END_TEST

START_TEST(test_scenario_wrong_value_type)
{
	expect_fixture_error("bad-wrong-type.scn", 8, "[machine] cpus: "
			     "expected an integer in 1..64", "found 'two'");
}
END_TEST

START_TEST(test_scenario_bad_time_unit)
{
	expect_fixture_error("bad-time-unit.scn", 20, "[limits] max-time: "
			     "expected a time", "found '10min'");
}
END_TEST

START_TEST(test_scenario_unknown_point_lists_near_matches)
{
	g_autofree char *path = fixture("bad-order-point.scn");

	expect_error_types(path, NULL, 13, "[schedule] order: expected a "
			   "named point", "found 'canary.a_lockd'");
	/* The near matches share the module prefix, closest first. */
	expect_error_types(path, NULL, 13, "[schedule] order:",
			   "near matches: canary.a_locked, canary.b_locked");
}
END_TEST

START_TEST(test_scenario_bad_order_syntax)
{
	expect_fixture_error("bad-order-syntax.scn", 13, "[schedule] order: "
			     "expected chains of named points",
			     "found 'canary.a_locked <'");
}
END_TEST

START_TEST(test_scenario_unknown_fix)
{
	expect_fixture_error("bad-fix.scn", 5, "[scenario] fix: expected a "
			     "fix switch", "found 'storvsc-subchannel-rce'");
	expect_fixture_error("bad-fix.scn", 5, "[scenario] fix:",
			     "storvsc-subchannel-race");
}
END_TEST

START_TEST(test_scenario_unknown_module)
{
	expect_fixture_error("bad-module.scn", 9, "[machine] modules: "
			     "expected a module of the drivers",
			     "found 'hv_nonexistent'");
	expect_fixture_error("bad-module.scn", 9, "[machine] modules:",
			     "canary_abba");
}
END_TEST

START_TEST(test_scenario_unknown_device_type)
{
	expect_fixture_error("bad-device-type.scn", 20, "[device disk0] type: "
			     "expected a device type", "found 'floppy'");
}
END_TEST

START_TEST(test_scenario_missing_file)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *path = fixture("no-such-file.scn");
	g_autoptr(SimScenario) s = sim_scenario_load(path, &err);

	ck_assert_ptr_null(s);
	ck_assert(g_error_matches(err, SIM_SCENARIO_ERROR,
				  SIM_SCENARIO_ERROR_IO));
	ck_assert(g_str_has_prefix(err->message, path));
	ck_assert_ptr_nonnull(strstr(err->message, "cannot read"));
}
END_TEST

/* ------------------------------------------------- bad inline inputs -- */

START_TEST(test_scenario_missing_group)
{
	/* Reported at the end of the file, where the group would go. */
	expect_text_error(GOOD_HEAD, 9, "[schedule]: missing required group",
			  "strategy");
}
END_TEST

START_TEST(test_scenario_duplicate_key_and_group)
{
	expect_text_error(GOOD_HEAD GOOD_SCHEDULE "strategy = scripted\n", 12,
			  "[schedule] strategy: expected each key once",
			  "first on line 11");
	expect_text_error(GOOD_HEAD GOOD_SCHEDULE "[machine]\n", 12,
			  "[machine]: expected each group once",
			  "first on line 5");
}
END_TEST

START_TEST(test_scenario_key_before_group)
{
	expect_text_error("cpus = 2\n" GOOD_HEAD GOOD_SCHEDULE, 1, "cpus: "
			  "expected a [group] header", "found 'cpus = 2'");
}
END_TEST

START_TEST(test_scenario_time_overflow)
{
	expect_text_error(GOOD_HEAD GOOD_SCHEDULE "[limits]\n"
			  "max-time = 99999999999999999999s\n", 13,
			  "[limits] max-time: expected a time below 2^64 ns",
			  "found '99999999999999999999s'");
	expect_text_error(GOOD_HEAD GOOD_SCHEDULE "[limits]\n"
			  "max-time = 20000000000s\n", 13,
			  "[limits] max-time: expected a time below", "");
}
END_TEST

START_TEST(test_scenario_bad_bool_and_enum)
{
	expect_text_error("[scenario]\ntitle = t\nupstream = u\nfix = none\n"
			  "variant = prefix\n[machine]\nmodules = canary_abba\n"
			  GOOD_SCHEDULE, 5, "[scenario] variant: expected one "
			  "of pre-fix, post-fix", "found 'prefix'");
	expect_text_error("[scenario]\ntitle = t\nupstream = u\nfix = none\n"
			  "[machine]\nmodules = canary_abba\nunload = yes\n",
			  7, "[machine] unload: expected true or false",
			  "found 'yes'");
}
END_TEST

START_TEST(test_scenario_bad_expectation)
{
	expect_text_error("[scenario]\ntitle = t\nupstream = u\nfix = none\n"
			  "[machine]\nmodules = canary_abba\n"
			  GOOD_SCHEDULE
			  "[expect]\npre-fix = deadlock in * | oops in foo\n"
			  "post-fix = clean\n",
			  10, "[expect] pre-fix: expected 'clean' or 'KIND in "
			  "FUNC'", "found 'oops in foo'");
}
END_TEST

START_TEST(test_scenario_order_needs_scripted)
{
	expect_text_error(GOOD_HEAD GOOD_SCHEDULE
			  "order = canary.a_locked < canary.b_locked\n", 12,
			  "[schedule] order: expected no order with strategy = "
			  "random", "");
}
END_TEST

START_TEST(test_scenario_trailing_comment_hint)
{
	expect_text_error("[scenario]\ntitle = t\nupstream = u\nfix = none\n"
			  "[machine]\ncpus = 2 # two CPUs\n", 6,
			  "[machine] cpus: expected an integer",
			  "(comments go on their own line)");
}
END_TEST

/* --------------------------------------------------------- good input -- */

START_TEST(test_scenario_good_minimal_loads_with_defaults)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *path = fixture("good-minimal.scn");
	g_autoptr(SimScenario) s = sim_scenario_load(path, &err);
	const SimOrder *o;
	const SimExpectAlt *a;

	ck_assert_msg(s, "%s", err ? err->message : "?");
	ck_assert_str_eq(s->basename, "good-minimal");
	ck_assert_str_eq(s->title, "fixture: minimal good scenario");
	ck_assert_int_eq(s->fix, sim_fix_lookup("storvsc-subchannel-race"));
	ck_assert_str_eq(s->default_variant, "pre-fix");
	ck_assert_str_eq(s->commit, "");
	ck_assert_int_eq(s->cpus, 2);
	ck_assert_uint_eq(s->modules->len, 1);
	ck_assert_str_eq(s->modules->pdata[0], "canary_abba");
	ck_assert(!s->check_leaks && !s->unload);
	ck_assert(s->kcsan);	/* the race detector is on unless a scenario says not */
	ck_assert_int_eq(s->strategy, SIM_SCHED_SCRIPTED);
	ck_assert_uint_eq(s->seed, 1);
	ck_assert_uint_eq(s->limits.max_steps, 1000000);
	ck_assert_uint_eq(s->limits.max_time, 600 * SIM_SEC);

	/* "a < b < c; b < d" is three pairs, in order. */
	ck_assert_int_eq(s->orders_line, 12);
	ck_assert_uint_eq(s->orders->len, 3);
	o = &g_array_index(s->orders, SimOrder, 1);
	ck_assert_str_eq(o->before, "canary.b_locked");
	ck_assert_str_eq(o->after, "canary.a_wants_b");
	o = &g_array_index(s->orders, SimOrder, 2);
	ck_assert_str_eq(o->before, "canary.b_locked");
	ck_assert_str_eq(o->after, "canary.b_wants_a");

	ck_assert_uint_eq(s->expect_pre.alts->len, 2);
	a = &g_array_index(s->expect_pre.alts, SimExpectAlt, 1);
	ck_assert_int_eq(a->kind, SIM_BUG_HUNG_TASK);
	ck_assert_str_eq(a->func, "mutex_lock");
	ck_assert_int_eq(s->expect_pre.line, 15);
	ck_assert_uint_eq(s->expect_post.alts->len, 1);
	ck_assert_int_eq(g_array_index(s->expect_post.alts, SimExpectAlt,
				       0).kind, SIM_BUG_NONE);
}
END_TEST

START_TEST(test_scenario_crlf_comments_and_escapes)
{
	char *path = write_tmp("# comment\r\n[scenario]\r\n"
			       "title = a\\sb\r\n  upstream=u\r\n"
			       "fix = none\r\n\r\n[machine]\r\n"
			       "modules = canary_abba;\r\n[schedule]\r\n"
			       "strategy = random\r\n[expect]\r\n"
			       "pre-fix = clean\r\npost-fix = clean\r\n");
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) s = sim_scenario_load(path, &err);

	ck_assert_msg(s, "%s", err ? err->message : "?");
	ck_assert_str_eq(s->title, "a b");
	ck_assert_str_eq(s->upstream, "u");
	ck_assert_uint_eq(s->modules->len, 1);
	drop_tmp(path);
}
END_TEST

START_TEST(test_scenario_parse_time)
{
	SimTime t = 1;

	ck_assert(sim_parse_time("0", &t) && t == 0);
	ck_assert(sim_parse_time("250ns", &t) && t == 250);
	ck_assert(sim_parse_time("10us", &t) && t == 10 * SIM_USEC);
	ck_assert(sim_parse_time("5ms", &t) && t == 5 * SIM_MSEC);
	ck_assert(sim_parse_time("2s", &t) && t == 2 * SIM_SEC);
	ck_assert(sim_parse_time("18446744073s", &t));
	ck_assert(!sim_parse_time("18446744074s", &t));
	ck_assert(!sim_parse_time("99999999999999999999ns", &t));
	ck_assert(!sim_parse_time("10", &t));
	ck_assert(!sim_parse_time("1.5ms", &t));
	ck_assert(!sim_parse_time("-1s", &t));
	ck_assert(!sim_parse_time("10 ms", &t));
	ck_assert(!sim_parse_time("10min", &t));
	ck_assert(!sim_parse_time("", &t));
}
END_TEST

START_TEST(test_scenario_expect_matches)
{
	g_autofree char *path = fixture("good-minimal.scn");
	g_autoptr(SimScenario) s = sim_scenario_load(path, NULL);
	const SimExpect *pre, *post;

	ck_assert_ptr_nonnull(s);
	pre = sim_scenario_expect(s, "pre-fix");
	post = sim_scenario_expect(s, "post-fix");
	ck_assert_ptr_null(sim_scenario_expect(s, "mid-fix"));
	ck_assert(sim_expect_matches(pre, SIM_BUG_DEADLOCK, "anything"));
	ck_assert(sim_expect_matches(pre, SIM_BUG_HUNG_TASK, "mutex_lock"));
	ck_assert(!sim_expect_matches(pre, SIM_BUG_HUNG_TASK, "mutex_unlock"));
	ck_assert(!sim_expect_matches(pre, SIM_BUG_NONE, NULL));
	ck_assert(sim_expect_matches(post, SIM_BUG_NONE, NULL));
	ck_assert(!sim_expect_matches(post, SIM_BUG_DEADLOCK, "x"));
}
END_TEST

/* ------------------------------------------- devices, events, a model -- */

static const char *const disk_modes[] = { "fast", "slow", NULL };

static const SimKeySpec disk_keys[] = {
	{ "label", SIM_KEY_STRING, true, NULL, 0, 0, NULL, "a label" },
	{ "pages", SIM_KEY_INT, false, "16", 1, 1024, NULL, "ring pages" },
	{ "mode", SIM_KEY_ENUM, false, "fast", 0, 0, disk_modes, "mode" },
	{ "latency", SIM_KEY_TIME, false, "10us", 0, 0, NULL, "latency" },
	{ "flaky", SIM_KEY_BOOL, false, "false", 0, 0, NULL, "flaky" },
	{ NULL }
};

static const SimKeySpec rescind_keys[] = {
	{ "channel", SIM_KEY_INT, true, NULL, 0, 15, NULL, "channel" },
	{ NULL }
};

static const SimKeySpec no_keys[] = { { NULL } };

static const SimActionSpec disk_actions[] = {
	{ "offer", no_keys, "offer the device" },
	{ "rescind", rescind_keys, "rescind a channel" },
	{ NULL }
};

/* What the test model was given, for the assertions. */
typedef struct {
	char names[8][16];
	size_t n;
} DiskSeen;

static void disk_free(SimModel *m)
{
	g_free(m->priv);
	g_free(m);
}

static SimModel *disk_create(SimWorld *w, const SimDeviceConfig *dev,
			     const SimEventConfig *const *events, size_t n)
{
	SimModel *m = g_new0(SimModel, 1);
	DiskSeen *seen = g_new0(DiskSeen, 1);

	/* What it was given stays on the model, found through the world. */
	for (size_t i = 0; i < n && i < G_N_ELEMENTS(seen->names); i++)
		g_strlcpy(seen->names[i], events[i]->name,
			  sizeof(seen->names[i]));
	seen->n = n;
	m->name = "disk";
	m->priv = seen;
	m->free = disk_free;
	return m;
}

static const SimDeviceType disk_type = {
	"disk", "a test disk", disk_keys, disk_actions, disk_create,
};

static const SimDeviceType *const test_types[] = { &disk_type, NULL };

#define DEVICE_SCENARIO							\
	GOOD_HEAD GOOD_SCHEDULE						\
	"[event late]\n"		/* 12 */			\
	"at = 5ms\n"							\
	"device = disk0\n"						\
	"action = rescind\n"						\
	"channel = 3\n"							\
	"[device disk0]\n"		/* 17 */			\
	"type = disk\n"							\
	"label = sda\n"							\
	"mode = slow\n"			/* 20 */			\
	"[event early]\n"		/* 21 */			\
	"at = 0\n"							\
	"device = disk0\n"						\
	"action = offer\n"						\
	"[event late2]\n"		/* 25 */			\
	"at = 5ms\n"							\
	"device = disk0\n"						\
	"action = offer\n"

START_TEST(test_scenario_devices_and_events)
{
	char *path = write_tmp(DEVICE_SCENARIO);
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) s = sim__scenario_load_types(path, test_types,
							    &err);
	const SimDeviceConfig *d;
	const SimEventConfig *e;

	ck_assert_msg(s, "%s", err ? err->message : "?");
	ck_assert_uint_eq(s->devices->len, 1);
	d = s->devices->pdata[0];
	ck_assert_str_eq(d->name, "disk0");
	ck_assert_ptr_eq(d->type, &disk_type);
	ck_assert_int_eq(d->line, 17);
	ck_assert_str_eq(sim_key_value(disk_keys, d->values, "label")->text,
			 "sda");
	ck_assert_int_eq(sim_key_value(disk_keys, d->values, "mode")->i, 1);
	ck_assert_int_eq(sim_key_value(disk_keys, d->values, "mode")->line,
			 20);
	/* Defaults are filled in, with line 0. */
	ck_assert_int_eq(sim_key_value(disk_keys, d->values, "pages")->i, 16);
	ck_assert_int_eq(sim_key_value(disk_keys, d->values, "pages")->line,
			 0);
	ck_assert_uint_eq(sim_key_value(disk_keys, d->values, "latency")->t,
			  10 * SIM_USEC);
	ck_assert_int_eq(sim_key_value(disk_keys, d->values, "flaky")->i, 0);

	/* Sorted by (at, file order). */
	ck_assert_uint_eq(s->events->len, 3);
	e = s->events->pdata[0];
	ck_assert_str_eq(e->name, "early");
	e = s->events->pdata[1];
	ck_assert_str_eq(e->name, "late");
	ck_assert_uint_eq(e->at, 5 * SIM_MSEC);
	ck_assert_ptr_eq(e->device, d);
	ck_assert_str_eq(e->action->name, "rescind");
	ck_assert_int_eq(sim_key_value(rescind_keys, e->values, "channel")->i,
			 3);
	e = s->events->pdata[2];
	ck_assert_str_eq(e->name, "late2");
	drop_tmp(path);
}
END_TEST

static void expect_device_error(const char *text, int line, const char *where,
				const char *what)
{
	char *path = write_tmp(text);

	expect_error_types(path, test_types, line, where, what);
	drop_tmp(path);
}

START_TEST(test_scenario_device_and_event_errors)
{
	expect_device_error(GOOD_HEAD GOOD_SCHEDULE "[device d]\ntype = disk\n"
			    "label = x\nspeed = 3\n",
			    15, "[device d] speed: unknown key", "expected one "
			    "of type, label, pages, mode, latency, flaky");
	expect_device_error(GOOD_HEAD GOOD_SCHEDULE "[device d]\ntype = disk\n",
			    12, "[device d] label: missing required key", "");
	expect_device_error(GOOD_HEAD GOOD_SCHEDULE "[device d]\ntype = disk\n"
			    "label = x\npages = 2048\n",
			    15, "[device d] pages: expected an integer in "
			    "1..1024", "found '2048'");
	expect_device_error(GOOD_HEAD GOOD_SCHEDULE "[device d]\nlabel = x\n",
			    12, "[device d] type: missing required key", "");
	expect_device_error(GOOD_HEAD GOOD_SCHEDULE "[device d]\ntype = disk\n"
			    "label = x\n[event e]\nat = 1ms\ndevice = nope\n"
			    "action = offer\n",
			    17, "[event e] device: expected the NAME of a "
			    "[device NAME] group (d)", "found 'nope'");
	expect_device_error(GOOD_HEAD GOOD_SCHEDULE "[device d]\ntype = disk\n"
			    "label = x\n[event e]\nat = 1ms\ndevice = d\n"
			    "action = eject\n",
			    18, "[event e] action: expected an action of "
			    "device type disk (offer, rescind)", "found "
			    "'eject'");
	expect_device_error(GOOD_HEAD GOOD_SCHEDULE "[device d]\ntype = disk\n"
			    "label = x\n[event e]\nat = 1ms\ndevice = d\n"
			    "action = offer\nchannel = 1\n", 19, "[event e] "
			    "channel: unknown key", "at, device, action");
	expect_device_error(GOOD_HEAD GOOD_SCHEDULE "[device d]\ntype = disk\n"
			    "label = x\n[event e]\nat = soon\ndevice = d\n"
			    "action = offer\n", 16, "[event e] at: expected a "
			    "time", "found 'soon'");
	expect_device_error(GOOD_HEAD GOOD_SCHEDULE "[device two words]\n", 12,
			    "[device two words]: expected a NAME", "");
}
END_TEST

/* ------------------------------------------------- apply and the init -- */

START_TEST(test_scenario_apply_sets_fixes_orders_limits_models)
{
	char *path = write_tmp(
		"[scenario]\ntitle = t\nupstream = u\n"
		"fix = storvsc-subchannel-race\n"
		"[machine]\ncpus = 3\nmodules = canary_abba\ncheck-leaks = true\n"
		"[schedule]\nstrategy = scripted\n"
		"order = canary.a_locked < canary.b_locked\n"
		"[limits]\nmax-steps = 500\nmax-time = 3s\n"
		"[expect]\npre-fix = clean\npost-fix = clean\n"
		"[device d]\ntype = disk\nlabel = x\n"
		"[event b]\nat = 2ms\ndevice = d\naction = offer\n"
		"[event a]\nat = 1ms\ndevice = d\naction = offer\n");
	g_autoptr(SimScenario) s = sim__scenario_load_types(path, test_types,
							    NULL);
	int fix = sim_fix_lookup("storvsc-subchannel-race");
	g_autoptr(GError) err = NULL;
	const DiskSeen *seen;

	ck_assert_ptr_nonnull(s);
	for (int v = 0; v < 2; v++) {
		g_autoptr(SimWorld) w = sim_world_new();

		ck_assert(sim_scenario_apply(s, w, v ? "post-fix" : "pre-fix",
					     NULL));
		ck_assert_str_eq(w->variant, v ? "post-fix" : "pre-fix");
		for (int f = 0; f < SIM_FIX__COUNT; f++)
			ck_assert_int_eq(w->fixes[f], v && f == fix);
		ck_assert_uint_eq(w->orders->len, 1);
		ck_assert(w->respect_order);
		ck_assert_uint_eq(w->limits.max_steps, 500);
		ck_assert_int_eq(w->ncpus, 3);
		ck_assert_uint_eq(w->limits.max_time, 3 * SIM_SEC);
		ck_assert(w->check_leaks);
		ck_assert_ptr_eq(w->scenario, s);
		ck_assert_uint_eq(w->models->len, 1);
		/* The model got its events in file order. */
		seen = ((SimModel *)w->models->pdata[0])->priv;
		ck_assert_uint_eq(seen->n, 2);
		ck_assert_str_eq(seen->names[0], "b");
		ck_assert_str_eq(seen->names[1], "a");
	}

	g_autoptr(SimWorld) w = sim_world_new();
	ck_assert(!sim_scenario_apply(s, w, "mid-fix", &err));
	ck_assert_ptr_nonnull(strstr(err->message, "found 'mid-fix'"));
	drop_tmp(path);
}
END_TEST

START_TEST(test_scenario_apply_base_fixes_in_both_variants)
{
	char *path = write_tmp(
		"[scenario]\ntitle = t\nupstream = u\n"
		"fix = nvme-setup-io-queues-lock\n"
		"base-fixes = nvme-merge-a1-a2; storvsc-subchannel-race;\n"
		"[machine]\nmodules = canary_abba\n" GOOD_SCHEDULE
			  "[expect]\npre-fix = clean\npost-fix = clean\n");
	g_autoptr(SimScenario) s = sim_scenario_load(path, NULL);
	int fix = sim_fix_lookup("nvme-setup-io-queues-lock");
	int merged = sim_fix_lookup("nvme-merge-a1-a2");
	int storvsc = sim_fix_lookup("storvsc-subchannel-race");

	ck_assert_ptr_nonnull(s);
	for (int v = 0; v < 2; v++) {
		g_autoptr(SimWorld) w = sim_world_new();

		ck_assert(sim_scenario_apply(s, w, v ? "post-fix" : "pre-fix",
					     NULL));
		for (int f = 0; f < SIM_FIX__COUNT; f++)
			ck_assert_int_eq(w->fixes[f], f == merged ||
					 f == storvsc || (v && f == fix));
	}
	drop_tmp(path);
}
END_TEST

START_TEST(test_scenario_bad_base_fixes)
{
	expect_text_error("[scenario]\ntitle = t\nupstream = u\nfix = none\n"
			  "base-fixes = nvme-merge-a1-a2;nvme-merge\n"
			  "[machine]\nmodules = canary_abba\n" GOOD_SCHEDULE
			  "[expect]\npre-fix = clean\npost-fix = clean\n", 5,
			  "[scenario] base-fixes: expected fix switches from "
			  "sim/fixes.def separated by ';' (storvsc-subchannel-"
			  "race, ", "found 'nvme-merge'");
	expect_text_error("[scenario]\ntitle = t\nupstream = u\nfix = none\n"
			  "base-fixes = none\n"
			  "[machine]\nmodules = canary_abba\n" GOOD_SCHEDULE
			  "[expect]\npre-fix = clean\npost-fix = clean\n", 5,
			  "[scenario] base-fixes: expected fix switches",
			  "found 'none'");
	expect_text_error("[scenario]\ntitle = t\nupstream = u\n"
			  "fix = nvme-merge-a1-a2\n"
			  "base-fixes = nvme-merge-a1-a2\n"
			  "[machine]\nmodules = canary_abba\n" GOOD_SCHEDULE
			  "[expect]\npre-fix = clean\npost-fix = clean\n", 5,
			  "[scenario] base-fixes: expected switches other than "
			  "the scenario's fix 'nvme-merge-a1-a2'", "");
}
END_TEST

START_TEST(test_scenario_apply_without_fix_runs_alike)
{
	char *good = write_tmp(GOOD_HEAD GOOD_SCHEDULE);
	g_autoptr(SimScenario) s = sim_scenario_load(good, NULL);

	ck_assert_ptr_nonnull(s);
	for (int v = 0; v < 2; v++) {
		g_autoptr(SimWorld) w = sim_world_new();

		ck_assert(sim_scenario_apply(s, w, v ? "post-fix" : "pre-fix",
					     NULL));
		for (int f = 0; f < SIM_FIX__COUNT; f++)
			ck_assert(!w->fixes[f]);
		/* Random scenarios have no orders to respect. */
		ck_assert(!w->respect_order);
		ck_assert_uint_eq(w->orders->len, 0);
	}
	drop_tmp(good);
}
END_TEST

START_TEST(test_scenario_init_loads_the_canary_and_deadlocks)
{
	g_autofree char *root = g_strdup(g_getenv("HVSIM_SOURCE_ROOT"));
	g_autofree char *path = g_build_filename(root, "scenarios",
						 "canary-abba-deadlock.scn",
						 NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(SimScenario) s = sim_scenario_load(path, &err);
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *first = sim_strategy_first();
	SimEnd end;

	ck_assert_msg(s, "%s", err ? err->message : "?");
	ck_assert(sim_scenario_apply(s, w, NULL, NULL));
	end = sim_world_run(w, first, s->seed, 0, sim_scenario_init, s);
	sim_strategy_free(first);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
	ck_assert(sim_expect_matches(&s->expect_pre, w->bug->kind,
				     w->bug->func));
}
END_TEST

static Suite *scenario_suite(void)
{
	Suite *s = suite_create("scenarios");
	TCase *tc = tcase_create("loader");

	tcase_add_test(tc, test_scenario_drivers_declare_the_canary);
	tcase_add_test(tc, test_scenario_malformed_line);
	tcase_add_test(tc, test_scenario_unknown_group);
	tcase_add_test(tc, test_scenario_unknown_key);
	tcase_add_test(tc, test_scenario_missing_required_key);
	tcase_add_test(tc, test_scenario_wrong_value_type);
	tcase_add_test(tc, test_scenario_bad_time_unit);
	tcase_add_test(tc, test_scenario_unknown_point_lists_near_matches);
	tcase_add_test(tc, test_scenario_bad_order_syntax);
	tcase_add_test(tc, test_scenario_unknown_fix);
	tcase_add_test(tc, test_scenario_unknown_module);
	tcase_add_test(tc, test_scenario_unknown_device_type);
	tcase_add_test(tc, test_scenario_missing_file);
	tcase_add_test(tc, test_scenario_missing_group);
	tcase_add_test(tc, test_scenario_duplicate_key_and_group);
	tcase_add_test(tc, test_scenario_key_before_group);
	tcase_add_test(tc, test_scenario_time_overflow);
	tcase_add_test(tc, test_scenario_bad_bool_and_enum);
	tcase_add_test(tc, test_scenario_bad_expectation);
	tcase_add_test(tc, test_scenario_order_needs_scripted);
	tcase_add_test(tc, test_scenario_trailing_comment_hint);
	tcase_add_test(tc, test_scenario_good_minimal_loads_with_defaults);
	tcase_add_test(tc, test_scenario_crlf_comments_and_escapes);
	tcase_add_test(tc, test_scenario_parse_time);
	tcase_add_test(tc, test_scenario_expect_matches);
	tcase_add_test(tc, test_scenario_devices_and_events);
	tcase_add_test(tc, test_scenario_device_and_event_errors);
	tcase_add_test(tc, test_scenario_apply_sets_fixes_orders_limits_models);
	tcase_add_test(tc, test_scenario_apply_base_fixes_in_both_variants);
	tcase_add_test(tc, test_scenario_bad_base_fixes);
	tcase_add_test(tc, test_scenario_apply_without_fix_runs_alike);
	tcase_add_test(tc, test_scenario_init_loads_the_canary_and_deadlocks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scenario_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
