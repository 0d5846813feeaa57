// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the trace pictures (sim/trace_dot.c): the DOT export of
 * hand-made traces, read back with cgraph, has a lane per task, the
 * cross-lane edges the events imply (unlock -> lock, complete -> wake,
 * queue_work -> work, guest message -> host answer, waits-for), the bug in
 * red, edges that go down once laid out, escaped names, and the same bytes
 * twice; the SVG renders, an empty trace too; a long trace is cut to its
 * tail with a note; and .dot and .svg are written by extension.
 *
 * A hand-made trace: a short execution creates the tasks (the task table
 * names the lanes), then the trace is emptied and events are appended with
 * sim_trace() and re-stamped with the task they pretend to come from.
 */
#include <check.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cgraph.h>
#include <gvc.h>

#include "sim/trace.h"
#include "sim/trace_dot.h"
#include "sim/world.h"

#define S(s) ((char *)(s))

static void idle_task(void *arg)
{
}

static void init_tasks(SimWorld *w, void *arg)
{
	sim_task_create(w, "alpha", SIM_CTX_PROCESS, 0, idle_task, NULL);
	sim_task_create(w, "beta", SIM_CTX_PROCESS, 0, idle_task, NULL);
	sim_task_create(w, "gamma", SIM_CTX_PROCESS, 0, idle_task, NULL);
}

/* The tasks of hand_world(): the execution's init task, then ours. */
enum { MODPROBE = 1, ALPHA, BETA, GAMMA, NTASKS = GAMMA };

/* A world whose task table holds modprobe/1 (which ran init_tasks),
 * alpha/2, beta/3 and gamma/4; its trace empty. */
static SimWorld *hand_world(void)
{
	SimWorld *w = sim_world_new();
	SimStrategy *st = sim_strategy_random();

	w->trace_on = true;
	ck_assert_int_eq(sim_world_run(w, st, 1, 0, init_tasks, NULL),
			 SIM_END_CLEAN);
	sim_strategy_free(st);
	ck_assert_uint_eq(w->tasks->len, NTASKS);
	sim_trace_reset(&w->trace);
	return w;
}

/* Append one event as if @task recorded it at @step; its index. */
static gsize ev_f(SimWorld *w, uint64_t step, uint32_t task,
		  SimTraceKind kind, uint32_t obj, const char *name,
		  const char *func, int64_t arg, uint32_t peer)
{
	w->steps = step;
	w->now = step * 1000;
	sim_trace(w, kind, obj, name, func, arg, peer);
	w->trace.ev[w->trace.len - 1].task = task;
	return w->trace.len - 1;
}

static gsize ev(SimWorld *w, uint64_t step, uint32_t task, SimTraceKind kind,
		uint32_t obj, const char *name, int64_t arg, uint32_t peer)
{
	return ev_f(w, step, task, kind, obj, name, "hand_made", arg, peer);
}

static char *dot_of(const SimWorld *w)
{
	GString *out = g_string_new(NULL);

	sim_trace_export_dot(w, out);
	return g_string_free(out, FALSE);
}

static Agraph_t *parse(const char *dot)
{
	Agraph_t *g = agmemread(dot);

	ck_assert_msg(g != NULL, "the DOT export does not parse");
	return g;
}

static Agnode_t *event_node(Agraph_t *g, gsize i)
{
	char name[32];
	Agnode_t *n;

	g_snprintf(name, sizeof(name), "e%zu", i);
	n = agnode(g, name, 0);
	ck_assert_msg(n != NULL, "no node for event %zu", i);
	return n;
}

/* The edge from event @a to event @b, or NULL. */
static Agedge_t *edge_between(Agraph_t *g, gsize a, gsize b)
{
	Agnode_t *t = event_node(g, a), *h = event_node(g, b);

	for (Agedge_t *e = agfstout(g, t); e; e = agnxtout(g, e))
		if (aghead(e) == h)
			return e;
	return NULL;
}

static const char *attr(void *obj, const char *name)
{
	const char *v = agget(obj, S(name));

	return v ? v : "";
}

