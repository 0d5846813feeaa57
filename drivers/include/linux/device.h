/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/device.h>: the driver core's devices, drivers and buses,
 * implemented in sim/kapi/device.c, with the kernel's binding rules:
 *
 *  - driver_register() binds the driver to every registered device of its
 *    bus that bus->match() accepts; device_add()/device_register() bind a
 *    new device to the first registered driver that matches and probes
 *    successfully. Probing is bus->probe (or drv->probe without one), run
 *    with the device lock held (device_lock(), a mutex: "&dev->mutex").
 *  - A driver with probe_type PROBE_PREFER_ASYNCHRONOUS is probed from an
 *    async worker (async_schedule_dev of __device_attach_async_helper or
 *    __driver_attach_async_helper, so in a "kworker/u<n>:<m>" task of
 *    system_unbound_wq); any other driver in the task that registered the
 *    device or the driver. The async helper re-checks, under the device
 *    lock, that the device is not dead (device_del() marks it so) and not
 *    already bound.
 *  - device_del() marks the device dead, unbinds it (bus->remove, or
 *    drv->remove, under the device lock; driver_data is cleared) and takes
 *    it off its bus; device_unregister() adds put_device().
 *    driver_unregister() waits for async probes (async_synchronize_full,
 *    when the driver probes asynchronously) and unbinds every device bound
 *    to it, last registered first.
 *  - get_device()/put_device() count references on a kref (kobject-less);
 *    the last put calls dev->release, else type->release, else warns that
 *    the device "does not have a release() function".
 *  - dev_err() and friends print "<driver> <device>: message" through
 *    printk (the driver's name, else the bus's).
 *
 * Customised for the harness: no kobject, sysfs, class, power management,
 * device links or deferred probing; dev_set_name() writes into the device
 * (up to 63 characters) instead of allocating; bus_type.remove returns int
 * (the v4.19-era signature). A probe or remove call is recorded as a
 * SIM_TR_PROBE event.
 */
#ifndef _LINUX_DEVICE_H
#define _LINUX_DEVICE_H

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/types.h>

struct device;
struct device_driver;
struct module;

enum probe_type {
	PROBE_DEFAULT_STRATEGY,
	PROBE_PREFER_ASYNCHRONOUS,
	PROBE_FORCE_SYNCHRONOUS,
};

struct bus_type {
	const char *name;
	int (*match)(struct device *dev, struct device_driver *drv);
	int (*probe)(struct device *dev);
	int (*remove)(struct device *dev);
	void (*shutdown)(struct device *dev);
	bool need_parent_lock;
	/* hvsim: private to sim/kapi/device.c (devices and drivers in
	 * registration order, valid in the execution of sim_serial). */
	struct device *sim_devs, *sim_devs_tail;
	struct device_driver *sim_drvs, *sim_drvs_tail;
	uint64_t sim_serial;
};

struct device_driver {
	const char *name;
	struct bus_type *bus;
	struct module *owner;
	const char *mod_name;
	bool suppress_bind_attrs;
	enum probe_type probe_type;
	int (*probe)(struct device *dev);
	int (*remove)(struct device *dev);
	void (*shutdown)(struct device *dev);
	/* hvsim: private to sim/kapi/device.c */
	struct device_driver *sim_next;
	uint64_t sim_serial;		/* registered in this execution */
};

struct device_type {
	const char *name;
	void (*release)(struct device *dev);
};

struct device {
	struct device *parent;
	const char *init_name;
	const struct device_type *type;
	struct bus_type *bus;
	struct device_driver *driver;
	void *platform_data;
	void *driver_data;
	struct mutex mutex;		/* device_lock() */
	u64 *dma_mask;
	u64 coherent_dma_mask;
	int numa_node;
	void (*release)(struct device *dev);
	/* hvsim: private to sim/kapi/device.c */
	struct kref sim_kref;		/* the kobject's reference count */
	char sim_name[64];
	struct device *sim_next;	/* on its bus, registration order */
	struct device_driver *sim_async_driver;
	uint64_t sim_serial;		/* on a bus in this execution */
	uint32_t sim_id;
	bool sim_dead;
};

/* ----------------------------------------------------------- the core -- */

