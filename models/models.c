// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the table of device types linked into hvsim: the
 * names a scenario's [device NAME] groups may give as "type". It sits
 * between the scenario loader (sim/scenario.c), which looks types up here,
 * and the models, each of which defines one SimDeviceType.
 *
 * To add a device type: declare it below and add it to the table. The
 * order is the order `hvsim` lists the types in its messages.
 */
#include <stddef.h>

#include "sim/scenario.h"

extern const SimDeviceType vmbus_storvsc_device_type;
extern const SimDeviceType vmbus_netvsc_device_type;
extern const SimDeviceType pci_nvme_device_type;

const SimDeviceType *const sim_device_types[] = {
	&vmbus_storvsc_device_type,
	&vmbus_netvsc_device_type,
	&pci_nvme_device_type,
	NULL,
};
