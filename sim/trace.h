/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the trace recorder: an append-only array of events per
 * execution, and its exporters (text, Chrome trace-event JSON; DOT and SVG
 * are in sim/trace_dot.h). It sits
 * between the shim and models, which record events, and the CLI, which
 * writes them out.
 *
 * An event holds no pointer value: objects are named by world-local ids and
 * by static strings (lock class names, point names, message names).
 */
#ifndef HVSIM_TRACE_H
#define HVSIM_TRACE_H

#include <stdint.h>
#include <glib.h>

#include "sim/sim.h"

typedef enum {
#define SIM_TRACE(id, name, label) SIM_TR_##id,
#include "sim/trace_events.def"
#undef SIM_TRACE
	SIM_TR__COUNT
} SimTraceKind;

typedef struct {
	uint64_t step;		/* scheduling steps so far */
	SimTime time;
	uint32_t task;		/* 0: the engine or a host model */
	uint32_t obj;		/* world-local object id, 0 if none */
	uint16_t kind;		/* SimTraceKind */
	const char *name;	/* static string: class, point, message */
	const char *func;	/* static string: calling function, or NULL */
	int64_t arg;		/* kind-specific */
	uint32_t peer;		/* task on the other side (woken, switched-to), 0 if none */
} SimTraceEvent;

typedef struct {
	SimTraceEvent *ev;
	size_t len, cap;
} SimTrace;

const char *sim_trace_kind_name(SimTraceKind k);
const char *sim_trace_kind_label(SimTraceKind k);

/*
 * sim_trace - append one event stamped with the world's step, time and
 * running task. @name and @func must outlive the world (string literals,
 * __func__, or strings owned by the scenario).
 */
void sim_trace(SimWorld *w, SimTraceKind kind, uint32_t obj, const char *name,
	       const char *func, int64_t arg, uint32_t peer);

void sim_trace_init(SimTrace *t);
void sim_trace_reset(SimTrace *t);
void sim_trace_clear(SimTrace *t);

/* The trace of the last execution of @w. */
const SimTrace *sim_world_trace(const SimWorld *w);

/*
 * Exporters. Each appends to @out and is a pure function of the trace and
 * the task table: same execution, same bytes.
 */
void sim_trace_export_text(const SimWorld *w, GString *out);
void sim_trace_export_json(const SimWorld *w, GString *out);

/* The function an event names: its own, or for the bug event the report's
 * (an event may only hold static strings). NULL if none. */
const char *sim_trace_event_func(const SimWorld *w, const SimTraceEvent *ev);

/* Append @s to @out as a JSON string literal, quoted and escaped. */
void sim_json_string(GString *out, const char *s);

/*
 * sim_trace_format_supported - can sim_trace_write_file() write @path? The
 * CLI asks before running, so a bad --trace runs nothing. Sets @error with
 * the same message sim_trace_write_file() would give.
 */
gboolean sim_trace_format_supported(const char *path, GError **error);

/*
 * sim_trace_write_file - write the trace of @w to @path, choosing the format
 * by extension (.txt, .json, .dot, .svg: sim/trace_dot.h). Writes to a temporary file and renames it, so
 * a failed write leaves nothing half-written. Returns FALSE with @error set
 * for an unknown extension or an I/O error.
 */
gboolean sim_trace_write_file(const SimWorld *w, const char *path,
			      GError **error);

#endif /* HVSIM_TRACE_H */
