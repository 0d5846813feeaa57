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
} SimEventQueue;

void sim_event_queue_init(SimEventQueue *q);
void sim_event_queue_destroy(SimEventQueue *q);
/* Empties the queue and restarts the sequence at 0; keeps the storage. */
void sim_event_queue_reset(SimEventQueue *q);
/* Returns the new event's sequence number. */
uint64_t sim_event_queue_push(SimEventQueue *q, uint64_t time,
			      SimEventQueueFn fn, void *arg, uint64_t arg2);
/* The earliest event, or NULL when empty. Valid until the next push/pop. */
const SimEvent *sim_event_queue_peek(const SimEventQueue *q);
/* Removes the earliest event into *@out; false when empty. */
bool sim_event_queue_pop(SimEventQueue *q, SimEvent *out);

static inline bool sim_event_queue_empty(const SimEventQueue *q)
{
	return q->len == 0;
}

#endif /* HVSIM_EVENT_QUEUE_H */
