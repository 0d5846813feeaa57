// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the IRQ core (sim/kapi/irq.c) and the PCI MSI core it
 * serves (drivers/pci/msi.c): an interrupt raised from engine context runs
 * the line's handlers in hardirq context; free_irq() unlinks the action of
 * its dev_id and returns the name, WARNs for an IRQ already free (and is
 * quiet otherwise), and waits for a handler that is running;
 * irq_has_action() follows request and free; threaded handlers run in
 * "irq/<n>-<name>"; sharing needs IRQF_SHARED; free_msi_irqs() BUG()s when
 * a vector still has an action (and is quiet when it has none);
 * pci_irq_vector() WARNs for a vector out of range and for vector > 0
 * without MSI (and maps the others); an MSI-X message reaches the
 * handler of its vector, once unmasked; a register read through an
 * iounmap()ed BAR faults. Descriptors above the legacy lines are heap
 * memory: a task that looked one up, slept (request_threaded_irq on
 * desc->request_mutex, free_irq, an IRQ thread in its handler) and
 * resumes after another task's irq_free_descs() is a KASAN
 * use-after-free naming the IRQ core function, with the descriptor's
 * allocation and free stacks, even when the number was allocated again
 * meanwhile; a lookup after the free is -EINVAL and quiet, and a fresh
 * lookup after a reallocation works.
 */
#include "sync-test.h"

#include <hvsim/driver.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/pci.h>
#include <linux/spinlock.h>

#include <linux/irqdesc.h>

#include "models/pci.h"
#include "sim/kapi/hw.h"
#include "sim/kapi/hw_priv.h"
#include "sim/kapi/kapi.h"

#define LINE	16

typedef struct {
	atomic_t ticks;
	int handled, threaded;
	int running;			/* handler between its two halves */
	bool ctx_ok, thread_ctx_ok;
	bool saw_running_at_free;	/* free_irq() entered mid-handler */
	bool running_after_free;	/* ... and returned before its end */
	bool has_before, has_between, has_after;
	const void *name_back;
	int ret, ret2, vec;
	int freed;
	char thread_name[SIM_TASK_NAME_LEN];
	PciFunc *fn;
	struct pci_dev *pdev;
} Ctx;

static irqreturn_t test_handler(int irq, void *dev_id)
{
	Ctx *c = dev_id;

	c->running = 1;
	c->ctx_ok = in_hardirq() && in_interrupt() &&
		    sim_current()->ctx == SIM_CTX_HARDIRQ;
	/* A scheduling point inside the handler: others may run now. */
	atomic_inc(&c->ticks);
	c->handled++;
	c->running = 0;
	return IRQ_HANDLED;
}

static irqreturn_t test_thread_fn(int irq, void *dev_id)
{
	Ctx *c = dev_id;

	c->threaded++;
	c->thread_ctx_ok = !in_interrupt() &&
			   sim_current()->ctx == SIM_CTX_PROCESS;
	g_strlcpy(c->thread_name, sim_current()->name,
		  sizeof(c->thread_name));
	return IRQ_HANDLED;
}

static void raise_event(SimWorld *w, void *arg, uint64_t irq)
{
	sim_kapi_irq_raise(w, (unsigned int)irq);
}

/* --------------------------------------------------- request and free -- */

static void hardirq_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->ret = request_irq(LINE, test_handler, IRQF_SHARED, "test", c);
	sim_event_after(w, 10 * SIM_USEC, raise_event, NULL, LINE);
}

START_TEST(test_irq_raise_runs_the_handler_in_hardirq)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };

	ck_assert_clean(w, run_first(w, hardirq_init, &c));
	ck_assert_int_eq(c.ret, 0);
	ck_assert_int_eq(c.handled, 1);
	ck_assert(c.ctx_ok);
	ck_assert_uint_eq(sim_kapi_irq_handled(w, LINE), 1);
	ck_assert_uint_eq(sim_kapi_irq_nr_actions(w, LINE), 1);
	ck_assert_ptr_nonnull(trace_find(w, SIM_TR_IRQ, "irq"));
}
END_TEST

/* A line with no handler drops the interrupt: spurious, nothing runs. */
static void spurious_init(SimWorld *w, void *arg)
{
	sim_event_after(w, 10 * SIM_USEC, raise_event, NULL, LINE);
}

