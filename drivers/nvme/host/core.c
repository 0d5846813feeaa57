// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the NVMe core as the PCIe transport (pci.c) uses
 * it, after the kernel's drivers/nvme/host/core.c of v5.13: the
 * controller state machine, controller enable/disable/shutdown through
 * CC and CSTS, Identify, Set Features Number of Queues, synchronous admin
 * commands, and the admin requests (the part of blk-mq this driver
 * needs: tags, start, completion, cancellation, the timeout work). It
 * sits between the transport (nvme.h's nvme_ctrl_ops) and the shim's
 * workqueues, locks and completions.
 *
 * Kept from v5.13 because the races go through it: nvme_change_ctrl_state()
 * under ctrl->lock with the kernel's transition table (the post-fix
 * trylock sections test for CONNECTING; nvme_remove() and nvme_timeout()
 * move the state to DELETING); __nvme_submit_sync_cmd() returns -EINTR
 * for a cancelled command and the NVMe status (> 0) for a failed one;
 * a request the transport refuses (the admin queue's NVMEQ_ENABLED is
 * clear) ends without an NVMe status, so the caller sees 0, as in v5.13.
 */
#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "nvme.h"

unsigned int admin_timeout = 60;
module_param(admin_timeout, uint, 0644);
MODULE_PARM_DESC(admin_timeout, "timeout in seconds for admin commands");

unsigned char shutdown_timeout = 5;
module_param(shutdown_timeout, byte, 0644);
MODULE_PARM_DESC(shutdown_timeout, "timeout in seconds for controller shutdown");

struct workqueue_struct *nvme_wq;
struct workqueue_struct *nvme_reset_wq;
struct workqueue_struct *nvme_delete_wq;
/* hvsim: block/blk-core.c's workqueue, for the admin request timeouts. */
struct workqueue_struct *kblockd_workqueue;

/* The kernel's ida of controller instances: "nvme0", "nvme1"... */
static int nvme_instance_next;

/*
 * hvsim: the kernel's "nvme" class, here only so that dev_printk() of the
 * controller device prints "nvme nvme0: ..." as the kernel does.
 */
static struct bus_type nvme_class = {
	.name = "nvme",
};

/* ------------------------------------------------------- state machine -- */

bool nvme_change_ctrl_state(struct nvme_ctrl *ctrl,
			    enum nvme_ctrl_state new_state)
{
	enum nvme_ctrl_state old_state;
	unsigned long flags;
	bool changed = false;

	spin_lock_irqsave(&ctrl->lock, flags);

	old_state = ctrl->state;
	switch (new_state) {
	case NVME_CTRL_LIVE:
		switch (old_state) {
		case NVME_CTRL_NEW:
		case NVME_CTRL_RESETTING:
		case NVME_CTRL_CONNECTING:
			changed = true;
			fallthrough;
		default:
			break;
		}
		break;
	case NVME_CTRL_RESETTING:
		switch (old_state) {
		case NVME_CTRL_NEW:
		case NVME_CTRL_LIVE:
			changed = true;
			fallthrough;
		default:
			break;
		}
		break;
	case NVME_CTRL_CONNECTING:
		switch (old_state) {
		case NVME_CTRL_NEW:
		case NVME_CTRL_RESETTING:
			changed = true;
			fallthrough;
		default:
			break;
		}
		break;
	case NVME_CTRL_DELETING:
		switch (old_state) {
		case NVME_CTRL_LIVE:
		case NVME_CTRL_RESETTING:
		case NVME_CTRL_CONNECTING:
			changed = true;
			fallthrough;
		default:
			break;
		}
		break;
	case NVME_CTRL_DELETING_NOIO:
		switch (old_state) {
		case NVME_CTRL_DELETING:
		case NVME_CTRL_DEAD:
			changed = true;
			fallthrough;
		default:
			break;
		}
		break;
	case NVME_CTRL_DEAD:
		switch (old_state) {
		case NVME_CTRL_DELETING:
			changed = true;
			fallthrough;
		default:
			break;
		}
		break;
	default:
		break;
	}

	if (changed)
		ctrl->state = new_state;

	spin_unlock_irqrestore(&ctrl->lock, flags);
	return changed;
}

