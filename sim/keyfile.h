/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the scenario loader's key-file reader: GKeyFile syntax
 * with every group and key kept with its line, and values checked against
 * SimKeySpec schemas, so each error can say "FILE:LINE: [group] key:
 * expected ..., found '...'". It sits between GKeyFile, which reports no
 * line numbers, and the scenario loader (sim/scenario.c). Nothing outside
 * the loader and its tests includes it.
 */
#ifndef HVSIM_KEYFILE_H
#define HVSIM_KEYFILE_H

#include <stdarg.h>

#include <glib.h>

#include "sim/scenario.h"

/* One "key = value" line. */
typedef struct {
	char *key;
	char *raw;		/* stripped, before unescaping; for messages */
	int line;
} SimKfEntry;

/* One [group] with its entries in file order. */
typedef struct {
	char *name;
	int line;
	GPtrArray *entries;	/* SimKfEntry* */
	/* The caller's classification (the loader's group kinds). */
	int kind;
	const char *instance;	/* points into @name */
} SimKfGroup;

typedef struct {
	char *path;
	GKeyFile *gkf;
	GPtrArray *groups;	/* SimKfGroup*, file order */
	int nlines;
} SimKf;

/*
 * sim__kf_load - read and scan @path. Each group and key appears once (a
 * repeated one is an error, as GKeyFile would silently merge it), keys
 * follow a group header, every line is UTF-8 and is a comment, a group
 * header or "key = value". Errors are in SIM_SCENARIO_ERROR.
 */
SimKf *sim__kf_load(const char *path, GError **error);
void sim__kf_free(SimKf *kf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimKf, sim__kf_free)

SimKfGroup *sim__kf_group(const SimKf *kf, const char *name);
/* NULL when @g is NULL or has no such key. */
SimKfEntry *sim__kf_entry(const SimKfGroup *g, const char *key);

/*
 * sim__kf_fail - set @error to "PATH:LINE: [GROUP] KEY: message" (group
 * and key each left out when NULL) and return FALSE.
 */
gboolean sim__kf_fail(const SimKf *kf, GError **error, SimScenarioError code,
		      int line, const char *group, const char *key,
		      const char *fmt, ...) G_GNUC_PRINTF(7, 8);
gboolean sim__kf_failv(const SimKf *kf, GError **error, SimScenarioError code,
		       int line, const char *group, const char *key,
		       const char *fmt, va_list ap) G_GNUC_PRINTF(7, 0);

/* @text cut to a length an error message can quote; free it. */
char *sim__kf_quote(const char *text);
/* The first @n strings of @names (stopping at NULL) joined by ", ". */
char *sim__kf_join(const char *const *names, size_t n);
/* Keys in a schema terminated by { NULL }; a NULL schema has none. */
size_t sim__kf_nkeys(const SimKeySpec *keys);

/*
 * sim__kf_check_keys - fail on the first key of @g (file order) that none
 * of the @n schemas declares, listing the keys they do.
 */
gboolean sim__kf_check_keys(const SimKf *kf, const SimKfGroup *g,
			    const SimKeySpec *const *schemas, size_t n,
			    GError **error);

/*
 * sim__kf_parse_schema - fill @vals, one per key of @keys, from @g (NULL for
 * an absent group: every key takes its default). A key written is parsed
 * by its type; a required key not written is an error at the group's line
 * (the end of the file for an absent group, named @gname); other keys get
 * their default, with line 0. Texts are owned by @vals: release them with
 * sim__kf_values_clear() even after a failure.
 */
gboolean sim__kf_parse_schema(const SimKf *kf, const SimKfGroup *g,
			      const char *gname, const SimKeySpec *keys,
			      SimKeyValue *vals, GError **error);
void sim__kf_values_clear(SimKeyValue *vals, size_t n);

/*
 * sim__kf_load_group - group @name against one schema: unknown keys
 * rejected, then sim__kf_parse_schema(). A missing group is an error
 * when @required.
 */
gboolean sim__kf_load_group(const SimKf *kf, const char *name,
			    gboolean required, const SimKeySpec *keys,
			    SimKeyValue *vals, GError **error);

#endif /* HVSIM_KEYFILE_H */
