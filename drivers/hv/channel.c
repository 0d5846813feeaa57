// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the VMBus channel calls a driver makes, in the shape
 * they have after ae6935ed7d42 ("vmbus: split ring buffer allocation from
 * open"): vmbus_open = vmbus_alloc_ring + __vmbus_open (+ vmbus_free_ring
 * on failure), vmbus_close = vmbus_disconnect_ring + vmbus_free_ring, the
 * GPADL that shares the ring pages with the host, and packet send and
 * receive. It sits between the VMBus drivers (storvsc, netvsc) and the ring
 * buffers (ring_buffer.c) and host messages (connection.c).
 *
 * race: storvsc-subchannel-race. Since that split, opening is no longer an
 * atomic test-and-set of the channel state: vmbus_alloc_ring overwrites
 * ringbuffer_page with no lock and no state check, and __vmbus_open checks
 * the state under channel->lock but sets OPENING_STATE after dropping it.
 * A second, concurrent opener of the same channel fails the check and its
 * vmbus_free_ring unmaps the winner's live rings and frees pages under
 * them. The named points below let a scenario order those steps.
 */
#include <linux/hyperv.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <hvsim/driver.h>

#include "hyperv_vmbus.h"

/* Guest page frame number of a page of guest memory, as the host sees it. */
static inline u64 virt_to_hvpfn(void *addr)
{
	return page_to_pfn(virt_to_page(addr));
}

/* ------------------------------------------------------------ GPADL -- */

/*
 * Build the GPADL_HEADER message for @size bytes at @kbuffer, and as many
 * GPADL_BODY messages as the page numbers need when they do not fit in one
 * channel message.
 */
static int create_gpadl_header(void *kbuffer, u32 size,
			       struct vmbus_channel_msginfo **msginfo)
{
	struct vmbus_channel_gpadl_header *gpadl_header;
	struct vmbus_channel_gpadl_body *gpadl_body;
	struct vmbus_channel_msginfo *msgheader, *msgbody, *pos, *tmp;
	int pfnsum, pfncount, pfnleft, pfncurr, pfnsize, i;
	u32 msgsize, pagecount;

	pagecount = size >> PAGE_SHIFT;
	pfnsize = sizeof(u64);

	/* How many page numbers fit after the header in one message. */
	pfncount = (HV_MESSAGE_PAYLOAD_BYTE_COUNT -
		    sizeof(struct vmbus_channel_gpadl_header) -
		    sizeof(struct gpa_range)) / pfnsize;
	if (pfncount > pagecount)
		pfncount = pagecount;

	msgsize = sizeof(struct vmbus_channel_msginfo) +
		  sizeof(struct vmbus_channel_gpadl_header) +
		  sizeof(struct gpa_range) + pfncount * pfnsize;
	msgheader = kzalloc(msgsize, GFP_KERNEL);
	if (!msgheader)
		return -ENOMEM;

	INIT_LIST_HEAD(&msgheader->submsglist);
	msgheader->msgsize = msgsize;

	gpadl_header = (struct vmbus_channel_gpadl_header *)msgheader->msg;
	gpadl_header->rangecount = 1;
	gpadl_header->range_buflen = sizeof(struct gpa_range) +
				     pagecount * sizeof(u64);
	gpadl_header->range[0].byte_offset = 0;
	gpadl_header->range[0].byte_count = size;
	for (i = 0; i < pfncount; i++)
		gpadl_header->range[0].pfn_array[i] =
			virt_to_hvpfn(kbuffer + PAGE_SIZE * i);

	pfnsum = pfncount;
	pfnleft = pagecount - pfncount;

	/* The rest goes in GPADL_BODY messages. */
	pfncount = (HV_MESSAGE_PAYLOAD_BYTE_COUNT -
		    sizeof(struct vmbus_channel_gpadl_body)) / pfnsize;
	while (pfnleft) {
		pfncurr = min(pfnleft, pfncount);
		msgsize = sizeof(struct vmbus_channel_msginfo) +
			  sizeof(struct vmbus_channel_gpadl_body) +
			  pfncurr * pfnsize;
		msgbody = kzalloc(msgsize, GFP_KERNEL);
		if (!msgbody) {
			list_for_each_entry_safe(pos, tmp,
						 &msgheader->submsglist,
						 msglistentry) {
				list_del(&pos->msglistentry);
				kfree(pos);
			}
			kfree(msgheader);
			return -ENOMEM;
		}
		msgbody->msgsize = msgsize;
		gpadl_body = (struct vmbus_channel_gpadl_body *)msgbody->msg;
		for (i = 0; i < pfncurr; i++)
			gpadl_body->pfn[i] =
				virt_to_hvpfn(kbuffer + PAGE_SIZE * (pfnsum + i));
		list_add_tail(&msgbody->msglistentry, &msgheader->submsglist);
		pfnsum += pfncurr;
		pfnleft -= pfncurr;
	}

