// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements `hvsim merge FILE...`: the results files of the
 * shards of one exploration (explore --shard K/N --results FILE, on N
 * machines or in N jobs of a CI matrix) combined into the report explore
 * would have printed had it run the whole budget in one go. It sits
 * between the command line (sim/cli.c) and results files
 * (sim/results.c), and runs the engine to print each finding's report.
 *
 * Every file is read and checked, and the files checked against each
 * other (same exploration, each shard once), before anything is printed:
 * bad input exits 2 with the file and line, nothing written. Then each
 * finding, by first execution, is run again from the schedule its file
 * recorded, with stacks and the full trace, and its report printed as
 * explore prints it; the summary or the JSON object follows, from the
 * same code as explore's. A worker crash has no re-run: its recorded
 * report is printed as it is.
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
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/world.h"

/* The scenario a results file names: as recorded if it is absolute or
 * exists from here, else from the file's directory (as for schedules). */
static char *scenario_path(const SimResults *r)
{
	g_autofree char *dir = NULL;

	if (g_path_is_absolute(r->scenario) ||
	    g_file_test(r->scenario, G_FILE_TEST_EXISTS) || !r->path)
		return g_strdup(r->scenario);
	dir = g_path_get_dirname(r->path);
	return g_build_filename(dir, r->scenario, NULL);
}

/* Shards no file brought, on stderr: the merge covers less than the
 * budget. */
static void note_missing(const SimResults *r, const char **seen)
{
	g_autoptr(GString) list = g_string_new(NULL);
	uint64_t missing = 0;

	for (uint64_t k = 0; k < r->shard_n; k++) {
		if (seen[k])
			continue;
		if (missing++ < 8)
			g_string_append_printf(list, "%s%" PRIu64 "/%" PRIu64,
					       list->len ? ", " : "", k + 1,
					       r->shard_n);
	}
	if (!missing)
		return;
	fprintf(stderr, "hvsim merge: note: %" PRIu64 " of %" PRIu64 " shards "
		"not given (%s%s): their executions are not covered\n",
		missing, r->shard_n, list->str, missing > 8 ? ", ..." : "");
}

/*
 * Run finding @f's first execution again from its schedule, save it when
 * @save_dir, and print its report as explore does.
 */
static int show_finding(const SimScenario *s, SimWorld *w,
			const SimResults *r, SimFinding *f,
			const char *save_dir, gboolean json)
{
	g_autofree char *sig = NULL, *cmd = NULL;
	SimStrategy *strat;
	SimEnd end;

	if (f->report) {
		if (!json) {
			printf("hvsim: new bug at execution %" PRIu64 ": %s\n",
			       f->first, f->sig);
			fputs(f->report, stdout);
			fflush(stdout);
		}
		return SIM_EXIT_CLEAN;
	}
	strat = sim_strategy_replay((const uint32_t *)f->decisions->data,
				    f->decisions->len);
	w->trace_on = w->want_stacks = true;
	end = sim_world_run(w, strat, r->seed, f->first, sim_scenario_init,
			    (void *)s);
	sim_strategy_free(strat);
	sig = sim_report_signature(w);
	if (strcmp(sig, f->sig) != 0 || end == SIM_END_UNMET_ORDER ||
	    w->divergence) {
		fprintf(stderr, "hvsim merge: %s: execution %" PRIu64 " "
			"recorded %s, its schedule gives %s%s%s\n",
			r->path, f->first, f->sig, sig,
			w->divergence ? ": " : "",
			w->divergence ? w->divergence : "");
		return SIM_EXIT_INTERNAL;
	}
	if (save_dir) {
		f->schedule = sim_results_schedule_path(save_dir, s->basename,
							w->variant, sig);
		if (!sim__cli_save_schedule("merge", w, s, r->strategy,
					    f->schedule))
			return SIM_EXIT_USAGE;
		g_autofree char *q = sim__cli_shell_word(f->schedule);
		cmd = g_strdup_printf("hvsim replay %s", q);
	}
	if (json)
		return SIM_EXIT_CLEAN;
	printf("hvsim: new bug at execution %" PRIu64 ": %s\n", f->first,
	       sig);
	fflush(stdout);
	sim__cli_print_outcome(s, w, end, cmd, FALSE);
	return SIM_EXIT_CLEAN;
}

static const char merge_summary[] =
	"Combine the results files of the shards of one exploration\n"
	"(hvsim explore --shard K/N --results FILE) and print what explore\n"
	"prints for the whole budget: each distinct bug's report, from its\n"
	"earliest execution run again from its recorded schedule, then the\n"
	"summary or the JSON object. The files must record the same\n"
	"scenario, variant, seed, strategy, number of shards and budget,\n"
	"each shard at most once.";

int sim__cli_merge(GStrv args)
{
	g_autofree char *save = NULL;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{ "save", 0, 0, G_OPTION_ARG_FILENAME, &save,
		  "save a schedule per distinct bug into DIR", "DIR" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json,
		  "print one JSON object with the figures, nothing else",
		  NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx =
		sim__cli_new_context("merge", "FILE...", merge_summary,
				     entries);
	g_autoptr(SimResults) all = sim_results_new();
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(
		(GDestroyNotify)sim_results_free);
	g_autofree const char **seen = NULL;
	g_autofree char *scn = NULL;
	g_autoptr(SimScenario) s = NULL;
	g_autoptr(SimWorld) w = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	guint nfiles;

	if (!sim__cli_parse_options(ctx, "merge", &args))
		return SIM_EXIT_USAGE;
	nfiles = g_strv_length(args) - 1;
	if (nfiles < 1)
		return sim__cli_usage_error("merge", "expected one or more "
					    "results FILEs, found none (try "
					    "'hvsim merge --help')");
	if (save && g_file_test(save, G_FILE_TEST_EXISTS) &&
	    !g_file_test(save, G_FILE_TEST_IS_DIR))
		return sim__cli_usage_error("merge", "--save %s: expected a "
					    "directory, found a file", save);
	for (guint i = 0; i < nfiles; i++) {
		g_autoptr(GError) err = NULL;
		SimResults *r = sim_results_load(args[i + 1], &err);

		if (!r)
			return sim__cli_usage_error("merge", "%s",
						    err->message);
		g_ptr_array_add(files, r);
		/* Sized by the first file; a file with another number of
		 * shards is refused before its shard is looked up. */
		if (!seen)
			seen = g_new0(const char *, r->shard_n);
		if (!sim_results_merge(all, r, seen, &err))
			return sim__cli_usage_error("merge", "%s",
						    err->message);
	}
	scn = scenario_path(all);
	s = sim__cli_load_scenario("merge", scn);
	if (!s)
		return SIM_EXIT_USAGE;
	w = sim__cli_make_world("merge", s, all->variant, FALSE);
	if (!w)
		return SIM_EXIT_USAGE;
	w->respect_order = false;
	if (save && g_mkdir_with_parents(save, 0777) != 0)
		return sim__cli_usage_error("merge", "--save %s: cannot "
					    "create the directory: %s", save,
					    g_strerror(errno));
	if (nfiles > 1)
		all->shard_k = 0;	/* a union: no one shard to name */
	note_missing(all, seen);

	for (guint i = 0; i < all->findings->len; i++) {
		int rc = show_finding(s, w, all, all->findings->pdata[i], save,
				      json);

		if (rc)
			return rc;
	}
	if (json)
		sim_results_json(all, out);
	else
		sim_results_summary(all, out);
	fputs(out->str, stdout);
	return all->findings->len ? SIM_EXIT_BUG : SIM_EXIT_CLEAN;
}
