// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the KASAN side of the simulated heap: the outline
 * hooks GCC calls before every load and store of instrumented driver code
 * (-fsanitize=kernel-address with
 * --param asan-instrumentation-with-call-threshold=0), the shadow check
 * behind them, and the kernel-style reports of a bad access, a bad free, a
 * fault on an unmapped vmalloc address and a vmalloc WARN. It sits between
 * the compiled driver code and the simulated heap (sim/heap.c). Rulers,
 * "cut here" and "end trace" lines are the report printer's
 * (sim/report.c), chosen from the title.
 *
 * The hooks run on every driver memory access, most of them to globals and
 * stacks outside the heap, so their first job is to leave quickly: the
 * running task, its world's heap, one subtraction and one comparison. Only
 * heap addresses read the shadow, and only a poisoned or partial granule
 * leaves the inline path.
 *
 * Stacks: a report captures its stack in the first simulator function the
 * driver entered (a hook, sim_heap_check, sim_kfree ...). The unwinder drops
 * every frame named sim_*, sim__* or __asan_*, so the report names the
 * driver function; helpers below those entry points must therefore not
 * capture stacks themselves.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <inttypes.h>
#include <stdarg.h>

#include "sim/footprint.h"
#include "sim/heap_priv.h"
#include "sim/trace.h"
#include "sim/world.h"

/*
 * Hot paths (docs/performance.md): no frame pointer (unwinders use the
 * CFI) and calls through the GOT rather than PLT stubs.
 */
#pragma GCC optimize("omit-frame-pointer", "no-plt")

/* ------------------------------------------------------ shadow checks -- */

/*
 * Is some byte of [off, off+size) poisoned? Sets *@bad to the first one.
 * Bytes past the end of the reservation are not heap and are not checked.
 */
static inline __attribute__((always_inline)) bool
shadow_range_bad(const SimHeap *h, size_t off, size_t size, size_t *bad)
{
	size_t end = off + size < h->span ? off + size : h->span;
	size_t g = off & ~7UL;

	while (g < end) {
		uint8_t v;

		/* Eight accessible granules at once: 64 bytes per step
		 * (an unaligned load of the shadow is fine on x86-64). */
		if (g + 64 <= end) {
			uint64_t word;

			memcpy(&word, h->shadow + (g >> 3), sizeof(word));
			if (word == 0x0101010101010101ULL * SHADOW_XOR) {
				g += 64;
				continue;
			}
		}
		v = sim__shadow_get(h, g);
		if (v != SH_OK) {
			size_t first = MAX(g, off);

			/* 1..7: only the first v bytes of the granule. */
			if (v >= 8 || first >= g + v) {
				*bad = first;
				return true;
			}
			if (MIN(end, g + 8) > g + v) {
				*bad = g + v;
				return true;
			}
		}
		g += 8;
	}
	return false;
}

#define SHADOW_OK_WORD	(0x0101010101010101ULL * SHADOW_XOR)
_Static_assert((SHADOW_XOR ^ SH_OK) == SIM__SHADOW_OK_BYTE,
	       "sim__heap_range_ok() (sim/world.h) reads the shadow's encoding");

/*
 * The decoded shadow of @ng granules (1..8) in @word, the last of which the
 * access covers up to byte @e (1..8): all accessible? Only the last granule
 * may be partial (1..7: its first v bytes), and then it must cover @e.
 */
static inline __attribute__((always_inline)) bool
shadow_word_ok(uint64_t word, size_t ng, size_t e)
{
	/* The low @ng bytes, without a branch on @ng (1..8). */
	uint64_t d = (word ^ SHADOW_OK_WORD) & (~0ULL >> (64 - 8 * ng));
	uint64_t v;

	if (__builtin_expect(d == 0, 1))
		return true;
	v = d >> (8 * (ng - 1));
	d &= (1ULL << (8 * (ng - 1))) - 1;
	return d == 0 && v < 8 && e <= v;
}