	*msginfo = msgheader;
	return 0;
}

/*
 * vmbus_establish_gpadl - share @size bytes at @kbuffer with the host and
 * wait (no timeout) for GPADL_CREATED, or for rescind cleanup.
 */
int vmbus_establish_gpadl(struct vmbus_channel *channel, void *kbuffer,
			  u32 size, u32 *gpadl_handle)
{
	struct vmbus_channel_gpadl_header *gpadlmsg;
	struct vmbus_channel_gpadl_body *gpadl_body;
	struct vmbus_channel_msginfo *msginfo = NULL;
	struct vmbus_channel_msginfo *submsginfo, *tmp;
	u32 next_gpadl_handle;
	unsigned long flags;
	int ret;

	next_gpadl_handle =
		atomic_inc_return(&vmbus_connection.next_gpadl_handle) - 1;

	ret = create_gpadl_header(kbuffer, size, &msginfo);
	if (ret)
		return ret;

	init_completion(&msginfo->waitevent);
	msginfo->waiting_channel = channel;

	gpadlmsg = (struct vmbus_channel_gpadl_header *)msginfo->msg;
	gpadlmsg->header.msgtype = CHANNELMSG_GPADL_HEADER;
	gpadlmsg->child_relid = channel->offermsg.child_relid;
	gpadlmsg->gpadl = next_gpadl_handle;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_add_tail(&msginfo->msglistentry, &vmbus_connection.chn_msg_list);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);

	if (channel->rescind) {
		ret = -ENODEV;
		goto cleanup;
	}

	ret = vmbus_post_msg(gpadlmsg, msginfo->msgsize - sizeof(*msginfo),
			     true);
	if (ret != 0)
		goto cleanup;

	list_for_each_entry(submsginfo, &msginfo->submsglist, msglistentry) {
		gpadl_body = (struct vmbus_channel_gpadl_body *)submsginfo->msg;
		gpadl_body->header.msgtype = CHANNELMSG_GPADL_BODY;
		gpadl_body->gpadl = next_gpadl_handle;
		ret = vmbus_post_msg(gpadl_body,
				     submsginfo->msgsize - sizeof(*submsginfo),
				     true);
		if (ret != 0)
			goto cleanup;
	}

	wait_for_completion(&msginfo->waitevent);

	if (msginfo->response.gpadl_created.creation_status != 0) {
		pr_err("Failed to establish GPADL: err = 0x%x\n",
		       msginfo->response.gpadl_created.creation_status);
		ret = -EDQUOT;
		goto cleanup;
	}

	if (channel->rescind) {
		ret = -ENODEV;
		goto cleanup;
	}

	*gpadl_handle = gpadlmsg->gpadl;

cleanup:
	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_del(&msginfo->msglistentry);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);
	list_for_each_entry_safe(submsginfo, tmp, &msginfo->submsglist,
				 msglistentry) {
		list_del(&submsginfo->msglistentry);
		kfree(submsginfo);
	}
	kfree(msginfo);
	return ret;
}

/* vmbus_teardown_gpadl - take the pages back; waits for GPADL_TORNDOWN. */
int vmbus_teardown_gpadl(struct vmbus_channel *channel, u32 gpadl_handle)
{
	struct vmbus_channel_gpadl_teardown *msg;
	struct vmbus_channel_msginfo *info;
	unsigned long flags;
	int ret;

	info = kzalloc(sizeof(*info) +
		       sizeof(struct vmbus_channel_gpadl_teardown), GFP_KERNEL);
	if (!info)
		return -ENOMEM;

	init_completion(&info->waitevent);
	info->waiting_channel = channel;

	msg = (struct vmbus_channel_gpadl_teardown *)info->msg;
	msg->header.msgtype = CHANNELMSG_GPADL_TEARDOWN;
	msg->child_relid = channel->offermsg.child_relid;
	msg->gpadl = gpadl_handle;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_add_tail(&info->msglistentry, &vmbus_connection.chn_msg_list);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);

	if (channel->rescind)
		goto post_msg_err;

	ret = vmbus_post_msg(msg, sizeof(struct vmbus_channel_gpadl_teardown),
			     true);
	if (ret)
		goto post_msg_err;

	wait_for_completion(&info->waitevent);

