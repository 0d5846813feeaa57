/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the results of an exploration: what was explored
 * (scenario, variant, seed, strategy, shard, budget), how much and how
 * fast, and each distinct finding with its count, first execution and the
 * schedule of that execution. It sits between the commands that produce
 * or combine results (explore, merge: sim/cli_explore.c, sim/cli_merge.c)
 * and the disk (results files) and stdout (the summary and the JSON
 * object, the same for both commands).
 *
 * Results file format, one "key = value" per line, '#' comments:
 *
 *   # hvsim results v1
 *   scenario = scenarios/storvsc-subchannel-race.scn
 *   variant = pre-fix
 *   seed = 1
 *   strategy = pct                  (random | pct)
 *   depth = 3                       (PCT depth; 0 for random)
 *   shard = 1/2                     (K/N: executions i with i mod N = K-1)
 *   budget = runs 20000             (or "time SECONDS")
 *   executions = 10000              (executions this file covers)
 *   elapsed = 0.412                 (seconds of wall-clock time)
 *   pruned = 0
 *   bug = page-fault:hv_ringbuffer_write 68 6 expected
 *   decisions = 1 3 3 2
 *   bug = crash:SIGABRT 1 77 unexpected
 *   decisions = 1 2
 *   report = hvsim: the worker ...\n...
 *
 * The header keys come first, each once. Then one "bug = SIGNATURE COUNT
 * FIRST expected|unexpected" line per finding, in any order, each
 * followed by "decisions" (the schedule of its first execution, task ids)
 * and, for a worker that died, "report" (the text explore printed, with
 * C escapes: no re-run can print it again). With "runs N", a shard K/N'
 * covers executions K-1, K-1+N', ... below N; with "time", its first
 * "executions" of that sequence.
 */
#ifndef HVSIM_RESULTS_H
#define HVSIM_RESULTS_H

#include <stdint.h>
#include <glib.h>

/* Most shards an exploration is split into. */
#define SIM_RESULTS_MAX_SHARDS	1000000

#define SIM_RESULTS_ERROR (sim_results_error_quark())
GQuark sim_results_error_quark(void);

typedef enum {
	SIM_RESULTS_ERROR_IO,		/* cannot read or write the file */
	SIM_RESULTS_ERROR_SYNTAX,	/* bad line, version, key or value */
	SIM_RESULTS_ERROR_MISSING,	/* required key absent */
	SIM_RESULTS_ERROR_MISMATCH,	/* files of different explorations */
} SimResultsError;

/* One distinct outcome other than clean. */
typedef struct {
	char *sig;
	uint64_t count;
	uint64_t first;		/* execution index */
	gboolean expected;	/* meets the scenario's expectation */
	GArray *decisions;	/* uint32_t: schedule of the first execution */
	char *report;		/* a dead worker's report text, or NULL */
	char *schedule;		/* schedule file saved by this run, or NULL */
} SimFinding;

typedef struct {
	char *scenario;		/* path as given */
	char *variant;
	uint64_t seed;
	char *strategy;		/* "random" / "pct" */
	unsigned depth;		/* PCT depth, 0 for random */
	uint64_t shard_k;	/* 1-based */
	uint64_t shard_n;
	uint64_t runs;		/* budget: runs, or ... */
	uint64_t time;		/* ... seconds; exactly one is non-zero */
	uint64_t executions;
	double elapsed;		/* seconds */
	double rate;		/* executions per second (not in the file) */
	uint64_t pruned;
	GPtrArray *findings;	/* SimFinding*, ascending first execution */
	char *path;		/* the file read, or NULL */
} SimResults;

SimResults *sim_results_new(void);
void sim_results_free(SimResults *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimResults, sim_results_free)

/* The finding of @sig, or NULL. */
SimFinding *sim_results_lookup(const SimResults *r, const char *sig);

/*
 * sim_results_add - count @count executions ending with @sig, the first
 * of them execution @first. Returns the finding; *@is_new says whether it
 * was created (it is then placed by its first execution).
 */
SimFinding *sim_results_add(SimResults *r, const char *sig, uint64_t count,
			    uint64_t first, gboolean *is_new);

/*
 * sim_results_load - read and check @path; errors are
 * "FILE:LINE: key: expected ..., found '...'".
 */
SimResults *sim_results_load(const char *path, GError **error);

/* The text sim_results_save() writes; free it. */
char *sim_results_to_string(const SimResults *r);

/* Write @r to @path through a temporary file renamed into place. */
gboolean sim_results_save(const SimResults *r, const char *path,
			  GError **error);

/*
 * sim_results_merge - add the shard @from to @into. An empty @into (no
 * scenario yet) takes @from's header; otherwise both must record the same
 * exploration (scenario, variant, seed, strategy, depth, number of shards,
 * budget), and @into must not hold that shard yet: @seen has one entry
 * per shard, indexed K-1, the path of the file that brought it or NULL.
 * Counts add up, first executions take the earliest (with its schedule),
 * executions add up, elapsed is the longest (shards run side by side) and
 * the rates add up.
 */
gboolean sim_results_merge(SimResults *into, const SimResults *from,
			   const char **seen, GError **error);

/*
 * Where the schedule of a finding is saved in @dir: signature
 * "deadlock:f" of storvsc-x pre-fix gives "storvsc-x.pre-fix.deadlock-f.schedule".
 */
char *sim_results_schedule_path(const char *dir, const char *basename,
				const char *variant, const char *sig);

/* "storvsc-subchannel-race" for "scenarios/storvsc-subchannel-race.scn". */
char *sim_results_scenario_name(const SimResults *r);

/*
 * The human summary: "hvsim: explored N executions of ...", then one line
 * per finding. The JSON object: executions, distinct_bugs,
 * first_bug_execution, executions_per_second, elapsed_seconds, pruned and
 * bugs (signature, count, first_execution, expected, schedule when saved),
 * on one line.
 */
void sim_results_summary(const SimResults *r, GString *out);
void sim_results_json(const SimResults *r, GString *out);
/* The parts both explore and the DFS front end print: the list of
 * findings (SimFinding*) as text lines, and as the JSON member
 * "bugs": [...] without a trailing separator. */
void sim_results_summary_bugs(const GPtrArray *findings, GString *out);
void sim_results_json_bugs(const GPtrArray *findings, GString *out);
/* Frees a SimFinding (a GDestroyNotify for findings arrays). */
void sim_finding_free(gpointer f);


#endif /* HVSIM_RESULTS_H */