int nvme_reset_ctrl(struct nvme_ctrl *ctrl)
{
	if (!nvme_change_ctrl_state(ctrl, NVME_CTRL_RESETTING))
		return -EBUSY;
	if (!queue_work(nvme_reset_wq, &ctrl->reset_work))
		return -EBUSY;
	return 0;
}

/* ----------------------------------------------------- admin requests -- */

static void blk_mq_timeout_work(struct work_struct *work);

int nvme_alloc_admin_tag_set(struct nvme_ctrl *ctrl, struct nvme_tag_set *set)
{
	int i;

	spin_lock_init(&set->lock);
	init_waitqueue_head(&set->wait);
	set->busy = 0;
	set->dying = false;
	for (i = 0; i < NVME_AQ_BLK_MQ_DEPTH; i++) {
		struct request *rq = kzalloc(sizeof(*rq), GFP_KERNEL);

		if (!rq)
			goto free;
		rq->ctrl = ctrl;
		rq->tag = i;
		init_completion(&rq->done);
		INIT_DELAYED_WORK(&rq->timeout_work, blk_mq_timeout_work);
		set->rqs[i] = rq;
	}
	ctrl->admin_tags = set;
	return 0;
free:
	while (--i >= 0) {
		kfree(set->rqs[i]);
		set->rqs[i] = NULL;
	}
	return -ENOMEM;
}

static bool nvme_tags_idle(struct nvme_tag_set *set)
{
	unsigned long flags;
	bool idle;

	spin_lock_irqsave(&set->lock, flags);
	idle = !set->busy;
	spin_unlock_irqrestore(&set->lock, flags);
	return idle;
}

/*
 * blk_cleanup_queue(admin_q) + blk_mq_free_tag_set(): refuse new requests,
 * wait until those in use are freed, then free them all.
 */
void nvme_remove_admin_tag_set(struct nvme_ctrl *ctrl)
{
	struct nvme_tag_set *set = ctrl->admin_tags;
	unsigned long flags;
	int i;

	if (!set)
		return;
	spin_lock_irqsave(&set->lock, flags);
	if (set->dying) {
		spin_unlock_irqrestore(&set->lock, flags);
		return;
	}
	set->dying = true;
	spin_unlock_irqrestore(&set->lock, flags);

	wait_event(set->wait, nvme_tags_idle(set));
	ctrl->admin_tags = NULL;
	for (i = 0; i < NVME_AQ_BLK_MQ_DEPTH; i++) {
		cancel_delayed_work_sync(&set->rqs[i]->timeout_work);
		kfree(set->rqs[i]);
		set->rqs[i] = NULL;
	}
}

struct request *nvme_alloc_request(struct nvme_ctrl *ctrl,
				   struct nvme_command *cmd, bool nowait)
{
	struct nvme_tag_set *set;
	struct request *req;
	unsigned long flags;
	int tag;

	for (;;) {
		set = READ_ONCE(ctrl->admin_tags);
		if (!set)
			return ERR_PTR(-ENODEV);
		spin_lock_irqsave(&set->lock, flags);
		if (set->dying) {
			spin_unlock_irqrestore(&set->lock, flags);
			return ERR_PTR(-ENODEV);
		}
		tag = find_first_zero_bit(&set->busy, NVME_AQ_BLK_MQ_DEPTH);
		if (tag < NVME_AQ_BLK_MQ_DEPTH) {
			__set_bit(tag, &set->busy);
			spin_unlock_irqrestore(&set->lock, flags);
			break;
		}
		spin_unlock_irqrestore(&set->lock, flags);
		if (nowait)
			return ERR_PTR(-EWOULDBLOCK);
		/* blk_mq_get_tag(): sleep until a tag is freed. */
		wait_event(set->wait, READ_ONCE(set->dying) ||
			   READ_ONCE(set->busy) !=
			   (1UL << NVME_AQ_BLK_MQ_DEPTH) - 1);
	}

