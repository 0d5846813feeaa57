// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the hvsim command line as a user meets it: it runs the
 * built executable (HVSIM_EXE) in a fresh temporary directory and checks
 * exit codes, what goes to stdout and stderr, and which files appear. Bad
 * input must exit 2 naming FILE:LINE or the option, with nothing run and
 * nothing written; the same run must give the same bytes twice; schedules
 * saved by run and explore must replay.
 *
 * Runs use the canary scenario (scenarios/canary-abba-deadlock.scn), whose
 * ABBA deadlock is never fixed, and one case runs the storvsc race pair.
 */
#include "cli-test.h"

static char *fixture(const char *name)
{
	g_autofree char *rel = g_build_filename("tests/scenarios/fixtures",
						name, NULL);
	return source_path(rel);
}

static char *read_file(const char *dir, const char *name)
{
	g_autofree char *p = g_build_filename(dir, name, NULL);
	char *text = NULL;

	ck_assert_msg(g_file_get_contents(p, &text, NULL, NULL),
		      "cannot read %s", p);
	return text;
}

/* ------------------------------------------------------------ bad input -- */

/*
 * Each bad fixture, run with --trace and --save-schedule: exit 2, the
 * error names FILE:LINE, nothing printed on stdout (nothing ran), and no
 * file written.
 */
static const struct {
	const char *file;
	int line;
	const char *where;
} bad[] = {
	{ "bad-malformed-line.scn", 10, "expected 'key = value'" },
	{ "bad-unknown-group.scn", 7, "[machin]: unknown group" },
	{ "bad-unknown-key.scn", 8, "[machine] cpu: unknown key" },
	{ "bad-missing-key.scn", 2, "[scenario] fix: missing required key" },
	{ "bad-wrong-type.scn", 8, "[machine] cpus: expected an integer" },
	{ "bad-time-unit.scn", 20, "[limits] max-time: expected a time" },
	{ "bad-order-point.scn", 13, "[schedule] order: expected a named" },
	{ "bad-order-syntax.scn", 13, "[schedule] order: expected chains" },
	{ "bad-fix.scn", 5, "[scenario] fix: expected a fix switch" },
	{ "bad-module.scn", 9, "[machine] modules: expected a module" },
	{ "bad-device-type.scn", 20, "[device disk0] type: expected a device" },
};

START_TEST(test_cli_bad_scenario_exits_2_naming_file_and_line)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *path = fixture(bad[_i].file);
	g_autofree char *want = g_strdup_printf("%s:%d: %s", path,
						bad[_i].line, bad[_i].where);
	g_auto(Result) r = hvsim(dir, "run", path, "--trace", "t.json",
				 "--save-schedule", "s.schedule", NULL);

	ck_assert_int_eq(r.status, 2);
	assert_contains(r.err, want);
	ck_assert_str_eq(r.out, "");
	ck_assert_uint_eq(count_files(dir), 0);
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_missing_scenario_exits_2)
{
	g_autofree char *dir = make_tmpdir();
	g_auto(Result) r = hvsim(dir, "run", "no-such.scn", "--trace", "t.txt",
				 NULL);

	ck_assert_int_eq(r.status, 2);
	assert_contains(r.err, "no-such.scn: cannot read");
	ck_assert_uint_eq(count_files(dir), 0);
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_unsupported_trace_rejected_before_running)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_auto(Result) r = hvsim(dir, "run", scn, "--trace", "x.png", NULL);

	ck_assert_int_eq(r.status, 2);
	assert_contains(r.err, "--trace x.png");
	/* The header line is the first thing a run prints: it did not. */
	ck_assert_str_eq(r.out, "");
	ck_assert_uint_eq(count_files(dir), 0);
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_bad_options_exit_2)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	static const char *const cases[][4] = {
		{ "run", "--variant", "mid-fix", "--variant" },
		{ "run", "--seed", "seven", "--seed" },
		{ "run", "--bogus", "x", "bogus" },
		{ "run", "--trace", "nodir/t.txt", "nodir" },
		{ "explore", "--strategy", "bfs", "--strategy" },
		{ "explore", "--depth", "2", "only with --strategy pct" },
		{ "explore", "--runs", "0", "--runs" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_auto(Result) r = hvsim(dir, cases[i][0], scn, cases[i][1],
					 cases[i][2], NULL);

		ck_assert_msg(r.status == 2, "%s %s %s: exit %d: %s",
			      cases[i][0], cases[i][1], cases[i][2], r.status,
			      one_line(r.err));
		assert_contains(r.err, cases[i][3]);
		ck_assert_str_eq(r.out, "");
	}
	{
		g_auto(Result) r = hvsim(dir, "explore", scn, "--runs", "3",
					 "--time", "1", NULL);

		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, "--runs and --time");
	}
	{
		g_auto(Result) r = hvsim(dir, "run", NULL);

		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, "expected one SCENARIO");
	}
	ck_assert_uint_eq(count_files(dir), 0);
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_help_everywhere)
{
	static const char *const cmds[] = { "list", "run", "replay",
					    "explore" };
	g_autofree char *dir = make_tmpdir();

	for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
		g_autofree char *want = g_strdup_printf("hvsim %s", cmds[i]);
		g_auto(Result) r = hvsim(dir, cmds[i], "--help", NULL);

		ck_assert_int_eq(r.status, 0);
		assert_contains(r.out, "Usage:");
		assert_contains(r.out, want);
		assert_contains(r.out, "Exit status");
	}
	{
		g_auto(Result) r = hvsim(dir, "--help", NULL);

		ck_assert_int_eq(r.status, 0);
		assert_contains(r.out, "explore SCENARIO");
	}
	{
		/* No argument at all (the first NULL ends the list). */
		g_auto(Result) r = hvsim(dir, NULL, NULL);

		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, "Usage:");
	}
	{
		g_auto(Result) r = hvsim(dir, "frobnicate", NULL);

		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, "unknown command 'frobnicate'");
	}
	rmtree(dir);
}
END_TEST

