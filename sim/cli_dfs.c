// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements `hvsim explore SCENARIO --strategy dfs`: the
 * exhaustive search of sim/dfs.h over one scenario variant, with at most
 * --preemptions K preemptions, until the space is exhausted or the budget
 * (--runs, --time) ends. Each distinct signature is reported once, as
 * random exploration reports it: its execution is run again from its
 * schedule with stacks and the full trace (checked to end the same way),
 * printed, and saved with "strategy = dfs" for `hvsim replay`, which
 * treats it like a random schedule (no ordering constraints). It sits
 * between the command line (sim/cli_explore.c dispatches here) and the
 * search.
 *
 * The wall clock is read only for --time and for the rate printed; it
 * never changes which executions run or what they do.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "sim/cli.h"
#include "sim/cli_private.h"
#include "sim/dfs.h"
#include "sim/report.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/world.h"

#define DEFAULT_PREEMPTIONS	2

typedef struct {
	const SimScenario *s;
	SimWorld *w;
	SimDfs *dfs;
	uint64_t seed;
	uint32_t bound;
	gboolean por;
	const char *save_dir;
	gboolean json;
	GPtrArray *findings;	/* SimFinding*, in order of discovery */
	GHashTable *by_sig;	/* signature -> SimFinding*; lookup only */
} DfsCli;

gboolean sim__cli_wants_dfs(GStrv args)
{
	guint i;

	for (i = 1; args[i]; i++) {
		if (!strcmp(args[i], "--"))
			break;
		if (!strcmp(args[i], "--strategy=dfs") ||
		    (!strcmp(args[i], "--strategy") && args[i + 1] &&
		     !strcmp(args[i + 1], "dfs")))
			return TRUE;
	}
	return FALSE;
}

static char *schedule_file(const DfsCli *x, const char *sig)
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
 * A new signature at DFS execution @i: run its schedule again with stacks
 * and the full trace, check it ends the same way, save and print it.
 */
static int new_finding(DfsCli *x, uint64_t i, SimFinding *f)
{
	SimWorld *w = x->w;
	const uint32_t *dec;
	size_t n;
	SimStrategy *replay;
	g_autofree char *sig = NULL, *cmd = NULL;
	SimEnd end;

	dec = sim_world_schedule(w, &n);
	replay = sim_strategy_replay(dec, n);
	w->trace_on = w->want_stacks = true;
	end = sim_world_run(w, replay, x->seed, SIM_DFS_WORLD_EXECUTION,
			    sim_scenario_init, (void *)x->s);
	w->trace_on = w->want_stacks = false;
	sim_strategy_free(replay);
	sig = sim_report_signature(w);
	if (strcmp(sig, f->sig) != 0 || w->divergence) {
		fprintf(stderr, "hvsim explore: internal error: dfs execution %"
			PRIu64 " ended with %s, then with %s when replayed%s%s\n",
			i, f->sig, sig, w->divergence ? ": " : "",
			w->divergence ? w->divergence : "");
		return SIM_EXIT_INTERNAL;
	}
	f->expected = w->bug && sim_expect_matches(
		sim_scenario_expect(x->s, w->variant), w->bug->kind,
		w->bug->func);
	if (x->save_dir) {
		f->schedule = schedule_file(x, sig);
		if (!sim__cli_save_schedule("explore", w, x->s, "dfs",
					    f->schedule))
			return SIM_EXIT_USAGE;
		g_autofree char *q = sim__cli_shell_word(f->schedule);
		cmd = g_strdup_printf("hvsim replay %s", q);
	}
	if (x->json)
		return SIM_EXIT_CLEAN;
	printf("hvsim: new bug at dfs execution %" PRIu64 ": %s\n", i, sig);
	fflush(stdout);
	sim__cli_print_outcome(x->s, w, end, cmd, FALSE);
	return SIM_EXIT_CLEAN;
}

static int record(DfsCli *x, uint64_t i, SimEnd end)
{
	g_autofree char *sig = NULL;
	SimFinding *f;

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
	f = g_new0(SimFinding, 1);
	f->sig = g_steal_pointer(&sig);
	f->count = 1;
	f->first = i;
	g_ptr_array_add(x->findings, f);
	g_hash_table_insert(x->by_sig, f->sig, f);
	return new_finding(x, i, f);
}

