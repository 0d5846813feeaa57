// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements storvsc, the Hyper-V synthetic SCSI controller
 * driver, in the shape of v4.19 and cut down to what race 1 needs: probe
 * (asynchronous), connecting to the VSP over the primary channel, the VSTOR
 * initialisation protocol, multi-channel setup with sub-channels, the
 * channel callback, and an I/O path that picks a channel per submitting
 * CPU. It sits between the VMBus core (drivers/hv/) below and, in place of
 * the SCSI midlayer above, a scan thread that issues the host's commands.
 *
 * race: storvsc-subchannel-race. handle_multichannel_storage() and
 * handle_sc_creation() hold both sides of c967590457ca ("scsi: storvsc:
 * Fix a race in sub-channel creation that can cause panic") in place,
 * behind hvsim_fixed(storvsc_subchannel_race). Before the fix,
 * a sub-channel can be opened both by vmbus_process_offer (path #1, in the
 * hv_vmbus_con worker) and by the probe's second
 * vmbus_are_subchannels_present() (path #2, in the async probe worker);
 * with ae6935ed7d42's vmbus_open the loser frees the winner's ring.
 */
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/hyperv.h>
#include <linux/kernel.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include <hvsim/driver.h>

/* ------------------------------------------------------ VSTOR protocol -- */

#define VMSTOR_PROTO_VERSION(MAJOR_, MINOR_)	((((MAJOR_) & 0xff) << 8) | \
						 (((MINOR_) & 0xff)))

#define VMSTOR_PROTO_VERSION_WIN6	VMSTOR_PROTO_VERSION(2, 0)
#define VMSTOR_PROTO_VERSION_WIN7	VMSTOR_PROTO_VERSION(4, 2)
#define VMSTOR_PROTO_VERSION_WIN8	VMSTOR_PROTO_VERSION(5, 1)
#define VMSTOR_PROTO_VERSION_WIN8_1	VMSTOR_PROTO_VERSION(6, 0)
#define VMSTOR_PROTO_VERSION_WIN10	VMSTOR_PROTO_VERSION(6, 2)

enum vstor_packet_operation {
	VSTOR_OPERATION_COMPLETE_IO		= 1,
	VSTOR_OPERATION_REMOVE_DEVICE		= 2,
	VSTOR_OPERATION_EXECUTE_SRB		= 3,
	VSTOR_OPERATION_RESET_LUN		= 4,
	VSTOR_OPERATION_RESET_ADAPTER		= 5,
	VSTOR_OPERATION_RESET_BUS		= 6,
	VSTOR_OPERATION_BEGIN_INITIALIZATION	= 7,
	VSTOR_OPERATION_END_INITIALIZATION	= 8,
	VSTOR_OPERATION_QUERY_PROTOCOL_VERSION	= 9,
	VSTOR_OPERATION_QUERY_PROPERTIES	= 10,
	VSTOR_OPERATION_ENUMERATE_BUS		= 11,
	VSTOR_OPERATION_FCHBA_DATA		= 12,
	VSTOR_OPERATION_CREATE_SUB_CHANNELS	= 13,
	VSTOR_OPERATION_MAXIMUM			= 13
};

#define STORVSC_MAX_CMD_LEN			0x10
#define POST_WIN7_STORVSC_SENSE_BUFFER_SIZE	0x14
#define STORVSC_SENSE_BUFFER_SIZE		0x14
#define STORVSC_MAX_BUF_LEN_WITH_PADDING	0x14

/* The SCSI request block, Win8 layout (with the extension). */
struct vmscsi_request {
	u16 length;
	u8 srb_status;
	u8 scsi_status;

	u8  port_number;
	u8  path_id;
	u8  target_id;
	u8  lun;

	u8  cdb_length;
	u8  sense_info_length;
	u8  data_in;
	u8  reserved;

	u32 data_transfer_length;

	union {
		u8 cdb[STORVSC_MAX_CMD_LEN];
		u8 sense_data[STORVSC_SENSE_BUFFER_SIZE];
		u8 reserved_array[STORVSC_MAX_BUF_LEN_WITH_PADDING];
	};
	/* Win8 extension */
	u16 reserve;
	u8  queue_tag;
	u8  queue_action;
	u32 srb_flags;
	u32 time_out_value;
	u32 queue_sort_ey;
} __packed;

struct vmstorage_channel_properties {
	u32 reserved;
	u16 max_channel_cnt;
	u16 reserved1;

	u32 flags;
	u32   max_transfer_bytes;

	u64  reserved2;
} __packed;

struct vmstorage_protocol_version {
	u16 major_minor;
	u16 revision;
} __packed;

#define STORAGE_CHANNEL_SUPPORTS_MULTI_CHANNEL	0x1

struct vstor_packet {
	enum vstor_packet_operation operation;
	u32 flags;
	u32 status;

	union {
		struct vmscsi_request vm_srb;
		struct vmstorage_channel_properties storage_channel_properties;
		struct vmstorage_protocol_version version;
		u16 sub_channel_count;
		u8  buffer[0x34];
	};
} __packed;

/* The host model parses the same layout (models/storvsc_vsp.c). */
_Static_assert(sizeof(struct vmscsi_request) == 0x34, "vmscsi_request");
_Static_assert(sizeof(struct vstor_packet) == 0x40, "vstor_packet");

#define REQUEST_COMPLETION_FLAG	0x1

#define SRB_STATUS_SUCCESS	0x01
#define READ_TYPE		1

/* SCSI opcodes the scan issues. */
#define INQUIRY			0x12
#define REPORT_LUNS		0xa0

/* Try the newest VSTOR protocol first; every one here has Win8 layout. */
static const int vmstor_protocols[] = {
	VMSTOR_PROTO_VERSION_WIN10,
	VMSTOR_PROTO_VERSION_WIN8_1,
	VMSTOR_PROTO_VERSION_WIN8,
};

static int vmstor_proto_version;
static int sense_buffer_size = POST_WIN7_STORVSC_SENSE_BUFFER_SIZE;

/*
 * Ring size per direction. The kernel's default is 128 KiB (storvsc_ring_
 * buffer_size); a scenario keeps only a few packets in flight, and zeroing
 * big rings would dominate an execution's cost, so the simulation uses
 * four pages (one header page and three data pages).
 */
static int storvsc_ringbuffer_size = 4 * PAGE_SIZE;

/*
 * How long the scan waits for one command, seconds: the midlayer's
 * scsi_inq_timeout (the kernel's storvsc_timeout of 180 s is the block
 * layer's timer for regular I/O, which no task blocks on).
 */
static int scsi_inq_timeout = 20;

/* ------------------------------------------------------------ objects -- */

struct storvsc_cmd_request {
	struct hv_device *device;

	/* Synchronise the request/response if needed. */
	struct completion wait_event;

	struct vstor_packet vstor_packet;
};

struct storvsc_device {
	struct hv_device *device;

	bool	 destroy;
	bool	 drain_notify;
	/* race: storvsc-subchannel-race — pre-fix only: may the sub-channel
	 * callback open sub-channels? Written and read with no lock. */
	bool	 open_sub_channel;
	atomic_t num_outstanding_req;
	wait_queue_head_t waiting_to_drain;

	unsigned int port_number;
	unsigned char path_id;
	unsigned char target_id;

	u32 max_transfer_bytes;

	/* Number of sub-channels we will open. */
	u16 num_sc;
	struct vmbus_channel **stor_chns;
	/* Mask of CPUs bound to sub-channels. */
	struct cpumask alloced_cpus;

	struct storvsc_cmd_request init_request;
	struct storvsc_cmd_request reset_request;

	/* hvsim: the thread standing in for scsi_scan_host(), and its end,
	 * which remove waits for as scsi_remove_host() waits for a scan. */
	struct task_struct *scan_task;
	struct completion scan_done;
};

static inline struct storvsc_device *get_out_stor_device(
					struct hv_device *device)
{
	struct storvsc_device *stor_device;

	stor_device = hv_get_drvdata(device);

	if (stor_device && stor_device->destroy)
		stor_device = NULL;

	return stor_device;
}

static inline struct storvsc_device *get_in_stor_device(
					struct hv_device *device)
{
	struct storvsc_device *stor_device;

	stor_device = hv_get_drvdata(device);
	if (!stor_device)
		return NULL;

	/* Destroying, and nothing outstanding: no more packets expected. */
	if (stor_device->destroy &&
	    atomic_read(&stor_device->num_outstanding_req) == 0)
		return NULL;

	return stor_device;
}

static void storvsc_on_channel_callback(void *context);

/* ------------------------------------------------------- sub-channels -- */

/*
 * The sub-channel callback: vmbus_process_offer calls it for each new
 * sub-channel (path #1).
 *
 * race: storvsc-subchannel-race. Before c967590457ca the probe calls it
 * too, through vmbus_are_subchannels_present() (path #2); the
 * open_sub_channel flag was meant to let only one path open, it does not,
 * and the result of vmbus_open() is ignored. After the fix this is the
 * only opener and a channel that fails to open is not used.
 */
static void handle_sc_creation(struct vmbus_channel *new_sc)
{
	struct hv_device *device = new_sc->primary_channel->device_obj;
	struct device *dev = &device->device;
	struct storvsc_device *stor_device;
	struct vmstorage_channel_properties props;
	int ret;

	stor_device = get_out_stor_device(device);
	if (!stor_device)
		return;

	/* race: storvsc-subchannel-race (removed by the fix) */
	if (!hvsim_fixed(storvsc_subchannel_race) &&
	    stor_device->open_sub_channel == false)
		return;

	memset(&props, 0, sizeof(struct vmstorage_channel_properties));

	sim_point("storvsc.sc_open");
	ret = vmbus_open(new_sc,
			 storvsc_ringbuffer_size,
			 storvsc_ringbuffer_size,
			 (void *)&props,
			 sizeof(struct vmstorage_channel_properties),
			 storvsc_on_channel_callback, new_sc);

	if (hvsim_fixed(storvsc_subchannel_race)) {
		/* In case vmbus_open() fails, we don't use the sub-channel. */
		if (ret != 0) {
			dev_err(dev, "Failed to open sub-channel: err=%d\n",
				ret);
			return;
		}
	} else if (new_sc->state != CHANNEL_OPENED_STATE) {
		/* Before the fix: the return value is ignored, the state
		 * decides, and the loser of the race sees the winner's
		 * OPENED state and registers the channel a second time. */
		return;
	}

	/* Add the sub-channel to the array of available channels. */
	stor_device->stor_chns[new_sc->target_cpu] = new_sc;
	cpumask_set_cpu(new_sc->target_cpu, &stor_device->alloced_cpus);
}

/*
 * Ask the host for @num_sc sub-channels on the primary and wait (10 s) for
 * its answer. Both forms of handle_multichannel_storage share this.
 * Returns 0 when the host said yes.
 */
static int storvsc_create_sub_channels(struct hv_device *device,
				       struct storvsc_device *stor_device,
				       int num_sc)
{
	struct device *dev = &device->device;
	struct storvsc_cmd_request *request = &stor_device->init_request;
	struct vstor_packet *vstor_packet = &request->vstor_packet;
	bool fixed = hvsim_fixed(storvsc_subchannel_race);
	int ret, t;

	memset(request, 0, sizeof(struct storvsc_cmd_request));
	init_completion(&request->wait_event);
	vstor_packet->operation = VSTOR_OPERATION_CREATE_SUB_CHANNELS;
	vstor_packet->flags = REQUEST_COMPLETION_FLAG;
	vstor_packet->sub_channel_count = num_sc;

	ret = vmbus_sendpacket(device->channel, vstor_packet,
			       sizeof(struct vstor_packet),
			       (unsigned long)request,
			       VM_PKT_DATA_INBAND,
			       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	if (ret != 0) {
		if (fixed)
			dev_err(dev, "Failed to create sub-channel: err=%d\n",
				ret);
		return ret;
	}
	sim_point("storvsc.sc_request_sent");

	t = wait_for_completion_timeout(&request->wait_event, 10 * HZ);
	if (t == 0) {
		if (fixed)
			dev_err(dev, "Failed to create sub-channel: timed out\n");
		return -ETIMEDOUT;
	}

	if (vstor_packet->operation != VSTOR_OPERATION_COMPLETE_IO ||
	    vstor_packet->status != 0) {
		if (fixed)
			dev_err(dev, "Failed to create sub-channel: op=%d, sts=%d\n",
				vstor_packet->operation, vstor_packet->status);
		return -EINVAL;
	}
	return 0;
}

/*
 * Set up multi-channel storage: install the sub-channel callback, ask the
 * host for sub-channels and wait for its answer.
 *
 * race: storvsc-subchannel-race. Before c967590457ca, once the host has
 * answered, the probe sets open_sub_channel and walks sc_list itself
 * (path #2), while vmbus_process_offer may be about to call
 * handle_sc_creation on the same sub-channel (path #1), which then sees
 * the flag set too. After the fix, opening is left to vmbus_process_offer.
 */
static void handle_multichannel_storage(struct hv_device *device, int max_chns)
{
	bool fixed = hvsim_fixed(storvsc_subchannel_race);
	struct storvsc_device *stor_device;
	int num_sc;

	num_sc = min((int)(num_online_cpus() - 1), max_chns);
	if (!num_sc)
		return;

	stor_device = get_out_stor_device(device);
	if (!stor_device)
		return;

	stor_device->num_sc = num_sc;

	/* race: storvsc-subchannel-race (removed by the fix) */
	if (!fixed)
		stor_device->open_sub_channel = true;
	/* Establish a handler for dealing with sub-channels. */
	vmbus_set_sc_create_callback(device->channel, handle_sc_creation);

	if (!fixed) {
		/*
		 * race: storvsc-subchannel-race (removed by the fix). The
		 * sub-channels may already be there if the driver was
		 * reloaded; the commit message says this never happens.
		 */
		if (vmbus_are_subchannels_present(device->channel))
			return;
		stor_device->open_sub_channel = false;
	}

	if (storvsc_create_sub_channels(device, stor_device, num_sc))
		return;

	/* race: storvsc-subchannel-race (removed by the fix) */
	if (!fixed)
		stor_device->open_sub_channel = true;
	sim_point("storvsc.sc_wait_done");
	if (fixed) {
		/*
		 * We need to do nothing here, because vmbus_process_offer()
		 * invokes channel->sc_creation_callback, which will open and
		 * use the sub-channel(s).
		 */
		return;
	}

	/*
	 * race: storvsc-subchannel-race (removed by the fix). Now that the
	 * sub-channels were created, invoke the check; this may trigger the
	 * callback. This is path #2.
	 */
	sim_point("storvsc.path2");
	vmbus_are_subchannels_present(device->channel);
}

/* ------------------------------------------------------ initialisation -- */

/* Send one VSTOR operation on the primary and wait up to 5 s. */
static int storvsc_execute_vstor_op(struct hv_device *device,
				    struct storvsc_cmd_request *request,
				    bool status_check)
{
	struct vstor_packet *vstor_packet;
	int ret, t;

	vstor_packet = &request->vstor_packet;

	init_completion(&request->wait_event);
	vstor_packet->flags = REQUEST_COMPLETION_FLAG;

	ret = vmbus_sendpacket(device->channel, vstor_packet,
			       sizeof(struct vstor_packet),
			       (unsigned long)request,
			       VM_PKT_DATA_INBAND,
			       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	if (ret != 0)
		return ret;

	t = wait_for_completion_timeout(&request->wait_event, 5 * HZ);
	if (t == 0)
		return -ETIMEDOUT;

	if (!status_check)
		return ret;

	if (vstor_packet->operation != VSTOR_OPERATION_COMPLETE_IO ||
	    vstor_packet->status != 0)
		return -EINVAL;

	return ret;
}

/*
 * The VSTOR initialisation protocol: BEGIN_INITIALIZATION, the protocol
 * version, QUERY_PROPERTIES (multi-channel support and how many
 * channels), END_INITIALIZATION; then the sub-channels. FCHBA_DATA is for
 * Fibre Channel only and is left out.
 */
static int storvsc_channel_init(struct hv_device *device, bool is_fc)
{
	struct storvsc_device *stor_device;
	struct storvsc_cmd_request *request;
	struct vstor_packet *vstor_packet;
	bool process_sub_channels = false;
	int ret, i, max_chns;

	stor_device = get_out_stor_device(device);
	if (!stor_device)
		return -ENODEV;

	request = &stor_device->init_request;
	vstor_packet = &request->vstor_packet;

	memset(request, 0, sizeof(struct storvsc_cmd_request));
	vstor_packet->operation = VSTOR_OPERATION_BEGIN_INITIALIZATION;
	ret = storvsc_execute_vstor_op(device, request, true);
	if (ret)
		return ret;

	for (i = 0; i < ARRAY_SIZE(vmstor_protocols); i++) {
		memset(vstor_packet, 0, sizeof(struct vstor_packet));
		vstor_packet->operation = VSTOR_OPERATION_QUERY_PROTOCOL_VERSION;
		vstor_packet->version.major_minor = vmstor_protocols[i];
		vstor_packet->version.revision = 0;

		ret = storvsc_execute_vstor_op(device, request, false);
		if (ret != 0)
			return ret;

		if (vstor_packet->operation != VSTOR_OPERATION_COMPLETE_IO)
			return -EINVAL;

		if (vstor_packet->status == 0) {
			vmstor_proto_version = vmstor_protocols[i];
			break;
		}
	}

	if (vstor_packet->status != 0)
		return -EINVAL;

	memset(vstor_packet, 0, sizeof(struct vstor_packet));
	vstor_packet->operation = VSTOR_OPERATION_QUERY_PROPERTIES;
	ret = storvsc_execute_vstor_op(device, request, true);
	if (ret != 0)
		return ret;

	max_chns = vstor_packet->storage_channel_properties.max_channel_cnt;

	/*
	 * One slot per CPU, sparsely populated with the primary and the
	 * sub-channels; I/O from a CPU without one gets a channel assigned.
	 */
	stor_device->stor_chns = kcalloc(num_possible_cpus(), sizeof(void *),
					 GFP_KERNEL);
	if (stor_device->stor_chns == NULL)
		return -ENOMEM;

	stor_device->stor_chns[device->channel->target_cpu] = device->channel;
	cpumask_set_cpu(device->channel->target_cpu,
			&stor_device->alloced_cpus);

	if (vmstor_proto_version >= VMSTOR_PROTO_VERSION_WIN8 &&
	    (vstor_packet->storage_channel_properties.flags &
	     STORAGE_CHANNEL_SUPPORTS_MULTI_CHANNEL))
		process_sub_channels = true;

	stor_device->max_transfer_bytes =
		vstor_packet->storage_channel_properties.max_transfer_bytes;

	memset(vstor_packet, 0, sizeof(struct vstor_packet));
	vstor_packet->operation = VSTOR_OPERATION_END_INITIALIZATION;
	ret = storvsc_execute_vstor_op(device, request, true);
	if (ret != 0)
		return ret;

	if (process_sub_channels)
		handle_multichannel_storage(device, max_chns);

	return ret;
}

static int storvsc_connect_to_vsp(struct hv_device *device, u32 ring_size,
				  bool is_fc)
{
	struct vmstorage_channel_properties props;
	int ret;

	memset(&props, 0, sizeof(struct vmstorage_channel_properties));

	ret = vmbus_open(device->channel,
			 ring_size,
			 ring_size,
			 (void *)&props,
			 sizeof(struct vmstorage_channel_properties),
			 storvsc_on_channel_callback, device->channel);
	if (ret != 0)
		return ret;

	return storvsc_channel_init(device, is_fc);
}

/* ----------------------------------------------------------- receive -- */

static void storvsc_on_io_completion(struct storvsc_device *stor_device,
				     struct vstor_packet *vstor_packet,
				     struct storvsc_cmd_request *request)
{
	/* Copy back what the host says about the command. */
	request->vstor_packet.vm_srb.scsi_status =
		vstor_packet->vm_srb.scsi_status;
	request->vstor_packet.vm_srb.srb_status =
		vstor_packet->vm_srb.srb_status;
	request->vstor_packet.vm_srb.data_transfer_length =
		vstor_packet->vm_srb.data_transfer_length;
	request->vstor_packet.status = vstor_packet->status;

	/* In place of scsi_done(): the submitter waits on this. */
	complete(&request->wait_event);

	if (atomic_dec_and_test(&stor_device->num_outstanding_req) &&
	    stor_device->drain_notify)
		wake_up(&stor_device->waiting_to_drain);
}

static void storvsc_on_receive(struct storvsc_device *stor_device,
			       struct vstor_packet *vstor_packet,
			       struct storvsc_cmd_request *request)
{
	switch (vstor_packet->operation) {
	case VSTOR_OPERATION_COMPLETE_IO:
		storvsc_on_io_completion(stor_device, vstor_packet, request);
		break;
	case VSTOR_OPERATION_REMOVE_DEVICE:
	case VSTOR_OPERATION_ENUMERATE_BUS:
		/* A bus rescan; nothing to do in this model. */
		break;
	default:
		break;
	}
}

/*
 * storvsc_on_channel_callback - every packet in the channel's inbound
 * ring: answers to init_request and reset_request are copied back and
 * completed; the rest are I/O completions.
 */
static void storvsc_on_channel_callback(void *context)
{
	struct vmbus_channel *channel = (struct vmbus_channel *)context;
	struct hv_device *device;
	struct storvsc_device *stor_device;
	struct vstor_packet packet;
	u32 bytes_recvd;
	u64 request_id;
	int ret;

	if (channel->primary_channel != NULL)
		device = channel->primary_channel->device_obj;
	else
		device = channel->device_obj;

	stor_device = get_in_stor_device(device);
	if (!stor_device)
		return;

	for (;;) {
		struct storvsc_cmd_request *request;

		ret = vmbus_recvpacket(channel, &packet, sizeof(packet),
				       &bytes_recvd, &request_id);
		if (ret != 0 || bytes_recvd == 0)
			break;
		if (bytes_recvd < sizeof(packet))
			memset((u8 *)&packet + bytes_recvd, 0,
			       sizeof(packet) - bytes_recvd);

		request = (struct storvsc_cmd_request *)
			(unsigned long)request_id;

		if (request == &stor_device->init_request ||
		    request == &stor_device->reset_request) {
			memcpy(&request->vstor_packet, &packet,
			       sizeof(struct vstor_packet));
			complete(&request->wait_event);
		} else {
			storvsc_on_receive(stor_device, &packet, request);
		}
	}
}

/* ---------------------------------------------------------------- I/O -- */

/*
 * A CPU with no channel of its own yet: spread such CPUs evenly over the
 * channels we have, and remember the choice.
 */
static struct vmbus_channel *get_og_chn(struct storvsc_device *stor_device,
					u16 q_num)
{
	u16 slot = 0;
	u16 hash_qnum;
	int num_channels, tgt_cpu;

	if (stor_device->num_sc == 0)
		return stor_device->device->channel;

	num_channels = cpumask_weight(&stor_device->alloced_cpus);
	if (num_channels == 0)
		return stor_device->device->channel;

	hash_qnum = q_num;
	while (hash_qnum >= num_channels)
		hash_qnum -= num_channels;

	for_each_cpu(tgt_cpu, &stor_device->alloced_cpus) {
		if (slot == hash_qnum)
			break;
		slot++;
	}

	stor_device->stor_chns[q_num] = stor_device->stor_chns[tgt_cpu];

	return stor_device->stor_chns[q_num];
}

/*
 * storvsc_do_io - send one SCSI request, on the channel of the CPU that
 * submits it (@q_num).
 */
static int storvsc_do_io(struct hv_device *device,
			 struct storvsc_cmd_request *request, u16 q_num)
{
	struct storvsc_device *stor_device;
	struct vstor_packet *vstor_packet;
	struct vmbus_channel *outgoing_channel;
	int ret;

	vstor_packet = &request->vstor_packet;
	stor_device = get_out_stor_device(device);
	if (!stor_device)
		return -ENODEV;

	request->device = device;

	/* Select an appropriate channel to send the request out. */
	outgoing_channel = stor_device->stor_chns[q_num];
	if (outgoing_channel == NULL)
		outgoing_channel = get_og_chn(stor_device, q_num);

	vstor_packet->flags |= REQUEST_COMPLETION_FLAG;
	vstor_packet->vm_srb.length = sizeof(struct vmscsi_request);
	vstor_packet->vm_srb.sense_info_length = sense_buffer_size;
	vstor_packet->operation = VSTOR_OPERATION_EXECUTE_SRB;

	sim_point("storvsc.do_io");
	ret = vmbus_sendpacket(outgoing_channel, vstor_packet,
			       sizeof(struct vstor_packet),
			       (unsigned long)request,
			       VM_PKT_DATA_INBAND,
			       VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED);
	if (ret != 0)
		return ret;

	atomic_inc(&stor_device->num_outstanding_req);
	return ret;
}

/* One command from CPU @q_num, waited for like the midlayer would. */
static int storvsc_scan_cmd(struct storvsc_device *stor_device,
			    struct storvsc_cmd_request *request,
			    u8 opcode, u8 lun, u16 q_num)
{
	struct hv_device *device = stor_device->device;
	struct vmscsi_request *vm_srb = &request->vstor_packet.vm_srb;
	int ret;

	memset(request, 0, sizeof(*request));
	init_completion(&request->wait_event);

	vm_srb->port_number = stor_device->port_number;
	vm_srb->path_id = stor_device->path_id;
	vm_srb->target_id = stor_device->target_id;
	vm_srb->lun = lun;
	vm_srb->cdb_length = opcode == REPORT_LUNS ? 12 : 6;
	vm_srb->cdb[0] = opcode;
	vm_srb->data_in = READ_TYPE;

	ret = storvsc_do_io(device, request, q_num);
	if (ret) {
		dev_err(&device->device, "scan: cmd 0x%x failed to send: %d\n",
			opcode, ret);
		return ret;
	}

	if (!wait_for_completion_timeout(&request->wait_event,
					 scsi_inq_timeout * HZ)) {
		dev_err(&device->device, "scan: cmd 0x%x timed out\n", opcode);
		return -ETIMEDOUT;
	}
	return 0;
}

/*
 * hvsim: in place of scsi_scan_host(). REPORT LUNS from CPU 0 tells how
 * many LUNs the host has (8 bytes of LUN list per LUN; this model carries
 * only the length), then an INQUIRY per LUN, submitted from the CPUs in
 * turn, so every CPU's channel carries I/O.
 */
static int storvsc_scan_thread(void *data)
{
	struct storvsc_device *stor_device = data;
	struct storvsc_cmd_request *request;
	unsigned int nr_cpus = num_online_cpus();
	u32 luns, lun;
	int ret;

	request = kzalloc(sizeof(*request), GFP_KERNEL);
	if (!request)
		return -ENOMEM;

	ret = storvsc_scan_cmd(stor_device, request, REPORT_LUNS, 0, 0);
	if (ret)
		goto out;

	luns = request->vstor_packet.vm_srb.data_transfer_length / 8;
	for (lun = 0; lun < luns; lun++) {
		ret = storvsc_scan_cmd(stor_device, request, INQUIRY, lun,
				       lun % nr_cpus);
		if (ret)
			break;
	}
out:
	kfree(request);
	complete(&stor_device->scan_done);
	return ret;
}

/* ------------------------------------------------------ probe/remove -- */

static int storvsc_probe(struct hv_device *device,
			 const struct hv_vmbus_device_id *dev_id)
{
	struct storvsc_device *stor_device;
	bool is_fc = false;
	int ret;

	stor_device = kzalloc(sizeof(struct storvsc_device), GFP_KERNEL);
	if (!stor_device)
		return -ENOMEM;

	stor_device->destroy = false;
	stor_device->open_sub_channel = false;
	init_waitqueue_head(&stor_device->waiting_to_drain);
	stor_device->device = device;
	/* Before connecting: the channel callback looks it up. */
	hv_set_drvdata(device, stor_device);

	stor_device->port_number = 0;
	init_completion(&stor_device->scan_done);
	ret = storvsc_connect_to_vsp(device, storvsc_ringbuffer_size, is_fc);
	if (ret)
		goto err_out1;

	/* Where the kernel calls scsi_scan_host(). */
	stor_device->scan_task = kthread_run(storvsc_scan_thread, stor_device,
					     "scsi_scan_%d",
					     stor_device->port_number);
	if (IS_ERR(stor_device->scan_task))
		complete(&stor_device->scan_done);
	return 0;

err_out1:
	hv_set_drvdata(device, NULL);
	kfree(stor_device->stor_chns);
	kfree(stor_device);
	return ret;
}

/* Stop new I/O, wait for the outstanding, close the channels. */
static void storvsc_wait_to_drain(struct storvsc_device *dev)
{
	dev->drain_notify = true;
	wait_event(dev->waiting_to_drain,
		   atomic_read(&dev->num_outstanding_req) == 0);
	dev->drain_notify = false;
}

static int storvsc_remove(struct hv_device *device)
{
	struct storvsc_device *stor_device = hv_get_drvdata(device);

	/* As scsi_remove_host(): no scan may run past this point. */
	wait_for_completion(&stor_device->scan_done);

	stor_device->destroy = true;
	storvsc_wait_to_drain(stor_device);

	/* No more callbacks once the channels are closed. */
	vmbus_close(device->channel);

	hv_set_drvdata(device, NULL);
	kfree(stor_device->stor_chns);
	kfree(stor_device);
	return 0;
}

static const struct hv_vmbus_device_id id_table[] = {
	/* SCSI guid */
	{ HV_SCSI_GUID, },
	{ },
};

static struct hv_driver storvsc_drv = {
	.name = KBUILD_MODNAME,
	.id_table = id_table,
	.probe = storvsc_probe,
	.remove = storvsc_remove,
	.driver = {
		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	},
};

static int __init storvsc_drv_init(void)
{
	return vmbus_driver_register(&storvsc_drv);
}

static void __exit storvsc_drv_exit(void)
{
	vmbus_driver_unregister(&storvsc_drv);
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Microsoft Hyper-V virtual storage driver");
module_init(storvsc_drv_init);
module_exit(storvsc_drv_exit);