/* ------------------------------------------------------------------ run -- */

START_TEST(test_cli_run_canary_reports_the_deadlock)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_auto(Result) r = hvsim(dir, "run", scn, NULL);

	ck_assert_int_eq(r.status, 1);
	ck_assert(g_str_has_prefix(r.out, "hvsim: canary-abba-deadlock "
				   "variant=pre-fix seed=1\n"));
	assert_contains(r.out, "hvsim: signature: deadlock:");
	assert_contains(r.out, "hvsim: replay: hvsim run ");
	assert_contains(r.out, "hvsim: expectation met (pre-fix = deadlock "
			"in * | lock-order in canary_thread_*)");
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_run_storvsc_pre_fix_faults_post_fix_clean)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = source_path(
		"scenarios/storvsc-subchannel-race.scn");

	{
		g_auto(Result) r = hvsim(dir, "run", scn, "--variant",
					 "pre-fix", NULL);

		ck_assert_int_eq(r.status, 1);
		assert_contains(r.out, "hvsim: signature: page-fault:"
				"hv_ringbuffer_write\n");
		assert_contains(r.out, "hvsim: expectation met (pre-fix = ");
	}
	{
		g_auto(Result) r = hvsim(dir, "run", scn, "--variant",
					 "post-fix", NULL);

		ck_assert_int_eq(r.status, 0);
		assert_contains(r.out, "hvsim: clean (");
		assert_contains(r.out, "hvsim: expectation met (post-fix = "
				"clean)\n");
	}
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_run_trace_twice_gives_identical_bytes)
{
	static const char *const names[] = { "a.json", "a.txt" };
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *first = NULL, *second = NULL;
		g_autofree char *out1 = NULL;

		{
			g_auto(Result) r = hvsim(dir, "run", scn, "--trace",
						 names[i], NULL);
			ck_assert_int_eq(r.status, 1);
			out1 = g_strdup(r.out);
		}
		first = read_file(dir, names[i]);
		{
			g_auto(Result) r = hvsim(dir, "run", scn, "--trace",
						 names[i], NULL);
			ck_assert_int_eq(r.status, 1);
			ck_assert_str_eq(r.out, out1);
		}
		second = read_file(dir, names[i]);
		ck_assert_uint_gt(strlen(first), 0);
		ck_assert_str_eq(first, second);
	}
	/* Only the two traces: no temporary file left behind. */
	ck_assert_uint_eq(count_files(dir), 2);
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_run_quiet_prints_the_verdict_only)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_auto(Result) r = hvsim(dir, "run", scn, "--quiet", "--variant",
				 "post-fix", "--seed", "3", NULL);
	g_auto(GStrv) lines = g_strsplit(r.out, "\n", -1);

	ck_assert_int_eq(r.status, 1);
	ck_assert_uint_eq(g_strv_length(lines), 4);	/* 3 and "" */
	ck_assert_str_eq(lines[0], "hvsim: canary-abba-deadlock "
			 "variant=post-fix seed=3");
	ck_assert(g_str_has_prefix(lines[1], "hvsim: bug: deadlock:"));
	ck_assert(g_str_has_prefix(lines[2], "hvsim: expectation met"));
	rmtree(dir);
}
END_TEST