/* shadow_range_ok_fast() past its first word: 64 bytes per step. */
static __attribute__((noinline)) bool
shadow_range_ok_long(const uint8_t *shadow, size_t g0, size_t ng, size_t e)
{
	uint64_t word;

	while (ng > 8) {
		memcpy(&word, shadow + g0, sizeof(word));
		if (word != SHADOW_OK_WORD)
			return false;
		g0 += 8;
		ng -= 8;
	}
	memcpy(&word, shadow + g0, sizeof(word));
	return shadow_word_ok(word, ng, e);
}

/*
 * The common case of every check, answered with one unaligned load of the
 * shadow: is [off, off+size) accessible, every granule it touches fully
 * and the last one at least up to where the access ends? True means
 * shadow_range_bad() would find nothing; false (a poisoned granule, the
 * end of the reservation, size 0) sends the caller to the exact walk,
 * which then finds the bad byte. The load may read up to seven bytes past
 * the granules asked for: the shadow has a spare page at its end
 * (sim_heap_new()). Ranges of more than eight granules take a loop.
 */
static inline __attribute__((always_inline)) bool
shadow_range_ok_fast(const uint8_t *shadow, size_t span, size_t off,
		     size_t size)
{
	size_t g0 = off >> 3, ng, e;
	uint64_t word;

	if (!size || size > span - off)
		return false;
	ng = ((off + size - 1) >> 3) - g0 + 1;
	e = ((off + size - 1) & 7) + 1;
	if (ng > 8)
		return shadow_range_ok_long(shadow, g0, ng, e);
	memcpy(&word, shadow + g0, sizeof(word));
	return shadow_word_ok(word, ng, e);
}

/* ------------------------------------------------------------ reports -- */

void sim__heap_raise(SimWorld *w, SimReport *r)
{
	if (sim_current())
		sim_report_raise_task(w, r);
	sim_report_raise(w, r);
}

static void report_blank(SimReport *r)
{
	sim_report_line(r, "%s", "");
}

/*
 * The innermost driver function of @st, or where @ip lies when the stack
 * could not be symbolised: "<object>+0x<offset>", which is stable for one
 * build and never a raw pointer.
 */
static const char *stack_func(const SimStack *st, uintptr_t ip, char *buf,
			      size_t len)
{
	const char *f = st->n ? sim_stack_top_func(st, buf, len) : "?";
	Dl_info info;

	if (f && strcmp(f, "?") != 0)
		return f;
	if (ip && dladdr((void *)ip, &info) && info.dli_fname) {
		const char *base = strrchr(info.dli_fname, '/');

		g_snprintf(buf, len, "%s+0x%lx",
			   base ? base + 1 : info.dli_fname,
			   (unsigned long)(ip - (uintptr_t)info.dli_fbase));
		return buf;
	}
	return "?";
}

static void report_identity(SimReport *r, SimWorld *w)
{
	SimTask *t = sim_current();

	if (t)
		sim_report_identity(r, w, t);
}

static const char *task_comm(SimWorld *w, uint32_t id)
{
	SimTask *t = id ? sim_task_by_id(w, id) : NULL;

	return t ? t->name : "swapper/0";
}

/* KASAN's "Allocated by task" / "Freed by task" sections. */
static void report_tracks(SimReport *r, SimWorld *w, const SimObj *o)
{
	sim_report_line(r, "Allocated by task %u:", o->alloc_task);
	if (o->alloc_stack)
		sim_report_stack(r, o->alloc_stack, FALSE);
	else
		sim_report_line(r, " hvsim: allocation stack not recorded: rerun with stacks (allocated in %s)",
				o->alloc_func ? o->alloc_func : "?");
	if (o->state == SIM_OBJ_FREED) {
		report_blank(r);
		sim_report_line(r, "Freed by task %u:", o->free_task);
		if (o->free_stack)
			sim_report_stack(r, o->free_stack, FALSE);
		else
			sim_report_line(r, " hvsim: free stack not recorded: rerun with stacks (freed in %s)",
					o->free_func ? o->free_func : "?");
	}
	report_blank(r);
}

