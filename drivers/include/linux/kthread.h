/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/kthread.h>, implemented in sim/kapi/kthread.c. Kernel
 * semantics: kthread_create() makes a task named from the format that
 * waits, idle, until wake_up_process() starts it; kthread_run() creates and
 * starts. The task runs threadfn(data) unless kthread_stop() came first
 * (then threadfn never runs and kthread_stop() returns -EINTR).
 * kthread_stop() sets the stop flag, wakes the task and waits for it to
 * end, returning threadfn's result; kthread_should_stop() reads the flag.
 *
 * Customised for the harness: a kthread is a SIM_CTX_PROCESS task on the
 * CPU of its creator (kthread_bind() moves it before it starts); creation
 * never fails. Creating and stopping are scheduling points.
 */
#ifndef _LINUX_KTHREAD_H
#define _LINUX_KTHREAD_H

#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/sched.h>

struct task_struct *sim_kapi_kthread_create(int (*threadfn)(void *data),
					    void *data,
					    const struct sim_kapi_site *site,
					    const char *namefmt, ...)
	__printf(4, 5);
int sim_kapi_kthread_stop(struct task_struct *k,
			  const struct sim_kapi_site *site);
bool sim_kapi_kthread_should_stop(void);
void sim_kapi_kthread_bind(struct task_struct *k, unsigned int cpu);

#define kthread_create(threadfn, data, namefmt, ...)			\
	sim_kapi_kthread_create((threadfn), (data),			\
				SIM_KAPI_SITE(#threadfn), namefmt,	\
				##__VA_ARGS__)

#define kthread_run(threadfn, data, namefmt, ...)			\
({									\
	struct task_struct *__k = kthread_create(threadfn, data,	\
						 namefmt, ##__VA_ARGS__); \
	if (!IS_ERR(__k))						\
		wake_up_process(__k);					\
	__k;								\
})

#define kthread_stop(k)		sim_kapi_kthread_stop((k), SIM_KAPI_SITE(#k))
#define kthread_should_stop()	sim_kapi_kthread_should_stop()
#define kthread_bind(k, cpu)	sim_kapi_kthread_bind((k), (cpu))

#endif /* _LINUX_KTHREAD_H */
