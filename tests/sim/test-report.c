// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests reports: call-stack capture and symbolisation (function,
 * offset, source file relative to the tree, line, engine frames dropped,
 * a task's stack ending at its entry), the kernel framing of report kinds,
 * the first-report-wins rule, raising from a task, signatures, object
 * addresses and the hvsim: trailer.
 *
 * Built with -g (meson's debugoptimized), so this file's own functions
 * symbolise; helpers are noinline so each is a frame of its own.
 */
#include <check.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sim/report.h"
#include "sim/trace.h"
#include "sim/world.h"

#define NOINLINE __attribute__((noinline))
/* Keeps a call from becoming a tail call, so the caller stays a frame. */
#define NO_TAIL() __asm__ volatile("" ::: "memory")

static char *format_stack(const SimStack *s)
{
	GString *out = g_string_new(NULL);

	sim_stack_format(out, s);
	return g_string_free(out, FALSE);
}

static guint count_lines(const char *s)
{
	guint n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ------------------------------------------------------------- capture -- */

static int capture_line;

static NOINLINE void report_test_capture_here(SimStack *s)
{
	capture_line = __LINE__; sim_stack_capture(s, 0);
	NO_TAIL();
}

START_TEST(test_report_stack_names_function_file_and_line)
{
	SimStack s;
	g_autofree char *text = NULL;
	g_autofree char *want = NULL;
	g_auto(GStrv) lines = NULL;

	report_test_capture_here(&s);
	ck_assert_int_gt(s.n, 1);
	text = format_stack(&s);
	lines = g_strsplit(text, "\n", -1);
	/* Kernel style: " func+0xOFF/0xSIZE file:line", innermost first. */
	ck_assert_msg(g_str_has_prefix(lines[0], " report_test_capture_here+0x"),
		      "got: %s", text);
	ck_assert_msg(strstr(lines[0], "/0x") != NULL, "got: %s", text);
	want = g_strdup_printf(" tests/sim/test-report.c:%d", capture_line);
	ck_assert_msg(g_str_has_suffix(lines[0], want), "want %s in: %s",
		      want, text);
	/* The caller is the next frame. */
	ck_assert_msg(strstr(text, "test_report_stack_names_function_file_and_line")
		      != NULL, "got: %s", text);
	/* Paths relative to the tree, and no engine frames. */
	ck_assert_msg(strstr(text, HVSIM_SOURCE_ROOT "/") == NULL, "got: %s",
		      text);
	ck_assert_msg(strstr(text, "../") == NULL, "got: %s", text);
	ck_assert_msg(strstr(text, " sim_") == NULL, "got: %s", text);
}
END_TEST

/* A driver-like function called through an engine-named one. */
static NOINLINE void report_test_victim(SimStack *s)
{
	sim_stack_capture(s, 0);
	NO_TAIL();
}

NOINLINE void sim_report_test_engine_outer(SimStack *s);
NOINLINE void sim_report_test_engine_outer(SimStack *s)
{
	report_test_victim(s);
	NO_TAIL();
}

START_TEST(test_report_stack_drops_engine_frames_and_stops_at_engine)
{
	SimStack s;
	g_autofree char *text = NULL;

	sim_report_test_engine_outer(&s);
	text = format_stack(&s);
	/* The victim is kept; the engine frame that called it ends the trace,
	 * so neither it nor this test function is shown. */
	ck_assert_msg(g_str_has_prefix(text, " report_test_victim+0x"),
		      "got: %s", text);
	ck_assert_uint_eq(count_lines(text), 1);
	ck_assert(strstr(text, "sim_report_test_engine_outer") == NULL);
}
END_TEST

START_TEST(test_report_stack_skip_drops_innermost_frames)
{
	SimStack a, b;
	g_autofree char *ta = NULL, *tb = NULL;

	report_test_capture_here(&a);
	ck_assert_int_gt(a.n, 2);
	/* Capturing with skip 1 from here drops this function itself. */
	sim_stack_capture(&b, 1);
	ta = format_stack(&a);
	tb = format_stack(&b);
	ck_assert(strstr(ta, "report_test_capture_here") != NULL);
	ck_assert(strstr(tb, "test_report_stack_skip_drops_innermost_frames")
		  == NULL);
}
END_TEST

START_TEST(test_report_stack_top_func_and_determinism)
{
	SimStack s;
	char buf[64];
	g_autofree char *t1 = NULL, *t2 = NULL;
	g_auto(GStrv) lines = NULL;
	guint i;

	report_test_capture_here(&s);
	ck_assert_str_eq(sim_stack_top_func(&s, buf, sizeof(buf)),
			 "report_test_capture_here");
	t1 = format_stack(&s);
	t2 = format_stack(&s);
	ck_assert_str_eq(t1, t2);
	/* Offsets are from the symbol (within its size), never addresses. */
	lines = g_strsplit(t1, "\n", -1);
	for (i = 0; lines[i] && *lines[i]; i++) {
		const char *plus = strstr(lines[i], "+0x");
		unsigned long off, size;

		ck_assert_msg(plus != NULL, "got: %s", t1);
		ck_assert_int_eq(sscanf(plus, "+0x%lx/0x%lx", &off, &size), 2);
		ck_assert_msg(off > 0 && off <= size, "got: %s", lines[i]);
	}
	ck_assert_uint_gt(i, 1);
}
END_TEST

START_TEST(test_report_stack_unknown_frame_and_empty_stack)
{
	SimStack s = { .n = 1 };
	char buf[16];
	g_autofree char *text = NULL, *empty = NULL;
	SimStack none = { .n = 0 };

	s.pc[0] = 0x10;	/* in no mapping */
	text = format_stack(&s);
	ck_assert_str_eq(text, " ? (?)\n");
	ck_assert_str_eq(sim_stack_top_func(&s, buf, sizeof(buf)), "?");
	empty = format_stack(&none);
	ck_assert_str_eq(empty, "");
}
END_TEST

/* ------------------------------------------------------- signal frames -- */

static sigjmp_buf fault_jmp;
static SimStack fault_stack;
static volatile int *volatile fault_ptr = (volatile int *)8;

/* Engine-named, as the real fault handler is: dropped from the trace. */
void sim_report_test_segv(int sig, siginfo_t *si, void *uc);
void sim_report_test_segv(int sig, siginfo_t *si, void *uc)
{
	sim_stack_capture(&fault_stack, 0);
	siglongjmp(fault_jmp, 1);
}

static const int fault_line = __LINE__ + 4;
static NOINLINE int report_test_faulting(volatile int *p)
{
	/* The next line faults. */
	return *p + 1;
}

START_TEST(test_report_stack_through_a_signal_points_at_the_fault)
{
	struct sigaction sa = { .sa_sigaction = sim_report_test_segv,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	struct sigaction old;
	g_autofree char *text = NULL, *want = NULL;

	ck_assert_int_eq(sigaction(SIGSEGV, &sa, &old), 0);
	if (!sigsetjmp(fault_jmp, 1))
		report_test_faulting(fault_ptr);
	sigaction(SIGSEGV, &old, NULL);
	text = format_stack(&fault_stack);
	/* The interrupted frame is looked up at its own pc (not pc - 1):
	 * the faulting line; the handler and the trampoline are dropped. */
	ck_assert_msg(g_str_has_prefix(text, " report_test_faulting"),
		      "got: %s", text);
	want = g_strdup_printf(" tests/sim/test-report.c:%d\n", fault_line);
	ck_assert_msg(strstr(text, want) != NULL && strstr(text, want) <
		      strchr(text, '\n') + 1, "want %s first in: %s", want,
		      text);
	ck_assert(strstr(text, "sim_report_test_segv") == NULL);
	ck_assert(strstr(text, "test_report_stack_through_a_signal") != NULL);
}
END_TEST

/* ------------------------------------------------------ stack in a task -- */

typedef struct {
	SimStack stack;
} TaskStackCtx;

static NOINLINE void report_test_task_leaf(TaskStackCtx *c)
{
	sim_stack_capture(&c->stack, 0);
	NO_TAIL();
}

static void report_test_task_fn(void *arg)
{
	report_test_task_leaf(arg);
	NO_TAIL();
}

static void init_stack_task(SimWorld *w, void *arg)
{
	sim_task_create(w, "kworker/u4:1", SIM_CTX_PROCESS, 0,
			report_test_task_fn, arg);
}

START_TEST(test_report_stack_in_a_task_ends_at_the_task_entry)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *st = sim_strategy_first();
	TaskStackCtx c = { 0 };
	g_autofree char *text = NULL;

	ck_assert_int_eq(sim_world_run(w, st, 1, 0, init_stack_task, &c),
			 SIM_END_CLEAN);
	text = format_stack(&c.stack);
	ck_assert_msg(g_str_has_prefix(text, " report_test_task_leaf+0x"),
		      "got: %s", text);
	ck_assert_msg(strstr(text, "\n report_test_task_fn+0x") != NULL,
		      "got: %s", text);
	/* The unwinder stops at the trampoline; engine frames are not shown. */
	ck_assert_msg(count_lines(text) == 2, "got: %s", text);
	ck_assert(c.stack.n < SIM_STACK_MAX);
	sim_strategy_free(st);
}
END_TEST

/* ------------------------------------------------------------ reports -- */

static SimTask fake_task(uint32_t id, const char *name)
{
	SimTask t;

	memset(&t, 0, sizeof(t));
	t.id = id;
	t.cpu = 1;
	g_strlcpy(t.name, name, sizeof(t.name));
	return t;
}

static char *format_report(const SimWorld *w)
{
	GString *out = g_string_new(NULL);

	sim_report_format(w, out);
	return g_string_free(out, FALSE);
}

START_TEST(test_report_kasan_report_is_framed_by_rulers)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimTask t = fake_task(7, "kworker/u4:1");
	SimStack s;
	SimReport *r;
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	char ruler[67];
	guint n;

	memset(ruler, '=', 66);
	ruler[66] = 0;
	t.wq_name = "events_unbound";
	t.work_func = "storvsc_remove_lun";
	w->title = "storvsc: two openers of one sub-channel";
	report_test_capture_here(&s);
	r = sim_report_new(w, SIM_BUG_USE_AFTER_FREE, "vmbus_free_ring",
			   "BUG: KASAN: slab-use-after-free in %s",
			   "vmbus_free_ring");
	sim_report_line(r, "Read of size 8 at addr %016" G_GINT64_MODIFIER
			"x by task %s/%u", sim_report_obj_addr(3), t.name,
			t.id);
	sim_report_line(r, "%s", "");
	sim_report_identity(r, w, &t);
	sim_report_stack(r, &s, TRUE);
	sim_report_line(r, "%s", "");
	sim_report_line(r, "Allocated by task 2:");
	sim_report_stack(r, &s, FALSE);
	sim_report_raise(w, r);
	ck_assert_ptr_eq(w->bug, r);
	ck_assert(w->stop);

	text = format_report(w);
	lines = g_strsplit(text, "\n", -1);
	n = g_strv_length(lines);
	ck_assert_str_eq(lines[0], ruler);
	ck_assert_str_eq(lines[1],
			 "BUG: KASAN: slab-use-after-free in vmbus_free_ring");
	ck_assert_str_eq(lines[2], "Read of size 8 at addr ffff888100000300 "
			 "by task kworker/u4:1/7");
	ck_assert_str_eq(lines[3], "");
	ck_assert_str_eq(lines[4], "CPU: 1 PID: 7 Comm: kworker/u4:1 "
			 "Not tainted hvsim-" HVSIM_VERSION);
	ck_assert_str_eq(lines[5], "Hardware name: storvsc: two openers of "
			 "one sub-channel");
	ck_assert_str_eq(lines[6], "Workqueue: events_unbound "
			 "storvsc_remove_lun");
	ck_assert_str_eq(lines[7], "Call Trace:");
	ck_assert_str_eq(lines[8], " <TASK>");
	ck_assert(g_str_has_prefix(lines[9], " report_test_capture_here+0x"));
	ck_assert(strstr(text, " </TASK>\n\nAllocated by task 2:\n "
			 "report_test_capture_here+0x") != NULL);
	/* Last line is the ruler again, then the final newline. */
	ck_assert_str_eq(lines[n - 1], "");
	ck_assert_str_eq(lines[n - 2], ruler);
}
END_TEST

START_TEST(test_report_lockdep_and_warn_framing)
{
	g_autoptr(SimWorld) w = sim_world_new();
	const char *title = "WARNING: possible recursive locking detected";
	g_autofree char *eq = g_strnfill(strlen(title), '=');
	g_autofree char *dash = g_strnfill(strlen(title), '-');
	g_autofree char *want = NULL;
	g_autofree char *text = NULL, *text2 = NULL;
	SimReport *r;

	r = sim_report_new(w, SIM_BUG_RECURSIVE_LOCK, "vmbus_onoffer", "%s",
			   title);
	sim_report_line(r, "kworker/u4:1/7 is trying to acquire lock:");
	sim_report_raise(w, r);
	text = format_report(w);
	want = g_strdup_printf("\n%s\n%s\nhvsim-%s Not tainted\n%s\n"
			       "kworker/u4:1/7 is trying to acquire lock:\n",
			       eq, title, HVSIM_VERSION, dash);
	ck_assert_str_eq(text, want);

	/* A WARN_ON splat: cut here ... end trace. */
	sim_report_free(w->bug);
	w->bug = NULL;
	r = sim_report_new(w, SIM_BUG_WARNING, "vmbus_close",
			   "WARNING: CPU: 0 PID: 3 at drivers/hv/channel.c:9 "
			   "vmbus_close+0x1/0x2");
	sim_report_line(r, "Modules linked in:");
	sim_report_raise(w, r);
	text2 = format_report(w);
	ck_assert_str_eq(text2, "------------[ cut here ]------------\n"
			 "WARNING: CPU: 0 PID: 3 at drivers/hv/channel.c:9 "
			 "vmbus_close+0x1/0x2\nModules linked in:\n"
			 "---[ end trace 0000000000000000 ]---\n");
}
END_TEST

START_TEST(test_report_plain_titles_are_not_framed_and_clean_is_empty)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autofree char *empty = format_report(w);
	g_autofree char *text = NULL;
	SimReport *r;

	ck_assert_str_eq(empty, "");
	r = sim_report_new(w, SIM_BUG_SLEEP_IN_ATOMIC, "mutex_lock",
			   "BUG: sleeping function called from invalid "
			   "context at sim/kapi/mutex.c:10");
	sim_report_line(r, "in_atomic(): 1, irqs_disabled(): 0");
	sim_report_raise(w, r);
	text = format_report(w);
	ck_assert_str_eq(text, "BUG: sleeping function called from invalid "
			 "context at sim/kapi/mutex.c:10\n"
			 "in_atomic(): 1, irqs_disabled(): 0\n");
}
END_TEST