	req = set->rqs[tag];
	req->state = MQ_RQ_IDLE;
	req->cmd = *cmd;
	req->cmd.common.command_id = (u16)tag;
	req->status = 0;
	req->flags = 0;
	req->result.u64 = 0;
	req->end_io = NULL;
	req->end_io_data = NULL;
	req->error = BLK_STS_OK;
	req->buffer = NULL;
	req->buffer_len = 0;
	reinit_completion(&req->done);
	return req;
}

void blk_mq_free_request(struct request *req)
{
	struct nvme_tag_set *set = req->ctrl->admin_tags;
	unsigned long flags;

	if (req->buffer) {
		dma_free_coherent(req->ctrl->dev, req->buffer_len, req->buffer,
				  req->buffer_dma);
		req->buffer = NULL;
	}
	req->state = MQ_RQ_IDLE;
	spin_lock_irqsave(&set->lock, flags);
	__clear_bit(req->tag, &set->busy);
	spin_unlock_irqrestore(&set->lock, flags);
	wake_up(&set->wait);
}

/* The request goes to the hardware: arm its timeout (blk_add_timer). */
void blk_mq_start_request(struct request *req)
{
	req->state = MQ_RQ_IN_FLIGHT;
	mod_delayed_work(kblockd_workqueue, &req->timeout_work,
			 NVME_ADMIN_TIMEOUT);
}

static blk_status_t nvme_error_status(u16 status)
{
	return status ? BLK_STS_IOERR : BLK_STS_OK;
}

/* nvme_complete_rq(): give the request back to whoever issued it. */
static void nvme_complete_rq(struct request *req)
{
	req->error = nvme_error_status(req->status);
	if (req->end_io)
		req->end_io(req, req->error);
	else
		complete(&req->done);
}

/* Complete @req once: false if it was no longer in flight. */
bool blk_mq_complete_request(struct request *req)
{
	if (req->state != MQ_RQ_IN_FLIGHT)
		return false;
	req->state = MQ_RQ_COMPLETE;
	cancel_delayed_work(&req->timeout_work);
	nvme_complete_rq(req);
	return true;
}

bool nvme_try_complete_req(struct request *req, u16 status,
			   union nvme_result result)
{
	req->status = le16_to_cpu(status) >> 1;
	req->result = result;
	return blk_mq_complete_request(req);
}

bool nvme_cancel_request(struct request *req, void *data, bool reserved)
{
	/* don't abort one completed request */
	if (blk_mq_request_completed(req))
		return true;

	req->status = NVME_SC_HOST_ABORTED_CMD;
	req->flags |= NVME_REQ_CANCELLED;
	blk_mq_complete_request(req);
	return true;
}

void blk_mq_tagset_busy_iter(struct nvme_tag_set *set,
			     bool (*fn)(struct request *, void *, bool),
			     void *priv)
{
	int tag;

	if (!set)
		return;
	for (tag = 0; tag < NVME_AQ_BLK_MQ_DEPTH; tag++) {
		struct request *rq = set->rqs[tag];

		if (!test_bit(tag, &set->busy) || !rq ||
		    rq->state != MQ_RQ_IN_FLIGHT)
			continue;
		if (!fn(rq, priv, false))
			break;
	}
}

/*
 * The admin queue's timeout (blk-mq's timeout work on kblockd): a request
 * still in flight at its deadline goes to the transport's ->timeout,
 * nvme_timeout(). This is the actor T of the nvme races.
 */
static void blk_mq_timeout_work(struct work_struct *work)
{
	struct request *req = container_of(to_delayed_work(work),
					   struct request, timeout_work);

	if (READ_ONCE(req->state) != MQ_RQ_IN_FLIGHT)
		return;
	if (req->ctrl->ops->timeout(req, false) == BLK_EH_RESET_TIMER)
		mod_delayed_work(kblockd_workqueue, &req->timeout_work,
				 NVME_ADMIN_TIMEOUT);
}

void blk_execute_rq_nowait(struct request *req, rq_end_io_fn *done)
{
	blk_status_t ret;

	req->end_io = done;
	ret = req->ctrl->ops->queue_rq(req);
	if (ret) {
		/* blk_mq_end_request(rq, ret): no NVMe status is set. */
		req->state = MQ_RQ_COMPLETE;
		req->error = ret;
		done(req, ret);
	}
}

