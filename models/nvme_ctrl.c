// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the NVMe controller model, the device type "nvme":
 * a PCI function (models/pci.h) whose BAR0 holds the controller registers
 * (CAP, VS, CC, CSTS, AQA, ASQ, ACQ and the doorbells) and which executes
 * admin commands from the admin submission queue in guest memory, posting
 * completions to the admin completion queue and signalling its MSI-X
 * vector. It sits between the scenario ([device] with type = nvme, and
 * its timeline) and the guest driver (drivers/nvme/host/pci.c), which it
 * talks to only through the registers, guest memory and interrupts.
 *
 * Admin commands: Identify (controller), Set Features Number of Queues
 * (grants granted-queues I/O queues, or fails when set-features = error),
 * Get Features, Create/Delete I/O Completion Queue, Create/Delete I/O
 * Submission Queue, Abort; Asynchronous Event Requests are kept and never
 * completed; anything else is Invalid Command Opcode. For Create/Delete
 * the scenario can name queue ids whose command fails with a status
 * (*-error: Invalid Queue Identifier) or never completes (*-hang).
 * Commands complete in submission order, each `latency` after the
 * previous one; a command is fetched from guest memory when it executes.
 *
 * race: nvme-a7-vs-b3 uses create-cq-error = 3 with 4 CPUs and 8 vectors
 * (the recipe of the research notes, section A.9): qids 1 and 2 are
 * created, qid 3 fails, the driver deletes queues 2 and 1 and retries with
 * two I/O queues.
 *
 * The timeline action "power-off" is a surprise removal of the function
 * (see models/pci.h): from then on nothing completes. With "after", the
 * event only arms it: the power goes right after the controller completes
 * the next admin command of that kind (and qid), in the same host event,
 * so the driver's interrupt handler and pciehp become runnable together
 * and the reset worker and the remover run concurrently, which is what a
 * schedule needs to explore the races without a script (the research
 * notes' "removal trigger ... after Set Features completes").
 *
 * "after = msix-enable" (with "count") arms it on the guest enabling
 * MSI-X instead: the power goes inside that config write (models/pci.c),
 * the guest's own context, so the remover starts while the reset worker
 * is between allocating its vectors (A4) and requesting the admin IRQ
 * (A5). No admin command completes in that window, and guest code takes
 * no virtual time, so neither a command nor a timeline event at a fixed
 * time can put the removal there (race: nvme-a5a6-after-b1b2).
 *
 * The model never trusts the guest: a queue or buffer that is not live
 * guest memory, a full completion queue or a bad register access is a
 * protocol violation, recorded (SIM_TR_HOST_NOTE) and counted, and the
 * command is dropped.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/pci.h"
#include "sim/heap.h"
#include "sim/scenario.h"
#include "sim/trace.h"
#include "sim/world.h"

/* Registers (NVMe 1.3, section 3.1). */
#define REG_CAP		0x00
#define REG_VS		0x08
#define REG_CC		0x14
#define REG_CSTS	0x1c
#define REG_AQA		0x24
#define REG_ASQ		0x28
#define REG_ACQ		0x30
#define REG_DBS		0x1000

#define CC_EN		0x1
#define CC_SHN_MASK	(3u << 14)
#define CSTS_RDY	0x1
#define CSTS_SHST_CMPLT	(2u << 2)

/* Admin opcodes. */
#define OP_DELETE_SQ	0x00
#define OP_CREATE_SQ	0x01
#define OP_DELETE_CQ	0x04
#define OP_CREATE_CQ	0x05
#define OP_IDENTIFY	0x06
#define OP_ABORT	0x08
#define OP_SET_FEATURES	0x09
#define OP_GET_FEATURES	0x0a
#define OP_ASYNC_EVENT	0x0c

#define FEAT_NUM_QUEUES	0x07

/* Status codes, as (SCT << 8 | SC). */
#define SC_SUCCESS		0x000
#define SC_INVALID_OPCODE	0x001
#define SC_INVALID_FIELD	0x002
#define SC_DATA_XFER_ERROR	0x004
#define SC_CQ_INVALID		0x100
#define SC_QID_INVALID		0x101
#define SC_QUEUE_SIZE		0x102
#define SC_INVALID_VECTOR	0x108
#define SC_INVALID_QUEUE_DEL	0x10c

#define NVME_MAX_QID		64
#define BAR0_SIZE		0x4000

typedef struct {
	bool valid;
	uint64_t base;		/* guest physical */
	uint16_t size;		/* entries */
	uint16_t head, tail;
	uint16_t fetch;		/* next entry scheduled for execution */
	uint16_t cqid;		/* SQ: its CQ */
	bool phase;		/* CQ: phase tag of the next entry */
	bool ien;		/* CQ: interrupts enabled */
	uint16_t iv;		/* CQ: interrupt vector */
} NvmeQueue;

/* What the scenario says happens to one command kind on some queue ids. */
enum { RULE_ERROR, RULE_HANG };

typedef struct {
	uint8_t opcode;
	uint16_t qid;
	int what;
} NvmeRule;

typedef struct {
	SimModel model;
	SimWorld *w;
	PciFunc *fn;
	const char *name;

	/* Configuration. */
	unsigned int msix_vectors;
	unsigned int granted;
	unsigned int mqes;
	bool set_features_error;
	SimTime latency;
	GArray *rules;			/* NvmeRule */
	const SimEventConfig **events;
	size_t nevents;

	/* Per execution. */
	uint32_t cc, csts, aqa;
	uint64_t asq, acq;
	NvmeQueue sq[NVME_MAX_QID + 1];
	NvmeQueue cq[NVME_MAX_QID + 1];
	SimTime busy_until;
	uint32_t gen;			/* bumped by reset/power-off */
	int armed_opcode;		/* power off after this completes, -1 */
	uint16_t armed_qid;		/* ... for this qid (0: any) */
	unsigned int violations;
} NvmeCtrl;

static void violation(NvmeCtrl *c, const char *what, int64_t arg)
{
	c->violations++;
	sim_trace(c->w, SIM_TR_HOST_NOTE, 0, what, c->name, arg, 0);
}

/* Guest memory at physical @phys for @len bytes, or NULL. */
static uint8_t *guest(NvmeCtrl *c, uint64_t phys, size_t len)
{
	uint8_t *page = sim_heap_pfn_to_virt(c->w, phys >> 12);
	uint8_t *p;

	if (!page)
		return NULL;
	p = page + (phys & 0xfff);
	return sim_heap_accessible(c->w, p, len) ? p : NULL;
}

static const NvmeRule *rule_for(NvmeCtrl *c, uint8_t opcode, uint16_t qid)
{
	for (guint i = 0; i < c->rules->len; i++) {
		const NvmeRule *r = &g_array_index(c->rules, NvmeRule, i);

		if (r->opcode == opcode && r->qid == qid)
			return r;
	}
	return NULL;
}

/* ------------------------------------------------------- completions -- */

static void post_cqe(NvmeCtrl *c, uint16_t sqid, uint16_t cid,
		     uint16_t status, uint32_t dw0)
{
	NvmeQueue *sq = &c->sq[sqid], *cq = &c->cq[sq->cqid];
	uint8_t *e;
	uint16_t sf;

	if (!cq->valid) {
		violation(c, "completion for a deleted queue", sq->cqid);
		return;
	}
	if ((uint16_t)((cq->tail + 1) % cq->size) == cq->head) {
		violation(c, "completion queue full", sq->cqid);
		return;
	}
	e = guest(c, cq->base + (uint64_t)cq->tail * 16, 16);
	if (!e) {
		violation(c, "completion queue not in guest memory", sq->cqid);
		return;
	}
	sf = (uint16_t)(status << 1) | (cq->phase ? 1 : 0);
	memcpy(e + 0, &dw0, 4);
	memset(e + 4, 0, 4);
	memcpy(e + 8, &sq->head, 2);
	memcpy(e + 10, &sqid, 2);
	memcpy(e + 12, &cid, 2);
	memcpy(e + 14, &sf, 2);
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase = !cq->phase;
	}
	sim_trace(c->w, SIM_TR_HOST_TX, 0, "nvme completion", c->name,
		  status, 0);
	if (cq->ien)
		pci_func_interrupt(c->fn, cq->iv);
}

