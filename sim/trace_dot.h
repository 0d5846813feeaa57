/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the trace pictures: the trace of an execution as a
 * Graphviz graph (DOT) and as an SVG drawing laid out in-process. It sits
 * between the trace recorder (sim/trace.h), whose events it draws, and
 * sim_trace_write_file(), which picks these exporters for .dot and .svg.
 *
 * The picture has a lane per task, left to right in task id order (the
 * host and engine lane, task 0, first), the events of each lane top to
 * bottom in step order, and cross-lane edges for the synchronisation the
 * events record. See sim/trace_dot.c for how the edges are derived, which
 * events are drawn, and how a long trace is cut to its tail.
 */
#ifndef HVSIM_TRACE_DOT_H
#define HVSIM_TRACE_DOT_H

#include <glib.h>

#include "sim/sim.h"

/*
 * A .dot file draws the whole trace when it has at most this many drawn
 * events; a longer trace is cut to its tail (SIM_TRACE_DOT_TAIL). Every
 * scenario's trace fits but the vmbus-rescind pre-fix livelock (112k
 * events); `dot -Tsvg` of the largest (nvme-a7-vs-b3 post-fix, 688 nodes
 * in 8 lanes) takes about 4 s, so 1000 keeps a whole .dot renderable in
 * seconds rather than minutes.
 */
#define SIM_TRACE_DOT_MAX_NODES	1000

/*
 * The tail an .svg always draws (and a .dot of a longer trace): about the
 * last this many drawn events, cut at a step boundary, plus the last event
 * of every task silent in it and every event of a step that reported a
 * bug. dot's time grows about with the square of rows times lanes: for the
 * same 8-lane trace, 400 events lay out in 0.45 s, 800 in 2 s, 1500 in
 * 8.5 s, 3000 in 108 s. With 400, every scenario's SVG takes under 0.5 s
 * but the 20-lane vmbus-rescind post-fix (1.7 s).
 */
#define SIM_TRACE_DOT_TAIL	400

/*
 * sim_trace_export_dot - append the trace of @w to @out as a DOT digraph,
 * built with cgraph and written with agwrite(). A pure function of the
 * trace and the task table: same execution, same bytes.
 */
void sim_trace_export_dot(const SimWorld *w, GString *out);

/*
 * sim_trace_render_svg - lay the tail of the trace of @w out with dot and
 * append the SVG drawing to @out. Returns FALSE with @error set, and @out
 * unchanged, when Graphviz cannot lay it out or render it.
 */
gboolean sim_trace_render_svg(const SimWorld *w, GString *out,
			      GError **error);

#endif /* HVSIM_TRACE_DOT_H */
