/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file implements the private header of netvsc, the Hyper-V network
 * driver, in the shape of its v4.19 drivers/net/hyperv/hyperv_net.h (with
 * the RNDIS definitions the kernel keeps in <linux/rndis.h>): the NVSP
 * messages netvsc and the host's network VSP exchange on the primary
 * channel, the RNDIS control messages, and the driver's per-device state.
 * It sits between the three files of drivers/net/hyperv/ and, on the wire,
 * the host model models/netvsc_vsp.c, which keeps its own copy of these
 * layouts (static size checks on both sides).
 *
 * Cut down to what the two VMBus offer races need: the NVSP init and
 * version messages, NVSP_MSG5_TYPE_SUBCHANNEL, and RNDIS INIT, QUERY and
 * HALT. Customised for the harness in one place, marked in netvsc.c: RNDIS
 * control messages travel in-band, right after their NVSP header, instead
 * of through the send buffer and the receive buffer (neither is modelled).
 */
#ifndef _HYPERV_NET_H
#define _HYPERV_NET_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/etherdevice.h>
#include <linux/hyperv.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

/* ------------------------------------------------------------- RNDIS -- */

#define RNDIS_MSG_PACKET		0x00000001
#define RNDIS_MSG_INIT			0x00000002
#define RNDIS_MSG_INIT_C		0x80000002
#define RNDIS_MSG_HALT			0x00000003
#define RNDIS_MSG_QUERY			0x00000004
#define RNDIS_MSG_QUERY_C		0x80000004
#define RNDIS_MSG_SET			0x00000005
#define RNDIS_MSG_SET_C			0x80000005
#define RNDIS_MSG_INDICATE		0x00000007

#define RNDIS_STATUS_SUCCESS		0x00000000
#define RNDIS_STATUS_BUFFER_OVERFLOW	0x80000005

#define RNDIS_MAJOR_VERSION		0x00000001
#define RNDIS_MINOR_VERSION		0x00000000

#define RNDIS_OID_802_3_PERMANENT_ADDRESS	0x01010101
#define OID_GEN_RECEIVE_SCALE_CAPABILITIES	0x00010203

#define NDIS_OBJECT_TYPE_RSS_CAPABILITIES	0x88
#define NDIS_RECEIVE_SCALE_CAPABILITIES_REVISION_2 2

struct ndis_obj_header {
	u8 type;
	u8 rev;
	u16 size;
} __packed;

struct ndis_recv_scale_cap {	/* NDIS_RECEIVE_SCALE_CAPABILITIES */
	struct ndis_obj_header hdr;
	u32 cap_flag;
	u32 num_int_msg;
	u32 num_recv_que;
	u16 num_indirect_tabent;
} __packed;

struct rndis_initialize_request {
	u32 req_id;
	u32 major_ver;
	u32 minor_ver;
	u32 max_xfer_size;
};

struct rndis_initialize_complete {
	u32 req_id;
	u32 status;
	u32 major_ver;
	u32 minor_ver;
	u32 dev_flags;
	u32 medium;
	u32 max_pkt_per_msg;
	u32 max_xfer_size;
	u32 pkt_alignment_factor;
	u32 af_list_offset;
	u32 af_list_size;
};

struct rndis_halt_request {
	u32 req_id;
};

struct rndis_query_request {
	u32 req_id;
	u32 oid;
	u32 info_buflen;
	u32 info_buf_offset;	/* from the start of this struct */
	u32 dev_vc_handle;
};

struct rndis_query_complete {
	u32 req_id;
	u32 status;
	u32 info_buflen;
	u32 info_buf_offset;	/* from the start of this struct */
};

/* Every request and every completion starts with its request id. */
union rndis_message_container {
	struct rndis_initialize_request init_req;
	struct rndis_halt_request halt_req;
	struct rndis_query_request query_req;
	struct rndis_initialize_complete init_complete;
	struct rndis_query_complete query_complete;
};

struct rndis_message {
	u32 ndis_msg_type;
	u32 msg_len;	/* header and message, not counting trailing data */
	union rndis_message_container msg;
};

#define RNDIS_HEADER_SIZE	(sizeof(struct rndis_message) - \
				 sizeof(union rndis_message_container))
#define RNDIS_MESSAGE_SIZE(msg)	(sizeof(msg) + RNDIS_HEADER_SIZE)

/* Room after a request or response for its information buffer. */
#define RNDIS_EXT_LEN		100

/* -------------------------------------------------------------- NVSP -- */

#define NVSP_INVALID_PROTOCOL_VERSION	((u32)0xFFFFFFFF)

