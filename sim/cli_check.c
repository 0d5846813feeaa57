// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements `hvsim check [DIR]`, the command a CI regression
 * suite runs: every scenario of DIR in both variants against its
 * expectations, as KTAP v1 on stdout (one suite per scenario, one case per
 * variant) and, with --junit FILE, as JUnit XML.
 *
 * A variant passes when
 *  - its scripted execution (the scenario's own schedule and seed) ends as
 *    the scenario expects;
 *  - that execution, run twice more with the full trace, gives the same
 *    signature and the same SHA-256 of its trace both times (a determinism
 *    self-check);
 *  - when the scenario sets [schedule] explore-runs, every one of that many
 *    executions with no script (PCT or random) ends clean or as expected,
 *    and, if the expectation names a bug, at least one of them finds it.
 *
 * It sits between the command line (sim/cli.c) and the engine. Any
 * scenario that fails to load is bad input: exit 2, nothing run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "sim/cli.h"
#include "sim/cli_private.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/world.h"

static const char *const variants[] = { "pre-fix", "post-fix" };

/* The verdict of one scenario variant. */
typedef struct {
	const char *variant;
	gboolean ok;
	GString *diag;		/* "# ..." lines, without the indentation */
} CaseResult;

static void diag(CaseResult *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void diag(CaseResult *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_string_append_vprintf(c->diag, fmt, ap);
	va_end(ap);
	g_string_append_c(c->diag, '\n');
}

static gboolean outcome_meets(const SimWorld *w, SimEnd end,
			      const SimExpect *e)
{
	if (end == SIM_END_CLEAN)
		return sim_expect_matches(e, SIM_BUG_NONE, NULL);
	if (end == SIM_END_BUG && w->bug)
		return sim_expect_matches(e, w->bug->kind, w->bug->func);
	return FALSE;		/* runaway or unmet order: never expected */
}

static gboolean expects_a_bug(const SimExpect *e)
{
	for (guint i = 0; i < e->alts->len; i++)
		if (g_array_index(e->alts, SimExpectAlt, i).kind != SIM_BUG_NONE)
			return TRUE;
	return FALSE;
}

/* The scripted execution, its signature and the hash of its trace. */
static SimEnd scripted_run(const SimScenario *s, SimWorld *w, char **sig,
			   char **hash)
{
	SimStrategy *strat = s->strategy == SIM_SCHED_SCRIPTED ?
			     sim_strategy_first() : sim_strategy_random();
	g_autoptr(GString) text = g_string_new(NULL);
	SimEnd end;

	end = sim_world_run(w, strat, s->seed, 0, sim_scenario_init,
			    (void *)s);
	sim_strategy_free(strat);
	sim_trace_export_text(w, text);
	*sig = sim_report_signature(w);
	*hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text->str,
					      text->len);
	return end;
}

static void check_scripted(const SimScenario *s, SimWorld *w, CaseResult *c)
{
	const SimExpect *e = sim_scenario_expect(s, c->variant);
	g_autofree char *sig1 = NULL, *hash1 = NULL;
	g_autofree char *sig2 = NULL, *hash2 = NULL;
	SimEnd end;

	end = scripted_run(s, w, &sig1, &hash1);
	if (end == SIM_END_UNMET_ORDER) {
		c->ok = FALSE;
		diag(c, "scripted run: %s", w->divergence ? w->divergence : "?");
		return;
	}
	if (!outcome_meets(w, end, e)) {
		c->ok = FALSE;
		diag(c, "scripted run: expected %s, found %s", e->text, sig1);
	} else {
		diag(c, "scripted run: %s (expected %s)", sig1, e->text);
	}
	/* Determinism: the same inputs again, twice. */
	scripted_run(s, w, &sig2, &hash2);
	g_free(sig1);
	g_free(hash1);
	scripted_run(s, w, &sig1, &hash1);
	if (strcmp(sig1, sig2) != 0 || strcmp(hash1, hash2) != 0) {
		c->ok = FALSE;
		diag(c, "determinism: two replays differ: %s sha256 %s, "
		     "then %s sha256 %s", sig2, hash2, sig1, hash1);
	} else {
		diag(c, "determinism: replayed twice, trace sha256 %.16s "
		     "both times", hash1);
	}
}

static void check_explored(const SimScenario *s, SimWorld *w, CaseResult *c)
{
	const SimExpect *e = sim_scenario_expect(s, c->variant);
	gboolean want_bug = expects_a_bug(e);
	SimStrategy *strat;
	uint64_t i, hits = 0, first_hit = 0;

	if (!s->explore_runs)
		return;
	w->trace_on = w->want_stacks = false;
	w->respect_order = false;
	strat = sim__cli_explore_strategy(w, s, s->seed, s->explore_pct,
					  s->explore_depth);
	for (i = 0; i < s->explore_runs; i++) {
		SimEnd end = sim_world_run(w, strat, s->seed, i,
					   sim_scenario_init, (void *)s);

		if (end == SIM_END_CLEAN)
			continue;	/* clean, or a schedule that missed it */
		if (!outcome_meets(w, end, e)) {
			g_autofree char *sig = sim_report_signature(w);

			c->ok = FALSE;
			diag(c, "exploration: execution %" PRIu64 " found %s, "
			     "not expected (%s); replay with: hvsim explore "
			     "%s --variant %s --strategy %s --seed %" PRIu64
			     " --runs %" PRIu64, i, sig, e->text, s->path,
			     c->variant, s->explore_pct ? "pct" : "random",
			     s->seed, i + 1);
			break;
		}
		if (!hits++)
			first_hit = i;
	}
	sim_strategy_free(strat);
	if (c->ok && want_bug && !hits) {
		c->ok = FALSE;
		diag(c, "exploration: %" PRIu64 " %s executions never found "
		     "the expected %s", s->explore_runs,
		     s->explore_pct ? "PCT" : "random", e->text);
	} else if (c->ok && hits) {
		diag(c, "exploration: %" PRIu64 " %s executions, %" PRIu64
		     " found the expected bug, first at execution %" PRIu64,
		     s->explore_runs, s->explore_pct ? "PCT" : "random", hits,
		     first_hit);
	} else if (c->ok) {
		diag(c, "exploration: %" PRIu64 " %s executions, all clean",
		     s->explore_runs, s->explore_pct ? "PCT" : "random");
	}
}

static void check_variant(const SimScenario *s, CaseResult *c)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(SimWorld) w = sim_world_new();

	c->ok = TRUE;
	if (!sim_scenario_apply(s, w, c->variant, &err)) {
		c->ok = FALSE;
		diag(c, "%s", err->message);
		return;
	}
	w->trace_on = w->want_stacks = TRUE;
	check_scripted(s, w, c);
	check_explored(s, w, c);
}

