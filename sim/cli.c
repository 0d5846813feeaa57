// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the hvsim command line: list, run, replay and
 * explore, each with its own GOptionContext (so --help works everywhere).
 * It sits between main() (sim/main.c) and the scenario loader, the engine,
 * and the report, trace and schedule writers.
 *
 * Every command checks all of its input (options, scenario, output paths)
 * before it runs anything, so bad input exits 2 with nothing run and
 * nothing written. Outputs (traces, schedules) are written after the run,
 * each through a temporary file renamed into place.
 *
 * The wall clock is read in one place only: `explore` measures elapsed time
 * for --time and for its rate figures. It decides when to stop starting
 * executions, never what any execution does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "sim/cli.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/schedule.h"
#include "sim/trace.h"
#include "sim/world.h"

/* Trace events the trailer of a report lists. */
#define TRAILER_STEPS	20
/* Executions `explore` runs when neither --runs nor --time is given. */
#define DEFAULT_RUNS	1000

static const char exit_codes[] =
	"Exit status: 0 clean (or every expectation met), 1 a bug was found,\n"
	"2 bad usage or bad input (nothing was run), 3 internal error.";

/* ------------------------------------------------------------ helpers -- */

/* "hvsim CMD: message" on stderr; returns SIM_EXIT_USAGE. */
static int G_GNUC_PRINTF(2, 3) usage_error(const char *cmd, const char *fmt,
					   ...)
{
	va_list ap;

	fprintf(stderr, "hvsim %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return SIM_EXIT_USAGE;
}

static GOptionContext *new_context(const char *cmd, const char *params,
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
static gboolean parse_options(GOptionContext *ctx, const char *cmd,
			      GStrv *args)
{
	g_autoptr(GError) err = NULL;

	if (g_option_context_parse_strv(ctx, args, &err))
		return TRUE;
	usage_error(cmd, "%s (try 'hvsim %s --help')", err->message, cmd);
	return FALSE;
}

static gboolean parse_u64(const char *cmd, const char *opt, const char *text,
			  uint64_t min, uint64_t *out)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(text, 10, min, G_MAXUINT64, &v,
					NULL)) {
		usage_error(cmd, "%s: expected an integer >= %" PRIu64
			    ", found '%s'", opt, min, text);
		return FALSE;
	}
	*out = v;
	return TRUE;
}

static gboolean check_variant(const char *cmd, const char *v)
{
	if (!v || !strcmp(v, "pre-fix") || !strcmp(v, "post-fix"))
		return TRUE;
	usage_error(cmd, "--variant: expected pre-fix or post-fix, found '%s'",
		    v);
	return FALSE;
}

/* An output file must go into an existing directory, and not be one. */
static gboolean check_output(const char *cmd, const char *opt,
			     const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		usage_error(cmd, "%s %s: expected a file in an existing "
			    "directory, found no directory '%s'", opt, path,
			    dir);
		return FALSE;
	}
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		usage_error(cmd, "%s %s: expected a file name, found a "
			    "directory", opt, path);
		return FALSE;
	}
	return TRUE;
}

/* The formats sim_trace_write_file() writes, checked before running. */
static gboolean check_trace(const char *cmd, const char *path)
{
	if (!path)
		return TRUE;
	if (!g_str_has_suffix(path, ".txt") &&
	    !g_str_has_suffix(path, ".json")) {
		const char *dot = strrchr(path, '.');

		usage_error(cmd, "--trace %s: expected a file name ending in "
			    ".txt or .json, found %s%s%s", path,
			    dot ? "'" : "no extension", dot ? dot : "",
			    dot ? "' (not supported)" : "");
		return FALSE;
	}
	return check_output(cmd, "--trace", path);
}

static SimScenario *load_scenario(const char *cmd, const char *path)
{
	g_autoptr(GError) err = NULL;
	SimScenario *s = sim_scenario_load(path, &err);

	if (!s)
		usage_error(cmd, "%s", err->message);
	return s;
}

/* @path as a shell word, quoted only when it needs to be. */
static char *shell_word(const char *path)
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
static SimWorld *make_world(const char *cmd, const SimScenario *s,
			    const char *variant, gboolean full)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(SimWorld) w = sim_world_new();

	if (!sim_scenario_apply(s, w, variant, &err)) {
		usage_error(cmd, "%s", err->message);
		return NULL;
	}
	w->trace_on = full;
	w->want_stacks = full;
	return g_steal_pointer(&w);
}

