// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the trace recorder and its exporters: events appended and
 * stamped with step, time and running task; the tail kept without
 * allocating when the full trace is off; the text export's header and task
 * columns; the Chrome JSON export (checked by a small JSON validator in
 * this file, and for escaping and integer-derived timestamps); byte-identical
 * exports of the same execution; and writing files by extension.
 */
#include <check.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sim/trace.h"
#include "sim/world.h"

/* ------------------------------------------------------ JSON validator -- */

/*
 * A strict recursive-descent check of RFC 8259 syntax: enough to prove the
 * exporter's output parses, without a JSON library.
 */
typedef struct {
	const char *p;
	int depth;
} Json;

static bool json_value(Json *j);

static void json_ws(Json *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')
		j->p++;
}

static bool json_string_ok(Json *j)
{
	if (*j->p != '"')
		return false;
	for (j->p++; *j->p != '"'; j->p++) {
		unsigned char c = (unsigned char)*j->p;

		if (c < 0x20)
			return false;	/* includes the terminating NUL */
		if (c != '\\')
			continue;
		j->p++;
		if (*j->p == 'u') {
			int i;

			for (i = 1; i <= 4; i++)
				if (!g_ascii_isxdigit(j->p[i]))
					return false;
			j->p += 4;
		} else if (!strchr("\"\\/bfnrt", *j->p) || !*j->p) {
			return false;
		}
	}
	j->p++;
	return true;
}

static bool json_number_ok(Json *j)
{
	const char *start = j->p;

	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (g_ascii_isdigit(*j->p))
		while (g_ascii_isdigit(*j->p))
			j->p++;
	else
		return false;
	if (*j->p == '.') {
		j->p++;
		if (!g_ascii_isdigit(*j->p))
			return false;
		while (g_ascii_isdigit(*j->p))
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!g_ascii_isdigit(*j->p))
			return false;
		while (g_ascii_isdigit(*j->p))
			j->p++;
	}
	return j->p > start;
}

