// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements VMBus channel management in the shape of v4.19/4.20,
 * before 37c2578c0c40 ("Offload the handling of channels to two
 * workqueues"): offers processed one at a time on hv_vmbus_con, a
 * sub-channel's sc_creation_callback called inline from
 * vmbus_process_offer, rescind polling offer_in_progress and probe_done,
 * and the handlers of the host's answers (OPENCHANNEL_RESULT, GPADL_CREATED,
 * GPADL_TORNDOWN, VERSION_RESPONSE), which run in the message tasklet. It
 * sits between the message dispatch of vmbus_drv.c and the channel objects
 * that channel.c opens and closes.
 */
#include <linux/delay.h>
#include <linux/hyperv.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <hvsim/driver.h>

#include "hyperv_vmbus.h"

/* The device classes this core knows; perf devices spread over CPUs. */
enum hv_dev_type {
	HV_IDE = 0,
	HV_SCSI,
	HV_NIC,
	HV_UNKNOWN,
};

static const struct {
	guid_t guid;
	bool perf_device;
} vmbus_devs[] = {
	[HV_IDE] = { GUID_INIT(0x32412632, 0x86cb, 0x44a2, 0x9b, 0x5c, 0x50,
			       0xd1, 0x41, 0x73, 0x54, 0xf5), true },
	[HV_SCSI] = { HV_SCSI_GUID, true },
	[HV_NIC] = { HV_NIC_GUID, true },
	[HV_UNKNOWN] = { GUID_INIT(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), false },
};

/* Round robin of primaries over the NUMA nodes (there is one here). */
static int next_numa_node_id;

static u16 hv_get_dev_type(const struct vmbus_channel *channel)
{
	const guid_t *guid = &channel->offermsg.offer.if_type;
	u16 i;

	for (i = HV_IDE; i < HV_UNKNOWN; i++)
		if (guid_equal(guid, &vmbus_devs[i].guid))
			return i;
	return HV_UNKNOWN;
}

/* ------------------------------------------------------- lifetime -- */

struct vmbus_channel *alloc_channel(void)
{
	struct vmbus_channel *channel;

	channel = kzalloc(sizeof(*channel), GFP_ATOMIC);
	if (!channel)
		return NULL;

	spin_lock_init(&channel->lock);
	init_completion(&channel->rescind_event);
	INIT_LIST_HEAD(&channel->sc_list);
	INIT_LIST_HEAD(&channel->percpu_list);
	tasklet_init(&channel->callback_event, vmbus_on_event,
		     (unsigned long)channel);
	channel->callback_mode = HV_CALL_DIRECT;
	return channel;
}

void free_channel(struct vmbus_channel *channel)
{
	tasklet_kill(&channel->callback_event);
	kfree(channel);
}

/* Tell the host the guest is done with @relid. */
static void vmbus_release_relid(u32 relid)
{
	struct vmbus_channel_relid_released msg;

	memset(&msg, 0, sizeof(msg));
	msg.child_relid = relid;
	msg.header.msgtype = CHANNELMSG_RELID_RELEASED;
	vmbus_post_msg(&msg, sizeof(msg), true);
}

/* Called with channel_mutex held: forget @channel and free it. */
void hv_process_channel_removal(struct vmbus_channel *channel)
{
	struct vmbus_channel *primary_channel;
	unsigned long flags;

	BUG_ON(!mutex_is_locked(&vmbus_connection.channel_mutex));

	vmbus_channel_unmap_relid(channel);

	if (channel->primary_channel == NULL) {
		list_del(&channel->listentry);
		primary_channel = channel;
	} else {
		primary_channel = channel->primary_channel;
		spin_lock_irqsave(&primary_channel->lock, flags);
		list_del(&channel->sc_list);
		primary_channel->num_sc--;
		spin_unlock_irqrestore(&primary_channel->lock, flags);
	}

	/* Let init_vp_index hand this CPU out again. */
	if (vmbus_devs[hv_get_dev_type(channel)].perf_device) {
		cpumask_clear_cpu(channel->target_cpu,
				  &primary_channel->alloced_cpus_in_node);
		cpumask_clear_cpu(channel->target_cpu,
				  &hv_context.hv_numa_map[primary_channel->numa_node]);
	}

	vmbus_release_relid(channel->offermsg.child_relid);
	free_channel(channel);
}