/* ---------------------------------------------------------- output -- */

static void ktap_diag(GString *out, const char *indent, const GString *d)
{
	g_auto(GStrv) lines = g_strsplit(d->str, "\n", -1);

	for (guint i = 0; lines[i]; i++)
		if (*lines[i])
			g_string_append_printf(out, "%s# %s\n", indent,
					       lines[i]);
}

static void junit_case(GString *x, const SimScenario *s, const CaseResult *c)
{
	g_autofree char *cls = g_markup_escape_text(s->basename, -1);
	g_autofree char *msg = g_markup_escape_text(c->diag->str, -1);

	g_string_append_printf(x, "    <testcase classname=\"%s\" name=\"%s\"",
			       cls, c->variant);
	if (c->ok) {
		g_string_append_printf(x, ">\n      <system-out>%s</system-out>"
				       "\n    </testcase>\n", msg);
		return;
	}
	g_string_append_printf(x, ">\n      <failure message=\"expectation "
			       "not met\">%s</failure>\n    </testcase>\n",
			       msg);
}

static const char check_summary[] =
	"Check every scenario of DIR (default: scenarios/) in both variants\n"
	"against its expectations: the scripted execution, a determinism\n"
	"self-check (the execution replayed twice gives the same trace\n"
	"hash), and the exploration budget the scenario sets ([schedule]\n"
	"explore-runs). Prints KTAP v1; exit 1 if any expectation fails.";

