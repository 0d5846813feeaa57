/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/async.h>, implemented in sim/kapi/async.c. Kernel
 * semantics: async_schedule(fn, data) runs fn(data, cookie) later, in a
 * worker of system_unbound_wq (a "kworker/u<pool>:<n>" task whose reports
 * say "Workqueue: events_unbound async_run_entry_fn"), and returns the
 * entry's cookie (1, 2, ... per execution). async_synchronize_full() waits
 * until every scheduled entry, including ones scheduled while it waits,
 * has finished; async_synchronize_cookie(c) waits for the entries with a
 * cookie below c.
 *
 * Customised for the harness: one async domain per execution; scheduling
 * never falls back to running the function synchronously (the kernel does
 * when memory runs low). Scheduling and synchronizing are scheduling
 * points.
 */
#ifndef _LINUX_ASYNC_H
#define _LINUX_ASYNC_H

#include <linux/compiler.h>
#include <linux/types.h>

typedef u64 async_cookie_t;
typedef void (*async_func_t)(void *data, async_cookie_t cookie);

async_cookie_t sim_kapi_async_schedule(async_func_t func, void *data,
				       const struct sim_kapi_site *site);
void sim_kapi_async_synchronize_cookie(async_cookie_t cookie,
				       const struct sim_kapi_site *site);

#define ASYNC_COOKIE_MAX	((async_cookie_t)UINT64_MAX)

#define async_schedule(func, data)					\
	sim_kapi_async_schedule((func), (data), SIM_KAPI_SITE(#func))
#define async_schedule_node(func, data, node)				\
	({ (void)(node); async_schedule(func, data); })
#define async_schedule_dev(func, dev)					\
	sim_kapi_async_schedule((func), (dev), SIM_KAPI_SITE(#func))
#define async_synchronize_full()					\
	sim_kapi_async_synchronize_cookie(ASYNC_COOKIE_MAX, SIM_KAPI_SITE(NULL))
#define async_synchronize_cookie(cookie)				\
	sim_kapi_async_synchronize_cookie((cookie), SIM_KAPI_SITE(NULL))

#endif /* _LINUX_ASYNC_H */