/* The struct page line of a direct-map heap offset. */
static void report_page_header(SimReport *r, size_t off, bool live)
{
	uint64_t pfn = off >> 12;

	sim_report_line(r, "The buggy address belongs to the physical page:");
	sim_report_line(r, "page:%016" PRIx64 " refcount:%d mapcount:0 mapping:0000000000000000 index:0x0 pfn:%#" PRIx64,
			(uint64_t)0xffffea0000000000ULL + pfn * 64, live ? 1 : 0, pfn);
	sim_report_line(r, "page dumped because: kasan: bad access detected");
}

/* page_owner's record of a page block: who allocated and freed it. */
static void report_page_owner(SimReport *r, SimWorld *w, const SimObj *o)
{
	sim_report_line(r, "page_owner tracks the page as %s",
			o->state == SIM_OBJ_LIVE ? "allocated" : "freed");
	sim_report_line(r, "page last allocated via order %u, pid %u, tgid %u (%s)",
			o->order, o->alloc_task, o->alloc_task,
			task_comm(w, o->alloc_task));
	if (o->alloc_stack)
		sim_report_stack(r, o->alloc_stack, FALSE);
	else
		sim_report_line(r, " hvsim: allocation stack not recorded: rerun with stacks (allocated in %s)",
				o->alloc_func ? o->alloc_func : "?");
	if (o->state == SIM_OBJ_FREED) {
		sim_report_line(r, "page last free pid %u tgid %u stack trace:",
				o->free_task, o->free_task);
		if (o->free_stack)
			sim_report_stack(r, o->free_stack, FALSE);
		else
			sim_report_line(r, " hvsim: free stack not recorded: rerun with stacks (freed in %s)",
					o->free_func ? o->free_func : "?");
	}
}

/* "The buggy address belongs to the object at ..." for a slab object. */
static void report_object(SimReport *r, SimHeap *h, uint64_t addr,
			  const SimObj *o)
{
	uint64_t start = sim__obj_addr(h, o);
	size_t bucket = sim__obj_span(o);
	bool freed = o->state == SIM_OBJ_FREED;
	/* A freed object is its whole slot; a live one what was asked. */
	size_t region = freed ? bucket : o->size;
	const char *rel;
	uint64_t k;

	if (addr < start) {
		rel = "to the left";
		k = start - addr;
	} else if (addr >= start + region) {
		rel = "to the right";
		k = addr - (start + region);
	} else {
		rel = "inside";
		k = addr - start;
	}
	sim_report_line(r, "The buggy address belongs to the object at %016" PRIx64,
			start);
	sim_report_line(r, " which belongs to the cache %s of size %zu",
			sim__kmalloc_cache_name(bucket), bucket);
	sim_report_line(r, "The buggy address is located %" PRIu64 " bytes %s of",
			k, rel);
	sim_report_line(r, " %s %zu-byte region [%016" PRIx64 ", %016" PRIx64 ")",
			freed ? "freed" : "allocated", region, start,
			start + region);
}

/*
 * The object and its records, for any of the heap's reports: KASAN's
 * alloc/free tracks and slab object for kmalloc memory, the struct page and
 * page_owner's records for pages. @off is the heap offset of @addr.
 */
static void report_describe(SimReport *r, SimWorld *w, uint64_t addr,
			    size_t off, const SimObj *o)
{
	SimHeap *h = w->heap;

	if (o && o->type == SIM_OBJ_SLAB) {
		report_tracks(r, w, o);
		if (sim__obj_span(o) <= SIM_KMALLOC_MAX_CACHE)
			report_object(r, h, addr, o);
		else	/* kmalloc_large: the kernel shows the pages. */
			report_page_header(r, off, o->state == SIM_OBJ_LIVE);
	} else if (o && o->type == SIM_OBJ_PAGES) {
		report_page_header(r, off, o->state == SIM_OBJ_LIVE);
		report_page_owner(r, w, o);
	} else if (sim__heap_in_slab(h, off)) {
		sim_report_line(r, "hvsim: the address is in the slab arena but in no object");
	} else if (sim__heap_in_pages(h, off)) {
		report_page_header(r, off, false);
		sim_report_line(r, "hvsim: page never allocated in this execution");
	} else {
		sim_report_line(r, "hvsim: the address does not belong to any simulated heap object");
	}
}

