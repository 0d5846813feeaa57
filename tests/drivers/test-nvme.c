// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the nvme-pci driver (drivers/nvme/host/), the PCI core
 * and hot-plug (drivers/pci/), the IRQ core and the PCI and NVMe models
 * end to end, through the scenarios of race 3 (race: nvme-*): every
 * scripted pre-fix schedule ends in the documented failure, in the
 * documented task, with the kernel's first line; every scripted post-fix
 * schedule and 1,000 random post-fix schedules of each are clean; the same
 * seed gives the same trace. It also drives the controller without a race:
 * a reset that creates all I/O queues, the retry path with fewer queues,
 * Set Features failing, and an admin command timing out (the actor T).
 */
#include <check.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "sim/kapi/kapi.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/world.h"

#include "scenario-run.h"

/* What each scripted pre-fix schedule must end with. */
typedef struct {
	const char *name;
	SimBugKind kind;
	const char *func;
	const char *title_prefix;	/* the report's first line starts so */
	const char *task_prefix;	/* the task it strikes in */
} NvmeCase;

#define MSI_BUG		"kernel BUG at drivers/pci/msi.c:"
#define REMOVER		"irq/20-pciehp"
#define WORKER		"kworker/"

static const NvmeCase cases[] = {
	{ "nvme-b3-between-a1-a2", SIM_BUG_BUG, "free_msi_irqs", MSI_BUG,
	  REMOVER },
	{ "nvme-a2-vs-b3", SIM_BUG_BUG, "free_msi_irqs", MSI_BUG, REMOVER },
	{ "nvme-a3-vs-b2", SIM_BUG_BUG, "free_msi_irqs", MSI_BUG, WORKER },
	{ "nvme-a9-double-free-irq", SIM_BUG_WARNING, "__free_irq",
	  "WARNING: CPU: 0 PID: 2 at sim/kapi/irq.c:", REMOVER },
	{ "nvme-a3-vs-b3", SIM_BUG_USE_AFTER_FREE, "free_msi_irqs",
	  "BUG: KASAN: slab-use-after-free in free_msi_irqs", REMOVER },
	{ "nvme-a4-vs-b3", SIM_BUG_WARNING, "pci_irq_vector",
	  "WARNING: CPU: 0 PID: 3 at drivers/pci/msi.c:", WORKER },
	{ "nvme-a5a6-after-b1b2", SIM_BUG_BUG, "free_msi_irqs", MSI_BUG,
	  REMOVER },
	{ "nvme-a7-vs-b3", SIM_BUG_BUG, "free_msi_irqs", MSI_BUG, REMOVER },
	{ "nvme-online-queues-lost-update", SIM_BUG_DATA_RACE,
	  "nvme_init_queue / nvme_suspend_queue",
	  "BUG: KCSAN: data-race in nvme_init_queue / nvme_suspend_queue",
	  WORKER },
};

static SimEnd run_scripted(Run *r)
{
	SimStrategy *s = sim_strategy_first();
	SimEnd end = run_once(r, s, r->scn->seed);

	sim_strategy_free(s);
	return end;
}

/* ----------------------------------------------------- the scenarios -- */

