// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the VMBus host model: the SynIC message slot and
 * event flags, the channel protocol (contact, offers, GPADLs, open, close,
 * rescind) and ring traffic through GPADL pages. It sits between the guest's
 * VMBus core (drivers/hv/), which calls the hypercall-like entry points and
 * receives interrupts through its registered ISR, and the VSPs
 * (models/storvsc_vsp.c), which plug into it with VMBusVspOps.
 *
 * Everything the host does to the guest happens in host events (engine
 * context): a hypercall made by a guest task only records its input and
 * schedules an event. That keeps the guest's interrupt handler, which the
 * host calls directly, out of task context, and makes host work a
 * scheduling boundary like real hardware latency.
 *
 * The host never trusts guest memory: every ring access goes through the
 * GPADL's page frame numbers, each page is checked with
 * sim_heap_accessible() first, and anything wrong is a protocol violation
 * (a SIM_TR_HOST_NOTE event, counted), after which the host stops using
 * that channel. Like a state machine in QEMU's hw/hyperv/vmbus.c, a bad
 * guest never makes the model abort.
 */
#include <string.h>

#include <glib.h>

#include "models/vmbus_host.h"
#include "models/vmbus_proto.h"
#include "sim/heap.h"
#include "sim/trace.h"
#include "sim/world.h"

/* sim_trace(), inline on this file's hot paths (sim/world.h). */
#define sim_trace(...)	sim__trace_fast(__VA_ARGS__)

/*
 * Hot paths (docs/performance.md): no frame pointer (unwinders use the
 * CFI) and calls through the GOT rather than PLT stubs.
 */
#pragma GCC optimize("omit-frame-pointer", "no-plt")

#define HOST_MAX_CPUS		64
#define HOST_MAX_RELID		255
/* Guest hypercalls reach the host after this much virtual time. */
#define HOST_HYPERCALL_LATENCY	SIM_USEC

struct VMBusHostChannel {
	VMBusHost *host;
	uint32_t relid;
	uint8_t if_type[16];
	uint8_t if_instance[16];
	uint16_t sub_channel_index;
	SimTime open_delay;
	const VMBusVspOps *ops;
	void *vsp;

	bool offered;		/* OFFERCHANNEL sent */
	bool rescinded;
	bool open;
	bool broken;		/* a violation: the host no longer uses it */
	bool drain_pending;	/* an event will read the guest's ring */
	uint32_t target_vp;
	uint32_t gpadl;		/* handle of the ring GPADL */
	uint32_t send_pages;	/* guest-to-host ring: GPADL pages [0, send_pages) */
};

typedef struct {
	uint32_t handle;
	uint32_t child_relid;
	uint32_t npages;	/* announced in GPADL_HEADER */
	GArray *pfns;		/* uint64_t, as received so far */
	bool live;
} HostGpadl;