START_TEST(test_irq_raise_without_handler_is_spurious)
{
	g_autoptr(SimWorld) w = sim_world_new();

	ck_assert_clean(w, run_first(w, spurious_init, NULL));
	ck_assert_uint_eq(sim_kapi_irq_spurious(w, LINE), 1);
	ck_assert_uint_eq(sim_kapi_irq_handled(w, LINE), 0);
}
END_TEST

static void free_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->has_before = irq_has_action(LINE);
	c->ret = request_irq(LINE, test_handler, IRQF_SHARED, "test", c);
	c->ret2 = request_irq(LINE, test_handler, IRQF_SHARED, "other",
			      &c->handled);
	c->has_between = irq_has_action(LINE);
	/* Each dev_id frees its own action, the other stays. */
	c->name_back = free_irq(LINE, &c->handled);
	c->vec = (int)sim_kapi_irq_nr_actions(w, LINE);
	free_irq(LINE, c);
	c->has_after = irq_has_action(LINE);
}

START_TEST(test_irq_free_unlinks_by_dev_id_and_returns_the_name)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };

	ck_assert_clean(w, run_first(w, free_init, &c));
	ck_assert_int_eq(c.ret, 0);
	ck_assert_int_eq(c.ret2, 0);
	ck_assert(!c.has_before);
	ck_assert(c.has_between);
	ck_assert_str_eq(c.name_back, "other");
	ck_assert_int_eq(c.vec, 1);
	ck_assert(!c.has_after);
}
END_TEST

static void free_free_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->ret = request_irq(LINE, test_handler, IRQF_SHARED, "test", c);
	free_irq(LINE, c);
	free_irq(LINE, c);		/* already free */
}

START_TEST(test_irq_free_of_a_free_irq_warns)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };
	g_autofree char *text = NULL;

	ck_assert_int_eq(run_first(w, free_free_init, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_WARNING);
	ck_assert_str_eq(w->bug->func, "__free_irq");
	ck_assert_msg(g_str_has_prefix(bug_title(w), "WARNING: CPU: 0 PID: 1 at "
				       "sim/kapi/irq.c:"), "%s", bug_title(w));
	text = report_text(w);
	ck_assert_has_line(text, "Trying to free already-free IRQ 16");
	ck_assert_msg(strstr(text, " free_irq+"), "%s", text);
}
END_TEST

/* Quiet: the same two frees of two different actions. */
static void free_two_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	request_irq(LINE, test_handler, IRQF_SHARED, "a", c);
	request_irq(LINE, test_handler, IRQF_SHARED, "b", &c->handled);
	free_irq(LINE, c);
	free_irq(LINE, &c->handled);
}

START_TEST(test_irq_free_of_a_registered_irq_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };

	ck_assert_clean(w, run_first(w, free_two_init, &c));
	ck_assert_uint_eq(sim_kapi_irq_nr_actions(w, LINE), 0);
}
END_TEST

static void shared_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->ret = request_irq(LINE, test_handler, IRQF_SHARED, "a", c);
	c->ret2 = request_irq(LINE, test_handler, 0, "b", &c->handled);
}

START_TEST(test_irq_sharing_needs_irqf_shared)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };

	ck_assert_clean(w, run_first(w, shared_init, &c));
	ck_assert_int_eq(c.ret, 0);
	ck_assert_int_eq(c.ret2, -EBUSY);
	ck_assert_msg(strstr(sim_kapi_console(w), "genirq: Flags mismatch irq 16."),
		      "%s", sim_kapi_console(w));
}
END_TEST

/* ------------------------------------------- free_irq waits for handler -- */

static void freer_task(void *arg)
{
	Ctx *c = arg;

	msleep(1);
	c->saw_running_at_free |= c->running;
	free_irq(LINE, c);
	c->running_after_free |= c->running;
}

static void wait_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	request_irq(LINE, test_handler, IRQF_SHARED, "test", c);
	/* The interrupt and the freer's wake-up come at the same time. */
	sim_event_after(w, SIM_MSEC, raise_event, NULL, LINE);
	sim_task_create(w, "freer", SIM_CTX_PROCESS, 1, freer_task, c);
}

START_TEST(test_irq_free_waits_for_a_running_handler)
{
	g_autoptr(SimWorld) w = sim_world_new();
	uint64_t seed;
	int overlapped = 0;

	w->ncpus = 2;
	for (seed = 1; seed <= 300; seed++) {
		Ctx c = { 0 };

		ck_assert_clean(w, run_random(w, seed, wait_init, &c));
		/* Whenever free_irq() came in mid-handler, it returned only
		 * after the handler's end. */
		ck_assert_msg(!c.running_after_free, "seed %" G_GUINT64_FORMAT
			      ": free_irq returned mid-handler", seed);
		overlapped += c.saw_running_at_free;
	}
	ck_assert_msg(overlapped > 0, "no schedule entered free_irq mid-handler");
}
END_TEST