post_msg_err:
	/* A rescinded channel's GPADLs are gone with it on the host side. */
	if (channel->rescind)
		ret = 0;

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_del(&info->msglistentry);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);

	kfree(info);
	return ret;
}

/* ------------------------------------------------------- open/close -- */

/*
 * vmbus_alloc_ring - allocate the ring pages of @newchannel, send ring
 * first. race: storvsc-subchannel-race — no lock and no state check: a
 * second caller silently replaces the first caller's pages.
 */
int vmbus_alloc_ring(struct vmbus_channel *newchannel,
		     u32 send_size, u32 recv_size)
{
	struct page *page;
	int order;

	if (send_size % PAGE_SIZE || recv_size % PAGE_SIZE)
		return -EINVAL;

	/* One block, local to the channel's CPU if possible. */
	order = get_order(send_size + recv_size);
	page = alloc_pages_node(cpu_to_node(newchannel->target_cpu),
				GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		return -ENOMEM;

	newchannel->ringbuffer_page = page;
	newchannel->ringbuffer_pagecount = (send_size + recv_size) >> PAGE_SHIFT;
	newchannel->ringbuffer_send_offset = send_size >> PAGE_SHIFT;
	sim_point("vmbus.alloc_ring_done");
	return 0;
}

/*
 * vmbus_free_ring - unmap both rings (whatever ring_buffer holds now) and
 * free the ring pages, if any.
 */
void vmbus_free_ring(struct vmbus_channel *channel)
{
	sim_point("vmbus.free_ring");
	hv_ringbuffer_cleanup(&channel->outbound);
	hv_ringbuffer_cleanup(&channel->inbound);

	if (channel->ringbuffer_page) {
		__free_pages(channel->ringbuffer_page,
			     get_order(channel->ringbuffer_pagecount
				       << PAGE_SHIFT));
		channel->ringbuffer_page = NULL;
	}
}

/*
 * Open a channel whose rings are allocated: map them, share them with the
 * host, post OPENCHANNEL and wait (no timeout) for OPENCHANNEL_RESULT or
 * rescind cleanup.
 */
static int __vmbus_open(struct vmbus_channel *newchannel,
			void *userdata, u32 userdatalen,
			void (*onchannelcallback)(void *context), void *context)
{
	struct vmbus_channel_open_channel *open_msg;
	struct vmbus_channel_msginfo *open_info = NULL;
	struct page *page = newchannel->ringbuffer_page;
	u32 send_pages, recv_pages;
	unsigned long flags;
	int err;

	if (userdatalen > MAX_USER_DEFINED_BYTES)
		return -EINVAL;

	send_pages = newchannel->ringbuffer_send_offset;
	recv_pages = newchannel->ringbuffer_pagecount - send_pages;

	/*
	 * race: storvsc-subchannel-race. The test is under the lock, the set
	 * below is not: two openers can both pass, and a loser that fails
	 * here goes on to vmbus_free_ring in vmbus_open.
	 */
	sim_point("vmbus.open_check");
	spin_lock_irqsave(&newchannel->lock, flags);
	if (newchannel->state != CHANNEL_OPEN_STATE) {
		spin_unlock_irqrestore(&newchannel->lock, flags);
		return -EINVAL;
	}
	spin_unlock_irqrestore(&newchannel->lock, flags);

	newchannel->state = CHANNEL_OPENING_STATE;
	newchannel->onchannel_callback = onchannelcallback;
	newchannel->channel_callback_context = context;

	err = hv_ringbuffer_init(&newchannel->outbound, page, send_pages);
	if (err)
		goto error_clean_ring;

	err = hv_ringbuffer_init(&newchannel->inbound,
				 nth_page(page, send_pages), recv_pages);
	if (err)
		goto error_clean_ring;

	if (newchannel->primary_channel)
		sim_point("vmbus.sc_ring_init_done");
	else
		sim_point("vmbus.ring_init_done");

	newchannel->ringbuffer_gpadlhandle = 0;
	err = vmbus_establish_gpadl(newchannel, page_address(page),
				    (send_pages + recv_pages) << PAGE_SHIFT,
				    &newchannel->ringbuffer_gpadlhandle);
	if (err)
		goto error_clean_ring;

	open_info = kmalloc(sizeof(*open_info) +
			    sizeof(struct vmbus_channel_open_channel),
			    GFP_KERNEL);
	if (!open_info) {
		err = -ENOMEM;
		goto error_free_gpadl;
	}

	init_completion(&open_info->waitevent);
	open_info->waiting_channel = newchannel;

	open_msg = (struct vmbus_channel_open_channel *)open_info->msg;
	memset(open_msg, 0, sizeof(*open_msg));
	open_msg->header.msgtype = CHANNELMSG_OPENCHANNEL;
	open_msg->openid = newchannel->offermsg.child_relid;
	open_msg->child_relid = newchannel->offermsg.child_relid;
	open_msg->ringbuffer_gpadlhandle = newchannel->ringbuffer_gpadlhandle;
	open_msg->downstream_ringbuffer_pageoffset =
		newchannel->ringbuffer_send_offset;
	open_msg->target_vp = newchannel->target_vp;
	if (userdatalen)
		memcpy(open_msg->userdata, userdata, userdatalen);

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_add_tail(&open_info->msglistentry,
		      &vmbus_connection.chn_msg_list);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);

	if (newchannel->rescind) {
		err = -ENODEV;
		goto error_clean_msglist;
	}

	err = vmbus_post_msg(open_msg,
			     sizeof(struct vmbus_channel_open_channel), true);
	if (err != 0)
		goto error_clean_msglist;

	wait_for_completion(&open_info->waitevent);

	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_del(&open_info->msglistentry);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);

	if (newchannel->rescind) {
		err = -ENODEV;
		goto error_free_info;
	}

	if (open_info->response.open_result.status) {
		err = -EAGAIN;
		goto error_free_info;
	}

	newchannel->state = CHANNEL_OPENED_STATE;
	kfree(open_info);
	return 0;