START_TEST(test_report_first_report_wins)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimReport *a, *b;
	g_autofree char *sig = NULL;
	const SimTrace *t = sim_world_trace(w);

	a = sim_report_new(w, SIM_BUG_DOUBLE_FREE, "storvsc_remove",
			   "BUG: KASAN: double-free in storvsc_remove");
	b = sim_report_new(w, SIM_BUG_DEADLOCK, "vmbus_close",
			   "INFO: task x:1 blocked for more than 120 seconds.");
	sim_report_raise(w, a);
	sim_report_raise(w, b);	/* freed */
	ck_assert_ptr_eq(w->bug, a);
	ck_assert_int_eq(w->end, SIM_END_BUG);
	sig = sim_report_signature(w);
	ck_assert_str_eq(sig, "double-free:storvsc_remove");
	/* One bug event in the trace, for the first report only. */
	ck_assert_uint_eq(t->len, 1);
	ck_assert_uint_eq(t->ev[0].kind, SIM_TR_BUG);
	ck_assert_str_eq(t->ev[0].name, "double-free");
}
END_TEST

START_TEST(test_report_signature_of_clean_and_limits)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autofree char *clean = NULL, *limit = NULL;

	clean = sim_report_signature(w);
	ck_assert_str_eq(clean, "clean");
	w->end = SIM_END_STEP_LIMIT;
	limit = sim_report_signature(w);
	ck_assert_str_eq(limit, "step-limit");
}
END_TEST

