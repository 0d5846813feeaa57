/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares schedule files: the record of one execution, enough to
 * replay it decision for decision. It sits between the CLI, which saves a
 * schedule after `run --save-schedule` or for each new bug `explore` finds,
 * and `hvsim replay`, which reads it back.
 *
 * Format, one "key = value" per line, '#' comments, every key once:
 *
 *   # hvsim schedule v1
 *   scenario = scenarios/storvsc-subchannel-race.scn
 *   variant = pre-fix
 *   seed = 7
 *   strategy = random
 *   execution = 0
 *   signature = page-fault:hv_ringbuffer_write
 *   decisions = 1 3 3 2
 *
 * The first line names the format and its version. "scenario" is the path
 * as it was given to hvsim; a relative path is looked up from the current
 * directory, then from the schedule file's directory. "strategy" is how the
 * execution was scheduled (scripted: the scenario's ordering constraints
 * held tasks back; random, pct, dfs: they did not), which replay must
 * repeat since it changes which tasks are runnable. "signature" is the
 * outcome as sim_report_signature() gives it ("KIND:FUNC", or "clean",
 * "step-limit", "time-limit"). "decisions" are task ids, one per decision
 * point, separated by spaces.
 */
#ifndef HVSIM_SCHEDULE_H
#define HVSIM_SCHEDULE_H

#include <stdarg.h>
#include <stdint.h>
#include <glib.h>

#define SIM_SCHEDULE_ERROR (sim_schedule_error_quark())
GQuark sim_schedule_error_quark(void);

typedef enum {
	SIM_SCHEDULE_ERROR_IO,		/* cannot read or write the file */
	SIM_SCHEDULE_ERROR_SYNTAX,	/* bad line, version, key or value */
	SIM_SCHEDULE_ERROR_MISSING,	/* required key absent */
} SimScheduleError;

typedef struct {
	char *scenario;		/* path as recorded */
	char *variant;		/* "pre-fix" / "post-fix" */
	uint64_t seed;
	char *strategy;		/* "scripted" / "random" / "pct" / "dfs" */
	uint64_t execution;
	char *signature;
	GArray *decisions;	/* uint32_t task ids */
	char *path;		/* the file read, NULL for a new schedule */
} SimSchedule;

/* An empty schedule; fill the fields, then save it. */
SimSchedule *sim_schedule_new(void);
void sim_schedule_free(SimSchedule *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimSchedule, sim_schedule_free)

/*
 * sim_schedule_load - read and check @path. Every key is required; an
 * unknown or repeated key, a bad value or a wrong first line is an error
 * "FILE:LINE: key: expected ..., found '...'". Returns NULL with @error set.
 */
SimSchedule *sim_schedule_load(const char *path, GError **error);

/* The text sim_schedule_save() writes; free it. */
char *sim_schedule_to_string(const SimSchedule *s);

/*
 * sim_schedule_save - write @s to @path through a temporary file renamed
 * into place, so a reader never sees half a schedule and a failure leaves
 * any earlier file intact.
 */
gboolean sim_schedule_save(const SimSchedule *s, const char *path,
			   GError **error);

/*
 * sim_schedule_scenario_path - where the recorded scenario is: the path as
 * recorded if it is absolute or exists from the current directory, else
 * resolved from the schedule file's directory. Free the result.
 */
char *sim_schedule_scenario_path(const SimSchedule *s);

/*
 * The line-oriented text files hvsim writes (schedules, results): the
 * lines of @path, checked to be UTF-8 text whose first line is @magic, or
 * NULL with @error in @domain ("PATH: cannot read the WHAT: ..." with
 * @io_code, "PATH:1: expected ..." with @syntax_code).
 */
gchar **sim__line_file_read(const char *path, const char *magic,
			    const char *what, GQuark domain, int io_code,
			    int syntax_code, GError **error);
/* Append the task ids of "3 1 4 ..." (each 1..UINT32_MAX) to @out; FALSE
 * on anything else. Schedules and results files both store decisions so. */
gboolean sim__schedule_parse_decisions(const char *text, GArray *out);

/* Set @error to "PATH:LINE: [KEY: ]message". */
void sim__line_file_vfail(GError **error, GQuark domain, int code,
			  const char *path, int line, const char *key,
			  const char *fmt, va_list ap);

#endif /* HVSIM_SCHEDULE_H */