/* ---------------------------------------------------------- threaded -- */

static void threaded_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->ret = request_threaded_irq(LINE, NULL, test_thread_fn, IRQF_ONESHOT,
				      "thr", c);
	sim_event_after(w, 10 * SIM_USEC, raise_event, NULL, LINE);
}

START_TEST(test_irq_threaded_handler_runs_in_its_thread)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Ctx c = { 0 };

	ck_assert_clean(w, run_first(w, threaded_init, &c));
	ck_assert_int_eq(c.ret, 0);
	ck_assert_int_eq(c.threaded, 1);
	ck_assert(c.thread_ctx_ok);
	ck_assert_str_eq(c.thread_name, "irq/16-thr");
}
END_TEST

/*
 * Two interrupts before the thread runs: the second finds IRQTF_RUNTHREAD
 * set and neither wakes nor counts the thread again, so free_irq()'s wait
 * for the line's threads ends after the one run.
 */
static void threaded_twice_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;

	c->ret = request_threaded_irq(LINE, NULL, test_thread_fn, IRQF_ONESHOT,
				      "thr", c);
	/* As a device model does from a doorbell write: the raising task
	 * goes on, and may raise again before the thread has run. */
	for (int i = 0; i < 4; i++) {
		sim_kapi_irq_raise(w, LINE);
		sim_yield(w);
	}
	msleep(1);
	free_irq(LINE, c);
	c->freed = 1;
}

START_TEST(test_irq_thread_woken_twice_runs_and_frees)
{
	for (uint64_t seed = 1; seed <= 200; seed++) {
		g_autoptr(SimWorld) w = sim_world_new();
		Ctx c = { 0 };

		ck_assert_clean(w, run_random(w, seed, threaded_twice_init,
					      &c));
		ck_assert_int_eq(c.ret, 0);
		ck_assert(c.freed);
		ck_assert_int_ge(c.threaded, 1);
	}
}
END_TEST

/* ------------------------------------------------------------ MSI-X -- */

static uint64_t regs_read(void *priv, uint64_t off, unsigned int size)
{
	return 0;
}

static void regs_write(void *priv, uint64_t off, unsigned int size,
		       uint64_t val)
{
}

static const SimMmioOps regs_ops = { regs_read, regs_write };

/* A world with one PCI function with 4 MSI-X vectors, INTA on line 16. */
static SimWorld *pci_world(Ctx *c)
{
	SimWorld *w = sim_world_new();
	PciFuncConfig cfg = {
		.name = "testdev", .vendor = 0x1b36, .device = 0x0005,
		.class_code = 0xff0000, .bar0_size = 4096,
		.bar0_ops = &regs_ops, .msix_vectors = 4, .intx_line = LINE,
	};

	c->fn = pci_host_add_function(pci_host_attach(w), &cfg);
	ck_assert_ptr_nonnull(c->fn);
	return w;
}

/* Load the PCI core and enable the function; its pci_dev, or NULL. */
static struct pci_dev *pci_up(Ctx *c)
{
	const struct hvsim_initcall *init = hvsim_module_init_lookup("pci");
	struct pci_dev *pdev;

	ck_assert_ptr_nonnull(init);
	ck_assert_int_eq(init->fn(), 0);
	pdev = pci_get_domain_bus_and_slot(0, 1, PCI_DEVFN(0, 0));
	if (pdev) {
		pci_enable_device_mem(pdev);
		pci_set_master(pdev);
	}
	c->pdev = pdev;
	return pdev;
}

static void bug_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	struct pci_dev *pdev = pci_up(c);

	c->vec = pci_alloc_irq_vectors(pdev, 1, 4, PCI_IRQ_MSIX);
	c->ret = pci_request_irq(pdev, 2, test_handler, NULL, c, "t%d", 2);
	pci_free_irq_vectors(pdev);	/* vector 2 still has an action */
}