/* One channel message in flight, either direction. */
typedef struct {
	uint32_t size;
	uint8_t data[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
} HostMsg;

/* A FIFO of messages whose storage is kept across executions. */
typedef struct {
	GArray *msgs;		/* HostMsg */
	guint head;
} HostMsgQueue;

struct VMBusHost {
	SimModel model;
	SimWorld *w;
	int ncpus;

	/* SynIC: message slots and event flags, host memory. */
	struct hv_message (*msg_pages)[HV_SYNIC_SINT_COUNT];
	union hv_synic_event_flags (*event_pages)[HV_SYNIC_SINT_COUNT];
	void (*handler)(SimWorld *w, int cpu);
	int msg_cpu;

	/* Per execution. */
	bool contacted;
	bool offers_requested;
	HostMsgQueue to_guest;
	HostMsgQueue from_guest;
	GPtrArray *channels;	/* VMBusHostChannel*, index relid - 1; kept */
	guint nchannels;	/* in use this execution */
	GArray *gpadls;		/* HostGpadl; storage kept */
	guint ngpadls;
	unsigned int violations;
	unsigned int delivered;
};

static const char *const msg_names[VMBUS_MSG_COUNT] = {
	"INVALID", "OFFERCHANNEL", "RESCIND_CHANNELOFFER", "REQUESTOFFERS",
	"ALLOFFERS_DELIVERED", "OPENCHANNEL", "OPENCHANNEL_RESULT",
	"CLOSECHANNEL", "GPADL_HEADER", "GPADL_BODY", "GPADL_CREATED",
	"GPADL_TEARDOWN", "GPADL_TORNDOWN", "RELID_RELEASED",
	"INITIATE_CONTACT", "VERSION_RESPONSE", "UNLOAD", "UNLOAD_RESPONSE",
	"CHANNELMSG_18", "CHANNELMSG_19", "CHANNELMSG_20",
	"TL_CONNECT_REQUEST",
};

static const char *msg_name(uint32_t type)
{
	return type < VMBUS_MSG_COUNT ? msg_names[type] : "UNKNOWN";
}

/* --------------------------------------------------------- queues -- */

/* Messages a queue holds without calling GLib to grow (see queue_push()):
 * room reserved at creation; GLib never shrinks an array. */
#define HOST_QUEUE_RESERVE	64

static void queue_init(HostMsgQueue *q)
{
	q->msgs = g_array_new(FALSE, FALSE, sizeof(HostMsg));
	g_array_set_size(q->msgs, HOST_QUEUE_RESERVE);
	g_array_set_size(q->msgs, 0);
	q->head = 0;
}

static void queue_reset(HostMsgQueue *q)
{
	/* g_array_set_size(q->msgs, 0) without the call: no clear function,
	 * no terminator, the storage kept. */
	q->msgs->len = 0;
	q->head = 0;
}

static bool queue_empty(const HostMsgQueue *q)
{
	return q->head >= q->msgs->len;
}

static void queue_push(HostMsgQueue *q, const void *data, size_t size)
{
	HostMsg *m;

	g_assert(size <= sizeof(m->data));
	/* Reuse the storage once everything queued has been consumed. */
	if (queue_empty(q))
		queue_reset(q);
	/* Built in place: the message, then zeroes to the end of the slot. */
	if (G_LIKELY(q->msgs->len < HOST_QUEUE_RESERVE))
		q->msgs->len++;		/* room reserved */
	else
		g_array_set_size(q->msgs, q->msgs->len + 1);
	m = &g_array_index(q->msgs, HostMsg, q->msgs->len - 1);
	m->size = (uint32_t)size;
	memcpy(m->data, data, size);
	memset(m->data + size, 0, sizeof(m->data) - size);
}

static const HostMsg *queue_pop(HostMsgQueue *q)
{
	if (queue_empty(q))
		return NULL;
	return &g_array_index(q->msgs, HostMsg, q->head++);
}

/* ---------------------------------------------------------- lookup -- */

static void host_start(SimWorld *w, SimModel *m);

VMBusHost *vmbus_host_of(SimWorld *w)
{
	guint i;

	if (!w)
		return NULL;
	/* Attached by vmbus_host_attach(), the only maker of this model. */
	if (w->vmbus_host)
		return w->vmbus_host;
	for (i = 0; i < w->models->len; i++) {
		SimModel *m = g_ptr_array_index(w->models, i);

		/* Ours for certain when it starts with host_start (every
		 * hypercall asks, so that answer spares the strcmp). */
		if (m->start == host_start ||
		    strcmp(m->name, "vmbus-host") == 0)
			return m->priv;
	}
	return NULL;
}

SimWorld *vmbus_host_world(VMBusHost *h)
{
	return h->w;
}

VMBusHostChannel *vmbus_host_channel(VMBusHost *h, uint32_t relid)
{
	if (relid == 0 || relid > h->nchannels)
		return NULL;
	return g_ptr_array_index(h->channels, relid - 1);
}

uint32_t vmbus_host_channel_relid(const VMBusHostChannel *ch)
{
	return ch->relid;
}

uint16_t vmbus_host_channel_index(const VMBusHostChannel *ch)
{
	return ch->sub_channel_index;
}

bool vmbus_host_channel_is_open(const VMBusHostChannel *ch)
{
	return ch->open && !ch->broken;
}

unsigned int vmbus_host_violations(const VMBusHost *h)
{
	return h->violations;
}

unsigned int vmbus_host_messages_delivered(const VMBusHost *h)
{
	return h->delivered;
}

/* A protocol violation by the guest: note it, never abort. */
static void violation(VMBusHost *h, VMBusHostChannel *ch, const char *what)
{
	h->violations++;
	sim_trace(h->w, SIM_TR_HOST_NOTE, 0, what, NULL,
		  ch ? ch->relid : 0, 0);
	if (ch)
		ch->broken = true;
}

static HostGpadl *gpadl_find(VMBusHost *h, uint32_t handle)
{
	guint i;

	for (i = 0; i < h->ngpadls; i++) {
		HostGpadl *g = &g_array_index(h->gpadls, HostGpadl, i);

		if (g->live && g->handle == handle)
			return g;
	}
	return NULL;
}

/* ------------------------------------------------- guest interrupts -- */

static void raise_irq(VMBusHost *h, int cpu)
{
	g_assert(!sim_current());
	sim_trace(h->w, SIM_TR_IRQ, 0, "vmbus", NULL, cpu, 0);
	if (h->handler)
		h->handler(h->w, cpu);
}

/* Put the next queued message into the slot if the slot is free. */
static void deliver_next(VMBusHost *h)
{
	struct hv_message *slot;
	const HostMsg *m;

	if (!h->msg_pages || queue_empty(&h->to_guest))
		return;
	slot = &h->msg_pages[h->msg_cpu][VMBUS_MESSAGE_SINT];
	if (slot->header.message_type != HVMSG_NONE) {
		/* Busy: the guest will see msg_pending and signal EOM. */
		slot->header.message_flags.msg_pending = 1;
		return;
	}
	m = queue_pop(&h->to_guest);
	/* The header zeroed and all of the payload copied: a queued message
	 * is zero past its size (queue_push()), so these are the bytes of
	 * zeroing the slot and copying m->size bytes. */
	memset(&slot->header, 0, sizeof(slot->header));
	memcpy(slot->u.payload, m->data, sizeof(slot->u.payload));
	slot->header.payload_size = (uint8_t)m->size;
	slot->header.message_flags.msg_pending = !queue_empty(&h->to_guest);
	slot->header.message_type = HVMSG_VMBUS;
	h->delivered++;
	sim_trace(h->w, SIM_TR_HOST_TX, 0,
		  msg_name(((const VMBusMsgHeader *)m->data)->msgtype), NULL,
		  ((const VMBusMsgHeader *)m->data)->msgtype, 0);
	raise_irq(h, h->msg_cpu);
}

/* Queue a channel message to the guest. Engine context. */
static void post_to_guest(VMBusHost *h, const void *msg, size_t size)
{
	queue_push(&h->to_guest, msg, size);
	deliver_next(h);
}

static void deliver_event(SimWorld *w, void *arg, uint64_t arg2)
{
	deliver_next(arg);
}

static void send_offer(VMBusHost *h, VMBusHostChannel *ch)
{
	VMBusMsgOfferChannel o;

	memset(&o, 0, sizeof(o));
	o.header.msgtype = VMBUS_MSG_OFFERCHANNEL;
	memcpy(o.if_type, ch->if_type, 16);
	memcpy(o.if_instance, ch->if_instance, 16);
	o.sub_channel_index = ch->sub_channel_index;
	o.child_relid = ch->relid;
	o.monitorid = 0xff;
	o.interrupt_flags = 1;		/* dedicated interrupt */
	o.connection_id = ch->relid;	/* signal = relid, see hv_signal_event */
	ch->offered = true;
	post_to_guest(h, &o, sizeof(o));
}

/* ------------------------------------------------------- guest memory -- */

/*
 * memcpy() through the C library: GCC would otherwise expand the copies of
 * gpadl_copy(), whose sizes it cannot see, as "rep movsq", which costs
 * more to start than the few bytes of a ring header or descriptor.
 */
static __attribute__((noipa)) void host_copy_call(void *dst, const void *src,
						 size_t n)
{
	memcpy(dst, src, n);
}

/* Ring headers, descriptors and trailers are short: those inline. */
static inline __attribute__((always_inline)) void
host_copy(void *dst, const void *src, size_t n)
{
	if (n <= 64)
		sim__copy_small(dst, src, n);
	else
		host_copy_call(dst, src, n);
}

/*
 * Copy between host memory and bytes [@off, @off+@len) of GPADL @g,
 * counted from its page @first. Checks every page. Returns false, with a
 * violation noted, if any page is not live guest memory.
 */
static bool gpadl_copy(VMBusHost *h, VMBusHostChannel *ch, HostGpadl *g,
		       uint32_t first, uint64_t off, void *buf, size_t len,
		       bool to_guest)
{
	uint8_t *p = buf;

	/* Within one page, the common case: one lookup, one copy. */
	if (len && off % SIM_PAGE_SIZE + len <= SIM_PAGE_SIZE) {
		uint64_t page = first + off / SIM_PAGE_SIZE;
		uint8_t *va;

		if (page >= g->pfns->len) {
			violation(h, ch, "ring access beyond its GPADL");
			return false;
		}
		va = sim__heap_guest_bytes(h->w, g_array_index(g->pfns,
							      uint64_t, page),
					   off % SIM_PAGE_SIZE, len);
		if (!va) {
			violation(h, ch, "ring page is not live guest memory");
			return false;
		}
		if (to_guest)
			host_copy(va, p, len);
		else
			host_copy(p, va, len);
		return true;
	}
	while (len) {
		uint64_t page = first + off / SIM_PAGE_SIZE;
		size_t in = off % SIM_PAGE_SIZE;
		size_t chunk = MIN(len, SIM_PAGE_SIZE - in);
		uint8_t *va;

		if (page >= g->pfns->len) {
			violation(h, ch, "ring access beyond its GPADL");
			return false;
		}
		va = sim__heap_guest_bytes(h->w, g_array_index(g->pfns,
							uint64_t, page),
					  in, chunk);
		if (!va) {
			violation(h, ch, "ring page is not live guest memory");
			return false;
		}
		if (to_guest)
			host_copy(va, p, chunk);
		else
			host_copy(p, va, chunk);
		p += chunk;
		off += chunk;
		len -= chunk;
	}
	return true;
}

/* A ring inside the channel's GPADL: header page, then the data area. */
typedef struct {
	HostGpadl *g;
	uint32_t first;		/* header page */
	uint32_t datasize;
} HostRing;

static bool ring_of(VMBusHost *h, VMBusHostChannel *ch, bool guest_to_host,
		    HostRing *r)
{
	uint32_t npages;

	r->g = gpadl_find(h, ch->gpadl);
	if (!r->g) {
		violation(h, ch, "ring GPADL torn down while open");
		return false;
	}
	if (guest_to_host) {
		r->first = 0;
		npages = ch->send_pages;
	} else {
		r->first = ch->send_pages;
		npages = r->g->pfns->len - ch->send_pages;
	}
	if (npages < 2) {
		violation(h, ch, "ring smaller than two pages");
		return false;
	}
	r->datasize = (npages - 1) * SIM_PAGE_SIZE;
	return true;
}

static bool ring_data(VMBusHost *h, VMBusHostChannel *ch, HostRing *r,
		      uint32_t pos, void *buf, uint32_t len, bool to_guest)
{
	uint32_t first = MIN(len, r->datasize - pos);

	if (!gpadl_copy(h, ch, r->g, r->first, VMBUS_RING_HEADER_SIZE + pos,
			buf, first, to_guest))
		return false;
	if (first < len &&
	    !gpadl_copy(h, ch, r->g, r->first, VMBUS_RING_HEADER_SIZE,
			(uint8_t *)buf + first, len - first, to_guest))
		return false;
	return true;
}

/*
 * The fast path of vmbus_host_send() below: the direct-map pieces of ring
 * bytes [@pos, @pos + @len) (wrapping at the end of the data area), at
 * most HOST_MAP_MAX, looked up and checked as ring_data() does; -1 when
 * any page is beyond the GPADL or not live guest memory. Nothing is noted
 * or recorded (it is only called without a footprint recorder, and
 * sim_heap_guest_range() then only reads), so the caller can fall back on
 * the piece-by-piece path, which notes the violation where it happens.
 */
#define HOST_MAP_MAX	8

typedef struct {
	uint8_t *va;
	size_t len;
} HostChunk;

static int gpadl_map(VMBusHost *h, HostGpadl *g, uint32_t first, uint64_t off,
		     size_t len, HostChunk *c, int n)
{
	while (len) {
		uint64_t page = first + off / SIM_PAGE_SIZE;
		size_t in = off % SIM_PAGE_SIZE;
		size_t chunk = MIN(len, SIM_PAGE_SIZE - in);
		uint8_t *va;

		if (page >= g->pfns->len || n == HOST_MAP_MAX)
			return -1;
		va = sim__heap_guest_bytes(h->w, g_array_index(g->pfns,
							uint64_t, page),
					  in, chunk);
		if (!va)
			return -1;
		c[n].va = va;
		c[n].len = chunk;
		n++;
		off += chunk;
		len -= chunk;
	}
	return n;
}

static int ring_map(VMBusHost *h, HostRing *r, uint32_t pos, uint32_t len,
		    HostChunk *c)
{
	uint32_t first = MIN(len, r->datasize - pos);
	int n;

	n = gpadl_map(h, r->g, r->first, VMBUS_RING_HEADER_SIZE + pos, first,
		      c, 0);
	if (n >= 0 && first < len)
		n = gpadl_map(h, r->g, r->first, VMBUS_RING_HEADER_SIZE,
			      len - first, c, n);
	return n;
}

/* ------------------------------------------------------ ring traffic -- */

/* Packets up to this size take vmbus_host_send()'s one-copy path. */
#define HOST_PKT_MAX	1024

int vmbus_host_send(VMBusHost *h, VMBusHostChannel *ch, uint16_t type,
		    uint64_t trans_id, const void *data, uint32_t len)
{
	VMBusRingHeader hdr;
	VMBusPacketDesc desc;
	uint32_t total, avail, pos, padded;
	uint64_t trailer, zero = 0;
	HostRing r;
	unsigned long *flags;

	if (!ch->open || ch->broken || ch->rescinded)
		return -1;
	if (!ring_of(h, ch, false, &r))
		return -1;
	if (!gpadl_copy(h, ch, r.g, r.first, 0, &hdr, sizeof(hdr), false))
		return -1;
	if (hdr.write_index >= r.datasize || hdr.read_index >= r.datasize ||
	    hdr.write_index % 8 || hdr.read_index % 8) {
		violation(h, ch, "guest corrupted its inbound ring indices");
		return -1;
	}

	padded = (uint32_t)((sizeof(desc) + len + 7) & ~7u);
	total = padded + sizeof(trailer);
	avail = hdr.write_index >= hdr.read_index ?
		r.datasize - (hdr.write_index - hdr.read_index) :
		hdr.read_index - hdr.write_index;
	if (avail <= total) {
		sim_trace(h->w, SIM_TR_HOST_NOTE, 0, "inbound ring full", NULL,
			  ch->relid, 0);
		return -1;
	}

	desc.type = type;
	desc.offset8 = sizeof(desc) / 8;
	desc.len8 = (uint16_t)(padded / 8);
	desc.flags = 0;
	desc.trans_id = trans_id;
	trailer = (uint64_t)hdr.write_index << 32;

	/*
	 * The common case in one copy: the whole packet (descriptor, data,
	 * zero padding, trailer) assembled here and written where the four
	 * writes below would put it, once every byte of it is known to be
	 * writable; the same bytes in guest memory, the same checks passed.
	 * Otherwise (or while a footprint is recorded, which must see the
	 * four accesses) the writes go one by one and stop at the first
	 * violation, as they always did.
	 */
	if (!h->w->footprint && len <= HOST_PKT_MAX - 32) {
		uint8_t pkt[HOST_PKT_MAX];
		HostChunk c[HOST_MAP_MAX];
		int n = ring_map(h, &r, hdr.write_index, total, c);

		if (n >= 0) {
			/* padded - sizeof(desc) - len, for the compiler. */
			size_t pad = (8 - (len & 7)) & 7;
			uint8_t *p = pkt;
			int i;

			memcpy(pkt, &desc, sizeof(desc));
			if (len)
				memcpy(pkt + sizeof(desc), data, len);
			memset(pkt + sizeof(desc) + len, 0, pad);
			memcpy(pkt + sizeof(desc) + len + pad, &trailer,
			       sizeof(trailer));
			for (i = 0; i < n; i++) {
				host_copy(c[i].va, p, c[i].len);
				p += c[i].len;
			}
			pos = (hdr.write_index + total) % r.datasize;
			goto publish;
		}
	}

	pos = hdr.write_index;
	if (!ring_data(h, ch, &r, pos, &desc, sizeof(desc), true))
		return -1;
	pos = (pos + sizeof(desc)) % r.datasize;
	if (len && !ring_data(h, ch, &r, pos, (void *)data, len, true))
		return -1;
	pos = (pos + len) % r.datasize;
	if (padded - sizeof(desc) - len &&
	    !ring_data(h, ch, &r, pos, &zero, padded - sizeof(desc) - len,
		       true))
		return -1;
	pos = (pos + padded - sizeof(desc) - len) % r.datasize;
	if (!ring_data(h, ch, &r, pos, &trailer, sizeof(trailer), true))
		return -1;
	pos = (pos + sizeof(trailer)) % r.datasize;

publish:
	/* Publish: the new write index, then the interrupt. */
	if (!gpadl_copy(h, ch, r.g, r.first, 0, &pos, sizeof(pos), true))
		return -1;
	sim_trace(h->w, SIM_TR_HOST_TX, 0, "vmbus-packet", NULL, ch->relid, 0);

	if (hdr.interrupt_mask)
		return 0;
	flags = h->event_pages[ch->target_vp][VMBUS_MESSAGE_SINT].flags;
	flags[ch->relid / (8 * sizeof(long))] |=
		1UL << (ch->relid % (8 * sizeof(long)));
	raise_irq(h, (int)ch->target_vp);
	return 0;
}

/* Read every packet the guest has written into its outbound ring. */
static void drain_ring(SimWorld *w, void *arg, uint64_t arg2)
{
	VMBusHostChannel *ch = arg;
	VMBusHost *h = ch->host;
	VMBusRingHeader hdr;
	uint8_t buf[VMBUS_RING_HEADER_SIZE];
	VMBusPacketDesc desc;
	VMBusHostPacket pkt;
	uint32_t avail, len, off, pos;
	HostRing r;

	ch->drain_pending = false;
	if (!ch->open || ch->broken || ch->rescinded)
		return;
	if (!ring_of(h, ch, true, &r))
		return;

	for (;;) {
		if (!gpadl_copy(h, ch, r.g, 0, 0, &hdr, sizeof(hdr), false))
			return;
		if (hdr.write_index >= r.datasize ||
		    hdr.read_index >= r.datasize || hdr.write_index % 8) {
			violation(h, ch, "guest corrupted its outbound ring indices");
			return;
		}
		if (hdr.write_index == hdr.read_index)
			return;
		avail = hdr.write_index > hdr.read_index ?
			hdr.write_index - hdr.read_index :
			r.datasize - hdr.read_index + hdr.write_index;
		if (!ring_data(h, ch, &r, hdr.read_index, &desc, sizeof(desc),
			       false))
			return;
		len = desc.len8 * 8u;
		off = desc.offset8 * 8u;
		if (len < sizeof(desc) || off < sizeof(desc) || off > len ||
		    len + 8 > avail || len - off > sizeof(buf)) {
			violation(h, ch, "malformed packet in outbound ring");
			return;
		}
		pos = (hdr.read_index + off) % r.datasize;
		if (!ring_data(h, ch, &r, pos, buf, len - off, false))
			return;

		/* Consume it before handing it over. */
		pos = (hdr.read_index + len + 8) % r.datasize;
		if (!gpadl_copy(h, ch, r.g, 0, offsetof(VMBusRingHeader,
			       read_index), &pos, sizeof(pos), true))
			return;

		sim_trace(w, SIM_TR_GUEST_TX, 0, "vmbus-packet", NULL,
			  ch->relid, 0);
		pkt.type = desc.type;
		pkt.flags = desc.flags;
		pkt.trans_id = desc.trans_id;
		pkt.data = buf;
		pkt.len = len - off;
		if (ch->ops && ch->ops->packet)
			ch->ops->packet(h, ch, ch->vsp, &pkt);
		if (!ch->open || ch->broken)
			return;
	}
}

/* -------------------------------------------------------- hypercalls -- */

static VMBusHost *current_host(void)
{
	return vmbus_host_of(sim_current_world());
}

uint16_t hv_signal_event(uint32_t connection_id)
{
	VMBusHost *h = current_host();
	VMBusHostChannel *ch;

	if (!h)
		return HV_STATUS_INVALID_CONNECTION_ID;
	ch = vmbus_host_channel(h, connection_id);
	if (!ch || !ch->open)
		return HV_STATUS_INVALID_CONNECTION_ID;
	sim_trace(h->w, SIM_TR_GUEST_TX, 0, "signal-event", NULL,
		  connection_id, 0);
	if (!ch->drain_pending) {
		ch->drain_pending = true;
		sim_event_after(h->w, HOST_HYPERCALL_LATENCY, drain_ring, ch, 0);
	}
	return HV_STATUS_SUCCESS;
}

void hv_setup_vmbus_handler(void (*handler)(SimWorld *w, int cpu))
{
	VMBusHost *h = current_host();

	if (h)
		h->handler = handler;
}

void hv_remove_vmbus_handler(void)
{
	VMBusHost *h = current_host();

	if (h)
		h->handler = NULL;
}

struct hv_message *hv_synic_message_page(int cpu)
{
	VMBusHost *h = current_host();

	if (!h || cpu < 0 || cpu >= h->ncpus)
		return NULL;
	return h->msg_pages[cpu];
}

union hv_synic_event_flags *hv_synic_event_page(int cpu)
{
	VMBusHost *h = current_host();

	if (!h || cpu < 0 || cpu >= h->ncpus)
		return NULL;
	return h->event_pages[cpu];
}

void hv_synic_eom(int cpu)
{
	VMBusHost *h = current_host();

	if (h)
		sim_event_after(h->w, 0, deliver_event, h, 0);
}

static void handle_guest_msg(SimWorld *w, void *arg, uint64_t arg2);

uint16_t hv_post_message(uint32_t connection_id, uint32_t message_type,
			 const void *payload, size_t payload_size)
{
	VMBusHost *h = current_host();
	const VMBusMsgHeader *hdr = payload;

	if (!h)
		return HV_STATUS_INVALID_CONNECTION_ID;
	if (connection_id != VMBUS_MESSAGE_CONNECTION_ID &&
	    connection_id != VMBUS_MESSAGE_CONNECTION_ID_4)
		return HV_STATUS_INVALID_CONNECTION_ID;
	if (payload_size < sizeof(*hdr) ||
	    payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;

	queue_push(&h->from_guest, payload, payload_size);
	sim_trace(h->w, SIM_TR_GUEST_TX, 0, msg_name(hdr->msgtype), NULL,
		  hdr->msgtype, 0);
	sim_event_after(h->w, HOST_HYPERCALL_LATENCY, handle_guest_msg, h, 0);
	if (sim_current())
		sim_yield(h->w);
	return HV_STATUS_SUCCESS;
}

/* ------------------------------------------------ channel protocol -- */

static void on_initiate_contact(VMBusHost *h, const VMBusMsgInitiateContact *m)
{
	VMBusMsgVersionResponse r;

	memset(&r, 0, sizeof(r));
	r.header.msgtype = VMBUS_MSG_VERSION_RESPONSE;
	r.version_supported = m->version_requested >= VMBUS_VERSION_WIN8 &&
			      m->version_requested <= VMBUS_VERSION_WIN10;
	r.msg_conn_id = VMBUS_MESSAGE_CONNECTION_ID;
	if (r.version_supported) {
		h->contacted = true;
		h->msg_cpu = m->target_vcpu < (uint32_t)h->ncpus ?
			     (int)m->target_vcpu : 0;
	}
	post_to_guest(h, &r, sizeof(r));
}

static void on_request_offers(VMBusHost *h)
{
	VMBusMsgHeader done = { VMBUS_MSG_ALLOFFERS_DELIVERED, 0 };
	guint i;

	if (!h->contacted) {
		violation(h, NULL, "REQUESTOFFERS before INITIATE_CONTACT");
		return;
	}
	h->offers_requested = true;
	for (i = 0; i < h->nchannels; i++) {
		VMBusHostChannel *ch = g_ptr_array_index(h->channels, i);

		if (!ch->offered && !ch->rescinded)
			send_offer(h, ch);
	}
	post_to_guest(h, &done, sizeof(done));
}

static void gpadl_maybe_created(VMBusHost *h, HostGpadl *g)
{
	VMBusMsgGpadlCreated r;
	guint i;

	if (g->pfns->len < g->npages)
		return;
	/*
	 * The guest may free pages it shared; the host can only notice. A
	 * page is allocated and freed whole, so its first word tells.
	 */
	for (i = 0; i < g->pfns->len; i++) {
		if (!sim__heap_guest_bytes(h->w, g_array_index(g->pfns,
							      uint64_t, i),
					  0, sizeof(uint64_t))) {
			violation(h, vmbus_host_channel(h, g->child_relid),
				  "GPADL page is not live guest memory");
			break;
		}
	}
	memset(&r, 0, sizeof(r));
	r.header.msgtype = VMBUS_MSG_GPADL_CREATED;
	r.child_relid = g->child_relid;
	r.gpadl = g->handle;
	r.status = 0;
	post_to_guest(h, &r, sizeof(r));
}

static void on_gpadl_header(VMBusHost *h, const HostMsg *msg)
{
	const VMBusMsgGpadlHeader *m = (const void *)msg->data;
	VMBusHostChannel *ch;
	uint32_t n;
	HostGpadl *g;

	if (msg->size < sizeof(*m) || m->rangecount != 1 ||
	    m->byte_count == 0 || m->byte_count % SIM_PAGE_SIZE ||
	    m->byte_offset != 0 || gpadl_find(h, m->gpadl)) {
		violation(h, NULL, "malformed GPADL_HEADER");
		return;
	}
	ch = vmbus_host_channel(h, m->child_relid);
	if (ch && ch->rescinded) {
		/*
		 * race: vmbus-rescind-open-deadlock. Assumed, not documented
		 * (research notes, section 6): the host ignores a GPADL for a
		 * channel it has rescinded, as it ignores OPENCHANNEL. The
		 * guest's waiter is woken by its rescind handling instead.
		 */
		sim_trace(h->w, SIM_TR_HOST_NOTE, 0,
			  "GPADL_HEADER dropped: channel rescinded", NULL,
			  ch->relid, 0);
		return;
	}
	if (h->ngpadls == h->gpadls->len) {
		HostGpadl fresh = { 0 };

		fresh.pfns = g_array_new(FALSE, FALSE, sizeof(uint64_t));
		g_array_append_val(h->gpadls, fresh);
	}
	g = &g_array_index(h->gpadls, HostGpadl, h->ngpadls++);
	g->handle = m->gpadl;
	g->child_relid = m->child_relid;
	g->npages = m->byte_count / SIM_PAGE_SIZE;
	g->live = true;
	g_array_set_size(g->pfns, 0);
	n = (msg->size - sizeof(*m)) / sizeof(uint64_t);
	/* The frames received, up to the announced count, in one append. */
	g_array_append_vals(g->pfns, m->pfn, MIN(n, g->npages - g->pfns->len));
	gpadl_maybe_created(h, g);
}

static void on_gpadl_body(VMBusHost *h, const HostMsg *msg)
{
	const VMBusMsgGpadlBody *m = (const void *)msg->data;
	HostGpadl *g;
	uint32_t n;

	g = msg->size >= sizeof(*m) ? gpadl_find(h, m->gpadl) : NULL;
	if (!g || g->pfns->len >= g->npages) {
		violation(h, NULL, "GPADL_BODY for no GPADL being built");
		return;
	}
	n = (msg->size - sizeof(*m)) / sizeof(uint64_t);
	g_array_append_vals(g->pfns, m->pfn, MIN(n, g->npages - g->pfns->len));
	gpadl_maybe_created(h, g);
}

static void on_gpadl_teardown(VMBusHost *h, const VMBusMsgGpadlTeardown *m)
{
	VMBusMsgGpadlTorndown r;
	HostGpadl *g = gpadl_find(h, m->gpadl);

	if (!g) {
		violation(h, NULL, "GPADL_TEARDOWN of an unknown GPADL");
		return;
	}
	g->live = false;
	memset(&r, 0, sizeof(r));
	r.header.msgtype = VMBUS_MSG_GPADL_TORNDOWN;
	r.gpadl = m->gpadl;
	post_to_guest(h, &r, sizeof(r));
}

/* The answer to OPENCHANNEL, after the channel's open delay. */
static void open_result_event(SimWorld *w, void *arg, uint64_t arg2)
{
	VMBusHostChannel *ch = arg;
	VMBusHost *h = ch->host;
	VMBusMsgOpenResult r;

	if (ch->rescinded) {
		/* Hyper-V drops an open for a channel it has rescinded. */
		sim_trace(w, SIM_TR_HOST_NOTE, 0,
			  "OPENCHANNEL dropped: channel rescinded", NULL,
			  ch->relid, 0);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.header.msgtype = VMBUS_MSG_OPENCHANNEL_RESULT;
	r.child_relid = ch->relid;
	r.openid = (uint32_t)arg2;
	r.status = 0;
	ch->open = true;
	if (ch->ops && ch->ops->opened)
		ch->ops->opened(h, ch, ch->vsp);
	post_to_guest(h, &r, sizeof(r));
}

static void on_open_channel(VMBusHost *h, const VMBusMsgOpenChannel *m)
{
	VMBusHostChannel *ch = vmbus_host_channel(h, m->child_relid);
	HostGpadl *g;

	if (!ch || !ch->offered) {
		violation(h, NULL, "OPENCHANNEL for a relid never offered");
		return;
	}
	if (ch->rescinded) {
		sim_trace(h->w, SIM_TR_HOST_NOTE, 0,
			  "OPENCHANNEL dropped: channel rescinded", NULL,
			  ch->relid, 0);
		return;
	}
	g = gpadl_find(h, m->ring_buffer_gpadl_handle);
	if (ch->open || !g || g->child_relid != ch->relid ||
	    m->ring_buffer_offset == 0 ||
	    m->ring_buffer_offset >= g->pfns->len ||
	    m->target_vp >= (uint32_t)h->ncpus) {
		VMBusMsgOpenResult r;

		/* A second open, or a bad ring: refuse it. */
		violation(h, NULL, ch->open ? "OPENCHANNEL of an open channel"
				  : "OPENCHANNEL with a bad ring GPADL");
		memset(&r, 0, sizeof(r));
		r.header.msgtype = VMBUS_MSG_OPENCHANNEL_RESULT;
		r.child_relid = ch->relid;
		r.openid = m->openid;
		r.status = 0xC0000001u;		/* STATUS_UNSUCCESSFUL */
		post_to_guest(h, &r, sizeof(r));
		return;
	}
	ch->gpadl = m->ring_buffer_gpadl_handle;
	ch->send_pages = m->ring_buffer_offset;
	ch->target_vp = m->target_vp;
	ch->broken = false;
	sim_event_after(h->w, ch->open_delay, open_result_event, ch, m->openid);
}

static void on_close_channel(VMBusHost *h, const VMBusMsgCloseChannel *m)
{
	VMBusHostChannel *ch = vmbus_host_channel(h, m->child_relid);

	if (!ch) {
		violation(h, NULL, "CLOSECHANNEL for an unknown relid");
		return;
	}
	if (!ch->open)
		return;
	ch->open = false;
	if (ch->ops && ch->ops->closed)
		ch->ops->closed(h, ch, ch->vsp);
}

static void handle_guest_msg(SimWorld *w, void *arg, uint64_t arg2)
{
	VMBusHost *h = arg;
	const HostMsg *msg = queue_pop(&h->from_guest);
	const VMBusMsgHeader *hdr;

	if (!msg)
		return;
	hdr = (const void *)msg->data;

#define NEED(type)							\
	do {								\
		if (msg->size < sizeof(type)) {				\
			violation(h, NULL, "short channel message");	\
			return;						\
		}							\
	} while (0)

	switch (hdr->msgtype) {
	case VMBUS_MSG_INITIATE_CONTACT:
		NEED(VMBusMsgInitiateContact);
		on_initiate_contact(h, (const void *)msg->data);
		break;
	case VMBUS_MSG_REQUESTOFFERS:
		on_request_offers(h);
		break;
	case VMBUS_MSG_GPADL_HEADER:
		on_gpadl_header(h, msg);
		break;
	case VMBUS_MSG_GPADL_BODY:
		on_gpadl_body(h, msg);
		break;
	case VMBUS_MSG_GPADL_TEARDOWN:
		NEED(VMBusMsgGpadlTeardown);
		on_gpadl_teardown(h, (const void *)msg->data);
		break;
	case VMBUS_MSG_OPENCHANNEL:
		NEED(VMBusMsgOpenChannel);
		on_open_channel(h, (const void *)msg->data);
		break;
	case VMBUS_MSG_CLOSECHANNEL:
		NEED(VMBusMsgCloseChannel);
		on_close_channel(h, (const void *)msg->data);
		break;
	case VMBUS_MSG_RELID_RELEASED:
		break;
	case VMBUS_MSG_UNLOAD: {
		VMBusMsgHeader r = { VMBUS_MSG_UNLOAD_RESPONSE, 0 };

		post_to_guest(h, &r, sizeof(r));
		break;
	}
	default:
		violation(h, NULL, "unexpected channel message from the guest");
		break;
	}
#undef NEED
}

/* ------------------------------------------------------------ channels -- */

VMBusHostChannel *vmbus_host_offer(VMBusHost *h, const uint8_t if_type[16],
				   const uint8_t if_instance[16],
				   uint16_t sub_channel_index,
				   SimTime open_delay,
				   const VMBusVspOps *ops, void *vsp)
{
	VMBusHostChannel *ch;

	g_assert(h->nchannels < HOST_MAX_RELID);
	if (h->nchannels == h->channels->len)
		g_ptr_array_add(h->channels, g_new0(VMBusHostChannel, 1));
	ch = g_ptr_array_index(h->channels, h->nchannels++);
	memset(ch, 0, sizeof(*ch));
	ch->host = h;
	ch->relid = h->nchannels;
	memcpy(ch->if_type, if_type, 16);
	memcpy(ch->if_instance, if_instance, 16);
	ch->sub_channel_index = sub_channel_index;
	ch->open_delay = open_delay;
	ch->ops = ops;
	ch->vsp = vsp;
	if (h->offers_requested)
		send_offer(h, ch);
	return ch;
}

void vmbus_host_rescind(VMBusHost *h, VMBusHostChannel *ch)
{
	VMBusMsgRescindOffer r;

	if (ch->rescinded)
		return;
	ch->rescinded = true;
	ch->open = false;
	if (!ch->offered)
		return;
	memset(&r, 0, sizeof(r));
	r.header.msgtype = VMBUS_MSG_RESCIND_CHANNELOFFER;
	r.child_relid = ch->relid;
	post_to_guest(h, &r, sizeof(r));
}

/* ------------------------------------------------------------- model -- */

static void host_start(SimWorld *w, SimModel *m)
{
	VMBusHost *h = m->priv;

	if (h->ncpus != w->ncpus) {
		g_free(h->msg_pages);
		g_free(h->event_pages);
		h->ncpus = MIN(MAX(w->ncpus, 1), HOST_MAX_CPUS);
		h->msg_pages = g_malloc0_n(h->ncpus, sizeof(*h->msg_pages));
		h->event_pages = g_malloc0_n(h->ncpus,
					     sizeof(*h->event_pages));
	}
	memset(h->msg_pages, 0, sizeof(*h->msg_pages) * h->ncpus);
	memset(h->event_pages, 0, sizeof(*h->event_pages) * h->ncpus);
	h->handler = NULL;
	h->msg_cpu = 0;
	h->contacted = false;
	h->offers_requested = false;
	queue_reset(&h->to_guest);
	queue_reset(&h->from_guest);
	h->nchannels = 0;
	h->ngpadls = 0;
	h->violations = 0;
	h->delivered = 0;
}

static void host_free(SimModel *m)
{
	VMBusHost *h = m->priv;
	guint i;

	for (i = 0; i < h->gpadls->len; i++)
		g_array_free(g_array_index(h->gpadls, HostGpadl, i).pfns, TRUE);
	g_array_free(h->gpadls, TRUE);
	g_ptr_array_free(h->channels, TRUE);
	g_array_free(h->to_guest.msgs, TRUE);
	g_array_free(h->from_guest.msgs, TRUE);
	g_free(h->msg_pages);
	g_free(h->event_pages);
	g_free(h);
}

VMBusHost *vmbus_host_attach(SimWorld *w)
{
	VMBusHost *h = vmbus_host_of(w);

	if (h)
		return h;
	h = g_new0(VMBusHost, 1);
	h->w = w;
	h->ncpus = -1;
	queue_init(&h->to_guest);
	queue_init(&h->from_guest);
	h->channels = g_ptr_array_new_with_free_func(g_free);
	h->gpadls = g_array_new(FALSE, TRUE, sizeof(HostGpadl));
	h->model.name = "vmbus-host";
	h->model.priv = h;
	h->model.start = host_start;
	h->model.free = host_free;
	sim_world_add_model(w, &h->model);
	w->vmbus_host = h;
	return h;
}
