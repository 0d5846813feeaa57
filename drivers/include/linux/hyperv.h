/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file implements the simulator's <linux/hyperv.h>: the VMBus channel,
 * device and driver objects, the channel message formats, the ring buffer
 * layout and the calls a VMBus driver (storvsc, netvsc, ...) makes. It sits
 * between the VMBus core (drivers/hv/) and the drivers on top of it, in the
 * shape of the v4.20-era kernel header: ring pages are owned by
 * ringbuffer_page (after "vmbus: split ring buffer allocation from open"),
 * and sub-channel offers are processed inline by vmbus_process_offer
 * before "Offload the handling of channels to two workqueues"
 * (37c2578c0c40), or by vmbus_add_channel_work (add_channel_work) after it,
 * as the fix switch vmbus-offer-workqueues says.
 *
 * Customised for the harness in two places, both marked: the wire formats
 * carry static size checks, because the host model (models/vmbus_proto.h)
 * keeps its own view of the same protocol, as a hypervisor would; and
 * hv_ringbuffer_init maps each ring once instead of twice (see
 * drivers/hv/ring_buffer.c).
 */
#ifndef _HYPERV_H
#define _HYPERV_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/errno.h>
#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

/*
 * The kernel's <asm/barrier.h> virt_*() barriers, for memory shared with
 * the hypervisor. One OS thread runs guest and host here, so a compiler
 * barrier is all they need to be.
 */
#ifndef virt_mb
#define virt_mb()	smp_mb()
#define virt_rmb()	smp_rmb()
#define virt_wmb()	smp_wmb()
#endif

/* ------------------------------------------------------------ GUIDs -- */

/*
 * The kernel keeps these in <linux/uuid.h>; nothing else in the simulator
 * needs them, so they live here.
 */
typedef struct {
	__u8 b[16];
} guid_t;