START_TEST(test_irq_free_msi_irqs_bugs_on_a_remaining_action)
{
	Ctx c = { 0 };
	g_autoptr(SimWorld) w = pci_world(&c);
	g_autofree char *text = NULL;

	ck_assert_int_eq(run_first(w, bug_init, &c), SIM_END_BUG);
	ck_assert_int_eq(c.vec, 4);
	ck_assert_int_eq(c.ret, 0);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_BUG);
	ck_assert_str_eq(w->bug->func, "free_msi_irqs");
	ck_assert_msg(g_str_has_prefix(bug_title(w),
				       "kernel BUG at drivers/pci/msi.c:"),
		      "%s", bug_title(w));
	text = report_text(w);
	ck_assert_msg(strstr(text, "\n free_msi_irqs+"), "%s", text);
}
END_TEST

static void quiet_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	struct pci_dev *pdev = pci_up(c);

	c->vec = pci_alloc_irq_vectors(pdev, 1, 4, PCI_IRQ_MSIX);
	c->ret = pci_request_irq(pdev, 2, test_handler, NULL, c, "t%d", 2);
	pci_free_irq(pdev, 2, c);
	pci_free_irq_vectors(pdev);
	c->has_after = pdev->msix_enabled || !list_empty(&pdev->msi_list);
	/* A second teardown finds msix_enabled clear and does nothing. */
	pci_free_irq_vectors(pdev);
}

START_TEST(test_irq_free_msi_irqs_is_quiet_without_actions)
{
	Ctx c = { 0 };
	g_autoptr(SimWorld) w = pci_world(&c);

	ck_assert_clean(w, run_first(w, quiet_init, &c));
	ck_assert_int_eq(c.vec, 4);
	ck_assert(!c.has_after);
}
END_TEST

static void vector_range_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	struct pci_dev *pdev = pci_up(c);

	c->vec = pci_alloc_irq_vectors(pdev, 1, 4, PCI_IRQ_MSIX);
	c->ret = pci_irq_vector(pdev, 3);	/* fine */
	c->ret2 = pci_irq_vector(pdev, 4);	/* out of range: WARN */
}

START_TEST(test_irq_pci_irq_vector_warns_out_of_range)
{
	Ctx c = { 0 };
	g_autoptr(SimWorld) w = pci_world(&c);

	ck_assert_int_eq(run_first(w, vector_range_init, &c), SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_WARNING);
	ck_assert_str_eq(w->bug->func, "pci_irq_vector");
	ck_assert_msg(strstr(bug_title(w), " at drivers/pci/msi.c:"), "%s",
		      bug_title(w));
	/* Vector 3 is the last of four consecutive IRQs above the GSIs. */
	ck_assert_int_ge(c.ret, SIM_IRQ_NR_LEGACY + 3);
}
END_TEST

static void vector_intx_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	struct pci_dev *pdev = pci_up(c);

	c->ret = pci_irq_vector(pdev, 0);	/* INTx: quiet */
	c->ret2 = pci_irq_vector(pdev, 1);	/* no MSI: WARN, -EINVAL */
	c->vec = pci_irq_vector(pdev, 1);	/* _ONCE: quiet now */
}

START_TEST(test_irq_pci_irq_vector_warns_once_without_msi)
{
	Ctx c = { 0 };
	g_autoptr(SimWorld) w = pci_world(&c);

	/* Non-fatal WARNs: see both calls return, and the WARN once. */
	sim_kapi_set_warn_fatal(w, false);
	ck_assert_clean(w, run_first(w, vector_intx_init, &c));
	ck_assert_int_eq(c.ret, LINE);
	ck_assert_int_eq(c.ret2, -EINVAL);
	ck_assert_int_eq(c.vec, -EINVAL);
	ck_assert_int_eq(trace_count(w, SIM_TR_BUG, "WARNING"), 1);
	ck_assert_msg(strstr(sim_kapi_console(w), "at drivers/pci/msi.c:"),
		      "%s", sim_kapi_console(w));
}
END_TEST

static void msix_event(SimWorld *w, void *arg, uint64_t vector)
{
	Ctx *c = arg;

	pci_func_interrupt(c->fn, (unsigned int)vector);
}

static void requester_task(void *arg)
{
	Ctx *c = arg;

	/* Vector 1's message was sent while masked: it goes out now. */
	msleep(1);
	c->ret2 = pci_request_irq(c->pdev, 1, test_handler, NULL, c, "t1");
}

