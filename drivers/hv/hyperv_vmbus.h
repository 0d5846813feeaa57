/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file implements the VMBus core's private header: the connection
 * state, the guest-to-host request bookkeeping (vmbus_channel_msginfo on
 * chn_msg_list), the per-CPU SynIC context and the channel message table.
 * It sits between the files of drivers/hv/ and, through the hypercall-like
 * calls of models/vmbus_host.h, the host model.
 */
#ifndef _HYPERV_VMBUS_H
#define _HYPERV_VMBUS_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/hyperv.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "models/vmbus_host.h"

/* Control messages arrive on this CPU (vmbus_connection.connect_cpu). */
#define VMBUS_CONNECT_CPU	0

/* Relids are small integers the host hands out; 0 is never used. */
#define MAX_CHANNEL_RELIDS	256

#define HV_MAX_CPUS		64

enum vmbus_connect_state {
	DISCONNECTED,
	CONNECTING,
	CONNECTED,
	DISCONNECTING
};

/* Per-CPU SynIC state (hv_context.cpu_context). */
struct hv_per_cpu_context {
	struct hv_message *synic_message_page;
	union hv_synic_event_flags *synic_event_page;
	/* The message tasklet: vmbus_on_msg_dpc. */
	struct tasklet_struct msg_dpc;
	/* Channels whose target CPU this is. */
	struct list_head chan_list;
};

struct hv_context {
	struct hv_per_cpu_context cpu_context[HV_MAX_CPUS];
	cpumask_t hv_numa_map[1];	/* one NUMA node */
};

extern struct hv_context hv_context;

struct vmbus_connection {
	/* CPU that receives control messages; offers are queued on it. */
	u32 connect_cpu;
	u32 msg_conn_id;

	atomic_t offer_in_progress;

	enum vmbus_connect_state conn_state;

	atomic_t next_gpadl_handle;

	struct completion unload_event;

	/* Guest requests waiting for the host's answer. */
	struct list_head chn_msg_list;
	spinlock_t channelmsg_lock;

	/* Every channel, primaries and sub-channels; and the relid map. */
	struct list_head chn_list;
	struct mutex channel_mutex;
	struct vmbus_channel *channels[MAX_CHANNEL_RELIDS];

	/* "hv_vmbus_con": offers and other blocking messages, in order. */
	struct workqueue_struct *work_queue;

	/*
	 * race: vmbus-rescind-open-deadlock, netvsc-multi-nic-rtnl-deadlock.
	 * After 37c2578c0c40 (vmbus-offer-workqueues): "hv_pri_chan" and
	 * "hv_sub_chan", where vmbus_add_channel_work hands new primaries
	 * and sub-channels to their drivers, so hv_vmbus_con never blocks.
	 * NULL before the fix.
	 */
	struct workqueue_struct *handle_primary_chan_wq;
	struct workqueue_struct *handle_sub_chan_wq;
};

extern struct vmbus_connection vmbus_connection;
extern int vmbus_proto_version;

/*
 * One guest request that expects an answer (OPENCHANNEL, GPADL_HEADER,
 * GPADL_TEARDOWN, INITIATE_CONTACT): on chn_msg_list while the guest waits
 * on waitevent; the tasklet's response handler copies the answer into
 * response and completes it.
 */
struct vmbus_channel_msginfo {
	struct list_head msglistentry;

	/* GPADL_BODY messages that follow a GPADL_HEADER. */
	struct list_head submsglist;

	struct completion waitevent;
	struct vmbus_channel *waiting_channel;
	union {
		struct vmbus_channel_version_response version_response;
		struct vmbus_channel_gpadl_torndown gpadl_torndown;
		struct vmbus_channel_gpadl_created gpadl_created;
		struct vmbus_channel_open_result open_result;
	} response;

	u32 msgsize;
	unsigned char msg[];	/* the message as posted */
};

/* A message copied out of the SynIC slot for a work item. */
struct onmessage_work_context {
	struct work_struct work;
	struct {
		struct hv_message_header header;
		u8 payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
	} msg;
};

enum vmbus_message_handler_type {
	/* The related handler can sleep: run it in a work item. */
	VMHT_BLOCKING = 0,
	/* The related handler must not sleep: run it in the tasklet. */
	VMHT_NON_BLOCKING = 1,
};

struct vmbus_channel_message_table_entry {
	enum vmbus_channel_message_type message_type;
	enum vmbus_message_handler_type handler_type;
	void (*message_handler)(struct vmbus_channel_message_header *msg);
};

extern const struct vmbus_channel_message_table_entry
	channel_message_table[CHANNELMSG_COUNT];

/* connection.c */
int vmbus_connect(void);
void vmbus_disconnect(void);
int vmbus_post_msg(void *buffer, size_t buflen, bool can_sleep);
struct vmbus_channel *relid2channel(u32 relid);
void vmbus_channel_map_relid(struct vmbus_channel *channel);
void vmbus_channel_unmap_relid(struct vmbus_channel *channel);

/* channel_mgmt.c */
void vmbus_onmessage(void *context);
int vmbus_request_offers(void);
void vmbus_initiate_unload(bool crash);
struct vmbus_channel *alloc_channel(void);
void free_channel(struct vmbus_channel *channel);
void hv_process_channel_removal(struct vmbus_channel *channel);
void vmbus_free_channels(void);

/* ring_buffer.c */
int hv_ringbuffer_init(struct hv_ring_buffer_info *ring_info,
		       struct page *pages, u32 pagecnt);
void hv_ringbuffer_cleanup(struct hv_ring_buffer_info *ring_info);
int hv_ringbuffer_write(struct vmbus_channel *channel,
			const struct kvec *kv_list, u32 kv_count);
int hv_ringbuffer_read(struct vmbus_channel *channel,
		       void *buffer, u32 buflen, u32 *buffer_actual_len,
		       u64 *requestid, bool raw);

/* vmbus_drv.c */
int vmbus_device_register(struct hv_device *child_device_obj);
void vmbus_device_unregister(struct hv_device *device_obj);
struct hv_device *vmbus_device_create(const guid_t *type,
				      const guid_t *instance,
				      struct vmbus_channel *channel);
void vmbus_on_event(unsigned long data);
void vmbus_on_msg_dpc(unsigned long data);

#endif /* _HYPERV_VMBUS_H */