static void nvme_execute_rq(struct request *req)
{
	blk_status_t ret;

	req->end_io = NULL;
	ret = req->ctrl->ops->queue_rq(req);
	if (ret) {
		req->state = MQ_RQ_COMPLETE;
		req->error = ret;
		return;
	}
	wait_for_completion_io(&req->done);
}

/*
 * Returns 0 on success, the NVMe status (> 0) if the controller failed the
 * command, -EINTR if it was cancelled, or a negative errno if no request
 * could be issued.
 */
int __nvme_submit_sync_cmd(struct nvme_ctrl *ctrl, struct nvme_command *cmd,
			   union nvme_result *result, void *buffer,
			   unsigned int bufflen, bool nowait)
{
	struct request *req;
	int ret;

	req = nvme_alloc_request(ctrl, cmd, nowait);
	if (IS_ERR(req))
		return PTR_ERR(req);

	if (buffer && bufflen) {
		/* blk_rq_map_kern() + nvme_map_data(): one PRP. */
		req->buffer = dma_alloc_coherent(ctrl->dev, bufflen,
						 &req->buffer_dma, GFP_KERNEL);
		if (!req->buffer) {
			blk_mq_free_request(req);
			return -ENOMEM;
		}
		req->buffer_len = bufflen;
		req->cmd.common.dptr.prp1 = cpu_to_le64(req->buffer_dma);
	}

	nvme_execute_rq(req);
	if (result)
		*result = req->result;
	if (req->flags & NVME_REQ_CANCELLED)
		ret = -EINTR;
	else
		ret = req->status;
	if (buffer && bufflen && !ret)
		memcpy(buffer, req->buffer, bufflen);
	blk_mq_free_request(req);
	return ret;
}

int nvme_submit_sync_cmd(struct nvme_ctrl *ctrl, struct nvme_command *cmd,
			 void *buffer, unsigned int bufflen)
{
	return __nvme_submit_sync_cmd(ctrl, cmd, NULL, buffer, bufflen, false);
}

/* ----------------------------------------------------- admin commands -- */

static int nvme_set_features(struct nvme_ctrl *dev, unsigned int fid,
			     unsigned int dword11, u32 *result)
{
	union nvme_result res = { 0 };
	struct nvme_command c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.features.opcode = nvme_admin_set_features;
	c.features.fid = cpu_to_le32(fid);
	c.features.dword11 = cpu_to_le32(dword11);

	ret = __nvme_submit_sync_cmd(dev, &c, &res, NULL, 0, false);
	if (ret >= 0 && result)
		*result = le32_to_cpu(res.u32);
	return ret;
}

int nvme_set_queue_count(struct nvme_ctrl *ctrl, int *count)
{
	u32 q_count = (*count - 1) | ((*count - 1) << 16);
	u32 result = 0;
	int status, nr_io_queues;

	status = nvme_set_features(ctrl, NVME_FEAT_NUM_QUEUES, q_count,
				   &result);
	if (status < 0)
		return status;

	/*
	 * Degraded controllers might return an error when setting the queue
	 * count. We still want to be able to bring them online and offer
	 * access to the admin queue, as that might be only way to fix them up.
	 */
	if (status > 0) {
		dev_err(ctrl->device, "Could not set queue count (%d)\n",
			status);
		*count = 0;
	} else {
		nr_io_queues = min(result & 0xffff, result >> 16) + 1;
		*count = min(*count, nr_io_queues);
	}

	return 0;
}

static int nvme_identify_ctrl(struct nvme_ctrl *dev, struct nvme_id_ctrl **id)
{
	struct nvme_command c;
	int error;

	memset(&c, 0, sizeof(c));
	c.identify.opcode = nvme_admin_identify;
	c.identify.cns = NVME_ID_CNS_CTRL;

	*id = kmalloc(sizeof(struct nvme_id_ctrl), GFP_KERNEL);
	if (!*id)
		return -ENOMEM;

	error = nvme_submit_sync_cmd(dev, &c, *id,
				     sizeof(struct nvme_id_ctrl));
	if (error)
		kfree(*id);
	return error;
}