void vmbus_free_channels(void)
{
	struct vmbus_channel *channel, *tmp;

	list_for_each_entry_safe(channel, tmp, &vmbus_connection.chn_list,
				 listentry) {
		/* hv_process_channel_removal() needs this */
		channel->rescind = true;
		vmbus_device_unregister(channel->device_obj);
	}
}

/* ----------------------------------------------------------- offers -- */

/*
 * init_vp_index - pick the CPU that handles @channel's interrupts. A perf
 * primary takes the next CPU of its node not yet taken by a primary; its
 * sub-channels then take the CPUs of the node it has not used yet. The
 * globals are read and written with no lock: offers are serialised on
 * hv_vmbus_con.
 */
static void init_vp_index(struct vmbus_channel *channel, u16 dev_type)
{
	struct vmbus_channel *primary = channel->primary_channel;
	bool perf_chn = vmbus_devs[dev_type].perf_device;
	cpumask_t available_mask, *alloced_mask;
	u32 cur_cpu;

	if (!perf_chn) {
		/* Everything else stays on the connect CPU. */
		channel->numa_node = 0;
		channel->target_cpu = vmbus_connection.connect_cpu;
		channel->target_vp = channel->target_cpu;
		return;
	}

	if (!primary) {
		/* One node: the round robin always lands on node 0. */
		channel->numa_node = next_numa_node_id;
		next_numa_node_id = 0;
		primary = channel;
	}
	alloced_mask = &hv_context.hv_numa_map[primary->numa_node];

	/* Every CPU of the node taken: start over. */
	if (cpumask_weight(alloced_mask) == num_online_cpus())
		cpumask_clear(alloced_mask);
	if (cpumask_weight(&primary->alloced_cpus_in_node) == num_online_cpus())
		cpumask_clear(&primary->alloced_cpus_in_node);

	cpumask_andnot(&available_mask, cpu_online_mask, alloced_mask);

	cur_cpu = -1;
	for (;;) {
		cur_cpu = cpumask_next(cur_cpu, &available_mask);
		if (cur_cpu >= nr_cpu_ids) {
			cur_cpu = -1;
			cpumask_copy(&available_mask, cpu_online_mask);
			continue;
		}
		if (!cpumask_test_cpu(cur_cpu, &primary->alloced_cpus_in_node)) {
			cpumask_set_cpu(cur_cpu, &primary->alloced_cpus_in_node);
			cpumask_set_cpu(cur_cpu, alloced_mask);
			break;
		}
	}

	channel->target_cpu = cur_cpu;
	channel->target_vp = cur_cpu;
}

/*
 * vmbus_process_offer - decide whether the offer is a new primary or a
 * sub-channel of a known one, pick its CPU, make it openable, then hand it
 * to the driver: for a sub-channel, the primary's sc_creation_callback,
 * called right here in the hv_vmbus_con worker; for a primary, a new
 * device and driver probe.
 */