static void msix_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	struct pci_dev *pdev = pci_up(c);

	c->vec = pci_alloc_irq_vectors(pdev, 1, 4, PCI_IRQ_MSIX);
	c->ret = pci_request_irq(pdev, 2, test_handler, NULL, c, "t2");
	sim_event_after(w, 10 * SIM_USEC, msix_event, c, 2);
	sim_event_after(w, 20 * SIM_USEC, msix_event, c, 1);
	sim_task_create(w, "requester", SIM_CTX_PROCESS, 0, requester_task, c);
}

START_TEST(test_irq_msix_message_reaches_its_vector_once_unmasked)
{
	Ctx c = { 0 };
	g_autoptr(SimWorld) w = pci_world(&c);

	ck_assert_clean(w, run_first(w, msix_init, &c));
	ck_assert_int_eq(c.vec, 4);
	ck_assert_int_eq(c.ret, 0);
	ck_assert_int_eq(c.ret2, 0);
	/* Vector 2 at 10us; vector 1 pending until its IRQ was requested. */
	ck_assert_int_eq(c.handled, 2);
	ck_assert(c.ctx_ok);
	ck_assert_uint_eq(pci_func_dropped_interrupts(c.fn), 0);
}
END_TEST

/* The platform's MMIO, which the MSI-X table goes through: an access
 * through an iounmap()ed BAR is the kernel's page-fault oops. */
static void iomem_init(SimWorld *w, void *arg)
{
	Ctx *c = arg;
	struct pci_dev *pdev = pci_up(c);
	void __iomem *bar = ioremap(pci_resource_start(pdev, 0), 4096);

	c->ret = (int)readl(bar + 8);		/* the model's register: 0 */
	iounmap(bar);
	c->ret2 = (int)readl(bar + 8);		/* faults */
}

START_TEST(test_irq_register_read_through_an_unmapped_bar_faults)
{
	Ctx c = { 0 };
	g_autoptr(SimWorld) w = pci_world(&c);

	ck_assert_int_eq(run_first(w, iomem_init, &c), SIM_END_BUG);
	ck_assert_int_eq(c.ret, 0);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_PAGE_FAULT);
	ck_assert_str_eq(w->bug->func, "iomem_init");
	ck_assert_str_eq(bug_title(w), "BUG: unable to handle page fault for "
			 "address: ffffc90100000008");
}
END_TEST

/* ------------------------------------------- descriptors are memory -- */

/*
 * The descriptor races, made deterministic under the "first" strategy.
 * The holder H frees the "slow" action of a dynamic IRQ while its thread
 * sleeps in the handler: H holds desc->request_mutex until the thread is
 * done. Meanwhile the late task L looked the descriptor up and waits for
 * the mutex (request_threaded_irq) or already sits in free_irq(); when H
 * is through it frees the descriptors (and, in one mode, allocates the
 * number again), so L resumes on freed memory. In the thread mode the
 * freer F frees the descriptors while the thread still sleeps.
 */
enum race_mode {
	RACE_REQUEST,		/* L: request_irq; H frees after free_irq */
	RACE_REQUEST_REALLOC,	/* ... and H allocates the number again */
	RACE_FREE_IRQ,		/* L: free_irq of a second action */
	RACE_THREAD,		/* F frees while the IRQ thread sleeps */
};

typedef struct {
	enum race_mode mode;
	int irq, irq2;
	int ret, ret2;
	int late_done;		/* L got past its call */
	bool seen;		/* what irq_has_action() etc. said */
	int handled;
	int other;		/* dev_id of the second action */
} Race;

static irqreturn_t slow_thread_fn(int irq, void *dev_id)
{
	msleep(10);
	return IRQ_HANDLED;
}

static irqreturn_t quick_handler(int irq, void *dev_id)
{
	Race *r = container_of(dev_id, Race, other);

	r->handled++;
	return IRQ_HANDLED;
}

static void holder_task(void *arg)
{
	Race *r = arg;

	msleep(1);
	free_irq(r->irq, r);		/* waits for the thread, mutex held */
	if (r->mode == RACE_THREAD)
		return;
	irq_free_descs(r->irq, 1);
	if (r->mode == RACE_REQUEST_REALLOC)
		r->irq2 = irq_alloc_descs(r->irq, 0, 1, 0);
}

static void late_task(void *arg)
{
	Race *r = arg;

	msleep(2);
	if (r->mode == RACE_FREE_IRQ)
		free_irq(r->irq, &r->other);
	else
		r->ret2 = request_irq(r->irq, test_handler, IRQF_SHARED,
				      "late", &r->handled);
	r->late_done = 1;
}

