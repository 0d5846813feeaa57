// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the network VSP: the host side of a Hyper-V
 * synthetic network adapter, as the device type "netvsc". It sits between
 * the scenario ([device NAME] with type = netvsc, and its timeline events)
 * and the VMBus host model (models/vmbus_host.h), on whose channels it
 * answers the NVSP and RNDIS messages that drivers/net/hyperv/ sends.
 *
 * What it answers, each after host-latency:
 *  - NVSP_MSG_TYPE_INIT: INIT_COMPLETE, success for any version up to
 *    NVSP 6.1 (the guest offers the newest first);
 *  - NVSP_MSG1_TYPE_SEND_RNDIS_PKT carrying RNDIS INIT (INIT_C), QUERY of
 *    the permanent MAC address or of the receive-scaling capabilities
 *    (QUERY_C; num_recv_que is rss-queues), SET (SET_C) and HALT (no
 *    answer). As in drivers/net/hyperv/netvsc.c, RNDIS travels in-band
 *    after its NVSP header in both directions: the send and receive
 *    buffers of the real protocol are not modelled;
 *  - NVSP_MSG5_TYPE_SUBCHANNEL ALLOCATE(n) on the primary: a completion
 *    with the number granted, and that many sub-channel offers (same class
 *    and instance, sub_channel_index 1..n). The offers and the completion
 *    leave at the same virtual time in the order reply-order says; they
 *    travel different paths (message slot; primary ring), so which the
 *    guest handles first is the schedule's choice. Which order Hyper-V
 *    uses is not documented.
 * The NDIS version and NDIS configuration messages need no answer.
 *
 * Host events: the primary is offered with the initial offers, or at
 * offer-at (a hot-add); the "rescind" action rescinds the sub-channels
 * and/or the primary (a hot-remove). The VMBus host drops an OPENCHANNEL
 * of a rescinded channel and never answers it, as Hyper-V does.
 *
 * race: vmbus-rescind-open-deadlock, netvsc-multi-nic-rtnl-deadlock.
 */
#include <string.h>

#include <glib.h>

#include "models/vmbus_host.h"
#include "models/vmbus_proto.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/world.h"

/* ------------------------------------------------- the host's protocol -- */

enum {
	NVSP_INIT = 1,
	NVSP_INIT_COMPLETE = 2,
	NVSP1_SEND_NDIS_VER = 100,
	NVSP1_SEND_RNDIS_PKT = 107,
	NVSP2_SEND_NDIS_CONFIG = 125,
	NVSP5_SUBCHANNEL = 133,
};

#define NVSP_STAT_SUCCESS		1
#define NVSP_STAT_PROTOCOL_TOO_NEW	3
#define NVSP_SUBCHANNEL_ALLOCATE	1
#define NVSP_MAX_VERSION		0x60001u	/* NVSP 6.1 */

typedef struct {
	uint32_t msg_type;
	union {
		struct {
			uint32_t min_ver, max_ver;
		} __attribute__((packed)) init;
		struct {
			uint32_t negotiated_ver, max_mdl_chain_len, status;
		} __attribute__((packed)) init_complete;
		struct {
			uint32_t channel_type, section_index, section_size;
		} __attribute__((packed)) rndis;
		struct {
			uint32_t op, num;
		} __attribute__((packed)) subchn_req;
		struct {
			uint32_t status, num;
		} __attribute__((packed)) subchn_comp;
		uint8_t raw[36];
	};
} __attribute__((packed)) NvspMsg;

_Static_assert(sizeof(NvspMsg) == 40, "nvsp_message");

enum {
	RNDIS_MSG_INIT = 0x00000002,
	RNDIS_MSG_INIT_C = 0x80000002,
	RNDIS_MSG_HALT = 0x00000003,
	RNDIS_MSG_QUERY = 0x00000004,
	RNDIS_MSG_QUERY_C = 0x80000004,
	RNDIS_MSG_SET = 0x00000005,
	RNDIS_MSG_SET_C = 0x80000005,
};

#define RNDIS_STATUS_SUCCESS		0x00000000u
#define RNDIS_STATUS_NOT_SUPPORTED	0xC00000BBu
#define OID_802_3_PERMANENT_ADDRESS	0x01010101u
#define OID_GEN_RECEIVE_SCALE_CAPS	0x00010203u

