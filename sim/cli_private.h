/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares what the commands of the hvsim command line share:
 * option parsing, the checks made before anything runs, building a world
 * for a variant, saving a schedule, and printing an outcome. It sits
 * between sim/cli.c (list, run, replay, dispatch) and sim/cli_explore.c.
 * Nothing else includes it.
 */
#ifndef HVSIM_CLI_PRIVATE_H
#define HVSIM_CLI_PRIVATE_H

#include <stdint.h>
#include <glib.h>

#include "sim/scenario.h"
#include "sim/world.h"

/* Print "hvsim CMD: message" on stderr; returns SIM_EXIT_USAGE. */
int sim__cli_usage_error(const char *cmd, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);

/* The option context of "hvsim CMD", its help ending with the exit codes. */
GOptionContext *sim__cli_new_context(const char *cmd, const char *params,
				     const char *summary,
				     const GOptionEntry *entries);

/* Parse @args in place (args[0] is CMD); on a bad option print it and
 * return FALSE. */
gboolean sim__cli_parse_options(GOptionContext *ctx, const char *cmd,
				GStrv *args);

/* @text as an integer >= @min for option @opt, or print why not. */
gboolean sim__cli_parse_u64(const char *cmd, const char *opt,
			    const char *text, uint64_t min, uint64_t *out);

/* NULL (the scenario's default), "pre-fix" or "post-fix"; else print. */
gboolean sim__cli_check_variant(const char *cmd, const char *variant);

/* The scenario at @path, or NULL after printing its error. */
SimScenario *sim__cli_load_scenario(const char *cmd, const char *path);

/* @path as one shell word, quoted only when it needs it. Free it. */
char *sim__cli_shell_word(const char *path);

/*
 * A world set up for @variant of @s, recording the full trace and the
 * allocation stacks when @full (a report will be printed); NULL after
 * printing the error.
 */
SimWorld *sim__cli_make_world(const char *cmd, const SimScenario *s,
			      const char *variant, gboolean full);

/* Save the schedule of the last execution of @w (atomically); print and
 * return FALSE on failure. */
gboolean sim__cli_save_schedule(const char *cmd, const SimWorld *w,
				const SimScenario *s, const char *strategy,
				const char *path);

/*
 * Print how an execution of @s ended (the report and its trailer with
 * @replay_cmd unless @quiet) and whether it meets the expectation of the
 * variant. @end is not SIM_END_UNMET_ORDER. Returns the exit code of the
 * outcome: SIM_EXIT_CLEAN, or SIM_EXIT_BUG for a bug or a runaway.
 */
int sim__cli_print_outcome(const SimScenario *s, const SimWorld *w,
			   SimEnd end, const char *replay_cmd, gboolean quiet);

/* hvsim explore (sim/cli_explore.c). */
/* The commands besides list, run and replay, registered in sim/cli.c. */
int sim__cli_explore(GStrv args);
int sim__cli_check(GStrv args);
int sim__cli_merge(GStrv args);		/* sim/cli_merge.c */
int sim__cli_minimize(GStrv args);	/* sim/cli_minimize.c */

/*
 * The start both explore front ends share: load @path, the seed (the
 * scenario's unless @seed_text), a world for @variant (the scenario's
 * default unless given) with its ordering constraints off, and --save's
 * directory. On bad input prints the error and returns FALSE; *@s and
 * *@w may then hold what was made, for the caller's g_autoptr to free.
 */
gboolean sim__cli_explore_setup(const char *path, const char *seed_text,
				const char *variant, const char *save,
				SimScenario **s, SimWorld **w, uint64_t *seed);

/*
 * Check explore's --runs/--time budget, --save DIR and --variant; prints
 * the usage error and returns FALSE on bad input. @default_runs when
 * neither --runs nor --time is given (0: no limit).
 */
gboolean sim__cli_check_budget(const char *runs_text, const char *time_text,
			       const char *save, const char *variant,
			       uint64_t default_runs, uint64_t *runs,
			       uint64_t *secs);

/*
 * The strategy explore and check use: random, or PCT of @depth with its
 * step bound learned from calibration runs of @w (whose state they reset).
 */
SimStrategy *sim__cli_explore_strategy(SimWorld *w, const SimScenario *s,
				       uint64_t seed, gboolean pct,
				       unsigned depth);

/*
 * The .scn files of @dir, sorted by name, as paths; NULL with a message
 * printed for @cmd when @dir cannot be read.
 */
GPtrArray *sim__cli_scenario_paths(const char *cmd, const char *dir);

#endif /* HVSIM_CLI_PRIVATE_H */
