// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the scenario loader's key-file reader: it scans the
 * text of a GLib key file itself, recording each group and key with its
 * line and rejecting with that line anything GKeyFile would reject, then
 * lets GKeyFile read the values (for its escapes) and types them by
 * SimKeySpec schemas. It sits between GKeyFile, which reports no line
 * numbers, and the scenario loader (sim/scenario.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "sim/keyfile.h"
#include "sim/scenario.h"

/* How much of a bad value an error message quotes. */
#define QUOTE_CHARS	60

static void entry_free(gpointer p)
{
	SimKfEntry *e = p;

	g_free(e->key);
	g_free(e->raw);
	g_free(e);
}

static void group_free(gpointer p)
{
	SimKfGroup *g = p;

	g_free(g->name);
	g_ptr_array_unref(g->entries);
	g_free(g);
}

/* Shortened so that a long line does not drown the message. */
char *sim__kf_quote(const char *text)
{
	if (g_utf8_strlen(text, -1) <= QUOTE_CHARS)
		return g_strdup(text);
	g_autofree char *head = g_utf8_substring(text, 0, QUOTE_CHARS - 3);
	return g_strconcat(head, "...", NULL);
}

gboolean sim__kf_failv(const SimKf *kf, GError **error, SimScenarioError code,
		       int line, const char *group, const char *key,
		       const char *fmt, va_list ap)
{
	g_autoptr(GString) msg = g_string_new(NULL);

	g_string_append_printf(msg, "%s:%d: ", kf->path, line);
	if (group)
		g_string_append_printf(msg, "[%s]%s", group, key ? " " : ": ");
	if (key)
		g_string_append_printf(msg, "%s: ", key);
	g_string_append_vprintf(msg, fmt, ap);
	g_set_error_literal(error, SIM_SCENARIO_ERROR, code, msg->str);
	return FALSE;
}

gboolean sim__kf_fail(const SimKf *kf, GError **error, SimScenarioError code,
		      int line, const char *group, const char *key,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim__kf_failv(kf, error, code, line, group, key, fmt, ap);
	va_end(ap);
	return FALSE;
}

SimKfGroup *sim__kf_group(const SimKf *kf, const char *name)
{
	for (guint i = 0; i < kf->groups->len; i++) {
		SimKfGroup *g = kf->groups->pdata[i];

		if (strcmp(g->name, name) == 0)
			return g;
	}
	return NULL;
}

SimKfEntry *sim__kf_entry(const SimKfGroup *g, const char *key)
{
	if (!g)
		return NULL;
	for (guint i = 0; i < g->entries->len; i++) {
		SimKfEntry *e = g->entries->pdata[i];

		if (strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

size_t sim__kf_nkeys(const SimKeySpec *keys)
{
	size_t n = 0;

	while (keys && keys[n].key)
		n++;
	return n;
}

/* ------------------------------------------------------------- syntax -- */

static gboolean scan_group_line(SimKf *kf, char *s, int line,
				SimKfGroup **cur, GError **error)
{
	char *close = strchr(s, ']');
	const char *p;

	if (close)
		for (p = close + 1; *p == ' ' || *p == '\t'; p++)
			;
	if (!close || *p || close == s + 1 ||
	    memchr(s + 1, '[', close - s - 1)) {
		g_autofree char *q = sim__kf_quote(s);
		return sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_SYNTAX, line,
				    NULL, NULL, "expected a group header "
				    "'[name]', found '%s'", q);
	}
	*close = '\0';
	SimKfGroup *dup = sim__kf_group(kf, s + 1);
	if (dup)
		return sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_SYNTAX, line,
				    s + 1, NULL, "expected each group once, "
				    "found it again (first on line %d)",
				    dup->line);

	SimKfGroup *g = g_new0(SimKfGroup, 1);
	g->name = g_strdup(s + 1);
	g->line = line;
	g->entries = g_ptr_array_new_with_free_func(entry_free);
	g_ptr_array_add(kf->groups, g);
	*cur = g;
	return TRUE;
}

static gboolean scan_key_line(SimKf *kf, char *s, int line,
			      SimKfGroup *cur, GError **error)
{
	char *eq = strchr(s, '=');

	if (!eq || eq == s) {
		g_autofree char *q = sim__kf_quote(s);
		return sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_SYNTAX, line,
				    NULL, NULL, "expected 'key = value', a "
				    "[group] header or a # comment, found '%s'",
				    q);
	}
	*eq = '\0';
	char *key = g_strstrip(s);
	char *value = g_strstrip(eq + 1);

	if (!cur) {
		g_autofree char *q = sim__kf_quote(value);
		return sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_SYNTAX, line,
				    NULL, key, "expected a [group] header "
				    "before the first key, found '%s = %s'",
				    key, q);
	}
	/* GKeyFile reads "key[xx]" as a translation; we have none. */
	if (strpbrk(key, "[]"))
		return sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_UNKNOWN, line,
				    cur->name, key, "expected a key name "
				    "without brackets (keys are not "
				    "translated), found '%s'", key);
	SimKfEntry *dup = sim__kf_entry(cur, key);
	if (dup)
		return sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_SYNTAX, line,
				    cur->name, key, "expected each key once "
				    "per group, found it again (first on line "
				    "%d)", dup->line);

	SimKfEntry *e = g_new0(SimKfEntry, 1);
	e->key = g_strdup(key);
	e->raw = g_strdup(value);
	e->line = line;
	g_ptr_array_add(cur->entries, e);
	return TRUE;
}

