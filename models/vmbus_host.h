/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the VMBus host model: the hypervisor's half of VMBus.
 * It sits between the guest's VMBus core (drivers/hv/), which reaches it
 * through the hypercall-like entry points below, and the device models
 * (VSPs such as models/storvsc_vsp.c), which plug into it through
 * VMBusVspOps.
 *
 * What the host does, in the order a guest sees it:
 *  - one SynIC message slot per CPU: a message is delivered only when the
 *    slot is empty, and the next one only after the guest clears the slot
 *    and signals end-of-message (hv_synic_eom). msg_pending tells the
 *    guest that more are queued;
 *  - an event flag per relid in the SynIC event page of the channel's
 *    target CPU, for ring traffic;
 *  - the channel protocol: INITIATE_CONTACT, REQUESTOFFERS, GPADL_HEADER/
 *    BODY, GPADL_TEARDOWN, OPENCHANNEL (answered after the channel's open
 *    delay, silently dropped once the channel is rescinded, as Hyper-V
 *    does; a GPADL_HEADER of a rescinded channel is dropped too, which is
 *    an assumption), CLOSECHANNEL, and RESCIND_CHANNELOFFER on the
 *    timeline;
 *  - ring traffic through the pages of the GPADL the guest named in
 *    OPENCHANNEL, never through the guest's own mappings.
 *
 * The host is not instrumented and never crashes on guest input: a page
 * that is not live guest memory, a bad index or an unknown handle is a
 * protocol violation, recorded as a SIM_TR_HOST_NOTE trace event and
 * counted (vmbus_host_violations()); the host then stops using that channel.
 *
 * Interrupts: the guest registers its VMBus ISR with
 * hv_setup_vmbus_handler(); the host calls it from engine context, in a
 * host event, with the world and the CPU the interrupt is for. The ISR must only look at
 * the SynIC pages and schedule tasklets.
 *
 * All host state is per world (the model's priv); nothing here is global.
 */
#ifndef HVSIM_MODELS_VMBUS_HOST_H
#define HVSIM_MODELS_VMBUS_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

/* ----------------------------------------------- hypervisor interface -- */

/* Hypercall status codes (TLFS). */
#define HV_STATUS_SUCCESS		0
#define HV_STATUS_INVALID_PARAMETER	5
#define HV_STATUS_INVALID_CONNECTION_ID	18
#define HV_STATUS_INSUFFICIENT_BUFFERS	19

/* SynIC: 16 interrupt sources per CPU; VMBus uses SINT 2. */
#define HV_SYNIC_SINT_COUNT		16
#define VMBUS_MESSAGE_SINT		2

#define HV_MESSAGE_SIZE			256
#define HV_MESSAGE_PAYLOAD_BYTE_COUNT	240
#define HV_MESSAGE_PAYLOAD_QWORD_COUNT	30

/* Message types in the SynIC slot; the guest only tells NONE from others. */
#define HVMSG_NONE			0x00000000u
#define HVMSG_VMBUS			0x00000001u

/* Connection ids the guest posts to (VMBUS_MESSAGE_CONNECTION_ID_4). */
#define VMBUS_MESSAGE_CONNECTION_ID	1
#define VMBUS_MESSAGE_CONNECTION_ID_4	4

union hv_message_flags {
	uint8_t asu8;
	struct {
		uint8_t msg_pending:1;
		uint8_t reserved:7;
	};
};

struct hv_message_header {
	uint32_t message_type;
	uint8_t payload_size;
	union hv_message_flags message_flags;
	uint8_t reserved[2];
	uint64_t sender;
};

struct hv_message {
	struct hv_message_header header;
	union {
		uint64_t payload[HV_MESSAGE_PAYLOAD_QWORD_COUNT];
	} u;
};

_Static_assert(sizeof(struct hv_message_header) == 16, "hv_message_header");
_Static_assert(sizeof(struct hv_message) == HV_MESSAGE_SIZE, "hv_message");

#define HV_EVENT_FLAGS_COUNT		(256 * 8)
#define HV_EVENT_FLAGS_LONG_COUNT	(256 / sizeof(unsigned long))

union hv_synic_event_flags {
	unsigned long flags[HV_EVENT_FLAGS_LONG_COUNT];
};

/*
 * hv_post_message - the HvPostMessage hypercall: send one channel message
 * (@payload_size ≤ HV_MESSAGE_PAYLOAD_BYTE_COUNT bytes) to the host on
 * @connection_id. The host copies it and handles it later, in a host event.
 * Returns an HV_STATUS_* code. Task context. Does not block, does not touch
 * guest memory after it returns.
 */
uint16_t hv_post_message(uint32_t connection_id, uint32_t message_type,
			 const void *payload, size_t payload_size);

/*
 * hv_signal_event - the HvSignalEvent hypercall: tell the host that the
 * channel whose connection id is @connection_id has new data in its
 * outbound ring. The host reads the ring later, in a host event.
 * Task or tasklet context.
 */
uint16_t hv_signal_event(uint32_t connection_id);

/*
 * hv_setup_vmbus_handler - register the guest's VMBus ISR. The host calls
 * @handler(w, cpu) from engine context whenever it raises the VMBus
 * interrupt on @cpu. The world is passed because no task runs then, so
 * sim_current_world() is NULL; the ISR needs it to schedule tasklets
 * (sim_kapi_tasklet_schedule_world). hv_remove_vmbus_handler()
 * unregisters it.
 */
void hv_setup_vmbus_handler(void (*handler)(SimWorld *w, int cpu));
void hv_remove_vmbus_handler(void);

/*
 * The SynIC message page (HV_SYNIC_SINT_COUNT slots) and event page
 * (HV_SYNIC_SINT_COUNT flag sets) of @cpu. They are host memory, valid for
 * the whole execution; the guest caches them at init (as the kernel caches
 * hv_cpu->synic_message_page) so the ISR can use them from engine context.
 * Task context.
 */
struct hv_message *hv_synic_message_page(int cpu);
union hv_synic_event_flags *hv_synic_event_page(int cpu);

/*
 * hv_synic_eom - end of message (the EOM register): the guest has cleared
 * its message slot on @cpu; the host delivers the next queued message, if
 * any, in a host event.
 */
void hv_synic_eom(int cpu);

/* -------------------------------------------------------- the model -- */

typedef struct VMBusHost VMBusHost;
typedef struct VMBusHostChannel VMBusHostChannel;

/* A packet the guest wrote into a channel's outbound ring, copied out. */
typedef struct {
	uint16_t type;		/* VM_PKT_* */
	uint16_t flags;
	uint64_t trans_id;
	const void *data;	/* payload, host memory, valid during the call */
	uint32_t len;
} VMBusHostPacket;

/*
 * A VSP: a device model behind one or more channels. Every callback runs
 * in engine context, in a host event.
 */
typedef struct {
	const char *name;
	/* The guest opened the channel (OPENCHANNEL_RESULT with status 0 is
	 * on its way). Optional. */
	void (*opened)(VMBusHost *h, VMBusHostChannel *ch, void *vsp);
	/* One packet from the guest. */
	void (*packet)(VMBusHost *h, VMBusHostChannel *ch, void *vsp,
		       const VMBusHostPacket *pkt);
	/* The guest closed the channel. Optional. */
	void (*closed)(VMBusHost *h, VMBusHostChannel *ch, void *vsp);
} VMBusVspOps;

/* The world's host, or NULL if none is attached. */
VMBusHost *vmbus_host_of(SimWorld *w);

/*
 * vmbus_host_attach - the world's host, attached on first use (device
 * models call this from their create function, so the host is attached
 * before them and starts before them). Never NULL.
 */
VMBusHost *vmbus_host_attach(SimWorld *w);

SimWorld *vmbus_host_world(VMBusHost *h);

/*
 * vmbus_host_offer - add a channel and offer it: at once if the guest has
 * already asked for offers, else in the answer to REQUESTOFFERS. The
 * channel lives until the end of the execution. @if_type and
 * @if_instance are 16-byte GUIDs as laid out in memory. @open_delay is how
 * long after OPENCHANNEL the host answers. Engine context (VSP start or a
 * host event).
 */
VMBusHostChannel *vmbus_host_offer(VMBusHost *h, const uint8_t if_type[16],
				   const uint8_t if_instance[16],
				   uint16_t sub_channel_index,
				   SimTime open_delay,
				   const VMBusVspOps *ops, void *vsp);

/*
 * vmbus_host_send - write one packet into the channel's inbound ring
 * (host to guest) and signal the guest. Returns 0, or -1 when the channel
 * is not open, its ring pages are not live guest memory (a protocol
 * violation, noted), or the ring is full. Engine context.
 */
int vmbus_host_send(VMBusHost *h, VMBusHostChannel *ch, uint16_t type,
		    uint64_t trans_id, const void *data, uint32_t len);

/* Rescind a channel: RESCIND_CHANNELOFFER to the guest; later
 * OPENCHANNELs for it are dropped. Engine context. */
void vmbus_host_rescind(VMBusHost *h, VMBusHostChannel *ch);

uint32_t vmbus_host_channel_relid(const VMBusHostChannel *ch);
uint16_t vmbus_host_channel_index(const VMBusHostChannel *ch);
bool vmbus_host_channel_is_open(const VMBusHostChannel *ch);

/* Number of protocol violations the host noted in this execution. */
unsigned int vmbus_host_violations(const VMBusHost *h);

/* Number of messages the host has delivered into the SynIC slot. */
unsigned int vmbus_host_messages_delivered(const VMBusHost *h);

/* Channel by relid (1-based), or NULL. */
VMBusHostChannel *vmbus_host_channel(VMBusHost *h, uint32_t relid);

#endif /* HVSIM_MODELS_VMBUS_HOST_H */
