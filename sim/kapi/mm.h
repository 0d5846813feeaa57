/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file declares the memory part of the kernel-API shim: the calls
 * behind <linux/slab.h>, <linux/gfp.h>, <linux/mm.h>, <linux/vmalloc.h> and
 * the checked string functions of <linux/string.h>. It sits between those
 * shim headers (drivers/include/linux/), whose macros call it with the
 * driver's call site, and the simulated heap (sim/heap.h), which
 * sim/kapi/mm.c calls on behalf of the running task.
 *
 * Every allocation, free, vmap and vunmap records a trace event (in the
 * heap) and is a scheduling point; an allocation or vmap that may sleep
 * (GFP_KERNEL, vmalloc, vmap) checks might_sleep() first. The string
 * functions check their whole source and destination ranges against the
 * heap's shadow before doing the work, because the compiler does not
 * instrument calls into the C library; they take the call site too, so a
 * report names the driver function even when the driver reached them by a
 * tail call, which leaves no frame of its own on the stack.
 *
 * All of these must be called from a task (driver code); they assert it.
 */
#ifndef HVSIM_KAPI_MM_H
#define HVSIM_KAPI_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct page;
struct sim_kapi_site;

/* ----------------------------------------------------------------- slab -- */

void *sim_kapi_kmalloc(size_t size, unsigned int gfp,
		       const struct sim_kapi_site *site);
/* NULL when n * size overflows, as kmalloc_array(). */
void *sim_kapi_kmalloc_array(size_t n, size_t size, unsigned int gfp,
			     const struct sim_kapi_site *site);
void *sim_kapi_krealloc(const void *p, size_t size, unsigned int gfp,
			const struct sim_kapi_site *site);
void sim_kapi_kfree(const void *p, const struct sim_kapi_site *site);
/* kfree_sensitive(): clears the object before freeing it. */
void sim_kapi_kfree_sensitive(const void *p, const struct sim_kapi_site *site);
/* kvfree(): vfree() for a vmalloc address, kfree() otherwise. */
void sim_kapi_kvfree(const void *p, const struct sim_kapi_site *site);
size_t sim_kapi_ksize(const void *p);

void *sim_kapi_kmemdup(const void *src, size_t len, unsigned int gfp,
		       const struct sim_kapi_site *site);
void *sim_kapi_kmemdup_nul(const char *s, size_t len, unsigned int gfp,
			   const struct sim_kapi_site *site);
char *sim_kapi_kstrdup(const char *s, unsigned int gfp,
		       const struct sim_kapi_site *site);
char *sim_kapi_kstrndup(const char *s, size_t max, unsigned int gfp,
			const struct sim_kapi_site *site);

/* ---------------------------------------------------------------- pages -- */

struct page *sim_kapi_alloc_pages(unsigned int gfp, unsigned int order,
				  const struct sim_kapi_site *site);
unsigned long sim_kapi_get_free_pages(unsigned int gfp, unsigned int order,
				      const struct sim_kapi_site *site);
void sim_kapi_free_pages(const void *addr, unsigned int order,
			 const struct sim_kapi_site *site);

/* Page frame numbers of the simulated direct map; ~0 for other memory. */
unsigned long sim_kapi_page_to_pfn(const struct page *page);
struct page *sim_kapi_pfn_to_page(unsigned long pfn);
uint64_t sim_kapi_virt_to_phys(const volatile void *addr);
void *sim_kapi_phys_to_virt(uint64_t phys);

/* ------------------------------------------------------------- vmalloc -- */

void *sim_kapi_vmap(struct page **pages, unsigned int count,
		    unsigned long flags, const struct sim_kapi_site *site);
void sim_kapi_vunmap(const void *addr, const struct sim_kapi_site *site);
void *sim_kapi_vmalloc(unsigned long size, unsigned int gfp,
		       const struct sim_kapi_site *site);
void sim_kapi_vfree(const void *addr, const struct sim_kapi_site *site);
bool sim_kapi_is_vmalloc_addr(const void *addr);
/* The direct-map page behind a live vmalloc address, or NULL. */
struct page *sim_kapi_vmalloc_to_page(const void *addr);

/* ------------------------------------------------------ checked strings -- */

void *sim_kapi_memcpy(void *dst, const void *src, size_t n,
		      const struct sim_kapi_site *site);
void *sim_kapi_memmove(void *dst, const void *src, size_t n,
		       const struct sim_kapi_site *site);
void *sim_kapi_memset(void *dst, int c, size_t n,
		      const struct sim_kapi_site *site);
int sim_kapi_memcmp(const void *a, const void *b, size_t n,
		    const struct sim_kapi_site *site);
void *sim_kapi_memchr(const void *s, int c, size_t n,
		      const struct sim_kapi_site *site);
size_t sim_kapi_strlen(const char *s, const struct sim_kapi_site *site);
size_t sim_kapi_strnlen(const char *s, size_t max,
			const struct sim_kapi_site *site);
int sim_kapi_strcmp(const char *a, const char *b,
		    const struct sim_kapi_site *site);
int sim_kapi_strncmp(const char *a, const char *b, size_t n,
		     const struct sim_kapi_site *site);
char *sim_kapi_strcpy(char *dst, const char *src,
		      const struct sim_kapi_site *site);
char *sim_kapi_strncpy(char *dst, const char *src, size_t n,
		       const struct sim_kapi_site *site);
char *sim_kapi_strcat(char *dst, const char *src,
		      const struct sim_kapi_site *site);
long sim_kapi_strscpy(char *dst, const char *src, size_t count,
		      const struct sim_kapi_site *site);
size_t sim_kapi_strlcpy(char *dst, const char *src, size_t size,
			const struct sim_kapi_site *site);
char *sim_kapi_strchr(const char *s, int c, const struct sim_kapi_site *site);
char *sim_kapi_strrchr(const char *s, int c, const struct sim_kapi_site *site);
char *sim_kapi_strstr(const char *haystack, const char *needle,
		      const struct sim_kapi_site *site);

#endif /* HVSIM_KAPI_MM_H */
