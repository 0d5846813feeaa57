// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the VMBus bus driver in the shape of v4.19: the
 * interrupt handler, the message tasklet that dispatches channel messages
 * (blocking ones to work items, the host's answers inline), the channel
 * callback tasklets, the vmbus bus_type with its match/probe/remove, device
 * registration for offered channels, driver registration, and module init
 * (SynIC setup, connect, REQUESTOFFERS). It sits between the host model
 * (models/vmbus_host.h), whose interrupts enter at vmbus_isr, and the
 * drivers on the bus.
 *
 * Customised for the harness: the host calls vmbus_isr(w, cpu) in engine
 * context (no task runs). The ISR therefore only reads the SynIC pages and
 * the relid map and schedules tasklets, with the shim's engine-context
 * form of tasklet_schedule() (sim_kapi_tasklet_schedule_world), which
 * needs the world passed in; every other shim call waits for the
 * tasklets, which are tasks.
 */
#include <linux/device.h>
#include <linux/hyperv.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "hyperv_vmbus.h"

struct hv_context hv_context;

/* --------------------------------------------------------- interrupts -- */

/* End of message: free the slot; ask the host for the next if it has one. */
static void vmbus_signal_eom(struct hv_message *msg, u32 old_msg_type,
			     int cpu)
{
	/*
	 * The host delivers a new message only into an empty slot, and sets
	 * msg_pending when one is waiting: clear the slot first, then look.
	 */
	WRITE_ONCE(msg->header.message_type, HVMSG_NONE);
	virt_mb();
	if (msg->header.message_flags.msg_pending)
		hv_synic_eom(cpu);
}

static void vmbus_onmessage_work(struct work_struct *work)
{
	struct onmessage_work_context *ctx;

	/* Do not process messages once disconnected. */
	if (vmbus_connection.conn_state == DISCONNECTED)
		return;

	ctx = container_of(work, struct onmessage_work_context, work);
	vmbus_onmessage(ctx->msg.payload);
	kfree(ctx);
}

/*
 * vmbus_on_msg_dpc - the message tasklet. Messages whose handler may sleep
 * are copied into a work item: an offer goes to hv_vmbus_con (after
 * offer_in_progress++, so a rescind waits for it), a rescind to system_wq.
 * The host's answers to guest requests run right here.
 */
void vmbus_on_msg_dpc(unsigned long data)
{
	struct hv_per_cpu_context *hv_cpu = (void *)data;
	struct hv_message *msg = hv_cpu->synic_message_page + VMBUS_MESSAGE_SINT;
	const struct vmbus_channel_message_table_entry *entry;
	struct vmbus_channel_message_header *hdr;
	struct onmessage_work_context *ctx;
	u32 message_type = msg->header.message_type;
	int cpu = hv_cpu - hv_context.cpu_context;

	if (message_type == HVMSG_NONE)
		return;		/* no message */

	hdr = (struct vmbus_channel_message_header *)msg->u.payload;

	if (hdr->msgtype >= CHANNELMSG_COUNT) {
		WARN_ONCE(1, "unknown msgtype=%d\n", hdr->msgtype);
		goto msg_handled;
	}

	entry = &channel_message_table[hdr->msgtype];
	if (entry->handler_type == VMHT_BLOCKING) {
		ctx = kmalloc(sizeof(*ctx), GFP_ATOMIC);
		if (ctx == NULL)
			return;

		INIT_WORK(&ctx->work, vmbus_onmessage_work);
		memcpy(&ctx->msg, msg, sizeof(ctx->msg));

		switch (hdr->msgtype) {
		case CHANNELMSG_RESCIND_CHANNELOFFER:
			/* Rescinds go to the global workqueue. */
			schedule_work_on(vmbus_connection.connect_cpu,
					 &ctx->work);
			break;
		case CHANNELMSG_OFFERCHANNEL:
			atomic_inc(&vmbus_connection.offer_in_progress);
			queue_work_on(vmbus_connection.connect_cpu,
				      vmbus_connection.work_queue,
				      &ctx->work);
			break;
		default:
			queue_work(vmbus_connection.work_queue, &ctx->work);
		}
	} else {
		entry->message_handler(hdr);
	}

msg_handled:
	vmbus_signal_eom(msg, message_type, cpu);
}

/* vmbus_on_event - a channel's tasklet: call the driver back. */
void vmbus_on_event(unsigned long data)
{
	struct vmbus_channel *channel = (void *)data;
	void (*callback_fn)(void *);

	/* A closing driver clears the callback: nothing to do then. */
	callback_fn = READ_ONCE(channel->onchannel_callback);
	if (unlikely(callback_fn == NULL))
		return;

	(*callback_fn)(channel->channel_callback_context);
}

/*
 * Schedule the tasklet of every channel the host flagged on @cpu. Engine
 * context: the event page is host memory that only this ISR clears, so
 * plain bit operations do (the shim's atomics are scheduling points).
 */
static void vmbus_chan_sched(SimWorld *w, struct hv_per_cpu_context *hv_cpu)
{
	union hv_synic_event_flags *event =
		hv_cpu->synic_event_page + VMBUS_MESSAGE_SINT;
	unsigned long *recv_int_page = event->flags;
	struct vmbus_channel *channel;
	unsigned long word;
	u32 i, relid;

	/* for_each_set_bit() + sync_test_and_clear_bit(), a word at a time. */
	for (i = 0; i < BITS_TO_LONGS(MAX_CHANNEL_RELIDS); i++) {
		word = recv_int_page[i];
		if (!word)
			continue;
		recv_int_page[i] = 0;

		for (; word; word &= word - 1) {
			relid = i * BITS_PER_LONG + __builtin_ctzl(word);
			if (relid == 0)
				continue;

			channel = READ_ONCE(vmbus_connection.channels[relid]);
			if (channel == NULL)
				continue;	/* rescinded or not offered yet */
			if (channel->onchannel_callback == NULL)
				continue;	/* not open (yet) */

			sim_kapi_tasklet_schedule_world(w,
						&channel->callback_event);
		}
	}
}

/* vmbus_isr - the VMBus interrupt on @cpu. Engine context; see above. */
static void vmbus_isr(SimWorld *w, int cpu)
{
	struct hv_per_cpu_context *hv_cpu = &hv_context.cpu_context[cpu];
	struct hv_message *msg;

	if (hv_cpu->synic_event_page == NULL)
		return;

	/* Channel events first, then the message slot. */
	vmbus_chan_sched(w, hv_cpu);

	msg = hv_cpu->synic_message_page + VMBUS_MESSAGE_SINT;
	if (READ_ONCE(msg->header.message_type) != HVMSG_NONE)
		sim_kapi_tasklet_schedule_world(w, &hv_cpu->msg_dpc);
}

/* Per-CPU SynIC state: the host's pages and the message tasklet. */
static int hv_synic_alloc(void)
{
	int cpu;

	for_each_online_cpu(cpu) {
		struct hv_per_cpu_context *hv_cpu = &hv_context.cpu_context[cpu];

		hv_cpu->synic_message_page = hv_synic_message_page(cpu);
		hv_cpu->synic_event_page = hv_synic_event_page(cpu);
		if (!hv_cpu->synic_message_page || !hv_cpu->synic_event_page)
			return -ENODEV;	/* no VMBus host on this machine */
		tasklet_init(&hv_cpu->msg_dpc, vmbus_on_msg_dpc,
			     (unsigned long)hv_cpu);
		INIT_LIST_HEAD(&hv_cpu->chan_list);
	}
	return 0;
}

static void hv_synic_free(void)
{
	int cpu;

	for_each_online_cpu(cpu) {
		struct hv_per_cpu_context *hv_cpu = &hv_context.cpu_context[cpu];

		tasklet_kill(&hv_cpu->msg_dpc);
		hv_cpu->synic_event_page = NULL;
		hv_cpu->synic_message_page = NULL;
	}
}

/* ---------------------------------------------------------------- bus -- */

static const struct hv_vmbus_device_id *hv_vmbus_get_id(struct hv_driver *drv,
							struct hv_device *dev)
{
	const struct hv_vmbus_device_id *id = drv->id_table;

	if (id == NULL)
		return NULL;
	for (; !guid_is_null(&id->guid); id++)
		if (guid_equal(&id->guid, &dev->dev_type))
			return id;
	return NULL;
}

static int vmbus_match(struct device *device, struct device_driver *driver)
{
	struct hv_driver *drv = drv_to_hv_drv(driver);
	struct hv_device *hv_dev = device_to_hv_device(device);

	return hv_vmbus_get_id(drv, hv_dev) != NULL;
}

static int vmbus_probe(struct device *child_device)
{
	struct hv_driver *drv = drv_to_hv_drv(child_device->driver);
	struct hv_device *dev = device_to_hv_device(child_device);
	const struct hv_vmbus_device_id *dev_id;
	int ret;

	dev_id = hv_vmbus_get_id(drv, dev);
	if (drv->probe) {
		ret = drv->probe(dev, dev_id);
		if (ret != 0)
			pr_err("probe failed for device %s (%d)\n",
			       dev_name(child_device), ret);
	} else {
		pr_err("probe not set for driver %s\n",
		       dev_name(child_device));
		ret = -ENODEV;
	}
	return ret;
}

static int vmbus_remove(struct device *child_device)
{
	struct hv_driver *drv;
	struct hv_device *dev = device_to_hv_device(child_device);

	if (child_device->driver) {
		drv = drv_to_hv_drv(child_device->driver);
		if (drv->remove)
			drv->remove(dev);
	}
	return 0;
}

static struct bus_type hv_bus = {
	.name =		"vmbus",
	.match =	vmbus_match,
	.probe =	vmbus_probe,
	.remove =	vmbus_remove,
};

/* The device is gone from the driver core: forget its channel. */
static void vmbus_device_release(struct device *device)
{
	struct hv_device *hv_dev = device_to_hv_device(device);
	struct vmbus_channel *channel = hv_dev->channel;

	mutex_lock(&vmbus_connection.channel_mutex);
	hv_process_channel_removal(channel);
	mutex_unlock(&vmbus_connection.channel_mutex);
	kfree(hv_dev);
}

/*
 * vmbus_device_create - a device object for a primary channel's offer.
 */
struct hv_device *vmbus_device_create(const guid_t *type,
				      const guid_t *instance,
				      struct vmbus_channel *channel)
{
	struct hv_device *child_device_obj;

	child_device_obj = kzalloc(sizeof(struct hv_device), GFP_KERNEL);
	if (!child_device_obj) {
		pr_err("Unable to allocate device object for child device\n");
		return NULL;
	}

	child_device_obj->channel = channel;
	guid_copy(&child_device_obj->dev_type, type);
	guid_copy(&child_device_obj->dev_instance, instance);
	child_device_obj->vendor_id = 0x1414;	/* MSFT vendor ID */

	return child_device_obj;
}

/*
 * vmbus_device_register - add the device to the bus: the driver core
 * matches a driver and probes it, here or in an async worker, as the
 * driver's probe_type says.
 */
int vmbus_device_register(struct hv_device *child_device_obj)
{
	const guid_t *g = &child_device_obj->channel->offermsg.offer.if_instance;
	int ret;

	/* The instance GUID, as the kernel's %pUl prints it. */
	dev_set_name(&child_device_obj->device,
		     "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		     g->b[3], g->b[2], g->b[1], g->b[0], g->b[5], g->b[4],
		     g->b[7], g->b[6], g->b[8], g->b[9], g->b[10], g->b[11],
		     g->b[12], g->b[13], g->b[14], g->b[15]);

	child_device_obj->device.bus = &hv_bus;
	child_device_obj->device.release = vmbus_device_release;

	ret = device_register(&child_device_obj->device);
	if (ret) {
		pr_err("Unable to register child device\n");
		return ret;
	}
	return 0;
}

void vmbus_device_unregister(struct hv_device *device_obj)
{
	device_unregister(&device_obj->device);
}

/* __vmbus_driver_register - register a VMBus driver with the bus. */
int __vmbus_driver_register(struct hv_driver *hv_driver,
			    struct module *owner, const char *mod_name)
{
	pr_info("registering driver %s\n", hv_driver->name);

	if (vmbus_connection.conn_state != CONNECTED)
		return -ENODEV;

	hv_driver->driver.name = hv_driver->name;
	hv_driver->driver.owner = owner;
	hv_driver->driver.mod_name = mod_name;
	hv_driver->driver.bus = &hv_bus;

	return driver_register(&hv_driver->driver);
}

void vmbus_driver_unregister(struct hv_driver *hv_driver)
{
	pr_info("unregistering driver %s\n", hv_driver->name);
	driver_unregister(&hv_driver->driver);
}

/* --------------------------------------------------------- module init -- */

static int vmbus_bus_init(void)
{
	int ret;

	ret = bus_register(&hv_bus);
	if (ret)
		return ret;

	ret = hv_synic_alloc();
	if (ret)
		goto err_alloc;

	hv_setup_vmbus_handler(vmbus_isr);

	ret = vmbus_connect();
	if (ret)
		goto err_connect;

	vmbus_request_offers();
	return 0;

err_connect:
	hv_remove_vmbus_handler();
	hv_synic_free();
err_alloc:
	bus_unregister(&hv_bus);
	return ret;
}

static int __init hv_acpi_init(void)
{
	return vmbus_bus_init();
}

static void __exit vmbus_exit(void)
{
	vmbus_connection.conn_state = DISCONNECTED;
	vmbus_free_channels();
	hv_remove_vmbus_handler();
	hv_synic_free();
	bus_unregister(&hv_bus);
	vmbus_disconnect();
}

module_init(hv_acpi_init);
module_exit(vmbus_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Microsoft Hyper-V VMBus Driver");