START_TEST(test_nvme_prefix_scripted_shows_the_documented_failure)
{
	const NvmeCase *c = &cases[_i];
	g_autofree char *v = NULL, *text = NULL;
	const SimTask *t;
	Run r;
	SimEnd end;

	run_open(&r, c->name, "pre-fix");
	r.w->want_stacks = true;
	end = run_scripted(&r);
	v = verdict(&r, end);
	ck_assert_msg(end == SIM_END_BUG, "%s pre-fix ended %s", c->name, v);
	ck_assert_msg(r.w->bug->kind == c->kind && r.w->bug->func &&
		      strcmp(r.w->bug->func, c->func) == 0,
		      "%s pre-fix: %s in %s", c->name, v,
		      r.w->bug->func ? r.w->bug->func : "?");
	ck_assert_msg(g_str_has_prefix(r.w->bug->title, c->title_prefix),
		      "%s: title \"%s\"", c->name, r.w->bug->title);
	ck_assert(sim_expect_matches(sim_scenario_expect(r.scn, "pre-fix"),
				     r.w->bug->kind, r.w->bug->func));
	t = sim_task_by_id(r.w, r.w->bug->task);
	ck_assert_msg(t && g_str_has_prefix(t->name, c->task_prefix),
		      "%s: struck in task %s", c->name, t ? t->name : "?");
	text = report_text(r.w);
	ck_assert_msg(strstr(text, " drivers/"), "%s: no driver frame:\n%s",
		      c->name, text);
	run_close(&r);
}
END_TEST

START_TEST(test_nvme_postfix_scripted_is_clean)
{
	const NvmeCase *c = &cases[_i];
	g_autofree char *v = NULL;
	Run r;
	SimEnd end;

	run_open(&r, c->name, "post-fix");
	end = run_scripted(&r);
	v = verdict(&r, end);
	ck_assert_msg(end == SIM_END_CLEAN, "%s post-fix ended %s", c->name, v);
	ck_assert(sim_expect_matches(sim_scenario_expect(r.scn, "post-fix"),
				     SIM_BUG_NONE, NULL));
	/* The fix's way out: the reset worker gave up with -ENODEV. */
	ck_assert_msg(strstr(sim_kapi_console(r.w),
			     "Removing after probe failure status: -19"),
		      "%s post-fix: the reset worker did not bail out:\n%s",
		      c->name, sim_kapi_console(r.w));
	run_close(&r);
}
END_TEST

START_TEST(test_nvme_postfix_random_1000_seeds_clean)
{
	const NvmeCase *c = &cases[_i];
	SimStrategy *s = sim_strategy_random();
	uint64_t seed;
	Run r;

	run_open(&r, c->name, "post-fix");
	r.w->respect_order = false;	/* no script: every interleaving */
	r.w->trace_on = false;
	for (seed = 1; seed <= 1000; seed++) {
		SimEnd end = run_once(&r, s, seed);

		if (end != SIM_END_CLEAN) {
			g_autofree char *v = verdict(&r, end);

			ck_abort_msg("%s post-fix seed %" G_GUINT64_FORMAT
				     " ended %s", c->name, seed, v);
		}
	}
	sim_strategy_free(s);
	run_close(&r);
}
END_TEST

START_TEST(test_nvme_same_seed_same_trace_bytes)
{
	g_autofree char *a = NULL, *b = NULL, *c = NULL;
	Run r;

	run_open(&r, "nvme-a7-vs-b3", "pre-fix");
	a = trace_of_run(&r, 42);
	b = trace_of_run(&r, 7);
	c = trace_of_run(&r, 42);
	ck_assert_uint_gt(strlen(a), 1000);
	ck_assert_str_eq(a, c);
	ck_assert_str_ne(a, b);
	run_close(&r);
}
END_TEST

/* ------------------------------------------- the controller, no race -- */

/*
 * Run a scenario made of the given [device] keys and optional power-off
 * time, no ordering constraints, in a temporary file; returns its end.
 */
