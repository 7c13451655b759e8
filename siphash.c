// SPDX-License-Identifier: GPL-2.0-or-later
/* siphash.c - SipHash-2-4 (Aumasson and Bernstein, 2012)
 *
 * Written from the paper's description: 2 compression rounds per 8-byte
 * word, 4 finalization rounds, the message length in the top byte of the
 * last word.
 */

#include <string.h>

#include "siphash.h"

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/**
 * sip_round() - One SipRound on the state
 * @v:		State, four words
 */
static inline void sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL(v[1], 13); v[1] ^= v[0]; v[0] = ROTL(v[0], 32);
	v[2] += v[3]; v[3] = ROTL(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL(v[1], 17); v[1] ^= v[2]; v[2] = ROTL(v[2], 32);
}

/**
 * siphash() - SipHash-2-4 of a buffer
 * @key:	Key
 * @data:	Data
 * @len:	Length of @data
 *
 * Return: 64-bit hash
 */
uint64_t siphash(const struct siphash_key *key, const void *data, size_t len)
{
	uint64_t v[4] = {
		key->k[0] ^ 0x736f6d6570736575ULL,
		key->k[1] ^ 0x646f72616e646f6dULL,
		key->k[0] ^ 0x6c7967656e657261ULL,
		key->k[1] ^ 0x7465646279746573ULL,
	};
	const uint8_t *p = data;
	uint64_t m, b = (uint64_t)len << 56;
	size_t left = len;

	while (left >= 8) {
		memcpy(&m, p, 8);
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
		p += 8;
		left -= 8;
	}

	m = 0;
	memcpy(&m, p, left);	/* little-endian hosts only, as the paper */
	b |= m;

	v[3] ^= b;
	sip_round(v);
	sip_round(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	sip_round(v);
	sip_round(v);
	sip_round(v);
	sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