static void freer_descs_task(void *arg)
{
	Race *r = arg;

	msleep(2);
	irq_free_descs(r->irq, 1);
}

static void race_init(SimWorld *w, void *arg)
{
	Race *r = arg;

	r->irq = irq_alloc_descs(-1, 0, 1, 0);
	r->ret = request_threaded_irq(r->irq, NULL, slow_thread_fn,
				      IRQF_SHARED | IRQF_ONESHOT, "slow", r);
	if (r->mode == RACE_FREE_IRQ)
		request_threaded_irq(r->irq, quick_handler, NULL,
				     IRQF_SHARED | IRQF_ONESHOT, "other",
				     &r->other);
	sim_event_after(w, 10 * SIM_USEC, raise_event, NULL,
			(uint64_t)r->irq);
	sim_task_create(w, "holder", SIM_CTX_PROCESS, 1, holder_task, r);
	if (r->mode == RACE_THREAD)
		sim_task_create(w, "freer", SIM_CTX_PROCESS, 1,
				freer_descs_task, r);
	else
		sim_task_create(w, "late", SIM_CTX_PROCESS, 0, late_task, r);
}

/* A world with stacks, one race run; returns the formatted report. */
static char *race_run(SimWorld *w, Race *r)
{
	w->want_stacks = true;
	ck_assert_int_eq(run_first(w, race_init, r), SIM_END_BUG);
	ck_assert_int_ge(r->irq, SIM_IRQ_NR_LEGACY);
	ck_assert_int_eq(r->ret, 0);
	return report_text(w);
}

/* The KASAN report of a freed descriptor, in @func, with both stacks. */
static void assert_desc_uaf(SimWorld *w, const char *text, const char *func,
			    const char *freer, size_t offset)
{
	g_autofree char *title = g_strdup_printf(
		"BUG: KASAN: slab-use-after-free in %s", func);
	g_autofree char *frame = g_strdup_printf("\n %s+", func);
	g_autofree char *where = g_strdup_printf(
		"The buggy address is located %zu bytes inside of", offset);
	g_autofree char *cache = g_strdup_printf(
		" which belongs to the cache kmalloc-%zu of size",
		(size_t)(sizeof(struct irq_desc) <= 256 ? 256 : 512));
	g_autofree char *top = line_after(text, " <TASK>");
	const char *alloc, *freed, *end;

	ck_assert_int_eq(w->bug->kind, SIM_BUG_USE_AFTER_FREE);
	ck_assert_str_eq(w->bug->func, func);
	ck_assert_str_eq(bug_title(w), title);
	/* The call trace starts at the IRQ core's function. */
	ck_assert_msg(g_str_has_prefix(top, frame + 1), "%s", text);
	/* Allocated by __irq_alloc_descs() from race_init (task 1), freed
	 * by irq_free_descs() from @freer. */
	alloc = strstr(text, "Allocated by task 1:\n");
	freed = strstr(text, "Freed by task ");
	end = strstr(text, "The buggy address belongs to the object at");
	ck_assert_msg(alloc && freed && end && alloc < freed && freed < end,
		      "%s", text);
	ck_assert_msg(g_strstr_len(alloc, freed - alloc, " alloc_desc+") &&
		      g_strstr_len(alloc, freed - alloc, " __irq_alloc_descs+") &&
		      g_strstr_len(alloc, freed - alloc, " race_init+"),
		      "%s", text);
	ck_assert_msg(g_strstr_len(freed, end - freed, " free_desc+") &&
		      g_strstr_len(freed, end - freed, " irq_free_descs+") &&
		      g_strstr_len(freed, end - freed, freer), "%s", text);
	ck_assert_msg(strstr(text, where), "%s", text);
	ck_assert_msg(strstr(text, cache), "%s", text);
}

/* L waits for the mutex in request_threaded_irq(); H frees the
 * descriptor: L's mutex_lock() in __setup_irq is on freed memory. */
START_TEST(test_irq_request_resuming_on_freed_desc_is_uaf)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Race r = { .mode = RACE_REQUEST };
	g_autofree char *text = race_run(w, &r);

	assert_desc_uaf(w, text, "__setup_irq", " holder_task+",
			offsetof(struct irq_desc, request_mutex));
	ck_assert_msg(strstr(text, "\n request_threaded_irq+"), "%s", text);
	ck_assert_msg(strstr(text, " by task late/"), "%s", text);
	ck_assert(!r.late_done);
}
END_TEST

