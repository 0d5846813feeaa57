/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares what the NVMe core (core.c) and the PCIe transport
 * (pci.c) of module "nvme" share, as the kernel's drivers/nvme/host/nvme.h:
 * the controller and its state machine, the transport operations, and the
 * admin requests.
 *
 * Customised for the harness: there is no block layer. The admin queue's
 * requests are a fixed set of struct request slots (the admin tag set,
 * depth NVME_AQ_BLK_MQ_DEPTH) that the core hands to the transport's
 * queue_rq directly; a request times out through a delayed work on the
 * "kblockd" workqueue (blk_mq_timeout_work, which calls the transport's
 * timeout, nvme_timeout: the actor T of race: nvme-*); there are no
 * namespaces and no I/O: the I/O queues exist, with their IRQs, but
 * nothing is ever submitted on them. Functions that in the kernel belong
 * to blk-mq keep their names (blk_mq_complete_request...) so the driver
 * code reads like the kernel's.
 */
#ifndef _NVME_H
#define _NVME_H

#include <linux/completion.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/nvme.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

extern unsigned int admin_timeout;
#define NVME_ADMIN_TIMEOUT	(admin_timeout * HZ)

extern unsigned char shutdown_timeout;

extern struct workqueue_struct *nvme_wq;
extern struct workqueue_struct *nvme_reset_wq;
extern struct workqueue_struct *nvme_delete_wq;
extern struct workqueue_struct *kblockd_workqueue;

/* The admin queue: 32 entries, one kept for an Asynchronous Event. */
#define NVME_AQ_DEPTH		32
#define NVME_NR_AEN_COMMANDS	1
#define NVME_AQ_BLK_MQ_DEPTH	(NVME_AQ_DEPTH - NVME_NR_AEN_COMMANDS)

#define NVME_CTRL_PAGE_SHIFT	12

enum nvme_ctrl_state {
	NVME_CTRL_NEW,
	NVME_CTRL_LIVE,
	NVME_CTRL_RESETTING,
	NVME_CTRL_CONNECTING,
	NVME_CTRL_DELETING,
	NVME_CTRL_DELETING_NOIO,
	NVME_CTRL_DEAD,
};

/* ------------------------------------------------- admin requests -- */

typedef int blk_status_t;
#define BLK_STS_OK		0
#define BLK_STS_IOERR		10

enum blk_eh_timer_return {
	BLK_EH_DONE,
	BLK_EH_RESET_TIMER,
};

enum mq_rq_state {
	MQ_RQ_IDLE,
	MQ_RQ_IN_FLIGHT,
	MQ_RQ_COMPLETE,
};

enum {
	NVME_REQ_CANCELLED	= (1 << 0),
};

struct nvme_ctrl;
struct request;

typedef void (rq_end_io_fn)(struct request *rq, blk_status_t error);

/*
 * One admin request slot: blk-mq's struct request and nvme's per-request
 * struct nvme_request in one.
 */
struct request {
	struct nvme_ctrl *ctrl;
	int tag;			/* also the NVMe command id */
	enum mq_rq_state state;
	struct nvme_command cmd;
	union nvme_result result;
	u16 status;			/* NVMe status, 0 on success */
	u8 flags;			/* NVME_REQ_* */
	rq_end_io_fn *end_io;		/* NULL: a waiter in nvme_execute_rq */
	void *end_io_data;
	blk_status_t error;
	struct completion done;
	struct delayed_work timeout_work;
	void *buffer;			/* bounce buffer of the data, if any */
	dma_addr_t buffer_dma;
	size_t buffer_len;
};

/* The admin tag set: its requests, which are busy, who waits for one. */
struct nvme_tag_set {
	struct request *rqs[NVME_AQ_BLK_MQ_DEPTH];
	unsigned long busy;		/* bit per tag */
	bool dying;			/* blk_cleanup_queue() started */
	spinlock_t lock;
	wait_queue_head_t wait;		/* a tag freed */
};

/* ------------------------------------------------------ controller -- */

struct nvme_ctrl_ops {
	const char *name;
	int (*reg_read32)(struct nvme_ctrl *ctrl, u32 off, u32 *val);
	int (*reg_write32)(struct nvme_ctrl *ctrl, u32 off, u32 val);
	int (*reg_read64)(struct nvme_ctrl *ctrl, u32 off, u64 *val);
	void (*free_ctrl)(struct nvme_ctrl *ctrl);
	/* hvsim: blk-mq's ->queue_rq and ->timeout of the admin queue. */
	blk_status_t (*queue_rq)(struct request *req);
	enum blk_eh_timer_return (*timeout)(struct request *req, bool reserved);
};

