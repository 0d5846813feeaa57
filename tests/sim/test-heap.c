// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the simulated heap on its own (sim/heap.c), called from
 * engine context as a host model would: allocation fill and zeroing,
 * buckets and ksize, the shadow seen through sim_heap_accessible(), the
 * quarantine, lookups, pages and vmap aliases, pfns and printed addresses,
 * deterministic addresses across executions, the reset, trace events, the
 * live-object enumeration and the kmemleak report, and the double-free
 * report raised outside a task. The KASAN hooks under real tasks are tested
 * in tests/kapi/test-mm.c.
 */
#include <check.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/heap.h"
#include "sim/world.h"

#define DIRECT	0xffff888000000000ULL
#define VMALLOC	0xffffc90000000000ULL

static SimWorld *heap_world(void)
{
	SimWorld *w = sim_world_new();

	sim_heap_reset(w->heap);
	return w;
}

static bool all_bytes(const void *p, int c, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)c)
			return false;
	return true;
}

START_TEST(test_heap_kmalloc_fills_zeroes_and_sizes)
{
	g_autoptr(SimWorld) w = heap_world();
	unsigned char *a = sim_kmalloc(w, 40, false, "f");
	unsigned char *b = sim_kmalloc(w, 40, true, "f");

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert(all_bytes(a, 0xbe, 40));
	ck_assert(all_bytes(b, 0, 40));
	/* kmalloc-64: objects sit at multiples of 64 with a redzone between. */
	ck_assert_uint_eq((uintptr_t)a % 64, 0);
	ck_assert_uint_ge(b - a, 64 + 16);
	ck_assert(sim_heap_accessible(w, a, 40));
	ck_assert(!sim_heap_accessible(w, a, 41));
	ck_assert(!sim_heap_accessible(w, a + 40, 1));
	ck_assert(!sim_heap_accessible(w, a - 1, 1));
	ck_assert_uint_eq(sim_ksize(w, a), 64);
	/* ksize() hands out the whole slot, as the kernel does. */
	ck_assert(sim_heap_accessible(w, a, 64));
	ck_assert_uint_eq(sim_ksize(w, a + 1), 0);
	/* kmalloc(0) is ZERO_SIZE_PTR; kfree of it and of NULL do nothing. */
	ck_assert_ptr_eq(sim_kmalloc(w, 0, false, "f"), (void *)16);
	sim_kfree(w, (void *)16, "f");
	sim_kfree(w, NULL, "f");
	ck_assert_ptr_null(w->bug);
	/* Too big for the page allocator. */
	ck_assert_ptr_null(sim_kmalloc(w, (size_t)8 << 20, false, "f"));
	ck_assert_ptr_null(sim_alloc_pages(w, 11, false, "f"));
}
END_TEST

START_TEST(test_heap_free_quarantines_and_records)
{
	g_autoptr(SimWorld) w = heap_world();
	char *a = sim_kmalloc(w, 24, false, "alloc_fn");
	char *b;
	const SimObj *o;

	sim_kfree(w, a, "free_fn");
	ck_assert_ptr_null(w->bug);
	ck_assert(!sim_heap_accessible(w, a, 1));
	b = sim_kmalloc(w, 24, false, "alloc_fn");
	/* Never handed out again within the execution. */
	ck_assert_ptr_ne(a, b);
	o = sim_heap_lookup(w, a + 3);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->type, SIM_OBJ_SLAB);
	ck_assert_int_eq(o->state, SIM_OBJ_FREED);
	ck_assert_uint_eq(o->size, 24);
	ck_assert_str_eq(o->alloc_func, "alloc_fn");
	ck_assert_str_eq(o->free_func, "free_fn");
	ck_assert_uint_eq(o->alloc_task, 0);
	/* Stacks are captured only when the world asks for them. */
	ck_assert_ptr_null(o->alloc_stack);
	ck_assert_ptr_null(o->free_stack);
	o = sim_heap_lookup(w, b);
	ck_assert_int_eq(o->state, SIM_OBJ_LIVE);
	ck_assert_uint_eq(o->id, 2);
}
END_TEST

