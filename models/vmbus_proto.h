/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the host's view of the VMBus wire protocol: channel
 * messages, the ring buffer header and the packet descriptor. It sits
 * between the host model (models/vmbus_host.c), the VSPs and nothing else:
 * like a hypervisor, the host keeps its own definitions of the protocol
 * rather than the guest's, and the sizes are checked against the guest's
 * (drivers/include/linux/hyperv.h) by static asserts on both sides.
 */
#ifndef HVSIM_MODELS_VMBUS_PROTO_H
#define HVSIM_MODELS_VMBUS_PROTO_H

#include <stdint.h>

enum {
	VMBUS_MSG_INVALID = 0,
	VMBUS_MSG_OFFERCHANNEL = 1,
	VMBUS_MSG_RESCIND_CHANNELOFFER = 2,
	VMBUS_MSG_REQUESTOFFERS = 3,
	VMBUS_MSG_ALLOFFERS_DELIVERED = 4,
	VMBUS_MSG_OPENCHANNEL = 5,
	VMBUS_MSG_OPENCHANNEL_RESULT = 6,
	VMBUS_MSG_CLOSECHANNEL = 7,
	VMBUS_MSG_GPADL_HEADER = 8,
	VMBUS_MSG_GPADL_BODY = 9,
	VMBUS_MSG_GPADL_CREATED = 10,
	VMBUS_MSG_GPADL_TEARDOWN = 11,
	VMBUS_MSG_GPADL_TORNDOWN = 12,
	VMBUS_MSG_RELID_RELEASED = 13,
	VMBUS_MSG_INITIATE_CONTACT = 14,
	VMBUS_MSG_VERSION_RESPONSE = 15,
	VMBUS_MSG_UNLOAD = 16,
	VMBUS_MSG_UNLOAD_RESPONSE = 17,
	VMBUS_MSG_COUNT = 22,
};

/* Protocol versions: major << 16 | minor. */
#define VMBUS_VERSION_WIN8	((2 << 16) | 4)
#define VMBUS_VERSION_WIN10	((4 << 16) | 0)

typedef struct {
	uint32_t msgtype;
	uint32_t padding;
} __attribute__((packed)) VMBusMsgHeader;

typedef struct {
	VMBusMsgHeader header;
	uint8_t if_type[16];
	uint8_t if_instance[16];
	uint64_t reserved1;
	uint64_t reserved2;
	uint16_t chn_flags;
	uint16_t mmio_megabytes;
	uint8_t user_def[120];
	uint16_t sub_channel_index;
	uint16_t reserved3;
	uint32_t child_relid;
	uint8_t monitorid;
	uint8_t monitor_flags;
	uint16_t interrupt_flags;	/* bit 0: is_dedicated_interrupt */
	uint32_t connection_id;
} __attribute__((packed)) VMBusMsgOfferChannel;

typedef struct {
	VMBusMsgHeader header;
	uint32_t child_relid;
} __attribute__((packed)) VMBusMsgRescindOffer;

typedef struct {
	VMBusMsgHeader header;
	uint32_t child_relid;
	uint32_t openid;
	uint32_t ring_buffer_gpadl_handle;
	uint32_t target_vp;
	uint32_t ring_buffer_offset;	/* first page of the host-to-guest ring */
	uint8_t user_data[120];
} __attribute__((packed)) VMBusMsgOpenChannel;

typedef struct {
	VMBusMsgHeader header;
	uint32_t child_relid;
	uint32_t openid;
	uint32_t status;
} __attribute__((packed)) VMBusMsgOpenResult;

typedef struct {
	VMBusMsgHeader header;
	uint32_t child_relid;
} __attribute__((packed)) VMBusMsgCloseChannel;

typedef struct {
	VMBusMsgHeader header;
	uint32_t child_relid;
	uint32_t gpadl;
	uint16_t range_buflen;
	uint16_t rangecount;
	/* then one range: byte_count, byte_offset, pfns */
	uint32_t byte_count;
	uint32_t byte_offset;
	uint64_t pfn[];
} __attribute__((packed)) VMBusMsgGpadlHeader;

typedef struct {
	VMBusMsgHeader header;
	uint32_t msgnumber;
	uint32_t gpadl;
	uint64_t pfn[];
} __attribute__((packed)) VMBusMsgGpadlBody;

typedef struct {
	VMBusMsgHeader header;
	uint32_t child_relid;
	uint32_t gpadl;
	uint32_t status;
} __attribute__((packed)) VMBusMsgGpadlCreated;

typedef struct {
	VMBusMsgHeader header;
	uint32_t child_relid;
	uint32_t gpadl;
} __attribute__((packed)) VMBusMsgGpadlTeardown;

typedef struct {
	VMBusMsgHeader header;
	uint32_t gpadl;
} __attribute__((packed)) VMBusMsgGpadlTorndown;

typedef struct {
	VMBusMsgHeader header;
	uint32_t child_relid;
} __attribute__((packed)) VMBusMsgRelidReleased;

typedef struct {
	VMBusMsgHeader header;
	uint32_t version_requested;
	uint32_t target_vcpu;
	uint64_t interrupt_page_or_sint;	/* Win8+: low byte is the SINT */
	uint64_t monitor_page1;
	uint64_t monitor_page2;
} __attribute__((packed)) VMBusMsgInitiateContact;

typedef struct {
	VMBusMsgHeader header;
	uint8_t version_supported;
	uint8_t connection_state;
	uint16_t padding;
	uint32_t msg_conn_id;
} __attribute__((packed)) VMBusMsgVersionResponse;

_Static_assert(sizeof(VMBusMsgOfferChannel) == 196, "offer");
_Static_assert(sizeof(VMBusMsgOpenChannel) == 148, "open");
_Static_assert(sizeof(VMBusMsgGpadlHeader) == 28, "gpadl header + range");
_Static_assert(sizeof(VMBusMsgInitiateContact) == 40, "contact");

/* The ring's header page; the data area follows it. */
typedef struct {
	uint32_t write_index;
	uint32_t read_index;
	uint32_t interrupt_mask;
	uint32_t pending_send_sz;
} __attribute__((packed)) VMBusRingHeader;

#define VMBUS_RING_HEADER_SIZE	4096u

typedef struct {
	uint16_t type;
	uint16_t offset8;
	uint16_t len8;
	uint16_t flags;
	uint64_t trans_id;
} __attribute__((packed)) VMBusPacketDesc;

#define VMBUS_PKT_DATA_INBAND	0x6
#define VMBUS_PKT_COMP		0xb
#define VMBUS_PKT_FLAG_COMPLETION_REQUESTED 1

#endif /* HVSIM_MODELS_VMBUS_PROTO_H */
