// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements exploration results: the findings table explore
 * fills, results files (a line format like schedule files, read with
 * line-numbered errors, written atomically), the merge of shards, and the
 * two ways results are printed, the human summary and the JSON object. It
 * sits between explore and merge (sim/cli_explore.c, sim/cli_merge.c) and
 * the disk and stdout, so both commands print the same bytes for the same
 * findings.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include <glib.h>

#include "sim/results.h"
#include "sim/schedule.h"
#include "sim/trace.h"

#define RESULTS_MAGIC	"# hvsim results v1"

/* PCT's deepest setting (sim/strategy.c). */
#define MAX_DEPTH	16

G_DEFINE_QUARK(sim-results-error-quark, sim_results_error)

/* ----------------------------------------------------------- findings -- */

void sim_finding_free(gpointer p)
{
	SimFinding *f = p;

	g_free(f->sig);
	if (f->decisions)
		g_array_unref(f->decisions);
	g_free(f->report);
	g_free(f->schedule);
	g_free(f);
}

SimResults *sim_results_new(void)
{
	SimResults *r = g_new0(SimResults, 1);

	r->findings = g_ptr_array_new_with_free_func(sim_finding_free);
	return r;
}

void sim_results_free(SimResults *r)
{
	if (!r)
		return;
	g_free(r->scenario);
	g_free(r->variant);
	g_free(r->strategy);
	g_free(r->path);
	g_ptr_array_unref(r->findings);
	g_free(r);
}

SimFinding *sim_results_lookup(const SimResults *r, const char *sig)
{
	/* A handful of findings at most: a scan beats a table. */
	for (guint i = 0; i < r->findings->len; i++) {
		SimFinding *f = r->findings->pdata[i];

		if (strcmp(f->sig, sig) == 0)
			return f;
	}
	return NULL;
}

/* Move @f where its first execution puts it: findings stay in the order
 * one process meets them. */
static void place(SimResults *r, SimFinding *f)
{
	guint i;

	for (i = 0; i < r->findings->len; i++)
		if (r->findings->pdata[i] == f) {
			g_ptr_array_steal_index(r->findings, i);
			break;
		}
	for (i = 0; i < r->findings->len; i++) {
		const SimFinding *g = r->findings->pdata[i];

		if (g->first > f->first)
			break;
	}
	g_ptr_array_insert(r->findings, (gint)i, f);
}

SimFinding *sim_results_add(SimResults *r, const char *sig, uint64_t count,
			    uint64_t first, gboolean *is_new)
{
	SimFinding *f = sim_results_lookup(r, sig);

	*is_new = !f;
	if (f) {
		f->count += count;
		if (first < f->first) {
			f->first = first;
			place(r, f);
		}
		return f;
	}
	f = g_new0(SimFinding, 1);
	f->sig = g_strdup(sig);
	f->count = count;
	f->first = first;
	place(r, f);
	return f;
}

char *sim_results_schedule_path(const char *dir, const char *basename,
				const char *variant, const char *sig)
{
	g_autofree char *name = g_strdup_printf("%s.%s.%s.schedule", basename,
						variant, sig);
	size_t base = strlen(basename) + strlen(variant) + 2;

	for (char *p = name + base; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("_.-", *p))
			*p = *p == ':' ? '-' : '_';
	return g_build_filename(dir, name, NULL);
}

char *sim_results_scenario_name(const SimResults *r)
{
	char *base = g_path_get_basename(r->scenario ? r->scenario : "?");

	if (g_str_has_suffix(base, ".scn"))
		base[strlen(base) - 4] = '\0';
	return base;
}

/* ------------------------------------------------------------ writing -- */

static void append_decisions(GString *out, const GArray *d)
{
	g_string_append(out, "decisions =");
	for (guint i = 0; d && i < d->len; i++)
		g_string_append_printf(out, " %u",
				       g_array_index(d, uint32_t, i));
	g_string_append_c(out, '\n');
}