/* RNDIS header and the request id every request and completion starts
 * with; then the message's own fields. */
typedef struct {
	uint32_t type;
	uint32_t len;
	uint32_t req_id;
	uint32_t f[13];
} __attribute__((packed)) RndisMsg;

/* Synthetic network adapter class GUID, as laid out in memory. */
static const uint8_t nic_guid[16] = {
	0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46,
	0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e,
};

/* ---------------------------------------------------------- the device -- */

enum { ORDER_OFFERS_FIRST, ORDER_COMPLETION_FIRST };

static const char *const reply_orders[] = {
	"offers-first", "completion-first", NULL,
};

static const SimKeySpec netvsc_keys[] = {
	{ "rss-queues", SIM_KEY_INT, false, "8", 1, 64, NULL,
	  "num_recv_que in the receive-scaling capabilities; the guest "
	  "asks for min(CPUs, this, 8) - 1 sub-channels" },
	{ "subchannels", SIM_KEY_INT, false, "-1", -1, 64, NULL,
	  "sub-channels granted on NVSP_MSG5_TYPE_SUBCHANNEL (-1: as many "
	  "as asked)" },
	{ "reply-order", SIM_KEY_ENUM, false, "offers-first", 0, 0,
	  reply_orders,
	  "order of the sub-channel offers and the completion of the "
	  "sub-channel request (same virtual time)" },
	{ "offer-at", SIM_KEY_TIME, false, "0", 0, 0, NULL,
	  "when the primary channel is offered: 0 with the initial offers, "
	  "else at that time (a hot-add)" },
	{ "openchannel-delay", SIM_KEY_TIME, false, "10us", 0, 0, NULL,
	  "time from OPENCHANNEL of the primary to OPENCHANNEL_RESULT" },
	{ "subchannel-openchannel-delay", SIM_KEY_TIME, false, "10us", 0, 0,
	  NULL,
	  "time from OPENCHANNEL of a sub-channel to OPENCHANNEL_RESULT" },
	{ "host-latency", SIM_KEY_TIME, false, "10us", 0, 0, NULL,
	  "time from a request in the ring to its answer" },
	{ NULL },
};

enum { RESCIND_ALL, RESCIND_SUBCHANNELS, RESCIND_PRIMARY, RESCIND_ONE };

static const char *const rescind_what[] = {
	"all", "subchannels", "primary", "one", NULL,
};

static const SimKeySpec rescind_keys[] = {
	{ "channels", SIM_KEY_ENUM, false, "all", 0, 0, rescind_what,
	  "all: every sub-channel, then the primary (a hot-remove); "
	  "subchannels: every sub-channel; primary; one: sub-channel index" },
	{ "index", SIM_KEY_INT, false, "1", 1, 64, NULL,
	  "with channels = one: the sub_channel_index to rescind" },
	{ NULL },
};

static const SimActionSpec netvsc_actions[] = {
	{ "rescind", rescind_keys,
	  "the host rescinds channels of the NIC (RESCIND_CHANNELOFFER)" },
	{ NULL },
};

