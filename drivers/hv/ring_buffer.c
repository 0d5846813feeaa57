// SPDX-License-Identifier: GPL-2.0-only
/*
 * This file implements the VMBus ring buffers in the shape of the 4.x
 * drivers/hv/ring_buffer.c: init (map the ring pages), cleanup (unmap
 * them), and the packet write and read paths. It sits between the channel
 * calls of drivers/hv/channel.c (vmbus_sendpacket, vmbus_recvpacket) and the
 * ring pages the host reads and writes through the channel's GPADL.
 *
 * Every access to a ring goes through ring_info->ring_buffer, the mapping
 * made by hv_ringbuffer_init. That is what makes race 1 visible: when a
 * second opener's vmbus_free_ring has vunmapped the live mapping, the next
 * write or read here is the kernel's page fault.
 *
 * One difference from the kernel, on purpose: the kernel maps the data
 * pages twice in a row so that a packet that wraps around the end of the
 * ring can be read or written with one memcpy. The simulated heap's vmap
 * returns an alias of contiguous pages and cannot map a page twice, and
 * vmbus_alloc_ring allocates one contiguous block, so each ring is mapped
 * once here and the copy routines split a wrapping copy in two.
 */
#include <linux/hyperv.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <hvsim/driver.h>

#include "hyperv_vmbus.h"

int hv_ringbuffer_init(struct hv_ring_buffer_info *ring_info,
		       struct page *pages, u32 page_cnt)
{
	struct page **pages_array;
	u32 i;

	BUILD_BUG_ON(sizeof(struct hv_ring_buffer) != PAGE_SIZE);

	/* Each page once: header page, then the data pages (see above). */
	pages_array = kcalloc(page_cnt, sizeof(struct page *), GFP_KERNEL);
	if (!pages_array)
		return -ENOMEM;
	for (i = 0; i < page_cnt; i++)
		pages_array[i] = nth_page(pages, i);

	ring_info->ring_buffer = (struct hv_ring_buffer *)
		vmap(pages_array, page_cnt, VM_MAP, PAGE_KERNEL);
	kfree(pages_array);
	if (!ring_info->ring_buffer)
		return -ENOMEM;

	ring_info->ring_buffer->read_index = 0;
	ring_info->ring_buffer->write_index = 0;
	/* Flow control: the host may ask for pending_send_sz. */
	ring_info->ring_buffer->feature_bits.value = 1;

	ring_info->ring_size = page_cnt << PAGE_SHIFT;
	ring_info->ring_datasize = ring_info->ring_size -
		sizeof(struct hv_ring_buffer);
	ring_info->priv_read_index = 0;

	spin_lock_init(&ring_info->ring_lock);
	return 0;
}

/*
 * As in 4.x and 5.0: only the mapping goes, and the pointer is kept. A
 * second cleanup of the same ring is a vunmap of an area that no longer
 * exists ("Trying to vfree() nonexistent vm area").
 *
 * race: vmbus-rescind-open-deadlock. Since ae6935ed7d42 a vmbus_open()
 * that fails after mapping the rings cleans them up twice: in
 * __vmbus_open's error path and again in vmbus_free_ring(). That is the
 * path every open takes once the host has rescinded the channel, which
 * 37c2578c0c40 made reachable: the opener is woken with -ENODEV instead
 * of waiting forever. The mainline kernels that have 37c2578c0c40 before
 * v5.1 (it landed after v4.20-rc4; the tag is not verified) still have
 * this double cleanup and warn there; the first one in which a rescinded
 * open returns cleanly is v5.1, whose hv_ringbuffer_cleanup() forgets the
 * mapping (Kimberly Brown's "Drivers: hv: vmbus: Fix race condition with
 * new ring_buffer_info mutex", merged for v5.1-rc; its hash not checked;
 * the mutex itself guards sysfs readers the simulator does not have and
 * is left out). The 4.19.y backport of 37c2578c0c40 never cleans up twice:
 * its vmbus_open() predates ae6935ed7d42. The
 * post-fix variant of vmbus-offer-workqueues models that kernel, so it
 * takes this hunk too; with the switch off (the pre-fix variant, and the
 * storvsc-subchannel-race scenario, a v4.20 kernel) the pointer is kept.
 */
void hv_ringbuffer_cleanup(struct hv_ring_buffer_info *ring_info)
{
	vunmap(ring_info->ring_buffer);
	if (hvsim_fixed(vmbus_offer_workqueues))
		ring_info->ring_buffer = NULL;
}

/* Copy into the data area at @start, wrapping at its end. */
static u32 hv_copyto_ringbuffer(struct hv_ring_buffer_info *ring_info,
				u32 start, const void *src, u32 srclen)
{
	u8 *data = ring_info->ring_buffer->buffer;
	u32 size = ring_info->ring_datasize;
	u32 first = min(srclen, size - start);

	memcpy(data + start, src, first);
	if (first < srclen)
		memcpy(data, (const u8 *)src + first, srclen - first);
	start += srclen;
	if (start >= size)
		start -= size;
	return start;
}

/* Copy out of the data area at @start, wrapping at its end. */
static u32 hv_copyfrom_ringbuffer(struct hv_ring_buffer_info *ring_info,
				  void *dest, u32 start, u32 len)
{
	const u8 *data = ring_info->ring_buffer->buffer;
	u32 size = ring_info->ring_datasize;
	u32 first = min(len, size - start);

	memcpy(dest, data + start, first);
	if (first < len)
		memcpy((u8 *)dest + first, data, len - first);
	start += len;
	if (start >= size)
		start -= size;
	return start;
}

