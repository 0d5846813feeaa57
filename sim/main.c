// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements main() of hvsim: it hands the command line to
 * sim/cli.c. It sits between the C runtime and the CLI.
 */
#include <locale.h>
#include <stddef.h>

#include "sim/cli.h"

/* From drivers/include/hvsim/driver.h, which is not on this include path. */
size_t hvsim_module_names(const char **names, size_t max);

/*
 * libhvsim reaches the drivers only at run time (weak references in
 * sim/scenario.c, the loaded-object walk of sim/snapshot.c), so under
 * --as-needed nothing in the link would keep libhvsim-drivers.so loaded.
 * This reference does.
 */
static size_t (*const keep_drivers)(const char **, size_t)
	__attribute__((used)) = hvsim_module_names;

int main(int argc, char **argv)
{
	/* The character set only (GOption's help text); numbers and
	 * everything else printed stay in the C locale. */
	setlocale(LC_CTYPE, "");
	return sim_cli_main(argc, argv);
}
