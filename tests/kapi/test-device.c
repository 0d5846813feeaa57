// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests <linux/device.h>, <linux/kref.h> and <linux/refcount.h>:
 * a synchronous probe runs in the registering task with the device lock
 * held, an asynchronous one (PROBE_PREFER_ASYNCHRONOUS) in an async worker;
 * binding works in both registration orders and respects bus->match;
 * device_unregister() removes and releases; an async probe still queued
 * when the device is deleted does not probe; kref underflow and addition
 * on 0 warn like the kernel's refcount_t (and balanced use is quiet); a
 * device without a release function warns at its last put.
 */
#include "sync-test.h"

#include <errno.h>

#include <linux/device.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/sched.h>

/* The console log of the execution (sim/kapi/kapi.h). */
const char *sim_kapi_console(SimWorld *w);

typedef struct {
	struct bus_type bus;
	struct device_driver drv;
	struct device dev[3];
	struct kref kref;
	int probes, removes, releases, kref_releases;
	uint32_t probe_task;
	uint32_t reg_task;
	bool locked_in_probe;
	const char *probe_wq, *probe_func;
	void *drvdata_after;
	int probe_ret;
	bool flags[8];
} Ctx;

static Ctx *the_ctx;	/* the probe callbacks have only the device */

static void ctx_reset(Ctx *c)
{
	memset(c, 0, sizeof(*c));
	the_ctx = c;
}

/* ------------------------------------------------------------ the bus -- */

static int test_match(struct device *dev, struct device_driver *drv)
{
	/* Devices named "skip*" match no driver. */
	return strncmp(dev_name(dev), "skip", 4) != 0;
}

static int test_probe(struct device *dev)
{
	Ctx *c = the_ctx;

	c->probes++;
	c->probe_task = sim_current()->id;
	c->locked_in_probe = mutex_is_locked(&dev->mutex) &&
			     lockdep_is_held(&dev->mutex);
	c->probe_wq = sim_current()->wq_name;
	c->probe_func = sim_current()->work_func;
	dev_set_drvdata(dev, c);
	dev_info(dev, "probed\n");
	return c->probe_ret;
}

static int test_remove(struct device *dev)
{
	the_ctx->removes++;
	the_ctx->flags[7] = dev_get_drvdata(dev) == the_ctx;
	return 0;
}

static void test_release(struct device *dev)
{
	the_ctx->releases++;
}

static void setup(Ctx *c, enum probe_type type)
{
	c->bus.name = "testbus";
	c->bus.match = test_match;
	c->drv.name = "testdrv";
	c->drv.bus = &c->bus;
	c->drv.probe = test_probe;
	c->drv.remove = test_remove;
	c->drv.probe_type = type;
	bus_register(&c->bus);
}

static void add_dev(Ctx *c, int i, const char *name)
{
	c->dev[i].bus = &c->bus;
	c->dev[i].release = test_release;
	dev_set_name(&c->dev[i], "%s", name);
	ck_assert_int_eq(device_register(&c->dev[i]), 0);
}

/* --------------------------------------------------------------- probing -- */

static void sync_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->reg_task = sim_current()->id;
	setup(c, PROBE_FORCE_SYNCHRONOUS);
	driver_register(&c->drv);
	add_dev(c, 0, "vmbus_0");
	c->flags[0] = c->probes == 1;	/* already, before returning */
	c->flags[1] = c->dev[0].driver == &c->drv;
}

START_TEST(test_device_sync_probe_runs_in_the_registering_task)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, sync_init, &c));
	ck_assert(c.flags[0] && c.flags[1]);
	ck_assert_uint_eq(c.probe_task, c.reg_task);
	ck_assert(c.locked_in_probe);
	ck_assert_ptr_null(c.probe_wq);
	ck_assert_ptr_nonnull(trace_find(w, SIM_TR_PROBE, "testdrv"));
	ck_assert_ptr_nonnull(strstr(sim_kapi_console(w),
				     "testdrv vmbus_0: probed"));
}
END_TEST

static void async_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->reg_task = sim_current()->id;
	setup(c, PROBE_PREFER_ASYNCHRONOUS);
	driver_register(&c->drv);
	add_dev(c, 0, "vmbus_1");
	c->flags[0] = c->probes == 0;	/* not in this task */
}