/* ----------------------------------------------------- admin commands -- */

static uint16_t identify(NvmeCtrl *c, const uint32_t *cmd)
{
	uint64_t prp1 = cmd[6] | (uint64_t)cmd[7] << 32;
	uint8_t *d = guest(c, prp1, 4096);
	uint32_t cns = cmd[10] & 0xff;

	if (!d) {
		violation(c, "identify buffer not in guest memory", (int64_t)prp1);
		return SC_DATA_XFER_ERROR;
	}
	memset(d, 0, 4096);
	if (cns != 1)
		return SC_SUCCESS;
	d[0] = 0x36; d[1] = 0x1b;			/* VID */
	d[2] = 0xf4; d[3] = 0x1a;			/* SSVID */
	memcpy(d + 4, "HVSIM0001           ", 20);	/* SN */
	memcpy(d + 24, "hvsim NVMe controller                   ", 40);
	memcpy(d + 64, "1.0     ", 8);			/* FR */
	d[77] = 7;					/* MDTS */
	d[80] = 0x00; d[81] = 0x03; d[82] = 0x01;	/* VER 1.3 */
	d[258] = 3;					/* ACL */
	d[259] = 3;					/* AERL */
	d[512] = 0x66;					/* SQES */
	d[513] = 0x44;					/* CQES */
	d[516] = 1;					/* NN */
	return SC_SUCCESS;
}

