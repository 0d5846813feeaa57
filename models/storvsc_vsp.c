// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the storage VSP: the host side of a Hyper-V
 * synthetic SCSI controller, as the device type "storvsc". It sits between
 * the scenario ([device NAME] with type = storvsc, and its timeline
 * events) and the VMBus host model (models/vmbus_host.h), on whose
 * channels it answers the VSTOR protocol that drivers/scsi/storvsc_drv.c
 * speaks.
 *
 * It answers BEGIN/END_INITIALIZATION, QUERY_PROTOCOL_VERSION (Win8 and
 * later), QUERY_PROPERTIES (the multi-channel flag and max_channel_cnt),
 * CREATE_SUB_CHANNELS (offers the sub-channels and completes the request)
 * and EXECUTE_SRB on any channel (REPORT LUNS tells how many LUNs; every
 * command completes with success). Each answer leaves host-latency after
 * the request.
 *
 * race: storvsc-subchannel-race. The sub-channel offers and the completion
 * of CREATE_SUB_CHANNELS leave at the same virtual time, in the order
 * reply-order says; they travel different paths (message slot and
 * message tasklet; ring and channel tasklet), so which the guest handles
 * first is the schedule's choice.
 */
#include <string.h>

#include <glib.h>

#include "models/vmbus_host.h"
#include "models/vmbus_proto.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/world.h"

/* sim_trace(), inline on this file's hot paths (sim/world.h). */
#define sim_trace(...)	sim__trace_fast(__VA_ARGS__)

/*
 * Hot paths (docs/performance.md): no frame pointer (unwinders use the
 * CFI) and calls through the GOT rather than PLT stubs.
 */
#pragma GCC optimize("omit-frame-pointer", "no-plt")

/* The VSTOR packet, host side (drivers/scsi/storvsc_drv.c has the guest's). */
enum {
	VSTOR_COMPLETE_IO = 1,
	VSTOR_EXECUTE_SRB = 3,
	VSTOR_BEGIN_INITIALIZATION = 7,
	VSTOR_END_INITIALIZATION = 8,
	VSTOR_QUERY_PROTOCOL_VERSION = 9,
	VSTOR_QUERY_PROPERTIES = 10,
	VSTOR_FCHBA_DATA = 12,
	VSTOR_CREATE_SUB_CHANNELS = 13,
};

typedef struct {
	uint32_t operation;
	uint32_t flags;
	uint32_t status;
	union {
		struct {
			uint16_t length;
			uint8_t srb_status;
			uint8_t scsi_status;
			uint8_t port_number, path_id, target_id, lun;
			uint8_t cdb_length, sense_info_length, data_in, reserved;
			uint32_t data_transfer_length;
			uint8_t cdb[20];
			uint8_t ext[16];
		} __attribute__((packed)) srb;
		struct {
			uint32_t reserved;
			uint16_t max_channel_cnt;
			uint16_t reserved1;
			uint32_t flags;
			uint32_t max_transfer_bytes;
			uint64_t reserved2;
		} __attribute__((packed)) props;
		struct {
			uint16_t major_minor;
			uint16_t revision;
		} __attribute__((packed)) version;
		uint16_t sub_channel_count;
		uint8_t buffer[0x34];
	};
} __attribute__((packed)) VStorPacket;

_Static_assert(sizeof(VStorPacket) == 0x40, "vstor_packet");

#define STATUS_SUCCESS			0x00000000u
#define STATUS_REVISION_MISMATCH	0xC0000059u
#define STATUS_INVALID_DEVICE_REQUEST	0xC0000010u
#define SRB_STATUS_SUCCESS		0x01
#define MULTI_CHANNEL_FLAG		0x1
#define REPORT_LUNS			0xa0

/* Synthetic SCSI controller class GUID, as laid out in memory. */
static const uint8_t scsi_guid[16] = {
	0xd9, 0x63, 0x61, 0xba, 0xa1, 0x04, 0x29, 0x4d,
	0xb6, 0x05, 0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f,
};

enum { ORDER_OFFERS_FIRST, ORDER_COMPLETION_FIRST };

static const char *const reply_orders[] = {
	"offers-first", "completion-first", NULL,
};

static const SimKeySpec storvsc_keys[] = {
	{ "max-channels", SIM_KEY_INT, false, "8", 0, 64, NULL,
	  "max_channel_cnt reported by QUERY_PROPERTIES" },
	{ "subchannels", SIM_KEY_INT, false, "-1", -1, 64, NULL,
	  "sub-channels offered on CREATE_SUB_CHANNELS (-1: as many as "
	  "asked, at most max-channels)" },
	{ "multi-channel", SIM_KEY_BOOL, false, "true", 0, 0, NULL,
	  "report STORAGE_CHANNEL_SUPPORTS_MULTI_CHANNEL" },
	{ "reply-order", SIM_KEY_ENUM, false, "offers-first", 0, 0,
	  reply_orders,
	  "order of the sub-channel offers and the COMPLETE_IO of "
	  "CREATE_SUB_CHANNELS (same virtual time)" },
	{ "openchannel-delay", SIM_KEY_TIME, false, "10us", 0, 0, NULL,
	  "time from OPENCHANNEL to OPENCHANNEL_RESULT" },
	{ "host-latency", SIM_KEY_TIME, false, "10us", 0, 0, NULL,
	  "time from a request in the ring to its answer" },
	{ "io-requests", SIM_KEY_INT, false, "4", 0, 1024, NULL,
	  "LUNs reported by REPORT LUNS: the guest's scan sends one "
	  "command per LUN, round robin over the CPUs" },
	{ NULL },
};

