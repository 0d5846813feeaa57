// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the hvsim command line: the dispatch of list, run,
 * replay and explore (sim/cli_explore.c), each with its own GOptionContext
 * so --help works everywhere, and the helpers they share. It sits between
 * main() (sim/main.c) and the scenario loader, the engine, and the report,
 * trace and schedule writers.
 *
 * Every command checks all of its input (options, scenario, output paths)
 * before it runs anything, so bad input exits 2 with nothing run and
 * nothing written. Outputs (traces, schedules) are written after the run,
 * each through a temporary file renamed into place.
 *
 * The wall clock is read in one place only, sim/cli_explore.c (explore
 * --time); it decides when to stop starting executions, never what any
 * execution does.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "sim/cli.h"
#include "sim/cli_private.h"
#include "sim/report.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/schedule.h"
#include "sim/trace.h"
#include "sim/world.h"

/* Trace events the trailer of a report lists. */
#define TRAILER_STEPS	20

static const char exit_codes[] =
	"Exit status: 0 clean (or every expectation met), 1 a bug was found,\n"
	"2 bad usage or bad input (nothing was run), 3 internal error.";

/* ------------------------------------------------------------ helpers -- */

/* "hvsim CMD: message" on stderr; returns SIM_EXIT_USAGE. */
int sim__cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hvsim %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return SIM_EXIT_USAGE;
}

GOptionContext *sim__cli_new_context(const char *cmd, const char *params,
				     const char *summary,
				     const GOptionEntry *entries)
{
	g_autofree char *prg = g_strdup_printf("hvsim %s", cmd);
	GOptionContext *ctx = g_option_context_new(params);

	/* --help prints "Usage: hvsim CMD ..." */
	g_set_prgname(prg);
	g_option_context_set_summary(ctx, summary);
	g_option_context_set_description(ctx, exit_codes);
	if (entries)
		g_option_context_add_main_entries(ctx, entries, NULL);
	return ctx;
}

/*
 * Parse @args (args[0] is the command name) in place. On a bad option,
 * print it with a pointer to --help and return FALSE.
 */
gboolean sim__cli_parse_options(GOptionContext *ctx, const char *cmd,
				GStrv *args)
{
	g_autoptr(GError) err = NULL;

	if (g_option_context_parse_strv(ctx, args, &err))
		return TRUE;
	sim__cli_usage_error(cmd, "%s (try 'hvsim %s --help')", err->message,
			     cmd);
	return FALSE;
}

gboolean sim__cli_parse_u64(const char *cmd, const char *opt, const char *text,
			    uint64_t min, uint64_t *out)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(text, 10, min, G_MAXUINT64, &v,
					NULL)) {
		sim__cli_usage_error(cmd, "%s: expected an integer >= %" PRIu64
				     ", found '%s'", opt, min, text);
		return FALSE;
	}
	*out = v;
	return TRUE;
}

gboolean sim__cli_check_variant(const char *cmd, const char *v)
{
	if (!v || !strcmp(v, "pre-fix") || !strcmp(v, "post-fix"))
		return TRUE;
	sim__cli_usage_error(cmd, "--variant: expected pre-fix or post-fix, "
			     "found '%s'", v);
	return FALSE;
}

/* An output file must go into an existing directory, and not be one. */
static gboolean check_output(const char *cmd, const char *opt,
			     const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		sim__cli_usage_error(cmd, "%s %s: expected a file in an "
				     "existing directory, found no directory "
				     "'%s'", opt, path, dir);
		return FALSE;
	}
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		sim__cli_usage_error(cmd, "%s %s: expected a file name, found "
				     "a directory", opt, path);
		return FALSE;
	}
	return TRUE;
}

/* The formats sim_trace_write_file() writes, checked before running. */
static gboolean check_trace(const char *cmd, const char *path)
{
	if (!path)
		return TRUE;
	g_autoptr(GError) error = NULL;

	if (!sim_trace_format_supported(path, &error)) {
		sim__cli_usage_error(cmd, "--trace %s", error->message);
		return FALSE;
	}
	return check_output(cmd, "--trace", path);
}

SimScenario *sim__cli_load_scenario(const char *cmd, const char *path)
{
	g_autoptr(GError) err = NULL;
	SimScenario *s = sim_scenario_load(path, &err);

	if (!s)
		sim__cli_usage_error(cmd, "%s", err->message);
	return s;
}