/*
 * The canary with @extra appended to its text (a group) or its order line
 * replaced by @order, written into @dir as "c.scn".
 */
static void write_canary_variant(const char *dir, const char *order,
				 const char *extra)
{
	g_autofree char *scn = canary();
	g_autofree char *text = NULL, *path = NULL, *out = NULL;
	g_autoptr(GString) s = NULL;

	ck_assert(g_file_get_contents(scn, &text, NULL, NULL));
	s = g_string_new(text);
	if (order) {
		const char *at = strstr(s->str, "\norder = ");
		const char *end;

		ck_assert_ptr_nonnull(at);
		end = strchr(at + 1, '\n');
		g_string_erase(s, at + 1 - s->str, end - at - 1);
		g_string_insert(s, at + 1 - s->str, order);
	}
	if (extra)
		g_string_append(s, extra);
	path = g_build_filename(dir, "c.scn", NULL);
	ck_assert(g_file_set_contents(path, s->str, -1, NULL));
}

START_TEST(test_cli_runaway_execution_is_a_hang)
{
	g_autofree char *dir = make_tmpdir();

	write_canary_variant(dir, NULL, "\n[limits]\nmax-steps = 5\n");
	{
		g_auto(Result) r = hvsim(dir, "run", "c.scn", "--trace",
					 "t.txt", NULL);

		ck_assert_int_eq(r.status, 1);
		assert_contains(r.out, "hvsim: runaway execution: step limit 5 "
				"reached\n");
		assert_contains(r.out, "hvsim: expectation NOT met: expected "
				"pre-fix = deadlock in * | lock-order in "
				"canary_thread_* (c.scn:");
	}
	/* The trace of a runaway is written too. */
	g_free(read_file(dir, "t.txt"));
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_unmet_order_names_the_order_line)
{
	g_autofree char *dir = make_tmpdir();

	/* Thread A passes a_locked before a_wants_b: this cannot be met. */
	write_canary_variant(dir, "order = canary.a_wants_b < canary.a_locked",
			     NULL);
	{
		g_auto(Result) r = hvsim(dir, "run", "c.scn", "--trace",
					 "t.txt", NULL);

		g_autofree char *text = read_file(dir, "c.scn");
		const char *at = strstr(text, "\norder = ");
		int line = 2;
		g_autofree char *want = NULL;

		for (const char *p = text; p < at; p++)
			line += *p == '\n';
		want = g_strdup_printf("c.scn:%d: [schedule] order: ", line);
		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, want);
		assert_contains(r.err, "canary.a_wants_b < canary.a_locked");
	}
	/* Bad input: no trace. */
	ck_assert_uint_eq(count_files(dir), 1);
	rmtree(dir);
}
END_TEST

/* --------------------------------------------------------------- replay -- */

