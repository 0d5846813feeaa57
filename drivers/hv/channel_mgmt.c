// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements VMBus channel management in the shape of v4.19/4.20:
 * offers processed one at a time on hv_vmbus_con, rescind polling
 * offer_in_progress and probe_done on the system workqueue, and the
 * handlers of the host's answers (OPENCHANNEL_RESULT, GPADL_CREATED,
 * GPADL_TORNDOWN, VERSION_RESPONSE), which run in the message tasklet. It
 * sits between the message dispatch of vmbus_drv.c and the channel objects
 * that channel.c opens and closes.
 *
 * race: vmbus-rescind-open-deadlock, netvsc-multi-nic-rtnl-deadlock. Both
 * sides of 37c2578c0c40 ("Drivers: hv: vmbus: Offload the handling of
 * channels to two workqueues") are here, behind the fix switch
 * vmbus-offer-workqueues:
 *  - before it, vmbus_process_offer hands the channel to its driver inline
 *    in the hv_vmbus_con worker: a sub-channel's sc_creation_callback (which
 *    opens it and waits, with no timeout, for OPENCHANNEL_RESULT), or a
 *    primary's device registration (which probes inline for a driver that
 *    forces synchronous probing, as netvsc does). One offer that blocks
 *    there blocks every later offer, and keeps offer_in_progress above 0,
 *    which the rescind handler waits for before it wakes the opener;
 *  - after it, vmbus_process_offer only does the bookkeeping and queues
 *    vmbus_add_channel_work on hv_pri_chan (a new primary) or hv_sub_chan
 *    (a sub-channel); init_vp_index, now run from both queues, takes the
 *    new bind_channel_to_cpu_lock; and vmbus_onoffer_rescind resets the
 *    channel callback and wakes the opener (vmbus_rescind_cleanup) before
 *    it waits for probe_done. The comments at each part say which upstream
 *    commit it comes from.
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

/*
 * race: netvsc-multi-nic-rtnl-deadlock (37c2578c0c40). init_vp_index()
 * reads and writes next_numa_node_id, hv_numa_map and the primary's
 * alloced_cpus_in_node; after the fix it runs on hv_pri_chan and
 * hv_sub_chan at once, so the fix added this lock around it.
 */
static DEFINE_SPINLOCK(bind_channel_to_cpu_lock);

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
 * sub-channels then take the CPUs of the node it has not used yet.
 *
 * race: netvsc-multi-nic-rtnl-deadlock. Before 37c2578c0c40 the globals
 * are read and written with no lock: offers are serialised on
 * hv_vmbus_con. After it, primaries and sub-channels are set up on two
 * workqueues at once and bind_channel_to_cpu_lock serialises this. (The
 * 4.19.y backport also turned available_mask into an allocated
 * cpumask_var_t; whether that is part of the same commit is not verified,
 * and it changes nothing here, so the mask stays on the stack.)
 */
static void init_vp_index(struct vmbus_channel *channel, u16 dev_type)
{
	struct vmbus_channel *primary = channel->primary_channel;
	bool perf_chn = vmbus_devs[dev_type].perf_device;
	bool fixed = hvsim_fixed(vmbus_offer_workqueues);
	cpumask_t available_mask, *alloced_mask;
	u32 cur_cpu;

	if (!perf_chn) {
		/* Everything else stays on the connect CPU. */
		channel->numa_node = 0;
		channel->target_cpu = vmbus_connection.connect_cpu;
		channel->target_vp = channel->target_cpu;
		return;
	}

	/* race: netvsc-multi-nic-rtnl-deadlock (added by the fix) */
	if (fixed)
		spin_lock(&bind_channel_to_cpu_lock);

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

	/* race: netvsc-multi-nic-rtnl-deadlock (added by the fix) */
	if (fixed)
		spin_unlock(&bind_channel_to_cpu_lock);
}

/*
 * vmbus_add_channel_work - hand a processed offer to its driver: for a
 * sub-channel, the primary's sc_creation_callback; for a primary, a new
 * device and driver probe (inline for a driver that probes synchronously).
 *
 * race: vmbus-rescind-open-deadlock, netvsc-multi-nic-rtnl-deadlock. Added
 * by 37c2578c0c40 and only used after it: this is the second half of the
 * pre-fix vmbus_process_offer, moved onto hv_pri_chan (new primaries) and
 * hv_sub_chan (sub-channels). A callback or probe that blocks here holds up
 * only its own queue: hv_vmbus_con keeps processing offers, so
 * offer_in_progress drops to 0 and a primary's probe waiting for RTNL no
 * longer stops the sub-channels the RTNL holder waits for. It can run
 * concurrently for a primary and a sub-channel.
 */