char *sim_results_to_string(const SimResults *r)
{
	GString *out = g_string_new(RESULTS_MAGIC "\n");
	char el[G_ASCII_DTOSTR_BUF_SIZE];

	g_ascii_formatd(el, sizeof(el), "%.3f", r->elapsed);
	g_string_append_printf(out, "scenario = %s\n", r->scenario);
	g_string_append_printf(out, "variant = %s\n", r->variant);
	g_string_append_printf(out, "seed = %" PRIu64 "\n", r->seed);
	g_string_append_printf(out, "strategy = %s\n", r->strategy);
	g_string_append_printf(out, "depth = %u\n", r->depth);
	g_string_append_printf(out, "shard = %" PRIu64 "/%" PRIu64 "\n",
			       r->shard_k, r->shard_n);
	if (r->runs)
		g_string_append_printf(out, "budget = runs %" PRIu64 "\n",
				       r->runs);
	else
		g_string_append_printf(out, "budget = time %" PRIu64 "\n",
				       r->time);
	g_string_append_printf(out, "executions = %" PRIu64 "\n",
			       r->executions);
	g_string_append_printf(out, "elapsed = %s\n", el);
	g_string_append_printf(out, "pruned = %" PRIu64 "\n", r->pruned);
	for (guint i = 0; i < r->findings->len; i++) {
		const SimFinding *f = r->findings->pdata[i];

		g_string_append_printf(out, "bug = %s %" PRIu64 " %" PRIu64
				       " %s\n", f->sig, f->count, f->first,
				       f->expected ? "expected" :
						     "unexpected");
		append_decisions(out, f->decisions);
		if (f->report) {
			g_autofree char *esc = g_strescape(f->report, NULL);

			g_string_append_printf(out, "report = %s\n", esc);
		}
	}
	return g_string_free(out, FALSE);
}

gboolean sim_results_save(const SimResults *r, const char *path,
			  GError **error)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL;

	if (strpbrk(r->scenario, "\r\n")) {
		g_set_error(error, SIM_RESULTS_ERROR, SIM_RESULTS_ERROR_IO,
			    "%s: cannot record a scenario path containing a "
			    "line break", path);
		return FALSE;
	}
	text = sim_results_to_string(r);
	/* g_file_set_contents writes a temporary file and renames it. */
	if (!g_file_set_contents(path, text, -1, &err)) {
		g_set_error(error, SIM_RESULTS_ERROR, SIM_RESULTS_ERROR_IO,
			    "%s: cannot write the results: %s", path,
			    err->message);
		return FALSE;
	}
	return TRUE;
}

/* ------------------------------------------------------------ reading -- */

typedef enum {
	K_SCENARIO, K_VARIANT, K_SEED, K_STRATEGY, K_DEPTH, K_SHARD,
	K_BUDGET, K_EXECUTIONS, K_ELAPSED, K_PRUNED, K__HEADER,
	K_BUG = K__HEADER, K_DECISIONS, K_REPORT, K__N
} Key;

static const char *const key_names[K__N] = {
	"scenario", "variant", "seed", "strategy", "depth", "shard",
	"budget", "executions", "elapsed", "pruned", "bug", "decisions",
	"report",
};

static const char *const expected[K__N] = {
	"the path of a scenario file",
	"pre-fix or post-fix",
	"a seed: an integer 0..18446744073709551615",
	"random or pct",
	"a PCT depth 1..16, or 0 for random",
	"K/N with 1 <= K <= N <= 1000000",
	"'runs N' or 'time SECONDS' (integers >= 1)",
	"an integer >= 0",
	"seconds, a number >= 0",
	"an integer >= 0",
	"'SIGNATURE COUNT FIRST expected|unexpected'",
	"task ids (integers >= 1) separated by spaces",
	"text with C escapes",
};

typedef struct {
	const char *path;
	SimResults *r;
	int seen[K__HEADER];	/* line of each header key, 0 if absent */
	SimFinding *bug;	/* the last "bug" line's finding */
	int bug_line;
	gboolean bug_decisions, bug_report;
} Reader;

static gboolean G_GNUC_PRINTF(6, 7)
fail(GError **error, SimResultsError code, const char *path, int line,
     const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim__line_file_vfail(error, SIM_RESULTS_ERROR, code, path, line, key,
			     fmt, ap);
	va_end(ap);
	return FALSE;
}

static gboolean parse_u64(const char *text, uint64_t min, uint64_t *out)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(text, 10, min, G_MAXUINT64, &v, NULL))
		return FALSE;
	*out = v;
	return TRUE;
}