START_TEST(test_heap_lookup_finds_the_containing_object)
{
	g_autoptr(SimWorld) w = heap_world();
	char *a = sim_kmalloc(w, 100, false, "f");	/* kmalloc-128 */
	char *pg = sim_alloc_pages(w, 1, false, "g");
	const SimObj *o;
	int x;

	o = sim_heap_lookup(w, a);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->type, SIM_OBJ_SLAB);
	ck_assert_ptr_eq(sim_heap_lookup(w, a + 99), o);
	/* The bucket tail belongs to the object; the redzone before it not. */
	ck_assert_ptr_eq(sim_heap_lookup(w, a + 127), sim_heap_lookup(w, a));
	ck_assert_ptr_null(sim_heap_lookup(w, a - 1));
	o = sim_heap_lookup(w, pg + 5000);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->type, SIM_OBJ_PAGES);
	ck_assert_uint_eq(o->order, 1);
	ck_assert_uint_eq(o->size, 8192);
	ck_assert_ptr_null(sim_heap_lookup(w, &x));
	ck_assert_ptr_null(sim_heap_lookup(w, NULL));
}
END_TEST

START_TEST(test_heap_pages_vmap_alias_and_pfns)
{
	g_autoptr(SimWorld) w = heap_world();
	unsigned char *pg = sim_alloc_pages(w, 2, true, "alloc_ring");
	void *pages[3] = { pg, pg + 4096, pg + 8192 };
	unsigned char *v;
	const SimObj *o;
	int64_t pfn;

	ck_assert_ptr_nonnull(pg);
	ck_assert(all_bytes(pg, 0, 4 * 4096));
	ck_assert_uint_eq(sim_heap_sim_addr(w, pg) % (4 * 4096), 0);
	pfn = sim_heap_pfn(w, pg + 4096);
	ck_assert_int_eq(pfn, (int64_t)((sim_heap_sim_addr(w, pg) - DIRECT) >> 12) + 1);
	ck_assert_ptr_eq(sim_heap_pfn_to_virt(w, (uint64_t)pfn), pg + 4096);

	v = sim_vmap(w, pages, 3, "ring_init");
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_ne(v, pg);
	ck_assert_uint_eq(sim_heap_sim_addr(w, v) >> 40, VMALLOC >> 40);
	/* Same memory through both mappings. */
	v[4100] = 0x5a;
	ck_assert_uint_eq(pg[4100], 0x5a);
	ck_assert(sim_heap_accessible(w, v, 3 * 4096));
	ck_assert(!sim_heap_accessible(w, v + 3 * 4096, 1));
	ck_assert_int_eq(sim_heap_pfn(w, v), -1);
	o = sim_heap_lookup(w, v + 10);
	ck_assert_int_eq(o->type, SIM_OBJ_VMAP);
	ck_assert_int_eq(o->state, SIM_OBJ_LIVE);

	sim_vunmap(w, v, "ring_cleanup");
	ck_assert_ptr_null(w->bug);
	ck_assert(!sim_heap_accessible(w, v, 1));
	/* The pages themselves are still allocated. */
	ck_assert(sim_heap_accessible(w, pg, 4 * 4096));
	ck_assert_int_eq(sim_heap_lookup(w, v)->state, SIM_OBJ_FREED);

	sim_free_pages(w, pg, 2, "free_ring");
	ck_assert_ptr_null(w->bug);
	ck_assert(!sim_heap_accessible(w, pg, 1));
}
END_TEST

START_TEST(test_heap_two_vmaps_of_one_page_keep_it_mapped)
{
	g_autoptr(SimWorld) w = heap_world();
	void *pg = sim_alloc_pages(w, 0, false, "f");
	void *pages[1] = { pg };
	char *v1 = sim_vmap(w, pages, 1, "f");
	char *v2 = sim_vmap(w, pages, 1, "f");

	ck_assert_ptr_eq(v1, v2);
	sim_vunmap(w, v1, "f");
	ck_assert(sim_heap_accessible(w, v2, 4096));
	sim_vunmap(w, v2, "f");
	ck_assert(!sim_heap_accessible(w, v2, 1));
	ck_assert_ptr_null(w->bug);
}
END_TEST