static void assert_link(Agraph_t *g, gsize a, gsize b, const char *color)
{
	Agedge_t *e = edge_between(g, a, b);

	ck_assert_msg(e != NULL, "no edge e%zu -> e%zu", a, b);
	ck_assert_str_eq(attr(e, "color"), color);
	ck_assert_str_eq(attr(e, "arrowhead"), "normal");
}

/* Edges leaving the lane of their tail: the synchronisation edges. */
static guint cross_edges(Agraph_t *g)
{
	guint n = 0;

	for (Agnode_t *v = agfstnode(g); v; v = agnxtnode(g, v))
		for (Agedge_t *e = agfstout(g, v); e; e = agnxtout(g, e))
			if (strcmp(attr(e, "arrowhead"), "normal") == 0)
				n++;
	return n;
}

static guint count_named(Agraph_t *g, const char *prefix)
{
	guint n = 0;

	for (Agnode_t *v = agfstnode(g); v; v = agnxtnode(g, v)) {
		const char *name = agnameof(v);

		if (g_str_has_prefix(name, prefix) &&
		    g_ascii_isdigit(name[strlen(prefix)]))
			n++;
	}
	return n;
}

/* ------------------------------------------------------- a small trace -- */

typedef struct {
	gsize unlock, lock, complete, woken_at, queue, work, bug, bug_mate;
} Small;

/*
 * modprobe creates alpha; alpha takes and drops mutex #10, waking beta,
 * which takes it; beta completes #11 for gamma, which resumes; alpha
 * queues work #12, gamma runs it; gamma hits a bug at step 9, where alpha
 * also recorded an event.
 */
static Small small_trace(SimWorld *w)
{
	Small s;

	ev(w, 0, MODPROBE, SIM_TR_TASK_CREATE, 0, NULL, 0, ALPHA);
	ev(w, 1, ALPHA, SIM_TR_LOCK, 10, "m", 0, 0);
	s.unlock = ev(w, 2, ALPHA, SIM_TR_UNLOCK, 10, "m", 0, 0);
	ev(w, 2, ALPHA, SIM_TR_WAKE, 0, "m", 0, BETA);	/* the waiter */
	ev(w, 2, GAMMA, SIM_TR_BLOCK, 0, "done", 3, 0);
	s.lock = ev(w, 3, BETA, SIM_TR_LOCK, 10, "m", 0, 0);
	s.complete = ev(w, 4, BETA, SIM_TR_COMPLETE, 11, "done", 1, GAMMA);
	ev(w, 4, BETA, SIM_TR_WAKE, 0, "done", 0, GAMMA);
	ev(w, 5, 0, SIM_TR_SWITCH, 0, NULL, 0, GAMMA);
	s.woken_at = ev(w, 5, GAMMA, SIM_TR_POINT, 0, "gamma.resumed", 0, 0);
	s.queue = ev(w, 6, ALPHA, SIM_TR_QUEUE_WORK, 12, "fn", 0, GAMMA);
	s.work = ev(w, 7, GAMMA, SIM_TR_WORK_START, 12, "fn", 0, 0);
	ev(w, 8, GAMMA, SIM_TR_WORK_END, 12, "fn", 0, 0);
	s.bug_mate = ev(w, 9, ALPHA, SIM_TR_POINT, 0, "alpha.late", 0, 0);
	s.bug = ev(w, 9, GAMMA, SIM_TR_BUG, 0, "use-after-free", 0, 0);
	return s;
}

START_TEST(test_trace_dot_has_a_lane_per_task_in_id_order)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dot = NULL;
	const SimTrace *t;
	Agraph_t *g;
	Agnode_t *v;
	static const char *const names[] = { "host", "modprobe/1",
					     "alpha/2", "beta/3", "gamma/4" };

	small_trace(w);
	dot = dot_of(w);
	ck_assert(g_str_has_prefix(dot, "digraph hvsim {"));
	g = parse(dot);
	ck_assert_uint_eq(count_named(g, "lane"), NTASKS + 1);
	for (guint c = 0; c <= NTASKS; c++) {
		char name[16];

		g_snprintf(name, sizeof(name), "lane%u", c);
		v = agnode(g, name, 0);
		ck_assert_ptr_nonnull(v);
		ck_assert_str_eq(attr(v, "label"), names[c]);
	}
	/* Each drawn event in its task's lane; switches are not drawn. */
	t = sim_world_trace(w);
	ck_assert_uint_eq(count_named(g, "e"), t->len - 1);
	for (gsize i = 0; i < t->len; i++) {
		char group[16];

		if (t->ev[i].kind == SIM_TR_SWITCH)
			continue;
		g_snprintf(group, sizeof(group), "lane%u", t->ev[i].task);
		ck_assert_str_eq(attr(event_node(g, i), "group"), group);
	}
	/* No note: nothing was left out. */
	ck_assert_ptr_null(agnode(g, S("note"), 0));
	agclose(g);
}
END_TEST