/*
 * Signal the host only if it may be waiting: it has not masked interrupts
 * and the ring was empty before this write (it had read everything up to
 * where we started).
 */
static void hv_signal_on_write(u32 old_write, struct vmbus_channel *channel)
{
	struct hv_ring_buffer_info *rbi = &channel->outbound;

	virt_mb();
	if (READ_ONCE(rbi->ring_buffer->interrupt_mask))
		return;
	virt_rmb();
	if (old_write == READ_ONCE(rbi->ring_buffer->read_index))
		vmbus_set_event(channel);
}

int hv_ringbuffer_write(struct vmbus_channel *channel,
			const struct kvec *kv_list, u32 kv_count)
{
	struct hv_ring_buffer_info *outring_info = &channel->outbound;
	u32 totalbytes_towrite = sizeof(u64);
	u32 bytes_avail_towrite, read_loc, write_loc, dsize;
	u32 next_write_location, old_write;
	unsigned long flags;
	u64 prev_indices;
	u32 i;

	if (channel->rescind)
		return -ENODEV;

	for (i = 0; i < kv_count; i++)
		totalbytes_towrite += kv_list[i].iov_len;

	spin_lock_irqsave(&outring_info->ring_lock, flags);

	/*
	 * hv_get_bytes_to_write(), spelled out: these are the first loads
	 * through the ring mapping, so a vunmapped ring faults here.
	 */
	read_loc = READ_ONCE(outring_info->ring_buffer->read_index);
	write_loc = READ_ONCE(outring_info->ring_buffer->write_index);
	dsize = outring_info->ring_datasize;
	bytes_avail_towrite = write_loc >= read_loc ?
		dsize - (write_loc - read_loc) : read_loc - write_loc;

	/* Never fill the ring completely: full must differ from empty. */
	if (bytes_avail_towrite <= totalbytes_towrite) {
		spin_unlock_irqrestore(&outring_info->ring_lock, flags);
		return -EAGAIN;
	}

	next_write_location = write_loc;
	old_write = next_write_location;
	for (i = 0; i < kv_count; i++)
		next_write_location = hv_copyto_ringbuffer(outring_info,
				next_write_location, kv_list[i].iov_base,
				kv_list[i].iov_len);

	/* The trailer: where this packet started, as the host expects. */
	prev_indices = (u64)write_loc << 32;
	next_write_location = hv_copyto_ringbuffer(outring_info,
			next_write_location, &prev_indices, sizeof(u64));

	/* Publish the data before the new write index. */
	virt_mb();
	WRITE_ONCE(outring_info->ring_buffer->write_index, next_write_location);

	spin_unlock_irqrestore(&outring_info->ring_lock, flags);

	hv_signal_on_write(old_write, channel);

	if (channel->rescind)
		return -ENODEV;
	return 0;
}

/*
 * Read one packet: its descriptor tells the payload offset and the packet
 * length; @raw copies the descriptor too. Returns 0 with
 * *buffer_actual_len == 0 when the ring is empty.
 */
int hv_ringbuffer_read(struct vmbus_channel *channel,
		       void *buffer, u32 buflen, u32 *buffer_actual_len,
		       u64 *requestid, bool raw)
{
	struct hv_ring_buffer_info *inring_info = &channel->inbound;
	struct vmpacket_descriptor desc;
	u32 read_loc, write_loc, dsize, avail;
	u32 offset, packetlen, pos;

	if (unlikely(buflen == 0))
		return -EINVAL;

	*buffer_actual_len = 0;
	*requestid = 0;

	/* hv_pkt_iter_first(): the first loads through the mapping. */
	write_loc = READ_ONCE(inring_info->ring_buffer->write_index);
	read_loc = READ_ONCE(inring_info->ring_buffer->read_index);
	dsize = inring_info->ring_datasize;
	avail = write_loc >= read_loc ?
		write_loc - read_loc : dsize - read_loc + write_loc;
	if (avail < sizeof(desc))
		return 0;

	/* Keep reads after the index read. */
	virt_rmb();

	hv_copyfrom_ringbuffer(inring_info, &desc, read_loc, sizeof(desc));
	packetlen = (u32)desc.len8 << 3;
	offset = raw ? 0 : ((u32)desc.offset8 << 3);
	if (packetlen < offset || packetlen + sizeof(u64) > avail)
		return -EIO;	/* a host that lies about lengths */

	*buffer_actual_len = packetlen - offset;
	*requestid = desc.trans_id;
	if (unlikely(packetlen - offset > buflen))
		return -ENOBUFS;

	pos = read_loc + offset;
	if (pos >= dsize)
		pos -= dsize;
	hv_copyfrom_ringbuffer(inring_info, buffer, pos, packetlen - offset);

	/* Skip the packet and its trailer, then tell the host. */
	pos = read_loc + packetlen + sizeof(u64);
	while (pos >= dsize)
		pos -= dsize;
	inring_info->priv_read_index = pos;
	virt_mb();
	WRITE_ONCE(inring_info->ring_buffer->read_index, pos);
	return 0;
}