static gboolean save_schedule(const char *cmd, const SimWorld *w,
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
static int print_outcome(const SimScenario *s, const SimWorld *w, SimEnd end,
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

static int cmd_list(GStrv args)
{
	g_autoptr(GOptionContext) ctx = new_context("list", "[DIR]",
		"List the scenarios in DIR (default: scenarios/): name, fix "
		"switch, title\nand the expected outcome of each variant. A "
		"scenario that does not load is\nlisted with its error, and "
		"the exit status is 2.", NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func(
		(GDestroyNotify)sim_scenario_free);
	g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDir) d = NULL;
	const char *dir, *name;
	int wname = 0, wfix = 0;
	guint nbad = 0;

	if (!parse_options(ctx, "list", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) > 2)
		return usage_error("list", "expected at most one DIR, found "
				   "'%s'", args[2]);
	dir = args[1] ? args[1] : "scenarios";
	d = g_dir_open(dir, 0, &err);
	if (!d)
		return usage_error("list", "%s", err->message);
	while ((name = g_dir_read_name(d)))
		if (g_str_has_suffix(name, ".scn"))
			g_ptr_array_add(paths,
					g_build_filename(dir, name, NULL));
	g_ptr_array_sort(paths, cmp_str);

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
		  "write the trace of the execution (.txt or .json)", "FILE" },
		{ "save-schedule", 0, 0, G_OPTION_ARG_FILENAME, &save,
		  "write the schedule, for hvsim replay", "FILE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "print the verdict only, not the report", NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = new_context("run", "SCENARIO",
		"Run one execution of SCENARIO and print the kernel-style "
		"report of what it\nfound, then whether that meets the "
		"scenario's expectation.", entries);
	g_autoptr(SimScenario) s = NULL;
	g_autoptr(SimWorld) w = NULL;
	g_autofree char *path = NULL, *replay = NULL;
	uint64_t seed;
	SimStrategy *strat;
	SimEnd end;
	int rc;

	if (!parse_options(ctx, "run", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) != 2)
		return usage_error("run", "expected one SCENARIO, found %u "
				   "arguments (try 'hvsim run --help')",
				   g_strv_length(args) - 1);
	if (!check_variant("run", variant) || !check_trace("run", trace) ||
	    (save && !check_output("run", "--save-schedule", save)))
		return SIM_EXIT_USAGE;
	s = load_scenario("run", args[1]);
	if (!s)
		return SIM_EXIT_USAGE;
	seed = s->seed;
	if (seed_text && !parse_u64("run", "--seed", seed_text, 0, &seed))
		return SIM_EXIT_USAGE;
	if (!variant)
		variant = g_strdup(s->default_variant);
	w = make_world("run", s, variant, TRUE);
	if (!w)
		return SIM_EXIT_USAGE;

	path = shell_word(s->path);
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
	rc = print_outcome(s, w, end, replay, quiet);
	if (!write_trace("run", w, trace) ||
	    (save && !save_schedule("run", w, s, strategy_name(s->strategy),
				    save)))
		return SIM_EXIT_USAGE;
	return rc;
}

/* ------------------------------------------------------------- replay -- */

static int cmd_replay(GStrv args)
{
	g_autofree char *trace = NULL;
	gboolean quiet = FALSE;
	const GOptionEntry entries[] = {
		{ "trace", 0, 0, G_OPTION_ARG_FILENAME, &trace,
		  "write the trace of the execution (.txt or .json)", "FILE" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "print the verdict only, not the report", NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = new_context("replay", "FILE.schedule",
		"Replay the execution a schedule file recorded, decision for "
		"decision, and\ncheck that it ends as recorded.", entries);
	g_autoptr(GError) err = NULL;
	g_autoptr(SimSchedule) sched = NULL;
	g_autoptr(SimScenario) s = NULL;
	g_autoptr(SimWorld) w = NULL;
	g_autofree char *scn = NULL, *sig = NULL, *file = NULL, *cmd = NULL;
	SimStrategy *strat;
	SimEnd end;
	int rc;

	if (!parse_options(ctx, "replay", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) != 2)
		return usage_error("replay", "expected one FILE.schedule, "
				   "found %u arguments (try 'hvsim replay "
				   "--help')", g_strv_length(args) - 1);
	if (!check_trace("replay", trace))
		return SIM_EXIT_USAGE;
	sched = sim_schedule_load(args[1], &err);
	if (!sched)
		return usage_error("replay", "%s", err->message);
	scn = sim_schedule_scenario_path(sched);
	s = load_scenario("replay", scn);
	if (!s)
		return SIM_EXIT_USAGE;
	w = make_world("replay", s, sched->variant, TRUE);
	if (!w)
		return SIM_EXIT_USAGE;
	/* Held tasks change what is runnable: repeat what the run did. */
	w->respect_order = strcmp(sched->strategy, "scripted") == 0;

	file = shell_word(args[1]);
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
	rc = print_outcome(s, w, end, cmd, quiet);
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

/* ------------------------------------------------------------ explore -- */

/* One distinct outcome other than clean, by signature. */
typedef struct {
	char *sig;
	uint64_t count;
	uint64_t first;		/* execution index */
	char *schedule;		/* file saved, or NULL */
	gboolean expected;	/* does it meet the scenario's expectation? */
} Finding;

static void finding_free(gpointer p)
{
	Finding *f = p;

	g_free(f->sig);
	g_free(f->schedule);
	g_free(f);
}

typedef struct {
	const SimScenario *s;
	SimWorld *w;
	SimStrategy *strat;
	uint64_t seed;
	const char *save_dir;
	gboolean json;
	GPtrArray *findings;	/* Finding*, in order of discovery */
	GHashTable *by_sig;	/* signature -> Finding*; lookup only */
} Explorer;

/* Where a signature is saved: "deadlock:f" gives "SCN.VARIANT.deadlock-f". */
static char *schedule_file(const Explorer *x, const char *sig)
{
	g_autofree char *name = g_strdup_printf("%s.%s.%s.schedule",
						x->s->basename, x->w->variant,
						sig);
	size_t base = strlen(x->s->basename) + strlen(x->w->variant) + 2;

	for (char *p = name + base; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("_.-", *p))
			*p = *p == ':' ? '-' : '_';
	return g_build_filename(x->save_dir, name, NULL);
}

/*
 * A new signature at execution @i: run it again with stacks and the full
 * trace for the report (the run is a function of its inputs, so it ends the
 * same way, which is checked), save its schedule, print the report.
 */
static int new_finding(Explorer *x, uint64_t i, Finding *f)
{
	SimWorld *w = x->w;
	g_autofree char *sig = NULL, *cmd = NULL;
	SimEnd end;

	w->trace_on = w->want_stacks = true;
	end = sim_world_run(w, x->strat, x->seed, i, sim_scenario_init,
			    (void *)x->s);
	w->trace_on = w->want_stacks = false;
	sig = sim_report_signature(w);
	if (strcmp(sig, f->sig) != 0 || end == SIM_END_UNMET_ORDER) {
		fprintf(stderr, "hvsim explore: internal error: execution %"
			PRIu64 " ended with %s, then with %s when run again\n",
			i, f->sig, sig);
		return SIM_EXIT_INTERNAL;
	}
	f->expected = w->bug && sim_expect_matches(
		sim_scenario_expect(x->s, w->variant), w->bug->kind,
		w->bug->func);
	if (x->save_dir) {
		f->schedule = schedule_file(x, sig);
		if (!save_schedule("explore", w, x->s, "random", f->schedule))
			return SIM_EXIT_USAGE;
		g_autofree char *q = shell_word(f->schedule);
		cmd = g_strdup_printf("hvsim replay %s", q);
	}
	if (x->json)
		return SIM_EXIT_CLEAN;
	printf("hvsim: new bug at execution %" PRIu64 ": %s\n", i, sig);
	fflush(stdout);
	print_outcome(x->s, w, end, cmd, FALSE);
	return SIM_EXIT_CLEAN;
}

/* Run execution @i; record a finding. Returns an exit code on failure. */
static int explore_one(Explorer *x, uint64_t i)
{
	SimEnd end = sim_world_run(x->w, x->strat, x->seed, i,
				   sim_scenario_init, (void *)x->s);
	g_autofree char *sig = NULL;
	Finding *f;

	if (end == SIM_END_CLEAN)
		return SIM_EXIT_CLEAN;
	if (end == SIM_END_UNMET_ORDER) {
		fprintf(stderr, "hvsim explore: internal error: ordering "
			"constraints held tasks while exploring\n");
		return SIM_EXIT_INTERNAL;
	}
	sig = sim_report_signature(x->w);
	f = g_hash_table_lookup(x->by_sig, sig);
	if (f) {
		f->count++;
		return SIM_EXIT_CLEAN;
	}
	f = g_new0(Finding, 1);
	f->sig = g_steal_pointer(&sig);
	f->count = 1;
	f->first = i;
	g_ptr_array_add(x->findings, f);
	g_hash_table_insert(x->by_sig, f->sig, f);
	return new_finding(x, i, f);
}

static void json_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_printf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			g_string_append_printf(out, "\\u%04x", *s);
		else
			g_string_append_c(out, *s);
	}
	g_string_append_c(out, '"');
}

static void print_json(const Explorer *x, uint64_t n, double secs)
{
	g_autoptr(GString) out = g_string_new("{");
	char rate[G_ASCII_DTOSTR_BUF_SIZE], el[G_ASCII_DTOSTR_BUF_SIZE];
	const Finding *first = x->findings->len ? x->findings->pdata[0] : NULL;

	g_ascii_formatd(rate, sizeof(rate), "%.1f", secs > 0 ? n / secs : 0);
	g_ascii_formatd(el, sizeof(el), "%.3f", secs);
	g_string_append_printf(out, "\"executions\": %" PRIu64 ", "
			       "\"distinct_bugs\": %u, "
			       "\"first_bug_execution\": ", n,
			       x->findings->len);
	if (first)
		g_string_append_printf(out, "%" PRIu64, first->first);
	else
		g_string_append(out, "null");
	g_string_append_printf(out, ", \"executions_per_second\": %s, "
			       "\"elapsed_seconds\": %s, \"pruned\": 0, "
			       "\"bugs\": [", rate, el);
	for (guint i = 0; i < x->findings->len; i++) {
		const Finding *f = x->findings->pdata[i];

		g_string_append_printf(out, "%s{\"signature\": ",
				       i ? ", " : "");
		json_string(out, f->sig);
		g_string_append_printf(out, ", \"count\": %" PRIu64 ", "
				       "\"first_execution\": %" PRIu64 ", "
				       "\"expected\": %s", f->count, f->first,
				       f->expected ? "true" : "false");
		if (f->schedule) {
			g_string_append(out, ", \"schedule\": ");
			json_string(out, f->schedule);
		}
		g_string_append_c(out, '}');
	}
	g_string_append(out, "]}\n");
	fputs(out->str, stdout);
}

static void print_summary(const Explorer *x, uint64_t n, double secs)
{
	printf("hvsim: explored %" PRIu64 " executions of %s variant=%s "
	       "seed=%" PRIu64 " in %.2fs (%.0f executions/s)\n", n,
	       x->s->basename, x->w->variant, x->seed, secs,
	       secs > 0 ? n / secs : 0);
	if (!x->findings->len)
		printf("hvsim: no bug found\n");
	else
		printf("hvsim: %u distinct bug%s:\n", x->findings->len,
		       x->findings->len == 1 ? "" : "s");
	for (guint i = 0; i < x->findings->len; i++) {
		const Finding *f = x->findings->pdata[i];

		printf("hvsim:   %s: %" PRIu64 " execution%s, first at "
		       "execution %" PRIu64 " (%s)%s%s\n", f->sig, f->count,
		       f->count == 1 ? "" : "s", f->first,
		       f->expected ? "expected" : "NOT expected",
		       f->schedule ? ", saved as " : "",
		       f->schedule ? f->schedule : "");
	}
}

typedef struct {
	char *strategy, *runs, *time, *seed, *variant, *save;
	gboolean json;
} ExploreOptions;

static void explore_options_clear(ExploreOptions *o)
{
	g_free(o->strategy);
	g_free(o->runs);
	g_free(o->time);
	g_free(o->seed);
	g_free(o->variant);
	g_free(o->save);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ExploreOptions, explore_options_clear)

static gboolean check_explore(ExploreOptions *o, uint64_t *runs,
			      uint64_t *secs)
{
	const char *st = o->strategy ? o->strategy : "random";

	if (!strcmp(st, "pct") || !strcmp(st, "dfs")) {
		usage_error("explore", "--strategy %s: not implemented yet; "
			    "use --strategy random", st);
		return FALSE;
	}
	if (strcmp(st, "random") != 0) {
		usage_error("explore", "--strategy: expected random (pct and "
			    "dfs are planned), found '%s'", st);
		return FALSE;
	}
	if (o->runs && o->time) {
		usage_error("explore", "--runs and --time: expected one of "
			    "them, found both");
		return FALSE;
	}
	*runs = DEFAULT_RUNS;
	*secs = 0;
	if (o->runs && !parse_u64("explore", "--runs", o->runs, 1, runs))
		return FALSE;
	if (o->time && !parse_u64("explore", "--time", o->time, 1, secs))
		return FALSE;
	if (o->save && g_file_test(o->save, G_FILE_TEST_EXISTS) &&
	    !g_file_test(o->save, G_FILE_TEST_IS_DIR)) {
		usage_error("explore", "--save %s: expected a directory, found "
			    "a file", o->save);
		return FALSE;
	}
	return check_variant("explore", o->variant);
}

/* Wall-clock microseconds, for --time and the rate only. */
static gint64 wall_usec(void)
{
	return g_get_monotonic_time(); /* tidy: allow: explore --time budget */
}

static int explore_loop(Explorer *x, uint64_t runs, uint64_t secs)
{
	gint64 t0 = wall_usec(), deadline = t0 + (gint64)secs * G_USEC_PER_SEC;
	uint64_t i;
	int rc = SIM_EXIT_CLEAN;

	for (i = 0; rc == SIM_EXIT_CLEAN; i++) {
		if (secs ? wall_usec() >= deadline : i >= runs)
			break;
		rc = explore_one(x, i);
	}
	if (rc != SIM_EXIT_CLEAN)
		return rc;

	double el = (wall_usec() - t0) / (double)G_USEC_PER_SEC;

	if (x->json)
		print_json(x, i, el);
	else
		print_summary(x, i, el);
	return x->findings->len ? SIM_EXIT_BUG : SIM_EXIT_CLEAN;
}

static int cmd_explore(GStrv args)
{
	g_auto(ExploreOptions) o = { 0 };
	const GOptionEntry entries[] = {
		{ "strategy", 0, 0, G_OPTION_ARG_STRING, &o.strategy,
		  "random (default; pct and dfs are planned)", "S" },
		{ "runs", 0, 0, G_OPTION_ARG_STRING, &o.runs,
		  "run executions 0..N-1 (default 1000)", "N" },
		{ "time", 0, 0, G_OPTION_ARG_STRING, &o.time,
		  "run executions for SEC seconds of wall-clock time", "SEC" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &o.seed,
		  "seed (default: the scenario's)", "N" },
		{ "variant", 0, 0, G_OPTION_ARG_STRING, &o.variant,
		  "pre-fix or post-fix (default: the scenario's)", "V" },
		{ "save", 0, 0, G_OPTION_ARG_FILENAME, &o.save,
		  "save a schedule per distinct bug into DIR", "DIR" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &o.json,
		  "print one JSON object with the figures, nothing else",
		  NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = new_context("explore", "SCENARIO",
		"Run many executions of SCENARIO with a random schedule each, "
		"ignoring its\nordering constraints, and report each distinct "
		"bug once. Execution i\ndepends only on (scenario, variant, "
		"seed, i); --time reads the wall clock\nonly to decide when to "
		"stop.", entries);
	g_autoptr(SimScenario) s = NULL;
	g_autoptr(SimWorld) w = NULL;
	g_autoptr(GPtrArray) findings = g_ptr_array_new_with_free_func(
		finding_free);
	g_autoptr(GHashTable) by_sig = g_hash_table_new(g_str_hash,
							g_str_equal);
	g_autoptr(GError) err = NULL;
	uint64_t runs, secs, seed;
	Explorer x;
	int rc;

	if (!parse_options(ctx, "explore", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) != 2)
		return usage_error("explore", "expected one SCENARIO, found %u "
				   "arguments (try 'hvsim explore --help')",
				   g_strv_length(args) - 1);
	if (!check_explore(&o, &runs, &secs))
		return SIM_EXIT_USAGE;
	s = load_scenario("explore", args[1]);
	if (!s)
		return SIM_EXIT_USAGE;
	seed = s->seed;
	if (o.seed && !parse_u64("explore", "--seed", o.seed, 0, &seed))
		return SIM_EXIT_USAGE;
	w = make_world("explore", s, o.variant ? o.variant :
			s->default_variant, FALSE);
	if (!w)
		return SIM_EXIT_USAGE;
	w->respect_order = false;
	if (o.save && g_mkdir_with_parents(o.save, 0777) != 0)
		return usage_error("explore", "--save %s: cannot create the "
				   "directory: %s", o.save, g_strerror(errno));

	x = (Explorer){ .s = s, .w = w, .seed = seed, .save_dir = o.save,
			.json = o.json, .findings = findings,
			.by_sig = by_sig };
	x.strat = sim_strategy_random();
	rc = explore_loop(&x, runs, secs);
	sim_strategy_free(x.strat);
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
	{ "explore", "explore SCENARIO         many random executions; each "
		     "distinct bug once", cmd_explore },
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