int sim__cli_check(GStrv args)
{
	g_autofree char *junit = NULL;
	const GOptionEntry entries[] = {
		{ "junit", 0, 0, G_OPTION_ARG_FILENAME, &junit,
		  "also write the results as JUnit XML to FILE", "FILE" },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx =
		sim__cli_new_context("check", "[DIR]", check_summary, entries);
	g_autoptr(GPtrArray) paths = NULL;
	g_autoptr(GPtrArray) scns = g_ptr_array_new_with_free_func(
		(GDestroyNotify)sim_scenario_free);
	g_autoptr(GString) out = g_string_new("KTAP version 1\n");
	g_autoptr(GString) xml = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	guint failed = 0, cases = 0;

	if (!sim__cli_parse_options(ctx, "check", &args))
		return SIM_EXIT_USAGE;
	if (g_strv_length(args) > 2)
		return sim__cli_usage_error("check", "expected at most one DIR, "
					    "found '%s'", args[2]);
	if (junit) {
		g_autofree char *parent = g_path_get_dirname(junit);

		if (!g_file_test(parent, G_FILE_TEST_IS_DIR))
			return sim__cli_usage_error("check", "--junit %s: "
						    "expected a file in an "
						    "existing directory",
						    junit);
	}
	paths = sim__cli_scenario_paths("check", args[1] ? args[1] :
							    "scenarios");
	if (!paths)
		return SIM_EXIT_USAGE;
	if (!paths->len)
		return sim__cli_usage_error("check", "%s: expected .scn files, "
					    "found none", args[1] ? args[1] :
					    "scenarios");
	/* Everything loads before anything runs. */
	for (guint i = 0; i < paths->len; i++) {
		SimScenario *s = sim__cli_load_scenario("check",
							paths->pdata[i]);
		if (!s)
			return SIM_EXIT_USAGE;
		g_ptr_array_add(scns, s);
	}

	g_string_append_printf(out, "1..%u\n", scns->len);
	for (guint i = 0; i < scns->len; i++) {
		const SimScenario *s = scns->pdata[i];
		gboolean suite_ok = TRUE;

		g_string_append_printf(out, "    KTAP version 1\n"
				       "    # Subtest: %s\n    1..%zu\n",
				       s->basename, G_N_ELEMENTS(variants));
		g_autofree char *name = g_markup_escape_text(s->basename, -1);

		g_string_append_printf(xml, "  <testsuite name=\"%s\" "
				       "tests=\"%zu\">\n", name,
				       G_N_ELEMENTS(variants));
		for (guint v = 0; v < G_N_ELEMENTS(variants); v++) {
			CaseResult c = { variants[v], TRUE, g_string_new(NULL) };

			check_variant(s, &c);
			cases++;
			failed += !c.ok;
			suite_ok &= c.ok;
			ktap_diag(out, "    ", c.diag);
			g_string_append_printf(out, "    %s %u %s\n",
					       c.ok ? "ok" : "not ok", v + 1,
					       c.variant);
			junit_case(xml, s, &c);
			g_string_free(c.diag, TRUE);
		}
		g_string_append(xml, "  </testsuite>\n");
		g_string_append_printf(out, "%s %u %s\n",
				       suite_ok ? "ok" : "not ok", i + 1,
				       s->basename);
		/* Print as we go: a CI log shows progress. */
		fputs(out->str, stdout);
		fflush(stdout);
		g_string_truncate(out, 0);
	}
	printf("# hvsim check: %u scenarios, %u variants: %u passed, "
	       "%u failed\n", scns->len, cases, cases - failed, failed);
	if (junit) {
		g_autoptr(GString) doc = g_string_new(NULL);

		g_string_append_printf(doc, "<?xml version=\"1.0\" encoding="
				       "\"UTF-8\"?>\n<testsuites name=\"hvsim "
				       "check\" tests=\"%u\" failures=\"%u\">\n"
				       "%s</testsuites>\n", cases, failed,
				       xml->str);
		if (!g_file_set_contents(junit, doc->str, (gssize)doc->len,
					 &err)) {
			fprintf(stderr, "hvsim check: --junit: %s\n",
				err->message);
			return SIM_EXIT_USAGE;
		}
	}
	return failed ? SIM_EXIT_BUG : SIM_EXIT_CLEAN;
}
