// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the VMBus offer handling of both sides of 37c2578c0c40
 * (fix switch vmbus-offer-workqueues) end to end, with netvsc and the
 * network VSP model, through its two scenarios:
 *  - scenarios/vmbus-rescind-open-deadlock.scn (race:
 *    vmbus-rescind-open-deadlock): pre-fix, the hv_vmbus_con worker waits
 *    forever in __vmbus_open for a rescinded sub-channel while netvsc's
 *    sub-channel work holds RTNL; post-fix, the open fails with -ENODEV,
 *    both rescinds complete, the NIC is removed and, after unloading,
 *    nothing is left on the heap;
 *  - scenarios/netvsc-multi-nic-rtnl-deadlock.scn (race:
 *    netvsc-multi-nic-rtnl-deadlock): pre-fix, NIC2's probe waits for RTNL
 *    in the hv_vmbus_con worker while NIC1's sub-channel work holds it;
 *    post-fix, both NICs come up with their sub-channels.
 * Each in both variants, scripted and over random schedules (1,000 seeds
 * post-fix), and the same seed gives the same trace.
 */
#include <check.h>
#include <string.h>

#include <glib.h>

#include "drivers/include/hvsim/driver.h"
#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/world.h"

#include "scenario-run.h"

#define RESCIND_SCN	"vmbus-rescind-open-deadlock"
#define MULTI_NIC_SCN	"netvsc-multi-nic-rtnl-deadlock"

const char *sim_kapi_console(SimWorld *w);

/* The scripted execution of @name/@variant, with stacks. */
static SimEnd run_scripted(Run *r, const char *name, const char *variant)
{
	SimStrategy *s = sim_strategy_first();
	SimEnd end;

	run_open(r, name, variant);
	r->w->want_stacks = true;
	end = run_once(r, s, r->scn->seed);
	sim_strategy_free(s);
	return end;
}

#define assert_contains(text, needle)					\
	ck_assert_msg(strstr((text), (needle)),				\
		      "\"%s\" not found in:\n%s", (needle), (text))

static int count_substr(const char *text, const char *needle)
{
	int n = 0;

	while ((text = strstr(text, needle))) {
		n++;
		text += strlen(needle);
	}
	return n;
}

/* Trace events of @kind named @name (any name when NULL), and @arg. */
static int trace_count(SimWorld *w, SimTraceKind kind, const char *name,
		       bool match_arg, int64_t arg)
{
	const SimTrace *t = sim_world_trace(w);
	int n = 0;
	size_t i;

	for (i = 0; i < t->len; i++) {
		const SimTraceEvent *e = &t->ev[i];

		if (e->kind != kind)
			continue;
		if (name && (!e->name || strcmp(e->name, name) != 0))
			continue;
		if (match_arg && e->arg != arg)
			continue;
		n++;
	}
	return n;
}

/* The task that first passed point @name, or NULL. */
static SimTask *task_at_point(SimWorld *w, const char *name)
{
	const SimTrace *t = sim_world_trace(w);
	size_t i;

	for (i = 0; i < t->len; i++)
		if (t->ev[i].kind == SIM_TR_POINT && t->ev[i].name &&
		    strcmp(t->ev[i].name, name) == 0)
			return sim_task_by_id(w, t->ev[i].task);
	return NULL;
}

/* Random schedules of a variant, with no script: how many met @want
 * (clean when @want_clean, else the scenario's pre-fix expectation). Any
 * other outcome fails the test. */
static int explore(const char *name, const char *variant, uint64_t seeds,
		   bool want_clean)
{
	SimStrategy *s = sim_strategy_random();
	Run r;
	uint64_t seed;
	int met = 0;

	run_open(&r, name, variant);
	r.w->respect_order = false;
	r.w->trace_on = false;
	for (seed = 1; seed <= seeds; seed++) {
		SimEnd end = run_once(&r, s, seed);
		g_autofree char *v = verdict(&r, end);

		if (end == SIM_END_CLEAN) {
			if (want_clean)
				met++;
			continue;
		}
		ck_assert_msg(!want_clean && end == SIM_END_BUG,
			      "%s %s seed %" G_GUINT64_FORMAT " ended %s",
			      name, variant, seed, v);
		ck_assert_msg(sim_expect_matches(
				sim_scenario_expect(r.scn, variant),
				r.w->bug->kind, r.w->bug->func),
			      "%s %s seed %" G_GUINT64_FORMAT ": unexpected %s",
			      name, variant, seed, v);
		met++;
	}
	sim_strategy_free(s);
	run_close(&r);
	return met;
}

