// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the lock-misuse detectors every lock type shares:
 * the held-lock bookkeeping (lockdep's view: which task holds which lock,
 * in which order, and in which context each lock was taken), the checks
 * that read it (recursive locking, bad unlock balance, held lock freed,
 * lockdep_assert_held), might_sleep(), and the reports in lockdep's and
 * the scheduler's formats. It sits between the lock implementations
 * (sim/kapi/mutex.c, spinlock.c, and other engineers' locks) and the
 * report layer (sim/report.h).
 *
 * Report formats follow kernel/locking/lockdep.c and kernel/sched/core.c
 * line for line, with world-local object ids printed as addresses and the
 * acquiring function (no offset) after "at:". The lockdep header around a
 * "WARNING: " title (the '=' ruler, the kernel ident, the '-' ruler) is
 * written by the report layer (sim/report.c), so the bodies here start
 * with the line after it.
 */
#include <string.h>

#define SIM_KAPI_NO_WRAPPERS	/* this file defines the wrapped calls */
#include "sim/kapi/kapi.h"
#include "sim/lockdep.h"
#pragma GCC optimize("omit-frame-pointer", "no-plt")	/* docs/performance.md */
/* -------------------------------------------------------------- basics -- */

void sim__kapi_no_task(const char *what)
{
	g_error("hvsim: %s called from engine context (no running task)",
		what);
}

bool sim_kapi_irqs_disabled(void)
{
	SimTask *t = sim_current();

	return t && sim__kapi_irqs_disabled(t);
}

/*
 * __FILE__ is whatever path the compiler was given: with meson, relative to
 * the build directory ("../drivers/hv/channel.c"), or absolute. Reports
 * print it relative to the source tree, like the kernel's "drivers/...".
 * The result points into @file, so it lives as long as the literal.
 */
const char *sim__kapi_relpath(const char *file)
{
	static const char root[] = HVSIM_SOURCE_ROOT;
	size_t rlen = sizeof(root) - 1;

	if (!file)
		return "?";
	if (strncmp(file, root, rlen) == 0 && file[rlen] == '/')
		return file + rlen + 1;
	for (;;) {
		if (strncmp(file, "../", 3) == 0)
			file += 3;
		else if (strncmp(file, "./", 2) == 0)
			file += 2;
		else
			break;
	}
	/* A build directory outside the tree: "../../work/main/drivers/x.c". */
	if (root[0] == '/' && strncmp(file, root + 1, rlen - 1) == 0 &&
	    file[rlen - 1] == '/')
		return file + rlen;
	return file;
}

SimTime sim__kapi_jiffies_to_ns(unsigned long j)
{
	if (j >= UINT64_MAX / SIM_KAPI_NSEC_PER_JIFFY)
		return UINT64_MAX;
	return (SimTime)j * SIM_KAPI_NSEC_PER_JIFFY;
}

/* ----------------------------------------------------- per-world state -- */

static void *sync_make(SimWorld *w)
{
	SimKapiSync *s = g_new0(SimKapiSync, 1);

	s->warned_sites = g_ptr_array_new();
	s->console = g_string_new(NULL);
	return s;
}

static void sync_free(void *p)
{
	SimKapiSync *s = p;

	g_ptr_array_free(s->warned_sites, TRUE);
	g_string_free(s->console, TRUE);
	g_free(s);
}

SimKapiSync *sim__kapi_sync(SimWorld *w)
{
	SimKapiSync *s = sim_world_ext(w, SIM_EXT_KAPI_SYNC, sync_make,
				       sync_free);

	if (s->run_serial != w->run_serial) {
		s->run_serial = w->run_serial;
		g_ptr_array_set_size(s->warned_sites, 0);
		g_string_truncate(s->console, 0);
		s->console_full = false;
	}
	return s;
}

void sim_kapi_set_warn_fatal(SimWorld *w, bool fatal)
{
	sim__kapi_sync(w)->warn_nonfatal = !fatal;
}

/* ---------------------------------------------------------- lock maps -- */

bool sim__kapi_map_prepare(SimWorld *w, struct lockdep_map *map,
			   enum sim_lock_kind kind, const char *expr)
{
	bool fresh = false;

	if (map->__sim_magic != SIM_LOCKDEP_MAGIC) {
		/* Zeroed (or never initialised) memory: the kernel would
		 * complain about a bad magic; the simulator adopts the lock
		 * lazily and names it after the expression that used it. */
		map->name = expr;
		map->__sim_magic = SIM_LOCKDEP_MAGIC;
		map->__sim_kind = kind;
		map->__sim_usage[0] = map->__sim_usage[1] = 0;
		map->__sim_id = 0;
		fresh = true;
	}
	if (map->__sim_id == 0 || map->__sim_serial != w->run_serial) {
		/* First use in this execution. Driver globals are restored
		 * and heap objects are new at every execution, so a stale
		 * serial only happens in memory the engine does not reset
		 * (a test's or a model's): its lock state is stale too. */
		if (map->__sim_id != 0)
			fresh = true;
		map->__sim_id = sim_obj_id(w);
		map->__sim_serial = w->run_serial;
		map->__sim_usage[0] = map->__sim_usage[1] = 0;
	}
	return fresh;
}

void sim__kapi_map_init(SimWorld *w, struct lockdep_map *map,
			enum sim_lock_kind kind, const char *name)
{
	bool keep_id = map->__sim_magic == SIM_LOCKDEP_MAGIC &&
		       map->__sim_id != 0 &&
		       map->__sim_serial == w->run_serial;

	map->name = name;
	map->__sim_magic = SIM_LOCKDEP_MAGIC;
	map->__sim_kind = kind;
	map->__sim_usage[0] = map->__sim_usage[1] = 0;
	if (!keep_id) {
		map->__sim_id = sim_obj_id(w);
		map->__sim_serial = w->run_serial;
	} else {
		/* Same object id, maybe another name: lockdep's class cache. */
		sim__lockdep_map_renamed(w, map);
	}
}

void sim_kapi_lockdep_set_name(struct lockdep_map *map, const char *name)
{
	SimWorld *w = sim_current_world();

	map->name = name;
	if (w && map->__sim_id && map->__sim_serial == w->run_serial)
		sim__lockdep_map_renamed(w, map);
}

/* Usage bits per irq kind: bit 0 "taken with it enabled", bit 1 "taken in
 * that context". */
#define USAGE_ENABLED	1
#define USAGE_USED_IN	2

SIM_KAPI_INLINE void map_note_usage(struct lockdep_map *map, const SimTask *t)
{
	unsigned int pc = sim__kapi_preempt_count(t);
	bool hard_off = sim__kapi_irqs_disabled(t);
	bool soft_off = hard_off || (pc & 0xff00);

	if (t->ctx == SIM_CTX_HARDIRQ)
		map->__sim_usage[0] |= USAGE_USED_IN;
	else if (!hard_off)
		map->__sim_usage[0] |= USAGE_ENABLED;
	if (t->ctx == SIM_CTX_SOFTIRQ)
		map->__sim_usage[1] |= USAGE_USED_IN;
	else if (!soft_off)
		map->__sim_usage[1] |= USAGE_ENABLED;
}

static char usage_char(uint8_t u)
{
	if ((u & USAGE_ENABLED) && (u & USAGE_USED_IN))
		return '?';
	if (u & USAGE_USED_IN)
		return '-';
	if (u & USAGE_ENABLED)
		return '+';
	return '.';
}

/* lockdep's "-{inner:outer}" wait type, as a kernel with
 * CONFIG_PROVE_RAW_LOCK_NESTING prints it. */
static int wait_type(const struct lockdep_map *map)
{
	switch (map->__sim_kind) {
	case SIM_LOCK_MUTEX:
		return 4;
	case SIM_LOCK_SPIN:
		return 3;
	default:
		return 0;
	}
}

void sim__kapi_lock_usage(const struct lockdep_map *map, const SimTask *t,
			  char out[24])
{
	struct lockdep_map m = *map;

	if (t)
		map_note_usage(&m, t);
	g_snprintf(out, 24, "{%c.%c.}-{%d:%d}", usage_char(m.__sim_usage[0]),
		   usage_char(m.__sim_usage[1]), wait_type(&m), wait_type(&m));
}

char *sim__kapi_lock_line(const struct lockdep_map *map, const char *func)
{
	return g_strdup_printf("%016" G_GINT64_MODIFIER "x (%s){%c.%c.}-{%d:%d}%s%s",
			       sim_report_obj_addr(map->__sim_id),
			       map->name ? map->name : "(null)",
			       usage_char(map->__sim_usage[0]),
			       usage_char(map->__sim_usage[1]),
			       wait_type(map), wait_type(map),
			       func ? ", at: " : "", func ? func : "");
}

/* ---------------------------------------------------------- held locks -- */

bool sim__kapi_held_by_current(const struct lockdep_map *map)
{
	SimTask *t = sim_current();

	return t && sim__kapi_held_find(t, map) >= 0;
}

bool sim_kapi_lock_is_held(const struct lockdep_map *map)
{
	return sim__kapi_held_by_current(map);
}

void sim__kapi_held_push(SimWorld *w, SimTask *t, struct lockdep_map *map,
			 const char *func)
{
	SimHeldLock *h;

	if (G_UNLIKELY(t->nheld >= SIM_MAX_HELD_LOCKS)) {
		SimReport *r = sim_report_new(w, SIM_BUG_BUG, func,
					      "BUG: MAX_LOCK_DEPTH too low!");
		SimStack s;

		sim_report_line(r, "depth: %i  max: %i!", t->nheld + 1,
				SIM_MAX_HELD_LOCKS);
		sim__kapi_report_held_locks(r, t);
		sim__kapi_blank(r);
		sim_report_identity(r, w, t);
		sim__kapi_capture(&s);
		sim_report_stack(r, &s, TRUE);
		sim_report_raise_task(w, r);
	}
	map_note_usage(map, t);
	h = &t->held[t->nheld++];
	h->lock = map;
	h->name = map->name;
	h->func = func;
	h->id = map->__sim_id;
}

void sim__kapi_held_remove(SimTask *t, int idx)
{
	g_assert(idx >= 0 && idx < t->nheld);
	/* Mostly the last one: nothing to move then. */
	if (idx < t->nheld - 1)
		memmove(&t->held[idx], &t->held[idx + 1],
			(size_t)(t->nheld - idx - 1) * sizeof(t->held[0]));
	t->nheld--;
}

/* ------------------------------------------------------------- reports -- */

void sim__kapi_capture(SimStack *s)
{
	sim_stack_capture(s, 0);
}

void sim__kapi_report_held_locks(SimReport *r, const SimTask *t)
{
	int i;

	if (!t->nheld) {
		sim_report_line(r, "no locks held by %s/%u.", t->name, t->id);
		return;
	}
	sim_report_line(r, "%d lock%s held by %s/%u:", t->nheld,
			sim__kapi_plural(t->nheld), t->name, t->id);
	for (i = 0; i < t->nheld; i++) {
		g_autofree char *line =
			sim__kapi_lock_line(t->held[i].lock, t->held[i].func);

		sim_report_line(r, " #%d: %s", i, line);
	}
}

/* "stack backtrace:" and what dump_stack() prints. */
SIM_KAPI_INLINE void report_backtrace(SimReport *r, SimWorld *w, SimTask *t,
				      const SimStack *s)
{
	sim__kapi_blank(r);
	sim_report_line(r, "stack backtrace:");
	sim_report_identity(r, w, t);
	sim_report_stack(r, s, TRUE);
}

_Noreturn void sim__kapi_report_bad_unlock(SimWorld *w, SimTask *t,
					   const struct lockdep_map *map,
					   const struct sim_kapi_site *site,
					   uintptr_t ip)
{
	static const char title[] = "WARNING: bad unlock balance detected!";
	SimReport *r = sim_report_new(w, SIM_BUG_BAD_UNLOCK, site->func,
				      "%s", title);
	SimStack s, at = { .pc = { ip }, .n = 1 };

	sim__kapi_capture(&s);
	sim_report_line(r, "%s/%u is trying to release lock (%s) at:",
			t->name, t->id, map->name ? map->name : site->expr);
	sim_report_stack(r, &at, FALSE);
	sim_report_line(r, "but there are no more locks to release!");
	sim__kapi_blank(r);
	sim_report_line(r, "other info that might help us debug this:");
	sim__kapi_report_held_locks(r, t);
	report_backtrace(r, w, t, &s);
	sim_report_raise_task(w, r);
}

_Noreturn void sim__kapi_report_recursive(SimWorld *w, SimTask *t,
					  const struct lockdep_map *map,
					  int held_idx,
					  const struct sim_kapi_site *site)
{
	static const char title[] = "WARNING: possible recursive locking detected";
	SimReport *r = sim_report_new(w, SIM_BUG_RECURSIVE_LOCK, site->func,
				      "%s", title);
	g_autofree char *next = sim__kapi_lock_line(map, site->func);
	g_autofree char *prev = sim__kapi_lock_line(map,
						    t->held[held_idx].func);
	SimStack s;

	sim__kapi_capture(&s);
	sim_report_line(r, "%s/%u is trying to acquire lock:", t->name, t->id);
	sim_report_line(r, "%s", next);
	sim__kapi_blank(r);
	sim_report_line(r, "but task is already holding lock:");
	sim_report_line(r, "%s", prev);
	sim__kapi_blank(r);
	sim_report_line(r, "other info that might help us debug this:");
	sim_report_line(r, " Possible unsafe locking scenario:");
	sim__kapi_blank(r);
	sim_report_line(r, "       CPU0");
	sim_report_line(r, "       ----");
	sim_report_line(r, "  lock(%s);", map->name);
	sim_report_line(r, "  lock(%s);", map->name);
	sim__kapi_blank(r);
	sim_report_line(r, " *** DEADLOCK ***");
	sim__kapi_blank(r);
	sim_report_line(r, " May be due to missing lock nesting notation");
	sim__kapi_blank(r);
	sim__kapi_report_held_locks(r, t);
	report_backtrace(r, w, t, &s);
	sim_report_raise_task(w, r);
}

void sim__kapi_check_no_locks_freed(SimWorld *w, const void *mem, size_t len,
				    const char *func)
{
	static const char title[] = "WARNING: held lock freed!";
	SimTask *t = sim_current();
	const char *from = mem, *to = from + len;
	SimReport *r;
	SimStack s;
	char *line;
	uint64_t addr;
	int i;

	if (!t || !w)
		return;
	for (i = 0; i < t->nheld; i++) {
		const char *l = t->held[i].lock;

		if (l >= from && l < to)
			break;
	}
	if (i == t->nheld)
		return;
	r = sim_report_new(w, SIM_KAPI_BUG_LOCK_REINIT, func, "%s", title);
	sim__kapi_capture(&s);
	/* The freed range is printed around the lock's own address, the only
	 * address the simulator can print for memory it did not allocate. */
	addr = sim_report_obj_addr(t->held[i].id) -
	       (uint64_t)((const char *)t->held[i].lock - from);
	sim_report_line(r, "%s/%u is freeing memory %016" G_GINT64_MODIFIER "x-"
			"%016" G_GINT64_MODIFIER "x, with a lock still held there!",
			t->name, t->id, addr, addr + len - 1);
	line = sim__kapi_lock_line(t->held[i].lock, t->held[i].func);
	sim_report_line(r, "%s", line);
	g_free(line);
	sim__kapi_report_held_locks(r, t);
	report_backtrace(r, w, t, &s);
	sim_report_raise_task(w, r);
}

/* ---------------------------------------------------------- might_sleep -- */

void sim_might_sleep(SimWorld *w, const char *func, const char *file, int line)
{
	SimTask *t = sim_current();
	unsigned int pc;
	bool irqs_off;
	SimReport *r;
	SimStack s;

	if (!w || !t)
		return;
	pc = sim__kapi_preempt_count(t);
	irqs_off = sim__kapi_irqs_disabled(t);
	if (G_LIKELY(pc == 0 && !irqs_off))
		return;
	r = sim_report_new(w, SIM_BUG_SLEEP_IN_ATOMIC, func,
			   "BUG: sleeping function called from invalid context at %s:%d",
			   sim__kapi_relpath(file), line);
	sim__kapi_capture(&s);
	sim_report_line(r, "in_atomic(): %d, irqs_disabled(): %d, non_block: 0, "
			"pid: %u, name: %s", pc != 0, irqs_off, t->id, t->name);
	sim_report_line(r, "preempt_count: %x, expected: 0", pc);
	sim_report_line(r, "RCU nest depth: 0, expected: 0");
	sim__kapi_report_held_locks(r, t);
	sim_report_identity(r, w, t);
	sim_report_stack(r, &s, TRUE);
	sim_report_raise_task(w, r);
}

void sim_kapi_cpu_relax(void)
{
	SimTask *t = sim_current();

	if (t)
		sim_yield(t->world);
}