START_TEST(test_trace_dot_links_synchronisation_across_lanes)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dot = NULL;
	Small s = small_trace(w);
	Agraph_t *g;

	dot = dot_of(w);
	g = parse(dot);
	/* The unlock, and not also the wake of the waiter under it. */
	assert_link(g, s.unlock, s.lock, "#1f77b4");
	ck_assert_ptr_null(edge_between(g, s.unlock + 1, s.lock));
	/* From the complete, not from the wake recorded right under it. */
	assert_link(g, s.complete, s.woken_at, "#2ca02c");
	ck_assert_ptr_null(edge_between(g, s.complete + 1, s.woken_at));
	assert_link(g, s.queue, s.work, "#9467bd");
	/* Task creation (modprobe -> alpha's first event) and the three above:
	 * nothing else, in particular no edge within a lane. */
	ck_assert_uint_eq(cross_edges(g), 4);
	agclose(g);
}
END_TEST

START_TEST(test_trace_dot_draws_the_bug_step_in_red)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dot = NULL;
	Small s = small_trace(w);
	Agraph_t *g;
	Agnode_t *bug, *mate, *other;

	dot = dot_of(w);
	g = parse(dot);
	bug = event_node(g, s.bug);
	ck_assert_str_eq(attr(bug, "color"), "red");
	ck_assert_str_eq(attr(bug, "fontcolor"), "red");
	ck_assert_str_eq(attr(bug, "penwidth"), "3");
	ck_assert(strstr(attr(bug, "label"), "#9 ") != NULL);
	ck_assert(strstr(attr(bug, "label"), "BUG use-after-free in "
			 "hand_made") != NULL);
	/* The other event of the failing step is outlined in red too... */
	mate = event_node(g, s.bug_mate);
	ck_assert_str_eq(attr(mate, "color"), "red");
	ck_assert_str_eq(attr(mate, "penwidth"), "2");
	/* ...and an event of another step is not. */
	other = event_node(g, s.work);
	ck_assert_str_eq(attr(other, "color"), "black");
	agclose(g);
}
END_TEST

START_TEST(test_trace_dot_is_byte_identical_for_the_same_trace)
{
	g_autoptr(SimWorld) w1 = hand_world();
	g_autoptr(SimWorld) w2 = hand_world();
	g_autofree char *a = NULL, *b = NULL, *c = NULL;
	g_autoptr(GString) s1 = g_string_new(NULL);
	g_autoptr(GString) s2 = g_string_new(NULL);
	g_autoptr(GError) err = NULL;

	small_trace(w1);
	small_trace(w2);
	a = dot_of(w1);
	b = dot_of(w1);
	c = dot_of(w2);
	ck_assert_str_eq(a, b);
	ck_assert_str_eq(a, c);
	ck_assert(sim_trace_render_svg(w1, s1, &err));
	ck_assert(sim_trace_render_svg(w2, s2, &err));
	ck_assert_str_eq(s1->str, s2->str);
	/* And it depends on the trace: one more event changes it. */
	ev(w2, 10, BETA, SIM_TR_POINT, 0, "beta.more", 0, 0);
	g_free(c);
	c = dot_of(w2);
	ck_assert_str_ne(a, c);
}
END_TEST