static SimEnd run_device(Run *r, const char *device_keys,
			 const char *power_off_at)
{
	g_autofree char *dir = g_dir_make_tmp("hvsim-nvme-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "dev.scn", NULL);
	g_autofree char *event = power_off_at ?
		g_strdup_printf("[event pull]\nat = %s\ndevice = nvme0\n"
				"action = power-off\n\n", power_off_at) :
		g_strdup("");
	g_autofree char *text = g_strdup_printf(
		"[scenario]\ntitle = nvme test\nupstream = none\nfix = none\n\n"
		"[machine]\ncpus = 4\nmodules = pci;nvme\n\n"
		"[device nvme0]\ntype = nvme\n%s\n%s"
		"[schedule]\nstrategy = scripted\n\n"
		"[expect]\npre-fix = clean\npost-fix = clean\n",
		device_keys, event);
	SimEnd end;

	ck_assert(g_file_set_contents(path, text, -1, NULL));
	run_open_path(r, path, "pre-fix");
	end = run_scripted(r);
	g_unlink(path);
	g_rmdir(dir);
	return end;
}

static int count_points(SimWorld *w, const char *name)
{
	const SimTrace *t = sim_world_trace(w);
	int n = 0;

	for (size_t i = 0; i < t->len; i++)
		if (t->ev[i].kind == SIM_TR_POINT &&
		    strcmp(t->ev[i].name, name) == 0)
			n++;
	return n;
}

START_TEST(test_nvme_reset_creates_an_io_queue_per_cpu)
{
	Run r;
	SimEnd end = run_device(&r, "msix-vectors = 8\n", NULL);
	g_autofree char *v = verdict(&r, end);

	ck_assert_msg(end == SIM_END_CLEAN, "ended %s", v);
	ck_assert_msg(strstr(sim_kapi_console(r.w),
			     "nvme nvme0: 4/0/0 default/read/poll queues"),
		      "%s", sim_kapi_console(r.w));
	ck_assert_int_eq(count_points(r.w, "nvme.A6"), 4);
	ck_assert_int_eq(count_points(r.w, "nvme.A7"), 0);
	run_close(&r);
}
END_TEST

/* The research notes' recipe (A.9): Create I/O CQ 3 fails, retry with 2. */
START_TEST(test_nvme_failed_create_cq_takes_the_retry_path)
{
	Run r;
	SimEnd end = run_device(&r, "msix-vectors = 8\ncreate-cq-error = 3\n",
				NULL);
	g_autofree char *v = verdict(&r, end);

	ck_assert_msg(end == SIM_END_CLEAN, "ended %s", v);
	ck_assert_msg(strstr(sim_kapi_console(r.w),
			     "nvme nvme0: 2/0/0 default/read/poll queues"),
		      "%s", sim_kapi_console(r.w));
	ck_assert_int_eq(count_points(r.w, "nvme.A7"), 1);
	/* Queues 1 and 2 twice, then no third attempt at queue 3. */
	ck_assert_int_eq(count_points(r.w, "nvme.A6"), 4);
	run_close(&r);
}
END_TEST

START_TEST(test_nvme_set_features_error_leaves_the_admin_queue_only)
{
	Run r;
	SimEnd end = run_device(&r, "set-features = error\n", NULL);
	g_autofree char *v = verdict(&r, end);
	const char *con;

	ck_assert_msg(end == SIM_END_CLEAN, "ended %s", v);
	con = sim_kapi_console(r.w);
	ck_assert_msg(strstr(con, "nvme nvme0: Could not set queue count (2)"),
		      "%s", con);
	ck_assert_msg(strstr(con, "nvme nvme0: IO queues not created"), "%s",
		      con);
	ck_assert_int_eq(count_points(r.w, "nvme.A1"), 0);
	run_close(&r);
}
END_TEST

/*
 * An admin command that never completes: after admin_timeout (60 s of
 * virtual time) blk_mq_timeout_work runs nvme_timeout() on kblockd (the
 * actor T), which moves the CONNECTING controller to DELETING and
 * disables it; the reset worker's command comes back cancelled, and the
 * controller is removed.
 */
START_TEST(test_nvme_admin_timeout_disables_the_controller)
{
	Run r;
	SimEnd end = run_device(&r, "create-cq-hang = 1\n", NULL);
	g_autofree char *v = verdict(&r, end);
	const char *con;

	ck_assert_msg(end == SIM_END_CLEAN, "ended %s", v);
	con = sim_kapi_console(r.w);
	ck_assert_msg(strstr(con, "QID 0 timeout, disable controller"), "%s",
		      con);
	ck_assert_msg(strstr(con, "Removing after probe failure status: -4"),
		      "%s", con);
	ck_assert_uint_ge(sim_now(r.w), 60 * SIM_SEC);
	run_close(&r);
}
END_TEST

/* A surprise removal after the reset is over: nothing to race with. */
START_TEST(test_nvme_surprise_removal_of_a_live_controller_is_clean)
{
	Run r;
	SimEnd end = run_device(&r, "msix-vectors = 8\n", "1ms");
	g_autofree char *v = verdict(&r, end);
	const char *con;

	ck_assert_msg(end == SIM_END_CLEAN, "ended %s", v);
	con = sim_kapi_console(r.w);
	ck_assert_msg(strstr(con, "Slot(2): Card not present") ||
		      strstr(con, "Card not present"), "%s", con);
	ck_assert_int_eq(count_points(r.w, "nvme.B3"), 2);
	run_close(&r);
}
END_TEST

/*
 * Exploration with no script finds the two races whose window no command
 * completion and no timeline time can reach (race: nvme-a4-vs-b3, armed
 * on Create I/O SQ 1; nvme-a5a6-after-b1b2, armed on the reset worker's
 * MSI-X enable): random and PCT schedules, seed 1, within 1,000
 * executions, find the documented failure, and everything they find is
 * one of the scenario's pre-fix alternatives.
 */
static const char *const explored[] = {
	"nvme-a4-vs-b3", "nvme-a5a6-after-b1b2",
};

static const NvmeCase *case_named(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	ck_abort_msg("no case %s", name);
	return NULL;
}

static uint64_t explore_to_documented(Run *r, const NvmeCase *c,
				      SimStrategy *s, const char *what)
{
	const SimExpect *e = sim_scenario_expect(r->scn, "pre-fix");

	for (uint64_t i = 0; i < 1000; i++) {
		SimEnd end = sim_world_run(r->w, s, 1, i, sim_scenario_init,
					   r->scn);

		if (end == SIM_END_CLEAN)
			continue;
		ck_assert_msg(end == SIM_END_BUG &&
			      sim_expect_matches(e, r->w->bug->kind,
						 r->w->bug->func),
			      "%s %s execution %" G_GUINT64_FORMAT ": %s",
			      c->name, what, i, verdict(r, end));
		if (r->w->bug->kind == c->kind &&
		    strcmp(r->w->bug->func, c->func) == 0)
			return i + 1;
	}
	ck_abort_msg("%s: 1000 %s executions never found %s", c->name, what,
		     c->func);
	return 0;
}

START_TEST(test_nvme_exploration_finds_the_window_races_without_a_script)
{
	const NvmeCase *c = case_named(explored[_i]);
	SimStrategy *s;
	uint64_t bound;
	Run r;

	run_open(&r, c->name, "pre-fix");
	r.w->respect_order = false;	/* no script */
	r.w->trace_on = false;
	/* PCT's change points among the steps of one unscripted run. */
	s = sim_strategy_first();
	run_once(&r, s, 1);
	bound = r.w->steps;
	sim_strategy_free(s);
	ck_assert_uint_gt(bound, 100);

	s = sim_strategy_random();
	explore_to_documented(&r, c, s, "random");
	sim_strategy_free(s);
	s = sim_strategy_pct(3, bound);
	explore_to_documented(&r, c, s, "PCT");
	sim_strategy_free(s);
	run_close(&r);
}
END_TEST

/* Index of the first trace event of @kind named @name, or -1. */
static long first_event(SimWorld *w, int kind, const char *name)
{
	const SimTrace *t = sim_world_trace(w);

	for (size_t i = 0; i < t->len; i++)
		if ((int)t->ev[i].kind == kind && t->ev[i].name &&
		    strcmp(t->ev[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* A scenario with one power-off event of the given keys, no script. */
static SimEnd run_power_off(Run *r, const char *event_keys)
{
	g_autofree char *dir = g_dir_make_tmp("hvsim-nvme-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "dev.scn", NULL);
	g_autofree char *text = g_strdup_printf(
		"[scenario]\ntitle = nvme test\nupstream = none\nfix = none\n\n"
		"[machine]\ncpus = 4\nmodules = pci;nvme\n\n"
		"[device nvme0]\ntype = nvme\nmsix-vectors = 8\n\n"
		"[event pull]\nat = 0\ndevice = nvme0\naction = power-off\n%s\n"
		"[schedule]\nstrategy = scripted\n\n"
		"[expect]\npre-fix = clean\npost-fix = clean\n", event_keys);
	SimEnd end;

	ck_assert(g_file_set_contents(path, text, -1, NULL));
	run_open_path(r, path, "pre-fix");
	end = run_scripted(r);
	g_unlink(path);
	g_rmdir(dir);
	return end;
}

/*
 * "after = msix-enable": the power goes inside the guest's config write
 * that enables MSI-X, the count-th one since power-on. The second is the
 * reset worker's A4 (the first is nvme_pci_enable()'s boot vector), so
 * the removal comes after nvme.A4 and before nvme.A5 in the trace; a
 * count the guest never reaches removes nothing.
 */
START_TEST(test_nvme_power_off_after_msix_enable_lands_in_the_window)
{
	Run r;
	long a4, a5, off;

	run_power_off(&r, "after = msix-enable\ncount = 2\n");
	a4 = first_event(r.w, SIM_TR_POINT, "nvme.A4");
	a5 = first_event(r.w, SIM_TR_POINT, "nvme.A5");
	off = first_event(r.w, SIM_TR_HOST_NOTE, "surprise removal");
	ck_assert_msg(a4 >= 0 && off > a4 && a5 > off,
		      "A4 at %ld, removal at %ld, A5 at %ld", a4, off, a5);
	run_close(&r);

	ck_assert_int_eq(run_power_off(&r, "after = msix-enable\ncount = 9\n"),
			 SIM_END_CLEAN);
	ck_assert_int_eq(first_event(r.w, SIM_TR_HOST_NOTE,
				     "surprise removal"), -1);
	ck_assert_int_eq(count_points(r.w, "nvme.B3"), 0);
	run_close(&r);
}
END_TEST

static Suite *nvme_suite(void)
{
	Suite *s = suite_create("nvme");
	TCase *tc = tcase_create("race");
	TCase *dev = tcase_create("controller");
	int n = G_N_ELEMENTS(cases);

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_nvme_prefix_scripted_shows_the_documented_failure, 0, n);
	tcase_add_loop_test(tc, test_nvme_postfix_scripted_is_clean, 0, n);
	tcase_add_loop_test(tc, test_nvme_postfix_random_1000_seeds_clean, 0, n);
	tcase_add_test(tc, test_nvme_same_seed_same_trace_bytes);
	tcase_add_loop_test(tc, test_nvme_exploration_finds_the_window_races_without_a_script,
			    0, G_N_ELEMENTS(explored));
	suite_add_tcase(s, tc);

	tcase_set_timeout(dev, 120);
	tcase_add_test(dev, test_nvme_reset_creates_an_io_queue_per_cpu);
	tcase_add_test(dev, test_nvme_failed_create_cq_takes_the_retry_path);
	tcase_add_test(dev, test_nvme_set_features_error_leaves_the_admin_queue_only);
	tcase_add_test(dev, test_nvme_admin_timeout_disables_the_controller);
	tcase_add_test(dev, test_nvme_surprise_removal_of_a_live_controller_is_clean);
	tcase_add_test(dev, test_nvme_power_off_after_msix_enable_lands_in_the_window);
	suite_add_tcase(s, dev);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nvme_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
