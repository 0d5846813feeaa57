/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/etherdevice.h> (with the constants of <linux/if_ether.h>):
 * Ethernet devices on top of the stub network device core of
 * <linux/netdevice.h>. Copies kernel semantics for what it has:
 * alloc_etherdev_mq() allocates an "eth%d" device with Ethernet defaults
 * (MTU 1500, 6-byte addresses), and the address helpers. Nothing else of
 * the Ethernet layer exists.
 */
#ifndef _LINUX_ETHERDEVICE_H
#define _LINUX_ETHERDEVICE_H

#include <linux/netdevice.h>
#include <linux/string.h>
#include <linux/types.h>

#define ETH_ALEN		6
#define ETH_HLEN		14
#define ETH_DATA_LEN		1500
#define ETH_MIN_MTU		68
#define ETH_FRAME_LEN		1514

static inline void ether_setup(struct net_device *dev)
{
	dev->mtu = ETH_DATA_LEN;
	dev->addr_len = ETH_ALEN;
}

static inline struct net_device *alloc_etherdev_mqs(int sizeof_priv,
						    unsigned int txqs,
						    unsigned int rxqs)
{
	struct net_device *dev = alloc_netdev_mqs(sizeof_priv, "eth%d",
						  txqs, rxqs);

	if (dev)
		ether_setup(dev);
	return dev;
}

#define alloc_etherdev_mq(sizeof_priv, count)				\
	alloc_etherdev_mqs(sizeof_priv, count, count)
#define alloc_etherdev(sizeof_priv)	alloc_etherdev_mq(sizeof_priv, 1)

static inline void ether_addr_copy(u8 *dst, const u8 *src)
{
	memcpy(dst, src, ETH_ALEN);
}

static inline bool is_zero_ether_addr(const u8 *addr)
{
	return !(addr[0] | addr[1] | addr[2] | addr[3] | addr[4] | addr[5]);
}

static inline bool is_multicast_ether_addr(const u8 *addr)
{
	return addr[0] & 0x01;
}

static inline bool is_valid_ether_addr(const u8 *addr)
{
	return !is_multicast_ether_addr(addr) && !is_zero_ether_addr(addr);
}

#endif /* _LINUX_ETHERDEVICE_H */
