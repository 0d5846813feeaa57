// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the world's event queue as a binary min-heap keyed
 * by (time, sequence). It sits below sim/world.c and sim/sched.c.
 */
#include <string.h>

#include <glib.h>

#include "sim/event_queue.h"

/*
 * Hot paths (docs/performance.md): no frame pointer (unwinders use the
 * CFI) and calls through the GOT rather than PLT stubs.
 */
#pragma GCC optimize("omit-frame-pointer", "no-plt")

static bool before(const SimEvent *a, const SimEvent *b)
{
	if (a->time != b->time)
		return a->time < b->time;
	return a->seq < b->seq;
}

void sim_event_queue_init(SimEventQueue *q)
{
	memset(q, 0, sizeof(*q));
}

void sim_event_queue_destroy(SimEventQueue *q)
{
	g_free(q->heap);
	g_free(q->cancelled);
	sim_event_queue_init(q);
}

void sim_event_queue_reset(SimEventQueue *q)
{
	q->len = 0;
	q->next_seq = 0;
	q->ncancelled = 0;
}

void sim_event_queue_cancel(SimEventQueue *q, uint64_t seq)
{
	size_t i;
	bool pending = false;

	for (i = 0; i < q->len && !pending; i++)
		pending = q->heap[i].seq == seq;
	if (!pending)
		return;
	if (q->ncancelled == q->cancelled_cap) {
		q->cancelled_cap = q->cancelled_cap ? 2 * q->cancelled_cap : 16;
		q->cancelled = g_renew(uint64_t, q->cancelled, q->cancelled_cap);
	}
	q->cancelled[q->ncancelled++] = seq;
}

/* Forget @seq if it was cancelled; true if it was. */
static bool take_cancelled(SimEventQueue *q, uint64_t seq)
{
	size_t i;

	for (i = 0; i < q->ncancelled; i++)
		if (q->cancelled[i] == seq) {
			q->cancelled[i] = q->cancelled[--q->ncancelled];
			return true;
		}
	return false;
}

uint64_t sim_event_queue_push(SimEventQueue *q, uint64_t time,
			      SimEventQueueFn fn, void *arg, uint64_t arg2)
{
	SimEvent ev;
	size_t i;

	if (q->len == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->heap = g_renew(SimEvent, q->heap, q->cap);
	}
	i = q->len++;
	ev = (SimEvent){ time, q->next_seq++, fn, arg, arg2 };
	/* Sift up, moving parents into the hole rather than swapping: the
	 * same comparisons, so the same final layout, with fewer copies. */
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(&ev, &q->heap[parent]))
			break;
		q->heap[i] = q->heap[parent];
		i = parent;
	}
	q->heap[i] = ev;
	return ev.seq;
}

static void remove_front(SimEventQueue *q, SimEvent *out);

const SimEvent *sim_event_queue_peek(SimEventQueue *q)
{
	SimEvent dead;

	while (q->len && q->ncancelled && take_cancelled(q, q->heap[0].seq))
		remove_front(q, &dead);
	return q->len ? &q->heap[0] : NULL;
}

bool sim_event_queue_pop(SimEventQueue *q, SimEvent *out)
{
	if (!sim_event_queue_peek(q))
		return false;
	remove_front(q, out);
	return true;
}

static void remove_front(SimEventQueue *q, SimEvent *out)
{
	size_t i = 0, len;
	SimEvent last;

	*out = q->heap[0];
	len = --q->len;
	last = q->heap[len];
	/* Sift the last event down from the root, through a hole: the same
	 * comparisons as swapping it along, so the same final layout. */
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const SimEvent *mv = &last;

		if (l < len && before(&q->heap[l], mv))
			mv = &q->heap[m = l];
		if (r < len && before(&q->heap[r], mv))
			mv = &q->heap[m = r];
		if (mv == &last)
			break;
		q->heap[i] = *mv;
		i = m;
	}
	q->heap[i] = last;
}