START_TEST(test_cli_saved_schedule_replays)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_autofree char *sched = NULL, *tampered = NULL;

	{
		g_auto(Result) r = hvsim(dir, "run", scn, "--save-schedule",
					 "s.schedule", NULL);
		ck_assert_int_eq(r.status, 1);
	}
	sched = read_file(dir, "s.schedule");
	ck_assert(g_str_has_prefix(sched, "# hvsim schedule v1\n"));
	assert_contains(sched, "\nstrategy = scripted\n");
	assert_contains(sched, "\nsignature = deadlock:");
	{
		g_auto(Result) r = hvsim(dir, "replay", "s.schedule", "--trace",
					 "r.txt", NULL);
		ck_assert_int_eq(r.status, 1);
		assert_contains(r.out, "hvsim: replay reproduced deadlock:");
	}
	g_free(read_file(dir, "r.txt"));

	/* A schedule whose recorded outcome differs: exit 3. */
	{
		g_auto(GStrv) parts = g_strsplit(sched, "signature = ", 2);
		g_autofree char *p = g_build_filename(dir, "t.schedule", NULL);

		tampered = g_strconcat(parts[0], "signature = clean\n"
				       "# was: ", parts[1], NULL);
		ck_assert(g_file_set_contents(p, tampered, -1, NULL));
	}
	{
		g_auto(Result) r = hvsim(dir, "replay", "t.schedule", NULL);
		ck_assert_int_eq(r.status, 3);
		assert_contains(r.err, "recorded clean");
	}
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_bad_schedule_exits_2_with_line)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_autofree char *p = g_build_filename(dir, "b.schedule", NULL);
	g_autofree char *text = g_strdup_printf(
		"# hvsim schedule v1\nscenario = %s\nvariant = pre-fix\n"
		"seed = 1\nstrategy = random\nexecution = 0\n"
		"signature = clean\ndecisions = 1 2 zero\n", scn);

	ck_assert(g_file_set_contents(p, text, -1, NULL));
	{
		g_auto(Result) r = hvsim(dir, "replay", "b.schedule", NULL);
		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, "b.schedule:8: decisions: expected task "
				"ids");
		assert_contains(r.err, "found '1 2 zero'");
		ck_assert_str_eq(r.out, "");
	}
	ck_assert(g_file_set_contents(p, "# hvsim schedule v9\n", -1, NULL));
	{
		g_auto(Result) r = hvsim(dir, "replay", "b.schedule", NULL);
		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, "b.schedule:1: expected '# hvsim "
				"schedule v1'");
	}
	rmtree(dir);
}
END_TEST

/* -------------------------------------------------------------- explore -- */

START_TEST(test_cli_explore_json_has_the_keys)
{
	static const char *const keys[] = {
		"{\"executions\": 30, ", "\"distinct_bugs\": ",
		"\"first_bug_execution\": ", "\"executions_per_second\": ",
		"\"elapsed_seconds\": ", "\"pruned\": 0", "\"bugs\": [",
	};
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_auto(Result) r = hvsim(dir, "explore", scn, "--strategy", "random",
				 "--runs", "30", "--json", NULL);

	ck_assert_msg(r.status == 0 || r.status == 1, "exit %d: %s",
		      r.status, one_line(r.err));
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		assert_contains(r.out, keys[i]);
	ck_assert(g_str_has_suffix(r.out, "]}\n"));
	/* JSON only: one line. */
	ck_assert_ptr_eq(strchr(r.out, '\n'), r.out + strlen(r.out) - 1);
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_explore_pct_finds_the_canary_and_saves_a_replay)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_autofree char *found = NULL;
	g_autoptr(GDir) d = NULL;
	const char *name;

	{
		g_auto(Result) r = hvsim(dir, "explore", scn, "--strategy",
					 "pct", "--depth", "2", "--runs", "200",
					 "--save", "found", "--json", NULL);

		ck_assert_msg(r.status == 1, "exit %d: %s", r.status,
			      one_line(r.err));
		assert_contains(r.out, "\"signature\": \"deadlock:");
	}
	{
		/* Depth out of range: bad usage, nothing run. */
		g_auto(Result) r = hvsim(dir, "explore", scn, "--strategy",
					 "pct", "--depth", "17", NULL);

		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, "--depth");
	}
	found = g_build_filename(dir, "found", NULL);
	d = g_dir_open(found, 0, NULL);
	ck_assert_ptr_nonnull(d);
	while ((name = g_dir_read_name(d))) {
		g_autofree char *rel = g_build_filename("found", name, NULL);
		g_autofree char *text = NULL;
		g_autofree char *path = g_build_filename(dir, rel, NULL);
		g_auto(Result) r = hvsim(dir, "replay", rel, NULL);

		ck_assert(g_file_get_contents(path, &text, NULL, NULL));
		assert_contains(text, "\nstrategy = pct\n");
		ck_assert_msg(r.status == 1, "replay %s: exit %d: %s", name,
			      r.status, one_line(r.err));
		assert_contains(r.out, "deadlock");
	}
	rmtree(dir);
}
END_TEST

