/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file is the harness the command-line suites share: run the built
 * hvsim (HVSIM_EXE) in a directory and collect its exit code and output,
 * temporary directories, and small assertions. It sits between the tests
 * in tests/cli/ and the executable they test.
 */
#ifndef HVSIM_TESTS_CLI_TEST_H
#define HVSIM_TESTS_CLI_TEST_H

#include <check.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>

typedef struct {
	int status;		/* exit code */
	char *out;
	char *err;
} Result;

static inline void result_clear(Result *r)
{
	g_free(r->out);
	g_free(r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Result, result_clear)

/* @rel under the source tree (HVSIM_SOURCE_ROOT). */
static inline char *source_path(const char *rel)
{
	const char *root = g_getenv("HVSIM_SOURCE_ROOT");

	ck_assert_msg(root, "HVSIM_SOURCE_ROOT is not set");
	return g_build_filename(root, rel, NULL);
}

static inline char *canary(void)
{
	return source_path("scenarios/canary-abba-deadlock.scn");
}

/* A fresh working directory per case; removed with its files by rmtree(). */
static inline char *make_tmpdir(void)
{
	char *dir = g_dir_make_tmp("hvsim-cli-XXXXXX", NULL);

	ck_assert_ptr_nonnull(dir);
	return dir;
}

static inline void rmtree(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			rmtree(p);
		else
			g_unlink(p);
	}
	g_rmdir(dir);
}

static inline guint count_files(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	guint n = 0;

	while (d && g_dir_read_name(d))
		n++;
	return n;
}

/*
 * @s on one line, for a failure message: TAP takes the message on the
 * "not ok" line. Evaluated only when an assertion fails (and then leaked).
 */
static inline char *one_line(const char *s)
{
	g_autofree char *t = g_strndup(s, 600);

	return g_strescape(t, NULL);
}

/* Run hvsim with the NULL-terminated @args in @cwd. */
static inline Result hvsim_argv(const char *cwd, const char *const *args)
{
	const char *exe = g_getenv("HVSIM_EXE");
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) err = NULL;
	Result r = { 0 };
	int wait;

	ck_assert_msg(exe, "HVSIM_EXE is not set");
	g_ptr_array_add(argv, (char *)exe);
	for (; *args; args++)
		g_ptr_array_add(argv, (char *)*args);
	g_ptr_array_add(argv, NULL);
	ck_assert_msg(g_spawn_sync(cwd, (char **)argv->pdata, NULL,
				   G_SPAWN_DEFAULT, NULL, NULL, &r.out, &r.err,
				   &wait, &err),
		      "spawn: %s", err ? err->message : "?");
	ck_assert_msg(WIFEXITED(wait), "hvsim died: %s", one_line(r.err));
	r.status = WEXITSTATUS(wait);
	return r;
}

/* Run hvsim with the NULL-terminated arguments in @cwd. */
static inline Result G_GNUC_NULL_TERMINATED hvsim(const char *cwd,
						  const char *first, ...)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *))
		g_ptr_array_add(args, (char *)a);
	va_end(ap);
	g_ptr_array_add(args, NULL);
	return hvsim_argv(cwd, (const char *const *)args->pdata);
}

#define assert_contains(hay, needle)					\
	ck_assert_msg(strstr((hay), (needle)), "\"%s\" not found in \"%s\"", \
		      (needle), one_line(hay))

#endif /* HVSIM_TESTS_CLI_TEST_H */