/* The same, but the number was allocated again before L resumes: L's
 * pointer is still the old, freed descriptor; the new one is untouched. */
START_TEST(test_irq_stale_desc_after_reallocation_is_uaf)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Race r = { .mode = RACE_REQUEST_REALLOC };
	g_autofree char *text = race_run(w, &r);

	ck_assert_int_eq(r.irq2, r.irq);
	assert_desc_uaf(w, text, "__setup_irq", " holder_task+",
			offsetof(struct irq_desc, request_mutex));
	ck_assert(sim_kapi_irq_exists(w, (unsigned int)r.irq));
	ck_assert_uint_eq(sim_kapi_irq_nr_actions(w, (unsigned int)r.irq), 0);
}
END_TEST

/* L entered free_irq() and waits for the mutex; H frees the descriptor. */
START_TEST(test_irq_free_irq_resuming_on_freed_desc_is_uaf)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Race r = { .mode = RACE_FREE_IRQ };
	g_autofree char *text = race_run(w, &r);

	assert_desc_uaf(w, text, "__free_irq", " holder_task+",
			offsetof(struct irq_desc, request_mutex));
	ck_assert_msg(strstr(text, "\n free_irq+"), "%s", text);
	ck_assert(!r.late_done);
}
END_TEST

/* F frees the descriptor while the IRQ thread sleeps in its handler and
 * H waits in free_irq() for it: the thread comes back to freed memory. */
START_TEST(test_irq_thread_returning_to_freed_desc_is_uaf)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Race r = { .mode = RACE_THREAD };
	g_autofree char *text = race_run(w, &r);

	assert_desc_uaf(w, text, "irq_thread_fn", " freer_descs_task+",
			offsetof(struct irq_desc, istate));
	ck_assert_msg(strstr(text, "Read of size 4 at addr "), "%s", text);
	ck_assert_msg(strstr(text, "\n irq_thread+"), "%s", text);
}
END_TEST

/* Quiet: the descriptors are freed before the lookup: -EINVAL, as the
 * kernel's irq_to_desc() finds nothing; a number never allocated too;
 * and the legacy lines are never freed. */
static void freed_first_init(SimWorld *w, void *arg)
{
	Race *r = arg;

	r->irq = irq_alloc_descs(-1, 0, 1, 0);
	irq_free_descs(r->irq, 1);
	r->ret = request_irq(r->irq, test_handler, IRQF_SHARED, "gone",
			     &r->handled);
	r->ret2 = request_irq(SIM_IRQ_NR - 1, test_handler, IRQF_SHARED,
			      "never", &r->handled);
	r->seen = irq_has_action(r->irq) || free_irq(r->irq, r);
	irq_free_descs(LINE, 1);
	r->irq2 = request_irq(LINE, test_handler, IRQF_SHARED, "legacy",
			      &r->handled);
	free_irq(LINE, &r->handled);
}

START_TEST(test_irq_request_after_free_descs_is_einval_and_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Race r = { 0 };

	w->want_stacks = true;
	ck_assert_clean(w, run_first(w, freed_first_init, &r));
	ck_assert_int_ge(r.irq, SIM_IRQ_NR_LEGACY);
	ck_assert_int_eq(r.ret, -EINVAL);
	ck_assert_int_eq(r.ret2, -EINVAL);
	ck_assert(!r.seen);
	ck_assert_int_eq(r.irq2, 0);
	ck_assert(!sim_kapi_irq_exists(w, (unsigned int)r.irq));
	ck_assert(sim_kapi_irq_exists(w, LINE));
}
END_TEST

/* Quiet: request, interrupt and free on a dynamic IRQ, then the
 * descriptor's free; a heap object from alloc_desc to free_desc. */
static void dynamic_init(SimWorld *w, void *arg)
{
	Race *r = arg;

	r->irq = irq_alloc_descs(-1, 0, 1, 0);
	r->ret = request_irq(r->irq, quick_handler, IRQF_SHARED, "dyn",
			     &r->other);
	sim_kapi_irq_raise(w, (unsigned int)r->irq);
	msleep(1);
	r->seen = irq_has_action(r->irq);
	synchronize_irq(r->irq);
	disable_irq(r->irq);
	enable_irq(r->irq);
	free_irq(r->irq, &r->other);
	irq_free_descs(r->irq, 1);
}

