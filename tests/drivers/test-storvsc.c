// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests storvsc on the VMBus core and host model end to end,
 * through the scenario scenarios/storvsc-subchannel-race.scn
 * (race: storvsc-subchannel-race): the scripted pre-fix schedule ends in a
 * page fault or use-after-free in a ring-buffer function; the scripted
 * post-fix schedule and 1,000 random schedules of the post-fix variant are
 * clean; the same seed gives the same trace, byte for byte.
 */
#include <check.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "drivers/include/hvsim/driver.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/world.h"

#include "scenario-run.h"

#define STORVSC_SCN	"storvsc-subchannel-race"

START_TEST(test_storvsc_prefix_scripted_faults_in_ring_buffer)
{
	SimStrategy *s = sim_strategy_first();
	Run r;
	SimEnd end;
	g_autofree char *v = NULL;

	g_autoptr(GString) text = g_string_new(NULL);

	run_open(&r, STORVSC_SCN, "pre-fix");
	r.w->want_stacks = true;
	end = run_once(&r, s, r.scn->seed);
	v = verdict(&r, end);
	ck_assert_msg(end == SIM_END_BUG, "pre-fix ended %s", v);
	ck_assert_msg(r.w->bug->kind == SIM_BUG_PAGE_FAULT ||
		      r.w->bug->kind == SIM_BUG_USE_AFTER_FREE,
		      "pre-fix found %s", v);
	ck_assert_msg(r.w->bug->func && strstr(r.w->bug->func, "ringbuffer"),
		      "pre-fix struck in %s, not a ring-buffer function (%s)",
		      r.w->bug->func ? r.w->bug->func : "?", v);
	ck_assert(sim_expect_matches(sim_scenario_expect(r.scn, "pre-fix"),
				     r.w->bug->kind, r.w->bug->func));
	/* The report is the kernel's: its fixed first words, a call trace
	 * symbolised from the driver code, the modules line. */
	sim_report_format(r.w, text);
	ck_assert_msg(g_str_has_prefix(r.w->bug->title,
			"BUG: unable to handle page fault for address: ffffc9") ||
		      g_str_has_prefix(r.w->bug->title,
			"BUG: KASAN: use-after-free in hv_ringbuffer_"),
		      "title: %s", r.w->bug->title);
	ck_assert_msg(strstr(text->str, "\nCall Trace:\n <TASK>\n hv_ringbuffer_"),
		      "no ring-buffer frame on top of the call trace:\n%s",
		      text->str);
	ck_assert_msg(strstr(text->str, " drivers/hv/ring_buffer.c:"),
		      "frames are not symbolised to file:line:\n%s", text->str);
	ck_assert_msg(strstr(text->str, "\nModules linked in: hv_storvsc hv_vmbus\n"),
		      "%s", text->str);
	sim_strategy_free(s);
	run_close(&r);
}
END_TEST

START_TEST(test_storvsc_postfix_scripted_is_clean)
{
	SimStrategy *s = sim_strategy_first();
	Run r;
	SimEnd end;
	g_autofree char *v = NULL;

	run_open(&r, STORVSC_SCN, "post-fix");
	end = run_once(&r, s, r.scn->seed);
	v = verdict(&r, end);
	ck_assert_msg(end == SIM_END_CLEAN, "post-fix ended %s", v);
	sim_strategy_free(s);
	run_close(&r);
}
END_TEST

START_TEST(test_storvsc_postfix_random_1000_seeds_clean)
{
	SimStrategy *s = sim_strategy_random();
	Run r;
	uint64_t seed;

	run_open(&r, STORVSC_SCN, "post-fix");
	r.w->respect_order = false;	/* no script: every interleaving */
	r.w->trace_on = false;
	for (seed = 1; seed <= 1000; seed++) {
		SimEnd end = run_once(&r, s, seed);

		if (end != SIM_END_CLEAN) {
			g_autofree char *v = verdict(&r, end);

			ck_abort_msg("post-fix seed %" G_GUINT64_FORMAT
				     " ended %s", seed, v);
		}
	}
	sim_strategy_free(s);
	run_close(&r);
}
END_TEST