START_TEST(test_report_obj_addr_is_kernel_looking_and_distinct)
{
	ck_assert_uint_eq(sim_report_obj_addr(0), 0xffff888100000000ULL);
	ck_assert_uint_eq(sim_report_obj_addr(1), 0xffff888100000100ULL);
	ck_assert_uint_ne(sim_report_obj_addr(1), sim_report_obj_addr(2));
	ck_assert_uint_eq(sim_report_obj_addr(4000000000u),
			  0xffff888100000000ULL + 4000000000ULL * 0x100);
}
END_TEST

START_TEST(test_report_trailer_lists_last_steps_and_replay)
{
	g_autoptr(SimWorld) w = sim_world_new();
	GString *out = g_string_new(NULL);
	g_auto(GStrv) lines = NULL;
	SimReport *r;
	guint i;

	w->seed = 42;
	w->execution = 3;
	sim_trace(w, SIM_TR_POINT, 0, "early.point", "early_fn", 0, 0);
	w->steps = 5;
	w->now = 1234567;
	sim_trace(w, SIM_TR_POINT, 0, "storvsc.sc_present", "storvsc_probe",
		  0, 0);
	sim_trace(w, SIM_TR_SWITCH, 0, NULL, NULL, 0, 2);
	sim_trace(w, SIM_TR_LOCK, 12, "&channel->lock", "vmbus_open", 0, 0);
	r = sim_report_new(w, SIM_BUG_USE_AFTER_FREE, "hv_ringbuffer_write",
			   "BUG: KASAN: slab-use-after-free in "
			   "hv_ringbuffer_write");
	sim_report_raise(w, r);
	sim_report_trailer(w, out, 4, "hvsim run x.scenario --seed 42");
	lines = g_strsplit(out->str, "\n", -1);
	for (i = 0; lines[i] && *lines[i]; i++)
		ck_assert_msg(g_str_has_prefix(lines[i], "hvsim: "),
			      "line %u: %s", i, lines[i]);
	ck_assert_str_eq(lines[0], "hvsim: verdict: use-after-free in "
			 "hv_ringbuffer_write");
	ck_assert_str_eq(lines[1], "hvsim: signature: "
			 "use-after-free:hv_ringbuffer_write");
	ck_assert_str_eq(lines[2], "hvsim: variant pre-fix seed 42 "
			 "execution 3");
	ck_assert_str_eq(lines[3], "hvsim: found at step 5, time "
			 "1234.567us, by host");
	ck_assert_str_eq(lines[4], "hvsim: last 4 steps:");
	ck_assert_str_eq(lines[5], "hvsim:   #5 1234.567us host: point "
			 "storvsc.sc_present in storvsc_probe");
	/* A switch shows on the task switched to (no task table here). */
	ck_assert_str_eq(lines[6], "hvsim:   #5 1234.567us task/2: switch");
	ck_assert_str_eq(lines[7], "hvsim:   #5 1234.567us host: lock "
			 "&channel->lock #12 in vmbus_open");
	ck_assert_str_eq(lines[8], "hvsim:   #5 1234.567us host: bug "
			 "use-after-free in hv_ringbuffer_write");
	ck_assert_str_eq(lines[9], "hvsim: replay: hvsim run x.scenario "
			 "--seed 42");
	ck_assert(lines[10] && !*lines[10] && !lines[11]);
	g_string_free(out, TRUE);
}
END_TEST