/* An answer waiting for host-latency. */
typedef struct {
	VMBusHostChannel *ch;
	uint64_t trans_id;
	uint32_t len;
	uint8_t data[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
} NetReply;

typedef struct {
	SimModel model;
	VMBusHost *host;

	/* Configuration. */
	const SimEventConfig **events;
	size_t nevents;
	int64_t rss_queues;
	int64_t subchannels;
	int reply_order;
	SimTime offer_at;
	SimTime open_delay;
	SimTime sc_open_delay;
	SimTime latency;
	uint8_t instance[16];
	uint8_t mac[6];

	/* Per execution. */
	VMBusHostChannel *primary;
	GPtrArray *subs;	/* VMBusHostChannel*, index = sub_channel_index - 1 */
	GArray *replies;	/* NetReply */
} NetVsp;

static void vsp_packet(VMBusHost *h, VMBusHostChannel *ch, void *vsp,
		       const VMBusHostPacket *pkt);

static const VMBusVspOps netvsc_vsp_ops = {
	.name = "netvsc",
	.packet = vsp_packet,
};

static void note(NetVsp *s, const char *what, uint32_t arg)
{
	sim_trace(vmbus_host_world(s->host), SIM_TR_HOST_NOTE, 0, what, NULL,
		  arg, 0);
}

static void offer_subchannels(NetVsp *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		g_ptr_array_add(s->subs, vmbus_host_offer(s->host, nic_guid,
				s->instance, (uint16_t)(s->subs->len + 1),
				s->sc_open_delay, &netvsc_vsp_ops, s));
}

/* host-latency after the request: the answer, and new sub-channels. */
static void reply_event(SimWorld *w, void *arg, uint64_t arg2)
{
	NetVsp *s = arg;
	NetReply *r = &g_array_index(s->replies, NetReply, arg2);
	const NvspMsg *m = (const NvspMsg *)r->data;
	int subs = 0;
	uint16_t type = VMBUS_PKT_COMP;

	if (m->msg_type == NVSP5_SUBCHANNEL)
		subs = (int)m->subchn_comp.num;
	else if (m->msg_type == NVSP1_SEND_RNDIS_PKT)
		type = VMBUS_PKT_DATA_INBAND;	/* RNDIS goes in-band */

	/* Same time, chosen order: offers and completion race. */
	if (subs && s->reply_order == ORDER_OFFERS_FIRST)
		offer_subchannels(s, subs);
	if (vmbus_host_send(s->host, r->ch, type, r->trans_id, r->data,
			    r->len) != 0)
		note(s, "netvsc answer not sent", vmbus_host_channel_relid(r->ch));
	if (subs && s->reply_order == ORDER_COMPLETION_FIRST)
		offer_subchannels(s, subs);
}

static void queue_reply(NetVsp *s, VMBusHostChannel *ch, uint64_t trans_id,
			const void *data, size_t len)
{
	NetReply r;

	g_assert(len <= sizeof(r.data));
	memset(&r, 0, sizeof(r));
	r.ch = ch;
	r.trans_id = trans_id;
	r.len = (uint32_t)len;
	memcpy(r.data, data, len);
	g_array_append_val(s->replies, r);
	sim_event_after(vmbus_host_world(s->host), s->latency, reply_event, s,
			s->replies->len - 1);
}

/* Build the RNDIS answer to @req in @out (after its NVSP header). */
static size_t rndis_answer(NetVsp *s, const RndisMsg *req, uint32_t reqlen,
			   uint8_t *out, size_t room)
{
	RndisMsg a;
	size_t len;

	if (reqlen < 12)
		return 0;
	memset(&a, 0, sizeof(a));
	a.req_id = req->req_id;
	switch (req->type) {
	case RNDIS_MSG_INIT:
		a.type = RNDIS_MSG_INIT_C;
		a.f[0] = RNDIS_STATUS_SUCCESS;	/* status */
		a.f[1] = 1;			/* major_ver */
		a.f[2] = 0;			/* minor_ver */
		a.f[3] = 1;			/* dev_flags: connectionless */
		a.f[4] = 0;			/* medium: 802.3 */
		a.f[5] = 8;			/* max_pkt_per_msg */
		a.f[6] = 0x4000;		/* max_xfer_size */
		a.f[7] = 3;			/* pkt_alignment_factor: 8 */
		len = 8 + 11 * 4;	/* header, then 11 words */
		break;
	case RNDIS_MSG_QUERY: {
		uint32_t oid = req->f[0];
		uint8_t info[20];
		uint32_t ilen = 0;

		a.type = RNDIS_MSG_QUERY_C;
		a.f[0] = RNDIS_STATUS_SUCCESS;
		if (oid == OID_802_3_PERMANENT_ADDRESS) {
			memcpy(info, s->mac, 6);
			ilen = 6;
		} else if (oid == OID_GEN_RECEIVE_SCALE_CAPS) {
			uint32_t q = (uint32_t)s->rss_queues;
			uint16_t tabent = 128;

			memset(info, 0, sizeof(info));
			info[0] = 0x88;		/* NDIS_OBJECT_TYPE_RSS_CAPABILITIES */
			info[1] = 2;		/* revision */
			info[2] = 18;		/* size */
			memcpy(info + 8, &q, 4);	/* num_int_msg */
			memcpy(info + 12, &q, 4);	/* num_recv_que */
			memcpy(info + 16, &tabent, 2);
			ilen = 18;
		} else {
			a.f[0] = RNDIS_STATUS_NOT_SUPPORTED;
		}
		a.f[1] = ilen;			/* info_buflen */
		a.f[2] = 16;			/* info_buf_offset, from req_id */
		len = 8 + 16;
		if (len + ilen > room)
			return 0;
		a.len = (uint32_t)(len + ilen);
		memcpy(out, &a, len);
		memcpy(out + len, info, ilen);
		return len + ilen;
	}
	case RNDIS_MSG_SET:
		a.type = RNDIS_MSG_SET_C;
		a.f[0] = RNDIS_STATUS_SUCCESS;
		len = 8 + 8;
		break;
	default:
		/* HALT and data: no answer. */
		return 0;
	}
	if (len > room)
		return 0;
	a.len = (uint32_t)len;
	memcpy(out, &a, len);
	return len;
}

static void vsp_packet(VMBusHost *h, VMBusHostChannel *ch, void *vsp,
		       const VMBusHostPacket *pkt)
{
	NetVsp *s = vsp;
	uint8_t buf[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
	NvspMsg m, a;
	size_t n;

	if (pkt->len < sizeof(m)) {
		note(s, "short NVSP packet", vmbus_host_channel_relid(ch));
		return;
	}
	memcpy(&m, pkt->data, sizeof(m));
	memset(&a, 0, sizeof(a));

	switch (m.msg_type) {
	case NVSP_INIT:
		a.msg_type = NVSP_INIT_COMPLETE;
		if (m.init.max_ver <= NVSP_MAX_VERSION) {
			a.init_complete.negotiated_ver = m.init.max_ver;
			a.init_complete.status = NVSP_STAT_SUCCESS;
		} else {
			a.init_complete.status = NVSP_STAT_PROTOCOL_TOO_NEW;
		}
		queue_reply(s, ch, pkt->trans_id, &a, sizeof(a));
		break;
	case NVSP1_SEND_NDIS_VER:
	case NVSP2_SEND_NDIS_CONFIG:
		break;
	case NVSP1_SEND_RNDIS_PKT: {
		uint32_t rlen = m.rndis.section_size;

		if (rlen > pkt->len - sizeof(m)) {
			note(s, "RNDIS message longer than its packet",
			     vmbus_host_channel_relid(ch));
			return;
		}
		a.msg_type = NVSP1_SEND_RNDIS_PKT;
		a.rndis.channel_type = 1;
		a.rndis.section_index = 0xFFFFFFFFu;
		n = rndis_answer(s, (const RndisMsg *)((const uint8_t *)
				 pkt->data + sizeof(m)), rlen,
				 buf + sizeof(a), sizeof(buf) - sizeof(a));
		if (!n)
			break;
		a.rndis.section_size = (uint32_t)n;
		memcpy(buf, &a, sizeof(a));
		queue_reply(s, ch, 0, buf, sizeof(a) + n);
		break;
	}
	case NVSP5_SUBCHANNEL: {
		int asked = (int)m.subchn_req.num, granted;

		if (ch != s->primary || m.subchn_req.op != NVSP_SUBCHANNEL_ALLOCATE ||
		    s->subs->len) {
			note(s, "sub-channel request refused",
			     vmbus_host_channel_relid(ch));
			granted = 0;
		} else if (s->subchannels >= 0) {
			granted = MIN(asked, (int)s->subchannels);
		} else {
			granted = asked;
		}
		a.msg_type = NVSP5_SUBCHANNEL;
		a.subchn_comp.status = NVSP_STAT_SUCCESS;
		a.subchn_comp.num = (uint32_t)MAX(granted, 0);
		queue_reply(s, ch, pkt->trans_id, &a, sizeof(a));
		break;
	}
	default:
		note(s, "unexpected NVSP message", m.msg_type);
		break;
	}
}

static void offer_primary(NetVsp *s)
{
	s->primary = vmbus_host_offer(s->host, nic_guid, s->instance, 0,
				      s->open_delay, &netvsc_vsp_ops, s);
}

static void offer_event(SimWorld *w, void *arg, uint64_t arg2)
{
	offer_primary(arg);
}

static void rescind(NetVsp *s, VMBusHostChannel *ch)
{
	if (ch)
		vmbus_host_rescind(s->host, ch);
}

/* A timeline event of this device. */
static void timeline_event(SimWorld *w, void *arg, uint64_t arg2)
{
	NetVsp *s = arg;
	const SimEventConfig *ev = s->events[arg2];
	int64_t what, idx;
	guint i;

	if (strcmp(ev->action->name, "rescind") != 0)
		return;
	what = sim_key_value(ev->action->keys, ev->values, "channels")->i;
	idx = sim_key_value(ev->action->keys, ev->values, "index")->i;
	if (!s->primary) {
		note(s, "rescind of a NIC never offered", 0);
		return;
	}
	switch (what) {
	case RESCIND_ALL:
	case RESCIND_SUBCHANNELS:
		for (i = 0; i < s->subs->len; i++)
			rescind(s, g_ptr_array_index(s->subs, i));
		if (what == RESCIND_ALL)
			rescind(s, s->primary);
		break;
	case RESCIND_PRIMARY:
		rescind(s, s->primary);
		break;
	case RESCIND_ONE:
		if (idx <= (int64_t)s->subs->len)
			rescind(s, g_ptr_array_index(s->subs, idx - 1));
		else
			note(s, "rescind of a sub-channel never offered",
			     (uint32_t)idx);
		break;
	}
}

static void vsp_start(SimWorld *w, SimModel *m)
{
	NetVsp *s = m->priv;
	size_t i;

	g_ptr_array_set_size(s->subs, 0);
	g_array_set_size(s->replies, 0);
	s->primary = NULL;
	if (s->offer_at)
		sim_event_at(w, s->offer_at, offer_event, s, 0);
	else
		offer_primary(s);
	for (i = 0; i < s->nevents; i++)
		sim_event_at(w, s->events[i]->at, timeline_event, s, i);
}

static void vsp_free(SimModel *m)
{
	NetVsp *s = m->priv;

	g_ptr_array_free(s->subs, TRUE);
	g_array_free(s->replies, TRUE);
	g_free(s->events);
	g_free(s);
}

static SimModel *netvsc_create(SimWorld *w, const SimDeviceConfig *dev,
			       const SimEventConfig *const *events,
			       size_t nevents)
{
	const SimKeySpec *k = netvsc_keys;
	NetVsp *s = g_new0(NetVsp, 1);
	uint32_t hash = 2166136261u;
	const char *c;

	/* The host first, so it starts (and resets) before this device. */
	s->host = vmbus_host_attach(w);

	s->rss_queues = sim_key_value(k, dev->values, "rss-queues")->i;
	s->subchannels = sim_key_value(k, dev->values, "subchannels")->i;
	s->reply_order = (int)sim_key_value(k, dev->values, "reply-order")->i;
	s->offer_at = sim_key_value(k, dev->values, "offer-at")->t;
	s->open_delay = sim_key_value(k, dev->values, "openchannel-delay")->t;
	s->sc_open_delay = sim_key_value(k, dev->values,
					 "subchannel-openchannel-delay")->t;
	s->latency = sim_key_value(k, dev->values, "host-latency")->t;
	s->events = g_memdup2(events, nevents * sizeof(*events));
	s->nevents = nevents;

	/* Instance GUID and MAC: fixed, plus an FNV-1a of the device's name
	 * so two NICs differ. 00:15:5d is Hyper-V's OUI. */
	for (c = dev->name; *c; c++)
		hash = (hash ^ (uint8_t)*c) * 16777619u;
	memcpy(s->instance, "hvsim-netvsc", 12);
	memcpy(s->instance + 12, &hash, 4);
	s->mac[0] = 0x00;
	s->mac[1] = 0x15;
	s->mac[2] = 0x5d;
	s->mac[3] = (uint8_t)(hash >> 16);
	s->mac[4] = (uint8_t)(hash >> 8);
	s->mac[5] = (uint8_t)hash;

	s->subs = g_ptr_array_new();
	s->replies = g_array_new(FALSE, FALSE, sizeof(NetReply));
	s->model.name = "netvsc";
	s->model.priv = s;
	s->model.start = vsp_start;
	s->model.free = vsp_free;
	/* The loader attaches the returned model, after the host. */
	return &s->model;
}

const SimDeviceType vmbus_netvsc_device_type = {
	.name = "netvsc",
	.help = "Hyper-V synthetic network adapter (network VSP on VMBus)",
	.keys = netvsc_keys,
	.actions = netvsc_actions,
	.create = netvsc_create,
};
