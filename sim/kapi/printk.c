// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements printk() for the simulated kernel: a trace event per
 * message and a per-execution console log, never output on stdout (see
 * <linux/printk.h> for the contract). It sits between driver code (the
 * printk, pr_* and dev_* macros) and the world's trace and its sync-family
 * state (sim/kapi/kapi.h).
 *
 * The trace keeps the format string, not the formatted text: trace events
 * may only hold strings that outlive the world, and formatting costs time
 * the explorer would pay on every execution. The console keeps the
 * formatted lines for the CLI and for tests, bounded in size, when the
 * world records the full trace (w->trace_on): an explorer, which keeps
 * only the trace's tail and prints nothing of most executions, skips the
 * formatting (about 3% of an execution of the storvsc scenario); the run
 * it prints a report from has the full trace, and the console with it.
 */
#include <inttypes.h>
#include <string.h>

#include "sim/kapi/kapi.h"

#include <linux/printk.h>

#define CONSOLE_MAX	(256 * 1024)

void sim__kapi_console_vprintf(SimWorld *w, const char *fmt, va_list ap)
{
	SimKapiSync *sync;
	GString *c;

	if (!w->trace_on)
		return;
	sync = sim__kapi_sync(w);
	c = sync->console;
	if (sync->console_full)
		return;
	if (c->len >= CONSOLE_MAX) {
		sync->console_full = true;
		g_string_append(c, "hvsim: console log truncated\n");
		return;
	}
	/* The kernel's "[seconds.micros] " stamp, on the virtual clock. */
	g_string_append_printf(c, "[%5" PRIu64 ".%06" PRIu64 "] ",
			       w->now / SIM_SEC, (w->now % SIM_SEC) / SIM_USEC);
	g_string_append_vprintf(c, fmt, ap);
	if (c->len && c->str[c->len - 1] != '\n')
		g_string_append_c(c, '\n');
}

void sim__kapi_console_printf(SimWorld *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim__kapi_console_vprintf(w, fmt, ap);
	va_end(ap);
}

const char *sim_kapi_console(SimWorld *w)
{
	return sim__kapi_sync(w)->console->str;
}

void sim_kapi_printk(SimWorld *w, int level, const char *func,
		     const char *fmt, ...)
{
	const char *text = fmt;
	va_list ap;

	if (!w || !fmt)
		return;
	if (text[0] == KERN_SOH_ASCII && text[1]) {
		if (level < 0 && text[1] >= '0' && text[1] <= '7')
			level = text[1] - '0';
		text += 2;
	}
	if (level < 0)
		level = LOGLEVEL_WARNING;	/* the default message level */
	sim_trace(w, SIM_TR_PRINTK, 0, text, func, level, 0);
	va_start(ap, fmt);
	sim__kapi_console_vprintf(w, text, ap);
	va_end(ap);
}
