// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the NVSP half of netvsc, in the shape of v4.19's
 * drivers/net/hyperv/netvsc.c: the per-device state (netvsc_device), the
 * work item that sets up the sub-channels under RTNL
 * (netvsc_subchan_work), opening the primary channel and negotiating the
 * NVSP version with the host's network VSP, sending RNDIS control messages,
 * and the channel callback that hands the host's completions and RNDIS
 * answers to the driver. It sits between the VMBus core (drivers/hv/)
 * below, rndis_filter.c and netvsc_drv.c above.
 *
 * Customised for the harness, each place marked "hvsim":
 *  - RNDIS control messages go in-band, right after their NVSP header, in
 *    both directions; the kernel puts them in the send buffer or a page
 *    buffer and the host answers through the receive buffer. Neither
 *    buffer (nor its GPADL) is set up;
 *  - NAPI is not modelled: the channel callback processes the packets
 *    itself, as netvsc_poll() would in the NET_RX softirq;
 *  - no data path: nothing but control messages is ever sent.
 *
 * race: vmbus-rescind-open-deadlock, netvsc-multi-nic-rtnl-deadlock:
 * netvsc_subchan_work() takes RTNL (trylock, requeueing itself on failure)
 * and, through rndis_set_subchannel(), waits for every sub-channel with it
 * held.
 */
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <hvsim/driver.h>

#include "hyperv_net.h"

/* Room for the largest packet the host sends: NVSP header and RNDIS. */
#define NETVSC_PACKET_SIZE	256

/*
 * netvsc_subchan_work - open the sub-channels of a new device: with RTNL
 * held, ask the host for them and wait until all are open.
 *
 * race: netvsc-multi-nic-rtnl-deadlock. It holds RTNL while it waits for
 * sub-channel offers to be processed. Before 37c2578c0c40 those offers
 * are processed in the hv_vmbus_con worker, behind any other offer: a
 * second NIC's primary, whose synchronous probe waits for RTNL there.
 *
 * race: vmbus-rescind-open-deadlock. It also waits for sub-channel opens
 * the host will never answer once it has rescinded the NIC.
 */
static void netvsc_subchan_work(struct work_struct *w)
{
	struct netvsc_device *nvdev =
		container_of(w, struct netvsc_device, subchan_work);
	struct rndis_device *rdev;
	int i, ret;

	/* Avoid deadlock with device removal already under RTNL */
	if (!rtnl_trylock()) {
		schedule_work(w);
		return;
	}
	sim_point("netvsc.subchan_rtnl_locked");

	rdev = nvdev->extension;
	if (rdev) {
		ret = rndis_set_subchannel(rdev->ndev, nvdev);
		if (ret == 0) {
			netif_device_attach(rdev->ndev);
		} else {
			/* fallback to only primary channel */
			for (i = 1; i < nvdev->num_chn; i++)
				netif_napi_del(&nvdev->chan_table[i].napi);

			nvdev->max_chn = 1;
			nvdev->num_chn = 1;
		}
	}

	rtnl_unlock();
}

static struct netvsc_device *alloc_net_device(void)
{
	struct netvsc_device *net_device;

	net_device = kzalloc(sizeof(struct netvsc_device), GFP_KERNEL);
	if (!net_device)
		return NULL;

	init_waitqueue_head(&net_device->wait_drain);
	net_device->destroy = false;

	net_device->max_pkt = RNDIS_MAX_PKT_DEFAULT;
	net_device->pkt_align = RNDIS_PKT_ALIGN_DEFAULT;

	init_completion(&net_device->channel_init_wait);
	init_waitqueue_head(&net_device->subchan_open);
	INIT_WORK(&net_device->subchan_work, netvsc_subchan_work);

	return net_device;
}

/* The kernel frees it after an RCU grace period; nothing reads it then. */
static void free_netvsc_device(struct netvsc_device *nvdev)
{
	kfree(nvdev);
}

static struct hv_device *netvsc_channel_to_device(struct vmbus_channel *channel)
{
	struct vmbus_channel *primary = channel->primary_channel;

	return primary ? primary->device_obj : channel->device_obj;
}

/*
 * netvsc_device_remove - close the device's channels (sub-channels first,
 * in vmbus_close) and free its state. The caller holds RTNL.
 */
void netvsc_device_remove(struct hv_device *device)
{
	struct net_device *ndev = hv_get_drvdata(device);
	struct net_device_context *net_device_ctx = netdev_priv(ndev);
	struct netvsc_device *net_device = rtnl_dereference(net_device_ctx->nvdev);
	int i;

	/* hvsim: no receive or send buffer to revoke (netvsc_revoke_buf). */

	net_device_ctx->nvdev = NULL;

	/* And disassociate NAPI context from device */
	for (i = 0; i < net_device->num_chn; i++)
		netif_napi_del(&net_device->chan_table[i].napi);

	/*
	 * At this point, no one should be accessing net_device
	 * except in here
	 */
	netdev_dbg(ndev, "net device safe to remove\n");

	/* Now, we can close the channel safely */
	vmbus_close(device->channel);

	/* Release all resources */
	free_netvsc_device(net_device);
}