#define NVSP_PROTOCOL_VERSION_1		2
#define NVSP_PROTOCOL_VERSION_2		0x30002
#define NVSP_PROTOCOL_VERSION_4		0x40000
#define NVSP_PROTOCOL_VERSION_5		0x50000
#define NVSP_PROTOCOL_VERSION_6		0x60000
#define NVSP_PROTOCOL_VERSION_61	0x60001

/* Message types; the gaps are messages this model never sends. */
enum {
	NVSP_MSG_TYPE_NONE = 0,
	NVSP_MSG_TYPE_INIT = 1,
	NVSP_MSG_TYPE_INIT_COMPLETE = 2,

	NVSP_VERSION_MSG_START = 100,
	NVSP_MSG1_TYPE_SEND_NDIS_VER = NVSP_VERSION_MSG_START,
	NVSP_MSG1_TYPE_SEND_RECV_BUF,
	NVSP_MSG1_TYPE_SEND_RECV_BUF_COMPLETE,
	NVSP_MSG1_TYPE_REVOKE_RECV_BUF,
	NVSP_MSG1_TYPE_SEND_SEND_BUF,
	NVSP_MSG1_TYPE_SEND_SEND_BUF_COMPLETE,
	NVSP_MSG1_TYPE_REVOKE_SEND_BUF,
	NVSP_MSG1_TYPE_SEND_RNDIS_PKT,
	NVSP_MSG1_TYPE_SEND_RNDIS_PKT_COMPLETE,		/* 108 */

	NVSP_MSG2_TYPE_SEND_NDIS_CONFIG = 125,

	NVSP_MSG5_TYPE_OID_QUERY_EX = 131,
	NVSP_MSG5_TYPE_OID_QUERY_EX_COMP,
	NVSP_MSG5_TYPE_SUBCHANNEL,			/* 133 */
	NVSP_MSG5_TYPE_SEND_INDIRECTION_TABLE,
};

enum {
	NVSP_STAT_NONE = 0,
	NVSP_STAT_SUCCESS,
	NVSP_STAT_FAIL,
	NVSP_STAT_PROTOCOL_TOO_NEW,
	NVSP_STAT_PROTOCOL_TOO_OLD,
	NVSP_STAT_INVALID_RNDIS_PKT,
	NVSP_STAT_BUSY,
	NVSP_STAT_PROTOCOL_UNSUPPORTED,
	NVSP_STAT_MAX,
};

struct nvsp_message_header {
	u32 msg_type;
};

struct nvsp_message_init {
	u32 min_protocol_ver;
	u32 max_protocol_ver;
} __packed;

struct nvsp_message_init_complete {
	u32 negotiated_protocol_ver;
	u32 max_mdl_chain_len;
	u32 status;
} __packed;

union nvsp_message_init_uber {
	struct nvsp_message_init init;
	struct nvsp_message_init_complete init_complete;
} __packed;

struct nvsp_1_message_send_ndis_version {
	u32 ndis_major_ver;
	u32 ndis_minor_ver;
} __packed;

struct nvsp_1_message_send_rndis_packet {
	u32 channel_type;		/* 0: data, 1: control */
	u32 send_buf_section_index;	/* NETVSC_INVALID_INDEX: not used */
	u32 send_buf_section_size;
} __packed;

union nvsp_1_message_uber {
	struct nvsp_1_message_send_ndis_version send_ndis_ver;
	struct nvsp_1_message_send_rndis_packet send_rndis_pkt;
} __packed;

struct nvsp_2_vsc_capability {
	union {
		u64 data;
		struct {
			u64 vmq:1;
			u64 chimney:1;
			u64 sriov:1;
			u64 ieee8021q:1;
			u64 correlation_id:1;
			u64 teaming:1;
		};
	};
} __packed;

struct nvsp_2_send_ndis_config {
	u32 mtu;
	u32 reserved;
	struct nvsp_2_vsc_capability capability;
} __packed;

union nvsp_2_message_uber {
	struct nvsp_2_send_ndis_config send_ndis_config;
} __packed;

enum nvsp_subchannel_operation {
	NVSP_SUBCHANNEL_NONE = 0,
	NVSP_SUBCHANNEL_ALLOCATE,
	NVSP_SUBCHANNEL_MAX
};

struct nvsp_5_subchannel_request {
	u32 op;
	u32 num_subchannels;
} __packed;

struct nvsp_5_subchannel_complete {
	u32 status;
	u32 num_subchannels;	/* actual number of sub-channels allocated */
} __packed;