/* Record every group and key with its line; reject what GKeyFile would. */
static gboolean scan(SimKf *kf, const char *text, gsize len, GError **error)
{
	const char *p = text, *end = text + len;
	SimKfGroup *cur = NULL;
	int line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		gsize n = (nl ? nl : end) - p;
		g_autofree char *buf = g_strndup(p, n);
		char *s = buf;

		line++;
		p = nl ? nl + 1 : end;
		if (strlen(buf) != n || !g_utf8_validate(buf, n, NULL))
			return sim__kf_fail(kf, error,
					    SIM_SCENARIO_ERROR_SYNTAX, line,
					    NULL, NULL, "expected UTF-8 text, "
					    "found a NUL byte or an invalid "
					    "byte sequence");
		/* GKeyFile drops the \r of CRLF line ends; so do we. */
		if (n && buf[n - 1] == '\r')
			buf[n - 1] = '\0';
		while (g_ascii_isspace(*s))
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			if (!scan_group_line(kf, s, line, &cur, error))
				return FALSE;
		} else if (!scan_key_line(kf, s, line, cur, error)) {
			return FALSE;
		}
	}
	kf->nlines = line;
	return TRUE;
}

/* ------------------------------------------------------------- values -- */

/* The value of @e, unescaped by GKeyFile and stripped. */
static char *entry_string(const SimKf *kf, const SimKfGroup *g,
			  const SimKfEntry *e, GError **error)
{
	g_autoptr(GError) err = NULL;
	char *v = g_key_file_get_string(kf->gkf, g->name, e->key, &err);

	if (!v) {
		g_autofree char *q = sim__kf_quote(e->raw);
		sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_VALUE, e->line,
			     g->name, e->key, "expected a string with valid "
			     "escapes (\\s \\n \\t \\r \\\\), found '%s'", q);
		return NULL;
	}
	return g_strstrip(v);
}

/*
 * What a key takes, as the "expected ..." part of an error. A missing key
 * also says what it means (@with_help); a wrong value does not repeat it.
 */