/* Random exploration of the pre-fix variant finds the race with no script. */
START_TEST(test_storvsc_prefix_random_finds_the_race)
{
	SimStrategy *s = sim_strategy_random();
	Run r;
	uint64_t seed;
	int found = 0;

	run_open(&r, STORVSC_SCN, "pre-fix");
	r.w->respect_order = false;
	r.w->trace_on = false;
	for (seed = 1; seed <= 2000 && !found; seed++) {
		SimEnd end = run_once(&r, s, seed);

		if (end == SIM_END_CLEAN)
			continue;
		{
			g_autofree char *v = verdict(&r, end);

			ck_assert_msg(end == SIM_END_BUG, "seed %" G_GUINT64_FORMAT
				      " ended %s", seed, v);
			ck_assert_msg(sim_expect_matches(
					sim_scenario_expect(r.scn, "pre-fix"),
					r.w->bug->kind, r.w->bug->func),
				      "seed %" G_GUINT64_FORMAT ": unexpected %s",
				      seed, v);
		}
		found++;
	}
	ck_assert_msg(found, "no bug in 2000 random pre-fix executions");
	sim_strategy_free(s);
	run_close(&r);
}
END_TEST

START_TEST(test_storvsc_same_seed_same_trace_bytes)
{
	Run r;
	g_autofree char *a = NULL, *b = NULL, *c = NULL;

	run_open(&r, STORVSC_SCN, "pre-fix");
	a = trace_of_run(&r, 42);
	b = trace_of_run(&r, 7);	/* something else in between */
	c = trace_of_run(&r, 42);
	ck_assert_uint_gt(strlen(a), 1000);
	ck_assert_str_eq(a, c);
	ck_assert_str_ne(a, b);
	run_close(&r);
}
END_TEST

/*
 * 400 commands, 200 per channel, each 88 bytes each way: more than the
 * 12 KiB data area of every ring, so the guest's and the host's copy
 * routines wrap around many times. Every command must complete (one
 * storvsc.do_io point each, plus REPORT LUNS) with no protocol violation
 * noted by the host and no scan timeout.
 */
START_TEST(test_storvsc_rings_wrap_around)
{
	g_autofree char *text = NULL;
	g_autofree char *scn_path = scenario_path(STORVSC_SCN);
	g_autofree char *dir = g_dir_make_tmp("hvsim-storvsc-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "wrap.scn", NULL);
	g_auto(GStrv) parts = NULL;
	SimStrategy *s = sim_strategy_first();
	const SimTrace *t;
	int do_io = 0, notes = 0;
	SimTime last = 0;
	Run r;
	SimEnd end;
	size_t i;

	ck_assert(g_file_get_contents(scn_path, &text, NULL, NULL));
	parts = g_strsplit(text, "io-requests = 4\n", 2);
	ck_assert_uint_eq(g_strv_length(parts), 2);
	g_free(text);
	text = g_strjoin("io-requests = 400\n", parts[0], parts[1], NULL);
	ck_assert(g_file_set_contents(path, text, -1, NULL));

	run_open_path(&r, path, "post-fix");
	end = run_once(&r, s, 1);
	ck_assert_int_eq(end, SIM_END_CLEAN);
	t = sim_world_trace(r.w);
	for (i = 0; i < t->len; i++) {
		const SimTraceEvent *e = &t->ev[i];

		if (e->kind == SIM_TR_HOST_NOTE)
			notes++;
		if (e->kind == SIM_TR_POINT &&
		    strcmp(e->name, "storvsc.do_io") == 0) {
			do_io++;
			last = e->time;
		}
	}
	ck_assert_int_eq(notes, 0);
	ck_assert_int_eq(do_io, 401);
	ck_assert_uint_lt(last, SIM_SEC);	/* no 20 s scan timeout */
	sim_strategy_free(s);
	run_close(&r);
	g_unlink(path);
	g_rmdir(dir);
}
END_TEST

static Suite *storvsc_suite(void)
{
	Suite *s = suite_create("storvsc");
	TCase *tc = tcase_create("race");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_storvsc_prefix_scripted_faults_in_ring_buffer);
	tcase_add_test(tc, test_storvsc_postfix_scripted_is_clean);
	tcase_add_test(tc, test_storvsc_postfix_random_1000_seeds_clean);
	tcase_add_test(tc, test_storvsc_prefix_random_finds_the_race);
	tcase_add_test(tc, test_storvsc_same_seed_same_trace_bytes);
	tcase_add_test(tc, test_storvsc_rings_wrap_around);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(storvsc_suite());
	int failed;

	/* A direct call keeps the drivers' shared object linked (the linker
	 * drops a library nothing refers to), so its modules are there. */
	if (hvsim_module_names(NULL, 0) < 2)
		return 1;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