static uint16_t create_cq(NvmeCtrl *c, const uint32_t *cmd)
{
	uint16_t qid = cmd[10] & 0xffff, qsize = (cmd[10] >> 16) + 1;
	bool ien = cmd[11] & 0x2;
	uint16_t iv = cmd[11] >> 16;
	NvmeQueue *q;

	if (!qid || qid > NVME_MAX_QID || qid > c->granted || c->cq[qid].valid)
		return SC_QID_INVALID;
	if (qsize < 2 || qsize > c->mqes + 1)
		return SC_QUEUE_SIZE;
	if (ien && c->msix_vectors && iv >= c->msix_vectors)
		return SC_INVALID_VECTOR;
	q = &c->cq[qid];
	memset(q, 0, sizeof(*q));
	q->valid = true;
	q->base = cmd[6] | (uint64_t)cmd[7] << 32;
	q->size = qsize;
	q->phase = true;
	q->ien = ien;
	q->iv = iv;
	return SC_SUCCESS;
}

static uint16_t create_sq(NvmeCtrl *c, const uint32_t *cmd)
{
	uint16_t qid = cmd[10] & 0xffff, qsize = (cmd[10] >> 16) + 1;
	uint16_t cqid = cmd[11] >> 16;
	NvmeQueue *q;

	if (!cqid || cqid > NVME_MAX_QID || !c->cq[cqid].valid)
		return SC_CQ_INVALID;
	if (!qid || qid > NVME_MAX_QID || qid > c->granted || c->sq[qid].valid)
		return SC_QID_INVALID;
	if (qsize < 2 || qsize > c->mqes + 1)
		return SC_QUEUE_SIZE;
	q = &c->sq[qid];
	memset(q, 0, sizeof(*q));
	q->valid = true;
	q->base = cmd[6] | (uint64_t)cmd[7] << 32;
	q->size = qsize;
	q->cqid = cqid;
	return SC_SUCCESS;
}

static uint16_t delete_sq(NvmeCtrl *c, const uint32_t *cmd)
{
	uint16_t qid = cmd[10] & 0xffff;

	if (!qid || qid > NVME_MAX_QID || !c->sq[qid].valid)
		return SC_QID_INVALID;
	c->sq[qid].valid = false;
	return SC_SUCCESS;
}

static uint16_t delete_cq(NvmeCtrl *c, const uint32_t *cmd)
{
	uint16_t qid = cmd[10] & 0xffff;

	if (!qid || qid > NVME_MAX_QID || !c->cq[qid].valid)
		return SC_QID_INVALID;
	for (unsigned int i = 1; i <= NVME_MAX_QID; i++)
		if (c->sq[i].valid && c->sq[i].cqid == qid)
			return SC_INVALID_QUEUE_DEL;
	c->cq[qid].valid = false;
	return SC_SUCCESS;
}

/*
 * Execute one admin command. Returns false when it does not complete
 * (an Asynchronous Event Request, or one the scenario hangs).
 */