START_TEST(test_trace_dot_svg_renders)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autoptr(GString) svg = g_string_new("keep ");
	g_autoptr(GError) err = NULL;

	small_trace(w);
	ck_assert_msg(sim_trace_render_svg(w, svg, &err), "%s",
		      err ? err->message : "?");
	ck_assert_ptr_null(err);
	/* Appended, not replaced. */
	ck_assert(g_str_has_prefix(svg->str, "keep <?xml"));
	ck_assert(strstr(svg->str, "<svg") != NULL);
	ck_assert(g_str_has_suffix(svg->str, "</svg>\n"));
	ck_assert(strstr(svg->str, "BUG use&#45;after&#45;free") != NULL ||
		  strstr(svg->str, "BUG use-after-free") != NULL);
	ck_assert(strstr(svg->str, "gamma/4") != NULL);
	ck_assert(strstr(svg->str, "stroke=\"red\"") != NULL);
}
END_TEST

/* Parse "x,y" of a laid-out node. */
static double pos_y(Agnode_t *n)
{
	const char *pos = attr(n, "pos");
	const char *comma = strchr(pos, ',');

	ck_assert_msg(comma != NULL, "%s has no position", agnameof(n));
	return g_ascii_strtod(comma + 1, NULL);
}

START_TEST(test_trace_dot_edges_go_down_the_page)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dot = NULL;
	GVC_t *gvc = gvContext();
	FILE *null = fopen("/dev/null", "w");
	Agraph_t *g;
	guint checked = 0;

	small_trace(w);
	/* Host answers, in order, a guest's message and a register write. */
	ev_f(w, 11, ALPHA, SIM_TR_GUEST_TX, 0, "INITIATE_CONTACT", NULL, 14,
	     0);
	ev_f(w, 12, BETA, SIM_TR_GUEST_TX, 7, "dev0", "write_db", 4096, 0);
	ev_f(w, 13, 0, SIM_TR_HOST_TX, 0, "VERSION_RESPONSE", NULL, 15, 0);
	ev_f(w, 13, 0, SIM_TR_HOST_NOTE, 0, "command", "dev0", 0, 0);
	dot = dot_of(w);
	g = parse(dot);
	ck_assert_uint_eq(cross_edges(g), 6);
	ck_assert_int_eq(gvLayout(gvc, g, "dot"), 0);
	ck_assert_int_eq(gvRender(gvc, g, "dot", null), 0);
	/* Graphviz's y grows upwards: a later event has a smaller y. */
	for (Agnode_t *v = agfstnode(g); v; v = agnxtnode(g, v))
		for (Agedge_t *e = agfstout(g, v); e; e = agnxtout(g, e)) {
			if (strcmp(attr(e, "style"), "invis") == 0)
				continue;
			ck_assert_msg(pos_y(aghead(e)) < pos_y(agtail(e)),
				      "%s -> %s goes up", agnameof(agtail(e)),
				      agnameof(aghead(e)));
			checked++;
		}
	ck_assert_uint_gt(checked, 10);
	gvFreeLayout(gvc, g);
	agclose(g);
	/* The context is not freed: with Graphviz 2.42 that leaves the
	 * pango plugin's font cache pointing at freed memory for the next
	 * render (see graphviz() in sim/trace_dot.c). */
	fclose(null);
}
END_TEST

START_TEST(test_trace_dot_pairs_guest_messages_with_host_answers)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dot = NULL;
	gsize msg1, msg2, cfg, mmio, ans1, ans2, cmd, early;
	Agraph_t *g;

	/* Two hypercall messages in a row, answered in order one
	 * microsecond later; a PCI config write (synchronous, answered by
	 * nothing); a doorbell answered by its device. An answer at the
	 * same virtual time as the message cannot be its answer. */
	msg1 = ev_f(w, 1, ALPHA, SIM_TR_GUEST_TX, 0, "GPADL_HEADER", NULL, 8,
		    0);
	msg2 = ev_f(w, 1, ALPHA, SIM_TR_GUEST_TX, 0, "signal-event", NULL, 1,
		    0);
	early = ev_f(w, 1, 0, SIM_TR_HOST_TX, 0, "OFFERS_DELIVERED", NULL, 4,
		     0);
	cfg = ev_f(w, 2, BETA, SIM_TR_GUEST_TX, 0, "pci config write", "dev0",
		   4, 0);
	mmio = ev_f(w, 2, BETA, SIM_TR_GUEST_TX, 7, "dev0", "write_db", 4096,
		    0);
	ans1 = ev_f(w, 3, 0, SIM_TR_HOST_TX, 0, "GPADL_CREATED", NULL, 10, 0);
	ans2 = ev_f(w, 3, 0, SIM_TR_GUEST_TX, 0, "vmbus-packet", NULL, 1, 0);
	cmd = ev_f(w, 3, 0, SIM_TR_HOST_NOTE, 0, "admin command", "dev0", 6,
		   0);
	dot = dot_of(w);
	g = parse(dot);
	assert_link(g, msg1, ans1, "#8c564b");
	assert_link(g, msg2, ans2, "#8c564b");
	assert_link(g, mmio, cmd, "#8c564b");
	ck_assert_ptr_null(edge_between(g, msg1, early));
	ck_assert_ptr_null(edge_between(g, cfg, cmd));
	ck_assert_uint_eq(cross_edges(g), 3);
	agclose(g);
}
END_TEST