static const SimKeySpec rescind_keys[] = {
	{ "channel", SIM_KEY_INT, false, "0", 0, 64, NULL,
	  "0: the primary channel; N: sub-channel N" },
	{ NULL },
};

static const SimActionSpec storvsc_actions[] = {
	{ "rescind", rescind_keys,
	  "the host rescinds a channel (RESCIND_CHANNELOFFER)" },
	{ NULL },
};

/* An answer waiting for host-latency. */
typedef struct {
	VMBusHostChannel *ch;
	uint64_t trans_id;
	VStorPacket pkt;
} StorReply;

typedef struct {
	SimModel model;
	VMBusHost *host;

	/* Configuration. */
	const SimEventConfig **events;
	size_t nevents;
	int64_t max_channels;
	int64_t subchannels;
	bool multi_channel;
	int reply_order;
	SimTime open_delay;
	SimTime latency;
	int64_t io_requests;
	uint8_t instance[16];

	/* Per execution. */
	VMBusHostChannel *primary;
	GPtrArray *subs;	/* VMBusHostChannel*, index = sub_channel_index - 1 */
	GArray *replies;	/* StorReply */
} StorVsp;

static void vsp_packet(VMBusHost *h, VMBusHostChannel *ch, void *vsp,
		       const VMBusHostPacket *pkt);

static const VMBusVspOps storvsc_vsp_ops = {
	.name = "storvsc",
	.packet = vsp_packet,
};

static void send_reply(StorVsp *s, VMBusHostChannel *ch, uint64_t trans_id,
		       const VStorPacket *p)
{
	vmbus_host_send(s->host, ch, VMBUS_PKT_COMP, trans_id, p, sizeof(*p));
}

static void offer_subchannels(StorVsp *s, int n)
{
	int i;

	for (i = 1; i <= n; i++)
		g_ptr_array_add(s->subs, vmbus_host_offer(s->host, scsi_guid,
				s->instance, (uint16_t)(s->subs->len + 1),
				s->open_delay, &storvsc_vsp_ops, s));
}

/* Build the answer to @req (already copied) in @out. */
static void answer(StorVsp *s, const VStorPacket *req, VStorPacket *out,
		   int *new_subs)
{
	int asked;

	*out = *req;
	out->operation = VSTOR_COMPLETE_IO;
	out->status = STATUS_SUCCESS;
	*new_subs = 0;

	switch (req->operation) {
	case VSTOR_BEGIN_INITIALIZATION:
	case VSTOR_END_INITIALIZATION:
		break;
	case VSTOR_QUERY_PROTOCOL_VERSION:
		/* Win8 (5.1), Win8.1 (6.0) and Win10 (6.2). */
		if (req->version.major_minor != 0x0501 &&
		    req->version.major_minor != 0x0600 &&
		    req->version.major_minor != 0x0602)
			out->status = STATUS_REVISION_MISMATCH;
		break;
	case VSTOR_QUERY_PROPERTIES:
		memset(&out->props, 0, sizeof(out->props));
		out->props.max_channel_cnt = (uint16_t)s->max_channels;
		out->props.flags = s->multi_channel ? MULTI_CHANNEL_FLAG : 0;
		out->props.max_transfer_bytes = 0x80000;
		break;
	case VSTOR_CREATE_SUB_CHANNELS:
		asked = req->sub_channel_count;
		if (s->subchannels >= 0)
			*new_subs = (int)s->subchannels;
		else
			*new_subs = MIN(asked, (int)s->max_channels);
		break;
	case VSTOR_EXECUTE_SRB:
		out->srb.scsi_status = 0;
		out->srb.srb_status = SRB_STATUS_SUCCESS;
		if (req->srb.cdb[0] == REPORT_LUNS)
			out->srb.data_transfer_length =
				(uint32_t)s->io_requests * 8;
		else
			out->srb.data_transfer_length = 36;
		break;
	default:
		out->status = STATUS_INVALID_DEVICE_REQUEST;
		break;
	}
}

/* host-latency after the request: the answer, and new sub-channels. */
static void reply_event(SimWorld *w, void *arg, uint64_t arg2)
{
	StorVsp *s = arg;
	StorReply *r = &g_array_index(s->replies, StorReply, arg2);
	VStorPacket out;
	int subs;

	answer(s, &r->pkt, &out, &subs);
	/* race: storvsc-subchannel-race — same time, chosen order. */
	if (subs && s->reply_order == ORDER_OFFERS_FIRST)
		offer_subchannels(s, subs);
	send_reply(s, r->ch, r->trans_id, &out);
	if (subs && s->reply_order == ORDER_COMPLETION_FIRST)
		offer_subchannels(s, subs);
}