/* Real functions with the kernel's names, so that call traces through
 * the driver core read like the kernel's. */
void device_initialize(struct device *dev);
int device_add(struct device *dev);
int device_register(struct device *dev);
void device_del(struct device *dev);
void device_unregister(struct device *dev);
struct device *get_device(struct device *dev);
void put_device(struct device *dev);
int device_attach(struct device *dev);
void device_release_driver(struct device *dev);
int driver_register(struct device_driver *drv);
void driver_unregister(struct device_driver *drv);
int bus_register(struct bus_type *bus);
void bus_unregister(struct bus_type *bus);
bool device_is_registered(struct device *dev);

int dev_set_name(struct device *dev, const char *fmt, ...) __printf(2, 3);

static inline const char *dev_name(const struct device *dev)
{
	if (dev->init_name)
		return dev->init_name;
	return dev->sim_name;
}

static inline const char *dev_driver_string(const struct device *dev)
{
	struct device_driver *drv = READ_ONCE(dev->driver);

	if (drv)
		return drv->name;
	return dev->bus ? dev->bus->name : "";
}

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

static inline int dev_to_node(struct device *dev)
{
	return dev->numa_node;
}

static inline void set_dev_node(struct device *dev, int node)
{
	dev->numa_node = node;
}

#define device_lock(dev)						\
	sim_kapi_mutex_lock(&(dev)->mutex, SIM_KAPI_SITE("&dev->mutex"))
#define device_trylock(dev)						\
	sim_kapi_mutex_trylock(&(dev)->mutex, SIM_KAPI_SITE("&dev->mutex"))
#define device_unlock(dev)						\
	sim_kapi_mutex_unlock(&(dev)->mutex, SIM_KAPI_SITE("&dev->mutex"))
#define device_lock_assert(dev)	lockdep_assert_held(&(dev)->mutex)

/* ---------------------------------------------------------- messages -- */

#define dev_printk(level, dev, fmt, ...)				\
	sim_kapi_printk(sim_current_world(), -1, __func__,		\
			level "%s %s: " fmt, dev_driver_string(dev),	\
			dev_name(dev), ##__VA_ARGS__)

#define dev_emerg(dev, fmt, ...)	dev_printk(KERN_EMERG, dev, fmt, ##__VA_ARGS__)
#define dev_alert(dev, fmt, ...)	dev_printk(KERN_ALERT, dev, fmt, ##__VA_ARGS__)
#define dev_crit(dev, fmt, ...)		dev_printk(KERN_CRIT, dev, fmt, ##__VA_ARGS__)
#define dev_err(dev, fmt, ...)		dev_printk(KERN_ERR, dev, fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...)		dev_printk(KERN_WARNING, dev, fmt, ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...)	dev_printk(KERN_NOTICE, dev, fmt, ##__VA_ARGS__)
#define dev_info(dev, fmt, ...)		dev_printk(KERN_INFO, dev, fmt, ##__VA_ARGS__)

#ifdef DEBUG
#define dev_dbg(dev, fmt, ...)		dev_printk(KERN_DEBUG, dev, fmt, ##__VA_ARGS__)
#else
#define dev_dbg(dev, fmt, ...)						\
	({ if (0) dev_printk(KERN_DEBUG, dev, fmt, ##__VA_ARGS__); })
#endif

#define dev_err_once(dev, fmt, ...)	dev_err(dev, fmt, ##__VA_ARGS__)
#define dev_warn_once(dev, fmt, ...)	dev_warn(dev, fmt, ##__VA_ARGS__)
#define dev_info_once(dev, fmt, ...)	dev_info(dev, fmt, ##__VA_ARGS__)
#define dev_err_ratelimited(dev, fmt, ...) dev_err(dev, fmt, ##__VA_ARGS__)
#define dev_warn_ratelimited(dev, fmt, ...) dev_warn(dev, fmt, ##__VA_ARGS__)
#define dev_info_ratelimited(dev, fmt, ...) dev_info(dev, fmt, ##__VA_ARGS__)

#define dev_err_probe(dev, err, fmt, ...)				\
	({ int __e = (err); dev_err(dev, fmt, ##__VA_ARGS__); __e; })

#endif /* _LINUX_DEVICE_H */
