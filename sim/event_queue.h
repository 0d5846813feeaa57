/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the world's event queue: a binary min-heap of timed
 * callbacks ordered by (time, sequence). The sequence is a counter the queue
 * owns, so events at equal times run in insertion order and never in an
 * order that depends on pointers. It sits below sim/world.c.
 */
#ifndef HVSIM_EVENT_QUEUE_H
#define HVSIM_EVENT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SimWorld SimWorld;
typedef void (*SimEventQueueFn)(SimWorld *w, void *arg, uint64_t arg2);

typedef struct {
	uint64_t time;
	uint64_t seq;
	SimEventQueueFn fn;
	void *arg;
	uint64_t arg2;
} SimEvent;

typedef struct {
	SimEvent *heap;
	size_t len, cap;
	uint64_t next_seq;
	/* Sequence numbers of cancelled events still in the heap. Few and
	 * short-lived, so a plain array. */
	uint64_t *cancelled;
	size_t ncancelled, cancelled_cap;
} SimEventQueue;

void sim_event_queue_init(SimEventQueue *q);
void sim_event_queue_destroy(SimEventQueue *q);
/* Empties the queue and restarts the sequence at 0; keeps the storage. */
void sim_event_queue_reset(SimEventQueue *q);
/* Returns the new event's sequence number. */
uint64_t sim_event_queue_push(SimEventQueue *q, uint64_t time,
			      SimEventQueueFn fn, void *arg, uint64_t arg2);
/*
 * Cancel the pending event @seq: it is dropped when it reaches the front of
 * the queue, without running and without moving the clock. Cancelling an
 * event that already ran, or twice, is harmless.
 */
void sim_event_queue_cancel(SimEventQueue *q, uint64_t seq);
/* The earliest live event, or NULL when none. Valid until the next push/pop.
 * Drops cancelled events it finds at the front. */
const SimEvent *sim_event_queue_peek(SimEventQueue *q);
/* Removes the earliest event into *@out; false when empty. */
bool sim_event_queue_pop(SimEventQueue *q, SimEvent *out);

static inline bool sim_event_queue_empty(SimEventQueue *q)
{
	return sim_event_queue_peek(q) == NULL;
}

#endif /* HVSIM_EVENT_QUEUE_H */