/* ------------------------------------------- rescind during sub-channel open -- */

START_TEST(test_vmbus_offer_rescind_prefix_blocks_offer_worker_forever)
{
	g_autofree char *text = NULL, *v = NULL;
	SimTask *opener, *rescinder;
	Run r;
	SimEnd end;

	end = run_scripted(&r, RESCIND_SCN, "pre-fix");
	v = verdict(&r, end);
	ck_assert_msg(end == SIM_END_BUG, "pre-fix ended %s", v);
	ck_assert_msg(r.w->bug->kind == SIM_BUG_DEADLOCK ||
		      r.w->bug->kind == SIM_BUG_HUNG_TASK, "%s", v);
	ck_assert(sim_expect_matches(sim_scenario_expect(r.scn, "pre-fix"),
				     r.w->bug->kind, r.w->bug->func));
	/* Nothing ends before the hung-task threshold. */
	ck_assert_uint_ge(sim_now(r.w), SIM_HUNG_TASK_TIMEOUT);

	/* The sub-channel is opened inline, in the hv_vmbus_con worker, and
	 * that worker waits for OPENCHANNEL_RESULT forever. */
	opener = task_at_point(r.w, "netvsc.sc_open");
	ck_assert_ptr_nonnull(opener);
	ck_assert_int_eq(opener->state, SIM_TASK_BLOCKED);
	ck_assert_int_eq(opener->wait_kind, SIM_WAIT_COMPLETION);
	ck_assert_str_eq(opener->wait_func, "__vmbus_open");
	/* The rescind handlers poll offer_in_progress and never get past it. */
	rescinder = task_at_point(r.w, "vmbus.rescind");
	ck_assert_ptr_nonnull(rescinder);
	ck_assert_int_eq(rescinder->state, SIM_TASK_SLEEPING);
	ck_assert_str_eq(rescinder->wait_func, "vmbus_onoffer_rescind");
	ck_assert_int_eq(trace_count(r.w, SIM_TR_POINT,
				     "vmbus.rescind_cleanup", false, 0), 0);

	/* netvsc's sub-channel work waits too, with RTNL held: blocked a
	 * microsecond before the worker, it is in every report. */
	text = report_text(r.w);
	assert_contains(text, "Workqueue: events netvsc_subchan_work");
	assert_contains(text, "\n rndis_set_subchannel+0x");
	assert_contains(text, "(rtnl_mutex){");
	/* A deadlock report shows every stuck task; the hung-task report
	 * only those past 120 s at its time, which the worker is not yet. */
	if (r.w->bug->kind == SIM_BUG_DEADLOCK) {
		assert_contains(text,
				"Workqueue: hv_vmbus_con vmbus_onmessage_work");
		assert_contains(text, "\n __vmbus_open+0x");
		assert_contains(text, "\n netvsc_sc_open+0x");
		assert_contains(text, "\n vmbus_process_offer ");
	}
	run_close(&r);
}
END_TEST