struct nvme_ctrl {
	enum nvme_ctrl_state state;
	spinlock_t lock;
	const struct nvme_ctrl_ops *ops;
	struct nvme_tag_set *admin_tags;	/* the admin_q; NULL once gone */
	struct device *dev;			/* the PCI function */
	int instance;
	struct device ctrl_device;
	struct device *device;			/* char device: "nvme0" */
	struct work_struct reset_work;
	struct work_struct scan_work;

	u32 ctrl_config;
	u32 queue_count;
	u64 cap;
	u32 vs;
	u32 max_hw_sectors;
	u32 max_segments;
	u16 oacs;
	u16 sqsize;
	u16 cntlid;
	u32 max_integrity_segments;
	unsigned long quirks;
	u8 shutdown_timeout;
	int numa_node;
};

static inline enum nvme_ctrl_state nvme_ctrl_state(struct nvme_ctrl *ctrl)
{
	return READ_ONCE(ctrl->state);
}

/* core.c */
int nvme_core_init(void);
void nvme_core_exit(void);
bool nvme_change_ctrl_state(struct nvme_ctrl *ctrl,
			    enum nvme_ctrl_state new_state);
int nvme_init_ctrl(struct nvme_ctrl *ctrl, struct device *dev,
		   const struct nvme_ctrl_ops *ops, unsigned long quirks);
void nvme_uninit_ctrl(struct nvme_ctrl *ctrl);
void nvme_get_ctrl(struct nvme_ctrl *ctrl);
void nvme_put_ctrl(struct nvme_ctrl *ctrl);
int nvme_reset_ctrl(struct nvme_ctrl *ctrl);
int nvme_disable_ctrl(struct nvme_ctrl *ctrl);
int nvme_enable_ctrl(struct nvme_ctrl *ctrl);
int nvme_shutdown_ctrl(struct nvme_ctrl *ctrl);
int nvme_init_identify(struct nvme_ctrl *ctrl);
int nvme_set_queue_count(struct nvme_ctrl *ctrl, int *count);

int __nvme_submit_sync_cmd(struct nvme_ctrl *ctrl, struct nvme_command *cmd,
			   union nvme_result *result, void *buffer,
			   unsigned int bufflen, bool nowait);
int nvme_submit_sync_cmd(struct nvme_ctrl *ctrl, struct nvme_command *cmd,
			 void *buf, unsigned int bufflen);
struct request *nvme_alloc_request(struct nvme_ctrl *ctrl,
				   struct nvme_command *cmd, bool nowait);
void blk_execute_rq_nowait(struct request *req, rq_end_io_fn *done);
void blk_mq_free_request(struct request *req);
void blk_mq_start_request(struct request *req);
bool blk_mq_complete_request(struct request *req);
static inline bool blk_mq_request_completed(struct request *req)
{
	return READ_ONCE(req->state) == MQ_RQ_COMPLETE;
}
bool nvme_try_complete_req(struct request *req, u16 status,
			   union nvme_result result);
bool nvme_cancel_request(struct request *req, void *data, bool reserved);
void blk_mq_tagset_busy_iter(struct nvme_tag_set *set,
			     bool (*fn)(struct request *, void *, bool),
			     void *priv);
int nvme_alloc_admin_tag_set(struct nvme_ctrl *ctrl,
			     struct nvme_tag_set *set);
void nvme_remove_admin_tag_set(struct nvme_ctrl *ctrl);

/* Namespaces and I/O are not modelled: these do nothing. */
static inline void nvme_start_ctrl(struct nvme_ctrl *ctrl) { }
static inline void nvme_stop_ctrl(struct nvme_ctrl *ctrl) { }
static inline void nvme_remove_namespaces(struct nvme_ctrl *ctrl) { }
static inline void nvme_kill_queues(struct nvme_ctrl *ctrl) { }
static inline void nvme_start_queues(struct nvme_ctrl *ctrl) { }
static inline void nvme_stop_queues(struct nvme_ctrl *ctrl) { }
static inline void nvme_start_freeze(struct nvme_ctrl *ctrl) { }
static inline void nvme_wait_freeze(struct nvme_ctrl *ctrl) { }
static inline void nvme_unfreeze(struct nvme_ctrl *ctrl) { }
static inline void nvme_sync_queues(struct nvme_ctrl *ctrl) { }

#endif /* _NVME_H */
