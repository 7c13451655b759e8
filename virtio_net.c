// SPDX-License-Identifier: GPL-2.0-or-later
/* virtio_net.c - virtio-net frames in receive chains: copied in, or lent
 *		  for a host socket to fill where they lie
 *
 * Theory of operation
 *
 * A frame to the guest starts with the 12-byte virtio-net header
 * (VIRTIO_F_VERSION_1 is required); with VIRTIO_NET_F_MRG_RXBUF it may go
 * on over several chains, the header's num_buffers saying how many: the
 * chains that follow it in the used ring.
 *
 * Copying (virtio_net_rx()): chains are taken until the frame fits, and the
 * frame is copied into them.
 *
 * Lending (virtio_net_lend(), then virtio_net_lend_done()): so that a host
 * socket writes into guest memory itself (a TCP peek, a UDP receive), the
 * chains are taken first, and the room behind the space for the headers is
 * handed out as scatter lists. Once the caller knows how much each frame
 * holds, the headers go in front, each frame's chains are pushed, and the
 * chains no frame needs are given back. Frames come in two shapes: of an
 * exact payload size, each over as many chains as that takes (TCP: a peek
 * fills the frames in order, so only the last one can be short), or of one
 * chain each, whatever it holds (UDP: datagrams of any size up to the MTU).
 * A datagram longer than its chain lands partly in a buffer of the
 * caller's, and that part is copied into further chains: one copy of the
 * excess, none of the rest.
 *
 * Chains given back (virtq_unpop()): the last ones taken from the ring go
 * back by moving our index back; a frame left unused in the middle of a
 * batch (a datagram dropped), or short chains in front of used ones, wait
 * in the queue's stash for the next frame. The used ring may list chains
 * in any order: we don't offer VIRTIO_F_IN_ORDER.
 *
 * Nothing here is copied out of guest memory and trusted later: the chains'
 * addresses were checked when taken (virtio.c), and what the guest writes
 * into its own buffers meanwhile only spoils its own frames.
 */

#include <endian.h>
#include <stddef.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>

#include "virtio_net.h"

/* Headers in front of a lent room: virtio-net, Ethernet, IPv6, TCP */
#define VNET_PRE_MAX		128
/* Ethernet header, without VLAN tags */
#define VNET_ETH_HLEN		14
#define DIV_ROUND_UP_(n, d)	(((n) + (d) - 1) / (d))
/* Further chains for the excess of one datagram: 64 KiB in 1 KiB chains */
#define VNET_MORE_MAX		64

/**
 * struct vnet_chain - A receive chain lent out
 * @head:	Head, for the used ring
 * @pos:	Where it was taken (struct virtq_elem)
 * @len:	Bytes it holds
 * @used:	Bytes written into it, once the frames are done
 * @seg:	First of its segments in vl.seg
 * @nseg:	Number of segments
 */
struct vnet_chain {
	uint16_t head;
	int32_t pos;
	uint32_t len;
	uint32_t used;
	uint16_t seg;
	uint16_t nseg;
};

/**
 * struct vnet_lend - Frames lent out, until virtio_net_lend_done()
 * @nframes:	Frames lent
 * @nchains:	Chains they take
 * @nseg:	Segments of those chains
 * @nroom:	Entries of @room used
 * @pre:	Bytes in front of each room: virtio-net header and headers
 * @mrg:	A frame may take several chains (VIRTIO_NET_F_MRG_RXBUF)
 * @frame:	First chain of each frame; @frame[@nframes] is @nchains
 * @chain:	Chains, in the order taken
 * @seg:	Their segments
 * @room:	Segments of the rooms, handed out
 */
static struct vnet_lend {
	size_t nframes;
	size_t nchains;
	size_t nseg;
	size_t nroom;
	size_t pre;
	bool mrg;
	uint16_t frame[VIRTQ_SIZE_MAX + 1];
	struct vnet_chain chain[VIRTQ_SIZE_MAX];
	struct iovec seg[VIRTIO_LEND_SEG_MAX];
	struct iovec room[VIRTIO_LEND_SEG_MAX];
} vl;

