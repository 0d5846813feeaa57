// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the trace pictures through the command line: `hvsim run
 * --trace X.svg` and `X.dot` write a drawing of the execution (lanes, the
 * bug in red), the same run twice and a replay of its schedule give the
 * same bytes, an extension hvsim cannot write exits 2 before running,
 * naming the ones it can, and an SVG Graphviz cannot render exits 2 after
 * the run, leaving no file. It sits between the executable (HVSIM_EXE, run
 * by tests/cli/cli-test.h) and sim/trace_dot.c, which draws the pictures.
 *
 * Runs use the canary scenario, whose ABBA deadlock is never fixed.
 */
#include "cli-test.h"

static char *read_file(const char *dir, const char *name)
{
	g_autofree char *p = g_build_filename(dir, name, NULL);
	char *text = NULL;

	ck_assert_msg(g_file_get_contents(p, &text, NULL, NULL),
		      "cannot read %s", p);
	return text;
}

START_TEST(test_trace_export_run_writes_an_svg)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_autofree char *svg = NULL;
	g_auto(Result) r = hvsim(dir, "run", scn, "--trace", "x.svg", NULL);

	ck_assert_int_eq(r.status, 1);	/* the canary deadlocks */
	ck_assert_uint_eq(count_files(dir), 1);	/* no temporary left */
	svg = read_file(dir, "x.svg");
	ck_assert(g_str_has_prefix(svg, "<?xml"));
	assert_contains(svg, "<svg");
	ck_assert(g_str_has_suffix(svg, "</svg>\n"));
	ck_assert(g_utf8_validate(svg, -1, NULL));
	/* A lane per task, the deadlock in red. */
	assert_contains(svg, ">host</text>");
	assert_contains(svg, ">canary_a/2</text>");
	assert_contains(svg, ">canary_b/3</text>");
	assert_contains(svg, "BUG deadlock in canary_thread_a");
	assert_contains(svg, "stroke=\"red\"");
	rmtree(dir);
}
END_TEST

START_TEST(test_trace_export_run_writes_a_dot)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_autofree char *dot = NULL;
	g_auto(Result) r = hvsim(dir, "run", scn, "--trace", "x.dot", NULL);

	ck_assert_int_eq(r.status, 1);
	ck_assert_uint_eq(count_files(dir), 1);
	dot = read_file(dir, "x.dot");
	ck_assert(g_str_has_prefix(dot, "digraph hvsim {\n"));
	ck_assert(g_str_has_suffix(dot, "}\n"));
	assert_contains(dot, "label=\"canary_b/3\"");
	assert_contains(dot, "BUG deadlock in canary_thread_a");
	assert_contains(dot, "color=red");
	/* The ABBA: each waiter points at the holder of its lock. */
	assert_contains(dot, "style=dashed");
	rmtree(dir);
}
END_TEST

START_TEST(test_trace_export_twice_gives_identical_bytes)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	static const char *const names[][2] = {
		{ "a.svg", "b.svg" },
		{ "a.dot", "b.dot" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *a = NULL, *b = NULL;

		for (guint k = 0; k < 2; k++) {
			g_auto(Result) r = hvsim(dir, "run", scn, "--trace",
						 names[i][k], "--quiet", NULL);

			ck_assert_int_eq(r.status, 1);
		}
		a = read_file(dir, names[i][0]);
		b = read_file(dir, names[i][1]);
		ck_assert_str_eq(a, b);
	}
	rmtree(dir);
}
END_TEST

START_TEST(test_trace_export_replay_draws_the_same_picture)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_autofree char *ran = NULL, *replayed = NULL;

	{
		g_auto(Result) r = hvsim(dir, "run", scn, "--trace", "run.svg",
					 "--save-schedule", "s.schedule",
					 "--quiet", NULL);

		ck_assert_int_eq(r.status, 1);
	}
	{
		g_auto(Result) r = hvsim(dir, "replay", "s.schedule", "--trace",
					 "replay.svg", "--quiet", NULL);

		ck_assert_int_eq(r.status, 1);
		assert_contains(r.out, "hvsim: replay reproduced deadlock:");
	}
	ran = read_file(dir, "run.svg");
	replayed = read_file(dir, "replay.svg");
	ck_assert_str_eq(ran, replayed);
	rmtree(dir);
}
END_TEST

START_TEST(test_trace_export_unknown_extension_exits_2_naming_formats)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();

	{
		g_auto(Result) r = hvsim(dir, "run", scn, "--trace", "x.png",
					 NULL);

		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, "--trace x.png");
		assert_contains(r.err, "\".png\"");
		assert_contains(r.err, ".txt, .json, .dot or .svg");
		/* Nothing ran: not even the header line. */
		ck_assert_str_eq(r.out, "");
	}
	{
		g_auto(Result) r = hvsim(dir, "run", scn, "--save-schedule",
					 "s.schedule", "--quiet", NULL);

		ck_assert_int_eq(r.status, 1);
	}
	{
		g_auto(Result) r = hvsim(dir, "replay", "s.schedule", "--trace",
					 "x.gv", NULL);

		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, ".txt, .json, .dot or .svg");
		ck_assert_str_eq(r.out, "");
	}
	ck_assert_uint_eq(count_files(dir), 1);	/* the schedule only */
	rmtree(dir);
}
END_TEST

/*
 * Graphviz without its plugins (GVBINDIR names an empty directory) cannot
 * lay the SVG out: the run reports it, exits 2 like any failed --trace
 * write, and leaves no file. A .dot needs no plugin and is still written.
 */
START_TEST(test_trace_export_svg_render_failure_writes_nothing)
{
	g_autofree char *dir = make_tmpdir();
	g_autofree char *scn = canary();
	g_autofree char *empty = g_build_filename(dir, "no-plugins", NULL);

	ck_assert_int_eq(g_mkdir(empty, 0700), 0);
	g_setenv("GVBINDIR", empty, TRUE);
	{
		g_auto(Result) r = hvsim(dir, "run", scn, "--trace", "x.svg",
					 "--quiet", NULL);

		ck_assert_int_eq(r.status, 2);
		assert_contains(r.err, "hvsim run: --trace: Graphviz cannot "
				"lay out the trace");
		/* It ran: the failure is the picture's, after the run. */
		assert_contains(r.out, "hvsim: bug: deadlock:");
	}
	{
		g_auto(Result) r = hvsim(dir, "run", scn, "--trace", "x.dot",
					 "--quiet", NULL);

		ck_assert_int_eq(r.status, 1);
	}
	g_unsetenv("GVBINDIR");
	{
		g_autofree char *svg = g_build_filename(dir, "x.svg", NULL);

		ck_assert(!g_file_test(svg, G_FILE_TEST_EXISTS));
	}
	ck_assert_uint_eq(count_files(dir), 2);	/* no-plugins/ and x.dot */
	rmtree(dir);
}
END_TEST

START_TEST(test_trace_export_help_names_the_formats)
{
	g_autofree char *dir = make_tmpdir();
	static const char *const cmds[] = { "run", "replay" };

	for (guint i = 0; i < G_N_ELEMENTS(cmds); i++) {
		g_auto(Result) r = hvsim(dir, cmds[i], "--help", NULL);

		ck_assert_int_eq(r.status, 0);
		assert_contains(r.out, "(.txt, .json, .dot or .svg)");
	}
	rmtree(dir);
}
END_TEST

static Suite *trace_export_suite(void)
{
	Suite *s = suite_create("trace-export");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_trace_export_run_writes_an_svg);
	tcase_add_test(tc, test_trace_export_run_writes_a_dot);
	tcase_add_test(tc, test_trace_export_twice_gives_identical_bytes);
	tcase_add_test(tc, test_trace_export_replay_draws_the_same_picture);
	tcase_add_test(tc, test_trace_export_unknown_extension_exits_2_naming_formats);
	tcase_add_test(tc, test_trace_export_svg_render_failure_writes_nothing);
	tcase_add_test(tc, test_trace_export_help_names_the_formats);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_export_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