static void vmbus_process_offer(struct vmbus_channel *newchannel)
{
	struct vmbus_channel *channel;
	bool fnew = true;
	unsigned long flags;
	u16 dev_type;
	int ret;

	mutex_lock(&vmbus_connection.channel_mutex);

	/* A racing rescind may look now: the offer is under the mutex. */
	atomic_dec(&vmbus_connection.offer_in_progress);

	list_for_each_entry(channel, &vmbus_connection.chn_list, listentry) {
		if (guid_equal(&channel->offermsg.offer.if_type,
			       &newchannel->offermsg.offer.if_type) &&
		    guid_equal(&channel->offermsg.offer.if_instance,
			       &newchannel->offermsg.offer.if_instance)) {
			fnew = false;
			break;
		}
	}

	if (fnew)
		list_add_tail(&newchannel->listentry,
			      &vmbus_connection.chn_list);

	mutex_unlock(&vmbus_connection.channel_mutex);

	if (!fnew) {
		/* Same class and instance: a sub-channel, or a duplicate. */
		if (newchannel->offermsg.offer.sub_channel_index != 0) {
			newchannel->primary_channel = channel;
			spin_lock_irqsave(&channel->lock, flags);
			list_add_tail(&newchannel->sc_list, &channel->sc_list);
			channel->num_sc++;
			spin_unlock_irqrestore(&channel->lock, flags);
			sim_point("vmbus.sc_added");
		} else {
			goto err_free_chan;
		}
	}

	dev_type = hv_get_dev_type(newchannel);

	init_vp_index(newchannel, dev_type);

	/* "Offer processed; may be opened" — not "opened". */
	newchannel->state = CHANNEL_OPEN_STATE;

	mutex_lock(&vmbus_connection.channel_mutex);
	vmbus_channel_map_relid(newchannel);
	mutex_unlock(&vmbus_connection.channel_mutex);

	if (!fnew) {
		/*
		 * race: storvsc-subchannel-race. The driver's callback runs
		 * inline; with pre-fix storvsc it may race with the driver's
		 * own path #2 through vmbus_are_subchannels_present().
		 */
		sim_point("vmbus.sc_callback");
		if (channel->sc_creation_callback != NULL)
			channel->sc_creation_callback(newchannel);
		newchannel->probe_done = true;
		return;
	}

	newchannel->device_obj = vmbus_device_create(
		&newchannel->offermsg.offer.if_type,
		&newchannel->offermsg.offer.if_instance,
		newchannel);
	if (!newchannel->device_obj)
		goto err_deq_chan;

	newchannel->device_obj->device_id = dev_type;

	/* Binds a driver: its probe may run right here or asynchronously. */
	ret = vmbus_device_register(newchannel->device_obj);
	if (ret != 0) {
		pr_err("unable to add child device object (relid %d)\n",
		       newchannel->offermsg.child_relid);
		kfree(newchannel->device_obj);
		goto err_deq_chan;
	}

	newchannel->probe_done = true;
	return;

err_deq_chan:
	mutex_lock(&vmbus_connection.channel_mutex);
	/* Else vmbus_onoffer_rescind() would wait forever. */
	newchannel->probe_done = true;
	vmbus_channel_unmap_relid(newchannel);
	if (newchannel->primary_channel == NULL) {
		list_del(&newchannel->listentry);
	} else {
		spin_lock_irqsave(&channel->lock, flags);
		list_del(&newchannel->sc_list);
		spin_unlock_irqrestore(&channel->lock, flags);
	}
	mutex_unlock(&vmbus_connection.channel_mutex);

err_free_chan:
	free_channel(newchannel);
}

/* OFFERCHANNEL, on hv_vmbus_con: allocate the channel and process it. */
static void vmbus_onoffer(struct vmbus_channel_message_header *hdr)
{
	struct vmbus_channel_offer_channel *offer;
	struct vmbus_channel *newchannel;

	offer = (struct vmbus_channel_offer_channel *)hdr;

	newchannel = alloc_channel();
	if (!newchannel) {
		vmbus_release_relid(offer->child_relid);
		atomic_dec(&vmbus_connection.offer_in_progress);
		pr_err("Unable to allocate channel object\n");
		return;
	}

	/* Win8 and later: each channel signals its own connection id. */
	newchannel->is_dedicated_interrupt =
		(offer->is_dedicated_interrupt != 0);
	newchannel->sig_event = offer->connection_id;

	memcpy(&newchannel->offermsg, offer,
	       sizeof(struct vmbus_channel_offer_channel));
	newchannel->monitor_grp = (u8)offer->monitorid / 32;
	newchannel->monitor_bit = (u8)offer->monitorid % 32;

	vmbus_process_offer(newchannel);
}

/*
 * Mark @channel rescinded and wake the first request of it that waits for
 * the host, which will now never answer.
 */
static void vmbus_rescind_cleanup(struct vmbus_channel *channel)
{
	struct vmbus_channel_msginfo *msginfo;
	unsigned long flags;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	channel->rescind = true;
	list_for_each_entry(msginfo, &vmbus_connection.chn_msg_list,
			    msglistentry) {
		if (msginfo->waiting_channel == channel) {
			complete(&msginfo->waitevent);
			break;
		}
	}
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);
}