static bool execute(NvmeCtrl *c, const uint32_t *cmd, uint16_t *status,
		    uint32_t *dw0)
{
	uint8_t opcode = cmd[0] & 0xff;
	const NvmeRule *r = NULL;

	*dw0 = 0;
	switch (opcode) {
	case OP_CREATE_CQ:
	case OP_CREATE_SQ:
	case OP_DELETE_SQ:
	case OP_DELETE_CQ:
		r = rule_for(c, opcode, cmd[10] & 0xffff);
		break;
	}
	if (r && r->what == RULE_HANG) {
		sim_trace(c->w, SIM_TR_HOST_NOTE, 0, "nvme command left pending",
			  c->name, opcode, 0);
		return false;
	}
	if (r) {
		*status = SC_QID_INVALID;
		return true;
	}
	switch (opcode) {
	case OP_IDENTIFY:
		*status = identify(c, cmd);
		break;
	case OP_SET_FEATURES:
		if ((cmd[10] & 0xff) != FEAT_NUM_QUEUES) {
			*status = SC_SUCCESS;
		} else if (c->set_features_error) {
			*status = SC_INVALID_FIELD;
		} else {
			*status = SC_SUCCESS;
			*dw0 = (c->granted - 1) | (c->granted - 1) << 16;
		}
		break;
	case OP_GET_FEATURES:
		*status = SC_SUCCESS;
		break;
	case OP_CREATE_CQ:
		*status = create_cq(c, cmd);
		break;
	case OP_CREATE_SQ:
		*status = create_sq(c, cmd);
		break;
	case OP_DELETE_SQ:
		*status = delete_sq(c, cmd);
		break;
	case OP_DELETE_CQ:
		*status = delete_cq(c, cmd);
		break;
	case OP_ABORT:
		*status = SC_SUCCESS;
		*dw0 = 1;
		break;
	case OP_ASYNC_EVENT:
		return false;
	default:
		*status = SC_INVALID_OPCODE;
		break;
	}
	return true;
}

/* Host event: fetch and execute admin SQ entry (arg2 & 0xffff). */
static void admin_event(SimWorld *w, void *arg, uint64_t arg2)
{
	NvmeCtrl *c = arg;
	NvmeQueue *sq = &c->sq[0];
	uint16_t slot = arg2 & 0xffff, status = SC_SUCCESS, cid;
	uint32_t cmd[16], dw0 = 0;
	uint8_t *e;

	if ((uint32_t)(arg2 >> 16) != c->gen || !pci_func_present(c->fn) ||
	    !(c->csts & CSTS_RDY) || !sq->valid)
		return;
	if (!pci_func_bus_master(c->fn)) {
		/* No bus mastering: the device cannot fetch the command. */
		violation(c, "command fetch without bus master enable", slot);
		return;
	}
	e = guest(c, sq->base + (uint64_t)slot * 64, 64);
	if (!e) {
		violation(c, "submission queue not in guest memory", slot);
		return;
	}
	memcpy(cmd, e, sizeof(cmd));
	cid = cmd[0] >> 16;
	sq->head = (uint16_t)((slot + 1) % sq->size);
	sim_trace(w, SIM_TR_HOST_NOTE, 0, "nvme admin command", c->name,
		  cmd[0] & 0xff, 0);
	if (!execute(c, cmd, &status, &dw0))
		return;
	post_cqe(c, 0, cid, status, dw0);
	/* A power-off armed on this command: right after its completion,
	 * in the same host event, so the driver's handler and pciehp start
	 * together (race: nvme-*). */
	if (c->armed_opcode == (int)(cmd[0] & 0xff) &&
	    (!c->armed_qid || c->armed_qid == (cmd[10] & 0xffff))) {
		c->armed_opcode = -1;
		pci_func_surprise_remove(c->fn);
	}
}

/* The admin SQ tail doorbell: schedule the new entries, in order. */
static void admin_doorbell(NvmeCtrl *c, uint32_t tail)
{
	NvmeQueue *sq = &c->sq[0];

	if (!sq->valid || tail >= sq->size) {
		violation(c, "bad admin submission queue doorbell", tail);
		return;
	}
	sq->tail = (uint16_t)tail;
	while (sq->fetch != sq->tail) {
		SimTime now = sim_now(c->w);
		SimTime at = MAX(now, c->busy_until) + c->latency;

		c->busy_until = at;
		sim_event_at(c->w, at, admin_event, c,
			     (uint64_t)c->gen << 16 | sq->fetch);
		sq->fetch = (uint16_t)((sq->fetch + 1) % sq->size);
	}
}

/* ------------------------------------------------------- the registers -- */

static void ctrl_reset(NvmeCtrl *c)
{
	c->gen++;
	memset(c->sq, 0, sizeof(c->sq));
	memset(c->cq, 0, sizeof(c->cq));
	c->csts &= ~CSTS_RDY;
	c->busy_until = 0;
}