/*
 * Offer NVSP version @nvsp_ver (as both minimum and maximum) and wait, with
 * no timeout, for the host's INIT_COMPLETE; from NVSPv2 on, also send the
 * NDIS configuration.
 */
static int negotiate_nvsp_ver(struct hv_device *device,
			      struct netvsc_device *net_device,
			      struct nvsp_message *init_packet,
			      u32 nvsp_ver)
{
	struct net_device *ndev = hv_get_drvdata(device);
	int ret;

	memset(init_packet, 0, sizeof(struct nvsp_message));
	init_packet->hdr.msg_type = NVSP_MSG_TYPE_INIT;
	init_packet->msg.init_msg.init.min_protocol_ver = nvsp_ver;
	init_packet->msg.init_msg.init.max_protocol_ver = nvsp_ver;

	/* Send the init request */
	ret = vmbus_sendpacket(device->channel, init_packet,
			       sizeof(struct nvsp_message),
			       (unsigned long)init_packet,
			       VM_PKT_DATA_INBAND,
			       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	if (ret != 0)
		return ret;

	wait_for_completion(&net_device->channel_init_wait);

	if (init_packet->msg.init_msg.init_complete.status !=
	    NVSP_STAT_SUCCESS)
		return -EINVAL;

	if (nvsp_ver == NVSP_PROTOCOL_VERSION_1)
		return 0;

	/* NVSPv2 or later: Send NDIS config */
	memset(init_packet, 0, sizeof(struct nvsp_message));
	init_packet->hdr.msg_type = NVSP_MSG2_TYPE_SEND_NDIS_CONFIG;
	init_packet->msg.v2_msg.send_ndis_config.mtu = ndev->mtu + ETH_HLEN;
	init_packet->msg.v2_msg.send_ndis_config.capability.ieee8021q = 1;

	if (nvsp_ver >= NVSP_PROTOCOL_VERSION_5) {
		init_packet->msg.v2_msg.send_ndis_config.capability.sriov = 1;
		/* Teaming bit is needed to receive link speed updates */
		init_packet->msg.v2_msg.send_ndis_config.capability.teaming = 1;
	}

	return vmbus_sendpacket(device->channel, init_packet,
				sizeof(struct nvsp_message),
				(unsigned long)init_packet,
				VM_PKT_DATA_INBAND, 0);
}

static int netvsc_connect_vsp(struct hv_device *device,
			      struct netvsc_device *net_device,
			      const struct netvsc_device_info *device_info)
{
	static const u32 ver_list[] = {
		NVSP_PROTOCOL_VERSION_1, NVSP_PROTOCOL_VERSION_2,
		NVSP_PROTOCOL_VERSION_4, NVSP_PROTOCOL_VERSION_5,
		NVSP_PROTOCOL_VERSION_6, NVSP_PROTOCOL_VERSION_61
	};
	struct nvsp_message *init_packet;
	int ndis_version, i, ret;

	init_packet = &net_device->channel_init_pkt;

	/* Negotiate the latest NVSP protocol supported */
	for (i = ARRAY_SIZE(ver_list) - 1; i >= 0; i--)
		if (negotiate_nvsp_ver(device, net_device, init_packet,
				       ver_list[i]) == 0) {
			net_device->nvsp_version = ver_list[i];
			break;
		}

	if (i < 0) {
		ret = -EPROTO;
		goto cleanup;
	}

	/* Send the ndis version */
	memset(init_packet, 0, sizeof(struct nvsp_message));

	if (net_device->nvsp_version <= NVSP_PROTOCOL_VERSION_4)
		ndis_version = 0x00060001;
	else
		ndis_version = NDIS_VERSION_6_30;

	init_packet->hdr.msg_type = NVSP_MSG1_TYPE_SEND_NDIS_VER;
	init_packet->msg.v1_msg.send_ndis_ver.ndis_major_ver =
				(ndis_version & 0xFFFF0000) >> 16;
	init_packet->msg.v1_msg.send_ndis_ver.ndis_minor_ver =
				ndis_version & 0xFFFF;

	/* Send the init request */
	ret = vmbus_sendpacket(device->channel, init_packet,
			       sizeof(struct nvsp_message),
			       (unsigned long)init_packet,
			       VM_PKT_DATA_INBAND, 0);
	if (ret != 0)
		goto cleanup;

	/*
	 * hvsim: the receive and send buffers (netvsc_init_buf) are not set
	 * up: RNDIS control messages travel in-band.
	 */

cleanup:
	return ret;
}

/*
 * netvsc_send - send one RNDIS control message to the host on the primary
 * channel.
 *
 * hvsim: the kernel's netvsc_send() takes a packet, page buffers and an
 * skb and may copy into the send buffer. Here the RNDIS message follows its
 * NVSP header in the same in-band packet, and no completion is requested
 * (there is no send accounting to release).
 */
int netvsc_send(struct net_device *ndev, const struct rndis_message *rndis_msg)
{
	struct net_device_context *ndev_ctx = netdev_priv(ndev);
	struct netvsc_device *net_device = ndev_ctx->nvdev;
	struct {
		struct nvsp_message nvmsg;
		u8 rndis[sizeof(struct rndis_message) + RNDIS_EXT_LEN];
	} __packed pkt;
	struct vmbus_channel *out_channel;

	/* If device is rescinded, return error and packet will get dropped. */
	if (unlikely(!net_device || net_device->destroy))
		return -ENODEV;

	if (rndis_msg->msg_len > sizeof(pkt.rndis))
		return -EINVAL;

	memset(&pkt.nvmsg, 0, sizeof(pkt.nvmsg));
	pkt.nvmsg.hdr.msg_type = NVSP_MSG1_TYPE_SEND_RNDIS_PKT;
	pkt.nvmsg.msg.v1_msg.send_rndis_pkt.channel_type = 1;	/* control */
	pkt.nvmsg.msg.v1_msg.send_rndis_pkt.send_buf_section_index =
		NETVSC_INVALID_INDEX;
	pkt.nvmsg.msg.v1_msg.send_rndis_pkt.send_buf_section_size =
		rndis_msg->msg_len;
	memcpy(pkt.rndis, rndis_msg, rndis_msg->msg_len);

	out_channel = net_device->chan_table[0].channel;
	return vmbus_sendpacket(out_channel, &pkt,
				sizeof(pkt.nvmsg) + rndis_msg->msg_len, 0,
				VM_PKT_DATA_INBAND, 0);
}

/*
 * A completion of one of our requests: the NVSP init, the sub-channel
 * allocation (copied into channel_init_pkt, which the waiter reads).
 */
static void netvsc_send_completion(struct netvsc_device *net_device,
				   struct vmbus_channel *incoming_channel,
				   struct hv_device *device,
				   const struct vmpacket_descriptor *desc)
{
	const struct nvsp_message *nvsp_packet =
		(const void *)((const u8 *)desc + (desc->offset8 << 3));
	struct net_device *ndev = hv_get_drvdata(device);

	switch (nvsp_packet->hdr.msg_type) {
	case NVSP_MSG_TYPE_INIT_COMPLETE:
	case NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE:
	case NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE:
	case NVSP_MSG5_TYPE_SUBCHANNEL:
		/* Copy the response back */
		memcpy(&net_device->channel_init_pkt, nvsp_packet,
		       sizeof(struct nvsp_message));
		complete(&net_device->channel_init_wait);
		break;

	case NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE:
		/* hvsim: no send accounting (netvsc_send_tx_complete). */
		break;

	default:
		netdev_err(ndev,
			   "Unknown send completion type %d received!!\n",
			   nvsp_packet->hdr.msg_type);
	}
}

/*
 * An RNDIS message from the host.
 * hvsim: in-band, after its NVSP header; the kernel's arrives in the
 * receive buffer (VM_PKT_DATA_USING_XFER_PAGES).
 */
static int netvsc_receive(struct net_device *ndev,
			  struct netvsc_device *net_device,
			  struct vmbus_channel *channel,
			  const struct vmpacket_descriptor *desc, u32 pktlen)
{
	u32 offset = desc->offset8 << 3;
	const struct nvsp_message *nvsp = (const void *)((const u8 *)desc +
							 offset);
	u32 len;

	if (pktlen < offset + sizeof(*nvsp) ||
	    nvsp->hdr.msg_type != NVSP_MSG1_TYPE_SEND_RNDIS_PKT) {
		netdev_err(ndev, "Unknown nvsp packet type received %u\n",
			   pktlen >= offset + sizeof(*nvsp) ?
			   nvsp->hdr.msg_type : 0);
		return 0;
	}

	len = nvsp->msg.v1_msg.send_rndis_pkt.send_buf_section_size;
	if (len > pktlen - offset - sizeof(*nvsp)) {
		netdev_err(ndev, "Packet too big: %u\n", len);
		return 0;
	}

	return rndis_filter_receive(ndev, net_device, channel,
				    (void *)(nvsp + 1), len);
}

static int netvsc_process_raw_pkt(struct hv_device *device,
				  struct vmbus_channel *channel,
				  struct netvsc_device *net_device,
				  struct net_device *ndev,
				  const struct vmpacket_descriptor *desc,
				  u32 pktlen)
{
	switch (desc->type) {
	case VM_PKT_COMP:
		netvsc_send_completion(net_device, channel, device, desc);
		break;

	case VM_PKT_DATA_USING_XFER_PAGES:
	case VM_PKT_DATA_INBAND:	/* hvsim: RNDIS in-band */
		return netvsc_receive(ndev, net_device, channel, desc, pktlen);

	default:
		netdev_err(ndev, "unhandled packet type %d, tid %llx\n",
			   desc->type, (unsigned long long)desc->trans_id);
		break;
	}

	return 0;
}

/*
 * netvsc_channel_cb - every channel's callback (context: its
 * netvsc_channel). hvsim: what netvsc_poll() does in NAPI, done here.
 */
void netvsc_channel_cb(void *context)
{
	struct netvsc_channel *nvchan = context;
	struct vmbus_channel *channel = nvchan->channel;
	struct netvsc_device *net_device = nvchan->net_device;
	struct hv_device *device = netvsc_channel_to_device(channel);
	struct net_device *ndev = hv_get_drvdata(device);
	u64 buf[NETVSC_PACKET_SIZE / sizeof(u64)];
	u32 bytes_recvd;
	u64 request_id;
	int ret;

	if (!ndev)
		return;

	for (;;) {
		ret = vmbus_recvpacket_raw(channel, buf, sizeof(buf),
					   &bytes_recvd, &request_id);
		if (ret != 0 || bytes_recvd == 0)
			break;
		netvsc_process_raw_pkt(device, channel, net_device, ndev,
				       (const struct vmpacket_descriptor *)buf,
				       bytes_recvd);
	}
}

/*
 * netvsc_device_add - Callback when the device belonging to this
 * driver is added: open the primary channel and connect to the VSP.
 */
struct netvsc_device *netvsc_device_add(struct hv_device *device,
				const struct netvsc_device_info *device_info)
{
	int i, ret = 0;
	struct netvsc_device *net_device;
	struct net_device *ndev = hv_get_drvdata(device);
	struct net_device_context *net_device_ctx = netdev_priv(ndev);

	net_device = alloc_net_device();
	if (!net_device)
		return ERR_PTR(-ENOMEM);

	for (i = 0; i < VRSS_SEND_TAB_SIZE; i++)
		net_device_ctx->tx_table[i] = 0;

	/* Because the device uses NAPI, all the interrupt batching and
	 * control is done via Net softirq, not the channel handling
	 */
	set_channel_read_mode(device->channel, HV_CALL_ISR);

	/* If we're reopening the device we may have multiple queues, fill the
	 * chn_table with the default channel to use it before subchannels are
	 * opened.
	 * Initialize the channel state before we open;
	 * we can be interrupted as soon as we open the channel.
	 */
	for (i = 0; i < VRSS_CHANNEL_MAX; i++) {
		struct netvsc_channel *nvchan = &net_device->chan_table[i];

		nvchan->channel = device->channel;
		nvchan->net_device = net_device;
	}

	/* Enable NAPI handler before init callbacks */
	netif_napi_add(ndev, &net_device->chan_table[0].napi,
		       netvsc_poll, NAPI_POLL_WEIGHT);

	/* Open the channel */
	ret = vmbus_open(device->channel, netvsc_ring_bytes,
			 netvsc_ring_bytes, NULL, 0,
			 netvsc_channel_cb, net_device->chan_table);

	if (ret != 0) {
		netdev_err(ndev, "unable to open channel: %d\n", ret);
		goto cleanup;
	}

	/* Channel is opened */
	netdev_dbg(ndev, "hv_netvsc channel opened successfully\n");

	napi_enable(&net_device->chan_table[0].napi);

	/* Connect with the NetVsp */
	ret = netvsc_connect_vsp(device, net_device, device_info);
	if (ret != 0) {
		netdev_err(ndev, "unable to connect to NetVSP - %d\n", ret);
		goto close;
	}

	/* Writing nvdev pointer unlocks netvsc_send(), make sure chn_table is
	 * populated.
	 */
	net_device_ctx->nvdev = net_device;

	return net_device;

close:
	net_device_ctx->nvdev = NULL;
	napi_disable(&net_device->chan_table[0].napi);

	/* Now, we can close the channel safely */
	vmbus_close(device->channel);

cleanup:
	netif_napi_del(&net_device->chan_table[0].napi);
	free_netvsc_device(net_device);

	return ERR_PTR(ret);
}