/*
 * RESCIND_CHANNELOFFER, on system_wq, as before 37c2578c0c40: wait for
 * every offer in flight, then for the channel's offer handling, and only
 * then clean up.
 */
static void vmbus_onoffer_rescind(struct vmbus_channel_message_header *hdr)
{
	struct vmbus_channel_rescind_offer *rescind;
	struct vmbus_channel *channel;
	struct device *dev;
	bool is_sub;

	rescind = (struct vmbus_channel_rescind_offer *)hdr;

	while (atomic_read(&vmbus_connection.offer_in_progress) != 0)
		msleep(1);

	mutex_lock(&vmbus_connection.channel_mutex);
	channel = relid2channel(rescind->child_relid);
	mutex_unlock(&vmbus_connection.channel_mutex);

	if (channel == NULL) {
		/* The offer failed and its relid was released then. */
		return;
	}

	while (READ_ONCE(channel->probe_done) == false)
		msleep(1);

	/*
	 * Read before the device goes: unregistering a primary frees the
	 * channel. The kernel frees it with kfree_rcu(), so its later read
	 * of primary_channel does not touch freed memory in practice; the
	 * simulated heap frees at once, so the read comes first here.
	 */
	is_sub = channel->primary_channel != NULL;

	if (channel->device_obj) {
		vmbus_rescind_cleanup(channel);
		if (channel->chn_rescind_callback) {
			channel->chn_rescind_callback(channel);
			return;
		}
		dev = get_device(&channel->device_obj->device);
		if (dev) {
			vmbus_device_unregister(channel->device_obj);
			put_device(dev);
		}
	}

	if (is_sub) {
		mutex_lock(&vmbus_connection.channel_mutex);
		vmbus_rescind_cleanup(channel);
		if (channel->state == CHANNEL_OPEN_STATE) {
			/* Not open: nobody else will clean it up. */
			hv_process_channel_removal(channel);
		} else {
			complete(&channel->rescind_event);
		}
		mutex_unlock(&vmbus_connection.channel_mutex);
	}
}

static void vmbus_onoffers_delivered(struct vmbus_channel_message_header *hdr)
{
}

/* ------------------------------------------------ answers, in the tasklet -- */

static void vmbus_onopen_result(struct vmbus_channel_message_header *hdr)
{
	struct vmbus_channel_open_result *result;
	struct vmbus_channel_msginfo *msginfo;
	struct vmbus_channel_message_header *requestheader;
	struct vmbus_channel_open_channel *openmsg;
	unsigned long flags;

	result = (struct vmbus_channel_open_result *)hdr;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_for_each_entry(msginfo, &vmbus_connection.chn_msg_list,
			    msglistentry) {
		requestheader =
			(struct vmbus_channel_message_header *)msginfo->msg;
		if (requestheader->msgtype != CHANNELMSG_OPENCHANNEL)
			continue;
		openmsg = (struct vmbus_channel_open_channel *)msginfo->msg;
		if (openmsg->child_relid == result->child_relid &&
		    openmsg->openid == result->openid) {
			memcpy(&msginfo->response.open_result, result,
			       sizeof(struct vmbus_channel_open_result));
			complete(&msginfo->waitevent);
			break;
		}
	}
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);
}

static void vmbus_ongpadl_created(struct vmbus_channel_message_header *hdr)
{
	struct vmbus_channel_gpadl_created *gpadlcreated;
	struct vmbus_channel_msginfo *msginfo;
	struct vmbus_channel_message_header *requestheader;
	struct vmbus_channel_gpadl_header *gpadlheader;
	unsigned long flags;

	gpadlcreated = (struct vmbus_channel_gpadl_created *)hdr;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_for_each_entry(msginfo, &vmbus_connection.chn_msg_list,
			    msglistentry) {
		requestheader =
			(struct vmbus_channel_message_header *)msginfo->msg;
		if (requestheader->msgtype != CHANNELMSG_GPADL_HEADER)
			continue;
		gpadlheader = (struct vmbus_channel_gpadl_header *)requestheader;
		if (gpadlcreated->child_relid == gpadlheader->child_relid &&
		    gpadlcreated->gpadl == gpadlheader->gpadl) {
			memcpy(&msginfo->response.gpadl_created, gpadlcreated,
			       sizeof(struct vmbus_channel_gpadl_created));
			complete(&msginfo->waitevent);
			break;
		}
	}
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);
}