/* ------------------------------------------------------ raise from task -- */

typedef struct {
	bool after_raise;
} RaiseCtx;

static void report_test_raising_task(void *arg)
{
	RaiseCtx *c = arg;
	SimWorld *w = sim_current_world();
	SimReport *r;

	r = sim_report_new(w, SIM_BUG_BUG, "raiser",
			   "kernel BUG at drivers/x.c:1!");
	sim_report_identity(r, w, sim_current());
	sim_report_raise_task(w, r);
	c->after_raise = true;	/* never reached */
}

static void init_raising(SimWorld *w, void *arg)
{
	sim_task_create(w, "raiser", SIM_CTX_PROCESS, 0,
			report_test_raising_task, arg);
}

START_TEST(test_report_raise_from_a_task_ends_the_execution)
{
	g_autoptr(SimWorld) w = sim_world_new();
	SimStrategy *st = sim_strategy_first();
	RaiseCtx c = { false };
	g_autofree char *text = NULL;

	ck_assert_int_eq(sim_world_run(w, st, 1, 0, init_raising, &c),
			 SIM_END_BUG);
	ck_assert(!c.after_raise);
	ck_assert_ptr_nonnull(w->bug);
	ck_assert_uint_eq(w->bug->task, 2);	/* after the init task */
	text = format_report(w);
	ck_assert(strstr(text, "CPU: 0 PID: 2 Comm: raiser Not tainted") !=
		  NULL);
	/* The world runs again cleanly afterwards. */
	ck_assert_int_eq(sim_world_run(w, st, 1, 0, NULL, NULL),
			 SIM_END_CLEAN);
	ck_assert_ptr_null(w->bug);
	sim_strategy_free(st);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_report_stack_names_function_file_and_line);
	tcase_add_test(tc, test_report_stack_drops_engine_frames_and_stops_at_engine);
	tcase_add_test(tc, test_report_stack_skip_drops_innermost_frames);
	tcase_add_test(tc, test_report_stack_top_func_and_determinism);
	tcase_add_test(tc, test_report_stack_unknown_frame_and_empty_stack);
	tcase_add_test(tc, test_report_stack_through_a_signal_points_at_the_fault);
	tcase_add_test(tc, test_report_stack_in_a_task_ends_at_the_task_entry);
	tcase_add_test(tc, test_report_kasan_report_is_framed_by_rulers);
	tcase_add_test(tc, test_report_lockdep_and_warn_framing);
	tcase_add_test(tc, test_report_plain_titles_are_not_framed_and_clean_is_empty);
	tcase_add_test(tc, test_report_first_report_wins);
	tcase_add_test(tc, test_report_signature_of_clean_and_limits);
	tcase_add_test(tc, test_report_obj_addr_is_kernel_looking_and_distinct);
	tcase_add_test(tc, test_report_trailer_lists_last_steps_and_replay);
	tcase_add_test(tc, test_report_raise_from_a_task_ends_the_execution);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
