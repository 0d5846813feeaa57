/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/completion.h>. Copies kernel semantics: a "done" counter;
 * complete() adds one and wakes the longest waiting waiter, complete_all()
 * makes it saturate (UINT_MAX) and wakes everyone; a waiter loops until
 * done > 0 and then takes one (unless saturated). Timeouts are in jiffies
 * (HZ = 1000) on the virtual clock: wait_for_completion_timeout() returns 0
 * on timeout, else the jiffies left (at least 1). No signals exist in the
 * simulator, so the _interruptible and _killable variants behave like the
 * plain ones.
 *
 * Every wait checks might_sleep() first. Customised for the harness: every
 * call is a scheduling point just before its effect; a wait blocks with
 * SIM_WAIT_COMPLETION, named after the completion's initialising
 * expression ("&request->wait_event"), which deadlock and hung-task
 * reports print; complete() records SIM_TR_COMPLETE with the woken task as
 * its peer. The completion's memory is checked like a driver access
 * (KASAN), also after every wake-up, so a waiter woken on a freed request
 * is a use-after-free report.
 *
 * Caveat: complete() and friends are function-like macros (they pass the
 * call site), so a driver calling a function pointer member named
 * "complete" (x->complete(x)) must write (x->complete)(x).
 */
#ifndef _LINUX_COMPLETION_H
#define _LINUX_COMPLETION_H

#include <limits.h>

#include <linux/compiler.h>
#include <linux/types.h>

#ifndef MAX_SCHEDULE_TIMEOUT
#define MAX_SCHEDULE_TIMEOUT	LONG_MAX
#endif

struct completion {
	unsigned int done;
	uint32_t __sim_id;		/* world-local id, 0: none yet */
	uint64_t __sim_serial;		/* world run_serial of __sim_id */
	const char *__sim_name;		/* initialising expression */
	uint32_t __sim_magic;		/* SIM_COMPLETION_MAGIC once initialised */
};

#define SIM_COMPLETION_MAGIC	0x636f6d70U

#define COMPLETION_INITIALIZER(work)					\
	{ .done = 0, .__sim_name = #work, .__sim_magic = SIM_COMPLETION_MAGIC }
#define COMPLETION_INITIALIZER_ONSTACK(work) COMPLETION_INITIALIZER(work)
#define DECLARE_COMPLETION(work)					\
	struct completion work = COMPLETION_INITIALIZER(work)
#define DECLARE_COMPLETION_ONSTACK(work) DECLARE_COMPLETION(work)

void sim_kapi_init_completion(struct completion *x, const struct sim_kapi_site *site);
void sim_kapi_reinit_completion(struct completion *x, const struct sim_kapi_site *site);
void sim_kapi_complete(struct completion *x, bool all, const struct sim_kapi_site *site);
/*
 * Wait at most @timeout jiffies (MAX_SCHEDULE_TIMEOUT: forever). Returns 0
 * on timeout, else the jiffies left, at least 1.
 */
long sim_kapi_wait_for_completion(struct completion *x, long timeout,
				  const struct sim_kapi_site *site);
bool sim_kapi_try_wait_for_completion(struct completion *x,
				      const struct sim_kapi_site *site);
bool sim_kapi_completion_done(struct completion *x,
			      const struct sim_kapi_site *site);

#define init_completion(x)	sim_kapi_init_completion((x), SIM_KAPI_SITE(#x))
#define reinit_completion(x)	sim_kapi_reinit_completion((x), SIM_KAPI_SITE(#x))
#define complete(x)		sim_kapi_complete((x), false, SIM_KAPI_SITE(#x))
#define complete_all(x)		sim_kapi_complete((x), true, SIM_KAPI_SITE(#x))

#define wait_for_completion(x)						\
	((void)sim_kapi_wait_for_completion((x), MAX_SCHEDULE_TIMEOUT,	\
					    SIM_KAPI_SITE(#x)))
#define wait_for_completion_io(x)	wait_for_completion(x)
#define wait_for_completion_timeout(x, timeout)				\
	((unsigned long)sim_kapi_wait_for_completion((x), (long)(timeout), \
						     SIM_KAPI_SITE(#x)))
#define wait_for_completion_io_timeout(x, timeout)			\
	wait_for_completion_timeout(x, timeout)
#define wait_for_completion_interruptible(x)				\
	({ wait_for_completion(x); 0; })
#define wait_for_completion_killable(x)					\
	({ wait_for_completion(x); 0; })
#define wait_for_completion_interruptible_timeout(x, timeout)		\
	sim_kapi_wait_for_completion((x), (long)(timeout), SIM_KAPI_SITE(#x))
#define wait_for_completion_killable_timeout(x, timeout)		\
	sim_kapi_wait_for_completion((x), (long)(timeout), SIM_KAPI_SITE(#x))

#define try_wait_for_completion(x)					\
	sim_kapi_try_wait_for_completion((x), SIM_KAPI_SITE(#x))
#define completion_done(x)						\
	sim_kapi_completion_done((x), SIM_KAPI_SITE(#x))

#endif /* _LINUX_COMPLETION_H */
