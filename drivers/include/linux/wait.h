/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/wait.h>. Copies kernel semantics for wait_event() and
 * friends: might_sleep(), then loop { if (condition) break; sleep until a
 * wake_up() on the head }, with the _timeout variants returning 0 when the
 * condition is still false after the timeout, 1 when it became true just
 * as it ran out, else the jiffies left. wake_up() wakes every waiter on
 * the head (wait_event waiters are not exclusive); they re-evaluate their
 * conditions. No signals exist in the simulator, so the _interruptible and
 * _killable variants behave like the plain ones and return 0.
 *
 * Customised for the harness: entering a wait is a scheduling point, and
 * the condition is evaluated only by the waiting task when it runs: right
 * after that point and after every wake-up. Between evaluating it and
 * blocking there is no scheduling point, so no wake-up can be lost in
 * between, as with the kernel's prepare_to_wait(). Waiters block with
 * SIM_WAIT_EVENT, named after the head's expression. wake_up() records
 * SIM_TR_WAKE_UP with the number of tasks woken and is a scheduling point.
 *
 * wait_queue_head_t is plain data: no list of waiters is kept in driver
 * memory; the engine knows which tasks wait on which head.
 */
#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H

#include <limits.h>

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/types.h>

#ifndef MAX_SCHEDULE_TIMEOUT
#define MAX_SCHEDULE_TIMEOUT	LONG_MAX
#endif

typedef struct wait_queue_head {
	uint32_t __sim_id;		/* world-local id, 0: none yet */
	uint32_t __sim_magic;		/* SIM_WAITQ_MAGIC once initialised */
	uint64_t __sim_serial;		/* world run_serial of __sim_id */
	const char *__sim_name;		/* initialising expression */
} wait_queue_head_t;

#define SIM_WAITQ_MAGIC		0x77616974U

#define __WAIT_QUEUE_HEAD_INITIALIZER(name)				\
	{ .__sim_magic = SIM_WAITQ_MAGIC, .__sim_name = #name }
#define DECLARE_WAIT_QUEUE_HEAD(name)					\
	wait_queue_head_t name = __WAIT_QUEUE_HEAD_INITIALIZER(name)
#define DECLARE_WAIT_QUEUE_HEAD_ONSTACK(name) DECLARE_WAIT_QUEUE_HEAD(name)

/* A deadline meaning "no timeout" for sim_kapi_wait_block(). */
#define SIM_KAPI_NO_DEADLINE	UINT64_MAX

void sim_kapi_init_waitqueue_head(wait_queue_head_t *wq,
				  const struct sim_kapi_site *site);
/* Wake every waiter of @wq; returns how many. A scheduling point. */
int sim_kapi_wake_up(wait_queue_head_t *wq, const struct sim_kapi_site *site);
/* Any task waiting on @wq? Not a scheduling point. */
bool sim_kapi_waitqueue_active(wait_queue_head_t *wq);

/*
 * The pieces of the wait_event() macros. _begin checks might_sleep() and is
 * the scheduling point before the first evaluation of the condition.
 * _deadline turns a timeout in jiffies into an absolute virtual time
 * (SIM_KAPI_NO_DEADLINE for MAX_SCHEDULE_TIMEOUT). _block sleeps on @wq
 * until woken or until @deadline; it returns false if the deadline has
 * passed (without sleeping when it already had). _left gives the jiffies
 * left until @deadline, at least 1.
 */
void sim_kapi_wait_begin(wait_queue_head_t *wq, const struct sim_kapi_site *site);
uint64_t sim_kapi_wait_deadline(long timeout);
bool sim_kapi_wait_block(wait_queue_head_t *wq, uint64_t deadline,
			 const struct sim_kapi_site *site);
long sim_kapi_wait_left(uint64_t deadline);

#define init_waitqueue_head(wq)						\
	sim_kapi_init_waitqueue_head((wq), SIM_KAPI_SITE(#wq))

#define wake_up(wq)		((void)sim_kapi_wake_up((wq), SIM_KAPI_SITE(#wq)))
#define wake_up_all(wq)		wake_up(wq)
#define wake_up_interruptible(wq)	wake_up(wq)
#define wake_up_interruptible_all(wq)	wake_up(wq)
#define waitqueue_active(wq)	sim_kapi_waitqueue_active(wq)
#define wq_has_sleeper(wq)	sim_kapi_waitqueue_active(wq)

#define __sim_wait_event(wq_head, condition)				\
do {									\
	const struct sim_kapi_site *__sim_ws = SIM_KAPI_SITE(#wq_head); \
									\
	sim_kapi_wait_begin(&(wq_head), __sim_ws);			\
	while (!(condition))						\
		sim_kapi_wait_block(&(wq_head), SIM_KAPI_NO_DEADLINE,	\
				    __sim_ws);				\
} while (0)

#define __sim_wait_event_timeout(wq_head, condition, timeout)		\
({									\
	const struct sim_kapi_site *__sim_ws = SIM_KAPI_SITE(#wq_head); \
	long __sim_ret = (timeout);					\
	uint64_t __sim_dl;						\
									\
	sim_kapi_wait_begin(&(wq_head), __sim_ws);			\
	__sim_dl = sim_kapi_wait_deadline(__sim_ret);			\
	for (;;) {							\
		bool __sim_in_time;					\
									\
		if (condition) {					\
			__sim_ret = sim_kapi_wait_left(__sim_dl);	\
			break;						\
		}							\
		if (__sim_ret == 0) 					\
			break;						\
		__sim_in_time = sim_kapi_wait_block(&(wq_head),		\
						    __sim_dl, __sim_ws); \
		if (!__sim_in_time) {					\
			/* Last look, as ___wait_cond_timeout does. */	\
			__sim_ret = (condition) ? 1 : 0;		\
			break;						\
		}							\
	}								\
	__sim_ret;							\
})

#define wait_event(wq_head, condition)					\
	__sim_wait_event(wq_head, condition)
#define wait_event_timeout(wq_head, condition, timeout)			\
	__sim_wait_event_timeout(wq_head, condition, timeout)
#define wait_event_interruptible(wq_head, condition)			\
	({ __sim_wait_event(wq_head, condition); 0; })
#define wait_event_killable(wq_head, condition)				\
	({ __sim_wait_event(wq_head, condition); 0; })
#define wait_event_interruptible_timeout(wq_head, condition, timeout)	\
	__sim_wait_event_timeout(wq_head, condition, timeout)
#define wait_event_killable_timeout(wq_head, condition, timeout)	\
	__sim_wait_event_timeout(wq_head, condition, timeout)

#endif /* _LINUX_WAIT_H */