static gboolean parse_shard(const char *v, uint64_t *k, uint64_t *n)
{
	g_auto(GStrv) kn = g_strsplit(v, "/", -1);

	return g_strv_length(kn) == 2 && parse_u64(kn[0], 1, k) &&
	       parse_u64(kn[1], 1, n) && *k <= *n &&
	       *n <= SIM_RESULTS_MAX_SHARDS;
}

static gboolean parse_budget(SimResults *r, const char *v)
{
	g_auto(GStrv) w = g_strsplit(v, " ", -1);

	if (g_strv_length(w) != 2)
		return FALSE;
	if (!strcmp(w[0], "runs"))
		return parse_u64(w[1], 1, &r->runs);
	if (!strcmp(w[0], "time"))
		return parse_u64(w[1], 1, &r->time);
	return FALSE;
}

static gboolean parse_header(SimResults *r, Key k, const char *v)
{
	uint64_t u;
	char *end;

	switch (k) {
	case K_SCENARIO:
		r->scenario = g_strdup(v);
		return *v;
	case K_VARIANT:
		r->variant = g_strdup(v);
		return !strcmp(v, "pre-fix") || !strcmp(v, "post-fix");
	case K_SEED:
		return parse_u64(v, 0, &r->seed);
	case K_STRATEGY:
		r->strategy = g_strdup(v);
		return !strcmp(v, "random") || !strcmp(v, "pct");
	case K_DEPTH:
		if (!parse_u64(v, 0, &u) || u > MAX_DEPTH)
			return FALSE;
		r->depth = (unsigned)u;
		return TRUE;
	case K_SHARD:
		return parse_shard(v, &r->shard_k, &r->shard_n);
	case K_BUDGET:
		return parse_budget(r, v);
	case K_EXECUTIONS:
		return parse_u64(v, 0, &r->executions);
	case K_ELAPSED:
		r->elapsed = g_ascii_strtod(v, &end);
		return *v && !*end && r->elapsed >= 0;
	case K_PRUNED:
		return parse_u64(v, 0, &r->pruned);
	default:
		break;
	}
	g_assert_not_reached();
}

/* "SIGNATURE COUNT FIRST expected|unexpected" */
static gboolean parse_bug(Reader *rd, const char *v, int line,
			  GError **error)
{
	g_auto(GStrv) w = g_strsplit(v, " ", -1);
	uint64_t count, first;
	gboolean is_new;
	SimFinding *f;

	if (g_strv_length(w) != 4 || !*w[0] || !parse_u64(w[1], 1, &count) ||
	    !parse_u64(w[2], 0, &first) ||
	    (strcmp(w[3], "expected") != 0 && strcmp(w[3], "unexpected") != 0))
		return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path, line,
			    "bug", "expected %s, found '%.60s'", expected[K_BUG],
			    v);
	if (sim_results_lookup(rd->r, w[0]))
		return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path, line,
			    "bug", "expected each signature once, found %s "
			    "again", w[0]);
	f = sim_results_add(rd->r, w[0], count, first, &is_new);
	f->expected = !strcmp(w[3], "expected");
	f->decisions = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	rd->bug = f;
	rd->bug_line = line;
	rd->bug_decisions = rd->bug_report = FALSE;
	return TRUE;
}

/* The last bug line needs its decisions before anything else comes. */
static gboolean bug_complete(Reader *rd, int line, GError **error)
{
	if (!rd->bug || rd->bug_decisions)
		return TRUE;
	return fail(error, SIM_RESULTS_ERROR_MISSING, rd->path, line,
		    "decisions", "missing for the bug on line %d; expected "
		    "%s", rd->bug_line, expected[K_DECISIONS]);
}

/* Executions a shard covers with a budget of @runs. */
static uint64_t shard_runs(uint64_t runs, uint64_t k, uint64_t n)
{
	return runs > k - 1 ? (runs - (k - 1) + n - 1) / n : 0;
}

/*
 * The header, complete and agreeing with itself; checked at the first bug
 * line (the header keys come before it) or at the end of the file (@line).
 */