error_clean_msglist:
	spin_lock_irqsave(&vmbus_connection.channelmsg_lock, flags);
	list_del(&open_info->msglistentry);
	spin_unlock_irqrestore(&vmbus_connection.channelmsg_lock, flags);
error_free_info:
	kfree(open_info);
error_free_gpadl:
	vmbus_teardown_gpadl(newchannel, newchannel->ringbuffer_gpadlhandle);
	newchannel->ringbuffer_gpadlhandle = 0;
error_clean_ring:
	hv_ringbuffer_cleanup(&newchannel->outbound);
	hv_ringbuffer_cleanup(&newchannel->inbound);
	newchannel->state = CHANNEL_OPEN_STATE;
	return err;
}

/* vmbus_connect_ring - open a channel whose rings the caller allocated. */
int vmbus_connect_ring(struct vmbus_channel *newchannel,
		       void (*onchannelcallback)(void *context), void *context)
{
	return __vmbus_open(newchannel, NULL, 0, onchannelcallback, context);
}

/*
 * vmbus_open - allocate the rings and open the channel; on failure, free
 * the rings again. race: storvsc-subchannel-race — "the rings" are
 * whatever ringbuffer_page and ring_buffer hold by then, which a
 * concurrent opener may own.
 */
int vmbus_open(struct vmbus_channel *newchannel,
	       u32 send_ringbuffer_size, u32 recv_ringbuffer_size,
	       void *userdata, u32 userdatalen,
	       void (*onchannelcallback)(void *context), void *context)
{
	int err;

	err = vmbus_alloc_ring(newchannel, send_ringbuffer_size,
			       recv_ringbuffer_size);
	if (err)
		return err;

	err = __vmbus_open(newchannel, userdata, userdatalen,
			   onchannelcallback, context);
	if (err)
		vmbus_free_ring(newchannel);

	return err;
}

/*
 * vmbus_reset_channel_cb - stop calling the driver back for this channel:
 * wait for a running callback, then clear the callbacks. The close path
 * calls it; vmbus_onoffer_rescind() calls it too since "Drivers: hv:
 * vmbus: Reset the channel callback in vmbus_onoffer_rescind()", the
 * companion of 37c2578c0c40, which is why it is not static.
 */
void vmbus_reset_channel_cb(struct vmbus_channel *channel)
{
	tasklet_disable(&channel->callback_event);
	channel->sc_creation_callback = NULL;
	channel->onchannel_callback = NULL;
	tasklet_enable(&channel->callback_event);
}