/* A fault on a vmalloc address nothing maps: the kernel's oops. */
static void report_page_fault(SimWorld *w, const SimStack *st,
			      const char *func, size_t bad, bool write)
{
	SimHeap *h = w->heap;
	uint64_t addr = sim__heap_off_addr(h, bad);
	const SimObj *v = sim__heap_find_vmap(h, bad - h->slab_bytes -
					      h->page_bytes);
	SimReport *r;

	r = sim_report_new(w, SIM_BUG_PAGE_FAULT, func,
			   "BUG: unable to handle page fault for address: %016" PRIx64,
			   addr);
	sim_report_line(r, "#PF: supervisor %s access in kernel mode",
			write ? "write" : "read");
	sim_report_line(r, "#PF: error_code(0x%04x) - not-present page",
			write ? 2 : 0);
	sim_report_line(r, "Oops: %04x [#1] PREEMPT SMP KASAN NOPTI",
			write ? 2 : 0);
	report_identity(r, w);
	sim_report_line(r, "RIP: 0010:%s", func);
	sim_report_stack(r, st, TRUE);
	sim_report_modules(r, w);
	sim_report_line(r, "CR2: %016" PRIx64, addr);
	if (v && v->state == SIM_OBJ_FREED) {
		sim_report_line(r, "hvsim: %016" PRIx64 " was mapped by vmap() in %s (task %u) and unmapped by vunmap() in %s (task %u)",
				addr, v->alloc_func ? v->alloc_func : "?",
				v->alloc_task, v->free_func ? v->free_func : "?",
				v->free_task);
		if (v->free_stack) {
			sim_report_line(r, "hvsim: vunmap() by task %u:",
					v->free_task);
			sim_report_stack(r, v->free_stack, FALSE);
		}
	} else if (!v) {
		sim_report_line(r, "hvsim: %016" PRIx64 " was never mapped in this execution",
				addr);
	}
	sim__heap_raise(w, r);
}

static void report_bad_access(SimWorld *w, const SimStack *st,
			      uintptr_t addr, size_t size, bool write,
			      uintptr_t ip, size_t bad, const char *at)
{
	SimHeap *h = w->heap;
	SimTask *t = sim_current();
	size_t off = addr - h->lo;
	uint64_t saddr = sim__heap_off_addr(h, off);
	uint8_t v = sim__shadow_get(h, bad);
	char fbuf[256];
	const char *func = at ? at : stack_func(st, ip, fbuf, sizeof(fbuf));
	const char *type = "use-after-free";
	SimBugKind kind = SIM_BUG_USE_AFTER_FREE;
	const SimObj *o = NULL;
	SimReport *r;

	if (sim__heap_in_alias(h, bad)) {
		report_page_fault(w, st, func, bad, write);
		return;
	}
	if (sim__heap_in_slab(h, bad)) {
		o = sim__heap_find_slab(h, bad);
		if (v == SH_SLAB_FREE) {
			type = "slab-use-after-free";
		} else if (v != SH_PAGE_FREE) {
			/* Redzone, bucket tail, or past the last object. */
			type = "slab-out-of-bounds";
			kind = SIM_BUG_OUT_OF_BOUNDS;
			if (!o)
				o = sim__heap_nearest_slab(h, bad);
		}
	} else {
		o = sim__heap_find_pages(h, bad);
	}

	r = sim_report_new(w, kind, func, "BUG: KASAN: %s in %s", type, func);
	sim_report_line(r, "%s of size %zu at addr %016" PRIx64 " by task %s/%u",
			write ? "Write" : "Read", size, saddr,
			t ? t->name : "swapper/0", t ? t->id : 0);
	report_blank(r);
	report_identity(r, w);
	sim_report_stack(r, st, TRUE);
	report_blank(r);
	report_describe(r, w, saddr, bad, o);
	sim__heap_raise(w, r);
}

