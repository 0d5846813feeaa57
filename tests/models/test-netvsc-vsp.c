// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the network VSP model (device type "netvsc",
 * models/netvsc_vsp.c) through scenarios it writes itself and the real
 * guest (hv_vmbus and hv_netvsc), in the post-fix variant so nothing
 * deadlocks: that the type and its keys are registered, that the host
 * grants "subchannels" sub-channels whatever the guest asks, that both
 * reply orders bring the NIC up, that offer-at hot-adds the NIC at that
 * time, that the rescind action rescinds what it is told, and that the
 * host notes nothing while a healthy guest talks to it.
 */
#include <check.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "drivers/include/hvsim/driver.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/world.h"

typedef struct {
	char *dir, *path;
	SimScenario *scn;
	SimWorld *w;
	SimEnd end;
} Run;

static const char scn_head[] =
	"[scenario]\n"
	"title = netvsc VSP model test\n"
	"upstream = none\n"
	"fix = vmbus-offer-workqueues\n"
	"variant = post-fix\n"
	"[machine]\n"
	"cpus = %d\n"
	"modules = hv_vmbus;hv_netvsc\n"
	"[device nic0]\n"
	"type = netvsc\n"
	"%s"
	"%s"
	"[schedule]\n"
	"strategy = random\n"
	"[expect]\n"
	"pre-fix = clean\n"
	"post-fix = clean\n";

/* Write and run a scenario: @dev lines go in [device nic0], @rest after. */
static void run_scn(Run *r, int cpus, const char *dev, const char *rest)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *text = g_strdup_printf(scn_head, cpus, dev, rest);
	SimStrategy *s = sim_strategy_first();

	r->dir = g_dir_make_tmp("hvsim-netvsc-XXXXXX", NULL);
	ck_assert(r->dir);
	r->path = g_build_filename(r->dir, "t.scn", NULL);
	ck_assert(g_file_set_contents(r->path, text, -1, NULL));
	r->scn = sim_scenario_load(r->path, &err);
	ck_assert_msg(r->scn, "load: %s", err ? err->message : "?");
	r->w = sim_world_new();
	r->w->ncpus = r->scn->cpus;
	ck_assert_msg(sim_scenario_apply(r->scn, r->w, "post-fix", &err),
		      "apply: %s", err ? err->message : "?");
	r->end = sim_world_run(r->w, s, 1, 0, sim_scenario_init, r->scn);
	sim_strategy_free(s);
}

static void run_free(Run *r)
{
	sim_world_free(r->w);
	sim_scenario_free(r->scn);
	g_unlink(r->path);
	g_rmdir(r->dir);
	g_free(r->path);
	g_free(r->dir);
}

static int count(SimWorld *w, SimTraceKind kind, const char *name)
{
	const SimTrace *t = sim_world_trace(w);
	int n = 0;
	size_t i;

	for (i = 0; i < t->len; i++)
		if (t->ev[i].kind == kind &&
		    (!name || (t->ev[i].name &&
			       strcmp(t->ev[i].name, name) == 0)))
			n++;
	return n;
}

static const SimTraceEvent *first(SimWorld *w, SimTraceKind kind,
				  const char *name)
{
	const SimTrace *t = sim_world_trace(w);
	size_t i;

	for (i = 0; i < t->len; i++)
		if (t->ev[i].kind == kind && t->ev[i].name &&
		    strcmp(t->ev[i].name, name) == 0)
			return &t->ev[i];
	return NULL;
}

#define ck_assert_clean_run(r)						\
	ck_assert_msg((r)->end == SIM_END_CLEAN, "ended %d: %s", (r)->end, \
		      (r)->w->bug ? (r)->w->bug->title : "")

START_TEST(test_netvsc_vsp_type_is_registered)
{
	const SimDeviceType *t = NULL;
	int i;

	for (i = 0; sim_device_types[i]; i++)
		if (strcmp(sim_device_types[i]->name, "netvsc") == 0)
			t = sim_device_types[i];
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->actions[0].name, "rescind");
	ck_assert_ptr_null(t->actions[1].name);
}
END_TEST