#define GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)		\
((guid_t)								\
{{ (a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff, ((a) >> 24) & 0xff, \
   (b) & 0xff, ((b) >> 8) & 0xff,					\
   (c) & 0xff, ((c) >> 8) & 0xff,					\
   (d0), (d1), (d2), (d3), (d4), (d5), (d6), (d7) }})

static inline bool guid_equal(const guid_t *u1, const guid_t *u2)
{
	return memcmp(u1, u2, sizeof(guid_t)) == 0;
}

static inline void guid_copy(guid_t *dst, const guid_t *src)
{
	memcpy(dst, src, sizeof(guid_t));
}

static inline bool guid_is_null(const guid_t *g)
{
	static const guid_t null_guid;

	return guid_equal(g, &null_guid);
}

/* Synthetic SCSI controller, the device storvsc drives. */
#define HV_SCSI_GUID \
	.guid = GUID_INIT(0xba6163d9, 0x04a1, 0x4d29, 0xb6, 0x05, 0x72, 0xe2, \
			  0xff, 0xb1, 0xdc, 0x7f)

/* Synthetic network adapter, the device netvsc drives. */
#define HV_NIC_GUID \
	.guid = GUID_INIT(0xf8615163, 0xdf3e, 0x46c5, 0x91, 0x3f, 0xf2, 0xd2, \
			  0xf9, 0x65, 0xed, 0x0e)

/* The kernel's <linux/mod_devicetable.h> entry for VMBus. */
struct hv_vmbus_device_id {
	guid_t guid;
	unsigned long driver_data;
};

/* The kernel's <linux/uio.h> kvec: one piece of a gathered write. */
struct kvec {
	void *iov_base;
	size_t iov_len;
};

/* ------------------------------------------------------- ring buffer -- */

#define HV_HYP_PAGE_SIZE	4096
#define HV_HYP_PAGE_SHIFT	12

/*
 * The header page of each ring, shared with the host. The data area
 * follows it; both sides index the data area modulo its size.
 */
struct hv_ring_buffer {
	u32 write_index;	/* next byte the producer writes */
	u32 read_index;		/* next byte the consumer reads */
	u32 interrupt_mask;	/* consumer asks not to be signalled */
	u32 pending_send_sz;	/* producer waits for this much space */
	u32 reserved1[12];
	union {
		struct {
			u32 feat_pending_send_sz:1;
		};
		u32 value;
	} feature_bits;
	u8 reserved2[HV_HYP_PAGE_SIZE - 68];
	u8 buffer[];		/* the data area */
} __attribute__((packed));

_Static_assert(sizeof(struct hv_ring_buffer) == HV_HYP_PAGE_SIZE,
	       "the ring header is one page: the host relies on it");

struct hv_ring_buffer_info {
	struct hv_ring_buffer *ring_buffer;	/* vmap of the ring pages */
	u32 ring_size;				/* header + data, bytes */
	u32 ring_datasize;			/* data area only */
	u32 priv_read_index;
	spinlock_t ring_lock;
};

/* Packet descriptor at the start of every packet in a ring. */
struct vmpacket_descriptor {
	u16 type;
	u16 offset8;		/* payload offset, in 8-byte units */
	u16 len8;		/* whole packet, in 8-byte units */
	u16 flags;
	u64 trans_id;
} __attribute__((packed));

enum vmbus_packet_type {
	VM_PKT_INVALID = 0x0,
	VM_PKT_SYNCH = 0x1,
	VM_PKT_ADD_XFER_PAGESET = 0x2,
	VM_PKT_RM_XFER_PAGESET = 0x3,
	VM_PKT_ESTABLISH_GPADL = 0x4,
	VM_PKT_TEARDOWN_GPADL = 0x5,
	VM_PKT_DATA_INBAND = 0x6,
	VM_PKT_DATA_USING_XFER_PAGES = 0x7,
	VM_PKT_DATA_USING_GPADL = 0x8,
	VM_PKT_DATA_USING_GPA_DIRECT = 0x9,
	VM_PKT_CANCEL_REQUEST = 0xa,
	VM_PKT_COMP = 0xb,
	VM_PKT_DATA_USING_ADDITIONAL_PKT = 0xc,
	VM_PKT_ADDITIONAL_DATA = 0xd
};

#define VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED	1

/* ------------------------------------------------- channel messages -- */

enum vmbus_channel_message_type {
	CHANNELMSG_INVALID			=  0,
	CHANNELMSG_OFFERCHANNEL			=  1,
	CHANNELMSG_RESCIND_CHANNELOFFER		=  2,
	CHANNELMSG_REQUESTOFFERS		=  3,
	CHANNELMSG_ALLOFFERS_DELIVERED		=  4,
	CHANNELMSG_OPENCHANNEL			=  5,
	CHANNELMSG_OPENCHANNEL_RESULT		=  6,
	CHANNELMSG_CLOSECHANNEL			=  7,
	CHANNELMSG_GPADL_HEADER			=  8,
	CHANNELMSG_GPADL_BODY			=  9,
	CHANNELMSG_GPADL_CREATED		= 10,
	CHANNELMSG_GPADL_TEARDOWN		= 11,
	CHANNELMSG_GPADL_TORNDOWN		= 12,
	CHANNELMSG_RELID_RELEASED		= 13,
	CHANNELMSG_INITIATE_CONTACT		= 14,
	CHANNELMSG_VERSION_RESPONSE		= 15,
	CHANNELMSG_UNLOAD			= 16,
	CHANNELMSG_UNLOAD_RESPONSE		= 17,
	CHANNELMSG_18				= 18,
	CHANNELMSG_19				= 19,
	CHANNELMSG_20				= 20,
	CHANNELMSG_TL_CONNECT_REQUEST		= 21,
	CHANNELMSG_COUNT
};

struct vmbus_channel_message_header {
	enum vmbus_channel_message_type msgtype;
	u32 padding;
} __attribute__((packed));

#define MAX_USER_DEFINED_BYTES		120
#define MAX_PIPE_USER_DEFINED_BYTES	116

/* What the host offers: the device's class and instance, and the index
 * that tells a sub-channel (non-zero) from the primary (zero). */
struct vmbus_channel_offer {
	guid_t if_type;
	guid_t if_instance;
	u64 reserved1;
	u64 reserved2;
	u16 chn_flags;
	u16 mmio_megabytes;
	union {
		struct {
			unsigned char user_def[MAX_USER_DEFINED_BYTES];
		} std;
		struct {
			u32 pipe_mode;
			unsigned char user_def[MAX_PIPE_USER_DEFINED_BYTES];
		} pipe;
	} u;
	u16 sub_channel_index;
	u16 reserved3;
} __attribute__((packed));

struct vmbus_channel_offer_channel {
	struct vmbus_channel_message_header header;
	struct vmbus_channel_offer offer;
	u32 child_relid;
	u8 monitorid;
	u8 monitor_allocated:1;
	u8 reserved:7;
	u16 is_dedicated_interrupt:1;
	u16 reserved1:15;
	u32 connection_id;
} __attribute__((packed));

struct vmbus_channel_rescind_offer {
	struct vmbus_channel_message_header header;
	u32 child_relid;
} __attribute__((packed));

struct vmbus_channel_open_channel {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 openid;
	u32 ringbuffer_gpadlhandle;
	u32 target_vp;
	u32 downstream_ringbuffer_pageoffset;
	unsigned char userdata[MAX_USER_DEFINED_BYTES];
} __attribute__((packed));

struct vmbus_channel_open_result {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 openid;
	u32 status;
} __attribute__((packed));

struct vmbus_channel_close_channel {
	struct vmbus_channel_message_header header;
	u32 child_relid;
} __attribute__((packed));

struct gpa_range {
	u32 byte_count;
	u32 byte_offset;
	u64 pfn_array[];
};

struct vmbus_channel_gpadl_header {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 gpadl;
	u16 range_buflen;
	u16 rangecount;
	struct gpa_range range[];
} __attribute__((packed));

struct vmbus_channel_gpadl_body {
	struct vmbus_channel_message_header header;
	u32 msgnumber;
	u32 gpadl;
	u64 pfn[];
} __attribute__((packed));

struct vmbus_channel_gpadl_created {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 gpadl;
	u32 creation_status;
} __attribute__((packed));

struct vmbus_channel_gpadl_teardown {
	struct vmbus_channel_message_header header;
	u32 child_relid;
	u32 gpadl;
} __attribute__((packed));

struct vmbus_channel_gpadl_torndown {
	struct vmbus_channel_message_header header;
	u32 gpadl;
} __attribute__((packed));

struct vmbus_channel_relid_released {
	struct vmbus_channel_message_header header;
	u32 child_relid;
} __attribute__((packed));

struct vmbus_channel_initiate_contact {
	struct vmbus_channel_message_header header;
	u32 vmbus_version_requested;
	u32 target_vcpu;
	union {
		u64 interrupt_page;
		struct {
			u8 msg_sint;
			u8 padding1[3];
			u32 padding2;
		};
	};
	u64 monitor_page1;
	u64 monitor_page2;
} __attribute__((packed));

struct vmbus_channel_version_response {
	struct vmbus_channel_message_header header;
	u8 version_supported;
	u8 connection_state;
	u16 padding;
	u32 msg_conn_id;
} __attribute__((packed));

/* Sizes the host model checks too (models/vmbus_proto.h). */
_Static_assert(sizeof(struct vmbus_channel_offer_channel) == 196, "offer");
_Static_assert(sizeof(struct vmbus_channel_open_channel) == 148, "open");
_Static_assert(sizeof(struct vmbus_channel_gpadl_header) == 20, "gpadl");
_Static_assert(sizeof(struct vmbus_channel_initiate_contact) == 40, "contact");

#define VERSION_WS2008	((0 << 16) | (13))
#define VERSION_WIN7	((1 << 16) | (1))
#define VERSION_WIN8	((2 << 16) | (4))
#define VERSION_WIN8_1	((3 << 16) | (0))
#define VERSION_WIN10	((4 << 16) | (0))
#define VERSION_INVAL	-1
#define VERSION_CURRENT	VERSION_WIN10

/* --------------------------------------------------------- channels -- */

/*
 * OPEN_STATE means "offer processed, may be opened", not "opened";
 * OPENED_STATE means opened. OFFER_STATE is 0, the value after kzalloc.
 */
enum vmbus_channel_state {
	CHANNEL_OFFER_STATE,
	CHANNEL_OPENING_STATE,
	CHANNEL_OPEN_STATE,
	CHANNEL_OPENED_STATE,
};

enum hv_callback_mode {
	HV_CALL_BATCHED,
	HV_CALL_DIRECT,
	HV_CALL_ISR
};

struct vmbus_channel {
	struct list_head listentry;	/* on vmbus_connection.chn_list */

	struct hv_device *device_obj;

	enum vmbus_channel_state state;

	struct vmbus_channel_offer_channel offermsg;

	u8 monitor_grp;
	u8 monitor_bit;

	bool rescind;			/* set under channelmsg_lock */
	struct completion rescind_event;

	u32 ringbuffer_gpadlhandle;

	/* Ring pages: one block, send ring first (ae6935ed7d42). */
	struct page *ringbuffer_page;
	u32 ringbuffer_pagecount;
	u32 ringbuffer_send_offset;	/* in pages */
	struct hv_ring_buffer_info outbound;	/* guest to host */
	struct hv_ring_buffer_info inbound;	/* host to guest */

	struct vmbus_close_msg {
		struct vmbus_channel_close_channel msg;
	} close_msg;

	/* Per-channel callback, run from its tasklet. */
	struct tasklet_struct callback_event;
	void (*onchannel_callback)(void *context);
	void *channel_callback_context;
	enum hv_callback_mode callback_mode;

	/* Signalling the host: the connection id to signal. */
	u32 sig_event;
	bool is_dedicated_interrupt;

	/* Target CPU (the guest's) and virtual processor (the host's). */
	u32 target_vp;
	u32 target_cpu;
	int numa_node;
	cpumask_t alloced_cpus_in_node;	/* primary: CPUs its sub-channels took */

	/*
	 * Sub-channels. In a primary, sc_list heads its sub-channels (changed
	 * under lock); in a sub-channel, sc_list links it into the primary's.
	 */
	spinlock_t lock;
	struct list_head sc_list;
	int num_sc;
	int next_oc;
	struct vmbus_channel *primary_channel;

	/* Set by the driver, with no lock, through
	 * vmbus_set_sc_create_callback(); called for each new sub-channel. */
	void (*sc_creation_callback)(struct vmbus_channel *new_sc);
	void (*chn_rescind_callback)(struct vmbus_channel *channel);

	/* Set when offer handling has ended; polled by rescind. */
	bool probe_done;

	/* On the per-CPU list of its target CPU. */
	struct list_head percpu_list;

	/* Used by the post-37c2578c0c40 offer path (vmbus-offer-workqueues). */
	struct work_struct add_channel_work;

	/* Lifetime. */
	struct kref kref;
};

static inline bool is_hvsock_channel(const struct vmbus_channel *c)
{
	return false;
}

static inline void set_channel_read_mode(struct vmbus_channel *c,
					 enum hv_callback_mode mode)
{
	c->callback_mode = mode;
}

/* ---------------------------------------------------- devices/drivers -- */

struct hv_device {
	guid_t dev_type;		/* the class: HV_SCSI_GUID, ... */
	guid_t dev_instance;
	u16 vendor_id;
	u16 device_id;

	struct device device;

	struct vmbus_channel *channel;
};

static inline struct hv_device *device_to_hv_device(struct device *d)
{
	return container_of(d, struct hv_device, device);
}

struct hv_driver {
	const char *name;

	bool hvsock;

	const struct hv_vmbus_device_id *id_table;

	struct device_driver driver;

	int (*probe)(struct hv_device *, const struct hv_vmbus_device_id *);
	int (*remove)(struct hv_device *);
	void (*shutdown)(struct hv_device *);
};

static inline struct hv_driver *drv_to_hv_drv(struct device_driver *d)
{
	return container_of(d, struct hv_driver, driver);
}

static inline void hv_set_drvdata(struct hv_device *dev, void *data)
{
	dev_set_drvdata(&dev->device, data);
}

static inline void *hv_get_drvdata(struct hv_device *dev)
{
	return dev_get_drvdata(&dev->device);
}

int __vmbus_driver_register(struct hv_driver *hv_driver,
			    struct module *owner, const char *mod_name);
void vmbus_driver_unregister(struct hv_driver *hv_driver);

#define vmbus_driver_register(driver)	\
	__vmbus_driver_register(driver, THIS_MODULE, KBUILD_MODNAME)

/* ------------------------------------------------------------ calls -- */

int vmbus_alloc_ring(struct vmbus_channel *channel,
		     u32 send_size, u32 recv_size);
void vmbus_free_ring(struct vmbus_channel *channel);

int vmbus_connect_ring(struct vmbus_channel *channel,
		       void (*onchannel_callback)(void *context),
		       void *context);
int vmbus_disconnect_ring(struct vmbus_channel *channel);

int vmbus_open(struct vmbus_channel *channel,
	       u32 send_ringbuffersize, u32 recv_ringbuffersize,
	       void *userdata, u32 userdatalen,
	       void (*onchannel_callback)(void *context),
	       void *context);
void vmbus_close(struct vmbus_channel *channel);

int vmbus_sendpacket(struct vmbus_channel *channel, void *buffer,
		     u32 bufferlen, u64 requestid,
		     enum vmbus_packet_type type, u32 flags);
int vmbus_recvpacket(struct vmbus_channel *channel, void *buffer,
		     u32 bufferlen, u32 *buffer_actual_len, u64 *requestid);
int vmbus_recvpacket_raw(struct vmbus_channel *channel, void *buffer,
			 u32 bufferlen, u32 *buffer_actual_len,
			 u64 *requestid);

/* Stop calling the driver back for @channel (no more callbacks on return). */
void vmbus_reset_channel_cb(struct vmbus_channel *channel);

int vmbus_establish_gpadl(struct vmbus_channel *channel, void *kbuffer,
			  u32 size, u32 *gpadl_handle);
int vmbus_teardown_gpadl(struct vmbus_channel *channel, u32 gpadl_handle);

void vmbus_set_sc_create_callback(struct vmbus_channel *primary_channel,
			void (*sc_cr_cb)(struct vmbus_channel *new_sc));
void vmbus_set_chn_rescind_callback(struct vmbus_channel *channel,
			void (*chn_rescind_cb)(struct vmbus_channel *));
bool vmbus_are_subchannels_present(struct vmbus_channel *primary);

void vmbus_set_event(struct vmbus_channel *channel);

#endif /* _HYPERV_H */
