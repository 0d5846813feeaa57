// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file tests the memory shim and the KASAN hooks under real tasks:
 * instrumented driver-style functions (tests/kapi/test-mm-helper.c) run in
 * a world's init task, and each detector is shown to fire with the
 * kernel's report (slab use-after-free, slab out-of-bounds, page
 * use-after-free, double and invalid free, the page-fault oops of a
 * vunmapped address, the vmalloc WARNs, a checked memcpy, kmemleak, and
 * GFP_KERNEL in atomic context) and to stay quiet on correct code.
 */
#include <check.h>
#include <string.h>

#include "sim/world.h"
#include "test-mm-helper.h"

typedef struct {
	void (*fn)(void);
	int (*ifn)(void);
	uint64_t (*ufn)(void);
	uint64_t result;
	bool atomic;		/* run the function with preemption off */
} Call;

static void run_helper(SimWorld *w, void *arg)
{
	Call *c = arg;

	if (c->atomic)
		sim_current()->preempt_count++;
	if (c->fn)
		c->fn();
	if (c->ifn)
		c->result = (uint64_t)c->ifn();
	if (c->ufn)
		c->result = c->ufn();
	if (c->atomic)
		sim_current()->preempt_count--;
}

/* One execution of @c in a fresh world; returns the formatted report. */
static char *run(SimWorld *w, Call *c, SimEnd *end)
{
	SimStrategy *st = sim_strategy_first();
	GString *out = g_string_new(NULL);

	*end = sim_world_run(w, st, 1, 0, run_helper, c);
	sim_report_format(w, out);
	sim_strategy_free(st);
	return g_string_free(out, FALSE);
}

#define ck_assert_has(text, needle)					\
	ck_assert_msg(strstr((text), (needle)) != NULL,			\
		      "missing \"%s\" in:\n%s", (needle), (text))

START_TEST(test_mm_uaf_read_is_slab_use_after_free)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .ifn = mm_helper_uaf_read };
	g_autofree char *text = NULL;
	SimEnd end;

	w->want_stacks = true;
	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_USE_AFTER_FREE);
	ck_assert_str_eq(w->bug->title,
			 "BUG: KASAN: slab-use-after-free in mm_helper_uaf_read");
	ck_assert_str_eq(w->bug->func, "mm_helper_uaf_read");
	ck_assert_has(text, "Read of size 4 at addr ffff888000000014 by task modprobe/1\n");
	ck_assert_has(text, "Call Trace:\n <TASK>\n mm_helper_uaf_read+0x");
	ck_assert_has(text, "Allocated by task 1:\n mm_helper_uaf_read+0x");
	ck_assert_has(text, "Freed by task 1:\n mm_helper_uaf_read+0x");
	ck_assert_has(text, "The buggy address belongs to the object at ffff888000000010\n"
		      " which belongs to the cache kmalloc-16 of size 16\n"
		      "The buggy address is located 4 bytes inside of\n"
		      " freed 16-byte region [ffff888000000010, ffff888000000020)\n");
}
END_TEST

START_TEST(test_mm_uaf_without_stacks_says_how_to_get_them)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .ifn = mm_helper_uaf_read };
	g_autofree char *text = NULL;
	SimEnd end;

	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_has(text, "Allocated by task 1:\n hvsim: allocation stack not recorded: rerun with stacks (allocated in mm_helper_uaf_read)\n");
	ck_assert_has(text, "Freed by task 1:\n hvsim: free stack not recorded");
}
END_TEST

START_TEST(test_mm_report_is_identical_across_executions)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .ifn = mm_helper_uaf_read };
	g_autofree char *first = NULL, *second = NULL;
	SimEnd end;

	w->want_stacks = true;
	first = run(w, &c, &end);
	second = run(w, &c, &end);
	ck_assert_str_eq(first, second);
}
END_TEST

