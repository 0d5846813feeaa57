// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements what happens when simulated code really crashes.
 * A hardware fault in a simulated task (a NULL dereference in a driver, a
 * division by zero, a trap instruction, a task's stack overflowing into
 * its guard page) is what the kernel calls an oops: this file writes the
 * kernel's report for it, from the signal's address and the unwound
 * stack, raises it as the execution's finding and switches to the
 * scheduler for good, exactly as a detector does with
 * sim_report_raise_task(). The execution ends with that bug; the next one
 * starts from a full reset, so the process goes on exploring. It sits
 * between the processor's traps and the reports (sim/report.c).
 *
 * Anything else that would kill the process (an assertion's SIGABRT, a
 * fault in the scheduler or a host model, a second fault while the oops
 * is being written) is not survivable in-process: the fatal hook, if one
 * is set (the explorer's workers set one, sim/pool.c), records what it can
 * and the default action then runs.
 *
 * The state here is process-wide because signal dispositions are: the
 * alternate stack, the hook, and a flag that is set while an oops is being
 * written. None of it is simulation state; it decides nothing any
 * execution does before it crashes.
 *
 * Addresses in the reports: a fault in the simulated heap prints the
 * heap's kernel-looking address, a fault in the first page prints as the
 * kernel's NULL pointer dereference with the offset, a task's guard page
 * as that task's (simulated) stack. Any other address is a host address,
 * which the process's layout decides, not the execution: it prints as
 * ffffffffffffffff, and the report says so.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <glib.h>

#include "sim/crash.h"
#include "sim/heap.h"
#include "sim/report.h"
#include "sim/sched.h"
#include "sim/world.h"

/* Large: writing an oops symbolises a stack (libdwfl) on this stack. */
#define ALTSTACK_SIZE	(4u << 20)

/* The first page: a fault there is a NULL pointer dereference. */
#define NULL_PAGE	4096u

/* The guard page below every task stack (sim/task.c). */
#define TASK_GUARD	4096u

/* How a host address (outside the simulated heap) prints: never as the
 * pointer it is, which would differ from one process to the next. */
#define HOST_ADDR	0xffffffffffffffffULL

/* Where simulated task stacks print: the kernel's vmalloc'd stacks. */
#define KSTACK_BASE	0xffffc90000000000ULL

static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };

static struct {
	bool installed;
	volatile sig_atomic_t in_oops;
	SimCrashFatalFn fatal;
	void *fatal_arg;
} crash;