/* @path as a shell word, quoted only when it needs to be. */
char *sim__cli_shell_word(const char *path)
{
	for (const char *p = path; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("/._-+,=:@%", *p))
			return g_shell_quote(path);
	return g_strdup(path);
}

/* Virtual time in seconds, exactly: "0.005000123s". */
static char *format_vtime(SimTime t)
{
	return g_strdup_printf("%" PRIu64 ".%09" PRIu64 "s", t / SIM_SEC,
			       t % SIM_SEC);
}

static const char *strategy_name(SimSchedKind k)
{
	return k == SIM_SCHED_SCRIPTED ? "scripted" : "random";
}

/* A world configured for @variant of @s; NULL after printing the error. */
SimWorld *sim__cli_make_world(const char *cmd, const SimScenario *s,
			      const char *variant, gboolean full)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(SimWorld) w = sim_world_new();

	if (!sim_scenario_apply(s, w, variant, &err)) {
		sim__cli_usage_error(cmd, "%s", err->message);
		return NULL;
	}
	w->trace_on = full;
	w->want_stacks = full;
	return g_steal_pointer(&w);
}

gboolean sim__cli_save_schedule(const char *cmd, const SimWorld *w,
				const SimScenario *s, const char *strategy,
				const char *path)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(SimSchedule) sched = sim_schedule_new();
	const uint32_t *d;
	size_t n;

	sched->scenario = g_strdup(s->path);
	sched->variant = g_strdup(w->variant);
	sched->seed = w->seed;
	sched->strategy = g_strdup(strategy);
	sched->execution = w->execution;
	sched->signature = sim_report_signature(w);
	d = sim_world_schedule(w, &n);
	g_array_append_vals(sched->decisions, d, n);
	if (sim_schedule_save(sched, path, &err))
		return TRUE;
	fprintf(stderr, "hvsim %s: %s\n", cmd, err->message);
	return FALSE;
}

static gboolean write_trace(const char *cmd, const SimWorld *w,
			    const char *path)
{
	g_autoptr(GError) err = NULL;

	if (!path || sim_trace_write_file(w, path, &err))
		return TRUE;
	fprintf(stderr, "hvsim %s: --trace: %s\n", cmd, err->message);
	return FALSE;
}

/* ------------------------------------------------------------ outcome -- */

/*
 * Print how an execution of @s ended (the kernel-style report and its
 * trailer unless @quiet) and whether it meets the scenario's expectation.
 * Returns the exit code of the outcome: 0 clean, 1 a bug or a runaway.
 */
int sim__cli_print_outcome(const SimScenario *s, const SimWorld *w, SimEnd end,
			   const char *replay_cmd, gboolean quiet)
{
	const SimExpect *e = sim_scenario_expect(s, w->variant);
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *sig = sim_report_signature(w);
	g_autofree char *vt = format_vtime(w->now);
	gboolean met = FALSE;
	int rc = SIM_EXIT_BUG;

	if (!quiet && end != SIM_END_CLEAN) {
		sim_report_format(w, out);
		sim_report_trailer(w, out, TRAILER_STEPS, replay_cmd);
	}
	switch (end) {
	case SIM_END_CLEAN:
		g_string_append_printf(out, "hvsim: clean (%" PRIu64 " steps, "
				       "%s virtual time)\n", w->steps, vt);
		met = sim_expect_matches(e, SIM_BUG_NONE, NULL);
		rc = SIM_EXIT_CLEAN;
		break;
	case SIM_END_BUG:
		if (quiet)
			g_string_append_printf(out, "hvsim: bug: %s\n", sig);
		met = sim_expect_matches(e, w->bug->kind, w->bug->func);
		break;
	case SIM_END_STEP_LIMIT:
		g_string_append_printf(out, "hvsim: runaway execution: step "
				       "limit %" PRIu64 " reached\n",
				       w->limits.max_steps);
		break;
	case SIM_END_TIME_LIMIT: {
		g_autofree char *lim = format_vtime(w->limits.max_time);

		g_string_append_printf(out, "hvsim: runaway execution: "
				       "virtual time limit %s reached\n", lim);
		break;
	}
	case SIM_END_UNMET_ORDER:
		g_assert_not_reached();	/* the callers handle it */
	}
	if (met)
		g_string_append_printf(out, "hvsim: expectation met (%s = "
				       "%s)\n", w->variant, e->text);
	else
		g_string_append_printf(out, "hvsim: expectation NOT met: "
				       "expected %s = %s (%s:%d), got %s\n",
				       w->variant, e->text, s->path, e->line,
				       sig);
	fputs(out->str, stdout);
	fflush(stdout);
	return rc;
}