static void vmbus_ongpadl_torndown(struct vmbus_channel_message_header *hdr)
{
	struct vmbus_channel_gpadl_torndown *gpadl_torndown;
	struct vmbus_channel_msginfo *msginfo;
	struct vmbus_channel_message_header *requestheader;
	struct vmbus_channel_gpadl_teardown *gpadl_teardown;
	unsigned long flags;

	gpadl_torndown = (struct vmbus_channel_gpadl_torndown *)hdr;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_for_each_entry(msginfo, &vmbus_connection.chn_msg_list,
			    msglistentry) {
		requestheader =
			(struct vmbus_channel_message_header *)msginfo->msg;
		if (requestheader->msgtype != CHANNELMSG_GPADL_TEARDOWN)
			continue;
		gpadl_teardown =
			(struct vmbus_channel_gpadl_teardown *)requestheader;
		if (gpadl_torndown->gpadl == gpadl_teardown->gpadl) {
			memcpy(&msginfo->response.gpadl_torndown,
			       gpadl_torndown,
			       sizeof(struct vmbus_channel_gpadl_torndown));
			complete(&msginfo->waitevent);
			break;
		}
	}
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);
}

static void vmbus_onversion_response(struct vmbus_channel_message_header *hdr)
{
	struct vmbus_channel_msginfo *msginfo;
	struct vmbus_channel_message_header *requestheader;
	struct vmbus_channel_version_response *version_response;
	unsigned long flags;

	version_response = (struct vmbus_channel_version_response *)hdr;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_for_each_entry(msginfo, &vmbus_connection.chn_msg_list,
			    msglistentry) {
		requestheader =
			(struct vmbus_channel_message_header *)msginfo->msg;
		if (requestheader->msgtype == CHANNELMSG_INITIATE_CONTACT) {
			memcpy(&msginfo->response.version_response,
			       version_response,
			       sizeof(struct vmbus_channel_version_response));
			complete(&msginfo->waitevent);
		}
	}
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);
}

static void vmbus_unload_response(struct vmbus_channel_message_header *hdr)
{
	complete(&vmbus_connection.unload_event);
}

/* Which messages may sleep (a work item) and which run in the tasklet. */
const struct vmbus_channel_message_table_entry
channel_message_table[CHANNELMSG_COUNT] = {
	{ CHANNELMSG_INVALID,			VMHT_BLOCKING, NULL },
	{ CHANNELMSG_OFFERCHANNEL,		VMHT_BLOCKING, vmbus_onoffer },
	{ CHANNELMSG_RESCIND_CHANNELOFFER,	VMHT_BLOCKING, vmbus_onoffer_rescind },
	{ CHANNELMSG_REQUESTOFFERS,		VMHT_BLOCKING, NULL },
	{ CHANNELMSG_ALLOFFERS_DELIVERED,	VMHT_NON_BLOCKING, vmbus_onoffers_delivered },
	{ CHANNELMSG_OPENCHANNEL,		VMHT_BLOCKING, NULL },
	{ CHANNELMSG_OPENCHANNEL_RESULT,	VMHT_NON_BLOCKING, vmbus_onopen_result },
	{ CHANNELMSG_CLOSECHANNEL,		VMHT_BLOCKING, NULL },
	{ CHANNELMSG_GPADL_HEADER,		VMHT_BLOCKING, NULL },
	{ CHANNELMSG_GPADL_BODY,		VMHT_BLOCKING, NULL },
	{ CHANNELMSG_GPADL_CREATED,		VMHT_NON_BLOCKING, vmbus_ongpadl_created },
	{ CHANNELMSG_GPADL_TEARDOWN,		VMHT_BLOCKING, NULL },
	{ CHANNELMSG_GPADL_TORNDOWN,		VMHT_NON_BLOCKING, vmbus_ongpadl_torndown },
	{ CHANNELMSG_RELID_RELEASED,		VMHT_BLOCKING, NULL },
	{ CHANNELMSG_INITIATE_CONTACT,		VMHT_BLOCKING, NULL },
	{ CHANNELMSG_VERSION_RESPONSE,		VMHT_NON_BLOCKING, vmbus_onversion_response },
	{ CHANNELMSG_UNLOAD,			VMHT_BLOCKING, NULL },
	{ CHANNELMSG_UNLOAD_RESPONSE,		VMHT_NON_BLOCKING, vmbus_unload_response },
	{ CHANNELMSG_18,			VMHT_BLOCKING, NULL },
	{ CHANNELMSG_19,			VMHT_BLOCKING, NULL },
	{ CHANNELMSG_20,			VMHT_BLOCKING, NULL },
	{ CHANNELMSG_TL_CONNECT_REQUEST,	VMHT_BLOCKING, NULL },
};

