// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements `hvsim explore`: executions 0..N-1 of one scenario
 * variant with a random schedule each, in one world, ignoring the
 * scenario's ordering constraints. Each distinct signature is reported
 * once: its first execution is run again with stacks and the full trace
 * (the same inputs give the same execution, which is checked) for the
 * kernel-style report, and its schedule is saved for `hvsim replay`.
 * It sits between the command line (sim/cli.c) and the engine.
 *
 * This is the one place hvsim reads the wall clock: for --time, to decide
 * when to stop starting executions, and for the rate it prints. It never
 * changes what an execution does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "sim/cli.h"
#include "sim/cli_private.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/world.h"

/* Executions when neither --runs nor --time is given. */
#define DEFAULT_RUNS	1000

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
	const char *strat_name;
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
		if (!sim__cli_save_schedule("explore", w, x->s, x->strat_name,
					    f->schedule))
			return SIM_EXIT_USAGE;
		g_autofree char *q = sim__cli_shell_word(f->schedule);
		cmd = g_strdup_printf("hvsim replay %s", q);
	}
	if (x->json)
		return SIM_EXIT_CLEAN;
	printf("hvsim: new bug at execution %" PRIu64 ": %s\n", i, sig);
	fflush(stdout);
	sim__cli_print_outcome(x->s, w, end, cmd, FALSE);
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
	char *strategy, *runs, *time, *seed, *variant, *save, *depth;
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
			      uint64_t *secs, uint64_t *depth)
{
	const char *st = o->strategy ? o->strategy : "random";

	if (!strcmp(st, "dfs")) {
		sim__cli_usage_error("explore", "--strategy dfs: not "
				     "implemented yet; use random or pct");
		return FALSE;
	}
	if (strcmp(st, "random") != 0 && strcmp(st, "pct") != 0) {
		sim__cli_usage_error("explore", "--strategy: expected random "
				     "or pct (dfs is planned), found '%s'",
				     st);
		return FALSE;
	}
	*depth = 3;
	if (o->depth && strcmp(st, "pct") != 0) {
		sim__cli_usage_error("explore", "--depth: only with --strategy "
				     "pct, found --strategy %s", st);
		return FALSE;
	}
	if (o->depth && !sim__cli_parse_u64("explore", "--depth", o->depth, 1,
					    depth))
		return FALSE;
	if (*depth > 16) {
		sim__cli_usage_error("explore", "--depth: expected 1 to 16, "
				     "found %" PRIu64, *depth);
		return FALSE;
	}
	if (o->runs && o->time) {
		sim__cli_usage_error("explore", "--runs and --time: expected "
				     "one of them, found both");
		return FALSE;
	}
	*runs = DEFAULT_RUNS;
	*secs = 0;
	if (o->runs && !sim__cli_parse_u64("explore", "--runs", o->runs, 1,
					   runs))
		return FALSE;
	if (o->time && !sim__cli_parse_u64("explore", "--time", o->time, 1,
					   secs))
		return FALSE;
	if (o->save && g_file_test(o->save, G_FILE_TEST_EXISTS) &&
	    !g_file_test(o->save, G_FILE_TEST_IS_DIR)) {
		sim__cli_usage_error("explore", "--save %s: expected a "
				     "directory, found a file", o->save);
		return FALSE;
	}
	return sim__cli_check_variant("explore", o->variant);
}

/*
 * PCT's step bound k, learned from calibration executions: random
 * schedules of the same scenario, variant and seed, at execution indices
 * no exploration uses. A function of those inputs alone, so every worker
 * or shard computes the same k.
 */
#define PCT_CALIBRATION_RUNS	8

static uint64_t pct_step_bound(SimWorld *w, const SimScenario *s,
			       uint64_t seed)
{
	SimStrategy *r = sim_strategy_random();
	uint64_t k = 1;
	unsigned i;

	for (i = 0; i < PCT_CALIBRATION_RUNS; i++) {
		sim_world_run(w, r, seed, UINT64_MAX - i, sim_scenario_init,
			      (void *)s);
		k = MAX(k, w->steps);
	}
	sim_strategy_free(r);
	return k;
}

SimStrategy *sim__cli_explore_strategy(SimWorld *w, const SimScenario *s,
				       uint64_t seed, gboolean pct,
				       unsigned depth)
{
	if (!pct)
		return sim_strategy_random();
	return sim_strategy_pct(depth, pct_step_bound(w, s, seed));
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

static const char explore_summary[] =
	"Run many executions of SCENARIO, each with a random or PCT\n"
	"schedule, ignoring its ordering constraints, and report each\n"
	"distinct bug once. Execution i depends only on (scenario, variant,\n"
	"strategy, seed, i); PCT's step bound comes from calibration runs\n"
	"of the same inputs. --time reads the wall clock only to decide\n"
	"when to stop.";

int sim__cli_explore(GStrv args)
{
	g_auto(ExploreOptions) o = { 0 };
	const GOptionEntry entries[] = {
		{ "strategy", 0, 0, G_OPTION_ARG_STRING, &o.strategy,
		  "random (default) or pct; dfs is planned", "S" },
		{ "depth", 0, 0, G_OPTION_ARG_STRING, &o.depth,
		  "PCT depth: preemptions it aims for plus one (default 3)",
		  "D" },
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
	g_autoptr(GOptionContext) ctx =
		sim__cli_new_context("explore", "SCENARIO",
				     explore_summary, entries);
	g_autoptr(SimScenario) s = NULL;
	g_autoptr(SimWorld) w = NULL;
	g_autoptr(GPtrArray) findings = g_ptr_array_new_with_free_func(
		finding_free);
	g_autoptr(GHashTable) by_sig = g_hash_table_new(g_str_hash,
							g_str_equal);
	g_autoptr(GError) err = NULL;
	uint64_t runs, secs, seed, depth;
	Explorer x;
	int rc;

	if (!sim__cli_parse_options(ctx, "explore", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) != 2)
		return sim__cli_usage_error("explore", "expected one SCENARIO, "
					    "found %u arguments (try 'hvsim "
					    "explore --help')",
					    g_strv_length(args) - 1);
	if (!check_explore(&o, &runs, &secs, &depth))
		return SIM_EXIT_USAGE;
	s = sim__cli_load_scenario("explore", args[1]);
	if (!s)
		return SIM_EXIT_USAGE;
	seed = s->seed;
	if (o.seed && !sim__cli_parse_u64("explore", "--seed", o.seed, 0,
					  &seed))
		return SIM_EXIT_USAGE;
	w = sim__cli_make_world("explore", s, o.variant ? o.variant :
				s->default_variant, FALSE);
	if (!w)
		return SIM_EXIT_USAGE;
	w->respect_order = false;
	if (o.save && g_mkdir_with_parents(o.save, 0777) != 0)
		return sim__cli_usage_error("explore", "--save %s: cannot "
					    "create the directory: %s", o.save,
					    g_strerror(errno));

	x = (Explorer){ .s = s, .w = w, .seed = seed, .save_dir = o.save,
			.json = o.json, .findings = findings,
			.by_sig = by_sig };
	x.strat_name = o.strategy && !strcmp(o.strategy, "pct") ? "pct" :
								 "random";
	x.strat = sim__cli_explore_strategy(w, s, seed,
					    !strcmp(x.strat_name, "pct"),
					    (unsigned)depth);
	rc = explore_loop(&x, runs, secs);
	sim_strategy_free(x.strat);
	return rc;
}