/* --------------------------------------------------------------- list -- */

static gint cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *fix_label(const SimScenario *s)
{
	return s->fix < 0 ? "none" : sim_fix_name((SimFix)s->fix);
}

GPtrArray *sim__cli_scenario_paths(const char *cmd, const char *dir)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &err);
	GPtrArray *paths;
	const char *name;

	if (!d) {
		sim__cli_usage_error(cmd, "%s", err->message);
		return NULL;
	}
	paths = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(d)))
		if (g_str_has_suffix(name, ".scn"))
			g_ptr_array_add(paths,
					g_build_filename(dir, name, NULL));
	g_ptr_array_sort(paths, cmp_str);
	return paths;
}

static const char list_summary[] =
	"List the scenarios in DIR (default: scenarios/): name, fix switch,\n"
	"title and the expected outcome of each variant. A scenario that does\n"
	"not load is listed with its error, and the exit status is 2.";

static int cmd_list(GStrv args)
{
	g_autoptr(GOptionContext) ctx =
		sim__cli_new_context("list", "[DIR]", list_summary, NULL);
	g_autoptr(GPtrArray) paths = NULL;
	g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func(
		(GDestroyNotify)sim_scenario_free);
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	int wname = 0, wfix = 0;
	guint nbad = 0;

	if (!sim__cli_parse_options(ctx, "list", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) > 2)
		return sim__cli_usage_error("list", "expected at most one DIR, "
					    "found '%s'", args[2]);
	paths = sim__cli_scenario_paths("list", args[1] ? args[1] :
							       "scenarios");
	if (!paths)
		return SIM_EXIT_USAGE;

	/* Load them all first, so that the columns line up. */
	for (guint i = 0; i < paths->len; i++) {
		g_autoptr(GError) lerr = NULL;
		SimScenario *s = sim_scenario_load(paths->pdata[i], &lerr);
		g_autofree char *base = g_path_get_basename(paths->pdata[i]);

		g_ptr_array_add(loaded, s);
		g_ptr_array_add(errors, s ? NULL : g_strdup(lerr->message));
		nbad += !s;
		wname = MAX(wname, (int)strlen(base) - 4);
		if (s)
			wfix = MAX(wfix, (int)strlen(fix_label(s)));
	}
	for (guint i = 0; i < paths->len; i++) {
		const SimScenario *s = loaded->pdata[i];
		g_autofree char *base = g_path_get_basename(paths->pdata[i]);

		base[strlen(base) - 4] = '\0';
		if (!s) {
			printf("%-*s  error: %s\n", wname, base,
			       (char *)errors->pdata[i]);
			continue;
		}
		printf("%-*s  fix=%-*s  %s  (pre-fix: %s; post-fix: %s)\n",
		       wname, base, wfix, fix_label(s), s->title,
		       s->expect_pre.text, s->expect_post.text);
	}
	if (!nbad)
		return SIM_EXIT_CLEAN;
	fprintf(stderr, "hvsim list: %u of %u scenarios failed to load\n",
		nbad, paths->len);
	return SIM_EXIT_USAGE;
}

/* ---------------------------------------------------------------- run -- */

static int run_scripted_unmet(const SimScenario *s, const SimWorld *w)
{
	fprintf(stderr, "hvsim run: %s:%d: [schedule] order: expected "
		"constraints an execution can meet, found: %s\n", s->path,
		s->orders_line, w->divergence ? w->divergence : "?");
	return SIM_EXIT_USAGE;
}

static const char run_summary[] =
	"Run one execution of SCENARIO and print the kernel-style report of\n"
	"what it found, then whether that meets the scenario's expectation.";

