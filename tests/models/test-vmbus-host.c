// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the VMBus host model on its own, with a fake guest: a
 * task that makes the hypercalls and reads the SynIC slot itself, and a
 * small test model that offers channels and acts on the host's side from
 * host events. It checks that the message slot carries one message at a
 * time (the next only after EOM), that GPADLs collect their page numbers
 * over GPADL_BODY messages, that OPENCHANNEL for a rescinded channel gets
 * no answer, and that a freed ring page is a noted protocol violation,
 * never a crash.
 *
 * Observations are recorded during the execution and asserted after
 * sim_world_run() returns, so no check aborts inside a task.
 */
#include <check.h>
#include <string.h>

#include <glib.h>

#include "models/vmbus_host.h"
#include "models/vmbus_proto.h"
#include "sim/heap.h"
#include "sim/trace.h"
#include "sim/world.h"

#define MAX_SEEN	64

typedef struct Fixture Fixture;
typedef void (*GuestFn)(SimWorld *w, Fixture *f);

struct Fixture {
	SimModel model;
	VMBusHost *host;
	VMBusHostChannel *ch[3];
	GuestFn guest;

	/* Host-side actions, from events. */
	SimTime rescind_at;		/* rescind channel 2; 0: never */
	SimTime send_at;		/* host sends on channel 1; 0: never */
	int send_ret;

	/* What the guest saw. */
	int irqs;
	uint32_t seen[MAX_SEEN];	/* msgtype of each message taken */
	uint32_t seen_arg[MAX_SEEN];	/* relid or gpadl it carried */
	int nseen;
	int delivered_mid;		/* a count sampled mid-test */
	bool pending_mid;
	int packets;			/* VSP packets */
	unsigned int violations;	/* host's count at the end */
};

static const uint8_t type_guid[16] = { 1, 2, 3, 4 };
static const uint8_t inst_guid[16] = { 5, 6, 7, 8 };

static void test_packet(VMBusHost *h, VMBusHostChannel *ch, void *vsp,
			const VMBusHostPacket *pkt)
{
	Fixture *f = vsp;

	f->packets++;
}

static const VMBusVspOps test_ops = {
	.name = "test",
	.packet = test_packet,
};

static void isr(SimWorld *w, int cpu)
{
	Fixture *f = NULL;
	guint i;

	for (i = 0; i < w->models->len; i++) {
		SimModel *m = g_ptr_array_index(w->models, i);

		if (strcmp(m->name, "test") == 0)
			f = m->priv;
	}
	f->irqs++;
}

static void rescind_event(SimWorld *w, void *arg, uint64_t arg2)
{
	Fixture *f = arg;

	vmbus_host_rescind(f->host, f->ch[1]);
}

static void send_event(SimWorld *w, void *arg, uint64_t arg2)
{
	Fixture *f = arg;
	uint64_t payload = 0x1122334455667788ull;

	f->send_ret = vmbus_host_send(f->host, f->ch[0], VMBUS_PKT_COMP, 7,
				      &payload, sizeof(payload));
}

static void fixture_start(SimWorld *w, SimModel *m)
{
	Fixture *f = m->priv;
	int i;

	for (i = 0; i < 3; i++)
		f->ch[i] = vmbus_host_offer(f->host, type_guid, inst_guid, i,
					    10 * SIM_USEC, &test_ops, f);
	if (f->rescind_at)
		sim_event_at(w, f->rescind_at, rescind_event, f, 0);
	if (f->send_at)
		sim_event_at(w, f->send_at, send_event, f, 0);
}

static void guest_task(SimWorld *w, void *arg)
{
	Fixture *f = arg;

	hv_setup_vmbus_handler(isr);
	f->guest(w, f);
}

static SimEnd run_fixture(Fixture *f, GuestFn guest)
{
	SimWorld *w = sim_world_new();
	SimStrategy *s = sim_strategy_first();
	SimEnd end;

	f->host = vmbus_host_attach(w);
	f->guest = guest;
	f->model.name = "test";
	f->model.priv = f;
	f->model.start = fixture_start;
	sim_world_add_model(w, &f->model);
	end = sim_world_run(w, s, 1, 0, guest_task, f);
	f->violations = vmbus_host_violations(f->host);
	f->host = NULL;	/* freed with the world */
	sim_strategy_free(s);
	/* The fixture is on the test's stack: detach it before freeing. */
	g_ptr_array_remove(w->models, &f->model);
	sim_world_free(w);
	return end;
}

