/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/sched.h>: the minimal task_struct and the sleep/wake
 * primitives, implemented in sim/kapi/kthread.c. Kernel semantics:
 *
 *  - set_current_state(TASK_*) then schedule() sleeps until
 *    wake_up_process() sets the task running again; a wake that comes
 *    between the two makes schedule() return at once (no lost wake-up).
 *  - schedule_timeout(t) sleeps at most t jiffies in the current state and
 *    returns the jiffies left (0 on timeout); in TASK_RUNNING it returns at
 *    once. MAX_SCHEDULE_TIMEOUT sleeps without a timeout.
 *  - The _uninterruptible/_interruptible/_killable/_idle variants set the
 *    state first.
 *
 * Customised for the harness:
 *  - struct task_struct is a shadow of the simulated task (SimTask) with
 *    only comm, pid, __state and flags: current->comm is the task's name
 *    (at most 15 characters, as the kernel truncates it), current->pid its
 *    1-based id. Shadows live until the end of the execution;
 *    get_task_struct()/put_task_struct() count nothing.
 *  - A task sleeping without a timeout in TASK_UNINTERRUPTIBLE is blocked
 *    (a deadlock and hung-task participant); in TASK_INTERRUPTIBLE or
 *    TASK_IDLE it is idle, as the kernel's hung-task detector ignores it.
 *    A timed sleep is "sleeping": it ends by itself.
 *  - wake_up_process() wakes a task sleeping in schedule() or
 *    schedule_timeout(), a kthread not yet started, or a task in a
 *    wait_event*() (which re-checks its condition); it never breaks a
 *    mutex, completion or msleep() wait, which the kernel would only
 *    re-enter.
 *  - There are no signals: signal_pending() is always 0.
 *  - cond_resched() and yield() are scheduling points.
 */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <limits.h>
#include <stdbool.h>

#include <linux/compiler.h>
#include <linux/kernel.h>

struct SimTask;

#define TASK_COMM_LEN		16

#define TASK_RUNNING		0x00000000
#define TASK_INTERRUPTIBLE	0x00000001
#define TASK_UNINTERRUPTIBLE	0x00000002
#define TASK_WAKEKILL		0x00000100
#define TASK_NOLOAD		0x00000400
#define TASK_KILLABLE		(TASK_WAKEKILL | TASK_UNINTERRUPTIBLE)
#define TASK_IDLE		(TASK_UNINTERRUPTIBLE | TASK_NOLOAD)
#define TASK_NORMAL		(TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)

#ifndef MAX_SCHEDULE_TIMEOUT
#define MAX_SCHEDULE_TIMEOUT	LONG_MAX
#endif

#define PF_WQ_WORKER		0x00000020
#define PF_KTHREAD		0x00200000

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int pid;
	int tgid;
	char comm[TASK_COMM_LEN];
	/* hvsim: private to sim/kapi/kthread.c. */
	struct SimTask *sim_task;
	int (*sim_threadfn)(void *data);
	void *sim_data;
	int sim_result;
	bool sim_kthread;
	bool sim_started;
	bool sim_should_stop;
	bool sim_exited;
};

struct task_struct *sim_kapi_current(void);
void sim_kapi_set_current_state(unsigned int state);
void sim_kapi_schedule(const struct sim_kapi_site *site);
long sim_kapi_schedule_timeout(long timeout, const struct sim_kapi_site *site);
long sim_kapi_schedule_timeout_state(long timeout, unsigned int state,
				     const struct sim_kapi_site *site);
int sim_kapi_wake_up_process(struct task_struct *p);
void sim_kapi_cond_resched(void);

#define current			sim_kapi_current()
#define get_current()		sim_kapi_current()

#define set_current_state(state)	sim_kapi_set_current_state(state)
#define __set_current_state(state)	sim_kapi_set_current_state(state)

#define schedule()		sim_kapi_schedule(SIM_KAPI_SITE(NULL))
#define schedule_timeout(timeout)					\
	sim_kapi_schedule_timeout((timeout), SIM_KAPI_SITE(NULL))
#define schedule_timeout_interruptible(timeout)				\
	sim_kapi_schedule_timeout_state((timeout), TASK_INTERRUPTIBLE,	\
					SIM_KAPI_SITE(NULL))
#define schedule_timeout_killable(timeout)				\
	sim_kapi_schedule_timeout_state((timeout), TASK_KILLABLE,	\
					SIM_KAPI_SITE(NULL))
#define schedule_timeout_uninterruptible(timeout)			\
	sim_kapi_schedule_timeout_state((timeout), TASK_UNINTERRUPTIBLE, \
					SIM_KAPI_SITE(NULL))
#define schedule_timeout_idle(timeout)					\
	sim_kapi_schedule_timeout_state((timeout), TASK_IDLE,		\
					SIM_KAPI_SITE(NULL))

#define wake_up_process(p)	sim_kapi_wake_up_process(p)
#define cond_resched()		({ sim_kapi_cond_resched(); 0; })
#define yield()			sim_kapi_cond_resched()
#define need_resched()		0

#define signal_pending(p)	((void)(p), 0)
#define fatal_signal_pending(p)	((void)(p), 0)
#define task_pid_nr(p)		((p)->pid)
#define task_tgid_nr(p)		((p)->tgid)
#define get_task_struct(p)	(p)
#define put_task_struct(p)	((void)(p))

#endif /* _LINUX_SCHED_H */