/**
 * vnet_copy() - Copy the next part of a frame into one element
 * @e:		Element
 * @off:	Where in @e to start
 * @iov:	Frame
 * @cnt:	Entries of @iov
 * @done:	Bytes of the frame copied before, updated
 *
 * Return: bytes written into @e, @off included
 */
static size_t vnet_copy(const struct virtq_elem *e, size_t off,
			const struct iovec *iov, size_t cnt, size_t *done)
{
	size_t skip = *done, i;

	for (i = 0; i < cnt && off < e->len; i++) {
		size_t n;

		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		n = iov[i].iov_len - skip;
		if (n > e->len - off)
			n = e->len - off;
		virtio_iov_write(e->iov, e->n, off,
				 (uint8_t *)iov[i].iov_base + skip, n);
		off += n;
		*done += n;
		skip = 0;
	}
	return off;
}

/**
 * virtio_net_csum() - virtio-net header for a frame, partial checksums marked
 * @f:		Frame: its first entry holds all its headers
 * @vh:		Header to fill
 *
 * For pasta's tap device, and guests that negotiated VIRTIO_NET_F_GUEST_CSUM:
 * TCP and UDP frames carry partial checksums (see tap_l4_csum()), mark
 * them, with where the checksum starts and where it goes.
 */
void virtio_net_csum(const struct iovec *f, struct virtio_net_hdr *vh)
{
	const size_t l4_ip6 = VNET_ETH_HLEN + sizeof(struct ip6_hdr);
	const uint8_t *b = f->iov_base;
	size_t l4 = 0;
	uint8_t proto = 0;

	memset(vh, 0, sizeof(*vh));
	vh->gso_type = VIRTIO_NET_HDR_GSO_NONE;
	if (f->iov_len < VNET_ETH_HLEN + 20)
		return;

	if (b[12] == 0x08 && b[13] == 0x00 && (b[14] >> 4) == 4) {
		l4 = VNET_ETH_HLEN + (size_t)(b[14] & 0xf) * 4;
		proto = b[VNET_ETH_HLEN + 9];
	} else if (b[12] == 0x86 && b[13] == 0xdd && f->iov_len >= l4_ip6) {
		l4 = l4_ip6;
		proto = b[VNET_ETH_HLEN + 6];
	}
	/* The L4 header is in this first entry too */
	if (f->iov_len < l4 + (proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
						      sizeof(struct udphdr)))
		return;
	/* UDP over IPv4 goes without a checksum instead (see tap_l4_csum()),
	 * but for a train (USO): its seed is then set, never zero
	 */
	if (proto != IPPROTO_TCP &&
	    (proto != IPPROTO_UDP ||
	     (l4 != l4_ip6 && !(b[l4 + 6] | b[l4 + 7]))))
		return;

	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = (uint16_t)l4;
	vh->csum_offset = proto == IPPROTO_TCP ?
			  offsetof(struct tcphdr, check) :
			  offsetof(struct udphdr, check);
}

/**
 * virtio_net_gso() - Mark a TCP frame of several segments, or a UDP train
 *		      of several datagrams, as a super-frame
 * @f:		Frame: its first entry holds all its headers
 * @cnt:	Entries of @f
 * @gso_size:	Segment size (the connection's MSS, the train's datagrams)
 * @vh:		Header, as virtio_net_csum() filled it (partial checksum)
 *
 * The receiving kernel takes the frame as one packet of @gso_size
 * segments, as if its device had coalesced them (GRO), and cuts it up
 * only if it forwards it, or (UDP) if the socket it's for didn't ask for
 * trains (UDP_GRO).
 *
 * Return: number of segments, 0 if the frame isn't made a super-frame
 */
unsigned virtio_net_gso(const struct iovec *f, size_t cnt, uint16_t gso_size,
			struct virtio_net_hdr *vh)
{
	bool udp = vh->csum_offset == offsetof(struct udphdr, check);
	const uint8_t *b = f->iov_base;
	size_t len = 0, thl, i;

