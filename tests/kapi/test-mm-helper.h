/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the driver-side half of tests/kapi/test-mm.c: small
 * functions written like driver code and compiled like drivers (KASAN
 * instrumentation, shim headers), in tests/kapi/test-mm-helper.c. It sits
 * between that test and the instrumented code it runs in tasks.
 */
#ifndef HVSIM_TEST_MM_HELPER_H
#define HVSIM_TEST_MM_HELPER_H

#include <stdint.h>

int mm_helper_uaf_read(void);
void mm_helper_oob_write(void);
void mm_helper_double_free(void);
void mm_helper_invalid_free(void);
void mm_helper_write_after_vunmap(void);
void mm_helper_double_vunmap(void);
void mm_helper_vmap_not_contiguous(void);
int mm_helper_page_uaf_read(void);
void mm_helper_memcpy_from_freed(void);
void mm_helper_strlen_past_end(void);
uint64_t mm_helper_quiet(void);
void mm_helper_leak(void);
void mm_helper_alloc_kernel(void);
void mm_helper_alloc_atomic(void);

/* A loop of instrumented 8-byte loads, for measuring the hook cost. */
uint64_t mm_helper_read_loop(const uint64_t *p, unsigned long n);

#endif /* HVSIM_TEST_MM_HELPER_H */
