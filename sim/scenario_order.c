// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the check of a scenario's ordering constraints
 * ("a.x < b.y < c.z; d.u < e.v"): their syntax, and that every point is
 * one the drivers declare, with the near matches of one that is not. It
 * sits between the scenario loader (sim/scenario.c) and the named points
 * of the drivers (sim_point() in drivers/, listed by hvsim_point_descs()).
 */
#include <string.h>

#include <glib.h>

#include <hvsim/driver.h>

#include "sim/keyfile.h"
#include "sim/scenario_private.h"

/* See sim/scenario.c: the drivers' registry is reached by weak reference. */
#pragma weak hvsim_point_descs

/* How many near matches an unknown-point error lists. */
#define MAX_NEAR	8

static gint str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every distinct point name the drivers declare, sorted. */
static GPtrArray *driver_points(void)
{
	GPtrArray *names = g_ptr_array_new();
	size_t n = hvsim_point_descs ? hvsim_point_descs(NULL, 0) : 0;
	g_autofree const SimPointDesc **d = g_new0(const SimPointDesc *, n + 1);

	if (n)
		hvsim_point_descs(d, n);
	for (size_t i = 0; i < n; i++)
		g_ptr_array_add(names, (gpointer)d[i]->name);
	g_ptr_array_sort(names, str_cmp);
	/* A point used at several places has several descriptors. */
	for (guint i = 1; i < names->len;) {
		if (strcmp(names->pdata[i - 1], names->pdata[i]) == 0)
			g_ptr_array_remove_index(names, i);
		else
			i++;
	}
	return names;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	g_autofree size_t *row = g_new(size_t, lb + 1);

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			best = MIN(best, up + 1);
			best = MIN(best, row[j - 1] + 1);
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

typedef struct {
	const char *name;
	size_t dist;
} Near;

static gint near_cmp(gconstpointer a, gconstpointer b)
{
	const Near *x = a, *y = b;

	if (x->dist != y->dist)
		return x->dist < y->dist ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * The hint after an unknown point: the points of the same module prefix
 * ("canary." for "canary.a_lockd"), else those a few edits away, closest
 * first; else the prefixes there are.
 */
static char *near_points(GPtrArray *names, const char *want)
{
	g_autoptr(GString) s = g_string_new(NULL);
	g_autoptr(GArray) near = g_array_new(FALSE, FALSE, sizeof(Near));
	const char *dot = strchr(want, '.');
	g_autofree char *prefix = dot ? g_strndup(want, dot - want + 1) : NULL;

	for (int pass = 0; pass < 2 && !near->len; pass++) {
		for (guint i = 0; i < names->len; i++) {
			const char *name = names->pdata[i];
			Near n = { name, edit_distance(name, want) };
			gboolean close = pass == 0 ?
				prefix && g_str_has_prefix(name, prefix) :
				n.dist <= 3;

			if (close)
				g_array_append_val(near, n);
		}
	}
	if (near->len) {
		g_array_sort(near, near_cmp);
		g_string_append(s, "near matches: ");
		for (guint i = 0; i < near->len && i < MAX_NEAR; i++) {
			const Near *n = &g_array_index(near, Near, i);

			g_string_append_printf(s, "%s%s", i ? ", " : "",
					       n->name);
		}
		if (near->len > MAX_NEAR)
			g_string_append_printf(s, " and %u more",
					       near->len - MAX_NEAR);
		return g_string_free(g_steal_pointer(&s), FALSE);
	}

	/* Nothing close: name the prefixes, once each (names are sorted). */
	g_autofree char *last = NULL;
	for (guint i = 0; i < names->len; i++) {
		const char *n = names->pdata[i];
		const char *d = strchr(n, '.');
		g_autofree char *p = g_strndup(n, d ? (size_t)(d - n + 1) :
						   strlen(n));

		if (last && strcmp(last, p) == 0)
			continue;
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", p);
		g_free(last);
		last = g_steal_pointer(&p);
	}
	if (!s->len)
		return g_strdup("the drivers declare no points");
	g_string_prepend(s, "the drivers declare points under ");
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static gboolean valid_point_name(const char *s)
{
	if (!*s)
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && !strchr("_.-:", *s))
			return FALSE;
	return TRUE;
}

static gboolean order_syntax_error(const SimKf *kf, int line,
				   const char *chain, GError **error)
{
	g_autofree char *q = sim__kf_quote(chain);

	return sim__kf_fail(kf, error, SIM_SCENARIO_ERROR_VALUE, line,
			    "schedule", "order", "expected chains of named "
			    "points like 'a.x < b.y < c.z', separated by ';', "
			    "found '%s'", q);
}

gboolean sim__scenario_load_orders(const SimKf *kf, const SimKeyValue *v,
				   GArray *orders, GError **error)
{
	g_autoptr(GPtrArray) points = driver_points();
	g_auto(GStrv) chains = g_strsplit(v->text, ";", -1);

	for (size_t c = 0; chains[c]; c++) {
		char *chain = g_strstrip(chains[c]);
		g_auto(GStrv) pts = g_strsplit(chain, "<", -1);
		size_t n = g_strv_length(pts);

		if (!*chain && !chains[c + 1] && c > 0)
			break;		/* a trailing ';' */
		if (n < 2)
			return order_syntax_error(kf, v->line, chain, error);
		for (size_t i = 0; i < n; i++) {
			const char *p = g_strstrip(pts[i]);

			if (!valid_point_name(p))
				return order_syntax_error(kf, v->line, chain,
							  error);
			if (!g_ptr_array_find_with_equal_func(points, p,
							      g_str_equal,
							      NULL)) {
				g_autofree char *near = near_points(points, p);
				return sim__kf_fail(kf, error,
						    SIM_SCENARIO_ERROR_VALUE,
						    v->line, "schedule",
						    "order", "expected a named "
						    "point the drivers "
						    "declare, found '%s' (%s)",
						    p, near);
			}
			if (i && strcmp(pts[i - 1], p) == 0)
				return sim__kf_fail(kf, error,
						    SIM_SCENARIO_ERROR_VALUE,
						    v->line, "schedule",
						    "order", "expected two "
						    "different points, found "
						    "'%s < %s'", p, p);
		}
		for (size_t i = 0; i + 1 < n; i++) {
			SimOrder o = { g_strdup(pts[i]), g_strdup(pts[i + 1]) };

			g_array_append_val(orders, o);
		}
	}
	return TRUE;
}