START_TEST(test_trace_dot_starts_host_released_handlers_at_the_message)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dot = NULL;
	gsize msg, create, handler;
	Agraph_t *g;

	/* A host message, its interrupt and the tasklet it schedules are
	 * all on the host lane: the edge to the handler starts at the
	 * message. */
	msg = ev(w, 1, 0, SIM_TR_HOST_TX, 0, "OFFERCHANNEL", 1, 0);
	ev(w, 1, 0, SIM_TR_IRQ, 0, "vmbus", 0, 0);
	create = ev(w, 1, 0, SIM_TR_TASK_CREATE, 0, NULL, 0, BETA);
	ev(w, 1, 0, SIM_TR_TASKLET, 3, "on_msg_dpc", 0, BETA);
	handler = ev(w, 2, BETA, SIM_TR_LOCK, 4, "l", 0, 0);
	dot = dot_of(w);
	g = parse(dot);
	assert_link(g, msg, handler, "#ff7f0e");
	ck_assert_ptr_null(edge_between(g, create, handler));
	ck_assert_uint_eq(cross_edges(g), 1);
	agclose(g);
}
END_TEST

START_TEST(test_trace_dot_points_a_contended_lock_at_its_holder)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dot = NULL;
	gsize lock_a, lock_b, wait_a, wait_b;
	Agraph_t *g;
	Agedge_t *e;

	/* The canary's ABBA: a cycle of dashed edges. */
	lock_a = ev(w, 1, ALPHA, SIM_TR_LOCK, 1, "lock_a", 0, 0);
	lock_b = ev(w, 2, BETA, SIM_TR_LOCK, 2, "lock_b", 0, 0);
	wait_a = ev(w, 3, BETA, SIM_TR_LOCK_CONTEND, 1, "lock_a", 0, ALPHA);
	wait_b = ev(w, 4, ALPHA, SIM_TR_LOCK_CONTEND, 2, "lock_b", 0, BETA);
	dot = dot_of(w);
	g = parse(dot);
	e = edge_between(g, wait_a, lock_a);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(attr(e, "style"), "dashed");
	ck_assert_str_eq(attr(e, "constraint"), "false");
	e = edge_between(g, wait_b, lock_b);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(attr(e, "style"), "dashed");
	ck_assert_uint_eq(cross_edges(g), 2);
	agclose(g);
}
END_TEST

START_TEST(test_trace_dot_escapes_names)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dot = NULL;
	g_autoptr(GString) svg = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	gsize i;
	Agraph_t *g;
	const char *label;

	i = ev(w, 1, 0, SIM_TR_HOST_NOTE, 0,
	       "say \"hi\"\\\n\t\x01<b>&\xc3\xa9", 0, 0);
	dot = dot_of(w);
	g = parse(dot);
	label = attr(event_node(g, i), "label");
	/* A Graphviz label reads backslash escapes: the name's backslash
	 * is doubled, control characters are blanks, non-ASCII is '?'. */
	ck_assert_msg(strstr(label, "host say \"hi\"\\\\   <b>&??") != NULL,
		      "%s", label);
	agclose(g);
	ck_assert(sim_trace_render_svg(w, svg, &err));
	ck_assert(strstr(svg->str, "&lt;b&gt;&amp;") != NULL);
	ck_assert(g_utf8_validate(svg->str, (gssize)svg->len, NULL));
}
END_TEST