static gboolean check_header(Reader *rd, int line, GError **error)
{
	SimResults *r = rd->r;

	for (Key k = 0; k < K__HEADER; k++)
		if (!rd->seen[k])
			return fail(error, SIM_RESULTS_ERROR_MISSING, rd->path,
				    line, key_names[k], "missing required key "
				    "(the header comes before the bugs); "
				    "expected %s", expected[k]);
	if (!strcmp(r->strategy, "pct") ? r->depth == 0 : r->depth != 0)
		return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path,
			    rd->seen[K_DEPTH], "depth", "expected %s, found "
			    "%u for strategy %s", expected[K_DEPTH], r->depth,
			    r->strategy);
	if (r->runs && r->executions !=
	    shard_runs(r->runs, r->shard_k, r->shard_n))
		return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path,
			    rd->seen[K_EXECUTIONS], "executions", "expected "
			    "%" PRIu64 " (shard %" PRIu64 "/%" PRIu64 " of "
			    "runs %" PRIu64 "), found %" PRIu64,
			    shard_runs(r->runs, r->shard_k, r->shard_n),
			    r->shard_k, r->shard_n, r->runs, r->executions);
	return TRUE;
}

/* A bug's first execution and count must lie within the shard's. */
static gboolean check_bug(Reader *rd, const SimFinding *f, int line,
			  GError **error)
{
	const SimResults *r = rd->r;

	if (f->first % r->shard_n == r->shard_k - 1 &&
	    (f->first - (r->shard_k - 1)) / r->shard_n < r->executions &&
	    f->count <= r->executions)
		return TRUE;
	return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path, line, "bug",
		    "expected a first execution and a count within the %"
		    PRIu64 " executions of shard %" PRIu64 "/%" PRIu64
		    ", found first execution %" PRIu64 " and count %" PRIu64,
		    r->executions, r->shard_k, r->shard_n, f->first,
		    f->count);
}

static gboolean parse_line(Reader *rd, int line, char *text, GError **error)
{
	char *eq = strchr(text, '=');
	Key k;

	if (!eq)
		return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path, line,
			    NULL, "expected 'key = value' or a # comment, "
			    "found '%.60s'", text);
	*eq = '\0';
	char *key = g_strstrip(text);
	char *value = g_strstrip(eq + 1);

	for (k = 0; k < K__N; k++)
		if (strcmp(key, key_names[k]) == 0)
			break;
	if (k == K__N) {
		g_autofree char *list = g_strjoinv(", ", (char **)key_names);

		return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path, line,
			    key, "unknown key; expected one of %s", list);
	}
	if (k < K__HEADER) {
		if (rd->bug)
			return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path,
				    line, key, "expected the header keys "
				    "before the first bug (line %d)",
				    rd->bug_line);
		if (rd->seen[k])
			return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path,
				    line, key, "expected each key once, found "
				    "it again (first on line %d)",
				    rd->seen[k]);
		rd->seen[k] = line;
		if (!parse_header(rd->r, k, value))
			return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path,
				    line, key, "expected %s, found '%.60s'",
				    expected[k], value);
		return TRUE;
	}
	if (k == K_BUG) {
		if (!rd->bug && !check_header(rd, line, error))
			return FALSE;
		if (!bug_complete(rd, line, error))
			return FALSE;
		return parse_bug(rd, value, line, error) &&
		       check_bug(rd, rd->bug, line, error);
	}
	if (!rd->bug)
		return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path, line,
			    key, "expected a 'bug' line before it");
	if ((k == K_DECISIONS && rd->bug_decisions) ||
	    (k == K_REPORT && rd->bug_report))
		return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path, line,
			    key, "expected once per bug, found it again for "
			    "the bug on line %d", rd->bug_line);
	if (k == K_DECISIONS) {
		rd->bug_decisions = TRUE;
		if (!sim__schedule_parse_decisions(value, rd->bug->decisions))
			return fail(error, SIM_RESULTS_ERROR_SYNTAX, rd->path,
				    line, key, "expected %s, found '%.60s'",
				    expected[k], value);
		return TRUE;
	}
	rd->bug_report = TRUE;
	rd->bug->report = g_strcompress(value);
	return TRUE;
}

