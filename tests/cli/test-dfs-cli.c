// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests `hvsim explore --strategy dfs` as a user meets it: it
 * runs the built executable (HVSIM_EXE) in a fresh temporary directory
 * and checks the exit code, the JSON figures, the schedules saved, and
 * that bad options exit 2 with nothing run. It sits between the command
 * line (sim/cli_dfs.c) and the scenarios of scenarios/.
 */
#include <stdlib.h>

#include "cli-test.h"

static char *scenario(const char *name)
{
	g_autofree char *rel = g_build_filename("scenarios", name, NULL);

	return source_path(rel);
}

/* The integer after "\"@key\": " in @json. */
static guint64 json_u64(const char *json, const char *key)
{
	g_autofree char *k = g_strdup_printf("\"%s\": ", key);
	const char *p = strstr(json, k);

	ck_assert_msg(p, "%s not in %s", k, one_line(json));
	return g_ascii_strtoull(p + strlen(k), NULL, 10);
}

START_TEST(test_dfs_cli_json_has_the_keys)
{
	static const char *const keys[] = {
		"{\"executions\": ", "\"distinct_bugs\": 3, ",
		"\"first_bug_execution\": 0, ", "\"executions_per_second\": ",
		"\"elapsed_seconds\": ", "\"pruned\": ", "\"complete\": true",
		"\"bugs\": [",
	};
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = scenario("canary-abba-deadlock.scn");
	g_auto(Result) r = hvsim(dir, "explore", scn, "--strategy", "dfs",
				 "--preemptions", "1", "--json", NULL);

	ck_assert_msg(r.status == 1, "exit %d: %s", r.status,
		      one_line(r.err));
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		assert_contains(r.out, keys[i]);
	assert_contains(r.out, "\"signature\": \"deadlock:canary_thread_");
	ck_assert(g_str_has_suffix(r.out, "]}\n"));
	ck_assert_ptr_eq(strchr(r.out, '\n'), r.out + strlen(r.out) - 1);
	ck_assert_str_eq(r.err, "");
	rmtree(dir);
}
END_TEST

START_TEST(test_dfs_cli_runs_budget_leaves_the_search_incomplete)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = scenario("canary-abba-deadlock.scn");
	g_auto(Result) r = hvsim(dir, "explore", scn, "--strategy=dfs",
				 "--preemptions", "2", "--runs", "3", "--json",
				 NULL);

	ck_assert_msg(r.status == 1, "exit %d: %s", r.status,
		      one_line(r.err));
	ck_assert_uint_eq(json_u64(r.out, "executions"), 3);
	assert_contains(r.out, "\"complete\": false");
	rmtree(dir);
}
END_TEST

START_TEST(test_dfs_cli_storvsc_post_fix_clean_at_bound_2_twice_alike)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = scenario("storvsc-subchannel-race.scn");
	guint64 n[2];

	for (int i = 0; i < 2; i++) {
		g_auto(Result) r = hvsim(dir, "explore", scn, "--variant",
					 "post-fix", "--strategy", "dfs",
					 "--preemptions", "2", "--json", NULL);

		ck_assert_msg(r.status == 0, "exit %d: %s %s", r.status,
			      one_line(r.out), one_line(r.err));
		assert_contains(r.out, "\"distinct_bugs\": 0, ");
		assert_contains(r.out, "\"complete\": true");
		ck_assert_uint_gt(json_u64(r.out, "pruned"), 0);
		n[i] = json_u64(r.out, "executions");
	}
	ck_assert_uint_eq(n[0], n[1]);
	rmtree(dir);
}
END_TEST

START_TEST(test_dfs_cli_pre_fix_race_saved_as_a_dfs_schedule)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = scenario("storvsc-subchannel-race.scn");
	g_autofree char *file = NULL, *text = NULL;
	const char *name = "found/storvsc-subchannel-race.pre-fix."
			   "page-fault-hv_ringbuffer_write.schedule";

	{
		g_auto(Result) r = hvsim(dir, "explore", scn, "--variant",
					 "pre-fix", "--strategy", "dfs",
					 "--preemptions", "1", "--save",
					 "found", NULL);

		ck_assert_msg(r.status == 1, "exit %d: %s", r.status,
			      one_line(r.err));
		assert_contains(r.out, "hvsim: new bug at dfs execution ");
		assert_contains(r.out, "BUG: unable to handle page fault");
		assert_contains(r.out, "search complete");
		assert_contains(r.out, "page-fault:hv_ringbuffer_write: ");
	}
	file = g_build_filename(dir, name, NULL);
	ck_assert_msg(g_file_get_contents(file, &text, NULL, NULL),
		      "no schedule %s", file);
	assert_contains(text, "\nstrategy = dfs\n");
	assert_contains(text, "\nsignature = page-fault:hv_ringbuffer_write\n");
	/* Replay treats a dfs schedule like a random one (no ordering
	 * constraints) and reproduces the report. */
	{
		g_auto(Result) r = hvsim(dir, "replay", name, NULL);

		ck_assert_msg(r.status == 1, "exit %d: %s", r.status,
			      one_line(r.err));
		assert_contains(r.out, "BUG: unable to handle page fault");
		assert_contains(r.out, "page-fault:hv_ringbuffer_write");
		ck_assert_ptr_null(strstr(r.out, "diverged"));
	}
	rmtree(dir);
}
END_TEST

START_TEST(test_dfs_cli_bad_options_exit_2)
{
	static const char *const bad[][4] = {
		{ "--preemptions", "x", NULL, "--preemptions" },
		{ "--preemptions", "4294967295", NULL, "--preemptions" },
		{ "--runs", "0", NULL, "--runs" },
		{ "--jobs", "2", NULL, "--jobs: not with --strategy dfs" },
		{ "--shard", "1/2", NULL, "--shard: not with --strategy dfs" },
		{ "--runs", "5", "--time=1", "--runs and --time" },
	};
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = scenario("canary-abba-deadlock.scn");

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_auto(Result) r = hvsim(dir, "explore", scn, "--strategy",
					 "dfs", bad[i][0], bad[i][1],
					 bad[i][2], NULL);

		ck_assert_msg(r.status == 2, "%s %s: exit %d", bad[i][0],
			      bad[i][1], r.status);
		assert_contains(r.err, bad[i][3]);
		ck_assert_str_eq(r.out, "");
	}
	rmtree(dir);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("dfs-cli");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_dfs_cli_json_has_the_keys);
	tcase_add_test(tc, test_dfs_cli_runs_budget_leaves_the_search_incomplete);
	tcase_add_test(tc, test_dfs_cli_storvsc_post_fix_clean_at_bound_2_twice_alike);
	tcase_add_test(tc, test_dfs_cli_pre_fix_race_saved_as_a_dfs_schedule);
	tcase_add_test(tc, test_dfs_cli_bad_options_exit_2);
	tcase_set_timeout(tc, 240);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