START_TEST(test_trace_dot_draws_an_empty_trace)
{
	g_autoptr(SimWorld) w = sim_world_new();	/* never ran */
	g_autofree char *dot = dot_of(w);
	g_autoptr(GString) svg = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	Agraph_t *g = parse(dot);

	ck_assert_uint_eq(count_named(g, "lane"), 1);	/* the host's */
	ck_assert_uint_eq(count_named(g, "e"), 0);
	agclose(g);
	ck_assert(sim_trace_render_svg(w, svg, &err));
	ck_assert(strstr(svg->str, "<svg") != NULL);
}
END_TEST

/* --------------------------------------------------------- long traces -- */

/*
 * gamma blocks at step 0 and is never heard of again; alpha and beta take
 * turns for @n steps; alpha hits a bug at the last step. modprobe has no
 * event at all.
 */
static gsize long_trace(SimWorld *w, guint n)
{
	ev(w, 0, GAMMA, SIM_TR_BLOCK, 0, "forever", 3, 0);
	for (guint i = 1; i <= n; i++)
		ev(w, i, ALPHA + i % 2, SIM_TR_POINT, 0, "p", i, 0);
	return ev(w, n + 1, ALPHA, SIM_TR_BUG, 0, "deadlock", 0, 0);
}

START_TEST(test_trace_dot_cuts_a_long_trace_to_its_tail)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dot = NULL, *note = NULL;
	g_autoptr(GString) svg = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	guint n = 2 * SIM_TRACE_DOT_MAX_NODES;
	gsize bug = long_trace(w, n);
	/* Events before the tail, but gamma's wait. */
	gsize omitted = (gsize)n + 2 - SIM_TRACE_DOT_TAIL - 1;
	Agraph_t *g;
	Agnode_t *v;

	dot = dot_of(w);
	g = parse(dot);
	/* The tail, gamma's wait (silent in the tail), and nothing else; the
	 * lanes of the tasks drawn (not modprobe's). */
	ck_assert_uint_eq(count_named(g, "e"), SIM_TRACE_DOT_TAIL + 1);
	ck_assert_ptr_nonnull(event_node(g, 0));
	ck_assert_ptr_nonnull(event_node(g, bug));
	ck_assert_ptr_nonnull(event_node(g, bug - SIM_TRACE_DOT_TAIL + 1));
	ck_assert_ptr_null(agnode(g, S("e1"), 0));
	ck_assert_str_eq(attr(event_node(g, bug), "color"), "red");
	ck_assert_uint_eq(count_named(g, "lane"), 4);
	v = agnode(g, S("note"), 0);
	ck_assert_ptr_nonnull(v);
	note = g_strdup_printf("hvsim: %zu earlier events omitted; use .txt "
			       "for the full trace", omitted);
	ck_assert_str_eq(attr(v, "label"), note);
	agclose(g);

	/* The SVG draws the same tail. */
	ck_assert(sim_trace_render_svg(w, svg, &err));
	ck_assert(strstr(svg->str, note) != NULL);
}
END_TEST

START_TEST(test_trace_dot_keeps_a_long_trace_whole_up_to_the_limit)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dot = NULL;
	g_autoptr(GString) svg = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	/* BLOCK + n points + BUG drawn: exactly the limit. */
	guint n = SIM_TRACE_DOT_MAX_NODES - 2;
	Agraph_t *g;

	long_trace(w, n);
	dot = dot_of(w);
	g = parse(dot);
	ck_assert_uint_eq(count_named(g, "e"), SIM_TRACE_DOT_MAX_NODES);
	ck_assert_ptr_null(agnode(g, S("note"), 0));
	agclose(g);
	/* An SVG is always the tail. */
	ck_assert(sim_trace_render_svg(w, svg, &err));
	ck_assert(strstr(svg->str, "earlier events omitted") != NULL);
}
END_TEST