START_TEST(test_mm_oob_write_is_slab_out_of_bounds)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .fn = mm_helper_oob_write };
	g_autofree char *text = NULL;
	SimEnd end;

	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_OUT_OF_BOUNDS);
	ck_assert_str_eq(w->bug->title,
			 "BUG: KASAN: slab-out-of-bounds in mm_helper_oob_write");
	ck_assert_has(text, "Write of size 1 at addr ffff888000000068 by task modprobe/1\n");
	ck_assert_has(text, "The buggy address is located 0 bytes to the right of\n"
		      " allocated 40-byte region [ffff888000000040, ffff888000000068)\n");
}
END_TEST

START_TEST(test_mm_double_free_is_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .fn = mm_helper_double_free };
	g_autofree char *text = NULL;
	SimEnd end;

	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_DOUBLE_FREE);
	ck_assert_str_eq(w->bug->title,
			 "BUG: KASAN: double-free in mm_helper_double_free");
	ck_assert_has(text, "Free of addr ffff888000000020 by task modprobe/1\n");
	ck_assert_has(text, " mm_helper_double_free+0x");
}
END_TEST

START_TEST(test_mm_invalid_free_is_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .fn = mm_helper_invalid_free };
	g_autofree char *text = NULL;
	SimEnd end;

	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_INVALID_FREE);
	ck_assert_str_eq(w->bug->title,
			 "BUG: KASAN: invalid-free in mm_helper_invalid_free");
	ck_assert_has(text, "The buggy address is located 8 bytes inside of\n"
		      " allocated 32-byte region");
}
END_TEST

START_TEST(test_mm_write_after_vunmap_is_page_fault)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .fn = mm_helper_write_after_vunmap };
	g_autofree char *text = NULL;
	SimEnd end;

	w->want_stacks = true;
	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_PAGE_FAULT);
	ck_assert_str_eq(w->bug->func, "mm_helper_write_after_vunmap");
	ck_assert_str_eq(w->bug->title,
			 "BUG: unable to handle page fault for address: ffffc9000000100c");
	ck_assert_has(text, "#PF: supervisor write access in kernel mode\n"
		      "#PF: error_code(0x0002) - not-present page\n"
		      "Oops: 0002 [#1] PREEMPT SMP KASAN NOPTI\n");
	ck_assert_has(text, "RIP: 0010:mm_helper_write_after_vunmap\n");
	ck_assert_has(text, "CR2: ffffc9000000100c\n");
	ck_assert_has(text, "unmapped by vunmap() in mm_helper_write_after_vunmap (task 1)");
}
END_TEST

START_TEST(test_mm_double_vunmap_warns)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .fn = mm_helper_double_vunmap };
	g_autofree char *text = NULL;
	SimEnd end;

	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_BAD_VMAP);
	ck_assert_str_eq(w->bug->func, "mm_helper_double_vunmap");
	ck_assert(g_str_has_prefix(w->bug->title, "WARNING: CPU: 0 PID: 1 at mm/vmalloc.c"));
	ck_assert_has(text, "Trying to vfree() nonexistent vm area (ffffc90000000000)\n");
}
END_TEST

START_TEST(test_mm_vmap_of_scattered_pages_warns)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .fn = mm_helper_vmap_not_contiguous };
	g_autofree char *text = NULL;
	SimEnd end;

	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_BAD_VMAP);
	ck_assert_has(text, "page 1 is not contiguous with page 0");
}
END_TEST

START_TEST(test_mm_page_uaf_is_use_after_free)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .ifn = mm_helper_page_uaf_read };
	g_autofree char *text = NULL;
	SimEnd end;

	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_USE_AFTER_FREE);
	ck_assert_str_eq(w->bug->title,
			 "BUG: KASAN: use-after-free in mm_helper_page_uaf_read");
	ck_assert_has(text, "The buggy address belongs to the physical page:\n");
	ck_assert_has(text, " pfn:0x4000\n");
	ck_assert_has(text, "page_owner tracks the page as freed\n");
}
END_TEST

START_TEST(test_mm_memcpy_from_freed_is_caught)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .fn = mm_helper_memcpy_from_freed };
	g_autofree char *text = NULL;
	SimEnd end;

	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_str_eq(w->bug->title,
			 "BUG: KASAN: slab-use-after-free in mm_helper_memcpy_from_freed");
	ck_assert_has(text, "Read of size 16 at addr");
}
END_TEST

