// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the trace pictures: the trace of one execution as a
 * Graphviz graph, written as DOT, or laid out in-process with dot and
 * rendered as SVG. It sits between the trace recorder (sim/trace.c, whose
 * events and task names it draws) and Graphviz: cgraph builds the graph
 * and writes it (agwrite), gvc lays it out and renders it. It is the .dot
 * and .svg branch of sim_trace_write_file().
 *
 * The picture. A lane per task, left to right in task id order, the host
 * and engine lane (task 0) first, each headed by the task's name; the
 * events of a lane top to bottom on a thin grey lifeline. Vertical position
 * is a row number, the same for every lane: rows follow the trace order,
 * so whatever is lower happened later, and the events of one step on
 * different lanes (the host's message and the handler it starts) share a
 * row where nothing forces them apart. Each row is a rank=same subgraph
 * anchored on an invisible ruler chain, which is what keeps distant lanes
 * aligned. A node is labelled "#<step> <time>us <kind> <name> #<obj>" (the
 * kind's Graphviz prefix from sim/trace_events.def, names cut to 40
 * characters); its tooltip (an SVG hover) is the full line of the text
 * trace. Every BUG event is filled red, and every other event of a step
 * that reported a bug is outlined in red: the failing step.
 *
 * Task switches are not drawn: the lane already says which task runs and
 * the rows say when, so a switch node would only sit on top of the lane's
 * next event (about one event in ten, all noise). Every other kind is
 * drawn: atomics and printks tell parts of the race stories (a
 * test_and_clear_bit that lost, the message a driver printed).
 *
 * Cross-lane edges, derived from the events alone, in trace order, with
 * per-object arrays and small FIFOs (no pointer, no hash table):
 *   blue    unlock -> lock: an UNLOCK of lock #N and the next LOCK of #N,
 *           when another task takes it.
 *   green   wake: a COMPLETE, WAKE_UP, WAKE, TASKLET schedule, threaded
 *           IRQ or TIMEOUT that names a task in its peer field, to the
 *           next drawn event of that task (where it resumes). Of several
 *           releases from one lane before the task runs, the first is
 *           drawn (the complete, not the wake right under it).
 *   dotted  task creation, the same way.
 *   purple  queue_work -> work: a QUEUE_WORK of work #W and the next
 *           WORK_START of #W.
 *   orange  host message -> handler: a release by the host lane in the
 *           same step as a host-to-guest message or host note starts at
 *           that message instead (the interrupt chain stays on the host
 *           lane, the edge goes to the handler).
 *   brown   guest message -> host: hypercall messages and event signals
 *           (guest-to-host events with no object and no function) wait
 *           in a FIFO and are answered, in order, by the next host-model
 *           event at a later virtual time (the host handles them after a
 *           latency). A register write (an MMIO window's object id and
 *           name) is answered by the next host event of the device of that
 *           name (the event's function field), after a later time: the
 *           doorbell and the command it starts. PCI config writes are
 *           synchronous and draw nothing.
 *   dashed  waits for: a LOCK_CONTEND on #N to the LOCK of #N by the
 *           holder it names (upward; a deadlock shows as a cycle).
 *   Every edge goes down except "waits for"; the row rule guarantees it.
 *
 * Long traces. dot's cost grows faster than linearly with rows times
 * lanes: each lifeline is a chain of virtual nodes, and placing them
 * (dot's second network simplex) dominates. So a long trace is cut to its
 * tail: the last SIM_TRACE_DOT_TAIL drawn events, moved forward to a step
 * boundary; plus the last event of every live task silent in that tail
 * (a blocked task's wait, so a deadlock's tail still says who waits for
 * what); plus every event of a step with a BUG event; and a note node
 * saying how many earlier events were left out. An .svg always takes the
 * tail; a .dot keeps the whole trace up to SIM_TRACE_DOT_MAX_NODES drawn
 * events and is cut beyond. See sim/trace_dot.h for the figures.
 *
 * Determinism: nodes, subgraphs and edges are created in trace order, the
 * row subgraphs are anonymous (cgraph numbers those from a counter; named
 * subgraphs would be ordered by the address of their interned names), and
 * agwrite writes objects in creation order. The SVG is a pure function of
 * the DOT and the installed Graphviz (whose version it names).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cgraph.h>
#include <gvc.h>
#include <glib.h>

#include "sim/report.h"
#include "sim/scenario.h"
#include "sim/sched.h"
#include "sim/trace.h"
#include "sim/trace_dot.h"
#include "sim/world.h"

/* Longest name in a node label; the tooltip has the whole event. */
#define LABEL_NAME_MAX		40
/* Guest messages waiting for the host's answer, at most. */
#define GUEST_FIFO_MAX		64

typedef enum {
	LINK_LOCK,
	LINK_WAKE,
	LINK_CREATE,
	LINK_WORK,
	LINK_HOST,
	LINK_GUEST,
	LINK_WAITS,
} LinkKind;

static const struct {
	const char *color;
	const char *style;
	const char *what;	/* edge tooltip */
} link_styles[] = {
	[LINK_LOCK] = { "#1f77b4", "solid", "unlock -> lock" },
	[LINK_WAKE] = { "#2ca02c", "solid", "wake" },
	[LINK_CREATE] = { "#7f7f7f", "dotted", "create" },
	[LINK_WORK] = { "#9467bd", "solid", "queue_work -> work" },
	[LINK_HOST] = { "#ff7f0e", "solid", "host message -> handler" },
	[LINK_GUEST] = { "#8c564b", "solid", "guest message -> host" },
	[LINK_WAITS] = { "#000000", "dashed", "waits for the holder" },
};

static const char legend[] =
	"edges: blue unlock->lock, green wake, dotted create, purple "
	"queue_work->work,\\norange host message->handler, brown guest "
	"message->host, dashed waits for the lock holder; task switches are "
	"not drawn";

typedef struct {
	gsize src, dst;		/* event indices */
	LinkKind kind;
} Link;

typedef struct {
	gsize src;
	LinkKind kind;
} Pending;

typedef struct {
	const char *name;	/* an MMIO window's name */
	gsize at;		/* its latest write */
} Window;

typedef struct {
	const SimWorld *w;
	const SimTraceEvent *ev;
	gsize len;
	guint nlanes;		/* tasks + the host lane */
	gsize omitted;		/* events before the tail, not drawn */
	guint8 *keep;		/* per event: drawn */
	guint *row;		/* per drawn event */
	guint nrows;		/* rows 0 (lane headers) .. nrows - 1 */
	guint8 *lane_used;
	GArray *links;		/* Link */
} Picture;

/* ------------------------------------------------------------ events -- */

static gboolean drawn_kind(uint16_t kind)
{
	return kind != SIM_TR_SWITCH;
}

/* The lane of an event, as the text export's column: a switch recorded
 * by the scheduler goes to the task switched to; an unknown task to the
 * host lane. */
static guint lane_of(const Picture *p, const SimTraceEvent *ev)
{
	uint32_t c = ev->task;

	if (c == 0 && ev->kind == SIM_TR_SWITCH && ev->peer)
		c = ev->peer;
	return c < p->nlanes ? c : 0;
}

static guint lane_at(const Picture *p, gsize i)
{
	return lane_of(p, &p->ev[i]);
}

/* Does @ev hand the CPU, or a resource, to the task in its peer field? */
static gboolean is_release(const SimTraceEvent *ev)
{
	switch (ev->kind) {
	case SIM_TR_COMPLETE:
	case SIM_TR_WAKE_UP:
	case SIM_TR_WAKE:
	case SIM_TR_TASKLET:
	case SIM_TR_TASK_CREATE:
	case SIM_TR_TIMEOUT:
		return TRUE;
	case SIM_TR_IRQ:
		/* A threaded handler's wake names its descriptor; the
		 * descriptor allocations put a count in the peer field. */
		return ev->obj != 0;
	default:
		return FALSE;
	}
}

/* Something a host model did: the answer to a guest's message. */
static gboolean is_host_model(const SimTraceEvent *ev)
{
	return ev->kind == SIM_TR_HOST_TX || ev->kind == SIM_TR_HOST_NOTE ||
	       ev->kind == SIM_TR_GUEST_TX;
}

/* ------------------------------------------------------------ window -- */

static gboolean in_bug_step(const GArray *bug_steps, uint64_t step)
{
	for (guint k = 0; k < bug_steps->len; k++)
		if (g_array_index(bug_steps, uint64_t, k) == step)
			return TRUE;
	return FALSE;
}

/*
 * A task with no event in the tail, and still alive, is usually blocked:
 * keep its last event before the tail (its wait), so a deadlock or a
 * livelock's tail still shows who waits for what.
 */
static void keep_last_of_silent_tasks(Picture *p, gsize first)
{
	g_autofree guint8 *seen = g_new0(guint8, p->nlanes);
	gsize i;

	for (i = first; i < p->len; i++)
		if (p->keep[i])
			seen[lane_at(p, i)] = TRUE;
	for (i = first; i-- > 0;) {
		const SimTraceEvent *ev = &p->ev[i];
		guint c = lane_of(p, ev);

		if (!drawn_kind(ev->kind) || seen[c])
			continue;
		seen[c] = TRUE;
		if (c != 0 && ev->kind != SIM_TR_TASK_EXIT)
			p->keep[i] = TRUE;
	}
}

/*
 * Choose the drawn events: every event of a drawn kind when there are at
 * most @max_nodes, else the last @tail of them from a step boundary on,
 * the last event of every live task silent in that tail, and every event
 * of a step with a BUG event.
 */
static void choose_window(Picture *p, gsize max_nodes, gsize tail)
{
	g_autoptr(GArray) bug_steps = g_array_new(FALSE, FALSE,
						  sizeof(uint64_t));
	gsize i, n = 0, first = 0;

	for (i = 0; i < p->len; i++) {
		if (drawn_kind(p->ev[i].kind))
			n++;
		if (p->ev[i].kind == SIM_TR_BUG &&
		    !in_bug_step(bug_steps, p->ev[i].step))
			g_array_append_val(bug_steps, p->ev[i].step);
	}
	if (n > max_nodes) {
		gsize seen = 0, b;

		first = p->len;
		while (first > 0 && seen < tail) {
			first--;
			if (drawn_kind(p->ev[first].kind))
				seen++;
		}
		/* Not half a step: start where the next step starts. */
		for (b = first; b > 0 && b < p->len &&
		     p->ev[b].step == p->ev[b - 1].step; b++)
			;
		if (b < p->len)
			first = b;
	}
	for (i = 0; i < p->len; i++) {
		const SimTraceEvent *ev = &p->ev[i];

		p->keep[i] = drawn_kind(ev->kind) &&
			     (i >= first || in_bug_step(bug_steps, ev->step));
	}
	if (first > 0)
		keep_last_of_silent_tasks(p, first);
	for (i = 0; i < first; i++)
		if (!p->keep[i])
			p->omitted++;
}

/* ------------------------------------------------------------- links -- */

static void add_link(Picture *p, gsize src, gsize dst, LinkKind kind)
{
	Link l = { src, dst, kind };

	g_array_append_val(p->links, l);
}

/* Is there a link into the event whose links start at @from, from a
 * node on @lane? */
static gboolean linked_from(const Picture *p, gsize from, guint lane)
{
	for (gsize k = from; k < p->links->len; k++)
		if (lane_at(p, g_array_index(p->links, Link, k).src) == lane)
			return TRUE;
	return FALSE;
}

static void add_pending(const Picture *p, GArray *pend, gsize src,
			LinkKind kind)
{
	Pending e = { src, kind };

	for (guint k = 0; k < pend->len; k++)
		if (lane_at(p, g_array_index(pend, Pending, k).src) ==
		    lane_at(p, src))
			return;
	g_array_append_val(pend, e);
}

static gssize *new_index(gsize n)
{
	gssize *a = g_new(gssize, n);

	for (gsize i = 0; i < n; i++)
		a[i] = -1;
	return a;
}

/*
 * One pass over the drawn events in trace order: the links into each
 * event (from events already seen), then its row, then what it starts.
 */
static void derive(Picture *p)
{
	uint32_t maxobj = 0;
	gsize i, k;

	for (i = 0; i < p->len; i++)
		if (p->keep[i])
			maxobj = MAX(maxobj, p->ev[i].obj);

	g_autofree gssize *unlock_at = new_index(maxobj + 1);
	g_autofree gssize *lock_at = new_index(maxobj + 1);
	g_autofree gssize *queued_at = new_index(maxobj + 1);
	g_autofree guint *lane_row = g_new0(guint, p->nlanes);
	g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func(
		(GDestroyNotify)g_array_unref);
	g_autoptr(GArray) fifo = g_array_new(FALSE, FALSE, sizeof(gsize));
	g_autoptr(GArray) windows = g_array_new(FALSE, FALSE, sizeof(Window));
	gssize last_host = -1;
	guint prev_row = 0;
	uint64_t prev_step = 0;
	gboolean have_prev = FALSE;

	for (guint c = 0; c < p->nlanes; c++)
		g_ptr_array_add(pending, g_array_new(FALSE, FALSE,
						     sizeof(Pending)));

	for (i = 0; i < p->len; i++) {
		const SimTraceEvent *ev = &p->ev[i];
		guint c = lane_of(p, ev);
		GArray *pend = g_ptr_array_index(pending, c);
		gsize mine = p->links->len;
		guint r;

		if (!p->keep[i])
			continue;

		/* Links into this event: the specific pairs first, so a
		 * generic wake from the same lane does not double them. */
		if (ev->kind == SIM_TR_LOCK && ev->obj) {
			gssize u = unlock_at[ev->obj];

			if (u >= 0 && lane_at(p, (gsize)u) != c)
				add_link(p, (gsize)u, i, LINK_LOCK);
			unlock_at[ev->obj] = -1;
		}
		if (ev->kind == SIM_TR_WORK_START && ev->obj) {
			gssize q = queued_at[ev->obj];

			if (q >= 0 && lane_at(p, (gsize)q) != c)
				add_link(p, (gsize)q, i, LINK_WORK);
			queued_at[ev->obj] = -1;
		}
		for (k = 0; k < pend->len; k++) {
			const Pending *e = &g_array_index(pend, Pending, k);

			if (!linked_from(p, mine, lane_at(p, e->src)))
				add_link(p, e->src, i, e->kind);
		}
		g_array_set_size(pend, 0);
		if (c == 0 && is_host_model(ev)) {
			if (fifo->len) {
				gsize g = g_array_index(fifo, gsize, 0);

				if (p->ev[g].time < ev->time) {
					add_link(p, g, i, LINK_GUEST);
					g_array_remove_index(fifo, 0);
				}
			}
			for (k = 0; ev->func && k < windows->len; k++) {
				const Window *win =
					&g_array_index(windows, Window, k);

				if (strcmp(win->name, ev->func) == 0 &&
				    p->ev[win->at].time < ev->time) {
					add_link(p, win->at, i, LINK_GUEST);
					g_array_remove_index(windows, k);
					break;
				}
			}
		}

		/* Its row: after the previous event's (on it when the step is
		 * the same), below its lane's last and below every source. */
		r = have_prev && ev->step != prev_step ? prev_row + 1 :
							 prev_row;
		r = MAX(r, lane_row[c] + 1);
		for (k = mine; k < p->links->len; k++)
			r = MAX(r, p->row[g_array_index(p->links, Link,
							k).src] + 1);
		p->row[i] = r;
		lane_row[c] = r;
		prev_row = r;
		prev_step = ev->step;
		have_prev = TRUE;
		p->lane_used[c] = TRUE;

		/* What this event starts. */
		switch (ev->kind) {
		case SIM_TR_UNLOCK:
			if (ev->obj)
				unlock_at[ev->obj] = (gssize)i;
			break;
		case SIM_TR_LOCK:
			if (ev->obj)
				lock_at[ev->obj] = (gssize)i;
			break;
		case SIM_TR_LOCK_CONTEND:
			if (ev->obj && ev->peer && ev->peer != c &&
			    lock_at[ev->obj] >= 0 &&
			    lane_at(p, (gsize)lock_at[ev->obj]) == ev->peer)
				add_link(p, i, (gsize)lock_at[ev->obj],
					 LINK_WAITS);
			break;
		case SIM_TR_QUEUE_WORK:
			if (ev->obj && ev->arg != -1 && queued_at[ev->obj] < 0)
				queued_at[ev->obj] = (gssize)i;
			break;
		case SIM_TR_HOST_TX:
		case SIM_TR_HOST_NOTE:
			if (c == 0)
				last_host = (gssize)i;
			break;
		case SIM_TR_GUEST_TX:
			if (c == 0)
				break;
			if (!ev->obj && !ev->func) {
				if (fifo->len == GUEST_FIFO_MAX)
					g_array_remove_index(fifo, 0);
				g_array_append_val(fifo, i);
			} else if (ev->obj && ev->name) {
				Window win = { ev->name, i };

				for (k = 0; k < windows->len; k++)
					if (strcmp(g_array_index(windows,
						   Window, k).name,
						   ev->name) == 0)
						break;
				if (k < windows->len)
					g_array_index(windows, Window, k) = win;
				else
					g_array_append_val(windows, win);
			}
			break;
		default:
			break;
		}
		if (is_release(ev) && ev->peer && ev->peer < p->nlanes &&
		    ev->peer != c) {
			gsize src = i;
			LinkKind kind = ev->kind == SIM_TR_TASK_CREATE ?
					LINK_CREATE : LINK_WAKE;

			if (c == 0 && ev->kind != SIM_TR_TIMEOUT &&
			    last_host >= 0 &&
			    p->ev[last_host].step == ev->step) {
				src = (gsize)last_host;
				kind = LINK_HOST;
			}
			add_pending(p, g_ptr_array_index(pending, ev->peer),
				    src, kind);
		}
	}
	p->nrows = prev_row + 1;
}

/* ------------------------------------------------------------- graph -- */

/* cgraph 2.42 takes char * for strings it only reads. */
#define S(s) ((char *)(s))

static void set(void *obj, const char *name, const char *value)
{
	agsafeset(obj, S(name), S(value), S(""));
}

/* @s for a label or tooltip: one line of printable ASCII, backslashes
 * doubled (Graphviz reads \n, \N, \l... in labels), cut to @max. */
static void append_escaped(GString *out, const char *s, gsize max)
{
	gsize n = 0;

	for (; *s; s++, n++) {
		unsigned char ch = (unsigned char)*s;

		if (max && n == max) {
			g_string_append(out, "...");
			return;
		}
		if (ch == '\\')
			g_string_append(out, "\\\\");
		else if (ch < 0x20 || ch == 0x7f)
			g_string_append_c(out, ' ');
		else if (ch >= 0x80)
			g_string_append_c(out, '?');
		else
			g_string_append_c(out, (char)ch);
	}
}

static void append_usec(GString *out, SimTime ns)
{
	g_string_append_printf(out, "%" PRIu64 ".%03uus", ns / 1000,
			       (unsigned)(ns % 1000));
}

static const char *fill_of(uint16_t kind)
{
	switch (kind) {
	case SIM_TR_POINT:
		return "#fff4c2";
	case SIM_TR_LOCK_INIT:
	case SIM_TR_LOCK:
	case SIM_TR_LOCK_CONTEND:
	case SIM_TR_UNLOCK:
	case SIM_TR_TRYLOCK_FAIL:
		return "#e3eefa";
	case SIM_TR_BLOCK:
	case SIM_TR_WAKE:
	case SIM_TR_TIMEOUT:
	case SIM_TR_COMPLETE:
	case SIM_TR_WAKE_UP:
	case SIM_TR_SLEEP:
		return "#e5f5e0";
	case SIM_TR_QUEUE_WORK:
	case SIM_TR_WORK_START:
	case SIM_TR_WORK_END:
	case SIM_TR_FLUSH:
	case SIM_TR_TASKLET:
		return "#efe6f7";
	case SIM_TR_IRQ:
	case SIM_TR_HOST_TX:
	case SIM_TR_GUEST_TX:
	case SIM_TR_HOST_NOTE:
		return "#fde9d9";
	case SIM_TR_ALLOC:
	case SIM_TR_FREE:
	case SIM_TR_PAGE_ALLOC:
	case SIM_TR_PAGE_FREE:
	case SIM_TR_VMAP:
	case SIM_TR_VUNMAP:
		return "#eeeeee";
	case SIM_TR_BUG:
		return "#ffd0d0";
	default:
		return "white";
	}
}

static void node_name(char *buf, gsize size, gsize i)
{
	g_snprintf(buf, size, "e%" G_GSIZE_FORMAT, i);
}

static void add_event_node(const Picture *p, Agraph_t *row, gsize i,
			   gboolean bug_step)
{
	const SimTraceEvent *ev = &p->ev[i];
	const char *func = sim_trace_event_func(p->w, ev);
	g_autoptr(GString) label = g_string_new(NULL);
	g_autoptr(GString) line = g_string_new(NULL);
	g_autoptr(GString) tip = g_string_new(NULL);
	char name[32], group[32];
	Agnode_t *n;

	g_string_append_printf(label, "#%" PRIu64 " ", ev->step);
	append_usec(label, ev->time);
	g_string_append_c(label, ' ');
	g_string_append(label, sim_trace_kind_label(ev->kind));
	if (ev->name) {
		g_string_append_c(label, ' ');
		append_escaped(label, ev->name, LABEL_NAME_MAX);
	}
	if (ev->obj)
		g_string_append_printf(label, " #%u", ev->obj);
	if (ev->kind == SIM_TR_TASK_CREATE && ev->peer) {
		sim__trace_task_label(line, p->w, ev->peer);
		g_string_append_c(label, ' ');
		append_escaped(label, line->str, LABEL_NAME_MAX);
	}
	if (ev->kind == SIM_TR_BUG && func) {
		g_string_append(label, " in ");
		append_escaped(label, func, LABEL_NAME_MAX);
	}
	g_string_truncate(line, 0);
	sim__trace_format_event(line, p->w, ev);
	append_escaped(tip, line->str, 0);

	node_name(name, sizeof(name), i);
	g_snprintf(group, sizeof(group), "lane%u", lane_at(p, i));
	n = agnode(row, name, 1);
	set(n, "label", label->str);
	set(n, "tooltip", tip->str);
	set(n, "group", group);
	set(n, "fillcolor", fill_of(ev->kind));
	if (ev->kind == SIM_TR_BUG) {
		set(n, "color", "red");
		set(n, "fontcolor", "red");
		set(n, "penwidth", "3");
	} else if (bug_step) {
		set(n, "color", "red");
		set(n, "fontcolor", "red");
		set(n, "penwidth", "2");
	}
}

static Agedge_t *edge(Agraph_t *g, Agnode_t *t, Agnode_t *h)
{
	return agedge(g, t, h, NULL, 1);
}

/* Graph, node and edge defaults: declared once, written once. */
static void declare_defaults(Agraph_t *g, const char *label)
{
	static const char *const graph_attrs[][2] = {
		{ "rankdir", "TB" },
		{ "ranksep", "0.1" },
		{ "nodesep", "0.25" },
		{ "fontname", "Helvetica" },
		{ "fontsize", "11" },
		{ "labelloc", "t" },
		{ "outputorder", "edgesfirst" },
		{ "rank", "" },
	};
	static const char *const node_attrs[][2] = {
		{ "shape", "box" },
		{ "style", "filled" },
		{ "fillcolor", "white" },
		{ "color", "black" },
		{ "fontcolor", "black" },
		{ "fontname", "Helvetica" },
		{ "fontsize", "9" },
		{ "height", "0.2" },
		{ "margin", "0.06,0.02" },
		{ "penwidth", "1" },
		{ "group", "" },
		{ "tooltip", "" },
	};
	static const char *const edge_attrs[][2] = {
		{ "color", "#b0b0b0" },
		{ "style", "solid" },
		{ "arrowhead", "none" },
		{ "arrowsize", "0.6" },
		{ "penwidth", "1" },
		{ "weight", "100" },
		{ "constraint", "true" },
		{ "tooltip", "" },
	};
	guint k;

	for (k = 0; k < G_N_ELEMENTS(graph_attrs); k++)
		agattr(g, AGRAPH, S(graph_attrs[k][0]), S(graph_attrs[k][1]));
	/* The title is the root's alone: subgraphs default to none. */
	agattr(g, AGRAPH, S("label"), S(""));
	set(g, "label", label);
	for (k = 0; k < G_N_ELEMENTS(node_attrs); k++)
		agattr(g, AGNODE, S(node_attrs[k][0]), S(node_attrs[k][1]));
	for (k = 0; k < G_N_ELEMENTS(edge_attrs); k++)
		agattr(g, AGEDGE, S(edge_attrs[k][0]), S(edge_attrs[k][1]));
}

static char *graph_label(const SimWorld *w)
{
	g_autoptr(GString) s = g_string_new("hvsim: ");

	append_escaped(s, w->title ? w->title : "trace", 0);
	g_string_append(s, "\\n");
	if (w->scenario && w->scenario->basename) {
		append_escaped(s, w->scenario->basename, 0);
		g_string_append_c(s, ' ');
	}
	g_string_append(s, "variant ");
	append_escaped(s, w->variant ? w->variant : "-", 0);
	g_string_append_printf(s, " seed %" PRIu64 " execution %" PRIu64
			       "\\n%s", w->seed, w->execution, legend);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static char *note_text(const Picture *p)
{
	g_autoptr(GString) s = g_string_new(NULL);

	if (p->omitted)
		g_string_append_printf(s, "hvsim: %" G_GSIZE_FORMAT " earlier "
				       "events omitted; use .txt for the full "
				       "trace", p->omitted);
	if (!p->w->trace_on) {
		if (s->len)
			g_string_append(s, "\\n");
		g_string_append_printf(s, "hvsim: only the last %"
				       G_GSIZE_FORMAT " events were recorded "
				       "(full trace off)", p->len);
	}
	return s->len ? g_string_free(g_steal_pointer(&s), FALSE) : NULL;
}

static Agraph_t *build_graph(const Picture *p)
{
	g_autofree char *label = graph_label(p->w);
	g_autofree char *note = note_text(p);
	g_autofree Agraph_t **rows = g_new0(Agraph_t *, p->nrows);
	g_autofree Agnode_t **ruler = g_new0(Agnode_t *, p->nrows);
	g_autofree Agnode_t **last = g_new0(Agnode_t *, p->nlanes);
	g_autoptr(GArray) bug_steps = g_array_new(FALSE, FALSE,
						  sizeof(uint64_t));
	g_autoptr(GString) s = g_string_new(NULL);
	g_autoptr(GString) esc = g_string_new(NULL);
	Agraph_t *g = agopen(S("hvsim"), Agdirected, NULL);
	Agnode_t *prev = NULL;
	char name[32];
	gsize i;
	guint r, c;

	declare_defaults(g, label);
	for (i = 0; i < p->len; i++)
		if (p->keep[i] && p->ev[i].kind == SIM_TR_BUG &&
		    !in_bug_step(bug_steps, p->ev[i].step))
			g_array_append_val(bug_steps, p->ev[i].step);

	/* Rows: anonymous rank=same subgraphs, each on a ruler node. */
	for (r = 0; r < p->nrows; r++) {
		rows[r] = agsubg(g, NULL, 1);
		set(rows[r], "rank", "same");
		g_snprintf(name, sizeof(name), "r%u", r);
		ruler[r] = agnode(rows[r], name, 1);
		set(ruler[r], "style", "invis");
		set(ruler[r], "shape", "point");
		set(ruler[r], "width", "0");
		set(ruler[r], "height", "0");
		set(ruler[r], "label", "");
	}

	/* Row 0: the note, then the lane headers in task id order, kept
	 * in that order by invisible flat edges. */
	prev = ruler[0];
	if (note) {
		Agnode_t *n = agnode(rows[0], S("note"), 1);

		set(n, "shape", "note");
		set(n, "style", "filled");
		set(n, "fillcolor", "#ffffcc");
		set(n, "label", note);
		set(edge(g, prev, n), "style", "invis");
		prev = n;
	}
	for (c = 0; c < p->nlanes; c++) {
		Agnode_t *h;

		if (!p->lane_used[c])
			continue;
		g_string_truncate(s, 0);
		sim__trace_task_label(s, p->w, c);
		g_snprintf(name, sizeof(name), "lane%u", c);
		h = agnode(rows[0], name, 1);
		g_string_truncate(esc, 0);
		append_escaped(esc, s->str, 0);
		set(h, "label", esc->str);
		set(h, "style", "filled,bold");
		set(h, "fillcolor", "#d9d9d9");
		set(h, "fontsize", "11");
		set(h, "group", name);
		set(edge(g, prev, h), "style", "invis");
		prev = h;
		last[c] = h;
	}

	/* Events, in trace order, in their rows. */
	for (i = 0; i < p->len; i++)
		if (p->keep[i])
			add_event_node(p, rows[p->row[i]], i,
				       in_bug_step(bug_steps, p->ev[i].step));

	/* The ruler, then the lifelines, then the cross-lane links. */
	for (r = 1; r < p->nrows; r++)
		set(edge(g, ruler[r - 1], ruler[r]), "style", "invis");
	for (i = 0; i < p->len; i++) {
		Agnode_t *n;

		if (!p->keep[i])
			continue;
		c = lane_at(p, i);
		node_name(name, sizeof(name), i);
		n = agnode(g, name, 0);
		edge(g, last[c], n);
		last[c] = n;
	}
	for (i = 0; i < p->links->len; i++) {
		const Link *l = &g_array_index(p->links, Link, i);
		Agnode_t *t, *h;
		Agedge_t *e;

		node_name(name, sizeof(name), l->src);
		t = agnode(g, name, 0);
		node_name(name, sizeof(name), l->dst);
		h = agnode(g, name, 0);
		e = edge(g, t, h);
		set(e, "color", link_styles[l->kind].color);
		set(e, "style", link_styles[l->kind].style);
		set(e, "arrowhead", "normal");
		set(e, "penwidth", "1.3");
		set(e, "weight", "0");
		set(e, "constraint", "false");
		set(e, "tooltip", link_styles[l->kind].what);
	}
	return g;
}

/* ------------------------------------------------------------ export -- */

static Agraph_t *picture_graph(const SimWorld *w, gsize max_nodes,
			       gsize tail)
{
	const SimTrace *t = sim_world_trace(w);
	Picture p = {
		.w = w,
		.ev = t->ev,
		.len = t->len,
		.nlanes = (w->tasks ? w->tasks->len : 0) + 1,
	};
	Agraph_t *g;

	p.keep = g_new0(guint8, MAX(p.len, 1));
	p.row = g_new0(guint, MAX(p.len, 1));
	p.lane_used = g_new0(guint8, p.nlanes);
	p.links = g_array_new(FALSE, FALSE, sizeof(Link));
	/* The host lane is always there: it heads the picture. */
	p.lane_used[0] = TRUE;
	choose_window(&p, max_nodes, tail);
	if (p.omitted == 0)
		memset(p.lane_used, TRUE, p.nlanes);
	derive(&p);
	g = build_graph(&p);
	g_free(p.keep);
	g_free(p.row);
	g_free(p.lane_used);
	g_array_unref(p.links);
	return g;
}

void sim_trace_export_dot(const SimWorld *w, GString *out)
{
	Agraph_t *g = picture_graph(w, SIM_TRACE_DOT_MAX_NODES,
				    SIM_TRACE_DOT_TAIL);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	g_assert(f);
	agwrite(g, f);
	fclose(f);
	g_string_append_len(out, buf, (gssize)size);
	free(buf);
	agclose(g);
}

#define SIM_TRACE_DOT_ERROR (sim_trace_dot_error_quark())
static G_DEFINE_QUARK(hvsim-trace-dot-error, sim_trace_dot_error)

/* Graphviz's last message, or @fallback. */
static void set_graphviz_error(GError **error, const char *what,
			       const char *fallback)
{
	char *msg = aglasterr();

	g_set_error(error, SIM_TRACE_DOT_ERROR, 1, "Graphviz cannot %s the "
		    "trace: %s", what, msg && *msg ? g_strstrip(msg) :
		    fallback);
	free(msg);
}

/*
 * The process's one Graphviz context, made on first use and never freed.
 * Not per call: Graphviz 2.42's pango text-layout plugin caches the last
 * font name across contexts, and gvFreeContext() frees the string it
 * points to, so the next context's first label reads freed memory. The
 * context holds plugins and fonts only, nothing of a world.
 */
static GVC_t *graphviz(void)
{
	static gsize once;
	static GVC_t *gvc;

	if (g_once_init_enter(&once)) {
		gvc = gvContext();
		g_once_init_leave(&once, 1);
	}
	return gvc;
}

gboolean sim_trace_render_svg(const SimWorld *w, GString *out,
			      GError **error)
{
	Agraph_t *g = picture_graph(w, SIM_TRACE_DOT_TAIL, SIM_TRACE_DOT_TAIL);
	GVC_t *gvc = graphviz();
	/* Keep Graphviz's warnings for aglasterr(), off stderr. */
	agerrlevel_t level = agseterr(AGMAX);
	char *data = NULL;
	unsigned int len = 0;
	gboolean ok = FALSE;

	if (!gvc) {
		g_set_error(error, SIM_TRACE_DOT_ERROR, 1, "Graphviz cannot "
			    "start (no context)");
	} else if (gvLayout(gvc, g, "dot") != 0) {
		set_graphviz_error(error, "lay out", "dot layout failed");
	} else {
		if (gvRenderData(gvc, g, "svg", &data, &len) != 0 || !data)
			set_graphviz_error(error, "render", "no SVG renderer");
		else {
			g_string_append_len(out, data, (gssize)len);
			ok = TRUE;
		}
		if (data)
			gvFreeRenderData(data);
		gvFreeLayout(gvc, g);
	}
	agseterr(level);
	agclose(g);
	return ok;
}