START_TEST(test_irq_dynamic_desc_request_and_free_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Race r = { 0 };
	const SimTraceEvent *ev;

	ck_assert_clean(w, run_first(w, dynamic_init, &r));
	ck_assert_int_eq(r.ret, 0);
	ck_assert_int_eq(r.handled, 1);
	ck_assert(r.seen);
	ck_assert(!sim_kapi_irq_exists(w, (unsigned int)r.irq));
	/* One kzalloc'd descriptor, freed. */
	ev = trace_find(w, SIM_TR_ALLOC, NULL);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ev->func, "alloc_desc");
	ck_assert_int_eq(ev->arg, (int64_t)sizeof(struct irq_desc));
	ev = trace_find(w, SIM_TR_FREE, NULL);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ev->func, "free_desc");
}
END_TEST

/* Quiet: the number allocated again and looked up afresh is a new,
 * working descriptor, without the old one's actions. */
static void realloc_init(SimWorld *w, void *arg)
{
	Race *r = arg;

	r->irq = irq_alloc_descs(-1, 0, 1, 0);
	request_irq(r->irq, quick_handler, IRQF_SHARED, "old", &r->other);
	irq_free_descs(r->irq, 1);	/* the action is lost with it */
	r->irq2 = irq_alloc_descs(-1, 0, 1, 0);
	r->seen = irq_has_action(r->irq2);
	r->ret = request_irq(r->irq2, quick_handler, IRQF_SHARED, "new",
			     &r->other);
	sim_kapi_irq_raise(w, (unsigned int)r->irq2);
	msleep(1);
	r->ret2 = free_irq(r->irq2, &r->other) != NULL;
	irq_free_descs(r->irq2, 1);
}

START_TEST(test_irq_reallocated_number_fresh_lookup_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Race r = { 0 };

	ck_assert_clean(w, run_first(w, realloc_init, &r));
	ck_assert_int_eq(r.irq2, r.irq);
	ck_assert(!r.seen);
	ck_assert_int_eq(r.ret, 0);
	ck_assert_int_eq(r.ret2, 1);
	ck_assert_int_eq(r.handled, 1);
	ck_assert_int_eq(trace_count(w, SIM_TR_ALLOC, "kmalloc-512") +
			 trace_count(w, SIM_TR_ALLOC, "kmalloc-256"), 2);
}
END_TEST

static Suite *irq_suite(void)
{
	Suite *s = suite_create("irq");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_irq_raise_runs_the_handler_in_hardirq);
	tcase_add_test(tc, test_irq_raise_without_handler_is_spurious);
	tcase_add_test(tc, test_irq_free_unlinks_by_dev_id_and_returns_the_name);
	tcase_add_test(tc, test_irq_free_of_a_free_irq_warns);
	tcase_add_test(tc, test_irq_free_of_a_registered_irq_is_quiet);
	tcase_add_test(tc, test_irq_sharing_needs_irqf_shared);
	tcase_add_test(tc, test_irq_free_waits_for_a_running_handler);
	tcase_add_test(tc, test_irq_threaded_handler_runs_in_its_thread);
	tcase_add_test(tc, test_irq_thread_woken_twice_runs_and_frees);
	tcase_add_test(tc, test_irq_free_msi_irqs_bugs_on_a_remaining_action);
	tcase_add_test(tc, test_irq_free_msi_irqs_is_quiet_without_actions);
	tcase_add_test(tc, test_irq_pci_irq_vector_warns_out_of_range);
	tcase_add_test(tc, test_irq_pci_irq_vector_warns_once_without_msi);
	tcase_add_test(tc, test_irq_msix_message_reaches_its_vector_once_unmasked);
	tcase_add_test(tc, test_irq_register_read_through_an_unmapped_bar_faults);
	tcase_add_test(tc, test_irq_request_resuming_on_freed_desc_is_uaf);
	tcase_add_test(tc, test_irq_stale_desc_after_reallocation_is_uaf);
	tcase_add_test(tc, test_irq_free_irq_resuming_on_freed_desc_is_uaf);
	tcase_add_test(tc, test_irq_thread_returning_to_freed_desc_is_uaf);
	tcase_add_test(tc, test_irq_request_after_free_descs_is_einval_and_quiet);
	tcase_add_test(tc, test_irq_dynamic_desc_request_and_free_is_quiet);
	tcase_add_test(tc, test_irq_reallocated_number_fresh_lookup_is_quiet);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(irq_suite());
}