void sim__kasan_report_free(SimWorld *w, const SimStack *st, SimBugKind kind,
			    const void *p, const SimObj *o, const char *func,
			    const char *why)
{
	SimHeap *h = w->heap;
	SimTask *t = sim_current();
	uint64_t addr = sim_heap_sim_addr(w, p);
	SimReport *r;

	r = sim_report_new(w, kind, func, "BUG: KASAN: %s in %s",
			   kind == SIM_BUG_DOUBLE_FREE ? "double-free" :
			   "invalid-free", func);
	sim_report_line(r, "Free of addr %016" PRIx64 " by task %s/%u", addr,
			t ? t->name : "swapper/0", t ? t->id : 0);
	report_blank(r);
	report_identity(r, w);
	sim_report_stack(r, st, TRUE);
	report_blank(r);
	if (why) {
		sim_report_line(r, "%s", why);
		report_blank(r);
	}
	report_describe(r, w, addr, (uintptr_t)p - h->lo, o);
	sim__heap_raise(w, r);
}

void sim__heap_warn(SimWorld *w, const SimStack *st, const char *func,
		    const char *where, const char *fmt, ...)
{
	SimTask *t = sim_current();
	const char *kfunc = strrchr(where, ' ');
	SimReport *r;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* The kernel prints the message above the WARNING line; our title
	 * must come first, so the message follows it. */
	r = sim_report_new(w, SIM_BUG_BAD_VMAP, func,
			   "WARNING: CPU: %d PID: %u at %s",
			   t ? t->cpu : 0, t ? t->id : 0, where);
	sim_report_line(r, "%s", msg);
	sim_report_modules(r, w);
	report_identity(r, w);
	sim_report_line(r, "RIP: 0010:%s", kfunc ? kfunc + 1 : where);
	sim_report_stack(r, st, TRUE);
	g_free(msg);
	sim__heap_raise(w, r);
}

/*
 * The runaway guard's report: a step made more instrumented accesses than
 * its budget without reaching a scheduling point, so the task would spin
 * forever on a CPU nothing else can take. The kernel's name for that is
 * the soft-lockup watchdog, and its report is what a kernel developer
 * greps for. Its duration cannot be measured here: virtual time stands
 * still inside a step. The title gives 22 s, the value the watchdog
 * typically prints on its first report with the default watchdog_thresh
 * of 10 (it fires past 2 x 10 s, sampling every 4 s); the hvsim: line
 * under it gives what was measured.
 */
#define SOFT_LOCKUP_REPORTED_SECS	22

_Noreturn void sim__kasan_report_runaway(SimWorld *w, uint64_t accesses)
{
	SimTask *t = sim_current();
	char fbuf[256];
	const char *func;
	SimReport *r;
	SimStack st;

	sim_stack_capture(&st, 0);
	func = stack_func(&st, 0, fbuf, sizeof(fbuf));
	r = sim_report_new(w, SIM_BUG_SOFT_LOCKUP, func,
			   "watchdog: BUG: soft lockup - CPU#%d stuck for %us! [%s:%u]",
			   t->cpu, SOFT_LOCKUP_REPORTED_SECS, t->name, t->id);
	sim_report_modules(r, w);
	report_identity(r, w);
	sim_report_line(r, "RIP: 0010:%s", func);
	sim_report_stack(r, &st, TRUE);
	sim_report_line(r, "hvsim: runaway: task %s/%u executed %" PRIu64
			" memory accesses without a scheduling point", t->name,
			t->id, accesses);
	sim_report_line(r, "hvsim: the limit is %" PRIu64 " accesses per step; "
			"virtual time does not pass inside a step, so the %us "
			"above is the watchdog's usual first report, not a "
			"measurement", (uint64_t)sim__step_access_limit(w),
			SOFT_LOCKUP_REPORTED_SECS);
	sim_report_raise_task(w, r);
}

