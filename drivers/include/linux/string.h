/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/string.h>. Copies kernel semantics, including strscpy()
 * (-E2BIG on truncation) and the k*dup() helpers that allocate with
 * kmalloc.
 *
 * Customised for the harness: the compiler's KASAN instrumentation does
 * not look inside C library calls, so every mem*() and str*() call of
 * driver code goes through a checked version (sim/kapi/mm.c) that checks
 * the whole source and destination ranges against the simulated heap's
 * shadow, as the kernel's KASAN does for memcpy(), and only then does the
 * work. The C library's declarations are included first, so a later
 * <string.h> from anywhere changes nothing.
 *
 * The simulator's own files that include this header for the types can
 * define SIM_KAPI_NO_STRING_CHECKS first to keep the C library's calls.
 */
#ifndef _LINUX_STRING_H
#define _LINUX_STRING_H

#include <string.h>

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/types.h>
#include <sim/kapi/mm.h>

#ifndef SIM_KAPI_NO_STRING_CHECKS

#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strcpy
#undef strncpy
#undef strcat
#undef strchr
#undef strrchr
#undef strstr

#define memcpy(dst, src, n)						\
	sim_kapi_memcpy((dst), (src), (n), SIM_KAPI_SITE(NULL))
#define memmove(dst, src, n)						\
	sim_kapi_memmove((dst), (src), (n), SIM_KAPI_SITE(NULL))
#define memset(dst, c, n)						\
	sim_kapi_memset((dst), (c), (n), SIM_KAPI_SITE(NULL))
#define memcmp(a, b, n)							\
	sim_kapi_memcmp((a), (b), (n), SIM_KAPI_SITE(NULL))
#define memchr(s, c, n)							\
	sim_kapi_memchr((s), (c), (n), SIM_KAPI_SITE(NULL))
#define strlen(s)		sim_kapi_strlen((s), SIM_KAPI_SITE(NULL))
#define strnlen(s, max)							\
	sim_kapi_strnlen((s), (max), SIM_KAPI_SITE(NULL))
#define strcmp(a, b)		sim_kapi_strcmp((a), (b), SIM_KAPI_SITE(NULL))
#define strncmp(a, b, n)						\
	sim_kapi_strncmp((a), (b), (n), SIM_KAPI_SITE(NULL))
#define strcpy(dst, src)						\
	sim_kapi_strcpy((dst), (src), SIM_KAPI_SITE(NULL))
#define strncpy(dst, src, n)						\
	sim_kapi_strncpy((dst), (src), (n), SIM_KAPI_SITE(NULL))
#define strcat(dst, src)						\
	sim_kapi_strcat((dst), (src), SIM_KAPI_SITE(NULL))
#define strchr(s, c)		sim_kapi_strchr((s), (c), SIM_KAPI_SITE(NULL))
#define strrchr(s, c)		sim_kapi_strrchr((s), (c), SIM_KAPI_SITE(NULL))
#define strstr(h, n)		sim_kapi_strstr((h), (n), SIM_KAPI_SITE(NULL))

#endif /* SIM_KAPI_NO_STRING_CHECKS */

#define strscpy(dst, src, count)					\
	sim_kapi_strscpy((dst), (src), (count), SIM_KAPI_SITE(NULL))
#define strlcpy(dst, src, size)						\
	sim_kapi_strlcpy((dst), (src), (size), SIM_KAPI_SITE(NULL))

#define kmemdup(src, len, gfp)						\
	sim_kapi_kmemdup((src), (len), (gfp), SIM_KAPI_SITE(NULL))
#define kmemdup_nul(s, len, gfp)					\
	sim_kapi_kmemdup_nul((s), (len), (gfp), SIM_KAPI_SITE(NULL))
#define kstrdup(s, gfp)		sim_kapi_kstrdup((s), (gfp), SIM_KAPI_SITE(NULL))
#define kstrndup(s, max, gfp)						\
	sim_kapi_kstrndup((s), (max), (gfp), SIM_KAPI_SITE(NULL))

#endif /* _LINUX_STRING_H */
