// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests <linux/bug.h> and <linux/printk.h>: BUG_ON() and WARN_ON()
 * produce the kernel's exact first lines and end the execution (quiet when
 * their condition is false), WARN() prints its message, the WARN macros
 * evaluate to their condition, non-fatal WARNs go to the console and the
 * trace with WARN_ON_ONCE firing once per execution, and printk records a
 * trace event and a console line without touching stdout.
 */
#include "sync-test.h"

#include <linux/bug.h>
#include <linux/printk.h>

#include "sim/kapi/kapi.h"

typedef struct {
	int line;
	int x;
	int ret[4];
	bool reached;
} Ctx;

static SimTaskFn task_fn;

static void init_one(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->reached = false;
	memset(c->ret, 0, sizeof(c->ret));
	sim_task_create(w, "kworker/0:1", SIM_CTX_PROCESS, 0, task_fn, arg);
}

static SimEnd run_task(SimWorld *w, Ctx *c, SimTaskFn fn)
{
	task_fn = fn;
	return run_first(w, init_one, c);
}

/* ----------------------------------------------------------------- BUG -- */

static void bug_on_task(void *arg)
{
	Ctx *c = arg;

	c->line = __LINE__; BUG_ON(c->x == 1);
	c->reached = true;
}

START_TEST(test_bug_bug_on_reports_kernel_bug)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .x = 1 };
	g_autofree char *title = NULL;
	g_autofree char *text = NULL;
	g_autofree char *next = NULL;

	ck_assert_int_eq(run_task(w, &c, bug_on_task), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_BUG);
	ck_assert_str_eq(w->bug->func, "bug_on_task");
	title = g_strdup_printf("kernel BUG at tests/kapi/test-bug.c:%d!", c.line);
	ck_assert_str_eq(bug_title(w), title);
	ck_assert(!c.reached);
	text = report_text(w);
	next = line_after(text, title);
	ck_assert_str_eq(next, "invalid opcode: 0000 [#1] PREEMPT SMP KASAN NOPTI");
	ck_assert_msg(strstr(text, "CPU: 0 PID: 2 Comm: kworker/0:1") != NULL,
		      "no identity line in:\n%s", text);
	ck_assert_has_line(text, "Call Trace:");
	ck_assert_has_line(text, " <TASK>");
}
END_TEST

START_TEST(test_bug_bug_on_false_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .x = 0 };

	ck_assert_int_eq(run_task(w, &c, bug_on_task), SIM_END_CLEAN);
	ck_assert(c.reached);
}
END_TEST

/* ---------------------------------------------------------------- WARN -- */

static void warn_on_task(void *arg)
{
	Ctx *c = arg;

	c->line = __LINE__; c->ret[0] = WARN_ON(c->x > 2);
	c->reached = true;
}

static void warn_msg_task(void *arg)
{
	Ctx *c = arg;

	c->line = __LINE__; WARN(c->x, "vmbus: bad state %d\n", c->x);
}

START_TEST(test_bug_warn_on_reports_warning)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .x = 3 };
	g_autofree char *title = NULL;
	g_autofree char *text = NULL;

	ck_assert_int_eq(run_task(w, &c, warn_on_task), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_WARNING);
	ck_assert_str_eq(w->bug->func, "warn_on_task");
	title = g_strdup_printf("WARNING: CPU: 0 PID: 2 at tests/kapi/test-bug.c:%d "
				"warn_on_task", c.line);
	ck_assert_str_eq(bug_title(w), title);
	ck_assert(!c.reached);		/* a WARN is a finding: the run ends */
	text = report_text(w);
	ck_assert_has_line(text, "------------[ cut here ]------------");
	ck_assert_has_line(text, "Call Trace:");
}
END_TEST

START_TEST(test_bug_warn_on_false_is_quiet_and_returns_false)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .x = 2 };

	ck_assert_int_eq(run_task(w, &c, warn_on_task), SIM_END_CLEAN);
	ck_assert(c.reached);
	ck_assert_int_eq(c.ret[0], 0);
}
END_TEST

