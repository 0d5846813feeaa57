// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the lookups over the sections the driver shared
 * object carries: the modules' init and exit calls and the named points.
 * The linker defines __start_/__stop_ symbols for each section, local to
 * this shared object, so only code linked into it can walk them.
 */
#include <string.h>

#include <hvsim/driver.h>

extern const struct hvsim_initcall __start_hvsim_initcalls[] __attribute__((visibility("hidden")));
extern const struct hvsim_initcall __stop_hvsim_initcalls[] __attribute__((visibility("hidden")));
extern const struct hvsim_exitcall __start_hvsim_exitcalls[] __attribute__((visibility("hidden")));
extern const struct hvsim_exitcall __stop_hvsim_exitcalls[] __attribute__((visibility("hidden")));
extern const SimPointDesc *const __start_hvsim_point_ptrs[] __attribute__((visibility("hidden")));
extern const SimPointDesc *const __stop_hvsim_point_ptrs[] __attribute__((visibility("hidden")));

/* Keep every section present even if no driver uses it. */
static const struct hvsim_initcall __hvsim_initcall_anchor
__attribute__((section("hvsim_initcalls"), used, aligned(8))) = { "", NULL };
static const struct hvsim_exitcall __hvsim_exitcall_anchor
__attribute__((section("hvsim_exitcalls"), used, aligned(8))) = { "", NULL };
static const SimPointDesc *const __hvsim_point_anchor
__attribute__((section("hvsim_point_ptrs"), used)) = NULL;

const struct hvsim_initcall *hvsim_module_init_lookup(const char *modname)
{
	const struct hvsim_initcall *c;

	for (c = __start_hvsim_initcalls; c < __stop_hvsim_initcalls; c++)
		if (c->fn && strcmp(c->modname, modname) == 0)
			return c;
	return NULL;
}

const struct hvsim_exitcall *hvsim_module_exit_lookup(const char *modname)
{
	const struct hvsim_exitcall *c;

	for (c = __start_hvsim_exitcalls; c < __stop_hvsim_exitcalls; c++)
		if (c->fn && strcmp(c->modname, modname) == 0)
			return c;
	return NULL;
}

size_t hvsim_module_names(const char **names, size_t max)
{
	const struct hvsim_initcall *c;
	size_t n = 0;

	for (c = __start_hvsim_initcalls; c < __stop_hvsim_initcalls; c++) {
		if (!c->fn)
			continue;
		if (n < max)
			names[n] = c->modname;
		n++;
	}
	return n;
}

size_t hvsim_point_descs(const SimPointDesc **descs, size_t max)
{
	const SimPointDesc *const *p;
	size_t n = 0;

	for (p = __start_hvsim_point_ptrs; p < __stop_hvsim_point_ptrs; p++) {
		if (!*p)
			continue;
		if (n < max)
			descs[n] = *p;
		n++;
	}
	return n;
}