static void cc_write(NvmeCtrl *c, uint32_t v)
{
	uint32_t old = c->cc;

	c->cc = v;
	if ((old & CC_EN) && !(v & CC_EN)) {
		ctrl_reset(c);
	} else if (!(old & CC_EN) && (v & CC_EN)) {
		ctrl_reset(c);
		c->sq[0] = (NvmeQueue){ .valid = true, .base = c->asq,
					.size = (uint16_t)((c->aqa & 0xfff) + 1) };
		c->cq[0] = (NvmeQueue){ .valid = true, .base = c->acq,
					.size = (uint16_t)(((c->aqa >> 16) &
							    0xfff) + 1),
					.phase = true, .ien = true };
		c->csts |= CSTS_RDY;
	}
	if (v & CC_SHN_MASK)
		c->csts |= CSTS_SHST_CMPLT;
	else
		c->csts &= ~CSTS_SHST_CMPLT;
}

static uint64_t cap(const NvmeCtrl *c)
{
	/* MQES, CQR, TO = 20 (10 s), DSTRD 0, CSS = NVM. */
	return (uint64_t)c->mqes | 1ULL << 16 | 20ULL << 24 | 1ULL << 37;
}

static uint64_t bar0_read(void *priv, uint64_t off, unsigned int size)
{
	NvmeCtrl *c = priv;
	uint64_t v;

	switch (off & ~7ULL) {
	case REG_CAP:
		v = cap(c);
		break;
	case REG_ASQ:
		v = c->asq;
		break;
	case REG_ACQ:
		v = c->acq;
		break;
	default:
		if (size != 4 || (off & 3))
			return ~(uint64_t)0;
		switch (off) {
		case REG_VS:
			return 0x00010300;
		case REG_CC:
			return c->cc;
		case REG_CSTS:
			return c->csts;
		case REG_AQA:
			return c->aqa;
		default:
			return 0;
		}
	}
	if (size == 8)
		return v;
	return (off & 4) ? v >> 32 : (uint32_t)v;
}

static void write64_half(uint64_t *reg, uint64_t off, unsigned int size,
			 uint64_t val)
{
	if (size == 8)
		*reg = val;
	else if (off & 4)
		*reg = (*reg & 0xffffffffULL) | (val << 32);
	else
		*reg = (*reg & ~0xffffffffULL) | (uint32_t)val;
}

static void bar0_write(void *priv, uint64_t off, unsigned int size,
		       uint64_t val)
{
	NvmeCtrl *c = priv;

	if (off >= REG_DBS) {
		uint64_t db = (off - REG_DBS) / 4;
		uint64_t qid = db / 2;

		if (size != 4 || (off & 3) || qid > NVME_MAX_QID) {
			violation(c, "bad doorbell write", (int64_t)off);
			return;
		}
		if (db & 1) {
			if (c->cq[qid].valid && val < c->cq[qid].size)
				c->cq[qid].head = (uint16_t)val;
		} else if (qid == 0) {
			admin_doorbell(c, (uint32_t)val);
		}
		/* I/O submission doorbells: no I/O is modelled. */
		return;
	}
	switch (off & ~7ULL) {
	case REG_ASQ:
		write64_half(&c->asq, off, size, val);
		return;
	case REG_ACQ:
		write64_half(&c->acq, off, size, val);
		return;
	}
	if (size != 4)
		return;
	switch (off) {
	case REG_CC:
		cc_write(c, (uint32_t)val);
		break;
	case REG_AQA:
		c->aqa = (uint32_t)val;
		break;
	default:
		break;
	}
}

static const SimMmioOps nvme_bar0_ops = { bar0_read, bar0_write };

/* ------------------------------------------------------------- model -- */

static void nvme_start(void *priv)
{
	NvmeCtrl *c = priv;

	c->cc = c->csts = c->aqa = 0;
	c->asq = c->acq = 0;
	memset(c->sq, 0, sizeof(c->sq));
	memset(c->cq, 0, sizeof(c->cq));
	c->busy_until = 0;
	c->gen = 0;
	c->violations = 0;
	c->armed_opcode = -1;
	c->armed_qid = 0;
}

static void nvme_power_off(void *priv)
{
	NvmeCtrl *c = priv;

	/* Everything in flight is lost with the power. */
	c->gen++;
}

/* What a power-off can be armed on, by the name "after" gives: an
 * admin opcode, at once (-1), or the guest enabling MSI-X (-2). */