/* The same requests give the same addresses, execution after execution. */
static void alloc_sequence(SimWorld *w, uint64_t *out)
{
	void *pg, *pages[1];

	out[0] = sim_heap_sim_addr(w, sim_kmalloc(w, 13, false, "f"));
	out[1] = sim_heap_sim_addr(w, sim_kmalloc(w, 700, true, "f"));
	pg = sim_alloc_pages(w, 0, false, "f");
	out[2] = sim_heap_sim_addr(w, pg);
	pages[0] = pg;
	out[3] = sim_heap_sim_addr(w, sim_vmap(w, pages, 1, "f"));
	out[4] = sim_heap_sim_addr(w, sim_kmalloc(w, 9000, false, "f"));
}

START_TEST(test_heap_addresses_are_deterministic_across_executions)
{
	g_autoptr(SimWorld) w = heap_world();
	g_autoptr(SimWorld) w2 = heap_world();
	uint64_t first[5], second[5], other[5];
	unsigned i;

	alloc_sequence(w, first);
	sim_heap_reset(w->heap);
	ck_assert_uint_eq(sim_heap_nobjs(w), 0);
	alloc_sequence(w, second);
	alloc_sequence(w2, other);
	for (i = 0; i < 5; i++) {
		ck_assert_uint_eq(first[i], second[i]);
		/* Another world, mapped elsewhere, prints the same. */
		ck_assert_uint_eq(first[i], other[i]);
	}
	ck_assert_uint_eq(first[0], DIRECT + 16);
	ck_assert_uint_eq(first[3] >> 40, VMALLOC >> 40);
}
END_TEST

START_TEST(test_heap_reset_poisons_what_the_execution_used)
{
	g_autoptr(SimWorld) w = heap_world();
	char *a = sim_kmalloc(w, 64, false, "f");
	char *pg = sim_alloc_pages(w, 0, false, "f");
	void *pages[1] = { pg };
	char *v = sim_vmap(w, pages, 1, "f");

	ck_assert(sim_heap_accessible(w, a, 64));
	sim_heap_reset(w->heap);
	ck_assert(!sim_heap_accessible(w, a, 1));
	ck_assert(!sim_heap_accessible(w, pg, 1));
	ck_assert(!sim_heap_accessible(w, v, 1));
	ck_assert_ptr_null(sim_heap_lookup(w, a));
	/* The next execution gets the same first address back, refilled. */
	ck_assert_ptr_eq(sim_kmalloc(w, 64, false, "f"), a);
	ck_assert(all_bytes(a, 0xbe, 64));
}
END_TEST

START_TEST(test_heap_records_trace_events)
{
	g_autoptr(SimWorld) w = heap_world();
	const SimTrace *tr = &w->trace;
	void *a, *pg, *pages[1];
	size_t base = tr->len;

	a = sim_kmalloc(w, 40, false, "probe_fn");
	sim_kfree(w, a, "remove_fn");
	pg = sim_alloc_pages(w, 0, false, "ring_fn");
	pages[0] = pg;
	sim_vunmap(w, sim_vmap(w, pages, 1, "ring_fn"), "ring_fn");
	sim_free_pages(w, pg, 0, "ring_fn");
	ck_assert_uint_eq(tr->len - base, 6);
	ck_assert_int_eq(tr->ev[base].kind, SIM_TR_ALLOC);
	ck_assert_uint_eq(tr->ev[base].obj, 1);
	ck_assert_int_eq(tr->ev[base].arg, 40);
	ck_assert_str_eq(tr->ev[base].func, "probe_fn");
	ck_assert_str_eq(tr->ev[base].name, "kmalloc-64");
	ck_assert_int_eq(tr->ev[base + 1].kind, SIM_TR_FREE);
	ck_assert_uint_eq(tr->ev[base + 1].obj, 1);
	ck_assert_str_eq(tr->ev[base + 1].func, "remove_fn");
	ck_assert_int_eq(tr->ev[base + 2].kind, SIM_TR_PAGE_ALLOC);
	ck_assert_int_eq(tr->ev[base + 2].arg, 4096);
	ck_assert_int_eq(tr->ev[base + 3].kind, SIM_TR_VMAP);
	ck_assert_uint_eq(tr->ev[base + 3].obj, 3);
	ck_assert_int_eq(tr->ev[base + 4].kind, SIM_TR_VUNMAP);
	ck_assert_uint_eq(tr->ev[base + 4].obj, 3);
	ck_assert_int_eq(tr->ev[base + 5].kind, SIM_TR_PAGE_FREE);
	ck_assert_uint_eq(tr->ev[base + 5].obj, 2);
}
END_TEST