START_TEST(test_mm_strlen_past_the_object_is_caught)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .fn = mm_helper_strlen_past_end };
	g_autofree char *text = NULL;
	SimEnd end;

	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_str_eq(w->bug->title,
			 "BUG: KASAN: slab-out-of-bounds in mm_helper_strlen_past_end");
}
END_TEST

START_TEST(test_mm_correct_code_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .ufn = mm_helper_quiet };
	g_autofree char *text = NULL;
	SimEnd end;

	w->check_leaks = true;
	text = run(w, &c, &end);
	ck_assert_msg(end == SIM_END_CLEAN, "%s", text);
	ck_assert_ptr_null(w->bug);
	ck_assert_uint_eq(c.result, 885);
	/* And again in the same world: the reset left nothing behind. */
	c.result = 0;
	g_free(text);
	text = run(w, &c, &end);
	ck_assert_msg(end == SIM_END_CLEAN, "%s", text);
	ck_assert_uint_eq(c.result, 885);
}
END_TEST

START_TEST(test_mm_leak_is_reported_at_the_end)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .fn = mm_helper_leak };
	g_autofree char *text = NULL;
	SimEnd end;

	w->check_leaks = true;
	w->want_stacks = true;
	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_LEAK);
	ck_assert_str_eq(w->bug->func, "mm_helper_leak");
	ck_assert_has(text, "kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)\n"
		      "unreferenced object 0xffff888000000020 (size 24):\n"
		      "  comm \"modprobe\", pid 1, jiffies 4294667296\n");
	ck_assert_has(text, "    6c be be be");
	ck_assert_has(text, "  backtrace (crc 0):\n mm_helper_leak+0x");
}
END_TEST

START_TEST(test_mm_gfp_kernel_in_atomic_context_is_reported)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .fn = mm_helper_alloc_kernel, .atomic = true };
	g_autofree char *text = NULL;
	SimEnd end;

	text = run(w, &c, &end);
	ck_assert_int_eq(end, SIM_END_BUG);
	ck_assert_int_eq(w->bug->kind, SIM_BUG_SLEEP_IN_ATOMIC);
	ck_assert_has(text, "BUG: sleeping function called from invalid context");
}
END_TEST

START_TEST(test_mm_gfp_atomic_in_atomic_context_is_quiet)
{
	g_autoptr(SimWorld) w = sim_world_new();
	Call c = { .fn = mm_helper_alloc_atomic, .atomic = true };
	g_autofree char *text = NULL;
	SimEnd end;

	text = run(w, &c, &end);
	ck_assert_msg(end == SIM_END_CLEAN, "%s", text);
}
END_TEST

static Suite *mm_suite(void)
{
	Suite *s = suite_create("mm");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_mm_uaf_read_is_slab_use_after_free);
	tcase_add_test(tc, test_mm_uaf_without_stacks_says_how_to_get_them);
	tcase_add_test(tc, test_mm_report_is_identical_across_executions);
	tcase_add_test(tc, test_mm_oob_write_is_slab_out_of_bounds);
	tcase_add_test(tc, test_mm_double_free_is_reported);
	tcase_add_test(tc, test_mm_invalid_free_is_reported);
	tcase_add_test(tc, test_mm_write_after_vunmap_is_page_fault);
	tcase_add_test(tc, test_mm_double_vunmap_warns);
	tcase_add_test(tc, test_mm_vmap_of_scattered_pages_warns);
	tcase_add_test(tc, test_mm_page_uaf_is_use_after_free);
	tcase_add_test(tc, test_mm_memcpy_from_freed_is_caught);
	tcase_add_test(tc, test_mm_strlen_past_the_object_is_caught);
	tcase_add_test(tc, test_mm_correct_code_is_quiet);
	tcase_add_test(tc, test_mm_leak_is_reported_at_the_end);
	tcase_add_test(tc, test_mm_gfp_kernel_in_atomic_context_is_reported);
	tcase_add_test(tc, test_mm_gfp_atomic_in_atomic_context_is_quiet);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mm_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
