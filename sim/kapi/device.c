// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the driver core: buses with their devices and
 * drivers in registration order, binding by bus->match and probe under the
 * device lock, synchronous or asynchronous probing by the driver's
 * probe_type, unbinding, and device references. It sits between drivers
 * (<linux/device.h>, e.g. vmbus_device_register and storvsc's
 * PROBE_PREFER_ASYNCHRONOUS) and the async, mutex and refcount shims.
 *
 * The functions keep the kernel's names and call structure (device_add ->
 * __device_attach -> __device_attach_driver -> driver_probe_device ->
 * really_probe), and none of them is a sim_ function, so a call trace from
 * inside a probe reads like the kernel's, down to the driver that
 * registered the device or, for an async probe, to async_run_entry_fn,
 * process_one_work and worker_thread.
 *
 * The lists live in driver memory (the bus_type and the devices and
 * drivers, usually driver globals or heap objects, both reset for every
 * execution); a bus also records the run_serial of the execution its lists
 * belong to, so a bus in memory the engine does not reset (a test's)
 * starts empty in every execution.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "sim/heap.h"
#include "sim/trace.h"
#include "sim/world.h"
#include "sim/kapi/exec.h"
#include "sim/kapi/kapi.h"

#include <linux/async.h>
#include <linux/device.h>
#include <linux/printk.h>
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
#define DEV_LOCK(dev)							\
	sim_kapi_mutex_lock(&(dev)->mutex, SIM_KAPI_SITE("&dev->mutex"))
#define DEV_UNLOCK(dev)							\
	sim_kapi_mutex_unlock(&(dev)->mutex, SIM_KAPI_SITE("&dev->mutex"))

static SimWorld *core_world(const char *api, const void *obj, size_t size)
{
	SimWorld *w = sim__kapi_world(api);

	sim_heap_check(w, (uintptr_t)obj, size, false,
		       (uintptr_t)__builtin_return_address(0));
	return w;
}

/* ---------------------------------------------------------------- buses -- */

static void bus_prepare(SimWorld *w, struct bus_type *bus)
{
	if (bus->sim_serial == w->run_serial)
		return;
	bus->sim_devs = bus->sim_devs_tail = NULL;
	bus->sim_drvs = bus->sim_drvs_tail = NULL;
	bus->sim_serial = w->run_serial;
}

int bus_register(struct bus_type *bus)
{
	SimWorld *w = core_world("bus_register", bus, sizeof(*bus));

	bus->sim_serial = 0;
	bus_prepare(w, bus);
	sim_yield(w);
	return 0;
}

void bus_unregister(struct bus_type *bus)
{
	SimWorld *w = core_world("bus_unregister", bus, sizeof(*bus));

	bus->sim_serial = 0;
	sim_yield(w);
}

static void bus_remove_dev(struct bus_type *bus, struct device *dev)
{
	struct device **pp, *prev = NULL;

	for (pp = &bus->sim_devs; *pp; prev = *pp, pp = &(*pp)->sim_next) {
		if (*pp == dev) {
			*pp = dev->sim_next;
			if (bus->sim_devs_tail == dev)
				bus->sim_devs_tail = prev;
			dev->sim_next = NULL;
			return;
		}
	}
}

static void bus_remove_drv(struct bus_type *bus, struct device_driver *drv)
{
	struct device_driver **pp, *prev = NULL;

	for (pp = &bus->sim_drvs; *pp; prev = *pp, pp = &(*pp)->sim_next) {
		if (*pp == drv) {
			*pp = drv->sim_next;
			if (bus->sim_drvs_tail == drv)
				bus->sim_drvs_tail = prev;
			drv->sim_next = NULL;
			return;
		}
	}
}

/* ------------------------------------------------------------- probing -- */

static bool driver_allows_async_probing(const struct device_driver *drv)
{
	return drv->probe_type == PROBE_PREFER_ASYNCHRONOUS;
}

static int driver_match_device(struct device_driver *drv, struct device *dev)
{
	return drv->bus->match ? drv->bus->match(dev, drv) : 1;
}

bool device_is_registered(struct device *dev)
{
	SimWorld *w = sim_current_world();

	return w && dev->sim_serial == w->run_serial;
}

/* Bind @dev to @drv and call the probe. Returns 1 when bound. */
static noinline int really_probe(SimWorld *w, struct device *dev,
				 struct device_driver *drv)
{
	SimTask *t = sim_current();
	int ret;

	sim_trace(w, SIM_TR_PROBE, dev->sim_id, drv->name, "really_probe",
		  t && t->wq_name ? 1 : 0, 0);
	dev->driver = drv;
	if (dev->bus->probe)
		ret = dev->bus->probe(dev);
	else if (drv->probe)
		ret = drv->probe(dev);
	else
		ret = 0;
	if (ret) {
		dev->driver = NULL;
		dev_set_drvdata(dev, NULL);
		if (ret != -ENODEV && ret != -ENXIO)
			sim_kapi_printk(w, LOGLEVEL_WARNING, "really_probe",
					"%s: probe of %s failed with error %d\n",
					drv->name, dev_name(dev), ret);
		return 0;
	}
	return 1;
}

/* Called with the device lock held. */
static int driver_probe_device(SimWorld *w, struct device_driver *drv,
			       struct device *dev)
{
	if (dev->sim_dead || !device_is_registered(dev))
		return 0;
	return really_probe(w, dev, drv);
}

struct device_attach_data {
	struct device *dev;
	bool check_async;	/* consider only drivers of want_async kind */
	bool want_async;
	bool have_async;	/* an async driver matched */
};

static int __device_attach_driver(SimWorld *w, struct device_driver *drv,
				  struct device_attach_data *data)
{
	struct device *dev = data->dev;
	bool async_allowed;

	if (!driver_match_device(drv, dev))
		return 0;
	async_allowed = driver_allows_async_probing(drv);
	if (async_allowed)
		data->have_async = true;
	if (data->check_async && async_allowed != data->want_async)
		return 0;
	return driver_probe_device(w, drv, dev);
}

/* Try the bus's drivers in registration order until one binds. */
static int bus_for_each_drv_attach(SimWorld *w, struct device_attach_data *data)
{
	struct bus_type *bus = data->dev->bus;
	struct device_driver *drv;

	if (bus->sim_serial != w->run_serial)
		return 0;
	for (drv = bus->sim_drvs; drv; drv = drv->sim_next)
		if (__device_attach_driver(w, drv, data))
			return 1;
	return 0;
}

static void __device_attach_async_helper(void *data, async_cookie_t cookie)
{
	struct device *dev = data;
	SimWorld *w = sim__kapi_world("__device_attach_async_helper");
	struct device_attach_data d = {
		.dev = dev,
		.check_async = true,
		.want_async = true,
	};

	/* The device may be gone by now (virtio-ccw-auto-online-uaf). */
	sim_heap_check(w, (uintptr_t)dev, sizeof(*dev), false,
		       (uintptr_t)__builtin_return_address(0));
	DEV_LOCK(dev);
	if (!dev->sim_dead && !dev->driver)
		bus_for_each_drv_attach(w, &d);
	DEV_UNLOCK(dev);
	put_device(dev);
}

static int __device_attach(SimWorld *w, struct device *dev, bool allow_async)
{
	struct device_attach_data d = {
		.dev = dev,
		.check_async = allow_async,
		.want_async = false,
	};
	int bound;

	DEV_LOCK(dev);
	if (dev->driver) {
		bound = 1;
	} else {
		bound = bus_for_each_drv_attach(w, &d);
		if (!bound && allow_async && d.have_async) {
			/* Probe later, in an async worker: a driver that
			 * prefers async probing never probes in the task
			 * that registered the device. */
			get_device(dev);
			sim_kapi_async_schedule(__device_attach_async_helper, dev,
				SIM_KAPI_SITE("__device_attach_async_helper"));
		}
	}
	DEV_UNLOCK(dev);
	return bound;
}

int device_attach(struct device *dev)
{
	SimWorld *w = core_world("device_attach", dev, sizeof(*dev));

	return dev->bus ? __device_attach(w, dev, false) : 0;
}

static void __driver_attach_async_helper(void *data, async_cookie_t cookie)
{
	struct device *dev = data;
	SimWorld *w = sim__kapi_world("__driver_attach_async_helper");
	struct device_driver *drv;

	sim_heap_check(w, (uintptr_t)dev, sizeof(*dev), false,
		       (uintptr_t)__builtin_return_address(0));
	DEV_LOCK(dev);
	drv = dev->sim_async_driver;
	dev->sim_async_driver = NULL;
	if (drv && !dev->sim_dead && !dev->driver)
		driver_probe_device(w, drv, dev);
	DEV_UNLOCK(dev);
	put_device(dev);
}

static void __driver_attach(SimWorld *w, struct device *dev,
			    struct device_driver *drv)
{
	if (!driver_match_device(drv, dev))
		return;
	if (driver_allows_async_probing(drv)) {
		DEV_LOCK(dev);
		if (!dev->driver && !dev->sim_async_driver) {
			get_device(dev);
			dev->sim_async_driver = drv;
			sim_kapi_async_schedule(__driver_attach_async_helper, dev,
				SIM_KAPI_SITE("__driver_attach_async_helper"));
		}
		DEV_UNLOCK(dev);
		return;
	}
	DEV_LOCK(dev);
	if (!dev->driver)
		driver_probe_device(w, drv, dev);
	DEV_UNLOCK(dev);
}

/* ----------------------------------------------------------- unbinding -- */

/* Called with the device lock held. */
static noinline void __device_release_driver(SimWorld *w, struct device *dev)
{
	struct device_driver *drv = dev->driver;

	/* arg -1: a remove, as opposed to a probe. */
	sim_trace(w, SIM_TR_PROBE, dev->sim_id, drv->name,
		  "__device_release_driver", -1, 0);
	if (dev->bus && dev->bus->remove)
		dev->bus->remove(dev);
	else if (drv->remove)
		drv->remove(dev);
	dev->driver = NULL;
	dev_set_drvdata(dev, NULL);
}

static void device_release_driver_internal(SimWorld *w, struct device *dev,
					   struct device_driver *drv)
{
	struct device *parent = dev->parent;
	bool lock_parent = parent && dev->bus && dev->bus->need_parent_lock;

	if (lock_parent)
		DEV_LOCK(parent);
	DEV_LOCK(dev);
	if (dev->driver && (!drv || drv == dev->driver))
		__device_release_driver(w, dev);
	DEV_UNLOCK(dev);
	if (lock_parent)
		DEV_UNLOCK(parent);
}

void device_release_driver(struct device *dev)
{
	SimWorld *w = core_world("device_release_driver", dev, sizeof(*dev));

	device_release_driver_internal(w, dev, NULL);
}

/* ------------------------------------------------------------- devices -- */

void device_initialize(struct device *dev)
{
	SimWorld *w = sim__kapi_world("device_initialize");

	sim_heap_check(w, (uintptr_t)dev, sizeof(*dev), true,
		       (uintptr_t)__builtin_return_address(0));
	sim_kapi_mutex_init(&dev->mutex, SIM_KAPI_SITE("&dev->mutex"));
	kref_init(&dev->sim_kref);
	dev->numa_node = -1;		/* NUMA_NO_NODE */
	dev->sim_next = NULL;
	dev->sim_async_driver = NULL;
	dev->sim_serial = 0;
	dev->sim_dead = false;
	dev->sim_id = sim_obj_id(w);
}

int dev_set_name(struct device *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim__kapi_vsnprintf(dev->sim_name, sizeof(dev->sim_name), fmt, ap);
	va_end(ap);
	return 0;
}

int device_add(struct device *dev)
{
	SimWorld *w = core_world("device_add", dev, sizeof(*dev));
	struct bus_type *bus = dev->bus;

	if (dev->init_name) {
		dev_set_name(dev, "%s", dev->init_name);
		dev->init_name = NULL;
	}
	if (!dev->sim_name[0])
		return -EINVAL;
	dev = get_device(dev);
	get_device(dev->parent);
	dev->sim_dead = false;
	dev->sim_serial = w->run_serial;
	if (bus) {
		bus_prepare(w, bus);
		dev->sim_next = NULL;
		if (bus->sim_devs_tail)
			bus->sim_devs_tail->sim_next = dev;
		else
			bus->sim_devs = dev;
		bus->sim_devs_tail = dev;
		/* bus_probe_device(): drivers_autoprobe is always on. */
		__device_attach(w, dev, true);
	}
	put_device(dev);
	return 0;
}

int device_register(struct device *dev)
{
	device_initialize(dev);
	return device_add(dev);
}

void device_del(struct device *dev)
{
	SimWorld *w = core_world("device_del", dev, sizeof(*dev));
	struct device *parent = dev->parent;

	/* kill_device(): an async probe still queued will see it. */
	DEV_LOCK(dev);
	dev->sim_dead = true;
	DEV_UNLOCK(dev);
	if (dev->bus) {
		device_release_driver_internal(w, dev, NULL);
		if (dev->bus->sim_serial == w->run_serial)
			bus_remove_dev(dev->bus, dev);
	}
	dev->sim_serial = 0;
	put_device(parent);
}

void device_unregister(struct device *dev)
{
	device_del(dev);
	put_device(dev);
}

struct device *get_device(struct device *dev)
{
	if (!dev)
		return NULL;
	sim_kapi_refcount(&dev->sim_kref.refcount, SIM_REFCOUNT_ADD, 1,
			  SIM_KAPI_SITE("get_device(dev)"));
	return dev;
}

/* The last reference is gone: the kobject's release. */
static noinline void device_release(SimWorld *w, struct device *dev)
{
	if (dev->release)
		dev->release(dev);
	else if (dev->type && dev->type->release)
		dev->type->release(dev);
	else
		sim__kapi_warn(w, SIM_KAPI_SITE(NULL),
			       "Device '%s' does not have a release() function, "
			       "it is broken and must be fixed. See "
			       "Documentation/core-api/kobject.rst.",
			       dev_name(dev));
}

void put_device(struct device *dev)
{
	if (!dev)
		return;
	if (sim_kapi_refcount(&dev->sim_kref.refcount,
			      SIM_REFCOUNT_SUB_AND_TEST, 1,
			      SIM_KAPI_SITE("put_device(dev)")))
		device_release(sim_current_world(), dev);
}

/* ------------------------------------------------------------- drivers -- */

static void driver_attach(SimWorld *w, struct device_driver *drv)
{
	struct bus_type *bus = drv->bus;
	struct device *dev = bus->sim_devs;

	while (dev) {
		__driver_attach(w, dev, drv);
		/* Stop if the device left the bus meanwhile. */
		if (!device_is_registered(dev))
			break;
		dev = dev->sim_next;
	}
}

int driver_register(struct device_driver *drv)
{
	SimWorld *w = core_world("driver_register", drv, sizeof(*drv));
	struct bus_type *bus = drv->bus;

	if (!bus)
		return -EINVAL;
	bus_prepare(w, bus);
	if (drv->sim_serial == w->run_serial) {
		sim_kapi_printk(w, LOGLEVEL_ERR, "driver_register",
				"Error: Driver '%s' is already registered, "
				"aborting...\n", drv->name);
		return -EBUSY;
	}
	drv->sim_next = NULL;
	drv->sim_serial = w->run_serial;
	if (bus->sim_drvs_tail)
		bus->sim_drvs_tail->sim_next = drv;
	else
		bus->sim_drvs = drv;
	bus->sim_drvs_tail = drv;
	sim_yield(w);
	driver_attach(w, drv);
	return 0;
}

/* The last device of @drv's bus bound to @drv, or NULL. */
static struct device *last_bound(struct device_driver *drv)
{
	struct device *dev, *last = NULL;

	for (dev = drv->bus->sim_devs; dev; dev = dev->sim_next)
		if (dev->driver == drv)
			last = dev;
	return last;
}

static void driver_detach(SimWorld *w, struct device_driver *drv)
{
	struct device *dev;

	if (driver_allows_async_probing(drv))
		sim_kapi_async_synchronize_cookie(ASYNC_COOKIE_MAX,
						  SIM_KAPI_SITE(NULL));
	/* Last bound first, as the kernel walks the driver's device list;
	 * a remove that does not unbind would loop, so stop on it. */
	while ((dev = last_bound(drv))) {
		device_release_driver_internal(w, dev, drv);
		if (dev->driver == drv)
			break;
	}
}

void driver_unregister(struct device_driver *drv)
{
	SimWorld *w = core_world("driver_unregister", drv, sizeof(*drv));

	if (drv->sim_serial != w->run_serial || !drv->bus) {
		sim__kapi_warn(w, SIM_KAPI_SITE(NULL),
			       "Unexpected driver unregister!");
		return;
	}
	driver_detach(w, drv);
	bus_remove_drv(drv->bus, drv);
	drv->sim_serial = 0;
	sim_yield(w);
}