static int cmd_run(GStrv args)
{
	g_autofree char *variant = NULL, *seed_text = NULL, *trace = NULL;
	g_autofree char *save = NULL;
	gboolean quiet = FALSE;
	const GOptionEntry entries[] = {
		{ "variant", 0, 0, G_OPTION_ARG_STRING, &variant,
		  "pre-fix or post-fix (default: the scenario's)", "V" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
		  "seed of the world's random streams (default: the "
		  "scenario's)", "N" },
		{ "trace", 0, 0, G_OPTION_ARG_FILENAME, &trace,
		  "write the trace of the execution (.txt, .json, .dot or "
		  ".svg)", "FILE" },
		{ "save-schedule", 0, 0, G_OPTION_ARG_FILENAME, &save,
		  "write the schedule, for hvsim replay", "FILE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "print the verdict only, not the report", NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx =
		sim__cli_new_context("run", "SCENARIO", run_summary,
				     entries);
	g_autoptr(SimScenario) s = NULL;
	g_autoptr(SimWorld) w = NULL;
	g_autofree char *path = NULL, *replay = NULL;
	uint64_t seed;
	SimStrategy *strat;
	SimEnd end;
	int rc;

	if (!sim__cli_parse_options(ctx, "run", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) != 2)
		return sim__cli_usage_error("run", "expected one SCENARIO, "
					    "found %u arguments (try 'hvsim "
					    "run --help')",
					    g_strv_length(args) - 1);
	if (!sim__cli_check_variant("run", variant) ||
	    !check_trace("run", trace) ||
	    (save && !check_output("run", "--save-schedule", save)))
		return SIM_EXIT_USAGE;
	s = sim__cli_load_scenario("run", args[1]);
	if (!s)
		return SIM_EXIT_USAGE;
	seed = s->seed;
	if (seed_text && !sim__cli_parse_u64("run", "--seed", seed_text, 0,
					     &seed))
		return SIM_EXIT_USAGE;
	if (!variant)
		variant = g_strdup(s->default_variant);
	w = sim__cli_make_world("run", s, variant, TRUE);
	if (!w)
		return SIM_EXIT_USAGE;

	path = sim__cli_shell_word(s->path);
	replay = g_strdup_printf("hvsim run %s --variant %s --seed %" PRIu64,
				 path, variant, seed);
	printf("hvsim: %s variant=%s seed=%" PRIu64 "\n", s->basename,
	       variant, seed);
	fflush(stdout);
	strat = s->strategy == SIM_SCHED_SCRIPTED ? sim_strategy_first() :
						    sim_strategy_random();
	end = sim_world_run(w, strat, seed, 0, sim_scenario_init, s);
	sim_strategy_free(strat);

	if (end == SIM_END_UNMET_ORDER)
		return run_scripted_unmet(s, w);
	rc = sim__cli_print_outcome(s, w, end, replay, quiet);
	if (!write_trace("run", w, trace) ||
	    (save && !sim__cli_save_schedule("run", w, s,
					     strategy_name(s->strategy), save)))
		return SIM_EXIT_USAGE;
	return rc;
}

/* ------------------------------------------------------------- replay -- */

static const char replay_summary[] =
	"Replay the execution a schedule file recorded, decision for\n"
	"decision, and check that it ends as recorded.";

static int cmd_replay(GStrv args)
{
	g_autofree char *trace = NULL;
	gboolean quiet = FALSE;
	const GOptionEntry entries[] = {
		{ "trace", 0, 0, G_OPTION_ARG_FILENAME, &trace,
		  "write the trace of the execution (.txt, .json, .dot or "
		  ".svg)", "FILE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "print the verdict only, not the report", NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx =
		sim__cli_new_context("replay", "FILE.schedule",
				     replay_summary, entries);
	g_autoptr(GError) err = NULL;
	g_autoptr(SimSchedule) sched = NULL;
	g_autoptr(SimScenario) s = NULL;
	g_autoptr(SimWorld) w = NULL;
	g_autofree char *scn = NULL, *sig = NULL, *file = NULL, *cmd = NULL;
	SimStrategy *strat;
	SimEnd end;
	int rc;

	if (!sim__cli_parse_options(ctx, "replay", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) != 2)
		return sim__cli_usage_error("replay", "expected one "
					    "FILE.schedule, found %u arguments "
					    "(try 'hvsim replay --help')",
					    g_strv_length(args) - 1);
	if (!check_trace("replay", trace))
		return SIM_EXIT_USAGE;
	sched = sim_schedule_load(args[1], &err);
	if (!sched)
		return sim__cli_usage_error("replay", "%s", err->message);
	scn = sim_schedule_scenario_path(sched);
	s = sim__cli_load_scenario("replay", scn);
	if (!s)
		return SIM_EXIT_USAGE;
	w = sim__cli_make_world("replay", s, sched->variant, TRUE);
	if (!w)
		return SIM_EXIT_USAGE;
	/* Held tasks change what is runnable: repeat what the run did. */
	w->respect_order = strcmp(sched->strategy, "scripted") == 0;

	file = sim__cli_shell_word(args[1]);
	cmd = g_strdup_printf("hvsim replay %s", file);
	printf("hvsim: %s variant=%s seed=%" PRIu64 " execution=%" PRIu64
	       " (replay of %s)\n", s->basename, sched->variant, sched->seed,
	       sched->execution, args[1]);
	fflush(stdout);
	strat = sim_strategy_replay((const uint32_t *)sched->decisions->data,
				    sched->decisions->len);
	end = sim_world_run(w, strat, sched->seed, sched->execution,
			    sim_scenario_init, s);
	sim_strategy_free(strat);

	sig = sim_report_signature(w);
	if (end == SIM_END_UNMET_ORDER || w->divergence) {
		fprintf(stderr, "hvsim replay: the schedule does not fit this "
			"scenario any more: %s\n", w->divergence ?
			w->divergence : sig);
		return SIM_EXIT_INTERNAL;
	}
	rc = sim__cli_print_outcome(s, w, end, cmd, quiet);
	if (!write_trace("replay", w, trace))
		return SIM_EXIT_USAGE;
	if (strcmp(sig, sched->signature) != 0) {
		fprintf(stderr, "hvsim replay: diverged: the schedule recorded "
			"%s, the replay ended with %s\n", sched->signature,
			sig);
		return SIM_EXIT_INTERNAL;
	}
	printf("hvsim: replay reproduced %s\n", sig);
	return rc;
}

/* ----------------------------------------------------------- dispatch -- */

static const struct {
	const char *name;
	const char *synopsis;
	int (*fn)(GStrv args);
} commands[] = {
	{ "list", "list [DIR]               the scenarios, their fix switches "
		  "and expectations", cmd_list },
	{ "run", "run SCENARIO             one execution, with its report",
	  cmd_run },
	{ "replay", "replay FILE.schedule     replay a saved schedule",
	  cmd_replay },
	{ "explore", "explore SCENARIO         many random or PCT executions; "
		     "each distinct bug once", sim__cli_explore },
	{ "check", "check [DIR]              every scenario x variant against "
		   "its expectations (KTAP)", sim__cli_check },
	{ "merge", "merge FILE...            combine the results files of "
		   "explore --shard", sim__cli_merge },
	{ "minimize", "minimize FILE.schedule   shrink a failing schedule; "
		      "print its interleaving", sim__cli_minimize },
};

static void print_usage(FILE *f)
{
	fprintf(f, "Usage: hvsim COMMAND [OPTION...] [ARG...]\n\n"
		"Replay and explore Linux driver races in a deterministic "
		"simulator.\n\nCommands:\n");
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fprintf(f, "\nRun 'hvsim COMMAND --help' for the options of a "
		"command.\n\n%s\n", exit_codes);
}

int sim_cli_main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	g_auto(GStrv) args = NULL;

	if (!cmd) {
		print_usage(stderr);
		return SIM_EXIT_USAGE;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		/* "hvsim help run" is "hvsim run --help". */
		if (!strcmp(cmd, "help") && argc > 2) {
			const char *help_argv[] = { argv[0], argv[2], "--help",
						    NULL };
			return sim_cli_main(3, (char **)help_argv);
		}
		print_usage(stdout);
		return SIM_EXIT_CLEAN;
	}
	if (!strcmp(cmd, "--version")) {
		printf("hvsim %s\n", HVSIM_VERSION);
		return SIM_EXIT_CLEAN;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (strcmp(cmd, commands[i].name) != 0)
			continue;
		args = g_strdupv(argv + 1);
		return commands[i].fn(args);
	}
	fprintf(stderr, "hvsim: unknown command '%s'\n\n", cmd);
	print_usage(stderr);
	return SIM_EXIT_USAGE;
}