bool sim__heap_obj_range(SimWorld *w, uint32_t id, uintptr_t *lo, size_t *len)
{
	SimHeap *h = w->heap;
	const SimObj *o;

	if (!id || id > h->objs->len)
		return false;
	o = &g_array_index(h->objs, SimObj, id - 1);
	switch (o->type) {
	case SIM_OBJ_SLAB:
		*lo = h->lo + o->offset;
		*len = sim__obj_span(o);
		return true;
	case SIM_OBJ_PAGES:
		*lo = h->lo + h->slab_bytes + o->offset;
		break;
	default:
		*lo = h->lo + h->slab_bytes + h->page_bytes + o->offset;
		break;
	}
	*len = o->size;
	return true;
}

void sim__heap_bind(SimWorld *w)
{
	SimHeap *h = w->heap;

	w->heap_lo = h->lo;
	w->heap_span = h->span;
	w->heap_shadow = h->shadow;
	w->heap_direct = h->slab_bytes + h->page_bytes;
}

void sim__heap_bounds(SimWorld *w, uintptr_t *lo, uintptr_t *alias,
		      uintptr_t *hi, size_t *delta)
{
	SimHeap *h = w->heap;

	*lo = h->lo;
	*alias = h->lo + h->slab_bytes + h->page_bytes;
	*hi = h->lo + h->span;
	*delta = h->page_bytes;
}

/* ------------------------------------------------------------- checks -- */

/* A bad access: its stack and report. Out of line and cold, so a clean
 * walk in sim__kasan_slow(), the common case, carries none of this frame
 * (the SimStack, the registers kept across the capture). */
static __attribute__((noinline, cold)) void
sim__kasan_report_slow(SimWorld *w, uintptr_t addr, size_t size, bool write,
		       uintptr_t ip, const char *at, size_t bad)
{
	SimStack st;

	sim_stack_capture(&st, 0);
	report_bad_access(w, &st, addr, size, write, ip, bad, at);
}

/*
 * The out-of-line part of a check: the full shadow walk and, on a bad
 * byte, the report. Reached for partial or poisoned granules, unaligned or
 * large accesses; never for addresses outside the heap. @at names the
 * driver function when the caller knows it (the shim's string functions,
 * which a driver may reach by a tail call that leaves no frame of its
 * own); NULL takes it from the stack.
 */
static __attribute__((noinline)) void
sim__kasan_slow(SimWorld *w, uintptr_t addr, size_t size, bool write,
		uintptr_t ip, const char *at)
{
	SimHeap *h = w->heap;
	size_t bad;

	if (!size || !shadow_range_bad(h, addr - h->lo, size, &bad))
		return;
	sim__kasan_report_slow(w, addr, size, write, ip, at, bad);
}

/* The two checks below while a footprint is recorded. Out of line, so
 * their common path keeps nothing across a call and saves no register. */
static __attribute__((noinline)) void
sim__heap_check_footprint(SimWorld *w, uintptr_t addr, size_t size,
			  bool write, uintptr_t ret_ip, const char *func,
			  bool fp_write)
{
	SimHeap *h = w->heap;

	sim__footprint_touch(w, addr, size, fp_write);
	if (addr - h->lo >= h->span ||
	    shadow_range_ok_fast(h->shadow, h->span, addr - h->lo, size))
		return;
	sim__kasan_slow(w, addr, size, write, ret_ip, func);
}

/*
 * The shim's access to a driver object (a lock, a completion, a work
 * item ...). For a footprint it is a write whatever @write says: the call
 * may change the object or the waiters the shim keeps behind it.
 */
/*
 * The common case of the two checks below: no footprint, and the range
 * outside the heap or accessible. Their other cases are out of line, so
 * this path saves no register.
 */
static inline __attribute__((always_inline)) bool
shim_check_ok(const SimWorld *w, uintptr_t addr, size_t size)
{
	return !w->footprint &&
	       (addr - w->heap_lo >= w->heap_span ||
		shadow_range_ok_fast(w->heap_shadow, w->heap_span,
				     addr - w->heap_lo, size));
}