#define AFTER_NOW		(-1)
#define AFTER_MSIX_ENABLE	(-2)
static const char *const after_values[] = {
	"none", "identify", "set-features", "create-cq", "create-sq",
	"delete-sq", "delete-cq", "msix-enable", NULL,
};
static const int after_opcodes[] = {
	AFTER_NOW, OP_IDENTIFY, OP_SET_FEATURES, OP_CREATE_CQ, OP_CREATE_SQ,
	OP_DELETE_SQ, OP_DELETE_CQ, AFTER_MSIX_ENABLE,
};

static void timeline_event(SimWorld *w, void *arg, uint64_t arg2)
{
	NvmeCtrl *c = arg;
	const SimEventConfig *ev = c->events[arg2];
	const SimKeySpec *k = ev->action->keys;
	int64_t after;

	if (strcmp(ev->action->name, "power-off") != 0)
		return;
	after = sim_key_value(k, ev->values, "after")->i;
	if (after_opcodes[after] == AFTER_NOW) {
		pci_func_surprise_remove(c->fn);
		return;
	}
	if (after_opcodes[after] == AFTER_MSIX_ENABLE) {
		/* The PCI function sees the config write; the power goes
		 * inside it, in the guest's context (race:
		 * nvme-a5a6-after-b1b2). */
		pci_func_power_off_at_msix_enable(
			c->fn, (unsigned int)sim_key_value(k, ev->values,
							   "count")->i);
		return;
	}
	c->armed_opcode = after_opcodes[after];
	c->armed_qid = (uint16_t)sim_key_value(k, ev->values, "qid")->i;
}

/* Model start: after the PCI host (which reset the function) started. */
static void model_start(SimWorld *w, SimModel *m)
{
	NvmeCtrl *c = m->priv;

	for (size_t i = 0; i < c->nevents; i++)
		sim_event_at(w, c->events[i]->at, timeline_event, c, i);
}

static void model_free(SimModel *m)
{
	NvmeCtrl *c = m->priv;

	g_array_free(c->rules, TRUE);
	g_free(c->events);
	g_free(c);
}

/* Parse "2,3" into rules for @opcode. FALSE on a bad list. */
static gboolean parse_rules(NvmeCtrl *c, const char *text, uint8_t opcode,
			    int what)
{
	g_auto(GStrv) parts = g_strsplit(text, ",", -1);

	for (size_t i = 0; parts[i]; i++) {
		char *s = g_strstrip(parts[i]), *end;
		unsigned long qid;
		NvmeRule r;

		if (!*s)
			continue;
		qid = strtoul(s, &end, 10);
		if (*end || qid < 1 || qid > NVME_MAX_QID)
			return FALSE;
		r = (NvmeRule){ opcode, (uint16_t)qid, what };
		g_array_append_val(c->rules, r);
	}
	return TRUE;
}

static const char *const set_features_values[] = { "ok", "error", NULL };

static const SimKeySpec nvme_keys[] = {
	{ "msix-vectors", SIM_KEY_INT, false, "8", 1, 128, NULL,
	  "MSI-X table size" },
	{ "granted-queues", SIM_KEY_INT, false, "64", 1, 64, NULL,
	  "I/O queues Set Features Number of Queues grants" },
	{ "set-features", SIM_KEY_ENUM, false, "ok", 0, 0, set_features_values,
	  "ok, or error: Set Features Number of Queues fails" },
	{ "latency", SIM_KEY_TIME, false, "10us", 0, 0, NULL,
	  "time each admin command takes, in submission order" },
	{ "mqes", SIM_KEY_INT, false, "1023", 1, 65535, NULL,
	  "CAP.MQES: largest queue, 0's based" },
	{ "intx-line", SIM_KEY_INT, false, "16", 1, 19, NULL,
	  "the IRQ INTA is routed to" },
	{ "create-cq-error", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "qids (e.g. 3 or 2,3) whose Create I/O CQ fails" },
	{ "create-cq-hang", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "qids whose Create I/O CQ never completes" },
	{ "create-sq-error", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "qids whose Create I/O SQ fails" },
	{ "create-sq-hang", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "qids whose Create I/O SQ never completes" },
	{ "delete-sq-error", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "qids whose Delete I/O SQ fails" },
	{ "delete-sq-hang", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "qids whose Delete I/O SQ never completes" },
	{ "delete-cq-error", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "qids whose Delete I/O CQ fails" },
	{ "delete-cq-hang", SIM_KEY_STRING, false, "", 0, 0, NULL,
	  "qids whose Delete I/O CQ never completes" },
	{ NULL },
};