START_TEST(test_bug_warn_prints_its_message)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .x = 5 };
	g_autofree char *title = NULL;
	g_autofree char *text = NULL;
	g_autofree char *next = NULL;

	ck_assert_int_eq(run_task(w, &c, warn_msg_task), SIM_END_BUG);
	title = g_strdup_printf("WARNING: CPU: 0 PID: 2 at tests/kapi/test-bug.c:%d "
				"warn_msg_task", c.line);
	ck_assert_str_eq(bug_title(w), title);
	text = report_text(w);
	next = line_after(text, title);
	ck_assert_str_eq(next, "vmbus: bad state 5");
}
END_TEST

/* Non-fatal mode: WARN_ON returns true and the run goes on; _ONCE fires
 * once per site per execution. */
static void warn_loop_task(void *arg)
{
	Ctx *c = arg;
	int i;

	for (i = 0; i < 3; i++) {
		if (WARN_ON_ONCE(c->x))
			c->ret[0]++;
		if (WARN_ON(c->x))
			c->ret[1]++;
	}
	c->reached = true;
}

START_TEST(test_bug_nonfatal_warn_on_once_fires_once_per_execution)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { .x = 1 };
	const char *console;
	int run;

	sim_kapi_set_warn_fatal(w, false);
	for (run = 0; run < 2; run++) {
		ck_assert_int_eq(run_task(w, &c, warn_loop_task), SIM_END_CLEAN);
		ck_assert(c.reached);
		/* The macros evaluate to the condition every time ... */
		ck_assert_int_eq(c.ret[0], 3);
		ck_assert_int_eq(c.ret[1], 3);
		/* ... but the _ONCE site reports once in each execution. */
		ck_assert_int_eq(trace_count(w, SIM_TR_BUG, "WARNING"), 4);
		console = sim_kapi_console(w);
		ck_assert_ptr_nonnull(strstr(console, "WARNING: CPU: 0 PID: 2 at "
					     "tests/kapi/test-bug.c:"));
	}
}
END_TEST

/* -------------------------------------------------------------- printk -- */

static void printk_task(void *arg)
{
	Ctx *c = arg;

	pr_info("storvsc: %d channels\n", 4);
	pr_err("failed: %d\n", -5);
	printk("no level\n");
	pr_debug("compiled out %d\n", 1);
	c->reached = true;
}

START_TEST(test_bug_printk_records_trace_and_console)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	const SimTraceEvent *ev;
	const char *console;

	ck_assert_int_eq(run_task(w, &c, printk_task), SIM_END_CLEAN);
	ck_assert_int_eq(trace_count(w, SIM_TR_PRINTK, NULL), 3);
	ev = trace_find(w, SIM_TR_PRINTK, "storvsc: %d channels\n");
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->arg, LOGLEVEL_INFO);
	ck_assert_str_eq(ev->func, "printk_task");
	ck_assert_int_eq(trace_find(w, SIM_TR_PRINTK, "failed: %d\n")->arg,
			 LOGLEVEL_ERR);
	ck_assert_int_eq(trace_find(w, SIM_TR_PRINTK, "no level\n")->arg,
			 LOGLEVEL_WARNING);
	console = sim_kapi_console(w);
	ck_assert_str_eq(console,
			 "[    0.000000] storvsc: 4 channels\n"
			 "[    0.000000] failed: -5\n"
			 "[    0.000000] no level\n");
	/* printk is not a scheduling point: no step was spent on it. */
	ck_assert_uint_eq(w->steps, 0);
}
END_TEST

static Suite *bug_suite(void)
{
	Suite *s = suite_create("bug");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_bug_bug_on_reports_kernel_bug);
	tcase_add_test(tc, test_bug_bug_on_false_is_quiet);
	tcase_add_test(tc, test_bug_warn_on_reports_warning);
	tcase_add_test(tc, test_bug_warn_on_false_is_quiet_and_returns_false);
	tcase_add_test(tc, test_bug_warn_prints_its_message);
	tcase_add_test(tc, test_bug_nonfatal_warn_on_once_fires_once_per_execution);
	tcase_add_test(tc, test_bug_printk_records_trace_and_console);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(bug_suite());
}
