// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the driver half of netvsc, the Hyper-V network
 * driver, in the shape of v4.19's drivers/net/hyperv/netvsc_drv.c and cut
 * down to probe, remove and module init: a probe creates the net_device,
 * connects to the host's network VSP (rndis_filter_device_add) and
 * registers the interface, all with RTNL held; remove undoes it. It sits
 * between the VMBus bus driver (drivers/hv/vmbus_drv.c), which probes it
 * for every synthetic NIC the host offers, and rndis_filter.c / netvsc.c.
 *
 * race: netvsc-multi-nic-rtnl-deadlock. netvsc forces synchronous
 * probing, so its probe runs in the task that registers the device: before
 * 37c2578c0c40 that is the hv_vmbus_con worker, which then cannot process
 * the sub-channel offers another NIC's netvsc_subchan_work waits for while
 * it holds the RTNL this probe wants. The research notes read this code in
 * a 4.19.y tree that has e04e7a7bbd4b ("hv_netvsc: Fix a deadlock by
 * getting rtnl lock earlier in netvsc_probe()"), which takes RTNL
 * explicitly before rndis_filter_device_add(); whether v4.19.0 took it
 * there or only in register_netdev() is not verified. Either way the probe
 * of a second NIC waits for RTNL in the hv_vmbus_con worker.
 *
 * Customised for the harness: the ring size is four pages per direction
 * (the kernel's default is 128), as for storvsc; no ethtool, VF, link
 * change or data path.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/etherdevice.h>
#include <linux/hyperv.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include <hvsim/driver.h>

#include "hyperv_net.h"

/* Ring size in pages (hvsim: four, see above). */
static unsigned int ring_size = 4;
u32 netvsc_ring_bytes;

/* Every registered netvsc net_device, changed under RTNL. */
static LIST_HEAD(netvsc_dev_list);

static int netvsc_probe(struct hv_device *dev,
			const struct hv_vmbus_device_id *dev_id)
{
	struct net_device *net = NULL;
	struct net_device_context *net_device_ctx;
	struct netvsc_device_info device_info;
	struct netvsc_device *nvdev;
	int ret = -ENOMEM;

	net = alloc_etherdev_mq(sizeof(struct net_device_context),
				VRSS_CHANNEL_MAX);
	if (!net)
		goto no_net;

	netif_carrier_off(net);

	net_device_ctx = netdev_priv(net);
	net_device_ctx->device_ctx = dev;
	INIT_LIST_HEAD(&net_device_ctx->list);

	hv_set_drvdata(dev, net);

	SET_NETDEV_DEV(net, &dev->device);

	/* Initialize the number of queues to be 1, we may change it if more
	 * channels are offered later.
	 */
	netif_set_real_num_tx_queues(net, 1);
	netif_set_real_num_rx_queues(net, 1);

	memset(&device_info, 0, sizeof(device_info));
	device_info.num_chn = VRSS_CHANNEL_DEFAULT;

	/*
	 * race: netvsc-multi-nic-rtnl-deadlock. hvsim: a named point for a
	 * probe that runs while another netvsc NIC is already registered,
	 * so a scenario can order the second NIC's rtnl_lock() after the
	 * first NIC's netvsc_subchan_work has taken RTNL.
	 */
	if (!list_empty(&netvsc_dev_list))
		sim_point("netvsc.probe_another_nic");

	/* Notify the netvsc driver of the new device */
	rtnl_lock();
	nvdev = rndis_filter_device_add(dev, &device_info);
	if (IS_ERR(nvdev)) {
		ret = PTR_ERR(nvdev);
		netdev_err(net, "unable to add netvsc device (ret %d)\n", ret);
		goto rndis_failed;
	}

	memcpy(net->dev_addr, device_info.mac_adr, ETH_ALEN);

	ret = register_netdevice(net);
	if (ret != 0) {
		pr_err("Unable to register netdev.\n");
		goto register_failed;
	}

	list_add(&net_device_ctx->list, &netvsc_dev_list);
	rtnl_unlock();
	return ret;

register_failed:
	rndis_filter_device_remove(dev, nvdev);
rndis_failed:
	rtnl_unlock();
	hv_set_drvdata(dev, NULL);
	free_netdev(net);
no_net:
	return ret;
}

static int netvsc_remove(struct hv_device *dev)
{
	struct net_device_context *ndev_ctx;
	struct net_device *net;
	struct netvsc_device *nvdev;

	net = hv_get_drvdata(dev);
	if (net == NULL) {
		dev_err(&dev->device, "No net device to remove\n");
		return 0;
	}

	ndev_ctx = netdev_priv(net);

	nvdev = ndev_ctx->nvdev;
	if (nvdev)
		cancel_work_sync(&nvdev->subchan_work);

	/*
	 * Call to the vsc driver to let it know that the device is being
	 * removed. Also blocks mtu and channel changes.
	 */
	rtnl_lock();
	if (nvdev)
		rndis_filter_device_remove(dev, nvdev);

	unregister_netdevice(net);
	list_del(&ndev_ctx->list);

	rtnl_unlock();

	hv_set_drvdata(dev, NULL);

	free_netdev(net);
	return 0;
}

static const struct hv_vmbus_device_id id_table[] = {
	/* Network guid */
	{ HV_NIC_GUID, },
	{ },
};

/* The one and only one */
static struct hv_driver netvsc_drv = {
	.name = KBUILD_MODNAME,
	.id_table = id_table,
	.probe = netvsc_probe,
	.remove = netvsc_remove,
	.driver = {
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

static void __exit netvsc_drv_exit(void)
{
	vmbus_driver_unregister(&netvsc_drv);
}

static int __init netvsc_drv_init(void)
{
	if (ring_size < RING_SIZE_MIN) {
		ring_size = RING_SIZE_MIN;
		pr_info("Increased ring_size to %u (min allowed)\n",
			ring_size);
	}
	netvsc_ring_bytes = ring_size * PAGE_SIZE;

	return vmbus_driver_register(&netvsc_drv);
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Microsoft Hyper-V network driver");

module_init(netvsc_drv_init);
module_exit(netvsc_drv_exit);