/* Reduced: the fields the PCIe driver uses. */
int nvme_init_identify(struct nvme_ctrl *ctrl)
{
	struct nvme_id_ctrl *id;
	int ret;

	ret = ctrl->ops->reg_read32(ctrl, NVME_REG_VS, &ctrl->vs);
	if (ret) {
		dev_err(ctrl->device, "Reading VS failed (%d)\n", ret);
		return ret;
	}

	ret = nvme_identify_ctrl(ctrl, &id);
	if (ret) {
		dev_err(ctrl->device, "Identify Controller failed (%d)\n", ret);
		return -EIO;
	}

	ctrl->oacs = le16_to_cpu(id->oacs);
	ctrl->cntlid = le16_to_cpu(id->cntlid);
	if (id->mdts)
		ctrl->max_hw_sectors = min_t(u32, ctrl->max_hw_sectors,
					     1U << (id->mdts +
						    NVME_CTRL_PAGE_SHIFT - 9));
	kfree(id);
	return 0;
}

/* ---------------------------------------------------- enable, disable -- */

static int nvme_wait_ready(struct nvme_ctrl *ctrl, u64 cap, bool enabled)
{
	unsigned long timeout =
		((NVME_CAP_TIMEOUT(cap) + 1) * HZ / 2) + jiffies;
	u32 csts, bit = enabled ? NVME_CSTS_RDY : 0;
	int ret;

	while ((ret = ctrl->ops->reg_read32(ctrl, NVME_REG_CSTS, &csts)) == 0) {
		if (csts == ~0)
			return -ENODEV;
		if ((csts & NVME_CSTS_RDY) == bit)
			break;

		usleep_range(1000, 2000);
		if (time_after(jiffies, timeout)) {
			dev_err(ctrl->device,
				"Device not ready; aborting %s, CSTS=0x%x\n",
				enabled ? "initialisation" : "reset", csts);
			return -ENODEV;
		}
	}

	return ret;
}

int nvme_disable_ctrl(struct nvme_ctrl *ctrl)
{
	int ret;

	ctrl->ctrl_config &= ~NVME_CC_SHN_MASK;
	ctrl->ctrl_config &= ~NVME_CC_ENABLE;

	ret = ctrl->ops->reg_write32(ctrl, NVME_REG_CC, ctrl->ctrl_config);
	if (ret)
		return ret;
	return nvme_wait_ready(ctrl, ctrl->cap, false);
}

int nvme_enable_ctrl(struct nvme_ctrl *ctrl)
{
	unsigned int dev_page_min;
	int ret;

	ret = ctrl->ops->reg_read64(ctrl, NVME_REG_CAP, &ctrl->cap);
	if (ret) {
		dev_err(ctrl->device, "Reading CAP failed (%d)\n", ret);
		return ret;
	}
	dev_page_min = NVME_CAP_MPSMIN(ctrl->cap) + 12;

	if (NVME_CTRL_PAGE_SHIFT < dev_page_min) {
		dev_err(ctrl->device,
			"Minimum device page size %u too large for host (%u)\n",
			1 << dev_page_min, 1 << NVME_CTRL_PAGE_SHIFT);
		return -ENODEV;
	}

	ctrl->ctrl_config = NVME_CC_CSS_NVM;
	ctrl->ctrl_config |= (NVME_CTRL_PAGE_SHIFT - 12) << NVME_CC_MPS_SHIFT;
	ctrl->ctrl_config |= NVME_CC_AMS_RR | NVME_CC_SHN_NONE;
	ctrl->ctrl_config |= NVME_CC_IOSQES | NVME_CC_IOCQES;
	ctrl->ctrl_config |= NVME_CC_ENABLE;

	ret = ctrl->ops->reg_write32(ctrl, NVME_REG_CC, ctrl->ctrl_config);
	if (ret)
		return ret;
	return nvme_wait_ready(ctrl, ctrl->cap, true);
}