static char *expected_text(const SimKeySpec *spec, gboolean with_help)
{
	g_autoptr(GString) s = g_string_new(NULL);

	switch (spec->type) {
	case SIM_KEY_INT:
		if (spec->min == 0 && spec->max == 0)
			g_string_append(s, "an integer");
		else if (spec->max == INT64_MAX)
			g_string_append_printf(s, "an integer >= %"
					       G_GINT64_FORMAT, spec->min);
		else
			g_string_append_printf(s, "an integer in %"
					       G_GINT64_FORMAT "..%"
					       G_GINT64_FORMAT, spec->min,
					       spec->max);
		break;
	case SIM_KEY_TIME:
		g_string_append(s, "a time (0, or an integer with a unit ns, "
				"us, ms or s, e.g. 250ns, 10us, 5ms, 2s)");
		break;
	case SIM_KEY_BOOL:
		g_string_append(s, "true or false");
		break;
	case SIM_KEY_ENUM:
		g_string_append(s, "one of ");
		for (size_t i = 0; spec->enum_values[i]; i++)
			g_string_append_printf(s, "%s%s", i ? ", " : "",
					       spec->enum_values[i]);
		break;
	case SIM_KEY_STRING:
		/* For a string, what it means is all there is to say. */
		if (with_help && spec->help)
			return g_strdup(spec->help);
		g_string_append(s, "a non-empty string");
		break;
	}
	if (with_help && spec->help)
		g_string_append_printf(s, ": %s", spec->help);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

/* Digits then a known unit, but too large: worth its own message. */
static gboolean time_overflows(const char *text)
{
	const char *p = text;

	while (g_ascii_isdigit(*p))
		p++;
	return p != text && (!strcmp(p, "ns") || !strcmp(p, "us") ||
			     !strcmp(p, "ms") || !strcmp(p, "s"));
}

/* Parse @text by @spec into @out; FALSE if it does not fit. */
static gboolean parse_typed(const SimKeySpec *spec, const char *text,
			    SimKeyValue *out)
{
	gint64 lo = spec->min, hi = spec->max;

	switch (spec->type) {
	case SIM_KEY_INT:
		if (lo == 0 && hi == 0) {
			lo = G_MININT64;
			hi = G_MAXINT64;
		}
		return g_ascii_string_to_signed(text, 10, lo, hi, &out->i,
						NULL);
	case SIM_KEY_TIME:
		return sim_parse_time(text, &out->t);
	case SIM_KEY_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
			out->i = text[0] == 't';
			return TRUE;
		}
		return FALSE;
	case SIM_KEY_ENUM:
		for (size_t i = 0; spec->enum_values[i]; i++) {
			if (strcmp(text, spec->enum_values[i]) == 0) {
				out->i = i;
				return TRUE;
			}
		}
		return FALSE;
	case SIM_KEY_STRING:
		return TRUE;
	}
	return FALSE;
}

static gboolean parse_entry(const SimKf *kf, const SimKfGroup *g,
			    const SimKfEntry *e, const SimKeySpec *spec,
			    SimKeyValue *out, GError **error)
{
	g_autofree char *text = entry_string(kf, g, e, error);

	if (!text)
		return FALSE;
	out->spec = spec;
	out->line = e->line;
	if (parse_typed(spec, text, out) &&
	    !(spec->type == SIM_KEY_STRING && spec->required && !*text)) {
		out->text = g_steal_pointer(&text);
		return TRUE;
	}

	g_autofree char *q = sim__kf_quote(text);
	g_autofree char *exp = expected_text(spec, FALSE);
	const char *hint = "";

	if (spec->type == SIM_KEY_TIME && time_overflows(text))
		return sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_VALUE,
				    e->line, g->name, e->key, "expected a time "
				    "below 2^64 ns (about 584 years), found "
				    "'%s'", q);
	/* GKeyFile has no trailing comments: say so rather than puzzle. */
	if (strstr(text, " #") || strstr(text, "\t#"))
		hint = " (comments go on their own line)";
	return sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_VALUE, e->line,
			    g->name, e->key, "expected %s, found '%s'%s", exp,
			    q, hint);
}

/*
 * parse_schema - fill @vals (one per key of @keys) from group @g, which may
 * be NULL for an absent optional group: defaults for keys not written,
 * an error for a required key not written. The caller has rejected keys
 * that are not in the schema.
 */
gboolean sim__kf_parse_schema(const SimKf *kf, const SimKfGroup *g,
			      const char *gname, const SimKeySpec *keys,
			      SimKeyValue *vals, GError **error)
{
	for (size_t i = 0; keys && keys[i].key; i++) {
		const SimKeySpec *spec = &keys[i];
		const SimKfEntry *e = sim__kf_entry(g, spec->key);

		if (e) {
			if (!parse_entry(kf, g, e, spec, &vals[i], error))
				return FALSE;
			continue;
		}
		if (spec->required) {
			g_autofree char *exp = expected_text(spec, TRUE);
			return sim__kf_fail(kf, error,
					    SIM_SCENARIO_ERROR_MISSING,
					    g ? g->line : kf->nlines, gname,
					    spec->key, "missing required key; "
					    "expected %s", exp);
		}
		vals[i].spec = spec;
		vals[i].line = 0;
		vals[i].text = g_strdup(spec->def ? spec->def : "");
		/* A default that does not parse is the model's bug. */
		g_assert(parse_typed(spec, vals[i].text, &vals[i]));
	}
	return TRUE;
}