	if (!gso_size || !(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	if (udp) {
		thl = sizeof(struct udphdr);
		if (f->iov_len < vh->csum_start + thl)
			return 0;
	} else {
		if (f->iov_len < (size_t)vh->csum_start + sizeof(struct tcphdr))
			return 0;
		thl = (size_t)(b[vh->csum_start + 12] >> 4) * 4;
		if (f->iov_len < vh->csum_start + thl)
			return 0;
	}
	for (i = 0; i < cnt; i++)
		len += f[i].iov_len;
	if (len - vh->csum_start - thl <= gso_size)
		return 0;

	if (udp)
		vh->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4_;
	else
		vh->gso_type = b[12] == 0x08 ? VIRTIO_NET_HDR_GSO_TCPV4 :
					       VIRTIO_NET_HDR_GSO_TCPV6;
	vh->gso_size = gso_size;
	vh->hdr_len = (uint16_t)(vh->csum_start + thl);
	return (unsigned)DIV_ROUND_UP_(len - vh->hdr_len, gso_size);
}

/**
 * virtio_net_rx() - Copy a frame into the guest's receive buffers
 * @m:		Memory table
 * @vq:		Receive queue
 * @mrg:	VIRTIO_NET_F_MRG_RXBUF: a frame may take several chains
 * @vh:		virtio-net header (num_buffers is set here), or NULL for an
 *		empty one
 * @iov:	Frame, starting with its Ethernet header
 * @cnt:	Entries of @iov
 * @why:	What is wrong, set on VIRTQ_BAD
 *
 * The chains are pushed, not flushed: the caller flushes after a batch.
 *
 * Return: VIRTQ_OK, VIRTQ_EMPTY (not enough room now: nothing taken),
 *	   VIRTQ_DROP (the frame fits no buffer: nothing taken) or VIRTQ_BAD
 */
enum virtq_ret virtio_net_rx(const struct virtio_mem *m, struct virtq *vq,
			     bool mrg, const struct virtio_net_hdr *vh,
			     const struct iovec *iov, size_t cnt,
			     const char **why)
{
	static struct virtq_elem first, next;
	uint16_t avail0 = vq->last_avail, used0 = vq->used_idx, nbuf = 0;
	uint16_t stash0 = vq->nstash;
	uint8_t hdr[VIRTIO_NET_HDR_LEN] = { 0 };
	size_t total = 0, done = 0, i;

	if (vh)
		memcpy(hdr, vh, sizeof(*vh));
	for (i = 0; i < cnt; i++)
		total += iov[i].iov_len;

	while (!nbuf || done < total) {
		struct virtq_elem *e = nbuf ? &next : &first;
		enum virtq_ret ret = nbuf && !mrg ? VIRTQ_DROP :
				     virtq_pop(m, vq, true, e, why);
		size_t off = 0;

		if (ret == VIRTQ_BAD)
			return VIRTQ_BAD;
		if (ret != VIRTQ_OK) {
			/* Nothing published yet: give the chains back, as
			 * they were (taking from the stash left its entries)
			 */
			vq->nstash = stash0;
			vq->last_avail = avail0;
			vq->used_idx = used0;
			return ret;
		}
		if (!nbuf) {
			if (e->len < sizeof(hdr)) {
				*why = "receive buffer shorter than the header";
				return VIRTQ_BAD;
			}
			virtio_iov_write(e->iov, e->n, 0, hdr, sizeof(hdr));
			off = sizeof(hdr);
		}
		off = vnet_copy(e, off, iov, cnt, &done);
		virtq_push(vq, e->head, (uint32_t)off);
		nbuf++;
	}

	nbuf = htole16(nbuf);
	virtio_iov_write(first.iov, first.n, VIRTIO_NET_HDR_NUMBUF, &nbuf,
			 sizeof(nbuf));
	return VIRTQ_OK;
}

/**
 * vnet_lend_undo() - Give back the chains of lent frames, from @first on
 * @vq:		Queue
 * @first:	First chain to give back
 */
static void vnet_lend_undo(struct virtq *vq, size_t first)
{
	while (vl.nchains > first) {
		const struct vnet_chain *ch = &vl.chain[--vl.nchains];

		vl.nseg -= ch->nseg;
		virtq_unpop(vq, ch->head, ch->pos);
	}
}

/**
 * vnet_lend_frame() - Take the chains of one more frame
 * @m:		Memory table
 * @vq:		Receive queue
 * @plen:	Payload the frame must hold, 0: one chain, whatever it holds
 * @why:	What is wrong, set on VIRTQ_BAD
 *
 * Return: VIRTQ_OK, VIRTQ_EMPTY (not enough chains, or they are of a shape
 *	   we don't lend: nothing taken), or VIRTQ_BAD
 */
static enum virtq_ret vnet_lend_frame(const struct virtio_mem *m,
				      struct virtq *vq, size_t plen,
				      const char **why)
{
	size_t first = vl.nchains, cap = 0;
	static struct virtq_elem e;

	while (plen ? cap < vl.pre + plen : !cap) {
		struct vnet_chain *ch = &vl.chain[vl.nchains];
		enum virtq_ret r;

		if (vl.nchains == VIRTQ_SIZE_MAX ||
		    (vl.nchains > first && !vl.mrg)) {
			vnet_lend_undo(vq, first);
			return VIRTQ_EMPTY;
		}
		r = virtq_pop(m, vq, true, &e, why);
		if (r == VIRTQ_BAD)
			return r;
		if (r != VIRTQ_OK || !e.len ||
		    vl.nseg + e.n > VIRTIO_LEND_SEG_MAX ||
		    (vl.nchains == first && e.len <= vl.pre)) {
			/* The copying path decides about odd chains */
			if (r == VIRTQ_OK)
				virtq_unpop(vq, e.head, e.pos);
			vnet_lend_undo(vq, first);
			return VIRTQ_EMPTY;
		}
		ch->head = e.head;
		ch->pos = e.pos;
		ch->len = (uint32_t)e.len;
		ch->used = 0;
		ch->seg = (uint16_t)vl.nseg;
		ch->nseg = (uint16_t)e.n;
		memcpy(&vl.seg[vl.nseg], e.iov, e.n * sizeof(*e.iov));
		vl.nseg += e.n;
		vl.nchains++;
		cap += e.len;
	}
	vl.frame[vl.nframes++] = (uint16_t)first;
	vl.frame[vl.nframes] = (uint16_t)vl.nchains;
	return VIRTQ_OK;
}

/**
 * vnet_lend_room() - Describe the room of the frame lent last
 * @r:		Room, set
 * @plen:	Payload the frame holds, 0: whatever its one chain holds
 */
static void vnet_lend_room(struct pkt_room *r, size_t plen)
{
	size_t f = vl.nframes - 1, first = vl.nroom, skip = vl.pre, left, c;

	left = plen ? plen : vl.chain[vl.frame[f]].len - vl.pre;
	r->len = left;
	for (c = vl.frame[f]; c < vl.frame[f + 1] && left; c++) {
		const struct vnet_chain *ch = &vl.chain[c];
		size_t k;

		for (k = 0; k < ch->nseg && left; k++) {
			const struct iovec *s = &vl.seg[ch->seg + k];
			size_t take;

			if (skip >= s->iov_len) {
				skip -= s->iov_len;
				continue;
			}
			take = s->iov_len - skip;
			if (take > left)
				take = left;
			vl.room[vl.nroom].iov_base = (uint8_t *)s->iov_base +
						     skip;
			vl.room[vl.nroom++].iov_len = take;
			left -= take;
			skip = 0;
		}
	}
	r->iov = &vl.room[first];
	r->cnt = vl.nroom - first;
}

/**
 * virtio_net_lend() - Lend receive chains for frames filled in place
 * @m:		Memory table
 * @vq:		Receive queue
 * @mrg:	VIRTIO_NET_F_MRG_RXBUF: a frame may take several chains
 * @pre:	Bytes in front of each room: VIRTIO_NET_HDR_LEN and the
 *		frame's headers
 * @plen:	Payload each frame holds; 0: one chain per frame, whatever
 *		it holds
 * @n:		Frames wanted
 * @rooms:	Rooms of the frames lent, set, @n entries
 * @lent:	Frames lent, set: none if the queue has too few chains, or
 *		chains of a shape we don't lend (the copying path takes them)
 * @why:	What is wrong, set on VIRTQ_BAD
 *
 * Every call must be followed by virtio_net_lend_done() before the queue
 * is used otherwise.
 *
 * Return: VIRTQ_OK or VIRTQ_BAD (nothing lent)
 */
enum virtq_ret virtio_net_lend(const struct virtio_mem *m, struct virtq *vq,
			       bool mrg, size_t pre, size_t plen, size_t n,
			       struct pkt_room *rooms, size_t *lent,
			       const char **why)
{
	size_t i;

	vl.nframes = vl.nchains = vl.nseg = vl.nroom = 0;
	vl.frame[0] = 0;
	vl.pre = pre;
	vl.mrg = mrg;
	*lent = 0;
	if (pre < VIRTIO_NET_HDR_LEN || pre > VNET_PRE_MAX)
		return VIRTQ_OK;

	for (i = 0; i < n && i < VIRTQ_SIZE_MAX; i++) {
		enum virtq_ret r = vnet_lend_frame(m, vq, plen, why);

		if (r == VIRTQ_BAD) {
			vl.nframes = 0;
			return r;
		}
		if (r != VIRTQ_OK)
			break;
		vnet_lend_room(&rooms[i], plen);
	}
	*lent = vl.nframes;
	return VIRTQ_OK;
}

/**
 * vnet_lend_more() - Copy the excess of a frame into further chains
 * @m:		Memory table
 * @vq:		Receive queue
 * @more:	Excess bytes
 * @len:	Their length
 * @heads:	Heads of the chains taken, set
 * @lens:	Bytes written into each, set
 * @n:		Chains taken, set
 * @why:	What is wrong, set on VIRTQ_BAD
 *
 * Return: VIRTQ_OK, VIRTQ_EMPTY (too few chains: none taken), VIRTQ_BAD
 */
static enum virtq_ret vnet_lend_more(const struct virtio_mem *m,
				     struct virtq *vq, const uint8_t *more,
				     size_t len, uint16_t *heads,
				     uint32_t *lens, size_t *n,
				     const char **why)
{
	static int32_t pos[VNET_MORE_MAX];
	static struct virtq_elem e;
	size_t done = 0;

	for (*n = 0; done < len; (*n)++) {
		enum virtq_ret r = VIRTQ_EMPTY;
		size_t k;

		if (*n < VNET_MORE_MAX && vl.mrg)
			r = virtq_pop(m, vq, true, &e, why);
		if (r == VIRTQ_BAD)
			return r;
		if (r != VIRTQ_OK) {
			for (; *n; (*n)--)
				virtq_unpop(vq, heads[*n - 1], pos[*n - 1]);
			return VIRTQ_EMPTY;
		}
		k = len - done < e.len ? len - done : e.len;
		virtio_iov_write(e.iov, e.n, 0, more + done, k);
		heads[*n] = e.head;
		pos[*n] = e.pos;
		lens[*n] = (uint32_t)k;
		done += k;
	}
	return VIRTQ_OK;
}

/**
 * vnet_lend_push() - Write a frame's headers and push its chains
 * @m:		Memory table
 * @vq:		Receive queue
 * @f:		Frame, as lent
 * @out:	What the caller wrote into it
 * @why:	What is wrong, set on VIRTQ_BAD
 *
 * Return: VIRTQ_OK, VIRTQ_DROP (its excess fits no chains now: given
 *	   back) or VIRTQ_BAD
 */
static enum virtq_ret vnet_lend_push(const struct virtio_mem *m,
				     struct virtq *vq, size_t f,
				     const struct virtio_net_out *out,
				     const char **why)
{
	static uint16_t heads[VNET_MORE_MAX];
	static uint32_t lens[VNET_MORE_MAX];
	const struct vnet_chain *first = &vl.chain[vl.frame[f]];
	uint8_t pre[VNET_PRE_MAX];
	size_t c, nmore = 0, nbuf = 0;
	uint16_t le;

	if (out->mlen) {
		enum virtq_ret r = vnet_lend_more(m, vq, out->more, out->mlen,
						  heads, lens, &nmore, why);

		if (r == VIRTQ_BAD)
			return r;
		if (r != VIRTQ_OK) {
			for (c = vl.frame[f + 1]; c-- > vl.frame[f];)
				if (vl.chain[c].used)
					virtq_unpop(vq, vl.chain[c].head,
						    vl.chain[c].pos);
			return VIRTQ_DROP;
		}
	}
	for (c = vl.frame[f]; c < vl.frame[f + 1]; c++)
		nbuf += !!vl.chain[c].used;

	memcpy(pre, out->pre, vl.pre);
	le = htole16((uint16_t)(nbuf + nmore));
	memcpy(pre + VIRTIO_NET_HDR_NUMBUF, &le, sizeof(le));
	virtio_iov_write(&vl.seg[first->seg], first->nseg, 0, pre, vl.pre);

	for (c = vl.frame[f]; c < vl.frame[f + 1]; c++)
		if (vl.chain[c].used)
			virtq_push(vq, vl.chain[c].head, vl.chain[c].used);
	for (c = 0; c < nmore; c++)
		virtq_push(vq, heads[c], lens[c]);
	return VIRTQ_OK;
}

/**
 * virtio_net_lend_done() - Send the lent frames the caller filled, give
 *			    back the rest
 * @m:		Memory table
 * @vq:		Receive queue
 * @out:	What was written into each frame, in the order lent
 * @n:		Entries of @out; lent frames beyond them are unused
 * @sent:	Frames pushed, set
 * @copied:	Excess bytes copied, set
 * @why:	What is wrong, set on VIRTQ_BAD
 *
 * Frames of an exact payload size (virtio_net_lend() with @plen) must be
 * full, but for the last one used: a frame's room is filled in order.
 * The chains are pushed, not flushed: the caller flushes.
 *
 * Return: VIRTQ_OK or VIRTQ_BAD
 */
enum virtq_ret virtio_net_lend_done(const struct virtio_mem *m,
				    struct virtq *vq,
				    const struct virtio_net_out *out,
				    size_t n, size_t *sent,
				    size_t *copied, const char **why)
{
	size_t f, c;

	*sent = *copied = 0;
	/* Bytes each chain takes: the headers, then the room, in order */
	for (f = 0; f < vl.nframes; f++) {
		size_t left = 0;

		if (f < n && out[f].pre)
			left = vl.pre + out[f].plen;
		for (c = vl.frame[f]; c < vl.frame[f + 1]; c++) {
			struct vnet_chain *ch = &vl.chain[c];

			ch->used = (uint32_t)(left < ch->len ? left : ch->len);
			left -= ch->used;
		}
	}
	/* In reverse: the last chains taken go back to the ring as they were */
	for (c = vl.nchains; c-- > 0;)
		if (!vl.chain[c].used)
			virtq_unpop(vq, vl.chain[c].head, vl.chain[c].pos);

	for (f = 0; f < vl.nframes && f < n; f++) {
		enum virtq_ret r;

		if (!vl.chain[vl.frame[f]].used)
			continue;
		r = vnet_lend_push(m, vq, f, &out[f], why);
		if (r == VIRTQ_BAD) {
			vl.nframes = 0;
			return r;
		}
		if (r == VIRTQ_OK) {
			(*sent)++;
			*copied += out[f].mlen;
		}
	}
	vl.nframes = 0;
	return VIRTQ_OK;
}