/* A scenario directory with the canary, its expectation as given. */
static char *check_dir_with_canary(const char *dir, const char *post_fix)
{
	g_autofree char *scn = canary(), *text = NULL, *fixed = NULL;
	char *sub = g_build_filename(dir, "scn", NULL);
	g_autofree char *path = g_build_filename(sub, "canary.scn", NULL);
	g_autoptr(GRegex) re = g_regex_new("^post-fix = .*$",
					   G_REGEX_MULTILINE, 0, NULL);

	ck_assert(g_file_get_contents(scn, &text, NULL, NULL));
	fixed = g_regex_replace_literal(re, text, -1, 0, post_fix, 0, NULL);
	ck_assert_int_eq(g_mkdir_with_parents(sub, 0777), 0);
	ck_assert(g_file_set_contents(path, fixed, -1, NULL));
	return sub;
}

START_TEST(test_cli_check_passes_and_writes_ktap_and_junit)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *sub = check_dir_with_canary(dir,
		"post-fix = deadlock in * | lock-order in canary_thread_*");
	g_autofree char *xml = NULL, *xml_path = NULL;
	g_auto(Result) r = hvsim(dir, "check", "scn", "--junit", "out.xml",
				 NULL);

	ck_assert_msg(r.status == 0, "exit %d: %s", r.status, one_line(r.err));
	ck_assert(g_str_has_prefix(r.out, "KTAP version 1\n1..1\n"));
	assert_contains(r.out, "    # Subtest: canary\n    1..2\n");
	assert_contains(r.out, "    ok 1 pre-fix\n");
	assert_contains(r.out, "    ok 2 post-fix\n");
	assert_contains(r.out, "\nok 1 canary\n");
	assert_contains(r.out, "# determinism: replayed twice");
	assert_contains(r.out, "# exploration: 200 PCT executions");
	xml_path = g_build_filename(dir, "out.xml", NULL);
	ck_assert(g_file_get_contents(xml_path, &xml, NULL, NULL));
	assert_contains(xml, "<testsuites name=\"hvsim check\" tests=\"2\" "
			"failures=\"0\">");
	assert_contains(xml, "<testcase classname=\"canary\" name=\"post-fix\">");
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_check_fails_an_unmet_expectation)
{
	g_autofree char *dir = make_tmpdir();
	/* The canary is never fixed: "post-fix = clean" must fail. */
	g_autofree char *sub = check_dir_with_canary(dir, "post-fix = clean");
	g_autofree char *xml = NULL, *xml_path = NULL;
	g_auto(Result) r = hvsim(dir, "check", "scn", "--junit", "out.xml",
				 NULL);

	ck_assert_msg(r.status == 1, "exit %d: %s", r.status, one_line(r.out));
	assert_contains(r.out, "    ok 1 pre-fix\n");
	assert_contains(r.out, "    # scripted run: expected clean, found "
			"deadlock:");
	assert_contains(r.out, "    not ok 2 post-fix\n");
	assert_contains(r.out, "\nnot ok 1 canary\n");
	xml_path = g_build_filename(dir, "out.xml", NULL);
	ck_assert(g_file_get_contents(xml_path, &xml, NULL, NULL));
	assert_contains(xml, "failures=\"1\"");
	assert_contains(xml, "<failure message=\"expectation not met\">");
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_check_bad_input_exits_2_before_running)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *fixtures = source_path("tests/scenarios/fixtures");

	{
		g_auto(Result) r = hvsim(dir, "check", fixtures, NULL);

		ck_assert_int_eq(r.status, 2);
		ck_assert_str_eq(r.out, "");
		assert_contains(r.err, ".scn:");
	}
	{
		g_auto(Result) r = hvsim(dir, "check", "no-such-dir", NULL);

		ck_assert_int_eq(r.status, 2);
	}
	{
		g_auto(Result) r = hvsim(dir, "check", "--junit",
					 "nodir/out.xml", NULL);

		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, "--junit");
	}
	ck_assert_uint_eq(count_files(dir), 0);
	rmtree(dir);
}
END_TEST

START_TEST(test_cli_explore_saves_schedules_that_replay)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_autofree char *save = g_build_filename(dir, "found", NULL);
	g_autoptr(GDir) d = NULL;
	const char *name;
	guint n = 0;
	int status;

	{
		g_auto(Result) r = hvsim(dir, "explore", scn, "--runs", "200",
					 "--save", "found", NULL);
		status = r.status;
		ck_assert_msg(status == 1, "the canary's deadlock was not "
			      "found in 200 random executions: %s",
			      one_line(r.out));
		assert_contains(r.out, "hvsim: new bug at execution ");
		assert_contains(r.out, "distinct bug");
	}
	d = g_dir_open(save, 0, NULL);
	ck_assert_ptr_nonnull(d);
	while ((name = g_dir_read_name(d))) {
		g_autofree char *rel = g_build_filename("found", name, NULL);
		g_auto(Result) r = hvsim(dir, "replay", rel, NULL);

		ck_assert(g_str_has_suffix(name, ".schedule"));
		ck_assert_msg(r.status == 1, "replay %s: exit %d: %s", name,
			      r.status, one_line(r.err));
		assert_contains(r.out, "hvsim: replay reproduced ");
		n++;
	}
	ck_assert_uint_ge(n, 1);
	rmtree(dir);
}
END_TEST