START_TEST(test_trace_dot_keeps_an_early_bug_step)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dot = NULL;
	gsize warn, mate;
	Agraph_t *g;

	/* A WARNING long before the tail: its whole step stays. */
	mate = ev(w, 0, BETA, SIM_TR_POINT, 0, "before.warn", 0, 0);
	warn = ev(w, 0, BETA, SIM_TR_BUG, 0, "WARNING", 0, 0);
	for (guint i = 1; i <= 2 * SIM_TRACE_DOT_MAX_NODES; i++)
		ev(w, i, ALPHA + i % 3, SIM_TR_POINT, 0, "p", i, 0);
	dot = dot_of(w);
	g = parse(dot);
	ck_assert_str_eq(attr(event_node(g, warn), "color"), "red");
	ck_assert_str_eq(attr(event_node(g, mate), "color"), "red");
	ck_assert_ptr_nonnull(agnode(g, S("note"), 0));
	agclose(g);
}
END_TEST

/* ---------------------------------------------------------- file output -- */

START_TEST(test_trace_dot_written_by_extension)
{
	g_autoptr(SimWorld) w = hand_world();
	g_autofree char *dir = g_dir_make_tmp("hvsim-dot-XXXXXX", NULL);
	g_autofree char *dot_path = g_build_filename(dir, "t.dot", NULL);
	g_autofree char *svg_path = g_build_filename(dir, "t.svg", NULL);
	g_autofree char *png_path = g_build_filename(dir, "t.png", NULL);
	g_autofree char *dot = NULL, *got = NULL;
	g_autoptr(GString) svg = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	GError *bad = NULL;

	small_trace(w);
	ck_assert(sim_trace_format_supported(dot_path, NULL));
	ck_assert(sim_trace_format_supported(svg_path, NULL));
	ck_assert(sim_trace_write_file(w, dot_path, &err));
	ck_assert(sim_trace_write_file(w, svg_path, &err));
	dot = dot_of(w);
	ck_assert(g_file_get_contents(dot_path, &got, NULL, NULL));
	ck_assert_str_eq(got, dot);
	g_free(got);
	ck_assert(sim_trace_render_svg(w, svg, &err));
	ck_assert(g_file_get_contents(svg_path, &got, NULL, NULL));
	ck_assert_str_eq(got, svg->str);
	/* Other extensions are refused, naming the four that work. */
	ck_assert(!sim_trace_format_supported(png_path, &bad));
	ck_assert(strstr(bad->message, ".txt, .json, .dot or .svg") != NULL);
	g_clear_error(&bad);
	ck_assert(!sim_trace_write_file(w, png_path, &bad));
	g_clear_error(&bad);
	ck_assert(!g_file_test(png_path, G_FILE_TEST_EXISTS));
	g_unlink(dot_path);
	g_unlink(svg_path);
	ck_assert_int_eq(g_rmdir(dir), 0);	/* nothing else left */
}
END_TEST

static Suite *trace_dot_suite(void)
{
	Suite *s = suite_create("trace-dot");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_trace_dot_has_a_lane_per_task_in_id_order);
	tcase_add_test(tc, test_trace_dot_links_synchronisation_across_lanes);
	tcase_add_test(tc, test_trace_dot_draws_the_bug_step_in_red);
	tcase_add_test(tc, test_trace_dot_is_byte_identical_for_the_same_trace);
	tcase_add_test(tc, test_trace_dot_svg_renders);
	tcase_add_test(tc, test_trace_dot_edges_go_down_the_page);
	tcase_add_test(tc, test_trace_dot_pairs_guest_messages_with_host_answers);
	tcase_add_test(tc, test_trace_dot_starts_host_released_handlers_at_the_message);
	tcase_add_test(tc, test_trace_dot_points_a_contended_lock_at_its_holder);
	tcase_add_test(tc, test_trace_dot_escapes_names);
	tcase_add_test(tc, test_trace_dot_draws_an_empty_trace);
	tcase_add_test(tc, test_trace_dot_cuts_a_long_trace_to_its_tail);
	tcase_add_test(tc, test_trace_dot_keeps_a_long_trace_whole_up_to_the_limit);
	tcase_add_test(tc, test_trace_dot_keeps_an_early_bug_step);
	tcase_add_test(tc, test_trace_dot_written_by_extension);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trace_dot_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