/* ----------------------------------------------------- guest helpers -- */

static void nap(SimWorld *w, SimTime t)
{
	static int token;

	sim_block(w, SIM_TASK_SLEEPING, SIM_WAIT_OTHER, &token, "nap",
		  __func__, t);
}

static void post(const void *msg, size_t size)
{
	ck_assert_int_eq(hv_post_message(VMBUS_MESSAGE_CONNECTION_ID, 1, msg,
					 size), HV_STATUS_SUCCESS);
}

/* Take every message the host has for us, EOM after each. */
static void drain(SimWorld *w, Fixture *f)
{
	struct hv_message *slot = hv_synic_message_page(0) + VMBUS_MESSAGE_SINT;

	for (;;) {
		const VMBusMsgHeader *hdr = (const void *)slot->u.payload;
		const uint32_t *words = (const void *)slot->u.payload;

		nap(w, 50 * SIM_USEC);
		if (slot->header.message_type == HVMSG_NONE)
			return;
		if (f->nseen < MAX_SEEN) {
			f->seen[f->nseen] = hdr->msgtype;
			/* relid of OFFER/OPEN_RESULT/GPADL_CREATED is word 2;
			 * GPADL_CREATED's handle is word 3. */
			f->seen_arg[f->nseen] = hdr->msgtype ==
				VMBUS_MSG_GPADL_CREATED ? words[3] :
				hdr->msgtype == VMBUS_MSG_OFFERCHANNEL ?
				((const VMBusMsgOfferChannel *)hdr)->child_relid :
				words[2];
			f->nseen++;
		}
		slot->header.message_type = HVMSG_NONE;
		if (slot->header.message_flags.msg_pending)
			hv_synic_eom(0);
	}
}

static int count_seen(const Fixture *f, uint32_t type)
{
	int i, n = 0;

	for (i = 0; i < f->nseen; i++)
		n += f->seen[i] == type;
	return n;
}

static void connect(SimWorld *w, Fixture *f)
{
	VMBusMsgInitiateContact c;
	VMBusMsgHeader r = { VMBUS_MSG_REQUESTOFFERS, 0 };

	memset(&c, 0, sizeof(c));
	c.header.msgtype = VMBUS_MSG_INITIATE_CONTACT;
	c.version_requested = VMBUS_VERSION_WIN10;
	post(&c, sizeof(c));
	post(&r, sizeof(r));
	drain(w, f);
}

/* Share @npages pages at @pages with the host as GPADL @handle of @relid,
 * GPADL_BODY messages as needed. */
static void share(SimWorld *w, uint8_t *pages, uint32_t npages,
		  uint32_t relid, uint32_t handle, bool send_body)
{
	union {
		VMBusMsgGpadlHeader h;
		VMBusMsgGpadlBody b;
		uint8_t raw[HV_MESSAGE_PAYLOAD_BYTE_COUNT];
	} m;
	uint32_t in_header = (sizeof(m.raw) - sizeof(m.h)) / 8;
	uint32_t i, n;

	memset(&m, 0, sizeof(m));
	m.h.header.msgtype = VMBUS_MSG_GPADL_HEADER;
	m.h.child_relid = relid;
	m.h.gpadl = handle;
	m.h.rangecount = 1;
	m.h.byte_count = npages * SIM_PAGE_SIZE;
	n = MIN(npages, in_header);
	for (i = 0; i < n; i++)
		m.h.pfn[i] = sim_heap_pfn(w, pages + i * SIM_PAGE_SIZE);
	post(&m, sizeof(m.h) + n * 8);
	if (!send_body || n == npages)
		return;
	memset(&m, 0, sizeof(m));
	m.b.header.msgtype = VMBUS_MSG_GPADL_BODY;
	m.b.gpadl = handle;
	for (i = n; i < npages; i++)
		m.b.pfn[i - n] = sim_heap_pfn(w, pages + i * SIM_PAGE_SIZE);
	post(&m, sizeof(m.b) + (npages - n) * 8);
}

static void open_channel(uint32_t relid, uint32_t gpadl, uint32_t offset)
{
	VMBusMsgOpenChannel o;

	memset(&o, 0, sizeof(o));
	o.header.msgtype = VMBUS_MSG_OPENCHANNEL;
	o.child_relid = relid;
	o.openid = relid;
	o.ring_buffer_gpadl_handle = gpadl;
	o.ring_buffer_offset = offset;
	o.target_vp = 0;
	post(&o, sizeof(o));
}