static bool json_container(Json *j, char close, bool object)
{
	j->p++;
	json_ws(j);
	if (*j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (object) {
			if (!json_string_ok(j))
				return false;
			json_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!json_value(j))
			return false;
		json_ws(j);
		if (*j->p == close) {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool json_value(Json *j)
{
	bool ok;

	json_ws(j);
	if (++j->depth > 64)
		return false;
	switch (*j->p) {
	case '{':
		ok = json_container(j, '}', true);
		break;
	case '[':
		ok = json_container(j, ']', false);
		break;
	case '"':
		ok = json_string_ok(j);
		break;
	case 't':
		ok = strncmp(j->p, "true", 4) == 0 && (j->p += 4);
		break;
	case 'f':
		ok = strncmp(j->p, "false", 5) == 0 && (j->p += 5);
		break;
	case 'n':
		ok = strncmp(j->p, "null", 4) == 0 && (j->p += 4);
		break;
	default:
		ok = json_number_ok(j);
	}
	j->depth--;
	return ok;
}

static bool json_valid(const char *text)
{
	Json j = { text, 0 };

	if (!json_value(&j))
		return false;
	json_ws(&j);
	return *j.p == 0;
}

START_TEST(test_trace_json_validator_rejects_bad_input)
{
	/* The validator itself must be able to fail. */
	ck_assert(json_valid("{\"a\":[1,2.5,-3e2,\"x\\n\\u00e9\",true,null]}"));
	ck_assert(!json_valid("{\"a\":1,}"));
	ck_assert(!json_valid("{\"a\" 1}"));
	ck_assert(!json_valid("[1,2"));
	ck_assert(!json_valid("\"a\nb\""));
	ck_assert(!json_valid("{\"a\":01}"));
	ck_assert(!json_valid("{\"a\":.5}"));
	ck_assert(!json_valid("{} {}"));
}
END_TEST

/* ------------------------------------------------------------ recorder -- */

START_TEST(test_trace_records_every_event_when_on)
{
	g_autoptr(SimWorld) w = sim_world_new();
	const SimTrace *t = sim_world_trace(w);
	int i;

	w->trace_on = true;
	for (i = 0; i < 10000; i++) {
		w->steps = i;
		w->now = (SimTime)i * 1000;
		sim_trace(w, SIM_TR_POINT, i, "p", __func__, -i, 0);
	}
	ck_assert_uint_eq(t->len, 10000);
	for (i = 0; i < 10000; i++) {
		ck_assert_uint_eq(t->ev[i].step, i);
		ck_assert_uint_eq(t->ev[i].time, (SimTime)i * 1000);
		ck_assert_uint_eq(t->ev[i].obj, i);
		ck_assert_int_eq(t->ev[i].arg, -i);
		ck_assert_uint_eq(t->ev[i].task, 0);	/* engine context */
		ck_assert_uint_eq(t->ev[i].kind, SIM_TR_POINT);
	}
	sim_trace_reset(&w->trace);
	ck_assert_uint_eq(t->len, 0);
	ck_assert_ptr_nonnull(t->ev);	/* buffer kept for the next run */
}
END_TEST

START_TEST(test_trace_keeps_a_tail_without_allocating_when_off)
{
	g_autoptr(SimWorld) w = sim_world_new();
	const SimTrace *t = sim_world_trace(w);
	const SimTraceEvent *buf;
	size_t cap;
	int i;

	w->trace_on = false;
	sim_trace(w, SIM_TR_POINT, 0, "warm-up", NULL, 0, 0);
	buf = t->ev;
	cap = t->cap;
	for (i = 1; i <= 100000; i++) {
		w->steps = i;
		sim_trace(w, SIM_TR_LOCK, i, "l", NULL, 0, 0);
		ck_assert_uint_ge(t->len, i < SIM_TRACE_TAIL ? i : SIM_TRACE_TAIL);
		ck_assert_uint_le(t->len, 2 * SIM_TRACE_TAIL);
	}
	ck_assert_ptr_eq(t->ev, buf);
	ck_assert_uint_eq(t->cap, cap);
	/* The newest events, contiguous and in order. */
	ck_assert_uint_eq(t->ev[t->len - 1].obj, 100000);
	for (i = 1; i < (int)t->len; i++)
		ck_assert_uint_eq(t->ev[i].obj, t->ev[i - 1].obj + 1);
}
END_TEST

START_TEST(test_trace_kind_names_are_unique_and_from_the_list)
{
	int i, j;

	ck_assert_str_eq(sim_trace_kind_name(SIM_TR_TASK_CREATE), "task-create");
	ck_assert_str_eq(sim_trace_kind_name(SIM_TR_BUG), "bug");
	ck_assert_str_eq(sim_trace_kind_label(SIM_TR_POINT), "@");
	ck_assert_str_eq(sim_trace_kind_name(SIM_TR__COUNT), "?");
	for (i = 0; i < SIM_TR__COUNT; i++)
		for (j = i + 1; j < SIM_TR__COUNT; j++)
			ck_assert_str_ne(sim_trace_kind_name(i),
					 sim_trace_kind_name(j));
}
END_TEST

/* ------------------------------------------------- a traced execution -- */

static void traced_worker(void *arg)
{
	SimWorld *w = sim_current_world();
	int i;

	for (i = 0; i < 3; i++) {
		sim_trace(w, SIM_TR_POINT, 0, arg, __func__, i, 0);
		sim_yield(w);
	}
}

static void weird_name_host_event(SimWorld *w, void *arg, uint64_t arg2)
{
	/* Names can come from scenario files: quotes, backslashes,
	 * control characters must be escaped in JSON. */
	sim_trace(w, SIM_TR_HOST_NOTE, 0, "say \"hi\"\\\n\t\x01", NULL, 0, 0);
}

static void init_traced(SimWorld *w, void *arg)
{
	sim_task_create(w, "kworker/u4:1", SIM_CTX_PROCESS, 0, traced_worker,
			"storvsc.sc_present");
	sim_task_create(w, "irq/24-hyperv", SIM_CTX_HARDIRQ, 1, traced_worker,
			"vmbus.on_msg");
	sim_event_after(w, 1234567, weird_name_host_event, NULL, 0);
}

static void run_traced(SimWorld *w, uint64_t seed)
{
	SimStrategy *st = sim_strategy_random();

	ck_assert_int_eq(sim_world_run(w, st, seed, 0, init_traced, NULL),
			 SIM_END_CLEAN);
	sim_strategy_free(st);
}

static char *export(const SimWorld *w, bool json)
{
	GString *out = g_string_new(NULL);

	if (json)
		sim_trace_export_json(w, out);
	else
		sim_trace_export_text(w, out);
	return g_string_free(out, FALSE);
}

START_TEST(test_trace_stamps_the_running_task)
{
	g_autoptr(SimWorld) w = sim_world_new();
	const SimTrace *t;
	int points[4] = { 0 };
	size_t i;

	run_traced(w, 7);
	t = sim_world_trace(w);
	ck_assert_uint_gt(t->len, 6);
	for (i = 0; i < t->len; i++) {
		const SimTraceEvent *ev = &t->ev[i];

		if (ev->kind != SIM_TR_POINT)
			continue;
		ck_assert_uint_ge(ev->task, 2);
		ck_assert_uint_le(ev->task, 3);
		ck_assert_str_eq(ev->name, ev->task == 2 ? "storvsc.sc_present"
				 : "vmbus.on_msg");
		ck_assert_str_eq(ev->func, "traced_worker");
		points[ev->task]++;
		if (i)
			ck_assert_uint_ge(ev->step, t->ev[i - 1].step);
	}
	ck_assert_int_eq(points[2], 3);
	ck_assert_int_eq(points[3], 3);
}
END_TEST

START_TEST(test_trace_text_export_has_header_and_task_columns)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	const char *col2, *col3;
	gssize at2, at3;
	guint i, seen2 = 0, seen3 = 0;

	w->title = "trace test";
	run_traced(w, 3);
	text = export(w, false);
	lines = g_strsplit(text, "\n", -1);
	ck_assert_str_eq(lines[0], "# hvsim trace: trace test");
	ck_assert_str_eq(lines[1], "# variant: pre-fix");
	ck_assert_str_eq(lines[2], "# seed: 3 execution: 0");
	ck_assert(g_str_has_prefix(lines[3], "# events: "));
	/* The column header: step, time, host, then tasks in id order. */
	for (i = 0; lines[i] && !g_str_has_prefix(lines[i], "      step");
	     i++)
		;
	ck_assert_ptr_nonnull(lines[i]);
	ck_assert(strstr(lines[i], "host") != NULL);
	col2 = strstr(lines[i], "kworker/u4:1/2");
	col3 = strstr(lines[i], "irq/24-hyperv/3");
	ck_assert(col2 && col3 && col2 < col3);
	ck_assert(strstr(lines[i], "modprobe/1") < col2);
	at2 = col2 - lines[i];
	at3 = col3 - lines[i];
	/* Each task's points start exactly in its column. */
	for (i++; lines[i] && *lines[i]; i++) {
		const char *p = strstr(lines[i], "point ");

		if (!p)
			continue;
		if (strstr(p, "storvsc.sc_present")) {
			ck_assert_int_eq(p - lines[i], at2);
			seen2++;
		} else {
			ck_assert_int_eq(p - lines[i], at3);
			seen3++;
		}
	}
	ck_assert_uint_eq(seen2, 3);
	ck_assert_uint_eq(seen3, 3);
	/* Virtual time in microseconds with three decimals. */
	ck_assert(strstr(text, "   1234.567  ") != NULL);
}
END_TEST

START_TEST(test_trace_exports_are_byte_identical_for_the_same_execution)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autoptr(SimWorld) w2 = sim_world_new();
	g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL;
	g_autofree char *j1 = NULL, *j2 = NULL, *j3 = NULL;

	run_traced(w, 11);
	t1 = export(w, false);
	j1 = export(w, true);
	/* Same world again, and a fresh world: same bytes. */
	run_traced(w, 11);
	t2 = export(w, false);
	j2 = export(w, true);
	run_traced(w2, 11);
	t3 = export(w2, false);
	j3 = export(w2, true);
	ck_assert_str_eq(t1, t2);
	ck_assert_str_eq(t1, t3);
	ck_assert_str_eq(j1, j2);
	ck_assert_str_eq(j1, j3);
}
END_TEST

START_TEST(test_trace_json_export_is_valid_chrome_trace)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autofree char *json = NULL, *empty = NULL;
	g_autoptr(SimWorld) fresh = sim_world_new();

	run_traced(w, 5);
	json = export(w, true);
	ck_assert_msg(json_valid(json), "invalid JSON:\n%s", json);
	ck_assert(g_str_has_prefix(json, "{\"traceEvents\":["));
	ck_assert(strstr(json, "{\"name\":\"thread_name\",\"ph\":\"M\","
			 "\"pid\":1,\"tid\":2,\"args\":{\"name\":"
			 "\"kworker/u4:1/2\"}}") != NULL);
	ck_assert(strstr(json, "\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":2,")
		  != NULL);
	/* Integer nanoseconds printed as microseconds, 3 decimals. */
	ck_assert(strstr(json, "\"ts\":1234.567,") != NULL);
	ck_assert(strstr(json, "\"ts\":0.000,") != NULL);
	/* Escaped name of the host event. */
	ck_assert_msg(strstr(json, "\"host-note say \\\"hi\\\"\\\\\\n\\t"
			     "\\u0001\"") != NULL, "%s", json);
	/* An empty trace is valid too. */
	empty = export(fresh, true);
	ck_assert_msg(json_valid(empty), "invalid JSON:\n%s", empty);
}
END_TEST

/* ---------------------------------------------------------------- files -- */

static char *read_file(const char *path)
{
	char *data = NULL;

	ck_assert(g_file_get_contents(path, &data, NULL, NULL));
	return data;
}

static guint dir_entries(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	guint n = 0;

	ck_assert_ptr_nonnull(d);
	while (g_dir_read_name(d))
		n++;
	g_dir_close(d);
	return n;
}

START_TEST(test_trace_write_file_by_extension)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autofree char *dir = g_dir_make_tmp("hvsim-trace-XXXXXX", NULL);
	g_autofree char *txt = g_build_filename(dir, "run.txt", NULL);
	g_autofree char *json = g_build_filename(dir, "run.json", NULL);
	g_autofree char *got_t = NULL, *got_j = NULL;
	g_autofree char *want_t = NULL, *want_j = NULL;
	GError *err = NULL;

	ck_assert_ptr_nonnull(dir);
	run_traced(w, 2);
	ck_assert(sim_trace_write_file(w, txt, &err));
	ck_assert_ptr_null(err);
	ck_assert(sim_trace_write_file(w, json, &err));
	ck_assert_ptr_null(err);
	got_t = read_file(txt);
	got_j = read_file(json);
	want_t = export(w, false);
	want_j = export(w, true);
	ck_assert_str_eq(got_t, want_t);
	ck_assert_str_eq(got_j, want_j);
	ck_assert_uint_eq(dir_entries(dir), 2);	/* no temporary left */
	g_unlink(txt);
	g_unlink(json);
	g_rmdir(dir);
}
END_TEST

