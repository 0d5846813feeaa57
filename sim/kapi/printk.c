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
#include <stdio.h>
#include <string.h>

#include "sim/kapi/kapi.h"

#include <linux/printk.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
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

/* ------------------------------------------------- task-name formats -- */

/*
 * The formats of task, workqueue and device names ("kworker/%d:%d%s",
 * "scsi_scan_%d", a GUID as sixteen "%02x") are formatted once or more
 * per execution; the C library's vsnprintf costs a few hundred
 * nanoseconds each, most of it setting up its stream. fast_format() does
 * the few conversions those formats use, with the C library's output:
 * "%%", "%s" (no flags, no width, not NULL) and "%d", "%i", "%u", "%x"
 * with an optional '0' flag and width (no negative number with a width).
 * Anything else, or more than FAST_FORMAT_MAX bytes, returns -1 with @ap
 * consumed in part; the callers then format with the C library from a
 * copy of @ap taken before.
 */
#define FAST_FORMAT_MAX	256

static int fast_format(char *out, const char *fmt, va_list ap)
{
	size_t n = 0;
	const char *f;

	for (f = fmt; *f; f++) {
		char digits[24];
		unsigned long long v;
		unsigned int width = 0, nd = 0, base = 10;
		bool zero = false, neg = false;
		const char *str;

		if (*f != '%') {
			if (n + 1 > FAST_FORMAT_MAX)
				return -1;
			out[n++] = *f;
			continue;
		}
		f++;
		if (*f == '0') {
			zero = true;
			f++;
		}
		while (*f >= '0' && *f <= '9') {
			width = width * 10 + (unsigned int)(*f - '0');
			if (width > 64)
				return -1;
			f++;
		}
		switch (*f) {
		case '%':
			if (zero || width)
				return -1;
			if (n + 1 > FAST_FORMAT_MAX)
				return -1;
			out[n++] = '%';
			continue;
		case 's':
			if (zero || width)
				return -1;
			str = va_arg(ap, const char *);
			if (!str)
				return -1;
			/* Names are short: a byte loop, no calls. */
			for (; *str; str++) {
				if (n + 1 > FAST_FORMAT_MAX)
					return -1;
				out[n++] = *str;
			}
			continue;
		case 'd':
		case 'i': {
			int i = va_arg(ap, int);

			neg = i < 0;
			if (neg && width)
				return -1;
			v = neg ? -(unsigned long long)(long long)i :
				(unsigned long long)i;
			break;
		}
		case 'u':
			v = va_arg(ap, unsigned int);
			break;
		case 'x':
			v = va_arg(ap, unsigned int);
			base = 16;
			/* "%02x" of a byte, the GUIDs of device names. */
			if (zero && width == 2 && v < 256) {
				if (n + 2 > FAST_FORMAT_MAX)
					return -1;
				out[n++] = "0123456789abcdef"[v >> 4];
				out[n++] = "0123456789abcdef"[v & 15];
				continue;
			}
			break;
		default:
			return -1;
		}
		/* Constant divisors: shifts and multiplications. */
		if (base == 16) {
			do {
				digits[nd++] = "0123456789abcdef"[v & 15];
				v >>= 4;
			} while (v);
		} else {
			do {
				digits[nd++] = (char)('0' + v % 10);
				v /= 10;
			} while (v);
		}
		if (n + (neg ? 1 : 0) + MAX(width, nd) > FAST_FORMAT_MAX)
			return -1;
		if (neg)
			out[n++] = '-';
		for (; width > nd; width--)
			out[n++] = zero ? '0' : ' ';
		while (nd)
			out[n++] = digits[--nd];
	}
	return (int)n;
}

int sim__kapi_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	char out[FAST_FORMAT_MAX];
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = fast_format(out, fmt, ap);
	if (n < 0) {
		n = vsnprintf(buf, size, fmt, copy);
		va_end(copy);
		return n;
	}
	va_end(copy);
	if (size) {
		size_t k = MIN((size_t)n, size - 1);

		memcpy(buf, out, k);
		buf[k] = '\0';
	}
	return n;
}

int sim__kapi_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = sim__kapi_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

char *sim__kapi_strdup_vprintf(const char *fmt, va_list ap)
{
	char out[FAST_FORMAT_MAX];
	va_list copy;
	char *s;
	int n;

	va_copy(copy, ap);
	n = fast_format(out, fmt, ap);
	if (n < 0)
		s = g_strdup_vprintf(fmt, copy);
	else
		s = g_strndup(out, (gsize)n);
	va_end(copy);
	return s;
}

char *sim__kapi_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sim__kapi_strdup_vprintf(fmt, ap);
	va_end(ap);
	return s;
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