START_TEST(test_heap_enumerates_live_objects)
{
	g_autoptr(SimWorld) w = heap_world();
	void *a = sim_kmalloc(w, 8, false, "f");
	void *b = sim_kmalloc(w, 8, false, "f");
	void *c = sim_kmalloc(w, 8, false, "f");

	(void)a;
	(void)c;
	ck_assert_uint_eq(sim_heap_nobjs(w), 3);
	sim_kfree(w, b, "f");
	ck_assert_uint_eq(sim_heap_nobjs(w), 2);
	ck_assert_uint_eq(sim_heap_obj(w, 0)->id, 1);
	ck_assert_uint_eq(sim_heap_obj(w, 1)->id, 3);
}
END_TEST

START_TEST(test_heap_reports_leaks_in_kmemleak_format)
{
	g_autoptr(SimWorld) w = heap_world();
	g_autoptr(GString) out = g_string_new(NULL);
	void *freed = sim_kmalloc(w, 16, false, "f");

	sim_kmalloc(w, 40, true, "storvsc_probe");
	sim_alloc_pages(w, 0, false, "vmbus_alloc_ring");
	sim_kfree(w, freed, "f");
	ck_assert_uint_eq(sim_heap_report_leaks(w), 2);
	ck_assert_ptr_nonnull(w->bug);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_LEAK);
	ck_assert_str_eq(w->bug->title, "kmemleak: 2 new suspected memory leaks "
			 "(see /sys/kernel/debug/kmemleak)");
	ck_assert_str_eq(w->bug->func, "storvsc_probe");
	sim_report_format(w, out);
	ck_assert_msg(strstr(out->str, "unreferenced object 0xffff888000000040 (size 40):\n"
			     "  comm \"swapper/0\", pid 0, jiffies 4294667296\n"
			     "  hex dump (first 32 bytes):\n"
			     "    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................\n"),
		      "%s", out->str);
	ck_assert_msg(strstr(out->str, "(size 4096):"), "%s", out->str);
	ck_assert_msg(strstr(out->str, "be be be be be be be be be be be be be be be be  ................"),
		      "%s", out->str);
	ck_assert_msg(strstr(out->str, "  backtrace (crc 0):\n    hvsim: allocation stack not recorded"),
		      "%s", out->str);
}
END_TEST

START_TEST(test_heap_no_leak_no_report)
{
	g_autoptr(SimWorld) w = heap_world();
	void *a = sim_kmalloc(w, 16, false, "f");
	void *pg = sim_alloc_pages(w, 0, false, "f");
	void *pages[1] = { pg };

	/* A mapping left behind is not a leak of its own: its pages are. */
	sim_vmap(w, pages, 1, "f");
	sim_kfree(w, a, "f");
	sim_free_pages(w, pg, 0, "f");
	ck_assert_uint_eq(sim_heap_report_leaks(w), 0);
	ck_assert_ptr_null(w->bug);
}
END_TEST