static __attribute__((noinline)) void
sim__heap_check_slow(SimWorld *w, uintptr_t addr, size_t size, bool write,
		     uintptr_t ret_ip, const char *func, bool fp_write)
{
	if (G_UNLIKELY(w->footprint)) {
		sim__heap_check_footprint(w, addr, size, write, ret_ip, func,
					  fp_write);
		return;
	}
	sim__kasan_slow(w, addr, size, write, ret_ip, func);
}

void sim_heap_check(SimWorld *w, uintptr_t addr, size_t size, bool write,
		    uintptr_t ret_ip)
{
	if (__builtin_expect(shim_check_ok(w, addr, size), 1))
		return;
	sim__heap_check_slow(w, addr, size, write, ret_ip, NULL, true);
}

/* The shim's string functions: a plain read or write. */
void sim__heap_check_at(SimWorld *w, uintptr_t addr, size_t size, bool write,
			uintptr_t ret_ip, const char *func)
{
	if (__builtin_expect(shim_check_ok(w, addr, size), 1))
		return;
	sim__heap_check_slow(w, addr, size, write, ret_ip, func, write);
}

/* A host model about to read guest memory: a read. */
static inline __attribute__((always_inline)) bool
heap_accessible(SimWorld *w, const void *addr, size_t size)
{
	size_t off = (uintptr_t)addr - w->heap_lo, bad;

	if (G_UNLIKELY(w->footprint))
		sim__footprint_touch(w, (uintptr_t)addr, size, false);

	/* Outside the heap we cannot vouch for anything. */
	if (off >= w->heap_span || size > w->heap_span - off)
		return false;
	if (shadow_range_ok_fast(w->heap_shadow, w->heap_span, off, size))
		return true;
	return !size || !shadow_range_bad(w->heap, off, size, &bad);
}

bool sim_heap_accessible(SimWorld *w, const void *addr, size_t size)
{
	return heap_accessible(w, addr, size);
}

void *sim_heap_guest_range(SimWorld *w, uint64_t pfn, size_t in, size_t len)
{
	SimHeap *h = w->heap;
	uint8_t *va;

	/* sim_heap_pfn_to_virt(), inline. */
	if (pfn >= (h->slab_bytes + h->page_bytes) >> 12)
		return NULL;
	va = (uint8_t *)(h->lo + (pfn << 12));
	if (!heap_accessible(w, va + in, len))
		return NULL;
	return va + in;
}

/* ---------------------------------------------------------------- hooks -- */

/*
 * The inline part: true when the access is settled here (outside the heap,
 * or every granule it touches accessible: one shadow byte for an access
 * within a granule, one shadow word for up to eight granules).
 */
static inline __attribute__((always_inline)) bool
kasan_heap_ok(const SimWorld *w, uintptr_t addr, size_t size)
{
	size_t off = addr - w->heap_lo;

	if (__builtin_expect(off >= w->heap_span, 1))
		return true;
	if (size <= 8 && (off & 7) + size <= 8)
		return (w->heap_shadow[off >> 3] ^ SHADOW_XOR) == SH_OK;
	return shadow_range_ok_fast(w->heap_shadow, w->heap_span, off, size);
}

/*
 * The step's budget ran out, or a footprint is being recorded: record the
 * access or report the runaway (sim/footprint.c), then check it. Out of
 * line, so the hooks' fast path saves no register for it; named sim__* so
 * report stacks skip it.
 */
static __attribute__((noinline)) void
sim__kasan_budget_slow(SimWorld *w, uintptr_t addr, size_t size, bool write,
		       bool fp_write, uintptr_t ip)
{
	sim__footprint_access(w, addr, size, fp_write);
	if (!kasan_heap_ok(w, addr, size))
		sim__kasan_slow(w, addr, size, write, ip, NULL);
}

#define RET_IP ((uintptr_t)__builtin_return_address(0))