static void vsp_packet(VMBusHost *h, VMBusHostChannel *ch, void *vsp,
		       const VMBusHostPacket *pkt)
{
	StorVsp *s = vsp;
	StorReply r;

	memset(&r, 0, sizeof(r));
	r.ch = ch;
	r.trans_id = pkt->trans_id;
	memcpy(&r.pkt, pkt->data, MIN(pkt->len, sizeof(r.pkt)));
	if (!(pkt->flags & VMBUS_PKT_FLAG_COMPLETION_REQUESTED))
		return;
	if (r.pkt.operation == VSTOR_CREATE_SUB_CHANNELS && ch != s->primary)
		sim_trace(vmbus_host_world(h), SIM_TR_HOST_NOTE, 0,
			  "CREATE_SUB_CHANNELS on a sub-channel", NULL,
			  vmbus_host_channel_relid(ch), 0);
	g_array_append_val(s->replies, r);
	sim_event_after(vmbus_host_world(h), s->latency, reply_event, s,
			s->replies->len - 1);
}

/* A timeline event of this device. */
static void timeline_event(SimWorld *w, void *arg, uint64_t arg2)
{
	StorVsp *s = arg;
	const SimEventConfig *ev = s->events[arg2];
	int64_t idx;
	VMBusHostChannel *ch = NULL;

	if (strcmp(ev->action->name, "rescind") == 0) {
		idx = sim_key_value(ev->action->keys, ev->values, "channel")->i;
		if (idx == 0)
			ch = s->primary;
		else if (idx <= (int64_t)s->subs->len)
			ch = g_ptr_array_index(s->subs, idx - 1);
		if (ch)
			vmbus_host_rescind(s->host, ch);
		else
			sim_trace(w, SIM_TR_HOST_NOTE, 0,
				  "rescind of a sub-channel never offered",
				  NULL, idx, 0);
	}
}

static void vsp_start(SimWorld *w, SimModel *m)
{
	StorVsp *s = m->priv;
	size_t i;

	g_ptr_array_set_size(s->subs, 0);
	g_array_set_size(s->replies, 0);
	s->primary = vmbus_host_offer(s->host, scsi_guid, s->instance, 0,
				      s->open_delay, &storvsc_vsp_ops, s);
	for (i = 0; i < s->nevents; i++)
		sim_event_at(w, s->events[i]->at, timeline_event, s, i);
}

static void vsp_free(SimModel *m)
{
	StorVsp *s = m->priv;

	g_ptr_array_free(s->subs, TRUE);
	g_array_free(s->replies, TRUE);
	g_free(s->events);
	g_free(s);
}

static SimModel *storvsc_create(SimWorld *w, const SimDeviceConfig *dev,
				const SimEventConfig *const *events,
				size_t nevents)
{
	const SimKeySpec *k = storvsc_keys;
	StorVsp *s = g_new0(StorVsp, 1);
	uint32_t hash = 2166136261u;
	const char *c;

	/* The host first, so it starts (and resets) before this device. */
	s->host = vmbus_host_attach(w);

	s->max_channels = sim_key_value(k, dev->values, "max-channels")->i;
	s->subchannels = sim_key_value(k, dev->values, "subchannels")->i;
	s->multi_channel = sim_key_value(k, dev->values, "multi-channel")->i;
	s->reply_order = (int)sim_key_value(k, dev->values, "reply-order")->i;
	s->open_delay = sim_key_value(k, dev->values, "openchannel-delay")->t;
	s->latency = sim_key_value(k, dev->values, "host-latency")->t;
	s->io_requests = sim_key_value(k, dev->values, "io-requests")->i;
	s->events = g_memdup2(events, nevents * sizeof(*events));
	s->nevents = nevents;

	/* The instance GUID: fixed, plus an FNV-1a of the device's name so
	 * two controllers differ. */
	for (c = dev->name; *c; c++)
		hash = (hash ^ (uint8_t)*c) * 16777619u;
	memcpy(s->instance, "hvsim-storvsc", 12);
	memcpy(s->instance + 12, &hash, 4);

	s->subs = g_ptr_array_new();
	s->replies = g_array_new(FALSE, FALSE, sizeof(StorReply));
	s->model.name = "storvsc";
	s->model.priv = s;
	s->model.start = vsp_start;
	s->model.free = vsp_free;
	/* The loader attaches the returned model, after the host. */
	return &s->model;
}

const SimDeviceType vmbus_storvsc_device_type = {
	.name = "storvsc",
	.help = "Hyper-V synthetic SCSI controller (storage VSP on VMBus)",
	.keys = storvsc_keys,
	.actions = storvsc_actions,
	.create = storvsc_create,
};
