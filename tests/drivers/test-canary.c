// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the canary scenario (race: canary-abba-deadlock), whose
 * ABBA deadlock is never fixed: it must be flagged in both variants, under
 * the scripted schedule (a deadlock) and by random exploration with no
 * script (a deadlock, or lockdep's lock-order warning when the
 * interleaving happened not to deadlock). It also
 * tests, through the canary's one visible global, that the drivers' globals
 * are restored between executions with no code in the driver.
 */
#include <check.h>
#include <dlfcn.h>

#include <glib.h>

#include "sim/scenario.h"
#include "sim/world.h"

/*
 * The canary's counter, in libhvsim-drivers.so (drivers/canary/abba.c).
 * Found by dlsym, never named here as an extern: a direct reference from an
 * executable makes the linker copy the variable into the executable (a copy
 * relocation), out of the drivers' segment the engine restores.
 */
static int *canary_init_count(void)
{
	int *p = dlsym(RTLD_DEFAULT, "canary_init_count");

	ck_assert_msg(p, "canary_init_count not found: %s", dlerror());
	return p;
}

static SimScenario *load_canary(void)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *path = g_build_filename(g_getenv("HVSIM_SOURCE_ROOT"),
		"scenarios", "canary-abba-deadlock.scn", NULL);
	SimScenario *s = sim_scenario_load(path, &err);

	ck_assert_msg(s, "load: %s", err ? err->message : "?");
	return s;
}

START_TEST(test_canary_flagged_in_both_variants)
{
	g_autoptr(SimScenario) scn = load_canary();
	const char *variants[] = { "pre-fix", "post-fix" };
	unsigned v;

	for (v = 0; v < G_N_ELEMENTS(variants); v++) {
		g_autoptr(SimWorld) w = sim_world_new();
		SimStrategy *s = sim_strategy_first();

		ck_assert(sim_scenario_apply(scn, w, variants[v], NULL));
		ck_assert_int_eq(sim_world_run(w, s, 1, 0, sim_scenario_init,
					       scn), SIM_END_BUG);
		ck_assert_int_eq(w->bug->kind, SIM_BUG_DEADLOCK);
		ck_assert(sim_expect_matches(sim_scenario_expect(scn, variants[v]),
					     w->bug->kind, w->bug->func));
		sim_strategy_free(s);
	}
}
END_TEST

START_TEST(test_canary_found_by_random_exploration)
{
	g_autoptr(SimScenario) scn = load_canary();
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_random();
	unsigned i, found = 0, predicted = 0;

	ck_assert(sim_scenario_apply(scn, w, "pre-fix", NULL));
	w->respect_order = false;	/* no script */
	w->trace_on = false;
	for (i = 0; i < 200; i++) {
		SimEnd end = sim_world_run(w, s, 1, i, sim_scenario_init, scn);

		if (end == SIM_END_BUG && w->bug->kind == SIM_BUG_DEADLOCK)
			found++;
		else if (end == SIM_END_BUG && w->bug->kind == SIM_BUG_LOCK_ORDER)
			predicted++;
	}
	/*
	 * Some interleavings deadlock; the others still take both locks in
	 * both orders, which lockdep flags (they used to end clean). Nothing
	 * else happens, and no interleaving escapes.
	 */
	ck_assert_uint_gt(found, 0);
	ck_assert_uint_gt(predicted, 0);
	ck_assert_uint_eq(found + predicted, 200);
	sim_strategy_free(s);
}
END_TEST

START_TEST(test_canary_found_by_pct)
{
	g_autoptr(SimScenario) scn = load_canary();
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_pct(2, 40);
	unsigned i, found = 0;

	ck_assert(sim_scenario_apply(scn, w, "pre-fix", NULL));
	w->respect_order = false;
	w->trace_on = false;
	for (i = 0; i < 200; i++)
		found += sim_world_run(w, s, 1, i, sim_scenario_init, scn) ==
			 SIM_END_BUG && w->bug->kind == SIM_BUG_DEADLOCK;
	/* One preemption (depth 2) at the right step deadlocks it. */
	ck_assert_uint_gt(found, 0);
	sim_strategy_free(s);
}
END_TEST

START_TEST(test_canary_driver_globals_restored_between_executions)
{
	g_autoptr(SimScenario) scn = load_canary();
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	int i;

	ck_assert(sim_scenario_apply(scn, w, "pre-fix", NULL));
	for (i = 0; i < 3; i++) {
		sim_world_run(w, s, 1, i, sim_scenario_init, scn);
		/* Without the restore this would count 1, 2, 3. */
		ck_assert_int_eq(*canary_init_count(), 1);
	}
	sim_strategy_free(s);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("canary");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_canary_flagged_in_both_variants);
	tcase_add_test(tc, test_canary_found_by_random_exploration);
	tcase_add_test(tc, test_canary_found_by_pct);
	tcase_add_test(tc, test_canary_driver_globals_restored_between_executions);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
