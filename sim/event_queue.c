// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the world's event queue as a binary min-heap keyed
 * by (time, sequence). It sits below sim/world.c and sim/sched.c.
 */
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
	q->heap = NULL;
	q->len = q->cap = 0;
	q->next_seq = 0;
}

void sim_event_queue_destroy(SimEventQueue *q)
{
	g_free(q->heap);
	sim_event_queue_init(q);
}

void sim_event_queue_reset(SimEventQueue *q)
{
	q->len = 0;
	q->next_seq = 0;
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

const SimEvent *sim_event_queue_peek(const SimEventQueue *q)
{
	return q->len ? &q->heap[0] : NULL;
}

bool sim_event_queue_pop(SimEventQueue *q, SimEvent *out)
{
	size_t i = 0;

	if (!q->len)
		return false;
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
	return true;
}