SimResults *sim_results_load(const char *path, GError **error)
{
	g_auto(GStrv) lines = NULL;
	g_autoptr(SimResults) r = sim_results_new();
	Reader rd = { .path = path, .r = r };
	int n;

	lines = sim__line_file_read(path, RESULTS_MAGIC, "results",
				    SIM_RESULTS_ERROR, SIM_RESULTS_ERROR_IO,
				    SIM_RESULTS_ERROR_SYNTAX, error);
	if (!lines)
		return NULL;
	for (n = 1; lines[n]; n++) {
		char *l = g_strstrip(lines[n]);

		if (!*l || *l == '#')
			continue;
		if (!parse_line(&rd, n + 1, l, error))
			return NULL;
	}
	/* A missing key is reported at the last line, where it would go. */
	if (n > 1 && !*lines[n - 1])
		n--;
	if (!bug_complete(&rd, n, error))
		return NULL;
	if (!rd.bug && !check_header(&rd, n, error))
		return NULL;
	r->rate = r->elapsed > 0 ? r->executions / r->elapsed : 0;
	r->path = g_strdup(path);
	return g_steal_pointer(&r);
}

/* -------------------------------------------------------------- merge -- */

static gboolean G_GNUC_PRINTF(4, 5)
mismatch(GError **error, const SimResults *into, const SimResults *from,
	 const char *fmt, ...)
{
	g_autofree char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, SIM_RESULTS_ERROR, SIM_RESULTS_ERROR_MISMATCH,
		    "%s: %s (not the exploration of %s)", from->path ?
		    from->path : "?", what, into->path ? into->path : "?");
	return FALSE;
}

static char *budget_text(const SimResults *r)
{
	return r->runs ? g_strdup_printf("runs %" PRIu64, r->runs) :
			 g_strdup_printf("time %" PRIu64, r->time);
}

static gboolean same_exploration(const SimResults *a, const SimResults *b,
				 GError **error)
{
	g_autofree char *ba = budget_text(a), *bb = budget_text(b);

	if (strcmp(a->scenario, b->scenario) != 0)
		return mismatch(error, a, b, "scenario: expected %s, found %s",
				a->scenario, b->scenario);
	if (strcmp(a->variant, b->variant) != 0)
		return mismatch(error, a, b, "variant: expected %s, found %s",
				a->variant, b->variant);
	if (a->seed != b->seed)
		return mismatch(error, a, b, "seed: expected %" PRIu64 ", "
				"found %" PRIu64, a->seed, b->seed);
	if (strcmp(a->strategy, b->strategy) != 0 || a->depth != b->depth)
		return mismatch(error, a, b, "strategy: expected %s depth "
				"%u, found %s depth %u", a->strategy, a->depth,
				b->strategy, b->depth);
	if (a->shard_n != b->shard_n)
		return mismatch(error, a, b, "shard: expected K/%" PRIu64
				", found %" PRIu64 "/%" PRIu64, a->shard_n,
				b->shard_k, b->shard_n);
	if (strcmp(ba, bb) != 0)
		return mismatch(error, a, b, "budget: expected %s, found %s",
				ba, bb);
	return TRUE;
}

gboolean sim_results_merge(SimResults *into, const SimResults *from,
			   const char **seen, GError **error)
{
	if (!into->scenario) {
		into->scenario = g_strdup(from->scenario);
		into->variant = g_strdup(from->variant);
		into->seed = from->seed;
		into->strategy = g_strdup(from->strategy);
		into->depth = from->depth;
		into->shard_k = from->shard_k;
		into->shard_n = from->shard_n;
		into->runs = from->runs;
		into->time = from->time;
		into->path = g_strdup(from->path);
	} else if (!same_exploration(into, from, error)) {
		return FALSE;
	}
	if (seen[from->shard_k - 1]) {
		g_set_error(error, SIM_RESULTS_ERROR,
			    SIM_RESULTS_ERROR_MISMATCH, "%s: shard %" PRIu64
			    "/%" PRIu64 ": expected each shard once, found it "
			    "again (already in %s)", from->path ? from->path :
			    "?", from->shard_k, from->shard_n,
			    seen[from->shard_k - 1]);
		return FALSE;
	}
	seen[from->shard_k - 1] = from->path ? from->path : "?";
	into->executions += from->executions;
	into->elapsed = MAX(into->elapsed, from->elapsed);
	into->rate += from->rate;
	into->pruned += from->pruned;
	for (guint i = 0; i < from->findings->len; i++) {
		const SimFinding *f = from->findings->pdata[i];
		gboolean is_new;
		uint64_t old_first = UINT64_MAX;
		SimFinding *g = sim_results_lookup(into, f->sig);

		if (g)
			old_first = g->first;
		g = sim_results_add(into, f->sig, f->count, f->first, &is_new);
		if (!is_new && f->first >= old_first)
			continue;
		/* The earliest execution is the one the finding shows. */
		g->expected = f->expected;
		if (g->decisions)
			g_array_unref(g->decisions);
		g->decisions = f->decisions ? g_array_ref(f->decisions) : NULL;
		g_free(g->report);
		g->report = g_strdup(f->report);
	}
	return TRUE;
}

