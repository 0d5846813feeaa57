// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements schedule files: a small line format (see
 * sim/schedule.h) read with line-numbered errors and written atomically.
 * It sits between the CLI's run, explore and replay commands and the disk.
 *
 * The format is not a GKeyFile: it has no group, and its one long line of
 * decisions reads better without one. Parsing it takes a loop over lines.
 */
#include <stdarg.h>
#include <string.h>

#include <glib.h>

#include "sim/schedule.h"

#define SCHEDULE_MAGIC	"# hvsim schedule v1"

G_DEFINE_QUARK(sim-schedule-error-quark, sim_schedule_error)

typedef enum {
	K_SCENARIO, K_VARIANT, K_SEED, K_STRATEGY, K_EXECUTION, K_SIGNATURE,
	K_DECISIONS, K__N
} Key;

/* Written in this order; each is required. */
static const char *const key_names[K__N] = {
	"scenario", "variant", "seed", "strategy", "execution", "signature",
	"decisions",
};

SimSchedule *sim_schedule_new(void)
{
	SimSchedule *s = g_new0(SimSchedule, 1);

	s->decisions = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	return s;
}

void sim_schedule_free(SimSchedule *s)
{
	if (!s)
		return;
	g_free(s->scenario);
	g_free(s->variant);
	g_free(s->strategy);
	g_free(s->signature);
	g_free(s->path);
	g_array_unref(s->decisions);
	g_free(s);
}

static gboolean G_GNUC_PRINTF(6, 7)
fail(GError **error, SimScheduleError code, const char *path, int line,
     const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim__line_file_vfail(error, SIM_SCHEDULE_ERROR, code, path, line, key,
			     fmt, ap);
	va_end(ap);
	return FALSE;
}

void sim__line_file_vfail(GError **error, GQuark domain, int code,
			  const char *path, int line, const char *key,
			  const char *fmt, va_list ap)
{
	g_autoptr(GString) msg = g_string_new(NULL);

	g_string_append_printf(msg, "%s:%d: ", path, line);
	if (key)
		g_string_append_printf(msg, "%s: ", key);
	g_string_append_vprintf(msg, fmt, ap);
	g_set_error_literal(error, domain, code, msg->str);
}

static gboolean line_file_fail(GError **error, GQuark domain, int code,
			       const char *path, int line, const char *fmt,
			       ...) G_GNUC_PRINTF(6, 7);

static gboolean line_file_fail(GError **error, GQuark domain, int code,
			       const char *path, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim__line_file_vfail(error, domain, code, path, line, NULL, fmt, ap);
	va_end(ap);
	return FALSE;
}

gchar **sim__line_file_read(const char *path, const char *magic,
			    const char *what, GQuark domain, int io_code,
			    int syntax_code, GError **error)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	gsize len;

	if (!g_file_get_contents(path, &text, &len, &err)) {
		g_set_error(error, domain, io_code, "%s: cannot read the %s: %s",
			    path, what, err->message);
		return NULL;
	}
	if (strlen(text) != len || !g_utf8_validate(text, len, NULL)) {
		line_file_fail(error, domain, syntax_code, path, 1,
			       "expected UTF-8 text, found a NUL byte or an "
			       "invalid byte sequence");
		return NULL;
	}
	lines = g_strsplit(text, "\n", -1);
	if (strcmp(g_strchomp(lines[0]), magic) != 0) {
		line_file_fail(error, domain, syntax_code, path, 1,
			       "expected '%s', found '%.60s'", magic, lines[0]);
		return NULL;
	}
	return g_steal_pointer(&lines);
}

static gboolean parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(text, 10, 0, max, &v, NULL))
		return FALSE;
	*out = v;
	return TRUE;
}

gboolean sim__schedule_parse_decisions(const char *text, GArray *out)
{
	g_auto(GStrv) words = g_strsplit_set(text, " \t", -1);

	for (size_t i = 0; words[i]; i++) {
		uint64_t id;
		uint32_t d;

		if (!*words[i])
			continue;
		if (!parse_u64(words[i], UINT32_MAX, &id) || id == 0)
			return FALSE;
		d = (uint32_t)id;
		g_array_append_val(out, d);
	}
	return TRUE;
}

/* Check and store one value; FALSE if it does not fit its key. */
static gboolean set_value(SimSchedule *s, Key k, const char *v)
{
	switch (k) {
	case K_SCENARIO:
		s->scenario = g_strdup(v);
		return *v;
	case K_VARIANT:
		s->variant = g_strdup(v);
		return !strcmp(v, "pre-fix") || !strcmp(v, "post-fix");
	case K_SEED:
		return parse_u64(v, UINT64_MAX, &s->seed);
	case K_STRATEGY:
		s->strategy = g_strdup(v);
		return !strcmp(v, "scripted") || !strcmp(v, "random") ||
		       !strcmp(v, "pct") || !strcmp(v, "dfs");
	case K_EXECUTION:
		return parse_u64(v, UINT64_MAX, &s->execution);
	case K_SIGNATURE:
		s->signature = g_strdup(v);
		return *v && !strpbrk(v, " \t");
	case K_DECISIONS:
		return sim__schedule_parse_decisions(v, s->decisions);
	case K__N:
		break;
	}
	g_assert_not_reached();
}