static void print_json(const DfsCli *x, double secs)
{
	const SimDfsStats *st = sim_dfs_stats(x->dfs);
	g_autoptr(GString) out = g_string_new("{");
	char rate[G_ASCII_DTOSTR_BUF_SIZE], el[G_ASCII_DTOSTR_BUF_SIZE];
	const SimFinding *first = x->findings->len ? x->findings->pdata[0] : NULL;

	g_ascii_formatd(rate, sizeof(rate), "%.1f",
			secs > 0 ? st->executions / secs : 0);
	g_ascii_formatd(el, sizeof(el), "%.3f", secs);
	g_string_append_printf(out, "\"executions\": %" PRIu64 ", "
			       "\"distinct_bugs\": %u, "
			       "\"first_bug_execution\": ", st->executions,
			       x->findings->len);
	if (first)
		g_string_append_printf(out, "%" PRIu64, first->first);
	else
		g_string_append(out, "null");
	g_string_append_printf(out, ", \"executions_per_second\": %s, "
			       "\"elapsed_seconds\": %s, \"pruned\": %" PRIu64
			       ", \"complete\": %s, \"sleep_blocked\": %" PRIu64
			       ", \"preemptions\": ", rate, el, st->pruned,
			       st->complete ? "true" : "false",
			       st->sleep_blocked);
	if (x->bound == SIM_DFS_UNBOUNDED)
		g_string_append(out, "null");
	else
		g_string_append_printf(out, "%u", x->bound);
	g_string_append_printf(out, ", \"por\": %s, \"max_depth\": %u, ",
			       x->por ? "true" : "false", st->max_depth);
	sim_results_json_bugs(x->findings, out);
	g_string_append(out, "}\n");
	fputs(out->str, stdout);
}

static void print_summary(const DfsCli *x, double secs)
{
	const SimDfsStats *st = sim_dfs_stats(x->dfs);
	g_autofree char *bound = x->bound == SIM_DFS_UNBOUNDED ?
		g_strdup("unbounded") : g_strdup_printf("%u", x->bound);

	printf("hvsim: dfs explored %" PRIu64 " executions of %s variant=%s "
	       "seed=%" PRIu64 " preemptions=%s in %.2fs (%.0f executions/s)"
	       "\n", st->executions, x->s->basename, x->w->variant, x->seed,
	       bound, secs, secs > 0 ? st->executions / secs : 0);
	printf("hvsim: %s\n", st->complete ?
	       "search complete: every schedule within the bound is covered" :
	       "search stopped by its budget: the space is not exhausted");
	if (x->por)
		printf("hvsim: sleep sets pruned %" PRIu64 " choice%s; %" PRIu64
		       " execution%s cut short as redundant (sleep-blocked)\n",
		       st->pruned, st->pruned == 1 ? "" : "s",
		       st->sleep_blocked, st->sleep_blocked == 1 ? "" : "s");
	else
		printf("hvsim: partial-order reduction off\n");
	g_autoptr(GString) bugs = g_string_new(NULL);

	sim_results_summary_bugs(x->findings, bugs);
	fputs(bugs->str, stdout);
}

/* Wall-clock microseconds, for --time and the rate only. */
static gint64 wall_usec(void)
{
	return g_get_monotonic_time(); /* tidy: allow: explore --time budget */
}

static int dfs_loop(DfsCli *x, uint64_t runs, uint64_t secs)
{
	gint64 t0 = wall_usec(), deadline = t0 + (gint64)secs * G_USEC_PER_SEC;
	int rc = SIM_EXIT_CLEAN;

	for (uint64_t i = 0; rc == SIM_EXIT_CLEAN; i++) {
		gboolean blocked;
		SimEnd end;

		if (secs ? wall_usec() >= deadline : runs && i >= runs)
			break;
		if (!sim_dfs_next(x->dfs, x->seed, sim_scenario_init,
				  (void *)x->s, &end, &blocked))
			break;
		/* A sleep-blocked execution was cut short as redundant:
		 * its ending is no verdict. */
		if (!blocked)
			rc = record(x, i, end);
	}
	if (rc != SIM_EXIT_CLEAN)
		return rc;
	if (sim_dfs_error(x->dfs)) {
		fprintf(stderr, "hvsim explore: internal error: dfs: %s\n",
			sim_dfs_error(x->dfs));
		return SIM_EXIT_INTERNAL;
	}

	double el = (wall_usec() - t0) / (double)G_USEC_PER_SEC;

	if (sim_dfs_stats(x->dfs)->anomalies)
		fprintf(stderr, "hvsim explore: warning: dfs: %" PRIu64 " sleep "
			"set entries were not runnable where they should have "
			"been: a step footprint missed a dependency (they were "
			"dropped, the search went on)\n",
			sim_dfs_stats(x->dfs)->anomalies);
	if (x->json)
		print_json(x, el);
	else
		print_summary(x, el);
	return x->findings->len ? SIM_EXIT_BUG : SIM_EXIT_CLEAN;
}

typedef struct {
	char *strategy, *preemptions, *runs, *time, *seed, *variant, *save;
	gboolean json, no_por;
} DfsOptions;

