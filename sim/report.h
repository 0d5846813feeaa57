/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares how a detector reports a finding: capture call stacks
 * where it happens (a real unwinder, libunwind), build the report as lines
 * and stacks in the kernel's format, and end the execution. Symbolisation
 * (libdw: function+0xoff/0xsize file:line) happens after the execution, in
 * engine context, when the report is formatted.
 *
 * It sits between the detectors (sim/, sim/kapi/, models/) and the CLI,
 * which prints the formatted report and appends the hvsim: trailer.
 */
#ifndef HVSIM_REPORT_H
#define HVSIM_REPORT_H

#include <stdint.h>
#include <glib.h>

#include "sim/sim.h"

#define SIM_STACK_MAX	32

/*
 * Raw return addresses, innermost first. A pc with bit 63 set (SIM_PC_EXACT
 * in sim/stacktrace.c) is exact, the faulting instruction of a signal, not
 * a return address; mask it before using the value.
 */
typedef struct SimStack {
	uintptr_t pc[SIM_STACK_MAX];
	int n;
} SimStack;

/*
 * sim_stack_capture - unwind the running stack into @s, dropping @skip
 * innermost frames (the caller's own machinery) and every frame whose
 * function belongs to the engine (names starting "sim_", "sim__",
 * "__asan_", "hvsim_"). Stops at the task's entry trampoline.
 * Cheap enough for reports; the heap records alloc/free stacks only when
 * the world asks for them (sim_world_wants_stacks()).
 */
void sim_stack_capture(SimStack *s, int skip);

/*
 * sim_stack_format - append one line per frame, kernel style:
 *   " hv_ringbuffer_write+0x5c/0x1a0 drivers/hv/ring_buffer.c:262"
 * Inlined callers get their own line with " [inline]". File names are
 * relative to the source tree. Unknown frames print as " 0x<offset> (?)".
 */
void sim_stack_format(GString *out, const SimStack *s);

/* Name of the innermost symbolised frame of @s ("?" if none). */
const char *sim_stack_top_func(const SimStack *s, char *buf, size_t len);

/* One item of a report: a text line, or a stack to symbolise later. */
typedef struct {
	char *line;		/* owned; NULL for a stack item */
	SimStack *stack;	/* owned; NULL for a line item */
	int indent;		/* spaces before each frame line, beyond one */
} SimReportItem;

typedef struct SimReport {
	SimBugKind kind;
	char *title;		/* first line, kernel words, e.g.
				 * "BUG: KASAN: slab-use-after-free in vmbus_free_ring" */
	char *func;		/* where it struck, for the signature */
	uint32_t task;		/* 0 if the engine itself found it */
	SimTime time;
	uint64_t step;
	GPtrArray *items;	/* SimReportItem*, body after the title */
} SimReport;

/*
 * Building a report. Begin, add lines and stacks, then raise. All of it may
 * run in task context; nothing here symbolises. Detectors write the title
 * and body only; sim_report_format() adds the rulers, the "cut here" and
 * "end trace" lines and lockdep's header lines, chosen from the title (see
 * sim/report.c).
 */
SimReport *sim_report_new(SimWorld *w, SimBugKind kind, const char *func,
			  const char *title_fmt, ...) G_GNUC_PRINTF(4, 5);
void sim_report_line(SimReport *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Adds the stack, framed as the kernel frames a task's trace:
 * "Call Trace:", " <TASK>", frames, " </TASK>" when @call_trace is TRUE;
 * frames only otherwise (KASAN's "Allocated by task" sections). */
void sim_report_stack(SimReport *r, const SimStack *s, gboolean call_trace);
/* Frames only, each line indented @indent more spaces: lockdep prints the
 * stacks of its dependency chain seven spaces in. */
void sim_report_stack_indented(SimReport *r, const SimStack *s, int indent);
/* The kernel's identity lines for task @t:
 * "CPU: 0 PID: 7 Comm: kworker/u4:1 Not tainted hvsim-<version>",
 * "Hardware name: <scenario title>", and "Workqueue: <wq> <fn>" when the
 * task runs a work item. */
void sim_report_identity(SimReport *r, SimWorld *w, const SimTask *t);
/* "Modules linked in: ..." as an oops prints it: the scenario's modules,
 * the last loaded first. */
void sim_report_modules(SimReport *r, const SimWorld *w);
void sim_report_free(SimReport *r);

/*
 * sim_report_raise - record @r as the execution's finding (the first one
 * wins; later ones are freed) and make the scheduler stop after the current
 * event. For detectors running in engine context (liveness, models).
 *
 * sim_report_raise_task - the same from a running task, then switch to the
 * scheduler for good: the task never runs again in this execution.
 */
void sim_report_raise(SimWorld *w, SimReport *r);
_Noreturn void sim_report_raise_task(SimWorld *w, SimReport *r);

/*
 * sim_report_format - the whole report of the execution's finding, with
 * stacks symbolised; empty if the execution was clean. The caller appends
 * the hvsim: trailer (sim_report_trailer).
 */
void sim_report_format(const SimWorld *w, GString *out);

/*
 * sim_report_trailer - the simulator-only lines, each starting "hvsim: ":
 * verdict and signature, seed, the last @nsteps trace events (named points
 * among them), and the one-line replay command @replay_cmd (may be NULL).
 */
void sim_report_trailer(const SimWorld *w, GString *out, int nsteps,
			const char *replay_cmd);

/* A stable signature "kind:func", used to compare and deduplicate. */
char *sim_report_signature(const SimWorld *w);

/* A kernel-looking address for a simulated object id (never a pointer). */
uint64_t sim_report_obj_addr(uint32_t obj_id);

#endif /* HVSIM_REPORT_H */