START_TEST(test_vmbus_offer_rescind_postfix_open_fails_and_nic_goes)
{
	g_autofree char *v = NULL;
	const char *console;
	SimTask *opener, *offer_worker;
	Run r;
	SimEnd end;

	end = run_scripted(&r, RESCIND_SCN, "post-fix");
	v = verdict(&r, end);
	/* check-leaks is on: clean means nothing was left on the heap. */
	ck_assert_msg(r.w->check_leaks, "the scenario must check leaks");
	ck_assert_msg(end == SIM_END_CLEAN, "post-fix ended %s", v);

	/* The sub-channels are opened in hv_sub_chan, not in the worker
	 * that processes offers. */
	opener = task_at_point(r.w, "netvsc.sc_open");
	offer_worker = task_at_point(r.w, "vmbus.add_primary_register");
	ck_assert_ptr_nonnull(opener);
	ck_assert_ptr_nonnull(offer_worker);
	ck_assert_ptr_ne(opener, offer_worker);

	/* Both sub-channel opens fail with -ENODEV (the rescind woke them)
	 * and each is counted; three rescinds woke their openers first. */
	console = sim_kapi_console(r.w);
	ck_assert_int_eq(count_substr(console,
				      "sub channel open failed: -19"), 2);
	ck_assert_int_eq(trace_count(r.w, SIM_TR_POINT,
				     "vmbus.rescind_cleanup", false, 0), 3);
	/* The host dropped the pending OPENCHANNEL. */
	ck_assert_int_ge(trace_count(r.w, SIM_TR_HOST_NOTE,
				     "OPENCHANNEL dropped: channel rescinded",
				     false, 0), 1);
	/* The primary's rescind unbound netvsc (a remove, arg -1). */
	ck_assert_int_eq(trace_count(r.w, SIM_TR_PROBE, "hv_netvsc", true, 1),
			 1);
	ck_assert_int_eq(trace_count(r.w, SIM_TR_PROBE, "hv_netvsc", true, -1),
			 1);
	/* No vmap was unmapped twice (hv_ringbuffer_cleanup forgets it). */
	ck_assert_int_eq(trace_count(r.w, SIM_TR_BUG, NULL, false, 0), 0);
	run_close(&r);
}
END_TEST

START_TEST(test_vmbus_offer_rescind_postfix_random_1000_seeds_clean)
{
	ck_assert_int_eq(explore(RESCIND_SCN, "post-fix", 1000, true), 1000);
}
END_TEST

START_TEST(test_vmbus_offer_rescind_prefix_random_finds_the_deadlock)
{
	ck_assert_int_eq(explore(RESCIND_SCN, "pre-fix", 10, false), 10);
}
END_TEST

/* ------------------------------------------------ two NICs and RTNL -- */

START_TEST(test_vmbus_offer_multi_nic_prefix_deadlocks_on_rtnl)
{
	g_autofree char *text = NULL, *v = NULL;
	SimTask *prober, *subchan;
	Run r;
	SimEnd end;

	end = run_scripted(&r, MULTI_NIC_SCN, "pre-fix");
	v = verdict(&r, end);
	ck_assert_msg(end == SIM_END_BUG, "pre-fix ended %s", v);
	ck_assert_msg(r.w->bug->kind == SIM_BUG_DEADLOCK ||
		      r.w->bug->kind == SIM_BUG_HUNG_TASK, "%s", v);
	ck_assert(sim_expect_matches(sim_scenario_expect(r.scn, "pre-fix"),
				     r.w->bug->kind, r.w->bug->func));

	/* NIC2's probe, in the worker that processes offers, waits for RTNL. */
	prober = task_at_point(r.w, "netvsc.probe_another_nic");
	ck_assert_ptr_nonnull(prober);
	ck_assert_int_eq(prober->state, SIM_TASK_BLOCKED);
	ck_assert_int_eq(prober->wait_kind, SIM_WAIT_MUTEX);
	ck_assert_str_eq(prober->wait_name, "rtnl_mutex");
	ck_assert_str_eq(prober->wait_func, "netvsc_probe");
	/* NIC1's sub-channel work holds RTNL and waits for its
	 * sub-channels, whose offers never get processed. */
	subchan = task_at_point(r.w, "netvsc.subchan_rtnl_locked");
	ck_assert_ptr_nonnull(subchan);
	ck_assert_int_eq(subchan->state, SIM_TASK_BLOCKED);
	ck_assert_int_eq(subchan->wait_kind, SIM_WAIT_EVENT);
	ck_assert_str_eq(subchan->wait_func, "rndis_set_subchannel");
	ck_assert_int_eq(subchan->nheld >= 1, 1);
	ck_assert_str_eq(subchan->held[subchan->nheld - 1].name, "rtnl_mutex");
	ck_assert_int_eq(trace_count(r.w, SIM_TR_POINT, "netvsc.sc_open",
				     false, 0), 0);

	text = report_text(r.w);
	assert_contains(text, "Workqueue: hv_vmbus_con vmbus_onmessage_work");
	assert_contains(text, "\n netvsc_probe+0x");
	assert_contains(text, "\n vmbus_process_offer ");
	assert_contains(text, "Workqueue: events netvsc_subchan_work");
	assert_contains(text, "\n rndis_set_subchannel+0x");
	assert_contains(text, "(rtnl_mutex){");
	assert_contains(text, "is blocked on a mutex likely owned by task");
	run_close(&r);
}
END_TEST