/* 4 CPUs: the guest asks for 3 sub-channels; the host grants 1. */
START_TEST(test_netvsc_vsp_grants_subchannels_key)
{
	Run r;

	run_scn(&r, 4, "subchannels = 1\n", "");
	ck_assert_clean_run(&r);
	ck_assert_int_eq(count(r.w, SIM_TR_HOST_TX, "OFFERCHANNEL"), 2);
	ck_assert_int_eq(count(r.w, SIM_TR_POINT, "netvsc.sc_open"), 1);
	ck_assert_int_eq(count(r.w, SIM_TR_HOST_TX, "OPENCHANNEL_RESULT"), 2);
	ck_assert_int_eq(count(r.w, SIM_TR_HOST_NOTE, NULL), 0);
	run_free(&r);
}
END_TEST

/* By default it grants what the guest asks: min(CPUs, rss-queues) - 1. */
START_TEST(test_netvsc_vsp_grants_what_is_asked)
{
	Run r;

	run_scn(&r, 4, "rss-queues = 3\nreply-order = completion-first\n", "");
	ck_assert_clean_run(&r);
	ck_assert_int_eq(count(r.w, SIM_TR_HOST_TX, "OFFERCHANNEL"), 3);
	ck_assert_int_eq(count(r.w, SIM_TR_POINT, "netvsc.sc_open"), 2);
	ck_assert_int_eq(count(r.w, SIM_TR_HOST_NOTE, NULL), 0);
	run_free(&r);
}
END_TEST

/* rss-queues = 1: no receive scaling, so no sub-channel request. */
START_TEST(test_netvsc_vsp_single_queue_means_no_subchannels)
{
	Run r;

	run_scn(&r, 4, "rss-queues = 1\n", "");
	ck_assert_clean_run(&r);
	ck_assert_int_eq(count(r.w, SIM_TR_HOST_TX, "OFFERCHANNEL"), 1);
	ck_assert_int_eq(count(r.w, SIM_TR_POINT,
			       "netvsc.subchan_rtnl_locked"), 0);
	run_free(&r);
}
END_TEST

START_TEST(test_netvsc_vsp_offer_at_hot_adds)
{
	const SimTraceEvent *e;
	Run r;

	run_scn(&r, 2, "offer-at = 2ms\n", "");
	ck_assert_clean_run(&r);
	e = first(r.w, SIM_TR_HOST_TX, "OFFERCHANNEL");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->time, 2 * SIM_MSEC);
	ck_assert_int_eq(count(r.w, SIM_TR_POINT, "netvsc.sc_open"), 1);
	run_free(&r);
}
END_TEST

/* A rescind of one sub-channel after the NIC is up: just that one. */
START_TEST(test_netvsc_vsp_rescind_one)
{
	Run r;

	run_scn(&r, 4, "",
		"[event gone]\nat = 5ms\ndevice = nic0\naction = rescind\n"
		"channels = one\nindex = 2\n");
	ck_assert_clean_run(&r);
	ck_assert_int_eq(count(r.w, SIM_TR_HOST_TX, "RESCIND_CHANNELOFFER"),
			 1);
	ck_assert_int_eq(count(r.w, SIM_TR_POINT, "vmbus.rescind"), 1);
	run_free(&r);
}
END_TEST

/* A hot-remove of the whole NIC once it is up: every channel, and the
 * guest unbinds netvsc. */
START_TEST(test_netvsc_vsp_rescind_all_removes_the_nic)
{
	Run r;

	run_scn(&r, 3, "",
		"[event gone]\nat = 5ms\ndevice = nic0\naction = rescind\n");
	ck_assert_clean_run(&r);
	ck_assert_int_eq(count(r.w, SIM_TR_HOST_TX, "RESCIND_CHANNELOFFER"),
			 3);
	ck_assert_int_eq(count(r.w, SIM_TR_HOST_TX, "OPENCHANNEL_RESULT"), 3);
	run_free(&r);
}
END_TEST

static Suite *netvsc_vsp_suite(void)
{
	Suite *s = suite_create("netvsc-vsp");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_netvsc_vsp_type_is_registered);
	tcase_add_test(tc, test_netvsc_vsp_grants_subchannels_key);
	tcase_add_test(tc, test_netvsc_vsp_grants_what_is_asked);
	tcase_add_test(tc, test_netvsc_vsp_single_queue_means_no_subchannels);
	tcase_add_test(tc, test_netvsc_vsp_offer_at_hot_adds);
	tcase_add_test(tc, test_netvsc_vsp_rescind_one);
	tcase_add_test(tc, test_netvsc_vsp_rescind_all_removes_the_nic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(netvsc_vsp_suite());
	int failed;

	/* A direct call keeps the drivers' shared object linked. */
	if (hvsim_module_names(NULL, 0) < 3)
		return 1;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
