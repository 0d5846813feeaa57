// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the world's lifecycle: creation, the reset that
 * makes every execution start from the same state, one complete execution,
 * and the small accessors (clock, events, object ids, fix switches). It sits
 * between the CLI and explorers, which run executions, and the scheduler
 * loop (sim/sched.c), which does the work.
 */
#include <string.h>

#include <glib.h>

#include "sim/kcsan.h"
#include "sim/sched.h"
#include "sim/world.h"

/*
 * Hot paths (docs/performance.md): no frame pointer (unwinders use the
 * CFI) and calls through the GOT rather than PLT stubs.
 */
#pragma GCC optimize("omit-frame-pointer", "no-plt")

SimEnd sim__sched_loop(SimWorld *w);

#define SLAB_ARENA	(64u << 20)
#define PAGE_ARENA	(64u << 20)

SimWorld *sim_world_new(void)
{
	SimWorld *w = g_new0(SimWorld, 1);

	sim_event_queue_init(&w->events);
	w->tasks = g_ptr_array_new();
	w->task_pool = g_ptr_array_new();
	w->schedule = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	w->orders = g_array_new(FALSE, FALSE, sizeof(SimOrder));
	w->points_passed = g_hash_table_new(g_str_hash, g_str_equal);
	w->limits.max_steps = 1000000;
	w->limits.max_time = 600 * SIM_SEC;
	w->heap = sim_heap_new(SLAB_ARENA, PAGE_ARENA);
	sim__heap_bind(w);
	sim_trace_init(&w->trace);
	w->trace_on = true;
	w->models = g_ptr_array_new();
	w->variant = "pre-fix";
	w->ncpus = 2;
	w->title = "hvsim";
	return w;
}

void sim_world_free(SimWorld *w)
{
	guint i;
	int e;

	if (!w)
		return;
	for (i = 0; i < w->models->len; i++) {
		SimModel *m = g_ptr_array_index(w->models, i);

		if (m->free)
			m->free(m);
	}
	g_ptr_array_free(w->models, TRUE);
	for (e = 0; e < SIM_EXT__COUNT; e++)
		if (w->ext[e] && w->ext_free[e])
			w->ext_free[e](w->ext[e]);
	if (w->bug)
		sim_report_free(w->bug);
	sim__tasks_free(w);
	g_ptr_array_free(w->tasks, TRUE);
	g_ptr_array_free(w->task_pool, TRUE);
	g_array_free(w->schedule, TRUE);
	g_array_free(w->orders, TRUE);
	g_hash_table_destroy(w->points_passed);
	sim_event_queue_destroy(&w->events);
	sim_heap_free(w->heap);
	sim_trace_clear(&w->trace);
	g_free(w->divergence);
	g_free(w);
}

void *sim__world_ext_make(SimWorld *w, SimExtSlot slot,
			  void *(*make)(SimWorld *w), void (*free_fn)(void *))
{
	if (!w->ext[slot]) {
		w->ext[slot] = make(w);
		w->ext_free[slot] = free_fn;
	}
	return w->ext[slot];
}

void sim_world_add_model(SimWorld *w, SimModel *m)
{
	g_ptr_array_add(w->models, m);
}

void sim_world_set_fix(SimWorld *w, SimFix fix, bool on)
{
	g_assert(fix < SIM_FIX__COUNT);
	w->fixes[fix] = on;
}

bool sim_fix_enabled(const SimWorld *w, SimFix fix)
{
	return w && w->fixes[fix];
}

SimTime sim_now(const SimWorld *w)
{
	return w->now;
}

uint64_t sim_event_at(SimWorld *w, SimTime when, SimEventFn fn, void *arg,
		      uint64_t arg2)
{
	if (when < w->now)
		when = w->now;
	uint64_t seq = sim_event_queue_push(&w->events, when, fn, arg, arg2);

	/* The event happens after whatever queued it (race detector). */
	sim_kcsan_event_queued(w, seq);
	return seq;
}

void sim_event_cancel(SimWorld *w, uint64_t seq)
{
	sim_event_queue_cancel(&w->events, seq);
}

uint32_t sim_obj_id(SimWorld *w)
{
	return ++w->next_obj;
}

const uint32_t *sim_world_schedule(const SimWorld *w, size_t *n)
{
	*n = w->schedule->len;
	return (const uint32_t *)w->schedule->data;
}

/* Put every piece of per-execution state back to its start. */
static void world_reset(SimWorld *w, uint64_t seed, uint64_t execution)
{
	w->now = 0;
	sim_event_queue_reset(&w->events);
	sim__tasks_reset(w);
	w->steps = 0;
	w->decisions = 0;
	w->pick_hint_mask = 0;
	w->pick_hint_until = 0;
	w->pick_hint_id = 0;
	g_array_set_size(w->schedule, 0);
	w->seed = seed;
	w->execution = execution;
	/* Stream 0 of (seed, execution) drives the scheduler; models derive
	 * their own streams from the same pair. */
	sim_prng_seed(&w->sched_prng, sim_prng_mix(seed) ^ execution, 0);
	sim__orders_reset(w);
	sim_heap_reset(w->heap);
	sim_trace_reset(&w->trace);
	if (w->bug) {
		sim_report_free(w->bug);
		w->bug = NULL;
	}
	g_clear_pointer(&w->divergence, g_free);
	w->end = SIM_END_CLEAN;
	w->stop = false;
	w->sched_break = false;
	w->next_obj = 0;
	w->run_serial++;
	sim__drivers_restore();
}

typedef struct {
	SimInitFn fn;
	void *arg;
} InitCall;

static void init_task(void *arg)
{
	InitCall *c = arg;

	c->fn(sim_current_world(), c->arg);
}

SimEnd sim_world_run(SimWorld *w, SimStrategy *strategy, uint64_t seed,
		     uint64_t execution, SimInitFn init, void *init_arg)
{
	InitCall call = { init, init_arg };
	SimEnd end;
	guint i;

	g_assert(!sim__current);
	world_reset(w, seed, execution);
	w->strategy = strategy;
	if (strategy->begin)
		strategy->begin(strategy, w, execution);
	for (i = 0; i < w->models->len; i++) {
		SimModel *m = g_ptr_array_index(w->models, i);

		if (m->start) {
			sim__engine_world = w;
			m->start(w, m);
			sim__engine_world = NULL;
		}
	}
	if (init)
		sim_task_create(w, "modprobe", SIM_CTX_PROCESS, 0, init_task,
				&call);
	end = sim__sched_loop(w);
	if (end == SIM_END_CLEAN) {
		for (i = 0; i < w->models->len && !w->bug; i++) {
			SimModel *m = g_ptr_array_index(w->models, i);

			if (m->finish) {
				sim__engine_world = w;
				m->finish(w, m);
				sim__engine_world = NULL;
			}
		}
		if (!w->bug && w->check_leaks)
			sim_heap_report_leaks(w);
		if (w->bug)
			end = w->end = SIM_END_BUG;
	}
	w->strategy = NULL;
	return end;
}
