// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the guest's connection to the VMBus host: version
 * negotiation (INITIATE_CONTACT / VERSION_RESPONSE), posting channel
 * messages, signalling a channel's host side, and the relid to channel
 * map. It sits between the rest of drivers/hv/ and the hypercall-like
 * calls of models/vmbus_host.h.
 *
 * race: vmbus-rescind-open-deadlock, netvsc-multi-nic-rtnl-deadlock.
 * vmbus_connect() and vmbus_disconnect() also create and destroy the two
 * workqueues of 37c2578c0c40 when vmbus-offer-workqueues is on.
 */
#include <linux/delay.h>
#include <linux/hyperv.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <hvsim/driver.h>

#include "hyperv_vmbus.h"

struct vmbus_connection vmbus_connection = {
	.conn_state = DISCONNECTED,
	.next_gpadl_handle = ATOMIC_INIT(0xE1E10),
};

/* Negotiated VMBus protocol version. */
int vmbus_proto_version;

/* Versions we can speak, newest first. */
static const __u32 vmbus_versions[] = {
	VERSION_WIN10,
	VERSION_WIN8_1,
	VERSION_WIN8,
};

static int vmbus_negotiate_version(struct vmbus_channel_msginfo *msginfo,
				   __u32 version)
{
	struct vmbus_channel_initiate_contact *msg;
	unsigned long flags;
	int ret;

	msg = (struct vmbus_channel_initiate_contact *)msginfo->msg;

	memset(msg, 0, sizeof(*msg));
	msg->header.msgtype = CHANNELMSG_INITIATE_CONTACT;
	msg->vmbus_version_requested = version;
	/* Win8 and later: messages come on SINT 2 of the connect CPU. */
	msg->msg_sint = VMBUS_MESSAGE_SINT;
	msg->target_vcpu = VMBUS_CONNECT_CPU;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_add_tail(&msginfo->msglistentry, &vmbus_connection.chn_msg_list);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);

	ret = vmbus_post_msg(msg, sizeof(struct vmbus_channel_initiate_contact),
			     true);
	if (ret != 0) {
		spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
		list_del(&msginfo->msglistentry);
		spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock,
				       flags);
		return ret;
	}

	wait_for_completion(&msginfo->waitevent);

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_del(&msginfo->msglistentry);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);

	if (!msginfo->response.version_response.version_supported)
		return -ECONNREFUSED;

	vmbus_connection.conn_state = CONNECTED;
	return 0;
}

/*
 * vmbus_connect - set up the connection state and the hv_vmbus_con
 * workqueue, then agree on a protocol version with the host.
 */
int vmbus_connect(void)
{
	struct vmbus_channel_msginfo *msginfo = NULL;
	__u32 version;
	int i, ret = 0;

	vmbus_connection.conn_state = CONNECTING;
	vmbus_connection.connect_cpu = VMBUS_CONNECT_CPU;
	vmbus_connection.msg_conn_id = VMBUS_MESSAGE_CONNECTION_ID;

	/* Per-CPU, one item at a time per CPU: offers run in order. */
	vmbus_connection.work_queue = create_workqueue("hv_vmbus_con");
	if (!vmbus_connection.work_queue) {
		ret = -ENOMEM;
		goto cleanup;
	}

	/*
	 * race: vmbus-rescind-open-deadlock, netvsc-multi-nic-rtnl-deadlock.
	 * 37c2578c0c40: new primaries and new sub-channels are handed to
	 * their drivers on two more serial queues of their own.
	 */
	if (hvsim_fixed(vmbus_offer_workqueues)) {
		vmbus_connection.handle_primary_chan_wq =
			create_workqueue("hv_pri_chan");
		if (!vmbus_connection.handle_primary_chan_wq) {
			ret = -ENOMEM;
			goto cleanup;
		}

		vmbus_connection.handle_sub_chan_wq =
			create_workqueue("hv_sub_chan");
		if (!vmbus_connection.handle_sub_chan_wq) {
			ret = -ENOMEM;
			goto cleanup;
		}
	}

	INIT_LIST_HEAD(&vmbus_connection.chn_msg_list);
	spin_lock_init(&vmbus_connection.channelmsg_lock);

	INIT_LIST_HEAD(&vmbus_connection.chn_list);
	mutex_init(&vmbus_connection.channel_mutex);

	init_completion(&vmbus_connection.unload_event);

	msginfo = kzalloc(sizeof(*msginfo) +
			  sizeof(struct vmbus_channel_initiate_contact),
			  GFP_KERNEL);
	if (msginfo == NULL) {
		ret = -ENOMEM;
		goto cleanup;
	}

	/* Newest version first, down to the oldest we speak. */
	for (i = 0; ; i++) {
		if (i == ARRAY_SIZE(vmbus_versions)) {
			ret = -ECONNREFUSED;
			goto cleanup;
		}
		version = vmbus_versions[i];
		init_completion(&msginfo->waitevent);
		ret = vmbus_negotiate_version(msginfo, version);
		if (ret == -ETIMEDOUT)
			goto cleanup;
		if (vmbus_connection.conn_state == CONNECTED)
			break;
	}

	vmbus_proto_version = version;
	pr_info("Vmbus version:%d.%d\n", version >> 16, version & 0xFFFF);

	kfree(msginfo);
	return 0;

cleanup:
	pr_err("Unable to connect to host\n");
	vmbus_connection.conn_state = DISCONNECTED;
	vmbus_disconnect();
	kfree(msginfo);
	return ret;
}