const char *sim_crash_signal_name(int sig, char *buf, size_t len)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = {
		{ SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" },
		{ SIGFPE, "SIGFPE" }, { SIGILL, "SIGILL" },
		{ SIGABRT, "SIGABRT" }, { SIGKILL, "SIGKILL" },
		{ SIGTERM, "SIGTERM" }, { SIGINT, "SIGINT" },
		{ SIGTRAP, "SIGTRAP" }, { SIGPIPE, "SIGPIPE" },
		{ SIGSYS, "SIGSYS" }, { SIGXCPU, "SIGXCPU" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (names[i].sig == sig)
			return names[i].name;
	g_snprintf(buf, len, "SIG%d", sig);
	return buf;
}

void sim_crash_set_fatal_hook(SimCrashFatalFn fn, void *arg)
{
	crash.fatal = NULL;
	crash.fatal_arg = arg;
	crash.fatal = fn;
}

/* ---------------------------------------------------------------- oops -- */

static bool is_fault(int sig)
{
	for (size_t i = 0; i < G_N_ELEMENTS(fault_signals); i++)
		if (fault_signals[i] == sig)
			return true;
	return false;
}

/* The function that struck: the innermost shown frame of @st, else the
 * module and offset of the faulting instruction. */
static const char *fault_func(const SimStack *st, uintptr_t pc, char *buf,
			      size_t len)
{
	Dl_info info;

	sim_stack_top_func(st, buf, len);
	if (strcmp(buf, "?") != 0)
		return buf;
	if (pc && dladdr((void *)pc, &info) && info.dli_fname) {
		const char *base = strrchr(info.dli_fname, '/');

		g_snprintf(buf, len, "%s+0x%lx",
			   base ? base + 1 : info.dli_fname,
			   (unsigned long)(pc - (uintptr_t)info.dli_fbase));
	}
	return buf;
}

/* The lines after the title every oops has, in the kernel's order. */
static void oops_body(SimReport *r, SimWorld *w, SimTask *t,
		      const char *func, const SimStack *st)
{
	sim_report_identity(r, w, t);
	sim_report_line(r, "RIP: 0010:%s", func);
	sim_report_stack(r, st, TRUE);
	sim_report_modules(r, w);
}

/* The "#PF:" lines of a page fault and the oops line after them. */
static void pf_lines(SimReport *r, bool write, bool null_page)
{
	sim_report_line(r, "#PF: supervisor %s access in kernel mode",
			write ? "write" : "read");
	sim_report_line(r, "#PF: error_code(0x%04x) - not-present page",
			write ? 2 : 0);
	if (null_page)
		sim_report_line(r, "PGD 0 P4D 0");
	sim_report_line(r, "Oops: %04x [#1] PREEMPT SMP KASAN NOPTI",
			write ? 2 : 0);
}

static SimReport *page_fault(SimWorld *w, SimTask *t, const char *func,
			     const SimStack *st, uintptr_t addr, bool write)
{
	/* The heap's kernel-looking address, the small value of a NULL
	 * dereference as it is, 0 for a host address (never printed). */
	uint64_t shown = sim_heap_sim_addr(w, (void *)addr);
	bool host = addr >= NULL_PAGE && !shown;
	SimReport *r;

	if (host)
		shown = HOST_ADDR;
	if (addr < NULL_PAGE)
		r = sim_report_new(w, SIM_BUG_PAGE_FAULT, func,
				   "BUG: kernel NULL pointer dereference, "
				   "address: %016" PRIx64, shown);
	else
		r = sim_report_new(w, SIM_BUG_PAGE_FAULT, func,
				   "BUG: unable to handle page fault for "
				   "address: %016" PRIx64, shown);
	pf_lines(r, write, addr < NULL_PAGE);
	oops_body(r, w, t, func, st);
	sim_report_line(r, "CR2: %016" PRIx64, shown);
	if (host)
		sim_report_line(r, "hvsim: the address is a host address "
				"outside the simulated heap, shown as %016"
				PRIx64 ": its value depends on the process, "
				"not on the execution", (uint64_t)HOST_ADDR);
	/* The report's framing adds the end line to "BUG: unable to
	 * handle"; the NULL dereference title needs it written. */
	if (addr < NULL_PAGE)
		sim_report_line(r, "---[ end trace 0000000000000000 ]---");
	return r;
}

/* A fault in the guard page below @t's stack: the stack overflowed. */
static SimReport *stack_overflow(SimWorld *w, SimTask *t, const char *func,
				 const SimStack *st, uintptr_t addr)
{
	uint64_t lo = KSTACK_BASE + ((uint64_t)t->id << 20);
	uint64_t hit = lo - ((uintptr_t)t->stack - addr);
	SimReport *r;

	r = sim_report_new(w, SIM_BUG_TRAP, func, "BUG: TASK stack guard page "
			   "was hit at %016" PRIx64 " (stack is %016" PRIx64
			   "..%016" PRIx64 ")", hit, lo,
			   lo + (uint64_t)t->stack_size);
	sim_report_line(r, "Oops: stack guard page: 0000 [#1] PREEMPT SMP "
			"KASAN NOPTI");
	oops_body(r, w, t, func, st);
	sim_report_line(r, "---[ end trace 0000000000000000 ]---");
	return r;
}

/* Division by zero, an invalid opcode, a non-canonical address. */
static SimReport *trap(SimWorld *w, SimTask *t, const char *func,
		       const SimStack *st, const char *what)
{
	SimReport *r = sim_report_new(w, SIM_BUG_TRAP, func, "Oops: %s: 0000 "
				      "[#1] PREEMPT SMP KASAN NOPTI", what);

	oops_body(r, w, t, func, st);
	sim_report_line(r, "---[ end trace 0000000000000000 ]---");
	return r;
}

/*
 * The oops of task @t: build the report on the alternate stack, then end
 * the task as any detector does. Never returns to the faulting code.
 */
static _Noreturn void sim__crash_oops(SimTask *t, int sig, siginfo_t *si,
				      ucontext_t *uc)
{
	SimWorld *w = t->world;
	uintptr_t addr = (uintptr_t)si->si_addr;
	uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	bool write = uc->uc_mcontext.gregs[REG_ERR] & 2;
	char fbuf[256];
	const char *func;
	SimReport *r;
	SimStack st;

	crash.in_oops = 1;
	sim_stack_capture(&st, 0);
	func = fault_func(&st, pc, fbuf, sizeof(fbuf));
	if (sig == SIGFPE)
		r = trap(w, t, func, &st, "divide error");
	else if (sig == SIGILL)
		r = trap(w, t, func, &st, "invalid opcode");
	else if (si->si_code == SI_KERNEL)
		r = trap(w, t, func, &st, "general protection fault");
	else if (addr < (uintptr_t)t->stack &&
		 (uintptr_t)t->stack - addr <= TASK_GUARD)
		r = stack_overflow(w, t, func, &st, addr);
	else
		r = page_fault(w, t, func, &st, addr, write);
	crash.in_oops = 0;
	/* SA_NODEFER left the signal unblocked: the next fault, in this or
	 * a later execution, is caught the same way. */
	sim_report_raise_task(w, r);
}

/* --------------------------------------------------------- the handler -- */

/* Let the process die of @sig as it would have without us. */
static void die(int sig, siginfo_t *si)
{
	SimCrashFatalFn fn = crash.fatal;
	sigset_t set;

	crash.fatal = NULL;	/* once, even if the hook faults */
	if (fn)
		fn(sig, si, crash.fatal_arg);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	/* A fault returns and strikes again, now fatal, at its own
	 * instruction (so a core file shows where); others are re-sent. */
	if (!(is_fault(sig) && si->si_code > 0))
		raise(sig);
}

static void sim__crash_signal(int sig, siginfo_t *si, void *uctx)
{
	SimTask *t = sim__current;

	/* si_code > 0: raised by the processor, not sent by kill(). */
	if (t && !crash.in_oops && is_fault(sig) && si->si_code > 0)
		sim__crash_oops(t, sig, si, uctx);
	die(sig, si);
}

void sim_crash_install(void)
{
	struct sigaction sa;
	stack_t ss;
	void *mem;

	if (crash.installed)
		return;
	mem = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return;		/* no handler: crashes stay crashes */
	ss = (stack_t){ .ss_sp = mem, .ss_size = ALTSTACK_SIZE };
	if (sigaltstack(&ss, NULL) != 0) {
		munmap(mem, ALTSTACK_SIZE);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sim__crash_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < G_N_ELEMENTS(fault_signals); i++)
		sigaction(fault_signals[i], &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	crash.installed = true;
}

__attribute__((constructor)) static void crash_init(void)
{
	sim_crash_install();
}