gboolean sim__kf_check_keys(const SimKf *kf, const SimKfGroup *g,
			    const SimKeySpec *const *schemas, size_t n,
			    GError **error)
{
	for (guint i = 0; i < g->entries->len; i++) {
		const SimKfEntry *e = g->entries->pdata[i];
		gboolean known = FALSE;

		for (size_t j = 0; j < n && !known; j++)
			for (size_t k = 0; schemas[j] && schemas[j][k].key; k++)
				if (strcmp(schemas[j][k].key, e->key) == 0)
					known = TRUE;
		if (known)
			continue;

		g_autoptr(GString) list = g_string_new(NULL);
		for (size_t j = 0; j < n; j++)
			for (size_t k = 0; schemas[j] && schemas[j][k].key; k++)
				g_string_append_printf(list, "%s%s",
						       list->len ? ", " : "",
						       schemas[j][k].key);
		return sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_UNKNOWN,
				    e->line, g->name, e->key, "unknown key; "
				    "expected one of %s",
				    list->len ? list->str : "(none)");
	}
	return TRUE;
}

void sim__kf_values_clear(SimKeyValue *vals, size_t n)
{
	for (size_t i = 0; i < n; i++)
		g_free((char *)vals[i].text);
}

gboolean sim__kf_load_group(const SimKf *kf, const char *name,
			    gboolean required, const SimKeySpec *keys,
			    SimKeyValue *vals, GError **error)
{
	const SimKfGroup *g = sim__kf_group(kf, name);

	if (!g && required) {
		g_autoptr(GString) list = g_string_new(NULL);
		for (size_t i = 0; keys[i].key; i++)
			if (keys[i].required)
				g_string_append_printf(list, "%s%s",
						       list->len ? ", " : "",
						       keys[i].key);
		return sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_MISSING,
				    kf->nlines, name, NULL, "missing required "
				    "group; expected it with keys %s",
				    list->str);
	}
	if (g && !sim__kf_check_keys(kf, g, &keys, 1, error))
		return FALSE;
	return sim__kf_parse_schema(kf, g, name, keys, vals, error);
}

char *sim__kf_join(const char *const *names, size_t n)
{
	g_autoptr(GString) s = g_string_new(NULL);

	for (size_t i = 0; i < n && names[i]; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", names[i]);
	return g_string_free(g_steal_pointer(&s), FALSE);
}


void sim__kf_free(SimKf *kf)
{
	if (!kf)
		return;
	g_free(kf->path);
	if (kf->gkf)
		g_key_file_unref(kf->gkf);
	g_ptr_array_unref(kf->groups);
	g_free(kf);
}

/*
 * Why @path could not be read, without GLib's restatement of the path:
 * the errno of opening it, or GLib's message when it opens (a directory).
 */
static char *read_error(const char *path, const GError *err)
{
	int fd = g_open(path, O_RDONLY, 0);

	if (fd < 0)
		return g_strdup(g_strerror(errno));
	g_close(fd, NULL);
	return g_strdup(err->message);
}

SimKf *sim__kf_load(const char *path, GError **error)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, &err)) {
		g_autofree char *why = read_error(path, err);

		g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO,
			    "%s: cannot read: %s", path, why);
		return NULL;
	}

	g_autoptr(SimKf) kf = g_new0(SimKf, 1);
	kf->path = g_strdup(path);
	kf->groups = g_ptr_array_new_with_free_func(group_free);
	if (!scan(kf, text, len, error))
		return NULL;
	kf->gkf = g_key_file_new();
	if (!g_key_file_load_from_data(kf->gkf, text, len, G_KEY_FILE_NONE,
				       &err)) {
		/* The scan rejects what GKeyFile does; this is a safety net. */
		sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_SYNTAX, 1, NULL,
			     NULL, "expected a GLib key file, found one "
			     "GKeyFile rejects: %s", err->message);
		return NULL;
	}
	return g_steal_pointer(&kf);
}