void vmbus_disconnect(void)
{
	if (vmbus_connection.work_queue) {
		destroy_workqueue(vmbus_connection.work_queue);
		vmbus_connection.work_queue = NULL;
	}

	/* race: vmbus-rescind-open-deadlock (37c2578c0c40); NULL before. */
	if (vmbus_connection.handle_primary_chan_wq) {
		destroy_workqueue(vmbus_connection.handle_primary_chan_wq);
		vmbus_connection.handle_primary_chan_wq = NULL;
	}

	if (vmbus_connection.handle_sub_chan_wq) {
		destroy_workqueue(vmbus_connection.handle_sub_chan_wq);
		vmbus_connection.handle_sub_chan_wq = NULL;
	}
}

/*
 * relid2channel - the channel of @relid, or NULL. The map is written under
 * channel_mutex; the ISR reads it without (it only schedules tasklets).
 */
struct vmbus_channel *relid2channel(u32 relid)
{
	if (WARN_ON(relid >= MAX_CHANNEL_RELIDS))
		return NULL;
	return READ_ONCE(vmbus_connection.channels[relid]);
}

void vmbus_channel_map_relid(struct vmbus_channel *channel)
{
	u32 relid = channel->offermsg.child_relid;

	if (WARN_ON(relid >= MAX_CHANNEL_RELIDS))
		return;
	WRITE_ONCE(vmbus_connection.channels[relid], channel);
}

void vmbus_channel_unmap_relid(struct vmbus_channel *channel)
{
	u32 relid = channel->offermsg.child_relid;

	if (WARN_ON(relid >= MAX_CHANNEL_RELIDS))
		return;
	if (vmbus_connection.channels[relid] == channel)
		WRITE_ONCE(vmbus_connection.channels[relid], NULL);
}

/*
 * vmbus_post_msg - send a channel message to the host. The hypercall can
 * fail for lack of host buffers; retry with a growing back-off.
 */
int vmbus_post_msg(void *buffer, size_t buflen, bool can_sleep)
{
	int retries = 0;
	u32 usec = 1;
	int ret = 0;

	while (retries < 100) {
		ret = hv_post_message(vmbus_connection.msg_conn_id, 1,
				      buffer, buflen);

		switch (ret) {
		case HV_STATUS_INVALID_CONNECTION_ID:
			/* Sent too fast, or before the host is ready. */
			ret = -EAGAIN;
			break;
		case HV_STATUS_INSUFFICIENT_BUFFERS:
			ret = -ENOBUFS;
			break;
		case HV_STATUS_SUCCESS:
			return 0;
		default:
			pr_err("hv_post_msg() failed; error code:%d\n", ret);
			return -EINVAL;
		}

		retries++;
		if (can_sleep && usec > 1000)
			msleep(usec / 1000);
		else
			udelay(usec);

		if (retries < 22)
			usec *= 2;
	}
	return ret;
}

/* vmbus_set_event - tell the host there is data in @channel's ring. */
void vmbus_set_event(struct vmbus_channel *channel)
{
	hv_signal_event(channel->sig_event);
}
