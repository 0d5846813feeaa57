// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the restore of the drivers' globals between
 * executions, with no code in any driver: every driver is linked into one
 * shared object, libhvsim-drivers.so, whose writable PT_LOAD segment holds
 * all of their .data and .bss. The first call copies that segment (less the
 * part PT_GNU_RELRO makes read-only after relocation) as it is right after
 * loading; every later call copies it back.
 *
 * The copy is process-wide on purpose: it is the load-time image of the
 * code, identical for every world, and is written once. Nothing that
 * decides or prints reads it.
 *
 * It sits between sim_world_run() (sim/world.c) and the dynamic loader.
 */
#define _GNU_SOURCE
#include <link.h>
#include <string.h>

#include <glib.h>

#include "sim/sched.h"

typedef struct {
	uintptr_t start;
	size_t len;
	void *image;
} Segment;

static struct {
	bool taken;
	Segment seg[4];
	int nseg;
} snap;

static int find_drivers(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t relro_end = 0;
	int i;

	if (!info->dlpi_name || !strstr(info->dlpi_name, "libhvsim-drivers"))
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_GNU_RELRO)
			relro_end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	for (i = 0; i < info->dlpi_phnum && snap.nseg < 4; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start, end;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		start = info->dlpi_addr + ph->p_vaddr;
		end = start + ph->p_memsz;
		if (relro_end > start && relro_end < end)
			start = relro_end;
		else if (relro_end >= end)
			continue;
		snap.seg[snap.nseg].start = start;
		snap.seg[snap.nseg].len = end - start;
		snap.seg[snap.nseg].image = g_memdup2((void *)start, end - start);
		snap.nseg++;
	}
	return 1;
}

void sim__drivers_restore(void)
{
	int i;

	if (!snap.taken) {
		snap.taken = true;
		dl_iterate_phdr(find_drivers, NULL);
		return;
	}
	for (i = 0; i < snap.nseg; i++)
		memcpy((void *)snap.seg[i].start, snap.seg[i].image,
		       snap.seg[i].len);
}