int nvme_shutdown_ctrl(struct nvme_ctrl *ctrl)
{
	unsigned long timeout = jiffies + (ctrl->shutdown_timeout * HZ);
	u32 csts;
	int ret;

	ctrl->ctrl_config &= ~NVME_CC_SHN_MASK;
	ctrl->ctrl_config |= NVME_CC_SHN_NORMAL;

	ret = ctrl->ops->reg_write32(ctrl, NVME_REG_CC, ctrl->ctrl_config);
	if (ret)
		return ret;

	while ((ret = ctrl->ops->reg_read32(ctrl, NVME_REG_CSTS, &csts)) == 0) {
		if ((csts & NVME_CSTS_SHST_MASK) == NVME_CSTS_SHST_CMPLT)
			break;

		msleep(100);
		if (time_after(jiffies, timeout)) {
			dev_err(ctrl->device,
				"Device shutdown incomplete; abort shutdown\n");
			return -ENODEV;
		}
	}

	return ret;
}

/* ----------------------------------------------------------- lifetime -- */

static void nvme_scan_work(struct work_struct *work)
{
	/* hvsim: no namespaces are modelled. */
}

static void nvme_free_ctrl(struct device *dev)
{
	struct nvme_ctrl *ctrl =
		container_of(dev, struct nvme_ctrl, ctrl_device);

	ctrl->ops->free_ctrl(ctrl);
}

void nvme_get_ctrl(struct nvme_ctrl *ctrl)
{
	get_device(ctrl->device);
}

void nvme_put_ctrl(struct nvme_ctrl *ctrl)
{
	put_device(ctrl->device);
}

/*
 * Initialize a NVMe controller structure. This needs to be called during
 * earliest initialization so that we have the initialized structured
 * around during probing.
 */
int nvme_init_ctrl(struct nvme_ctrl *ctrl, struct device *dev,
		   const struct nvme_ctrl_ops *ops, unsigned long quirks)
{
	ctrl->state = NVME_CTRL_NEW;
	spin_lock_init(&ctrl->lock);
	ctrl->dev = dev;
	ctrl->ops = ops;
	ctrl->quirks = quirks;
	ctrl->max_hw_sectors = ~0U;
	ctrl->shutdown_timeout = shutdown_timeout;
	INIT_WORK(&ctrl->scan_work, nvme_scan_work);

	ctrl->instance = nvme_instance_next++;
	device_initialize(&ctrl->ctrl_device);
	ctrl->device = &ctrl->ctrl_device;
	ctrl->device->bus = &nvme_class;
	ctrl->device->parent = ctrl->dev;
	ctrl->device->release = nvme_free_ctrl;
	dev_set_name(ctrl->device, "nvme%d", ctrl->instance);
	return 0;
}

void nvme_uninit_ctrl(struct nvme_ctrl *ctrl)
{
	/* hvsim: no character device or sysfs to tear down. */
	nvme_put_ctrl(ctrl);
}

/* ----------------------------------------------------------- the module -- */

int nvme_core_init(void)
{
	int result = -ENOMEM;

	nvme_wq = alloc_workqueue("nvme-wq",
				  WQ_UNBOUND | WQ_MEM_RECLAIM | WQ_SYSFS, 0);
	if (!nvme_wq)
		goto out;

	nvme_reset_wq = alloc_workqueue("nvme-reset-wq",
					WQ_UNBOUND | WQ_MEM_RECLAIM | WQ_SYSFS, 0);
	if (!nvme_reset_wq)
		goto destroy_wq;

	nvme_delete_wq = alloc_workqueue("nvme-delete-wq",
					 WQ_UNBOUND | WQ_MEM_RECLAIM | WQ_SYSFS, 0);
	if (!nvme_delete_wq)
		goto destroy_reset_wq;

	kblockd_workqueue = alloc_workqueue("kblockd",
					    WQ_MEM_RECLAIM | WQ_HIGHPRI, 0);
	if (!kblockd_workqueue)
		goto destroy_delete_wq;
	return 0;

destroy_delete_wq:
	destroy_workqueue(nvme_delete_wq);
destroy_reset_wq:
	destroy_workqueue(nvme_reset_wq);
destroy_wq:
	destroy_workqueue(nvme_wq);
out:
	return result;
}

void nvme_core_exit(void)
{
	destroy_workqueue(kblockd_workqueue);
	destroy_workqueue(nvme_delete_wq);
	destroy_workqueue(nvme_reset_wq);
	destroy_workqueue(nvme_wq);
}
