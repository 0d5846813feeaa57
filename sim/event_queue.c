// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the world's event queue as a binary min-heap keyed
 * by (time, sequence). It sits below sim/world.c and sim/sched.c.
 */
#include <string.h>

#include <glib.h>

#include "sim/event_queue.h"

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
	size_t i;

	if (q->len == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->heap = g_renew(SimEvent, q->heap, q->cap);
	}
	i = q->len++;
	q->heap[i] = (SimEvent){ time, q->next_seq++, fn, arg, arg2 };
	/* Sift up. */
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		SimEvent tmp;

		if (!before(&q->heap[i], &q->heap[parent]))
			break;
		tmp = q->heap[i];
		q->heap[i] = q->heap[parent];
		q->heap[parent] = tmp;
		i = parent;
	}
	return q->heap[i].seq;
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
	size_t i = 0;

	*out = q->heap[0];
	q->heap[0] = q->heap[--q->len];
	/* Sift down. */
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		SimEvent tmp;

		if (l < q->len && before(&q->heap[l], &q->heap[m]))
			m = l;
		if (r < q->len && before(&q->heap[r], &q->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = q->heap[i];
		q->heap[i] = q->heap[m];
		q->heap[m] = tmp;
		i = m;
	}
}