START_TEST(test_heap_double_free_in_engine_context_is_reported)
{
	g_autoptr(SimWorld) w = heap_world();
	g_autoptr(GString) out = g_string_new(NULL);
	void *a = sim_kmalloc(w, 16, false, "f");

	sim_kfree(w, a, "first_free");
	sim_kfree(w, a, "second_free");
	ck_assert_ptr_nonnull(w->bug);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DOUBLE_FREE);
	ck_assert_str_eq(w->bug->title, "BUG: KASAN: double-free in second_free");
	sim_report_format(w, out);
	ck_assert_msg(strstr(out->str, "Free of addr ffff888000000010 by task swapper/0/0\n"),
		      "%s", out->str);
	ck_assert_msg(strstr(out->str, "The buggy address is located 0 bytes inside of\n"
			     " freed 16-byte region [ffff888000000010, ffff888000000020)\n"),
		      "%s", out->str);
}
END_TEST

START_TEST(test_heap_wrong_order_free_is_invalid)
{
	g_autoptr(SimWorld) w = heap_world();
	void *pg = sim_alloc_pages(w, 1, false, "f");

	sim_free_pages(w, pg, 0, "g");
	ck_assert_ptr_nonnull(w->bug);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_INVALID_FREE);
	ck_assert_str_eq(w->bug->title, "BUG: KASAN: invalid-free in g");
}
END_TEST

START_TEST(test_heap_vunmap_of_nothing_warns)
{
	g_autoptr(SimWorld) w = heap_world();
	g_autoptr(GString) out = g_string_new(NULL);
	void *a = sim_kmalloc(w, 16, false, "f");

	sim_vunmap(w, a, "hv_ringbuffer_cleanup");
	ck_assert_ptr_nonnull(w->bug);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_BAD_VMAP);
	ck_assert_str_eq(w->bug->func, "hv_ringbuffer_cleanup");
	sim_report_format(w, out);
	ck_assert_msg(strstr(out->str, "Trying to vfree() nonexistent vm area (ffff888000000010)"),
		      "%s", out->str);
}
END_TEST

/*
 * Explorer workers are forked processes: a worker's page arena must not be
 * the parent's shared memfd, or the two would write the same pages.
 */
START_TEST(test_heap_forked_process_gets_its_own_pages)
{
	g_autoptr(SimWorld) w = heap_world();
	unsigned char *pg = sim_alloc_pages(w, 0, true, "f");
	int status = -1;
	pid_t pid;

	pg[0] = 1;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		unsigned char *q;

		sim_heap_reset(w->heap);
		q = sim_alloc_pages(w, 0, false, "f");
		_exit(q == pg && q[0] == 0xbe ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The child's 0xbe fill went to its own pages. */
	ck_assert_uint_eq(pg[0], 1);
}
END_TEST

static Suite *heap_suite(void)
{
	Suite *s = suite_create("heap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_heap_kmalloc_fills_zeroes_and_sizes);
	tcase_add_test(tc, test_heap_free_quarantines_and_records);
	tcase_add_test(tc, test_heap_lookup_finds_the_containing_object);
	tcase_add_test(tc, test_heap_pages_vmap_alias_and_pfns);
	tcase_add_test(tc, test_heap_two_vmaps_of_one_page_keep_it_mapped);
	tcase_add_test(tc, test_heap_addresses_are_deterministic_across_executions);
	tcase_add_test(tc, test_heap_reset_poisons_what_the_execution_used);
	tcase_add_test(tc, test_heap_records_trace_events);
	tcase_add_test(tc, test_heap_enumerates_live_objects);
	tcase_add_test(tc, test_heap_reports_leaks_in_kmemleak_format);
	tcase_add_test(tc, test_heap_no_leak_no_report);
	tcase_add_test(tc, test_heap_double_free_in_engine_context_is_reported);
	tcase_add_test(tc, test_heap_wrong_order_free_is_invalid);
	tcase_add_test(tc, test_heap_vunmap_of_nothing_warns);
	tcase_add_test(tc, test_heap_forked_process_gets_its_own_pages);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(heap_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