/*
 * Every hook: nothing outside a task; then the step's budget (the runaway
 * guard, and the way into footprint recording: one decrement and one
 * predictable branch, sim/footprint.h); then the heap check. @fp_write is
 * how a footprint counts the access (see sim__footprint_access()).
 *
 * Inlined into each hook, so RET_IP is the hook's return address, the
 * driver's access; it is read only on the slow paths, which lets the
 * compiler set up the hook's frame there alone (shrink-wrapping) and keep
 * the common path free of it.
 */
static inline __attribute__((always_inline)) void
kasan_check(uintptr_t addr, size_t size, bool write, bool fp_write)
{
	SimTask *t = sim__current;
	SimWorld *w;

	if (__builtin_expect(!t, 0))
		return;
	w = t->world;
	if (__builtin_expect(--w->step_budget < 0, 0)) {
		sim__kasan_budget_slow(w, addr, size, write, fp_write, RET_IP);
		return;
	}
	if (__builtin_expect(kasan_heap_ok(w, addr, size), 1))
		return;
	sim__kasan_slow(w, addr, size, write, RET_IP, NULL);
}

/*
 * The hooks keep no frame pointer: their common path is a leaf of a dozen
 * instructions, which a frame would lengthen by a third. Unwinders go
 * through them by their CFI, as through any other function (the reports'
 * stacks come from libunwind, which reads it).
 */
#define HOOK_ATTR	__attribute__((optimize("omit-frame-pointer")))

#define DEFINE_ASAN_HOOKS(n)						\
	void __asan_load##n##_noabort(uintptr_t addr);			\
	void __asan_store##n##_noabort(uintptr_t addr);			\
	HOOK_ATTR void __asan_load##n##_noabort(uintptr_t addr)		\
	{								\
		kasan_check(addr, n, false, true);			\
	}								\
	HOOK_ATTR void __asan_store##n##_noabort(uintptr_t addr)	\
	{								\
		kasan_check(addr, n, true, true);			\
	}

DEFINE_ASAN_HOOKS(1)
DEFINE_ASAN_HOOKS(2)
DEFINE_ASAN_HOOKS(4)
DEFINE_ASAN_HOOKS(8)
DEFINE_ASAN_HOOKS(16)

void __asan_loadN_noabort(uintptr_t addr, size_t size);
void __asan_storeN_noabort(uintptr_t addr, size_t size);

HOOK_ATTR void __asan_loadN_noabort(uintptr_t addr, size_t size)
{
	kasan_check(addr, size, false, true);
}

HOOK_ATTR void __asan_storeN_noabort(uintptr_t addr, size_t size)
{
	kasan_check(addr, size, true, true);
}

/*
 * Called before a noreturn call. Userspace ASan unpoisons the stack here;
 * the kernel's KASAN has nothing to do, and neither have we: stacks have
 * no shadow.
 */
void __asan_handle_no_return(void);
void __asan_handle_no_return(void)
{
}

/*
 * GCC 13 and later, with --param asan-kernel-mem-intrinsic-prefix=1 (as
 * the kernel builds), route memcpy, memmove and memset of instrumented
 * code here. GCC 12 calls the C library directly, and the <linux/string.h>
 * shim does the checking.
 */
void *__asan_memcpy(void *dst, const void *src, size_t n);
void *__asan_memmove(void *dst, const void *src, size_t n);
void *__asan_memset(void *dst, int c, size_t n);

void *__asan_memcpy(void *dst, const void *src, size_t n)
{
	kasan_check((uintptr_t)src, n, false, false);
	kasan_check((uintptr_t)dst, n, true, true);
	return memcpy(dst, src, n);
}

void *__asan_memmove(void *dst, const void *src, size_t n)
{
	kasan_check((uintptr_t)src, n, false, false);
	kasan_check((uintptr_t)dst, n, true, true);
	return memmove(dst, src, n);
}

void *__asan_memset(void *dst, int c, size_t n)
{
	kasan_check((uintptr_t)dst, n, true, true);
	return memset(dst, c, n);
}