/* ------------------------------------------------------- message slot -- */

static void guest_slot(SimWorld *w, Fixture *f)
{
	struct hv_message *slot = hv_synic_message_page(0) + VMBUS_MESSAGE_SINT;
	VMBusMsgInitiateContact c;
	VMBusMsgHeader r = { VMBUS_MSG_REQUESTOFFERS, 0 };

	memset(&c, 0, sizeof(c));
	c.header.msgtype = VMBUS_MSG_INITIATE_CONTACT;
	c.version_requested = VMBUS_VERSION_WIN10;
	post(&c, sizeof(c));
	post(&r, sizeof(r));
	/* Never cleared: the host must hold the three offers back. */
	nap(w, SIM_MSEC);
	f->delivered_mid = (int)vmbus_host_messages_delivered(f->host);
	f->pending_mid = slot->header.message_flags.msg_pending;
	drain(w, f);
}

START_TEST(test_vmbus_host_message_slot_one_at_a_time)
{
	Fixture f = { 0 };

	ck_assert_int_eq(run_fixture(&f, guest_slot), SIM_END_CLEAN);
	/* Only VERSION_RESPONSE got in while the slot stayed full. */
	ck_assert_int_eq(f.delivered_mid, 1);
	ck_assert(f.pending_mid);
	ck_assert_int_eq(f.nseen, 5);
	ck_assert_uint_eq(f.seen[0], VMBUS_MSG_VERSION_RESPONSE);
	ck_assert_uint_eq(f.seen[1], VMBUS_MSG_OFFERCHANNEL);
	ck_assert_uint_eq(f.seen_arg[1], 1);
	ck_assert_uint_eq(f.seen[2], VMBUS_MSG_OFFERCHANNEL);
	ck_assert_uint_eq(f.seen_arg[2], 2);
	ck_assert_uint_eq(f.seen[3], VMBUS_MSG_OFFERCHANNEL);
	ck_assert_uint_eq(f.seen_arg[3], 3);
	ck_assert_uint_eq(f.seen[4], VMBUS_MSG_ALLOFFERS_DELIVERED);
	/* One interrupt per delivered message. */
	ck_assert_int_eq(f.irqs, 5);
}
END_TEST

/* ------------------------------------------------------------- GPADLs -- */

static void guest_gpadl(SimWorld *w, Fixture *f)
{
	uint8_t *small, *big;

	connect(w, f);
	small = sim_alloc_pages(w, 3, true, __func__);
	big = sim_alloc_pages(w, 6, true, __func__);

	share(w, small, 8, 1, 0x100, true);
	drain(w, f);
	/* 40 pages: the header holds 26; without the body, no answer. */
	share(w, big, 40, 2, 0x200, false);
	drain(w, f);
	f->delivered_mid = count_seen(f, VMBUS_MSG_GPADL_CREATED);
	share(w, big, 40, 3, 0x300, true);
	drain(w, f);
}

START_TEST(test_vmbus_host_gpadl_collects_header_and_body_pages)
{
	Fixture f = { 0 };
	int i, created = 0;

	ck_assert_int_eq(run_fixture(&f, guest_gpadl), SIM_END_CLEAN);
	ck_assert_int_eq(f.delivered_mid, 1);
	for (i = 0; i < f.nseen; i++) {
		if (f.seen[i] != VMBUS_MSG_GPADL_CREATED)
			continue;
		ck_assert(f.seen_arg[i] == 0x100 || f.seen_arg[i] == 0x300);
		created++;
	}
	ck_assert_int_eq(created, 2);
}
END_TEST

/* ------------------------------------------------------------ rescind -- */

static void guest_rescind(SimWorld *w, Fixture *f)
{
	uint8_t *pages;

	connect(w, f);
	pages = sim_alloc_pages(w, 3, true, __func__);
	share(w, pages, 8, 2, 0x100, true);
	drain(w, f);
	/* The host rescinds relid 2 at 2 ms; we open it after that. */
	nap(w, 3 * SIM_MSEC);
	drain(w, f);
	open_channel(2, 0x100, 4);
	nap(w, SIM_MSEC);
	drain(w, f);
}

