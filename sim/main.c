// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements main() of hvsim: it hands the command line to
 * sim/cli.c. It sits between the C runtime and the CLI.
 */
#include <locale.h>

#include "sim/cli.h"

int main(int argc, char **argv)
{
	/* The character set only (GOption's help text); numbers and
	 * everything else printed stay in the C locale. */
	setlocale(LC_CTYPE, "");
	return sim_cli_main(argc, argv);
}