START_TEST(test_device_async_probe_runs_in_an_async_worker)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, async_init, &c));
	ck_assert(c.flags[0]);
	ck_assert_int_eq(c.probes, 1);
	ck_assert_uint_ne(c.probe_task, c.reg_task);
	ck_assert_str_eq(sim_task_by_id(w, c.probe_task)->name, "kworker/u4:1");
	ck_assert_str_eq(c.probe_wq, "events_unbound");
	ck_assert_str_eq(c.probe_func, "async_run_entry_fn");
	ck_assert(c.locked_in_probe);
	ck_assert_ptr_eq(c.dev[0].driver, &c.drv);
	ck_assert_int_eq(trace_count(w, SIM_TR_QUEUE_WORK,
				     "__device_attach_async_helper"), 1);
}
END_TEST

/* Devices first, then the driver: it binds to the matching ones. */
static void driver_later_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	setup(c, (enum probe_type)c->probe_ret);
	c->probe_ret = 0;
	add_dev(c, 0, "a");
	add_dev(c, 1, "skip-me");
	add_dev(c, 2, "b");
	c->flags[0] = c->probes == 0;
	driver_register(&c->drv);
	c->flags[1] = c->probes;
}

START_TEST(test_device_driver_register_binds_registered_devices)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	c.probe_ret = PROBE_DEFAULT_STRATEGY;
	ck_assert_clean(w, run_first(w, driver_later_init, &c));
	ck_assert(c.flags[0]);
	ck_assert_int_eq(c.probes, 2);
	ck_assert_ptr_eq(c.dev[0].driver, &c.drv);
	ck_assert_ptr_null(c.dev[1].driver);
	ck_assert_ptr_eq(c.dev[2].driver, &c.drv);

	ctx_reset(&c);
	c.probe_ret = PROBE_PREFER_ASYNCHRONOUS;
	ck_assert_clean(w, run_first(w, driver_later_init, &c));
	ck_assert_int_eq(c.probes, 2);
	ck_assert_int_eq(trace_count(w, SIM_TR_QUEUE_WORK,
				     "__driver_attach_async_helper"), 2);
}
END_TEST

static void failing_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	setup(c, PROBE_DEFAULT_STRATEGY);
	driver_register(&c->drv);
	add_dev(c, 0, "broken");
}

START_TEST(test_device_failed_probe_leaves_the_device_unbound)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	c.probe_ret = -EIO;
	ck_assert_clean(w, run_first(w, failing_init, &c));
	ck_assert_int_eq(c.probes, 1);
	ck_assert_ptr_null(c.dev[0].driver);
	ck_assert_ptr_null(dev_get_drvdata(&c.dev[0]));
	ck_assert_ptr_nonnull(strstr(sim_kapi_console(w),
		"testdrv: probe of broken failed with error -5"));
}
END_TEST

/* ------------------------------------------------------------ removal -- */

static void unregister_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	setup(c, PROBE_DEFAULT_STRATEGY);
	driver_register(&c->drv);
	add_dev(c, 0, "x");
	add_dev(c, 1, "y");
	get_device(&c->dev[1]);
	device_unregister(&c->dev[0]);
	c->flags[0] = c->removes == 1 && c->releases == 1;
	c->drvdata_after = dev_get_drvdata(&c->dev[0]);
	driver_unregister(&c->drv);
	c->flags[1] = c->removes == 2 && c->dev[1].driver == NULL;
	device_unregister(&c->dev[1]);
	c->flags[2] = c->releases == 1;		/* our reference is left */
	put_device(&c->dev[1]);
	c->flags[3] = c->releases == 2;
}

START_TEST(test_device_unregister_removes_and_releases)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, unregister_init, &c));
	ck_assert(c.flags[0] && c.flags[1] && c.flags[2] && c.flags[3]);
	ck_assert(c.flags[7]);		/* remove saw its drvdata */
	ck_assert_ptr_null(c.drvdata_after);
	ck_assert_int_eq(trace_count(w, SIM_TR_PROBE, "testdrv"), 4);
}
END_TEST

/* An async probe still queued when the device goes does not probe it. */
static void dead_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	setup(c, PROBE_PREFER_ASYNCHRONOUS);
	driver_register(&c->drv);
	add_dev(c, 0, "gone");
	device_del(&c->dev[0]);	/* before the async worker ran */
	c->flags[0] = c->releases == 0;		/* the helper holds a ref */
}