static int vmbus_close_internal(struct vmbus_channel *channel)
{
	struct vmbus_channel_close_channel *msg;
	int ret;

	vmbus_reset_channel_cb(channel);

	/* Only an opened channel has anything to close. */
	if (channel->state != CHANNEL_OPENED_STATE)
		return -EINVAL;

	channel->state = CHANNEL_OPEN_STATE;

	msg = &channel->close_msg.msg;
	msg->header.msgtype = CHANNELMSG_CLOSECHANNEL;
	msg->child_relid = channel->offermsg.child_relid;

	ret = vmbus_post_msg(msg, sizeof(struct vmbus_channel_close_channel),
			     true);
	if (ret) {
		pr_err("Close failed: close post msg return is %d\n", ret);
		return ret;
	}

	if (channel->ringbuffer_gpadlhandle) {
		ret = vmbus_teardown_gpadl(channel,
					   channel->ringbuffer_gpadlhandle);
		if (ret) {
			pr_err("Close failed: teardown gpadl return %d\n", ret);
			return ret;
		}
		channel->ringbuffer_gpadlhandle = 0;
	}

	return ret;
}

/* vmbus_disconnect_ring - close the sub-channels, then the primary. */
int vmbus_disconnect_ring(struct vmbus_channel *channel)
{
	struct vmbus_channel *cur_channel, *tmp;
	int ret;

	if (channel->primary_channel != NULL)
		return -EINVAL;

	list_for_each_entry_safe(cur_channel, tmp, &channel->sc_list, sc_list) {
		if (cur_channel->rescind)
			wait_for_completion(&cur_channel->rescind_event);

		mutex_lock(&vmbus_connection.channel_mutex);
		if (vmbus_close_internal(cur_channel) == 0) {
			vmbus_free_ring(cur_channel);
			if (cur_channel->rescind)
				hv_process_channel_removal(cur_channel);
		}
		mutex_unlock(&vmbus_connection.channel_mutex);
	}

	mutex_lock(&vmbus_connection.channel_mutex);
	ret = vmbus_close_internal(channel);
	mutex_unlock(&vmbus_connection.channel_mutex);

	return ret;
}

/* vmbus_close - close a primary channel and its sub-channels. */
void vmbus_close(struct vmbus_channel *channel)
{
	if (vmbus_disconnect_ring(channel) == 0)
		vmbus_free_ring(channel);
}

/* ---------------------------------------------------------- packets -- */

/*
 * vmbus_sendpacket - one in-band packet: descriptor, payload, padding to
 * 8 bytes; the ring adds the trailer and signals the host if needed.
 */
int vmbus_sendpacket(struct vmbus_channel *channel, void *buffer,
		     u32 bufferlen, u64 requestid,
		     enum vmbus_packet_type type, u32 flags)
{
	struct vmpacket_descriptor desc;
	u32 packetlen = sizeof(struct vmpacket_descriptor) + bufferlen;
	u32 packetlen_aligned = ALIGN(packetlen, sizeof(u64));
	struct kvec bufferlist[3];
	u64 aligned_data = 0;
	int num_vecs = bufferlen != 0 ? 3 : 1;

	desc.type = type;
	desc.offset8 = sizeof(struct vmpacket_descriptor) >> 3;
	desc.len8 = (u16)(packetlen_aligned >> 3);
	desc.flags = flags;
	desc.trans_id = requestid;

	bufferlist[0].iov_base = &desc;
	bufferlist[0].iov_len = sizeof(struct vmpacket_descriptor);
	bufferlist[1].iov_base = buffer;
	bufferlist[1].iov_len = bufferlen;
	bufferlist[2].iov_base = &aligned_data;
	bufferlist[2].iov_len = packetlen_aligned - packetlen;

	return hv_ringbuffer_write(channel, bufferlist, num_vecs);
}

/* vmbus_recvpacket - the next packet's payload, or *buffer_actual_len 0. */
int vmbus_recvpacket(struct vmbus_channel *channel, void *buffer,
		     u32 bufferlen, u32 *buffer_actual_len, u64 *requestid)
{
	return hv_ringbuffer_read(channel, buffer, bufferlen,
				  buffer_actual_len, requestid, false);
}

/* vmbus_recvpacket_raw - the next packet, descriptor included. */
int vmbus_recvpacket_raw(struct vmbus_channel *channel, void *buffer,
			 u32 bufferlen, u32 *buffer_actual_len,
			 u64 *requestid)
{
	return hv_ringbuffer_read(channel, buffer, bufferlen,
				  buffer_actual_len, requestid, true);
}
