// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements simulated tasks: creation on pooled stacks, the
 * blocking and waking calls the shim builds every primitive on, and task
 * exit. It sits between the shim (sim/kapi/), which calls sim_block() and
 * sim_wake(), and the scheduler loop (sim/sched.c), which switches to tasks.
 *
 * Stacks are mmap'ed once with a guard page and reused by later executions,
 * so an execution allocates nothing for its tasks after the first one.
 */
#include <string.h>
#include <sys/mman.h>

#include <glib.h>

#include "sim/context.h"
#include "sim/footprint.h"
#include "sim/kcsan.h"
#include "sim/report.h"
#include "sim/sched.h"
#include "sim/trace.h"
#include "sim/world.h"

/* sim_trace(), inline on this file's hot paths (sim/world.h). */
#define sim_trace(...)	sim__trace_fast(__VA_ARGS__)

/*
 * Hot paths (docs/performance.md): no frame pointer (unwinders use the
 * CFI) and calls through the GOT rather than PLT stubs.
 */
#pragma GCC optimize("omit-frame-pointer", "no-plt")

#define SIM_STACK_SIZE	(256 * 1024)
#define SIM_GUARD_SIZE	4096

SimTask *sim__current;
SimWorld *sim__engine_world;

static void task_main(void *arg)
{
	SimTask *t = arg;

	t->fn(t->arg);
	sim_task_exit(t->world);
}

void *sim__ctx_make(void *stack, size_t size, void (*entry)(void *),
		    void *arg)
{
	extern void sim__ctx_entry(void);
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)top;

	/* Mirrors the pops of sim__ctx_switch, then its ret into the
	 * trampoline with a 16-byte aligned stack. */
	*--sp = (uint64_t)(uintptr_t)sim__ctx_entry;	/* return address */
	*--sp = 0;					/* rbp */
	*--sp = 0;					/* rbx */
	*--sp = (uint64_t)(uintptr_t)arg;		/* r12 */
	*--sp = (uint64_t)(uintptr_t)entry;		/* r13 */
	*--sp = 0;					/* r14 */
	*--sp = 0;					/* r15 */
	*--sp = 0x037f00001f80ULL;			/* fpu cw, mxcsr */
	return sp;
}

static SimTask *task_alloc(SimWorld *w)
{
	SimTask *t;
	void *mem;

	if (w->task_pool->len)
		return g_ptr_array_steal_index(w->task_pool,
					       w->task_pool->len - 1);
	t = g_new0(SimTask, 1);
	mem = mmap(NULL, SIM_STACK_SIZE + SIM_GUARD_SIZE,
		   PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	g_assert(mem != MAP_FAILED);
	mprotect(mem, SIM_GUARD_SIZE, PROT_NONE);
	t->stack = (char *)mem + SIM_GUARD_SIZE;
	t->stack_size = SIM_STACK_SIZE;
	t->block_stack = g_new0(SimStack, 1);
	return t;
}

static void task_release(SimTask *t)
{
	munmap((char *)t->stack - SIM_GUARD_SIZE,
	       t->stack_size + SIM_GUARD_SIZE);
	g_free(t->block_stack);
	g_free(t);
}

/* sim__task_set_state(), inline for this file's callers. */
static inline __attribute__((always_inline)) void
set_state(SimWorld *w, SimTask *t, SimTaskState s)
{
	sim__task_state_set(w, t, s);
}

SimTask *sim_task_create(SimWorld *w, const char *name, SimContextKind ctx,
			 int cpu, SimTaskFn fn, void *arg)
{
	SimTask *t = task_alloc(w);
	void *stack = t->stack;
	size_t stack_size = t->stack_size;
	SimStack *bs = t->block_stack;

	memset(t, 0, sizeof(*t));
	t->stack = stack;
	t->stack_size = stack_size;
	t->block_stack = bs;
	bs->n = 0;

	t->world = w;
	t->id = w->tasks->len + 1;
	/* g_strlcpy() into the zeroed name, without its byte loop. */
	memcpy(t->name, name, strnlen(name, sizeof(t->name) - 1));
	t->ctx = ctx;
	t->cpu = cpu;
	t->fn = fn;
	t->arg = arg;
	t->state = SIM_TASK_DONE;	/* set_state below counts it */
	t->ctx_sp = sim__ctx_make(t->stack, t->stack_size, task_main, t);
	g_ptr_array_add(w->tasks, t);
	set_state(w, t, SIM_TASK_RUNNABLE);
	sim_trace(w, SIM_TR_TASK_CREATE, 0, NULL, NULL, ctx, t->id);
	/* A new task starts after everything its creator did. */
	sim_kcsan_fork(w, t);
	return t;
}

void sim__task_set_state(SimWorld *w, SimTask *t, SimTaskState s)
{
	set_state(w, t, s);
}

SimTask *sim_task_by_id(SimWorld *w, uint32_t id)
{
	if (id == 0 || id > w->tasks->len)
		return NULL;
	return g_ptr_array_index(w->tasks, id - 1);
}

uint32_t sim_task_count(SimWorld *w)
{
	return w->tasks->len;
}

void sim__tasks_reset(SimWorld *w)
{
	guint i;

	for (i = 0; i < w->tasks->len; i++)
		g_ptr_array_add(w->task_pool, g_ptr_array_index(w->tasks, i));
	g_ptr_array_set_size(w->tasks, 0);
	w->nrunnable = 0;
	w->runnable_mask = 0;
	w->waiting_mask = 0;
}

void sim__tasks_free(SimWorld *w)
{
	sim__tasks_reset(w);
	while (w->task_pool->len)
		task_release(g_ptr_array_steal_index(w->task_pool,
						     w->task_pool->len - 1));
}

/* sim_yield() is in sim/sched.c: it may run the scheduler's pick itself. */

/* sim_block(), its timeouts and sim_task_exit() are in sim/sched.c, which
 * then switches out inline: a task resumes through one frame fewer. */

static inline __attribute__((always_inline)) void wake(SimWorld *w,
							SimTask *t)
{
	if (t->state != SIM_TASK_BLOCKED && t->state != SIM_TASK_IDLE &&
	    t->state != SIM_TASK_SLEEPING)
		return;
	t->wait_token++;
	set_state(w, t, SIM_TASK_RUNNABLE);
	sim_trace(w, SIM_TR_WAKE, 0, t->wait_name, NULL, 0, t->id);
}

void sim_wake(SimWorld *w, SimTask *t)
{
	wake(w, t);
}

int sim_wake_all(SimWorld *w, const void *obj)
{
	/* Loaded once: waking creates no task. */
	SimTask **tasks = (SimTask **)w->tasks->pdata;
	guint i, len = w->tasks->len;
	int n = 0;

	if (G_LIKELY(len <= 64)) {
		/* Only the waiting tasks, in id order, by their objects. */
		uint64_t m = w->waiting_mask;

		while (m) {
			unsigned int b = (unsigned int)__builtin_ctzll(m);

			m &= m - 1;
			if (w->wait_objs[b] == obj) {
				wake(w, tasks[b]);
				n++;
			}
		}
		return n;
	}
	for (i = 0; i < len; i++) {
		SimTask *t = tasks[i];

		if (t->wait_obj == obj && (t->state == SIM_TASK_BLOCKED ||
					   t->state == SIM_TASK_IDLE)) {
			wake(w, t);
			n++;
		}
	}
	return n;
}