/* ----------------------------------------------------------------- list -- */

START_TEST(test_cli_list_shows_scenarios_and_errors)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *fixtures = source_path("tests/scenarios/fixtures");
	g_autofree char *scn = canary();
	g_autofree char *text = NULL;
	g_autofree char *copy = g_build_filename(dir,
						 "canary-abba-deadlock.scn",
						 NULL);

	{
		g_auto(Result) r = hvsim(dir, "list", fixtures, NULL);
		g_autofree char *bad_fix = g_strdup_printf(
			"  error: %s/bad-fix.scn:5: [scenario] fix:", fixtures);

		ck_assert_int_eq(r.status, 2);
		/* Name order; names padded to one column. */
		assert_contains(r.out, "\ngood-minimal ");
		assert_contains(r.out, "  fix=storvsc-subchannel-race  "
				"fixture: minimal good scenario  (pre-fix: "
				"deadlock in * | hung-task in mutex_lock; "
				"post-fix: clean)\n");
		ck_assert(g_str_has_prefix(r.out, "bad-device-type "));
		assert_contains(r.out, "\nbad-fix ");
		assert_contains(r.out, bad_fix);
		assert_contains(r.out, "bad-wrong-type.scn:8: [machine] cpus");
		assert_contains(r.err, "11 of 12 scenarios failed to load");
	}
	ck_assert(g_file_get_contents(scn, &text, NULL, NULL));
	ck_assert(g_file_set_contents(copy, text, -1, NULL));
	{
		g_auto(Result) r = hvsim(dir, "list", ".", NULL);

		ck_assert_int_eq(r.status, 0);
		ck_assert(g_str_has_prefix(r.out, "canary-abba-deadlock  "
					   "fix=none  canary: ABBA deadlock"));
	}
	{
		g_auto(Result) r = hvsim(dir, "list", "nowhere", NULL);

		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, "nowhere");
	}
	rmtree(dir);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");

	/* Each case spawns hvsim; explore runs a few hundred executions. */
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc,
			    test_cli_bad_scenario_exits_2_naming_file_and_line,
			    0, G_N_ELEMENTS(bad));
	tcase_add_test(tc, test_cli_missing_scenario_exits_2);
	tcase_add_test(tc, test_cli_unsupported_trace_rejected_before_running);
	tcase_add_test(tc, test_cli_bad_options_exit_2);
	tcase_add_test(tc, test_cli_help_everywhere);
	tcase_add_test(tc, test_cli_run_canary_reports_the_deadlock);
	tcase_add_test(tc, test_cli_run_storvsc_pre_fix_faults_post_fix_clean);
	tcase_add_test(tc, test_cli_run_trace_twice_gives_identical_bytes);
	tcase_add_test(tc, test_cli_run_quiet_prints_the_verdict_only);
	tcase_add_test(tc, test_cli_runaway_execution_is_a_hang);
	tcase_add_test(tc, test_cli_unmet_order_names_the_order_line);
	tcase_add_test(tc, test_cli_saved_schedule_replays);
	tcase_add_test(tc, test_cli_bad_schedule_exits_2_with_line);
	tcase_add_test(tc, test_cli_explore_json_has_the_keys);
	tcase_add_test(tc, test_cli_explore_saves_schedules_that_replay);
	tcase_add_test(tc, test_cli_explore_pct_finds_the_canary_and_saves_a_replay);
	tcase_add_test(tc, test_cli_check_passes_and_writes_ktap_and_junit);
	tcase_add_test(tc, test_cli_check_fails_an_unmet_expectation);
	tcase_add_test(tc, test_cli_check_bad_input_exits_2_before_running);
	tcase_add_test(tc, test_cli_list_shows_scenarios_and_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cli_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