static void vmbus_add_channel_work(struct work_struct *work)
{
	struct vmbus_channel *newchannel =
		container_of(work, struct vmbus_channel, add_channel_work);
	struct vmbus_channel *primary_channel = newchannel->primary_channel;
	unsigned long flags;
	u16 dev_type;
	int ret;

	dev_type = hv_get_dev_type(newchannel);

	init_vp_index(newchannel, dev_type);

	/* "Offer processed; may be opened" — not "opened". */
	newchannel->state = CHANNEL_OPEN_STATE;

	if (primary_channel != NULL) {
		/* newchannel is a sub-channel. */
		sim_point("vmbus.add_sc_callback");
		if (primary_channel->sc_creation_callback != NULL)
			primary_channel->sc_creation_callback(newchannel);

		newchannel->probe_done = true;
		return;
	}

	/* Start the process of binding the primary channel to the driver. */
	newchannel->device_obj = vmbus_device_create(
		&newchannel->offermsg.offer.if_type,
		&newchannel->offermsg.offer.if_instance,
		newchannel);
	if (!newchannel->device_obj)
		goto err_deq_chan;

	newchannel->device_obj->device_id = dev_type;

	/* Binds a driver: its probe may run right here or asynchronously. */
	sim_point("vmbus.add_primary_register");
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

	/* We need to set the flag, otherwise vmbus_onoffer_rescind() can be
	 * blocked. */
	newchannel->probe_done = true;

	vmbus_channel_unmap_relid(newchannel);
	if (primary_channel == NULL) {
		list_del(&newchannel->listentry);
	} else {
		spin_lock_irqsave(&primary_channel->lock, flags);
		list_del(&newchannel->sc_list);
		primary_channel->num_sc--;
		spin_unlock_irqrestore(&primary_channel->lock, flags);
	}

	mutex_unlock(&vmbus_connection.channel_mutex);

	vmbus_release_relid(newchannel->offermsg.child_relid);

	free_channel(newchannel);
}

/*
 * vmbus_process_offer - decide whether the offer is a new primary or a
 * sub-channel of a known one, then hand it to the driver.
 *
 * race: vmbus-rescind-open-deadlock, netvsc-multi-nic-rtnl-deadlock.
 * Before 37c2578c0c40 it also picks the CPU, makes the channel openable
 * and hands it to the driver right here, in the hv_vmbus_con worker: for a
 * sub-channel, the primary's sc_creation_callback; for a primary, a new
 * device and driver probe. After the fix it only does the bookkeeping
 * (under channel_mutex, sub-channel linking included) and queues
 * vmbus_add_channel_work for the rest; it never blocks.
 */