static void dfs_options_clear(DfsOptions *o)
{
	g_free(o->strategy);
	g_free(o->preemptions);
	g_free(o->runs);
	g_free(o->time);
	g_free(o->seed);
	g_free(o->variant);
	g_free(o->save);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(DfsOptions, dfs_options_clear)

static gboolean check_options(DfsOptions *o, uint32_t *bound, uint64_t *runs,
			      uint64_t *secs)
{
	uint64_t k = DEFAULT_PREEMPTIONS;

	if (o->strategy && strcmp(o->strategy, "dfs") != 0) {
		sim__cli_usage_error("explore", "--strategy: expected dfs here, "
				     "found '%s'", o->strategy);
		return FALSE;
	}
	if (o->preemptions && !strcmp(o->preemptions, "none")) {
		k = SIM_DFS_UNBOUNDED;
	} else if (o->preemptions) {
		if (!sim__cli_parse_u64("explore", "--preemptions",
					o->preemptions, 0, &k))
			return FALSE;
		if (k >= SIM_DFS_UNBOUNDED) {
			sim__cli_usage_error("explore", "--preemptions: "
					     "expected 0 to %u or none, found "
					     "%s", SIM_DFS_UNBOUNDED - 1,
					     o->preemptions);
			return FALSE;
		}
	}
	*bound = (uint32_t)k;
	/* No budget: the search runs until the space is exhausted. */
	return sim__cli_check_budget(o->runs, o->time, o->save, o->variant, 0,
				     runs, secs);
}

static const char dfs_summary[] =
	"Explore every schedule of SCENARIO with at most K preemptions\n"
	"(--strategy dfs), depth first, ignoring its ordering constraints,\n"
	"with sleep sets skipping schedules equivalent to one explored\n"
	"(sound under the bound; see sim/dfs.h). Stops when the space is\n"
	"exhausted or the budget (--runs, --time) ends; without a budget it\n"
	"runs to the end. Execution i is the i-th schedule of a fixed order:\n"
	"the search depends only on (scenario, variant, seed, K, --no-por).";

int sim__cli_explore_dfs(GStrv args)
{
	g_auto(DfsOptions) o = { 0 };
	const GOptionEntry entries[] = {
		{ "strategy", 0, 0, G_OPTION_ARG_STRING, &o.strategy,
		  "dfs", "S" },
		{ "preemptions", 0, 0, G_OPTION_ARG_STRING, &o.preemptions,
		  "at most K preemptions per schedule (default 2), or none",
		  "K" },
		{ "runs", 0, 0, G_OPTION_ARG_STRING, &o.runs,
		  "stop after N executions (default: run to the end)", "N" },
		{ "time", 0, 0, G_OPTION_ARG_STRING, &o.time,
		  "stop after SEC seconds of wall-clock time", "SEC" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &o.seed,
		  "seed (default: the scenario's)", "N" },
		{ "variant", 0, 0, G_OPTION_ARG_STRING, &o.variant,
		  "pre-fix or post-fix (default: the scenario's)", "V" },
		{ "save", 0, 0, G_OPTION_ARG_FILENAME, &o.save,
		  "save a schedule per distinct bug into DIR", "DIR" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &o.json,
		  "print one JSON object with the figures, nothing else",
		  NULL },
		{ "no-por", 0, 0, G_OPTION_ARG_NONE, &o.no_por,
		  "no partial-order reduction: run every schedule", NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx =
		sim__cli_new_context("explore", "SCENARIO --strategy dfs",
				     dfs_summary, entries);
	g_autoptr(SimScenario) s = NULL;
	g_autoptr(SimWorld) w = NULL;
	g_autoptr(SimDfs) dfs = NULL;
	g_autoptr(GPtrArray) findings = g_ptr_array_new_with_free_func(
		sim_finding_free);
	g_autoptr(GHashTable) by_sig = g_hash_table_new(g_str_hash,
							g_str_equal);
	uint64_t runs, secs, seed;
	uint32_t bound;
	DfsCli x;

	for (guint i = 1; args[i] && strcmp(args[i], "--"); i++) {
		static const char *const other[] = { "--jobs", "-j", "--shard",
						     "--results", "--depth" };

		for (guint k = 0; k < G_N_ELEMENTS(other); k++)
			if (!strncmp(args[i], other[k], strlen(other[k])) &&
			    (!args[i][strlen(other[k])] ||
			     args[i][strlen(other[k])] == '=' ||
			     !strcmp(other[k], "-j")))
				return sim__cli_usage_error("explore",
					"%s: not with --strategy dfs (one "
					"sequential search; try 'hvsim "
					"explore --strategy dfs --help')",
					other[k]);
	}
	if (!sim__cli_parse_options(ctx, "explore", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) != 2)
		return sim__cli_usage_error("explore", "expected one SCENARIO, "
					    "found %u arguments (try 'hvsim "
					    "explore --strategy dfs --help')",
					    g_strv_length(args) - 1);
	if (!check_options(&o, &bound, &runs, &secs))
		return SIM_EXIT_USAGE;
	if (!sim__cli_explore_setup(args[1], o.seed, o.variant, o.save, &s, &w,
				    &seed))
		return SIM_EXIT_USAGE;
	dfs = sim_dfs_new(w, bound, !o.no_por);
	x = (DfsCli){ .s = s, .w = w, .dfs = dfs, .seed = seed,
		      .bound = bound, .por = !o.no_por, .save_dir = o.save,
		      .json = o.json, .findings = findings, .by_sig = by_sig };
	return dfs_loop(&x, runs, secs);
}