union nvsp_5_message_uber {
	struct nvsp_5_subchannel_request subchn_req;
	struct nvsp_5_subchannel_complete subchn_comp;
} __packed;

/* The kernel's union also has the messages left out here; they make it
 * 36 bytes, which is what the host expects. */
union nvsp_all_messages {
	union nvsp_message_init_uber init_msg;
	union nvsp_1_message_uber v1_msg;
	union nvsp_2_message_uber v2_msg;
	union nvsp_5_message_uber v5_msg;
	u8 raw[36];
} __packed;

struct nvsp_message {
	struct nvsp_message_header hdr;
	union nvsp_all_messages msg;
} __packed;

/* models/netvsc_vsp.c parses the same layout. */
_Static_assert(sizeof(struct nvsp_message) == 40, "nvsp_message");

#define NETVSC_INVALID_INDEX		-1

#define VRSS_SEND_TAB_SIZE		16	/* must be power of 2 */
#define VRSS_CHANNEL_MAX		64
#define VRSS_CHANNEL_DEFAULT		8

/* Least ring size in pages: a header page and a data page (hvsim: the
 * kernel's minimum is 64 pages, see ring_size in netvsc_drv.c). */
#define RING_SIZE_MIN			2

#define RNDIS_MAX_PKT_DEFAULT		8
#define RNDIS_PKT_ALIGN_DEFAULT		8

#define NDIS_VERSION_6_30		0x0006001e

/* ------------------------------------------------------------ state -- */

struct netvsc_device_info {
	unsigned char mac_adr[ETH_ALEN];
	u32 num_chn;
};

enum rndis_device_state {
	RNDIS_DEV_UNINITIALIZED = 0,
	RNDIS_DEV_INITIALIZING,
	RNDIS_DEV_INITIALIZED,
	RNDIS_DEV_DATAINITIALIZED,
};

struct rndis_device {
	struct net_device *ndev;

	enum rndis_device_state state;

	atomic_t new_req_id;

	spinlock_t request_lock;
	struct list_head req_list;

	u8 hw_mac_adr[ETH_ALEN];
};

/* The driver's part of the net_device (netdev_priv). */
struct net_device_context {
	/* point back to our device context */
	struct hv_device *device_ctx;
	/* netvsc_device (RCU in the kernel; no RCU here) */
	struct netvsc_device *nvdev;
	/* list of netvsc net_devices */
	struct list_head list;

	u32 tx_table[VRSS_SEND_TAB_SIZE];
};

/* Per channel data */
struct netvsc_channel {
	struct vmbus_channel *channel;
	struct netvsc_device *net_device;
	struct napi_struct napi;
};

/* Per netvsc device */
struct netvsc_device {
	u32 nvsp_version;

	wait_queue_head_t wait_drain;
	bool destroy;

	/* Used for NetVSP initialization protocol */
	struct completion channel_init_wait;
	struct nvsp_message channel_init_pkt;

	u32 max_chn;
	u32 num_chn;

	/*
	 * race: vmbus-rescind-open-deadlock, netvsc-multi-nic-rtnl-deadlock.
	 * netvsc_subchan_work (with RTNL held) waits on subchan_open until
	 * every sub-channel callback has counted itself in open_chn.
	 */
	atomic_t open_chn;
	struct work_struct subchan_work;
	wait_queue_head_t subchan_open;

	struct rndis_device *extension;

	u32 max_pkt;	/* max number of pkt in one send, e.g. 8 */
	u32 pkt_align;	/* alignment bytes, e.g. 8 */

	struct netvsc_channel chan_table[VRSS_CHANNEL_MAX];
};

/* The ring size of every channel, in bytes (netvsc_drv.c). */
extern u32 netvsc_ring_bytes;

/* netvsc.c */
struct netvsc_device *netvsc_device_add(struct hv_device *device,
					const struct netvsc_device_info *info);
void netvsc_device_remove(struct hv_device *device);
int netvsc_send(struct net_device *net, const struct rndis_message *rndis_msg);
void netvsc_channel_cb(void *context);

/* rndis_filter.c */
int rndis_set_subchannel(struct net_device *ndev, struct netvsc_device *nvdev);
struct netvsc_device *rndis_filter_device_add(struct hv_device *dev,
					      struct netvsc_device_info *info);
void rndis_filter_device_remove(struct hv_device *dev,
				struct netvsc_device *nvdev);
int rndis_filter_receive(struct net_device *ndev,
			 struct netvsc_device *net_dev,
			 struct vmbus_channel *channel,
			 void *data, u32 buflen);

#endif /* _HYPERV_NET_H */