START_TEST(test_vmbus_host_openchannel_dropped_after_rescind)
{
	Fixture f = { 0 };

	f.rescind_at = 2 * SIM_MSEC;
	ck_assert_int_eq(run_fixture(&f, guest_rescind), SIM_END_CLEAN);
	ck_assert_int_eq(count_seen(&f, VMBUS_MSG_RESCIND_CHANNELOFFER), 1);
	ck_assert_int_eq(count_seen(&f, VMBUS_MSG_GPADL_CREATED), 1);
	ck_assert_int_eq(count_seen(&f, VMBUS_MSG_OPENCHANNEL_RESULT), 0);
}
END_TEST

static void guest_open_ok(SimWorld *w, Fixture *f)
{
	uint8_t *pages;

	connect(w, f);
	pages = sim_alloc_pages(w, 3, true, __func__);
	share(w, pages, 8, 2, 0x100, true);
	open_channel(2, 0x100, 4);
	nap(w, SIM_MSEC);
	drain(w, f);
}

START_TEST(test_vmbus_host_openchannel_answered_when_not_rescinded)
{
	Fixture f = { 0 };

	ck_assert_int_eq(run_fixture(&f, guest_open_ok), SIM_END_CLEAN);
	ck_assert_int_eq(count_seen(&f, VMBUS_MSG_OPENCHANNEL_RESULT), 1);
	ck_assert_uint_eq(f.violations, 0);
}
END_TEST

/* ---------------------------------------------------- bad guest memory -- */

static void guest_freed_ring(SimWorld *w, Fixture *f)
{
	uint8_t *pages;

	connect(w, f);
	pages = sim_alloc_pages(w, 3, true, __func__);
	share(w, pages, 8, 1, 0x100, true);
	open_channel(1, 0x100, 4);
	nap(w, SIM_MSEC);
	drain(w, f);
	/* Free the ring under the open channel, then signal it. */
	sim_free_pages(w, pages, 3, __func__);
	hv_signal_event(1);
	nap(w, 10 * SIM_MSEC);
	drain(w, f);
}

START_TEST(test_vmbus_host_freed_ring_page_is_noted_not_a_crash)
{
	Fixture f = { 0 };
	SimEnd end;

	/* The host also sends on the channel after the pages are gone. */
	f.send_at = 5 * SIM_MSEC;
	f.send_ret = 1;
	end = run_fixture(&f, guest_freed_ring);
	ck_assert_int_eq(end, SIM_END_CLEAN);
	ck_assert_int_eq(count_seen(&f, VMBUS_MSG_OPENCHANNEL_RESULT), 1);
	ck_assert_int_eq(f.send_ret, -1);
	ck_assert_uint_ge(f.violations, 1);
	ck_assert_int_eq(f.packets, 0);
}
END_TEST

static void guest_live_ring(SimWorld *w, Fixture *f)
{
	uint8_t *pages;
	uint32_t *idx;

	connect(w, f);
	pages = sim_alloc_pages(w, 3, true, __func__);
	share(w, pages, 8, 1, 0x100, true);
	open_channel(1, 0x100, 4);
	nap(w, 10 * SIM_MSEC);
	drain(w, f);
	/* The host's packet is in the inbound ring (pages 4..7). */
	idx = (uint32_t *)(pages + 4 * SIM_PAGE_SIZE);
	f->delivered_mid = (int)idx[0];		/* write_index */
}

START_TEST(test_vmbus_host_send_writes_live_ring)
{
	Fixture f = { 0 };

	f.send_at = 5 * SIM_MSEC;
	f.send_ret = 1;
	ck_assert_int_eq(run_fixture(&f, guest_live_ring), SIM_END_CLEAN);
	ck_assert_int_eq(f.send_ret, 0);
	/* descriptor 16 + payload 8 + trailer 8 */
	ck_assert_int_eq(f.delivered_mid, 32);
	ck_assert_uint_eq(f.violations, 0);
}
END_TEST

static Suite *vmbus_host_suite(void)
{
	Suite *s = suite_create("vmbus_host");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_vmbus_host_message_slot_one_at_a_time);
	tcase_add_test(tc, test_vmbus_host_gpadl_collects_header_and_body_pages);
	tcase_add_test(tc, test_vmbus_host_openchannel_dropped_after_rescind);
	tcase_add_test(tc, test_vmbus_host_openchannel_answered_when_not_rescinded);
	tcase_add_test(tc, test_vmbus_host_freed_ring_page_is_noted_not_a_crash);
	tcase_add_test(tc, test_vmbus_host_send_writes_live_ring);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vmbus_host_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