static const SimKeySpec power_off_keys[] = {
	{ "after", SIM_KEY_ENUM, false, "none", 0, 0, after_values,
	  "none: at once; msix-enable: inside the guest's config write "
	  "that enables MSI-X (see count); else right after the controller "
	  "completes the next such admin command (same virtual time, same "
	  "host event)" },
	{ "qid", SIM_KEY_INT, false, "0", 0, 64, NULL,
	  "with after: only a command for this queue id (0: any)" },
	{ "count", SIM_KEY_INT, false, "1", 1, 64, NULL,
	  "with after = msix-enable: the count-th time the guest enables "
	  "MSI-X since power-on (nvme: 1 the boot vector, before any "
	  "timeline event can arm it; 2 the vectors of nvme_setup_irqs)" },
	{ NULL },
};

static const SimActionSpec nvme_actions[] = {
	{ "power-off", power_off_keys,
	  "surprise removal: the function loses power, pciehp removes it" },
	{ NULL },
};

static const struct {
	const char *key;
	uint8_t opcode;
	int what;
} rule_keys[] = {
	{ "create-cq-error", OP_CREATE_CQ, RULE_ERROR },
	{ "create-cq-hang", OP_CREATE_CQ, RULE_HANG },
	{ "create-sq-error", OP_CREATE_SQ, RULE_ERROR },
	{ "create-sq-hang", OP_CREATE_SQ, RULE_HANG },
	{ "delete-sq-error", OP_DELETE_SQ, RULE_ERROR },
	{ "delete-sq-hang", OP_DELETE_SQ, RULE_HANG },
	{ "delete-cq-error", OP_DELETE_CQ, RULE_ERROR },
	{ "delete-cq-hang", OP_DELETE_CQ, RULE_HANG },
};

static SimModel *nvme_create(SimWorld *w, const SimDeviceConfig *dev,
			     const SimEventConfig *const *events,
			     size_t nevents)
{
	const SimKeySpec *k = nvme_keys;
	NvmeCtrl *c = g_new0(NvmeCtrl, 1);
	PciFuncConfig cfg = { 0 };

	c->w = w;
	c->name = dev->name;
	c->rules = g_array_new(FALSE, FALSE, sizeof(NvmeRule));
	c->msix_vectors = sim_key_value(k, dev->values, "msix-vectors")->i;
	c->granted = sim_key_value(k, dev->values, "granted-queues")->i;
	c->set_features_error =
		sim_key_value(k, dev->values, "set-features")->i == 1;
	c->latency = sim_key_value(k, dev->values, "latency")->t;
	c->mqes = sim_key_value(k, dev->values, "mqes")->i;
	for (size_t i = 0; i < G_N_ELEMENTS(rule_keys); i++) {
		const char *text = sim_key_value(k, dev->values,
						 rule_keys[i].key)->text;

		if (!parse_rules(c, text, rule_keys[i].opcode,
				 rule_keys[i].what)) {
			model_free(&c->model);
			return NULL;
		}
	}
	c->events = g_memdup2(events, nevents * sizeof(*events));
	c->nevents = nevents;

	/* The PCI host first, so it starts (and resets the function)
	 * before this model schedules its timeline. */
	cfg.name = dev->name;
	cfg.vendor = 0x1b36;
	cfg.device = 0x0010;
	cfg.class_code = 0x010802;
	cfg.bar0_size = BAR0_SIZE;
	cfg.bar0_ops = &nvme_bar0_ops;
	cfg.priv = c;
	cfg.msix_vectors = c->msix_vectors;
	cfg.intx_line = (uint8_t)sim_key_value(k, dev->values, "intx-line")->i;
	cfg.start = nvme_start;
	cfg.power_off = nvme_power_off;
	c->fn = pci_host_add_function(pci_host_attach(w), &cfg);
	if (!c->fn) {
		model_free(&c->model);
		return NULL;
	}

	c->model.name = "nvme";
	c->model.priv = c;
	c->model.start = model_start;
	c->model.free = model_free;
	return &c->model;
}

const SimDeviceType pci_nvme_device_type = {
	.name = "nvme",
	.help = "NVMe controller on a PCI Express hot-plug slot",
	.keys = nvme_keys,
	.actions = nvme_actions,
	.create = nvme_create,
};
