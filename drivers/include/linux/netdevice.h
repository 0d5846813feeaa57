/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/netdevice.h>: a stub of the network device core, just
 * what a VMBus network driver needs to create, register and free its
 * interface. Implemented inline here, over the slab and RTNL shims:
 *
 *  - alloc_netdev_mqs()/alloc_etherdev_mq() allocate one zeroed object,
 *    the net_device followed by the driver's private area (netdev_priv()),
 *    as the kernel does; free_netdev() frees it;
 *  - register_netdevice() and unregister_netdevice() must be called with
 *    RTNL held (ASSERT_RTNL, the kernel's WARN), name the interface
 *    "eth<N>" and move reg_state; register_netdev()/unregister_netdev()
 *    take RTNL around them;
 *  - the netif_* queue and carrier calls only record state;
 *  - netdev_err() and friends print "<driver> <bus id> <ifname>: msg" as
 *    the kernel's netdev_printk does.
 *
 * Customised for the harness: no sk_buff, no queues, no NAPI (the calls are
 * no-ops kept so driver code reads like the kernel's), no notifiers, no
 * sysfs; "eth<N>" numbers count registrations of the execution instead of
 * looking for the lowest free number.
 */
#ifndef _LINUX_NETDEVICE_H
#define _LINUX_NETDEVICE_H

#include <stdio.h>

#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/device.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

#define IFNAMSIZ		16
#define MAX_ADDR_LEN		32
#define NETDEV_ALIGN		32

enum netdev_reg_state {
	NETREG_UNINITIALIZED = 0,
	NETREG_REGISTERED,
	NETREG_UNREGISTERING,
	NETREG_UNREGISTERED,
	NETREG_RELEASED,
};

struct net_device {
	char name[IFNAMSIZ];
	int ifindex;
	unsigned int mtu;
	unsigned char addr_len;
	unsigned char dev_addr[MAX_ADDR_LEN];
	unsigned char perm_addr[MAX_ADDR_LEN];
	unsigned int num_tx_queues;
	unsigned int real_num_tx_queues;
	unsigned int num_rx_queues;
	unsigned int real_num_rx_queues;
	bool carrier_ok;
	bool present;
	enum netdev_reg_state reg_state;
	struct device dev;		/* its parent is the bus device */
	/* the driver's private area follows, NETDEV_ALIGN aligned */
};

/* NAPI is not modelled: a driver's poll runs in its channel callback. */
struct napi_struct {
	int weight;
};

#define NAPI_POLL_WEIGHT	64

static inline void *netdev_priv(const struct net_device *dev)
{
	return (char *)dev + ALIGN(sizeof(struct net_device), NETDEV_ALIGN);
}

#define SET_NETDEV_DEV(net, pdev)	((net)->dev.parent = (pdev))

static inline const char *netdev_name(const struct net_device *dev)
{
	if (!dev->name[0] || dev->reg_state == NETREG_UNINITIALIZED)
		return "(unnamed net_device)";
	return dev->name;
}

static inline struct net_device *alloc_netdev_mqs(int sizeof_priv,
						  const char *name,
						  unsigned int txqs,
						  unsigned int rxqs)
{
	struct net_device *dev;

	dev = kzalloc(ALIGN(sizeof(struct net_device), NETDEV_ALIGN) +
		      sizeof_priv, GFP_KERNEL);
	if (!dev)
		return NULL;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->num_tx_queues = txqs;
	dev->real_num_tx_queues = txqs;
	dev->num_rx_queues = rxqs;
	dev->real_num_rx_queues = rxqs;
	dev->reg_state = NETREG_UNINITIALIZED;
	dev->present = true;
	return dev;
}

static inline void free_netdev(struct net_device *dev)
{
	/* A registered device must be unregistered first (the kernel BUGs). */
	BUG_ON(dev->reg_state == NETREG_REGISTERED);
	kfree(dev);
}

/*
 * The registration counter of the execution: driver globals are restored
 * before every execution, so "eth0" is the first interface each time.
 */
static int sim_netdev_next_index __attribute__((unused));

static inline int register_netdevice(struct net_device *dev)
{
	ASSERT_RTNL();
	if (dev->reg_state != NETREG_UNINITIALIZED)
		return -EINVAL;
	dev->ifindex = ++sim_netdev_next_index;
	if (strchr(dev->name, '%') || !dev->name[0])
		snprintf(dev->name, sizeof(dev->name), "eth%d",
			 dev->ifindex - 1);
	dev->reg_state = NETREG_REGISTERED;
	return 0;
}

static inline void unregister_netdevice(struct net_device *dev)
{
	ASSERT_RTNL();
	WARN_ON(dev->reg_state != NETREG_REGISTERED);
	dev->reg_state = NETREG_UNREGISTERED;
}

static inline int register_netdev(struct net_device *dev)
{
	int err;

	rtnl_lock();
	err = register_netdevice(dev);
	rtnl_unlock();
	return err;
}

static inline void unregister_netdev(struct net_device *dev)
{
	rtnl_lock();
	unregister_netdevice(dev);
	rtnl_unlock();
}

static inline void netif_carrier_on(struct net_device *dev)
{
	WRITE_ONCE(dev->carrier_ok, true);
}

static inline void netif_carrier_off(struct net_device *dev)
{
	WRITE_ONCE(dev->carrier_ok, false);
}

static inline bool netif_carrier_ok(const struct net_device *dev)
{
	return READ_ONCE(dev->carrier_ok);
}

static inline void netif_device_attach(struct net_device *dev)
{
	dev->present = true;
}

static inline void netif_device_detach(struct net_device *dev)
{
	dev->present = false;
}

static inline int netif_set_real_num_tx_queues(struct net_device *dev,
					       unsigned int txq)
{
	if (txq < 1 || txq > dev->num_tx_queues)
		return -EINVAL;
	if (dev->reg_state == NETREG_REGISTERED)
		ASSERT_RTNL();
	dev->real_num_tx_queues = txq;
	return 0;
}

static inline int netif_set_real_num_rx_queues(struct net_device *dev,
					       unsigned int rxq)
{
	if (rxq < 1 || rxq > dev->num_rx_queues)
		return -EINVAL;
	if (dev->reg_state == NETREG_REGISTERED)
		ASSERT_RTNL();
	dev->real_num_rx_queues = rxq;
	return 0;
}

#define netif_napi_add(dev, napi, poll, w)	((void)(napi))
#define netif_napi_del(napi)			((void)(napi))
#define napi_enable(napi)			((void)(napi))
#define napi_disable(napi)			((void)(napi))

#define netdev_printk(level, ndev, fmt, ...)				\
	sim_kapi_printk(sim_current_world(), -1, __func__,		\
			level "%s %s %s: " fmt,				\
			(ndev)->dev.parent ?				\
				dev_driver_string((ndev)->dev.parent) : "", \
			(ndev)->dev.parent ?				\
				dev_name((ndev)->dev.parent) : "",	\
			netdev_name(ndev), ##__VA_ARGS__)

#define netdev_err(ndev, fmt, ...)	netdev_printk(KERN_ERR, ndev, fmt, ##__VA_ARGS__)
#define netdev_warn(ndev, fmt, ...)	netdev_printk(KERN_WARNING, ndev, fmt, ##__VA_ARGS__)
#define netdev_notice(ndev, fmt, ...)	netdev_printk(KERN_NOTICE, ndev, fmt, ##__VA_ARGS__)
#define netdev_info(ndev, fmt, ...)	netdev_printk(KERN_INFO, ndev, fmt, ##__VA_ARGS__)
#ifdef DEBUG
#define netdev_dbg(ndev, fmt, ...)	netdev_printk(KERN_DEBUG, ndev, fmt, ##__VA_ARGS__)
#else
#define netdev_dbg(ndev, fmt, ...)					\
	({ if (0) netdev_printk(KERN_DEBUG, ndev, fmt, ##__VA_ARGS__); })
#endif

#endif /* _LINUX_NETDEVICE_H */