/* ----------------------------------------------------------- printing -- */

void sim_results_json(const SimResults *r, GString *out)
{
	char rate[G_ASCII_DTOSTR_BUF_SIZE], el[G_ASCII_DTOSTR_BUF_SIZE];
	const SimFinding *first = r->findings->len ? r->findings->pdata[0] :
						     NULL;

	g_ascii_formatd(rate, sizeof(rate), "%.1f", r->rate);
	g_ascii_formatd(el, sizeof(el), "%.3f", r->elapsed);
	g_string_append_printf(out, "{\"executions\": %" PRIu64 ", "
			       "\"distinct_bugs\": %u, "
			       "\"first_bug_execution\": ", r->executions,
			       r->findings->len);
	if (first)
		g_string_append_printf(out, "%" PRIu64, first->first);
	else
		g_string_append(out, "null");
	g_string_append_printf(out, ", \"executions_per_second\": %s, "
			       "\"elapsed_seconds\": %s, \"pruned\": %" PRIu64
			       ", ", rate, el, r->pruned);
	sim_results_json_bugs(r->findings, out);
	g_string_append(out, "}\n");
}

void sim_results_json_bugs(const GPtrArray *findings, GString *out)
{
	g_string_append(out, "\"bugs\": [");
	for (guint i = 0; i < findings->len; i++) {
		const SimFinding *f = findings->pdata[i];

		g_string_append_printf(out, "%s{\"signature\": ",
				       i ? ", " : "");
		sim_json_string(out, f->sig);
		g_string_append_printf(out, ", \"count\": %" PRIu64 ", "
				       "\"first_execution\": %" PRIu64 ", "
				       "\"expected\": %s", f->count, f->first,
				       f->expected ? "true" : "false");
		if (f->schedule) {
			g_string_append(out, ", \"schedule\": ");
			sim_json_string(out, f->schedule);
		}
		g_string_append_c(out, '}');
	}
	g_string_append_c(out, ']');
}

void sim_results_summary(const SimResults *r, GString *out)
{
	g_autofree char *name = sim_results_scenario_name(r);

	g_string_append_printf(out, "hvsim: explored %" PRIu64 " executions "
			       "of %s variant=%s seed=%" PRIu64 " in %.2fs "
			       "(%.0f executions/s)\n", r->executions, name,
			       r->variant, r->seed, r->elapsed, r->rate);
	if (r->shard_n > 1 && r->shard_k)
		g_string_append_printf(out, "hvsim: shard %" PRIu64 "/%" PRIu64
				       ": executions i with i mod %" PRIu64
				       " = %" PRIu64 "\n", r->shard_k,
				       r->shard_n, r->shard_n, r->shard_k - 1);
	sim_results_summary_bugs(r->findings, out);
}

void sim_results_summary_bugs(const GPtrArray *findings, GString *out)
{
	if (!findings->len)
		g_string_append(out, "hvsim: no bug found\n");
	else
		g_string_append_printf(out, "hvsim: %u distinct bug%s:\n",
				       findings->len,
				       findings->len == 1 ? "" : "s");
	for (guint i = 0; i < findings->len; i++) {
		const SimFinding *f = findings->pdata[i];

		g_string_append_printf(out, "hvsim:   %s: %" PRIu64 " execution"
				       "%s, first at execution %" PRIu64
				       " (%s)%s%s\n", f->sig, f->count,
				       f->count == 1 ? "" : "s", f->first,
				       f->expected ? "expected" :
						     "NOT expected",
				       f->schedule ? ", saved as " : "",
				       f->schedule ? f->schedule : "");
	}
}