static void vmbus_process_offer(struct vmbus_channel *newchannel)
{
	bool fixed = hvsim_fixed(vmbus_offer_workqueues);
	struct workqueue_struct *wq;
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

	if (fnew) {
		list_add_tail(&newchannel->listentry,
			      &vmbus_connection.chn_list);
	} else if (fixed) {
		/*
		 * race: vmbus-rescind-open-deadlock (37c2578c0c40): a
		 * sub-channel is linked here, under channel_mutex; a second
		 * primary of the same instance is a host bug.
		 */
		if (newchannel->offermsg.offer.sub_channel_index == 0) {
			mutex_unlock(&vmbus_connection.channel_mutex);
			/* Not free_channel(): nothing of it was set up. */
			tasklet_kill(&newchannel->callback_event);
			kfree(newchannel);
			WARN_ON_ONCE(1);
			return;
		}
		newchannel->primary_channel = channel;
		spin_lock_irqsave(&channel->lock, flags);
		list_add_tail(&newchannel->sc_list, &channel->sc_list);
		channel->num_sc++;
		spin_unlock_irqrestore(&channel->lock, flags);
	}

	/*
	 * race: vmbus-rescind-open-deadlock. After the fix the channel is
	 * found by its relid as soon as it is on the lists, as v4.19's
	 * relid2channel(), which walks them, finds it: a rescind that passes
	 * the offer_in_progress wait must see it.
	 */
	if (fixed)
		vmbus_channel_map_relid(newchannel);

	mutex_unlock(&vmbus_connection.channel_mutex);

	if (fixed) {
		/*
		 * race: vmbus-rescind-open-deadlock,
		 * netvsc-multi-nic-rtnl-deadlock (37c2578c0c40). Never call
		 * the driver from here: sc_creation_callback -> vmbus_open()
		 * may never get OPENCHANNEL_RESULT (the host may rescind at
		 * any time), and vmbus_onoffer_rescind() cannot wake it while
		 * offer_in_progress is not 0; the same holds for a primary
		 * probed synchronously. And primaries and sub-channels depend
		 * on each other (netvsc: NIC1's subchan_work holds RTNL and
		 * waits for its sub-channels, NIC2's probe waits for RTNL), so
		 * they get separate queues.
		 */
		INIT_WORK(&newchannel->add_channel_work, vmbus_add_channel_work);
		wq = fnew ? vmbus_connection.handle_primary_chan_wq :
			    vmbus_connection.handle_sub_chan_wq;
		queue_work(wq, &newchannel->add_channel_work);
		return;
	}

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
		 *
		 * race: vmbus-rescind-open-deadlock. And it runs in the
		 * hv_vmbus_con worker: if the open it makes never gets an
		 * answer, no later offer is processed, offer_in_progress
		 * stays above 0, and the rescind that would wake the opener
		 * waits for it forever.
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

	/*
	 * Binds a driver: its probe may run right here or asynchronously.
	 * race: netvsc-multi-nic-rtnl-deadlock. A synchronous probe (netvsc)
	 * runs in the hv_vmbus_con worker: while it waits for RTNL, the
	 * sub-channel offers of the NIC that holds RTNL wait behind it.
	 */
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
 * RESCIND_CHANNELOFFER, on system_wq: wait until no offer is in flight
 * (the rescind may have overtaken its offer's work item), look the channel
 * up, wait until its offer handling has ended, then let the driver or the
 * device core remove it. Every wait is an msleep(1) poll with no timeout.
 *
 * race: vmbus-rescind-open-deadlock. Before 37c2578c0c40 (and its
 * companion) the opener of the channel is woken (vmbus_rescind_cleanup)
 * only after both polls. But an open waiting for an OPENCHANNEL_RESULT
 * that the host, having rescinded the channel, will never send, is itself
 * offer handling: probe_done stays false, and as it blocks the
 * hv_vmbus_con worker, the offers queued behind it keep offer_in_progress
 * above 0. The rescind polls forever and the opener waits forever.
 * After the fix the open waits in hv_sub_chan (or hv_pri_chan), so the
 * first poll ends; then the channel callback is reset and the opener woken
 * before the probe_done poll, so the second ends too.
 */
static void vmbus_onoffer_rescind(struct vmbus_channel_message_header *hdr)
{
	bool fixed = hvsim_fixed(vmbus_offer_workqueues);
	struct vmbus_channel_rescind_offer *rescind;
	struct vmbus_channel *channel;
	struct device *dev;
	bool is_sub;

	rescind = (struct vmbus_channel_rescind_offer *)hdr;

	sim_point("vmbus.rescind");

	/* The offer and its rescind come in order, but are handled on two
	 * workqueues: wait until the offer is discoverable. */
	while (atomic_read(&vmbus_connection.offer_in_progress) != 0)
		msleep(1);

	mutex_lock(&vmbus_connection.channel_mutex);
	channel = relid2channel(rescind->child_relid);
	mutex_unlock(&vmbus_connection.channel_mutex);

	if (channel == NULL) {
		/* The offer failed and its relid was released then. */
		return;
	}

	if (fixed) {
		/*
		 * race: vmbus-rescind-open-deadlock. From the companion of
		 * 37c2578c0c40, "Drivers: hv: vmbus: Reset the channel
		 * callback in vmbus_onoffer_rescind()": no callback may run
		 * once channel->rescind is set.
		 */
		vmbus_reset_channel_cb(channel);

		/*
		 * race: vmbus-rescind-open-deadlock. Wake the opener before
		 * waiting for probe_done, which its open holds back. The move
		 * of this call ahead of the poll is in the post-fix code
		 * (the 4.19.y backport, and 5.x); whether it comes from
		 * 37c2578c0c40 itself or from its companion is not verified
		 * (the channel_mgmt.c hunk of 37c2578c0c40 was not seen). The
		 * post-fix variant needs it: with a single sub-channel,
		 * offer_in_progress is 0 but probe_done would never be set.
		 */
		sim_point("vmbus.rescind_cleanup");
		vmbus_rescind_cleanup(channel);
	}

	/* Now wait for offer handling to complete. */
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
		/* race: vmbus-rescind-open-deadlock (before the fix: here) */
		if (!fixed)
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
		/*
		 * A sub-channel: the driver closes its sub-channels before
		 * its primary (vmbus_close), so only one that is not open is
		 * removed here; an open one is left to that close path.
		 */
		mutex_lock(&vmbus_connection.channel_mutex);
		/* race: vmbus-rescind-open-deadlock (before the fix: here) */
		if (!fixed)
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