START_TEST(test_trace_write_file_rejects_unsupported_formats)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autofree char *dir = g_dir_make_tmp("hvsim-trace-XXXXXX", NULL);
	const char *names[] = { "run.png", "run.gv", "run.xml", "run",
				"dir.json/run" };
	guint i;

	ck_assert_ptr_nonnull(dir);
	run_traced(w, 2);
	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *path = g_build_filename(dir, names[i], NULL);
		GError *err = NULL;

		ck_assert(!sim_trace_write_file(w, path, &err));
		ck_assert_ptr_nonnull(err);
		ck_assert_msg(g_str_has_prefix(err->message, path), "%s",
			      err->message);
		ck_assert(strstr(err->message,
				 "use .txt, .json, .dot or .svg") != NULL);
		g_error_free(err);
	}
	ck_assert_uint_eq(dir_entries(dir), 0);
	/* An I/O error is reported too, with the path. */
	{
		g_autofree char *bad = g_build_filename(dir, "missing",
							"run.txt", NULL);
		GError *err = NULL;

		ck_assert(!sim_trace_write_file(w, bad, &err));
		ck_assert_ptr_nonnull(err);
		ck_assert(strstr(err->message, "run.txt") != NULL);
		g_error_free(err);
	}
	ck_assert_uint_eq(dir_entries(dir), 0);
	g_rmdir(dir);
}
END_TEST

static Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_trace_json_validator_rejects_bad_input);
	tcase_add_test(tc, test_trace_records_every_event_when_on);
	tcase_add_test(tc, test_trace_keeps_a_tail_without_allocating_when_off);
	tcase_add_test(tc, test_trace_kind_names_are_unique_and_from_the_list);
	tcase_add_test(tc, test_trace_stamps_the_running_task);
	tcase_add_test(tc, test_trace_text_export_has_header_and_task_columns);
	tcase_add_test(tc, test_trace_exports_are_byte_identical_for_the_same_execution);
	tcase_add_test(tc, test_trace_json_export_is_valid_chrome_trace);
	tcase_add_test(tc, test_trace_write_file_by_extension);
	tcase_add_test(tc, test_trace_write_file_rejects_unsupported_formats);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