/* Run the handler of one channel message (@context is its header). */
void vmbus_onmessage(void *context)
{
	struct vmbus_channel_message_header *hdr = context;

	if (hdr->msgtype >= CHANNELMSG_COUNT) {
		pr_err("Received invalid channel message type %d\n",
		       hdr->msgtype);
		return;
	}
	if (channel_message_table[hdr->msgtype].message_handler)
		channel_message_table[hdr->msgtype].message_handler(hdr);
}

/* Ask the host for every offer; they arrive as OFFERCHANNEL messages. */
int vmbus_request_offers(void)
{
	struct vmbus_channel_message_header msg;
	int ret;

	memset(&msg, 0, sizeof(msg));
	msg.msgtype = CHANNELMSG_REQUESTOFFERS;

	ret = vmbus_post_msg(&msg, sizeof(msg), true);
	if (ret != 0)
		pr_err("Unable to request offers - %d\n", ret);
	return ret;
}

/* ------------------------------------------------------ sub-channels -- */

/*
 * vmbus_set_sc_create_callback - set the callback that opens the new
 * sub-channels of @primary_channel. No lock: the driver sets it before it
 * asks the host for sub-channels.
 */
void vmbus_set_sc_create_callback(struct vmbus_channel *primary_channel,
				  void (*sc_cr_cb)(struct vmbus_channel *new_sc))
{
	primary_channel->sc_creation_callback = sc_cr_cb;
}

void vmbus_set_chn_rescind_callback(struct vmbus_channel *channel,
			void (*chn_rescind_cb)(struct vmbus_channel *))
{
	channel->chn_rescind_callback = chn_rescind_cb;
}

/*
 * Call the sub-channel callback on every sub-channel on @primary_channel's
 * list. race: storvsc-subchannel-race — no lock: the list can grow under
 * the walk, and each entry may be opened here and, at the same time, by
 * vmbus_process_offer.
 */
static void invoke_sc_cb(struct vmbus_channel *primary_channel)
{
	struct list_head *cur, *tmp;
	struct vmbus_channel *cur_channel;

	if (primary_channel->sc_creation_callback == NULL)
		return;

	list_for_each_safe(cur, tmp, &primary_channel->sc_list) {
		cur_channel = list_entry(cur, struct vmbus_channel, sc_list);
		sim_point("vmbus.invoke_sc_cb");
		primary_channel->sc_creation_callback(cur_channel);
	}
}

/*
 * vmbus_are_subchannels_present - if @primary has sub-channels, call the
 * sub-channel callback on each and return true. Removed upstream once its
 * last caller (pre-fix storvsc) went away.
 */
bool vmbus_are_subchannels_present(struct vmbus_channel *primary)
{
	bool ret = !list_empty(&primary->sc_list);

	if (ret) {
		/* Invoke the callback on sub-channel creation: the sub-channels
		 * may already be there when a driver is reloaded. */
		invoke_sc_cb(primary);
	}

	return ret;
}