START_TEST(test_device_async_probe_skips_a_deleted_device)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, dead_init, &c));
	ck_assert(c.flags[0]);
	ck_assert_int_eq(c.probes, 0);
	/* The helper's put left the registration reference. */
	ck_assert_uint_eq(kref_read(&c.dev[0].sim_kref), 1);
}
END_TEST

/* ------------------------------------------------------------ references -- */

static void kref_release(struct kref *kref)
{
	the_ctx->kref_releases++;
}

static void kref_init_fn(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	kref_init(&c->kref);
	kref_get(&c->kref);
	c->flags[0] = kref_put(&c->kref, kref_release) == 0;
	c->flags[1] = kref_put(&c->kref, kref_release) == 1;
	c->flags[2] = kref_read(&c->kref) == 0;
	c->flags[3] = !kref_get_unless_zero(&c->kref);
	if (c->probe_ret == 1)
		kref_put(&c->kref, kref_release);	/* one put too many */
	if (c->probe_ret == 2)
		kref_get(&c->kref);			/* get on a dead object */
}

START_TEST(test_device_balanced_kref_use_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c;

	ctx_reset(&c);
	ck_assert_clean(w, run_first(w, kref_init_fn, &c));
	ck_assert(c.flags[0] && c.flags[1] && c.flags[2] && c.flags[3]);
	ck_assert_int_eq(c.kref_releases, 1);
	ck_assert_ptr_nonnull(trace_find(w, SIM_TR_ATOMIC,
					 "kref_put(&c->kref)"));
}
END_TEST

START_TEST(test_device_kref_put_on_zero_warns_underflow)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autofree char *text = NULL;
	Ctx c;

	ctx_reset(&c);
	c.probe_ret = 1;
	ck_assert_int_eq(run_first(w, kref_init_fn, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_WARNING);
	ck_assert_str_eq(w->bug->func, "kref_init_fn");
	ck_assert_int_eq(c.kref_releases, 1);	/* not released twice */
	text = report_text(w);
	if (g_getenv("HVSIM_TEST_VERBOSE"))
		g_print("%s", text);
	ck_assert_has_line(text, "refcount_t: underflow; use-after-free.");
}
END_TEST

START_TEST(test_device_kref_get_on_zero_warns_addition_on_0)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autofree char *text = NULL;
	Ctx c;

	ctx_reset(&c);
	c.probe_ret = 2;
	ck_assert_int_eq(run_first(w, kref_init_fn, &c), SIM_END_BUG);
	text = report_text(w);
	ck_assert_has_line(text, "refcount_t: addition on 0; use-after-free.");
}
END_TEST

static void no_release_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	setup(c, PROBE_DEFAULT_STRATEGY);
	add_dev(c, 0, "norel");
	c->dev[0].release = NULL;
	device_unregister(&c->dev[0]);
}

START_TEST(test_device_without_release_warns_at_last_put)
{
	g_autoptr(SimWorld) w = sim_world_new();
	g_autofree char *text = NULL;
	Ctx c;

	ctx_reset(&c);
	ck_assert_int_eq(run_first(w, no_release_init, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_WARNING);
	text = report_text(w);
	if (g_getenv("HVSIM_TEST_VERBOSE"))
		g_print("%s", text);
	ck_assert_has_line(text, "Device 'norel' does not have a release() "
			   "function, it is broken and must be fixed. See "
			   "Documentation/core-api/kobject.rst.");
}
END_TEST

static Suite *device_suite(void)
{
	Suite *s = suite_create("device");
	TCase *tc = tcase_create("device");

	tcase_add_test(tc, test_device_sync_probe_runs_in_the_registering_task);
	tcase_add_test(tc, test_device_async_probe_runs_in_an_async_worker);
	tcase_add_test(tc, test_device_driver_register_binds_registered_devices);
	tcase_add_test(tc, test_device_failed_probe_leaves_the_device_unbound);
	tcase_add_test(tc, test_device_unregister_removes_and_releases);
	tcase_add_test(tc, test_device_async_probe_skips_a_deleted_device);
	tcase_add_test(tc, test_device_balanced_kref_use_is_quiet);
	tcase_add_test(tc, test_device_kref_put_on_zero_warns_underflow);
	tcase_add_test(tc, test_device_kref_get_on_zero_warns_addition_on_0);
	tcase_add_test(tc, test_device_without_release_warns_at_last_put);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(device_suite());
}
