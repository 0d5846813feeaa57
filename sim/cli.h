/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the hvsim command line: list, run, replay and explore.
 * It sits between main() (sim/main.c) and the scenario loader, the engine
 * and the report and trace writers.
 */
#ifndef HVSIM_CLI_H
#define HVSIM_CLI_H

/* Exit codes, as the design brief fixes them. */
enum {
	SIM_EXIT_CLEAN = 0,	/* clean, or every expectation met */
	SIM_EXIT_BUG = 1,	/* a bug (or a runaway) was found */
	SIM_EXIT_USAGE = 2,	/* bad usage or bad input; nothing ran */
	SIM_EXIT_INTERNAL = 3,	/* internal error, e.g. a replay diverged */
};

/*
 * sim_cli_main - run the hvsim command in @argv. Prints to stdout and
 * stderr and returns the exit code.
 */
int sim_cli_main(int argc, char **argv);

#endif /* HVSIM_CLI_H */