static const char *const expected[K__N] = {
	"the path of a scenario file",
	"pre-fix or post-fix",
	"a seed: an integer 0..18446744073709551615",
	"scripted, random, pct or dfs",
	"an execution index: an integer 0..18446744073709551615",
	"a signature such as clean or page-fault:hv_ringbuffer_write",
	"task ids (integers >= 1) separated by spaces",
};

static gboolean parse_line(SimSchedule *s, const char *path, int line,
			   char *text, int *seen, GError **error)
{
	char *eq = strchr(text, '=');
	Key k;

	if (!eq)
		return fail(error, SIM_SCHEDULE_ERROR_SYNTAX, path, line, NULL,
			    "expected 'key = value' or a # comment, found "
			    "'%.60s'", text);
	*eq = '\0';
	char *key = g_strstrip(text);
	char *value = g_strstrip(eq + 1);

	for (k = 0; k < K__N; k++)
		if (strcmp(key, key_names[k]) == 0)
			break;
	if (k == K__N) {
		g_autofree char *list = g_strjoinv(", ", (char **)key_names);
		return fail(error, SIM_SCHEDULE_ERROR_SYNTAX, path, line, key,
			    "unknown key; expected one of %s", list);
	}
	if (seen[k])
		return fail(error, SIM_SCHEDULE_ERROR_SYNTAX, path, line, key,
			    "expected each key once, found it again (first "
			    "on line %d)", seen[k]);
	seen[k] = line;
	if (!set_value(s, k, value))
		return fail(error, SIM_SCHEDULE_ERROR_SYNTAX, path, line, key,
			    "expected %s, found '%.60s'", expected[k], value);
	return TRUE;
}

SimSchedule *sim_schedule_load(const char *path, GError **error)
{
	g_auto(GStrv) lines = NULL;
	g_autoptr(SimSchedule) s = sim_schedule_new();
	int seen[K__N] = { 0 };
	int n;

	lines = sim__line_file_read(path, SCHEDULE_MAGIC, "schedule",
				    SIM_SCHEDULE_ERROR, SIM_SCHEDULE_ERROR_IO,
				    SIM_SCHEDULE_ERROR_SYNTAX, error);
	if (!lines)
		return NULL;
	for (n = 1; lines[n]; n++) {
		char *l = g_strstrip(lines[n]);

		if (!*l || *l == '#')
			continue;
		if (!parse_line(s, path, n + 1, l, seen, error))
			return NULL;
	}
	/* A missing key is reported at the last line, where it would go. */
	if (n > 1 && !*lines[n - 1])
		n--;
	for (Key k = 0; k < K__N; k++)
		if (!seen[k]) {
			fail(error, SIM_SCHEDULE_ERROR_MISSING, path, n,
			     key_names[k], "missing required key; expected %s",
			     expected[k]);
			return NULL;
		}
	s->path = g_strdup(path);
	return g_steal_pointer(&s);
}

char *sim_schedule_to_string(const SimSchedule *s)
{
	GString *out = g_string_new(SCHEDULE_MAGIC "\n");

	g_string_append_printf(out, "scenario = %s\n", s->scenario);
	g_string_append_printf(out, "variant = %s\n", s->variant);
	g_string_append_printf(out, "seed = %" G_GUINT64_FORMAT "\n", s->seed);
	g_string_append_printf(out, "strategy = %s\n", s->strategy);
	g_string_append_printf(out, "execution = %" G_GUINT64_FORMAT "\n",
			       s->execution);
	g_string_append_printf(out, "signature = %s\n", s->signature);
	g_string_append(out, "decisions =");
	for (guint i = 0; i < s->decisions->len; i++) {
		uint32_t d = g_array_index(s->decisions, uint32_t, i);

		g_string_append_printf(out, " %u", d);
	}
	g_string_append_c(out, '\n');
	return g_string_free(out, FALSE);
}

gboolean sim_schedule_save(const SimSchedule *s, const char *path,
			   GError **error)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL;

	/* A value is the rest of its line: it cannot hold a line break. */
	if (strpbrk(s->scenario, "\r\n") || strpbrk(s->signature, "\r\n")) {
		g_set_error(error, SIM_SCHEDULE_ERROR, SIM_SCHEDULE_ERROR_IO,
			    "%s: cannot record a scenario path or signature "
			    "containing a line break", path);
		return FALSE;
	}
	text = sim_schedule_to_string(s);
	/* g_file_set_contents writes a temporary file and renames it. */
	if (!g_file_set_contents(path, text, -1, &err)) {
		g_set_error(error, SIM_SCHEDULE_ERROR, SIM_SCHEDULE_ERROR_IO,
			    "%s: cannot write the schedule: %s", path,
			    err->message);
		return FALSE;
	}
	return TRUE;
}

char *sim_schedule_scenario_path(const SimSchedule *s)
{
	g_autofree char *dir = NULL;

	if (g_path_is_absolute(s->scenario) ||
	    g_file_test(s->scenario, G_FILE_TEST_EXISTS) || !s->path)
		return g_strdup(s->scenario);
	dir = g_path_get_dirname(s->path);
	return g_build_filename(dir, s->scenario, NULL);
}