START_TEST(test_vmbus_offer_multi_nic_postfix_both_nics_come_up)
{
	g_autofree char *v = NULL;
	Run r;
	SimEnd end;

	end = run_scripted(&r, MULTI_NIC_SCN, "post-fix");
	v = verdict(&r, end);
	ck_assert_msg(end == SIM_END_CLEAN, "post-fix ended %s", v);
	/* Two probes; each NIC's sub-channel work took RTNL, and with two
	 * CPUs each NIC opened one sub-channel. */
	ck_assert_int_eq(trace_count(r.w, SIM_TR_PROBE, "hv_netvsc", true, 1),
			 2);
	ck_assert_int_eq(trace_count(r.w, SIM_TR_POINT,
				     "netvsc.subchan_rtnl_locked", false, 0), 2);
	ck_assert_int_eq(trace_count(r.w, SIM_TR_POINT, "netvsc.sc_open",
				     false, 0), 2);
	ck_assert_int_eq(trace_count(r.w, SIM_TR_HOST_TX,
				     "OPENCHANNEL_RESULT", false, 0), 4);
	ck_assert_int_eq(count_substr(sim_kapi_console(r.w), "failed"), 0);
	run_close(&r);
}
END_TEST

START_TEST(test_vmbus_offer_multi_nic_postfix_random_1000_seeds_clean)
{
	ck_assert_int_eq(explore(MULTI_NIC_SCN, "post-fix", 1000, true), 1000);
}
END_TEST

START_TEST(test_vmbus_offer_multi_nic_prefix_random_finds_the_deadlock)
{
	int found = explore(MULTI_NIC_SCN, "pre-fix", 200, false);

	ck_assert_msg(found > 0, "no deadlock in 200 random executions");
}
END_TEST

/* ------------------------------------------------------ determinism -- */

static char *trace_of(const char *name, const char *variant, uint64_t seed)
{
	SimStrategy *s = sim_strategy_random();
	GString *out = g_string_new(NULL);
	Run r;

	run_open(&r, name, variant);
	r.w->respect_order = false;
	run_once(&r, s, seed);
	sim_trace_export_text(r.w, out);
	sim_strategy_free(s);
	run_close(&r);
	return g_string_free(out, FALSE);
}

START_TEST(test_vmbus_offer_same_seed_same_trace_bytes)
{
	g_autofree char *a = trace_of(MULTI_NIC_SCN, "post-fix", 42);
	g_autofree char *b = trace_of(MULTI_NIC_SCN, "post-fix", 7);
	g_autofree char *c = trace_of(MULTI_NIC_SCN, "post-fix", 42);
	g_autofree char *d = trace_of(RESCIND_SCN, "post-fix", 3);
	g_autofree char *e = trace_of(RESCIND_SCN, "post-fix", 3);

	ck_assert_uint_gt(strlen(a), 1000);
	ck_assert_str_eq(a, c);
	ck_assert_str_ne(a, b);
	ck_assert_str_eq(d, e);
}
END_TEST

static Suite *vmbus_offer_suite(void)
{
	Suite *s = suite_create("vmbus-offer");
	TCase *tc = tcase_create("races");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_vmbus_offer_rescind_prefix_blocks_offer_worker_forever);
	tcase_add_test(tc, test_vmbus_offer_rescind_postfix_open_fails_and_nic_goes);
	tcase_add_test(tc, test_vmbus_offer_rescind_postfix_random_1000_seeds_clean);
	tcase_add_test(tc, test_vmbus_offer_rescind_prefix_random_finds_the_deadlock);
	tcase_add_test(tc, test_vmbus_offer_multi_nic_prefix_deadlocks_on_rtnl);
	tcase_add_test(tc, test_vmbus_offer_multi_nic_postfix_both_nics_come_up);
	tcase_add_test(tc, test_vmbus_offer_multi_nic_postfix_random_1000_seeds_clean);
	tcase_add_test(tc, test_vmbus_offer_multi_nic_prefix_random_finds_the_deadlock);
	tcase_add_test(tc, test_vmbus_offer_same_seed_same_trace_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vmbus_offer_suite());
	int failed;

	/* A direct call keeps the drivers' shared object linked. */
	if (hvsim_module_names(NULL, 0) < 3)
		return 1;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
